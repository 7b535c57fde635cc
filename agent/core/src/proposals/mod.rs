//! Write proposals once a tool has returned them (spec 0.6): stored with
//! the turn that produced them, approved or rejected by a person holding
//! the required role, executed at most once through that person's Odoo
//! user after the preconditions are re-read, and audited at every step.
//!
//! The model can create proposals (any tool result may carry them) but
//! nothing here is reachable as a tool: only the HTTP API and channels
//! call [`Approvals`].

mod approvals;
mod changes;
mod execute;
mod preconditions;
mod store;
mod types;

pub use approvals::{ApprovalError, Approvals, may_decide};
pub use changes::{FieldChange, field_changes};
pub use preconditions::FailedPrecondition;
pub(crate) use store::created_entry;
pub use store::{MemoryProposals, ProposalStore};
pub use types::{AuditEntry, AuditEvent, Decision, NewProposal, ProposalStatus, StoredProposal};
