//! Running what is due: claim, run the tool, deliver with retries, record.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tools::{CallOrigin, DispatchOutcome, Identity, IdentityId, ToolCtx, ToolRegistry};

use super::balances::{NO_DELIVERY, RecordBalance};
use super::job::{Job, Schedule, balance_day};
use super::outbound::{Outbound, OutboundMessage};
use super::store::{RunRecord, RunStatus, ScheduleStore, StoreError};

/// A run later than this after its time is recorded as missed instead of
/// sent (spec 6.6: a run missed while the server was down runs once if
/// within one hour of its time).
const CATCH_UP_WINDOW: chrono::Duration = chrono::Duration::hours(1);

/// How failed deliveries are retried: spec 7.6 asks for three retries with
/// backoff.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub retries: u32,
    /// Delay before the first retry; doubled for each further one.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 3,
            first_delay: Duration::from_secs(2),
        }
    }
}

/// Runs a tool for a scheduled job.
#[async_trait]
pub trait RunTool: Send + Sync {
    async fn run_tool(&self, identity: &Identity, tool: &str, args: &Value) -> DispatchOutcome;
}

/// Tool calls of scheduled jobs get this long.
const JOB_TIMEOUT: Duration = Duration::from_secs(300);

#[async_trait]
impl RunTool for ToolRegistry {
    async fn run_tool(&self, identity: &Identity, tool: &str, args: &Value) -> DispatchOutcome {
        let ctx = ToolCtx {
            identity: identity.clone(),
            deadline: tokio::time::Instant::now() + JOB_TIMEOUT,
            cancel: CancellationToken::new(),
            origin: CallOrigin::Schedule,
        };
        self.dispatch(&ctx, "scheduled", tool, &args.to_string(), JOB_TIMEOUT)
            .await
    }
}

#[async_trait]
impl RunTool for crate::Runtime {
    async fn run_tool(&self, identity: &Identity, tool: &str, args: &Value) -> DispatchOutcome {
        self.tools().run_tool(identity, tool, args).await
    }
}

/// Who a schedule's owner is now (their roles may have changed since the
/// schedule was saved).
pub type IdentityLookup = Arc<dyn Fn(&IdentityId) -> Option<Identity> + Send + Sync>;

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub runs: Vec<RunRecord>,
}

/// Runs due schedules.
pub struct Scheduler {
    store: Arc<dyn ScheduleStore>,
    tools: Arc<dyn RunTool>,
    outbound: Arc<dyn Outbound>,
    identities: IdentityLookup,
    retry: RetryPolicy,
    /// Where bank balance jobs store the day's balance; without it they
    /// fail, saying so.
    balances: Option<Arc<dyn RecordBalance>>,
}

