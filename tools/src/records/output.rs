//! Turning Odoo's field values into what the record tools return: links to
//! the records, `null` for "not set", many2one as `{id, name}`, and amounts
//! as exact decimal strings.

use serde::Serialize;
use serde_json::{Map, Value, json};
use url::Url;

use crate::odoo::{many2one, money};
use crate::registry::MAX_MODEL_OUTPUT_BYTES;

/// One record as the tools return it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordOut {
    pub id: i64,
    /// Opens the record's form in Odoo 17, 18 and 19.
    pub link: String,
    /// The requested fields, normalised (see [`normalise`]).
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

/// The field types of a model, read from `fields_get`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldTypes(Map<String, Value>);

impl FieldTypes {
    pub(crate) fn from_fields_get(value: Value) -> Self {
        match value {
            Value::Object(map) => Self(map),
            _ => Self::default(),
        }
    }

    pub(crate) fn contains(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// Odoo's type name (`many2one`, `monetary`, `date`…), if known.
    pub(crate) fn type_of(&self, field: &str) -> Option<&str> {
        self.0.get(field)?.get("type")?.as_str()
    }

    pub(crate) fn is_numeric(&self, field: &str) -> bool {
        matches!(self.type_of(field), Some("integer" | "float" | "monetary"))
    }

    pub(crate) fn is_temporal(&self, field: &str) -> bool {
        matches!(self.type_of(field), Some("date" | "datetime"))
    }
}

/// `{base}/web#id=<id>&model=<model>&view_type=form`, the link form every
/// supported version opens (newer ones redirect to their own URL scheme).
pub fn record_link(base: &Url, model: &str, id: i64) -> String {
    let base = base.as_str().trim_end_matches('/');
    format!("{base}/web#id={id}&model={model}&view_type=form")
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether the registry will hand the model only the summary of `output`
/// (it drops outputs past its size budget), so that the summary itself must
/// carry the rows.
pub(crate) fn summary_only<T: Serialize>(output: &T) -> bool {
    serde_json::to_vec(output).map_or(true, |bytes| bytes.len() > MAX_MODEL_OUTPUT_BYTES)
}

/// A normalised value in a few characters: unset as `-`, a many2one as
/// `Acme (#7)`, text without quotes.
pub(crate) fn compact(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        Value::Object(map) => match (map.get("id"), map.get("name")) {
            (Some(id), Some(Value::String(name))) => format!("{name} (#{id})"),
            (Some(id), _) => format!("#{id}"),
            _ => value.to_string(),
        },
        other => other.to_string(),
    }
}

/// One record on one line: `#12 name=INV/1; partner_id=Acme (#7)`.
pub(crate) fn compact_record(record: &RecordOut) -> String {
    let fields: Vec<String> = record
        .fields
        .iter()
        .map(|(name, value)| format!("{name}={}", compact(value)))
        .collect();
    format!("#{} {}", record.id, fields.join("; "))
}

/// One raw record (an object from `read`/`search_read`) as a [`RecordOut`]
/// with the `fields` asked for (keys sorted by name, as JSON objects are here).
pub(crate) fn record_out(
    base: &Url,
    model: &str,
    types: &FieldTypes,
    fields: &[String],
    raw: &Value,
) -> Option<RecordOut> {
    let id = raw.get("id")?.as_i64()?;
    let values = fields
        .iter()
        .filter(|field| field.as_str() != "id")
        .map(|field| {
            let value = raw.get(field).unwrap_or(&Value::Null);
            (field.clone(), normalise(types, field, value))
        })
        .collect();
    Some(RecordOut {
        id,
        link: record_link(base, model, id),
        fields: values,
    })
}

/// A field value as returned to the model:
/// - boolean fields stay `true`/`false`;
/// - Odoo's `false` for "not set" in any other field becomes `null`;
/// - many2one becomes `{"id": 7, "name": "Acme"}`;
/// - monetary and float fields become exact decimal strings (`"1250.1"`), so
///   no binary rounding creeps into sums the model quotes;
/// - everything else is passed through.
pub(crate) fn normalise(types: &FieldTypes, field: &str, value: &Value) -> Value {
    let field_type = types.type_of(field);
    if field_type == Some("boolean") {
        return value.clone();
    }
    if matches!(value, Value::Bool(false) | Value::Null) {
        return Value::Null;
    }
    match field_type {
        Some("many2one") => match many2one(field, value) {
            Ok(Some(link)) => json!({"id": link.id, "name": link.name}),
            Ok(None) => Value::Null,
            Err(_) => value.clone(),
        },
        Some("monetary" | "float") => match money(field, value) {
            Ok(Some(amount)) => Value::String(amount.normalize().to_string()),
            Ok(None) => Value::Null,
            Err(_) => value.clone(),
        },
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn types() -> FieldTypes {
        FieldTypes::from_fields_get(json!({
            "partner_id": {"type": "many2one", "relation": "res.partner"},
            "amount_total": {"type": "monetary"},
            "is_company": {"type": "boolean"},
            "ref": {"type": "char"},
            "date": {"type": "date"},
            "line_ids": {"type": "one2many"},
            "quantity": {"type": "integer"}
        }))
    }

    #[test]
    fn links_open_the_form_view_on_every_version() {
        let base: Url = "https://acme.odoo.com".parse().unwrap();
        assert_eq!(
            record_link(&base, "res.partner", 42),
            "https://acme.odoo.com/web#id=42&model=res.partner&view_type=form"
        );
        let prefixed: Url = "https://erp.acme.test/odoo/".parse().unwrap();
        assert_eq!(
            record_link(&prefixed, "account.move", 7),
            "https://erp.acme.test/odoo/web#id=7&model=account.move&view_type=form"
        );
    }

    #[test]
    fn compact_values_read_in_a_line() {
        assert_eq!(compact(&json!(null)), "-");
        assert_eq!(compact(&json!({"id": 7, "name": "Acme"})), "Acme (#7)");
        assert_eq!(compact(&json!("1250.1")), "1250.1");
        assert_eq!(compact(&json!(false)), "false");
        assert_eq!(compact(&json!([1, 2])), "[1,2]");
    }

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(100_000), "100,000");
    }

