//! The credit assessment of spec 3.3 and 3.4 as a pure function: typed
//! facts about one customer in, scores, exposure, limit and verdict out.
//! Nothing here talks to Odoo, so every worked example of spec 3.6 is a
//! unit test.

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::config::{ScoringConfig, Weights};

/// What Odoo says about one commercial partner, in company currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartnerFacts {
    pub open: OpenItems,
    pub payments: PaymentFacts,
    /// Posted customer invoices (refunds excluded) dated in the volume window.
    pub recent_invoices: u64,
    pub orders: OrderFacts,
    /// Date of the first posted customer invoice.
    pub first_invoice: Option<NaiveDate>,
    /// The partner's creation date, the fallback start of the relationship.
    pub created: Option<NaiveDate>,
    pub limit: LimitFacts,
}

/// Open (not paid, partially paid) posted invoices and refunds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenItems {
    /// Σ `amount_residual_signed` of open invoices.
    pub invoices: Decimal,
    /// Σ `amount_residual_signed` of open refunds (zero or negative).
    pub refunds: Decimal,
    /// Residual of open invoices by days past due.
    pub past_due: PastDue,
    /// Earliest due date among open invoices.
    pub oldest_due: Option<NaiveDate>,
}

/// Open invoice residuals by days past their due date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PastDue {
    pub days_1_30: Decimal,
    pub days_31_60: Decimal,
    pub days_61_90: Decimal,
    pub over_90: Decimal,
}

impl PastDue {
    pub fn total(&self) -> Decimal {
        self.days_1_30 + self.days_31_60 + self.days_61_90 + self.over_90
    }
}

/// Customer invoices dated in the lookback window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaymentFacts {
    /// All posted customer invoices in the window.
    pub invoices: u64,
    /// Those paid or in payment.
    pub paid: u64,
    /// Due and payment dates of the paid ones that were read; paid invoices
    /// not listed (a truncated read) count as unknown.
    pub paid_dates: Vec<PaidInvoice>,
}

/// One paid invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaidInvoice {
    pub due: Option<NaiveDate>,
    /// The latest `max_date` of the reconciliations of its receivable line.
    pub paid_on: Option<NaiveDate>,
}

/// Confirmed sales orders with a part not yet invoiced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderFacts {
    /// Σ uninvoiced part, tax included.
    pub uninvoiced: Decimal,
    /// How many orders have an uninvoiced part.
    pub count: u64,
}

/// The credit-limit fields, `None` where the field does not exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LimitFacts {
    pub partner_limit: Option<Decimal>,
    /// `use_partner_credit_limit`.
    pub partner_switch: Option<bool>,
    /// `res.company.account_use_credit_limit`.
    pub company_enabled: Option<bool>,
    /// `res.company.account_default_credit_limit`.
    pub company_default: Option<Decimal>,
}

/// Risk band of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Low,
    Normal,
    Elevated,
    High,
    Critical,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::Elevated => "elevated",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// What to do with a new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allow,
    Warn,
    Block,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Warn => "warn",
            Self::Block => "block",
        }
    }
}

/// Where the credit limit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitSource {
    Partner,
    Company,
    None,
}

