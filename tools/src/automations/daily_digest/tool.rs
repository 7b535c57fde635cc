//! `DailyDigest`: the `daily_digest` tool. Checks the arguments, reads the
//! context and the role's figures as the asking user, adds the change since
//! the previous digest, orders the attention items, writes the narrative
//! and stores the figures for the next digest.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::Utc;
use rust_decimal::Decimal;
use url::Url;

use super::approvals::PendingApprovals;
use super::args::{DailyDigestArgs, DigestRole, check, invalid};
use super::closes::CloseStatuses;
use super::compute::{Figures, attention, metrics, template, with_change};
use super::history::{DigestHistory, MemoryDigestHistory, StoredDigest};
use super::output::{DigestData, summary};
use super::product::{Moment, Sources};
use super::read::Reader;
use crate::automations::cash_flow_forecast::ForecastHistory;
use crate::automations::context::currency_places;
use crate::automations::events::ProductEvents;
use crate::automations::narrative::{
    GeneratedBy, NarrativeLimits, NarrativeProvider, NarrativeRequest, narrate,
};
use crate::automations::{ContextRequest, Envelope, Warning, read_context};
use crate::builtin::Clock;
use crate::odoo_client::OdooConnector;
use crate::{OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

/// The models the digest reads.
const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.company"),
    OdooAccess::read("res.currency"),
    OdooAccess::read("account.move"),
    OdooAccess::read("account.move.line"),
    OdooAccess::read("account.journal"),
    OdooAccess::read("crm.lead"),
    OdooAccess::read("mail.activity"),
    OdooAccess::read("product.product"),
    OdooAccess::read("stock.warehouse.orderpoint"),
    OdooAccess::read("stock.picking"),
];

/// Spec 7.5: headline ≤ 120 characters, summary of 2–3 sentences, at most
/// 500 words; no comparison the digest does not compute (7.3).
pub const DIGEST_NARRATIVE: NarrativeLimits = NarrativeLimits {
    headline_max_chars: 120,
    summary_sentences: (2, 3),
    max_words: 500,
    forbidden: &["yesterday", "day before"],
};

/// Builds the morning briefing of one role.
pub struct DailyDigest {
    odoo_base_url: Url,
    connector: Arc<dyn OdooConnector>,
    history: Arc<dyn DigestHistory>,
    narrator: Option<Arc<dyn NarrativeProvider>>,
    sources: Sources,
    clock: Clock,
}

impl DailyDigest {
    /// Keeps the history in memory and writes template narratives.
    pub fn new(odoo_base_url: Url, connector: Arc<dyn OdooConnector>) -> Self {
        Self {
            odoo_base_url,
            connector,
            history: Arc::new(MemoryDigestHistory::new()),
            narrator: None,
            sources: Sources::default(),
            clock: Arc::new(Utc::now),
        }
    }

    /// Keeps the figures in `history` (a durable store in production).
    pub fn with_history(mut self, history: Arc<dyn DigestHistory>) -> Self {
        self.history = history;
        self
    }

    /// Lets `narrator` write the headline and summary.
    pub fn with_narrator(mut self, narrator: Arc<dyn NarrativeProvider>) -> Self {
        self.narrator = Some(narrator);
        self
    }

    /// Counts the proposals awaiting approval for the CFO from `approvals`.
    pub fn with_approvals(mut self, approvals: Arc<dyn PendingApprovals>) -> Self {
        self.sources.approvals = Some(approvals);
        self
    }

    /// Reports the first cash gap of the latest forecast in `forecasts`.
    pub fn with_forecasts(mut self, forecasts: Arc<dyn ForecastHistory>) -> Self {
        self.sources.forecasts = Some(forecasts);
        self
    }

    /// Reports this and last month's closing from `closes`.
    pub fn with_closes(mut self, closes: Arc<dyn CloseStatuses>) -> Self {
        self.sources.closes = Some(closes);
        self
    }

    /// Lists the last 24 hours of `events` as anomalies.
    pub fn with_events(mut self, events: Arc<dyn ProductEvents>) -> Self {
        self.sources.events = Some(events);
        self
    }

    /// With a fixed "now", for tests and replays.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}

impl Tool for DailyDigest {
    const NAME: &'static str = "daily_digest";
    const KIND: ToolKind = ToolKind::Read;
    type Args = DailyDigestArgs;
    type Output = Envelope<DigestData>;

