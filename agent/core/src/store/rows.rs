//! Helpers both backends share to turn records into rows and errors into
//! `StoreError`s.

use std::fmt::Display;

use chrono::{DateTime, SubsecRound, Utc};

use super::{Result, StoreError};
use crate::provider::MessageRole;

/// The current time at the precision both backends store (microseconds), so
/// a returned record equals the one read back later.
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(super) fn role_name(role: MessageRole) -> &'static str {
    match role {
        MessageRole::User => "user",
        MessageRole::Assistant => "assistant",
    }
}

/// Both databases store signed 64-bit integers; a count past `i64::MAX`
/// cannot be stored.
pub(super) fn to_i64(value: u64, column: &str, context: impl Display) -> Result<i64> {
    i64::try_from(value).map_err(|_| {
        StoreError::Database(sqlx::Error::Encode(
            format!("{context}: {column} {value} does not fit a signed 64-bit integer").into(),
        ))
    })
}

pub(super) fn corrupt(table: &str, row: &str, detail: String) -> StoreError {
    StoreError::Corrupt(format!("{table} row {row}: {detail}"))
}

/// A duplicate id is a conflict the caller may act on; anything else is a
/// database failure.
pub(super) fn write_error(err: sqlx::Error, context: impl Display) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("{context}: {}", db.message()))
        }
        _ => StoreError::Database(err),
    }
}

/// A column that does not decode (a malformed timestamp) is corrupt data, not
/// a database failure.
pub(super) fn read_error(err: sqlx::Error, table: &str, id: impl Display) -> StoreError {
    match err {
        sqlx::Error::ColumnDecode { .. } => StoreError::Corrupt(format!("{table} of {id}: {err}")),
        other => StoreError::Database(other),
    }
}

/// The durations of a turn's tool calls as stored, checked before any write.
pub(super) fn durations(calls: &[super::ToolCallRecord], context: &str) -> Result<Vec<i64>> {
    calls
        .iter()
        .map(|c| to_i64(c.duration_ms, "duration_ms", context))
        .collect()
}
