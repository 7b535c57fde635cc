//! A provider that plays back a script, one step per model call, and records
//! every request it receives: the fake model of loop, API and benchmark tests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures::stream;
use tokio::sync::{Notify, oneshot};

use crate::provider::{Capabilities, ChatEvent, ChatRequest, ChatStream, Provider, ProviderError};

/// What the scripted model does on one call.
pub enum Step {
    /// Streams these events.
    Events(Vec<ChatEvent>),
    /// Fails the call.
    Fail(ProviderError),
    /// Never answers (for wall-time and shutdown tests).
    Stall,
    /// Waits for the signal, then does the inner step.
    WaitThen(oneshot::Receiver<()>, Box<Step>),
}

/// Plays back steps in order; an exhausted script fails the call.
pub struct ScriptedProvider {
    steps: Mutex<VecDeque<Step>>,
    requests: Mutex<Vec<ChatRequest>>,
    seen: Notify,
}

impl ScriptedProvider {
    pub fn new(steps: Vec<Step>) -> Arc<Self> {
        Arc::new(Self {
            steps: Mutex::new(steps.into()),
            requests: Mutex::new(Vec::new()),
            seen: Notify::new(),
        })
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Resolves once at least `count` requests have arrived.
    pub async fn wait_for_requests(&self, count: usize) {
        loop {
            let notified = self.seen.notified();
            if self.requests().len() >= count {
                return;
            }
            notified.await;
        }
    }
}

#[async_trait]
impl Provider for ScriptedProvider {
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
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(request);
        }
        self.seen.notify_waiters();
        let step = self.steps.lock().ok().and_then(|mut s| s.pop_front());
        let mut step = step.unwrap_or_else(|| {
            Step::Fail(ProviderError::Protocol {
                provider: "scripted".into(),
                message: "the script has no step left".into(),
            })
        });
        loop {
            match step {
                Step::Events(events) => {
                    return Ok(Box::pin(stream::iter(events.into_iter().map(Ok))));
                }
                Step::Fail(err) => return Err(err),
                Step::Stall => return Ok(Box::pin(stream::pending())),
                Step::WaitThen(signal, next) => {
                    let _ = signal.await;
                    step = *next;
                }
            }
        }
    }
}

/// The fastest possible model: calls `calculate` once, then answers. Used to
/// measure the server's own overhead per turn.
pub struct InstantProvider;

#[async_trait]
impl Provider for InstantProvider {
    fn name(&self) -> &str {
        "instant"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let has_result = request.messages.last().is_some_and(|m| {
            m.content
                .iter()
                .any(|b| matches!(b, crate::provider::ContentBlock::ToolResult { .. }))
        });
        let usage = ChatEvent::Usage {
            usage: crate::provider::Usage {
                input_tokens: 200,
                output_tokens: 20,
                ..Default::default()
            },
        };
        let events = if has_result {
            vec![
                ChatEvent::TextDelta {
                    text: "6 * 7 = 42".into(),
                },
                usage,
                ChatEvent::Done {
                    stop_reason: crate::provider::StopReason::EndTurn,
                },
            ]
        } else {
            vec![
                ChatEvent::ToolCall {
                    call: crate::provider::ToolCall {
                        id: "call_1".into(),
                        name: "calculate".into(),
                        arguments: r#"{"expression": "6 * 7"}"#.into(),
                    },
                },
                usage,
                ChatEvent::Done {
                    stop_reason: crate::provider::StopReason::ToolUse,
                },
            ]
        };
        Ok(Box::pin(stream::iter(events.into_iter().map(Ok))))
    }
}

/// Answers every message with `echo: <its text>` and no tool call, after
/// `delay`: a model whose answers show which message they answer (ingress
/// ordering tests, channel benchmarks).
pub struct EchoProvider {
    pub delay: std::time::Duration,
}

#[async_trait]
impl Provider for EchoProvider {
    fn name(&self) -> &str {
        "echo"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        let text: String = request
            .messages
            .last()
            .map(|m| {
                m.content
                    .iter()
                    .filter_map(|b| match b {
                        crate::provider::ContentBlock::Text { text } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let events = vec![
            ChatEvent::TextDelta {
                text: format!("echo: {text}"),
            },
            ChatEvent::Done {
                stop_reason: crate::provider::StopReason::EndTurn,
            },
        ];
        Ok(Box::pin(stream::iter(events.into_iter().map(Ok))))
    }
}
