//! The arguments of `nl_report` and the typed report plan (spec 6.1, 6.2):
//! everything a model may say is a catalog name, an operator from a fixed
//! list or a value checked against the field's type. The checks here need
//! no Odoo call; those that do (fields present, names resolved) run in
//! `resolve`.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::{Dataset, DatasetDef, DimSource, DimensionKey, MeasureKey, definition};
use super::period::{PeriodExpr, PeriodRange};
use crate::ToolError;

/// Longest question accepted.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// Rows returned when `max_rows` is not given.
pub const DEFAULT_MAX_ROWS: u32 = 500;
/// Most rows a report may return.
pub const MAX_ROWS: u32 = 10_000;
/// Most dimensions a plan may group by.
pub const MAX_DIMENSIONS: usize = 2;
/// Most measures and filters a plan may hold.
pub const MAX_MEASURES: usize = 4;
pub const MAX_FILTERS: usize = 8;

/// Arguments of `nl_report`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NlReportArgs {
    /// The reporting question in the user's words, 3 to 2000 characters.
    /// Example: "sales by product category for Q4 2025 compared with Q3"
    #[schemars(length(min = 3, max = 2000))]
    pub question: String,
    /// The question turned into a report plan over the fixed catalog. Give
    /// it whenever you can; without it the server plans from keywords.
    #[serde(default)]
    pub plan: Option<ReportPlan>,
    /// First day of the period, YYYY-MM-DD; overrides the plan's period.
    /// Example: "2026-01-01"
    #[serde(default)]
    pub date_from: Option<String>,
    /// Last day of the period (inclusive), YYYY-MM-DD, not before
    /// date_from. Example: "2026-03-31"
    #[serde(default)]
    pub date_to: Option<String>,
    /// Compare with the period just before (of equal length) or the same
    /// period one year earlier; overrides the plan's compare.
    #[serde(default)]
    pub compare: Option<Compare>,
    /// "table" (default) answers in chat; "csv" and "xlsx" also attach a
    /// file.
    #[serde(default)]
    pub format: Option<ReportFormat>,
    /// Most rows to return, 1 to 10000. Default 500. Totals always cover
    /// every matching record.
    #[serde(default)]
    #[schemars(range(min = 1, max = 10000))]
    pub max_rows: Option<u32>,
    /// "Today" for relative periods, YYYY-MM-DD. Default today in the
    /// company's time zone. Example: "2026-03-16"
    #[serde(default)]
    pub as_of: Option<String>,
    /// Odoo id of the company to report on. Default the user's current
    /// company. Example: 1
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub company_id: Option<i64>,
}

/// A report over one catalog dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportPlan {
    /// The catalog dataset: sales (lines of confirmed orders), sales_orders,
    /// invoicing (posted customer invoices, refunds negative), receivables
    /// (open customer invoices), pipeline (opportunities), purchases,
    /// expenses, stock (on hand by product), contacts.
    pub dataset: Dataset,
    /// The figures, at most 4. Default the dataset's main amount.
    #[serde(default)]
    pub measures: Vec<MeasureSpec>,
    /// Break the figures down by up to 2 dimensions. None gives one row of
    /// totals.
    #[serde(default)]
    pub dimensions: Vec<DimensionSpec>,
    /// Conditions on dimensions or measures, all of which must hold, at
    /// most 8.
    #[serde(default)]
    pub filters: Vec<FilterSpec>,
    /// The period the dataset's date falls in. Default all dates.
    #[serde(default)]
    pub period: Option<PeriodSpec>,
    #[serde(default)]
    pub compare: Option<Compare>,
    /// Row order: keys are a dimension or measure name, e.g.
    /// {"key": "untaxed_amount", "desc": true}. Default: by date when
    /// grouped by date, else largest first measure first.
    #[serde(default)]
    pub order: Vec<OrderSpec>,
    /// Most rows, e.g. 10 for a top ten (1 to 10000).
    #[serde(default)]
    #[schemars(range(min = 1, max = 10000))]
    pub limit: Option<u32>,
    /// A short title for the report. Example: "Sales by category, Q4 2025"
    #[serde(default)]
    #[schemars(length(max = 120))]
    pub title: Option<String>,
}