/// One score component: its value (0–100, rounded to 2 places for
/// display; the score uses the exact value) and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component<I> {
    pub value: Decimal,
    pub inputs: I,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentInputs {
    pub invoices: u64,
    pub paid: u64,
    /// On-time count, halves for invoices with an unknown date.
    pub on_time: Decimal,
    pub unknown_dates: u64,
    pub grace_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeInputs {
    pub recent_invoices: u64,
    pub open_orders: u64,
    pub n: u64,
    pub months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueInputs {
    /// `T`: open invoices minus open refunds.
    pub open_total: Decimal,
    pub overdue: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgeInputs {
    pub start: Option<NaiveDate>,
    /// `first_invoice`, `partner_created` or `unknown`.
    pub start_source: &'static str,
    pub days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Components {
    pub payment_history: Component<PaymentInputs>,
    pub order_volume: Component<VolumeInputs>,
    pub overdue_ratio: Component<OverdueInputs>,
    pub relationship_age: Component<AgeInputs>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exposure {
    /// `T`: open invoices minus open refunds.
    pub open_items: Decimal,
    pub uninvoiced_orders: Decimal,
    pub total: Decimal,
}

/// Past-due figures of open invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    pub amount: Decimal,
    pub max_days: i64,
    pub buckets: Buckets,
}

/// Open invoice residual by age; open refunds are in `Exposure` only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Buckets {
    pub not_due: Decimal,
    #[serde(flatten)]
    pub past_due: PastDue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderCheck {
    /// In company currency, tax included.
    pub amount: Decimal,
    pub new_exposure: Decimal,
}

/// Why the verdict is what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub text: String,
}

/// The whole assessment of one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub score: Decimal,
    pub band: Band,
    pub components: Components,
    pub weights: Weights,
    pub exposure: Exposure,
    pub overdue: Overdue,
    pub credit_limit: Option<Decimal>,
    pub limit_source: LimitSource,
    pub order: OrderCheck,
    pub hold_recommended: bool,
    pub verdict: Verdict,
    pub over_limit_by: Option<Decimal>,
    pub remaining_credit: Option<Decimal>,
    pub reasons: Vec<Reason>,
}

/// Scores `facts` as of `as_of` and decides on an order of `order_amount`
/// (company currency, tax included, not negative).
pub fn assess(
    facts: &PartnerFacts,
    order_amount: Decimal,
    as_of: NaiveDate,
    config: &ScoringConfig,
) -> Assessment {
    let components = Components {
        payment_history: payment_history(&facts.payments, config),
        order_volume: order_volume(facts, config),
        overdue_ratio: overdue_ratio(&facts.open),
        relationship_age: relationship_age(facts, as_of, config),
    };
    let w = &config.weights;
    let weighted = w.payment_history * components.payment_history.value
        + w.order_volume * components.order_volume.value
        + w.overdue_ratio * components.overdue_ratio.value
        + w.relationship_age * components.relationship_age.value;
    let score = round2(clamp(weighted));
    let band = band(score, config);
    let components = rounded(components);

    let open_items = facts.open.invoices + facts.open.refunds;
    let exposure = Exposure {
        open_items,
        uninvoiced_orders: facts.orders.uninvoiced,
        total: open_items + facts.orders.uninvoiced,
    };
    let past_due = facts.open.past_due.clone();
    let overdue_amount = past_due.total();
    let max_days = facts
        .open
        .oldest_due
        .map_or(0, |due| (as_of - due).num_days().max(0));
    let overdue = Overdue {
        amount: overdue_amount,
        max_days,
        buckets: Buckets {
            not_due: facts.open.invoices - overdue_amount,
            past_due,
        },
    };
    let (credit_limit, limit_source) = credit_limit(&facts.limit);
    let new_exposure = exposure.total + order_amount;
    let band_holds = matches!(band, Band::High | Band::Critical);
    let over_limit = credit_limit.is_some_and(|limit| exposure.total > limit);
    let hold_recommended = band_holds || over_limit;

    let mut reasons = Vec::new();
    let mut over_limit_by = None;
    let mut remaining_credit = None;
    let verdict = if hold_recommended {
        if band_holds {
            reasons.push(Reason {
                code: "RISK_BAND",
                text: format!("score {score} is in the {} band", band.as_str()),
            });
        }
        if let (true, Some(limit)) = (over_limit, credit_limit) {
            reasons.push(Reason {
                code: "EXPOSURE_OVER_LIMIT",
                text: format!(
                    "exposure {} already exceeds the credit limit {limit}",
                    exposure.total
                ),
            });
        }
        if let Some(limit) = credit_limit.filter(|limit| new_exposure > *limit) {
            over_limit_by = Some(new_exposure - limit);
        }
        Verdict::Block
    } else {
        match credit_limit {
            Some(limit) if new_exposure > limit => {
                over_limit_by = Some(new_exposure - limit);
                reasons.push(Reason {
                    code: "ORDER_OVER_LIMIT",
                    text: format!(
                        "exposure {} plus the order {order_amount} exceeds the credit limit \
                         {limit} by {}",
                        exposure.total,
                        new_exposure - limit
                    ),
                });
                Verdict::Block
            }
            Some(limit) if new_exposure >= config.warn_ratio * limit => {
                remaining_credit = Some(limit - new_exposure);
                reasons.push(Reason {
                    code: "NEAR_LIMIT",
                    text: format!(
                        "exposure with the order, {new_exposure}, reaches {}% of the credit \
                         limit {limit}",
                        round2(Decimal::ONE_HUNDRED * new_exposure / limit).normalize()
                    ),
                });
                Verdict::Warn
            }
            Some(limit) => {
                remaining_credit = Some(limit - new_exposure);
                reasons.push(Reason {
                    code: "WITHIN_LIMIT",
                    text: format!(
                        "score {score} ({}) and {} of credit left after the order",
                        band.as_str(),
                        limit - new_exposure
                    ),
                });
                Verdict::Allow
            }
            None => {
                reasons.push(Reason {
                    code: "NO_LIMIT",
                    text: format!(
                        "score {score} ({}) and no credit limit is set",
                        band.as_str()
                    ),
                });
                Verdict::Allow
            }
        }
    };
    if overdue_amount > Decimal::ZERO {
        reasons.push(Reason {
            code: "OVERDUE_ITEMS",
            text: format!("{overdue_amount} is past due, the oldest by {max_days} days"),
        });
    }
    Assessment {
        score,
        band,
        components,
        weights: config.weights.clone(),
        exposure,
        overdue,
        credit_limit,
        limit_source,
        order: OrderCheck {
            amount: order_amount,
            new_exposure,
        },
        hold_recommended,
        verdict,
        over_limit_by,
        remaining_credit,
        reasons,
    }
}

/// The band of a (rounded) score.
pub fn band(score: Decimal, config: &ScoringConfig) -> Band {
    let b = &config.bands;
    if score >= b.low {
        Band::Low
    } else if score >= b.normal {
        Band::Normal
    } else if score >= b.elevated {
        Band::Elevated
    } else if score >= b.high {
        Band::High
    } else {
        Band::Critical
    }
}

/// The effective limit: the partner's when set (and switched on where the
/// switch exists), else the company default when its feature is on; zero
/// means no limit, never an invented one.
pub fn credit_limit(facts: &LimitFacts) -> (Option<Decimal>, LimitSource) {
    let positive = |v: Option<Decimal>| v.filter(|v| *v > Decimal::ZERO);
    if facts.partner_switch != Some(false)
        && let Some(limit) = positive(facts.partner_limit)
    {
        return (Some(limit), LimitSource::Partner);
    }
    if facts.company_enabled == Some(true)
        && let Some(limit) = positive(facts.company_default)
    {
        return (Some(limit), LimitSource::Company);
    }
    (None, LimitSource::None)
}

/// Half away from zero to 2 places, as money and scores are shown.
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn clamp(value: Decimal) -> Decimal {
    value.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED)
}

fn payment_history(facts: &PaymentFacts, config: &ScoringConfig) -> Component<PaymentInputs> {
    let half = Decimal::new(5, 1);
    let grace = Days::new(u64::from(config.grace_days));
    let mut on_time = Decimal::ZERO;
    let mut unknown = 0_u64;
    for invoice in &facts.paid_dates {
        match (invoice.due, invoice.paid_on) {
            (Some(due), Some(paid_on)) => {
                if due.checked_add_days(grace).is_none_or(|end| paid_on <= end) {
                    on_time += Decimal::ONE;
                }
            }
            _ => {
                on_time += half;
                unknown += 1;
            }
        }
    }
    // Paid invoices whose dates were not read count as unknown too.
    let unread = facts.paid.saturating_sub(facts.paid_dates.len() as u64);
    on_time += half * Decimal::from(unread);
    unknown += unread;
    let value = if facts.invoices == 0 {
        config.payment_no_invoices
    } else if facts.paid == 0 {
        config.payment_none_paid
    } else {
        clamp(Decimal::ONE_HUNDRED * on_time / Decimal::from(facts.paid))
    };
    Component {
        value,
        inputs: PaymentInputs {
            invoices: facts.invoices,
            paid: facts.paid,
            on_time,
            unknown_dates: unknown,
            grace_days: config.grace_days,
        },
    }
}

fn order_volume(facts: &PartnerFacts, config: &ScoringConfig) -> Component<VolumeInputs> {
    let n = facts.recent_invoices + facts.orders.count;
    let value = if n == 0 {
        config.volume_none
    } else {
        config.volume.value(n)
    };
    Component {
        value,
        inputs: VolumeInputs {
            recent_invoices: facts.recent_invoices,
            open_orders: facts.orders.count,
            n,
            months: config.volume_months,
        },
    }
}

fn overdue_ratio(open: &OpenItems) -> Component<OverdueInputs> {
    let total = open.invoices + open.refunds;
    let overdue = open.past_due.total();
    let value = if total <= Decimal::ZERO {
        Decimal::ONE_HUNDRED
    } else {
        clamp(Decimal::ONE_HUNDRED * (Decimal::ONE - overdue / total))
    };
    Component {
        value,
        inputs: OverdueInputs {
            open_total: total,
            overdue,
        },
    }
}

fn relationship_age(
    facts: &PartnerFacts,
    as_of: NaiveDate,
    config: &ScoringConfig,
) -> Component<AgeInputs> {
    let (start, source) = match (facts.first_invoice, facts.created) {
        (Some(first), _) => (Some(first), "first_invoice"),
        (None, Some(created)) => (Some(created), "partner_created"),
        (None, None) => (None, "unknown"),
    };
    let days = start.map(|start| (as_of - start).num_days().max(0));
    let value = days.map_or(config.age_unknown, |d| {
        config.age.value(u64::try_from(d).unwrap_or(0))
    });
    Component {
        value,
        inputs: AgeInputs {
            start,
            start_source: source,
            days,
        },
    }
}

fn rounded(mut c: Components) -> Components {
    c.payment_history.value = round2(c.payment_history.value);
    c.order_volume.value = round2(c.order_volume.value);
    c.overdue_ratio.value = round2(c.overdue_ratio.value);
    c.relationship_age.value = round2(c.relationship_age.value);
    c
}

#[cfg(test)]
#[path = "compute_tests.rs"]
mod tests;
