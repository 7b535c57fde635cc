//! What `daily_digest` returns inside the envelope (spec 7.5), and the
//! deterministic summary the model reads.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Serialize, Serializer};
use url::Url;

use super::args::DigestRole;
use super::closes::CloseStatus;
use super::compute::display_amount;
use crate::automations::narrative::GeneratedBy;

/// The digest's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestData {
    pub role: DigestRole,
    pub date: NaiveDate,
    pub headline: String,
    pub summary: String,
    pub metrics: Vec<Metric>,
    pub attention: Vec<Attention>,
    pub anomalies: Vec<Anomaly>,
    /// CFO: the latest stored forecast and its first cash gap on or after
    /// the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_forecast: Option<CashForecast>,
    /// CFO: the closings of the previous and current month, when started.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub close_status: Vec<CloseStatus>,
    /// Overdue activities per salesperson (sales role).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub activities_by_user: BTreeMap<String, u64>,
    pub generated_by: GeneratedBy,
}

/// One key figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Stable key such as `overdue_receivables_total`.
    pub key: String,
    pub label: String,
    #[serde(serialize_with = "as_number")]
    pub value: Decimal,
    pub unit: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The value as shown: `12,345.67 EUR`, `12`.
    pub display: String,
    /// The value in the previous digest of the role.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_number_opt"
    )]
    pub previous: Option<Decimal>,
    /// Change since the previous digest in percent, one decimal; absent
    /// when new or the previous value was zero.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_number_opt"
    )]
    pub change_pct: Option<Decimal>,
}

impl Metric {
    pub fn new(
        key: &str,
        label: &str,
        value: Decimal,
        unit: Unit,
        currency: Option<&str>,
        places: u32,
    ) -> Self {
        let display = match (unit, currency) {
            (Unit::Money, Some(code)) => format!("{} {code}", display_amount(value, places)),
            (Unit::Money, None) => display_amount(value, places),
            (Unit::Count, _) => display_amount(value, 0),
            (Unit::Percent, _) => format!("{}%", display_amount(value, 1)),
        };
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
            unit,
            currency: currency.map(str::to_owned),
            display,
            previous: None,
            change_pct: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Money,
    Count,
    Percent,
}

/// Something a person should act on, with links to the records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub priority: Priority,
    pub title: String,
    pub detail: String,
    /// What the order within a priority goes by (company currency).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_number_opt"
    )]
    pub amount: Option<Decimal>,
    pub links: Vec<Link>,
    /// The records behind the item, as listed.
    pub items: Vec<TopItem>,
}

impl Attention {
    pub fn new(
        priority: Priority,
        title: String,
        detail: String,
        amount: Option<Decimal>,
        items: &[TopItem],
    ) -> Self {
        Self {
            priority,
            title,
            detail,
            amount,
            links: items.iter().map(|i| i.link.clone()).collect(),
            items: items.to_vec(),
        }
    }

    /// Adds links to records the item is about without listing them (the
    /// bank journals of a forecast gap, the targets of waiting proposals).
    pub fn with_links(mut self, links: &[Link]) -> Self {
        self.links.extend_from_slice(links);
        self
    }
}

/// Most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    High,
    Medium,
    Low,
}

/// The latest stored cash forecast as the CFO digest reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashForecast {
    pub forecast_as_of: NaiveDate,
    /// The forecast's threshold (company currency).
    pub threshold: Decimal,
    /// Its first day below the threshold on or after the digest's date.
    pub first_gap_date: Option<NaiveDate>,
}

/// An event the product recorded (spec 7.2 `anomalies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub severity: String,
    pub description: String,
    pub source: String,
}

/// A record cited, with its form view in Odoo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub model: String,
    pub id: i64,
    pub url: String,
}

impl Link {
    pub fn new(base: &Url, model: &str, id: i64) -> Self {
        Self {
            model: model.to_owned(),
            id,
            url: crate::records::record_link(base, model, id),
        }
    }
}

/// One listed record: an invoice, an opportunity, a product, a picking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopItem {
    pub name: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "as_number_opt"
    )]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Days past the due date or deadline, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_overdue: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    #[serde(flatten)]
    pub link: Link,
}

/// The model's few lines: the headline, every metric with its change, and
/// the attention items.
pub fn summary(data: &DigestData) -> String {
    let metrics: Vec<String> = data
        .metrics
        .iter()
        .map(|m| match m.change_pct {
            Some(change) => format!("{} {} ({change:+}%)", m.label, m.display),
            None => format!("{} {}", m.label, m.display),
        })
        .collect();
    let attention: Vec<String> = data
        .attention
        .iter()
        .map(|a| format!("[{}] {}", priority_label(a.priority), a.title))
        .collect();
    // Attention first: the envelope clips the summary at 600 characters.
    let mut text = format!("{}.", data.headline);
    if !attention.is_empty() {
        text.push_str(&format!(" Attention: {}.", attention.join("; ")));
    }
    text.push_str(&format!(" {}.", metrics.join("; ")));
    text
}

fn priority_label(priority: Priority) -> &'static str {
    match priority {
        Priority::High => "high",
        Priority::Medium => "medium",
        Priority::Low => "low",
    }
}

fn as_number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    match value.to_f64() {
        Some(number) => serializer.serialize_f64(number),
        None => serializer.serialize_str(&value.to_string()),
    }
}

fn as_number_opt<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => as_number(value, serializer),
        None => serializer.serialize_none(),
    }
}