impl Scheduler {
    pub fn new(
        store: Arc<dyn ScheduleStore>,
        tools: Arc<dyn RunTool>,
        outbound: Arc<dyn Outbound>,
        identities: IdentityLookup,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            store,
            tools,
            outbound,
            identities,
            retry,
            balances: None,
        }
    }

    /// Runs bank balance jobs through `balances`.
    pub fn with_balances(mut self, balances: Arc<dyn RecordBalance>) -> Self {
        self.balances = Some(balances);
        self
    }

    /// Runs every schedule due at `now`, one after the other.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        for schedule in self.store.due(now).await? {
            if let Some(run) = self.run_due(&schedule, now).await? {
                report.runs.push(run);
            }
        }
        Ok(report)
    }

    /// Ticks every `every` until `cancel`; a failing tick is logged and the
    /// loop goes on.
    pub async fn run(&self, every: Duration, cancel: CancellationToken) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return,
                _ = interval.tick() => {}
            }
            if let Err(err) = self.tick(Utc::now()).await {
                tracing::warn!(error = %err, "scheduler tick failed");
            }
        }
    }

    /// Claims and runs one due schedule; `None` when another worker claimed
    /// it first.
    async fn run_due(
        &self,
        schedule: &Schedule,
        now: DateTime<Utc>,
    ) -> Result<Option<RunRecord>, StoreError> {
        let due = schedule.next_run;
        let next = match schedule.cron_schedule().and_then(|c| c.next_after(now)) {
            Ok(next) => next,
            Err(err) => {
                // A stored expression is checked on save; if it still fails,
                // stop the schedule rather than retrying it every tick.
                let mut stopped = schedule.clone();
                stopped.enabled = false;
                self.store.save(stopped).await?;
                let run = self.finish(schedule, due, now, failed(0, err.to_string()));
                self.store.record_run(run.clone()).await?;
                return Ok(Some(run));
            }
        };
        if !self.store.claim(schedule.id, due, next).await? {
            return Ok(None);
        }
        let status = if now - due > CATCH_UP_WINDOW {
            RunStatus::Missed
        } else if self.store.delivered(&schedule.delivery_key(due)).await? {
            RunStatus::Duplicate
        } else {
            self.execute(schedule, due).await
        };
        let run = self.finish(schedule, due, now, status);
        self.store.record_run(run.clone()).await?;
        if let RunStatus::Failed { error, .. } = &run.status {
            self.report_failure(schedule, due, error).await;
        }
        Ok(Some(run))
    }

    fn finish(
        &self,
        schedule: &Schedule,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        status: RunStatus,
    ) -> RunRecord {
        RunRecord {
            schedule_id: schedule.id,
            due,
            delivery_key: schedule.delivery_key(due),
            status,
            finished_at: now,
        }
    }

    /// Runs the job as its owner and delivers the result.
    async fn execute(&self, schedule: &Schedule, due: DateTime<Utc>) -> RunStatus {
        let Some(owner) = (self.identities)(&schedule.owner) else {
            return failed(0, format!("owner {} no longer exists", schedule.owner));
        };
        let local_date = due.with_timezone(&schedule.timezone).date_naive();
        if let Job::BankBalance { company_id } = &schedule.job {
            return self.record_balance(&owner, *company_id, local_date).await;
        }
        let args = schedule.job.arguments(local_date);
        let outcome = self
            .tools
            .run_tool(&owner, schedule.job.tool(), &args)
            .await;
        let success = match outcome.result {
            Ok(success) => success,
            Err(err) => {
                return failed(0, format!("{} failed: {err}", schedule.job.tool()));
            }
        };
        let message = OutboundMessage {
            title: format!("{} — {local_date}", schedule.name),
            text: success.summary,
            attachments: success.attachments,
        };
        let mut delay = self.retry.first_delay;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self
                .outbound
                .deliver(&owner, &schedule.target, &message)
                .await
            {
                Ok(()) => return RunStatus::Delivered { attempts },
                Err(err) if attempts > self.retry.retries => {
                    return failed(attempts, err.to_string());
                }
                Err(err) => {
                    tracing::info!(schedule = %schedule.id, attempts, error = %err, "delivery failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = delay.saturating_mul(2);
                }
            }
        }
    }

    async fn record_balance(
        &self,
        owner: &Identity,
        company_id: Option<i64>,
        local_date: chrono::NaiveDate,
    ) -> RunStatus {
        let Some(balances) = &self.balances else {
            return failed(
                0,
                "no forecast history to record bank balances in".to_owned(),
            );
        };
        match balances
            .record_balance(owner, company_id, balance_day(local_date))
            .await
        {
            Ok(stored) => {
                tracing::info!(%stored, "closing bank balance stored");
                RunStatus::Delivered { attempts: 1 }
            }
            Err(err) => failed(1, format!("recording the bank balance failed: {err}")),
        }
    }

    /// Tells the owner a run failed, where they asked to hear of it. A
    /// failure to report is logged; the run record holds the error anyway.
    async fn report_failure(&self, schedule: &Schedule, due: DateTime<Utc>, error: &str) {
        if schedule.target.channel == NO_DELIVERY && schedule.owner_target.is_none() {
            tracing::warn!(schedule = %schedule.id, %due, error, "scheduled job failed");
            return;
        }
        let Some(owner) = (self.identities)(&schedule.owner) else {
            return;
        };
        let target = schedule
            .owner_target
            .clone()
            .unwrap_or_else(|| schedule.target.clone());
        let message = OutboundMessage {
            title: format!("Scheduled \"{}\" failed", schedule.name),
            text: format!("The run due at {due} did not go out: {error}"),
            attachments: Vec::new(),
        };
        if let Err(err) = self.outbound.deliver(&owner, &target, &message).await {
            tracing::warn!(schedule = %schedule.id, error = %err, "cannot report a failed run to its owner");
        }
    }
}

fn failed(attempts: u32, error: String) -> RunStatus {
    RunStatus::Failed { attempts, error }
}
