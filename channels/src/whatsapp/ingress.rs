//! Webhooks in: `GET /whatsapp/webhook` answers Meta's subscription check
//! with the challenge; `POST /whatsapp/webhook` is verified by its
//! `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret),
//! then text messages are stored through the ingress before the 200, button
//! presses on proposal cards are decided for the presser, and status
//! updates of our own messages are accepted and dropped.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use uuid::Uuid;

use agent::config::{ChannelUser, Platform};
use agent::ingress::{InboundMessage, NewJob, Sender};
use agent::store::StoreError;

use super::CHANNEL;
use super::api::{Api, REENGAGEMENT_REQUIRED, text_message};
use super::seen::{LastInbound, RecentIds};
use super::wire::{Message, Notification, Status};
use crate::ChannelContext;
use crate::decide::{Choice, decide};
use crate::verify::{hex_matches, hmac_sha256, secrets_match};

/// The header Meta signs webhook POSTs in: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Reply-button ids of proposal cards: tag + proposal id.
pub const APPROVE_TAG: &str = "pa:";
pub const REJECT_TAG: &str = "pr:";

/// What a person gets for a photo, voice note, location…
pub const TEXT_ONLY: &str = "Sorry, I can only read text messages. Please type your question.";

/// Everything webhooks are handled with.
pub struct Whatsapp {
    pub ctx: ChannelContext,
    pub api: Api,
    pub phone_number_id: String,
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    pub last_inbound: Arc<LastInbound>,
    /// Button presses and non-text messages answered lately.
    pub answered: RecentIds,
}

pub fn router(whatsapp: Arc<Whatsapp>) -> Router {
    Router::new()
        .route("/whatsapp/webhook", get(subscribe).post(notify))
        .with_state(whatsapp)
}

/// `sha256=<hex>` of `body` with `secret`, as Meta sends it.
pub fn signature_header(secret: &SecretString, body: &[u8]) -> String {
    let mac = hmac_sha256(secret.expose_secret().as_bytes(), &[body]);
    format!("sha256={}", hex::encode(mac))
}

/// Meta's subscription check: `hub.mode=subscribe`, our verify token and a
/// challenge to echo as plain text.
async fn subscribe(
    State(whatsapp): State<Arc<Whatsapp>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mode = query.get("hub.mode").map(String::as_str);
    let token = query.get("hub.verify_token").map(String::as_str);
    let token_ok =
        token.is_some_and(|given| secrets_match(given, whatsapp.verify_token.expose_secret()));
    if mode != Some("subscribe") || !token_ok {
        return (StatusCode::FORBIDDEN, "wrong hub.mode or hub.verify_token").into_response();
    }
    let challenge = query.get("hub.challenge").cloned().unwrap_or_default();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        challenge,
    )
        .into_response()
}

async fn notify(
    State(whatsapp): State<Arc<Whatsapp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signed = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("sha256="))
        .is_some_and(|given| {
            let expected = hmac_sha256(whatsapp.app_secret.expose_secret().as_bytes(), &[&body]);
            hex_matches(given, &expected)
        });
    if !signed {
        return (
            StatusCode::UNAUTHORIZED,
            "missing or wrong X-Hub-Signature-256",
        )
            .into_response();
    }
    let notification: Notification = match serde_json::from_slice(&body) {
        Ok(notification) => notification,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a WhatsApp notification: {err}"),
            )
                .into_response();
        }
    };
    match whatsapp.handle(notification).await {
        Ok(()) => StatusCode::OK.into_response(),
        // Not acknowledged: Meta delivers the notification again.
        Err(err) => {
            tracing::error!(error = %err, "whatsapp: could not store a message");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the message",
            )
                .into_response()
        }
    }
}

impl Whatsapp {
    /// Handles one notification. Returns once every text message in it is
    /// durably stored (or known as a duplicate); an error means the
    /// notification must be received again.
    pub async fn handle(self: &Arc<Self>, notification: Notification) -> Result<(), StoreError> {
        if notification.object != "whatsapp_business_account" {
            tracing::debug!(object = %notification.object, "whatsapp: not a business account notification");
            return Ok(());
        }
        for change in notification.entry.into_iter().flat_map(|e| e.changes) {
            if change.field != "messages" {
                continue;
            }
            let value = change.value;
            let to_us = value
                .metadata
                .as_ref()
                .is_some_and(|m| m.phone_number_id == self.phone_number_id);
            if !to_us {
                // Another number of the same business account: we could not
                // answer from it.
                tracing::debug!("whatsapp: notification for another phone number ignored");
                continue;
            }
            for status in &value.statuses {
                note_status(status);
            }
            let names: HashMap<&str, &str> = value
                .contacts
                .iter()
                .filter_map(|c| Some((c.wa_id.as_str(), c.profile.as_ref()?.name.as_deref()?)))
                .collect();
            for message in &value.messages {
                let user = ChannelUser {
                    platform: Platform::Whatsapp,
                    user_id: message.from.clone(),
                    email: None,
                    display_name: names.get(message.from.as_str()).map(|n| (*n).to_owned()),
                };
                self.on_message(message, user).await?;
            }
        }
        Ok(())
    }

