//! OpenAI-compatible chat completions provider (OpenAI, Ollama, vLLM, …) on
//! `async-openai`.
//!
//! It converts our Anthropic-shaped messages into chat-completion messages,
//! assembles streamed tool-call pieces into whole [`ToolCall`]s and classifies
//! failures into [`ProviderError`]s. async-openai's default HTTP executor
//! retries 429 and 5xx by itself; we replace it with [`SingleAttempt`], which
//! sends each request once and keeps the status and `retry-after` of a failed
//! response, so that [`super::RetryPolicy`] stays the only place that retries.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::{OPENAI_API_BASE, OpenAIConfig};
use async_openai::error::{OpenAIError, StreamError};
use async_openai::middleware::HttpRequestFactory;
use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionStreamOptions, ChatCompletionTool,
    ChatCompletionTools, CompletionUsage, CreateChatCompletionRequest,
    CreateChatCompletionStreamResponse, FinishReason, FunctionCall, FunctionObject,
};
use async_trait::async_trait;
use futures::{Stream, StreamExt};
use reqwest::header::AUTHORIZATION;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::retry::{error_from_status, retry_after, snippet};
use super::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, Message, MessageRole, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};

const PROVIDER: &str = "openai";

/// Streams chat completions through `async-openai`.
pub struct OpenAiCompatProvider {
    client: Client<OpenAIConfig>,
}

impl OpenAiCompatProvider {
    /// `base_url` is the API root including the version, like
    /// `http://localhost:11434/v1`; `None` means OpenAI itself. `api_key` may
    /// be absent for local servers, and then no `Authorization` header is sent.
    pub fn new(base_url: Option<Url>, api_key: Option<SecretString>) -> Self {
        // async-openai builds a reqwest client here, which needs the crypto
        // provider; installing it is idempotent.
        crate::init_crypto();
        let api_base = base_url.map_or_else(
            || OPENAI_API_BASE.to_owned(),
            |url| url.as_str().trim_end_matches('/').to_owned(),
        );
        let send_auth = api_key.is_some();
        // Every field is set explicitly: the config's defaults read OPENAI_*
        // environment variables, and configuration comes from our Config only.
        let config = OpenAIConfig::new()
            .with_api_base(api_base)
            .with_api_key(
                api_key
                    .as_ref()
                    .map(|key| key.expose_secret().to_owned())
                    .unwrap_or_default(),
            )
            .with_org_id("")
            .with_project_id("");
        let http = reqwest::Client::new();
        let client = Client::build(http.clone(), config)
            .with_http_service(SingleAttempt { http, send_auth });
        Self { client }
    }
}

#[async_trait]
impl Provider for OpenAiCompatProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        tracing::debug!(
            messages = request.messages.len(),
            tools = request.tools.len(),
            "sending chat completions request"
        );
        let chunks = self
            .client
            .chat()
            .create_stream(to_openai_request(&request))
            .await
            .map_err(provider_error)?;
        Ok(Box::pin(chat_events(chunks)))
    }
}

/// Converts our request. Tool results become one `tool` message each, placed
/// before the user's text of the same message, because OpenAI wants them
/// right after the assistant message that made the calls.
fn to_openai_request(request: &ChatRequest) -> CreateChatCompletionRequest {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if !request.system.is_empty() {
        messages.push(ChatCompletionRequestMessage::System(
            ChatCompletionRequestSystemMessage {
                content: ChatCompletionRequestSystemMessageContent::Text(request.system.clone()),
                name: None,
            },
        ));
    }
    for message in &request.messages {
        push_message(&mut messages, message);
    }
    let tools = request
        .tools
        .iter()
        .map(|tool| {
            ChatCompletionTools::Function(ChatCompletionTool {
                function: FunctionObject {
                    name: tool.name.clone(),
                    description: Some(tool.description.clone()),
                    parameters: Some(tool.input_schema.clone()),
                    strict: None,
                },
            })
        })
        .collect::<Vec<_>>();
    CreateChatCompletionRequest {
        model: request.model.clone(),
        messages,
        max_completion_tokens: Some(request.max_tokens),
        stream: Some(true),
        stream_options: Some(ChatCompletionStreamOptions {
            include_usage: Some(true),
            include_obfuscation: None,
        }),
        tools: (!tools.is_empty()).then_some(tools),
        ..CreateChatCompletionRequest::default()
    }
}

