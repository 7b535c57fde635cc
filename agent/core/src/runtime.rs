//! The runtime every front end shares: provider, tools, store and prompts,
//! plus the bookkeeping of in-flight turns for graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Serialize;
use thiserror::Error;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tools::automations::bank_reconciliation::{
    BankReconciliationConfig, BankReconciliationSuggest, LearnedRules, MemoryRules,
};
use tools::automations::cash_flow_forecast::{
    CashFlowForecast, ForecastHistory, MemoryForecastHistory,
};
use tools::automations::credit_check::CreditCheck;
use tools::automations::daily_digest::{
    DailyDigest, DigestHistory, MemoryDigestHistory, PendingApprovals,
};
use tools::automations::events::{MemoryEvents, ProductEvents};
use tools::automations::find_duplicates::{FindDuplicates, FindDuplicatesConfig};
use tools::automations::month_end_closing_scan::{ClosingScanConfig, MonthEndClosingScan};
use tools::automations::nl_report::NlReport;
use tools::builtin::Clock;
use tools::proposals::{DismissedDuplicates, MemoryDismissals};
use tools::records::{RecordPolicy, RecordToolsConfig, register_record_tools};
use tools::{RegistryError, ToolRegistry};

use crate::closing::{ClosingChecklist, ClosingStatuses, ClosingStore, MemoryClosings};
use crate::config::{AgentConfig, Config, DatabaseConfig, LlmProvider, TurnLimits};
use crate::odoo::{OdooBackend, OdooMode, OdooSetupError};
use crate::prompt::{PromptError, Prompts};
use crate::proposals::{Approvals, ProposalStore};
use crate::provider::{
    AnthropicProvider, OpenAiCompatProvider, Provider, ReplayError, ReplayProvider, RetryPolicy,
};
use crate::schedule::ScheduleStore;
use crate::store::{NewThread, PostgresStore, SqliteStore, Store, StoreError};
use crate::turn::{TurnDeps, TurnError, TurnEvent, TurnRequest, TurnResult, run_turn};

/// Name used in prompts until the Odoo company is read.
const DEMO_COMPANY_NAME: &str = "Demo Company";

/// The runtime could not be built from the configuration.
#[derive(Debug, Error)]
pub enum RuntimeError {
    #[error("cannot open the conversation database: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("cannot build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
    #[error(transparent)]
    Odoo(#[from] OdooSetupError),
    #[error("invalid record tools policy: {0}")]
    RecordPolicy(#[from] tools::records::PolicyConfigError),
}

/// Everything a runtime is made of; `Runtime::from_config` fills it from the
/// configuration, tests fill it by hand.
pub struct RuntimeParts {
    pub provider: Arc<dyn Provider>,
    pub model: String,
    pub retry: RetryPolicy,
    pub tools: ToolRegistry,
    pub store: Arc<dyn Store>,
    /// Where the proposals tools return are kept until someone decides.
    pub proposals: Arc<dyn ProposalStore>,
    pub prompts: Prompts,
    pub agent: AgentConfig,
    /// The Odoo behind the tools; `None` in tests that need no Odoo.
    pub odoo: Option<Arc<OdooBackend>>,
    /// "Now" for the system prompt's date: the system clock, a fixed
    /// instant in evals so recordings replay on any day.
    pub clock: Clock,
    /// The learned reconciliation rules `bank_reconciliation_suggest` reads
    /// (spec 2.8); confirmed matches add to them.
    pub rules: Arc<dyn LearnedRules>,
}

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    parts: RuntimeParts,
    /// Built from the proposal store and the Odoo connector.
    approvals: Option<Approvals>,
    /// Saved reports and digest schedules; `None` in runtimes built by hand
    /// without them.
    schedules: Option<Arc<dyn ScheduleStore>>,
    /// Forecasts and actual bank balances; `None` in runtimes built by
    /// hand without them.
    forecasts: Option<Arc<dyn ForecastHistory>>,
    tasks: TaskTracker,
    cancel: CancellationToken,
}

/// A running turn: its progress events and, at the end, its result.
pub struct TurnHandle {
    pub events: mpsc::UnboundedReceiver<TurnEvent>,
    task: JoinHandle<Result<TurnResult, TurnError>>,
}

impl TurnHandle {
    /// Waits for the turn to be finished and stored.
    pub async fn outcome(self) -> Result<TurnResult, TurnError> {
        self.task
            .await
            .unwrap_or_else(|err| Err(TurnError::Aborted(err.to_string())))
    }
}

/// What `/health` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// `ok` when every dependency answers, else `degraded`.
    pub status: &'static str,
    pub database: DependencyHealth,
    pub provider: ProviderHealth,
    pub odoo: OdooHealth,
}