    fn description(&self) -> &'static str {
        "Builds a short morning briefing for one role: \"cfo\" (overdue receivables with the \
         largest invoices, open, overdue and soon-due payables, cash position with the latest \
         stored forecast's first cash gap, proposals awaiting approval, this and last month's \
         closing readiness, and anomalies the product recorded in the last 24 hours: blocked \
         credit checks, new duplicate groups, closing checks needing attention), \
         \"sales_manager\" (open pipeline and weighted value, opportunities past their \
         deadline, won and lost in the last 7 days, overdue activities per salesperson) or \
         \"warehouse_manager\" (products out of stock, reordering rules below minimum, \
         deliveries due today and late, receipts pending and late). Each figure carries its \
         change since the role's previous digest; items needing action come first by \
         priority, with links into Odoo. Read-only."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let request = check(Self::NAME, args)?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let now = (self.clock)();
        let run = read_context(
            &client,
            ContextRequest {
                company_id: request.company_id,
                as_of: request.date,
                zone: None,
            },
            now,
        )
        .await?;
        let today = now.with_timezone(&run.zone).date_naive();
        if run.today > today {
            return Err(invalid(
                Self::NAME,
                "date",
                &format!("must not be after today ({today}), got {}", run.today),
            ));
        }
        let company = run.envelope.company.clone();
        let places = currency_places(&client, &company.currency).await?;
        let mut reader = Reader {
            client: &client,
            base: &self.odoo_base_url,
            company_id: company.id,
            day: run.today,
            zone: run.zone,
            warnings: Vec::new(),
        };
        let moment = Moment {
            company_id: company.id,
            base: self.odoo_base_url.clone(),
            day: run.today,
            now,
            day_end: day_end(run.today, run.zone),
        };
        let mut anomalies = Vec::new();
        let figures = match request.role {
            DigestRole::Cfo => {
                let mut cfo = reader.cfo().await?;
                if let Some(figures) = cfo.as_mut() {
                    self.sources
                        .add_to(figures, &moment, &mut reader.warnings)
                        .await;
                }
                anomalies = self.sources.anomalies(&moment, &mut reader.warnings).await;
                Figures::Cfo(cfo)
            }
            DigestRole::SalesManager => Figures::Sales(reader.sales().await?),
            DigestRole::WarehouseManager => Figures::Warehouse(reader.warehouse().await?),
        };
        let mut warnings = reader.warnings;
        let mut metrics = metrics(&figures, run.today, &company.currency, places);
        let previous = match self
            .history
            .previous(company.id, request.role, run.today)
            .await
        {
            Ok(previous) => previous,
            Err(err) => {
                warnings.push(history_warning(&err));
                None
            }
        };
        with_change(&mut metrics, previous.as_ref().map(|p| &p.values));
        let attention = attention(&figures, run.today, &company.currency, places);
        let template = template(request.role, run.today, &attention);
        let (cash_forecast, close_status) = match &figures {
            Figures::Cfo(Some(f)) => (f.cash_forecast.clone(), f.close_status.clone()),
            Figures::Cfo(None) | Figures::Sales(_) | Figures::Warehouse(_) => (None, Vec::new()),
        };
        let activities_by_user = match &figures {
            Figures::Sales(Some(f)) => f.activities_by_user.iter().cloned().collect(),
            Figures::Sales(None) | Figures::Cfo(_) | Figures::Warehouse(_) => BTreeMap::new(),
        };
        let mut data = DigestData {
            role: request.role,
            date: run.today,
            headline: template.headline.clone(),
            summary: template.summary.clone(),
            metrics,
            attention,
            anomalies,
            cash_forecast,
            close_status,
            activities_by_user,
            generated_by: GeneratedBy::Template,
        };
        if request.narrative {
            let facts = serde_json::to_value(&data).map_err(internal)?;
            let narrator = self.narrator.as_deref();
            let narrated = narrate(
                narrator,
                NarrativeRequest {
                    tool: Self::NAME,
                    data: &facts,
                    template: &template,
                    limits: &DIGEST_NARRATIVE,
                },
            )
            .await;
            data.headline = narrated.text.headline;
            data.summary = narrated.text.summary;
            data.generated_by = narrated.generated_by;
            warnings.extend(narrated.warning);
        }
        let stored = StoredDigest {
            date: run.today,
            values: data
                .metrics
                .iter()
                .map(|m| (m.key.clone(), m.value))
                .collect::<BTreeMap<String, Decimal>>(),
        };
        if let Err(err) = self.history.record(company.id, request.role, stored).await {
            warnings.push(history_warning(&err));
        }
        let text = summary(&data);
        Ok(Envelope::new(
            Self::NAME,
            TOOL_VERSION,
            run.envelope,
            data,
            warnings,
            &text,
        ))
    }
}

/// The end of `day` in `zone`, in UTC.
fn day_end(day: chrono::NaiveDate, zone: chrono_tz::Tz) -> chrono::DateTime<Utc> {
    use chrono::TimeZone;
    let next = (day + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN);
    zone.from_local_datetime(&next)
        .earliest()
        .map_or_else(|| next.and_utc(), |at| at.with_timezone(&Utc))
}

fn history_warning(err: &super::history::HistoryError) -> Warning {
    tracing::warn!(error = %err, "digest history unavailable");
    Warning::new(
        "HISTORY_UNAVAILABLE",
        format!("{err}; changes since the previous digest are left out"),
    )
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
