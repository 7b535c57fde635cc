//! What `credit_check` returns inside the envelope (spec 3.5, 3.7): the
//! assessment, the facts a hold proposal needs, links to the Odoo records
//! cited, and the deterministic summary the model reads.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use url::Url;

use super::compute::{Assessment, Band, LimitSource, Verdict};

/// The payload of either mode, tagged by `mode`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum CreditData {
    Partner(Box<PartnerCredit>),
    Portfolio(PortfolioCredit),
}

/// One customer's credit check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerCredit {
    pub partner: PartnerRef,
    pub as_of: NaiveDate,
    pub lookback_months: u32,
    /// Company currency, the currency of every amount below.
    pub currency: String,
    /// The order as asked, before conversion.
    pub order_input: OrderInput,
    #[serde(flatten)]
    pub assessment: Assessment,
    pub hold: HoldFacts,
    pub links: Vec<Link>,
}

/// The partner asked about and the commercial entity evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerRef {
    pub id: i64,
    pub name: String,
    pub commercial_id: i64,
    pub commercial_name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderInput {
    pub amount: Decimal,
    pub currency: String,
}

/// What a `block_sales` / `unblock_sales` or `set_credit_limit` proposal
/// (spec 3.8) needs: the partner, its current limit and sales-warning
/// state as read, and the suggested action. Nothing is proposed here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldFacts {
    pub partner_id: i64,
    pub partner_name: String,
    /// `res.partner.credit_limit` as stored (zero or none means no limit).
    pub current_credit_limit: Option<Decimal>,
    pub use_partner_credit_limit: Option<bool>,
    /// `sale_warn` where the field exists.
    pub sale_warn: Option<String>,
    /// Whether the sales-warning fields exist, so a hold can be proposed.
    pub sales_warning_available: bool,
    /// `sale_warn = block`.
    pub currently_blocked: bool,
    pub suggested_action: HoldAction,
}

/// What the result suggests doing about the customer's sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldAction {
    PlaceHold,
    ReleaseHold,
    None,
}

impl HoldAction {
    /// Hold when recommended and not already held; release when held but
    /// no longer recommended.
    pub fn suggest(hold_recommended: bool, currently_blocked: bool) -> Self {
        match (hold_recommended, currently_blocked) {
            (true, false) => Self::PlaceHold,
            (false, true) => Self::ReleaseHold,
            (true, true) | (false, false) => Self::None,
        }
    }
}

/// A record the result cites, with its form view in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub model: String,
    pub id: i64,
    pub url: String,
}

impl Link {
    /// `{base}/web#id=<id>&model=<model>&view_type=form`, which every
    /// supported version opens (spec 0.5).
    pub fn new(base: &Url, model: &str, id: i64) -> Self {
        Self {
            model: model.to_owned(),
            id,
            url: crate::records::record_link(base, model, id),
        }
    }
}

/// Portfolio mode: the riskiest customers with open receivables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioCredit {
    pub as_of: NaiveDate,
    pub lookback_months: u32,
    pub currency: String,
    /// Customers with open receivables, all evaluated.
    pub evaluated: usize,
    /// The `top` lowest scores, lowest first.
    pub lowest: Vec<PortfolioRow>,
    /// Every `block` verdict (up to the configured cap), lowest score first.
    pub blocked: Vec<PortfolioRow>,
    pub blocked_count: usize,
}

/// One customer of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioRow {
    pub partner_id: i64,
    pub name: String,
    pub score: Decimal,
    pub band: Band,
    pub exposure: Decimal,
    pub overdue_amount: Decimal,
    pub max_days_overdue: i64,
    pub credit_limit: Option<Decimal>,
    pub limit_source: LimitSource,
    pub verdict: Verdict,
    pub hold_recommended: bool,
    /// Reason codes, e.g. `RISK_BAND`, `EXPOSURE_OVER_LIMIT`.
    pub reasons: Vec<&'static str>,
    pub hold: HoldFacts,
    pub link: Link,
}

