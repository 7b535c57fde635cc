//! [`ScheduleStore`] on both backends. The claim of a due run is one
//! conditional `update`, so two workers (or replicas) never run the same
//! due time twice, and a unique index keeps one successful delivery per key.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

use super::{PostgresStore, SqliteStore};
use crate::schedule::{Job, RunRecord, RunStatus, Schedule, ScheduleStore, StoreError, Target};

/// A stored status as its columns: (status, attempts, error).
fn status_columns(status: &RunStatus) -> (&'static str, i32, Option<&str>) {
    match status {
        RunStatus::Delivered { attempts } => ("delivered", clamp(*attempts), None),
        RunStatus::Failed { attempts, error } => ("failed", clamp(*attempts), Some(error)),
        RunStatus::Missed => ("missed", 0, None),
        RunStatus::Duplicate => ("duplicate", 0, None),
    }
}

fn clamp(attempts: u32) -> i32 {
    i32::try_from(attempts).unwrap_or(i32::MAX)
}

fn status_from(
    status: &str,
    attempts: i32,
    error: Option<String>,
) -> Result<RunStatus, StoreError> {
    let attempts = u32::try_from(attempts).unwrap_or(0);
    Ok(match status {
        "delivered" => RunStatus::Delivered { attempts },
        "failed" => RunStatus::Failed {
            attempts,
            error: error.unwrap_or_default(),
        },
        "missed" => RunStatus::Missed,
        "duplicate" => RunStatus::Duplicate,
        other => return Err(backend(format!("unknown run status {other:?}"))),
    })
}

fn backend(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// The columns of a schedule both backends share, decoded.
struct Columns {
    id: Uuid,
    name: String,
    job: Value,
    cron: String,
    timezone: String,
    target_channel: String,
    target_recipient: String,
    owner: String,
    owner_target: Option<Value>,
    enabled: bool,
    next_run: DateTime<Utc>,
}

impl Columns {
    fn into_schedule(self) -> Result<Schedule, StoreError> {
        let job: Job = serde_json::from_value(self.job).map_err(backend)?;
        let owner_target: Option<Target> = self
            .owner_target
            .map(serde_json::from_value)
            .transpose()
            .map_err(backend)?;
        Ok(Schedule {
            id: self.id,
            name: self.name,
            job,
            cron: self.cron,
            timezone: self.timezone.parse().map_err(backend)?,
            target: Target {
                channel: self.target_channel,
                recipient: self.target_recipient,
            },
            owner: tools::IdentityId(self.owner),
            owner_target,
            enabled: self.enabled,
            next_run: self.next_run,
        })
    }
}

fn json_of<T: serde::Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(backend)
}

// ---------------------------------------------------------------- SQLite

/// Unix microseconds: how SQLite keeps times it compares (see the migration).
fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us).ok_or_else(|| backend(format!("bad timestamp {us}")))
}

const SQLITE_COLUMNS: &str = "id, name, job, cron, timezone, target_channel, target_recipient, \
                              owner, owner_target, enabled, next_run";

fn sqlite_schedule(row: &sqlx::sqlite::SqliteRow) -> Result<Schedule, StoreError> {
    let text = |name: &str| row.try_get::<String, _>(name).map_err(backend);
    let json = |raw: String| serde_json::from_str::<Value>(&raw).map_err(backend);
    Columns {
        id: text("id")?.parse().map_err(backend)?,
        name: text("name")?,
        job: json(text("job")?)?,
        cron: text("cron")?,
        timezone: text("timezone")?,
        target_channel: text("target_channel")?,
        target_recipient: text("target_recipient")?,
        owner: text("owner")?,
        owner_target: row
            .try_get::<Option<String>, _>("owner_target")
            .map_err(backend)?
            .map(json)
            .transpose()?,
        enabled: row.try_get::<i64, _>("enabled").map_err(backend)? != 0,
        next_run: from_micros(row.try_get("next_run").map_err(backend)?)?,
    }
    .into_schedule()
}

#[async_trait]
impl ScheduleStore for SqliteStore {
    async fn save(&self, s: Schedule) -> Result<(), StoreError> {
        let owner_target = s.owner_target.as_ref().map(json_of).transpose()?;
        sqlx::query(
            "insert into schedules (id, name, job, cron, timezone, target_channel, \
             target_recipient, owner, owner_target, enabled, next_run) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             on conflict (id) do update set name = excluded.name, job = excluded.job, \
             cron = excluded.cron, timezone = excluded.timezone, \
             target_channel = excluded.target_channel, \
             target_recipient = excluded.target_recipient, owner = excluded.owner, \
             owner_target = excluded.owner_target, enabled = excluded.enabled, \
             next_run = excluded.next_run",
        )
        .bind(s.id.to_string())
        .bind(&s.name)
        .bind(json_of(&s.job)?.to_string())
        .bind(&s.cron)
        .bind(s.timezone.name())
        .bind(&s.target.channel)
        .bind(&s.target.recipient)
        .bind(&s.owner.0)
        .bind(owner_target.map(|v| v.to_string()))
        .bind(i64::from(s.enabled))
        .bind(micros(s.next_run))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        let sql = format!("select {SQLITE_COLUMNS} from schedules where id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(sqlite_schedule).transpose()
    }

    async fn list(&self) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!("select {SQLITE_COLUMNS} from schedules order by name, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(sqlite_schedule).collect()
    }

    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!(
            "select {SQLITE_COLUMNS} from schedules where enabled = 1 and next_run <= ? \
             order by next_run, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(micros(now))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(sqlite_schedule).collect()
    }

    async fn claim(
        &self,
        id: Uuid,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("update schedules set next_run = ? where id = ? and next_run = ?")
            .bind(micros(next))
            .bind(id.to_string())
            .bind(micros(due))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delivered(&self, key: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "select 1 from schedule_runs where delivery_key = ? and status = 'delivered'",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(found.is_some())
    }

    async fn record_run(&self, run: RunRecord) -> Result<(), StoreError> {
        let (status, attempts, error) = status_columns(&run.status);
        sqlx::query(
            "insert into schedule_runs (schedule_id, due, delivery_key, status, attempts, \
             error, finished_at) values (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(run.schedule_id.to_string())
        .bind(micros(run.due))
        .bind(&run.delivery_key)
        .bind(status)
        .bind(attempts)
        .bind(error)
        .bind(run.finished_at.trunc_subsecs(6))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn runs(&self, id: Uuid) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "select due, delivery_key, status, attempts, error, finished_at \
             from schedule_runs where schedule_id = ? order by id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(RunRecord {
                    schedule_id: id,
                    due: from_micros(row.try_get("due").map_err(backend)?)?,
                    delivery_key: row.try_get("delivery_key").map_err(backend)?,
                    status: status_from(
                        &row.try_get::<String, _>("status").map_err(backend)?,
                        row.try_get("attempts").map_err(backend)?,
                        row.try_get("error").map_err(backend)?,
                    )?,
                    finished_at: row.try_get("finished_at").map_err(backend)?,
                })
            })
            .collect()
    }
}

