//! One reply model every channel renders natively: the answer's text
//! (Markdown as the model writes it), files to attach and proposal cards.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tools::Role;
use uuid::Uuid;

use crate::proposals::StoredProposal;
use crate::store::{ThreadId, TurnId};
use crate::turn::{AttachmentView, TurnResult};

/// What kind of answer this is; channels may style them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// The agent's answer to the message.
    Answer,
    /// The sender is not known and unknown senders are refused.
    Refusal,
}

/// A write proposal as a card with approve / reject controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalCard {
    pub id: Uuid,
    /// The action's name, e.g. `place_credit_hold`.
    pub action: String,
    /// The exact values before and after, as the tool wrote them.
    pub preview: String,
    pub required_role: Role,
    pub expires_at: DateTime<Utc>,
    pub target_model: String,
    pub target_ids: Vec<i64>,
}

impl From<&StoredProposal> for ProposalCard {
    fn from(stored: &StoredProposal) -> Self {
        let proposal = &stored.proposal;
        Self {
            id: proposal.proposal_id,
            action: proposal.action.name().to_owned(),
            preview: proposal.preview.clone(),
            required_role: proposal.required_role,
            expires_at: proposal.expires_at,
            target_model: proposal.target.model.clone(),
            target_ids: proposal.target.ids.clone(),
        }
    }
}

/// An answer to deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub kind: ReplyKind,
    pub thread_id: ThreadId,
    /// The turn that produced it; `None` for a refusal.
    pub turn_id: Option<TurnId>,
    /// Markdown: paragraphs, lists, pipe tables, `[label](url)` links.
    pub text: String,
    pub attachments: Vec<AttachmentView>,
    pub proposals: Vec<ProposalCard>,
}

impl Reply {
    pub fn answer(result: &TurnResult, proposals: &[StoredProposal]) -> Self {
        Self {
            kind: ReplyKind::Answer,
            thread_id: result.thread_id,
            turn_id: Some(result.turn_id),
            text: result.reply.clone(),
            attachments: result.attachments.clone(),
            proposals: proposals.iter().map(ProposalCard::from).collect(),
        }
    }

    /// The polite refusal an unknown sender gets.
    pub fn refusal(thread_id: ThreadId, platform: &str) -> Self {
        Self {
            kind: ReplyKind::Refusal,
            thread_id,
            turn_id: None,
            text: format!(
                "Sorry, I can only help people my administrator has set up, and I do not \
                 know your {platform} account yet. Please ask them to add it to the \
                 identities file."
            ),
            attachments: Vec::new(),
            proposals: Vec::new(),
        }
    }
}
