//! The fake Odoo: an in-process server that answers Odoo's external API
//! from a [`Dataset`](crate::demo::Dataset), for tests, evals, benchmarks and
//! the embedded demo.
//!
//! - [`execute`] / [`execute_read`] run ORM methods (`search_read`,
//!   `read_group`, `create`, ..) as a user, with Odoo's access checks and
//!   Odoo's exceptions ([`Fault`]).
//! - [`FakeOdoo`] serves them over HTTP: JSON-RPC (`/jsonrpc`) on every
//!   version and JSON-2 (`/json/2/<model>/<method>`) from 19. It records
//!   each call and injects failures on request.
//!
//! It knows nothing of how datasets are generated or of the client.

mod access;
mod aggregate;
mod args;
mod engine;
mod fake;
mod fault;
mod group;
mod json2;
mod jsonrpc;
mod order;
mod query;
mod read;
mod record;
mod wizard;
mod write;

pub use engine::{Method, execute, execute_read, major_version, version_info};
pub use fake::FakeOdoo;
pub use fault::{Fault, names as fault_names};
pub use record::{Failure, Matcher, Protocol, RecordedCall};
