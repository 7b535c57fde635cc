//! Documents in another currency (spec 0.3): plain models (`sale.order`,
//! `purchase.order`) hold amounts in the document's currency, so those are
//! converted to the company currency at the company's rate valid on the
//! document date and added to the figures. Odoo still does the summing:
//! one grouped read per period side groups the foreign documents by the
//! report's dimensions, their currency and their day, and each group is
//! converted at its day's rate. Documents without a rate on their date are
//! left out with a `CURRENCY_CONVERSION` warning naming them by currency.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::catalog::MeasureSource;
use super::execute::{CURRENCY_CONVERSION, Key, RawRow, Side, SideContext, keys_of};
use super::plan::Agg;
use super::resolve::{Bound, Dimension, internal, ref_of};
use crate::ToolError;
use crate::automations::Warning;
use crate::automations::credit_check::{rate_history, rate_on};
use crate::odoo::{Domain, date, money};
use crate::odoo_client::{Aggregate, AggregateFunction, Group, OdooClient};

/// Parent records read per call when the document date lives on them.
const READ_CHUNK: usize = 1000;

/// A currency other than the company's among the matched documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignCurrency {
    pub id: i64,
    pub name: String,
    pub records: u64,
}

/// The currencies other than the company's among the records of `domain`.
pub(crate) async fn foreign_currencies(
    client: &OdooClient,
    bound: &Bound,
    domain: &Domain,
    currency_field: &str,
    company_currency: &str,
) -> Result<Vec<ForeignCurrency>, ToolError> {
    let groups = client
        .read_group(
            bound.source.model,
            domain.to_value(),
            &[currency_field],
            &[],
            None,
        )
        .await?;
    Ok(groups
        .iter()
        .filter_map(|g| {
            let (id, name) = ref_of(&g.keys[currency_field])?;
            (name != company_currency).then_some(ForeignCurrency {
                id,
                name,
                records: g.count,
            })
        })
        .collect())
}

/// The foreign documents of `domain` (already restricted to them) in
/// company currency: rows by dimension keys and totals, as one more
/// [`Side`] to merge with the company-currency one (see [`RawRow::absorb`];
/// averages hold sums here), plus a warning for documents without a rate.
pub(crate) async fn converted_side(
    client: &OdooClient,
    bound: &Bound,
    domain: &Domain,
    currency_field: &'static str,
    currencies: &[ForeignCurrency],
    ctx: SideContext<'_>,
) -> Result<Side, ToolError> {
    let day = DaySource::of(bound)?;
    let aggregates: Vec<Option<Aggregate>> = bound.measures.iter().map(foreign_aggregate).collect();
    let specs: Vec<Aggregate> = aggregates.iter().flatten().cloned().collect();
    let mut groupby: Vec<String> = bound
        .dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Field { field, .. } => Some((*field).to_owned()),
            Dimension::Date { spec, .. } => Some(spec.clone()),
            // Bucketed dimensions only exist on company-currency models.
            Dimension::DueBucket | Dimension::PartnerType => None,
        })
        .collect();
    let day_spec = day.groupby();
    for extra in [currency_field.to_owned(), day_spec.clone()] {
        if !groupby.contains(&extra) {
            groupby.push(extra);
        }
    }
    let groupby: Vec<&str> = groupby.iter().map(String::as_str).collect();
    let groups = client
        .read_group(
            bound.source.model,
            domain.to_value(),
            &groupby,
            &specs,
            None,
        )
        .await?;
    let days = day.days(client, &groups).await?;
    let mut rates = HashMap::new();
    let until = days.values().copied().max().unwrap_or(ctx.today);
    for currency in currencies {
        rates.insert(
            currency.id,
            rate_history(client, ctx.company_id, currency.id, until).await?,
        );
    }
    let mut rows: BTreeMap<Vec<Key>, RawRow> = BTreeMap::new();
    let mut totals = RawRow::empty(bound.measures.len());
    let mut missing: BTreeMap<String, u64> = BTreeMap::new();
    for (index, group) in groups.iter().enumerate() {
        let Some((currency, name)) = ref_of(&group.keys[currency_field]) else {
            continue;
        };
        let history = rates.get(&currency).map_or(&[][..], Vec::as_slice);
        let Some(rate) = days.get(&index).and_then(|day| rate_on(history, *day)) else {
            *missing.entry(name).or_insert(0) += group.count;
            continue;
        };
        let part = RawRow {
            keys: keys_of(group, bound, usize::MAX),
            values: converted(group, bound, &aggregates, rate),
            records: group.count,
        };
        totals.absorb(&part, &bound.measures);
        match rows.get_mut(&part.keys) {
            Some(row) => row.absorb(&part, &bound.measures),
            None => {
                rows.insert(part.keys.clone(), part);
            }
        }
    }
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        let records: u64 = missing.values().sum();
        let listed: Vec<String> = missing
            .iter()
            .map(|(name, count)| format!("{count} in {name}"))
            .collect();
        warnings.push(Warning::new(
            CURRENCY_CONVERSION,
            format!(
                "{records} {} of {} {} no rate to {} on the document date and {} left out of \
                 the figures: {}",
                if records == 1 { "record" } else { "records" },
                bound.source.model,
                if records == 1 { "has" } else { "have" },
                ctx.company_currency,
                if records == 1 { "is" } else { "are" },
                listed.join(", ")
            ),
        ));
    }
    Ok(Side {
        records: totals.records,
        totals: totals.values,
        rows: rows.into_values().collect(),
        warnings,
    })
}

