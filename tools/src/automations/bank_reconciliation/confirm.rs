//! A person's confirmation of a match (spec 2.8): the statement line and
//! the entry are read again from Odoo as that person, checked to belong to
//! the company, and the journal's rule is derived and stored. Nothing is
//! written to Odoo. Used by the HTTP confirmation and by the approval of a
//! `reconcile_statement_line` proposal.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use thiserror::Error;

use super::learned::{LearnedRules, StoredRule};
use super::records::{BankLine, OpenItem, RecordError};
use crate::ToolError;
use crate::odoo::many2one;
use crate::odoo_client::{OdooClient, OdooError};

const LINE_MODEL: &str = "account.bank.statement.line";
const MOVE_MODEL: &str = "account.move";

const LINE_FIELDS: &[&str] = &[
    "id",
    "date",
    "payment_ref",
    "partner_id",
    "partner_name",
    "amount",
    "journal_id",
    "company_id",
];

const MOVE_FIELDS: &[&str] = &[
    "id",
    "name",
    "ref",
    "payment_reference",
    "partner_id",
    "company_id",
    "move_type",
    "amount_residual",
    "amount_residual_signed",
    "invoice_date",
    "invoice_date_due",
    "date",
];

/// A match a person confirms: this statement line settles this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmation {
    pub company_id: i64,
    pub statement_line_id: i64,
    pub move_id: i64,
}

/// Why a confirmation stored no rule. The caller answers the person with
/// the message: each names the record involved.
#[derive(Debug, Error)]
pub enum ConfirmError {
    /// The line does not exist or the person's Odoo user may not see it.
    #[error("statement line {0} not found (account.bank.statement.line)")]
    LineNotFound(i64),
    /// The entry does not exist or the person's Odoo user may not see it.
    #[error("entry {0} not found (account.move)")]
    MoveNotFound(i64),
    /// The record belongs to another company than the one named.
    #[error("{model} {id} belongs to company {found}, not to company {expected}")]
    OtherCompany {
        model: &'static str,
        id: i64,
        found: i64,
        expected: i64,
    },
    /// Every pattern would be empty or only digits (spec 2.8): such a rule
    /// would match unrelated lines, so none is stored.
    #[error(
        "statement line {line} and entry {move_id} have no text beyond digits to learn from \
         (bank text, partners and references are empty or only digits)"
    )]
    NothingToLearn { line: i64, move_id: i64 },
    /// A record Odoo returned cannot be read.
    #[error("{0}")]
    BadRecord(#[from] RecordError),
    #[error(transparent)]
    Odoo(#[from] OdooError),
    /// Storing the rule failed.
    #[error(transparent)]
    Store(#[from] ToolError),
}

impl ConfirmError {
    /// Stable label for logs and API error bodies.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::LineNotFound(_) | Self::MoveNotFound(_) => "not_found",
            Self::OtherCompany { .. } => "other_company",
            Self::NothingToLearn { .. } => "nothing_to_learn",
            Self::BadRecord(_) => "bad_record",
            Self::Odoo(_) => "odoo",
            Self::Store(_) => "store",
        }
    }
}

/// Re-reads the line and the entry as `client`'s user and stores the rule
/// of the line's journal (or finds the same one stored before).
pub async fn confirm_match(
    client: &OdooClient,
    rules: &dyn LearnedRules,
    confirmation: Confirmation,
    now: DateTime<Utc>,
) -> Result<StoredRule, ConfirmError> {
    let (line, journal_id) = read_line(client, confirmation).await?;
    let item = read_entry(client, confirmation).await?;
    rules
        .learn(confirmation.company_id, journal_id, &line, &item, now)
        .await?
        .ok_or(ConfirmError::NothingToLearn {
            line: confirmation.statement_line_id,
            move_id: confirmation.move_id,
        })
}

/// The rules an approved `reconcile_statement_line` proposal teaches: the
/// line against the entry of each of its journal items. Entries with
/// nothing to learn from are passed over.
pub async fn confirm_proposed_match(
    client: &OdooClient,
    rules: &dyn LearnedRules,
    line_id: i64,
    move_line_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<Vec<StoredRule>, ConfirmError> {
    let line = one(client, LINE_MODEL, line_id, &["company_id"])
        .await?
        .ok_or(ConfirmError::LineNotFound(line_id))?;
    let company_id = id_of(&line, "company_id")?.ok_or(ConfirmError::LineNotFound(line_id))?;
    let items = client
        .search_read(
            "account.move.line",
            json!([["id", "in", move_line_ids]]),
            &["move_id"],
            Some("id"),
            None,
            None,
        )
        .await?;
    let mut moves = BTreeSet::new();
    for item in &items {
        moves.extend(id_of(item, "move_id")?);
    }
    let mut learned = Vec::new();
    for move_id in moves {
        let confirmation = Confirmation {
            company_id,
            statement_line_id: line_id,
            move_id,
        };
        match confirm_match(client, rules, confirmation, now).await {
            Ok(rule) => learned.push(rule),
            Err(ConfirmError::NothingToLearn { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(learned)
}

async fn read_line(
    client: &OdooClient,
    confirmation: Confirmation,
) -> Result<(BankLine, i64), ConfirmError> {
    let id = confirmation.statement_line_id;
    let record = one(client, LINE_MODEL, id, LINE_FIELDS)
        .await?
        .ok_or(ConfirmError::LineNotFound(id))?;
    same_company(LINE_MODEL, id, &record, confirmation.company_id)?;
    let journal_id = id_of(&record, "journal_id")?.ok_or(RecordError::Missing {
        model: LINE_MODEL,
        field: "journal_id",
    })?;
    Ok((BankLine::from_record(&record)?, journal_id))
}

async fn read_entry(
    client: &OdooClient,
    confirmation: Confirmation,
) -> Result<OpenItem, ConfirmError> {
    let id = confirmation.move_id;
    let record = one(client, MOVE_MODEL, id, MOVE_FIELDS)
        .await?
        .ok_or(ConfirmError::MoveNotFound(id))?;
    same_company(MOVE_MODEL, id, &record, confirmation.company_id)?;
    Ok(OpenItem::from_move_record(&record)?)
}

/// The record with this id, as the user sees it: `None` when it does not
/// exist or a record rule hides it (a search never raises for those).
async fn one(
    client: &OdooClient,
    model: &str,
    id: i64,
    fields: &[&str],
) -> Result<Option<Value>, OdooError> {
    Ok(client
        .search_read(model, json!([["id", "=", id]]), fields, None, Some(1), None)
        .await?
        .into_iter()
        .next())
}

fn same_company(
    model: &'static str,
    id: i64,
    record: &Value,
    expected: i64,
) -> Result<(), ConfirmError> {
    match id_of(record, "company_id")? {
        Some(found) if found != expected => Err(ConfirmError::OtherCompany {
            model,
            id,
            found,
            expected,
        }),
        _ => Ok(()),
    }
}

fn id_of(record: &Value, field: &str) -> Result<Option<i64>, RecordError> {
    Ok(many2one(field, record.get(field).unwrap_or(&Value::Null))?.map(|r| r.id))
}
