//! The business automations of `../shared/spec/automations.md`, one folder
//! each. Every automation keeps its pure computation (typed records in,
//! typed result out, no I/O) apart from its Odoo reads, so the computation
//! is tested on fixed data and benchmarked on files.

pub mod find_duplicates;

pub mod cash_flow_forecast;

mod context;
pub mod credit_check;
pub mod daily_digest;
mod envelope;
pub mod events;
pub mod month_end_closing_scan;
pub mod narrative;
pub mod nl_report;

pub use context::{ContextRequest, RunContext, read_context};
pub use envelope::{
    CompanyRef, Envelope, EnvelopeContext, MAX_SUMMARY_CHARS, TRUNCATED, Warning, clip,
};
pub mod bank_reconciliation;
