//! The workers that answer stored jobs, and the handle channels submit to.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Enqueued, InboundMessage, IngressJob, NewJob, Reply, Sender, TurnQueue};
use crate::Runtime;
use crate::schedule::DeliveryError;
use crate::store::Result as StoreResult;
use crate::turn::{TurnError, TurnRequest};

/// A channel's outbound half: shows that work started and delivers the
/// answer where the message came from.
#[async_trait]
pub trait ReplySink: Send + Sync {
    /// Tells the person the answer is being worked on (a placeholder
    /// message, a typing indicator). Best effort: a failure is logged.
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError>;

    /// Delivers the answer. An error is retried later with the same reply
    /// when [`DeliveryError::is_retryable`]; otherwise the job fails.
    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError>;
}

/// The sink of each channel name.
#[derive(Clone, Default)]
pub struct Sinks(HashMap<String, Arc<dyn ReplySink>>);

impl Sinks {
    pub fn with(mut self, channel: &str, sink: Arc<dyn ReplySink>) -> Self {
        self.0.insert(channel.to_owned(), sink);
        self
    }

    fn get(&self, channel: &str) -> Option<&Arc<dyn ReplySink>> {
        self.0.get(channel)
    }
}

/// Tuning of the ingress workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngressSettings {
    /// Conversations answered at the same time.
    pub workers: usize,
    /// How long a platform event id stays taken. Platforms retry for
    /// minutes (Slack) to days (WhatsApp, for an unacknowledged webhook).
    pub dedupe_window: Duration,
    /// Claims of one job before it is given up as failed.
    pub max_attempts: u32,
    /// First delay before a failed delivery is retried; doubled each time.
    pub retry_delay: Duration,
    /// How often workers look for jobs nobody woke them for (jobs stored
    /// by another replica, retries coming due).
    pub poll: Duration,
    /// A job running longer than this is taken to belong to a process that
    /// died, and is put back. Longer than any turn may run.
    pub lease: Duration,
}

impl Default for IngressSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            dedupe_window: Duration::from_secs(7 * 24 * 3600),
            max_attempts: 5,
            retry_delay: Duration::from_secs(2),
            poll: Duration::from_secs(1),
            lease: Duration::from_secs(30 * 60),
        }
    }
}

/// What channels submit messages to. Cheap to clone.
#[derive(Clone)]
pub struct Ingress {
    queue: Arc<dyn TurnQueue>,
    wake: Arc<Notify>,
    settings: IngressSettings,
}

impl Ingress {
    pub fn new(queue: Arc<dyn TurnQueue>, settings: IngressSettings) -> Self {
        Self {
            queue,
            wake: Arc::new(Notify::new()),
            settings,
        }
    }

    /// Stores the message (or recognises a duplicate delivery) and wakes a
    /// worker. Returns once the job is durable: the caller may acknowledge.
    pub async fn submit(&self, job: NewJob) -> StoreResult<Enqueued> {
        let window = chrono::Duration::from_std(self.settings.dedupe_window)
            .unwrap_or(chrono::Duration::MAX);
        let outcome = self.queue.enqueue(job, Utc::now() - window).await?;
        if matches!(outcome, Enqueued::Stored(_)) {
            self.wake.notify_one();
        }
        Ok(outcome)
    }

    pub fn queue(&self) -> &Arc<dyn TurnQueue> {
        &self.queue
    }

    pub fn settings(&self) -> IngressSettings {
        self.settings
    }
}

/// Starts the workers. First puts back jobs a dead process left running
/// (`exclusive`: this process is the only one on the database, as with the
/// embedded SQLite file, so every running job is such a job; otherwise
/// only those past the lease). The returned set ends when `cancel` fires.
pub async fn start_workers(
    runtime: Runtime,
    ingress: Ingress,
    sinks: Sinks,
    exclusive: bool,
    cancel: CancellationToken,
) -> StoreResult<JoinSet<()>> {
    let settings = ingress.settings;
    let lease = chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::MAX);
    let cutoff = if exclusive {
        Utc::now() + chrono::Duration::seconds(1)
    } else {
        Utc::now() - lease
    };
    let requeued = ingress.queue.requeue_running(cutoff).await?;
    if requeued > 0 {
        tracing::info!(jobs = requeued, "ingress: picked up jobs left unfinished");
    }
    let worker = Arc::new(Worker {
        runtime,
        ingress,
        sinks,
    });
    let mut set = JoinSet::new();
    set.spawn(purge_loop(worker.ingress.clone(), cancel.clone()));
    for index in 0..settings.workers.max(1) {
        let worker = Arc::clone(&worker);
        let cancel = cancel.clone();
        set.spawn(async move { worker.run(index, cancel).await });
    }
    Ok(set)
}

/// How often dedupe keys and finished jobs past the window are forgotten.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

