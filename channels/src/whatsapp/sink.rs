//! Answers out through `POST /{phone-number-id}/messages`: the question
//! marked read with a typing indicator while working, the answer as text
//! messages (the first quoting the question), files uploaded to `/media`
//! and sent as documents, proposals as reply-button messages. Nothing
//! free-form is sent once the person's 24-hour customer-service window has
//! closed: WhatsApp would refuse it (error 131047), and retrying cannot
//! help, so the delivery fails for good with an error that says so.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use agent::Runtime;
use agent::ingress::{InboundMessage, ProposalCard, Reply, ReplySink};
use agent::schedule::DeliveryError;
use agent::turn::AttachmentView;

use super::CHANNEL;
use super::api::{Api, ApiError, text_message};
use super::ingress::{APPROVE_TAG, REJECT_TAG};
use super::render::{MESSAGE_LIMIT, mono};
use super::seen::{LastInbound, SERVICE_WINDOW};
use crate::delivery::{Part, SentParts, parts, stored_file};

/// Limits of an interactive reply-button message, in characters.
pub const BODY_LIMIT: usize = 1024;
pub const HEADER_LIMIT: usize = 60;
pub const FOOTER_LIMIT: usize = 60;

pub struct WhatsappSink {
    api: Api,
    runtime: Runtime,
    last_inbound: Arc<LastInbound>,
    /// Parts of answers whose delivery failed part-way, so a retry sends
    /// only the rest.
    sent: SentParts,
}

impl WhatsappSink {
    pub fn new(config: &agent::config::WhatsappConfig, runtime: Runtime) -> Self {
        Self::sharing(config, runtime, Arc::default())
    }

    /// A sink that also knows the messages the webhook saw since a job was
    /// stored (a newer message keeps the window open).
    pub(crate) fn sharing(
        config: &agent::config::WhatsappConfig,
        runtime: Runtime,
        last_inbound: Arc<LastInbound>,
    ) -> Self {
        Self {
            api: Api::new(
                config.api_url.clone(),
                config.phone_number_id.clone(),
                config.access_token.clone(),
            ),
            runtime,
            last_inbound,
            sent: SentParts::default(),
        }
    }
}

/// Where an answer goes, as stored with the message.
struct Route {
    /// The person's WhatsApp id.
    to: String,
    /// The question (`wamid.…`).
    message_id: Option<String>,
    /// When the person sent it.
    sent_at: DateTime<Utc>,
}

fn route(message: &InboundMessage) -> Result<Route, DeliveryError> {
    let to = message.route["to"]
        .as_str()
        .filter(|to| !to.is_empty())
        .ok_or_else(|| DeliveryError::BadRecipient {
            channel: CHANNEL.to_owned(),
            recipient: message.route.to_string(),
            reason: "the stored route has no `to`".to_owned(),
        })?;
    let sent_at = message.route["sent_at"]
        .as_i64()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .unwrap_or(message.received_at);
    Ok(Route {
        to: to.to_owned(),
        message_id: message.route["message_id"].as_str().map(str::to_owned),
        sent_at,
    })
}

/// The error of a free-form message outside the window.
fn window_closed(detail: String) -> DeliveryError {
    DeliveryError::NotAllowed {
        channel: CHANNEL.to_owned(),
        reason: format!(
            "the 24-hour customer-service window is closed ({detail}); outside it WhatsApp \
             accepts only an approved message template, and none is configured"
        ),
    }
}

fn failed(err: ApiError) -> DeliveryError {
    if err.is_window_closed() {
        return window_closed("WhatsApp answered 131047, re-engagement message".to_owned());
    }
    DeliveryError::Failed {
        channel: CHANNEL.to_owned(),
        message: err.to_string(),
    }
}

/// A proposal card as an interactive reply-button message to `to`: the
/// preview (shortened to WhatsApp's 1,024 characters, with a pointer to
/// the whole), and Approve / Reject buttons.
pub fn proposal_message(to: &str, card: &ProposalCard) -> Value {
    let role = card.required_role.as_str();
    let expires = card.expires_at.format("%Y-%m-%d %H:%M UTC");
    let after = format!("\nExpires {expires}.");
    let whole = format!("{}{after}", mono(&card.preview));
    let body = if whole.chars().count() <= BODY_LIMIT {
        whole
    } else {
        let note = format!(
            "\n(Shortened; the whole preview is at /api/proposals/{}.){after}",
            card.id
        );
        // Fence and ellipsis take 7 characters.
        let room = BODY_LIMIT.saturating_sub(note.chars().count() + 7);
        let preview: String = card.preview.chars().take(room).collect();
        format!("{}{note}", mono(&format!("{preview}…")))
    };
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "header": {"type": "text", "text": cut(&format!("Proposal: {}", card.action), HEADER_LIMIT)},
            "body": {"text": body},
            "footer": {"text": cut(&format!("Needs the {role} role"), FOOTER_LIMIT)},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": format!("{APPROVE_TAG}{}", card.id), "title": "Approve"}},
                {"type": "reply", "reply": {"id": format!("{REJECT_TAG}{}", card.id), "title": "Reject"}},
            ]},
        },
    })
}

/// `text` shortened to `limit` characters with an ellipsis.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(limit.saturating_sub(1)).collect();
    short.push('…');
    short
}

impl WhatsappSink {
    async fn send(&self, body: &Value) -> Result<(), DeliveryError> {
        self.api.send(body).await.map(drop).map_err(failed)
    }

    async fn send_document(&self, to: &str, file: &AttachmentView) -> Result<(), DeliveryError> {
        let stored = stored_file(&self.runtime, CHANNEL, file).await?;
        let media = self
            .api
            .upload(&file.file_name, &file.media_type, &stored.bytes)
            .await
            .map_err(failed)?;
        self.send(&json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "document",
            "document": {"id": media, "filename": file.file_name},
        }))
        .await
    }

    /// Refuses before sending anything when the window has closed.
    fn check_window(&self, route: &Route) -> Result<(), DeliveryError> {
        let last = self.last_inbound.latest(&route.to, route.sent_at);
        let closed_at = last + SERVICE_WINDOW;
        if Utc::now() > closed_at {
            return Err(window_closed(format!(
                "the person last wrote at {}, it closed at {}",
                last.format("%Y-%m-%d %H:%M UTC"),
                closed_at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl ReplySink for WhatsappSink {
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let Some(id) = &route.message_id else {
            return Ok(());
        };
        self.send(&json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": id,
            "typing_indicator": {"type": "text"},
        }))
        .await
    }

    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        let route = route(message)?;
        self.check_window(&route)?;
        let parts = parts(super::render::messages(&reply.text, MESSAGE_LIMIT), reply);
        let route = &route;
        self.sent
            .send_rest(message, reply, parts, |index, part| async move {
                match part {
                    Part::Text(text) => {
                        // The first part quotes the question.
                        let context = route.message_id.as_deref().filter(|_| index == 0);
                        self.send(&text_message(&route.to, &text, context)).await
                    }
                    Part::Document(file) => self.send_document(&route.to, file).await,
                    Part::Card(card) => self.send(&proposal_message(&route.to, card)).await,
                }
            })
            .await
    }
}