/// One figure and how it is aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureSpec {
    pub field: MeasureKey,
    /// Default "sum" ("count" for the count measure).
    #[serde(default)]
    pub agg: Option<Agg>,
}

/// How a measure is aggregated over the records of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    Sum,
    Avg,
    Count,
    Min,
    Max,
}

/// One breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    pub field: DimensionKey,
    /// For the date dimension only: day, week, month (default), quarter or
    /// year.
    #[serde(default)]
    pub granularity: Option<Granularity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

/// A condition: a dimension (customer, product, state, ..) or a measure
/// compared with a value. Names of customers, products, salespeople, ..
/// may be given instead of ids; a name fitting several records is
/// answered with the candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterSpec {
    pub field: FilterField,
    pub op: FilterOp,
    /// A number, a YYYY-MM-DD date, a name or id, a state value, or a list
    /// of those for "in" / "not in". Example: "Avocet Marine"
    pub value: Value,
}

/// What a filter tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FilterField {
    Dimension(DimensionKey),
    Measure(MeasureKey),
}

impl FilterField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dimension(d) => d.as_str(),
            Self::Measure(m) => m.as_str(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FilterOp {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "in")]
    In,
    #[serde(rename = "not in")]
    NotIn,
    #[serde(rename = "ilike")]
    Ilike,
}

impl FilterOp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "!=",
            Self::Gt => ">",
            Self::Ge => ">=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::In => "in",
            Self::NotIn => "not in",
            Self::Ilike => "ilike",
        }
    }
}

/// The period: a named expression, or explicit dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// One of today, yesterday, this_week, last_week, this_month,
    /// last_month, this_quarter, last_quarter, this_year, last_year, ytd,
    /// qtd, mtd, last_n_days(n), month(m, y), quarter(q, y), year(y), and
    /// this_fiscal_year, last_fiscal_year, fiscal_ytd when the user says
    /// "fiscal". Quarters are calendar quarters. Example: "quarter(4, 2025)"
    #[serde(default)]
    pub expression: Option<String>,
    /// Explicit first day, YYYY-MM-DD, with `to` instead of an expression.
    #[serde(default)]
    pub from: Option<String>,
    /// Explicit last day (inclusive), YYYY-MM-DD.
    #[serde(default)]
    pub to: Option<String>,
}

/// A comparison period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    None,
    /// The period of equal length just before.
    PreviousPeriod,
    /// The same period one year earlier.
    PreviousYear,
}

/// How the answer is delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[default]
    Table,
    Csv,
    Xlsx,
}

/// One ordering term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderSpec {
    /// A dimension or measure of the plan. Example: "untaxed_amount"
    pub key: String,
    /// Largest first. Default false.
    #[serde(default)]
    pub desc: bool,
}

/// The period as asked, before "today" is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PeriodRequest {
    All,
    Expr(PeriodExpr),
    Range(PeriodRange),
}

/// The plan once checked against the catalog.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CheckedPlan {
    pub def: &'static DatasetDef,
    pub measures: Vec<(MeasureKey, Agg)>,
    pub dimensions: Vec<(DimensionKey, Option<Granularity>)>,
    pub filters: Vec<FilterSpec>,
    pub period: PeriodRequest,
    pub compare: Compare,
    pub order: Vec<(OrderKey, bool)>,
    pub limit: Option<u32>,
    pub title: Option<String>,
}

/// What a row is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderKey {
    Dimension(usize),
    Measure(usize),
}

/// The call's options once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Options {
    pub format: ReportFormat,
    pub max_rows: u32,
    pub as_of: Option<NaiveDate>,
    pub company_id: Option<i64>,
}

