//! Answers in the message's thread: a "Working on it…" placeholder while
//! the turn runs, replaced with the answer's first part.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::Deserialize;
use slack_morphism::prelude::{
    SlackApiChatPostMessageRequest, SlackApiChatUpdateRequest, SlackChannelId, SlackMessageContent,
    SlackTs,
};

use agent::ingress::{InboundMessage, Reply, ReplySink};
use agent::schedule::DeliveryError;

use super::{ApiError, CHANNEL, SlackApi, mrkdwn};

pub const PLACEHOLDER: &str = "Working on it…";

/// Where a message came from, as stored at ingress.
#[derive(Debug, Deserialize)]
struct Route {
    channel: String,
    thread_ts: String,
    ts: String,
}

/// The Slack reply sink.
pub struct SlackSink {
    api: SlackApi,
    /// The placeholder posted for each message being answered, by
    /// conversation and message ts. In memory: after a restart the answer
    /// is simply posted as a new message.
    placeholders: Mutex<HashMap<(String, String), SlackTs>>,
}

impl SlackSink {
    pub fn new(api: SlackApi) -> Self {
        Self {
            api,
            placeholders: Mutex::new(HashMap::new()),
        }
    }

    fn key(message: &InboundMessage, route: &Route) -> (String, String) {
        (message.conversation_key.clone(), route.ts.clone())
    }

    async fn post(&self, route: &Route, text: String) -> Result<SlackTs, ApiError> {
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(route.channel.clone()),
            SlackMessageContent::new().with_text(text),
        )
        .with_thread_ts(SlackTs(route.thread_ts.clone()));
        self.api.post_message(&request).await
    }
}

fn route(message: &InboundMessage) -> Result<Route, DeliveryError> {
    serde_json::from_value(message.route.clone()).map_err(|e| DeliveryError::BadRecipient {
        channel: CHANNEL.to_owned(),
        recipient: message.route.to_string(),
        reason: e.to_string(),
    })
}

fn failed(error: ApiError) -> DeliveryError {
    DeliveryError::Failed {
        channel: CHANNEL.to_owned(),
        message: error.to_string(),
    }
}

#[async_trait]
impl ReplySink for SlackSink {
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let ts = self
            .post(&route, PLACEHOLDER.to_owned())
            .await
            .map_err(failed)?;
        if let Ok(mut map) = self.placeholders.lock() {
            map.insert(Self::key(message, &route), ts);
        }
        Ok(())
    }

    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let key = Self::key(message, &route);
        let placeholder = self
            .placeholders
            .lock()
            .ok()
            .and_then(|map| map.get(&key).cloned());
        for (i, text) in mrkdwn::messages(&reply.text).into_iter().enumerate() {
            match (&placeholder, i) {
                (Some(ts), 0) => {
                    let request = SlackApiChatUpdateRequest::new(
                        SlackChannelId(route.channel.clone()),
                        SlackMessageContent::new().with_text(text),
                        ts.clone(),
                    );
                    self.api.update(&request).await.map_err(failed)?;
                }
                _ => {
                    self.post(&route, text).await.map_err(failed)?;
                }
            }
        }
        if let Ok(mut map) = self.placeholders.lock() {
            map.remove(&key);
        }
        Ok(())
    }
}
