//! The approval service: approve or reject a stored proposal as an
//! identity. Approval executes at most once: one conditional update claims
//! the proposal, preconditions are re-read from Odoo as the approving
//! person's user, and the outcome (Odoo's answer, verbatim on refusal) is
//! stored and audited.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use thiserror::Error;
use tools::automations::bank_reconciliation::{LearnedRules, confirm_proposed_match};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::proposals::ProposalAction;
use tools::{Identity, IdentityId, Role};
use uuid::Uuid;

use super::execute::{ExecuteError, execute};
use super::preconditions::{FailedPrecondition, check};
use super::{AuditEntry, AuditEvent, Decision, ProposalStatus, ProposalStore, StoredProposal};
use crate::store::StoreError;

/// Longest rejection reason kept, in characters.
const MAX_REASON_CHARS: usize = 2_000;

/// Why an approval or rejection did nothing.
#[derive(Debug, Error)]
pub enum ApprovalError {
    /// No proposal has this id; HTTP 404.
    #[error("proposal {0} not found")]
    NotFound(Uuid),
    /// The identity does not hold the role the proposal requires; HTTP 403.
    #[error("{identity} may not decide proposal {id}: it requires the {required} role")]
    NotPermitted {
        id: Uuid,
        identity: IdentityId,
        required: String,
    },
    /// Approved, rejected, executed or expired before; HTTP 409.
    #[error("proposal {id} is already {status}")]
    AlreadyDecided { id: Uuid, status: ProposalStatus },
    /// Its approval window has passed; HTTP 409.
    #[error("proposal {id} expired at {expires_at}")]
    Expired { id: Uuid, expires_at: DateTime<Utc> },
    /// Something the proposal relied on changed in Odoo; nothing was
    /// executed and the proposal is closed as failed. HTTP 409.
    #[error("proposal {id} was not executed because its preconditions changed: {}",
        .failed.iter().map(|f| format!("{} ({})", f.description, f.detail))
            .collect::<Vec<_>>().join("; "))]
    PreconditionsChanged {
        id: Uuid,
        failed: Vec<FailedPrecondition>,
    },
    /// The rejection reason is missing or too long; HTTP 400.
    #[error("reason: {0}")]
    InvalidReason(String),
    /// Odoo could not be asked (unmapped identity, unavailable) before
    /// anything ran; the proposal stays pending. HTTP 502, or 403 for an
    /// identity without an Odoo user.
    #[error(transparent)]
    Odoo(#[from] OdooError),
    /// Storage failed; HTTP 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApprovalError {
    /// Stable label for logs and API error bodies.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::NotPermitted { .. } => "not_permitted",
            Self::AlreadyDecided { .. } => "already_decided",
            Self::Expired { .. } => "expired",
            Self::PreconditionsChanged { .. } => "preconditions_changed",
            Self::InvalidReason(_) => "invalid_reason",
            Self::Odoo(OdooError::UnmappedIdentity { .. }) => "no_odoo_user",
            Self::Odoo(_) => "odoo",
            Self::Store(_) => "store",
        }
    }
}

/// Approves and rejects proposals.
#[derive(Clone)]
pub struct Approvals {
    store: Arc<dyn ProposalStore>,
    odoo: Arc<dyn OdooConnector>,
    /// Where an approved bank match teaches its rule (spec 2.8); `None`
    /// learns nothing.
    rules: Option<Arc<dyn LearnedRules>>,
}

impl Approvals {
    pub fn new(store: Arc<dyn ProposalStore>, odoo: Arc<dyn OdooConnector>) -> Self {
        Self {
            store,
            odoo,
            rules: None,
        }
    }

    /// Approving a `reconcile_statement_line` proposal also confirms the
    /// match: its rule is stored in `rules`.
    pub fn with_rules(mut self, rules: Arc<dyn LearnedRules>) -> Self {
        self.rules = Some(rules);
        self
    }

    pub fn store(&self) -> &Arc<dyn ProposalStore> {
        &self.store
    }

    /// The stored proposal, or `NotFound`.
    pub async fn get(&self, id: Uuid) -> Result<StoredProposal, ApprovalError> {
        self.store
            .proposal(id)
            .await?
            .ok_or(ApprovalError::NotFound(id))
    }

