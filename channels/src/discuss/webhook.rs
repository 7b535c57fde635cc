//! `POST /discuss/webhook`: verify, drop duplicates, store, acknowledge.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use agent::config::{ChannelUser, Platform};
use agent::ingress::{Enqueued, InboundMessage, NewJob, Sender};
use agent::schedule::DiscussOutbound;
use tools::Identity;

use super::{CHANNEL, command};
use crate::ChannelContext;
use crate::decide::decide;
use crate::verify::{hex_matches, hmac_sha256};

/// Header with `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>").
pub const SIGNATURE_HEADER: &str = "x-odoo-agent-signature";
/// Header with the unix time the addon signed at.
pub const TIMESTAMP_HEADER: &str = "x-odoo-agent-timestamp";
/// A request signed longer ago (or further ahead) than this is refused, so
/// a captured request cannot be replayed later.
const MAX_SKEW_SECS: i64 = 5 * 60;

pub(super) struct WebhookState {
    pub secret: SecretString,
    pub ctx: ChannelContext,
    /// Posts the outcome of a decision back to the channel.
    pub outbound: DiscussOutbound,
}

/// What the addon sends about one post.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DiscussEvent {
    pub db: String,
    pub message_id: i64,
    pub channel_id: i64,
    pub channel_type: String,
    pub author_partner_id: i64,
    pub author_user_id: Option<i64>,
    pub author_email: Option<String>,
    pub author_name: Option<String>,
    /// The post as plain text.
    pub body: String,
}

/// The signature header's value for `body` signed at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    );
    format!("sha256={}", hex::encode(mac))
}

fn refuse(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(json!({"error": error}))).into_response()
}

/// Checks the signature and its freshness; the error names what is wrong
/// without echoing anything secret.
fn verify(secret: &SecretString, headers: &HeaderMap, body: &[u8]) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header(SIGNATURE_HEADER).ok_or("missing signature")?;
    let timestamp: i64 = header(TIMESTAMP_HEADER)
        .ok_or("missing timestamp")?
        .trim()
        .parse()
        .map_err(|_| "malformed timestamp")?;
    if (Utc::now().timestamp() - timestamp).abs() > MAX_SKEW_SECS {
        return Err("stale timestamp");
    }
    let hex = signature
        .trim()
        .strip_prefix("sha256=")
        .ok_or("malformed signature")?;
    let expected = hmac_sha256(
        secret.expose_secret().as_bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    );
    if hex_matches(hex, &expected) {
        Ok(())
    } else {
        Err("invalid signature")
    }
}

/// The question without the leading mention of the bot.
fn question(body: &str) -> String {
    let text = body.trim();
    let text = text
        .strip_prefix("@Odoo Agent")
        .map(str::trim_start)
        .unwrap_or(text);
    text.to_owned()
}

pub(super) async fn receive(
    State(state): State<Arc<WebhookState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(problem) = verify(&state.secret, &headers, &body) {
        tracing::warn!(problem, "discuss webhook refused");
        return refuse(StatusCode::UNAUTHORIZED, problem);
    }
    let event: DiscussEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(err) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("not a Discuss event: {err}"),
            );
        }
    };
    let text = question(&event.body);
    if text.is_empty() {
        return (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "ignored": "empty"})),
        )
            .into_response();
    }
    let user = ChannelUser {
        platform: Platform::Odoo,
        user_id: event.author_user_id.map_or_else(
            || format!("partner:{}", event.author_partner_id),
            |id| id.to_string(),
        ),
        email: event.author_email.clone(),
        display_name: event.author_name.clone(),
    };
    if let Some((id, choice)) = command::parse(&text) {
        return decide_in_channel(&state, &event, &user, id, choice).await;
    }
    let sender = Sender::from(state.ctx.identities.resolve(&user));
    let job = NewJob {
        dedupe_key: format!("discuss:{}:{}", event.db, event.message_id),
        message: InboundMessage {
            channel: CHANNEL.to_owned(),
            conversation_key: format!("discuss:{}:{}", event.db, event.channel_id),
            user,
            sender,
            text,
            route: json!({"channel_id": event.channel_id, "message_id": event.message_id}),
            received_at: Utc::now(),
        },
    };
    match state.ctx.ingress.submit(job).await {
        Ok(Enqueued::Stored(_)) => {
            (StatusCode::OK, axum::Json(json!({"ok": true}))).into_response()
        }
        Ok(Enqueued::Duplicate) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "duplicate": true})),
        )
            .into_response(),
        Err(err) => {
            // Not acknowledged: the addon logs it; nothing was stored.
            tracing::error!(error = %err, "discuss webhook: storing the message failed");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the message",
            )
        }
    }
}

/// Applies a decision written in the channel and posts its outcome there,
/// mentioning who wrote it. The decision is durable once `decide` returns;
/// a post that fails is reported to the addon as a 502 (it is not retried,
/// and a retried delivery would only say "Already executed.").
async fn decide_in_channel(
    state: &WebhookState,
    event: &DiscussEvent,
    user: &ChannelUser,
    id: uuid::Uuid,
    choice: crate::decide::Choice,
) -> Response {
    let decided = decide(&state.ctx, user, id, choice).await;
    let who = event.author_name.as_deref().unwrap_or("you");
    let body = format!(
        "<p>{}: {}</p>",
        super::render::escape(who),
        super::render::escape(&decided.text)
    );
    match state
        .outbound
        .post(&Identity::local_operator(), event.channel_id, body, &[])
        .await
    {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "decided": decided.changed})),
        )
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, proposal = %id, "discuss: posting a decision failed");
            refuse(
                StatusCode::BAD_GATEWAY,
                "the decision was made; posting it failed",
            )
        }
    }
}
