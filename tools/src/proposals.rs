//! Write proposals (spec 0.6): the only path by which the product changes
//! Odoo. A read tool attaches [`Proposal`]s to its result; the server stores
//! them, and a person holding `required_role` approves or rejects each one.
//! Execution re-reads every [`Precondition`] first and runs at most once.
//!
//! This module holds only the shared vocabulary. Storage, approval and the
//! executors live with the server, so a tool can never execute its own
//! proposal.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use async_trait::async_trait;

use crate::{IdentityId, Role, ToolError};

/// How long a proposal stays approvable unless a tool says otherwise.
pub const DEFAULT_EXPIRY: Duration = Duration::hours(24);

/// One change offered for approval, exactly as the tool result shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub proposal_id: Uuid,
    #[serde(flatten)]
    pub action: ProposalAction,
    pub target: ProposalTarget,
    /// Human text with the exact values before and after.
    pub preview: String,
    /// Re-read at execution time; any mismatch blocks the execution.
    pub preconditions: Vec<Precondition>,
    pub expires_at: DateTime<Utc>,
    pub required_role: Role,
}

impl Proposal {
    /// A fresh proposal expiring [`DEFAULT_EXPIRY`] after `now`. The target
    /// is derived from the action so the two cannot disagree.
    pub fn new(
        action: ProposalAction,
        preview: impl Into<String>,
        preconditions: Vec<Precondition>,
        required_role: Role,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            proposal_id: Uuid::new_v4(),
            target: action.target(),
            action,
            preview: preview.into(),
            preconditions,
            expires_at: now + DEFAULT_EXPIRY,
            required_role,
        }
    }
}

/// The Odoo records a proposal changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalTarget {
    pub model: String,
    pub ids: Vec<i64>,
}

/// Which lock date a `set_lock_date` proposal writes (spec 1.6). The
/// irreversible `hard_lock_date` is deliberately absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockDateField {
    /// 17.0 only.
    PeriodLockDate,
    FiscalyearLockDate,
    /// 18.0 and later.
    SaleLockDate,
    /// 18.0 and later.
    PurchaseLockDate,
}

impl LockDateField {
    pub fn field_name(self) -> &'static str {
        match self {
            Self::PeriodLockDate => "period_lock_date",
            Self::FiscalyearLockDate => "fiscalyear_lock_date",
            Self::SaleLockDate => "sale_lock_date",
            Self::PurchaseLockDate => "purchase_lock_date",
        }
    }
}

/// Which records a `dismiss_group` proposal marks as "not duplicates".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    Partners,
    Leads,
    Products,
}

impl DuplicateKind {
    pub fn model(self) -> &'static str {
        match self {
            Self::Partners => "res.partner",
            Self::Leads => "crm.lead",
            Self::Products => "product.product",
        }
    }
}

/// The typed change, one variant per action the spec names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", content = "params", rename_all = "snake_case")]
pub enum ProposalAction {
    /// Spec 1.6.
    SetLockDate {
        company_id: i64,
        field: LockDateField,
        date: chrono::NaiveDate,
    },
    /// Spec 2.9.
    ReconcileStatementLine {
        line_id: i64,
        move_line_ids: Vec<i64>,
    },
    /// Spec 3.8.
    SetCreditLimit {
        partner_id: i64,
        #[serde(with = "rust_decimal::serde::str")]
        new_limit: Decimal,
    },
    /// Spec 3.8: `sale_warn = block` with a message.
    BlockSales { partner_id: i64, message: String },
    /// Spec 3.8.
    UnblockSales { partner_id: i64 },
    /// Spec 4.9: through Odoo's contact-merge wizard, chunked master + 2.
    MergePartners {
        master_id: i64,
        duplicate_ids: Vec<i64>,
    },
    /// Spec 4.9: through the CRM merge feature.
    MergeLeads {
        master_id: i64,
        duplicate_ids: Vec<i64>,
    },
    /// Spec 4.9: products have no native merge.
    ArchiveProducts { ids: Vec<i64> },
    /// Spec 4.9: recorded by the product, never written to Odoo.
    DismissGroup { kind: DuplicateKind, ids: Vec<i64> },
}

impl ProposalAction {
    /// The action's name as the spec spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SetLockDate { .. } => "set_lock_date",
            Self::ReconcileStatementLine { .. } => "reconcile_statement_line",
            Self::SetCreditLimit { .. } => "set_credit_limit",
            Self::BlockSales { .. } => "block_sales",
            Self::UnblockSales { .. } => "unblock_sales",
            Self::MergePartners { .. } => "merge_partners",
            Self::MergeLeads { .. } => "merge_leads",
            Self::ArchiveProducts { .. } => "archive_products",
            Self::DismissGroup { .. } => "dismiss_group",
        }
    }

    /// The records the action changes.
    pub fn target(&self) -> ProposalTarget {
        let (model, ids) = match self {
            Self::SetLockDate { company_id, .. } => ("res.company", vec![*company_id]),
            Self::ReconcileStatementLine { line_id, .. } => {
                ("account.bank.statement.line", vec![*line_id])
            }
            Self::SetCreditLimit { partner_id, .. }
            | Self::BlockSales { partner_id, .. }
            | Self::UnblockSales { partner_id } => ("res.partner", vec![*partner_id]),
            Self::MergePartners {
                master_id,
                duplicate_ids,
            } => ("res.partner", with_master(*master_id, duplicate_ids)),
            Self::MergeLeads {
                master_id,
                duplicate_ids,
            } => ("crm.lead", with_master(*master_id, duplicate_ids)),
            Self::ArchiveProducts { ids } => ("product.product", ids.clone()),
            Self::DismissGroup { kind, ids } => (kind.model(), ids.clone()),
        };
        ProposalTarget {
            model: model.to_owned(),
            ids,
        }
    }
}

