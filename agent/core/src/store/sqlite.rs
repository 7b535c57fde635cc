//! The SQLite [`Store`]: the embedded default (one file, nothing to run) and a
//! private in-memory database for tests and benchmarks.
//!
//! Ids are stored as hyphenated text, timestamps as RFC 3339 text (sqlx's
//! chrono encoding) and JSON as text. SQLite has one writer at a time:
//! `record_turn` opens its transaction with `BEGIN IMMEDIATE`, which takes the
//! write lock before the thread's next `seq` is read, so two turns of one
//! thread can never be given the same positions.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::types::Json;
use sqlx::{QueryBuilder, Sqlite};
use uuid::Uuid;

use super::rows::{corrupt, durations, now, read_error, role_name, to_i64, write_error};
use super::{
    CompletedTurn, NewThread, Result, Store, StoreError, StoredMessage, ThreadId, ThreadRecord,
    ToolCallRecord, TurnId, TurnRecord, TurnStatus,
};
use crate::provider::Usage;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// With WAL, readers use the other connections while one writes; more than a
/// handful would only queue on the single write lock.
const MAX_CONNECTIONS: u32 = 8;

/// How long a writer waits for the write lock before failing with
/// "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Conversation storage in SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
}

impl SqliteStore {
    /// Opens the database file, creating it and its folder if needed. Does not
    /// migrate: call [`Store::migrate`].
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(folder) = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty())
        {
            tokio::fs::create_dir_all(folder).await.map_err(|err| {
                StoreError::Database(sqlx::Error::Io(std::io::Error::new(
                    err.kind(),
                    format!("cannot create {}: {err}", folder.display()),
                )))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // Readers and the writer do not block each other.
            .journal_mode(SqliteJournalMode::Wal)
            // Safe with WAL: a power loss may lose the last commits but never
            // corrupts the file, and commits skip an fsync each.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// A private, empty in-memory database (tests, benchmarks). Does not
    /// migrate: call [`Store::migrate`].
    pub async fn in_memory() -> Result<Self> {
        // sqlx names each `sqlite::memory:` database uniquely within the
        // process (a shared-cache URI), and it lives only while a connection
        // to it is open. Shared-cache locks are per table and fail with
        // SQLITE_LOCKED, which the busy timeout does not cover, so several
        // connections could fail or deadlock each other's writes. The pool
        // therefore holds exactly one connection and never retires it;
        // concurrent callers queue for it instead of racing for locks.
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_thread(&self, new: NewThread) -> Result<ThreadRecord> {
        let now = now();
        sqlx::query(
            "insert into threads (id, channel, external_ref, created_at, updated_at) \
             values (?, ?, ?, ?, ?)",
        )
        .bind(new.id.to_string())
        .bind(&new.channel)
        .bind(&new.external_ref)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|err| write_error(err, format_args!("thread {}", new.id)))?;
        Ok(ThreadRecord {
            id: new.id,
            channel: new.channel,
            external_ref: new.external_ref,
            created_at: now,
            updated_at: now,
        })
    }

    async fn thread(&self, id: ThreadId) -> Result<Option<ThreadRecord>> {
        let row: Option<ThreadRow> = sqlx::query_as(
            "select id, channel, external_ref, created_at, updated_at from threads where id = ?",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(|err| read_error(err, "threads", id))?;
        row.map(ThreadRow::into_record).transpose()
    }

    async fn messages(&self, id: ThreadId) -> Result<Vec<StoredMessage>> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "select seq, turn_id, content, created_at from messages \
             where thread_id = ? order by seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "messages", id))?;
        rows.into_iter().map(|row| row.into_record(id)).collect()
    }

    async fn record_turn(&self, completed: CompletedTurn) -> Result<()> {
        let CompletedTurn {
            turn,
            new_thread,
            messages,
            tool_calls,
        } = completed;
        let thread_id = turn.thread_id.to_string();
        let turn_id = turn.id.to_string();
        let context = format!("turn {} of thread {}", turn.id, turn.thread_id);
        if let Some(new) = &new_thread
            && new.id != turn.thread_id
        {
            return Err(StoreError::Conflict(format!(
                "{context}: the new thread is {}",
                new.id
            )));
        }
        let now = now();
        let message_count = i64::try_from(messages.len()).unwrap_or(i64::MAX);
        let durations = durations(&tool_calls, &context)?;
        let usage = turn.usage;
        let input_tokens = to_i64(usage.input_tokens, "input_tokens", &context)?;
        let output_tokens = to_i64(usage.output_tokens, "output_tokens", &context)?;
        let cache_creation = to_i64(
            usage.cache_creation_input_tokens,
            "cache_creation_input_tokens",
            &context,
        )?;
        let cache_read = to_i64(
            usage.cache_read_input_tokens,
            "cache_read_input_tokens",
            &context,
        )?;

        // Dropping `tx` on an error rolls back. IMMEDIATE takes the write lock
        // at once, so no other writer can touch the thread until commit; the
        // counters on its row allocate the positions.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Every statement is a round trip to SQLite's worker thread, which
        // is most of a turn's storage cost: the inserts go as one batch.
        let mut batch = QueryBuilder::<Sqlite>::new("");
        let (first_message, turn_seq) = match &new_thread {
            Some(new) => {
                batch.push(
                    "insert into threads (id, channel, external_ref, next_message_seq, \
                         next_turn_seq, created_at, updated_at) values (",
                );
                let mut values = batch.separated(", ");
                values.push_bind(&thread_id);
                values.push_bind(&new.channel);
                values.push_bind(&new.external_ref);
                values.push_bind(message_count);
                values.push_bind(1_i64);
                values.push_bind(now);
                values.push_bind(now);
                batch.push("); ");
                (0, 0)
            }
            None => {
                let seqs: Option<(i64, i64)> = sqlx::query_as(
                    "update threads set updated_at = ?1, \
                         next_message_seq = next_message_seq + ?2, \
                         next_turn_seq = next_turn_seq + 1 where id = ?3 \
                     returning next_message_seq - ?2, next_turn_seq - 1",
                )
                .bind(now)
                .bind(message_count)
                .bind(&thread_id)
                .fetch_optional(&mut *tx)
                .await?;
                seqs.ok_or_else(|| StoreError::NotFound {
                    what: "thread",
                    id: turn.thread_id.to_string(),
                })?
            }
        };

        batch.push(
            "insert into turns (id, thread_id, seq, identity_id, channel, provider, model, \
                 status, stop_reason, input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error, \
                 created_at, updated_at, prompts) values (",
        );
        let mut values = batch.separated(", ");
        values.push_bind(&turn_id);
        values.push_bind(&thread_id);
        values.push_bind(turn_seq);
        values.push_bind(&turn.identity_id);
        values.push_bind(&turn.channel);
        values.push_bind(&turn.provider);
        values.push_bind(&turn.model);
        values.push_bind(turn.status.as_str());
        values.push_bind(&turn.stop_reason);
        values.push_bind(input_tokens);
        values.push_bind(output_tokens);
        values.push_bind(cache_creation);
        values.push_bind(cache_read);
        values.push_bind(i64::from(turn.iterations));
        values.push_bind(turn.started_at.trunc_subsecs(6));
        values.push_bind(turn.finished_at.trunc_subsecs(6));
        values.push_bind(&turn.error);
        values.push_bind(now);
        values.push_bind(now);
        values.push_bind(sqlx::types::Json(&turn.prompts));
        batch.push(")");

        if !messages.is_empty() {
            batch.push(
                "; insert into messages (thread_id, seq, turn_id, role, content, created_at, \
                     updated_at) ",
            );
            batch.push_values(
                (first_message..).zip(&messages),
                |mut row, (seq, message)| {
                    row.push_bind(&thread_id)
                        .push_bind(seq)
                        .push_bind(&turn_id)
                        .push_bind(role_name(message.role))
                        .push_bind(Json(message))
                        .push_bind(now)
                        .push_bind(now);
                },
            );
        }

        // Each audit record is written as given; its place in the list is its
        // ordinal, which is what `tool_calls` orders by.
        if !tool_calls.is_empty() {
            batch.push(
                "; insert into tool_calls (turn_id, ordinal, call_id, thread_id, identity_id, \
                     tool, arguments, outcome, result, duration_ms, created_at, updated_at) ",
            );
            let rows = (0_i64..).zip(tool_calls.iter().zip(durations));
            batch.push_values(rows, |mut row, (ordinal, (call, duration_ms))| {
                row.push_bind(call.turn_id.to_string())
                    .push_bind(ordinal)
                    .push_bind(&call.call_id)
                    .push_bind(call.thread_id.to_string())
                    .push_bind(&call.identity_id)
                    .push_bind(&call.tool)
                    .push_bind(Json(&call.arguments))
                    .push_bind(&call.outcome)
                    .push_bind(Json(&call.result))
                    .push_bind(duration_ms)
                    .push_bind(call.created_at.trunc_subsecs(6))
                    .push_bind(now);
            });
        }

        batch
            .build()
            .execute(&mut *tx)
            .await
            .map_err(|err| write_error(err, &context))?;
        tx.commit().await?;
        Ok(())
    }

    async fn turns(&self, id: ThreadId) -> Result<Vec<TurnRecord>> {
        let rows: Vec<TurnRow> = sqlx::query_as(
            "select id, thread_id, identity_id, channel, provider, model, status, stop_reason, \
                 input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error, prompts \
             from turns where thread_id = ? order by seq",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "turns", id))?;
        rows.into_iter().map(TurnRow::into_record).collect()
    }

    async fn tool_calls(&self, turn: TurnId) -> Result<Vec<ToolCallRecord>> {
        let rows: Vec<ToolCallRow> = sqlx::query_as(
            "select call_id, turn_id, thread_id, identity_id, tool, arguments, outcome, result, \
                 duration_ms, created_at \
             from tool_calls where turn_id = ? order by ordinal",
        )
        .bind(turn.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "tool_calls", turn))?;
        rows.into_iter().map(ToolCallRow::into_record).collect()
    }

    fn attachments(&self) -> &dyn super::AttachmentStore {
        self
    }

    fn closings(&self) -> &dyn crate::closing::ClosingStore {
        self
    }

    fn ingress(&self) -> &dyn crate::ingress::TurnQueue {
        self
    }
}

