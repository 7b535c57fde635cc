//! The scheduler inside `serve`: the configured digest schedules are synced
//! into storage (a role dropped from the file stops), then a loop runs
//! what is due until shutdown.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use thiserror::Error;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tools::{Identity, IdentityId};

use super::digests::{DigestConfigError, DigestDelivery, sync_digest_schedules};
use super::outbound::DiscussOutbound;
use super::runner::{IdentityLookup, RetryPolicy, Scheduler};
use super::store::StoreError;
use crate::Runtime;

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

/// The identities scheduled jobs may run as: the local operator, who owns
/// the digests configured by file and the schedules saved through the API.
pub fn local_identities() -> IdentityLookup {
    let local = Identity::local_operator();
    Arc::new(move |id: &IdentityId| (*id == local.id).then(|| local.clone()))
}

/// Syncs the configured digests and starts ticking every `every` until
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
    let wanted = match digests {
        Some(delivery) => delivery.schedules(runtime.timezone(), Utc::now())?,
        // No file: every digest schedule stored earlier stops.
        None => Vec::new(),
    };
    sync_digest_schedules(store.as_ref(), wanted).await?;
    let scheduler = Scheduler::new(
        Arc::clone(store),
        Arc::new(runtime.clone()),
        Arc::new(DiscussOutbound::new(Arc::clone(&odoo.connector))),
        identities,
        RetryPolicy::default(),
    );
    Ok(Some(tokio::spawn(async move {
        scheduler.run(every, cancel).await;
    })))
}
