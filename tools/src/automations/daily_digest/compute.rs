//! From the figures read to the digest: metrics with their change since
//! the previous digest (spec 7.3), attention items in their deterministic
//! order (7.4) and the template narrative (7.5). No I/O.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::args::DigestRole;
use super::closes::CloseStatus;
use super::output::{Attention, CashForecast, Link, Metric, Priority, TopItem, Unit};
use crate::automations::narrative::NarrativeText;

/// A count and a total computed by Odoo.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: u64,
    /// Company currency, signed (payables negative, spec 0.3).
    pub total: Decimal,
}

/// The CFO's figures (spec 7.2) from Odoo.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CfoFigures {
    pub overdue_receivables: Tally,
    /// The 10 largest, largest first.
    pub top_receivables: Vec<TopItem>,
    pub open_payables: Tally,
    pub overdue_payables: Tally,
    /// The 10 largest overdue bills.
    pub top_overdue_payables: Vec<TopItem>,
    pub payables_due_7d: Tally,
    /// Σ balance of the bank and cash journals' accounts up to the day.
    pub cash_position: Decimal,
    /// Those journals: what a cash gap item links to.
    pub cash_journals: Vec<Link>,
    /// The company's form, where its lock dates are set: what a late
    /// closing item links to.
    pub company: Option<Link>,
    /// Proposals awaiting approval and the age of the oldest in hours;
    /// `None` without a source.
    pub pending_approvals: Option<(u64, i64)>,
    /// The records the waiting proposals would change.
    pub approval_targets: Vec<Link>,
    /// The latest stored forecast and its first cash gap on or after the
    /// day; `None` without a source or a stored forecast.
    pub cash_forecast: Option<CashForecast>,
    /// The closings of the previous and the current month that exist.
    pub close_status: Vec<CloseStatus>,
}

/// The sales manager's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesFigures {
    /// Open opportunities: count and Σ expected revenue.
    pub pipeline: Tally,
    /// Σ expected revenue × probability / 100.
    pub pipeline_weighted: Decimal,
    pub at_risk: Tally,
    pub top_at_risk: Vec<TopItem>,
    pub won_7d: Tally,
    pub lost_7d: Tally,
    pub top_lost: Vec<TopItem>,
    pub overdue_activities: u64,
    /// Overdue activities per salesperson, most first.
    pub activities_by_user: Vec<(String, u64)>,
    /// The opportunities of the oldest overdue activities.
    pub activity_leads: Vec<TopItem>,
}

/// The warehouse manager's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarehouseFigures {
    pub out_of_stock: u64,
    pub top_out_of_stock: Vec<TopItem>,
    pub below_reorder: u64,
    /// Largest shortfall first.
    pub top_below_reorder: Vec<TopItem>,
    pub deliveries_today: u64,
    pub deliveries_late: u64,
    /// The 10 oldest.
    pub oldest_late_deliveries: Vec<TopItem>,
    pub receipts_pending: u64,
    pub receipts_late: u64,
    pub oldest_late_receipts: Vec<TopItem>,
}

/// A role's figures; a section is `None` when its module is missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Figures {
    Cfo(Option<CfoFigures>),
    Sales(Option<SalesFigures>),
    Warehouse(Option<WarehouseFigures>),
}

/// Readiness below this for last month's closing early in a month needs
/// attention (spec 7.4).
const READINESS_ATTENTION: u32 = 70;
/// "During the first 10 days of a month".
const CLOSING_DAYS: u32 = 10;
/// A forecast gap this many days away or fewer is urgent.
const GAP_ATTENTION_DAYS: i64 = 30;

