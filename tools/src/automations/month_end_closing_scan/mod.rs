//! `month_end_closing_scan` (spec section 1): what still blocks closing a
//! month, with exact counts and company-currency amounts per check, the
//! records behind them, a readiness score, a risk level and an effort
//! estimate.
//!
//! `compute` scores facts without I/O; `read` holds the Odoo reads of each
//! check; `tool` validates the arguments and assembles the envelope. The
//! persisted closing checklist (1.5) and lock-date proposals (1.6) are not
//! part of this module.

mod compute;
mod config;
mod export;
mod period;
mod read;
mod tool;

pub use compute::{
    Assessment, Check, CheckKey, Facts, Item, Narrative, Outcome, RiskLevel, Severity, Status,
    assess, priorities, template_narrative,
};
pub use config::{ClosingScanConfig, Scoring};
pub use period::Period;
pub use tool::{ClosingData, MonthEndClosingScan, MonthEndClosingScanArgs, TOOL_VERSION, summary};
