//! Running a bound plan over one period (spec 6.2 step 4): grouped reads
//! for every row and, separately, for the totals, so totals cover every
//! matching record and never a page of rows. Bucketed dimensions (due
//! dates, partner types) are one grouped read per bucket. Stock figures
//! are not stored in Odoo, so they are added up here from a capped scan.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use chrono::{Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::Value;

use super::catalog::{Aggregation, MeasureSource};
use super::convert::{converted_side, foreign_currencies};
use super::period::PeriodRange;
use super::plan::Agg;
use super::resolve::{Bound, Dimension, Measure, internal, ref_of};
use crate::ToolError;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, money};
use crate::odoo_client::{Aggregate, AggregateFunction, Group, OdooClient};

/// Records per page of a stock scan (spec 0.2).
const PAGE: NonZeroU32 = NonZeroU32::MIN.saturating_add(999);
/// The warning code when documents in another currency cannot be
/// converted (no rate on their date) and are left out.
pub const CURRENCY_CONVERSION: &str = "CURRENCY_CONVERSION";

/// A dimension value of a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// No value (an order without salesperson).
    None,
    Ref {
        id: i64,
        name: String,
    },
    Text {
        value: String,
        label: String,
    },
    Period {
        start: NaiveDate,
        label: String,
    },
    Bucket {
        rank: u8,
        label: &'static str,
    },
}

impl Key {
    pub(crate) fn label(&self) -> String {
        match self {
            Self::None => "(none)".to_owned(),
            Self::Ref { name, .. } => name.clone(),
            Self::Text { label, .. } | Self::Period { label, .. } => label.clone(),
            Self::Bucket { label, .. } => (*label).to_owned(),
        }
    }
}

/// One row as Odoo computed it: a value per measure.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRow {
    pub keys: Vec<Key>,
    pub values: Vec<Option<Decimal>>,
    /// Records behind the row (for averages over merged parts).
    pub records: u64,
}

impl RawRow {
    pub(crate) fn empty(width: usize) -> Self {
        Self {
            keys: Vec::new(),
            values: vec![None; width],
            records: 0,
        }
    }

    /// Adds another part of the same row: sums and counts add, minimum
    /// and maximum keep the extreme. Averages must be held as sums on both
    /// sides (as converted parts hold them).
    pub(crate) fn absorb(&mut self, other: &RawRow, measures: &[Measure]) {
        for ((value, other), measure) in self.values.iter_mut().zip(&other.values).zip(measures) {
            *value = combine(*value, *other, measure.agg);
        }
        self.records += other.records;
    }
}

/// The rows and totals of one period.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Side {
    pub rows: Vec<RawRow>,
    pub totals: Vec<Option<Decimal>>,
    /// Records matched.
    pub records: u64,
    pub warnings: Vec<Warning>,
}

/// What a side needs besides the bound plan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SideContext<'a> {
    /// The company whose rates convert other currencies.
    pub company_id: i64,
    pub zone: Tz,
    pub today: NaiveDate,
    pub company_currency: &'a str,
    pub scan_cap: usize,
}

/// Runs `bound` over `period` (all dates when `None`).
pub(crate) async fn run_side(
    client: &OdooClient,
    bound: &Bound,
    period: Option<&PeriodRange>,
    ctx: SideContext<'_>,
) -> Result<Side, ToolError> {
    let mut domain = bound.domain.clone();
    if let (Some(period), Some((field, datetime))) = (period, bound.date_field) {
        domain = Domain::and(vec![
            domain,
            period_domain(field, datetime, period, ctx.zone)?,
        ]);
    }
    let mut foreign = None;
    if let Some(currency) = bound.source.currency_field {
        let currencies =
            foreign_currencies(client, bound, &domain, currency, ctx.company_currency).await?;
        if !currencies.is_empty() {
            let ids: Vec<Value> = currencies.iter().map(|c| Value::from(c.id)).collect();
            let other = Domain::is_in(currency, ids).map_err(internal)?;
            let other = Domain::and(vec![domain.clone(), other]);
            foreign =
                Some(converted_side(client, bound, &other, currency, &currencies, ctx).await?);
            let same =
                Domain::eq(&format!("{currency}.name"), ctx.company_currency).map_err(internal)?;
            domain = Domain::and(vec![domain, same]);
        }
    }
    let side = match bound.source.aggregation {
        Aggregation::Grouped => grouped(client, bound, &domain, ctx).await?,
        Aggregation::Scan => scanned(client, bound, &domain, ctx).await?,
    };
    Ok(match foreign {
        Some(foreign) => merge(side, foreign, &bound.measures),
        None => side,
    })
}

