//! The pure part of the scan: facts per check in, statuses, readiness,
//! risk, effort and the template narrative out (spec 1.2–1.4). No I/O, so
//! the spec's worked example is a unit test.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::config::Scoring;
use crate::odoo::Ref;

/// The ten checks, in the order the spec runs and lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKey {
    BankUnreconciled,
    DraftEntries,
    UnbilledDeliveries,
    ReceiptsWithoutBills,
    UninvoicedOrders,
    UnpostedDepreciation,
    InvoicesWithoutTax,
    IntercompanyMismatch,
    ManualEntries,
    FinalReview,
}

impl CheckKey {
    pub const ALL: [CheckKey; 10] = [
        CheckKey::BankUnreconciled,
        CheckKey::DraftEntries,
        CheckKey::UnbilledDeliveries,
        CheckKey::ReceiptsWithoutBills,
        CheckKey::UninvoicedOrders,
        CheckKey::UnpostedDepreciation,
        CheckKey::InvoicesWithoutTax,
        CheckKey::IntercompanyMismatch,
        CheckKey::ManualEntries,
        CheckKey::FinalReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckKey::BankUnreconciled => "bank_unreconciled",
            CheckKey::DraftEntries => "draft_entries",
            CheckKey::UnbilledDeliveries => "unbilled_deliveries",
            CheckKey::ReceiptsWithoutBills => "receipts_without_bills",
            CheckKey::UninvoicedOrders => "uninvoiced_orders",
            CheckKey::UnpostedDepreciation => "unposted_depreciation",
            CheckKey::InvoicesWithoutTax => "invoices_without_tax",
            CheckKey::IntercompanyMismatch => "intercompany_mismatch",
            CheckKey::ManualEntries => "manual_entries",
            CheckKey::FinalReview => "final_review",
        }
    }

    /// The key named `text`, if any.
    pub fn parse(text: &str) -> Option<CheckKey> {
        CheckKey::ALL.into_iter().find(|key| key.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckKey::BankUnreconciled => "Unreconciled bank statement lines",
            CheckKey::DraftEntries => "Draft journal entries",
            CheckKey::UnbilledDeliveries => "Deliveries not yet invoiced",
            CheckKey::ReceiptsWithoutBills => "Receipts without vendor bills",
            CheckKey::UninvoicedOrders => "Confirmed sales orders to invoice",
            CheckKey::UnpostedDepreciation => "Unposted depreciation entries",
            CheckKey::InvoicesWithoutTax => "Invoices without any tax",
            CheckKey::IntercompanyMismatch => "Intercompany balances that do not match",
            CheckKey::ManualEntries => "Manual journal entries to review",
            CheckKey::FinalReview => "Review P&L and balance sheet",
        }
    }

    /// 1-based position in the spec's list.
    pub fn order(self) -> u8 {
        CheckKey::ALL
            .iter()
            .position(|key| *key == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// Whether the check reads models of Sales, Purchase or Inventory,
    /// which a company may not have installed: it is then not applicable.
    pub fn needs_optional_module(self) -> bool {
        matches!(
            self,
            CheckKey::UnbilledDeliveries
                | CheckKey::ReceiptsWithoutBills
                | CheckKey::UninvoicedOrders
        )
    }

    pub fn severity(self) -> Severity {
        match self {
            CheckKey::ReceiptsWithoutBills | CheckKey::UninvoicedOrders => Severity::Critical,
            CheckKey::BankUnreconciled
            | CheckKey::UnbilledDeliveries
            | CheckKey::InvoicesWithoutTax => Severity::High,
            CheckKey::DraftEntries
            | CheckKey::UnpostedDepreciation
            | CheckKey::IntercompanyMismatch => Severity::Medium,
            CheckKey::ManualEntries | CheckKey::FinalReview => Severity::Low,
        }
    }
}

/// How much an open check blocks the close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Attention,
    Manual,
    NotApplicable,
    Error,
}

/// One record a check cites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub model: String,
    pub id: i64,
    /// Number, label or reference, whichever the record has.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<Ref>,
    /// In company currency; signed as the check documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// Markers such as `stale`, `carried_over` or `before_lock_date`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// Opens the record in Odoo.
    pub link: String,
}

/// What the reads found for one check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facts {
    /// Exact, counted by Odoo (never the length of a limited list).
    pub item_count: u64,
    /// In company currency.
    pub amount: Option<Decimal>,
    /// At most the detail limit, in the check's documented order.
    pub items: Vec<Item>,
    /// Named sub-counts (`in_period`, `stale_count`, `invoices_checked`, ..).
    pub counts: BTreeMap<String, u64>,
    pub notes: Vec<String>,
}

/// How reading one check ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Found(Facts),
    /// The check does not apply here (module missing, one company); why.
    NotApplicable(String),
    /// A person must do it; what to do.
    Manual(String),
    /// The reads failed; the message.
    Failed(String),
}

