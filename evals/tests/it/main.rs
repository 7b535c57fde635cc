//! The eval harness end to end: the shipped suite in replay, the report
//! writers, the baseline comparison.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod judge;
mod record;
mod reports;
mod suite;
