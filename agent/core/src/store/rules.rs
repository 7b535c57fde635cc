//! [`LearnedRules`] on both backends: the rules people's confirmed bank
//! matches teach (spec 2.8), per company and journal, with how often each
//! contributed to a suggestion. An empty pattern is stored as `''` so that
//! the unique key finds a rule confirmed again (SQL never finds two NULLs
//! equal).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use tools::ToolError;
use tools::automations::bank_reconciliation::{
    BankLine, LearnedRule, LearnedRules, OpenItem, StoredRule,
};

use super::{PostgresStore, SqliteStore};

/// A row of `reconciliation_rules`: id, the four patterns, use count and
/// when it was learned.
type RuleRow = (i64, String, String, String, String, i64, DateTime<Utc>);

/// What `learn` returns from the insert: id, use count, created at.
type LearnedRow = (i64, i64, DateTime<Utc>);

#[async_trait]
impl LearnedRules for SqliteStore {
    async fn rules(&self, company_id: i64, journal_id: i64) -> Result<Vec<StoredRule>, ToolError> {
        let rows: Vec<RuleRow> = sqlx::query_as(
            "select id, bank_text, bank_partner, entry_ref, entry_partner, use_count, created_at \
             from reconciliation_rules where company_id = ? and journal_id = ? order by id",
        )
        .bind(company_id)
        .bind(journal_id)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|row| stored(company_id, journal_id, row))
            .collect())
    }

    async fn learn(
        &self,
        company_id: i64,
        journal_id: i64,
        line: &BankLine,
        item: &OpenItem,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredRule>, ToolError> {
        let Some(rule) = LearnedRule::from_confirmed(0, line, item) else {
            return Ok(None);
        };
        // Both backends keep microseconds.
        let at = now.trunc_subsecs(6);
        let (id, use_count, created_at): LearnedRow = sqlx::query_as(
            "insert into reconciliation_rules (company_id, journal_id, bank_text, bank_partner, \
             entry_ref, entry_partner, use_count, created_at, updated_at) \
             values (?, ?, ?, ?, ?, ?, 0, ?, ?) \
             on conflict (company_id, journal_id, bank_text, bank_partner, entry_ref, \
             entry_partner) do update set updated_at = excluded.updated_at \
             returning id, use_count, created_at",
        )
        .bind(company_id)
        .bind(journal_id)
        .bind(column(&rule.bank_text))
        .bind(column(&rule.bank_partner))
        .bind(column(&rule.entry_ref))
        .bind(column(&rule.entry_partner))
        .bind(at)
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(Some(learned(
            company_id, journal_id, rule, id, use_count, created_at,
        )))
    }

    async fn record_uses(
        &self,
        company_id: i64,
        journal_id: i64,
        uses: &BTreeMap<i64, u64>,
        now: DateTime<Utc>,
    ) -> Result<(), ToolError> {
        // Both backends keep microseconds.
        let at = now.trunc_subsecs(6);
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        for (id, count) in uses {
            sqlx::query(
                "update reconciliation_rules set use_count = use_count + ?, updated_at = ? \
                 where id = ? and company_id = ? and journal_id = ?",
            )
            .bind(count_column(*count)?)
            .bind(at)
            .bind(id)
            .bind(company_id)
            .bind(journal_id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)
    }
}

#[async_trait]
impl LearnedRules for PostgresStore {
    async fn rules(&self, company_id: i64, journal_id: i64) -> Result<Vec<StoredRule>, ToolError> {
        let rows: Vec<RuleRow> = sqlx::query_as(
            "select id, bank_text, bank_partner, entry_ref, entry_partner, use_count, created_at \
             from reconciliation_rules where company_id = $1 and journal_id = $2 order by id",
        )
        .bind(company_id)
        .bind(journal_id)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(rows
            .into_iter()
            .map(|row| stored(company_id, journal_id, row))
            .collect())
    }

    async fn learn(
        &self,
        company_id: i64,
        journal_id: i64,
        line: &BankLine,
        item: &OpenItem,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredRule>, ToolError> {
        let Some(rule) = LearnedRule::from_confirmed(0, line, item) else {
            return Ok(None);
        };
        // Both backends keep microseconds.
        let at = now.trunc_subsecs(6);
        let (id, use_count, created_at): LearnedRow = sqlx::query_as(
            "insert into reconciliation_rules (company_id, journal_id, bank_text, bank_partner, \
             entry_ref, entry_partner, use_count, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, 0, $7, $7) \
             on conflict (company_id, journal_id, bank_text, bank_partner, entry_ref, \
             entry_partner) do update set updated_at = excluded.updated_at \
             returning id, use_count, created_at",
        )
        .bind(company_id)
        .bind(journal_id)
        .bind(column(&rule.bank_text))
        .bind(column(&rule.bank_partner))
        .bind(column(&rule.entry_ref))
        .bind(column(&rule.entry_partner))
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(Some(learned(
            company_id, journal_id, rule, id, use_count, created_at,
        )))
    }

    async fn record_uses(
        &self,
        company_id: i64,
        journal_id: i64,
        uses: &BTreeMap<i64, u64>,
        now: DateTime<Utc>,
    ) -> Result<(), ToolError> {
        // Both backends keep microseconds.
        let at = now.trunc_subsecs(6);
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        for (id, count) in uses {
            sqlx::query(
                "update reconciliation_rules set use_count = use_count + $1, updated_at = $2 \
                 where id = $3 and company_id = $4 and journal_id = $5",
            )
            .bind(count_column(*count)?)
            .bind(at)
            .bind(id)
            .bind(company_id)
            .bind(journal_id)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)
    }
}

/// `''` for an empty pattern (see the module docs).
fn column(pattern: &Option<String>) -> &str {
    pattern.as_deref().unwrap_or("")
}

fn pattern(column: String) -> Option<String> {
    (!column.is_empty()).then_some(column)
}

fn count_column(count: u64) -> Result<i64, ToolError> {
    i64::try_from(count)
        .map_err(|_| ToolError::Internal(format!("rule use count {count} is out of range")))
}

fn stored(company_id: i64, journal_id: i64, row: RuleRow) -> StoredRule {
    let (id, bank_text, bank_partner, entry_ref, entry_partner, use_count, created_at) = row;
    StoredRule {
        company_id,
        journal_id,
        rule: LearnedRule {
            id,
            bank_text: pattern(bank_text),
            bank_partner: pattern(bank_partner),
            entry_ref: pattern(entry_ref),
            entry_partner: pattern(entry_partner),
        },
        created_at,
        use_count: u64::try_from(use_count).unwrap_or(0),
    }
}

fn learned(
    company_id: i64,
    journal_id: i64,
    rule: LearnedRule,
    id: i64,
    use_count: i64,
    created_at: DateTime<Utc>,
) -> StoredRule {
    StoredRule {
        company_id,
        journal_id,
        rule: LearnedRule { id, ..rule },
        created_at,
        use_count: u64::try_from(use_count).unwrap_or(0),
    }
}

/// Database failures end the tool call (`Internal`); the detail is logged
/// by the dispatcher, never shown to the model.
fn store_error(err: sqlx::Error) -> ToolError {
    ToolError::Internal(format!("learned rules: {err}"))
}
