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
    pub(super) pool: PgPool,
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
            new_thread,
            messages,
            tool_calls,
        } = completed;
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
        let usage = turn.usage;
        let calls = ToolCallColumns::new(&tool_calls, &context)?;
        let sql = if new_thread.is_some() {
            RECORD_TURN_IN_NEW_THREAD
        } else {
            RECORD_TURN
        };

        // One statement, one round trip, its own transaction: the thread row
        // lock (or its insertion) serialises turns of the thread, and every
        // insert reads its positions from that row.
        let mut query = sqlx::query_scalar::<_, i64>(sql)
            .bind(now)
            .bind(message_count)
            .bind(turn.thread_id.0)
            .bind(turn.id.0)
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
            .bind(
                messages
                    .iter()
                    .map(|m| role_name(m.role))
                    .collect::<Vec<_>>(),
            )
            .bind(messages.iter().map(Json).collect::<Vec<_>>())
            .bind(calls.call_ids)
            .bind(calls.identity_ids)
            .bind(calls.tools)
            .bind(calls.arguments)
            .bind(calls.outcomes)
            .bind(calls.results)
            .bind(calls.durations)
            .bind(calls.created_at)
            .bind(Json(&turn.prompts));
        if let Some(new) = new_thread {
            query = query.bind(new.channel).bind(new.external_ref);
        }
        let recorded = query
            .fetch_one(&self.pool)
            .await
            .map_err(|err| write_error(err, &context))?;
        if recorded == 0 {
            return Err(StoreError::NotFound {
                what: "thread",
                id: turn.thread_id.to_string(),
            });
        }
        Ok(())
    }

    async fn turns(&self, id: ThreadId) -> Result<Vec<TurnRecord>> {
        let rows: Vec<TurnRow> = sqlx::query_as(
            "select id, thread_id, identity_id, channel, provider, model, status, stop_reason, \
                 input_tokens, output_tokens, cache_creation_input_tokens, \
                 cache_read_input_tokens, iterations, started_at, finished_at, error, prompts \
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
    prompts: Value,
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
            prompts: from_json(self.prompts, "turns", &id)?,
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

/// The inserts shared by both record statements, reading the positions
/// from the `thread` CTE. `$1` now, `$3` thread, `$4` turn, `$5..$18` the
/// turn's columns, `$19..$20` the messages' roles and contents, `$21..$28`
/// the tool calls' columns (arrays, one element per call, in call order),
/// `$29` the turn's prompts. Foreign keys are checked at the end of the statement, when every row is in.
macro_rules! record_turn_inserts {
    () => {
        "new_turn as ( \
            insert into turns (id, thread_id, seq, identity_id, channel, provider, model, \
                status, stop_reason, input_tokens, output_tokens, cache_creation_input_tokens, \
                cache_read_input_tokens, iterations, started_at, finished_at, error, \
                created_at, updated_at, prompts) \
            select $4, $3, turn_seq, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                $17, $18, $1, $1, $29 \
            from thread \
            returning id \
        ), \
        new_messages as ( \
            insert into messages (thread_id, seq, turn_id, role, content, created_at, \
                updated_at) \
            select $3, thread.first_message + m.position - 1, new_turn.id, m.role, m.content, \
                $1, $1 \
            from thread, new_turn, \
                unnest($19::text[], $20::jsonb[]) with ordinality as m(role, content, position) \
        ), \
        new_calls as ( \
            insert into tool_calls (turn_id, ordinal, call_id, thread_id, identity_id, tool, \
                arguments, outcome, result, duration_ms, created_at, updated_at) \
            select new_turn.id, c.position - 1, c.call_id, $3, c.identity_id, c.tool, \
                c.arguments, c.outcome, c.result, c.duration_ms, c.created_at, $1 \
            from new_turn, \
                unnest($21::text[], $22::text[], $23::text[], $24::jsonb[], $25::text[], \
                    $26::jsonb[], $27::int8[], $28::timestamptz[]) \
                with ordinality as c(call_id, identity_id, tool, arguments, outcome, result, \
                    duration_ms, created_at, position) \
        ) \
        select count(*) from thread"
    };
}

/// Records a turn of an existing thread (`$2` is the number of messages).
/// Returns how many thread rows were found: 0 means the thread does not
/// exist and nothing was written.
const RECORD_TURN: &str = concat!(
    "with thread as ( \
        update threads set updated_at = $1, next_message_seq = next_message_seq + $2, \
            next_turn_seq = next_turn_seq + 1 \
        where id = $3 \
        returning next_message_seq - $2 as first_message, next_turn_seq - 1 as turn_seq \
    ), ",
    record_turn_inserts!(),
);

/// Records the first turn of a new thread, inserting the thread (`$30`
/// channel, `$31` external reference); a taken id is a unique violation.
const RECORD_TURN_IN_NEW_THREAD: &str = concat!(
    "with thread as ( \
        insert into threads (id, channel, external_ref, next_message_seq, next_turn_seq, \
            created_at, updated_at) \
        values ($3, $30, $31, $2, 1, $1, $1) \
        returning 0::bigint as first_message, 0::bigint as turn_seq \
    ), ",
    record_turn_inserts!(),
);

/// A turn's tool calls as one array per column, for `unnest`.
struct ToolCallColumns<'a> {
    call_ids: Vec<&'a str>,
    identity_ids: Vec<&'a str>,
    tools: Vec<&'a str>,
    arguments: Vec<Json<&'a Value>>,
    outcomes: Vec<&'a str>,
    results: Vec<Json<&'a Value>>,
    durations: Vec<i64>,
    created_at: Vec<DateTime<Utc>>,
}

impl<'a> ToolCallColumns<'a> {
    fn new(calls: &'a [ToolCallRecord], context: &str) -> Result<Self> {
        Ok(Self {
            call_ids: calls.iter().map(|c| c.call_id.as_str()).collect(),
            identity_ids: calls.iter().map(|c| c.identity_id.as_str()).collect(),
            tools: calls.iter().map(|c| c.tool.as_str()).collect(),
            arguments: calls.iter().map(|c| Json(&c.arguments)).collect(),
            outcomes: calls.iter().map(|c| c.outcome.as_str()).collect(),
            results: calls.iter().map(|c| Json(&c.result)).collect(),
            durations: durations(calls, context)?,
            created_at: calls
                .iter()
                .map(|c| c.created_at.trunc_subsecs(6))
                .collect(),
        })
    }
}
