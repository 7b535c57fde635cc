//! `CashFlowForecast`: the `cash_flow_forecast` tool. Checks the
//! arguments, reads the context and one snapshot from Odoo as the asking
//! user, projects the base and (on a copy of the same items) the scenario,
//! and wraps the result in the envelope of spec 0.1.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::accuracy::{BucketAccuracy, accuracy, predictions};
use super::args::{CashFlowForecastArgs, Request, check, invalid_arg};
use super::compute::{Assumptions, FlowItem, ProjectionParams, flow_items, project};
use super::config::{ForecastConfig, ForecastConfigError};
use super::history::{ForecastHistory, StoredForecast};
use super::output::{
    AssumptionsOut, CitedItem, ForecastData, Impact, JournalRef, ScenarioResult, round,
    rounded_flow, rounded_points, summary,
};
use super::read::{Read, ReadRequest, closing_balance, read_snapshot};
use super::scenario::{apply, check_dates};
use crate::automations::context::currency_places;
use crate::automations::credit_check::Link;
use crate::automations::{ContextRequest, Envelope, RunContext, Warning, read_context};
use crate::odoo_client::OdooConnector;
use crate::{Identity, OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

/// The models the tool reads.
const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.company"),
    OdooAccess::read("res.currency"),
    OdooAccess::read("res.currency.rate"),
    OdooAccess::read("account.journal"),
    OdooAccess::read("account.move"),
    OdooAccess::read("account.move.line"),
    OdooAccess::read("account.partial.reconcile"),
    OdooAccess::read("crm.lead"),
    OdooAccess::read("sale.order"),
    OdooAccess::read("purchase.order"),
    OdooAccess::read("purchase.order.line"),
];

/// Where "now" comes from; tests and benchmarks fix it.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Days of stored forecasts (by as_of) the accuracy is measured over.
const ACCURACY_WINDOW_DAYS: u64 = 365;

/// Projects the bank balance day by day.
pub struct CashFlowForecast {
    config: ForecastConfig,
    connector: Arc<dyn OdooConnector>,
    clock: Clock,
    history: Option<Arc<dyn ForecastHistory>>,
}

impl CashFlowForecast {
    /// Fails when the configuration cannot forecast.
    pub fn new(
        config: ForecastConfig,
        connector: Arc<dyn OdooConnector>,
    ) -> Result<Self, ForecastConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            connector,
            clock: Arc::new(Utc::now),
            history: None,
        })
    }

    /// The spec's defaults, with links to `odoo_base_url`.
    pub fn with_defaults(odoo_base_url: url::Url, connector: Arc<dyn OdooConnector>) -> Self {
        Self {
            config: ForecastConfig::new(odoo_base_url),
            connector,
            clock: Arc::new(Utc::now),
            history: None,
        }
    }

    /// The same tool reading "now" from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Stores each run's predictions in `history` and reports the accuracy
    /// of earlier ones (spec 5.8).
    pub fn with_history(mut self, history: Arc<dyn ForecastHistory>) -> Self {
        self.history = Some(history);
        self
    }
}

/// A closing balance the daily job stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedBalance {
    pub company_id: i64,
    pub date: NaiveDate,
    pub balance: Decimal,
}

impl CashFlowForecast {
    /// Reads the balance that closed `date` over every bank and cash
    /// journal of the company (the user's current one when `None`), as
    /// `identity` sees it, and stores it as the actual of that day (spec
    /// 5.8). The daily job calls this; it fails when the tool keeps no
    /// history or `date` has not ended yet.
    pub async fn record_actual(
        &self,
        identity: &Identity,
        company_id: Option<i64>,
        date: NaiveDate,
    ) -> Result<RecordedBalance, ToolError> {
        let Some(history) = &self.history else {
            return Err(ToolError::Internal(
                "cash_flow_forecast keeps no history to record balances in".to_owned(),
            ));
        };
        let client = self.connector.client_for(identity).await?;
        let now = (self.clock)();
        let context = read_context(
            &client,
            ContextRequest {
                company_id,
                as_of: Some(date),
                zone: None,
            },
            now,
        )
        .await?;
        let today = now.with_timezone(&context.zone).date_naive();
        if date >= today {
            return Err(invalid_arg(
                Self::NAME,
                "date",
                &format!("the day must have ended (before {today}), got {date}"),
            ));
        }
        let company = &context.envelope.company;
        let balance = closing_balance(
            &client,
            &ReadRequest {
                company_id: company.id,
                company_currency: &company.currency,
                as_of: date,
                zone: context.zone,
                journal_ids: None,
                include_pipeline: false,
                include_recurring: false,
                config: &self.config,
            },
            Self::NAME,
        )
        .await?;
        history
            .record_actual(company.id, date, balance)
            .await
            .map_err(|err| ToolError::Internal(err.to_string()))?;
        Ok(RecordedBalance {
            company_id: company.id,
            date,
            balance,
        })
    }
}

