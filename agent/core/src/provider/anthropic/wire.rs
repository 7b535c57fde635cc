//! Anthropic's JSON, mirrored exactly: the request we send and the events
//! the stream carries. Private to the provider; converted at its edge.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::provider::{ChatRequest, ContentBlock, Message, MessageRole};

#[derive(Debug, Serialize)]
pub(super) struct MessagesRequest<'a> {
    pub(super) model: &'a str,
    pub(super) max_tokens: u32,
    /// Anthropic rejects an empty text block, so an empty prompt is left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) system: Vec<SystemBlock<'a>>,
    pub(super) messages: Vec<WireMessage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tools: Vec<WireTool<'a>>,
    pub(super) stream: bool,
}

#[derive(Debug, Serialize)]
pub(super) struct SystemBlock<'a> {
    pub(super) r#type: &'static str,
    pub(super) text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cache_control: Option<CacheControl>,
}

/// Marks the end of a cacheable prefix: the system prompt and the tool list
/// are the same on every call of a conversation, so they are read from cache.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct CacheControl {
    pub(super) r#type: &'static str,
}

pub(super) const EPHEMERAL: CacheControl = CacheControl {
    r#type: "ephemeral",
};

#[derive(Debug, Serialize)]
pub(super) struct WireMessage<'a> {
    pub(super) role: &'static str,
    pub(super) content: Vec<WireBlock<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum WireBlock<'a> {
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
pub(super) struct WireTool<'a> {
    pub(super) name: &'a str,
    pub(super) description: &'a str,
    pub(super) input_schema: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) cache_control: Option<CacheControl>,
}

/// Sent in place of tool input that is not a JSON object (the raw text of
/// invalid arguments): the API only accepts objects there.
static EMPTY_INPUT: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(serde_json::Map::new()));

impl<'a> MessagesRequest<'a> {
    pub(super) fn from_chat(request: &'a ChatRequest) -> Self {
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
    pub(super) fn from_message(message: &'a Message) -> Self {
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

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum StreamEvent {
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
pub(super) struct MessageStartBody {
    #[serde(default)]
    pub(super) usage: WireUsage,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct WireUsage {
    pub(super) input_tokens: Option<u64>,
    pub(super) output_tokens: Option<u64>,
    pub(super) cache_creation_input_tokens: Option<u64>,
    pub(super) cache_read_input_tokens: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum BlockStart {
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
pub(super) enum BlockDelta {
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
pub(super) struct MessageDeltaBody {
    pub(super) stop_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ErrorBody {
    pub(super) error: ApiError,
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiError {
    pub(super) r#type: String,
    #[serde(default)]
    pub(super) message: String,
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

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
}
