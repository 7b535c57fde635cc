//! The PostgreSQL [`Store`], for deployments with several replicas or an
//! existing database server.
//!
//! Ids are `uuid`, timestamps `timestamptz` (microseconds), JSON `jsonb`.
//! `record_turn` locks the thread's row (`select ... for update`) before it
//! reads the thread's next `seq`, so concurrent turns of one thread, even
//! from different replicas, take turns instead of picking the same positions.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::rows::{corrupt, durations, now, read_error, role_name, to_i64, write_error};
use super::{
    CompletedTurn, NewThread, Result, Store, StoreError, StoredMessage, ThreadId, ThreadRecord,
    ToolCallRecord, TurnId, TurnRecord, TurnStatus,
};
use crate::provider::Usage;

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
            // A ping before every checkout would double the round trips of a
            // turn; a broken connection fails its query and is replaced.
            .test_before_acquire(false)
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
        let turn_id = turn.id.0;
        let now = now();
        let context = format!("turn {} of thread {}", turn.id, turn.thread_id);
        let message_count = i64::try_from(messages.len()).unwrap_or(i64::MAX);
        let durations = durations(&tool_calls, &context)?;

        // Dropping `tx` on an error rolls back.
        let mut tx = self.pool.begin().await?;
        // The update takes the thread row lock, which serialises this thread's
        // turns until commit; the counters on the row allocate the positions.
        let seqs: Option<(i64, i64)> = sqlx::query_as(
            "update threads set updated_at = $1, next_message_seq = next_message_seq + $2, \
                 next_turn_seq = next_turn_seq + 1 where id = $3 \
             returning next_message_seq - $2, next_turn_seq - 1",
        )
        .bind(now)
        .bind(message_count)
        .bind(turn.thread_id.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((first_message, turn_seq)) = seqs else {
            return Err(StoreError::NotFound {
                what: "thread",
                id: turn.thread_id.to_string(),
            });
        };

        let usage = turn.usage;
        sqlx::query(
            "insert into turns (id, thread_id, seq, identity_id, channel, provider, model, \
                 status, stop_reason, input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error, \
                 created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
        )
        .bind(turn_id)
        .bind(thread_id)
        .bind(turn_seq)
        .bind(&turn.identity_id)
        .bind(&turn.channel)
        .bind(&turn.provider)
        .bind(&turn.model)
        .bind(turn.status.as_str())
        .bind(&turn.stop_reason)
        .bind(to_i64(usage.input_tokens, "input_tokens", &context)?)
        .bind(to_i64(usage.output_tokens, "output_tokens", &context)?)
        .bind(to_i64(usage.cache_creation_input_tokens, "cache_creation_input_tokens", &context)?)
        .bind(to_i64(usage.cache_read_input_tokens, "cache_read_input_tokens", &context)?)
        .bind(i64::from(turn.iterations))
        .bind(turn.started_at.trunc_subsecs(6))
        .bind(turn.finished_at.trunc_subsecs(6))
        .bind(&turn.error)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|err| write_error(err, &context))?;

        // One statement per table, however many rows: round trips, not rows,
        // are what a turn's write costs.
        if !messages.is_empty() {
            let mut insert = QueryBuilder::<Postgres>::new(
                "insert into messages (thread_id, seq, turn_id, role, content, created_at, \
                     updated_at) ",
            );
            insert.push_values(
                (first_message..).zip(&messages),
                |mut row, (seq, message)| {
                    row.push_bind(thread_id)
                        .push_bind(seq)
                        .push_bind(turn_id)
                        .push_bind(role_name(message.role))
                        .push_bind(Json(message))
                        .push_bind(now)
                        .push_bind(now);
                },
            );
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|err| write_error(err, format_args!("messages of {context}")))?;
        }

        // Each audit record is written as given; its place in the list is its
        // ordinal, which is what `tool_calls` orders by.
        if !tool_calls.is_empty() {
            let mut insert = QueryBuilder::<Postgres>::new(
                "insert into tool_calls (turn_id, ordinal, call_id, thread_id, identity_id, \
                     tool, arguments, outcome, result, duration_ms, created_at, updated_at) ",
            );
            let rows = (0_i64..).zip(tool_calls.iter().zip(durations));
            insert.push_values(rows, |mut row, (ordinal, (call, duration_ms))| {
                row.push_bind(call.turn_id.0)
                    .push_bind(ordinal)
                    .push_bind(&call.call_id)
                    .push_bind(call.thread_id.0)
                    .push_bind(&call.identity_id)
                    .push_bind(&call.tool)
                    .push_bind(Json(&call.arguments))
                    .push_bind(&call.outcome)
                    .push_bind(Json(&call.result))
                    .push_bind(duration_ms)
                    .push_bind(call.created_at.trunc_subsecs(6))
                    .push_bind(now);
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(|err| write_error(err, format_args!("tool calls of {context}")))?;
        }

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

fn from_json<T: DeserializeOwned>(value: Value, table: &str, row: &str) -> Result<T> {
    serde_json::from_value(value)
        .map_err(|err| corrupt(table, row, format!("unexpected json: {err}")))
}