/// Checks the options of a call.
pub(crate) fn check_options(tool: &str, args: &NlReportArgs) -> Result<Options, ToolError> {
    let chars = args.question.trim().chars().count();
    if !(3..=MAX_QUESTION_CHARS).contains(&chars) {
        return Err(invalid(
            tool,
            "question",
            &format!("must have 3 to {MAX_QUESTION_CHARS} characters, got {chars}"),
        ));
    }
    let max_rows = args.max_rows.unwrap_or(DEFAULT_MAX_ROWS);
    if !(1..=MAX_ROWS).contains(&max_rows) {
        return Err(invalid(
            tool,
            "max_rows",
            &format!("must be between 1 and {MAX_ROWS}, got {max_rows}"),
        ));
    }
    if let Some(id) = args.company_id.filter(|id| *id < 1) {
        return Err(invalid(
            tool,
            "company_id",
            &format!("must be a positive id, got {id}"),
        ));
    }
    Ok(Options {
        format: args.format.unwrap_or_default(),
        max_rows,
        as_of: args
            .as_of
            .as_deref()
            .map(|text| parse_date(tool, "as_of", text))
            .transpose()?,
        company_id: args.company_id,
    })
}

/// Checks `plan` against the catalog; `date_from`, `date_to` and `compare`
/// of the call override the plan's.
pub(crate) fn check_plan(
    tool: &str,
    plan: &ReportPlan,
    date_from: Option<&str>,
    date_to: Option<&str>,
    compare: Option<Compare>,
) -> Result<CheckedPlan, ToolError> {
    let def = definition(plan.dataset);
    let source = &def.primary;
    let fallback = def.fallback.as_ref();
    let offered_measure = |m: MeasureKey| {
        source.measure(m).is_some() || fallback.is_some_and(|f| f.measure(m).is_some())
    };
    let offered_dimension = |d: DimensionKey| {
        source.dimension(d).is_some() || fallback.is_some_and(|f| f.dimension(d).is_some())
    };
    let measure_names = || names(source.measures.iter().map(|(k, _)| k.as_str()));
    let dimension_names = || names(source.dimensions.iter().map(|(k, _)| k.as_str()));
    let dataset = plan.dataset.as_str();

    if plan.measures.len() > MAX_MEASURES {
        return Err(invalid(
            tool,
            "plan.measures",
            &format!("at most {MAX_MEASURES} measures"),
        ));
    }
    let mut measures = Vec::new();
    for (i, spec) in plan.measures.iter().enumerate() {
        let field = format!("plan.measures[{i}].field");
        if !offered_measure(spec.field) {
            return Err(invalid(
                tool,
                &field,
                &format!(
                    "{} is not a measure of dataset {dataset}; allowed: {}",
                    spec.field.as_str(),
                    measure_names()
                ),
            ));
        }
        let agg = match (spec.field, spec.agg) {
            (MeasureKey::Count, None | Some(Agg::Count)) => Agg::Count,
            (MeasureKey::Count, Some(_)) => {
                return Err(invalid(
                    tool,
                    &format!("plan.measures[{i}].agg"),
                    "the count measure only takes agg \"count\"",
                ));
            }
            (_, agg) => agg.unwrap_or(Agg::Sum),
        };
        // Up to 18 Odoo returns every aggregate of a field under the
        // field's name, so one field can be aggregated once per report.
        if measures.iter().any(|(m, _)| *m == spec.field) {
            return Err(invalid(
                tool,
                &field,
                &format!("{} is listed twice", spec.field.as_str()),
            ));
        }
        measures.push((spec.field, agg));
    }
    if measures.is_empty() {
        let agg = if def.default_measure == MeasureKey::Count {
            Agg::Count
        } else {
            Agg::Sum
        };
        measures.push((def.default_measure, agg));
    }

    if plan.dimensions.len() > MAX_DIMENSIONS {
        return Err(invalid(
            tool,
            "plan.dimensions",
            &format!("at most {MAX_DIMENSIONS} dimensions"),
        ));
    }
    let mut dimensions = Vec::new();
    for (i, spec) in plan.dimensions.iter().enumerate() {
        let field = format!("plan.dimensions[{i}].field");
        if !offered_dimension(spec.field) {
            return Err(invalid(
                tool,
                &field,
                &format!(
                    "{} is not a dimension of dataset {dataset}; allowed: {}",
                    spec.field.as_str(),
                    dimension_names()
                ),
            ));
        }
        let granularity = match (spec.field, spec.granularity) {
            (DimensionKey::Date, g) => Some(g.unwrap_or(Granularity::Month)),
            (_, None) => None,
            (_, Some(_)) => {
                return Err(invalid(
                    tool,
                    &format!("plan.dimensions[{i}].granularity"),
                    "only the date dimension takes a granularity",
                ));
            }
        };
        if dimensions.iter().any(|(d, _)| *d == spec.field) {
            return Err(invalid(
                tool,
                &field,
                &format!("{} is listed twice", spec.field.as_str()),
            ));
        }
        dimensions.push((spec.field, granularity));
    }
    let bucketed = dimensions
        .iter()
        .filter(|(d, _)| {
            matches!(
                source.dimension(*d),
                Some(DimSource::DueBucket | DimSource::PartnerType)
            )
        })
        .count();
    if bucketed > 1 {
        return Err(invalid(
            tool,
            "plan.dimensions",
            "at most one of due_bucket and partner_type",
        ));
    }

    if plan.filters.len() > MAX_FILTERS {
        return Err(invalid(
            tool,
            "plan.filters",
            &format!("at most {MAX_FILTERS} filters"),
        ));
    }
    for (i, filter) in plan.filters.iter().enumerate() {
        let field = format!("plan.filters[{i}]");
        let offered = match filter.field {
            FilterField::Dimension(d) => {
                offered_dimension(d)
                    && !matches!(
                        source.dimension(d),
                        Some(DimSource::DueBucket | DimSource::PartnerType)
                    )
            }
            FilterField::Measure(m) => m != MeasureKey::Count && offered_measure(m),
        };
        if !offered {
            return Err(invalid(
                tool,
                &format!("{field}.field"),
                &format!(
                    "{} cannot be filtered in dataset {dataset}; allowed: {}, {}",
                    filter.field.as_str(),
                    dimension_names(),
                    measure_names()
                ),
            ));
        }
        let list = matches!(filter.op, FilterOp::In | FilterOp::NotIn);
        match (&filter.value, list) {
            (Value::Array(items), true) if !items.is_empty() && items.len() <= 50 => {}
            (_, true) => {
                return Err(invalid(
                    tool,
                    &format!("{field}.value"),
                    &format!("\"{}\" takes a list of 1 to 50 values", filter.op.as_str()),
                ));
            }
            (Value::String(_) | Value::Number(_) | Value::Bool(_), false) => {}
            (_, false) => {
                return Err(invalid(
                    tool,
                    &format!("{field}.value"),
                    &format!(
                        "\"{}\" takes one number, date, name or id",
                        filter.op.as_str()
                    ),
                ));
            }
        }
    }

    let period = match (date_from, date_to) {
        (None, None) => match &plan.period {
            None => PeriodRequest::All,
            Some(spec) => period_of(tool, spec)?,
        },
        (from, to) => {
            let from = from.map(|t| parse_date(tool, "date_from", t)).transpose()?;
            let to = to.map(|t| parse_date(tool, "date_to", t)).transpose()?;
            match (from, to) {
                (Some(from), Some(to)) => PeriodRequest::Range(range(tool, "date_to", from, to)?),
                (Some(_), None) => return Err(invalid(tool, "date_to", "required with date_from")),
                _ => return Err(invalid(tool, "date_from", "required with date_to")),
            }
        }
    };
    if def.primary.date_field.is_none() && period != PeriodRequest::All {
        return Err(invalid(
            tool,
            "plan.period",
            &format!("dataset {dataset} has no date; leave the period out"),
        ));
    }
    let compare = compare.or(plan.compare).unwrap_or(Compare::None);
    if compare != Compare::None && period == PeriodRequest::All {
        return Err(invalid(tool, "compare", "needs a period to compare with"));
    }

    let mut order = Vec::new();
    for (i, term) in plan.order.iter().enumerate() {
        let key = if let Some(at) = dimensions.iter().position(|(d, _)| d.as_str() == term.key) {
            OrderKey::Dimension(at)
        } else if let Some(at) = measures.iter().position(|(m, _)| m.as_str() == term.key) {
            OrderKey::Measure(at)
        } else {
            let allowed = names(
                dimensions
                    .iter()
                    .map(|(d, _)| d.as_str())
                    .chain(measures.iter().map(|(m, _)| m.as_str())),
            );
            return Err(invalid(
                tool,
                &format!("plan.order[{i}].key"),
                &format!("{:?} is not in the plan; allowed: {allowed}", term.key),
            ));
        };
        order.push((key, term.desc));
    }
    if order.is_empty() {
        order = match dimensions
            .iter()
            .position(|(d, _)| *d == DimensionKey::Date)
        {
            Some(at) => vec![(OrderKey::Dimension(at), false)],
            None => vec![(OrderKey::Measure(0), true)],
        };
    }
    if let Some(limit) = plan.limit.filter(|l| !(1..=MAX_ROWS).contains(l)) {
        return Err(invalid(
            tool,
            "plan.limit",
            &format!("must be between 1 and {MAX_ROWS}, got {limit}"),
        ));
    }
    let title = plan
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(120).collect());
    Ok(CheckedPlan {
        def,
        measures,
        dimensions,
        filters: plan.filters.clone(),
        period,
        compare,
        order,
        limit: plan.limit,
        title,
    })
}

