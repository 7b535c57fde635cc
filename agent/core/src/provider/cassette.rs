//! Cassettes: recorded provider exchanges, and how a request is matched
//! against a recording (and, when it is not, what differs).
//!
//! A recorded request keeps the conversation, the prompt templates the
//! system prompt came from (name, version, hash) and the tools offered
//! (name and a hash of description and schema): a prompt or tool change
//! shows as a mismatch instead of silently replaying an old answer.
//!
//! Values that differ on every run (UUIDs such as proposal ids, timestamps
//! with a time of day, the loopback address and port of the demo company's
//! server in record links) are masked before messages are compared; dates,
//! amounts and every other value must be exactly the recorded ones.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tools::ToolSpec;

use super::{ChatEvent, ChatRequest, Message};
use crate::prompt::PromptRef;

/// A file of recorded provider exchanges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// Short name, for listings.
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub interactions: Vec<Interaction>,
}

/// One recorded request and the events the provider streamed back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub request: RecordedRequest,
    pub events: Vec<ChatEvent>,
}

/// The part of a request that selects a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    pub messages: Vec<Message>,
    /// The model recorded against, for information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The templates of the system prompt; not compared when absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<PromptRef>,
    /// The tools offered, in order; not compared when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<RecordedTool>>,
}

/// A tool as offered to the model: its name and a hash of what the model
/// reads about it (description and argument schema).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedTool {
    pub name: String,
    pub sha256: String,
}

/// How strictly a request must equal a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matching {
    /// The conversation only: `serve` and `chat` answer recorded questions
    /// whatever the channel or identity.
    Conversation,
    /// Conversation, prompt templates and tools (where recorded): evals,
    /// where a prompt change must show.
    Exact,
}

impl RecordedRequest {
    /// What a recording keeps of `request`.
    pub fn of(request: &ChatRequest) -> Self {
        Self {
            messages: request.messages.clone(),
            model: Some(request.model.clone()),
            prompts: request.prompts.clone(),
            tools: Some(request.tools.iter().map(RecordedTool::of).collect()),
        }
    }
}

impl RecordedTool {
    pub fn of(spec: &ToolSpec) -> Self {
        let mut hash = Sha256::new();
        hash.update(spec.description.as_bytes());
        hash.update([0]);
        hash.update(spec.input_schema.to_string().as_bytes());
        Self {
            name: spec.name.clone(),
            sha256: hex(&hash.finalize()),
        }
    }
}

/// A recording prepared for matching: its messages serialised and masked once.
pub(crate) struct Prepared {
    pub interaction: Interaction,
    masked: Vec<String>,
}

impl Prepared {
    pub fn new(interaction: Interaction) -> Self {
        let masked = interaction.request.messages.iter().map(masked).collect();
        Self {
            interaction,
            masked,
        }
    }

    /// The request's messages, serialised and masked.
    pub fn request_messages(request: &ChatRequest) -> Vec<String> {
        request.messages.iter().map(masked).collect()
    }

    /// Whether this recording answers the request.
    pub fn matches(&self, request: &ChatRequest, messages: &[String], how: Matching) -> bool {
        if self.masked != messages {
            return false;
        }
        match how {
            Matching::Conversation => true,
            Matching::Exact => self.prompt_difference(request).is_none(),
        }
    }

    /// How many leading messages equal the request's.
    pub fn common_prefix(&self, messages: &[String]) -> usize {
        self.masked
            .iter()
            .zip(messages)
            .take_while(|(a, b)| a == b)
            .count()
    }

    /// The first difference between this recording and the request, in
    /// words: which message or field, expected (recorded) and actual.
    pub fn difference(&self, request: &ChatRequest, messages: &[String]) -> String {
        let recorded = &self.interaction.request;
        let same = self.common_prefix(messages);
        if same < self.masked.len() || same < messages.len() {
            return match (recorded.messages.get(same), request.messages.get(same)) {
                (Some(expected), Some(actual)) => {
                    message_difference(same, expected, &self.masked[same], actual, &messages[same])
                }
                (Some(_), None) => format!(
                    "the recording has {} messages, the request {}; the next recorded is {}",
                    recorded.messages.len(),
                    request.messages.len(),
                    excerpt(&self.masked[same], 0)
                ),
                (None, Some(_)) => format!(
                    "the request has {} messages, the recording only {}; message {} is new: {}",
                    request.messages.len(),
                    recorded.messages.len(),
                    same + 1,
                    excerpt(&messages[same], 0)
                ),
                (None, None) => "no difference in the messages".to_owned(),
            };
        }
        self.prompt_difference(request)
            .unwrap_or_else(|| "no difference".to_owned())
    }

