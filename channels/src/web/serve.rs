//! Serving the router with graceful shutdown, and the signals that start it.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use agent::Runtime;

/// How long responses may still take to reach clients once every turn has
/// ended; after that the remaining connections are dropped.
const RESPONSE_DRAIN: Duration = Duration::from_secs(5);

/// Serves `router` until `shutdown` resolves, then stops accepting
/// connections and lets in-flight turns finish (for up to `grace`, after
/// which they are cancelled and still stored) before returning.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    runtime: Runtime,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_accepting, stopped) = oneshot::channel::<()>();
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            // A dropped sender also stops the server, which is what we want.
            let _ = stopped.await;
        })
        .into_future();
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => {
            // axum only returns on its own after a fatal listener error.
            runtime.shutdown(grace).await;
            return result;
        }
        () = shutdown => {}
    }
    tracing::info!(
        grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
        "shutting down: no new connections, waiting for in-flight turns"
    );
    let _ = stop_accepting.send(());
    // Turns are waited for on their own: their clients may be gone, and a
    // waiting client's connection only closes once its turn has ended.
    let turns = runtime.shutdown(grace);
    tokio::pin!(turns);
    let result = tokio::select! {
        result = &mut server => {
            turns.await;
            result
        }
        () = &mut turns => match tokio::time::timeout(RESPONSE_DRAIN, server).await {
            Ok(result) => result,
            Err(_elapsed) => {
                tracing::warn!("connections still open after every turn ended; closing them");
                Ok(())
            }
        },
    };
    tracing::info!("server stopped");
    result
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what container runtimes send).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!(signal = "SIGINT", "shutdown requested"),
        () = terminate => tracing::info!(signal = "SIGTERM", "shutdown requested"),
    }
}
