//! Aggregates of grouped reads (`amount_total:sum`, `__count`, ..): their
//! specs as each API spells them, and running totals kept as exact decimals.

use std::collections::HashSet;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

use crate::demo::{FieldType, Table};
use crate::odoo::money;

use super::fault::Fault;
use super::group::Flavor;
use super::order::{Term, compare_values};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    Sum,
    Min,
    Max,
    Avg,
    Count,
    CountDistinct,
}

pub(super) struct Aggregate {
    /// The key of the aggregate in each row.
    pub(super) key: String,
    /// The field's position; `None` for `__count`.
    pub(super) pos: Option<usize>,
    pub(super) function: Function,
    pub(super) integer: bool,
}

pub(super) fn parse_aggregates(
    table: &Table,
    specs: &[String],
    groupby: &[String],
    flavor: Flavor,
) -> Result<Vec<Aggregate>, Fault> {
    let mut out = Vec::new();
    for spec in specs {
        if spec == "__count" {
            if flavor == Flavor::Formatted {
                out.push(Aggregate {
                    key: spec.clone(),
                    pos: None,
                    function: Function::Count,
                    integer: true,
                });
            }
            continue;
        }
        // `alias:function(field)` (17/18 only), `field:function` or `field`.
        let (key, field, function) = match spec.split_once(':') {
            Some((alias, call)) if call.ends_with(')') && flavor != Flavor::Formatted => {
                let (function, field) = call
                    .trim_end_matches(')')
                    .split_once('(')
                    .ok_or_else(|| invalid_aggregate(spec))?;
                (alias.to_owned(), field, Some(function))
            }
            Some((field, function)) => {
                let key = if flavor == Flavor::Formatted {
                    spec.as_str()
                } else {
                    field
                };
                (key.to_owned(), field, Some(function))
            }
            None if flavor == Flavor::Formatted => return Err(invalid_aggregate(spec)),
            None => (spec.clone(), spec.as_str(), None),
        };
        let pos = table.position(field).ok_or_else(|| match flavor {
            Flavor::Formatted => Fault::value_error(format!(
                "Invalid field '{field}' on model '{}' for '{spec}'.",
                table.def.name
            )),
            Flavor::Classic { .. } => Fault::invalid_field(table.def.name, field),
        })?;
        let ty = &table.def.fields[pos].ty;
        let numeric = matches!(
            ty,
            FieldType::Integer | FieldType::Float | FieldType::Monetary { .. }
        );
        let function = match function {
            Some("sum") => Function::Sum,
            Some("min") => Function::Min,
            Some("max") => Function::Max,
            Some("avg") => Function::Avg,
            Some("count") => Function::Count,
            Some("count_distinct") => Function::CountDistinct,
            Some(_) => return Err(invalid_aggregate(spec)),
            // A bare field: summed when numeric, otherwise ignored, as the
            // field's default aggregator would be.
            None if numeric && !groupby.iter().any(|g| g == field) => Function::Sum,
            None => continue,
        };
        out.push(Aggregate {
            key,
            pos: Some(pos),
            function,
            integer: matches!(ty, FieldType::Integer),
        });
    }
    Ok(out)
}

pub(super) fn invalid_aggregate(spec: &str) -> Fault {
    Fault::value_error(format!(
        "Invalid aggregate specification {spec:?}: expected \"<field_name>:<function>\", e.g. \
         \"quantity:sum\""
    ))
}

/// A running aggregate.
pub(super) enum Acc {
    Sum(Decimal),
    Min(Option<Value>),
    Max(Option<Value>),
    Avg(Decimal, u64),
    Count(u64),
    Distinct(HashSet<String>),
}

impl Acc {
    pub(super) fn new(function: Function) -> Self {
        match function {
            Function::Sum => Self::Sum(Decimal::ZERO),
            Function::Min => Self::Min(None),
            Function::Max => Self::Max(None),
            Function::Avg => Self::Avg(Decimal::ZERO, 0),
            Function::Count => Self::Count(0),
            Function::CountDistinct => Self::Distinct(HashSet::new()),
        }
    }

    pub(super) fn add(&mut self, value: &Value, aggregate: &Aggregate) {
        if matches!(value, Value::Null)
            || (matches!(value, Value::Bool(false)) && aggregate.function != Function::Count)
        {
            return;
        }
        let amount = || money(&aggregate.key, value).ok().flatten();
        let term = Term {
            pos: 0,
            desc: false,
            boolean: false,
        };
        match self {
            Self::Sum(sum) => *sum += amount().unwrap_or_default(),
            Self::Avg(sum, n) => {
                if let Some(a) = amount() {
                    *sum += a;
                    *n += 1;
                }
            }
            Self::Min(best) => {
                if best
                    .as_ref()
                    .is_none_or(|b| compare_values(value, b, &term).is_lt())
                {
                    *best = Some(value.clone());
                }
            }
            Self::Max(best) => {
                if best
                    .as_ref()
                    .is_none_or(|b| compare_values(value, b, &term).is_gt())
                {
                    *best = Some(value.clone());
                }
            }
            Self::Count(n) => {
                if !matches!(value, Value::Bool(false)) {
                    *n += 1;
                }
            }
            Self::Distinct(seen) => {
                seen.insert(value.to_string());
            }
        }
    }

    pub(super) fn value(&self, aggregate: &Aggregate) -> Value {
        match self {
            Self::Sum(sum) => number(*sum, aggregate.integer),
            Self::Avg(_, 0) => Value::Bool(false),
            Self::Avg(sum, n) => number(*sum / Decimal::from(*n), false),
            Self::Min(v) | Self::Max(v) => v.clone().unwrap_or(Value::Bool(false)),
            Self::Count(n) => json!(n),
            Self::Distinct(seen) => json!(seen.len()),
        }
    }
}

/// A decimal as the JSON number Odoo would print: an integer for integer
/// fields, else a float (whose shortest form is the decimal's text).
pub(super) fn number(value: Decimal, integer: bool) -> Value {
    if integer && let Some(n) = value.to_i64() {
        return json!(n);
    }
    value
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Bool(false), Value::Number)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn sums_are_exact_and_integers_stay_integers() {
        let amount = Aggregate {
            key: "amount".into(),
            pos: Some(1),
            function: Function::Sum,
            integer: false,
        };
        let mut acc = Acc::new(Function::Sum);
        for v in [json!(0.1), json!(0.2), json!(false), json!(1e-2)] {
            acc.add(&v, &amount);
        }
        assert_eq!(acc.value(&amount), json!(0.31));
        let count = Aggregate {
            integer: true,
            ..amount
        };
        let mut acc = Acc::new(Function::Sum);
        acc.add(&json!(2), &count);
        acc.add(&json!(40), &count);
        assert_eq!(acc.value(&count), json!(42));
    }
}
