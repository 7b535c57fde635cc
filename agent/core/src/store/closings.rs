//! [`ClosingStore`] on both backends: the whole closing as JSON, with its
//! status and version in columns; a save is one conditional statement on
//! the version, so two replicas never overwrite each other's change.

use async_trait::async_trait;
use serde_json::Value;
use sqlx::Row;

use super::rows::{corrupt, now, read_error, to_i64, write_error};
use super::{PostgresStore, SqliteStore, StoreError};
use crate::closing::{Closing, ClosingStore};

fn body_of(closing: &Closing, version: u64) -> Result<Value, StoreError> {
    let mut stored = closing.clone();
    stored.version = version;
    serde_json::to_value(&stored).map_err(|err| {
        StoreError::Database(sqlx::Error::Encode(
            format!("closing {} {}: {err}", closing.company_id, closing.period).into(),
        ))
    })
}

fn closing_of(body: Value, version: i64, row: &str) -> Result<Closing, StoreError> {
    let mut closing: Closing = serde_json::from_value(body)
        .map_err(|err| corrupt("closings", row, format!("invalid body: {err}")))?;
    closing.version = u64::try_from(version)
        .map_err(|_| corrupt("closings", row, format!("version is {version}")))?;
    Ok(closing)
}

fn next_version(closing: &Closing, expected: Option<u64>) -> Result<(u64, i64), StoreError> {
    let next = expected.map_or(1, |v| v.saturating_add(1));
    let context = format!("closing {} {}", closing.company_id, closing.period);
    Ok((next, to_i64(next, "version", context)?))
}

#[async_trait]
impl ClosingStore for SqliteStore {
    async fn closing(&self, company_id: i64, period: &str) -> Result<Option<Closing>, StoreError> {
        let row_name = format!("{company_id} {period}");
        let row =
            sqlx::query("select version, body from closings where company_id = ? and period = ?")
                .bind(company_id)
                .bind(period)
                .fetch_optional(&self.pool)
                .await
                .map_err(|err| read_error(err, "closings", &row_name))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let body: String = row
            .try_get("body")
            .map_err(|err| read_error(err, "closings", &row_name))?;
        let body: Value = serde_json::from_str(&body)
            .map_err(|err| corrupt("closings", &row_name, format!("invalid json: {err}")))?;
        let version: i64 = row
            .try_get("version")
            .map_err(|err| read_error(err, "closings", &row_name))?;
        closing_of(body, version, &row_name).map(Some)
    }

    async fn save_closing(
        &self,
        closing: &Closing,
        expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        let (next, next_column) = next_version(closing, expected)?;
        let body = body_of(closing, next)?.to_string();
        let context = format!("closing {} {}", closing.company_id, closing.period);
        let now = now();
        let done =
            match expected {
                None => sqlx::query(
                    "insert into closings (company_id, period, status, version, body, created_at, \
                 updated_at) values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
                )
                .bind(closing.company_id)
                .bind(&closing.period)
                .bind(closing.status.as_str())
                .bind(next_column)
                .bind(body)
                .bind(now)
                .bind(now)
                .execute(&self.pool)
                .await,
                Some(version) => {
                    sqlx::query(
                        "update closings set status = ?, version = ?, body = ?, updated_at = ? \
                 where company_id = ? and period = ? and version = ?",
                    )
                    .bind(closing.status.as_str())
                    .bind(next_column)
                    .bind(body)
                    .bind(now)
                    .bind(closing.company_id)
                    .bind(&closing.period)
                    .bind(to_i64(version, "version", &context)?)
                    .execute(&self.pool)
                    .await
                }
            }
            .map_err(|err| write_error(err, &context))?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl ClosingStore for PostgresStore {
    async fn closing(&self, company_id: i64, period: &str) -> Result<Option<Closing>, StoreError> {
        let row_name = format!("{company_id} {period}");
        let row =
            sqlx::query("select version, body from closings where company_id = $1 and period = $2")
                .bind(company_id)
                .bind(period)
                .fetch_optional(&self.pool)
                .await
                .map_err(|err| read_error(err, "closings", &row_name))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let body: Value = row
            .try_get("body")
            .map_err(|err| read_error(err, "closings", &row_name))?;
        let version: i64 = row
            .try_get("version")
            .map_err(|err| read_error(err, "closings", &row_name))?;
        closing_of(body, version, &row_name).map(Some)
    }

    async fn save_closing(
        &self,
        closing: &Closing,
        expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        let (next, next_column) = next_version(closing, expected)?;
        let body = body_of(closing, next)?;
        let context = format!("closing {} {}", closing.company_id, closing.period);
        let now = now();
        let done =
            match expected {
                None => sqlx::query(
                    "insert into closings (company_id, period, status, version, body, created_at, \
                 updated_at) values ($1, $2, $3, $4, $5, $6, $6) on conflict do nothing",
                )
                .bind(closing.company_id)
                .bind(&closing.period)
                .bind(closing.status.as_str())
                .bind(next_column)
                .bind(body)
                .bind(now)
                .execute(&self.pool)
                .await,
                Some(version) => {
                    sqlx::query(
                        "update closings set status = $1, version = $2, body = $3, updated_at = $4 \
                 where company_id = $5 and period = $6 and version = $7",
                    )
                    .bind(closing.status.as_str())
                    .bind(next_column)
                    .bind(body)
                    .bind(now)
                    .bind(closing.company_id)
                    .bind(&closing.period)
                    .bind(to_i64(version, "version", &context)?)
                    .execute(&self.pool)
                    .await
                }
            }
            .map_err(|err| write_error(err, &context))?;
        Ok(done.rows_affected() == 1)
    }
}