fn push_message(out: &mut Vec<ChatCompletionRequestMessage>, message: &Message) {
    let mut texts = Vec::new();
    let mut tool_calls = Vec::new();
    for block in &message.content {
        match block {
            ContentBlock::Text { text } => texts.push(text.as_str()),
            ContentBlock::ToolUse { id, name, input } => {
                tool_calls.push(ChatCompletionMessageToolCalls::Function(
                    ChatCompletionMessageToolCall {
                        id: id.clone(),
                        function: FunctionCall {
                            name: name.clone(),
                            arguments: arguments_text(input),
                        },
                    },
                ));
            }
            ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error: _,
            } => out.push(ChatCompletionRequestMessage::Tool(
                ChatCompletionRequestToolMessage {
                    content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
                    tool_call_id: tool_use_id.clone(),
                },
            )),
        }
    }
    let text = (!texts.is_empty()).then(|| texts.join("\n"));
    match message.role {
        MessageRole::User => {
            if !tool_calls.is_empty() {
                tracing::debug!(
                    dropped = tool_calls.len(),
                    "tool calls in a user message have no openai form"
                );
            }
            if let Some(text) = text {
                out.push(ChatCompletionRequestMessage::User(
                    ChatCompletionRequestUserMessage {
                        content: ChatCompletionRequestUserMessageContent::Text(text),
                        name: None,
                    },
                ));
            }
        }
        // OpenAI rejects an assistant message with neither content nor calls.
        MessageRole::Assistant if text.is_none() && tool_calls.is_empty() => {}
        MessageRole::Assistant => {
            out.push(ChatCompletionRequestMessage::Assistant(
                ChatCompletionRequestAssistantMessage {
                    content: text.map(ChatCompletionRequestAssistantMessageContent::Text),
                    tool_calls: (!tool_calls.is_empty()).then_some(tool_calls),
                    ..ChatCompletionRequestAssistantMessage::default()
                },
            ));
        }
    }
}

/// The arguments as the model sent them: parsed input is serialised again,
/// and a JSON string holds the raw text of arguments that were not valid JSON.
fn arguments_text(input: &Value) -> String {
    match input {
        Value::String(raw) => raw.clone(),
        other => other.to_string(),
    }
}

/// Turns chunks into chat events. Text goes out as it arrives; tool calls
/// are assembled and go out when the choice finishes; `Usage` and `Done` come
/// last. The stream ends after `Done` or after the first error.
fn chat_events<S>(chunks: S) -> impl Stream<Item = Result<ChatEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<CreateChatCompletionStreamResponse, OpenAIError>> + Send + 'static,
{
    let state = (Box::pin(chunks), StreamState::default(), false);
    futures::stream::unfold(state, |(mut chunks, mut state, ended)| async move {
        if ended {
            return None;
        }
        let (items, ended): (Vec<Result<ChatEvent, ProviderError>>, bool) =
            match chunks.next().await {
                Some(Ok(chunk)) => (state.on_chunk(chunk).into_iter().map(Ok).collect(), false),
                Some(Err(err)) => (vec![Err(provider_error(err))], true),
                // async-openai ends the stream both at `[DONE]` and when the
                // connection closes, so completeness is judged by finish_reason.
                None => match state.finish() {
                    Ok(events) => (events.into_iter().map(Ok).collect(), true),
                    Err(err) => (vec![Err(err)], true),
                },
            };
        Some((futures::stream::iter(items), (chunks, state, ended)))
    })
    .flatten()
}

/// The parts of a streamed completion seen so far.
#[derive(Debug, Default)]
struct StreamState {
    /// Tool calls being assembled, by their `index` in the choice.
    calls: BTreeMap<u32, PartialCall>,
    usage: Option<Usage>,
    stop_reason: Option<StopReason>,
}

#[derive(Debug, Default)]
struct PartialCall {
    id: String,
    name: String,
    arguments: String,
}

