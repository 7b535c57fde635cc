//! Reading field values as Odoo's external API sends them into typed values.
//!
//! Odoo writes "no value" as `false` in every field type (a `false` date, a
//! `false` name); a many2one arrives as `[id, display_name]` over JSON-RPC
//! and as a bare id over the JSON-2 API; money arrives as a JSON number and
//! is read into an exact decimal from its shortest text, never kept as a
//! binary float.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

/// A link to another record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ref {
    pub id: i64,
    /// The display name, when the API sent one (JSON-RPC does, JSON-2 may not).
    pub name: Option<String>,
}

/// A field value that is not of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("field {field}: expected {expected}, got {found}")]
pub struct ValueError {
    pub field: String,
    pub expected: &'static str,
    pub found: String,
}

fn unexpected(field: &str, expected: &'static str, value: &Value) -> ValueError {
    let mut found = value.to_string();
    if found.len() > 60 {
        found.truncate(60);
        found.push('…');
    }
    ValueError {
        field: field.to_owned(),
        expected,
        found,
    }
}

fn is_unset(value: &Value) -> bool {
    matches!(value, Value::Bool(false) | Value::Null)
}

/// A many2one: `[id, name]`, a bare id, or `false`.
pub fn many2one(field: &str, value: &Value) -> Result<Option<Ref>, ValueError> {
    const EXPECTED: &str = "[id, name], an id or false";
    if is_unset(value) {
        return Ok(None);
    }
    if let Some(id) = value.as_i64() {
        return Ok(Some(Ref { id, name: None }));
    }
    match value.as_array().map(Vec::as_slice) {
        Some([id, name]) => {
            let id = id
                .as_i64()
                .ok_or_else(|| unexpected(field, EXPECTED, value))?;
            Ok(Some(Ref {
                id,
                name: name.as_str().map(str::to_owned),
            }))
        }
        _ => Err(unexpected(field, EXPECTED, value)),
    }
}

/// A char, text or selection value; `false` is none.
pub fn text(field: &str, value: &Value) -> Result<Option<String>, ValueError> {
    match value {
        _ if is_unset(value) => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(unexpected(field, "a string or false", value)),
    }
}

/// A date field (`YYYY-MM-DD`); `false` is none.
pub fn date(field: &str, value: &Value) -> Result<Option<NaiveDate>, ValueError> {
    match value {
        _ if is_unset(value) => Ok(None),
        Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| unexpected(field, "a date YYYY-MM-DD or false", value)),
        _ => Err(unexpected(field, "a date YYYY-MM-DD or false", value)),
    }
}

/// A datetime field, which Odoo stores and sends in UTC as
/// `YYYY-MM-DD HH:MM:SS`; `false` is none.
pub fn datetime(field: &str, value: &Value) -> Result<Option<DateTime<Utc>>, ValueError> {
    const EXPECTED: &str = "a datetime YYYY-MM-DD HH:MM:SS or false";
    match value {
        _ if is_unset(value) => Ok(None),
        Value::String(text) => NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
            .map(|naive| Some(naive.and_utc()))
            .map_err(|_| unexpected(field, EXPECTED, value)),
        _ => Err(unexpected(field, EXPECTED, value)),
    }
}

/// A monetary or float amount as an exact decimal; `false` is none.
///
/// The JSON number's shortest round-trip text is what Odoo printed (for
/// example `1250.1`), so parsing that text gives the amount Odoo meant,
/// where converting the binary float would give 1250.09999….
pub fn money(field: &str, value: &Value) -> Result<Option<Decimal>, ValueError> {
    match value {
        _ if is_unset(value) => Ok(None),
        Value::Number(number) => {
            let text = number.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map(Some)
                .map_err(|_| unexpected(field, "an amount", value))
        }
        _ => Err(unexpected(field, "an amount or false", value)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn many2one_reads_every_shape_odoo_sends() {
        let acme = Ref {
            id: 7,
            name: Some("Acme".into()),
        };
        assert_eq!(
            many2one("partner_id", &json!([7, "Acme"])).unwrap(),
            Some(acme)
        );
        assert_eq!(
            many2one("partner_id", &json!(7)).unwrap(),
            Some(Ref { id: 7, name: None })
        );
        assert_eq!(many2one("partner_id", &json!(false)).unwrap(), None);
        assert_eq!(many2one("partner_id", &json!(null)).unwrap(), None);
        let err = many2one("partner_id", &json!("Acme")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "field partner_id: expected [id, name], an id or false, got \"Acme\""
        );
        assert!(many2one("partner_id", &json!([7])).is_err());
        assert!(many2one("partner_id", &json!(["7", "Acme"])).is_err());
    }

    #[test]
    fn false_is_no_value_in_text_and_date_fields() {
        assert_eq!(text("ref", &json!(false)).unwrap(), None);
        assert_eq!(text("ref", &json!("INV/1")).unwrap(), Some("INV/1".into()));
        assert!(text("ref", &json!(3)).is_err());
        assert_eq!(date("invoice_date_due", &json!(false)).unwrap(), None);
        assert_eq!(
            date("invoice_date_due", &json!("2026-02-28")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert!(date("invoice_date_due", &json!("2026-02-30")).is_err());
        assert!(date("invoice_date_due", &json!("28/02/2026")).is_err());
    }

    #[test]
    fn datetimes_are_utc() {
        let at = datetime("date_done", &json!("2026-03-31 22:30:00"))
            .unwrap()
            .unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 31, 22, 30, 0).unwrap());
        assert_eq!(datetime("date_done", &json!(false)).unwrap(), None);
        assert!(datetime("date_done", &json!("2026-03-31T22:30:00Z")).is_err());
    }

    #[test]
    fn money_is_exact() {
        let read = |v: Value| money("amount_total", &v).unwrap().unwrap().to_string();
        assert_eq!(read(json!(1250.1)), "1250.1");
        assert_eq!(read(json!(0.1)), "0.1");
        assert_eq!(read(json!(-80)), "-80");
        assert_eq!(read(json!(1e-7)), "0.0000001");
        let sum =
            money("a", &json!(0.1)).unwrap().unwrap() + money("b", &json!(0.2)).unwrap().unwrap();
        assert_eq!(sum.to_string(), "0.3");
        assert_eq!(money("amount_total", &json!(false)).unwrap(), None);
        assert!(money("amount_total", &json!("12.00")).is_err());
    }
}
