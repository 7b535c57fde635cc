//! Where closings are kept: the product database (both backends, in
//! `crate::store`) or memory.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;

use super::types::Closing;
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