/// `value` rounded half away from zero to `places`, with exactly that
/// many decimals.
pub fn display_money(value: Decimal, places: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(places);
    rounded.to_string()
}

/// The summary of one customer's check.
pub fn partner_summary(data: &PartnerCredit, places: u32) -> String {
    let a = &data.assessment;
    let m = |v: Decimal| format!("{} {}", display_money(v, places), data.currency);
    let p = &data.partner;
    let who = if p.commercial_id == p.id {
        format!("{} (id {})", p.name, p.id)
    } else {
        format!(
            "{} (id {}, evaluated as {} id {})",
            p.name, p.id, p.commercial_name, p.commercial_id
        )
    };
    let limit = match a.credit_limit {
        Some(limit) => format!("limit {} ({})", m(limit), source(a.limit_source)),
        None => "no credit limit".to_owned(),
    };
    let mut text = format!(
        "{who}: score {} ({}). Exposure {} (open items {}, uninvoiced orders {}); overdue {}, \
         oldest {} days; {limit}. Order {} -> {}",
        display_money(a.score, 2),
        a.band.as_str(),
        m(a.exposure.total),
        m(a.exposure.open_items),
        m(a.exposure.uninvoiced_orders),
        m(a.overdue.amount),
        a.overdue.max_days,
        m(a.order.amount),
        a.verdict.as_str().to_uppercase(),
    );
    if let Some(over) = a.over_limit_by {
        text.push_str(&format!(", over the limit by {}", m(over)));
    }
    if let Some(left) = a.remaining_credit {
        text.push_str(&format!(", {} credit remaining", m(left)));
    }
    let codes: Vec<&str> = a.reasons.iter().map(|r| r.code).collect();
    text.push_str(&format!(". Reasons: {}.", codes.join(", ")));
    if data.hold.suggested_action == HoldAction::PlaceHold {
        text.push_str(" A sales hold is recommended.");
    }
    text
}

/// The summary of a portfolio run.
pub fn portfolio_summary(data: &PortfolioCredit, places: u32) -> String {
    let mut text = format!(
        "{} customers with open receivables evaluated as of {}; {} blocked.",
        data.evaluated, data.as_of, data.blocked_count
    );
    if !data.lowest.is_empty() {
        let rows: Vec<String> = data
            .lowest
            .iter()
            .take(5)
            .map(|r| {
                format!(
                    "{} {} {} (exposure {} {}, {})",
                    r.name,
                    display_money(r.score, 2),
                    r.band.as_str(),
                    display_money(r.exposure, places),
                    data.currency,
                    r.verdict.as_str()
                )
            })
            .collect();
        text.push_str(&format!(" Lowest scores: {}.", rows.join("; ")));
    }
    text
}

fn source(source: LimitSource) -> &'static str {
    match source {
        LimitSource::Partner => "partner",
        LimitSource::Company => "company default",
        LimitSource::None => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_with_the_currency_decimals() {
        assert_eq!(display_money(Decimal::new(75_000, 0), 2), "75000.00");
        assert_eq!(display_money(Decimal::new(12345, 3), 2), "12.35");
        assert_eq!(display_money(Decimal::new(-12345, 3), 2), "-12.35");
        assert_eq!(display_money(Decimal::new(15, 1), 0), "2");
    }

    #[test]
    fn links_open_the_form_view() {
        let base = Url::parse("https://acme.odoo.com/").unwrap();
        assert_eq!(
            Link::new(&base, "res.partner", 42).url,
            "https://acme.odoo.com/web#id=42&model=res.partner&view_type=form"
        );
    }

    #[test]
    fn a_hold_is_suggested_only_when_it_changes_something() {
        assert_eq!(HoldAction::suggest(true, false), HoldAction::PlaceHold);
        assert_eq!(HoldAction::suggest(true, true), HoldAction::None);
        assert_eq!(HoldAction::suggest(false, true), HoldAction::ReleaseHold);
        assert_eq!(HoldAction::suggest(false, false), HoldAction::None);
    }
}
