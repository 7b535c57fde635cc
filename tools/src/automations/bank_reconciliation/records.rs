//! The typed inputs: bank statement lines and open items, read from records
//! in Odoo's `search_read` shape (`false` for no value, many2one as
//! `[id, name]`, money as exact decimals).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use thiserror::Error;

use crate::odoo::{Ref, ValueError, date, many2one, money, text};

/// A record that cannot be read as a bank line or an open item.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    /// A field has the wrong shape; the caller reports the record as bad data.
    #[error(transparent)]
    Field(#[from] ValueError),
    /// A required field is absent or `false`.
    #[error("{model} record: field {field} is missing")]
    Missing {
        model: &'static str,
        field: &'static str,
    },
    /// An `account.move` whose `move_type` says nothing about the sign.
    #[error("account.move {id}: move_type {move_type} is not an invoice, bill or refund")]
    UnknownMoveType { id: i64, move_type: String },
}

/// An unreconciled `account.bank.statement.line`.
#[derive(Debug, Clone, PartialEq)]
pub struct BankLine {
    pub id: i64,
    pub date: Option<NaiveDate>,
    /// The bank's text (`payment_ref`).
    pub label: String,
    pub partner: Option<Ref>,
    /// The commercial partner, when the caller resolved it; else the partner.
    pub commercial_partner_id: Option<i64>,
    /// The name the bank sent (`partner_name`), used when no partner is set.
    pub partner_name: Option<String>,
    /// Signed amount in company currency: money in is positive.
    pub amount: Decimal,
}

/// An open receivable or payable item a line may settle.
///
/// The spec reads `account.move.line`; a caller holding whole moves (the
/// benchmark files) builds one item per move with `id == move_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenItem {
    /// The journal item id (or the move id when read from moves).
    pub id: i64,
    pub move_id: i64,
    pub move_name: Option<String>,
    pub move_ref: Option<String>,
    pub payment_reference: Option<String>,
    pub partner: Option<Ref>,
    pub commercial_partner_id: Option<i64>,
    /// Accounting or invoice date; "most recent" for splits orders by it.
    pub date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Signed residual in company currency: receivable > 0, payable < 0.
    pub residual: Decimal,
}

impl BankLine {
    /// Reads an `account.bank.statement.line` record. `amount` is taken as
    /// company currency: converting foreign-currency journals is the
    /// caller's job (spec 0.3).
    pub fn from_record(record: &Value) -> Result<Self, RecordError> {
        const MODEL: &str = "account.bank.statement.line";
        let id = required_id(MODEL, record)?;
        let partner = many2one("partner_id", field(record, "partner_id"))?;
        Ok(Self {
            id,
            date: date("date", field(record, "date"))?,
            label: text("payment_ref", field(record, "payment_ref"))?.unwrap_or_default(),
            commercial_partner_id: commercial(record, partner.as_ref())?,
            partner,
            partner_name: text("partner_name", field(record, "partner_name"))?,
            amount: money("amount", field(record, "amount"))?.ok_or(RecordError::Missing {
                model: MODEL,
                field: "amount",
            })?,
        })
    }
}

impl OpenItem {
    /// Reads an open `account.move` (invoice, bill or refund) as one item.
    ///
    /// Odoo's `amount_residual` on a move is unsigned, so the sign comes
    /// from `amount_residual_signed` when present, else from `move_type`:
    /// customer invoices and vendor refunds are money in, vendor bills and
    /// customer refunds money out.
    pub fn from_move_record(record: &Value) -> Result<Self, RecordError> {
        const MODEL: &str = "account.move";
        let id = required_id(MODEL, record)?;
        let residual = match money(
            "amount_residual_signed",
            field(record, "amount_residual_signed"),
        )? {
            Some(signed) => signed,
            None => {
                let unsigned = money("amount_residual", field(record, "amount_residual"))?
                    .ok_or(RecordError::Missing {
                        model: MODEL,
                        field: "amount_residual",
                    })?
                    .abs();
                let move_type = text("move_type", field(record, "move_type"))?.unwrap_or_default();
                match move_type.as_str() {
                    "out_invoice" | "out_receipt" | "in_refund" => unsigned,
                    "in_invoice" | "in_receipt" | "out_refund" => -unsigned,
                    _ => return Err(RecordError::UnknownMoveType { id, move_type }),
                }
            }
        };
        let partner = many2one("partner_id", field(record, "partner_id"))?;
        let date = match date("invoice_date", field(record, "invoice_date"))? {
            Some(day) => Some(day),
            None => date("date", field(record, "date"))?,
        };
        Ok(Self {
            id,
            move_id: id,
            move_name: text("name", field(record, "name"))?,
            move_ref: text("ref", field(record, "ref"))?,
            payment_reference: text("payment_reference", field(record, "payment_reference"))?,
            commercial_partner_id: commercial(record, partner.as_ref())?,
            partner,
            date,
            due_date: date_field(record, "invoice_date_due")?,
            residual,
        })
    }

