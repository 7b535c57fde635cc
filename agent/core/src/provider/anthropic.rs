//! Anthropic Messages API provider, on plain reqwest.
//!
//! It builds the request (with prompt-caching breakpoints on the system
//! prompt and the tool list), parses the server-sent event stream into
//! [`ChatEvent`]s and classifies failures into [`ProviderError`]s. It does not
//! retry: [`super::RetryPolicy`] does. It never logs the API key or the
//! request and response content, only their sizes.

use std::collections::{HashMap, VecDeque};

use async_trait::async_trait;
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::retry::{error_from_status, retry_after, snippet};
use super::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, Message, MessageRole, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};

const PROVIDER: &str = "anthropic";
/// The API version this module's wire types follow.
const API_VERSION: &str = "2023-06-01";

/// Streams from `POST {base_url}/v1/messages`.
pub struct AnthropicProvider {
    base_url: Url,
    api_key: SecretString,
    http: reqwest::Client,
}

impl AnthropicProvider {
    /// `base_url` is the API root, e.g. `https://api.anthropic.com`.
    pub fn new(base_url: Url, api_key: SecretString, http: reqwest::Client) -> Self {
        Self {
            base_url,
            api_key,
            http,
        }
    }

    fn messages_url(&self) -> String {
        // Appending by hand keeps a path prefix of the base URL (a proxy's
        // `/anthropic`), which `Url::join` would replace.
        format!(
            "{}/v1/messages",
            self.base_url.as_str().trim_end_matches('/')
        )
    }
}

#[async_trait]
impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: true,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let body = serde_json::to_vec(&MessagesRequest::from_chat(&request)).map_err(|err| {
            ProviderError::Protocol {
                provider: PROVIDER.to_owned(),
                message: format!("cannot serialise the request: {err}"),
            }
        })?;
        let mut api_key = HeaderValue::from_str(self.api_key.expose_secret()).map_err(|_| {
            ProviderError::Auth {
                provider: PROVIDER.to_owned(),
                status: 0,
                message: "the api key is not a valid http header value".to_owned(),
            }
        })?;
        // Keeps the key out of any Debug output of the request.
        api_key.set_sensitive(true);
        tracing::debug!(
            body_bytes = body.len(),
            messages = request.messages.len(),
            tools = request.tools.len(),
            "sending anthropic messages request"
        );

        let response = self
            .http
            .post(self.messages_url())
            .header("x-api-key", api_key)
            .header("anthropic-version", API_VERSION)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(connection_error)?;

        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers());
            let body = response.bytes().await.map_err(connection_error)?;
            tracing::debug!(
                status = status.as_u16(),
                body_bytes = body.len(),
                "anthropic answered with an error"
            );
            return Err(error_from_status(
                PROVIDER,
                status.as_u16(),
                error_message(&body, status),
                retry_after,
            ));
        }
        Ok(Box::pin(chat_events(response.bytes_stream())))
    }
}

/// Turns the raw SSE byte stream into chat events: one event per content
/// piece, then `Usage` and `Done` at `message_stop`. The stream ends after
/// `Done` or after the first error.
fn chat_events<S>(bytes: S) -> impl Stream<Item = Result<ChatEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<bytes::Bytes, reqwest::Error>> + Send + 'static,
{
    let state = Decoder {
        sse: Box::pin(bytes.eventsource()),
        message: StreamState::default(),
        pending: VecDeque::new(),
        finished: false,
    };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.pending.pop_front() {
                return Some((item, state));
            }
            if state.finished {
                return None;
            }
            match state.sse.next().await {
                Some(Ok(event)) => match state.message.on_event(&event) {
                    Ok(Step::Continue(events)) => state.pending.extend(events.into_iter().map(Ok)),
                    Ok(Step::Finished(events)) => {
                        state.pending.extend(events.into_iter().map(Ok));
                        state.finished = true;
                    }
                    Err(err) => {
                        state.pending.push_back(Err(err));
                        state.finished = true;
                    }
                },
                Some(Err(err)) => {
                    state.pending.push_back(Err(sse_error(err)));
                    state.finished = true;
                }
                None => {
                    state.pending.push_back(Err(protocol_error(
                        "the event stream ended before message_stop",
                    )));
                    state.finished = true;
                }
            }
        }
    })
}

