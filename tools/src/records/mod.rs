//! Generic read tools over Odoo records, for questions no automation
//! covers: `search_records`, `count_records`, `aggregate_records` and
//! `get_record`.
//!
//! Each call runs as the asking person's Odoo user (through the
//! [`OdooConnector`]), and only on the models and fields a [`RecordPolicy`]
//! allows; a refused model or field is answered before any Odoo call.
//! Conditions are structured JSON converted to a checked domain, never
//! domain text from the model. This module knows nothing of chat.

mod aggregate;
mod conditions;
mod config;
mod count;
mod get;
mod output;
mod policy;
mod policy_default;
mod register;
mod search;
mod shared;

pub use aggregate::{
    AggregateRecords, AggregateRecordsArgs, AggregateRecordsOutput, GroupBy, GroupOut, Interval,
    Measure, MeasureFunction,
};
pub use conditions::{
    AnyGroup, AnyItem, Condition, Group, NotGroup, NotItem, Scalar, Term, TermOp, TermValue,
};
pub use config::RecordToolsConfig;
pub use count::{CountRecords, CountRecordsArgs, CountRecordsOutput};
pub use get::{GetRecord, GetRecordArgs, GetRecordOutput};
pub use output::{RecordOut, record_link, thousands};
pub use policy::{ModelPolicy, PolicyConfigError, PolicyError, RecordPolicy};
pub use register::register_record_tools;
pub use search::{SearchRecords, SearchRecordsArgs, SearchRecordsOutput};

#[cfg(test)]
#[path = "tools_tests.rs"]
mod tests;