async fn purge_loop(ingress: Ingress, cancel: CancellationToken) {
    let window =
        chrono::Duration::from_std(ingress.settings.dedupe_window).unwrap_or(chrono::Duration::MAX);
    loop {
        match ingress.queue.purge(Utc::now() - window).await {
            Ok(0) => {}
            Ok(rows) => tracing::debug!(rows, "ingress: purged old dedupe keys and jobs"),
            Err(err) => tracing::warn!(error = %err, "ingress: purge failed"),
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(PURGE_EVERY) => {}
        }
    }
}

struct Worker {
    runtime: Runtime,
    ingress: Ingress,
    sinks: Sinks,
}

impl Worker {
    async fn run(&self, index: usize, cancel: CancellationToken) {
        let settings = self.ingress.settings;
        loop {
            if cancel.is_cancelled() {
                return;
            }
            match self.ingress.queue.claim(Utc::now()).await {
                Ok(Some(job)) => {
                    // Another job may be eligible now (another conversation):
                    // pass the wake-up on so idle workers look too.
                    self.ingress.wake.notify_one();
                    self.answer(job).await;
                    continue;
                }
                Ok(None) => {}
                Err(err) => tracing::error!(worker = index, error = %err, "ingress: claim failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = self.ingress.wake.notified() => {}
                () = tokio::time::sleep(settings.poll) => {}
            }
        }
    }

    /// Runs the job's turn (unless an earlier attempt did) and delivers the
    /// reply; a delivery failure puts the job back for a later attempt.
    async fn answer(&self, job: IngressJob) {
        let message = &job.message;
        let Some(sink) = self.sinks.get(&message.channel) else {
            self.give_up(
                &job,
                &format!("no channel `{}` is mounted", message.channel),
            )
            .await;
            return;
        };
        let reply = match &job.reply {
            Some(reply) => reply.clone(),
            None => match self.run_turn(sink.as_ref(), message).await {
                Ok(reply) => {
                    if let Err(err) = self.ingress.queue.answered(job.id, &reply).await {
                        // Delivering anyway beats leaving the person without
                        // an answer; only a crash right now would rerun it.
                        tracing::error!(job = %job.id, error = %err, "ingress: keeping the reply failed");
                    }
                    reply
                }
                Err(err) => {
                    self.retry_or_fail(&job, &format!("turn failed: {err}"))
                        .await;
                    return;
                }
            },
        };
        match sink.deliver(message, &reply).await {
            Ok(()) => {
                if let Err(err) = self.ingress.queue.complete(job.id).await {
                    tracing::error!(job = %job.id, error = %err, "ingress: completing failed");
                }
            }
            // Retrying cannot help (a closed messaging window, a bad
            // route): give up now rather than after every attempt.
            Err(err) if !err.is_retryable() => self.give_up(&job, &err.to_string()).await,
            Err(err) => self.retry_or_fail(&job, &err.to_string()).await,
        }
    }

    async fn run_turn(
        &self,
        sink: &dyn ReplySink,
        message: &InboundMessage,
    ) -> Result<Reply, TurnError> {
        let identity = match &message.sender {
            Sender::Known { identity } | Sender::Guest { identity } => identity.clone(),
            Sender::Refused => {
                return Ok(Reply::refusal(
                    message.thread_id(),
                    message.user.platform.as_str(),
                ));
            }
        };
        if let Err(err) = sink.working(message).await {
            tracing::warn!(channel = %message.channel, error = %err, "ingress: status update failed");
        }
        let thread_id = message.thread_id();
        let request = TurnRequest {
            thread_id: Some(thread_id),
            channel: message.channel.clone(),
            identity,
            message: message.text.clone(),
        };
        let result = self
            .runtime
            .run_keyed_turn(request, &message.conversation_key)
            .await?;
        let proposals = self
            .runtime
            .proposals()
            .proposals_of_turn(result.turn_id)
            .await?;
        Ok(Reply::answer(&result, &proposals))
    }

    async fn retry_or_fail(&self, job: &IngressJob, error: &str) {
        let settings = self.ingress.settings;
        if job.attempts >= settings.max_attempts {
            self.give_up(job, error).await;
            return;
        }
        let factor = 2u32.saturating_pow(job.attempts.saturating_sub(1));
        let delay = settings.retry_delay.saturating_mul(factor);
        let retry_at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
        tracing::warn!(job = %job.id, attempt = job.attempts, error, "ingress: will retry");
        if let Err(err) = self.ingress.queue.release(job.id, error, retry_at).await {
            tracing::error!(job = %job.id, error = %err, "ingress: releasing failed");
        }
    }

    async fn give_up(&self, job: &IngressJob, error: &str) {
        tracing::error!(job = %job.id, channel = %job.message.channel, error, "ingress: giving up on a message");
        if let Err(err) = self.ingress.queue.fail(job.id, error).await {
            tracing::error!(job = %job.id, error = %err, "ingress: marking failed failed");
        }
    }
}
