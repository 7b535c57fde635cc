//! Where closings are kept: the product database (both backends, in
//! `crate::store`) or memory.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use std::sync::Arc;

use async_trait::async_trait;
use tools::automations::daily_digest::{CloseStatus, CloseStatuses, HistoryError};

use super::types::{Closing, StepState};
use crate::store::StoreError;

/// Closings by company and period, saved whole with a version check.
#[async_trait]
pub trait ClosingStore: Send + Sync {
    /// The closing of `company_id` for `period` (`YYYY-MM`), if started.
    async fn closing(&self, company_id: i64, period: &str) -> Result<Option<Closing>, StoreError>;

    /// Saves `closing` with version `expected + 1` (1 for a new one) if the
    /// stored version still is `expected` (`None`: nothing stored yet).
    /// Returns false, writing nothing, when another save came first.
    async fn save_closing(
        &self,
        closing: &Closing,
        expected: Option<u64>,
    ) -> Result<bool, StoreError>;
}

/// Closings in memory: tests, and tool listings without a database.
#[derive(Debug, Default)]
pub struct MemoryClosings {
    closings: Mutex<BTreeMap<(i64, String), Closing>>,
}

#[async_trait]
impl ClosingStore for MemoryClosings {
    async fn closing(&self, company_id: i64, period: &str) -> Result<Option<Closing>, StoreError> {
        let closings = self.closings.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(closings.get(&(company_id, period.to_owned())).cloned())
    }

    async fn save_closing(
        &self,
        closing: &Closing,
        expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut closings = self.closings.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (closing.company_id, closing.period.clone());
        let stored = closings.get(&key).map(|c| c.version);
        if stored != expected {
            return Ok(false);
        }
        let mut saved = closing.clone();
        saved.version = expected.map_or(1, |v| v + 1);
        closings.insert(key, saved);
        Ok(true)
    }
}

/// The closings of a [`ClosingStore`] as the CFO digest reports them
/// (spec 7.2 `close_status`): readiness and the checks still open.
pub struct ClosingStatuses(pub Arc<dyn ClosingStore>);

#[async_trait]
impl CloseStatuses for ClosingStatuses {
    async fn close_status(
        &self,
        company_id: i64,
        period: &str,
    ) -> Result<Option<CloseStatus>, HistoryError> {
        let closing = self
            .0
            .closing(company_id, period)
            .await
            .map_err(|err| HistoryError(err.to_string()))?;
        Ok(closing.map(|c| CloseStatus {
            period: c.period.clone(),
            status: c.status.as_str().to_owned(),
            readiness: c.readiness,
            open_checks: c
                .steps
                .iter()
                .filter(|s| s.state == StepState::Open)
                .map(|s| s.key.as_str().to_owned())
                .collect(),
        }))
    }
}
