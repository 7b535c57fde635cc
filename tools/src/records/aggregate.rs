//! `aggregate_records`: counts and sums per group, computed by Odoo.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::conditions::Condition;
use super::output::{FieldTypes, compact, normalise, summary_only, thousands};
use super::shared::{Shared, field_types, invalid, missing_on_server, policy_error};
use crate::odoo_client::{Aggregate, AggregateFunction, Group};
use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Most groups read from Odoo to count them; past this the count is a
/// lower bound.
const GROUP_READ_CAP: usize = 1000;
/// Most group-by fields and measures per call.
const MAX_GROUP_BY: usize = 3;
const MAX_MEASURES: usize = 10;

/// Arguments of `aggregate_records`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AggregateRecordsArgs {
    /// Technical model name. Example: "account.move"
    pub model: String,
    /// Conditions the records must all meet, as in search_records; omit or
    /// [] for every record. Example: [{"field": "move_type", "op": "=",
    /// "value": "out_invoice"}, {"field": "state", "op": "=", "value": "posted"}]
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Up to 3 fields to group by (fields of the model itself); date and
    /// datetime fields take an interval. Omit for one total over all
    /// matching records. Example: [{"field": "invoice_date", "interval":
    /// "month"}, {"field": "partner_id"}]
    #[serde(default)]
    pub group_by: Vec<GroupBy>,
    /// Up to 10 numeric fields to aggregate per group; the record count is
    /// always included. Example: [{"field": "amount_total_signed",
    /// "function": "sum"}]
    #[serde(default)]
    pub measures: Vec<Measure>,
}

/// One level of grouping.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBy {
    /// Field of the model. Example: "partner_id"
    pub field: String,
    /// For date and datetime fields only: the period to group by. Default month.
    #[serde(default)]
    pub interval: Option<Interval>,
}

/// A calendar period for grouping dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// One aggregate of a numeric field.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Integer, float or monetary field. Example: "amount_residual_signed"
    pub field: String,
    /// sum, avg, min or max.
    pub function: MeasureFunction,
}

/// How a measure combines the records of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureFunction {
    Sum,
    Avg,
    Min,
    Max,
}

/// Groups with their counts and measures, and the totals over all groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateRecordsOutput {
    pub model: String,
    /// Group-by specs, `field` or `field:interval`, as the keys of each group.
    pub group_by: Vec<String>,
    /// Groups Odoo returned, at most the cap; see `group_count`.
    pub groups: Vec<GroupOut>,
    /// How many groups there are (a lower bound when `group_count_exact` is false).
    pub group_count: u64,
    pub group_count_exact: bool,
    /// Some groups are not listed.
    pub truncated: bool,
    /// Count and measures over every matching record, not only the listed groups.
    pub totals: GroupOut,
}

/// One group: its key values, record count and measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupOut {
    /// Value of each group-by spec: many2one as {id, name}, a period as
    /// Odoo's label ("March 2026"), unset as null.
    pub keys: Map<String, Value>,
    pub count: u64,
    /// Each measure by `field:function`; amounts as exact decimal strings.
    pub measures: Map<String, Value>,
}

impl Summarize for AggregateRecordsOutput {
    /// Counts and totals, plus one line per group when the output is too
    /// large for the model to receive in full.
    fn summary(&self) -> String {
        let records = thousands(self.totals.count);
        let mut text = if self.group_by.is_empty() {
            format!("{records} {} records in total", self.model)
        } else {
            let count = thousands(self.group_count);
            let more = if self.group_count_exact {
                ""
            } else {
                "more than "
            };
            format!(
                "{records} {} records in {more}{count} groups by {}",
                self.model,
                self.group_by.join(", ")
            )
        };
        for (spec, value) in &self.totals.measures {
            text.push_str(&format!("; {spec} {}", compact(value)));
        }
        if self.truncated {
            text.push_str(&format!(
                "; showing the first {} groups (truncated), totals cover all records",
                thousands(self.groups.len() as u64)
            ));
        }
        if summary_only(self) {
            for group in &self.groups {
                text.push('\n');
                text.push_str(&group.line());
            }
        }
        text
    }
}

impl GroupOut {
    /// `January 2026, Acme (#7): count 12; amount_total_signed:sum 10250.1`
    fn line(&self) -> String {
        let keys: Vec<String> = self.keys.values().map(compact).collect();
        let mut line = format!("{}: count {}", keys.join(", "), self.count);
        for (spec, value) in &self.measures {
            line.push_str(&format!("; {spec} {}", compact(value)));
        }
        line
    }
}