/// The company-currency side with the converted documents in it: rows of
/// the same keys combine, averages are taken again over both parts'
/// records (the converted part holds sums, see [`converted_side`]).
fn merge(mut side: Side, foreign: Side, measures: &[Measure]) -> Side {
    let as_sums = |row: &mut RawRow| {
        for (value, measure) in row.values.iter_mut().zip(measures) {
            if measure.agg == Agg::Avg {
                *value = value.map(|avg| avg * Decimal::from(row.records));
            }
        }
    };
    let as_averages = |row: &mut RawRow| {
        for (value, measure) in row.values.iter_mut().zip(measures) {
            if measure.agg == Agg::Avg {
                *value = match row.records {
                    0 => None,
                    n => value.map(|sum| sum / Decimal::from(n)),
                };
            }
        }
    };
    let mut index: BTreeMap<Vec<Key>, usize> = BTreeMap::new();
    for (at, row) in side.rows.iter_mut().enumerate() {
        as_sums(row);
        index.insert(row.keys.clone(), at);
    }
    for row in foreign.rows {
        match index.get(&row.keys) {
            Some(&at) => side.rows[at].absorb(&row, measures),
            None => side.rows.push(row),
        }
    }
    side.rows.iter_mut().for_each(as_averages);
    let mut totals = RawRow {
        keys: Vec::new(),
        values: side.totals,
        records: side.records,
    };
    as_sums(&mut totals);
    totals.absorb(
        &RawRow {
            keys: Vec::new(),
            values: foreign.totals,
            records: foreign.records,
        },
        measures,
    );
    as_averages(&mut totals);
    side.totals = totals.values;
    side.records = totals.records;
    side.warnings.extend(foreign.warnings);
    side
}

/// Two parts of one figure: sums (and averages held as sums) and counts
/// add, minimum and maximum keep the extreme; a part without a value
/// leaves the other.
fn combine(a: Option<Decimal>, b: Option<Decimal>, agg: Agg) -> Option<Decimal> {
    match (a, b) {
        (Some(a), Some(b)) => Some(match agg {
            Agg::Sum | Agg::Avg | Agg::Count => a + b,
            Agg::Min => a.min(b),
            Agg::Max => a.max(b),
        }),
        (a, b) => a.or(b),
    }
}

