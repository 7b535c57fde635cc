//! The replay provider: answers from recorded conversations (cassettes), so
//! the server works offline and evals are deterministic.
//!
//! A recorded exchange answers a request when the conversation so far (every
//! message, tool calls and results included) is exactly the recorded one.
//! When nothing matches, the reply says so plainly instead of inventing one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use futures::stream;
use thiserror::Error;

use super::cassette::{Cassette, Interaction, Matching, Prepared};
use super::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, Message, MessageRole, Provider,
    ProviderError, StopReason, Usage,
};

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
    interactions: Vec<Prepared>,
    matching: Matching,
    /// Why requests found no recording, in `Exact` matching.
    mismatches: Mutex<Vec<String>>,
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
        let interactions = cassettes
            .into_iter()
            .flat_map(|c| c.interactions)
            .map(Prepared::new)
            .collect();
        Self {
            folder: folder.to_owned(),
            interactions,
            matching: Matching::Conversation,
            mismatches: Mutex::new(Vec::new()),
        }
    }

    /// Matches requests this strictly. With [`Matching::Exact`] a request
    /// without a recording is an error naming the difference (evals);
    /// with [`Matching::Conversation`] (the default) it gets a plain reply
    /// saying so (`serve`, `chat`).
    pub fn with_matching(mut self, matching: Matching) -> Self {
        self.matching = matching;
        self
    }

    /// Why requests found no recording so far, one entry per request.
    pub fn mismatches(&self) -> Vec<String> {
        self.mismatches
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Why no recording answers `request`: the first difference from the
    /// closest recording (the one sharing the most leading messages).
    pub fn explain(&self, request: &ChatRequest) -> String {
        let messages = Prepared::request_messages(request);
        let closest = self
            .interactions
            .iter()
            .enumerate()
            .max_by_key(|(i, p)| (p.common_prefix(&messages), std::cmp::Reverse(*i)));
        match closest {
            None => format!("no recordings in {}", self.folder.display()),
            Some((_, prepared)) => format!(
                "no recording matches this request; closest recording: {}",
                prepared.difference(request, &messages)
            ),
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
        let messages = Prepared::request_messages(request);
        self.interactions
            .iter()
            .find(|p| p.matches(request, &messages, self.matching))
            .map(|p| &p.interaction)
    }

    /// The plain answer given when nothing was recorded for a conversation.
    fn no_recording(&self) -> String {
        let mut questions: Vec<String> = self
            .interactions
            .iter()
            .map(|p| &p.interaction)
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
            None if self.matching == Matching::Exact => {
                let why = self.explain(&request);
                if let Ok(mut mismatches) = self.mismatches.lock() {
                    mismatches.push(why.clone());
                }
                return Err(ProviderError::Protocol {
                    provider: "replay".into(),
                    message: why,
                });
            }
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
    use crate::provider::{ContentBlock, Interaction, RecordedRequest, collect};

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
                    prompts: Vec::new(),
                    tools: None,
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
