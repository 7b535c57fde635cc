//! Where schedules and their runs are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::job::Schedule;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("schedule {0} does not exist")]
    NotFound(Uuid),
    #[error("schedule storage failed: {0}")]
    Backend(String),
}

/// How one due run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    Delivered {
        attempts: u32,
    },
    /// The job or every delivery attempt failed; `error` says why.
    Failed {
        attempts: u32,
        error: String,
    },
    /// Due more than an hour before the server could run it.
    Missed,
    /// Already delivered under the same key (spec 7.6 idempotency).
    Duplicate,
}

/// One due run of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schedule_id: Uuid,
    pub due: DateTime<Utc>,
    pub delivery_key: String,
    #[serde(flatten)]
    pub status: RunStatus,
    pub finished_at: DateTime<Utc>,
}

/// Schedules and their runs.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    async fn save(&self, schedule: Schedule) -> Result<(), StoreError>;
    async fn get(&self, id: Uuid) -> Result<Option<Schedule>, StoreError>;
    async fn list(&self) -> Result<Vec<Schedule>, StoreError>;
    /// Enabled schedules whose `next_run` is at or before `now`.
    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError>;
    /// Moves `next_run` from `due` to `next` if it still is `due`: the claim
    /// that makes one worker (of one replica) take each run.
    async fn claim(
        &self,
        id: Uuid,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Whether a delivery under `key` already succeeded.
    async fn delivered(&self, key: &str) -> Result<bool, StoreError>;
    async fn record_run(&self, run: RunRecord) -> Result<(), StoreError>;
    /// A schedule's runs, oldest first.
    async fn runs(&self, id: Uuid) -> Result<Vec<RunRecord>, StoreError>;
}

/// Schedules in memory: tests, and a server without storage.
#[derive(Debug, Default)]
pub struct MemorySchedules {
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    schedules: BTreeMap<Uuid, Schedule>,
    runs: Vec<RunRecord>,
    delivered: BTreeSet<String>,
}

impl MemorySchedules {
    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl ScheduleStore for MemorySchedules {
    async fn save(&self, schedule: Schedule) -> Result<(), StoreError> {
        self.lock().schedules.insert(schedule.id, schedule);
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        Ok(self.lock().schedules.get(&id).cloned())
    }

    async fn list(&self) -> Result<Vec<Schedule>, StoreError> {
        Ok(self.lock().schedules.values().cloned().collect())
    }

    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError> {
        let mut due: Vec<Schedule> = self
            .lock()
            .schedules
            .values()
            .filter(|s| s.enabled && s.next_run <= now)
            .cloned()
            .collect();
        due.sort_by_key(|s| (s.next_run, s.id));
        Ok(due)
    }

    async fn claim(
        &self,
        id: Uuid,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut memory = self.lock();
        let schedule = memory
            .schedules
            .get_mut(&id)
            .ok_or(StoreError::NotFound(id))?;
        if schedule.next_run != due {
            return Ok(false);
        }
        schedule.next_run = next;
        Ok(true)
    }

    async fn delivered(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.lock().delivered.contains(key))
    }

    async fn record_run(&self, run: RunRecord) -> Result<(), StoreError> {
        let mut memory = self.lock();
        if matches!(run.status, RunStatus::Delivered { .. }) {
            memory.delivered.insert(run.delivery_key.clone());
        }
        memory.runs.push(run);
        Ok(())
    }

    async fn runs(&self, id: Uuid) -> Result<Vec<RunRecord>, StoreError> {
        Ok(self
            .lock()
            .runs
            .iter()
            .filter(|r| r.schedule_id == id)
            .cloned()
            .collect())
    }
}