#[derive(Debug, Clone, Serialize)]
pub struct DependencyHealth {
    pub backend: &'static str,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderHealth {
    pub name: String,
    pub model: String,
    /// False in replay mode: answers come from recordings, not a model.
    pub live: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct OdooHealth {
    /// `demo` (built-in demo company), `configured`, or `none` (no Odoo
    /// tools, in tests).
    pub mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The demo company's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The Odoo version the demo imitates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'static str>,
    /// The demo company's size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partners: Option<usize>,
}

impl Runtime {
    /// Builds every part from the configuration and migrates the database.
    pub async fn from_config(config: &Config) -> Result<Self, RuntimeError> {
        // One database holds conversations, schedules, proposals and the
        // product data tools keep (digest figures, closings, learned rules,
        // forecasts, events).
        type Stores = (
            Arc<dyn Store>,
            Arc<dyn ScheduleStore>,
            Arc<dyn ProposalStore>,
            ProductStores,
        );
        let (store, schedules, proposals, product): Stores = match &config.database {
            DatabaseConfig::Sqlite { path } => {
                let store = Arc::new(SqliteStore::open(path).await?);
                (
                    store.clone(),
                    store.clone(),
                    store.clone(),
                    ProductStores::of(store),
                )
            }
            DatabaseConfig::Postgres { url } => {
                let store = Arc::new(PostgresStore::connect(url.expose_secret(), 32).await?);
                (
                    store.clone(),
                    store.clone(),
                    store.clone(),
                    ProductStores::of(store),
                )
            }
        };
        store.migrate().await?;
        let odoo = Arc::new(OdooBackend::from_config(config).await?);
        let provider: Arc<dyn Provider> = match &config.llm.provider {
            LlmProvider::Anthropic { api_key, base_url } => {
                let http = reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .build()?;
                Arc::new(AnthropicProvider::new(
                    base_url.clone(),
                    api_key.clone(),
                    http,
                ))
            }
            LlmProvider::OpenAi { api_key, base_url } => {
                Arc::new(OpenAiCompatProvider::new(base_url.clone(), api_key.clone()))
            }
            LlmProvider::Replay { cassettes } => Arc::new(ReplayProvider::load(cassettes)?),
        };
        let retry = RetryPolicy {
            max_retries: config.llm.max_retries,
            ..RetryPolicy::default()
        };
        let rules = Arc::clone(&product.rules);
        let forecasts = Arc::clone(&product.forecasts);
        Ok(Self::with_stores(
            RuntimeParts {
                provider,
                model: config.llm.model.clone(),
                retry,
                tools: odoo_tools_stored(&odoo, config.record_policy.clone(), product)?,
                store,
                proposals,
                prompts: Prompts::embedded()?,
                agent: config.agent.clone(),
                odoo: Some(odoo),
                clock: Arc::new(chrono::Utc::now),
                rules,
            },
            schedules,
            forecasts,
        ))
    }

    pub fn new(parts: RuntimeParts) -> Self {
        Self::build(parts, None, None)
    }

    /// A runtime that also keeps saved reports and digest schedules.
    pub fn with_schedules(parts: RuntimeParts, schedules: Arc<dyn ScheduleStore>) -> Self {
        Self::build(parts, Some(schedules), None)
    }

    /// A runtime that keeps schedules, and forecasts with the actual bank
    /// balances the scheduler records each day (spec 5.8).
    pub fn with_stores(
        parts: RuntimeParts,
        schedules: Arc<dyn ScheduleStore>,
        forecasts: Arc<dyn ForecastHistory>,
    ) -> Self {
        Self::build(parts, Some(schedules), Some(forecasts))
    }

    fn build(
        parts: RuntimeParts,
        schedules: Option<Arc<dyn ScheduleStore>>,
        forecasts: Option<Arc<dyn ForecastHistory>>,
    ) -> Self {
        let approvals = parts.odoo.as_ref().map(|odoo| {
            Approvals::new(Arc::clone(&parts.proposals), Arc::clone(&odoo.connector))
                .with_rules(Arc::clone(&parts.rules))
        });
        Self {
            inner: Arc::new(Inner {
                approvals,
                parts,
                schedules,
                forecasts,
                tasks: TaskTracker::new(),
                cancel: CancellationToken::new(),
            }),
        }
    }