/// Groups and sums records of an allowed model.
pub struct AggregateRecords {
    shared: Arc<Shared>,
}

impl AggregateRecords {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl Tool for AggregateRecords {
    const NAME: &'static str = "aggregate_records";
    const KIND: ToolKind = ToolKind::Read;
    type Args = AggregateRecordsArgs;
    type Output = AggregateRecordsOutput;

    fn description(&self) -> &'static str {
        "Counts and sums Odoo records of one model, optionally grouped by fields or by \
         date periods (day, week, month, quarter, year), computed by Odoo over every \
         matching record. Use it for totals, breakdowns and trends (\"revenue per month \
         this year\", \"open receivables per customer\"). Amounts come as exact decimal \
         strings in the company currency when you choose the *_signed fields; totals cover \
         all matching records even when the group list is truncated."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let tool = Self::NAME;
        let model = args.model.as_str();
        self.shared.check_model(tool, model)?;
        let domain = self.shared.domain(tool, model, &args.conditions)?;
        self.check_arguments(&args)?;

        let client = self.shared.client(ctx).await?;
        let types = field_types(&client, model).await?;
        let groupby = group_specs(tool, model, &args.group_by, &types, &client)?;
        let aggregates = aggregates(tool, model, &args.measures, &types, &client)?;
        let domain = domain.to_value();
        let spec_refs: Vec<&str> = groupby.iter().map(String::as_str).collect();

        let cap = self.shared.config.max_groups;
        let fetch = u32::try_from(GROUP_READ_CAP + 1).unwrap_or(u32::MAX);
        // The groups and the totals are independent reads: run them together.
        let grouped = async {
            if spec_refs.is_empty() {
                Ok(Vec::new())
            } else {
                client
                    .read_group(model, domain.clone(), &spec_refs, &aggregates, Some(fetch))
                    .await
            }
        };
        let totals = client.read_group(model, domain.clone(), &[], &aggregates, None);
        let (mut groups, totals) = tokio::try_join!(grouped, totals)?;
        let exact = groups.len() <= GROUP_READ_CAP;
        groups.truncate(GROUP_READ_CAP);
        let group_count = groups.len() as u64;
        groups.truncate(cap);
        let totals = totals
            .first()
            .map(|group| group_out(group, &types))
            .unwrap_or_else(|| GroupOut {
                keys: Map::new(),
                count: 0,
                measures: Map::new(),
            });
        let truncated = (groups.len() as u64) < group_count || !exact;
        Ok(AggregateRecordsOutput {
            model: args.model,
            group_by: groupby,
            groups: groups
                .iter()
                .map(|group| group_out(group, &types))
                .collect(),
            group_count,
            group_count_exact: exact,
            truncated,
            totals,
        })
    }
}

impl AggregateRecords {
    /// Allow-list and size checks that need no Odoo call.
    fn check_arguments(&self, args: &AggregateRecordsArgs) -> Result<(), ToolError> {
        let tool = Self::NAME;
        let policy = &self.shared.config.policy;
        if args.group_by.len() > MAX_GROUP_BY {
            return Err(invalid(
                tool,
                format!(
                    "group_by: at most {MAX_GROUP_BY} fields, got {}",
                    args.group_by.len()
                ),
            ));
        }
        if args.measures.len() > MAX_MEASURES {
            return Err(invalid(
                tool,
                format!(
                    "measures: at most {MAX_MEASURES}, got {}",
                    args.measures.len()
                ),
            ));
        }
        for (i, group) in args.group_by.iter().enumerate() {
            plain(tool, &format!("group_by[{i}]"), &group.field)?;
            policy
                .check_field(&args.model, &group.field)
                .map_err(|err| policy_error(tool, &format!("group_by[{i}]"), &err))?;
        }
        for (i, measure) in args.measures.iter().enumerate() {
            plain(tool, &format!("measures[{i}]"), &measure.field)?;
            policy
                .check_field(&args.model, &measure.field)
                .map_err(|err| policy_error(tool, &format!("measures[{i}]"), &err))?;
        }
        Ok(())
    }
}

