//! Updates in: the webhook (secret-token header checked in constant time)
//! and the long-polling loop both hand updates to [`Telegram::handle`],
//! which stores messages through the ingress and decides button presses.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use uuid::Uuid;

use agent::config::{ChannelUser, Platform};
use agent::ingress::{Enqueued, InboundMessage, NewJob, Sender};
use agent::store::StoreError;

use super::CHANNEL;
use super::api::Api;
use super::render::escape;
use super::wire::{CallbackQuery, Message, Update, User};
use crate::ChannelContext;
use crate::decide::{Choice, Decided, decide};

/// The header Telegram sends the webhook's secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// `callback_data` of the proposal buttons: tag + proposal id (≤ 64 bytes).
pub const APPROVE_TAG: &str = "pa:";
pub const REJECT_TAG: &str = "pr:";

/// The bot as Telegram knows it.
#[derive(Debug, Clone)]
pub struct Bot {
    pub id: i64,
    /// Without the `@`; group messages must mention it.
    pub username: String,
}

/// Everything updates are handled with.
pub struct Telegram {
    pub ctx: ChannelContext,
    pub api: Api,
    pub bot: Bot,
    pub secret: Option<SecretString>,
}

/// What became of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    Stored,
    Duplicate,
    /// Not for the bot (a group message without a mention, a service
    /// message, an edit) or a button press, answered directly.
    Done,
}

pub fn router(telegram: Arc<Telegram>) -> Router {
    Router::new()
        .route("/telegram/webhook", post(webhook))
        .with_state(telegram)
}

async fn webhook(
    State(telegram): State<Arc<Telegram>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = &telegram.secret else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(SECRET_HEADER)
        .and_then(|value| value.to_str().ok());
    match given {
        Some(given) if crate::verify::secrets_match(given, secret.expose_secret()) => {}
        _ => {
            return (StatusCode::UNAUTHORIZED, "missing or wrong secret token").into_response();
        }
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a Telegram update: {err}"),
            )
                .into_response();
        }
    };
    match telegram.handle(update).await {
        Ok(_) => StatusCode::OK.into_response(),
        // Not acknowledged: Telegram sends the update again.
        Err(err) => {
            tracing::error!(error = %err, "telegram: could not store an update");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "could not store the update",
            )
                .into_response()
        }
    }
}

impl Telegram {
    /// Handles one update. Returns once a message is durably stored (or
    /// known as a duplicate); an error means the update must be received
    /// again.
    pub async fn handle(&self, update: Update) -> Result<Handled, StoreError> {
        if let Some(query) = update.callback_query {
            self.on_button(query).await;
            return Ok(Handled::Done);
        }
        let Some(message) = update.message else {
            return Ok(Handled::Done);
        };
        let Some(text) = self.text_for_bot(&message) else {
            return Ok(Handled::Done);
        };
        let Some(from) = &message.from else {
            return Ok(Handled::Done);
        };
        let user = channel_user(from);
        let sender = Sender::from(self.ctx.identities.resolve(&user));
        let mut conversation_key = format!("telegram:{}:{}", self.bot.id, message.chat.id);
        if let Some(topic) = message.message_thread_id {
            conversation_key.push_str(&format!(":{topic}"));
        }
        let job = NewJob {
            dedupe_key: format!("telegram:{}:{}", self.bot.id, update.update_id),
            message: InboundMessage {
                channel: CHANNEL.to_owned(),
                conversation_key,
                user,
                sender,
                text,
                route: json!({
                    "chat_id": message.chat.id,
                    "message_id": message.message_id,
                    "message_thread_id": message.message_thread_id,
                }),
                received_at: Utc::now(),
            },
        };
        Ok(match self.ctx.ingress.submit(job).await? {
            Enqueued::Stored(_) => Handled::Stored,
            Enqueued::Duplicate => Handled::Duplicate,
        })
    }

    /// The question in `message` if it is addressed to the bot: any text
    /// in a private chat; in groups only with an `@bot` mention (removed
    /// from the text) or as a reply to one of the bot's messages.
    fn text_for_bot(&self, message: &Message) -> Option<String> {
        let text = message.text.as_deref()?;
        if message.chat.kind == "private" {
            return Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        }
        let mention = format!("@{}", self.bot.username);
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut mentioned = false;
        let mut rest = String::new();
        let mut from = 0;
        for entity in &message.entities {
            let end = entity.offset.saturating_add(entity.length).min(units.len());
            let Some(span) = units.get(entity.offset..end) else {
                continue;
            };
            let span = String::from_utf16_lossy(span);
            let this_bot = match entity.kind.as_str() {
                "mention" => span.eq_ignore_ascii_case(&mention),
                "text_mention" => entity.user.as_ref().is_some_and(|u| u.id == self.bot.id),
                _ => false,
            };
            if this_bot && entity.offset >= from {
                mentioned = true;
                rest.push_str(&String::from_utf16_lossy(&units[from..entity.offset]));
                from = end;
            }
        }
        rest.push_str(&String::from_utf16_lossy(&units[from.min(units.len())..]));
        let replied_to_bot = message
            .reply_to_message
            .as_ref()
            .and_then(|original| original.from.as_ref())
            .is_some_and(|author| author.id == self.bot.id);
        let rest = rest.split_whitespace().collect::<Vec<_>>().join(" ");
        (mentioned || replied_to_bot)
            .then_some(rest)
            .filter(|t| !t.is_empty())
    }

    /// Approve / Reject pressed: decided for the presser, the press
    /// answered, and the card updated with the outcome when it changed.
    async fn on_button(&self, query: CallbackQuery) {
        let data = query.data.as_deref().unwrap_or("");
        let parsed = parse_button(data);
        let decided = match parsed {
            Some((choice, id)) => decide(&self.ctx, &channel_user(&query.from), id, choice).await,
            None => Decided {
                changed: false,
                text: "This button is not one of mine.".to_owned(),
            },
        };
        let answer = json!({
            "callback_query_id": query.id,
            "text": decided.text,
            "show_alert": !decided.changed,
        });
        if let Err(err) = self.api.call::<Value>("answerCallbackQuery", &answer).await {
            tracing::warn!(error = %err, "telegram: could not answer a button press");
        }
        let Some(card) = query.message.filter(|_| decided.changed) else {
            return;
        };
        let edit = json!({
            "chat_id": card.chat.id,
            "message_id": card.message_id,
            "text": format!(
                "{}\n\n*{}*",
                escape(card.text.as_deref().unwrap_or("Proposal")),
                escape(&decided.text)
            ),
            "parse_mode": "MarkdownV2",
        });
        if let Err(err) = self.api.call::<Value>("editMessageText", &edit).await {
            tracing::warn!(error = %err, "telegram: could not update a proposal card");
        }
    }
}

fn channel_user(user: &User) -> ChannelUser {
    ChannelUser {
        platform: Platform::Telegram,
        user_id: user.id.to_string(),
        email: None,
        display_name: Some(user.display_name()),
    }
}

/// `pa:<uuid>` / `pr:<uuid>` → what was pressed on which proposal.
fn parse_button(data: &str) -> Option<(Choice, Uuid)> {
    if let Some(id) = data.strip_prefix(APPROVE_TAG) {
        return Some((Choice::Approve, id.parse().ok()?));
    }
    let id = data.strip_prefix(REJECT_TAG)?.parse().ok()?;
    Some((
        Choice::Reject {
            reason: "Rejected in Telegram".to_owned(),
        },
        id,
    ))
}