    async fn on_message(
        self: &Arc<Self>,
        message: &Message,
        user: ChannelUser,
    ) -> Result<(), StoreError> {
        let sent_at = sent_at(message);
        // Any message from the person, a press included, opens the window.
        self.last_inbound.saw(&message.from, sent_at);
        match message.kind.as_str() {
            "text" => {
                let text = message
                    .text
                    .as_ref()
                    .map(|t| t.body.trim().to_owned())
                    .unwrap_or_default();
                if !text.is_empty() {
                    self.store(message, user, text, sent_at).await?;
                }
            }
            "interactive" => {
                let press = message
                    .interactive
                    .as_ref()
                    .and_then(|i| i.button_reply.as_ref())
                    .map(|reply| reply.id.clone());
                match press {
                    Some(button) => self.answer_directly(message, Reply::Press { user, button }),
                    None => self.answer_directly(message, Reply::TextOnly),
                }
            }
            // Emoji reactions and system notices (a number change) need no answer.
            "reaction" | "system" => {}
            _ => self.answer_directly(message, Reply::TextOnly),
        }
        Ok(())
    }

    async fn store(
        &self,
        message: &Message,
        user: ChannelUser,
        text: String,
        sent_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sender = Sender::from(self.ctx.identities.resolve(&user));
        let job = NewJob {
            dedupe_key: format!("whatsapp:{}:{}", self.phone_number_id, message.id),
            message: InboundMessage {
                channel: CHANNEL.to_owned(),
                conversation_key: format!("whatsapp:{}:{}", self.phone_number_id, message.from),
                user,
                sender,
                text,
                route: json!({
                    "to": message.from,
                    "message_id": message.id,
                    "sent_at": sent_at.timestamp(),
                }),
                received_at: Utc::now(),
            },
        };
        self.ctx.ingress.submit(job).await.map(drop)
    }

    /// Answers a press or a non-text message off the request, so the
    /// webhook is acknowledged at once; a re-sent webhook is answered once.
    fn answer_directly(self: &Arc<Self>, message: &Message, reply: Reply) {
        if !self.answered.first(&message.id) {
            return;
        }
        let this = Arc::clone(self);
        let to = message.from.clone();
        let context = message.id.clone();
        tokio::spawn(async move {
            let text = match reply {
                Reply::TextOnly => TEXT_ONLY.to_owned(),
                Reply::Press { user, button } => match parse_button(&button) {
                    Some((choice, id)) => decide(&this.ctx, &user, id, choice).await.text,
                    None => "This button is not one of mine.".to_owned(),
                },
            };
            let body = text_message(&to, &text, Some(&context));
            if let Err(err) = this.api.send(&body).await {
                tracing::warn!(error = %err, "whatsapp: could not answer a button or media message");
            }
        });
    }
}

/// What is sent back without running a turn.
enum Reply {
    TextOnly,
    Press { user: ChannelUser, button: String },
}

/// When the person sent `message` (WhatsApp's Unix-seconds string), or now
/// when it is missing.
fn sent_at(message: &Message) -> DateTime<Utc> {
    message
        .timestamp
        .as_deref()
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(Utc::now)
}

/// Status updates of our messages are not acted on; a failure is logged,
/// with a plain word for the closed window.
fn note_status(status: &Status) {
    if status.status != "failed" {
        return;
    }
    for error in &status.errors {
        if error.code == REENGAGEMENT_REQUIRED {
            tracing::warn!(
                error.code = error.code,
                "whatsapp: a message was not delivered: the 24-hour customer-service window \
                 had closed; only an approved template may be sent"
            );
        } else {
            tracing::warn!(error.code = error.code, error = %error.message, "whatsapp: a message was not delivered");
        }
    }
}

/// `pa:<uuid>` / `pr:<uuid>` → what was pressed on which proposal.
fn parse_button(id: &str) -> Option<(Choice, Uuid)> {
    if let Some(proposal) = id.strip_prefix(APPROVE_TAG) {
        return Some((Choice::Approve, proposal.parse().ok()?));
    }
    let proposal = id.strip_prefix(REJECT_TAG)?.parse().ok()?;
    Some((
        Choice::Reject {
            reason: "Rejected in WhatsApp".to_owned(),
        },
        proposal,
    ))
}
