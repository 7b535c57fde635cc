//! `month_end_closing_scan`: the tool the model calls, its arguments and
//! its output (spec 1.1, 1.4).

use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::compute::{
    Assessment, Check, CheckKey, Narrative, Outcome, RiskLevel, Status, assess, display_amount,
    priorities, template_narrative,
};
use super::config::ClosingScanConfig;
use super::export::checklist_table;
use super::period::Period;
use super::read::{ReadError, Reader, read_company};
use crate::automations::context::currency_places;
use crate::automations::{ContextRequest, Envelope, Warning, read_context};
use crate::builtin::Clock;
use crate::exports::ExportFormat;
use crate::odoo_client::{OdooConnector, OdooError};
use crate::{OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";
const MAX_STALE_DAYS: u32 = 365;
const MAX_DETAIL_LIMIT: u32 = 200;

/// The models the checks read.
const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("account.move"),
    OdooAccess::read("account.move.line"),
    OdooAccess::read("account.bank.statement.line"),
    OdooAccess::read("stock.picking"),
    OdooAccess::read("sale.order"),
    OdooAccess::read("sale.order.line"),
    OdooAccess::read("purchase.order"),
    OdooAccess::read("purchase.order.line"),
    OdooAccess::read("res.company"),
    OdooAccess::read("res.currency.rate"),
];

/// Arguments of `month_end_closing_scan`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthEndClosingScanArgs {
    /// The month to close, written YYYY-MM (year 2000–2100, month 01–12),
    /// not later than the current month. Example: "2026-02"
    pub period: String,
    /// Odoo id of the company to scan. Omit for the user's current company.
    #[serde(default)]
    pub company_id: Option<i64>,
    /// Days after which a draft entry counts as stale, 1 to 365. Default 30.
    #[serde(default)]
    #[schemars(range(min = 1, max = 365))]
    pub stale_after_days: Option<u32>,
    /// Run only these checks. Omit for all ten. Keys: bank_unreconciled,
    /// draft_entries, unbilled_deliveries, receipts_without_bills,
    /// uninvoiced_orders, unposted_depreciation, invoices_without_tax,
    /// intercompany_mismatch, manual_entries, final_review.
    /// Example: ["bank_unreconciled", "draft_entries"]
    #[serde(default)]
    pub checks: Option<Vec<String>>,
    /// Records listed per check, 1 to 200 (counts and amounts always cover
    /// every record). Default 20.
    #[serde(default)]
    #[schemars(range(min = 1, max = 200))]
    pub detail_limit: Option<u32>,
    /// Include a short narrative with priority actions. Default true.
    #[serde(default)]
    pub narrative: Option<bool>,
    /// Also attach the checklist (every check and the records it lists) as
    /// a "csv" or "xlsx" file. Default none.
    #[serde(default)]
    pub export: Option<ExportFormat>,
}

/// The scan's `data` (spec 1.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosingData {
    /// `YYYY-MM`.
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The company's lock date (latest of the lock-date fields of this
    /// Odoo version), if any.
    pub lock_date: Option<NaiveDate>,
    pub checks: Vec<Check>,
    pub readiness: u32,
    pub risk_level: RiskLevel,
    pub total_items: u64,
    /// Hours, a multiple of 0.5.
    pub estimated_hours: rust_decimal::Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<Narrative>,
}

/// Tells a controller what still blocks closing a month.
pub struct MonthEndClosingScan {
    config: ClosingScanConfig,
    connector: Arc<dyn OdooConnector>,
    clock: Clock,
}

impl MonthEndClosingScan {
    pub fn new(config: ClosingScanConfig, connector: Arc<dyn OdooConnector>) -> Self {
        Self::with_clock(config, connector, Arc::new(Utc::now))
    }

    /// With a fixed "now", for tests and replays.
    pub fn with_clock(
        config: ClosingScanConfig,
        connector: Arc<dyn OdooConnector>,
        clock: Clock,
    ) -> Self {
        Self {
            config,
            connector,
            clock,
        }
    }
}

impl Tool for MonthEndClosingScan {
    const NAME: &'static str = "month_end_closing_scan";
    const KIND: ToolKind = ToolKind::Read;
    type Args = MonthEndClosingScanArgs;
    type Output = Envelope<ClosingData>;