impl StreamState {
    fn on_chunk(&mut self, chunk: CreateChatCompletionStreamResponse) -> Vec<ChatEvent> {
        let mut out = Vec::new();
        if let Some(usage) = chunk.usage {
            self.usage = Some(to_usage(&usage));
        }
        // We never ask for more than one choice.
        for choice in chunk.choices.into_iter().filter(|choice| choice.index == 0) {
            let delta = choice.delta;
            for text in [delta.content, delta.refusal].into_iter().flatten() {
                if !text.is_empty() {
                    out.push(ChatEvent::TextDelta { text });
                }
            }
            for piece in delta.tool_calls.into_iter().flatten() {
                let call = self.calls.entry(piece.index).or_default();
                if let Some(id) = piece.id.filter(|id| !id.is_empty()) {
                    call.id = id;
                }
                if let Some(function) = piece.function {
                    // Some servers repeat the name in every piece; it is
                    // never split, so the first one is kept.
                    if let Some(name) = function.name.filter(|name| !name.is_empty())
                        && call.name.is_empty()
                    {
                        call.name = name;
                    }
                    if let Some(arguments) = function.arguments {
                        call.arguments.push_str(&arguments);
                    }
                }
            }
            if let Some(reason) = choice.finish_reason {
                self.stop_reason = Some(stop_reason(reason));
                out.extend(self.take_calls());
            }
        }
        out
    }

    /// The events owed at the end of the stream.
    fn finish(&mut self) -> Result<Vec<ChatEvent>, ProviderError> {
        let Some(stop_reason) = self.stop_reason.take() else {
            return Err(ProviderError::Protocol {
                provider: PROVIDER.to_owned(),
                message: "the stream ended without a finish_reason".to_owned(),
            });
        };
        let mut out: Vec<ChatEvent> = self.take_calls().collect();
        if let Some(usage) = self.usage.take() {
            tracing::debug!(
                input_tokens = usage.input_tokens,
                output_tokens = usage.output_tokens,
                "chat completions stream finished"
            );
            out.push(ChatEvent::Usage { usage });
        }
        out.push(ChatEvent::Done { stop_reason });
        Ok(out)
    }

    fn take_calls(&mut self) -> impl Iterator<Item = ChatEvent> + use<> {
        std::mem::take(&mut self.calls)
            .into_iter()
            .map(|(index, call)| ChatEvent::ToolCall {
                call: ToolCall {
                    // Some local servers send no id; the call still needs one
                    // to pair it with its result.
                    id: if call.id.is_empty() {
                        format!("call_{index}")
                    } else {
                        call.id
                    },
                    name: call.name,
                    arguments: if call.arguments.trim().is_empty() {
                        "{}".to_owned()
                    } else {
                        call.arguments
                    },
                },
            })
    }
}

fn to_usage(usage: &CompletionUsage) -> Usage {
    Usage {
        input_tokens: u64::from(usage.prompt_tokens),
        output_tokens: u64::from(usage.completion_tokens),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: usage
            .prompt_tokens_details
            .as_ref()
            .and_then(|details| details.cached_tokens)
            .map_or(0, u64::from),
    }
}

fn stop_reason(reason: FinishReason) -> StopReason {
    match reason {
        FinishReason::Stop => StopReason::EndTurn,
        FinishReason::ToolCalls => StopReason::ToolUse,
        FinishReason::Length => StopReason::MaxTokens,
        FinishReason::ContentFilter => StopReason::Refusal,
        FinishReason::FunctionCall => StopReason::Other("function_call".to_owned()),
    }
}

/// Classifies an async-openai error by what the caller does next.
fn provider_error(err: OpenAIError) -> ProviderError {
    let provider = PROVIDER.to_owned();
    match err {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
            Ok(failure) => error_from_status(
                PROVIDER,
                failure.status,
                failure.message,
                failure.retry_after,
            ),
            Err(other) => ProviderError::Protocol {
                provider,
                message: other.to_string(),
            },
        },
        // Not produced through SingleAttempt, but kept correct should the
        // client ever report a status itself.
        OpenAIError::ApiError(api) => error_from_status(
            PROVIDER,
            api.status_code.as_u16(),
            api.api_error.message,
            None,
        ),
        OpenAIError::Reqwest(err) if err.is_builder() => ProviderError::InvalidRequest {
            provider,
            status: 0,
            message: err.to_string(),
        },
        OpenAIError::Reqwest(err) => ProviderError::Connection {
            provider,
            message: err.to_string(),
        },
        OpenAIError::JSONDeserialize(err, content) => {
            in_stream_error(&content).unwrap_or_else(|| ProviderError::Protocol {
                provider,
                message: format!("cannot parse a stream chunk: {err}"),
            })
        }
        OpenAIError::StreamError(stream) => match *stream {
            // async-openai flattens the transport error into text; its
            // prefix is all that tells a dropped connection from bad data.
            StreamError::EventStream(message) if message.starts_with("Transport error") => {
                ProviderError::Connection { provider, message }
            }
            StreamError::EventStream(message) => ProviderError::Protocol { provider, message },
            StreamError::UnknownEvent(event) => ProviderError::Protocol {
                provider,
                message: format!("unknown stream event {:?}", event.event),
            },
        },
        OpenAIError::InvalidArgument(message) => ProviderError::InvalidRequest {
            provider,
            status: 0,
            message,
        },
        OpenAIError::FileSaveError(message) | OpenAIError::FileReadError(message) => {
            ProviderError::Protocol { provider, message }
        }
    }
}