    /// Approves and rejects stored proposals; `None` without an Odoo.
    pub fn approvals(&self) -> Option<&Approvals> {
        self.inner.approvals.as_ref()
    }

    /// The proposals tools returned, whatever their status.
    pub fn proposals(&self) -> &Arc<dyn ProposalStore> {
        &self.inner.parts.proposals
    }

    /// Saved reports and digest schedules, when this runtime keeps them.
    pub fn schedules(&self) -> Option<&Arc<dyn ScheduleStore>> {
        self.inner.schedules.as_ref()
    }

    /// Forecasts and actual bank balances, when this runtime keeps them.
    pub fn forecasts(&self) -> Option<&Arc<dyn ForecastHistory>> {
        self.inner.forecasts.as_ref()
    }

    /// The learned reconciliation rules (spec 2.8).
    pub fn rules(&self) -> &Arc<dyn LearnedRules> {
        &self.inner.parts.rules
    }

    /// The Odoo behind the tools; `None` when the runtime has no Odoo tools.
    pub fn odoo(&self) -> Option<&Arc<OdooBackend>> {
        self.inner.parts.odoo.as_ref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.parts.store
    }

    pub fn tools(&self) -> &ToolRegistry {
        &self.inner.parts.tools
    }

    pub fn provider_name(&self) -> &str {
        self.inner.parts.provider.name()
    }

    pub fn model(&self) -> &str {
        &self.inner.parts.model
    }

    /// Which Odoo the tools read; `None` when the runtime has no Odoo tools.
    pub fn odoo_mode(&self) -> Option<&OdooMode> {
        self.inner.parts.odoo.as_deref().map(|o| &o.mode)
    }

    /// The company's time zone: "today" in prompts, and the default zone
    /// of digests.
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.inner.parts.agent.timezone
    }

    pub fn limits(&self) -> TurnLimits {
        self.inner.parts.agent.limits
    }

    /// Starts a turn in its own task, so it finishes and is stored even if
    /// the caller goes away. Refused once shutdown has begun.
    pub fn start_turn(&self, request: TurnRequest) -> Result<TurnHandle, TurnError> {
        if self.inner.tasks.is_closed() {
            return Err(TurnError::ShuttingDown);
        }
        let (sender, events) = mpsc::unbounded_channel();
        let task = self
            .inner
            .tasks
            .spawn(Self::turn(Arc::clone(&self.inner), request, sender));
        Ok(TurnHandle { events, task })
    }

    async fn turn(
        inner: Arc<Inner>,
        request: TurnRequest,
        sender: mpsc::UnboundedSender<TurnEvent>,
    ) -> Result<TurnResult, TurnError> {
        let parts = &inner.parts;
        let deps = TurnDeps {
            provider: parts.provider.as_ref(),
            retry: &parts.retry,
            tools: &parts.tools,
            store: parts.store.as_ref(),
            proposals: parts.proposals.as_ref(),
            prompts: &parts.prompts,
            model: &parts.model,
            limits: parts.agent.limits,
            timezone: parts.agent.timezone,
            company_name: DEMO_COMPANY_NAME,
            cancel: inner.cancel.clone(),
            clock: &parts.clock,
        };
        run_turn(&deps, request, &sender).await
    }

    /// Runs a turn to the end on the caller's task, ignoring progress events.
    /// It is tracked like a started turn, so shutdown waits for it too; but
    /// dropping the future abandons the turn (nothing is stored), so request
    /// handlers whose client may go away use [`Runtime::start_turn`].
    pub async fn run_turn(&self, request: TurnRequest) -> Result<TurnResult, TurnError> {
        if self.inner.tasks.is_closed() {
            return Err(TurnError::ShuttingDown);
        }
        let (sender, _events) = mpsc::unbounded_channel();
        let turn = Self::turn(Arc::clone(&self.inner), request, sender);
        self.inner.tasks.track_future(turn).await
    }

    /// Runs a turn in the thread of a platform conversation
    /// (`request.thread_id`, derived from `conversation_key`), creating the
    /// thread with the key as its external reference the first time.
    pub async fn run_keyed_turn(
        &self,
        request: TurnRequest,
        conversation_key: &str,
    ) -> Result<TurnResult, TurnError> {
        let Some(id) = request.thread_id else {
            return self.run_turn(request).await;
        };
        let store = &self.inner.parts.store;
        if store.thread(id).await?.is_none() {
            let created = store
                .create_thread(NewThread {
                    id,
                    channel: request.channel.clone(),
                    external_ref: Some(conversation_key.to_owned()),
                })
                .await;
            match created {
                // Another replica created it first: the same thread.
                Ok(_) | Err(StoreError::Conflict(_)) => {}
                Err(err) => return Err(err.into()),
            }
        }
        self.run_turn(request).await
    }

