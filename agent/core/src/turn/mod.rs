//! One turn: a person's message, the model calls and tool calls it leads to,
//! and the reply, stored together.

mod attachments;
mod run;
mod types;

pub(crate) use run::{TurnDeps, run_turn};
pub use types::{
    AttachmentView, ProposalView, ToolCallSummary, TurnError, TurnEvent, TurnRequest, TurnResult,
};
