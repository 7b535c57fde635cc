//! Numbers as people write them in answers: `1,234.56`, `-42`, `12.5%`,
//! `EUR 3 400` (thin or plain space as thousands separator). English
//! separators: a comma groups thousands, a point starts decimals.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Every number in `text`, in order.
pub fn numbers_in(text: &str) -> Vec<f64> {
    static NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"-?\d{1,3}(?:[,\u{202f}\u{a0}]\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?").ok()
    });
    let Some(re) = NUMBER.as_ref() else {
        return Vec::new();
    };
    re.find_iter(text)
        .filter_map(|m| {
            m.as_str()
                .chars()
                .filter(|c| !matches!(c, ',' | '\u{202f}' | '\u{a0}'))
                .collect::<String>()
                .parse()
                .ok()
        })
        .collect()
}

/// A JSON value read as a number: numbers, and strings holding one
/// (exact decimals travel as strings).
pub fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The value at a dotted path (`data.rows.0.amount`); a segment is an
/// object key or an array index.
pub fn at_path<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .filter(|s| !s.is_empty())
        .try_fold(value, |current, segment| match current {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => None,
        })
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_grouped_negative_and_decimal_numbers() {
        assert_eq!(
            numbers_in("Acme owes 12,480.50 EUR (-3 days), 42% of 1\u{202f}000 and 7."),
            vec![12480.5, -3.0, 42.0, 1000.0, 7.0]
        );
    }

    #[test]
    fn paths_walk_objects_and_arrays() {
        let value = json!({"data": {"rows": [{"amount": "10.50"}, {"amount": 3}]}});
        assert_eq!(at_path(&value, "data.rows.1.amount"), Some(&json!(3)));
        assert_eq!(
            at_path(&value, "data.rows.0.amount").and_then(as_number),
            Some(10.5)
        );
        assert_eq!(at_path(&value, "data.rows.7.amount"), None);
    }
}
