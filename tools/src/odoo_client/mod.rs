//! A JSON-RPC client for Odoo's external API (`/jsonrpc`, services `common`
//! and `object`), for Odoo 17.0, 18.0, 19.0 and the saas releases between.
//!
//! It owns the wire envelope, the version probe, authentication, retries of
//! idempotent reads, the per-client concurrency limit and the mapping of Odoo
//! faults to [`OdooError`], grouped reads on each version's API, and full scans paged by id. It knows nothing of tools, chat or automations.

mod client;
mod connector;
mod error;
mod grouped;
mod scan;
mod version;
mod wire;

pub use client::{OdooClient, OdooClientConfig};
pub use connector::OdooConnector;
pub use error::{OdooError, Result};
pub use grouped::{Aggregate, AggregateFunction, Group};
pub use scan::Scan;
pub use version::ServerVersion;
