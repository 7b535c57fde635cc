//! Bank statement lines and their journal entries. A reconciled line's
//! counterpart is the receivable or payable it settled; an open line's is
//! the journal's suspense account, as in Odoo before reconciliation.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::accounting::{LineRecord, MoveRecord, MoveState};
use super::builder::{Builder, Link};
use super::rows::{m2o, money, put, text_opt};

/// A statement line to create.
#[derive(Debug, Clone)]
pub(crate) struct StatementLine<'a> {
    pub day: NaiveDate,
    pub journal: Link,
    pub bank_account: Link,
    /// Receivable or payable when reconciled; ignored for open lines.
    pub counter_account: Link,
    pub label: &'a str,
    pub partner: Option<i64>,
    /// Signed, in the journal currency, cents.
    pub amount: i64,
    /// Signed, in euro, cents.
    pub amount_eur: i64,
    /// A payment in another currency: (currency, signed cents).
    pub foreign: Option<(Link, i64)>,
    pub reconciled: bool,
}

/// Ids of what [`Builder::statement_line`] created.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CreatedLine {
    pub id: i64,
    /// The journal item opposite the bank: receivable/payable or suspense.
    pub counterpart: i64,
}

impl Builder {
    pub(crate) fn statement_line(&mut self, s: StatementLine<'_>) -> CreatedLine {
        let refs = self.refs;
        let journal_currency = if s.journal.id == refs.usd_bank_journal.id {
            refs.usd
        } else {
            refs.eur
        };
        let prefix = if s.journal.id == refs.usd_bank_journal.id {
            "BNK2"
        } else {
            "BNK1"
        };
        let name = self.next_name(prefix, s.day);
        let line_id = self.t.statement_lines.next_id();
        let move_id = self.t.moves.next_id();
        let first = self.t.lines.next_id();
        let line_ids = [first, first + 1];
        self.write_move(MoveRecord {
            name: &name,
            kind: "entry",
            state: MoveState::Posted,
            partner: s.partner.unwrap_or(0),
            journal: s.journal,
            currency: journal_currency,
            date: s.day,
            invoice_date: None,
            due: None,
            reference: Some(s.label),
            untaxed: (0, 0),
            tax: (0, 0),
            total: (s.amount.abs(), s.amount_eur.abs()),
            residual: (0, 0),
            payment_state: "not_paid",
            line_ids: &line_ids,
            product_lines: &[],
            created: s.day,
            statement_line: line_id,
            payment: 0,
        });
        let partner = s.partner.map(|p| self.partner(p));
        let date = self.cal.date(s.day);
        let counter = if s.reconciled {
            s.counter_account
        } else {
            refs.suspense
        };
        for (account, balance, amount, reconciled) in [
            (s.bank_account, s.amount_eur, s.amount, false),
            (
                counter,
                -s.amount_eur,
                -s.amount,
                s.reconciled && counter.id != refs.bank_fees.id,
            ),
        ] {
            self.write_line(LineRecord {
                move_id,
                move_name: &name,
                label: s.label,
                date: date.clone(),
                maturity: None,
                account,
                partner: partner.clone(),
                journal: s.journal,
                currency: journal_currency,
                balance,
                amount_currency: amount,
                residual: 0,
                residual_currency: 0,
                reconciled,
                parent_state: "posted",
                display_type: "",
                tax: None,
                product: None,
                quantity: 0,
                price_cents: 0,
            });
        }
        let partner_name = s.partner.map(|p| self.partner_name(p).to_owned());
        let created = self.cal.at(s.day, 6, 0);
        let t = &mut self.t.statement_lines;
        let [
            move_col,
            date_col,
            payment_ref,
            partner_col,
            partner_name_col,
            amount,
            amount_currency,
            foreign,
            currency,
            journal,
            company,
            is_reconciled,
            residual,
            sequence,
            create_date,
            write_date,
        ] = self.cc.statement_lines;
        let r = t.push_blank();
        put(r, move_col, m2o(move_id, &name));
        put(r, date_col, date);
        put(r, payment_ref, Value::from(s.label));
        put(r, partner_col, partner.unwrap_or(Value::Bool(false)));
        put(r, partner_name_col, text_opt(partner_name.as_deref()));
        put(r, amount, money(s.amount));
        if let Some((foreign_currency, foreign_amount)) = s.foreign {
            put(r, amount_currency, money(foreign_amount));
            put(r, foreign, foreign_currency.value());
        }
        put(r, currency, journal_currency.value());
        put(r, journal, s.journal.value());
        put(r, company, refs.company.value());
        put(r, is_reconciled, s.reconciled.into());
        put(r, residual, money(if s.reconciled { 0 } else { s.amount }));
        put(r, sequence, Value::from(1));
        put(r, create_date, created.clone());
        put(r, write_date, created);
        CreatedLine {
            id: line_id,
            counterpart: first + 1,
        }
    }