    fn description(&self) -> &'static str {
        "Scans one month (YYYY-MM) for what still blocks closing the books: unreconciled bank \
         lines (also older ones still open), draft entries, deliveries and receipts not yet \
         invoiced or billed, confirmed sales orders to invoice, unposted depreciation, invoices \
         without any tax, intercompany differences and manual entries to review. Returns per \
         check a status, exact count, amount in company currency and the records with links, \
         plus a readiness score 0–100, a risk level and an effort estimate. Reads only; \
         changes nothing in Odoo."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    /// The books: finance and administrators.
    fn roles(&self) -> &'static [crate::Role] {
        crate::FINANCE
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let now = (self.clock)();
        let request = Request::check(&self.config, &args, now.date_naive())?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let context = read_context(
            &client,
            ContextRequest {
                company_id: args.company_id,
                ..ContextRequest::default()
            },
            now,
        )
        .await?;
        let period = Period::parse(&args.period, context.today).map_err(invalid)?;
        let company = read_company(&client, context.envelope.company.id)
            .await
            .map_err(into_tool_error)?;
        let lock_date = company.lock_date;
        let reader = Reader::new(
            &client,
            &self.config,
            company,
            period,
            context.zone,
            now,
            request.stale_after_days,
            request.detail_limit,
        );
        reader.warm_up(&request.checks).await;
        let results =
            futures::future::join_all(request.checks.iter().map(|key| reader.check(*key))).await;
        let mut checks = Vec::with_capacity(results.len());
        let mut missing = Vec::new();
        for (key, result) in request.checks.iter().zip(results) {
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(err) if denies_accounting(&err) => return Err(into_tool_error(err)),
                Err(ReadError::Odoo(OdooError::MissingModelOrField { model, .. }))
                    if key.needs_optional_module() =>
                {
                    let why = format!("{model} is not available: its module is not installed");
                    missing.push(Warning::new(
                        "MODULE_MISSING",
                        format!("{}: {why}", key.as_str()),
                    ));
                    Outcome::NotApplicable(why)
                }
                Err(err) => Outcome::Failed(failure_message(&err)),
            };
            checks.push(Check::new(*key, outcome));
        }
        let mut warnings = reader.into_warnings();
        warnings.extend(missing);
        let assessment = assess(&checks, &self.config.scoring);
        let narrative = request
            .narrative
            .then(|| template_narrative(&checks, &assessment));
        let currency = context.envelope.company.currency.clone();
        let summary = summary(&period, &checks, &assessment, &currency);
        let data = ClosingData {
            period: period.label(),
            period_start: period.start,
            period_end: period.end,
            lock_date,
            checks,
            readiness: assessment.readiness,
            risk_level: assessment.risk_level,
            total_items: assessment.total_items,
            estimated_hours: assessment.estimated_hours,
            narrative,
        };
        let files = match args.export {
            Some(format) => {
                let places = currency_places(&client, &currency).await?;
                let table = checklist_table(&data, &currency, places, now).map_err(internal)?;
                vec![
                    table
                        .to_attachment(format, &format!("closing checklist {}", data.period))
                        .map_err(internal)?,
                ]
            }
            None => Vec::new(),
        };
        let summary = match files.first() {
            Some(file) => format!("{summary} Checklist file {} attached.", file.file_name),
            None => summary,
        };
        Ok(Envelope::new(
            Self::NAME,
            TOOL_VERSION,
            context.envelope,
            data,
            warnings,
            &summary,
        )
        .with_attachments(files))
    }
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}

/// The arguments other than `period`, checked before any Odoo call.
struct Request {
    stale_after_days: u32,
    detail_limit: u32,
    checks: Vec<CheckKey>,
    narrative: bool,
}

impl Request {
    fn check(
        config: &ClosingScanConfig,
        args: &MonthEndClosingScanArgs,
        today_utc: NaiveDate,
    ) -> Result<Request, ToolError> {
        // The format is checked before Odoo is read; "not in the future" is
        // checked again against today in the company's zone.
        let tomorrow = today_utc + Days::new(1);
        Period::parse(&args.period, tomorrow).map_err(invalid)?;
        let stale_after_days = args
            .stale_after_days
            .unwrap_or(config.default_stale_after_days);
        if !(1..=MAX_STALE_DAYS).contains(&stale_after_days) {
            return Err(invalid(format!(
                "stale_after_days must be between 1 and {MAX_STALE_DAYS}, got {stale_after_days}"
            )));
        }
        let detail_limit = args.detail_limit.unwrap_or(config.default_detail_limit);
        if !(1..=MAX_DETAIL_LIMIT).contains(&detail_limit) {
            return Err(invalid(format!(
                "detail_limit must be between 1 and {MAX_DETAIL_LIMIT}, got {detail_limit}"
            )));
        }
        let checks = match &args.checks {
            None => CheckKey::ALL.to_vec(),
            Some(names) if names.is_empty() => CheckKey::ALL.to_vec(),
            Some(names) => {
                let mut keys = Vec::new();
                for name in names {
                    let key = CheckKey::parse(name).ok_or_else(|| {
                        let valid: Vec<&str> = CheckKey::ALL.iter().map(|k| k.as_str()).collect();
                        invalid(format!(
                            "checks: unknown check {name:?}; valid keys: {}",
                            valid.join(", ")
                        ))
                    })?;
                    keys.push(key);
                }
                // Spec order, each once.
                CheckKey::ALL
                    .into_iter()
                    .filter(|k| keys.contains(k))
                    .collect()
            }
        };
        Ok(Request {
            stale_after_days,
            detail_limit,
            checks,
            narrative: args.narrative.unwrap_or(true),
        })
    }
}

