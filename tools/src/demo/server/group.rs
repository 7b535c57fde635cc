//! Grouped reads: `read_group` as Odoo 17/18 answer it (period labels,
//! `__count` or `<field>_count` when lazy, `__domain`, `__range`) and
//! `formatted_read_group` as Odoo 19 answers it (`[start, label]` periods,
//! aggregates keyed by their spec, `__extra_domain`).
//!
//! Sums are exact decimals, returned as JSON numbers. Periods of datetime
//! fields are cut in UTC (Odoo uses the user's time zone; the demo users
//! have none) and weeks are ISO weeks starting on Monday.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Map, Value, json};

use crate::demo::{FieldType, Record, Table};
use crate::odoo::Domain;

use super::access::{Operation, check_fields};
use super::aggregate::{Acc, Aggregate, parse_aggregates};
use super::fault::Fault;
use super::order::{Term, compare_values};
use super::query::{Filter, Scope};

/// Which API answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `read_group` (17, 18): `lazy` groups by the first groupby only.
    Classic { lazy: bool },
    /// `formatted_read_group` (19).
    Formatted,
}

/// The arguments of a grouped read, already bound.
pub(crate) struct GroupRequest {
    pub groupby: Vec<String>,
    /// `fields` of `read_group` or `aggregates` of `formatted_read_group`.
    pub aggregates: Vec<String>,
    pub offset: usize,
    pub limit: Option<usize>,
    pub order: Option<String>,
}

/// Runs a grouped read over the records matching `filter`.
pub(crate) fn read_group(
    scope: &Scope<'_>,
    filter: &Filter,
    request: GroupRequest,
    flavor: Flavor,
) -> Result<Value, Fault> {
    let table = scope.table;
    let mut groupbys = request
        .groupby
        .iter()
        .map(|spec| GroupBy::parse(table, spec, flavor))
        .collect::<Result<Vec<_>, _>>()?;
    if let Flavor::Classic { lazy: true } = flavor {
        groupbys.truncate(1);
    }
    let aggregates = parse_aggregates(table, &request.aggregates, &request.groupby, flavor)?;
    let fields = groupbys.iter().map(|g| &table.def.fields[g.pos]).chain(
        aggregates
            .iter()
            .filter_map(|a| a.pos.map(|p| &table.def.fields[p])),
    );
    check_fields(table, scope.user, fields, Operation::Read)?;

    let mut buckets: Vec<Bucket> = Vec::new();
    // Groups are found by a byte key built in one reused buffer, so a
    // record of an existing group allocates nothing.
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut identity = Vec::new();
    for record in scope.matching(filter) {
        identity.clear();
        for groupby in &groupbys {
            groupby.write_identity(record, &mut identity);
            identity.push(0x1f);
        }
        let at = match index.get(identity.as_slice()) {
            Some(at) => *at,
            None => {
                buckets.push(Bucket {
                    keys: groupbys.iter().map(|g| g.key(scope, record)).collect(),
                    count: 0,
                    accs: aggregates.iter().map(|a| Acc::new(a.function)).collect(),
                });
                index.insert(identity.clone(), buckets.len() - 1);
                buckets.len() - 1
            }
        };
        let bucket = &mut buckets[at];
        bucket.count += 1;
        for (acc, aggregate) in bucket.accs.iter_mut().zip(&aggregates) {
            if let Some(pos) = aggregate.pos {
                acc.add(&record.values[pos], aggregate);
            }
        }
    }
    if groupbys.is_empty() && buckets.is_empty() {
        buckets.push(Bucket {
            keys: Vec::new(),
            count: 0,
            accs: aggregates.iter().map(|a| Acc::new(a.function)).collect(),
        });
    }

    let sorter = GroupOrder::parse(request.order.as_deref(), &groupbys, &aggregates)?;
    let mut rows: Vec<(Bucket, Vec<Value>)> = buckets
        .into_iter()
        .map(|b| {
            // `__count` holds no field: it is the group's record count.
            let values = b
                .accs
                .iter()
                .zip(&aggregates)
                .map(|(acc, a)| match a.pos {
                    None => json!(b.count),
                    Some(_) => acc.value(a),
                })
                .collect();
            (b, values)
        })
        .collect();
    rows.sort_by(|a, b| sorter.compare(a, b));
    let rows = rows
        .into_iter()
        .skip(request.offset)
        .take(request.limit.unwrap_or(usize::MAX));

    let mut out = Vec::new();
    for (bucket, values) in rows {
        let mut row = Map::new();
        let mut parts = Vec::new();
        let mut ranges = Map::new();
        for (groupby, key) in groupbys.iter().zip(&bucket.keys) {
            row.insert(groupby.spec.clone(), key.shown(flavor));
            parts.push(key.domain(&groupby.field)?);
            if let Some(range) = key.range() {
                ranges.insert(groupby.spec.clone(), range);
            }
        }
        match flavor {
            Flavor::Classic { lazy } => {
                let count_key = match (lazy, groupbys.first()) {
                    (true, Some(first)) => format!("{}_count", first.field),
                    _ => "__count".to_owned(),
                };
                row.insert(count_key, json!(bucket.count));
                for (aggregate, value) in aggregates.iter().zip(values) {
                    row.insert(aggregate.key.clone(), value);
                }
                parts.push(filter.domain().clone());
                row.insert("__domain".to_owned(), Domain::and(parts).to_value());
                if !ranges.is_empty() {
                    row.insert("__range".to_owned(), Value::Object(ranges));
                }
                if lazy && request.groupby.len() > 1 {
                    row.insert(
                        "__context".to_owned(),
                        json!({ "group_by": request.groupby[1..] }),
                    );
                }
            }
            Flavor::Formatted => {
                for (aggregate, value) in aggregates.iter().zip(values) {
                    row.insert(aggregate.key.clone(), value);
                }
                let extra = if parts.is_empty() {
                    json!([[1, "=", 1]])
                } else {
                    Domain::and(parts).to_value()
                };
                row.insert("__extra_domain".to_owned(), extra);
            }
        }
        out.push(Value::Object(row));
    }
    Ok(Value::Array(out))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Plain {
        boolean: bool,
    },
    Many2one,
    Period {
        granularity: Granularity,
        datetime: bool,
    },
}

