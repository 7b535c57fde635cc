//! `odoo-agent serve`: build the runtime, mount the HTTP routes, serve until
//! SIGTERM/SIGINT, let in-flight turns finish.

#![allow(clippy::print_stdout)] // the start-up banner is for the operator

use agent::Runtime;
use agent::config::Config;
use agent::schedule;
use anyhow::Context;
use channels::web::{self, WebState};
use tokio_util::sync::CancellationToken;

use crate::banner;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let runtime = Runtime::from_config(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.http.bind)
        .await
        .with_context(|| format!("cannot listen on {} (ODOO_AGENT_BIND)", config.http.bind))?;
    let address = listener.local_addr()?;
    println!(
        "odoo-agent {} listening on http://{address}",
        env!("CARGO_PKG_VERSION")
    );
    println!("{}", banner::provider_line(&config));
    println!("{}", banner::backends_line(&config, runtime.odoo_mode()));
    tracing::info!(%address, provider = runtime.provider_name(), model = runtime.model(), "server started");
    let stop_scheduler = CancellationToken::new();
    let scheduler = schedule::start_scheduler(
        &runtime,
        config.digests.as_ref(),
        schedule::known_identities(&config.identities),
        schedule::TICK,
        stop_scheduler.clone(),
    )
    .await?;
    if scheduler.is_some() {
        tracing::info!(digests = config.digests.is_some(), "scheduler started");
    }
    let router = web::router(
        WebState::new(runtime.clone(), &config.http).with_identities(config.identities.clone()),
    );
    let served = web::serve(
        listener,
        router,
        runtime,
        config.http.shutdown_grace,
        web::shutdown_signal(),
    )
    .await;
    // A run in progress ends with the process; its claim keeps it from
    // running twice, and the catch-up rule decides about it at the next start.
    stop_scheduler.cancel();
    if let Some(task) = scheduler {
        let _ = task.await;
    }
    served?;
    tracing::info!("server stopped");
    Ok(())
}