impl Interval {
    fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

impl MeasureFunction {
    fn to_function(self) -> AggregateFunction {
        match self {
            Self::Sum => AggregateFunction::Sum,
            Self::Avg => AggregateFunction::Avg,
            Self::Min => AggregateFunction::Min,
            Self::Max => AggregateFunction::Max,
        }
    }
}

fn plain(tool: &str, at: &str, field: &str) -> Result<(), ToolError> {
    if field.contains('.') {
        Err(invalid(
            tool,
            format!("{at}: {field} is a dotted path; use a field of the model itself"),
        ))
    } else {
        Ok(())
    }
}

/// `field` or `field:interval`; dates default to months, and an interval on
/// anything but a date is refused.
fn group_specs(
    tool: &str,
    model: &str,
    group_by: &[GroupBy],
    types: &FieldTypes,
    client: &crate::odoo_client::OdooClient,
) -> Result<Vec<String>, ToolError> {
    group_by
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let field = group.field.as_str();
            if !types.contains(field) {
                return Err(missing_on_server(tool, model, field, client));
            }
            match (types.is_temporal(field), group.interval) {
                (true, interval) => Ok(format!(
                    "{field}:{}",
                    interval.unwrap_or(Interval::Month).as_str()
                )),
                (false, None) => Ok(field.to_owned()),
                (false, Some(_)) => Err(invalid(
                    tool,
                    format!(
                        "group_by[{i}]: interval applies to date fields only; {field} is {}",
                        types.type_of(field).unwrap_or("not a date")
                    ),
                )),
            }
        })
        .collect()
}

fn aggregates(
    tool: &str,
    model: &str,
    measures: &[Measure],
    types: &FieldTypes,
    client: &crate::odoo_client::OdooClient,
) -> Result<Vec<Aggregate>, ToolError> {
    let mut out: Vec<Aggregate> = Vec::new();
    for (i, measure) in measures.iter().enumerate() {
        let field = measure.field.as_str();
        if !types.contains(field) {
            return Err(missing_on_server(tool, model, field, client));
        }
        if !types.is_numeric(field) {
            return Err(invalid(
                tool,
                format!(
                    "measures[{i}]: {field} is {}, not a number; measures take integer, float \
                     or monetary fields (the record count is always included)",
                    types.type_of(field).unwrap_or("of unknown type")
                ),
            ));
        }
        let aggregate = Aggregate {
            field: field.to_owned(),
            function: measure.function.to_function(),
        };
        if !out.contains(&aggregate) {
            out.push(aggregate);
        }
    }
    Ok(out)
}

fn group_out(group: &Group, types: &FieldTypes) -> GroupOut {
    let keys = group
        .keys
        .iter()
        .map(|(spec, value)| {
            // `date:month` keys carry Odoo's period label; only plain fields
            // need their type's normalisation.
            let field = spec.split(':').next().unwrap_or(spec);
            let value = if spec.contains(':') {
                if matches!(value, Value::Bool(false)) {
                    Value::Null
                } else {
                    value.clone()
                }
            } else {
                normalise(types, field, value)
            };
            (spec.clone(), value)
        })
        .collect();
    let measures = group
        .aggregates
        .iter()
        .map(|(spec, value)| {
            let field = spec.split(':').next().unwrap_or(spec);
            (spec.clone(), normalise(types, field, value))
        })
        .collect();
    GroupOut {
        keys,
        count: group.count,
        measures,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn group(label: &str, count: u64, sum: &str) -> GroupOut {
        GroupOut {
            keys: serde_json::from_value(json!({"partner_id": {"id": count, "name": label}}))
                .unwrap(),
            count,
            measures: serde_json::from_value(json!({"amount_residual_signed:sum": sum})).unwrap(),
        }
    }

    #[test]
    fn truncated_groups_are_stated_with_totals_over_all_records() {
        let output = AggregateRecordsOutput {
            model: "account.move".to_owned(),
            group_by: vec!["partner_id".to_owned()],
            groups: (1..=100)
                .map(|i| group(&format!("Customer {i}"), i, "10.5"))
                .collect(),
            group_count: 1_000,
            group_count_exact: false,
            truncated: true,
            totals: GroupOut {
                keys: Map::new(),
                count: 25_000,
                measures: serde_json::from_value(
                    json!({"amount_residual_signed:sum": "1234567.89"}),
                )
                .unwrap(),
            },
        };
        let summary = output.summary();
        let first = summary.lines().next().unwrap();
        assert_eq!(
            first,
            "25,000 account.move records in more than 1,000 groups by partner_id; \
             amount_residual_signed:sum 1234567.89; showing the first 100 groups (truncated), \
             totals cover all records"
        );
        // 100 groups fit the model's budget, so no per-group lines are added.
        assert_eq!(summary.lines().count(), 1);
    }

    #[test]
    fn a_group_reads_as_one_line() {
        assert_eq!(
            group("Acme", 3, "1250.1").line(),
            "Acme (#3): count 3; amount_residual_signed:sum 1250.1"
        );
    }
}