struct GroupBy {
    spec: String,
    field: String,
    pos: usize,
    kind: Kind,
}

impl GroupBy {
    fn parse(table: &Table, spec: &str, flavor: Flavor) -> Result<Self, Fault> {
        let (name, granularity) = match spec.split_once(':') {
            Some((name, g)) => (name, Some(g)),
            None => (spec, None),
        };
        let pos = table
            .position(name)
            .ok_or_else(|| Fault::invalid_field(table.def.name, name))?;
        let ty = &table.def.fields[pos].ty;
        let kind = match (ty, granularity) {
            (FieldType::Date | FieldType::Datetime, g) => {
                let granularity = match (g, flavor) {
                    (Some("day"), _) => Granularity::Day,
                    (Some("week"), _) => Granularity::Week,
                    (Some("month"), _) | (None, Flavor::Classic { .. }) => Granularity::Month,
                    (Some("quarter"), _) => Granularity::Quarter,
                    (Some("year"), _) => Granularity::Year,
                    (None, Flavor::Formatted) => {
                        return Err(Fault::value_error(format!(
                            "Group by {spec:?} requires a granularity on a date field"
                        )));
                    }
                    (Some(other), _) => {
                        return Err(Fault::value_error(format!(
                            "Granularity {other:?} is not supported"
                        )));
                    }
                };
                Kind::Period {
                    granularity,
                    datetime: matches!(ty, FieldType::Datetime),
                }
            }
            (_, Some(_)) => {
                return Err(Fault::value_error(format!(
                    "Invalid groupby specification {spec:?}: only date fields take a granularity"
                )));
            }
            (FieldType::Many2one(_), None) => Kind::Many2one,
            (FieldType::One2many { .. } | FieldType::Many2many(_), None) => {
                return Err(Fault::value_error(format!(
                    "Grouping by the x2many field {name:?} is not supported"
                )));
            }
            (FieldType::Boolean, None) => Kind::Plain { boolean: true },
            (_, None) => Kind::Plain { boolean: false },
        };
        Ok(Self {
            spec: spec.to_owned(),
            field: name.to_owned(),
            pos,
            kind,
        })
    }

    /// Writes what tells this groupby's groups apart: the value, the
    /// linked id, or the period's first day.
    fn write_identity(&self, record: &Record, out: &mut Vec<u8>) {
        use std::io::Write as _;
        let value = &record.values[self.pos];
        // Writing into a Vec cannot fail.
        let _ = match self.kind {
            Kind::Plain { .. } => serde_json::to_writer(&mut *out, value).map_err(|_| ()),
            Kind::Many2one => match value {
                Value::Array(pair) => {
                    serde_json::to_writer(&mut *out, &pair.first()).map_err(|_| ())
                }
                Value::Number(id) => write!(out, "{id}").map_err(|_| ()),
                _ => write!(out, "false").map_err(|_| ()),
            },
            Kind::Period { granularity, .. } => match day_of(value) {
                Some(day) => write!(out, "{}", period_start(day, granularity)).map_err(|_| ()),
                None => write!(out, "false").map_err(|_| ()),
            },
        };
    }