impl CashFlowForecast {
    /// The daily job's work: records the balance that closed `date` for the
    /// user's current company (asked as `None`) and for every other company
    /// with a stored forecast, so each company's forecasts can be measured.
    /// One company failing does not stop the others: each result comes with
    /// the company it was asked for.
    pub async fn record_all_actuals(
        &self,
        identity: &Identity,
        date: NaiveDate,
    ) -> Vec<(Option<i64>, Result<RecordedBalance, ToolError>)> {
        let current = self.record_actual(identity, None, date).await;
        let done = current.as_ref().ok().map(|r| r.company_id);
        let mut results = vec![(None, current)];
        let stored = match &self.history {
            Some(history) => history.forecast_companies().await,
            None => Ok(Vec::new()),
        };
        match stored {
            Ok(companies) => {
                for company in companies.into_iter().filter(|c| Some(*c) != done) {
                    let recorded = self.record_actual(identity, Some(company), date).await;
                    results.push((Some(company), recorded));
                }
            }
            // Not any one company's failure: say what could not be read.
            Err(err) => results.push((
                None,
                Err(ToolError::Internal(format!(
                    "listing the companies with forecasts: {err}"
                ))),
            )),
        }
        results
    }
}

impl Tool for CashFlowForecast {
    const NAME: &'static str = "cash_flow_forecast";
    const KIND: ToolKind = ToolKind::Read;
    type Args = CashFlowForecastArgs;
    type Output = Envelope<ForecastData>;

    fn description(&self) -> &'static str {
        "Projects the company's bank and cash balance day by day (or week by week) over a \
         horizon from the opening balance of its bank and cash journals, open receivables \
         (dated by each customer's usual delay; overdue ones a few days out), open payables, \
         the probability-weighted sales pipeline, confirmed orders not yet invoiced and \
         recurring vendor bills. Returns the balance with an uncertainty band, the days below \
         threshold (cash gaps), the lowest balance and the largest items with links. A \
         scenario of typed adjustments (delay_customer, delay_vendor, remove_opportunity, \
         scale_receivables, scale_payables, scale_recurring, one_off) is applied to the same \
         figures and its impact reported. Read-only: it never changes Odoo."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    /// The books: finance and administrators.
    fn roles(&self) -> &'static [crate::Role] {
        crate::FINANCE
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let request = check(Self::NAME, args)?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let now = (self.clock)();
        let context = read_context(
            &client,
            ContextRequest {
                company_id: request.company_id,
                as_of: request.as_of,
                zone: None,
            },
            now,
        )
        .await?;
        let today = now.with_timezone(&context.zone).date_naive();
        if context.today > today {
            return Err(invalid_arg(
                Self::NAME,
                "as_of",
                &format!("must not be after today ({today}), got {}", context.today),
            ));
        }
        check_dates(Self::NAME, &request.scenario, context.today)?;
        let places = currency_places(&client, &context.envelope.company.currency).await?;
        let read = read_snapshot(
            &client,
            &ReadRequest {
                company_id: context.envelope.company.id,
                company_currency: &context.envelope.company.currency,
                as_of: context.today,
                zone: context.zone,
                journal_ids: request.journal_ids.as_deref(),
                include_pipeline: request.include_pipeline,
                include_recurring: request.include_recurring,
                config: &self.config,
            },
            Self::NAME,
        )
        .await?;
        let company_id = context.envelope.company.id;
        let as_of = context.today;
        let mut history_warnings = Vec::new();
        let accuracy = match &self.history {
            None => None,
            Some(history) => {
                let since = as_of - chrono::Days::new(ACCURACY_WINDOW_DAYS);
                match history.observations(company_id, since).await {
                    Ok(observations) => Some(rounded_accuracy(accuracy(&observations), places)),
                    Err(err) => {
                        history_warnings.push(history_warning(&err));
                        None
                    }
                }
            }
        };
        let (mut envelope, stored) = self.forecast(&request, context, read, places, accuracy);
        // Only today's forecast over every bank and cash journal predicts
        // the balance the daily job records: a backdated run sees documents
        // entered since, and a subset of journals is another balance.
        let comparable = as_of == today && request.journal_ids.is_none();
        if let (Some(history), true) = (&self.history, comparable)
            && let Err(err) = history.record_forecast(&stored).await
        {
            history_warnings.push(history_warning(&err));
        }
        envelope.warnings.extend(history_warnings);
        Ok(envelope)
    }
}

