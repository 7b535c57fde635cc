//! What a channel hands to the ingress queue and what a worker claims.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tools::Identity;
use uuid::Uuid;

use super::Reply;
use crate::config::{ChannelUser, Resolution};
use crate::store::ThreadId;

/// Identifies a stored job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub Uuid);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Who sent a message, as resolved at ingress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sender {
    /// A configured identity.
    Known { identity: Identity },
    /// Unknown, answered with guest rights; may never approve.
    Guest { identity: Identity },
    /// Unknown and not welcome: answered with a polite refusal only.
    Refused,
}

impl Sender {
    /// The identity a turn runs as; `None` for a refused sender.
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Self::Known { identity } | Self::Guest { identity } => Some(identity),
            Self::Refused => None,
        }
    }
}

impl From<Resolution> for Sender {
    /// How the identities file placed the platform user.
    fn from(resolution: Resolution) -> Self {
        match resolution {
            Resolution::Known(identity) => Self::Known { identity },
            Resolution::Guest(identity) => Self::Guest { identity },
            Resolution::Refused => Self::Refused,
        }
    }
}

/// A message from a chat platform, as stored until it is answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The channel whose [`super::ReplySink`] answers it: `slack`,
    /// `telegram`, `whatsapp`, `discuss`.
    pub channel: String,
    /// One conversation on the platform (a Slack thread, a Telegram chat, a
    /// WhatsApp number, a Discuss channel). Its messages are answered in
    /// order and continue one agent thread.
    pub conversation_key: String,
    pub user: ChannelUser,
    pub sender: Sender,
    pub text: String,
    /// Where the answer goes, in the channel's own terms (channel id and
    /// thread timestamp, chat id and message id…); only the channel reads it.
    pub route: Value,
    pub received_at: DateTime<Utc>,
}

impl InboundMessage {
    /// The agent thread a platform conversation continues: derived from the
    /// conversation key, so every message of it lands in the same thread
    /// without a lookup table.
    pub fn thread_id(&self) -> ThreadId {
        ThreadId(Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("odoo-agent:conversation:{}", self.conversation_key).as_bytes(),
        ))
    }
}

/// A message to store, with the key that makes a second delivery of it a
/// duplicate.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The platform's event id scoped to the app/team/channel, e.g.
    /// `slack:T123:Ev456`; the same key within the retention window is a
    /// duplicate delivery.
    pub dedupe_key: String,
    pub message: InboundMessage,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A claimed (or inspected) job.
#[derive(Debug, Clone, PartialEq)]
pub struct IngressJob {
    pub id: JobId,
    /// Arrival order across the queue.
    pub seq: i64,
    pub dedupe_key: String,
    pub message: InboundMessage,
    pub state: JobState,
    /// Claims so far, this one included.
    pub attempts: u32,
    /// The answer, once the turn has run.
    pub reply: Option<Reply>,
    pub error: Option<String>,
}