    /// The EUR bank journal with its account, for statement lines.
    pub(crate) fn eur_bank(&self) -> (Link, Link) {
        (self.refs.bank_journal, self.refs.bank_eur_account)
    }

    /// An opening balance in each bank journal (a posted miscellaneous
    /// entry on the first day of history) and a monthly bank-fee line.
    pub(crate) fn opening_and_fees(&mut self) {
        let refs = self.refs;
        let start = self.dates.start;
        for (account, currency, amount) in [
            (refs.bank_eur_account, refs.eur, 250_000_00_i64),
            (refs.bank_usd_account, refs.usd, 40_000_00),
        ] {
            let amount_eur = self.to_eur(currency.id, amount, start);
            let name = self.next_name("MISC", start);
            let move_id = self.t.moves.next_id();
            let first = self.t.lines.next_id();
            self.write_move(MoveRecord {
                name: &name,
                kind: "entry",
                state: MoveState::Posted,
                partner: 0,
                journal: refs.misc_journal,
                currency,
                date: start,
                invoice_date: None,
                due: None,
                reference: Some("Opening balance"),
                untaxed: (0, 0),
                tax: (0, 0),
                total: (amount, amount_eur),
                residual: (0, 0),
                payment_state: "not_paid",
                line_ids: &[first, first + 1],
                product_lines: &[],
                created: start,
                statement_line: 0,
                payment: 0,
            });
            let date = self.cal.date(start);
            for (acc, balance, cur_amount) in [
                (account, amount_eur, amount),
                (refs.equity, -amount_eur, -amount),
            ] {
                self.write_line(LineRecord {
                    move_id,
                    move_name: &name,
                    label: "Opening balance",
                    date: date.clone(),
                    maturity: None,
                    account: acc,
                    partner: None,
                    journal: refs.misc_journal,
                    currency,
                    balance,
                    amount_currency: cur_amount,
                    residual: 0,
                    residual_currency: 0,
                    reconciled: false,
                    parent_state: "posted",
                    display_type: "",
                    tax: None,
                    product: None,
                    quantity: 0,
                    price_cents: 0,
                });
            }
        }
        // Monthly bank fees, reconciled against the fee account.
        let mut day = start;
        while day <= self.dates.today {
            let fee = 1_850 + i64::from(day.month()) * 35;
            self.statement_line(StatementLine {
                day,
                journal: refs.bank_journal,
                bank_account: refs.bank_eur_account,
                counter_account: refs.bank_fees,
                label: "Monthly account fee",
                partner: None,
                amount: -fee,
                amount_eur: -fee,
                foreign: None,
                reconciled: true,
            });
            day = day + chrono::Months::new(1);
        }
    }
}

/// The columns written per record, resolved once per table.
pub(crate) const STATEMENT_LINES_FIELDS: [&str; 16] = [
    "move_id",
    "date",
    "payment_ref",
    "partner_id",
    "partner_name",
    "amount",
    "amount_currency",
    "foreign_currency_id",
    "currency_id",
    "journal_id",
    "company_id",
    "is_reconciled",
    "amount_residual",
    "sequence",
    "create_date",
    "write_date",
];
