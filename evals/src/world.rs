//! The world a case runs in: the demo company (generated once per seed,
//! size and date, shared read-only by the cases that use it) and, per case,
//! fresh tools, a fresh in-memory database and a fixed clock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use agent::config::{AgentConfig, Config, TurnLimits};
use agent::odoo::OdooBackend;
use agent::prompt::Prompts;
use agent::proposals::{MemoryProposals, ProposalStore};
use agent::provider::{Provider, RetryPolicy};
use agent::store::{SqliteStore, Store};
use agent::{Runtime, RuntimeParts, odoo_tools_at};
use chrono::{DateTime, NaiveTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;
use tools::Identity;
use tools::automations::bank_reconciliation::MemoryRules;
use tools::builtin::Clock;

use crate::case::Company;

/// The hour of the fixed "now" on a case's date (UTC).
const CLOCK_HOUR: u32 = 9;

/// Demo companies by their spec, generated on first use.
pub struct Companies {
    config: Config,
    /// Where named fixtures live (`<name>.yaml`).
    fixtures: PathBuf,
    cache: Mutex<HashMap<(Company, String), Arc<OdooBackend>>>,
}

/// Changes written into a generated company: a list of Odoo `write`s.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    writes: Vec<FixtureWrite>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureWrite {
    model: String,
    ids: Vec<i64>,
    values: Value,
}

impl Companies {
    /// `config` supplies the demo user and Odoo client settings; seed,
    /// size and date come from each case.
    pub fn new(config: Config, fixtures: PathBuf) -> Self {
        Self {
            config,
            fixtures,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The company of `spec` as the demo user `login`, generating and
    /// serving it the first time.
    pub async fn get(&self, spec: &Company, login: &str) -> Result<Arc<OdooBackend>, String> {
        let key = (spec.clone(), login.to_owned());
        let mut cache = self.cache.lock().await;
        if let Some(odoo) = cache.get(&key) {
            return Ok(Arc::clone(odoo));
        }
        let mut config = self.config.clone();
        config.odoo = None;
        config.demo.seed = spec.seed;
        config.demo.partners = spec.partners;
        config.demo.data_dir = None;
        config.demo.login = login.to_owned();
        let odoo = Arc::new(
            OdooBackend::demo_on(&config, spec.date)
                .await
                .map_err(|err| format!("demo company: {err}"))?,
        );
        if let Some(name) = &spec.fixture {
            self.apply_fixture(&odoo, name).await?;
        }
        cache.insert(key, Arc::clone(&odoo));
        Ok(odoo)
    }

    async fn apply_fixture(&self, odoo: &OdooBackend, name: &str) -> Result<(), String> {
        let path = self.fixtures.join(format!("{name}.yaml"));
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("fixture {}: {e}", path.display()))?;
        let fixture: Fixture =
            yaml_serde::from_str(&text).map_err(|e| format!("fixture {}: {e}", path.display()))?;
        let client = odoo
            .connector
            .client_for(&Identity::local_operator())
            .await
            .map_err(|e| format!("fixture {name}: {e}"))?;
        for write in fixture.writes {
            client
                .execute_kw(
                    &write.model,
                    "write",
                    serde_json::json!([write.ids, write.values]),
                    serde_json::json!({}),
                )
                .await
                .map_err(|e| format!("fixture {name}: write on {}: {e}", write.model))?;
        }
        Ok(())
    }
}

/// The fixed "now" of a case: its date at 09:00 UTC.
pub fn clock_of(company: &Company) -> Clock {
    let now: DateTime<Utc> = company
        .date
        .and_time(NaiveTime::from_hms_opt(CLOCK_HOUR, 0, 0).unwrap_or_default())
        .and_utc();
    Arc::new(move || now)
}

/// A runtime for one case, with the parts the runner reads back.
pub struct CaseRuntime {
    pub runtime: Runtime,
    pub store: Arc<dyn Store>,
    pub proposals: Arc<dyn ProposalStore>,
}

/// Builds the runtime of one case: the real tools reading `odoo` at the
/// case's date, a fresh in-memory SQLite database, the built-in prompts.
pub async fn case_runtime(
    odoo: Arc<OdooBackend>,
    company: &Company,
    provider: Arc<dyn Provider>,
    model: &str,
) -> Result<CaseRuntime, String> {
    let clock = clock_of(company);
    let tools = odoo_tools_at(&odoo, None, Arc::clone(&clock)).map_err(|e| e.to_string())?;
    let sqlite = SqliteStore::in_memory()
        .await
        .map_err(|e| format!("database: {e}"))?;
    sqlite
        .migrate()
        .await
        .map_err(|e| format!("database: {e}"))?;
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let proposals: Arc<dyn ProposalStore> = Arc::new(MemoryProposals::default());
    let runtime = Runtime::new(RuntimeParts {
        provider,
        model: model.to_owned(),
        // A replay answers at once or not at all; a live provider gets the
        // server's usual retries.
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        },
        tools,
        store: Arc::clone(&store),
        proposals: Arc::clone(&proposals),
        prompts: Prompts::embedded().map_err(|e| e.to_string())?,
        agent: AgentConfig {
            timezone: chrono_tz::UTC,
            limits: TurnLimits::default(),
        },
        odoo: Some(odoo),
        clock,
        rules: Arc::new(MemoryRules::default()),
    });
    Ok(CaseRuntime {
        runtime,
        store,
        proposals,
    })
}
