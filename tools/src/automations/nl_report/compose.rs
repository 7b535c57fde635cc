//! The report as a table (pure): rows of the current period, joined on
//! their dimension values with the comparison period's (`delta`,
//! `delta_pct = (cur - prev) / |prev| * 100`, null when prev is 0), ordered,
//! cut to the row limit, with Odoo's totals.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::catalog::{DimensionKey, MeasureKey, MeasureSource};
use super::execute::{Key, RawRow, Side};
use super::plan::{Agg, CheckedPlan, Granularity, OrderKey};
use super::resolve::Measure;
use crate::exports::{Cell, Column, ColumnType, ExportError, Table};

/// How the comparison period's dates line up with the current period's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shift {
    Months(u32),
    Days(u64),
}

impl Shift {
    fn forward(self, day: NaiveDate) -> NaiveDate {
        match self {
            Self::Months(n) => day.checked_add_months(Months::new(n)),
            Self::Days(n) => day.checked_add_days(Days::new(n)),
        }
        .unwrap_or(day)
    }
}

/// The inputs of a table besides the rows.
pub(crate) struct Layout<'a> {
    pub plan: &'a CheckedPlan,
    pub measures: &'a [Measure],
    pub currency: &'a str,
    pub places: u32,
    pub title: &'a str,
    pub notes: Vec<String>,
    pub generated_at: DateTime<Utc>,
    pub max_rows: u32,
}

/// The table and its JSON form.
#[derive(Debug, Clone)]
pub(crate) struct Composed {
    pub table: Table,
    pub rows: Vec<Map<String, Value>>,
    pub totals: Map<String, Value>,
    /// Rows before the limit.
    pub row_count: usize,
    /// Rows were cut by `max_rows` (not by the plan's own limit).
    pub cut: bool,
}

/// One output row before it becomes cells.
struct Joined {
    keys: Vec<Key>,
    current: Vec<Option<Decimal>>,
    previous: Option<Vec<Option<Decimal>>>,
}

/// Builds the table from the current side and, when comparing, the
/// previous side with the shift that aligns its dates.
pub(crate) fn compose(
    layout: &Layout<'_>,
    current: &Side,
    previous: Option<(&Side, Shift)>,
) -> Result<Composed, ExportError> {
    let plan = layout.plan;
    let width = layout.measures.len();
    let mut joined: Vec<Joined> = current
        .rows
        .iter()
        .map(|row| Joined {
            keys: row.keys.clone(),
            current: row.values.clone(),
            previous: previous.map(|_| vec![None; width]),
        })
        .collect();
    if let Some((side, shift)) = previous {
        let mut index: BTreeMap<Vec<Key>, usize> = joined
            .iter()
            .enumerate()
            .map(|(i, row)| (row.keys.clone(), i))
            .collect();
        for row in &side.rows {
            let keys = shifted(row, shift, plan);
            match index.get(&keys) {
                Some(at) => joined[*at].previous = Some(row.values.clone()),
                None => {
                    index.insert(keys.clone(), joined.len());
                    joined.push(Joined {
                        keys,
                        current: vec![None; width],
                        previous: Some(row.values.clone()),
                    });
                }
            }
        }
    }
    joined.sort_by(|a, b| order(a, b, &plan.order));
    let row_count = joined.len();
    let limit = plan.limit.unwrap_or(u32::MAX).min(layout.max_rows) as usize;
    let cut =
        row_count > layout.max_rows as usize && plan.limit.is_none_or(|l| l > layout.max_rows);
    joined.truncate(limit);

    let columns = columns(layout, previous.is_some());
    let mut table = Table::new(layout.title, layout.generated_at, columns.clone());
    for note in &layout.notes {
        table = table.with_note(note.clone());
    }
    let mut rows = Vec::with_capacity(joined.len());
    for row in &joined {
        let cells = cells(layout, row);
        rows.push(json_row(&columns, &cells));
        table.push(cells)?;
    }
    let totals_row = Joined {
        keys: Vec::new(),
        current: current.totals.clone(),
        previous: previous.map(|(side, _)| side.totals.clone()),
    };
    let total_cells = measure_cells(layout, &totals_row);
    let measure_columns = &columns[plan.dimensions.len()..];
    let totals = json_row(measure_columns, &total_cells);
    Ok(Composed {
        table,
        rows,
        totals,
        row_count,
        cut,
    })
}

