//! `POST /slack/commands`: `/odoo <question>`.
//!
//! The question is stored with the ingress (Slack's `trigger_id` is the
//! dedupe key, so a re-sent command is answered once) and acknowledged with
//! an ephemeral "Working on it…". The answer is posted in the channel with
//! `chat.postMessage`, quoting the question, rather than through the
//! command's `response_url`: that URL expires after 30 minutes and five
//! uses, while a posted message can carry files and proposal cards in the
//! thread it starts. Where the app may not post (it is not a member of the
//! channel), the answer's text goes through the `response_url` after all,
//! to the command's author only.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};
use slack_morphism::prelude::SlackCommandEvent;

use agent::ingress::{InboundMessage, NewJob};
use agent::store::StoreError;

use super::events::stored_nothing;
use super::sink::PLACEHOLDER;
use super::{CHANNEL, SlackChannel};

/// The answer to `/odoo` without a question.
pub const USAGE: &str = "Ask a question about the company's Odoo, for example \
                         `/odoo which invoices are overdue?`";

pub(super) async fn commands(
    State(channel): State<Arc<SlackChannel>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = channel.refuse_unsigned(&headers, &body) {
        return refused;
    }
    let command: SlackCommandEvent = match serde_json::from_value(super::form_object(&body)) {
        Ok(command) => command,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not a Slack command: {error}"),
            )
                .into_response();
        }
    };
    match channel.on_command(&command).await {
        Ok(answer) => Json(answer).into_response(),
        Err(error) => stored_nothing(&error),
    }
}

/// A message only the person who typed the command sees.
fn ephemeral(text: &str) -> Value {
    json!({ "response_type": "ephemeral", "text": text })
}

impl SlackChannel {
    /// Stores the command's question; returns the immediate (ephemeral)
    /// response once it is durable. An error means Slack must send the
    /// command again.
    pub(super) async fn on_command(
        &self,
        command: &SlackCommandEvent,
    ) -> Result<Value, StoreError> {
        let question = command.text.as_deref().unwrap_or_default().trim();
        if question.is_empty() {
            return Ok(ephemeral(USAGE));
        }
        let team = &command.team_id.0;
        let trigger = &command.trigger_id.0;
        let user = self.channel_user(&command.user_id.0).await;
        let job = NewJob {
            dedupe_key: format!("slack:{team}:command:{trigger}"),
            message: InboundMessage {
                channel: CHANNEL.to_owned(),
                // Each command starts a conversation of its own.
                conversation_key: format!(
                    "slack:{team}:{}:command:{trigger}",
                    command.channel_id.0
                ),
                sender: self.sender(&user),
                user,
                text: question.to_owned(),
                route: json!({
                    "channel": command.channel_id.0,
                    "command": question,
                    "response_url": command.response_url.0.as_str(),
                }),
                received_at: Utc::now(),
            },
        };
        self.ctx.ingress.submit(job).await?;
        Ok(ephemeral(PLACEHOLDER))
    }
}