fn with_master(master: i64, duplicates: &[i64]) -> Vec<i64> {
    std::iter::once(master)
        .chain(duplicates.iter().copied())
        .collect()
}

/// A fact that must still hold, re-read from Odoo right before execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Precondition {
    /// `model(id).field` still has the value read when proposing (as Odoo's
    /// `read` returns it, so a many2one is `[id, name]` or `false`).
    FieldEquals {
        model: String,
        id: i64,
        field: String,
        expected: Value,
        /// Why it matters, shown when it fails: "credit limit unchanged".
        description: String,
    },
    /// `search_count(model, domain)` still equals `expected`, e.g. "no
    /// draft move dated on or before the lock date" is a count of zero.
    CountEquals {
        model: String,
        /// Odoo prefix-notation domain, built with the typed domain builder.
        domain: Value,
        expected: u64,
        description: String,
    },
}

impl Precondition {
    pub fn description(&self) -> &str {
        match self {
            Self::FieldEquals { description, .. } | Self::CountEquals { description, .. } => {
                description
            }
        }
    }
}

/// Groups a person marked "not duplicates" (an executed `dismiss_group`),
/// kept in the product database so `find_duplicates` stops reporting them.
#[async_trait]
pub trait DismissedDuplicates: Send + Sync {
    /// Every dismissed pair of `kind`, each as `(smaller id, larger id)`.
    async fn dismissed_pairs(&self, kind: DuplicateKind) -> Result<Vec<(i64, i64)>, ToolError>;
    /// Records that no two of `ids` are duplicates of each other.
    async fn dismiss(
        &self,
        kind: DuplicateKind,
        ids: &[i64],
        by: &IdentityId,
    ) -> Result<(), ToolError>;
}

/// Every unordered pair of `ids`, smaller id first, without self-pairs.
pub fn pairs_of(ids: &[i64]) -> Vec<(i64, i64)> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut pairs = Vec::new();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            pairs.push((*a, *b));
        }
    }
    pairs
}

/// An in-memory [`DismissedDuplicates`] for tests and tools run without a
/// product database.
#[derive(Debug, Default)]
pub struct MemoryDismissals {
    pairs: std::sync::Mutex<std::collections::BTreeSet<(DuplicateKind, i64, i64)>>,
}

#[async_trait]
impl DismissedDuplicates for MemoryDismissals {
    async fn dismissed_pairs(&self, kind: DuplicateKind) -> Result<Vec<(i64, i64)>, ToolError> {
        let pairs = self
            .pairs
            .lock()
            .map_err(|_| ToolError::Internal("dismissal set poisoned".to_owned()))?;
        Ok(pairs
            .iter()
            .filter(|(k, _, _)| *k == kind)
            .map(|(_, a, b)| (*a, *b))
            .collect())
    }

    async fn dismiss(
        &self,
        kind: DuplicateKind,
        ids: &[i64],
        _by: &IdentityId,
    ) -> Result<(), ToolError> {
        let mut pairs = self
            .pairs
            .lock()
            .map_err(|_| ToolError::Internal("dismissal set poisoned".to_owned()))?;
        pairs.extend(pairs_of(ids).into_iter().map(|(a, b)| (kind, a, b)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_proposal_serialises_in_the_spec_shape() {
        let now = DateTime::from_timestamp(1_774_000_000, 0).unwrap_or_default();
        let proposal = Proposal::new(
            ProposalAction::MergePartners {
                master_id: 7,
                duplicate_ids: vec![9, 12],
            },
            "Merge 'Acme B.V.' (9) and 'ACME BV' (12) into 'Acme B.V.' (7)",
            vec![],
            Role::Admin,
            now,
        );
        let value = serde_json::to_value(&proposal).unwrap_or_default();
        assert_eq!(value["action"], "merge_partners");
        assert_eq!(
            value["params"],
            json!({"master_id": 7, "duplicate_ids": [9, 12]})
        );
        assert_eq!(
            value["target"],
            json!({"model": "res.partner", "ids": [7, 9, 12]})
        );
        assert_eq!(value["required_role"], "admin");
        assert_eq!(proposal.expires_at - now, DEFAULT_EXPIRY);
        let back: Proposal = serde_json::from_value(value).unwrap_or_else(|_| proposal.clone());
        assert_eq!(back, proposal);
    }

    #[test]
    fn money_travels_as_an_exact_string() {
        let action = ProposalAction::SetCreditLimit {
            partner_id: 3,
            new_limit: Decimal::new(1_250_050, 2),
        };
        let value = serde_json::to_value(&action).unwrap_or_default();
        assert_eq!(value["params"]["new_limit"], "12500.50");
        assert_eq!(action.name(), "set_credit_limit");
    }

    #[tokio::test]
    async fn dismissed_groups_become_sorted_pairs_per_kind() {
        let store = MemoryDismissals::default();
        let by = IdentityId("anna".to_owned());
        store
            .dismiss(DuplicateKind::Partners, &[12, 7, 9], &by)
            .await
            .unwrap();
        store
            .dismiss(DuplicateKind::Leads, &[3, 4], &by)
            .await
            .unwrap();
        assert_eq!(
            store
                .dismissed_pairs(DuplicateKind::Partners)
                .await
                .unwrap(),
            vec![(7, 9), (7, 12), (9, 12)]
        );
        assert_eq!(
            store.dismissed_pairs(DuplicateKind::Leads).await.unwrap(),
            vec![(3, 4)]
        );
        assert!(
            store
                .dismissed_pairs(DuplicateKind::Products)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
