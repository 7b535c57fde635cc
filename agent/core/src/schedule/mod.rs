//! Scheduled jobs: saved reports (spec 6.6), daily digests (spec 7.6) and
//! the built-in daily bank balance behind forecast accuracy (spec 5.8).
//!
//! A [`Schedule`] names a job (a digest for a role, or a saved report), a
//! 5-field cron expression read in an IANA time zone, a delivery target and
//! an owner. The [`Scheduler`] runs what is due on each tick: a run missed
//! while the server was down runs once if it is within an hour of its time,
//! otherwise it is recorded as missed; every delivery is keyed so that a
//! digest reaches a recipient at most once a day; failed deliveries are
//! retried, recorded, and reported to the owner.
//!
//! Schedules live in storage behind [`ScheduleStore`] (so that several
//! replicas claim each run once); the clock is a parameter of
//! [`Scheduler::tick`], so the rules are tested without waiting.

mod balances;
mod cron;
mod digests;
mod job;
mod outbound;
mod request;
mod runner;
mod start;
mod store;

pub use balances::{BANK_BALANCE_CRON, NO_DELIVERY, RecordBalance, builtin_schedules};
pub use cron::{CronError, CronSchedule};
pub use digests::{DigestConfigError, DigestDelivery, RoleDelivery, sync_digest_schedules};
pub use job::{Job, Schedule, Target, balance_day};
pub use outbound::{DeliveryError, DiscussOutbound, ODOO_DISCUSS, Outbound, OutboundMessage};
pub use request::{DELIVERY_CHANNELS, ReportRequest, ScheduleRequestError};
pub use runner::{IdentityLookup, RetryPolicy, RunTool, Scheduler, TickReport};
pub use start::{StartError, TICK, known_identities, local_identities, start_scheduler};
pub use store::{MemorySchedules, RunRecord, RunStatus, ScheduleStore, StoreError};
