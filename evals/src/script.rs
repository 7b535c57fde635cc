//! The scripted model the suite's cassettes were recorded with: a local,
//! deterministic stand-in for a language model. A script lists the model's
//! calls in order (across the case's turns); each call streams optional
//! text and optional tool calls. Text is a minijinja template over what the
//! model was just sent, so a final answer can quote the tool's figures:
//!
//! ```yaml
//! calls:
//!   - tools: [{name: credit_check, args: {partner: "Acme"}}]
//!   - text: "Acme's exposure is {{ last.data.exposure }}."
//! ```
//!
//! Variables: `results` (the tool results of the last message, parsed JSON,
//! in call order), `last` (the last of them), `user` (the person's latest
//! message). Strict: a missing field fails the recording instead of
//! writing a wrong answer.

use std::path::Path;
use std::sync::Mutex;

use agent::provider::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, MessageRole, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};
use async_trait::async_trait;
use futures::stream;
use minijinja::{Environment, UndefinedBehavior};
use serde::Deserialize;
use serde_json::Value;

/// A case's script.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub calls: Vec<ScriptedCall>,
}

/// What the model does on one call.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedCall {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub tools: Vec<ScriptedTool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedTool {
    pub name: String,
    /// The arguments; a string is sent as raw text (to script invalid JSON).
    #[serde(default = "empty_object")]
    pub args: Value,
}

/// Plays a script, one call per request.
pub struct ScriptedModel {
    name: String,
    calls: Mutex<std::collections::VecDeque<ScriptedCall>>,
    step: Mutex<usize>,
}

impl ScriptedModel {
    /// Reads `<dir>/<case id>.yaml`.
    pub fn load(dir: &Path, case_id: &str) -> Result<Self, String> {
        let path = dir.join(format!("{case_id}.yaml"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("no script {}: {e}", path.display()))?;
        let script: Script =
            yaml_serde::from_str(&text).map_err(|e| format!("script {}: {e}", path.display()))?;
        Ok(Self::new(case_id, script))
    }

    pub fn new(case_id: &str, script: Script) -> Self {
        Self {
            name: case_id.to_owned(),
            calls: Mutex::new(script.calls.into()),
            step: Mutex::new(0),
        }
    }

    fn fail(&self, message: String) -> ProviderError {
        ProviderError::Protocol {
            provider: "scripted".into(),
            message: format!("script {}: {message}", self.name),
        }
    }
}

#[async_trait]
impl Provider for ScriptedModel {
    fn name(&self) -> &str {
        "scripted"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let call = self
            .calls
            .lock()
            .ok()
            .and_then(|mut c| c.pop_front())
            .ok_or_else(|| self.fail("no scripted call left".into()))?;
        let step = self.step.lock().map(|mut s| {
            *s += 1;
            *s
        });
        let step = step.unwrap_or(0);
        let mut events = Vec::new();
        let mut output_chars = 0;
        if let Some(template) = &call.text {
            let text = render(template, &request).map_err(|e| self.fail(e))?;
            output_chars += text.len();
            events.push(ChatEvent::TextDelta { text });
        }
        for (i, tool) in call.tools.iter().enumerate() {
            let arguments = match &tool.args {
                Value::String(raw) => raw.clone(),
                other => other.to_string(),
            };
            output_chars += arguments.len() + tool.name.len();
            events.push(ChatEvent::ToolCall {
                call: ToolCall {
                    id: format!("call_{step}_{}", i + 1),
                    name: tool.name.clone(),
                    arguments,
                },
            });
        }
        // Token counts in the usual ratio of about four characters a token,
        // so limits and cost reports have realistic figures.
        let input_chars = request.system.len()
            + serde_json::to_string(&request.messages).map_or(0, |s| s.len())
            + serde_json::to_string(&*request.tools).map_or(0, |s| s.len());
        events.push(ChatEvent::Usage {
            usage: Usage {
                input_tokens: (input_chars / 4) as u64,
                output_tokens: (output_chars / 4 + 8) as u64,
                ..Usage::default()
            },
        });
        events.push(ChatEvent::Done {
            stop_reason: if call.tools.is_empty() {
                StopReason::EndTurn
            } else {
                StopReason::ToolUse
            },
        });
        Ok(Box::pin(stream::iter(events.into_iter().map(Ok))))
    }
}

fn render(template: &str, request: &ChatRequest) -> Result<String, String> {
    let last = request.messages.last();
    let results: Vec<Value> = last
        .filter(|m| m.role == MessageRole::User)
        .map(|m| {
            m.content
                .iter()
                .filter_map(|b| match b {
                    ContentBlock::ToolResult { content, .. } => Some(
                        serde_json::from_str(content).unwrap_or(Value::String(content.clone())),
                    ),
                    ContentBlock::Text { .. } | ContentBlock::ToolUse { .. } => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let user = request
        .messages
        .iter()
        .rev()
        .find(|m| {
            m.role == MessageRole::User
                && m.content
                    .iter()
                    .any(|b| matches!(b, ContentBlock::Text { .. }))
        })
        .map(|m| m.text())
        .unwrap_or_default();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let context = serde_json::json!({
        "last": results.last().cloned().unwrap_or(Value::Null),
        "results": results,
        "user": user,
    });
    env.render_str(template, minijinja::value::Serde(&context))
        .map_err(|e| format!("text template: {e}"))
}

fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}
