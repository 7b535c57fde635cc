//! `daily_digest` (spec section 7): a short morning briefing per role (CFO,
//! sales manager, warehouse manager) with key figures, their change since
//! the role's previous digest, prioritised items needing action with links
//! into Odoo, and a headline and summary.
//!
//! `read` gathers the figures with grouped reads; `compute` turns them into
//! metrics, changes and attention items without I/O; `history` keeps what
//! each digest reported; `output` is the payload; `tool` runs a call. The
//! narrative goes through [`crate::automations::narrative`]: a model's text
//! is used only when every number in it is in the digest.
//!
//! Of the figures kept in the product database, pending approvals come
//! through [`PendingApprovals`]; the closing status, the stored forecast's
//! first gap and recorded anomalies are not read yet, so `anomalies` stays
//! empty.

mod approvals;
mod args;
mod compute;
mod history;
mod output;
mod read;
mod tool;

pub use approvals::{Pending, PendingApprovals};
pub use args::{DailyDigestArgs, DigestRole};
pub use compute::{
    CfoFigures, Figures, SalesFigures, Tally, WarehouseFigures, attention, display_amount, metrics,
    template, with_change,
};
pub use history::{DigestHistory, HistoryError, MemoryDigestHistory, StoredDigest};
pub use output::{Anomaly, Attention, DigestData, Link, Metric, Priority, TopItem, Unit};
pub use tool::{DailyDigest, TOOL_VERSION};