type SseStream =
    std::pin::Pin<Box<dyn Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send>>;

struct Decoder {
    sse: SseStream,
    message: StreamState,
    pending: VecDeque<Result<ChatEvent, ProviderError>>,
    finished: bool,
}

/// What one SSE event produced.
#[derive(Debug, PartialEq)]
enum Step {
    Continue(Vec<ChatEvent>),
    /// The message is complete; nothing after this is read.
    Finished(Vec<ChatEvent>),
}

/// The parts of a streamed message seen so far.
#[derive(Debug, Default)]
struct StreamState {
    /// Open content blocks by their index.
    blocks: HashMap<u64, OpenBlock>,
    usage: Usage,
    stop_reason: Option<StopReason>,
}

#[derive(Debug)]
enum OpenBlock {
    /// Text is forwarded as it arrives, so nothing is kept.
    Text,
    ToolUse {
        id: String,
        name: String,
        json: String,
    },
    /// Thinking and other block kinds we do not use.
    Other,
}

impl StreamState {
    fn on_event(&mut self, event: &Event) -> Result<Step, ProviderError> {
        let parsed: StreamEvent = serde_json::from_str(&event.data).map_err(|err| {
            protocol_error(format!("cannot parse the {:?} event: {err}", event.event))
        })?;
        let mut out = Vec::new();
        match parsed {
            StreamEvent::MessageStart { message } => {
                let usage = message.usage;
                self.usage.input_tokens = usage.input_tokens.unwrap_or(0);
                self.usage.output_tokens = usage.output_tokens.unwrap_or(0);
                self.usage.cache_creation_input_tokens =
                    usage.cache_creation_input_tokens.unwrap_or(0);
                self.usage.cache_read_input_tokens = usage.cache_read_input_tokens.unwrap_or(0);
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                let block = match content_block {
                    BlockStart::Text { text } => {
                        if !text.is_empty() {
                            out.push(ChatEvent::TextDelta { text });
                        }
                        OpenBlock::Text
                    }
                    BlockStart::ToolUse { id, name } => OpenBlock::ToolUse {
                        id,
                        name,
                        json: String::new(),
                    },
                    BlockStart::Other => OpenBlock::Other,
                };
                self.blocks.insert(index, block);
            }
            StreamEvent::ContentBlockDelta { index, delta } => match delta {
                BlockDelta::TextDelta { text } => {
                    if !text.is_empty() {
                        out.push(ChatEvent::TextDelta { text });
                    }
                }
                BlockDelta::InputJsonDelta { partial_json } => match self.blocks.get_mut(&index) {
                    Some(OpenBlock::ToolUse { json, .. }) => json.push_str(&partial_json),
                    Some(OpenBlock::Text | OpenBlock::Other) | None => {
                        return Err(protocol_error(format!(
                            "input_json_delta for block {index}, which is not an open tool_use"
                        )));
                    }
                },
                BlockDelta::Other => {}
            },
            StreamEvent::ContentBlockStop { index } => {
                if let Some(OpenBlock::ToolUse { id, name, json }) = self.blocks.remove(&index) {
                    // A tool without parameters streams no JSON at all.
                    let arguments = if json.trim().is_empty() {
                        "{}".to_owned()
                    } else {
                        json
                    };
                    out.push(ChatEvent::ToolCall {
                        call: ToolCall {
                            id,
                            name,
                            arguments,
                        },
                    });
                }
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if let Some(reason) = delta.stop_reason {
                    self.stop_reason = Some(stop_reason(&reason));
                }
                // The counts here are cumulative, so they replace earlier ones.
                if let Some(usage) = usage {
                    if let Some(n) = usage.output_tokens {
                        self.usage.output_tokens = n;
                    }
                    if let Some(n) = usage.input_tokens {
                        self.usage.input_tokens = n;
                    }
                    if let Some(n) = usage.cache_creation_input_tokens {
                        self.usage.cache_creation_input_tokens = n;
                    }
                    if let Some(n) = usage.cache_read_input_tokens {
                        self.usage.cache_read_input_tokens = n;
                    }
                }
            }
            StreamEvent::MessageStop => {
                tracing::debug!(
                    input_tokens = self.usage.input_tokens,
                    output_tokens = self.usage.output_tokens,
                    "anthropic stream finished"
                );
                out.push(ChatEvent::Usage { usage: self.usage });
                out.push(ChatEvent::Done {
                    stop_reason: self
                        .stop_reason
                        .take()
                        .unwrap_or_else(|| StopReason::Other("none".to_owned())),
                });
                return Ok(Step::Finished(out));
            }
            StreamEvent::Error { error } => return Err(stream_error(error)),
            // Anthropic may add event types at any time; ignoring them is the
            // documented way to stay compatible.
            StreamEvent::Ping | StreamEvent::Unknown => {}
        }
        Ok(Step::Continue(out))
    }
}