fn period_of(tool: &str, spec: &PeriodSpec) -> Result<PeriodRequest, ToolError> {
    match (&spec.expression, &spec.from, &spec.to) {
        (Some(text), None, None) => PeriodExpr::parse(text).map(PeriodRequest::Expr).ok_or_else(|| {
            invalid(
                tool,
                "plan.period.expression",
                &format!(
                    "{text:?} is not a period; allowed: today, yesterday, this_week, last_week, \
                     this_month, last_month, this_quarter, last_quarter, this_year, last_year, \
                     ytd, qtd, mtd, last_n_days(n), month(m, y), quarter(q, y), year(y), \
                     this_fiscal_year, last_fiscal_year, fiscal_ytd"
                ),
            )
        }),
        (None, Some(from), Some(to)) => {
            let from = parse_date(tool, "plan.period.from", from)?;
            let to = parse_date(tool, "plan.period.to", to)?;
            Ok(PeriodRequest::Range(range(tool, "plan.period.to", from, to)?))
        }
        (None, None, None) => Ok(PeriodRequest::All),
        _ => Err(invalid(
            tool,
            "plan.period",
            "give either expression, or both from and to",
        )),
    }
}

fn range(
    tool: &str,
    field: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PeriodRange, ToolError> {
    if from > to {
        return Err(invalid(
            tool,
            field,
            &format!("must not be before the first day ({from}), got {to}"),
        ));
    }
    Ok(PeriodRange::explicit(from, to))
}

fn parse_date(tool: &str, field: &str, text: &str) -> Result<NaiveDate, ToolError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(
            tool,
            field,
            &format!("must be a date YYYY-MM-DD, got {text:?}"),
        )
    })
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

pub(crate) fn invalid(tool: &str, field: &str, message: &str) -> ToolError {
    ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    }
}
