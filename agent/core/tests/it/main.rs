//! Integration tests of the agent crate: one binary, one module per area.

mod anthropic;
mod e2e;
mod openai;
mod retry;
mod store;
mod turn;
