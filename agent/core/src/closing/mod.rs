//! The closing checklist (spec 1.5): one closing per company and month,
//! holding the latest `month_end_closing_scan` and, per check, what a person
//! did about it (done, by whom, when, with which note).
//!
//! `rules` applies scans and people's changes to a [`Closing`] without I/O;
//! [`Closings`] loads, applies and saves them through a [`ClosingStore`]
//! (the product database, or memory) with a version check, so concurrent
//! changes never overwrite each other; `tool` is `closing_checklist`, which
//! scans and records. The HTTP API lives in the channels crate.

mod rules;
mod service;
mod store;
mod tool;
mod types;

pub use rules::Scan;
pub use service::Closings;
pub use store::{ClosingStatuses, ClosingStore, MemoryClosings};
pub use tool::{
    ChecklistData, ClosingChecklist, ClosingChecklistArgs, ClosingChecklistOutput, StepLine,
    checklist_summary, turned_to_attention,
};
pub use types::{Closing, ClosingError, ClosingStatus, HumanStatus, Step, StepChange, StepState};