fn history_warning(err: &super::history::ForecastHistoryError) -> Warning {
    tracing::warn!(error = %err, "forecast history unavailable");
    Warning::new(
        "HISTORY_UNAVAILABLE",
        format!("{err}; accuracy tracking is left out of this run"),
    )
}

/// MAE to the currency's decimals, MAPE to one decimal, coverage to three.
fn rounded_accuracy(buckets: Vec<BucketAccuracy>, places: u32) -> Vec<BucketAccuracy> {
    buckets
        .into_iter()
        .map(|mut b| {
            b.mae = round(b.mae, places);
            b.mape = b.mape.map(|m| round(m, 1));
            b.coverage = round(b.coverage, 3);
            b
        })
        .collect()
}

impl CashFlowForecast {
    /// Everything after the reads: pure.
    fn forecast(
        &self,
        request: &Request,
        context: RunContext,
        read: Read,
        places: u32,
        accuracy: Option<Vec<BucketAccuracy>>,
    ) -> (Envelope<ForecastData>, StoredForecast) {
        let Read {
            snapshot,
            journals,
            mut warnings,
        } = read;
        let as_of = context.today;
        let doubtful_factor = request
            .doubtful_factor
            .unwrap_or(self.config.doubtful_factor);
        let assumptions = Assumptions {
            as_of,
            horizon_days: request.horizon_days,
            payment_lag_days: request.payment_lag_days,
            overdue_lag_days: request.overdue_lag_days,
            doubtful_factor,
            doubtful_after_days: self.config.doubtful_after_days,
            max_lateness_days: self.config.max_lateness_days,
            recurring_overlap_days: self.config.recurring_overlap_days,
            include_pipeline: request.include_pipeline,
            include_recurring: request.include_recurring,
        };
        let flows = flow_items(&snapshot, &assumptions);
        let params = ProjectionParams {
            as_of,
            horizon_days: request.horizon_days,
            band_width: request.band_width,
            threshold: request.threshold,
            granularity: request.granularity,
        };
        let base = project(snapshot.opening_balance, &flows.items, &params);
        let (scenario, impact) = if request.scenario.is_empty() {
            (None, None)
        } else {
            let (items, unmatched) = apply(&flows.items, &request.scenario, as_of);
            for index in unmatched {
                warnings.push(Warning::new(
                    "SCENARIO_NO_MATCH",
                    format!(
                        "scenario[{index}] matched no item of the forecast (check the id: \
                         delays and scales apply to the commercial partner of open items, \
                         remove_opportunity to open opportunities)"
                    ),
                ));
            }
            let projected = project(snapshot.opening_balance, &items, &params);
            let impact = Impact::between(&base, &projected).rounded(places);
            (
                Some(ScenarioResult {
                    adjustments: request.scenario.clone(),
                    points: rounded_points(&projected.points, places),
                    totals: rounded_flow(&projected.totals, places),
                    beyond_horizon: projected.beyond_horizon.clone(),
                }),
                Some(impact),
            )
        };
        let base_url = &self.config.odoo_base_url;
        let end = as_of + chrono::Days::new(u64::from(request.horizon_days));
        let mut gaps = base.gaps.clone();
        gaps.min_balance = round(gaps.min_balance, places);
        let mut beyond = base.beyond_horizon.clone();
        beyond.amount = round(beyond.amount, places);
        let mut overdue = flows.overdue.clone();
        overdue.receivables = round(overdue.receivables, places);
        overdue.payables = round(overdue.payables, places);
        overdue.doubtful_excluded = round(overdue.doubtful_excluded, places);
        let data = ForecastData {
            as_of,
            currency: context.envelope.company.currency.clone(),
            opening_balance: round(snapshot.opening_balance, places),
            horizon_days: request.horizon_days,
            granularity: request.granularity,
            journals: journals
                .iter()
                .map(|j| JournalRef {
                    id: j.id,
                    name: j.name.clone(),
                    kind: j.kind.clone(),
                    link: Link::new(base_url, "account.journal", j.id),
                })
                .collect(),
            points: rounded_points(&base.points, places),
            totals: rounded_flow(&base.totals, places),
            overdue,
            gaps,
            beyond_horizon: beyond,
            assumptions: AssumptionsOut {
                payment_lag_days: request.payment_lag_days,
                overdue_lag_days: request.overdue_lag_days,
                band_width: request.band_width,
                doubtful_factor,
                threshold: request.threshold,
                include_pipeline: request.include_pipeline,
                include_recurring: request.include_recurring,
            },
            recurring: flows.recurring.clone(),
            largest_items: largest(&flows.items, as_of, end, self.config.cited_items, places)
                .into_iter()
                .map(|item| CitedItem {
                    link: item
                        .reference
                        .as_ref()
                        .map(|r| Link::new(base_url, &r.model, r.id)),
                    item,
                })
                .collect(),
            scenario,
            impact,
            accuracy,
            model_version: TOOL_VERSION.to_owned(),
        };
        let stored = StoredForecast {
            company_id: context.envelope.company.id,
            as_of,
            horizon_days: request.horizon_days,
            threshold: request.threshold,
            gap_dates: base.gaps.dates.clone(),
            predictions: predictions(as_of, &base),
        };
        let text = summary(&data, &context.envelope.company.name, places);
        let envelope = Envelope::new(
            Self::NAME,
            TOOL_VERSION,
            context.envelope,
            data,
            warnings,
            &text,
        );
        (envelope, stored)
    }
}

