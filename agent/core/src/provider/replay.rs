//! The replay provider: answers from recorded conversations (cassettes), so
//! the server works offline and evals are deterministic.
//!
//! A recorded exchange answers a request when the conversation so far (every
//! message, tool calls and results included) is exactly the recorded one.
//! When nothing matches, the reply says so plainly instead of inventing one.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::stream;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, Message, MessageRole, Provider,
    ProviderError, StopReason, Usage,
};

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

/// The part of a request that selects a recording: the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    pub messages: Vec<Message>,
    /// The model recorded against, for information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// A cassette folder could not be loaded.
#[derive(Debug, Error)]
pub enum ReplayError {
    #[error("cannot read cassette folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cassette {path} is invalid: {message}")]
    Cassette { path: PathBuf, message: String },
}

/// Answers from cassettes.
pub struct ReplayProvider {
    folder: PathBuf,
    interactions: Vec<Interaction>,
}

impl ReplayProvider {
    /// Loads every `*.json` cassette in `folder`. A missing folder gives a
    /// provider with no recordings (it says so in its replies).
    pub fn load(folder: &Path) -> Result<Self, ReplayError> {
        let mut cassettes = Vec::new();
        let entries = match std::fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::from_cassettes(folder, Vec::new()));
            }
            Err(source) => {
                return Err(ReplayError::Folder {
                    path: folder.into(),
                    source,
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|err| ReplayError::Cassette {
                path: path.clone(),
                message: err.to_string(),
            })?;
            let cassette: Cassette =
                serde_json::from_str(&text).map_err(|err| ReplayError::Cassette {
                    path: path.clone(),
                    message: err.to_string(),
                })?;
            cassettes.push(cassette);
        }
        Ok(Self::from_cassettes(folder, cassettes))
    }

    pub fn from_cassettes(folder: &Path, cassettes: Vec<Cassette>) -> Self {
        let interactions = cassettes.into_iter().flat_map(|c| c.interactions).collect();
        Self {
            folder: folder.to_owned(),
            interactions,
        }
    }

    /// Number of recorded exchanges.
    pub fn len(&self) -> usize {
        self.interactions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.interactions.is_empty()
    }

    fn find(&self, request: &ChatRequest) -> Option<&Interaction> {
        self.interactions
            .iter()
            .find(|i| i.request.messages == request.messages)
    }

    /// The plain answer given when nothing was recorded for a conversation.
    fn no_recording(&self) -> String {
        let mut questions: Vec<String> = self
            .interactions
            .iter()
            .filter(|i| i.request.messages.len() == 1)
            .filter_map(|i| i.request.messages.first())
            .filter(|m| m.role == MessageRole::User)
            .map(Message::text)
            .collect();
        questions.dedup();
        let mut text = format!(
            "No recorded answer matches this conversation. This server runs in replay mode: it \
             answers only from the recordings in {} and does not call a language model. Set \
             ANTHROPIC_API_KEY (or OPENAI_API_KEY / OPENAI_BASE_URL) for live answers.",
            self.folder.display()
        );
        if !questions.is_empty() {
            text.push_str("\n\nRecorded questions you can ask:");
            for question in questions.iter().take(10) {
                text.push_str("\n- ");
                text.push_str(question);
            }
        }
        text
    }
}

#[async_trait]
impl Provider for ReplayProvider {
    fn name(&self) -> &str {
        "replay"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let events = match self.find(&request) {
            Some(interaction) => interaction.events.clone(),
            None => vec![
                ChatEvent::TextDelta {
                    text: self.no_recording(),
                },
                ChatEvent::Usage {
                    usage: Usage::default(),
                },
                ChatEvent::Done {
                    stop_reason: StopReason::EndTurn,
                },
            ],
        };
        Ok(Box::pin(stream::iter(events.into_iter().map(Ok))))
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::provider::{ContentBlock, collect};

    fn request(messages: Vec<Message>) -> ChatRequest {
        ChatRequest {
            model: "m".into(),
            system: "s".into(),
            messages,
            tools: Vec::new().into(),
            max_tokens: 100,
            prompts: Vec::new(),
        }
    }

    fn cassette() -> Cassette {
        Cassette {
            name: "t".into(),
            description: String::new(),
            interactions: vec![Interaction {
                request: RecordedRequest {
                    messages: vec![Message::user_text("Hello")],
                    model: None,
                },
                events: vec![
                    ChatEvent::TextDelta { text: "Hi ".into() },
                    ChatEvent::TextDelta {
                        text: "there".into(),
                    },
                    ChatEvent::Usage {
                        usage: Usage {
                            input_tokens: 5,
                            output_tokens: 2,
                            ..Usage::default()
                        },
                    },
                    ChatEvent::Done {
                        stop_reason: StopReason::EndTurn,
                    },
                ],
            }],
        }
    }

    #[tokio::test]
    async fn recorded_conversation_is_replayed() {
        let provider = ReplayProvider::from_cassettes(Path::new("c"), vec![cassette()]);
        let stream = provider
            .stream(request(vec![Message::user_text("Hello")]))
            .await
            .unwrap();
        let answer = collect(stream).await.unwrap();
        let (blocks, usage, stop) = (answer.blocks, answer.usage, answer.stop_reason);
        assert_eq!(
            blocks,
            vec![ContentBlock::Text {
                text: "Hi there".into()
            }]
        );
        assert_eq!(
            (usage.input_tokens, usage.output_tokens, stop),
            (5, 2, StopReason::EndTurn)
        );
    }

    #[tokio::test]
    async fn unmatched_conversation_says_so_and_lists_recorded_questions() {
        let provider =
            ReplayProvider::from_cassettes(Path::new("evals/cassettes"), vec![cassette()]);
        let stream = provider
            .stream(request(vec![Message::user_text("Other")]))
            .await
            .unwrap();
        let blocks = collect(stream).await.unwrap().blocks;
        let ContentBlock::Text { text } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert!(
            text.starts_with("No recorded answer matches this conversation."),
            "{text}"
        );
        assert!(text.contains("evals/cassettes"), "{text}");
        assert!(
            text.ends_with("Recorded questions you can ask:\n- Hello"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_cassette_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.json"), "{\"name\": 1}").unwrap();
        let err = ReplayProvider::load(dir.path()).err().unwrap();
        assert!(err.to_string().contains("bad.json"), "{err}");
    }

    #[test]
    fn a_missing_folder_means_no_recordings() {
        let provider = ReplayProvider::load(Path::new("/nonexistent/cassettes")).unwrap();
        assert!(provider.is_empty());
    }
}
