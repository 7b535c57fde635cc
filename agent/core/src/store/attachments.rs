//! Files produced by tool calls (CSV and XLSX exports), kept in the database
//! with their SHA-256 so people can download them later, and
//! [`AttachmentStore`] on both backends.
//!
//! A file is stored when its tool call returns, before the turn is written,
//! so the model can be told its id and download URL in the same turn. Its
//! thread and turn are therefore recorded as plain columns, not foreign keys.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::rows::{corrupt, now, read_error, write_error};
use super::{PostgresStore, Result, SqliteStore, StoreError, ThreadId, TurnId};

/// Identifies a stored file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AttachmentId(pub Uuid);

impl AttachmentId {
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// Where the HTTP API serves the file, relative to the server's base URL.
    pub fn download_path(&self) -> String {
        format!("/api/attachments/{}", self.0)
    }
}

impl Default for AttachmentId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for AttachmentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for AttachmentId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// A file to store, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub id: AttachmentId,
    /// The identity the tool call ran for: the only non-admin who may
    /// download the file.
    pub owner: String,
    pub thread_id: ThreadId,
    pub turn_id: TurnId,
    /// The provider's id of the tool call that produced the file.
    pub call_id: String,
    /// Position of the file among the files of its call.
    pub ordinal: u32,
    pub file: tools::attachment::Attachment,
}

/// A stored file without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentRecord {
    pub id: AttachmentId,
    pub owner: String,
    pub thread_id: ThreadId,
    pub turn_id: TurnId,
    pub call_id: String,
    pub ordinal: u32,
    pub file_name: String,
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// A stored file with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub record: AttachmentRecord,
    pub bytes: Vec<u8>,
}

/// Where tool-call files are kept.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores the file and returns its record (size and SHA-256 computed
    /// here). Fails with `Conflict` when the id is taken.
    async fn save_attachment(&self, new: NewAttachment) -> Result<AttachmentRecord>;

    /// The file and its bytes; `None` when no file has this id. A file whose
    /// bytes no longer match their SHA-256 is `Corrupt`.
    async fn attachment(&self, id: AttachmentId) -> Result<Option<StoredAttachment>>;

    /// The files a turn produced, in the order they were produced, without
    /// their bytes.
    async fn turn_attachments(&self, turn: TurnId) -> Result<Vec<AttachmentRecord>>;
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The record of a file about to be stored, at `created_at`.
fn record_of(new: &NewAttachment, created_at: DateTime<Utc>) -> AttachmentRecord {
    AttachmentRecord {
        id: new.id,
        owner: new.owner.clone(),
        thread_id: new.thread_id,
        turn_id: new.turn_id,
        call_id: new.call_id.clone(),
        ordinal: new.ordinal,
        file_name: new.file.file_name.clone(),
        media_type: new.file.media_type.clone(),
        size: u64::try_from(new.file.bytes.len()).unwrap_or(u64::MAX),
        sha256: sha256_hex(&new.file.bytes),
        created_at,
    }
}

fn size_column(record: &AttachmentRecord) -> Result<i64> {
    i64::try_from(record.size).map_err(|_| {
        StoreError::Database(sqlx::Error::Encode(
            format!(
                "attachment {}: size {} is too large",
                record.id, record.size
            )
            .into(),
        ))
    })
}

/// Checks the bytes read back against their stored digest and size.
fn verified(record: AttachmentRecord, bytes: Vec<u8>) -> Result<StoredAttachment> {
    let row = record.id.to_string();
    if u64::try_from(bytes.len()).ok() != Some(record.size) {
        return Err(corrupt(
            "attachments",
            &row,
            format!("{} bytes stored, {} recorded", bytes.len(), record.size),
        ));
    }
    if sha256_hex(&bytes) != record.sha256 {
        return Err(corrupt(
            "attachments",
            &row,
            "the bytes do not match their sha256".to_owned(),
        ));
    }
    Ok(StoredAttachment { record, bytes })
}

/// The columns both backends share, decoded.
struct Columns {
    id: Uuid,
    owner: String,
    thread_id: Uuid,
    turn_id: Uuid,
    call_id: String,
    ordinal: i32,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    created_at: DateTime<Utc>,
}

impl Columns {
    fn into_record(self) -> Result<AttachmentRecord> {
        let row = self.id.to_string();
        Ok(AttachmentRecord {
            id: AttachmentId(self.id),
            owner: self.owner,
            thread_id: ThreadId(self.thread_id),
            turn_id: TurnId(self.turn_id),
            call_id: self.call_id,
            ordinal: u32::try_from(self.ordinal).map_err(|_| {
                corrupt("attachments", &row, format!("ordinal is {}", self.ordinal))
            })?,
            file_name: self.file_name,
            media_type: self.media_type,
            size: u64::try_from(self.size)
                .map_err(|_| corrupt("attachments", &row, format!("size is {}", self.size)))?,
            sha256: self.sha256,
            created_at: self.created_at,
        })
    }
}

const COLUMNS: &str = "id, owner, thread_id, turn_id, call_id, ordinal, file_name, media_type, \
                       size, sha256, created_at";

// ---------------------------------------------------------------- SQLite

fn sqlite_uuid(row: &sqlx::sqlite::SqliteRow, column: &str) -> Result<Uuid> {
    let text: String = row
        .try_get(column)
        .map_err(|err| read_error(err, "attachments", column))?;
    Uuid::parse_str(&text)
        .map_err(|err| corrupt("attachments", &text, format!("invalid {column}: {err}")))
}

