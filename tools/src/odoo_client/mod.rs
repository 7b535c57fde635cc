//! A client for Odoo's external API, for Odoo 17.0, 18.0, 19.0 and the saas
//! releases between: JSON-RPC (`/jsonrpc`, services `common` and `object`)
//! up to 18, JSON-2 (`/json/2/<model>/<method>`) from 19.
//!
//! It owns both wire formats, the version probe and the protocol choice,
//! authentication, retries of idempotent reads, the per-client concurrency
//! limit, the mapping of Odoo faults to [`OdooError`], grouped reads on each
//! version's API, full scans paged by id, the capability probe (`has_model`,
//! `has_field`) and the directory of clients per identity. It knows nothing
//! of tools, chat or automations.

mod call;
mod capabilities;
mod client;
mod connect;
mod connector;
mod directory;
mod error;
mod grouped;
mod json2;
mod jsonrpc;
mod protocol;
mod scan;
mod transport;
mod version;
mod wire;

pub use client::{OdooClient, OdooClientConfig};
pub use connector::{OdooConnector, SingleClient};
pub use directory::{OdooCredentials, OdooDirectory};
pub use error::{OdooError, Result};
pub use grouped::{Aggregate, AggregateFunction, Group};
pub use protocol::{Protocol, ProtocolChoice, UnknownProtocol};
pub use scan::Scan;
pub use version::ServerVersion;
