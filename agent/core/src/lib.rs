//! The agent: configuration, the turn loop, LLM providers, conversation
//! storage and prompt rendering.
//!
//! It knows nothing of chat platforms: channels call [`Runtime`] and render
//! what it returns.

pub mod closing;
pub mod config;
mod crypto;
pub mod ingress;
pub mod odoo;
pub mod prompt;
pub mod proposals;
pub mod provider;
mod runtime;
pub mod schedule;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod turn;

pub use crypto::init_crypto;
pub use runtime::{
    DependencyHealth, Health, OdooHealth, ProductStores, ProviderHealth, Runtime, RuntimeError,
    RuntimeParts, TurnHandle, default_tools, odoo_tools, odoo_tools_at, odoo_tools_stored,
    odoo_tools_with,
};