    /// Executes the proposal once, as `identity`'s Odoo user, if the
    /// identity holds the required role, the proposal is pending and not
    /// expired, and every precondition still holds. Returns the proposal as
    /// it ends: `executed`, or `failed` with Odoo's refusal in `outcome`.
    pub async fn approve(
        &self,
        id: Uuid,
        identity: &Identity,
    ) -> Result<StoredProposal, ApprovalError> {
        let stored = self.decidable(id, identity).await?;
        // Connect before claiming: an identity without an Odoo user, or an
        // Odoo that is down, leaves the proposal pending for a later try.
        let client = self.odoo.client_for(identity).await?;
        let now = Utc::now();
        let by = identity.id.clone();
        if !self
            .store
            .decide(id, Decision::Approve { by: by.clone() }, now)
            .await?
        {
            return Err(self.lost_race(id, now).await);
        }
        self.audit(id, AuditEvent::Approved, &by, json!({})).await?;

        let failed = match check(&client, &stored.proposal.preconditions).await {
            Ok(failed) => failed,
            Err(err) => {
                // Nothing ran; the claim is closed as failed so that it is
                // visible, and the person may ask for a fresh proposal.
                let outcome = json!({"error": {"kind": err.kind(), "message": err.to_string()}});
                self.close(
                    id,
                    ProposalStatus::Approved,
                    AuditEvent::Failed,
                    &by,
                    outcome,
                )
                .await?;
                return Err(err.into());
            }
        };
        if !failed.is_empty() {
            let outcome = json!({"blocked": failed});
            self.close(
                id,
                ProposalStatus::Approved,
                AuditEvent::Blocked,
                &by,
                outcome,
            )
            .await?;
            return Err(ApprovalError::PreconditionsChanged { id, failed });
        }
        self.learn_confirmed_match(&client, &stored.proposal.action, id, &by, now)
            .await?;
        self.store
            .advance(
                id,
                ProposalStatus::Approved,
                ProposalStatus::Executing,
                None,
            )
            .await?;
        let dismissals: &dyn tools::proposals::DismissedDuplicates = self.store.as_ref();
        let (event, outcome) =
            match execute(&client, &stored.proposal.action, dismissals, &by).await {
                Ok(answer) => (AuditEvent::Executed, answer),
                Err(err) => (AuditEvent::Failed, refusal(err)),
            };
        self.close(id, ProposalStatus::Executing, event, &by, outcome)
            .await?;
        self.get(id).await
    }

    /// An approved bank match is a person's confirmation (spec 2.8), whether
    /// or not Odoo then reconciles it: the line's journal learns the rule,
    /// audited as `learned`. A failure to learn is logged and audited; it
    /// does not stop the approval.
    async fn learn_confirmed_match(
        &self,
        client: &OdooClient,
        action: &ProposalAction,
        id: Uuid,
        by: &IdentityId,
        now: DateTime<Utc>,
    ) -> Result<(), ApprovalError> {
        let (
            Some(rules),
            ProposalAction::ReconcileStatementLine {
                line_id,
                move_line_ids,
            },
        ) = (&self.rules, action)
        else {
            return Ok(());
        };
        let detail = match confirm_proposed_match(
            client,
            rules.as_ref(),
            *line_id,
            move_line_ids,
            now,
        )
        .await
        {
            Ok(learned) => {
                json!({"rule_ids": learned.iter().map(|s| s.rule.id).collect::<Vec<_>>()})
            }
            Err(err) => {
                tracing::warn!(proposal = %id, error = %err, error.kind = err.kind(), "cannot learn from an approved bank match");
                json!({"error": {"kind": err.kind(), "message": err.to_string()}})
            }
        };
        self.audit(id, AuditEvent::Learned, by, detail).await?;
        Ok(())
    }

