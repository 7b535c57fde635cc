//! Proposals waiting for approval (spec 7.2 `pending_approvals`): they live
//! in the product database, so the agent supplies them through
//! [`PendingApprovals`]; without a source the figure is left out.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::history::HistoryError;

/// At most this many records of waiting proposals are linked.
pub const MAX_PENDING_TARGETS: usize = 10;

/// Proposals still pending and not expired at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pending {
    pub count: u64,
    /// When the oldest of them was made.
    pub oldest_created_at: Option<DateTime<Utc>>,
    /// The Odoo records (model, id) the proposals would change, oldest
    /// proposal first, at most [`MAX_PENDING_TARGETS`].
    pub targets: Vec<(String, i64)>,
}

/// Where pending proposals are counted.
#[async_trait]
pub trait PendingApprovals: Send + Sync {
    /// Proposals of `company_id` (or made without a company) with status
    /// pending that have not expired at `now`.
    async fn pending_approvals(
        &self,
        company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Pending, HistoryError>;
}