/// The period as a domain: dates compare as dates; datetimes from the
/// first day's midnight in the zone to the next day's after the last,
/// in UTC (spec 0.2).
fn period_domain(
    field: &str,
    datetime: bool,
    period: &PeriodRange,
    zone: Tz,
) -> Result<Domain, ToolError> {
    if !datetime {
        return Ok(Domain::and(vec![
            Domain::ge(field, period.from.to_string()).map_err(internal)?,
            Domain::le(field, period.to.to_string()).map_err(internal)?,
        ]));
    }
    let utc = |day: NaiveDate| {
        zone.from_local_datetime(&day.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
            .ok_or_else(|| internal(format!("{day} has no midnight in {zone}")))
    };
    let end = period
        .to
        .checked_add_days(Days::new(1))
        .ok_or_else(|| internal("period end out of range"))?;
    Ok(Domain::and(vec![
        Domain::ge(field, utc(period.from)?).map_err(internal)?,
        Domain::lt(field, utc(end)?).map_err(internal)?,
    ]))
}

async fn grouped(
    client: &OdooClient,
    bound: &Bound,
    domain: &Domain,
    ctx: SideContext<'_>,
) -> Result<Side, ToolError> {
    let aggregates: Vec<Option<Aggregate>> = bound.measures.iter().map(aggregate_of).collect();
    let specs: Vec<Aggregate> = aggregates.iter().flatten().cloned().collect();
    let model = bound.source.model;
    let totals_group = client
        .read_group(model, domain.to_value(), &[], &specs, None)
        .await?
        .into_iter()
        .next();
    let records = totals_group.as_ref().map_or(0, |g| g.count);
    let totals = match &totals_group {
        Some(group) => values(group, bound, &aggregates),
        None => vec![None; bound.measures.len()],
    };
    let bucket_at = bound
        .dimensions
        .iter()
        .position(|d| matches!(d, Dimension::DueBucket | Dimension::PartnerType));
    let groupby: Vec<String> = bound
        .dimensions
        .iter()
        .filter_map(|d| match d {
            Dimension::Field { field, .. } => Some((*field).to_owned()),
            Dimension::Date { spec, .. } => Some(spec.clone()),
            Dimension::DueBucket | Dimension::PartnerType => None,
        })
        .collect();
    let groupby: Vec<&str> = groupby.iter().map(String::as_str).collect();
    let mut rows = Vec::new();
    if bound.dimensions.is_empty() {
        if records > 0 {
            rows.push(RawRow {
                keys: Vec::new(),
                values: totals.clone(),
                records,
            });
        }
    } else if let Some(at) = bucket_at {
        for (rank, label, bucket) in buckets(&bound.dimensions[at], ctx.today)? {
            let within = Domain::and(vec![domain.clone(), bucket]);
            let groups = client
                .read_group(model, within.to_value(), &groupby, &specs, None)
                .await?;
            for group in groups.iter().filter(|g| g.count > 0) {
                let mut keys = keys_of(group, bound, at);
                keys.insert(at, Key::Bucket { rank, label });
                rows.push(RawRow {
                    keys,
                    values: values(group, bound, &aggregates),
                    records: group.count,
                });
            }
        }
    } else {
        let groups = client
            .read_group(model, domain.to_value(), &groupby, &specs, None)
            .await?;
        for group in &groups {
            rows.push(RawRow {
                keys: keys_of(group, bound, usize::MAX),
                values: values(group, bound, &aggregates),
                records: group.count,
            });
        }
    }
    Ok(Side {
        rows,
        totals,
        records,
        warnings: Vec::new(),
    })
}

/// The aggregate Odoo computes for a measure; `None` for record counts,
/// which every group carries.
fn aggregate_of(measure: &super::resolve::Measure) -> Option<Aggregate> {
    let MeasureSource::Field { name, .. } = measure.source else {
        return None;
    };
    let function = match measure.agg {
        Agg::Sum => AggregateFunction::Sum,
        Agg::Avg => AggregateFunction::Avg,
        Agg::Min => AggregateFunction::Min,
        Agg::Max => AggregateFunction::Max,
        Agg::Count => return None,
    };
    Some(Aggregate {
        field: name.to_owned(),
        function,
    })
}

fn values(group: &Group, bound: &Bound, aggregates: &[Option<Aggregate>]) -> Vec<Option<Decimal>> {
    bound
        .measures
        .iter()
        .zip(aggregates)
        .map(|(_, aggregate)| match aggregate {
            None => Some(Decimal::from(group.count)),
            Some(a) => group
                .aggregates
                .get(&a.spec())
                .and_then(|v| money(&a.spec(), v).ok().flatten()),
        })
        .collect()
}

/// The keys of a group in dimension order, leaving out position `skip`
/// (the bucket, added by the caller).
pub(crate) fn keys_of(group: &Group, bound: &Bound, skip: usize) -> Vec<Key> {
    bound
        .dimensions
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != skip)
        .map(|(_, dimension)| match dimension {
            Dimension::Field { field, selection } => {
                key_of(group.keys.get(*field).unwrap_or(&Value::Null), selection)
            }
            Dimension::Date { spec, .. } => {
                let raw = group.keys.get(spec).unwrap_or(&Value::Null);
                let label = match raw {
                    Value::Array(pair) => pair.get(1).and_then(Value::as_str),
                    other => other.as_str(),
                };
                match (group.period_starts.get(spec), label) {
                    (Some(start), Some(label)) => Key::Period {
                        start: *start,
                        label: label.to_owned(),
                    },
                    (Some(start), None) => Key::Period {
                        start: *start,
                        label: start.to_string(),
                    },
                    _ => Key::None,
                }
            }
            Dimension::DueBucket | Dimension::PartnerType => Key::None,
        })
        .collect()
}

fn key_of(value: &Value, selection: &[(String, String)]) -> Key {
    match value {
        Value::Null | Value::Bool(false) => Key::None,
        Value::Array(_) => ref_of(value).map_or(Key::None, |(id, name)| Key::Ref { id, name }),
        Value::String(text) => {
            let label = selection
                .iter()
                .find(|(v, _)| v == text)
                .map_or_else(|| text.clone(), |(_, l)| l.clone());
            Key::Text {
                value: text.clone(),
                label,
            }
        }
        other => Key::Text {
            value: other.to_string(),
            label: other.to_string(),
        },
    }
}

