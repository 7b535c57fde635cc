//! The demo company: a deterministic synthetic business held in memory
//! ([`Dataset`]), generated from a seed and a size ([`company::generate`]),
//! and served by an in-process fake Odoo that speaks Odoo's JSON-RPC and
//! JSON-2 wire formats.
//!
//! It is the embedded default when no Odoo is configured, the fixture of the
//! tool tests and evals, and the load of the Odoo benchmarks.

pub mod company;
mod dataset;
pub mod jsonl;
mod server;

pub use company::{
    DemoCompany, DemoSpec, DemoVersion, DigestExamples, Truth, generate,
    generate_with_forecast_companies,
};
pub use dataset::{
    Dataset, DemoUser, FieldDef, FieldType, ModelDef, Record, RecordRef, Table, TableError,
};
pub use server::{
    Failure, FakeOdoo, Fault, Matcher, Method, Protocol, RecordedCall, execute, execute_read,
    fault_names, major_version, version_info,
};
