//! Small helpers that write values in Odoo's `read` shape into records by
//! column position, so the generators resolve each field name once per
//! table instead of once per record.

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::demo::{Record, Table};

/// The position of a field in a table's records; [`ABSENT`] when the model
/// (in this Odoo version) has no such field, in which case writes are skipped.
pub(crate) type Col = usize;

/// The column of a field the model lacks.
pub(crate) const ABSENT: Col = usize::MAX;

/// Resolves the columns of `names` in `table`; missing fields map to [`ABSENT`].
pub(crate) fn cols<const N: usize>(table: &Table, names: [&str; N]) -> [Col; N] {
    names.map(|name| table.position(name).unwrap_or(ABSENT))
}

/// Writes `value` into column `col` of `record`; a no-op for [`ABSENT`].
pub(crate) fn put(record: &mut Record, col: Col, value: Value) {
    if let Some(slot) = record.values.get_mut(col) {
        *slot = value;
    }
}

/// A many2one value: `[id, "display name"]`.
pub(crate) fn m2o(id: i64, name: &str) -> Value {
    Value::Array(vec![Value::from(id), Value::from(name)])
}

/// Money from integer cents, as Odoo sends it (a JSON number with at most
/// two decimals).
pub(crate) fn money(cents: i64) -> Value {
    Value::from(cents as f64 / 100.0)
}

/// A date field: `"YYYY-MM-DD"`.
pub(crate) fn date(day: NaiveDate) -> Value {
    Value::String(day.format("%Y-%m-%d").to_string())
}

/// A datetime field in UTC: `"YYYY-MM-DD HH:MM:SS"`.
pub(crate) fn datetime(at: NaiveDateTime) -> Value {
    Value::String(at.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// A text value that may be unset.
pub(crate) fn text_opt(text: Option<&str>) -> Value {
    text.map_or(Value::Bool(false), Value::from)
}

/// A list of ids (one2many / many2many).
pub(crate) fn ids(ids: &[i64]) -> Value {
    Value::Array(ids.iter().map(|&id| Value::from(id)).collect())
}

/// Date strings of every day in the generated history, built once, since
/// formatting a date per record is a hot spot at 100,000 partners.
pub(crate) struct Calendar {
    first: NaiveDate,
    days: Vec<Box<str>>,
}

impl Calendar {
    /// Covers `first..=last`; other days are formatted on demand.
    pub(crate) fn new(first: NaiveDate, last: NaiveDate) -> Self {
        let days = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| d.format("%Y-%m-%d").to_string().into_boxed_str())
            .collect();
        Self { first, days }
    }

    /// A date field value.
    pub(crate) fn date(&self, day: NaiveDate) -> Value {
        match self
            .days
            .get(day.signed_duration_since(self.first).num_days() as usize)
        {
            Some(text) if day >= self.first => Value::from(&**text),
            _ => date(day),
        }
    }

    /// A datetime field value at `hour:minute` UTC on `day`.
    pub(crate) fn at(&self, day: NaiveDate, hour: u32, minute: u32) -> Value {
        let index = day.signed_duration_since(self.first).num_days() as usize;
        match self.days.get(index) {
            Some(text) if day >= self.first => {
                let mut out = String::with_capacity(19);
                out.push_str(text);
                out.push(' ');
                push2(&mut out, hour);
                out.push(':');
                push2(&mut out, minute);
                out.push_str(":00");
                Value::String(out)
            }
            _ => datetime(
                day.and_hms_opt(hour % 24, minute % 60, 0)
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Appends `n` in decimal, left-padded with zeros to `width` digits.
pub(crate) fn push_number(out: &mut String, n: u32, width: usize) {
    let mut digits = [0u8; 10];
    let mut len = 0;
    let mut rest = n;
    while len == 0 || rest > 0 {
        digits[len] = b'0' + (rest % 10) as u8;
        rest /= 10;
        len += 1;
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in digits[..len].iter().rev() {
        out.push(char::from(d));
    }
}

fn push2(out: &mut String, n: u32) {
    let n = n % 100;
    out.push(char::from(b'0' + (n / 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn calendar_values_match_chrono_formatting_inside_and_outside_its_range() {
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let cal = Calendar::new(first, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        for day in [
            first,
            NaiveDate::from_ymd_opt(2025, 7, 9).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        ] {
            assert_eq!(cal.date(day), date(day));
            assert_eq!(
                cal.at(day, 7, 5),
                datetime(day.and_hms_opt(7, 5, 0).unwrap())
            );
        }
        assert_eq!(cal.at(first, 23, 59), json!("2025-01-01 23:59:00"));
    }

    #[test]
    fn numbers_are_padded_like_format() {
        for (n, width) in [
            (0, 5),
            (7, 5),
            (101, 5),
            (123_456, 5),
            (2026, 4),
            (u32::MAX, 3),
        ] {
            let mut out = String::new();
            push_number(&mut out, n, width);
            assert_eq!(out, format!("{n:0width$}"));
        }
    }

    #[test]
    fn money_is_a_number_with_two_decimals_at_most() {
        assert_eq!(money(150_000), json!(1500.0));
        assert_eq!(money(100_030), json!(1000.3));
        assert_eq!(money(-1), json!(-0.01));
        assert_eq!(money(123_456_789).to_string(), "1234567.89");
    }

    #[test]
    fn writing_to_an_absent_column_changes_nothing() {
        let mut record = Record {
            id: 1,
            values: vec![json!(1), json!(false)].into_boxed_slice(),
        };
        put(&mut record, ABSENT, json!("x"));
        put(&mut record, 1, m2o(3, "Three"));
        assert_eq!(&*record.values, &[json!(1), json!([3, "Three"])]);
    }
}
