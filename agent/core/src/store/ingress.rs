//! [`TurnQueue`] on both SQL backends (migration 0020). Times are unix
//! microseconds in both, so the queries differ only in placeholders and in
//! how PostgreSQL serialises claims.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use uuid::Uuid;

use super::rows::corrupt;
use super::{PostgresStore, Result, SqliteStore};
use crate::ingress::{
    Enqueued, InboundMessage, IngressJob, JobId, JobState, NewJob, Reply, TurnQueue,
};

/// Columns every job query returns, in [`JobRow`]'s order.
const COLUMNS: &str = "seq, id, dedupe_key, message, state, attempts, reply, error";

/// Eligible = pending, available, and first in its conversation with
/// nothing of the conversation running. The `?`/`$1` placeholder is now.
const ELIGIBLE: &str = "from ingress_jobs j where j.state = 'pending' and j.available_at <= {now} \
     and not exists (select 1 from ingress_jobs r where r.conversation_key = j.conversation_key \
         and r.state = 'running') \
     and not exists (select 1 from ingress_jobs e where e.conversation_key = j.conversation_key \
         and e.state = 'pending' and e.seq < j.seq) \
     order by j.seq limit 1";

/// Any PostgreSQL advisory lock key works as long as nothing else uses it:
/// claims take it for their transaction so two workers never pick two jobs
/// of one conversation at once.
const CLAIM_LOCK: i64 = 0x6f64_6f6f_6a6f_6273;

type JobRow<Id, J> = (i64, Id, String, J, String, i64, Option<J>, Option<String>);

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn decode(row: JobRow<Uuid, Value>) -> Result<IngressJob> {
    let (seq, id, dedupe_key, message, state, attempts, reply, error) = row;
    let row = id.to_string();
    let message: InboundMessage = serde_json::from_value(message)
        .map_err(|err| corrupt("ingress_jobs", &row, format!("message: {err}")))?;
    let state = JobState::parse(&state)
        .ok_or_else(|| corrupt("ingress_jobs", &row, format!("state {state:?}")))?;
    let reply: Option<Reply> = reply
        .map(serde_json::from_value)
        .transpose()
        .map_err(|err| corrupt("ingress_jobs", &row, format!("reply: {err}")))?;
    Ok(IngressJob {
        id: JobId(id),
        seq,
        dedupe_key,
        message,
        state,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        reply,
        error,
    })
}

fn decode_sqlite(row: JobRow<String, String>) -> Result<IngressJob> {
    let (seq, id, dedupe_key, message, state, attempts, reply, error) = row;
    let uuid =
        Uuid::parse_str(&id).map_err(|err| corrupt("ingress_jobs", &id, format!("id: {err}")))?;
    let json = |text: &str, column: &str| {
        serde_json::from_str::<Value>(text)
            .map_err(|err| corrupt("ingress_jobs", &id, format!("{column}: {err}")))
    };
    let message = json(&message, "message")?;
    let reply = reply.as_deref().map(|r| json(r, "reply")).transpose()?;
    decode((
        seq, uuid, dedupe_key, message, state, attempts, reply, error,
    ))
}

fn decode_postgres(row: JobRow<Uuid, Json<Value>>) -> Result<IngressJob> {
    let (seq, id, dedupe_key, message, state, attempts, reply, error) = row;
    decode((
        seq,
        id,
        dedupe_key,
        message.0,
        state,
        attempts,
        reply.map(|r| r.0),
        error,
    ))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|err| {
        super::StoreError::Database(sqlx::Error::Encode(
            format!("cannot encode an ingress job: {err}").into(),
        ))
    })
}

