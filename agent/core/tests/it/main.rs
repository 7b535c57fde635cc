//! Integration tests of the agent crate: one binary, one module per area.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod anthropic;
mod approvals;
mod attachments;
mod closings;
mod demo;
mod digest_history;
mod e2e;
mod every_store;
mod forecast_history;
mod ingress;
mod openai;
mod product_events;
mod proposal_store;
mod reconciliation_rules;
mod records;
mod retry;
mod schedule;
mod store;
mod turn;
mod turn_proposals;