    /// Stops taking turns, lets in-flight turns finish for up to `grace`,
    /// then cancels the rest (they end with a message and are still stored).
    pub async fn shutdown(&self, grace: Duration) {
        let tasks = &self.inner.tasks;
        tasks.close();
        if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
            tracing::warn!(
                in_flight = tasks.len(),
                "grace period over; cancelling turns"
            );
            self.inner.cancel.cancel();
            // Cancelled turns only have their final write left to do.
            if tokio::time::timeout(Duration::from_secs(10), tasks.wait())
                .await
                .is_err()
            {
                tracing::error!(in_flight = tasks.len(), "turns still running at exit");
            }
        }
    }

    /// The state of every dependency.
    pub async fn health(&self) -> Health {
        let parts = &self.inner.parts;
        let db = parts.store.ping().await;
        let database = DependencyHealth {
            backend: parts.store.backend(),
            ok: db.is_ok(),
            error: db.err().map(|e| e.kind().to_owned()),
        };
        let provider = ProviderHealth {
            name: parts.provider.name().to_owned(),
            model: parts.model.clone(),
            live: parts.provider.name() != "replay",
        };
        let odoo = match parts.odoo.as_deref().map(|o| &o.mode) {
            None | Some(OdooMode::Offline) => OdooHealth {
                mode: "none",
                url: None,
                company: None,
                version: None,
                partners: None,
            },
            Some(OdooMode::Configured { url }) => OdooHealth {
                mode: "configured",
                url: Some(url.to_string()),
                company: None,
                version: None,
                partners: None,
            },
            Some(OdooMode::Demo {
                company,
                partners,
                version,
                ..
            }) => OdooHealth {
                mode: "demo",
                url: None,
                company: Some(company.clone()),
                version: Some(version),
                partners: Some(*partners),
            },
        };
        Health {
            status: if database.ok { "ok" } else { "degraded" },
            database,
            provider,
            odoo,
        }
    }
}

/// The tools that need no Odoo.
pub fn default_tools() -> Result<ToolRegistry, RegistryError> {
    builtin_tools(system_clock()).build()
}

fn builtin_tools(clock: Clock) -> tools::ToolRegistryBuilder {
    ToolRegistry::builder()
        .register(tools::builtin::Calculate)
        .register(tools::builtin::CurrentDatetime::with_clock(clock))
}

fn system_clock() -> Clock {
    Arc::new(chrono::Utc::now)
}

/// Every tool a deployment offers, reading "now" from `clock` and keeping
/// what they store in memory: evals replay recorded conversations on a
/// fixed date with this.
pub fn odoo_tools_at(
    odoo: &OdooBackend,
    record_policy: Option<RecordPolicy>,
    clock: Clock,
) -> Result<ToolRegistry, RuntimeError> {
    build_odoo_tools(odoo, record_policy, ProductStores::memory(), clock)
}

/// Every tool a deployment offers: the built-in ones plus those reading
/// `odoo`, with dismissed duplicate groups kept in memory (commands that
/// only describe the tools, tests).
pub fn odoo_tools(
    odoo: &OdooBackend,
    record_policy: Option<RecordPolicy>,
) -> Result<ToolRegistry, RuntimeError> {
    odoo_tools_with(odoo, record_policy, Arc::new(MemoryDismissals::default()))
}

/// Like [`odoo_tools`], with the dismissed duplicate groups `find_duplicates`
/// skips read from `dismissals` (the product database).
pub fn odoo_tools_with(
    odoo: &OdooBackend,
    record_policy: Option<RecordPolicy>,
    dismissals: Arc<dyn DismissedDuplicates>,
) -> Result<ToolRegistry, RuntimeError> {
    build_odoo_tools(
        odoo,
        record_policy,
        ProductStores {
            dismissals,
            ..ProductStores::memory()
        },
        system_clock(),
    )
}

/// Like [`odoo_tools_with`], keeping what the tools store in `stores`
/// (the product database).
pub fn odoo_tools_stored(
    odoo: &OdooBackend,
    record_policy: Option<RecordPolicy>,
    stores: ProductStores,
) -> Result<ToolRegistry, RuntimeError> {
    build_odoo_tools(odoo, record_policy, stores, system_clock())
}

