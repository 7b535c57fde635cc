//! Records the store reads and writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use crate::prompt::PromptRef;
use crate::provider::{Message, Usage};

/// Identifies a conversation thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ThreadId(pub Uuid);

impl ThreadId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for ThreadId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ThreadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for ThreadId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// Identifies one turn (a user message and everything the agent did for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TurnId(pub Uuid);

impl TurnId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for TurnId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for TurnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A thread to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewThread {
    pub id: ThreadId,
    /// Where the conversation happens: `api`, `cli`, `slack`…
    pub channel: String,
    /// The platform's own reference (Slack channel + thread_ts…), if any.
    pub external_ref: Option<String>,
}

/// A stored thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThreadRecord {
    pub id: ThreadId,
    pub channel: String,
    pub external_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored message with its position in the thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredMessage {
    pub thread_id: ThreadId,
    /// The turn that wrote it.
    pub turn_id: TurnId,
    /// 0-based position in the thread.
    pub seq: i64,
    pub message: Message,
    pub created_at: DateTime<Utc>,
}

/// How a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnStatus {
    /// The model gave a final answer.
    Completed,
    /// A limit (iterations, tokens, wall time) ended the turn.
    LimitReached,
    /// The provider failed after retries; the user got an apology.
    Failed,
}

impl TurnStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::LimitReached => "limit_reached",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "completed" => Some(Self::Completed),
            "limit_reached" => Some(Self::LimitReached),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One turn: who asked, which model answered, what it cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnRecord {
    pub id: TurnId,
    pub thread_id: ThreadId,
    pub identity_id: String,
    pub channel: String,
    pub provider: String,
    pub model: String,
    pub status: TurnStatus,
    /// Why the turn ended, in words (`end_turn`, `max_iterations`…).
    pub stop_reason: String,
    pub usage: Usage,
    /// Model calls made.
    pub iterations: u32,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Internal error detail for failed turns (never shown to users).
    pub error: Option<String>,
    /// The prompt templates (name, version, source hash) the turn's system
    /// prompt was rendered from; empty when it never got that far.
    pub prompts: Vec<PromptRef>,
}

/// The audit record of one tool call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallRecord {
    /// The provider's tool-call id.
    pub call_id: String,
    pub turn_id: TurnId,
    pub thread_id: ThreadId,
    pub identity_id: String,
    pub tool: String,
    pub arguments: Value,
    /// `ok` or the error kind (`invalid_args`, `timeout`…).
    pub outcome: String,
    /// What the model was sent back.
    pub result: Value,
    pub duration_ms: u64,
    pub created_at: DateTime<Utc>,
}

/// Everything a turn writes, stored atomically.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedTurn {
    pub turn: TurnRecord,
    /// Set on the first turn of a new thread: the thread is created in the
    /// same transaction, so a thread exists exactly when its first turn does
    /// (a turn that fails to store leaves no empty thread behind).
    pub new_thread: Option<NewThread>,
    /// The user's message first, then the assistant and tool-result messages.
    pub messages: Vec<Message>,
    pub tool_calls: Vec<ToolCallRecord>,
}

/// Storage failures.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The referenced thread or turn does not exist; callers answer 404.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// A concurrent write conflicted (duplicate id); callers may retry once.
    #[error("conflicting write: {0}")]
    Conflict(String),
    /// The database cannot be reached or failed; callers answer 503/500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Stored data could not be decoded (corruption or a newer schema).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Database(_) => "database",
            Self::Migration(_) => "migration",
            Self::Corrupt(_) => "corrupt",
        }
    }
}