// ---- request wire types ----

#[derive(Debug, Serialize)]
struct MessagesRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    /// Anthropic rejects an empty text block, so an empty prompt is left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    system: Vec<SystemBlock<'a>>,
    messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    stream: bool,
}

#[derive(Debug, Serialize)]
struct SystemBlock<'a> {
    r#type: &'static str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_control: Option<CacheControl>,
}

/// Marks the end of a cacheable prefix: the system prompt and the tool list
/// are the same on every call of a conversation, so they are read from cache.
#[derive(Debug, Clone, Copy, Serialize)]
struct CacheControl {
    r#type: &'static str,
}

const EPHEMERAL: CacheControl = CacheControl {
    r#type: "ephemeral",
};

#[derive(Debug, Serialize)]
struct WireMessage<'a> {
    role: &'static str,
    content: Vec<WireBlock<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum WireBlock<'a> {
    Text {
        text: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a Value,
    },
    ToolResult {
        tool_use_id: &'a str,
        content: &'a str,
        is_error: bool,
    },
}

#[derive(Debug, Serialize)]
struct WireTool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_control: Option<CacheControl>,
}

/// Sent in place of tool input that is not a JSON object (the raw text of
/// invalid arguments): the API only accepts objects there.
static EMPTY_INPUT: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(serde_json::Map::new()));

impl<'a> MessagesRequest<'a> {
    fn from_chat(request: &'a ChatRequest) -> Self {
        let system = if request.system.is_empty() {
            Vec::new()
        } else {
            vec![SystemBlock {
                r#type: "text",
                text: &request.system,
                cache_control: Some(EPHEMERAL),
            }]
        };
        let last_tool = request.tools.len().saturating_sub(1);
        let tools = request
            .tools
            .iter()
            .enumerate()
            .map(|(i, tool)| WireTool {
                name: &tool.name,
                description: &tool.description,
                input_schema: &tool.input_schema,
                cache_control: (i == last_tool).then_some(EPHEMERAL),
            })
            .collect();
        Self {
            model: &request.model,
            max_tokens: request.max_tokens,
            system,
            messages: request
                .messages
                .iter()
                .map(WireMessage::from_message)
                .collect(),
            tools,
            stream: true,
        }
    }
}

impl<'a> WireMessage<'a> {
    fn from_message(message: &'a Message) -> Self {
        let role = match message.role {
            MessageRole::User => "user",
            MessageRole::Assistant => "assistant",
        };
        let content = message
            .content
            .iter()
            .map(|block| match block {
                ContentBlock::Text { text } => WireBlock::Text { text },
                ContentBlock::ToolUse { id, name, input } => WireBlock::ToolUse {
                    id,
                    name,
                    input: if input.is_object() {
                        input
                    } else {
                        &EMPTY_INPUT
                    },
                },
                ContentBlock::ToolResult {
                    tool_use_id,
                    content,
                    is_error,
                } => WireBlock::ToolResult {
                    tool_use_id,
                    content,
                    is_error: *is_error,
                },
            })
            .collect();
        Self { role, content }
    }
}

// ---- response wire types ----

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: MessageStartBody,
    },
    ContentBlockStart {
        index: u64,
        content_block: BlockStart,
    },
    ContentBlockDelta {
        index: u64,
        delta: BlockDelta,
    },
    ContentBlockStop {
        index: u64,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        #[serde(default)]
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    Error {
        error: ApiError,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Deserialize)]
