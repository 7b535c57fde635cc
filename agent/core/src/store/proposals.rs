//! [`ProposalStore`] and [`DismissedDuplicates`] on both backends. Every
//! change of status is one conditional `update ... where status = ..`, so
//! two approvals racing (in one process or across replicas) move a
//! proposal on once: the loser sees zero rows affected.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Value, json};
use sqlx::Row;
use tools::proposals::{DismissedDuplicates, DuplicateKind, Proposal, ProposalAction, pairs_of};
use tools::{IdentityId, Role, ToolError};
use uuid::Uuid;

use super::rows::{corrupt, now, write_error};
use super::{PostgresStore, Result, SqliteStore, StoreError, ThreadId, TurnId};
use crate::proposals::{
    AuditEntry, AuditEvent, Decision, NewProposal, ProposalStatus, ProposalStore, StoredProposal,
    created_entry,
};

/// The columns of a proposal both backends share, decoded.
struct Columns {
    id: Uuid,
    thread_id: Option<Uuid>,
    turn_id: Option<Uuid>,
    created_by: String,
    action: String,
    params: Value,
    preview: String,
    preconditions: Value,
    required_role: String,
    expires_at: DateTime<Utc>,
    status: String,
    outcome: Option<Value>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Columns {
    fn into_stored(self) -> Result<StoredProposal> {
        let row = self.id.to_string();
        let bad = |detail: String| corrupt("proposals", &row, detail);
        let action: ProposalAction =
            serde_json::from_value(json!({"action": self.action, "params": self.params}))
                .map_err(|err| bad(format!("action: {err}")))?;
        let preconditions = serde_json::from_value(self.preconditions)
            .map_err(|err| bad(format!("preconditions: {err}")))?;
        let required_role: Role = serde_json::from_value(Value::String(self.required_role))
            .map_err(|err| bad(format!("required_role: {err}")))?;
        let status = ProposalStatus::parse(&self.status)
            .ok_or_else(|| bad(format!("unknown status {:?}", self.status)))?;
        Ok(StoredProposal {
            proposal: Proposal {
                proposal_id: self.id,
                target: action.target(),
                action,
                preview: self.preview,
                preconditions,
                expires_at: self.expires_at,
                required_role,
            },
            thread_id: self.thread_id.map(ThreadId),
            turn_id: self.turn_id.map(TurnId),
            created_by: IdentityId(self.created_by),
            status,
            outcome: self.outcome,
            decided_by: self.decided_by.map(IdentityId),
            decided_at: self.decided_at,
            reason: self.reason,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The values a new proposal is stored with.
struct Insert {
    action: &'static str,
    params: Value,
    target_ids: Value,
    preconditions: Value,
    required_role: String,
}

fn insert_values(proposal: &Proposal) -> Result<Insert> {
    let encode = |err: serde_json::Error| {
        StoreError::Corrupt(format!(
            "proposal {} cannot be encoded: {err}",
            proposal.proposal_id
        ))
    };
    let tagged = serde_json::to_value(&proposal.action).map_err(encode)?;
    let role = serde_json::to_value(proposal.required_role).map_err(encode)?;
    Ok(Insert {
        action: proposal.action.name(),
        params: tagged.get("params").cloned().unwrap_or(Value::Null),
        target_ids: json!(proposal.target.ids),
        preconditions: serde_json::to_value(&proposal.preconditions).map_err(encode)?,
        required_role: role.as_str().unwrap_or_default().to_owned(),
    })
}

/// The decision's columns: (decided_by, reason).
fn decision_columns(decision: &Decision) -> (Option<&str>, Option<&str>) {
    match decision {
        Decision::Approve { by } => (Some(by.0.as_str()), None),
        Decision::Reject { by, reason } => (Some(by.0.as_str()), Some(reason.as_str())),
        Decision::Expire => (None, None),
    }
}

fn audit_entry(
    proposal_id: Uuid,
    event: &str,
    identity_id: String,
    detail: Value,
    at: DateTime<Utc>,
) -> Result<AuditEntry> {
    let event = AuditEvent::parse(event).ok_or_else(|| {
        corrupt(
            "proposal_audit",
            &proposal_id.to_string(),
            format!("unknown event {event:?}"),
        )
    })?;
    Ok(AuditEntry {
        proposal_id,
        event,
        identity_id: IdentityId(identity_id),
        detail,
        at,
    })
}

fn tool_error(err: StoreError) -> ToolError {
    ToolError::Internal(format!("dismissed duplicates: {err}"))
}

fn kind_name(kind: DuplicateKind) -> &'static str {
    match kind {
        DuplicateKind::Partners => "partners",
        DuplicateKind::Leads => "leads",
        DuplicateKind::Products => "products",
    }
}

fn not_found(id: Uuid) -> StoreError {
    StoreError::NotFound {
        what: "proposal",
        id: id.to_string(),
    }
}

// ---------------------------------------------------------------- SQLite

const SQLITE_COLUMNS: &str = "id, thread_id, turn_id, created_by, action, params, preview, \
     preconditions, required_role, expires_at, status, outcome, decided_by, decided_at, reason, \
     created_at, updated_at";

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn sqlite_proposal(row: &sqlx::sqlite::SqliteRow) -> Result<StoredProposal> {
    let db = StoreError::Database;
    let uuid = |text: String| {
        Uuid::parse_str(&text).map_err(|err| corrupt("proposals", &text, err.to_string()))
    };
    let json = |text: String| {
        serde_json::from_str::<Value>(&text)
            .map_err(|err| corrupt("proposals", "?", format!("json: {err}")))
    };
    let expires: i64 = row.try_get("expires_at").map_err(db)?;
    Columns {
        id: uuid(row.try_get("id").map_err(db)?)?,
        thread_id: row
            .try_get::<Option<String>, _>("thread_id")
            .map_err(db)?
            .map(uuid)
            .transpose()?,
        turn_id: row
            .try_get::<Option<String>, _>("turn_id")
            .map_err(db)?
            .map(uuid)
            .transpose()?,
        created_by: row.try_get("created_by").map_err(db)?,
        action: row.try_get("action").map_err(db)?,
        params: json(row.try_get("params").map_err(db)?)?,
        preview: row.try_get("preview").map_err(db)?,
        preconditions: json(row.try_get("preconditions").map_err(db)?)?,
        required_role: row.try_get("required_role").map_err(db)?,
        expires_at: DateTime::from_timestamp_micros(expires)
            .ok_or_else(|| corrupt("proposals", "?", format!("bad expires_at {expires}")))?,
        status: row.try_get("status").map_err(db)?,
        outcome: row
            .try_get::<Option<String>, _>("outcome")
            .map_err(db)?
            .map(json)
            .transpose()?,
        decided_by: row.try_get("decided_by").map_err(db)?,
        decided_at: row.try_get("decided_at").map_err(db)?,
        reason: row.try_get("reason").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    }
    .into_stored()
}

#[async_trait]
impl ProposalStore for SqliteStore {
    async fn insert_proposals(&self, new: Vec<NewProposal>) -> Result<()> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        for item in &new {
            let p = &item.proposal;
            let values = insert_values(p)?;
            sqlx::query(
                "insert into proposals (id, thread_id, turn_id, created_by, action, params, \
                 target_model, target_ids, preview, preconditions, required_role, expires_at, \
                 status, created_at, updated_at, company_id) \
                 values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
            )
            .bind(p.proposal_id.to_string())
            .bind(item.thread_id.map(|t| t.0.to_string()))
            .bind(item.turn_id.map(|t| t.0.to_string()))
            .bind(&item.created_by.0)
            .bind(values.action)
            .bind(values.params.to_string())
            .bind(&p.target.model)
            .bind(values.target_ids.to_string())
            .bind(&p.preview)
            .bind(values.preconditions.to_string())
            .bind(values.required_role)
            .bind(micros(p.expires_at))
            .bind(at)
            .bind(at)
            .bind(item.company_id)
            .execute(&mut *tx)
            .await
            .map_err(|err| write_error(err, format_args!("proposal {}", p.proposal_id)))?;
            insert_audit_sqlite(&mut tx, &created_entry(item, at)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn proposal(&self, id: Uuid) -> Result<Option<StoredProposal>> {
        let sql = format!("select {SQLITE_COLUMNS} from proposals where id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(sqlite_proposal).transpose()
    }

    async fn proposals_of_turn(&self, turn: TurnId) -> Result<Vec<StoredProposal>> {
        let sql =
            format!("select {SQLITE_COLUMNS} from proposals where turn_id = ? order by rowid");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(turn.0.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(sqlite_proposal).collect()
    }

    async fn decide(&self, id: Uuid, decision: Decision, at: DateTime<Utc>) -> Result<bool> {
        let (by, reason) = decision_columns(&decision);
        let expiry = match decision {
            Decision::Approve { .. } | Decision::Reject { .. } => "expires_at > ?",
            Decision::Expire => "expires_at <= ?",
        };
        let stamp = now();
        let sql = format!(
            "update proposals set status = ?, decided_by = coalesce(?, decided_by), \
             decided_at = case when ? is null then decided_at else ? end, \
             reason = coalesce(?, reason), updated_at = ? \
             where id = ? and status = 'pending' and {expiry}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(decision.status().as_str())
            .bind(by)
            .bind(by)
            .bind(stamp)
            .bind(reason)
            .bind(stamp)
            .bind(id.to_string())
            .bind(micros(at))
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        self.proposal(id).await?.ok_or_else(|| not_found(id))?;
        Ok(false)
    }

    async fn advance(
        &self,
        id: Uuid,
        from: ProposalStatus,
        to: ProposalStatus,
        outcome: Option<Value>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "update proposals set status = ?, outcome = coalesce(?, outcome), updated_at = ? \
             where id = ? and status = ?",
        )
        .bind(to.as_str())
        .bind(outcome.map(|v| v.to_string()))
        .bind(now())
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        self.proposal(id).await?.ok_or_else(|| not_found(id))?;
        Ok(false)
    }

    async fn audit(&self, entry: AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit_sqlite(&mut conn, &entry).await
    }

    async fn audit_trail(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "select event, identity_id, detail, created_at from proposal_audit \
             where proposal_id = ? order by id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = row.try_get("detail")?;
                let detail = serde_json::from_str(&detail).map_err(|err| {
                    corrupt("proposal_audit", &id.to_string(), format!("detail: {err}"))
                })?;
                audit_entry(
                    id,
                    &row.try_get::<String, _>("event")?,
                    row.try_get("identity_id")?,
                    detail,
                    row.try_get("created_at")?,
                )
            })
            .collect()
    }
}

async fn insert_audit_sqlite(conn: &mut sqlx::SqliteConnection, entry: &AuditEntry) -> Result<()> {
    let at = entry.at.trunc_subsecs(6);
    sqlx::query(
        "insert into proposal_audit (proposal_id, event, identity_id, detail, created_at, \
         updated_at) values (?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.proposal_id.to_string())
    .bind(entry.event.as_str())
    .bind(&entry.identity_id.0)
    .bind(entry.detail.to_string())
    .bind(at)
    .bind(at)
    .execute(conn)
    .await
    .map_err(|err| audit_error(err, entry.proposal_id))?;
    Ok(())
}

/// An audit entry for a proposal that does not exist breaks the foreign key.
fn audit_error(err: sqlx::Error, id: Uuid) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => not_found(id),
        _ => StoreError::Database(err),
    }
}

#[async_trait]
impl DismissedDuplicates for SqliteStore {
    async fn dismissed_pairs(
        &self,
        kind: DuplicateKind,
    ) -> std::result::Result<Vec<(i64, i64)>, ToolError> {
        sqlx::query_as(
            "select first_id, second_id from dismissed_duplicates where kind = ? \
             order by first_id, second_id",
        )
        .bind(kind_name(kind))
        .fetch_all(&self.pool)
        .await
        .map_err(|err| tool_error(err.into()))
    }

    async fn dismiss(
        &self,
        kind: DuplicateKind,
        ids: &[i64],
        by: &IdentityId,
    ) -> std::result::Result<(), ToolError> {
        let at = now();
        let mut tx = self.pool.begin().await.map_err(|e| tool_error(e.into()))?;
        for (a, b) in pairs_of(ids) {
            sqlx::query(
                "insert into dismissed_duplicates (kind, first_id, second_id, dismissed_by, \
                 created_at, updated_at) values (?, ?, ?, ?, ?, ?) on conflict do nothing",
            )
            .bind(kind_name(kind))
            .bind(a)
            .bind(b)
            .bind(&by.0)
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| tool_error(e.into()))?;
        }
        tx.commit().await.map_err(|e| tool_error(e.into()))
    }
}

// ------------------------------------------------------------ PostgreSQL

const PG_COLUMNS: &str = SQLITE_COLUMNS;

fn pg_proposal(row: &sqlx::postgres::PgRow) -> Result<StoredProposal> {
    let db = StoreError::Database;
    Columns {
        id: row.try_get("id").map_err(db)?,
        thread_id: row.try_get("thread_id").map_err(db)?,
        turn_id: row.try_get("turn_id").map_err(db)?,
        created_by: row.try_get("created_by").map_err(db)?,
        action: row.try_get("action").map_err(db)?,
        params: row.try_get("params").map_err(db)?,
        preview: row.try_get("preview").map_err(db)?,
        preconditions: row.try_get("preconditions").map_err(db)?,
        required_role: row.try_get("required_role").map_err(db)?,
        expires_at: row.try_get("expires_at").map_err(db)?,
        status: row.try_get("status").map_err(db)?,
        outcome: row.try_get("outcome").map_err(db)?,
        decided_by: row.try_get("decided_by").map_err(db)?,
        decided_at: row.try_get("decided_at").map_err(db)?,
        reason: row.try_get("reason").map_err(db)?,
        created_at: row.try_get("created_at").map_err(db)?,
        updated_at: row.try_get("updated_at").map_err(db)?,
    }
    .into_stored()
}

#[async_trait]
impl ProposalStore for PostgresStore {
    async fn insert_proposals(&self, new: Vec<NewProposal>) -> Result<()> {
        let at = now();
        let mut tx = self.pool.begin().await?;
        for item in &new {
            let p = &item.proposal;
            let values = insert_values(p)?;
            sqlx::query(
                "insert into proposals (id, thread_id, turn_id, created_by, action, params, \
                 target_model, target_ids, preview, preconditions, required_role, expires_at, \
                 status, created_at, updated_at, company_id) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $13, \
                 $14)",
            )
            .bind(p.proposal_id)
            .bind(item.thread_id.map(|t| t.0))
            .bind(item.turn_id.map(|t| t.0))
            .bind(&item.created_by.0)
            .bind(values.action)
            .bind(values.params)
            .bind(&p.target.model)
            .bind(values.target_ids)
            .bind(&p.preview)
            .bind(values.preconditions)
            .bind(values.required_role)
            .bind(p.expires_at.trunc_subsecs(6))
            .bind(at)
            .bind(item.company_id)
            .execute(&mut *tx)
            .await
            .map_err(|err| write_error(err, format_args!("proposal {}", p.proposal_id)))?;
            insert_audit_pg(&mut tx, &created_entry(item, at)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn proposal(&self, id: Uuid) -> Result<Option<StoredProposal>> {
        let sql = format!("select {PG_COLUMNS} from proposals where id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(pg_proposal).transpose()
    }

    async fn proposals_of_turn(&self, turn: TurnId) -> Result<Vec<StoredProposal>> {
        // Proposals of one turn are inserted in one transaction, in order,
        // with the same created_at; their audit ids keep that order.
        let sql = format!(
            "select {PG_COLUMNS} from proposals p where turn_id = $1 order by (select min(a.id) \
             from proposal_audit a where a.proposal_id = p.id)"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(turn.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(pg_proposal).collect()
    }

    async fn decide(&self, id: Uuid, decision: Decision, at: DateTime<Utc>) -> Result<bool> {
        let (by, reason) = decision_columns(&decision);
        let expiry = match decision {
            Decision::Approve { .. } | Decision::Reject { .. } => "expires_at > $6",
            Decision::Expire => "expires_at <= $6",
        };
        let sql = format!(
            "update proposals set status = $1, decided_by = coalesce($2, decided_by), \
             decided_at = case when $2::text is null then decided_at else $4 end, \
             reason = coalesce($3, reason), updated_at = $4 \
             where id = $5 and status = 'pending' and {expiry}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(decision.status().as_str())
            .bind(by)
            .bind(reason)
            .bind(now())
            .bind(id)
            .bind(at)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        self.proposal(id).await?.ok_or_else(|| not_found(id))?;
        Ok(false)
    }

    async fn advance(
        &self,
        id: Uuid,
        from: ProposalStatus,
        to: ProposalStatus,
        outcome: Option<Value>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "update proposals set status = $1, outcome = coalesce($2, outcome), updated_at = $3 \
             where id = $4 and status = $5",
        )
        .bind(to.as_str())
        .bind(outcome)
        .bind(now())
        .bind(id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        self.proposal(id).await?.ok_or_else(|| not_found(id))?;
        Ok(false)
    }

    async fn audit(&self, entry: AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert_audit_pg(&mut conn, &entry).await
    }

    async fn audit_trail(&self, id: Uuid) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "select event, identity_id, detail, created_at from proposal_audit \
             where proposal_id = $1 order by id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                audit_entry(
                    id,
                    &row.try_get::<String, _>("event")?,
                    row.try_get("identity_id")?,
                    row.try_get("detail")?,
                    row.try_get("created_at")?,
                )
            })
            .collect()
    }
}

async fn insert_audit_pg(conn: &mut sqlx::PgConnection, entry: &AuditEntry) -> Result<()> {
    let at = entry.at.trunc_subsecs(6);
    sqlx::query(
        "insert into proposal_audit (proposal_id, event, identity_id, detail, created_at, \
         updated_at) values ($1, $2, $3, $4, $5, $5)",
    )
    .bind(entry.proposal_id)
    .bind(entry.event.as_str())
    .bind(&entry.identity_id.0)
    .bind(&entry.detail)
    .bind(at)
    .execute(conn)
    .await
    .map_err(|err| audit_error(err, entry.proposal_id))?;
    Ok(())
}

#[async_trait]
impl DismissedDuplicates for PostgresStore {
    async fn dismissed_pairs(
        &self,
        kind: DuplicateKind,
    ) -> std::result::Result<Vec<(i64, i64)>, ToolError> {
        sqlx::query_as(
            "select first_id, second_id from dismissed_duplicates where kind = $1 \
             order by first_id, second_id",
        )
        .bind(kind_name(kind))
        .fetch_all(&self.pool)
        .await
        .map_err(|err| tool_error(err.into()))
    }

    async fn dismiss(
        &self,
        kind: DuplicateKind,
        ids: &[i64],
        by: &IdentityId,
    ) -> std::result::Result<(), ToolError> {
        let at = now();
        let mut tx = self.pool.begin().await.map_err(|e| tool_error(e.into()))?;
        for (a, b) in pairs_of(ids) {
            sqlx::query(
                "insert into dismissed_duplicates (kind, first_id, second_id, dismissed_by, \
                 created_at, updated_at) values ($1, $2, $3, $4, $5, $5) on conflict do nothing",
            )
            .bind(kind_name(kind))
            .bind(a)
            .bind(b)
            .bind(&by.0)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(|e| tool_error(e.into()))?;
        }
        tx.commit().await.map_err(|e| tool_error(e.into()))
    }
}
