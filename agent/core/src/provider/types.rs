//! Provider-neutral chat types. Anthropic's content-block model is the
//! reference shape; OpenAI-compatible providers convert at their edge.

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use tools::ToolSpec;

/// Who wrote a message. Tool results travel in `User` messages, as in
/// Anthropic's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    User,
    Assistant,
}

/// One block of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    /// A tool call the model made. `input` is the parsed arguments, or a JSON
    /// string holding the raw text when the model sent invalid JSON.
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    /// Our answer to a tool call, always data for the model, never instructions.
    ToolResult {
        tool_use_id: String,
        content: String,
        is_error: bool,
    },
}

/// A message in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: MessageRole,
    pub content: Vec<ContentBlock>,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Self {
        Self {
            role: MessageRole::User,
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }

    pub fn assistant_text(text: impl Into<String>) -> Self {
        Self {
            role: MessageRole::Assistant,
            content: vec![ContentBlock::Text { text: text.into() }],
        }
    }

    /// The message's text blocks joined together.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                ContentBlock::ToolUse { .. } | ContentBlock::ToolResult { .. } => None,
            })
            .collect()
    }
}

/// One model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub system: String,
    pub messages: Vec<Message>,
    /// Shared with the registry: the same specs go with every call.
    pub tools: std::sync::Arc<[ToolSpec]>,
    /// Upper bound on output tokens for this call.
    pub max_tokens: u32,
    /// The templates `system` was rendered from; providers send only the
    /// text, recordings keep these to show a prompt change.
    #[serde(default)]
    pub prompts: Vec<crate::prompt::PromptRef>,
}

/// A complete tool call from the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The raw JSON text of the arguments, exactly as the model sent it.
    pub arguments: String,
}

/// Token counts of one call (or, summed, of a turn).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
}

impl Usage {
    pub fn add(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_creation_input_tokens += other.cache_creation_input_tokens;
        self.cache_read_input_tokens += other.cache_read_input_tokens;
    }

    /// Every token billed for the call, cached ones included.
    pub fn total(&self) -> u64 {
        self.input_tokens
            + self.output_tokens
            + self.cache_creation_input_tokens
            + self.cache_read_input_tokens
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    Refusal,
    Other(String),
}

/// One event of a streamed answer. Providers emit `Usage` once, right before
/// `Done`, so a retry before the first text or tool call never double-counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    TextDelta { text: String },
    ToolCall { call: ToolCall },
    Usage { usage: Usage },
    Done { stop_reason: StopReason },
}

/// What a provider can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    pub tools: bool,
    pub prompt_caching: bool,
}

pub type ChatStream = Pin<Box<dyn Stream<Item = Result<ChatEvent, ProviderError>> + Send>>;

/// Why a provider call failed, classified by what [`crate::provider::RetryPolicy`]
/// does next.
#[derive(Debug, Clone, Error)]
pub enum ProviderError {
    /// HTTP 429; retried after `retry_after` when given.
    #[error("rate limited by {provider}: {message}")]
    RateLimited {
        provider: String,
        message: String,
        retry_after: Option<Duration>,
    },
    /// Anthropic's 529 `overloaded_error` (also sent inside a stream); retried.
    #[error("{provider} is overloaded: {message}")]
    Overloaded {
        provider: String,
        message: String,
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx; retried.
    #[error("{provider} server error {status}: {message}")]
    Server {
        provider: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    /// The connection failed or broke; retried.
    #[error("cannot reach {provider}: {message}")]
    Connection { provider: String, message: String },
    /// 401/403: the key is missing, wrong or lacks permission; not retried.
    #[error("{provider} refused the credentials ({status}): {message}")]
    Auth {
        provider: String,
        status: u16,
        message: String,
    },
    /// Any other 4xx: the request itself is wrong; not retried.
    #[error("{provider} rejected the request ({status}): {message}")]
    InvalidRequest {
        provider: String,
        status: u16,
        message: String,
    },
    /// The response could not be understood (malformed stream); not retried.
    #[error("unexpected response from {provider}: {message}")]
    Protocol { provider: String, message: String },
}

impl ProviderError {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::Overloaded { .. }
            | Self::Server { .. }
            | Self::Connection { .. } => true,
            Self::Auth { .. } | Self::InvalidRequest { .. } | Self::Protocol { .. } => false,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. }
            | Self::Overloaded { retry_after, .. }
            | Self::Server { retry_after, .. } => *retry_after,
            Self::Connection { .. }
            | Self::Auth { .. }
            | Self::InvalidRequest { .. }
            | Self::Protocol { .. } => None,
        }
    }

    /// Stable label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::Overloaded { .. } => "overloaded",
            Self::Server { .. } => "server_error",
            Self::Connection { .. } => "connection",
            Self::Auth { .. } => "auth",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::Protocol { .. } => "protocol",
        }
    }

    /// What to tell the person in chat; never contains provider internals.
    pub fn user_message(&self) -> String {
        match self {
            Self::RateLimited { .. } | Self::Overloaded { .. } | Self::Server { .. } => {
                "The language model service is busy right now and did not answer after several \
                 tries. Please try again in a minute."
                    .to_owned()
            }
            Self::Connection { .. } => {
                "The language model service cannot be reached right now. Please try again later."
                    .to_owned()
            }
            Self::Auth { .. } => {
                "The language model service refused our credentials. An administrator needs to \
                 check the API key."
                    .to_owned()
            }
            Self::InvalidRequest { .. } | Self::Protocol { .. } => {
                "The language model service could not handle this request. The problem has been \
                 logged."
                    .to_owned()
            }
        }
    }
}

/// A model's answer assembled from its streamed events: the message
/// content, the usage and the stop reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub blocks: Vec<ContentBlock>,
    pub usage: Usage,
    pub stop_reason: StopReason,
}

impl Default for Answer {
    fn default() -> Self {
        Self {
            blocks: Vec::new(),
            usage: Usage::default(),
            stop_reason: StopReason::Other("stream ended without a stop reason".to_owned()),
        }
    }
}

impl Answer {
    /// Adds one streamed event: text deltas join the current text block, a
    /// tool call becomes a `tool_use` block (arguments that are not valid
    /// JSON are kept as a JSON string, so the tool can report them).
    pub fn push(&mut self, event: ChatEvent) {
        match event {
            ChatEvent::TextDelta { text } => match self.blocks.last_mut() {
                Some(ContentBlock::Text { text: last }) => last.push_str(&text),
                _ => self.blocks.push(ContentBlock::Text { text }),
            },
            ChatEvent::ToolCall { call } => {
                let raw = if call.arguments.trim().is_empty() {
                    "{}"
                } else {
                    &call.arguments
                };
                let input = serde_json::from_str(raw).unwrap_or(Value::String(call.arguments));
                self.blocks.push(ContentBlock::ToolUse {
                    id: call.id,
                    name: call.name,
                    input,
                });
            }
            ChatEvent::Usage { usage } => self.usage.add(usage),
            ChatEvent::Done { stop_reason } => self.stop_reason = stop_reason,
        }
    }
}

/// Collects a stream into an [`Answer`]: the non-streaming view of a call.
pub async fn collect(mut stream: ChatStream) -> Result<Answer, ProviderError> {
    let mut answer = Answer::default();
    while let Some(event) = stream.next().await {
        answer.push(event?);
    }
    Ok(answer)
}