#[derive(sqlx::FromRow)]
struct ThreadRow {
    id: String,
    channel: String,
    external_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ThreadRow {
    fn into_record(self) -> Result<ThreadRecord> {
        Ok(ThreadRecord {
            id: ThreadId(parse_uuid(&self.id, "threads", &self.id)?),
            channel: self.channel,
            external_ref: self.external_ref,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    seq: i64,
    turn_id: String,
    content: String,
    created_at: DateTime<Utc>,
}

impl MessageRow {
    fn into_record(self, thread_id: ThreadId) -> Result<StoredMessage> {
        let row = format!("thread {thread_id} seq {}", self.seq);
        Ok(StoredMessage {
            thread_id,
            turn_id: TurnId(parse_uuid(&self.turn_id, "messages", &row)?),
            seq: self.seq,
            message: parse_json(&self.content, "messages", &row)?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TurnRow {
    id: String,
    thread_id: String,
    identity_id: String,
    channel: String,
    provider: String,
    model: String,
    status: String,
    stop_reason: String,
    input_tokens: i64,
    output_tokens: i64,
    cache_creation_input_tokens: i64,
    cache_read_input_tokens: i64,
    iterations: i64,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    error: Option<String>,
    prompts: String,
}

impl TurnRow {
    fn into_record(self) -> Result<TurnRecord> {
        let id = &self.id;
        let count = |value: i64, column: &str| {
            u64::try_from(value).map_err(|_| corrupt("turns", id, format!("{column} is {value}")))
        };
        Ok(TurnRecord {
            id: TurnId(parse_uuid(id, "turns", id)?),
            thread_id: ThreadId(parse_uuid(&self.thread_id, "turns", id)?),
            identity_id: self.identity_id,
            channel: self.channel,
            provider: self.provider,
            model: self.model,
            status: TurnStatus::parse(&self.status)
                .ok_or_else(|| corrupt("turns", id, format!("unknown status {:?}", self.status)))?,
            stop_reason: self.stop_reason,
            usage: Usage {
                input_tokens: count(self.input_tokens, "input_tokens")?,
                output_tokens: count(self.output_tokens, "output_tokens")?,
                cache_creation_input_tokens: count(
                    self.cache_creation_input_tokens,
                    "cache_creation_input_tokens",
                )?,
                cache_read_input_tokens: count(
                    self.cache_read_input_tokens,
                    "cache_read_input_tokens",
                )?,
            },
            iterations: u32::try_from(self.iterations)
                .map_err(|_| corrupt("turns", id, format!("iterations is {}", self.iterations)))?,
            started_at: self.started_at,
            finished_at: self.finished_at,
            error: self.error,
            prompts: parse_json(&self.prompts, "turns", id)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ToolCallRow {
    call_id: String,
    turn_id: String,
    thread_id: String,
    identity_id: String,
    tool: String,
    arguments: String,
    outcome: String,
    result: String,
    duration_ms: i64,
    created_at: DateTime<Utc>,
}

impl ToolCallRow {
    fn into_record(self) -> Result<ToolCallRecord> {
        let row = format!("turn {} call {}", self.turn_id, self.call_id);
        Ok(ToolCallRecord {
            turn_id: TurnId(parse_uuid(&self.turn_id, "tool_calls", &row)?),
            thread_id: ThreadId(parse_uuid(&self.thread_id, "tool_calls", &row)?),
            identity_id: self.identity_id,
            tool: self.tool,
            arguments: parse_json(&self.arguments, "tool_calls", &row)?,
            outcome: self.outcome,
            result: parse_json(&self.result, "tool_calls", &row)?,
            duration_ms: u64::try_from(self.duration_ms).map_err(|_| {
                corrupt(
                    "tool_calls",
                    &row,
                    format!("duration_ms is {}", self.duration_ms),
                )
            })?,
            created_at: self.created_at,
            call_id: self.call_id,
        })
    }
}

fn parse_uuid(text: &str, table: &str, row: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|err| corrupt(table, row, format!("invalid id {text:?}: {err}")))
}

fn parse_json<T: DeserializeOwned>(text: &str, table: &str, row: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|err| corrupt(table, row, format!("invalid json: {err}")))
}
