//! The eval harness: YAML cases (`evals/cases/`) replayed through the real
//! agent loop and the real tools against the demo company, with the model's
//! side answered from recorded cassettes (`evals/cassettes/`), scored, and
//! written as a table, JSON, JUnit XML and an HTML report.
//!
//! This crate knows the agent (`agent`) and the tools (`tools`); the
//! `odoo-agent eval` command parses flags and configuration and calls
//! [`runner::run`].

pub mod case;
mod cassettes;
pub mod judge;
pub mod numbers;
pub mod report;
pub mod result;
pub mod runner;
pub mod score;
pub mod script;
pub mod world;

pub use case::{Case, CaseError, Loaded, load};
pub use judge::{Judge, JudgeError, Verdict};
pub use result::{Comparison, SuiteResult, compare};
pub use runner::{Mode, Prices, ProviderFactory, RunOptions, run};
pub use world::Companies;
