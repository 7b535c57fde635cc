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
//! The CFO figures kept in the product database come through traits the
//! agent implements (`product`): pending approvals ([`PendingApprovals`]),
//! the latest stored forecast's first cash gap
//! ([`crate::automations::cash_flow_forecast::ForecastHistory`]), this and
//! last month's closing ([`CloseStatuses`]) and the anomalies of the last
//! 24 hours ([`crate::automations::events::ProductEvents`]).

mod approvals;
mod args;
mod closes;
mod compute;
mod history;
mod output;
mod product;
mod read;
mod tool;

pub use approvals::{MAX_PENDING_TARGETS, Pending, PendingApprovals};
pub use args::{DailyDigestArgs, DigestRole};
pub use closes::{CloseStatus, CloseStatuses};
pub use compute::{
    CfoFigures, Figures, SalesFigures, Tally, WarehouseFigures, attention, display_amount, metrics,
    period_of, previous_period, template, with_change,
};
pub use history::{DigestHistory, HistoryError, MemoryDigestHistory, StoredDigest};
pub use output::{
    Anomaly, Attention, CashForecast, DigestData, Link, Metric, Priority, TopItem, Unit,
};
pub use tool::{DailyDigest, TOOL_VERSION};
