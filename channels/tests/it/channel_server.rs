//! A server with chat channels mounted on the demo company, its ingress
//! workers answering with the echo model: the fixture of every channel's
//! end-to-end tests. Platform APIs are faked by each test.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use agent::Runtime;
use agent::config::{ChannelsConfig, Config, Identities};
use agent::ingress::{Ingress, IngressSettings, StoreQueue, start_workers};
use agent::odoo::OdooBackend;
use agent::store::SqliteStore;
use agent::testing::EchoProvider;
use channels::ChannelContext;

/// Every wait of a channel test is bounded by this.
pub const CHANNEL_WAIT: Duration = Duration::from_secs(20);

#[allow(dead_code)] // each channel's tests use some of it
pub struct ChannelServer {
    pub base: String,
    pub runtime: Runtime,
    pub store: Arc<SqliteStore>,
    pub odoo: Arc<OdooBackend>,
    pub ingress: Ingress,
    cancel: CancellationToken,
    workers: Option<JoinSet<()>>,
    tasks: JoinSet<()>,
    server: JoinHandle<()>,
}

/// A demo company (40 partners) whose operator is its administrator.
pub async fn demo_odoo() -> Arc<OdooBackend> {
    demo_odoo_for(None).await
}

/// The demo company with the people of an identities file (TOML) mapped
/// to its users by Odoo login, so approvals run as the approver's user.
pub async fn demo_odoo_for(identities: Option<&str>) -> Arc<OdooBackend> {
    agent::init_crypto();
    let dir = tempfile::tempdir().unwrap();
    let mut env: Vec<(String, String)> = [
        ("ODOO_AGENT_DEMO_PARTNERS", "40"),
        ("ODOO_AGENT_DEMO_LOGIN", "admin@harbourline.example"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    if let Some(people) = identities {
        let file = dir.path().join("identities.toml");
        std::fs::write(&file, people).unwrap();
        env.push((
            "ODOO_AGENT_IDENTITIES".to_owned(),
            file.to_str().unwrap().to_owned(),
        ));
    }
    let config = Config::load(None, env).unwrap();
    Arc::new(OdooBackend::from_config(&config).await.unwrap())
}

impl ChannelServer {
    /// Mounts `channels` on a fresh store and starts the workers.
    pub async fn start(channels: ChannelsConfig, identities: Identities) -> Self {
        let store = Arc::new(agent::testing::sqlite_store().await);
        Self::start_on(store, demo_odoo().await, channels, identities, true).await
    }

    /// Mounts `channels` on `store` (a restart keeps it); `workers: false`
    /// acknowledges and stores messages without answering them, as a
    /// server that dies right after the ack.
    pub async fn start_on(
        store: Arc<SqliteStore>,
        odoo: Arc<OdooBackend>,
        channels: ChannelsConfig,
        identities: Identities,
        workers: bool,
    ) -> Self {
        let provider = Arc::new(EchoProvider {
            delay: Duration::from_millis(1),
        });
        let runtime =
            agent::testing::runtime_with_odoo(provider, Arc::clone(&store), Arc::clone(&odoo));
        let ingress = Ingress::new(
            Arc::new(StoreQueue(runtime.store().clone())),
            IngressSettings {
                workers: 2,
                retry_delay: Duration::from_millis(50),
                poll: Duration::from_millis(50),
                ..IngressSettings::default()
            },
        );
        let cancel = CancellationToken::new();
        let ctx = ChannelContext {
            runtime: runtime.clone(),
            ingress: ingress.clone(),
            identities,
            cancel: cancel.clone(),
        };
        let mut mounted = channels::mount(&channels, &ctx).await.unwrap();
        let workers = if workers {
            let sinks = std::mem::take(&mut mounted.sinks);
            Some(
                start_workers(
                    runtime.clone(),
                    ingress.clone(),
                    sinks,
                    true,
                    cancel.clone(),
                )
                .await
                .unwrap(),
            )
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = std::mem::take(&mut mounted.router);
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            base,
            runtime,
            store,
            odoo,
            ingress,
            cancel,
            workers,
            tasks: std::mem::take(&mut mounted.tasks),
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops serving and answering; stored jobs stay in the store.
    pub async fn stop(mut self) -> (Arc<SqliteStore>, Arc<OdooBackend>) {
        self.cancel.cancel();
        if let Some(mut workers) = self.workers.take() {
            while workers.join_next().await.is_some() {}
        }
        while self.tasks.join_next().await.is_some() {}
        self.server.abort();
        (self.store, self.odoo)
    }
}

/// Channels with only `discuss` configured, and the like for the others.
pub fn only(configure: impl FnOnce(&mut ChannelsConfig)) -> ChannelsConfig {
    let mut channels = ChannelsConfig {
        ingress_workers: 2,
        slack: None,
        telegram: None,
        whatsapp: None,
        discuss: None,
    };
    configure(&mut channels);
    channels
}