/// One check of the result (spec 1.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub key: CheckKey,
    pub label: String,
    pub order: u8,
    pub severity: Severity,
    pub status: Status,
    pub item_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    pub items: Vec<Item>,
    /// Named sub-counts, e.g. `in_period` and `carried_over`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub counts: BTreeMap<String, u64>,
    pub notes: Vec<String>,
    /// Why the check could not run (status `error`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Check {
    /// The check `key` as `outcome` left it: `ok` with no items, else
    /// `attention`.
    pub fn new(key: CheckKey, outcome: Outcome) -> Check {
        let mut check = Check {
            key,
            label: key.label().to_owned(),
            order: key.order(),
            severity: key.severity(),
            status: Status::Ok,
            item_count: 0,
            amount: None,
            items: Vec::new(),
            counts: BTreeMap::new(),
            notes: Vec::new(),
            error: None,
        };
        match outcome {
            Outcome::Found(facts) => {
                check.status = if facts.item_count == 0 {
                    Status::Ok
                } else {
                    Status::Attention
                };
                check.item_count = facts.item_count;
                check.amount = facts.amount;
                check.items = facts.items;
                check.counts = facts.counts;
                check.notes = facts.notes;
            }
            Outcome::NotApplicable(why) => {
                check.status = Status::NotApplicable;
                check.notes.push(why);
            }
            Outcome::Manual(what) => {
                check.status = Status::Manual;
                check.notes.push(what);
            }
            Outcome::Failed(message) => {
                check.status = Status::Error;
                check.error = Some(message);
            }
        }
        check
    }
}

/// Overall risk of closing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
}

/// Readiness, risk and effort of a set of checks (spec 1.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// 0–100.
    pub readiness: u32,
    pub risk_level: RiskLevel,
    /// Items of the checks in attention.
    pub total_items: u64,
    /// Hours, a multiple of 0.5.
    pub estimated_hours: Decimal,
}

/// Scores `checks`: penalties of checks in attention or error, the risk
/// band, and a quarter hour per open item rounded to the half hour.
pub fn assess(checks: &[Check], scoring: &Scoring) -> Assessment {
    let mut penalty: u32 = 0;
    let mut total_items: u64 = 0;
    for check in checks {
        match check.status {
            Status::Attention => {
                penalty = penalty.saturating_add(scoring.penalty(check.severity));
                total_items = total_items.saturating_add(check.item_count);
            }
            Status::Error => penalty = penalty.saturating_add(scoring.penalty_error),
            Status::Ok | Status::Manual | Status::NotApplicable => {}
        }
    }
    let readiness = 100_u32.saturating_sub(penalty);
    let risk_level = if readiness >= scoring.low_risk_from {
        RiskLevel::Low
    } else if readiness >= scoring.medium_risk_from {
        RiskLevel::Medium
    } else if readiness >= scoring.high_risk_from {
        RiskLevel::High
    } else {
        RiskLevel::Critical
    };
    let raw = (scoring.hours_per_item * Decimal::from(total_items)).max(scoring.min_hours);
    let halves =
        (raw * Decimal::TWO).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let mut estimated_hours = halves / Decimal::TWO;
    estimated_hours.rescale(1);
    Assessment {
        readiness,
        risk_level,
        total_items,
        estimated_hours,
    }
}

/// The narrative used when no model writes one (spec 1.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Narrative {
    pub summary: String,
    /// Check keys, most urgent first.
    pub priority_actions: Vec<String>,
    /// `template`: computed here, not written by a model.
    pub source: &'static str,
}

/// The checks in attention, most severe first, then largest amount, then
/// in spec order.
pub fn priorities(checks: &[Check]) -> Vec<&Check> {
    let mut open: Vec<&Check> = checks
        .iter()
        .filter(|c| c.status == Status::Attention)
        .collect();
    open.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| {
                b.amount
                    .unwrap_or_default()
                    .cmp(&a.amount.unwrap_or_default())
            })
            .then_with(|| a.order.cmp(&b.order))
    });
    open
}

/// "<n> checks need attention; readiness <r>/100" and the attention checks
/// in priority order.
pub fn template_narrative(checks: &[Check], assessment: &Assessment) -> Narrative {
    let open = priorities(checks);
    let noun = if open.len() == 1 {
        "check needs"
    } else {
        "checks need"
    };
    Narrative {
        summary: format!(
            "{} {noun} attention; readiness {}/100",
            open.len(),
            assessment.readiness
        ),
        priority_actions: open.iter().map(|c| c.key.as_str().to_owned()).collect(),
        source: "template",
    }
}

/// `1234.5` as `1,234.50`: rounded half away from zero to `places`.
pub fn display_amount(amount: Decimal, places: u32) -> String {
    let rounded = amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", places as usize, rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

#[cfg(test)]
#[path = "compute_tests.rs"]
mod tests;
