//! `odoo-agent serve`: build the runtime, mount the HTTP routes, serve until
//! SIGTERM/SIGINT, let in-flight turns finish.

#![allow(clippy::print_stdout)] // the start-up banner is for the operator

use std::sync::Arc;

use agent::Runtime;
use agent::config::Config;
use agent::ingress::{Ingress, IngressSettings, StoreQueue, start_workers};
use agent::schedule;
use anyhow::Context;
use channels::ChannelContext;
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
    let stop_channels = CancellationToken::new();
    let ingress = Ingress::new(
        Arc::new(StoreQueue(Arc::clone(runtime.store()))),
        IngressSettings {
            workers: config.channels.ingress_workers,
            ..IngressSettings::default()
        },
    );
    let context = ChannelContext {
        runtime: runtime.clone(),
        ingress: ingress.clone(),
        identities: config.identities.clone(),
        cancel: stop_channels.clone(),
    };
    let mut mounted = channels::mount(&config.channels, &context).await?;
    let workers = if mounted.names.is_empty() {
        None
    } else {
        tracing::info!(channels = ?mounted.names, "chat channels mounted");
        // The embedded SQLite file has one server; every job it left
        // running died with it. On PostgreSQL other replicas may be working.
        let exclusive = runtime.store().backend() == "sqlite";
        let sinks = std::mem::take(&mut mounted.sinks);
        Some(
            start_workers(
                runtime.clone(),
                ingress,
                sinks,
                exclusive,
                stop_channels.clone(),
            )
            .await?,
        )
    };
    let router = web::router(
        WebState::new(runtime.clone(), &config.http)
            .with_identities(config.identities.clone())
            .with_channels(mounted.names.clone()),
    )
    .merge(std::mem::take(&mut mounted.router));
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
    // Jobs not yet answered stay stored and are answered after a restart.
    stop_channels.cancel();
    if let Some(mut workers) = workers {
        while workers.join_next().await.is_some() {}
    }
    while mounted.tasks.join_next().await.is_some() {}
    served?;
    tracing::info!("server stopped");
    Ok(())
}
