//! The PostgreSQL [`Store`], for deployments with several replicas or an
//! existing database server.
//!
//! Ids are `uuid`, timestamps `timestamptz` (microseconds), JSON `jsonb`.
//! `record_turn` locks the thread's row (`select ... for update`) before it
//! reads the thread's next `seq`, so concurrent turns of one thread, even
//! from different replicas, take turns instead of picking the same positions.

use std::fmt::Display;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use uuid::Uuid;

use super::{
    CompletedTurn, NewThread, Result, Store, StoreError, StoredMessage, ThreadId, ThreadRecord,
    ToolCallRecord, TurnId, TurnRecord, TurnStatus,
};
use crate::provider::{MessageRole, Usage};

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

/// Conversation storage in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects a pool of at most `max_connections` to `url`
    /// (`postgres://user@host:port/database`). Does not migrate: call
    /// [`Store::migrate`], or `odoo-agent migrate` before a rollout.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<()> {
        // sqlx holds an advisory lock while migrating, so replicas starting
        // together apply each migration once.
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
             values ($1, $2, $3, $4, $4)",
        )
        .bind(new.id.0)
        .bind(&new.channel)
        .bind(&new.external_ref)
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
            "select id, channel, external_ref, created_at, updated_at from threads where id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(|err| read_error(err, "threads", id))?;
        Ok(row.map(ThreadRow::into_record))
    }

    async fn messages(&self, id: ThreadId) -> Result<Vec<StoredMessage>> {
        let rows: Vec<MessageRow> = sqlx::query_as(
            "select seq, turn_id, content, created_at from messages \
             where thread_id = $1 order by seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "messages", id))?;
        rows.into_iter().map(|row| row.into_record(id)).collect()
    }

    async fn record_turn(&self, completed: CompletedTurn) -> Result<()> {
        let CompletedTurn {
            turn,
            messages,
            tool_calls,
        } = completed;
        let thread_id = turn.thread_id.0;
        let now = now();

        // Dropping `tx` on an error rolls back.
        let mut tx = self.pool.begin().await?;

        // The row lock serialises turns of this thread until commit; under
        // read committed, the `max(seq)` below then sees the previous turn.
        let thread = sqlx::query("select 1 from threads where id = $1 for update")
            .bind(thread_id)
            .fetch_optional(&mut *tx)
            .await?;
        if thread.is_none() {
            return Err(StoreError::NotFound {
                what: "thread",
                id: turn.thread_id.to_string(),
            });
        }

        let (next_message, next_turn): (i64, i64) = sqlx::query_as(
            "select (select coalesce(max(seq) + 1, 0) from messages where thread_id = $1), \
                    (select coalesce(max(seq) + 1, 0) from turns where thread_id = $1)",
        )
        .bind(thread_id)
        .fetch_one(&mut *tx)
        .await?;

        let context = format!("turn {} of thread {}", turn.id, turn.thread_id);
        let usage = turn.usage;
        sqlx::query(
            "insert into turns (id, thread_id, seq, identity_id, channel, provider, model, \
                 status, stop_reason, input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error, \
                 created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $18)",
        )
        .bind(turn.id.0)
        .bind(thread_id)
        .bind(next_turn)
        .bind(&turn.identity_id)
        .bind(&turn.channel)
        .bind(&turn.provider)
        .bind(&turn.model)
        .bind(turn.status.as_str())
        .bind(&turn.stop_reason)
        .bind(to_i64(usage.input_tokens, "input_tokens", &context)?)
        .bind(to_i64(usage.output_tokens, "output_tokens", &context)?)
        .bind(to_i64(
            usage.cache_creation_input_tokens,
            "cache_creation_input_tokens",
            &context,
        )?)
        .bind(to_i64(
            usage.cache_read_input_tokens,
            "cache_read_input_tokens",
            &context,
        )?)
        .bind(i64::from(turn.iterations))
        .bind(turn.started_at.trunc_subsecs(6))
        .bind(turn.finished_at.trunc_subsecs(6))
        .bind(&turn.error)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|err| write_error(err, &context))?;

        for (seq, message) in (next_message..).zip(&messages) {
            sqlx::query(
                "insert into messages (thread_id, seq, turn_id, role, content, created_at, \
                     updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(thread_id)
            .bind(seq)
            .bind(turn.id.0)
            .bind(role_name(message.role))
            .bind(Json(message))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|err| write_error(err, format_args!("message {seq} of {context}")))?;
        }

        // Each audit record is written as given; its place in the list is its
        // ordinal, which is what `tool_calls` orders by.
        for (ordinal, call) in (0_i64..).zip(&tool_calls) {
            sqlx::query(
                "insert into tool_calls (turn_id, ordinal, call_id, thread_id, identity_id, \
                     tool, arguments, outcome, result, duration_ms, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(call.turn_id.0)
            .bind(ordinal)
            .bind(&call.call_id)
            .bind(call.thread_id.0)
            .bind(&call.identity_id)
            .bind(&call.tool)
            .bind(Json(&call.arguments))
            .bind(&call.outcome)
            .bind(Json(&call.result))
            .bind(to_i64(call.duration_ms, "duration_ms", &context)?)
            .bind(call.created_at.trunc_subsecs(6))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|err| {
                write_error(err, format_args!("tool call {} of {context}", call.call_id))
            })?;
        }

        sqlx::query("update threads set updated_at = $1 where id = $2")
            .bind(now)
            .bind(thread_id)
            .execute(&mut *tx)
            .await?;

        tx.commit().await?;
        Ok(())
    }

    async fn turns(&self, id: ThreadId) -> Result<Vec<TurnRecord>> {
        let rows: Vec<TurnRow> = sqlx::query_as(
            "select id, thread_id, identity_id, channel, provider, model, status, stop_reason, \
                 input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error \
             from turns where thread_id = $1 order by seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "turns", id))?;
        rows.into_iter().map(TurnRow::into_record).collect()
    }

    async fn tool_calls(&self, turn: TurnId) -> Result<Vec<ToolCallRecord>> {
        let rows: Vec<ToolCallRow> = sqlx::query_as(
            "select call_id, turn_id, thread_id, identity_id, tool, arguments, outcome, result, \
                 duration_ms, created_at \
             from tool_calls where turn_id = $1 order by ordinal",
        )
        .bind(turn.0)
        .fetch_all(&self.pool)
        .await
        .map_err(|err| read_error(err, "tool_calls", turn))?;
        rows.into_iter().map(ToolCallRow::into_record).collect()
    }
}