    /// Rejects the proposal with a reason, if the identity holds the
    /// required role and it is still pending and not expired.
    pub async fn reject(
        &self,
        id: Uuid,
        identity: &Identity,
        reason: &str,
    ) -> Result<StoredProposal, ApprovalError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ApprovalError::InvalidReason(
                "a rejection needs a reason; say why in a few words".to_owned(),
            ));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(ApprovalError::InvalidReason(format!(
                "at most {MAX_REASON_CHARS} characters"
            )));
        }
        self.decidable(id, identity).await?;
        let now = Utc::now();
        let by = identity.id.clone();
        let decision = Decision::Reject {
            by: by.clone(),
            reason: reason.to_owned(),
        };
        if !self.store.decide(id, decision, now).await? {
            return Err(self.lost_race(id, now).await);
        }
        self.audit(id, AuditEvent::Rejected, &by, json!({"reason": reason}))
            .await?;
        self.get(id).await
    }

    /// The proposal if `identity` may decide it now; an attempt without the
    /// role is audited.
    async fn decidable(
        &self,
        id: Uuid,
        identity: &Identity,
    ) -> Result<StoredProposal, ApprovalError> {
        let stored = self.get(id).await?;
        let required = stored.proposal.required_role;
        if !may_decide(identity, required) {
            let detail = json!({"required_role": required, "roles": identity.roles});
            self.audit(id, AuditEvent::Denied, &identity.id, detail)
                .await?;
            return Err(ApprovalError::NotPermitted {
                id,
                identity: identity.id.clone(),
                required: required.as_str().to_owned(),
            });
        }
        let now = Utc::now();
        if stored.status != ProposalStatus::Pending {
            return Err(ApprovalError::AlreadyDecided {
                id,
                status: stored.status,
            });
        }
        if stored.proposal.expires_at <= now {
            return Err(self.expire(id, stored.proposal.expires_at, now).await);
        }
        Ok(stored)
    }

    /// Why a decision found the proposal no longer pending (or expired
    /// meanwhile).
    async fn lost_race(&self, id: Uuid, now: DateTime<Utc>) -> ApprovalError {
        match self.get(id).await {
            Ok(stored) if stored.status == ProposalStatus::Pending => {
                self.expire(id, stored.proposal.expires_at, now).await
            }
            Ok(stored) => ApprovalError::AlreadyDecided {
                id,
                status: stored.status,
            },
            Err(err) => err,
        }
    }

    async fn expire(
        &self,
        id: Uuid,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> ApprovalError {
        let system = IdentityId("system".to_owned());
        let expired = self.store.decide(id, Decision::Expire, now).await;
        if let Ok(true) = expired {
            let detail = json!({"expires_at": expires_at});
            if let Err(err) = self.audit(id, AuditEvent::Expired, &system, detail).await {
                return err;
            }
        }
        match expired {
            Err(err) => err.into(),
            Ok(_) => ApprovalError::Expired { id, expires_at },
        }
    }

    /// Ends an approval in `executed` or `failed` with its outcome, audited.
    async fn close(
        &self,
        id: Uuid,
        from: ProposalStatus,
        event: AuditEvent,
        by: &IdentityId,
        outcome: Value,
    ) -> Result<(), ApprovalError> {
        let to = match event {
            AuditEvent::Executed => ProposalStatus::Executed,
            _ => ProposalStatus::Failed,
        };
        self.store
            .advance(id, from, to, Some(outcome.clone()))
            .await?;
        self.audit(id, event, by, outcome).await
    }

    async fn audit(
        &self,
        id: Uuid,
        event: AuditEvent,
        by: &IdentityId,
        detail: Value,
    ) -> Result<(), ApprovalError> {
        tracing::info!(proposal.id = %id, event = event.as_str(), identity.id = %by, "proposal audit");
        self.store
            .audit(AuditEntry {
                proposal_id: id,
                event,
                identity_id: by.clone(),
                detail,
                at: Utc::now(),
            })
            .await?;
        Ok(())
    }
}

/// Whether `identity` may approve or reject a proposal requiring `role`:
/// it holds the role, or it is an administrator.
pub fn may_decide(identity: &Identity, role: Role) -> bool {
    identity.roles.contains(&role) || identity.roles.contains(&Role::Admin)
}

/// The outcome of an execution that did not complete: Odoo's refusal
/// verbatim, and any steps done before it.
fn refusal(err: ExecuteError) -> Value {
    match err {
        ExecuteError::Odoo { error, done } => {
            let odoo_message = odoo_message(&error);
            json!({"error": {
                "kind": error.kind(),
                "message": error.to_string(),
                "odoo_message": odoo_message,
            }, "completed": done})
        }
        ExecuteError::Unavailable(message) => {
            json!({"error": {"kind": "unavailable", "message": message}})
        }
        ExecuteError::Internal(message) => {
            json!({"error": {"kind": "internal", "message": message}})
        }
    }
}

/// The message Odoo wrote, exactly as it wrote it, when the error has one.
fn odoo_message(error: &OdooError) -> Option<String> {
    match error {
        OdooError::AccessDenied { message, .. }
        | OdooError::Validation { message, .. }
        | OdooError::NotFound { message, .. } => Some(message.clone()),
        OdooError::MissingModelOrField { what, .. } => Some(what.clone()),
        OdooError::Server { first_line, .. } => Some(first_line.clone()),
        _ => None,
    }
}