/// Where a document's date comes from.
enum DaySource {
    /// The source's own date field, grouped by day.
    Own { spec: String },
    /// A date on the parent record (`sale.order.line` → `order_id.date_order`):
    /// grouped by the parent, whose dates are then read.
    Parent {
        many2one: &'static str,
        model: &'static str,
        field: &'static str,
    },
}

impl DaySource {
    fn of(bound: &Bound) -> Result<Self, ToolError> {
        let Some((field, _)) = bound.date_field else {
            return Err(internal(format!(
                "{} holds amounts in the document currency but has no date field",
                bound.source.model
            )));
        };
        if bound.source.date_groupable {
            return Ok(Self::Own {
                spec: format!("{field}:day"),
            });
        }
        match (bound.source.model, field) {
            ("sale.order.line", "order_id.date_order") => Ok(Self::Parent {
                many2one: "order_id",
                model: "sale.order",
                field: "date_order",
            }),
            (model, field) => Err(internal(format!(
                "no way to read the document date {field} of {model} for currency conversion"
            ))),
        }
    }

    fn groupby(&self) -> String {
        match self {
            Self::Own { spec } => spec.clone(),
            Self::Parent { many2one, .. } => (*many2one).to_owned(),
        }
    }

    /// The document day of each group, by its index.
    async fn days(
        &self,
        client: &OdooClient,
        groups: &[Group],
    ) -> Result<HashMap<usize, NaiveDate>, ToolError> {
        match self {
            Self::Own { spec } => Ok(groups
                .iter()
                .enumerate()
                .filter_map(|(i, g)| Some((i, *g.period_starts.get(spec)?)))
                .collect()),
            Self::Parent {
                many2one,
                model,
                field,
            } => {
                let parents: Vec<(usize, i64)> = groups
                    .iter()
                    .enumerate()
                    .filter_map(|(i, g)| Some((i, ref_of(g.keys.get(*many2one)?)?.0)))
                    .collect();
                let mut ids: Vec<i64> = parents.iter().map(|(_, id)| *id).collect();
                ids.sort_unstable();
                ids.dedup();
                let mut dates = HashMap::new();
                for chunk in ids.chunks(READ_CHUNK) {
                    for record in client.read(model, chunk, &[field]).await? {
                        let id = record["id"].as_i64().unwrap_or_default();
                        let day = document_day(field, &record[*field])?;
                        if let Some(day) = day {
                            dates.insert(id, day);
                        }
                    }
                }
                Ok(parents
                    .into_iter()
                    .filter_map(|(i, id)| Some((i, *dates.get(&id)?)))
                    .collect())
            }
        }
    }
}

/// The day of a date or datetime value (`2026-03-05 14:00:00` → 2026-03-05).
fn document_day(field: &str, value: &Value) -> Result<Option<NaiveDate>, ToolError> {
    match value.as_str() {
        Some(text) if text.len() > 10 => date(field, &Value::from(&text[..10])).map_err(internal),
        _ => date(field, value).map_err(internal),
    }
}

/// What a foreign group needs from Odoo per measure: sums for sums and
/// averages (an average of converted amounts is their sum over the
/// count), minimum and maximum as they are; counts come with every group.
fn foreign_aggregate(measure: &super::resolve::Measure) -> Option<Aggregate> {
    let MeasureSource::Field { name, .. } = measure.source else {
        return None;
    };
    let function = match measure.agg {
        Agg::Sum | Agg::Avg => AggregateFunction::Sum,
        Agg::Min => AggregateFunction::Min,
        Agg::Max => AggregateFunction::Max,
        Agg::Count => return None,
    };
    Some(Aggregate {
        field: name.to_owned(),
        function,
    })
}

/// A group's values in company currency: money divided by the rate (units
/// of the document currency per company currency unit), other numbers and
/// counts as they are.
fn converted(
    group: &Group,
    bound: &Bound,
    aggregates: &[Option<Aggregate>],
    rate: Decimal,
) -> Vec<Option<Decimal>> {
    bound
        .measures
        .iter()
        .zip(aggregates)
        .map(|(measure, aggregate)| match aggregate {
            None => Some(Decimal::from(group.count)),
            Some(a) => {
                let value = group
                    .aggregates
                    .get(&a.spec())
                    .and_then(|v| money(&a.spec(), v).ok().flatten())?;
                Some(match measure.source {
                    MeasureSource::Field { money: true, .. } => value / rate,
                    MeasureSource::Field { money: false, .. } | MeasureSource::Count => value,
                })
            }
        })
        .collect()
}
