//! [`DigestHistory`] on both backends: the figures each daily digest
//! reported, so the next one shows the change since (spec 7.3). Values are
//! kept as exact decimal text in a JSON object keyed by metric. Also the
//! proposals awaiting approval the CFO digest reports, with the records
//! they would change.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use tools::automations::daily_digest::{
    DigestHistory, DigestRole, HistoryError, MAX_PENDING_TARGETS, Pending, PendingApprovals,
    StoredDigest,
};

use super::rows::now;
use super::{PostgresStore, SqliteStore};

#[async_trait]
impl DigestHistory for SqliteStore {
    async fn previous(
        &self,
        company_id: i64,
        role: DigestRole,
        date: NaiveDate,
    ) -> Result<Option<StoredDigest>, HistoryError> {
        let row: Option<(NaiveDate, String)> = sqlx::query_as(
            "select digest_date, metric_values from digest_history \
             where company_id = ? and role = ? and digest_date < ? \
             order by digest_date desc limit 1",
        )
        .bind(company_id)
        .bind(role.as_str())
        .bind(date)
        .fetch_optional(&self.pool)
        .await
        .map_err(history_error)?;
        row.map(|(date, text)| {
            let values = serde_json::from_str(&text).map_err(history_error)?;
            decode(date, values)
        })
        .transpose()
    }

    async fn record(
        &self,
        company_id: i64,
        role: DigestRole,
        digest: StoredDigest,
    ) -> Result<(), HistoryError> {
        let at = now();
        sqlx::query(
            "insert into digest_history (company_id, role, digest_date, metric_values, \
             created_at, updated_at) values (?, ?, ?, ?, ?, ?) \
             on conflict (company_id, role, digest_date) do update set \
             metric_values = excluded.metric_values, updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(role.as_str())
        .bind(digest.date)
        .bind(encode(&digest.values).to_string())
        .bind(at)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(history_error)?;
        Ok(())
    }
}

#[async_trait]
impl DigestHistory for PostgresStore {
    async fn previous(
        &self,
        company_id: i64,
        role: DigestRole,
        date: NaiveDate,
    ) -> Result<Option<StoredDigest>, HistoryError> {
        let row: Option<(NaiveDate, Value)> = sqlx::query_as(
            "select digest_date, metric_values from digest_history \
             where company_id = $1 and role = $2 and digest_date < $3 \
             order by digest_date desc limit 1",
        )
        .bind(company_id)
        .bind(role.as_str())
        .bind(date)
        .fetch_optional(&self.pool)
        .await
        .map_err(history_error)?;
        row.map(|(date, values)| decode(date, values)).transpose()
    }

    async fn record(
        &self,
        company_id: i64,
        role: DigestRole,
        digest: StoredDigest,
    ) -> Result<(), HistoryError> {
        let at = now();
        sqlx::query(
            "insert into digest_history (company_id, role, digest_date, metric_values, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $5) \
             on conflict (company_id, role, digest_date) do update set \
             metric_values = excluded.metric_values, updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(role.as_str())
        .bind(digest.date)
        .bind(encode(&digest.values))
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(history_error)?;
        Ok(())
    }
}

#[async_trait]
impl PendingApprovals for SqliteStore {
    async fn pending_approvals(
        &self,
        company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Pending, HistoryError> {
        // expires_at is unix microseconds here (migration 0006); proposals
        // stored before migration 0022 have no company and count for all.
        let (count, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
            "select count(*), min(created_at) from proposals \
             where status = 'pending' and expires_at > ? \
             and (company_id = ? or company_id is null)",
        )
        .bind(now.timestamp_micros())
        .bind(company_id)
        .fetch_one(&self.pool)
        .await
        .map_err(history_error)?;
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select target_model, target_ids from proposals \
             where status = 'pending' and expires_at > ? \
             and (company_id = ? or company_id is null) \
             order by created_at, id limit ?",
        )
        .bind(now.timestamp_micros())
        .bind(company_id)
        .bind(MAX_PENDING_TARGETS as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(history_error)?;
        let rows = rows
            .into_iter()
            .map(|(model, ids)| Ok((model, serde_json::from_str(&ids).map_err(history_error)?)))
            .collect::<Result<Vec<(String, Value)>, HistoryError>>()?;
        Ok(Pending {
            count: count.max(0) as u64,
            oldest_created_at: oldest,
            targets: targets(rows),
        })
    }
}

#[async_trait]
impl PendingApprovals for PostgresStore {
    async fn pending_approvals(
        &self,
        company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Pending, HistoryError> {
        let (count, oldest): (i64, Option<DateTime<Utc>>) = sqlx::query_as(
            "select count(*), min(created_at) from proposals \
             where status = 'pending' and expires_at > $1 \
             and (company_id = $2 or company_id is null)",
        )
        .bind(now)
        .bind(company_id)
        .fetch_one(&self.pool)
        .await
        .map_err(history_error)?;
        let rows: Vec<(String, Value)> = sqlx::query_as(
            "select target_model, target_ids from proposals \
             where status = 'pending' and expires_at > $1 \
             and (company_id = $2 or company_id is null) \
             order by created_at, id limit $3",
        )
        .bind(now)
        .bind(company_id)
        .bind(MAX_PENDING_TARGETS as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(history_error)?;
        Ok(Pending {
            count: count.max(0) as u64,
            oldest_created_at: oldest,
            targets: targets(rows),
        })
    }
}

/// The records of the oldest waiting proposals, in order, at most
/// [`MAX_PENDING_TARGETS`]; `target_ids` is a JSON array of ids.
fn targets(rows: Vec<(String, Value)>) -> Vec<(String, i64)> {
    rows.into_iter()
        .flat_map(|(model, ids)| {
            let ids: Vec<i64> = ids
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            ids.into_iter().map(move |id| (model.clone(), id))
        })
        .take(MAX_PENDING_TARGETS)
        .collect()
}

fn encode(values: &BTreeMap<String, Decimal>) -> Value {
    Value::Object(
        values
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.to_string())))
            .collect::<Map<String, Value>>(),
    )
}

fn decode(date: NaiveDate, values: Value) -> Result<StoredDigest, HistoryError> {
    let Value::Object(map) = values else {
        return Err(HistoryError(format!(
            "digest_history row of {date}: metric_values is not an object"
        )));
    };
    let values = map
        .into_iter()
        .map(|(key, value)| {
            let number = value
                .as_str()
                .and_then(|text| text.parse::<Decimal>().ok())
                .ok_or_else(|| {
                    HistoryError(format!(
                        "digest_history row of {date}: {key} is not a decimal"
                    ))
                })?;
            Ok((key, number))
        })
        .collect::<Result<BTreeMap<_, _>, HistoryError>>()?;
    Ok(StoredDigest { date, values })
}

fn history_error(err: impl std::fmt::Display) -> HistoryError {
    HistoryError(err.to_string())
}