    fn key(&self, scope: &Scope<'_>, record: &Record) -> Key {
        let value = &record.values[self.pos];
        let unset = matches!(value, Value::Null | Value::Bool(false));
        match self.kind {
            Kind::Plain { boolean } => Key {
                sort: value.clone(),
                period: None,
                boolean,
            },
            Kind::Many2one if unset => Key::unset(),
            Kind::Many2one => {
                let pair = match value {
                    Value::Number(id) => {
                        let name = link_name(scope, &self.field, id.as_i64().unwrap_or(0));
                        json!([id, name])
                    }
                    other => other.clone(),
                };
                Key {
                    sort: pair,
                    period: None,
                    boolean: false,
                }
            }
            Kind::Period {
                granularity,
                datetime,
            } => {
                let start = day_of(value).map(|day| period_start(day, granularity));
                match start {
                    None => Key::unset(),
                    Some(start) => Key {
                        sort: Value::String(start.format("%Y-%m-%d").to_string()),
                        period: Some(Period {
                            start,
                            granularity,
                            datetime,
                        }),
                        boolean: false,
                    },
                }
            }
        }
    }
}

fn link_name(scope: &Scope<'_>, field: &str, id: i64) -> Value {
    let comodel = match scope.table.field(field).map(|f| &f.ty) {
        Some(FieldType::Many2one(comodel)) => *comodel,
        _ => return Value::Bool(false),
    };
    scope
        .dataset
        .table(comodel)
        .and_then(|t| t.get(id).map(|r| super::read::display_name(t, r)))
        .unwrap_or(Value::Bool(false))
}

/// The value of one groupby in one group.
struct Key {
    /// The stored value (a many2one pair, a period's first day as text).
    sort: Value,
    period: Option<Period>,
    boolean: bool,
}

#[derive(Debug, Clone, Copy)]
struct Period {
    start: NaiveDate,
    granularity: Granularity,
    datetime: bool,
}

impl Key {
    fn unset() -> Self {
        Self {
            sort: Value::Bool(false),
            period: None,
            boolean: false,
        }
    }

    fn shown(&self, flavor: Flavor) -> Value {
        match (&self.period, flavor) {
            (None, _) => self.sort.clone(),
            (Some(p), Flavor::Classic { .. }) => Value::String(p.label()),
            (Some(p), Flavor::Formatted) => {
                json!([p.start.format("%Y-%m-%d").to_string(), p.label()])
            }
        }
    }

    fn domain(&self, field: &str) -> Result<Domain, Fault> {
        let leaf = |d: Result<Domain, crate::odoo::DomainError>| {
            d.map_err(|err| Fault::value_error(err.to_string()))
        };
        match (&self.period, &self.sort) {
            (Some(p), _) => {
                let (from, to) = p.bounds();
                Ok(Domain::and(vec![
                    leaf(Domain::ge(field, from))?,
                    leaf(Domain::lt(field, to))?,
                ]))
            }
            (None, Value::Array(pair)) => {
                leaf(Domain::eq(field, pair.first().cloned().unwrap_or_default()))
            }
            (None, value) => leaf(Domain::eq(field, value.clone())),
        }
    }

    fn range(&self) -> Option<Value> {
        match &self.period {
            Some(p) => {
                let (from, to) = p.bounds();
                Some(json!({ "from": from, "to": to }))
            }
            None if self.sort == Value::Bool(false) => None,
            None => None,
        }
    }
}

impl Period {
    fn end(&self) -> NaiveDate {
        let next = match self.granularity {
            Granularity::Day => self.start.succ_opt(),
            Granularity::Week => self.start.checked_add_days(chrono::Days::new(7)),
            Granularity::Month => self.start.checked_add_months(Months::new(1)),
            Granularity::Quarter => self.start.checked_add_months(Months::new(3)),
            Granularity::Year => self.start.checked_add_months(Months::new(12)),
        };
        next.unwrap_or(self.start)
    }

    fn bounds(&self) -> (String, String) {
        let fmt = |d: NaiveDate| {
            if self.datetime {
                d.format("%Y-%m-%d 00:00:00").to_string()
            } else {
                d.format("%Y-%m-%d").to_string()
            }
        };
        (fmt(self.start), fmt(self.end()))
    }

    /// Odoo's labels in English: `29 Jan 2022`, `W5 2022`, `January 2022`,
    /// `Q1 2022`, `2022`.
    fn label(&self) -> String {
        let d = self.start;
        match self.granularity {
            Granularity::Day => d.format("%d %b %Y").to_string(),
            Granularity::Week => {
                let week = d.iso_week();
                format!("W{} {}", week.week(), week.year())
            }
            Granularity::Month => d.format("%B %Y").to_string(),
            Granularity::Quarter => format!("Q{} {}", d.month0() / 3 + 1, d.year()),
            Granularity::Year => d.year().to_string(),
        }
    }
}