/// The deterministic digest the model reads: the template sentence, the
/// risk and effort, then each check in attention or error, most urgent
/// first.
pub fn summary(
    period: &Period,
    checks: &[Check],
    assessment: &Assessment,
    currency: &str,
) -> String {
    let narrative = template_narrative(checks, assessment);
    let mut text = format!(
        "Closing {}: {}; risk {}, about {} h for {} items.",
        period.label(),
        narrative.summary,
        assessment.risk_level.as_str(),
        assessment.estimated_hours,
        assessment.total_items
    );
    for check in priorities(checks) {
        text.push_str(&format!(" {}: {}", check.key.as_str(), check.item_count));
        if let Some(amount) = check.amount {
            text.push_str(&format!(" ({currency} {})", display_amount(amount, 2)));
        }
        text.push(';');
    }
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == Status::Error)
        .map(|c| c.key.as_str())
        .collect();
    if !failed.is_empty() {
        text.push_str(&format!(" could not check: {}.", failed.join(", ")));
    }
    text
}

/// An accounting model refused: the scan cannot say anything meaningful
/// without the books, so the whole call ends with ODOO_ACCESS_DENIED. A
/// refused sales, purchase or stock model only fails its own check.
fn denies_accounting(err: &ReadError) -> bool {
    matches!(err, ReadError::Odoo(OdooError::AccessDenied { model, .. }) if model.starts_with("account."))
}

fn failure_message(err: &ReadError) -> String {
    match err {
        ReadError::Odoo(odoo) => format!("{}: {odoo}", odoo.code()),
        other => format!("INTERNAL: {other}"),
    }
}

fn into_tool_error(err: ReadError) -> ToolError {
    match err {
        ReadError::Odoo(odoo) => ToolError::Odoo(odoo),
        other => ToolError::Internal(other.to_string()),
    }
}

fn invalid(message: String) -> ToolError {
    ToolError::InvalidArgs {
        tool: MonthEndClosingScan::NAME.to_owned(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    use super::*;
    use crate::automations::MAX_SUMMARY_CHARS;
    use crate::automations::month_end_closing_scan::compute::Facts;
    use crate::automations::month_end_closing_scan::config::Scoring;

    fn period() -> Period {
        Period::parse("2026-01", NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()).unwrap()
    }

    #[test]
    fn the_summary_starts_with_the_template_and_lists_open_checks_by_priority() {
        let checks: Vec<Check> = CheckKey::ALL
            .into_iter()
            .map(|key| {
                let outcome = match key {
                    CheckKey::BankUnreconciled => Outcome::Found(Facts {
                        item_count: 12,
                        amount: Some(Decimal::new(429_096, 2)),
                        ..Facts::default()
                    }),
                    CheckKey::UninvoicedOrders => Outcome::Found(Facts {
                        item_count: 3,
                        amount: Some(Decimal::new(570_000, 2)),
                        ..Facts::default()
                    }),
                    CheckKey::ManualEntries => Outcome::Failed("ODOO_UNAVAILABLE: down".into()),
                    _ => Outcome::Found(Facts::default()),
                };
                Check::new(key, outcome)
            })
            .collect();
        let assessment = assess(&checks, &Scoring::default());
        assert_eq!(
            summary(&period(), &checks, &assessment, "EUR"),
            "Closing 2026-01: 2 checks need attention; readiness 60/100; risk high, about \
             4.0 h for 15 items. uninvoiced_orders: 3 (EUR 5,700.00); bank_unreconciled: 12 \
             (EUR 4,290.96); could not check: manual_entries."
        );
    }

    #[test]
    fn a_summary_of_every_check_fits_the_envelope() {
        let checks: Vec<Check> = CheckKey::ALL
            .into_iter()
            .map(|key| {
                Check::new(
                    key,
                    Outcome::Found(Facts {
                        item_count: 123_456,
                        amount: Some(Decimal::new(123_456_789_012, 2)),
                        ..Facts::default()
                    }),
                )
            })
            .collect();
        let assessment = assess(&checks, &Scoring::default());
        let text = summary(&period(), &checks, &assessment, "EUR");
        let clipped = crate::automations::clip(&text, MAX_SUMMARY_CHARS);
        assert!(clipped.chars().count() <= MAX_SUMMARY_CHARS);
        assert!(clipped.starts_with("Closing 2026-01: 10 checks need attention; readiness 15/100"));
    }
}
