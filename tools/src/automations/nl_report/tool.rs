//! `NlReport`: the `nl_report` tool. The plan comes from the model as typed
//! arguments or, without one, from the keyword planner; it is checked
//! against the catalog, bound to this Odoo, run as grouped reads over the
//! period (and the comparison period) and returned as a table, with a CSV
//! or XLSX file when asked. [`run_saved_plan`] runs a saved plan the same
//! way without any model, for schedules.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::compose::{Composed, Layout, compose, shift_between};
use super::execute::{SideContext, run_side};
use super::keywords::plan_from_keywords;
use super::output::{
    ComparedPeriod, Interpretation, NlReportData, NlReportOutput, PlanSource, summary,
};
use super::plan::{
    CheckedPlan, Compare, NlReportArgs, Options, PeriodRequest, ReportFormat, ReportPlan,
    check_options, check_plan,
};
use super::resolve::{bind, internal};
use crate::automations::context::currency_places;
use crate::automations::{ContextRequest, Envelope, RunContext, TRUNCATED, Warning, read_context};
use crate::builtin::Clock;
use crate::exports::ExportFormat;
use crate::odoo_client::{OdooClient, OdooConnector};
use crate::{CallOrigin, OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

/// Products read at most for a stock report.
pub const DEFAULT_SCAN_CAP: usize = 20_000;

/// The warning code for parts of a question the keyword planner could not
/// use.
pub const IGNORED: &str = "IGNORED_WORDS";

const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.company"),
    OdooAccess::read("res.currency"),
    OdooAccess::read("sale.report"),
    OdooAccess::read("sale.order"),
    OdooAccess::read("sale.order.line"),
    OdooAccess::read("account.invoice.report"),
    OdooAccess::read("account.move"),
    OdooAccess::read("crm.lead"),
    OdooAccess::read("purchase.report"),
    OdooAccess::read("purchase.order"),
    OdooAccess::read("hr.expense"),
    OdooAccess::read("product.product"),
    OdooAccess::read("res.partner"),
];

/// Answers reporting questions with tables computed by Odoo.
pub struct NlReport {
    connector: Arc<dyn OdooConnector>,
    scan_cap: usize,
    /// "Now": the system clock, fixed in evals and tests.
    clock: Clock,
}

impl NlReport {
    pub fn new(connector: Arc<dyn OdooConnector>) -> Self {
        Self {
            connector,
            scan_cap: DEFAULT_SCAN_CAP,
            clock: Arc::new(Utc::now),
        }
    }

    /// The same tool reading "now" from `clock` (fixed in evals and tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Reads at most `cap` products for stock reports.
    pub fn with_scan_cap(mut self, cap: usize) -> Self {
        self.scan_cap = cap.max(1);
        self
    }
}

impl Tool for NlReport {
    const NAME: &'static str = "nl_report";
    const KIND: ToolKind = ToolKind::Read;
    type Args = NlReportArgs;
    type Output = NlReportOutput;

    fn description(&self) -> &'static str {
        "Answers a reporting question (\"sales by product category for Q4 2025 compared with \
         Q3\") with a table computed by Odoo: totals over all matching records, rows per \
         dimension, an optional comparison with the previous period or year, and a CSV or XLSX \
         file on request. Turn the question into `plan` over the fixed catalog (datasets sales, \
         sales_orders, invoicing, receivables, pipeline, purchases, expenses, stock, contacts); \
         name periods, never compute dates. Read-only: it never changes Odoo."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let options = check_options(Self::NAME, &args)?;
        let (plan, source, ignored) = match &args.plan {
            // A plan in a scheduled call was saved by a person with the
            // schedule; only a turn's call has one from the model.
            Some(plan) => {
                let source = match ctx.origin {
                    CallOrigin::Model => PlanSource::Llm,
                    CallOrigin::Schedule => PlanSource::SavedPlan,
                };
                (plan.clone(), source, Vec::new())
            }
            None => {
                let planned = plan_from_keywords(&args.question)?;
                (planned.plan, PlanSource::KeywordFallback, planned.ignored)
            }
        };
        let checked = check_plan(
            Self::NAME,
            &plan,
            args.date_from.as_deref(),
            args.date_to.as_deref(),
            args.compare,
        )?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let mut warnings: Vec<Warning> = ignored
            .iter()
            .map(|phrase| {
                Warning::new(
                    IGNORED,
                    format!("\"{phrase}\" does not apply to {}", plan.dataset.as_str()),
                )
            })
            .collect();
        let mut output = run(
            &client,
            &checked,
            plan,
            source,
            &options,
            self.scan_cap,
            (self.clock)(),
        )
        .await?;
        warnings.append(&mut output.envelope.warnings);
        output.envelope.warnings = warnings;
        Ok(output)
    }
}

