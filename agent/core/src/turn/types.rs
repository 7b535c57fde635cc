//! What goes into a turn, what it reports while running, and what it returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use tools::proposals::{Proposal, ProposalTarget};
use tools::{Identity, Role};
use uuid::Uuid;

use crate::proposals::{FieldChange, field_changes};
use crate::provider::Usage;
use crate::store::{AttachmentId, AttachmentRecord, StoreError, ThreadId, TurnId, TurnStatus};

/// A message to answer.
#[derive(Debug, Clone)]
pub struct TurnRequest {
    /// Continue this thread; `None` starts a new one.
    pub thread_id: Option<ThreadId>,
    /// Where the message came from: `api`, `cli`, `slack`…
    pub channel: String,
    pub identity: Identity,
    pub message: String,
}

/// Progress of a running turn, for streaming channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TurnEvent {
    Started {
        thread_id: ThreadId,
        turn_id: TurnId,
    },
    TextDelta {
        text: String,
    },
    ToolStarted {
        call_id: String,
        name: String,
        arguments: Value,
    },
    ToolFinished {
        call_id: String,
        name: String,
        is_error: bool,
        duration_ms: u64,
    },
    /// A file the call produced was stored; sent before its `ToolFinished`.
    AttachmentStored {
        call_id: String,
        attachment: AttachmentView,
    },
    /// A proposal the call returned was stored as pending; sent before its
    /// `ToolFinished`. Only stored proposals are announced, since only they
    /// can be approved.
    ProposalStored {
        call_id: String,
        proposal: ProposalView,
    },
}

/// A stored file as clients and the model see it: where to download it,
/// never its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentView {
    pub id: AttachmentId,
    /// The tool call that produced it.
    pub call_id: String,
    pub file_name: String,
    pub media_type: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Path of `GET /api/attachments/{id}` on this server.
    pub download_url: String,
}

impl From<&AttachmentRecord> for AttachmentView {
    fn from(record: &AttachmentRecord) -> Self {
        Self {
            id: record.id,
            call_id: record.call_id.clone(),
            file_name: record.file_name.clone(),
            media_type: record.media_type.clone(),
            bytes: record.size,
            download_url: record.id.download_path(),
        }
    }
}

/// A pending proposal as channels show it on an approval card: what it
/// changes (with the values before and after), who may decide, and until
/// when. Decided through the proposal API or a channel's buttons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalView {
    pub proposal_id: Uuid,
    /// The tool call that returned it.
    pub call_id: String,
    /// The action's name: `set_credit_limit`, `merge_partners`…
    pub action: &'static str,
    pub target: ProposalTarget,
    /// The tool's text with the exact values before and after.
    pub preview: String,
    /// Field by field, where the action writes fields (empty for merges).
    pub changes: Vec<FieldChange>,
    pub required_role: Role,
    pub expires_at: DateTime<Utc>,
}

impl ProposalView {
    pub fn new(call_id: &str, proposal: &Proposal) -> Self {
        Self {
            proposal_id: proposal.proposal_id,
            call_id: call_id.to_owned(),
            action: proposal.action.name(),
            target: proposal.target.clone(),
            preview: proposal.preview.clone(),
            changes: field_changes(proposal),
            required_role: proposal.required_role,
            expires_at: proposal.expires_at,
        }
    }
}

/// One tool call as shown to API clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallSummary {
    pub name: String,
    pub arguments: Value,
    pub is_error: bool,
}

/// A finished (and stored) turn.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnResult {
    pub thread_id: ThreadId,
    pub turn_id: TurnId,
    pub status: TurnStatus,
    /// The text the person sees: the answer, or a clear message saying why
    /// there is none (limit reached, model unavailable).
    pub reply: String,
    pub tool_calls: Vec<ToolCallSummary>,
    /// Files the turn's tool calls produced, stored and downloadable.
    pub attachments: Vec<AttachmentView>,
    /// Proposals the turn's tool calls returned, stored as pending.
    pub proposals: Vec<ProposalView>,
    pub usage: Usage,
}

/// A turn that could not run or could not be stored. Model and tool failures
/// are not errors here: they end the turn with a message in `reply`.
#[derive(Debug, Error)]
pub enum TurnError {
    /// The requested thread does not exist; API callers answer 404.
    #[error("thread {0} not found")]
    ThreadNotFound(ThreadId),
    /// The message is empty or too long; API callers answer 400.
    #[error("invalid message: {0}")]
    InvalidMessage(String),
    /// The server is shutting down and takes no new turns; callers answer 503.
    #[error("server is shutting down")]
    ShuttingDown,
    /// Storage failed; callers answer 500 and log.
    #[error("storing the turn failed: {0}")]
    Store(#[from] StoreError),
    /// The turn's task died (a bug); callers answer 500 and log.
    #[error("turn aborted: {0}")]
    Aborted(String),
}

impl TurnError {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ThreadNotFound(_) => "thread_not_found",
            Self::InvalidMessage(_) => "invalid_message",
            Self::ShuttingDown => "shutting_down",
            Self::Store(_) => "store",
            Self::Aborted(_) => "aborted",
        }
    }
}
