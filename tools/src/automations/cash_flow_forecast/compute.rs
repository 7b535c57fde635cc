//! The pure forecast (spec 5.3–5.4): the facts read from Odoo (a
//! [`Snapshot`]) become dated flow items, and the items a day-by-day
//! balance with its band and cash gaps. No I/O; every amount is an exact
//! decimal in company currency, signed (inflows positive).

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::recurring::{Detection, RecurringSeries, detect, occurrences};

/// One point per day, or per week ending on Sunday.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    #[default]
    Day,
    Week,
}

/// Where a flow item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An open customer invoice or credit note.
    Receivable,
    /// An open vendor bill or refund.
    Payable,
    /// An open opportunity, weighted by its probability.
    Pipeline,
    /// A future occurrence of a recurring vendor bill.
    Recurring,
    /// A confirmed sales order not yet invoiced.
    SalesOrder,
    /// A confirmed purchase order not yet billed.
    PurchaseOrder,
    /// A `one_off` item of a scenario.
    Adjustment,
}

/// An Odoo record a figure comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordRef {
    pub model: String,
    pub id: i64,
    pub name: String,
}

impl RecordRef {
    pub fn new(model: &str, id: i64, name: impl Into<String>) -> Self {
        Self {
            model: model.to_owned(),
            id,
            name: name.into(),
        }
    }
}

/// A customer or vendor (its commercial partner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerRef {
    pub id: i64,
    pub name: String,
}

/// One expected movement of cash (spec 5.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowItem {
    pub source: Source,
    /// The record behind the item; `None` for scenario items.
    #[serde(rename = "ref")]
    pub reference: Option<RecordRef>,
    pub partner: Option<PartnerRef>,
    /// Signed, company currency, after probability and haircut.
    pub amount: Decimal,
    /// The date the document states (due date, deadline, order date).
    pub original_date: NaiveDate,
    /// The day the cash is expected.
    pub expected_date: NaiveDate,
    /// Percent, 100 for documents.
    pub probability: Decimal,
    /// Free text of scenario items and recurring occurrences.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// An open invoice or bill: its residual, signed in company currency.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenDocument {
    pub reference: RecordRef,
    pub partner: Option<PartnerRef>,
    pub amount: Decimal,
    pub due: Option<NaiveDate>,
}

/// An open opportunity (`crm.lead`, type opportunity).
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub reference: RecordRef,
    pub partner: Option<PartnerRef>,
    pub expected_revenue: Decimal,
    /// Percent.
    pub probability: Decimal,
    pub deadline: Option<NaiveDate>,
}

/// A posted vendor bill of the recurring window.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorBill {
    pub reference: RecordRef,
    pub vendor: PartnerRef,
    pub bill_date: NaiveDate,
    pub due: Option<NaiveDate>,
    /// Absolute `amount_total_signed`.
    pub total: Decimal,
}

/// A confirmed order's part still to invoice, signed, company currency.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenOrder {
    pub reference: RecordRef,
    pub partner: Option<PartnerRef>,
    pub amount: Decimal,
    /// Order date (sales) or planned date (purchases).
    pub date: NaiveDate,
}

/// Everything the forecast reads from Odoo, once; scenarios work on copies
/// of the items built from it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub opening_balance: Decimal,
    pub receivables: Vec<OpenDocument>,
    pub payables: Vec<OpenDocument>,
    /// Days late (payment date − due date) of each paid invoice of the
    /// look-back, per customer id.
    pub days_late: BTreeMap<i64, Vec<i64>>,
    pub opportunities: Vec<Opportunity>,
    pub vendor_bills: Vec<VendorBill>,
    pub sales_orders: Vec<OpenOrder>,
    pub purchase_orders: Vec<OpenOrder>,
}

/// How items are dated (spec 5.1 and configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct Assumptions {
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    pub payment_lag_days: u32,
    pub overdue_lag_days: u32,
    pub doubtful_factor: Decimal,
    pub doubtful_after_days: i64,
    pub max_lateness_days: i64,
    pub recurring_overlap_days: i64,
    pub include_pipeline: bool,
    pub include_recurring: bool,
}

/// What is overdue at as_of, and what the doubtful haircut removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Overdue {
    /// Receivables whose expected date had passed, moved to as_of +
    /// overdue_lag_days (after the haircut).
    pub receivables: Decimal,
    /// Payables past due, moved to as_of + 1.
    pub payables: Decimal,
    /// The part of receivables more than 90 days overdue left out by
    /// `doubtful_factor`.
    pub doubtful_excluded: Decimal,
}

/// The dated items of a snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flows {
    pub items: Vec<FlowItem>,
    pub overdue: Overdue,
    /// Vendors whose bills recur, with their cadence.
    pub recurring: Vec<RecurringSeries>,
}

