//! The figures each digest reported, kept per (company, role, date) so the
//! next digest can show the change since the previous one (spec 7.3). The
//! tool stores what it reported; where they are kept is the caller's
//! choice: [`MemoryDigestHistory`] here, a database table in the agent.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::args::DigestRole;

/// One stored digest: its date and each metric's value by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDigest {
    pub date: NaiveDate,
    pub values: BTreeMap<String, Decimal>,
}

/// Why the history could not be read or written; the digest is still
/// delivered, without changes, and says so in a warning.
#[derive(Debug, thiserror::Error)]
#[error("digest history unavailable: {0}")]
pub struct HistoryError(pub String);

/// Where digests' figures are kept.
#[async_trait]
pub trait DigestHistory: Send + Sync {
    /// The latest digest of `role` in `company_id` dated before `date`.
    async fn previous(
        &self,
        company_id: i64,
        role: DigestRole,
        date: NaiveDate,
    ) -> Result<Option<StoredDigest>, HistoryError>;

    /// Stores the figures of (company, role, date), replacing any stored
    /// for that day (a rerun reports the same day again).
    async fn record(
        &self,
        company_id: i64,
        role: DigestRole,
        digest: StoredDigest,
    ) -> Result<(), HistoryError>;
}

/// Stored values by (company, role, date).
type Stored = BTreeMap<(i64, DigestRole, NaiveDate), BTreeMap<String, Decimal>>;

/// Keeps digests in memory, for tests and a single process.
#[derive(Debug, Default)]
pub struct MemoryDigestHistory {
    stored: Mutex<Stored>,
}

impl MemoryDigestHistory {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl DigestHistory for MemoryDigestHistory {
    async fn previous(
        &self,
        company_id: i64,
        role: DigestRole,
        date: NaiveDate,
    ) -> Result<Option<StoredDigest>, HistoryError> {
        let stored = self
            .stored
            .lock()
            .map_err(|_| HistoryError("memory history poisoned".to_owned()))?;
        let found = stored
            .range((company_id, role, NaiveDate::MIN)..(company_id, role, date))
            .next_back()
            .map(|((_, _, day), values)| StoredDigest {
                date: *day,
                values: values.clone(),
            });
        Ok(found)
    }

    async fn record(
        &self,
        company_id: i64,
        role: DigestRole,
        digest: StoredDigest,
    ) -> Result<(), HistoryError> {
        self.stored
            .lock()
            .map_err(|_| HistoryError("memory history poisoned".to_owned()))?
            .insert((company_id, role, digest.date), digest.values);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn digest(date: NaiveDate, value: i64) -> StoredDigest {
        StoredDigest {
            date,
            values: BTreeMap::from([("x".to_owned(), Decimal::from(value))]),
        }
    }

    #[tokio::test]
    async fn previous_is_the_latest_before_the_date_of_the_same_company_and_role() {
        let history = MemoryDigestHistory::new();
        history
            .record(1, DigestRole::Cfo, digest(day(10), 10))
            .await
            .unwrap();
        history
            .record(1, DigestRole::Cfo, digest(day(12), 12))
            .await
            .unwrap();
        history
            .record(1, DigestRole::Cfo, digest(day(16), 16))
            .await
            .unwrap();
        history
            .record(2, DigestRole::Cfo, digest(day(15), 99))
            .await
            .unwrap();
        history
            .record(1, DigestRole::SalesManager, digest(day(15), 98))
            .await
            .unwrap();
        let previous = history.previous(1, DigestRole::Cfo, day(16)).await.unwrap();
        assert_eq!(previous, Some(digest(day(12), 12)));
        assert_eq!(
            history.previous(1, DigestRole::Cfo, day(10)).await.unwrap(),
            None
        );
        // A rerun of a day replaces it.
        history
            .record(1, DigestRole::Cfo, digest(day(12), 13))
            .await
            .unwrap();
        let previous = history.previous(1, DigestRole::Cfo, day(13)).await.unwrap();
        assert_eq!(previous, Some(digest(day(12), 13)));
    }
}
