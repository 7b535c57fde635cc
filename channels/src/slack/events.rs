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

use agent::ingress::{InboundMessage, NewJob};
use agent::store::StoreError;

use super::{CHANNEL, SlackChannel};

pub(super) async fn events(
    State(channel): State<Arc<SlackChannel>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = channel.refuse_unsigned(&headers, &body) {
        return refused;
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
        SlackPushEvent::EventCallback(callback) => match channel.on_callback(&callback).await {
            Ok(()) => StatusCode::OK.into_response(),
            Err(error) => stored_nothing(&error),
        },
        _ => StatusCode::OK.into_response(),
    }
}

/// A 500, so that Slack delivers the request again.
pub(super) fn stored_nothing(error: &StoreError) -> Response {
    tracing::error!(%error, "slack: could not store a request");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "could not store the request",
    )
        .into_response()
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
    /// Stores the mention or direct message in `callback`, if it is one.
    /// Returns once it is durable (or known as a retry); an error means
    /// Slack must deliver it again.
    pub(super) async fn on_callback(
        &self,
        callback: &SlackPushEventCallback,
    ) -> Result<(), StoreError> {
        let Some(incoming) = message(callback) else {
            return Ok(());
        };
        let team = &callback.team_id.0;
        let thread = incoming
            .thread_ts
            .clone()
            .unwrap_or_else(|| incoming.ts.clone());
        let user = self.channel_user(&incoming.user).await;
        let job = NewJob {
            dedupe_key: format!("slack:{team}:{}", callback.event_id.0),
            message: InboundMessage {
                channel: CHANNEL.to_owned(),
                conversation_key: format!("slack:{team}:{}:{thread}", incoming.channel),
                sender: self.sender(&user),
                user,
                text: incoming.text,
                route: json!({
                    "channel": incoming.channel,
                    "thread_ts": thread,
                    "ts": incoming.ts,
                }),
                received_at: Utc::now(),
            },
        };
        self.ctx.ingress.submit(job).await.map(drop)
    }
}
