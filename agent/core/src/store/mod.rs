//! Durable storage of conversations: threads, their messages, turns (usage,
//! timings, provider, model) and the tool-call audit.
//!
//! One [`Store`] trait with two implementations, SQLite (embedded default)
//! and PostgreSQL, which pass the same test suite.

mod attachments;
mod closings;
mod digests;
mod events;
mod forecasts;
mod ingress;
mod postgres;
mod proposals;
mod rows;
mod rules;
mod schedules;
mod sqlite;
mod types;

pub use attachments::{
    AttachmentId, AttachmentRecord, AttachmentStore, NewAttachment, StoredAttachment, sha256_hex,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use types::{
    CompletedTurn, NewThread, StoreError, StoredMessage, ThreadId, ThreadRecord, ToolCallRecord,
    TurnId, TurnRecord, TurnStatus,
};

use async_trait::async_trait;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Conversation storage.
#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Applies pending migrations (idempotent; safe with concurrent replicas).
    async fn migrate(&self) -> Result<()>;

    /// Checks that the database answers (for `/health`).
    async fn ping(&self) -> Result<()>;

    async fn create_thread(&self, new: NewThread) -> Result<ThreadRecord>;

    async fn thread(&self, id: ThreadId) -> Result<Option<ThreadRecord>>;

    /// Messages of a thread in conversation order.
    async fn messages(&self, id: ThreadId) -> Result<Vec<StoredMessage>>;

    /// Writes a finished turn in one transaction: its messages (appended after
    /// the thread's last one), the turn record and its tool-call audit, and
    /// the thread itself when `new_thread` is set. Either all of it is stored
    /// or nothing is. Fails with `NotFound` when an existing thread is named
    /// that does not exist, and with `Conflict` when a new thread's id is
    /// taken.
    async fn record_turn(&self, turn: CompletedTurn) -> Result<()>;

    /// Turns of a thread, oldest first.
    async fn turns(&self, id: ThreadId) -> Result<Vec<TurnRecord>>;

    /// Audited tool calls of a turn, in the order they were made.
    async fn tool_calls(&self, turn: TurnId) -> Result<Vec<ToolCallRecord>>;

    /// Files produced by tool calls, in the same database.
    fn attachments(&self) -> &dyn AttachmentStore;

    /// Closing checklists (spec 1.5), in the same database.
    fn closings(&self) -> &dyn crate::closing::ClosingStore;

    /// Chat messages waiting to be answered, in the same database.
    fn ingress(&self) -> &dyn crate::ingress::TurnQueue;
}