fn sqlite_record(row: &sqlx::sqlite::SqliteRow) -> Result<AttachmentRecord> {
    let get = |column: &str| {
        row.try_get::<String, _>(column)
            .map_err(|err| read_error(err, "attachments", column))
    };
    Columns {
        id: sqlite_uuid(row, "id")?,
        owner: get("owner")?,
        thread_id: sqlite_uuid(row, "thread_id")?,
        turn_id: sqlite_uuid(row, "turn_id")?,
        call_id: get("call_id")?,
        ordinal: row
            .try_get("ordinal")
            .map_err(|err| read_error(err, "attachments", "ordinal"))?,
        file_name: get("file_name")?,
        media_type: get("media_type")?,
        size: row
            .try_get("size")
            .map_err(|err| read_error(err, "attachments", "size"))?,
        sha256: get("sha256")?,
        created_at: row
            .try_get("created_at")
            .map_err(|err| read_error(err, "attachments", "created_at"))?,
    }
    .into_record()
}

#[async_trait]
impl AttachmentStore for SqliteStore {
    async fn save_attachment(&self, new: NewAttachment) -> Result<AttachmentRecord> {
        let now = now();
        let record = record_of(&new, now);
        sqlx::query(
            "insert into attachments (id, owner, thread_id, turn_id, call_id, ordinal, \
             file_name, media_type, size, sha256, bytes, created_at, updated_at) \
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(record.id.to_string())
        .bind(&record.owner)
        .bind(record.thread_id.to_string())
        .bind(record.turn_id.to_string())
        .bind(&record.call_id)
        .bind(i64::from(record.ordinal))
        .bind(&record.file_name)
        .bind(&record.media_type)
        .bind(size_column(&record)?)
        .bind(&record.sha256)
        .bind(&new.file.bytes)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|err| write_error(err, format_args!("attachment {}", record.id)))?;
        Ok(record)
    }

    async fn attachment(&self, id: AttachmentId) -> Result<Option<StoredAttachment>> {
        let sql = format!("select {COLUMNS}, bytes from attachments where id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(|err| read_error(err, "attachments", id))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes: Vec<u8> = row
            .try_get("bytes")
            .map_err(|err| read_error(err, "attachments", id))?;
        verified(sqlite_record(&row)?, bytes).map(Some)
    }

    async fn turn_attachments(&self, turn: TurnId) -> Result<Vec<AttachmentRecord>> {
        let sql = format!("select {COLUMNS} from attachments where turn_id = ? order by rowid");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(turn.to_string())
            .fetch_all(&self.pool)
            .await
            .map_err(|err| read_error(err, "attachments", turn))?;
        rows.iter().map(sqlite_record).collect()
    }
}

// ------------------------------------------------------------ PostgreSQL

fn pg_record(row: &sqlx::postgres::PgRow) -> Result<AttachmentRecord> {
    fn get<'r, T>(row: &'r sqlx::postgres::PgRow, column: &str) -> Result<T>
    where
        T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        row.try_get(column)
            .map_err(|err| read_error(err, "attachments", column))
    }
    Columns {
        id: get(row, "id")?,
        owner: get(row, "owner")?,
        thread_id: get(row, "thread_id")?,
        turn_id: get(row, "turn_id")?,
        call_id: get(row, "call_id")?,
        ordinal: get(row, "ordinal")?,
        file_name: get(row, "file_name")?,
        media_type: get(row, "media_type")?,
        size: get(row, "size")?,
        sha256: get(row, "sha256")?,
        created_at: get(row, "created_at")?,
    }
    .into_record()
}

#[async_trait]
impl AttachmentStore for PostgresStore {
    async fn save_attachment(&self, new: NewAttachment) -> Result<AttachmentRecord> {
        let now = now();
        let record = record_of(&new, now);
        sqlx::query(
            "insert into attachments (id, owner, thread_id, turn_id, call_id, ordinal, \
             file_name, media_type, size, sha256, bytes, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(record.id.0)
        .bind(&record.owner)
        .bind(record.thread_id.0)
        .bind(record.turn_id.0)
        .bind(&record.call_id)
        .bind(i32::try_from(record.ordinal).unwrap_or(i32::MAX))
        .bind(&record.file_name)
        .bind(&record.media_type)
        .bind(size_column(&record)?)
        .bind(&record.sha256)
        .bind(&new.file.bytes)
        .bind(now.trunc_subsecs(6))
        .execute(&self.pool)
        .await
        .map_err(|err| write_error(err, format_args!("attachment {}", record.id)))?;
        Ok(record)
    }

    async fn attachment(&self, id: AttachmentId) -> Result<Option<StoredAttachment>> {
        let sql = format!("select {COLUMNS}, bytes from attachments where id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(|err| read_error(err, "attachments", id))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let bytes: Vec<u8> = row
            .try_get("bytes")
            .map_err(|err| read_error(err, "attachments", id))?;
        verified(pg_record(&row)?, bytes).map(Some)
    }

    async fn turn_attachments(&self, turn: TurnId) -> Result<Vec<AttachmentRecord>> {
        let sql = format!(
            "select {COLUMNS} from attachments where turn_id = $1 \
             order by created_at, call_id, ordinal"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(turn.0)
            .fetch_all(&self.pool)
            .await
            .map_err(|err| read_error(err, "attachments", turn))?;
        rows.iter().map(pg_record).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_lowercase_hex_of_the_bytes() {
        // FIPS 180-2 test vector.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn download_path_names_the_id() {
        let id: AttachmentId = "6f1c9a4e-0a3b-4c57-9d2e-1f0a2b3c4d5e".parse().unwrap();
        assert_eq!(
            id.download_path(),
            "/api/attachments/6f1c9a4e-0a3b-4c57-9d2e-1f0a2b3c4d5e"
        );
    }
}
