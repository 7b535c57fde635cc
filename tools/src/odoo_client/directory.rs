//! `OdooDirectory`: one Odoo client per identity, each acting as that
//! person's own Odoo user, connected on first use and shared afterwards.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::sync::OnceCell;

use super::client::{OdooClient, OdooClientConfig};
use super::connector::OdooConnector;
use super::error::{OdooError, Result};
use crate::{Identity, IdentityId};

/// The Odoo user an identity acts as.
#[derive(Clone)]
pub struct OdooCredentials {
    /// The user's login, often an e-mail address.
    pub login: String,
    /// The user's API key; never logged.
    pub api_key: SecretString,
}

impl fmt::Debug for OdooCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OdooCredentials")
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// Hands each identity a client acting as its own Odoo user.
///
/// The local operator (HTTP API key, terminal) acts as the configured user
/// (`ODOO_LOGIN` / `ODOO_API_KEY`); any other identity needs an explicit
/// entry, and one without is refused with `UnmappedIdentity`, never served by
/// the configured user, so Odoo's rights stay those of the person asking.
pub struct OdooDirectory {
    base: OdooClientConfig,
    identities: HashMap<IdentityId, OdooCredentials>,
    /// One cell per identity asked for. A cell is filled once; a failed
    /// connection leaves it empty, so the next call tries again.
    clients: Mutex<HashMap<IdentityId, Arc<OnceCell<Arc<OdooClient>>>>>,
}

impl OdooDirectory {
    /// A directory over `base`: its url, database, protocol, timeout and
    /// concurrency are shared by every client, and its login and API key are
    /// the local operator's.
    pub fn new(base: OdooClientConfig) -> Self {
        Self {
            base,
            identities: HashMap::new(),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Maps `identity` to its Odoo user. The local operator always uses the
    /// base configuration's user, so an entry for it is ignored.
    pub fn with_identity(mut self, identity: IdentityId, credentials: OdooCredentials) -> Self {
        self.identities.insert(identity, credentials);
        self
    }

    /// The configuration `identity` connects with, or why it has none.
    fn config_for(&self, identity: &Identity) -> Result<OdooClientConfig> {
        if identity.id == Identity::local_operator().id {
            return Ok(self.base.clone());
        }
        let credentials =
            self.identities
                .get(&identity.id)
                .ok_or_else(|| OdooError::UnmappedIdentity {
                    identity: identity.id.to_string(),
                })?;
        Ok(OdooClientConfig {
            login: credentials.login.clone(),
            api_key: credentials.api_key.clone(),
            ..self.base.clone()
        })
    }

    fn cell(&self, identity: &IdentityId) -> Arc<OnceCell<Arc<OdooClient>>> {
        // Held only to find or add the cell, never across the connection.
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(clients.entry(identity.clone()).or_default())
    }
}

#[async_trait]
impl OdooConnector for OdooDirectory {
    async fn client_for(&self, identity: &Identity) -> Result<Arc<OdooClient>> {
        let config = self.config_for(identity)?;
        let cell = self.cell(&identity.id);
        // Concurrent first calls wait for one connection; if it fails, the
        // cell stays empty and the next caller connects again.
        let client = cell
            .get_or_try_init(|| async { OdooClient::connect(config).await.map(Arc::new) })
            .await?;
        Ok(Arc::clone(client))
    }
}

impl fmt::Debug for OdooDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut mapped: Vec<&str> = self.identities.keys().map(|id| id.0.as_str()).collect();
        mapped.sort_unstable();
        f.debug_struct("OdooDirectory")
            .field("url", &self.base.url.as_str())
            .field("db", &self.base.db)
            .field("mapped_identities", &mapped)
            .finish_non_exhaustive()
    }
}
