//! The closing status the CFO digest reports (spec 7.2 `close_status`):
//! closings live in the product database, so the agent supplies them
//! through [`CloseStatuses`]; without a source the figure is left out.

use async_trait::async_trait;
use serde::Serialize;

use super::history::HistoryError;

/// Where one month's closing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseStatus {
    /// `YYYY-MM`.
    pub period: String,
    /// `open` or `completed`.
    pub status: String,
    /// Readiness 0–100 of the latest scan.
    pub readiness: u32,
    /// The keys of the checks still open, in checklist order.
    pub open_checks: Vec<String>,
}

/// Where closings are read.
#[async_trait]
pub trait CloseStatuses: Send + Sync {
    /// The closing of `company_id` for `period` (`YYYY-MM`), if started.
    async fn close_status(
        &self,
        company_id: i64,
        period: &str,
    ) -> Result<Option<CloseStatus>, HistoryError>;
}
