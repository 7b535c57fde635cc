//! Slack: the Events API, interactions (proposal buttons) and the `/odoo`
//! slash command, over HTTP (signed with the app's signing secret) or over
//! Socket Mode (an app-level token; no public URL needed), replies in the
//! message's thread through the Web API.
//!
//! An event is verified, its sender resolved (by Slack user id, or by the
//! e-mail `users.info` gives, cached) and stored with the ingress before
//! Slack gets its acknowledgement; Slack's retries of the same event
//! (`X-Slack-Retry-Num`, same `event_id`) are duplicates of the stored job.

mod api;
pub mod card;
mod commands;
mod events;
mod interactions;
pub mod mrkdwn;
pub mod signature;
mod sink;
mod socket;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use secrecy::SecretString;

use agent::config::{ChannelUser, Platform, SlackConfig};
use agent::ingress::Sender;

pub use api::{ApiError, SlackApi};
pub use sink::{NOT_A_MEMBER, SlackSink};

use crate::{ChannelContext, Mounted};

/// The channel name jobs carry and the sink is registered under.
pub const CHANNEL: &str = "slack";

/// State of the Slack routes.
pub struct SlackChannel {
    ctx: ChannelContext,
    api: SlackApi,
    /// `None` with Socket Mode only: then no HTTP route is mounted.
    signing_secret: Option<SecretString>,
    /// E-mail of each Slack user looked up so far (`None`: the profile has
    /// none), so only a sender's first message waits for `users.info`.
    emails: Mutex<HashMap<String, Option<String>>>,
    /// One lock per proposal being decided, so that two presses on the same
    /// card are decided and shown one after the other.
    deciding: interactions::Deciding,
}

impl SlackChannel {
    pub fn new(ctx: ChannelContext, api: SlackApi, signing_secret: Option<SecretString>) -> Self {
        Self {
            ctx,
            api,
            signing_secret,
            emails: Mutex::new(HashMap::new()),
            deciding: interactions::Deciding::default(),
        }
    }

    /// Checks a request's signature: `Some(401)` when it is missing,
    /// stale or wrong.
    fn refuse_unsigned(&self, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
        let checked = match &self.signing_secret {
            Some(secret) => signature::verify(secret, headers, body, Utc::now().timestamp()),
            None => Err(signature::SignatureError::Missing),
        };
        let error = checked.err()?;
        Some((StatusCode::UNAUTHORIZED, error.to_string()).into_response())
    }

    /// How the ingress treats `user`'s messages.
    fn sender(&self, user: &ChannelUser) -> Sender {
        Sender::from(self.ctx.identities.resolve(user))
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

/// Adds a configured Slack app to `mounted`: its sink, the signed HTTP
/// routes when there is a signing secret, and the Socket Mode connection
/// when there is an app-level token.
pub fn mount(config: &SlackConfig, ctx: &ChannelContext, mounted: &mut Mounted) {
    let api = SlackApi::new(&config.api_url, config.bot_token.clone());
    let sink = Arc::new(SlackSink::new(api.clone(), ctx.runtime.clone()));
    let channel = Arc::new(SlackChannel::new(
        ctx.clone(),
        api,
        config.signing_secret.clone(),
    ));
    if config.signing_secret.is_some() {
        let routes = Router::new()
            .route("/slack/events", post(events::events))
            .route("/slack/interactions", post(interactions::interactions))
            .route("/slack/commands", post(commands::commands))
            .with_state(Arc::clone(&channel));
        mounted.router = std::mem::take(&mut mounted.router).merge(routes);
    }
    if let Some(app_token) = &config.app_token {
        let app = SlackApi::new(&config.api_url, app_token.clone());
        mounted.tasks.spawn(socket::run(channel, app));
    }
    mounted.sinks = std::mem::take(&mut mounted.sinks).with(CHANNEL, sink);
    mounted.names.push(CHANNEL);
}

/// The fields of a form-encoded body as a JSON object of strings, to
/// deserialize Slack's form payloads into slack-morphism's models.
fn form_object(body: &[u8]) -> serde_json::Value {
    serde_json::Value::Object(
        url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect(),
    )
}