// ------------------------------------------------------------ PostgreSQL

const PG_COLUMNS: &str = "id, name, job, cron, timezone, target_channel, target_recipient, \
                          owner, owner_target, enabled, next_run";

fn pg_schedule(row: &sqlx::postgres::PgRow) -> Result<Schedule, StoreError> {
    let get = |name: &str| row.try_get::<String, _>(name).map_err(backend);
    Columns {
        id: row.try_get("id").map_err(backend)?,
        name: get("name")?,
        job: row.try_get("job").map_err(backend)?,
        cron: get("cron")?,
        timezone: get("timezone")?,
        target_channel: get("target_channel")?,
        target_recipient: get("target_recipient")?,
        owner: get("owner")?,
        owner_target: row.try_get("owner_target").map_err(backend)?,
        enabled: row.try_get("enabled").map_err(backend)?,
        next_run: row.try_get("next_run").map_err(backend)?,
    }
    .into_schedule()
}

#[async_trait]
impl ScheduleStore for PostgresStore {
    async fn save(&self, s: Schedule) -> Result<(), StoreError> {
        let owner_target = s.owner_target.as_ref().map(json_of).transpose()?;
        sqlx::query(
            "insert into schedules (id, name, job, cron, timezone, target_channel, \
             target_recipient, owner, owner_target, enabled, next_run) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             on conflict (id) do update set name = excluded.name, job = excluded.job, \
             cron = excluded.cron, timezone = excluded.timezone, \
             target_channel = excluded.target_channel, \
             target_recipient = excluded.target_recipient, owner = excluded.owner, \
             owner_target = excluded.owner_target, enabled = excluded.enabled, \
             next_run = excluded.next_run",
        )
        .bind(s.id)
        .bind(&s.name)
        .bind(json_of(&s.job)?)
        .bind(&s.cron)
        .bind(s.timezone.name())
        .bind(&s.target.channel)
        .bind(&s.target.recipient)
        .bind(&s.owner.0)
        .bind(owner_target)
        .bind(s.enabled)
        .bind(s.next_run.trunc_subsecs(6))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<Schedule>, StoreError> {
        let sql = format!("select {PG_COLUMNS} from schedules where id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.as_ref().map(pg_schedule).transpose()
    }

    async fn list(&self) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!("select {PG_COLUMNS} from schedules order by name, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(pg_schedule).collect()
    }

    async fn due(&self, now: DateTime<Utc>) -> Result<Vec<Schedule>, StoreError> {
        let sql = format!(
            "select {PG_COLUMNS} from schedules where enabled and next_run <= $1 \
             order by next_run, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter().map(pg_schedule).collect()
    }

    async fn claim(
        &self,
        id: Uuid,
        due: DateTime<Utc>,
        next: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("update schedules set next_run = $1 where id = $2 and next_run = $3")
                .bind(next.trunc_subsecs(6))
                .bind(id)
                .bind(due)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delivered(&self, key: &str) -> Result<bool, StoreError> {
        let found: Option<i32> = sqlx::query_scalar(
            "select 1 from schedule_runs where delivery_key = $1 and status = 'delivered'",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        Ok(found.is_some())
    }

    async fn record_run(&self, run: RunRecord) -> Result<(), StoreError> {
        let (status, attempts, error) = status_columns(&run.status);
        sqlx::query(
            "insert into schedule_runs (schedule_id, due, delivery_key, status, attempts, \
             error, finished_at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(run.schedule_id)
        .bind(run.due)
        .bind(&run.delivery_key)
        .bind(status)
        .bind(attempts)
        .bind(error)
        .bind(run.finished_at.trunc_subsecs(6))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn runs(&self, id: Uuid) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "select due, delivery_key, status, attempts, error, finished_at \
             from schedule_runs where schedule_id = $1 order by id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(RunRecord {
                    schedule_id: id,
                    due: row.try_get("due").map_err(backend)?,
                    delivery_key: row.try_get("delivery_key").map_err(backend)?,
                    status: status_from(
                        &row.try_get::<String, _>("status").map_err(backend)?,
                        row.try_get("attempts").map_err(backend)?,
                        row.try_get("error").map_err(backend)?,
                    )?,
                    finished_at: row.try_get("finished_at").map_err(backend)?,
                })
            })
            .collect()
    }
}
