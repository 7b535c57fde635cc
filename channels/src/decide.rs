//! Approve / Reject pressed in a chat: the same rules as the HTTP API (the
//! presser must be a configured identity holding the proposal's role; an
//! approval executes once, after its preconditions are re-read), with the
//! outcome as a short text the channel puts on the card.

use uuid::Uuid;

use agent::config::{ChannelUser, Resolution};
use agent::proposals::{ApprovalError, ProposalStatus, StoredProposal};

use crate::ChannelContext;

/// What the person pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Approve,
    /// Platforms without a text field on buttons send a fixed reason.
    Reject {
        reason: String,
    },
}

/// How a press ended, for the card and the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// Whether the proposal's state changed (executed, failed or rejected).
    pub changed: bool,
    /// One line for the card: "Executed by Anita Verbeek", "Not permitted:
    /// …", "Already executed".
    pub text: String,
}

/// Applies `choice` to the proposal as the identity of `user`.
pub async fn decide(ctx: &ChannelContext, user: &ChannelUser, id: Uuid, choice: Choice) -> Decided {
    let identity = match ctx.identities.resolve(user) {
        Resolution::Known(identity) => identity,
        Resolution::Guest(_) | Resolution::Refused => {
            return refused(
                "Only people set up with a role can approve or reject proposals.".to_owned(),
            );
        }
    };
    let Some(approvals) = ctx.runtime.approvals() else {
        return refused("Proposals cannot be decided on this server (no Odoo).".to_owned());
    };
    let outcome = match &choice {
        Choice::Approve => approvals.approve(id, &identity).await,
        Choice::Reject { reason } => approvals.reject(id, &identity, reason).await,
    };
    match outcome {
        Ok(stored) => Decided {
            changed: true,
            text: outcome_text(&stored, &identity.display_name),
        },
        Err(err) => {
            if matches!(err, ApprovalError::Store(_) | ApprovalError::Odoo(_)) {
                tracing::warn!(proposal = %id, error = %err, "chat decision failed");
            }
            refused(describe(&err))
        }
    }
}

/// The line a card shows for `stored` once decided by `who`: "Approved
/// and executed by Anita Verbeek.", "Rejected by …".
pub fn outcome_text(stored: &StoredProposal, who: &str) -> String {
    match stored.status {
        ProposalStatus::Executed => format!("Approved and executed by {who}."),
        ProposalStatus::Rejected => format!("Rejected by {who}."),
        ProposalStatus::Failed => {
            let why = stored
                .outcome
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_default();
            format!("Approved by {who}, but Odoo refused: {why}")
        }
        other => format!("Now {other}."),
    }
}

/// [`outcome_text`] for a proposal decided by whoever `decided_by` names
/// (the identity's name when it is configured, else its id).
pub fn settled_text(ctx: &ChannelContext, stored: &StoredProposal) -> String {
    let who = stored.decided_by.as_ref().map(|id| {
        ctx.identities
            .iter()
            .find(|c| &c.identity.id == id)
            .map_or_else(|| id.0.clone(), |c| c.identity.display_name.clone())
    });
    match (stored.status, who) {
        (ProposalStatus::Expired, _) => "Expired.".to_owned(),
        (_, Some(who)) => outcome_text(stored, &who),
        (other, None) => format!("Now {other}."),
    }
}

fn refused(text: String) -> Decided {
    Decided {
        changed: false,
        text,
    }
}

fn describe(err: &ApprovalError) -> String {
    match err {
        ApprovalError::NotFound(_) => "This proposal no longer exists.".to_owned(),
        ApprovalError::NotPermitted { required, .. } => {
            format!("Not permitted: this proposal needs the {required} role.")
        }
        ApprovalError::AlreadyDecided { status, .. } => format!("Already {status}."),
        ApprovalError::Expired { expires_at, .. } => {
            format!(
                "Expired at {}; ask again for a fresh proposal.",
                expires_at.format("%Y-%m-%d %H:%M UTC")
            )
        }
        ApprovalError::PreconditionsChanged { .. } => {
            format!("Not executed: {err}")
        }
        ApprovalError::InvalidReason(reason) => format!("Not rejected: {reason}"),
        ApprovalError::Odoo(_) => {
            "Odoo could not be reached; the proposal is still pending, try again.".to_owned()
        }
        ApprovalError::Store(_) => "Something went wrong; the proposal is unchanged.".to_owned(),
    }
}
