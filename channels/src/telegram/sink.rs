//! Answers out: a typing indicator while working, the answer as MarkdownV2
//! messages in reply to the question, files through `sendDocument`
//! (multipart), proposals as messages with Approve / Reject buttons.
//! A retry after a failed send continues where it stopped
//! ([`SentParts`]).

use async_trait::async_trait;
use serde_json::{Value, json};

use agent::Runtime;
use agent::ingress::{InboundMessage, ProposalCard, Reply, ReplySink};
use agent::schedule::DeliveryError;
use agent::turn::AttachmentView;

use super::CHANNEL;
use super::api::{Api, ApiError};
use super::ingress::{APPROVE_TAG, REJECT_TAG};
use super::render::{MESSAGE_LIMIT, escape, escape_code, messages};
use crate::delivery::{Part, SentParts, parts, stored_file};
use crate::multipart::Form;

pub struct TelegramSink {
    api: Api,
    runtime: Runtime,
    sent: SentParts,
}

impl TelegramSink {
    pub fn new(config: &agent::config::TelegramConfig, runtime: Runtime) -> Self {
        Self {
            api: Api::new(config.api_url.clone(), config.bot_token.clone()),
            runtime,
            sent: SentParts::default(),
        }
    }
}

/// Where an answer goes, as stored with the message.
struct Route {
    chat_id: i64,
    message_id: Option<i64>,
    thread_id: Option<i64>,
}

fn route(message: &InboundMessage) -> Result<Route, DeliveryError> {
    let chat_id = message.route["chat_id"]
        .as_i64()
        .ok_or_else(|| DeliveryError::BadRecipient {
            channel: CHANNEL.to_owned(),
            recipient: message.route.to_string(),
            reason: "the stored route has no chat_id".to_owned(),
        })?;
    Ok(Route {
        chat_id,
        message_id: message.route["message_id"].as_i64(),
        thread_id: message.route["message_thread_id"].as_i64(),
    })
}

fn failed(err: ApiError) -> DeliveryError {
    DeliveryError::Failed {
        channel: CHANNEL.to_owned(),
        message: err.to_string(),
    }
}

impl Route {
    /// The fields every send carries: the chat, the topic, and the
    /// question being answered (sent even if it was deleted meanwhile).
    fn fields(&self) -> serde_json::Map<String, Value> {
        let mut fields = serde_json::Map::new();
        fields.insert("chat_id".to_owned(), json!(self.chat_id));
        if let Some(thread) = self.thread_id {
            fields.insert("message_thread_id".to_owned(), json!(thread));
        }
        if let Some(id) = self.message_id {
            fields.insert(
                "reply_parameters".to_owned(),
                json!({"message_id": id, "allow_sending_without_reply": true}),
            );
        }
        fields
    }
}

/// A proposal card's text (MarkdownV2) and its buttons.
pub fn proposal_message(card: &ProposalCard) -> (String, Value) {
    let text = format!(
        "*Proposal: {}*\n```\n{}\n```\nNeeds the {} role; expires {}\\.",
        escape(&card.action),
        escape_code(&card.preview),
        escape(card.required_role.as_str()),
        escape(&card.expires_at.format("%Y-%m-%d %H:%M UTC").to_string()),
    );
    let keyboard = json!({"inline_keyboard": [[
        {"text": "Approve", "callback_data": format!("{APPROVE_TAG}{}", card.id)},
        {"text": "Reject", "callback_data": format!("{REJECT_TAG}{}", card.id)},
    ]]});
    (text, keyboard)
}

impl TelegramSink {
    async fn send_text(
        &self,
        route: &Route,
        text: String,
        markup: Option<Value>,
    ) -> Result<(), DeliveryError> {
        let mut body = route.fields();
        body.insert("text".to_owned(), json!(text));
        body.insert("parse_mode".to_owned(), json!("MarkdownV2"));
        if let Some(markup) = markup {
            body.insert("reply_markup".to_owned(), markup);
        }
        self.api
            .call::<Value>("sendMessage", &Value::Object(body))
            .await
            .map(drop)
            .map_err(failed)
    }

    async fn send_document(
        &self,
        route: &Route,
        file: &AttachmentView,
    ) -> Result<(), DeliveryError> {
        let stored = stored_file(&self.runtime, CHANNEL, file).await?;
        let mut form = Form::default().text("chat_id", &route.chat_id.to_string());
        if let Some(thread) = route.thread_id {
            form = form.text("message_thread_id", &thread.to_string());
        }
        let form = form.file("document", &file.file_name, &file.media_type, &stored.bytes);
        self.api
            .upload::<Value>("sendDocument", form)
            .await
            .map(drop)
            .map_err(failed)
    }
}

#[async_trait]
impl ReplySink for TelegramSink {
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let mut body = serde_json::Map::new();
        body.insert("chat_id".to_owned(), json!(route.chat_id));
        if let Some(thread) = route.thread_id {
            body.insert("message_thread_id".to_owned(), json!(thread));
        }
        body.insert("action".to_owned(), json!("typing"));
        self.api
            .call::<Value>("sendChatAction", &Value::Object(body))
            .await
            .map(drop)
            .map_err(failed)
    }

    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        let route = route(message)?;
        let parts = parts(messages(&reply.text, MESSAGE_LIMIT), reply);
        self.sent
            .send_rest(message, reply, parts, |_, part| async {
                match part {
                    Part::Text(text) => self.send_text(&route, text, None).await,
                    Part::Document(file) => self.send_document(&route, file).await,
                    Part::Card(card) => {
                        let (text, keyboard) = proposal_message(card);
                        self.send_text(&route, text, Some(keyboard)).await
                    }
                }
            })
            .await
    }
}
