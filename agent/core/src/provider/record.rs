//! Recording: a provider wrapper that keeps every exchange (request and
//! streamed events) so it can be written as a cassette, with secrets
//! scrubbed first.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::StreamExt;
use regex::Regex;
use secrecy::{ExposeSecret, SecretString};

use super::cassette::{Cassette, Interaction, RecordedRequest};
use super::{Capabilities, ChatEvent, ChatRequest, ChatStream, Provider, ProviderError};

/// What replaces a secret in a recording.
pub const REDACTED: &str = "[REDACTED]";

/// Passes calls to `inner` and records each finished exchange.
pub struct RecordingProvider {
    inner: Arc<dyn Provider>,
    recorded: Arc<Mutex<Vec<Interaction>>>,
}

impl RecordingProvider {
    pub fn new(inner: Arc<dyn Provider>) -> Self {
        Self {
            inner,
            recorded: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The exchanges recorded so far, in call order, as a cassette scrubbed
    /// by `scrubber`.
    pub fn cassette(&self, name: &str, description: &str, scrubber: &Scrubber) -> Cassette {
        let interactions = self.recorded.lock().map(|r| r.clone()).unwrap_or_default();
        scrubber.cassette(Cassette {
            name: name.to_owned(),
            description: description.to_owned(),
            interactions,
        })
    }
}

#[async_trait]
impl Provider for RecordingProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let recorded_request = RecordedRequest::of(&request);
        let stream = self.inner.stream(request).await?;
        let sink = Arc::clone(&self.recorded);
        let mut events = Vec::new();
        // Recorded once the stream reports `Done`: a call that fails midway
        // is retried and only the complete answer is kept.
        let stream = stream.map(move |item| {
            if let Ok(event) = &item {
                events.push(event.clone());
                if matches!(event, ChatEvent::Done { .. })
                    && let Ok(mut recorded) = sink.lock()
                {
                    recorded.push(Interaction {
                        request: recorded_request.clone(),
                        events: std::mem::take(&mut events),
                    });
                }
            }
            item
        });
        Ok(Box::pin(stream))
    }
}

/// Removes secrets from recordings: the configured secret values, and
/// anything shaped like an API key or an authorization header.
pub struct Scrubber {
    secrets: Vec<String>,
    patterns: Vec<Regex>,
}

impl Scrubber {
    /// Scrubs `secrets` (values shorter than 4 characters are ignored: they
    /// would mangle ordinary text) and the usual key shapes.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a SecretString>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(|s| s.expose_secret().to_owned())
            .filter(|s| s.chars().count() >= 4)
            .collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let patterns = [
            // Authorization / API key headers written out in text or JSON.
            r#"(?i)(authorization|x-api-key|api[_-]?key)("?\s*[:=]\s*"?)(bearer\s+)?[^\s",}]+"#,
            r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}",
            // OpenAI, Anthropic and similar provider keys.
            r"\bsk-[A-Za-z0-9_-]{16,}",
        ]
        .into_iter()
        .filter_map(|p| Regex::new(p).ok())
        .collect();
        Self { secrets, patterns }
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        for (i, pattern) in self.patterns.iter().enumerate() {
            out = if i == 0 {
                pattern
                    .replace_all(&out, |c: &regex::Captures<'_>| {
                        format!("{}{}{REDACTED}", &c[1], &c[2])
                    })
                    .into_owned()
            } else {
                pattern.replace_all(&out, REDACTED).into_owned()
            };
        }
        out
    }

    /// The cassette with every string in it scrubbed.
    pub fn cassette(&self, cassette: Cassette) -> Cassette {
        let Ok(value) = serde_json::to_value(&cassette) else {
            return cassette;
        };
        serde_json::from_value(self.value(value)).unwrap_or(cassette)
    }

    fn value(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.text(&s)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, self.value(v))).collect())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::provider::{ContentBlock, Message, MessageRole};

    #[test]
    fn configured_secrets_and_key_shapes_are_scrubbed() {
        let key = SecretString::from("odoo-demo-key-4711");
        let scrubber = Scrubber::new([&key]);
        assert_eq!(
            scrubber.text("login with odoo-demo-key-4711 please"),
            "login with [REDACTED] please"
        );
        assert_eq!(
            scrubber.text("Authorization: Bearer abc.def.ghi-123456"),
            "Authorization: [REDACTED]"
        );
        assert_eq!(
            scrubber.text(r#"{"x-api-key": "sk-ant-api03-AAAABBBBCCCCDDDD", "n": 1}"#),
            r#"{"x-api-key": "[REDACTED]", "n": 1}"#
        );
        assert_eq!(
            scrubber.text("my key is sk-proj-0123456789abcdefXYZ, ok?"),
            "my key is [REDACTED], ok?"
        );
        assert_eq!(
            scrubber.text("Invoice INV/2026/0042 for 1,200.00 EUR"),
            "Invoice INV/2026/0042 for 1,200.00 EUR"
        );
    }

    #[test]
    fn every_string_of_a_cassette_is_scrubbed() {
        let key = SecretString::from("hunter2-secret");
        let cassette = Cassette {
            name: "c".into(),
            description: "recorded with hunter2-secret".into(),
            interactions: vec![Interaction {
                request: RecordedRequest {
                    messages: vec![Message {
                        role: MessageRole::User,
                        content: vec![ContentBlock::ToolResult {
                            tool_use_id: "t1".into(),
                            content: r#"{"token":"hunter2-secret"}"#.into(),
                            is_error: false,
                        }],
                    }],
                    model: None,
                    prompts: Vec::new(),
                    tools: None,
                },
                events: vec![ChatEvent::TextDelta {
                    text: "your key hunter2-secret".into(),
                }],
            }],
        };
        let text = serde_json::to_string(&Scrubber::new([&key]).cassette(cassette)).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(text.matches(REDACTED).count(), 3, "{text}");
    }
}