#[async_trait]
impl TurnQueue for SqliteStore {
    async fn enqueue(&self, job: NewJob, seen_after: DateTime<Utc>) -> Result<Enqueued> {
        let now = micros(Utc::now());
        let message = to_json(&job.message)?.to_string();
        // The first statement writes, so the deferred transaction takes the
        // write lock at once (waiting out the busy timeout if needed).
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let taken = sqlx::query(
            "insert into ingress_seen (dedupe_key, seen_at) values (?, ?) \
             on conflict (dedupe_key) do update set seen_at = excluded.seen_at \
             where ingress_seen.seen_at < ?",
        )
        .bind(&job.dedupe_key)
        .bind(now)
        .bind(micros(seen_after))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Ok(Enqueued::Duplicate);
        }
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into ingress_jobs (id, dedupe_key, channel, conversation_key, message, \
             state, available_at, created_at, updated_at) \
             values (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(&job.dedupe_key)
        .bind(&job.message.channel)
        .bind(&job.message.conversation_key)
        .bind(message)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Enqueued::Stored(JobId(id)))
    }

    async fn claim(&self, now: DateTime<Utc>) -> Result<Option<IngressJob>> {
        let eligible = ELIGIBLE.replace("{now}", "?1");
        let sql = format!(
            "update ingress_jobs set state = 'running', attempts = attempts + 1, \
             claimed_at = ?1, updated_at = ?1 where seq = (select j.seq {eligible}) \
             returning {COLUMNS}"
        );
        let row: Option<JobRow<String, String>> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?;
        row.map(decode_sqlite).transpose()
    }

    async fn answered(&self, id: JobId, reply: &Reply) -> Result<()> {
        sqlx::query("update ingress_jobs set reply = ?, updated_at = ? where id = ?")
            .bind(to_json(reply)?.to_string())
            .bind(micros(Utc::now()))
            .bind(id.0.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn complete(&self, id: JobId) -> Result<()> {
        sqlx::query("update ingress_jobs set state = 'done', updated_at = ? where id = ?")
            .bind(micros(Utc::now()))
            .bind(id.0.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn release(&self, id: JobId, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "update ingress_jobs set state = 'pending', available_at = ?, error = ?, \
             updated_at = ? where id = ? and state = 'running'",
        )
        .bind(micros(retry_at))
        .bind(error)
        .bind(micros(Utc::now()))
        .bind(id.0.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn fail(&self, id: JobId, error: &str) -> Result<()> {
        sqlx::query(
            "update ingress_jobs set state = 'failed', error = ?, updated_at = ? where id = ?",
        )
        .bind(error)
        .bind(micros(Utc::now()))
        .bind(id.0.to_string())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn requeue_running(&self, claimed_before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query(
            "update ingress_jobs set state = 'pending', updated_at = ? \
             where state = 'running' and claimed_at < ?",
        )
        .bind(micros(Utc::now()))
        .bind(micros(claimed_before))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64> {
        let before = micros(before);
        let seen = sqlx::query("delete from ingress_seen where seen_at < ?")
            .bind(before)
            .execute(&self.pool)
            .await?;
        let jobs = sqlx::query(
            "delete from ingress_jobs where state in ('done', 'failed') and updated_at < ?",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(seen.rows_affected() + jobs.rows_affected())
    }

    async fn job(&self, id: JobId) -> Result<Option<IngressJob>> {
        let sql = format!("select {COLUMNS} from ingress_jobs where id = ?");
        let row: Option<JobRow<String, String>> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.0.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(decode_sqlite).transpose()
    }
}

#[async_trait]
impl TurnQueue for PostgresStore {
    async fn enqueue(&self, job: NewJob, seen_after: DateTime<Utc>) -> Result<Enqueued> {
        let now = micros(Utc::now());
        let message = to_json(&job.message)?;
        let mut tx = self.pool.begin().await?;
        let taken = sqlx::query(
            "insert into ingress_seen (dedupe_key, seen_at) values ($1, $2) \
             on conflict (dedupe_key) do update set seen_at = excluded.seen_at \
             where ingress_seen.seen_at < $3",
        )
        .bind(&job.dedupe_key)
        .bind(now)
        .bind(micros(seen_after))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Ok(Enqueued::Duplicate);
        }
        let id = Uuid::new_v4();
        sqlx::query(
            "insert into ingress_jobs (id, dedupe_key, channel, conversation_key, message, \
             state, available_at, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, 'pending', $6, $6, $6)",
        )
        .bind(id)
        .bind(&job.dedupe_key)
        .bind(&job.message.channel)
        .bind(&job.message.conversation_key)
        .bind(Json(message))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Enqueued::Stored(JobId(id)))
    }

    async fn claim(&self, now: DateTime<Utc>) -> Result<Option<IngressJob>> {
        let eligible = ELIGIBLE.replace("{now}", "$1");
        let sql = format!(
            "update ingress_jobs set state = 'running', attempts = attempts + 1, \
             claimed_at = $1, updated_at = $1 where seq = (select j.seq {eligible}) \
             returning {COLUMNS}"
        );
        let mut tx = self.pool.begin().await?;
        sqlx::query("select pg_advisory_xact_lock($1)")
            .bind(CLAIM_LOCK)
            .execute(&mut *tx)
            .await?;
        let row: Option<JobRow<Uuid, Json<Value>>> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(micros(now))
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.map(decode_postgres).transpose()
    }

    async fn answered(&self, id: JobId, reply: &Reply) -> Result<()> {
        sqlx::query("update ingress_jobs set reply = $1, updated_at = $2 where id = $3")
            .bind(Json(to_json(reply)?))
            .bind(micros(Utc::now()))
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn complete(&self, id: JobId) -> Result<()> {
        sqlx::query("update ingress_jobs set state = 'done', updated_at = $1 where id = $2")
            .bind(micros(Utc::now()))
            .bind(id.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn release(&self, id: JobId, error: &str, retry_at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "update ingress_jobs set state = 'pending', available_at = $1, error = $2, \
             updated_at = $3 where id = $4 and state = 'running'",
        )
        .bind(micros(retry_at))
        .bind(error)
        .bind(micros(Utc::now()))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn fail(&self, id: JobId, error: &str) -> Result<()> {
        sqlx::query(
            "update ingress_jobs set state = 'failed', error = $1, updated_at = $2 where id = $3",
        )
        .bind(error)
        .bind(micros(Utc::now()))
        .bind(id.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn requeue_running(&self, claimed_before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query(
            "update ingress_jobs set state = 'pending', updated_at = $1 \
             where state = 'running' and claimed_at < $2",
        )
        .bind(micros(Utc::now()))
        .bind(micros(claimed_before))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn purge(&self, before: DateTime<Utc>) -> Result<u64> {
        let before = micros(before);
        let seen = sqlx::query("delete from ingress_seen where seen_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        let jobs = sqlx::query(
            "delete from ingress_jobs where state in ('done', 'failed') and updated_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(seen.rows_affected() + jobs.rows_affected())
    }

    async fn job(&self, id: JobId) -> Result<Option<IngressJob>> {
        let sql = format!("select {COLUMNS} from ingress_jobs where id = $1");
        let row: Option<JobRow<Uuid, Json<Value>>> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(decode_postgres).transpose()
    }
}
