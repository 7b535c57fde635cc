//! Grouped reads: counts and sums computed by Odoo, through the API each
//! version offers (`read_group` up to 18, `formatted_read_group` from 19,
//! where `read_group` is deprecated). Totals come from here, never from
//! adding up a limited page of records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::call::MethodCall;
use super::client::{OdooClient, Retry};
use super::error::{OdooError, Result};

/// An aggregate Odoo computes per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Sum,
    Min,
    Max,
    Avg,
    CountDistinct,
}

impl AggregateFunction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Min => "min",
            Self::Max => "max",
            Self::Avg => "avg",
            Self::CountDistinct => "count_distinct",
        }
    }
}

/// One aggregate of one field, written `field:function` as Odoo spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    pub field: String,
    pub function: AggregateFunction,
}

impl Aggregate {
    pub fn sum(field: &str) -> Self {
        Self {
            field: field.to_owned(),
            function: AggregateFunction::Sum,
        }
    }

    /// The spec Odoo takes and the key the group carries: `amount:sum`.
    pub fn spec(&self) -> String {
        format!("{}:{}", self.field, self.function.as_str())
    }
}

/// One group of a grouped read.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The value of each groupby spec (`partner_id`, `date:month`) as Odoo
    /// returns it: a many2one as `[id, name]`, a period as its label.
    pub keys: Map<String, Value>,
    /// Records in the group.
    pub count: u64,
    /// Each aggregate by its spec (`amount:sum`); `null` when Odoo had none.
    pub aggregates: Map<String, Value>,
    /// The first day of each period groupby (`date:month`), whatever the
    /// language of its label: from `__range` up to 18, from the
    /// `[start, label]` pair from 19. Absent for an empty date.
    pub period_starts: BTreeMap<String, NaiveDate>,
}

impl OdooClient {
    /// Groups the records of `model` matching `domain` by `groupby` specs
    /// (fields, or `date_field:day|week|month|quarter|year`) and computes
    /// `aggregates` per group, with every groupby level in each row (no lazy
    /// grouping). With no groupby, one group holds the totals.
    pub async fn read_group(
        &self,
        model: &str,
        domain: Value,
        groupby: &[&str],
        aggregates: &[Aggregate],
        limit: Option<u32>,
    ) -> Result<Vec<Group>> {
        let specs: Vec<String> = aggregates.iter().map(Aggregate::spec).collect();
        let formatted = self.version().major >= 19;
        let call = if formatted {
            let mut wanted = vec!["__count".to_owned()];
            wanted.extend(specs.iter().cloned());
            MethodCall::model(model, "formatted_read_group")
                .arg("domain", domain)
                .kwarg("groupby", json!(groupby))
                .kwarg("aggregates", json!(wanted))
        } else {
            MethodCall::model(model, "read_group")
                .arg("domain", domain)
                .arg("fields", json!(specs))
                .arg("groupby", json!(groupby))
                .kwarg("lazy", json!(false))
        };
        let call = call.kwarg_opt("limit", limit);
        let method = call.method;
        let result = self.send(call, Retry::IdempotentRead).await?;
        let Value::Array(rows) = result else {
            return Err(protocol(model, method, "expected a list of groups"));
        };
        rows.into_iter()
            .map(|row| {
                let Value::Object(row) = row else {
                    return Err(protocol(model, method, "a group that is not an object"));
                };
                let keys = groupby
                    .iter()
                    .map(|spec| {
                        (
                            (*spec).to_owned(),
                            row.get(*spec).cloned().unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                let count = row.get("__count").and_then(Value::as_u64).ok_or_else(|| {
                    protocol(model, method, "a group without a record count (__count)")
                })?;
                // Up to 18 an aggregate comes back under its field name, from
                // 19 under its full spec.
                let aggregates = aggregates
                    .iter()
                    .zip(&specs)
                    .map(|(aggregate, spec)| {
                        let key = if formatted {
                            spec.as_str()
                        } else {
                            aggregate.field.as_str()
                        };
                        (spec.clone(), row.get(key).cloned().unwrap_or(Value::Null))
                    })
                    .collect();
                let period_starts = groupby
                    .iter()
                    .filter(|spec| spec.contains(':'))
                    .filter_map(|spec| {
                        let start = if formatted {
                            row.get(*spec).and_then(|pair| pair.get(0))
                        } else {
                            row.get("__range")
                                .and_then(|ranges| ranges.get(*spec))
                                .and_then(|range| range.get("from"))
                        };
                        let day = start.and_then(Value::as_str)?.get(..10)?;
                        let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                        Some(((*spec).to_owned(), day))
                    })
                    .collect();
                Ok(Group {
                    keys,
                    count,
                    aggregates,
                    period_starts,
                })
            })
            .collect()
    }
}

fn protocol(model: &str, method: &str, message: &str) -> OdooError {
    OdooError::Protocol {
        model: model.to_owned(),
        method: method.to_owned(),
        message: message.to_owned(),
    }
}