    /// A difference in prompt templates or tools, where recorded.
    fn prompt_difference(&self, request: &ChatRequest) -> Option<String> {
        let recorded = &self.interaction.request;
        if !recorded.prompts.is_empty() && recorded.prompts != request.prompts {
            return Some(prompts_difference(&recorded.prompts, &request.prompts));
        }
        let expected = recorded.tools.as_ref()?;
        let actual: Vec<RecordedTool> = request.tools.iter().map(RecordedTool::of).collect();
        if *expected == actual {
            return None;
        }
        Some(tools_difference(expected, &actual))
    }
}

fn prompts_difference(expected: &[PromptRef], actual: &[PromptRef]) -> String {
    for want in expected {
        match actual.iter().find(|p| p.name == want.name) {
            None => {
                return format!(
                    "prompt {want} was recorded but the request does not use {}",
                    want.name
                );
            }
            Some(got) if got.version != want.version => {
                return format!(
                    "prompt {}: expected version {}, actual version {}",
                    want.name, want.version, got.version
                );
            }
            Some(got) if got.sha256 != want.sha256 => {
                return format!(
                    "prompt {want}: the template text changed without a new version (sha256 \
                     expected {}, actual {})",
                    short(&want.sha256),
                    short(&got.sha256)
                );
            }
            Some(_) => {}
        }
    }
    let extra: Vec<String> = actual
        .iter()
        .filter(|p| !expected.iter().any(|e| e.name == p.name))
        .map(ToString::to_string)
        .collect();
    format!(
        "prompts: expected {}, actual {} (new: {})",
        list(expected),
        list(actual),
        extra.join(", ")
    )
}

fn tools_difference(expected: &[RecordedTool], actual: &[RecordedTool]) -> String {
    let missing: Vec<&str> = expected
        .iter()
        .filter(|e| !actual.iter().any(|a| a.name == e.name))
        .map(|t| t.name.as_str())
        .collect();
    let extra: Vec<&str> = actual
        .iter()
        .filter(|a| !expected.iter().any(|e| e.name == a.name))
        .map(|t| t.name.as_str())
        .collect();
    let changed: Vec<&str> = expected
        .iter()
        .filter(|e| {
            actual
                .iter()
                .any(|a| a.name == e.name && a.sha256 != e.sha256)
        })
        .map(|t| t.name.as_str())
        .collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("no longer offered: {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("newly offered: {}", extra.join(", ")));
    }
    if !changed.is_empty() {
        parts.push(format!(
            "description or schema changed: {}",
            changed.join(", ")
        ));
    }
    if parts.is_empty() {
        parts.push("the same tools in another order".to_owned());
    }
    format!("tools differ from the recording: {}", parts.join("; "))
}

fn message_difference(
    index: usize,
    expected: &Message,
    expected_text: &str,
    actual: &Message,
    actual_text: &str,
) -> String {
    let role = |m: &Message| format!("{:?}", m.role).to_lowercase();
    if expected.role != actual.role {
        return format!(
            "message {}: expected a {} message, actual {}",
            index + 1,
            role(expected),
            role(actual)
        );
    }
    let at = first_difference(expected_text, actual_text);
    format!(
        "message {} ({}) differs at character {at}:\n  expected: {}\n  actual:   {}",
        index + 1,
        role(expected),
        excerpt(expected_text, at),
        excerpt(actual_text, at)
    )
}

fn first_difference(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map(|((i, _), _)| i)
        .unwrap_or_else(|| a.len().min(b.len()))
}

/// About 160 characters of `text` around byte `at`.
fn excerpt(text: &str, at: usize) -> String {
    const BEFORE: usize = 60;
    const AFTER: usize = 100;
    let mut start = at.saturating_sub(BEFORE);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + AFTER).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!(
        "{}{}{}",
        if start > 0 { "…" } else { "" },
        &text[start..end],
        if end < text.len() { "…" } else { "" }
    )
}

fn list(prompts: &[PromptRef]) -> String {
    prompts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// A message as JSON with run-specific values masked.
fn masked(message: &Message) -> String {
    static VOLATILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|https?://(?:127\.0\.0\.1|localhost):\d+|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
        )
        .ok()
    });
    let text = serde_json::to_string(message).unwrap_or_default();
    match VOLATILE.as_ref() {
        Some(re) => re.replace_all(&text, "<volatile>").into_owned(),
        None => text,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "cassette_tests.rs"]
mod tests;
