//! Helpers for tests and benchmarks of this crate and of the crates built on
//! it: fresh, migrated stores on both backends, and fake models.
//!
//! Compiled only for tests and with the `testing` feature, which the crate's
//! own dev-dependency on itself turns on for its integration tests. Helpers
//! panic on failure: a test cannot continue without its fixture.

mod closing;
mod ingress;
mod provider;
mod runtime;
mod store;

pub use closing::{closing_company, closing_scan};
pub use ingress::RecordingSink;
pub use provider::{EchoProvider, InstantProvider, ScriptedProvider, Step};
pub use runtime::{
    runtime, runtime_with, runtime_with_odoo, runtime_with_odoo_tools, runtime_with_schedules,
};
pub use store::{
    fresh_postgres_database, postgres_store, postgres_store_at, postgres_url, sqlite_store,
};