#[derive(sqlx::FromRow)]
struct ThreadRow {
    id: Uuid,
    channel: String,
    external_ref: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ThreadRow {
    fn into_record(self) -> ThreadRecord {
        ThreadRecord {
            id: ThreadId(self.id),
            channel: self.channel,
            external_ref: self.external_ref,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    seq: i64,
    turn_id: Uuid,
    content: Value,
    created_at: DateTime<Utc>,
}

impl MessageRow {
    fn into_record(self, thread_id: ThreadId) -> Result<StoredMessage> {
        let row = format!("thread {thread_id} seq {}", self.seq);
        Ok(StoredMessage {
            thread_id,
            turn_id: TurnId(self.turn_id),
            seq: self.seq,
            message: from_json(self.content, "messages", &row)?,
            created_at: self.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TurnRow {
    id: Uuid,
    thread_id: Uuid,
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
}

impl TurnRow {
    fn into_record(self) -> Result<TurnRecord> {
        let id = self.id.to_string();
        let count = |value: i64, column: &str| {
            u64::try_from(value).map_err(|_| corrupt("turns", &id, format!("{column} is {value}")))
        };
        Ok(TurnRecord {
            id: TurnId(self.id),
            thread_id: ThreadId(self.thread_id),
            identity_id: self.identity_id,
            channel: self.channel,
            provider: self.provider,
            model: self.model,
            status: TurnStatus::parse(&self.status).ok_or_else(|| {
                corrupt("turns", &id, format!("unknown status {:?}", self.status))
            })?,
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
                .map_err(|_| corrupt("turns", &id, format!("iterations is {}", self.iterations)))?,
            started_at: self.started_at,
            finished_at: self.finished_at,
            error: self.error,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ToolCallRow {
    call_id: String,
    turn_id: Uuid,
    thread_id: Uuid,
    identity_id: String,
    tool: String,
    arguments: Value,
    outcome: String,
    result: Value,
    duration_ms: i64,
    created_at: DateTime<Utc>,
}

impl ToolCallRow {
    fn into_record(self) -> Result<ToolCallRecord> {
        let duration_ms = u64::try_from(self.duration_ms).map_err(|_| {
            corrupt(
                "tool_calls",
                &format!("turn {} call {}", self.turn_id, self.call_id),
                format!("duration_ms is {}", self.duration_ms),
            )
        })?;
        Ok(ToolCallRecord {
            call_id: self.call_id,
            turn_id: TurnId(self.turn_id),
            thread_id: ThreadId(self.thread_id),
            identity_id: self.identity_id,
            tool: self.tool,
            arguments: self.arguments,
            outcome: self.outcome,
            result: self.result,
            duration_ms,
            created_at: self.created_at,
        })
    }
}

/// The current time at the precision `timestamptz` stores (microseconds), so
/// a returned record equals the one read back later.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn role_name(role: MessageRole) -> &'static str {
    match role {
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    }
}

/// Postgres has no unsigned integers; a count past `i64::MAX` cannot be stored.
fn to_i64(value: u64, column: &str, context: impl Display) -> Result<i64> {
    i64::try_from(value).map_err(|_| {
        StoreError::Database(sqlx::Error::Encode(
            format!("{context}: {column} {value} does not fit a bigint").into(),
        ))
    })
}

fn from_json<T: DeserializeOwned>(value: Value, table: &str, row: &str) -> Result<T> {
    serde_json::from_value(value)
        .map_err(|err| corrupt(table, row, format!("unexpected json: {err}")))
}

fn corrupt(table: &str, row: &str, detail: String) -> StoreError {
    StoreError::Corrupt(format!("{table} row {row}: {detail}"))
}

/// A duplicate id is a conflict the caller may act on; anything else is a
/// database failure.
fn write_error(err: sqlx::Error, context: impl Display) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("{context}: {}", db.message()))
        }
        _ => StoreError::Database(err),
    }
}

/// A column that does not decode is corrupt data, not a database failure.
fn read_error(err: sqlx::Error, table: &str, id: impl Display) -> StoreError {
    match err {
        sqlx::Error::ColumnDecode { .. } => StoreError::Corrupt(format!("{table} of {id}: {err}")),
        other => StoreError::Database(other),
    }
}
