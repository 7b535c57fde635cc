//! [`ProductEvents`] on both backends (migration 0022): the events the
//! CFO digest lists as anomalies, stored once per (company, kind, key).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use tools::automations::events::{
    EventKind, EventLogError, EventSeverity, ProductEvent, ProductEvents,
};

use super::rows::now;
use super::{PostgresStore, SqliteStore};

/// SQLite keeps times as text: a fixed width (microseconds, `Z`) makes text
/// order time order, so the window is a plain range.
const SQLITE_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

/// kind, key, severity, description, source, occurred_at.
type Row<T> = (String, String, String, String, String, T);

#[async_trait]
impl ProductEvents for SqliteStore {
    async fn record_event(&self, event: &ProductEvent) -> Result<bool, EventLogError> {
        let at = now();
        let done = sqlx::query(
            "insert into product_events (company_id, kind, event_key, severity, description, \
             source, occurred_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             on conflict do nothing",
        )
        .bind(event.company_id)
        .bind(event.kind.as_str())
        .bind(&event.key)
        .bind(event.severity.as_str())
        .bind(&event.description)
        .bind(&event.source)
        .bind(event.occurred_at.format(SQLITE_TIME).to_string())
        .bind(at)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn events_between(
        &self,
        company_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ProductEvent>, EventLogError> {
        let rows: Vec<Row<String>> = sqlx::query_as(
            "select kind, event_key, severity, description, source, occurred_at \
             from product_events where company_id = ? and occurred_at >= ? and occurred_at < ? \
             order by occurred_at desc, kind, event_key limit ?",
        )
        .bind(company_id)
        .bind(from.format(SQLITE_TIME).to_string())
        .bind(to.format(SQLITE_TIME).to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        rows.into_iter()
            .map(|(kind, key, severity, description, source, at)| {
                let at = NaiveDateTime::parse_from_str(&at, SQLITE_TIME)
                    .map_err(|err| {
                        EventLogError(format!("event {key}: occurred_at {at:?}: {err}"))
                    })?
                    .and_utc();
                event_of(company_id, (kind, key, severity, description, source, at))
            })
            .collect()
    }
}

#[async_trait]
impl ProductEvents for PostgresStore {
    async fn record_event(&self, event: &ProductEvent) -> Result<bool, EventLogError> {
        let done = sqlx::query(
            "insert into product_events (company_id, kind, event_key, severity, description, \
             source, occurred_at, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, \
             $8, $8) on conflict do nothing",
        )
        .bind(event.company_id)
        .bind(event.kind.as_str())
        .bind(&event.key)
        .bind(event.severity.as_str())
        .bind(&event.description)
        .bind(&event.source)
        .bind(event.occurred_at)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn events_between(
        &self,
        company_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ProductEvent>, EventLogError> {
        let rows: Vec<Row<DateTime<Utc>>> = sqlx::query_as(
            "select kind, event_key, severity, description, source, occurred_at \
             from product_events where company_id = $1 and occurred_at >= $2 \
             and occurred_at < $3 order by occurred_at desc, kind, event_key limit $4",
        )
        .bind(company_id)
        .bind(from)
        .bind(to)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        rows.into_iter()
            .map(|row| event_of(company_id, row))
            .collect()
    }
}

fn event_of(company_id: i64, row: Row<DateTime<Utc>>) -> Result<ProductEvent, EventLogError> {
    let (kind, key, severity, description, source, occurred_at) = row;
    let kind = EventKind::parse(&kind)
        .ok_or_else(|| EventLogError(format!("event {key}: unknown kind {kind:?}")))?;
    let severity = EventSeverity::parse(&severity)
        .ok_or_else(|| EventLogError(format!("event {key}: unknown severity {severity:?}")))?;
    Ok(ProductEvent {
        company_id,
        kind,
        key,
        severity,
        description,
        source,
        occurred_at,
    })
}

fn error(err: impl std::fmt::Display) -> EventLogError {
    EventLogError(err.to_string())
}
