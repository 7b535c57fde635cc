//! Slack: the Events API over HTTP (signed with the app's signing secret),
//! replies in the message's thread through the Web API.
//!
//! An event is verified, its sender resolved (by Slack user id, or by the
//! e-mail `users.info` gives, cached) and stored with the ingress before
//! Slack gets its 200; Slack's retries of the same event (`X-Slack-Retry-Num`,
//! same `event_id`) are duplicates of the stored job.

mod api;
mod events;
pub mod mrkdwn;
pub mod signature;
mod sink;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use secrecy::SecretString;

use agent::config::{ChannelUser, Platform, SlackConfig};

pub use api::{ApiError, SlackApi};
pub use sink::SlackSink;

use crate::ChannelContext;

/// The channel name jobs carry and the sink is registered under.
pub const CHANNEL: &str = "slack";

/// State of the Slack routes.
pub struct SlackChannel {
    ctx: ChannelContext,
    api: SlackApi,
    signing_secret: SecretString,
    /// E-mail of each Slack user looked up so far (`None`: the profile has
    /// none), so only a sender's first message waits for `users.info`.
    emails: Mutex<HashMap<String, Option<String>>>,
}

impl SlackChannel {
    pub fn new(ctx: ChannelContext, api: SlackApi, signing_secret: SecretString) -> Self {
        Self {
            ctx,
            api,
            signing_secret,
            emails: Mutex::new(HashMap::new()),
        }
    }

    /// The sender as the identities file can match them: by user id, or by
    /// the e-mail of their Slack profile.
    async fn channel_user(&self, user_id: &str) -> ChannelUser {
        let cached = self
            .emails
            .lock()
            .ok()
            .and_then(|map| map.get(user_id).cloned());
        let (email, display_name) = match cached {
            Some(email) => (email, None),
            None => match self.api.user_info(user_id).await {
                Ok(info) => {
                    let profile = info.user.profile.as_ref();
                    let email = profile.and_then(|p| p.email.as_ref()).map(|e| e.0.clone());
                    if let Ok(mut map) = self.emails.lock() {
                        map.insert(user_id.to_owned(), email.clone());
                    }
                    let name = profile
                        .and_then(|p| p.display_name.clone().filter(|n| !n.is_empty()))
                        .or(info.user.real_name.clone());
                    (email, name)
                }
                Err(error) => {
                    // Matching by user id still works; try again next time.
                    tracing::warn!(%error, "slack: users.info failed");
                    (None, None)
                }
            },
        };
        ChannelUser {
            platform: Platform::Slack,
            user_id: user_id.to_owned(),
            email,
            display_name,
        }
    }
}

/// The routes and the sink of a configured Slack app. Without a signing
/// secret there are no HTTP routes (Socket Mode only).
pub fn mount(config: &SlackConfig, ctx: &ChannelContext) -> (Option<Router>, Arc<SlackSink>) {
    let api = SlackApi::new(&config.api_url, config.bot_token.clone());
    let sink = Arc::new(SlackSink::new(api.clone()));
    let router = config.signing_secret.clone().map(|secret| {
        let state = Arc::new(SlackChannel::new(ctx.clone(), api, secret));
        Router::new()
            .route("/slack/events", post(events::events))
            .with_state(state)
    });
    (router, sink)
}