/// How a saved plan is run.
#[derive(Debug, Clone, Copy, Default)]
pub struct SavedRun {
    pub format: ReportFormat,
    /// Default 500.
    pub max_rows: Option<u32>,
    pub company_id: Option<i64>,
}

/// Runs a saved plan as `client`'s user, without any model: the scheduler's
/// entry point (spec 6.6). The plan is checked again, since the catalog or
/// the server may have changed since it was saved.
pub async fn run_saved_plan(
    client: &OdooClient,
    plan: &ReportPlan,
    saved: SavedRun,
    now: DateTime<Utc>,
) -> Result<NlReportOutput, ToolError> {
    let args = NlReportArgs {
        question: plan
            .title
            .clone()
            .unwrap_or_else(|| format!("saved {} report", plan.dataset.as_str())),
        plan: Some(plan.clone()),
        format: Some(saved.format),
        max_rows: saved.max_rows,
        company_id: saved.company_id,
        ..NlReportArgs::default()
    };
    let options = check_options(NlReport::NAME, &args)?;
    let checked = check_plan(NlReport::NAME, plan, None, None, None)?;
    run(
        client,
        &checked,
        plan.clone(),
        PlanSource::SavedPlan,
        &options,
        DEFAULT_SCAN_CAP,
        now,
    )
    .await
}

async fn run(
    client: &OdooClient,
    checked: &CheckedPlan,
    plan: ReportPlan,
    source: PlanSource,
    options: &Options,
    scan_cap: usize,
    now: DateTime<Utc>,
) -> Result<NlReportOutput, ToolError> {
    let context = read_context(
        client,
        ContextRequest {
            company_id: options.company_id,
            as_of: options.as_of,
            zone: None,
        },
        now,
    )
    .await?;
    let company = context.envelope.company.clone();
    let bound = bind(NlReport::NAME, client, checked, company.id).await?;
    let period = match &checked.period {
        PeriodRequest::All => None,
        PeriodRequest::Expr(expr) if expr.is_fiscal() => {
            let end = fiscal_year_end(client, company.id).await?;
            Some(expr.resolve_fiscal(context.today, end))
        }
        PeriodRequest::Expr(expr) => Some(expr.resolve(context.today)),
        PeriodRequest::Range(range) => Some(range.clone()),
    };
    let compared = period.as_ref().and_then(|p| p.compared(checked.compare));
    let side_context = SideContext {
        company_id: company.id,
        zone: context.zone,
        today: context.today,
        company_currency: &company.currency,
        scan_cap,
    };
    let current = run_side(client, &bound, period.as_ref(), side_context).await?;
    let previous = match &compared {
        Some(p) => Some(run_side(client, &bound, Some(p), side_context).await?),
        None => None,
    };
    let places = currency_places(client, &company.currency).await?;
    let title = checked
        .title
        .clone()
        .unwrap_or_else(|| default_title(checked, period.as_ref()));
    let mut notes = vec![format!(
        "Generated {} ({}), {} in {}",
        now.format("%Y-%m-%d %H:%M UTC"),
        context.envelope.timezone,
        company.name,
        company.currency
    )];
    if let Some(p) = &period {
        notes.push(format!("Period {} to {}", p.from, p.to));
    }
    if let Some(p) = &compared {
        notes.push(format!("Compared with {} to {}", p.from, p.to));
    }
    let layout = Layout {
        plan: checked,
        measures: &bound.measures,
        currency: &company.currency,
        places,
        title: &title,
        notes,
        generated_at: now,
        max_rows: options.max_rows,
    };
    let shift = match (&period, &compared) {
        (Some(cur), Some(prev)) => Some(shift_between(cur.from, prev.from)),
        _ => None,
    };
    let Composed {
        table,
        rows,
        totals,
        row_count,
        cut,
    } = compose(&layout, &current, previous.as_ref().zip(shift)).map_err(internal)?;

    let mut warnings = bound.warnings.clone();
    for warning in current
        .warnings
        .iter()
        .chain(previous.iter().flat_map(|p| p.warnings.iter()))
    {
        if !warnings.contains(warning) {
            warnings.push(warning.clone());
        }
    }
    if cut {
        warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "showing {} of {row_count} rows (max_rows); totals cover every row",
                options.max_rows
            ),
        ));
    }
    let format = match options.format {
        ReportFormat::Table => None,
        ReportFormat::Csv => Some(ExportFormat::Csv),
        ReportFormat::Xlsx => Some(ExportFormat::Xlsx),
    };
    let files = match format {
        Some(format) => vec![table.to_attachment(format, &title).map_err(internal)?],
        None => Vec::new(),
    };
    let mut filters = vec![base_filter_text(checked)];
    filters.extend(bound.filter_texts.iter().cloned());
    let data = NlReportData {
        title: title.clone(),
        interpretation: Interpretation {
            dataset: checked.def.dataset,
            model: bound.source.model.to_owned(),
            filters,
            period: period.clone(),
            compare: compared.map(|p| ComparedPeriod {
                mode: checked.compare,
                period: p,
            }),
            source,
            plan,
        },
        columns: table.columns().to_vec(),
        rows,
        totals,
        row_count,
        truncated: warnings.iter().any(|w| w.code == TRUNCATED),
        attachment: files.first().map(|f| f.describe()),
    };
    let text = summary(&data, checked.dimensions.len());
    Ok(NlReportOutput {
        envelope: envelope(context, data, warnings, &text),
        files,
    })
}

