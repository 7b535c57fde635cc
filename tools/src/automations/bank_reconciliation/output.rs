//! The typed result (spec 2.6 `data`, without the journal and the paging,
//! which the tool wrapper adds) and the run statistics.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::score::{Breakdown, MatchType, Reason};
use crate::odoo::Ref;

/// Suggestions for a set of bank lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconcileResult {
    pub counts: Counts,
    /// One per suggested line, by line date then id.
    pub suggestions: Vec<Suggestion>,
    /// Lines without a suggestion at or above `min_confidence`, by id.
    pub unmatched_line_ids: Vec<i64>,
}

/// Spec 2.6 `counts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub lines: usize,
    pub candidates: usize,
    pub suggested: usize,
    /// Suggestions with confidence at or above the auto-match threshold.
    pub auto_matchable: usize,
    pub needs_review: usize,
    pub unmatched: usize,
}

/// What one line probably settles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub line: LineView,
    pub kind: SuggestionKind,
    pub candidates: Vec<CandidateView>,
    pub confidence: f64,
    pub match_type: MatchType,
    pub breakdown: Breakdown,
    pub reasons: Vec<Reason>,
    /// For `partial`: what stays open on the item after this payment
    /// (signed like the residual).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residual_after: Option<Decimal>,
    /// The next best options for this line, best first.
    pub alternatives: Vec<Alternative>,
}

/// Spec 2.6 `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// One item, settled in full (within the amount tolerances).
    Single,
    /// Two or three items of the line's partner together.
    Split,
    /// One item larger than the payment: part stays open.
    Partial,
}

/// The bank line as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineView {
    pub id: i64,
    pub date: Option<NaiveDate>,
    pub label: String,
    pub partner: Option<Ref>,
    pub amount: Decimal,
}

/// An open item as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateView {
    pub move_line_id: i64,
    pub move_id: i64,
    pub move_name: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub partner: Option<Ref>,
    pub due_date: Option<NaiveDate>,
    pub residual: Decimal,
}

/// A runner-up option.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    pub kind: SuggestionKind,
    pub move_line_ids: Vec<i64>,
    pub confidence: f64,
    pub match_type: MatchType,
}

/// How much work a run did, for benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ReconcileStats {
    /// Sign-compatible (line, item) pairs scored.
    pub pairs_scored: u64,
    /// Pairs at or above `min_confidence`, which entered the assignment.
    pub pairs_kept: u64,
    /// 2–3 item combinations whose sum was compared with a line.
    pub split_subsets: u64,
    /// Split options that entered the assignment.
    pub split_options: u64,
}

/// What [`suggest`](super::suggest) returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReconcileOutcome {
    pub result: ReconcileResult,
    pub stats: ReconcileStats,
}
