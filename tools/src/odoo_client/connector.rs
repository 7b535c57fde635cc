//! Which Odoo client acts for whom.

use std::sync::Arc;

use async_trait::async_trait;

use super::client::OdooClient;
use super::error::OdooError;
use crate::Identity;

/// Hands out the client that acts as the Odoo user an identity maps to.
///
/// Tools reach Odoo only through this, so every call runs with the asking
/// person's rights; an identity with no Odoo user is refused, never served
/// by an administrator account.
#[async_trait]
pub trait OdooConnector: Send + Sync + 'static {
    /// The client for `identity`, connected (version probed, authenticated)
    /// on first use and shared afterwards.
    async fn client_for(&self, identity: &Identity) -> Result<Arc<OdooClient>, OdooError>;
}

/// One connected client for every identity: for tests, benchmarks and
/// command-line runs where a single Odoo user acts. A server maps each
/// identity to its own user instead ([`super::OdooDirectory`]).
#[derive(Debug, Clone)]
pub struct SingleClient(pub Arc<OdooClient>);

#[async_trait]
impl OdooConnector for SingleClient {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}