/// What the tools keep between calls: dismissed duplicate groups, the
/// figures `daily_digest` compares against and the proposals awaiting
/// approval it counts, closings, learned reconciliation rules, forecasts
/// with the actual bank balances, and the events the digest lists as
/// anomalies. In the product database, or in memory for commands and
/// tests that need none.
#[derive(Clone)]
pub struct ProductStores {
    pub dismissals: Arc<dyn DismissedDuplicates>,
    pub digest_history: Arc<dyn DigestHistory>,
    /// `None`: the digest leaves pending approvals out.
    pub approvals: Option<Arc<dyn PendingApprovals>>,
    pub closings: Arc<dyn ClosingStore>,
    pub rules: Arc<dyn LearnedRules>,
    pub forecasts: Arc<dyn ForecastHistory>,
    pub events: Arc<dyn ProductEvents>,
}

impl ProductStores {
    /// Everything in memory.
    pub fn memory() -> Self {
        Self {
            dismissals: Arc::new(MemoryDismissals::default()),
            digest_history: Arc::new(MemoryDigestHistory::new()),
            approvals: None,
            closings: Arc::new(MemoryClosings::default()),
            rules: Arc::new(MemoryRules::default()),
            forecasts: Arc::new(MemoryForecastHistory::new()),
            events: Arc::new(MemoryEvents::default()),
        }
    }

    /// Everything in one database.
    pub fn of<S>(store: Arc<S>) -> Self
    where
        S: DismissedDuplicates
            + DigestHistory
            + PendingApprovals
            + ClosingStore
            + LearnedRules
            + ForecastHistory
            + ProductEvents
            + 'static,
    {
        Self {
            dismissals: store.clone(),
            digest_history: store.clone(),
            approvals: Some(store.clone()),
            closings: store.clone(),
            rules: store.clone(),
            forecasts: store.clone(),
            events: store,
        }
    }
}

fn build_odoo_tools(
    odoo: &OdooBackend,
    record_policy: Option<RecordPolicy>,
    stores: ProductStores,
    clock: Clock,
) -> Result<ToolRegistry, RuntimeError> {
    let ProductStores {
        dismissals,
        digest_history,
        approvals,
        closings,
        rules,
        forecasts,
        events,
    } = stores;
    let mut config = RecordToolsConfig::new(odoo.base_url.clone());
    if let Some(policy) = record_policy {
        config.policy = policy;
    }
    let builder = register_record_tools(
        builtin_tools(Arc::clone(&clock)),
        config,
        Arc::clone(&odoo.connector),
    )?;
    let scan = || {
        MonthEndClosingScan::with_clock(
            ClosingScanConfig::new(odoo.base_url.clone()),
            Arc::clone(&odoo.connector),
            Arc::clone(&clock),
        )
    };
    let builder = builder.register(scan());
    let builder = builder.register(
        ClosingChecklist::new(scan(), Arc::clone(&closings)).with_events(Arc::clone(&events)),
    );
    let credit = CreditCheck::with_defaults(odoo.base_url.clone(), Arc::clone(&odoo.connector))
        .with_clock(Arc::clone(&clock))
        .with_events(Arc::clone(&events));
    let builder = builder.register(credit);
    let builder = builder.register(
        CashFlowForecast::with_defaults(odoo.base_url.clone(), Arc::clone(&odoo.connector))
            .with_clock(Arc::clone(&clock))
            .with_history(Arc::clone(&forecasts)),
    );
    let builder = builder.register(
        FindDuplicates::new(
            FindDuplicatesConfig::new(odoo.base_url.clone()),
            Arc::clone(&odoo.connector),
            dismissals,
        )
        .with_clock(Arc::clone(&clock))
        .with_events(Arc::clone(&events)),
    );
    let builder = builder.register(
        BankReconciliationSuggest::new(
            BankReconciliationConfig::new(odoo.base_url.clone()),
            Arc::clone(&odoo.connector),
            rules,
        )
        .with_clock(Arc::clone(&clock)),
    );
    let builder =
        builder.register(NlReport::new(Arc::clone(&odoo.connector)).with_clock(Arc::clone(&clock)));
    let mut digest = DailyDigest::new(odoo.base_url.clone(), Arc::clone(&odoo.connector))
        .with_history(digest_history)
        .with_forecasts(forecasts)
        .with_closes(Arc::new(ClosingStatuses(closings)))
        .with_events(events)
        .with_clock(clock);
    if let Some(approvals) = approvals {
        digest = digest.with_approvals(approvals);
    }
    let builder = builder.register(digest);
    Ok(builder.build()?)
}