/// Some servers report a failure inside an already started stream as a
/// chunk `{"error": {...}}`, which async-openai cannot parse as a chunk.
fn in_stream_error(content: &str) -> Option<ProviderError> {
    let value: Value = serde_json::from_str(content).ok()?;
    let error = value.get("error")?;
    let message = error_message(error);
    let code = error.get("code").and_then(|code| match code {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let kind = error
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let status = match (code, kind) {
        (Some(code), _) => code,
        (None, "rate_limit_error" | "rate_limit_exceeded") => 429,
        (None, "server_error" | "api_error") => 500,
        (None, "overloaded_error") => 529,
        (None, _) => {
            return Some(ProviderError::Protocol {
                provider: PROVIDER.to_owned(),
                message: format!("error inside the stream: {message}"),
            });
        }
    };
    Some(error_from_status(PROVIDER, status, message, None))
}

/// The message of an OpenAI-style error value: `{"message": ..}` or, as some
/// local servers send it, a bare string.
fn error_message(error: &Value) -> String {
    match error {
        Value::String(message) => message.clone(),
        other => other
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| other.to_string(), str::to_owned),
    }
}

/// A non-success HTTP response, carried through async-openai as
/// `OpenAIError::Boxed` so the status and `retry-after` survive.
#[derive(Debug, thiserror::Error)]
#[error("http status {status}: {message}")]
struct HttpFailure {
    status: u16,
    retry_after: Option<Duration>,
    message: String,
}

/// async-openai's HTTP service, without its built-in retries: one request,
/// one response.
#[derive(Debug, Clone)]
struct SingleAttempt {
    http: reqwest::Client,
    /// False when no API key is configured: local servers need none, and an
    /// empty `Bearer` header only confuses them.
    send_auth: bool,
}

impl tower::Service<HttpRequestFactory> for SingleAttempt {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, factory: HttpRequestFactory) -> Self::Future {
        let http = self.http.clone();
        let send_auth = self.send_auth;
        Box::pin(async move {
            let mut request = factory.build().await?;
            if !send_auth {
                request.headers_mut().remove(AUTHORIZATION);
            }
            let body_bytes = request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .map_or(0, <[u8]>::len);
            tracing::debug!(body_bytes, "sending chat completions http request");
            let response = http.execute(request).await?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let retry_after = retry_after(response.headers());
            let body = response.bytes().await?;
            tracing::debug!(
                status = status.as_u16(),
                body_bytes = body.len(),
                "chat completions answered with an error"
            );
            let message = match serde_json::from_slice::<Value>(&body) {
                Ok(value) => value
                    .get("error")
                    .map_or_else(|| snippet(&body, 200), error_message),
                Err(_) if body.is_empty() => {
                    status.canonical_reason().unwrap_or("no body").to_owned()
                }
                Err(_) => snippet(&body, 200),
            };
            Err(OpenAIError::Boxed(Box::new(HttpFailure {
                status: status.as_u16(),
                retry_after,
                message,
            })))
        })
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn in_stream_errors_are_classified() {
        let err = |content: &str| in_stream_error(content).map(|err| err.kind());
        assert_eq!(
            err(r#"{"error":{"message":"slow down","type":"rate_limit_error"}}"#),
            Some("rate_limited")
        );
        assert_eq!(
            err(r#"{"error":{"message":"boom","code":502}}"#),
            Some("server_error")
        );
        assert_eq!(err(r#"{"error":"model crashed"}"#), Some("protocol"));
        assert_eq!(err(r#"{"choices":"nonsense"}"#), None);
    }

    #[test]
    fn raw_invalid_arguments_are_sent_verbatim() {
        assert_eq!(arguments_text(&Value::String("{oops".into())), "{oops");
        assert_eq!(
            arguments_text(&serde_json::json!({"partner_id": 7})),
            r#"{"partner_id":7}"#
        );
    }

    #[test]
    fn a_stream_without_finish_reason_is_truncated() {
        let mut state = StreamState::default();
        assert_eq!(state.finish().unwrap_err().kind(), "protocol");
    }
}