/// The metrics of `figures`, in a fixed order, without change yet. `day`
/// is the digest's date.
pub fn metrics(figures: &Figures, day: NaiveDate, currency: &str, places: u32) -> Vec<Metric> {
    let money = |key: &str, label: &str, value: Decimal| {
        Metric::new(key, label, value, Unit::Money, Some(currency), places)
    };
    let count = |key: &str, label: &str, value: u64| {
        Metric::new(key, label, Decimal::from(value), Unit::Count, None, places)
    };
    match figures {
        Figures::Cfo(None) | Figures::Sales(None) | Figures::Warehouse(None) => Vec::new(),
        Figures::Cfo(Some(f)) => vec![
            count(
                "overdue_receivables_count",
                "Overdue customer invoices",
                f.overdue_receivables.count,
            ),
            money(
                "overdue_receivables_total",
                "Overdue receivables",
                f.overdue_receivables.total,
            ),
            count(
                "open_payables_count",
                "Open vendor bills",
                f.open_payables.count,
            ),
            money(
                "open_payables_total",
                "Open payables",
                f.open_payables.total,
            ),
            count(
                "overdue_payables_count",
                "Overdue vendor bills",
                f.overdue_payables.count,
            ),
            money(
                "overdue_payables_total",
                "Overdue payables",
                f.overdue_payables.total,
            ),
            count(
                "payables_due_7d_count",
                "Vendor bills due within 7 days",
                f.payables_due_7d.count,
            ),
            money(
                "payables_due_7d_total",
                "Payables due within 7 days",
                f.payables_due_7d.total,
            ),
            money("cash_position", "Cash position", f.cash_position),
        ]
        .into_iter()
        .chain(
            f.pending_approvals
                .map(|(n, _)| count("pending_approvals", "Proposals awaiting approval", n)),
        )
        .chain(f.cash_forecast.as_ref().and_then(|c| {
            let gap = c.first_gap_date?;
            let mut metric = Metric::new(
                "cash_first_gap_days",
                "Days until the forecast's first cash gap",
                Decimal::from((gap - day).num_days()),
                Unit::Count,
                None,
                places,
            );
            metric.display = format!("{} ({gap})", metric.display);
            Some(metric)
        }))
        .chain(f.close_status.iter().flat_map(|c| {
            let which = if c.period == period_of(day) {
                "current"
            } else {
                "previous"
            };
            [
                Metric::new(
                    &format!("close_readiness_{which}"),
                    &format!("Closing {} readiness", c.period),
                    Decimal::from(c.readiness),
                    Unit::Percent,
                    None,
                    places,
                ),
                count(
                    &format!("close_open_checks_{which}"),
                    &format!("Closing {} open checks", c.period),
                    c.open_checks.len() as u64,
                ),
            ]
        }))
        .collect(),
        Figures::Sales(Some(f)) => vec![
            count("pipeline_count", "Open opportunities", f.pipeline.count),
            money("pipeline_value", "Pipeline value", f.pipeline.total),
            money(
                "pipeline_weighted",
                "Weighted pipeline",
                f.pipeline_weighted,
            ),
            count(
                "at_risk_count",
                "Opportunities past their deadline",
                f.at_risk.count,
            ),
            money("at_risk_value", "Value at risk", f.at_risk.total),
            count("won_7d_count", "Won in the last 7 days", f.won_7d.count),
            money(
                "won_7d_value",
                "Value won in the last 7 days",
                f.won_7d.total,
            ),
            count("lost_7d_count", "Lost in the last 7 days", f.lost_7d.count),
            money(
                "lost_7d_value",
                "Value lost in the last 7 days",
                f.lost_7d.total,
            ),
            count(
                "overdue_activities",
                "Overdue activities",
                f.overdue_activities,
            ),
        ],
        Figures::Warehouse(Some(f)) => vec![
            count("out_of_stock", "Products out of stock", f.out_of_stock),
            count(
                "below_reorder",
                "Reordering rules below minimum",
                f.below_reorder,
            ),
            count(
                "deliveries_today",
                "Deliveries due today",
                f.deliveries_today,
            ),
            count("deliveries_late", "Late deliveries", f.deliveries_late),
            count("receipts_pending", "Receipts pending", f.receipts_pending),
            count("receipts_late", "Late receipts", f.receipts_late),
        ],
    }
}

