//! A runtime assembled from test parts.

#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use tools::ToolRegistry;

use crate::config::{AgentConfig, TurnLimits};
use crate::prompt::Prompts;
use crate::provider::{Provider, RetryPolicy};
use crate::schedule::ScheduleStore;
use crate::store::Store;
use crate::{Runtime, RuntimeParts, default_tools};

/// A runtime with `provider`, `store`, the default tools, the embedded
/// prompts, UTC, default limits, and a retry policy with two quick retries.
pub fn runtime(provider: Arc<dyn Provider>, store: Arc<dyn Store>) -> Runtime {
    runtime_with(
        provider,
        store,
        default_tools().expect("default tools"),
        TurnLimits::default(),
    )
}

/// Like [`runtime`], with chosen tools and limits.
pub fn runtime_with(
    provider: Arc<dyn Provider>,
    store: Arc<dyn Store>,
    tools: ToolRegistry,
    limits: TurnLimits,
) -> Runtime {
    Runtime::new(parts(provider, store, tools, limits))
}

/// A runtime whose tools read `odoo` and whose proposals and learned
/// reconciliation rules live in the SQLite `store`, so proposals can be
/// approved and confirmed bank matches reach the tool.
pub fn runtime_with_odoo(
    provider: Arc<dyn Provider>,
    store: Arc<crate::store::SqliteStore>,
    odoo: Arc<crate::odoo::OdooBackend>,
) -> Runtime {
    let stores = crate::ProductStores {
        rules: store.clone(),
        ..crate::ProductStores::memory()
    };
    let tools = crate::odoo_tools_stored(&odoo, None, stores).expect("odoo tools");
    runtime_with_odoo_tools(provider, store, odoo, tools)
}

/// Like [`runtime_with_odoo`], offering `tools` instead of the deployment's
/// (a test's own tools that return proposals or files), while approvals
/// still execute on `odoo`.
pub fn runtime_with_odoo_tools(
    provider: Arc<dyn Provider>,
    store: Arc<crate::store::SqliteStore>,
    odoo: Arc<crate::odoo::OdooBackend>,
    tools: ToolRegistry,
) -> Runtime {
    let mut parts = parts(provider, store.clone(), tools, TurnLimits::default());
    parts.proposals = store.clone();
    parts.rules = store;
    parts.odoo = Some(odoo);
    Runtime::new(parts)
}

/// Like [`runtime_with`] with default limits, keeping schedules in
/// `schedules`.
pub fn runtime_with_schedules(
    provider: Arc<dyn Provider>,
    store: Arc<dyn Store>,
    tools: ToolRegistry,
    schedules: Arc<dyn ScheduleStore>,
) -> Runtime {
    Runtime::with_schedules(
        parts(provider, store, tools, TurnLimits::default()),
        schedules,
    )
}

fn parts(
    provider: Arc<dyn Provider>,
    store: Arc<dyn Store>,
    tools: ToolRegistry,
    limits: TurnLimits,
) -> RuntimeParts {
    RuntimeParts {
        provider,
        model: "test-model".into(),
        retry: RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        },
        tools,
        store,
        proposals: Arc::new(crate::proposals::MemoryProposals::default()),
        prompts: Prompts::embedded().expect("embedded prompts"),
        agent: AgentConfig {
            timezone: chrono_tz::UTC,
            limits,
        },
        odoo: None,
        clock: Arc::new(chrono::Utc::now),
        rules: Arc::new(tools::automations::bank_reconciliation::MemoryRules::default()),
    }
}
