//! A closing, its steps, and why a change to them was refused.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use tools::automations::month_end_closing_scan::{CheckKey, RiskLevel, Severity, Status};

use crate::store::StoreError;

/// One company's closing of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Closing {
    /// Odoo id of the company.
    pub company_id: i64,
    pub company_name: String,
    /// `YYYY-MM`.
    pub period: String,
    pub status: ClosingStatus,
    /// Who completed the closing (marked its last open step done), and when.
    pub completed_by: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Readiness 0–100 and risk of the latest scan.
    pub readiness: u32,
    pub risk_level: RiskLevel,
    /// When Odoo was read for the latest scan, and for whom.
    pub scanned_at: DateTime<Utc>,
    pub scanned_by: String,
    /// One step per check, in the scan's order.
    pub steps: Vec<Step>,
    /// The latest scan's `data`, with the records each check cites.
    pub scan: Value,
    /// Bumped by every save; a save naming an older version is refused.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whether a closing is still being worked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingStatus {
    Open,
    /// Every step is done or resolved; rescans and changes wait until a
    /// person reopens it.
    Completed,
}

impl ClosingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
        }
    }
}

/// What a person said about a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HumanStatus {
    Open,
    Done,
}

/// Where a step stands, from the person's status and the latest scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Needs work (or, for `final_review`, a person's review).
    Open,
    /// A person marked it done; rescans never reopen it.
    Done,
    /// The latest scan found nothing to do (or the check does not apply).
    Resolved,
}

/// One check of the closing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub key: CheckKey,
    pub label: String,
    pub severity: Severity,
    /// The check's status in the latest scan.
    pub scan_status: Status,
    /// Records the latest scan found.
    pub item_count: u64,
    /// Company-currency amount of the latest scan, where the check has one.
    pub amount: Option<Decimal>,
    pub state: StepState,
    pub human_status: HumanStatus,
    /// Who set `human_status` last, when, and their note.
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// A person's change to one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepChange {
    pub key: String,
    pub status: HumanStatus,
    pub note: Option<String>,
    /// The identity making the change.
    pub by: String,
}

/// Why a closing could not be read or changed.
#[derive(Debug, Error)]
pub enum ClosingError {
    /// No closing exists for the company and month; callers answer 404.
    #[error("no closing for company {company_id} and period {period}")]
    NotFound { company_id: i64, period: String },
    /// The step key is not one of the checks; callers answer 400.
    #[error("unknown step `{key}`; expected one of {valid}")]
    UnknownStep { key: String, valid: String },
    /// A step with items is marked done without saying why; callers
    /// answer 400 naming `note`.
    #[error("step {key} has {items} open items: marking it done needs a note")]
    NoteRequired { key: String, items: u64 },
    /// The closing is completed; it must be reopened first (409).
    #[error("the closing of company {company_id} for {period} is completed; reopen it first")]
    Completed { company_id: i64, period: String },
    /// Other changes kept winning the version check; callers may retry (409).
    #[error("the closing of company {company_id} for {period} kept changing; try again")]
    Contended { company_id: i64, period: String },
    /// Storage failed; callers answer 500.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ClosingError {
    /// Stable, low-cardinality label for logs and API error codes.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "closing_not_found",
            Self::UnknownStep { .. } => "unknown_step",
            Self::NoteRequired { .. } => "note_required",
            Self::Completed { .. } => "closing_completed",
            Self::Contended { .. } => "closing_contended",
            Self::Store(err) => err.kind(),
        }
    }
}