/// Dates every item of `snapshot` (spec 5.3).
pub fn flow_items(snapshot: &Snapshot, a: &Assumptions) -> Flows {
    let mut flows = Flows::default();
    let day = |n: u32| a.as_of + Days::new(u64::from(n));
    for doc in &snapshot.receivables {
        let original = doc.due.unwrap_or_else(|| day(30));
        let late = doc
            .partner
            .as_ref()
            .and_then(|p| snapshot.days_late.get(&p.id))
            .and_then(|days| median_days(days))
            .unwrap_or(0)
            .clamp(0, a.max_lateness_days);
        let mut expected = add_days(original, late);
        let mut amount = doc.amount;
        if expected <= a.as_of {
            expected = day(a.overdue_lag_days);
            if (a.as_of - original).num_days() > a.doubtful_after_days {
                let kept = amount * a.doubtful_factor;
                flows.overdue.doubtful_excluded += amount - kept;
                amount = kept;
            }
            flows.overdue.receivables += amount;
        }
        flows.items.push(FlowItem {
            source: Source::Receivable,
            reference: Some(doc.reference.clone()),
            partner: doc.partner.clone(),
            amount,
            original_date: original,
            expected_date: expected,
            probability: Decimal::ONE_HUNDRED,
            label: None,
        });
    }
    for doc in &snapshot.payables {
        let original = doc.due.unwrap_or_else(|| day(0));
        let expected = if original <= a.as_of {
            flows.overdue.payables += doc.amount;
            day(1)
        } else {
            original
        };
        flows.items.push(FlowItem {
            source: Source::Payable,
            reference: Some(doc.reference.clone()),
            partner: doc.partner.clone(),
            amount: doc.amount,
            original_date: original,
            expected_date: expected,
            probability: Decimal::ONE_HUNDRED,
            label: None,
        });
    }
    if a.include_pipeline {
        for lead in &snapshot.opportunities {
            if lead.probability <= Decimal::ZERO || lead.probability >= Decimal::ONE_HUNDRED {
                continue;
            }
            let original = lead.deadline.unwrap_or_else(|| day(60));
            let start = original.max(a.as_of);
            flows.items.push(FlowItem {
                source: Source::Pipeline,
                reference: Some(lead.reference.clone()),
                partner: lead.partner.clone(),
                amount: lead.expected_revenue * lead.probability / Decimal::ONE_HUNDRED,
                original_date: original,
                expected_date: start + Days::new(u64::from(a.payment_lag_days)),
                probability: lead.probability,
                label: None,
            });
        }
    }
    for (source, orders) in [
        (Source::SalesOrder, &snapshot.sales_orders),
        (Source::PurchaseOrder, &snapshot.purchase_orders),
    ] {
        for order in orders {
            // Invoiced on delivery at the earliest, then paid after the lag.
            let start = order.date.max(a.as_of);
            flows.items.push(FlowItem {
                source,
                reference: Some(order.reference.clone()),
                partner: order.partner.clone(),
                amount: order.amount,
                original_date: order.date,
                expected_date: start + Days::new(u64::from(a.payment_lag_days)),
                probability: Decimal::ONE_HUNDRED,
                label: None,
            });
        }
    }
    if a.include_recurring {
        recurring_items(snapshot, a, &mut flows);
    }
    flows
}

/// Occurrences of every recurring vendor within the horizon, except those
/// an open bill of the vendor already covers.
fn recurring_items(snapshot: &Snapshot, a: &Assumptions, flows: &mut Flows) {
    let mut by_vendor: BTreeMap<i64, Vec<&VendorBill>> = BTreeMap::new();
    for bill in &snapshot.vendor_bills {
        by_vendor.entry(bill.vendor.id).or_default().push(bill);
    }
    let end = a.as_of + Days::new(u64::from(a.horizon_days));
    for bills in by_vendor.values() {
        let Detection::Recurring(mut series) = detect(bills) else {
            continue;
        };
        let open_dues: Vec<NaiveDate> = snapshot
            .payables
            .iter()
            .filter(|p| p.partner.as_ref().map(|v| v.id) == Some(series.vendor.id))
            .filter_map(|p| p.due)
            .collect();
        for (bill_date, due) in occurrences(&series, a.as_of, end) {
            let covered = open_dues
                .iter()
                .any(|open| (*open - due).num_days().abs() <= a.recurring_overlap_days);
            if covered {
                series.skipped += 1;
                continue;
            }
            series.occurrences += 1;
            flows.items.push(FlowItem {
                source: Source::Recurring,
                reference: Some(series.last_bill.clone()),
                partner: Some(series.vendor.clone()),
                amount: -series.mean,
                original_date: bill_date,
                expected_date: due,
                probability: Decimal::ONE_HUNDRED,
                label: Some(format!(
                    "{} bill of {} expected on {bill_date}",
                    series.cadence.as_str(),
                    series.vendor.name
                )),
            });
        }
        flows.recurring.push(series);
    }
}

/// The band and gap settings of a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionParams {
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    pub band_width: Decimal,
    pub threshold: Decimal,
    pub granularity: Granularity,
}

/// The flow of one point, by source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Flow {
    pub receivables: Decimal,
    pub payables: Decimal,
    pub pipeline: Decimal,
    pub recurring: Decimal,
    /// Sales orders (in) and purchase orders (out) not yet invoiced.
    pub orders: Decimal,
    pub adjustments: Decimal,
    pub net: Decimal,
}

