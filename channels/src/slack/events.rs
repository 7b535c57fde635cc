//! `POST /slack/events`: the URL check, mentions and direct messages.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;
use slack_morphism::prelude::{
    SlackChannelType, SlackEventCallbackBody, SlackPushEvent, SlackPushEventCallback,
};

use agent::config::Resolution;
use agent::ingress::{InboundMessage, NewJob, Sender};

use super::{CHANNEL, SlackChannel, signature};

pub(super) async fn events(
    State(channel): State<Arc<SlackChannel>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(error) = signature::verify(
        &channel.signing_secret,
        &headers,
        &body,
        Utc::now().timestamp(),
    ) {
        return (StatusCode::UNAUTHORIZED, error.to_string()).into_response();
    }
    let event: SlackPushEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a Slack event: {error}"),
            )
                .into_response();
        }
    };
    match event {
        SlackPushEvent::UrlVerification(check) => {
            Json(json!({ "challenge": check.challenge })).into_response()
        }
        SlackPushEvent::EventCallback(callback) => match message(&callback) {
            Some(incoming) => channel.submit(&callback, incoming).await,
            None => StatusCode::OK.into_response(),
        },
        _ => StatusCode::OK.into_response(),
    }
}

/// A message the agent answers.
pub(super) struct Incoming {
    pub user: String,
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub text: String,
}

/// The mention or direct message in `callback`; `None` for anything the
/// agent does not answer: other events, bot messages (its own included),
/// edits, deletions and other subtypes, channel messages that are not
/// mentions (those arrive as `app_mention`).
fn message(callback: &SlackPushEventCallback) -> Option<Incoming> {
    match &callback.event {
        SlackEventCallbackBody::AppMention(event) => {
            if event.edited.is_some() {
                return None;
            }
            Some(Incoming {
                user: event.user.0.clone(),
                channel: event.channel.0.clone(),
                ts: event.origin.ts.0.clone(),
                thread_ts: event.origin.thread_ts.as_ref().map(|t| t.0.clone()),
                text: event.content.text.clone().unwrap_or_default(),
            })
        }
        SlackEventCallbackBody::Message(event) => {
            let direct = event.origin.channel_type == Some(SlackChannelType("im".to_owned()));
            if !direct || event.subtype.is_some() || event.sender.bot_id.is_some() {
                return None;
            }
            Some(Incoming {
                user: event.sender.user.as_ref()?.0.clone(),
                channel: event.origin.channel.as_ref()?.0.clone(),
                ts: event.origin.ts.0.clone(),
                thread_ts: event.origin.thread_ts.as_ref().map(|t| t.0.clone()),
                text: event.content.as_ref()?.text.clone().unwrap_or_default(),
            })
        }
        _ => None,
    }
}

impl SlackChannel {
    /// Stores the message; 200 once it is durable (or already was), 500 on
    /// a store error so Slack retries.
    async fn submit(&self, callback: &SlackPushEventCallback, incoming: Incoming) -> Response {
        let team = &callback.team_id.0;
        let thread = incoming
            .thread_ts
            .clone()
            .unwrap_or_else(|| incoming.ts.clone());
        let user = self.channel_user(&incoming.user).await;
        let sender = match self.ctx.identities.resolve(&user) {
            Resolution::Known(identity) => Sender::Known { identity },
            Resolution::Guest(identity) => Sender::Guest { identity },
            Resolution::Refused => Sender::Refused,
        };
        let job = NewJob {
            dedupe_key: format!("slack:{team}:{}", callback.event_id.0),
            message: InboundMessage {
                channel: CHANNEL.to_owned(),
                conversation_key: format!("slack:{team}:{}:{thread}", incoming.channel),
                user,
                sender,
                text: incoming.text,
                route: json!({
                    "channel": incoming.channel,
                    "thread_ts": thread,
                    "ts": incoming.ts,
                }),
                received_at: Utc::now(),
            },
        };
        match self.ctx.ingress.submit(job).await {
            Ok(_) => StatusCode::OK.into_response(),
            Err(error) => {
                tracing::error!(%error, "slack: could not store an event");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "could not store the event",
                )
                    .into_response()
            }
        }
    }
}
