//! Where proposals, their audit and dismissed duplicate groups are kept:
//! the [`ProposalStore`] contract and its in-memory implementation. The
//! SQLite and PostgreSQL implementations live in `store/proposals.rs`.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tools::proposals::{DismissedDuplicates, DuplicateKind, MemoryDismissals};
use tools::{IdentityId, ToolError};
use uuid::Uuid;

use super::types::{AuditEntry, AuditEvent, Decision, NewProposal, ProposalStatus, StoredProposal};
use crate::store::{Result, StoreError, TurnId};

/// Proposals and their audit. Every change of status is one conditional
/// update (`where status = <expected>`), so of two concurrent approvals
/// exactly one moves a proposal on, on every backend and across replicas.
///
/// It also keeps dismissed duplicate groups, which an executed
/// `dismiss_group` proposal writes and `find_duplicates` reads.
#[async_trait]
pub trait ProposalStore: DismissedDuplicates {
    /// Stores proposals as `pending`, each with a `created` audit entry, all
    /// or none. A proposal id already stored is a `Conflict`.
    async fn insert_proposals(&self, new: Vec<NewProposal>) -> Result<()>;

    async fn proposal(&self, id: Uuid) -> Result<Option<StoredProposal>>;

    /// The proposals a turn produced, in the order they were stored.
    async fn proposals_of_turn(&self, turn: TurnId) -> Result<Vec<StoredProposal>>;

    /// Applies `decision` if the proposal is still `pending` and (approve,
    /// reject) not yet expired at `now` or (expire) expired at `now`.
    /// Returns whether it applied; `NotFound` for an unknown id.
    async fn decide(&self, id: Uuid, decision: Decision, now: DateTime<Utc>) -> Result<bool>;

    /// Moves the proposal from `from` to `to`, recording `outcome` when
    /// given. Returns whether it was still in `from`.
    async fn advance(
        &self,
        id: Uuid,
        from: ProposalStatus,
        to: ProposalStatus,
        outcome: Option<Value>,
    ) -> Result<bool>;

    async fn audit(&self, entry: AuditEntry) -> Result<()>;

    /// A proposal's audit, oldest first.
    async fn audit_trail(&self, id: Uuid) -> Result<Vec<AuditEntry>>;
}

/// The audit entry written with each new proposal.
pub(crate) fn created_entry(new: &NewProposal, at: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        proposal_id: new.proposal.proposal_id,
        event: AuditEvent::Created,
        identity_id: new.created_by.clone(),
        detail: serde_json::json!({
            "action": new.proposal.action.name(),
            "preview": new.proposal.preview,
        }),
        at,
    }
}

/// Proposals in memory: tests, and runtimes without a database.
#[derive(Debug, Default)]
pub struct MemoryProposals {
    inner: Mutex<Memory>,
    dismissals: MemoryDismissals,
}

#[derive(Debug, Default)]
struct Memory {
    proposals: BTreeMap<Uuid, StoredProposal>,
    /// Insertion order, for `proposals_of_turn`.
    order: Vec<Uuid>,
    audit: Vec<AuditEntry>,
}

impl MemoryProposals {
    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        what: "proposal",
        id: id.to_string(),
    }
}

#[async_trait]
impl ProposalStore for MemoryProposals {
    async fn insert_proposals(&self, new: Vec<NewProposal>) -> Result<()> {
        let mut memory = self.lock();
        for (i, item) in new.iter().enumerate() {
            let id = item.proposal.proposal_id;
            let repeated = new[..i].iter().any(|p| p.proposal.proposal_id == id);
            if memory.proposals.contains_key(&id) || repeated {
                return Err(StoreError::Conflict(format!(
                    "proposal {id} already exists"
                )));
            }
        }
        let at = now();
        for item in new {
            let id = item.proposal.proposal_id;
            memory.audit.push(created_entry(&item, at));
            memory.order.push(id);
            memory.proposals.insert(
                id,
                StoredProposal {
                    proposal: item.proposal,
                    thread_id: item.thread_id,
                    turn_id: item.turn_id,
                    created_by: item.created_by,
                    status: ProposalStatus::Pending,
                    outcome: None,
                    decided_by: None,
                    decided_at: None,
                    reason: None,
                    created_at: at,
                    updated_at: at,
                },
            );
        }
        Ok(())
    }

    async fn proposal(&self, id: Uuid) -> Result<Option<StoredProposal>> {
        Ok(self.lock().proposals.get(&id).cloned())
    }

    async fn proposals_of_turn(&self, turn: TurnId) -> Result<Vec<StoredProposal>> {
        let memory = self.lock();
        Ok(memory
            .order
            .iter()
            .filter_map(|id| memory.proposals.get(id))
            .filter(|p| p.turn_id == Some(turn))
            .cloned()
            .collect())
    }

    async fn decide(&self, id: Uuid, decision: Decision, at: DateTime<Utc>) -> Result<bool> {
        let mut memory = self.lock();
        let stored = memory.proposals.get_mut(&id).ok_or_else(|| not_found(id))?;
        let expired = stored.proposal.expires_at <= at;
        let applies = stored.status == ProposalStatus::Pending
            && match decision {
                Decision::Approve { .. } | Decision::Reject { .. } => !expired,
                Decision::Expire => expired,
            };
        if !applies {
            return Ok(false);
        }
        stored.status = decision.status();
        stored.updated_at = now();
        match decision {
            Decision::Approve { by } => {
                stored.decided_by = Some(by);
                stored.decided_at = Some(stored.updated_at);
            }
            Decision::Reject { by, reason } => {
                stored.decided_by = Some(by);
                stored.decided_at = Some(stored.updated_at);
                stored.reason = Some(reason);
            }
            Decision::Expire => {}
        }
        Ok(true)
    }

    async fn advance(
        &self,
        id: Uuid,
        from: ProposalStatus,
        to: ProposalStatus,
        outcome: Option<Value>,
    ) -> Result<bool> {
        let mut memory = self.lock();
        let stored = memory.proposals.get_mut(&id).ok_or_else(|| not_found(id))?;
        if stored.status != from {
            return Ok(false);
        }
        stored.status = to;
        stored.updated_at = now();
        if outcome.is_some() {
            stored.outcome = outcome;
        }
        Ok(true)
    }

    async fn audit(&self, entry: AuditEntry) -> Result<()> {
        let mut memory = self.lock();
        if !memory.proposals.contains_key(&entry.proposal_id) {
            return Err(not_found(entry.proposal_id));
        }
        memory.audit.push(entry);
        Ok(())
    }

    async fn audit_trail(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        Ok(self
            .lock()
            .audit
            .iter()
            .filter(|e| e.proposal_id == id)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl DismissedDuplicates for MemoryProposals {
    async fn dismissed_pairs(
        &self,
        kind: DuplicateKind,
    ) -> std::result::Result<Vec<(i64, i64)>, ToolError> {
        self.dismissals.dismissed_pairs(kind).await
    }

    async fn dismiss(
        &self,
        kind: DuplicateKind,
        ids: &[i64],
        by: &IdentityId,
    ) -> std::result::Result<(), ToolError> {
        self.dismissals.dismiss(kind, ids, by).await
    }
}
