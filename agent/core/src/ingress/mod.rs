//! Durable ingress shared by every chat channel.
//!
//! A channel adapter verifies a request, resolves the sender to an
//! identity and calls [`Ingress::submit`], which drops a delivery whose
//! platform event id was already taken and otherwise stores the message as
//! a job — all before the adapter acknowledges the platform. Workers
//! ([`start_workers`]) claim jobs, run the turn, remember its reply on the
//! job and hand it to the channel's [`ReplySink`]. A job is answered once:
//! a restart picks up jobs left running, and a job whose turn already ran
//! delivers the stored reply instead of running the turn again.
//!
//! Jobs of one conversation are answered one at a time, in the order they
//! arrived; different conversations run concurrently, up to the worker
//! count. The queue is a trait ([`TurnQueue`]); the SQL stores implement it
//! so the embedded default is durable without a server.

mod queue;
mod reply;
mod types;
mod worker;

pub use queue::{Enqueued, StoreQueue, TurnQueue};
pub use reply::{ProposalCard, Reply, ReplyKind};
pub use types::{InboundMessage, IngressJob, JobId, JobState, NewJob, Sender};
pub use worker::{Ingress, IngressSettings, ReplySink, Sinks, start_workers};
