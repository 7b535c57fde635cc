//! Posting answers back to the Discuss channel.

use std::sync::Arc;

use async_trait::async_trait;
use tools::Identity;
use tools::attachment::Attachment;
use tools::odoo_client::OdooConnector;

use agent::Runtime;
use agent::ingress::{InboundMessage, Reply, ReplySink};
use agent::schedule::{DeliveryError, DiscussOutbound};

use super::{CHANNEL, render_html};
use crate::delivery::stored_file;

/// Answers in the `discuss.channel` the question came from, as the
/// server's own Odoo user (the bot), with the turn's files attached.
pub struct DiscussSink {
    outbound: DiscussOutbound,
    runtime: Runtime,
}

impl DiscussSink {
    pub fn new(connector: Arc<dyn OdooConnector>, runtime: Runtime) -> Self {
        Self {
            outbound: DiscussOutbound::new(connector),
            runtime,
        }
    }

    async fn files(&self, reply: &Reply) -> Result<Vec<Attachment>, DeliveryError> {
        let mut files = Vec::with_capacity(reply.attachments.len());
        for view in &reply.attachments {
            let stored = stored_file(&self.runtime, CHANNEL, view).await?;
            files.push(Attachment {
                file_name: stored.record.file_name,
                media_type: stored.record.media_type,
                bytes: stored.bytes,
            });
        }
        Ok(files)
    }
}

fn failed(message: String) -> DeliveryError {
    DeliveryError::Failed {
        channel: CHANNEL.to_owned(),
        message,
    }
}

#[async_trait]
impl ReplySink for DiscussSink {
    /// Discuss shows no typing indicator to external API clients; a
    /// "working on it" post would stay in the channel, so none is made.
    async fn working(&self, _message: &InboundMessage) -> Result<(), DeliveryError> {
        Ok(())
    }

    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        let channel_id = message
            .route
            .get("channel_id")
            .and_then(serde_json::Value::as_i64)
            .ok_or_else(|| DeliveryError::BadRecipient {
                channel: CHANNEL.to_owned(),
                recipient: message.route.to_string(),
                reason: "no channel_id in the stored route".to_owned(),
            })?;
        let files = self.files(reply).await?;
        self.outbound
            .post(
                &Identity::local_operator(),
                channel_id,
                render_html(reply),
                &files,
            )
            .await
            .map_err(failed)
    }
}
