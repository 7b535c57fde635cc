//! The queue contract. The SQL stores implement it (durable in the
//! embedded SQLite file and in PostgreSQL); a Redis Streams implementation
//! can follow the same contract.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{IngressJob, JobId, NewJob, Reply};
use crate::store::Result;

/// What [`TurnQueue::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored; it will be answered.
    Stored(JobId),
    /// Its dedupe key was taken within the retention window: a platform
    /// retry of a message already stored. Acknowledge and do nothing.
    Duplicate,
}

/// Durable turn jobs with per-conversation ordering.
#[async_trait]
pub trait TurnQueue: Send + Sync {
    /// Stores the job unless its dedupe key was seen after `seen_after`
    /// (now minus the retention window). Taking the key and storing the
    /// job happen in one transaction: either both or neither.
    async fn enqueue(&self, job: NewJob, seen_after: DateTime<Utc>) -> Result<Enqueued>;

    /// Claims the oldest pending job that is available at `now` and whose
    /// conversation has no running job and no older pending one; marks it
    /// running and counts the attempt.
    async fn claim(&self, now: DateTime<Utc>) -> Result<Option<IngressJob>>;

    /// Keeps the turn's reply on a running job, so a retry or a restart
    /// delivers it without running the turn again.
    async fn answered(&self, id: JobId, reply: &Reply) -> Result<()>;

    /// The job was answered: it is never claimed again.
    async fn complete(&self, id: JobId) -> Result<()>;

    /// Puts a running job back, claimable from `retry_at` (a delivery that
    /// may succeed later).
    async fn release(&self, id: JobId, error: &str, retry_at: DateTime<Utc>) -> Result<()>;

    /// Gives up on a job: never claimed again, the error kept.
    async fn fail(&self, id: JobId, error: &str) -> Result<()>;

    /// Puts back jobs left running by a process that died: those claimed
    /// before `claimed_before`. Returns how many.
    async fn requeue_running(&self, claimed_before: DateTime<Utc>) -> Result<u64>;

    /// Forgets dedupe keys seen before `before` and finished jobs updated
    /// before it. Returns how many rows went.
    async fn purge(&self, before: DateTime<Utc>) -> Result<u64>;

    /// A job by id (tests, operators).
    async fn job(&self, id: JobId) -> Result<Option<IngressJob>>;
}

/// The queue of a conversation store, owned: the embedded default keeps
/// jobs in the same database as the conversations they continue.
pub struct StoreQueue(pub std::sync::Arc<dyn crate::store::Store>);

#[async_trait]
impl TurnQueue for StoreQueue {
    async fn enqueue(&self, job: NewJob, seen_after: DateTime<Utc>) -> Result<Enqueued> {
        self.0.ingress().enqueue(job, seen_after).await
    }

    async fn claim(&self, now: DateTime<Utc>) -> Result<Option<IngressJob>> {
        self.0.ingress().claim(now).await
    }

    async fn answered(&self, id: JobId, reply: &Reply) -> Result<()> {
        self.0.ingress().answered(id, reply).await
    }

    async fn complete(&self, id: JobId) -> Result<()> {
        self.0.ingress().complete(id).await
    }

    async fn release(&self, id: JobId, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        self.0.ingress().release(id, error, retry_at).await
    }

    async fn fail(&self, id: JobId, error: &str) -> Result<()> {
        self.0.ingress().fail(id, error).await
    }

    async fn requeue_running(&self, claimed_before: DateTime<Utc>) -> Result<u64> {
        self.0.ingress().requeue_running(claimed_before).await
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64> {
        self.0.ingress().purge(before).await
    }

    async fn job(&self, id: JobId) -> Result<Option<IngressJob>> {
        self.0.ingress().job(id).await
    }
}