/// The day of a date or datetime value (`YYYY-MM-DD[ HH:MM:SS]`).
fn day_of(value: &Value) -> Option<NaiveDate> {
    let text = value.as_str()?.get(..10)?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn period_start(day: NaiveDate, granularity: Granularity) -> NaiveDate {
    let first_of = |month: u32| NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day);
    match granularity {
        Granularity::Day => day,
        Granularity::Week => day
            .checked_sub_days(chrono::Days::new(u64::from(
                day.weekday().num_days_from_monday(),
            )))
            .unwrap_or(day),
        Granularity::Month => first_of(day.month()),
        Granularity::Quarter => first_of(day.month0() / 3 * 3 + 1),
        Granularity::Year => first_of(1),
    }
}

struct Bucket {
    keys: Vec<Key>,
    count: u64,
    accs: Vec<Acc>,
}

/// How groups are sorted: the `orderby`/`order` terms, then each groupby
/// ascending.
struct GroupOrder(Vec<(Source, bool)>);

#[derive(Clone, Copy)]
enum Source {
    Key(usize),
    Count,
    Aggregate(usize),
}

impl GroupOrder {
    fn parse(
        spec: Option<&str>,
        groupbys: &[GroupBy],
        aggregates: &[Aggregate],
    ) -> Result<Self, Fault> {
        let mut terms = Vec::new();
        for part in spec
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (name, desc) = match words.as_slice() {
                [name] => (*name, false),
                [name, dir] if dir.eq_ignore_ascii_case("asc") => (*name, false),
                [name, dir] if dir.eq_ignore_ascii_case("desc") => (*name, true),
                _ => {
                    return Err(Fault::value_error(format!(
                        "Invalid order {part:?} for grouped read"
                    )));
                }
            };
            let source = if name == "__count"
                || name.ends_with("_count")
                    && groupbys
                        .first()
                        .is_some_and(|g| name == format!("{}_count", g.field))
            {
                Source::Count
            } else if let Some(i) = groupbys
                .iter()
                .position(|g| g.spec == name || g.field == name)
            {
                Source::Key(i)
            } else if let Some(i) = aggregates.iter().position(|a| a.key == name) {
                Source::Aggregate(i)
            } else {
                return Err(Fault::value_error(format!(
                    "Order term {name:?} is not a groupby or an aggregate of the grouped read"
                )));
            };
            terms.push((source, desc));
        }
        terms.extend((0..groupbys.len()).map(|i| (Source::Key(i), false)));
        Ok(Self(terms))
    }

    fn compare(&self, a: &(Bucket, Vec<Value>), b: &(Bucket, Vec<Value>)) -> std::cmp::Ordering {
        for (source, desc) in &self.0 {
            let ordering = match source {
                Source::Count => {
                    let o = a.0.count.cmp(&b.0.count);
                    if *desc { o.reverse() } else { o }
                }
                Source::Key(i) => {
                    let (x, y) = (&a.0.keys[*i], &b.0.keys[*i]);
                    let term = Term {
                        pos: 0,
                        desc: *desc,
                        boolean: x.boolean,
                    };
                    compare_values(&x.sort, &y.sort, &term)
                }
                Source::Aggregate(i) => {
                    let term = Term {
                        pos: 0,
                        desc: *desc,
                        boolean: false,
                    };
                    compare_values(&a.1[*i], &b.1[*i], &term)
                }
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        std::cmp::Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn period(day: &str, granularity: Granularity) -> Period {
        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        Period {
            start: period_start(day, granularity),
            granularity,
            datetime: false,
        }
    }

    #[test]
    fn periods_have_odoos_labels_and_half_open_bounds() {
        let cases = [
            (Granularity::Day, "29 Jan 2022", "2022-01-29", "2022-01-30"),
            (Granularity::Week, "W4 2022", "2022-01-24", "2022-01-31"),
            (
                Granularity::Month,
                "January 2022",
                "2022-01-01",
                "2022-02-01",
            ),
            (Granularity::Quarter, "Q1 2022", "2022-01-01", "2022-04-01"),
            (Granularity::Year, "2022", "2022-01-01", "2023-01-01"),
        ];
        for (granularity, label, from, to) in cases {
            let p = period("2022-01-29", granularity);
            assert_eq!(
                (p.label(), p.bounds()),
                (label.to_owned(), (from.to_owned(), to.to_owned()))
            );
        }
        // ISO weeks: 1 January 2021 belongs to week 53 of 2020.
        assert_eq!(period("2021-01-01", Granularity::Week).label(), "W53 2020");
        let mut december = period("2026-12-31", Granularity::Month);
        december.datetime = true;
        assert_eq!(
            december.bounds(),
            (
                "2026-12-01 00:00:00".to_owned(),
                "2027-01-01 00:00:00".to_owned()
            )
        );
    }
}
