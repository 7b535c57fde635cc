//! Integration tests of the tools crate: one binary, one module per area.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod automations;
mod bank_reconciliation;
mod bank_reconciliation_tool;
mod cash_flow_forecast;
mod client_vs_fake;
mod credit_check;
mod daily_digest;
mod demo_company;
mod demo_jsonl;
mod demo_server;
mod exports;
mod find_duplicates;
mod find_duplicates_tool;
mod forecast_accuracy;
mod month_end_closing_scan;
mod nl_report;
mod odoo_client;
mod odoo_json2;
mod records;