/// The `count` items within the horizon with the largest absolute amount;
/// ties by date, then record id, so the list never depends on read order.
fn largest(
    items: &[FlowItem],
    as_of: chrono::NaiveDate,
    end: chrono::NaiveDate,
    count: usize,
    places: u32,
) -> Vec<FlowItem> {
    let mut inside: Vec<&FlowItem> = items
        .iter()
        .filter(|i| i.expected_date > as_of && i.expected_date <= end)
        .collect();
    inside.sort_by(|a, b| {
        b.amount
            .abs()
            .cmp(&a.amount.abs())
            .then(a.expected_date.cmp(&b.expected_date))
            .then(
                a.reference
                    .as_ref()
                    .map(|r| r.id)
                    .cmp(&b.reference.as_ref().map(|r| r.id)),
            )
    });
    inside
        .into_iter()
        .take(count)
        .map(|item| {
            let mut item = item.clone();
            item.amount = round(item.amount, places);
            item
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_items_are_cited_biggest_first() {
        let day =
            |d: u64| chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap() + chrono::Days::new(d);
        let item = |id: i64, amount: i64, d: u64| FlowItem {
            source: super::super::compute::Source::Receivable,
            reference: Some(super::super::compute::RecordRef::new(
                "account.move",
                id,
                "INV",
            )),
            partner: None,
            amount: Decimal::from(amount),
            original_date: day(d),
            expected_date: day(d),
            probability: Decimal::ONE_HUNDRED,
            label: None,
        };
        let items = [
            item(1, 100, 3),
            item(2, -500, 4),
            item(3, 500, 2),
            item(4, 9_999, 40),
        ];
        let cited = largest(&items, day(0), day(30), 2, 2);
        let ids: Vec<i64> = cited
            .iter()
            .map(|i| i.reference.as_ref().unwrap().id)
            .collect();
        assert_eq!(
            ids,
            [3, 2],
            "equal sizes by date; beyond the horizon left out"
        );
    }
}