/// The previous row's keys as the current period's: period starts moved
/// forward by the shift, labels made anew.
fn shifted(row: &RawRow, shift: Shift, plan: &CheckedPlan) -> Vec<Key> {
    row.keys
        .iter()
        .zip(&plan.dimensions)
        .map(|(key, (_, granularity))| match key {
            Key::Period { start, .. } => {
                let start = shift.forward(*start);
                Key::Period {
                    start,
                    label: period_label(start, granularity.unwrap_or(Granularity::Month)),
                }
            }
            other => other.clone(),
        })
        .collect()
}

/// Odoo's English labels for a period starting on `start`.
fn period_label(start: NaiveDate, granularity: Granularity) -> String {
    match granularity {
        Granularity::Day => start.format("%d %b %Y").to_string(),
        Granularity::Week => {
            let week = start.iso_week();
            format!("W{} {}", week.week(), week.year())
        }
        Granularity::Month => start.format("%B %Y").to_string(),
        Granularity::Quarter => format!("Q{} {}", start.month0() / 3 + 1, start.year()),
        Granularity::Year => start.year().to_string(),
    }
}

fn order(a: &Joined, b: &Joined, terms: &[(OrderKey, bool)]) -> Ordering {
    for (key, desc) in terms {
        let ordering = match key {
            OrderKey::Dimension(i) => compare_keys(a.keys.get(*i), b.keys.get(*i)),
            OrderKey::Measure(i) => {
                let value = |row: &Joined| row.current.get(*i).copied().flatten();
                value(a).cmp(&value(b))
            }
        };
        let ordering = if *desc { ordering.reverse() } else { ordering };
        if ordering.is_ne() {
            return ordering;
        }
    }
    // Ties by the dimension values, so the order never depends on Odoo's.
    a.keys
        .iter()
        .zip(&b.keys)
        .map(|(x, y)| compare_keys(Some(x), Some(y)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

fn compare_keys(a: Option<&Key>, b: Option<&Key>) -> Ordering {
    match (a, b) {
        (Some(Key::Period { start: x, .. }), Some(Key::Period { start: y, .. })) => x.cmp(y),
        (Some(Key::Bucket { rank: x, .. }), Some(Key::Bucket { rank: y, .. })) => x.cmp(y),
        // "(none)" last.
        (Some(Key::None), Some(Key::None)) => Ordering::Equal,
        (Some(Key::None), Some(_)) => Ordering::Greater,
        (Some(_), Some(Key::None)) => Ordering::Less,
        (Some(x), Some(y)) => x
            .label()
            .to_lowercase()
            .cmp(&y.label().to_lowercase())
            .then_with(|| x.cmp(y)),
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// The key of a measure column: `untaxed_amount`, `untaxed_amount_avg`.
pub(crate) fn measure_key(key: MeasureKey, agg: Agg) -> String {
    match (key, agg) {
        (MeasureKey::Count, _) | (_, Agg::Sum) => key.as_str().to_owned(),
        (_, Agg::Avg) => format!("{}_avg", key.as_str()),
        (_, Agg::Min) => format!("{}_min", key.as_str()),
        (_, Agg::Max) => format!("{}_max", key.as_str()),
        (_, Agg::Count) => format!("{}_count", key.as_str()),
    }
}

fn columns(layout: &Layout<'_>, compare: bool) -> Vec<Column> {
    let plan = layout.plan;
    let mut columns: Vec<Column> = plan
        .dimensions
        .iter()
        .map(|(key, granularity)| match (key, granularity) {
            (DimensionKey::Date, Some(Granularity::Day)) => Column::date(key.as_str(), key.label()),
            _ => Column::text(key.as_str(), key.label()),
        })
        .collect();
    for ((key, agg), measure) in plan.measures.iter().zip(layout.measures) {
        let name = measure_key(*key, *agg);
        let label = match agg {
            Agg::Sum | Agg::Count => key.label().to_owned(),
            Agg::Avg => format!("{} (average)", key.label()),
            Agg::Min => format!("{} (lowest)", key.label()),
            Agg::Max => format!("{} (highest)", key.label()),
        };
        let column = |name: &str, label: &str| match (measure.source, agg) {
            (MeasureSource::Count, _) | (_, Agg::Count) => Column::integer(name, label),
            (MeasureSource::Field { money: true, .. }, _) => {
                Column::money(name, label, layout.currency, layout.places)
            }
            (MeasureSource::Field { money: false, .. }, _) => Column::number(name, label, 2),
        };
        columns.push(column(&name, &label));
        if compare {
            columns.push(column(
                &format!("{name}_prev"),
                &format!("{label}, previous"),
            ));
            columns.push(column(
                &format!("{name}_delta"),
                &format!("{label}, change"),
            ));
            columns.push(Column::percent(
                &format!("{name}_delta_pct"),
                &format!("{label}, change %"),
            ));
        }
    }
    columns
}

fn cells(layout: &Layout<'_>, row: &Joined) -> Vec<Cell> {
    let mut cells: Vec<Cell> = row
        .keys
        .iter()
        .zip(&layout.plan.dimensions)
        .map(|(key, (_, granularity))| match (key, granularity) {
            (Key::Period { start, .. }, Some(Granularity::Day)) => Cell::Date(*start),
            (Key::None, _) => Cell::Text(key.label()),
            (key, _) => Cell::Text(key.label()),
        })
        .collect();
    cells.extend(measure_cells(layout, row));
    cells
}

fn measure_cells(layout: &Layout<'_>, row: &Joined) -> Vec<Cell> {
    let mut cells = Vec::new();
    for (i, ((_, agg), measure)) in layout.plan.measures.iter().zip(layout.measures).enumerate() {
        let integer = matches!(measure.source, MeasureSource::Count) || *agg == Agg::Count;
        let cell = |value: Option<Decimal>| match value {
            None => Cell::Empty,
            Some(v) if integer => v
                .to_string()
                .parse()
                .map_or(Cell::Decimal(v), Cell::Integer),
            Some(v) => Cell::Decimal(v),
        };
        let current = row.current.get(i).copied().flatten();
        cells.push(cell(current));
        if let Some(previous) = &row.previous {
            let prev = previous.get(i).copied().flatten();
            // A missing side of a sum or count is zero; of an average or
            // extreme it is unknown.
            let additive = matches!(agg, Agg::Sum | Agg::Count);
            let zero = |v: Option<Decimal>| {
                if additive {
                    Some(v.unwrap_or_default())
                } else {
                    v
                }
            };
            let (cur, before) = (zero(current), zero(prev));
            let delta = cur.zip(before).map(|(c, p)| c - p);
            let pct = delta
                .zip(before)
                .filter(|(_, p)| !p.is_zero())
                .map(|(d, p)| d / p.abs() * Decimal::ONE_HUNDRED);
            cells.push(cell(before));
            cells.push(cell(delta));
            cells.push(pct.map_or(Cell::Empty, Cell::Decimal));
        }
    }
    cells
}

fn json_row(columns: &[Column], cells: &[Cell]) -> Map<String, Value> {
    columns
        .iter()
        .zip(cells)
        .map(|(column, cell)| {
            let value = match cell {
                Cell::Empty => Value::Null,
                Cell::Text(text) => json!(text),
                Cell::Integer(n) => json!(n),
                Cell::Decimal(d) => match column.kind {
                    ColumnType::Money | ColumnType::Number | ColumnType::Percent => {
                        json!(column.rounded(*d).to_string())
                    }
                    ColumnType::Text | ColumnType::Integer | ColumnType::Date => {
                        json!(d.to_string())
                    }
                },
                Cell::Date(day) => json!(day.to_string()),
            };
            (column.key.clone(), value)
        })
        .collect()
}

/// The shift from the comparison period to the current one.
pub(crate) fn shift_between(current_from: NaiveDate, previous_from: NaiveDate) -> Shift {
    let months = (current_from.year() - previous_from.year()) * 12 + current_from.month() as i32
        - previous_from.month() as i32;
    if current_from.day() == 1 && previous_from.day() == 1 && months > 0 {
        return Shift::Months(months as u32);
    }
    Shift::Days(u64::try_from((current_from - previous_from).num_days()).unwrap_or(0))
}
