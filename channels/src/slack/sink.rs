//! Answers out. A message's answer goes to its thread: a "Working on it…"
//! placeholder while the turn runs, replaced with the answer's first part;
//! the other parts, the files and the proposal cards follow in the thread.
//! A `/odoo` command's answer is posted in the channel, quoting the
//! question, and starts a thread that holds the rest.
//!
//! A retry after a failed send continues where it stopped, in the thread a
//! command's answer started ([`SentParts`]).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::Deserialize;
use slack_morphism::prelude::{
    SlackApiChatPostMessageRequest, SlackApiChatUpdateRequest, SlackApiFilesComplete,
    SlackApiFilesCompleteUploadExternalRequest, SlackChannelId, SlackMessageContent, SlackTs,
};

use agent::Runtime;
use agent::ingress::{InboundMessage, Reply, ReplySink};
use agent::schedule::DeliveryError;
use agent::turn::AttachmentView;

use super::card::{self, CardState};
use super::{ApiError, CHANNEL, SlackApi, mrkdwn};
use crate::delivery::{Part, SentParts, parts, stored_file};

pub const PLACEHOLDER: &str = "Working on it…";

/// Where a message came from, as stored at ingress.
#[derive(Debug, Deserialize)]
struct Route {
    channel: String,
    /// The thread to answer in; `None` for a slash command, whose answer
    /// starts its own thread.
    thread_ts: Option<String>,
    /// The message answered; `None` for a slash command.
    ts: Option<String>,
    /// A slash command's question, quoted above its answer (Slack shows
    /// the command only to the person who typed it).
    command: Option<String>,
    /// A slash command's `response_url`: the way to answer when the app
    /// may not post in the channel.
    response_url: Option<String>,
}

/// The Slack reply sink.
pub struct SlackSink {
    api: SlackApi,
    runtime: Runtime,
    /// The placeholder posted for each message being answered, by
    /// conversation and message ts. In memory: after a restart the answer
    /// is simply posted as a new message.
    placeholders: Mutex<HashMap<(String, String), SlackTs>>,
    /// How far the delivery of an answer got before a send failed, and
    /// the thread it went to (a command's answer starts its own).
    sent: SentParts<Option<SlackTs>>,
}

impl SlackSink {
    pub fn new(api: SlackApi, runtime: Runtime) -> Self {
        Self {
            api,
            runtime,
            placeholders: Mutex::new(HashMap::new()),
            sent: SentParts::default(),
        }
    }

    fn key(message: &InboundMessage, ts: &str) -> (String, String) {
        (message.conversation_key.clone(), ts.to_owned())
    }

    async fn post(
        &self,
        channel: &str,
        thread: Option<&SlackTs>,
        content: SlackMessageContent,
    ) -> Result<SlackTs, DeliveryError> {
        let mut request =
            SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_owned()), content);
        request.thread_ts = thread.cloned();
        self.api.post_message(&request).await.map_err(failed)
    }

    /// Uploads one file into the thread: reserve an upload URL for its
    /// exact length, send the bytes there, then share it.
    async fn upload(
        &self,
        channel: &str,
        thread: &SlackTs,
        file: &AttachmentView,
    ) -> Result<(), DeliveryError> {
        let stored = stored_file(&self.runtime, CHANNEL, file).await?;
        let reserved = self
            .api
            .upload_url(&file.file_name, stored.bytes.len())
            .await
            .map_err(failed)?;
        self.api
            .send_bytes(reserved.upload_url.0.as_str(), stored.bytes)
            .await
            .map_err(failed)?;
        let share = SlackApiFilesCompleteUploadExternalRequest::new(vec![
            SlackApiFilesComplete::new(reserved.file_id).with_title(file.file_name.clone()),
        ])
        .with_channel_id(SlackChannelId(channel.to_owned()))
        .with_thread_ts(thread.clone());
        self.api.complete_upload(&share).await.map_err(failed)
    }
}

impl SlackSink {
    /// Answers a command the app may not answer in the channel through the
    /// command's `response_url`, to its author only: the text, without the
    /// files and cards that need a channel message.
    async fn respond_instead(
        &self,
        route: &Route,
        answer: &str,
        refusal: &str,
    ) -> Result<(), DeliveryError> {
        let Some(url) = &route.response_url else {
            return Err(DeliveryError::NotAllowed {
                channel: CHANNEL.to_owned(),
                reason: refusal.to_owned(),
            });
        };
        let body = serde_json::json!({
            "response_type": "ephemeral",
            "replace_original": false,
            "text": format!("{}\n\n{NOT_A_MEMBER}", mrkdwn::render(answer)),
        });
        self.api.respond(url, &body).await.map_err(failed)
    }
}