/// Sets each metric's `previous` and `change_pct` from the previous
/// digest: `(value − previous) / |previous| × 100`, one decimal; none when
/// there was no previous value or it was zero.
pub fn with_change(metrics: &mut [Metric], previous: Option<&BTreeMap<String, Decimal>>) {
    for metric in metrics {
        let before = previous.and_then(|p| p.get(&metric.key)).copied();
        metric.previous = before;
        metric.change_pct = before.filter(|p| !p.is_zero()).map(|p| {
            ((metric.value - p) / p.abs() * Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        });
    }
}

/// `YYYY-MM` of `day`.
pub fn period_of(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// `YYYY-MM` of the month before `day`'s.
pub fn previous_period(day: NaiveDate) -> String {
    let first = day.with_day(1).unwrap_or(day);
    period_of(first.pred_opt().unwrap_or(first))
}

/// The attention items of spec 7.4, ordered by priority, then amount
/// (largest first), then the rule order below. `day` is the digest's date.
pub fn attention(figures: &Figures, day: NaiveDate, currency: &str, places: u32) -> Vec<Attention> {
    let show = |amount: Decimal| format!("{} {currency}", display_amount(amount, places));
    let mut items = Vec::new();
    match figures {
        Figures::Cfo(None) | Figures::Sales(None) | Figures::Warehouse(None) => {}
        Figures::Cfo(Some(f)) => {
            let r = f.overdue_receivables;
            if r.count > 0 {
                items.push(Attention::new(
                    Priority::High,
                    format!(
                        "{} overdue customer invoices, total {}",
                        r.count,
                        show(r.total)
                    ),
                    "Largest first; chase payment or agree a plan.".to_owned(),
                    Some(r.total.abs()),
                    &f.top_receivables,
                ));
            }
            let soon = f.cash_forecast.as_ref().and_then(|c| {
                let gap = c.first_gap_date?;
                let days = (gap - day).num_days();
                (days <= GAP_ATTENTION_DAYS).then_some((c, gap, days))
            });
            if let Some((forecast, gap, days)) = soon {
                items.push(
                    Attention::new(
                        Priority::High,
                        format!("Cash gap forecast on {gap}, in {days} days"),
                        format!(
                            "The forecast of {} drops below its threshold of {} on {gap}.",
                            forecast.forecast_as_of,
                            show(forecast.threshold)
                        ),
                        None,
                        &[],
                    )
                    .with_links(&f.cash_journals),
                );
            }
            let p = f.overdue_payables;
            if p.count > 0 {
                items.push(Attention::new(
                    Priority::Medium,
                    format!("{} overdue vendor bills, total {}", p.count, show(p.total)),
                    "Past their due date and still unpaid.".to_owned(),
                    Some(p.total.abs()),
                    &f.top_overdue_payables,
                ));
            }
            if let Some((n, hours)) = f.pending_approvals.filter(|(n, h)| *n > 0 && *h > 48) {
                items.push(
                    Attention::new(
                        Priority::Medium,
                        format!("{n} proposals awaiting approval, the oldest for {hours} hours"),
                        "Approve or reject them before they expire.".to_owned(),
                        None,
                        &[],
                    )
                    .with_links(&f.approval_targets),
                );
            }
            let previous = previous_period(day);
            let late_close = f.close_status.iter().find(|c| {
                c.period == previous
                    && c.readiness < READINESS_ATTENTION
                    && day.day() <= CLOSING_DAYS
            });
            if let Some(close) = late_close {
                let open = if close.open_checks.is_empty() {
                    "none".to_owned()
                } else {
                    close.open_checks.join(", ")
                };
                items.push(
                    Attention::new(
                        Priority::Medium,
                        format!("Closing of {} is {}% ready", close.period, close.readiness),
                        format!("Open checks: {open}."),
                        None,
                        &[],
                    )
                    .with_links(f.company.as_slice()),
                );
            }
        }
        Figures::Sales(Some(f)) => {
            if f.at_risk.count > 0 {
                items.push(Attention::new(
                    Priority::High,
                    format!(
                        "{} opportunities past their expected closing, value {}",
                        f.at_risk.count,
                        show(f.at_risk.total)
                    ),
                    "Update the deadline or the stage.".to_owned(),
                    Some(f.at_risk.total.abs()),
                    &f.top_at_risk,
                ));
            }
            if f.overdue_activities > 0 {
                let per_user: Vec<String> = f
                    .activities_by_user
                    .iter()
                    .map(|(name, n)| format!("{name}: {n}"))
                    .collect();
                items.push(Attention::new(
                    Priority::Medium,
                    format!(
                        "{} overdue activities on opportunities",
                        f.overdue_activities
                    ),
                    format!("Per salesperson: {}.", per_user.join(", ")),
                    None,
                    &f.activity_leads,
                ));
            }
            if f.lost_7d.total > f.won_7d.total {
                items.push(Attention::new(
                    Priority::Low,
                    format!(
                        "Lost {} in the last 7 days, more than the {} won",
                        show(f.lost_7d.total),
                        show(f.won_7d.total)
                    ),
                    format!("{} deals lost, {} won.", f.lost_7d.count, f.won_7d.count),
                    Some(f.lost_7d.total),
                    &f.top_lost,
                ));
            }
        }
        Figures::Warehouse(Some(f)) => {
            if f.deliveries_late > 0 {
                items.push(Attention::new(
                    Priority::High,
                    format!("{} late deliveries", f.deliveries_late),
                    "Open deliveries scheduled before today; oldest first.".to_owned(),
                    None,
                    &f.oldest_late_deliveries,
                ));
            }
            if f.out_of_stock > 0 {
                let priority = if f.out_of_stock > 5 {
                    Priority::High
                } else {
                    Priority::Medium
                };
                items.push(Attention::new(
                    priority,
                    format!("{} products out of stock", f.out_of_stock),
                    "Stock-tracked products with nothing on hand.".to_owned(),
                    None,
                    &f.top_out_of_stock,
                ));
            }
            if f.receipts_late > 0 {
                items.push(Attention::new(
                    Priority::Medium,
                    format!("{} late receipts", f.receipts_late),
                    "Open receipts scheduled before today; oldest first.".to_owned(),
                    None,
                    &f.oldest_late_receipts,
                ));
            }
            if f.below_reorder > 0 {
                items.push(Attention::new(
                    Priority::Medium,
                    format!("{} reordering rules below their minimum", f.below_reorder),
                    "Forecast below the rule's minimum; largest shortfall first.".to_owned(),
                    None,
                    &f.top_below_reorder,
                ));
            }
        }
    }
    // Stable: equal priority and amount keep the rule order.
    items.sort_by(|a, b| {
        a.priority.cmp(&b.priority).then(
            b.amount
                .unwrap_or(Decimal::MIN)
                .cmp(&a.amount.unwrap_or(Decimal::MIN)),
        )
    });
    items
}

/// The narrative when no model writes one (spec 7.5): "<Role title>
/// briefing — <date>" and the top three attention items.
pub fn template(role: DigestRole, date: NaiveDate, attention: &[Attention]) -> NarrativeText {
    let headline = format!("{} briefing — {date}", role.title());
    let summary = match attention {
        [] => "Nothing needs attention today. The key figures are below.".to_owned(),
        items => {
            let top: Vec<&str> = items.iter().take(3).map(|a| a.title.as_str()).collect();
            let noun = if items.len() == 1 {
                "item needs"
            } else {
                "items need"
            };
            format!("{} {noun} attention. Top: {}.", items.len(), top.join("; "))
        }
    };
    NarrativeText { headline, summary }
}

/// `1234567.891` as `1,234,567.89` (half away from zero), `-` for negatives.
pub fn display_amount(amount: Decimal, places: u32) -> String {
    let rounded = amount.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", places as usize, rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
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