impl Flow {
    fn add(&mut self, source: Source, amount: Decimal) {
        let slot = match source {
            Source::Receivable => &mut self.receivables,
            Source::Payable => &mut self.payables,
            Source::Pipeline => &mut self.pipeline,
            Source::Recurring => &mut self.recurring,
            Source::SalesOrder | Source::PurchaseOrder => &mut self.orders,
            Source::Adjustment => &mut self.adjustments,
        };
        *slot += amount;
        self.net += amount;
    }

    fn merge(&mut self, other: &Flow) {
        self.receivables += other.receivables;
        self.payables += other.payables;
        self.pipeline += other.pipeline;
        self.recurring += other.recurring;
        self.orders += other.orders;
        self.adjustments += other.adjustments;
        self.net += other.net;
    }
}

/// One point of the projection: the balance at the end of `date` and the
/// flows of the day (or of the week ending on `date`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub date: NaiveDate,
    pub balance: Decimal,
    pub low: Decimal,
    pub high: Decimal,
    #[serde(flatten)]
    pub flow: Flow,
}

/// Days below the threshold and the lowest balance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gaps {
    pub dates: Vec<NaiveDate>,
    pub first: Option<NaiveDate>,
    pub min_balance: Decimal,
    /// The first day the lowest balance is reached.
    pub min_date: NaiveDate,
}

/// Items expected after the horizon.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Beyond {
    pub count: usize,
    pub amount: Decimal,
}

/// A projected balance of one day, whatever the granularity.
#[derive(Debug, Clone, PartialEq)]
pub struct DayBalance {
    pub date: NaiveDate,
    pub balance: Decimal,
    pub low: Decimal,
    pub high: Decimal,
}

/// The balance over the horizon (spec 5.4).
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub points: Vec<Point>,
    pub days: Vec<DayBalance>,
    pub totals: Flow,
    pub gaps: Gaps,
    pub beyond_horizon: Beyond,
    pub end_balance: Decimal,
}

/// `B_t = B_{t−1} + Σ amounts dated t`, `u_t = band_width × t/H ×
/// max(|B_t|, G_t)` with `G_t` the gross flow so far, gaps below the
/// threshold. Items dated on or before as_of never occur here (the dating
/// rules move them after it); were one given, it would count on day 1.
pub fn project(opening: Decimal, items: &[FlowItem], p: &ProjectionParams) -> Projection {
    let horizon = p.horizon_days.max(1);
    let h = i64::from(horizon);
    let mut per_day = vec![Flow::default(); horizon as usize];
    let mut gross = vec![Decimal::ZERO; horizon as usize];
    let mut beyond = Beyond::default();
    let mut totals = Flow::default();
    for item in items {
        let t = (item.expected_date - p.as_of).num_days().max(1);
        if t > h {
            beyond.count += 1;
            beyond.amount += item.amount;
            continue;
        }
        let index = (t - 1) as usize;
        per_day[index].add(item.source, item.amount);
        gross[index] += item.amount.abs();
        totals.add(item.source, item.amount);
    }
    let horizon_dec = Decimal::from(horizon);
    let mut balance = opening;
    let mut gross_so_far = Decimal::ZERO;
    let mut days = Vec::with_capacity(horizon as usize);
    let mut points = Vec::new();
    let mut week = Flow::default();
    let mut gap_dates = Vec::new();
    let mut min = (Decimal::MAX, p.as_of);
    for (index, flow) in per_day.iter().enumerate() {
        let t = index as u32 + 1;
        let date = p.as_of + Days::new(u64::from(t));
        balance += flow.net;
        gross_so_far += gross[index];
        let spread =
            p.band_width * Decimal::from(t) / horizon_dec * balance.abs().max(gross_so_far);
        let day = DayBalance {
            date,
            balance,
            low: balance - spread,
            high: balance + spread,
        };
        if balance < p.threshold {
            gap_dates.push(date);
        }
        if balance < min.0 {
            min = (balance, date);
        }
        let ends_point = match p.granularity {
            Granularity::Day => true,
            Granularity::Week => date.weekday() == Weekday::Sun || t == horizon,
        };
        week.merge(flow);
        if ends_point {
            points.push(Point {
                date,
                balance,
                low: day.low,
                high: day.high,
                flow: std::mem::take(&mut week),
            });
        }
        days.push(day);
    }
    Projection {
        points,
        days,
        totals,
        gaps: Gaps {
            first: gap_dates.first().copied(),
            dates: gap_dates,
            min_balance: min.0,
            min_date: min.1,
        },
        beyond_horizon: beyond,
        end_balance: balance,
    }
}

/// The median of whole days, halves rounded away from zero.
pub(crate) fn median_days(days: &[i64]) -> Option<i64> {
    if days.is_empty() {
        return None;
    }
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        return Some(sorted[mid]);
    }
    let sum = sorted[mid - 1] + sorted[mid];
    Some(if sum >= 0 {
        (sum + 1) / 2
    } else {
        (sum - 1) / 2
    })
}

pub(crate) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        date + Days::new(days.unsigned_abs())
    } else {
        date - Days::new(days.unsigned_abs())
    }
}

#[cfg(test)]
#[path = "compute_tests.rs"]
mod tests;
