//! Sending a finished result to a person or a channel. Chat platforms
//! implement [`Outbound`] in the `channels` crate; Odoo Discuss is here
//! because it only needs the Odoo client.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use thiserror::Error;
use tools::Identity;
use tools::attachment::Attachment;
use tools::odoo_client::{OdooClient, OdooConnector};

use super::job::Target;

/// A message to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    pub title: String,
    /// Plain text; each channel escapes it for its own format.
    pub text: String,
    pub attachments: Vec<Attachment>,
}

/// A delivery failed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DeliveryError {
    #[error("no channel `{0}` is configured for delivery")]
    UnknownChannel(String),
    #[error("recipient `{recipient}` is not valid for {channel}: {reason}")]
    BadRecipient {
        channel: String,
        recipient: String,
        reason: String,
    },
    /// The platform refused or could not be reached; worth retrying.
    #[error("delivery to {channel} failed: {message}")]
    Failed { channel: String, message: String },
    /// The platform's rules forbid this message now (WhatsApp's closed
    /// 24-hour customer-service window): sending the same message again
    /// cannot succeed, so it is not retried.
    #[error("{channel} does not allow this message: {reason}")]
    NotAllowed { channel: String, reason: String },
}

impl DeliveryError {
    /// Whether sending the same message again may succeed. Only a refusal
    /// or an outage ([`DeliveryError::Failed`]) may pass; an unknown
    /// channel, a bad recipient or a forbidden message stay so.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Failed { .. } => true,
            Self::UnknownChannel(_) | Self::BadRecipient { .. } | Self::NotAllowed { .. } => false,
        }
    }
}

/// Delivers messages to targets.
#[async_trait]
pub trait Outbound: Send + Sync {
    /// Delivers `message` to `target`, acting for `sender`.
    async fn deliver(
        &self,
        sender: &Identity,
        target: &Target,
        message: &OutboundMessage,
    ) -> Result<(), DeliveryError>;
}

/// Posts to an Odoo Discuss channel (`odoo_discuss`, recipient = the
/// `discuss.channel` id) with `message_post`, as the sender's Odoo user.
pub struct DiscussOutbound {
    connector: Arc<dyn OdooConnector>,
}

/// The channel name of [`DiscussOutbound`] targets.
pub const ODOO_DISCUSS: &str = "odoo_discuss";

impl DiscussOutbound {
    pub fn new(connector: Arc<dyn OdooConnector>) -> Self {
        Self { connector }
    }
}

#[async_trait]
impl Outbound for DiscussOutbound {
    async fn deliver(
        &self,
        sender: &Identity,
        target: &Target,
        message: &OutboundMessage,
    ) -> Result<(), DeliveryError> {
        if target.channel != ODOO_DISCUSS {
            return Err(DeliveryError::UnknownChannel(target.channel.clone()));
        }
        let channel_id: i64 =
            target
                .recipient
                .parse()
                .map_err(|_| DeliveryError::BadRecipient {
                    channel: target.channel.clone(),
                    recipient: target.recipient.clone(),
                    reason: "expected the numeric id of a discuss.channel".to_owned(),
                })?;
        self.post(
            sender,
            channel_id,
            discuss_body(message),
            &message.attachments,
        )
        .await
        .map_err(|message| DeliveryError::Failed {
            channel: target.channel.clone(),
            message,
        })
    }
}

impl DiscussOutbound {
    /// Posts `body_html` (already escaped) to the `discuss.channel` with the
    /// files as its attachments, as `sender`'s Odoo user. The error is
    /// Odoo's answer.
    pub async fn post(
        &self,
        sender: &Identity,
        channel_id: i64,
        body_html: String,
        files: &[Attachment],
    ) -> Result<(), String> {
        let client = self
            .connector
            .client_for(sender)
            .await
            .map_err(|err| err.to_string())?;
        let mut attachment_ids = Vec::with_capacity(files.len());
        for file in files {
            attachment_ids.push(upload(&client, channel_id, file).await?);
        }
        let mut kwargs = Map::new();
        kwargs.insert("body".to_owned(), json!(body_html));
        if !attachment_ids.is_empty() {
            kwargs.insert("attachment_ids".to_owned(), json!(attachment_ids));
        }
        kwargs.insert("message_type".to_owned(), json!("comment"));
        kwargs.insert("subtype_xmlid".to_owned(), json!("mail.mt_comment"));
        client
            .call("discuss.channel", "message_post", &[channel_id], kwargs)
            .await
            .map_err(|err| err.to_string())?;
        Ok(())
    }
}

/// Stores `file` as an `ir.attachment` of the channel, for `message_post`'s
/// `attachment_ids`: the file then appears in the post, downloadable from
/// Odoo with the channel's access rules.
async fn upload(client: &OdooClient, channel_id: i64, file: &Attachment) -> Result<i64, String> {
    let mut kwargs = Map::new();
    kwargs.insert(
        "vals_list".to_owned(),
        json!([{
            "name": file.file_name,
            "datas": BASE64.encode(&file.bytes),
            "mimetype": file.media_type,
            "res_model": "discuss.channel",
            "res_id": channel_id,
        }]),
    );
    let created = client
        .call("ir.attachment", "create", &[], kwargs)
        .await
        .map_err(|err| err.to_string())?;
    match &created {
        Value::Number(id) => id.as_i64(),
        Value::Array(ids) => ids.first().and_then(Value::as_i64),
        _ => None,
    }
    .ok_or_else(|| format!("creating ir.attachment answered {created}, not an id"))
}

/// The HTML body of a Discuss post: every value escaped, paragraphs kept.
/// Files travel as the post's attachments.
fn discuss_body(message: &OutboundMessage) -> String {
    let escape = |text: &str| minijinja::HtmlEscape(text).to_string();
    let mut body = format!("<p><b>{}</b></p>", escape(&message.title));
    for paragraph in message.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        body.push_str(&format!(
            "<p>{}</p>",
            escape(paragraph).replace('\n', "<br/>")
        ));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discuss_bodies_escape_every_value() {
        let body = discuss_body(&OutboundMessage {
            title: "CFO briefing <today>".to_owned(),
            text: "3 overdue invoices & 1 gap\nsecond line\n\n<script>x</script>".to_owned(),
            attachments: vec![Attachment {
                file_name: "a&b.csv".to_owned(),
                media_type: "text/csv".to_owned(),
                bytes: vec![1, 2, 3],
            }],
        });
        assert_eq!(
            body,
            "<p><b>CFO briefing &lt;today&gt;</b></p>\
             <p>3 overdue invoices &amp; 1 gap<br/>second line</p>\
             <p>&lt;script&gt;x&lt;&#x2f;script&gt;</p>"
        );
    }
}