fn envelope(
    context: RunContext,
    data: NlReportData,
    warnings: Vec<Warning>,
    summary: &str,
) -> Envelope<NlReportData> {
    Envelope::new(
        NlReport::NAME,
        TOOL_VERSION,
        context.envelope,
        data,
        warnings,
        summary,
    )
}

fn default_title(plan: &CheckedPlan, period: Option<&super::period::PeriodRange>) -> String {
    let mut title = plan.def.label.to_owned();
    let by: Vec<&str> = plan
        .dimensions
        .iter()
        .map(|(d, g)| match (d, g) {
            (super::catalog::DimensionKey::Date, Some(g)) => g.as_str(),
            (d, _) => d.as_str(),
        })
        .collect();
    if !by.is_empty() {
        title.push_str(&format!(" by {}", by.join(" and ").replace('_', " ")));
    }
    if let Some(p) = period {
        title.push_str(&format!(", {}", p.label));
    }
    if plan.compare != Compare::None {
        title.push_str(match plan.compare {
            Compare::PreviousYear => " vs previous year",
            Compare::PreviousPeriod | Compare::None => " vs previous period",
        });
    }
    title
}

/// The dataset's default filter as people read it.
fn base_filter_text(plan: &CheckedPlan) -> String {
    use super::catalog::Dataset;
    match plan.def.dataset {
        Dataset::Sales | Dataset::SalesOrders => "confirmed sales orders",
        Dataset::Invoicing => "posted customer invoices and refunds",
        Dataset::Receivables => "posted customer invoices not paid or partly paid",
        Dataset::Pipeline => "active opportunities",
        Dataset::Purchases => "confirmed purchase orders",
        Dataset::Expenses => "all expenses",
        Dataset::Stock => "active stock-tracked products",
        Dataset::Contacts => "active contacts",
    }
    .to_owned()
}

/// The company's fiscal year end (month, day); December 31 when Odoo
/// does not say.
async fn fiscal_year_end(client: &OdooClient, company_id: i64) -> Result<(u32, u32), ToolError> {
    let fields = ["fiscalyear_last_month", "fiscalyear_last_day"];
    let mut present = Vec::new();
    for field in fields {
        if client.has_field("res.company", field).await? {
            present.push(field);
        }
    }
    if present.len() < 2 {
        return Ok((12, 31));
    }
    let company = client.read("res.company", &[company_id], &present).await?;
    let month = company
        .first()
        .and_then(|c| match &c["fiscalyear_last_month"] {
            serde_json::Value::String(m) => m.parse().ok(),
            other => other.as_u64().and_then(|m| u32::try_from(m).ok()),
        })
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(12);
    let day = company
        .first()
        .and_then(|c| c["fiscalyear_last_day"].as_u64())
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| (1..=31).contains(d))
        .unwrap_or(31);
    Ok((month, day))
}