    #[test]
    fn values_are_normalised_by_field_type() {
        let types = types();
        let n = |field: &str, value: Value| normalise(&types, field, &value);
        assert_eq!(
            n("partner_id", json!([7, "Acme"])),
            json!({"id": 7, "name": "Acme"})
        );
        assert_eq!(n("partner_id", json!(false)), Value::Null);
        assert_eq!(n("amount_total", json!(1250.1)), json!("1250.1"));
        assert_eq!(n("amount_total", json!(80.0)), json!("80"));
        assert_eq!(n("is_company", json!(false)), json!(false));
        assert_eq!(n("ref", json!(false)), Value::Null);
        assert_eq!(n("date", json!("2026-03-31")), json!("2026-03-31"));
        assert_eq!(n("line_ids", json!([1, 2])), json!([1, 2]));
        assert_eq!(n("quantity", json!(3)), json!(3));
        assert_eq!(n("unknown", json!(false)), Value::Null);
    }

    #[test]
    fn a_record_keeps_the_asked_fields_with_its_link() {
        let base: Url = "https://acme.odoo.com".parse().unwrap();
        let raw = json!({"id": 5, "ref": false, "partner_id": [7, "Acme"], "extra": 1});
        let fields = vec!["partner_id".to_owned(), "ref".to_owned()];
        let out = record_out(&base, "account.move", &types(), &fields, &raw).unwrap();
        assert_eq!(
            serde_json::to_value(&out).unwrap(),
            json!({
                "id": 5,
                "link": "https://acme.odoo.com/web#id=5&model=account.move&view_type=form",
                "partner_id": {"id": 7, "name": "Acme"},
                "ref": null
            })
        );
    }
}
