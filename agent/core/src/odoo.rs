//! Which Odoo the tools talk to: the configured server, or the built-in demo
//! company served in-process by a fake Odoo on loopback.
//!
//! Either way the tools get an [`OdooConnector`] that hands out clients per
//! identity, so demo mode exercises the same client, wire format and access
//! rights as production.

use std::num::NonZeroUsize;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Local, NaiveDate};
use secrecy::SecretString;
use thiserror::Error;
use tools::Identity;
use tools::demo::company::add_sale_report;
use tools::demo::jsonl::load_dir;
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, generate};
use tools::odoo_client::{
    OdooClient, OdooClientConfig, OdooConnector, OdooCredentials, OdooDirectory, OdooError,
    ProtocolChoice,
};
use url::Url;

use crate::config::{
    Config, DemoOdooVersion, DemoSettings, Identities, OdooClientSettings, OdooProtocol,
};

/// The Odoo side could not be set up.
#[derive(Debug, Error)]
pub enum OdooSetupError {
    #[error("cannot start the demo company's Odoo server: {0}")]
    DemoServer(#[from] std::io::Error),
    #[error("cannot load the demo data set: {0}")]
    DemoData(#[from] tools::demo::jsonl::LoadError),
    #[error("the demo company has no user {0:?}; ODOO_AGENT_DEMO_LOGIN must name one of: {1}")]
    DemoUser(String, String),
    #[error(
        "identity {0} has odoo_login {1:?}, which the demo company does not have; use one of: {2}"
    )]
    IdentityUser(String, String, String),
}

/// The Odoo behind the tools, for as long as the runtime lives.
pub struct OdooBackend {
    pub connector: Arc<dyn OdooConnector>,
    /// The address users open records at, for links.
    pub base_url: Url,
    pub mode: OdooMode,
    /// Keeps the demo server running; `None` for a configured Odoo.
    _demo: Option<FakeOdoo>,
}

/// What `/health` and the start-up banner say about Odoo.
#[derive(Debug, Clone)]
pub enum OdooMode {
    /// No connection at all: tools are only described (`tools list`).
    Offline,
    Configured {
        url: Url,
    },
    Demo {
        company: String,
        partners: usize,
        version: &'static str,
        login: String,
    },
}

impl OdooBackend {
    /// A backend for commands that only describe tools: every Odoo call is
    /// refused.
    pub fn offline() -> Self {
        Self {
            connector: Arc::new(Offline),
            base_url: Url::parse("http://odoo.invalid").unwrap_or_else(|_| unreachable!()),
            mode: OdooMode::Offline,
            _demo: None,
        }
    }

    /// The configured Odoo when `ODOO_URL` is set, else the demo company.
    pub async fn from_config(config: &Config) -> Result<Self, OdooSetupError> {
        match &config.odoo {
            Some(odoo) => {
                let base = client_config(
                    &config.odoo_client,
                    odoo.url.clone(),
                    odoo.db.clone(),
                    odoo.login.clone(),
                    odoo.api_key.clone(),
                );
                let mut directory = OdooDirectory::new(base);
                for configured in config.identities.iter() {
                    // Without the user's Odoo key the identity stays
                    // unmapped: its tool calls are refused, never run as the
                    // configured user.
                    let Some(key) = &configured.odoo_api_key else {
                        tracing::warn!(identity.id = %configured.identity.id,
                            "identity has no odoo_api_key; its Odoo calls will be refused");
                        continue;
                    };
                    directory = directory.with_identity(
                        configured.identity.id.clone(),
                        OdooCredentials {
                            login: configured.odoo_login.clone(),
                            api_key: key.clone(),
                        },
                    );
                }
                Ok(Self {
                    connector: Arc::new(directory),
                    base_url: odoo.url.clone(),
                    mode: OdooMode::Configured {
                        url: odoo.url.clone(),
                    },
                    _demo: None,
                })
            }
            // The demo's documents lead up to the real today, so "overdue"
            // and "this month" mean what the person asking expects.
            None => {
                Self::demo(
                    &config.demo,
                    &config.odoo_client,
                    &config.identities,
                    Local::now().date_naive(),
                )
                .await
            }
        }
    }

    /// The demo company of `config.demo`, with its documents leading up to
    /// `today`: evals replay recordings against the same company on any day.
    pub async fn demo_on(config: &Config, today: NaiveDate) -> Result<Self, OdooSetupError> {
        Self::demo(&config.demo, &config.odoo_client, &config.identities, today).await
    }

