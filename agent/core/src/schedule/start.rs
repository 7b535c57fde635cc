//! The scheduler inside `serve`: the configured digest schedules are synced
//! into storage (a role dropped from the file stops), then a loop runs
//! what is due until shutdown.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use thiserror::Error;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tools::automations::cash_flow_forecast::CashFlowForecast;
use tools::{Identity, IdentityId};

use super::balances::builtin_schedules;
use super::digests::{DigestConfigError, DigestDelivery, sync_digest_schedules};
use super::outbound::DiscussOutbound;
use super::runner::{IdentityLookup, RetryPolicy, Scheduler};
use super::store::StoreError;
use crate::Runtime;
use crate::config::Identities;

/// How often `serve` looks for due runs. Cron has minute resolution, so a
/// run starts at most this long after its minute.
pub const TICK: Duration = Duration::from_secs(20);

/// The scheduler could not start.
#[derive(Debug, Error)]
pub enum StartError {
    #[error("ODOO_AGENT_DIGESTS: {0}")]
    Digests(#[from] DigestConfigError),
    #[error("cannot sync the digest schedules: {0}")]
    Store(#[from] StoreError),
}

/// The identities scheduled jobs may run as: the local operator (who owns
/// what the single API key saves) and everyone in `ODOO_AGENT_IDENTITIES`,
/// looked up when the job runs so that changed roles apply.
pub fn known_identities(configured: &Identities) -> IdentityLookup {
    let mut known: HashMap<IdentityId, Identity> = configured
        .iter()
        .map(|c| (c.identity.id.clone(), c.identity.clone()))
        .collect();
    let local = Identity::local_operator();
    known.entry(local.id.clone()).or_insert(local);
    Arc::new(move |id: &IdentityId| known.get(id).cloned())
}

/// [`known_identities`] without configured ones: the local operator only.
pub fn local_identities() -> IdentityLookup {
    known_identities(&Identities::default())
}

/// Syncs the configured digests (and, when the runtime keeps forecasts,
/// the built-in daily bank balance) and starts ticking every `every` until
/// `cancel`. `None` when the runtime keeps no schedules or has no Odoo to
/// deliver through.
pub async fn start_scheduler(
    runtime: &Runtime,
    digests: Option<&DigestDelivery>,
    identities: IdentityLookup,
    every: Duration,
    cancel: CancellationToken,
) -> Result<Option<JoinHandle<()>>, StartError> {
    let (Some(store), Some(odoo)) = (runtime.schedules(), runtime.odoo()) else {
        return Ok(None);
    };
    let mut wanted = match digests {
        Some(delivery) => delivery.schedules(runtime.timezone(), Utc::now())?,
        // No file: every digest schedule stored earlier stops.
        None => Vec::new(),
    };
    let mut scheduler = Scheduler::new(
        Arc::clone(store),
        Arc::new(runtime.clone()),
        Arc::new(DiscussOutbound::new(Arc::clone(&odoo.connector))),
        identities,
        RetryPolicy::default(),
    );
    if let Some(forecasts) = runtime.forecasts() {
        wanted.extend(
            builtin_schedules(runtime.timezone(), Utc::now()).map_err(DigestConfigError::from)?,
        );
        scheduler = scheduler.with_balances(Arc::new(
            CashFlowForecast::with_defaults(odoo.base_url.clone(), Arc::clone(&odoo.connector))
                .with_history(Arc::clone(forecasts)),
        ));
    }
    // Digest schedules no longer configured stop; built-in ones are kept.
    sync_digest_schedules(store.as_ref(), wanted).await?;
    Ok(Some(tokio::spawn(async move {
        scheduler.run(every, cancel).await;
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_as_configured_people_or_the_local_operator_and_nobody_else() {
        let configured = Identities::parse(&format!(
            "[[identity]]\nid = \"ana\"\nname = \"Ana\"\nodoo_login = \"ana@example.com\"\n\
             roles = [\"finance\"]\napi_key_sha256 = \"{}\"\n",
            crate::config::sha256_hex("ana-key")
        ))
        .unwrap_or_else(|err| panic!("{err}"));
        let lookup = known_identities(&configured);
        let ana = lookup(&IdentityId("ana".to_owned())).map(|i| i.roles);
        assert_eq!(ana, Some(vec![tools::Role::Finance]));
        assert!(lookup(&Identity::local_operator().id).is_some());
        assert!(lookup(&IdentityId("mallory".to_owned())).is_none());
        assert!(local_identities()(&IdentityId("ana".to_owned())).is_none());
    }
}
