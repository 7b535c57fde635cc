//! `order` specifications (`"date desc, id"`) parsed against a model and
//! applied to records as PostgreSQL would: NULLs last ascending and first
//! descending, the id as the final tie-break so pages are stable.
//!
//! Simplifications: text compares by code point (the database collation
//! may differ), and a many2one sorts by the display name it holds rather
//! than by the comodel's `_order`, which for most models is the name.

use std::cmp::Ordering;

use serde_json::Value;

use crate::demo::{FieldType, Record, Table};

use super::fault::Fault;

/// One `field [asc|desc]` term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Term {
    /// Position of the field in the record's values.
    pub pos: usize,
    pub desc: bool,
    /// Whether `false` is a value (booleans) rather than NULL.
    pub boolean: bool,
}

/// A parsed order: terms with `id` always last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order(pub Vec<Term>);

impl Order {
    /// Parses `spec`, or the model's `_order` when `spec` is `None`.
    pub fn parse(table: &Table, spec: Option<&str>) -> Result<Order, Fault> {
        let spec = spec.unwrap_or(table.def.order);
        let mut terms = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (name, desc) = match words.as_slice() {
                [name] => (*name, false),
                [name, dir] if dir.eq_ignore_ascii_case("asc") => (*name, false),
                [name, dir] if dir.eq_ignore_ascii_case("desc") => (*name, true),
                _ => return Err(invalid_order(spec)),
            };
            // `display_name` sorts as the field it is computed from.
            let name = if name == "display_name" {
                table.def.rec_name
            } else {
                name
            };
            let pos = table
                .position(name)
                .ok_or_else(|| Fault::invalid_field(table.def.name, name))?;
            let boolean = matches!(table.def.fields[pos].ty, FieldType::Boolean);
            terms.push(Term { pos, desc, boolean });
        }
        if !terms.iter().any(|t| t.pos == 0) {
            terms.push(Term {
                pos: 0,
                desc: false,
                boolean: false,
            });
        }
        Ok(Order(terms))
    }

    /// `Some(desc)` when the order is by id alone, so records can be walked
    /// in storage order instead of sorted.
    pub fn by_id_only(&self) -> Option<bool> {
        match self.0.as_slice() {
            [only] if only.pos == 0 => Some(only.desc),
            _ => None,
        }
    }

    pub fn compare(&self, a: &Record, b: &Record) -> Ordering {
        for term in &self.0 {
            let ordering = compare_values(&a.values[term.pos], &b.values[term.pos], term);
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }
}

/// Compares two stored values of one column under `term`'s direction.
pub(crate) fn compare_values(a: &Value, b: &Value, term: &Term) -> Ordering {
    let null = |v: &Value| !term.boolean && matches!(v, Value::Null | Value::Bool(false));
    match (null(a), null(b)) {
        (true, true) => Ordering::Equal,
        // NULLS LAST ascending, NULLS FIRST descending: NULL is the largest.
        (true, false) => direction(Ordering::Greater, term.desc),
        (false, true) => direction(Ordering::Less, term.desc),
        (false, false) => direction(compare_present(a, b), term.desc),
    }
}

fn direction(ordering: Ordering, desc: bool) -> Ordering {
    if desc { ordering.reverse() } else { ordering }
}

/// Orders two set values of the same field.
pub(crate) fn compare_present(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x
                .as_f64()
                .unwrap_or(0.0)
                .total_cmp(&y.as_f64().unwrap_or(0.0)),
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            // many2one `[id, name]`: by name, then id.
            let name = |v: &[Value]| v.get(1).and_then(Value::as_str).map(str::to_owned);
            let id = |v: &[Value]| v.first().and_then(Value::as_i64);
            name(x).cmp(&name(y)).then(id(x).cmp(&id(y)))
        }
        _ => Ordering::Equal,
    }
}

fn invalid_order(spec: &str) -> Fault {
    Fault::value_error(format!(
        "Invalid \"order\" specified ({spec}). A valid \"order\" specification is a \
         comma-separated list of valid field names (optionally followed by asc/desc for the \
         direction)"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nulls_sort_last_ascending_and_first_descending() {
        let asc = Term {
            pos: 0,
            desc: false,
            boolean: false,
        };
        let desc = Term { desc: true, ..asc };
        assert_eq!(
            compare_values(&json!(false), &json!(1), &asc),
            Ordering::Greater
        );
        assert_eq!(
            compare_values(&json!(false), &json!(1), &desc),
            Ordering::Less
        );
        assert_eq!(compare_values(&json!(2), &json!(10), &asc), Ordering::Less);
        assert_eq!(
            compare_values(&json!([9, "Acme"]), &json!([1, "Bolt"]), &asc),
            Ordering::Less
        );
        let boolean = Term {
            boolean: true,
            ..asc
        };
        assert_eq!(
            compare_values(&json!(false), &json!(true), &boolean),
            Ordering::Less
        );
    }
}