    /// Generates the demo company and serves it on a loopback port. The
    /// local operator acts as the configured demo user, never implicitly as
    /// its administrator.
    async fn demo(
        settings: &DemoSettings,
        client: &OdooClientSettings,
        identities: &Identities,
        today: NaiveDate,
    ) -> Result<Self, OdooSetupError> {
        let version = match settings.version {
            DemoOdooVersion::V17 => DemoVersion::V17,
            DemoOdooVersion::V18 => DemoVersion::V18,
            DemoOdooVersion::V19 => DemoVersion::V19,
        };
        let spec = DemoSpec {
            seed: settings.seed,
            partners: settings.partners,
            version,
            today,
        };
        let data_dir = settings.data_dir.clone();
        let dataset = tokio::task::spawn_blocking(move || {
            let mut dataset = generate(&spec).dataset;
            if let Some(dir) = data_dir {
                load_dir(&mut dataset, &dir)?;
            }
            // An Odoo with Sales has its reporting view; computed last, so
            // it covers orders loaded from the data directory too.
            if dataset.table("sale.report").is_none() {
                add_sale_report(&mut dataset)
                    .map_err(|err| std::io::Error::other(err.to_string()))?;
            }
            Ok::<_, OdooSetupError>(dataset)
        })
        .await
        .map_err(|err| std::io::Error::other(err.to_string()))??;
        let Some(user) = dataset.user_by_login(&settings.login).cloned() else {
            let logins: Vec<&str> = dataset.users.iter().map(|u| u.login.as_str()).collect();
            return Err(OdooSetupError::DemoUser(
                settings.login.clone(),
                logins.join(", "),
            ));
        };
        // Each configured identity acts as the demo user of its login.
        let mut mapped = Vec::new();
        for configured in identities.iter() {
            let Some(odoo_user) = dataset.user_by_login(&configured.odoo_login) else {
                let logins: Vec<&str> = dataset.users.iter().map(|u| u.login.as_str()).collect();
                return Err(OdooSetupError::IdentityUser(
                    configured.identity.id.to_string(),
                    configured.odoo_login.clone(),
                    logins.join(", "),
                ));
            };
            mapped.push((
                configured.identity.id.clone(),
                OdooCredentials {
                    login: odoo_user.login.clone(),
                    api_key: SecretString::from(odoo_user.api_key.clone()),
                },
            ));
        }
        let db = dataset.db.clone();
        let company_name = company_name(&dataset);
        let server = FakeOdoo::start(dataset).await?;
        let url = server.url();
        let base = client_config(
            client,
            url.clone(),
            db,
            user.login.clone(),
            SecretString::from(user.api_key.clone()),
        );
        let directory = mapped
            .into_iter()
            .fold(OdooDirectory::new(base), |directory, (id, credentials)| {
                directory.with_identity(id, credentials)
            });
        Ok(Self {
            connector: Arc::new(directory),
            base_url: url,
            mode: OdooMode::Demo {
                company: company_name,
                partners: settings.partners,
                version: version.server_version(),
                login: user.login,
            },
            _demo: Some(server),
        })
    }
}

fn company_name(dataset: &tools::demo::Dataset) -> String {
    dataset
        .table("res.company")
        .and_then(|t| {
            let record = t.records().first()?;
            t.value(record, "name")?.as_str().map(str::to_owned)
        })
        .unwrap_or_else(|| "Demo company".to_owned())
}

fn client_config(
    settings: &OdooClientSettings,
    url: Url,
    db: String,
    login: String,
    api_key: SecretString,
) -> OdooClientConfig {
    OdooClientConfig {
        url,
        db,
        login,
        api_key,
        timeout: settings.timeout,
        max_concurrent_calls: NonZeroUsize::new(settings.max_concurrent_calls)
            .unwrap_or(NonZeroUsize::MIN),
        protocol: match settings.protocol {
            OdooProtocol::Auto => ProtocolChoice::Auto,
            OdooProtocol::JsonRpc => ProtocolChoice::JsonRpc,
            OdooProtocol::Json2 => ProtocolChoice::Json2,
        },
    }
}

/// The connector of [`OdooBackend::offline`].
struct Offline;

#[async_trait]
impl OdooConnector for Offline {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Err(OdooError::Config(
            "no Odoo connection: this command only describes the tools".to_owned(),
        ))
    }
}