/// The buckets of a bucketed dimension, in display order.
fn buckets(
    dimension: &Dimension,
    today: NaiveDate,
) -> Result<Vec<(u8, &'static str, Domain)>, ToolError> {
    let d = |r: Result<Domain, crate::odoo::DomainError>| r.map_err(internal);
    let ago = |n: u64| {
        today
            .checked_sub_days(Days::new(n))
            .unwrap_or(today)
            .to_string()
    };
    let due = "invoice_date_due";
    Ok(match dimension {
        Dimension::DueBucket => vec![
            (0, "Not due", d(Domain::ge(due, today.to_string()))?),
            (
                1,
                "1-30 days overdue",
                Domain::and(vec![
                    d(Domain::lt(due, today.to_string()))?,
                    d(Domain::ge(due, ago(30)))?,
                ]),
            ),
            (
                2,
                "31-60 days overdue",
                Domain::and(vec![
                    d(Domain::lt(due, ago(30)))?,
                    d(Domain::ge(due, ago(60)))?,
                ]),
            ),
            (
                3,
                "61-90 days overdue",
                Domain::and(vec![
                    d(Domain::lt(due, ago(60)))?,
                    d(Domain::ge(due, ago(90)))?,
                ]),
            ),
            (4, "Over 90 days overdue", d(Domain::lt(due, ago(90)))?),
            // Entries without a due date match no comparison above.
            (5, "No due date", d(Domain::is_unset(due))?),
        ],
        Dimension::PartnerType => {
            let customer = d(Domain::gt("customer_rank", 0))?;
            let not_customer = d(Domain::le("customer_rank", 0))?;
            let vendor = d(Domain::gt("supplier_rank", 0))?;
            let not_vendor = d(Domain::le("supplier_rank", 0))?;
            vec![
                (
                    0,
                    "Customer and vendor",
                    Domain::and(vec![customer.clone(), vendor.clone()]),
                ),
                (
                    1,
                    "Customer",
                    Domain::and(vec![customer, not_vendor.clone()]),
                ),
                (2, "Vendor", Domain::and(vec![not_customer.clone(), vendor])),
                (3, "Neither", Domain::and(vec![not_customer, not_vendor])),
            ]
        }
        Dimension::Field { .. } | Dimension::Date { .. } => Vec::new(),
    })
}

/// Stock figures: `qty_available` and `virtual_available` are computed,
/// not stored, so no grouped read can sum them; every matching product is
/// read, page by page up to the cap, and added up here.
async fn scanned(
    client: &OdooClient,
    bound: &Bound,
    domain: &Domain,
    ctx: SideContext<'_>,
) -> Result<Side, ToolError> {
    let mut fields: Vec<&str> = vec!["name"];
    for dimension in &bound.dimensions {
        if let Dimension::Field { field, .. } = dimension
            && *field != "id"
        {
            fields.push(field);
        }
    }
    for measure in &bound.measures {
        if let MeasureSource::Field { name, .. } = measure.source {
            fields.push(name);
        }
    }
    let scan = client
        .scan(bound.source.model, domain, &fields, PAGE, ctx.scan_cap)
        .await?;
    let mut warnings = Vec::new();
    if scan.truncated {
        warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "stock is added up from the first {} of {} products",
                scan.records.len(),
                scan.total
            ),
        ));
    }
    let width = bound.measures.len();
    let mut groups: BTreeMap<Vec<Key>, (Vec<Decimal>, u64)> = BTreeMap::new();
    let mut totals = vec![Decimal::ZERO; width];
    for record in &scan.records {
        let keys: Vec<Key> = bound
            .dimensions
            .iter()
            .map(|dimension| match dimension {
                Dimension::Field { field: "id", .. } => Key::Ref {
                    id: record["id"].as_i64().unwrap_or_default(),
                    name: record["name"].as_str().unwrap_or_default().to_owned(),
                },
                Dimension::Field { field, selection } => key_of(&record[*field], selection),
                _ => Key::None,
            })
            .collect();
        let (sums, records) = groups
            .entry(keys)
            .or_insert_with(|| (vec![Decimal::ZERO; width], 0));
        *records += 1;
        for (i, measure) in bound.measures.iter().enumerate() {
            let value = match measure.source {
                MeasureSource::Count => Decimal::ONE,
                MeasureSource::Field { name, .. } => money(name, &record[name])
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            };
            sums[i] += value;
            totals[i] += value;
        }
    }
    let rows = if bound.dimensions.is_empty() {
        if scan.records.is_empty() {
            Vec::new()
        } else {
            vec![RawRow {
                keys: Vec::new(),
                values: totals.iter().copied().map(Some).collect(),
                records: scan.records.len() as u64,
            }]
        }
    } else {
        groups
            .into_iter()
            .map(|(keys, (sums, records))| RawRow {
                keys,
                values: sums.into_iter().map(Some).collect(),
                records,
            })
            .collect()
    };
    Ok(Side {
        rows,
        totals: totals.into_iter().map(Some).collect(),
        records: scan.records.len() as u64,
        warnings,
    })
}