fn route(message: &InboundMessage) -> Result<Route, DeliveryError> {
    serde_json::from_value(message.route.clone()).map_err(|e| DeliveryError::BadRecipient {
        channel: CHANNEL.to_owned(),
        recipient: message.route.to_string(),
        reason: e.to_string(),
    })
}

/// Permanent refusals are not retried; anything else may pass later.
fn failed(error: ApiError) -> DeliveryError {
    if error.is_permanent() {
        DeliveryError::NotAllowed {
            channel: CHANNEL.to_owned(),
            reason: error.to_string(),
        }
    } else {
        failure(error.to_string())
    }
}

/// Said under an answer sent through a command's `response_url`.
pub const NOT_A_MEMBER: &str = "_Only you see this answer: I am not a member of this channel. \
                                Invite me to get answers, files and approval cards here._";

fn failure(message: String) -> DeliveryError {
    DeliveryError::Failed {
        channel: CHANNEL.to_owned(),
        message,
    }
}

fn text(text: String) -> SlackMessageContent {
    SlackMessageContent::new().with_text(text)
}

#[async_trait]
impl ReplySink for SlackSink {
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError> {
        let route = route(message)?;
        // A command was already acknowledged with "Working on it…".
        let (Some(thread), Some(ts)) = (&route.thread_ts, &route.ts) else {
            return Ok(());
        };
        let thread = SlackTs(thread.clone());
        let placeholder = self
            .post(&route.channel, Some(&thread), text(PLACEHOLDER.to_owned()))
            .await?;
        if let Ok(mut map) = self.placeholders.lock() {
            map.insert(Self::key(message, ts), placeholder);
        }
        Ok(())
    }

    /// Sends the parts an earlier attempt did not, in order, remembering
    /// how far it got when one fails.
    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let key = route.ts.as_deref().map(|ts| Self::key(message, ts));
        let placeholder = key.as_ref().and_then(|key| {
            self.placeholders
                .lock()
                .ok()
                .and_then(|map| map.get(key).cloned())
        });
        let mut texts = mrkdwn::messages(&reply.text);
        if let Some(question) = &route.command {
            let quote = format!("> {}", mrkdwn::escape(question).replace('\n', "\n> "));
            match texts.first_mut() {
                Some(first) => *first = format!("{quote}\n{first}"),
                None => texts.push(quote),
            }
        }
        let parts = parts(texts, reply);
        let (done, earlier_thread) = self.sent.resume(message, reply).unwrap_or_default();
        let mut thread = earlier_thread.or_else(|| route.thread_ts.clone().map(SlackTs));
        for (index, part) in parts.into_iter().enumerate().skip(done) {
            let first = index == 0;
            let sent = match part {
                Part::Text(part) => match (&placeholder, first) {
                    (Some(ts), true) => {
                        let request = SlackApiChatUpdateRequest::new(
                            SlackChannelId(route.channel.clone()),
                            text(part),
                            ts.clone(),
                        );
                        self.api.update(&request).await.map_err(failed)
                    }
                    (_, true) if route.command.is_some() => {
                        // A command's answer roots the thread of what follows.
                        match self.post(&route.channel, None, text(part)).await {
                            Ok(posted) => {
                                thread = Some(posted);
                                Ok(())
                            }
                            Err(DeliveryError::NotAllowed { reason, .. }) => {
                                return self.respond_instead(&route, &reply.text, &reason).await;
                            }
                            Err(error) => Err(error),
                        }
                    }
                    _ => self
                        .post(&route.channel, thread.as_ref(), text(part))
                        .await
                        .map(drop),
                },
                Part::Document(file) => match &thread {
                    Some(thread) => self.upload(&route.channel, thread, file).await,
                    None => Err(failure(format!("no thread for {}", file.file_name))),
                },
                Part::Card(proposal) => {
                    let content = SlackMessageContent::new()
                        .with_text(card::fallback(proposal, CardState::Open))
                        .with_blocks(card::blocks(proposal, CardState::Open));
                    self.post(&route.channel, thread.as_ref(), content)
                        .await
                        .map(drop)
                }
            };
            if let Err(error) = sent {
                self.sent.stopped(message, reply, index, thread);
                return Err(error);
            }
        }
        self.sent.finished(message, reply);
        if let (Some(key), Ok(mut map)) = (key, self.placeholders.lock()) {
            map.remove(&key);
        }
        Ok(())
    }
}