    /// Reads an open `account.move.line` (`amount_residual` already signed)
    /// together with its move's `name`, `ref` and `payment_reference`,
    /// which the caller read in one batch.
    pub fn from_move_line_record(record: &Value, parent: &Value) -> Result<Self, RecordError> {
        const MODEL: &str = "account.move.line";
        let id = required_id(MODEL, record)?;
        let move_ref =
            many2one("move_id", field(record, "move_id"))?.ok_or(RecordError::Missing {
                model: MODEL,
                field: "move_id",
            })?;
        let partner = many2one("partner_id", field(record, "partner_id"))?;
        Ok(Self {
            id,
            move_id: move_ref.id,
            move_name: text("name", field(parent, "name"))?.or(move_ref.name),
            move_ref: text("ref", field(parent, "ref"))?,
            payment_reference: text("payment_reference", field(parent, "payment_reference"))?,
            commercial_partner_id: commercial(record, partner.as_ref())?,
            partner,
            date: date("date", field(record, "date"))?,
            due_date: date_field(record, "date_maturity")?,
            residual: money("amount_residual", field(record, "amount_residual"))?.ok_or(
                RecordError::Missing {
                    model: MODEL,
                    field: "amount_residual",
                },
            )?,
        })
    }

    /// The non-empty reference keys: move name, ref and payment reference
    /// (spec 2.4: all keys, not "ref if any else name").
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        [&self.move_name, &self.move_ref, &self.payment_reference]
            .into_iter()
            .filter_map(|key| key.as_deref())
            .filter(|key| !key.trim().is_empty())
    }

    /// The partner's display name, if known.
    pub fn partner_name(&self) -> Option<&str> {
        self.partner.as_ref().and_then(|p| p.name.as_deref())
    }
}

static NO_VALUE: Value = Value::Null;

fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record.get(name).unwrap_or(&NO_VALUE)
}

fn date_field(record: &Value, name: &str) -> Result<Option<NaiveDate>, ValueError> {
    date(name, field(record, name))
}

fn required_id(model: &'static str, record: &Value) -> Result<i64, RecordError> {
    field(record, "id")
        .as_i64()
        .ok_or(RecordError::Missing { model, field: "id" })
}

/// `commercial_partner_id` when the record carries it, else the partner.
fn commercial(record: &Value, partner: Option<&Ref>) -> Result<Option<i64>, RecordError> {
    let explicit = many2one(
        "commercial_partner_id",
        field(record, "commercial_partner_id"),
    )?;
    Ok(explicit.or_else(|| partner.cloned()).map(|p| p.id))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn bank_line_reads_search_read_shape() {
        let line = BankLine::from_record(&json!({
            "id": 100004, "date": "2025-03-02", "payment_ref": "IVN/2025/02114",
            "partner_id": [1876, "Durham Farms SA"], "amount": 5765.27, "journal_id": [1, "Bank"]
        }))
        .unwrap();
        assert_eq!(line.id, 100004);
        assert_eq!(line.amount, dec("5765.27"));
        assert_eq!(line.commercial_partner_id, Some(1876));
        assert_eq!(line.partner_name, None);
        let bare = BankLine::from_record(&json!({
            "id": 1, "date": false, "payment_ref": false, "partner_id": false, "amount": -3
        }))
        .unwrap();
        assert_eq!(
            (bare.label.as_str(), bare.partner, bare.date),
            ("", None, None)
        );
        assert_eq!(
            BankLine::from_record(&json!({"id": 1})).unwrap_err(),
            RecordError::Missing {
                model: "account.bank.statement.line",
                field: "amount"
            }
        );
    }

    #[test]
    fn move_residual_sign_follows_move_type() {
        let read = |move_type: &str| {
            OpenItem::from_move_record(&json!({
                "id": 5001, "name": "BILL/2025/00001", "ref": "F585379",
                "partner_id": [1220, "Lawrence Parks"], "amount_residual": 607.96,
                "invoice_date": "2025-04-04", "invoice_date_due": "2025-05-19",
                "move_type": move_type
            }))
        };
        assert_eq!(read("in_invoice").unwrap().residual, dec("-607.96"));
        assert_eq!(read("out_refund").unwrap().residual, dec("-607.96"));
        assert_eq!(read("out_invoice").unwrap().residual, dec("607.96"));
        assert_eq!(read("in_refund").unwrap().residual, dec("607.96"));
        assert!(matches!(
            read("entry"),
            Err(RecordError::UnknownMoveType { id: 5001, .. })
        ));
        let item = read("in_invoice").unwrap();
        assert_eq!(
            item.keys().collect::<Vec<_>>(),
            vec!["BILL/2025/00001", "F585379"]
        );
        assert_eq!(item.due_date, NaiveDate::from_ymd_opt(2025, 5, 19));
    }

    #[test]
    fn move_line_takes_keys_from_its_move() {
        let item = OpenItem::from_move_line_record(
            &json!({"id": 77, "move_id": [9, "INV/9"], "partner_id": false, "date": "2026-01-02",
                    "date_maturity": false, "amount_residual": -12.5}),
            &json!({"name": "INV/9", "ref": false, "payment_reference": "RF18 5390"}),
        )
        .unwrap();
        assert_eq!(
            (item.id, item.move_id, item.residual),
            (77, 9, dec("-12.5"))
        );
        assert_eq!(item.keys().collect::<Vec<_>>(), vec!["INV/9", "RF18 5390"]);
    }
}
