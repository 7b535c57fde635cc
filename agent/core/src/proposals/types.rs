//! Proposals as stored: the tool's [`Proposal`] plus where it came from,
//! its status and its outcome, and the audit of what happened to it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tools::IdentityId;
use tools::proposals::Proposal;

use crate::store::{ThreadId, TurnId};

/// Where a proposal is in its life. `Pending` is the only state a person
/// acts on; every other state is reached once and never left, except the
/// two steps of an approval (`Approved` while preconditions are re-read,
/// `Executing` while Odoo is called).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Pending,
    /// Claimed by an approval; preconditions are being re-read.
    Approved,
    /// Odoo is being called. A crash here leaves it so: never run twice.
    Executing,
    Executed,
    /// A precondition no longer held, or Odoo refused; `outcome` says which.
    Failed,
    Rejected,
    Expired,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Executing => "executing",
            Self::Executed => "executed",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "executing" => Self::Executing,
            "executed" => Self::Executed,
            "failed" => Self::Failed,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            _ => return None,
        })
    }
}

impl std::fmt::Display for ProposalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A proposal to store, as a tool returned it during a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub proposal: Proposal,
    pub thread_id: Option<ThreadId>,
    pub turn_id: Option<TurnId>,
    /// The identity whose turn produced it.
    pub created_by: IdentityId,
    /// The company the tool answered for (its envelope's), so each
    /// company's digest counts its own pending proposals.
    pub company_id: Option<i64>,
}

/// A stored proposal with its status and outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredProposal {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub thread_id: Option<ThreadId>,
    pub turn_id: Option<TurnId>,
    pub created_by: IdentityId,
    pub status: ProposalStatus,
    /// What the execution returned, Odoo's refusal verbatim, or the
    /// precondition that blocked it.
    pub outcome: Option<Value>,
    pub decided_by: Option<IdentityId>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A person's (or the clock's) decision on a pending proposal.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Claims the proposal for execution; only while it has not expired.
    Approve { by: IdentityId },
    /// Only while it has not expired.
    Reject { by: IdentityId, reason: String },
    /// Only once it has expired.
    Expire,
}

impl Decision {
    pub fn status(&self) -> ProposalStatus {
        match self {
            Self::Approve { .. } => ProposalStatus::Approved,
            Self::Reject { .. } => ProposalStatus::Rejected,
            Self::Expire => ProposalStatus::Expired,
        }
    }
}

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    Created,
    Approved,
    Rejected,
    Expired,
    /// Someone without the required role tried to approve or reject.
    Denied,
    /// A precondition no longer held; nothing was executed.
    Blocked,
    Executed,
    /// Odoo refused or failed; its answer is in the detail.
    Failed,
    /// An approved bank match taught its journal a rule (spec 2.8); the
    /// detail holds the rule ids, or why none was stored.
    Learned,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
            Self::Denied => "denied",
            Self::Blocked => "blocked",
            Self::Executed => "executed",
            Self::Failed => "failed",
            Self::Learned => "learned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "created" => Self::Created,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "expired" => Self::Expired,
            "denied" => Self::Denied,
            "blocked" => Self::Blocked,
            "executed" => Self::Executed,
            "failed" => Self::Failed,
            "learned" => Self::Learned,
            _ => return None,
        })
    }
}

/// One step in a proposal's life.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub proposal_id: uuid::Uuid,
    pub event: AuditEvent,
    /// Who acted (the creator for `created`, `system` for `expired`).
    pub identity_id: IdentityId,
    pub detail: Value,
    pub at: DateTime<Utc>,
}
