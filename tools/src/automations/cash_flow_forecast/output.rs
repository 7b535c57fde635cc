//! The `data` of `cash_flow_forecast` (spec 5.5) and its summary. Amounts
//! are rounded to the currency's decimals here, for display only; the
//! computation before stays exact.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::accuracy::BucketAccuracy;
use super::compute::{Beyond, Flow, FlowItem, Gaps, Granularity, Overdue, Point, Projection};
use super::recurring::RecurringSeries;
use super::scenario::Adjustment;
use crate::automations::credit_check::Link;

/// The forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastData {
    pub as_of: NaiveDate,
    pub currency: String,
    /// `B0`: the balance of the selected journals at the end of as_of.
    pub opening_balance: Decimal,
    pub horizon_days: u32,
    pub granularity: Granularity,
    /// The bank and cash journals behind the opening balance.
    pub journals: Vec<JournalRef>,
    pub points: Vec<Point>,
    pub totals: Flow,
    pub overdue: Overdue,
    pub gaps: Gaps,
    pub beyond_horizon: Beyond,
    pub assumptions: AssumptionsOut,
    /// Vendors whose bills recur, with their cadence and occurrences.
    pub recurring: Vec<RecurringSeries>,
    /// The largest items within the horizon by absolute amount, with links.
    pub largest_items: Vec<CitedItem>,
    /// The scenario's adjustments and projection, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<ScenarioResult>,
    /// What the scenario changes against the base (spec 5.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact: Option<Impact>,
    /// How far earlier forecasts of the company were off, per lead-time
    /// bucket (spec 5.8), from stored predictions whose day has an actual
    /// balance; `None` when the tool keeps no history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Vec<BucketAccuracy>>,
    /// Version of the forecasting rules; bumped with the tool version.
    pub model_version: String,
}

/// A journal behind the opening balance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalRef {
    pub id: i64,
    pub name: String,
    /// `bank` or `cash`.
    #[serde(rename = "type")]
    pub kind: String,
    pub link: Link,
}

/// The settings the figures depend on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssumptionsOut {
    pub payment_lag_days: u32,
    pub overdue_lag_days: u32,
    pub band_width: Decimal,
    pub doubtful_factor: Decimal,
    pub threshold: Decimal,
    pub include_pipeline: bool,
    pub include_recurring: bool,
}

/// A flow item with the form view of its record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitedItem {
    #[serde(flatten)]
    pub item: FlowItem,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<Link>,
}

/// The scenario's own projection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub adjustments: Vec<Adjustment>,
    pub points: Vec<Point>,
    pub totals: Flow,
    pub beyond_horizon: Beyond,
}

/// Spec 5.6: `end_balance_delta = B_H(scenario) − B_H(base)` and the
/// scenario's lowest balance and gaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    pub end_balance_delta: Decimal,
    pub min_balance: Decimal,
    pub min_date: NaiveDate,
    pub gap_dates: Vec<NaiveDate>,
    pub first_gap_date: Option<NaiveDate>,
}

impl Impact {
    pub fn between(base: &Projection, scenario: &Projection) -> Self {
        Self {
            end_balance_delta: scenario.end_balance - base.end_balance,
            min_balance: scenario.gaps.min_balance,
            min_date: scenario.gaps.min_date,
            gap_dates: scenario.gaps.dates.clone(),
            first_gap_date: scenario.gaps.first,
        }
    }

    pub(crate) fn rounded(mut self, places: u32) -> Self {
        self.end_balance_delta = round(self.end_balance_delta, places);
        self.min_balance = round(self.min_balance, places);
        self
    }
}

/// Half away from zero to `places` (spec 0.3).
pub(crate) fn round(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// `value` with exactly `places` decimals, for text.
pub(crate) fn money_text(value: Decimal, places: u32) -> String {
    let mut rounded = round(value, places);
    rounded.rescale(places);
    rounded.to_string()
}

pub(crate) fn rounded_flow(flow: &Flow, places: u32) -> Flow {
    Flow {
        receivables: round(flow.receivables, places),
        payables: round(flow.payables, places),
        pipeline: round(flow.pipeline, places),
        recurring: round(flow.recurring, places),
        orders: round(flow.orders, places),
        adjustments: round(flow.adjustments, places),
        net: round(flow.net, places),
    }
}

pub(crate) fn rounded_points(points: &[Point], places: u32) -> Vec<Point> {
    points
        .iter()
        .map(|p| Point {
            date: p.date,
            balance: round(p.balance, places),
            low: round(p.low, places),
            high: round(p.high, places),
            flow: rounded_flow(&p.flow, places),
        })
        .collect()
}

/// A deterministic digest for the model.
pub fn summary(data: &ForecastData, company: &str, places: u32) -> String {
    let m = |v: Decimal| format!("{} {}", money_text(v, places), data.currency);
    let end = data.points.last();
    let mut text = format!(
        "{company}: cash forecast from {} over {} days. Opening {}",
        data.as_of,
        data.horizon_days,
        m(data.opening_balance)
    );
    if let Some(end) = end {
        text.push_str(&format!(
            ", end {} (range {} to {})",
            m(end.balance),
            money_text(end.low, places),
            money_text(end.high, places)
        ));
    }
    let t = &data.totals;
    text.push_str(&format!(
        ". Receivables {}, payables {}, pipeline {}, recurring {}, orders {}.",
        money_text(t.receivables, places),
        money_text(t.payables, places),
        money_text(t.pipeline, places),
        money_text(t.recurring, places),
        money_text(t.orders, places)
    ));
    text.push_str(&format!(
        " Lowest {} on {}.",
        m(data.gaps.min_balance),
        data.gaps.min_date
    ));
    match data.gaps.first {
        Some(first) => text.push_str(&format!(
            " Cash gap below {}: first on {first}, {} days.",
            money_text(data.assumptions.threshold, places),
            data.gaps.dates.len()
        )),
        None => text.push_str(" No cash gap."),
    }
    if let Some(impact) = &data.impact {
        text.push_str(&format!(
            " Scenario: end balance {:+}, lowest {} on {}",
            round(impact.end_balance_delta, places),
            m(impact.min_balance),
            impact.min_date
        ));
        match impact.first_gap_date {
            Some(first) => text.push_str(&format!(", first gap {first}.")),
            None => text.push_str(", no gap."),
        }
    }
    text
}
