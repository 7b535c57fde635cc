//! Reading Anthropic's server-sent event stream into chat events.

use std::collections::{HashMap, VecDeque};

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::{Stream, StreamExt};

use super::client::{PROVIDER, connection_error};
use super::wire::{ApiError, BlockDelta, BlockStart, StreamEvent};
use crate::provider::{ChatEvent, ProviderError, StopReason, ToolCall, Usage};

/// Turns the raw SSE byte stream into chat events: one event per content
/// piece, then `Usage` and `Done` at `message_stop`. The stream ends after
/// `Done` or after the first error.
pub(super) fn chat_events<S>(
    bytes: S,
) -> impl Stream<Item = Result<ChatEvent, ProviderError>> + Send
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

    use serde_json::Value;

    use super::*;

    fn event(data: Value) -> Event {
        Event {
            event: data["type"].as_str().unwrap_or_default().to_owned(),
            data: data.to_string(),
            ..Event::default()
        }
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