struct MessageStartBody {
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Debug, Default, Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockStart {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    InputJsonDelta {
        partial_json: String,
    },
    /// Thinking, signature and citation deltas, which we do not use.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct MessageDeltaBody {
    stop_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ApiError,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    r#type: String,
    #[serde(default)]
    message: String,
}

// ---- helpers ----

fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" => StopReason::EndTurn,
        "tool_use" => StopReason::ToolUse,
        "max_tokens" => StopReason::MaxTokens,
        "stop_sequence" => StopReason::StopSequence,
        "refusal" => StopReason::Refusal,
        other => StopReason::Other(other.to_owned()),
    }
}

/// An `error` event inside a stream that had already started (HTTP 200).
fn stream_error(error: ApiError) -> ProviderError {
    let provider = PROVIDER.to_owned();
    let message = error.message;
    match error.r#type.as_str() {
        "overloaded_error" => ProviderError::Overloaded {
            provider,
            message,
            retry_after: None,
        },
        "rate_limit_error" => ProviderError::RateLimited {
            provider,
            message,
            retry_after: None,
        },
        "api_error" => ProviderError::Server {
            provider,
            status: 500,
            message,
            retry_after: None,
        },
        other => ProviderError::Protocol {
            provider,
            message: format!("{other}: {message}"),
        },
    }
}

/// Anthropic's error message from an error body, or a short piece of the body
/// when it is not Anthropic's JSON (a proxy's error page).
fn error_message(body: &[u8], status: reqwest::StatusCode) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if !parsed.error.message.is_empty() => parsed.error.message,
        Ok(parsed) => parsed.error.r#type,
        Err(_) if body.is_empty() => status.canonical_reason().unwrap_or("no body").to_owned(),
        Err(_) => snippet(body, 200),
    }
}

fn connection_error(err: reqwest::Error) -> ProviderError {
    ProviderError::Connection {
        provider: PROVIDER.to_owned(),
        message: err.to_string(),
    }
}

fn sse_error(err: EventStreamError<reqwest::Error>) -> ProviderError {
    match err {
        EventStreamError::Transport(err) => connection_error(err),
        EventStreamError::Utf8(_) | EventStreamError::Parser(_) => {
            protocol_error(format!("malformed event stream: {err}"))
        }
    }
}

fn protocol_error(message: impl Into<String>) -> ProviderError {
    ProviderError::Protocol {
        provider: PROVIDER.to_owned(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn event(data: Value) -> Event {
        Event {
            event: data["type"].as_str().unwrap_or_default().to_owned(),
            data: data.to_string(),
            ..Event::default()
        }
    }

    #[test]
    fn tool_input_that_is_not_an_object_is_sent_as_empty_object() {
        let message = Message {
            role: MessageRole::Assistant,
            content: vec![ContentBlock::ToolUse {
                id: "toolu_1".into(),
                name: "check_credit".into(),
                input: Value::String("{not json".into()),
            }],
        };
        let wire = serde_json::to_value(WireMessage::from_message(&message)).unwrap();
        assert_eq!(wire["content"][0]["input"], json!({}));
    }

    #[test]
    fn input_json_delta_for_a_text_block_is_a_protocol_error() {
        let mut state = StreamState::default();
        state
            .on_event(&event(json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "text", "text": ""}})))
            .unwrap();
        let err = state
            .on_event(&event(json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": "{"}})))
            .unwrap_err();
        assert_eq!(err.kind(), "protocol");
    }

    #[test]
    fn unknown_blocks_and_deltas_are_skipped() {
        let mut state = StreamState::default();
        let steps = [
            json!({"type": "content_block_start", "index": 0,
                "content_block": {"type": "thinking", "thinking": ""}}),
            json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "thinking_delta", "thinking": "hmm"}}),
            json!({"type": "content_block_stop", "index": 0}),
        ]
        .map(|data| state.on_event(&event(data)).unwrap());
        assert!(steps.iter().all(|step| *step == Step::Continue(Vec::new())));
    }
}
