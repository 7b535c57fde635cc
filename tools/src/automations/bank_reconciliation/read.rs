//! The Odoo reads behind `bank_reconciliation_suggest` (spec 2.2): the
//! journal, its unreconciled statement lines, and the open receivable and
//! payable items they may settle, each list an id-paged scan with a stated
//! cap, with the parent moves' references read in one batch.

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::args::Request;
use super::records::{BankLine, OpenItem};
use crate::ToolError;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, DomainError, many2one, money, text};
use crate::odoo_client::OdooClient;

/// Records per page of a scan (spec 0.2).
const PAGE: NonZeroU32 = NonZeroU32::MIN.saturating_add(999);
/// Ids per `read` call and per `in` domain.
const CHUNK: usize = 1000;

/// The journal a call is about.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Journal {
    pub id: i64,
    pub name: String,
    /// `bank` or `cash`.
    pub kind: String,
    /// The journal's own currency when it differs from the company's.
    pub foreign_currency: Option<String>,
    pub default_account: Option<i64>,
}

/// Reads the journal and checks it is a bank or cash journal of the
/// company (spec 2.1); any other answer is `INVALID_ARGUMENT`.
pub(crate) async fn read_journal(
    client: &OdooClient,
    tool: &str,
    journal_id: i64,
    company_id: i64,
    company_currency: &str,
) -> Result<Journal, ToolError> {
    let invalid = |message: String| ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `journal_id`: {message}"),
    };
    // A search rather than a `read`: an unknown id is an empty answer, not
    // Odoo's "record does not exist" error.
    let rows = client
        .search_read(
            "account.journal",
            leaf(Domain::eq("id", journal_id))?.to_value(),
            &[
                "name",
                "type",
                "company_id",
                "currency_id",
                "default_account_id",
            ],
            Some("id asc"),
            Some(1),
            None,
        )
        .await?;
    let Some(row) = rows.first() else {
        return Err(invalid(format!(
            "no journal with id {journal_id}; give the id of a bank or cash journal"
        )));
    };
    let name = text("name", &row["name"])
        .map_err(internal)?
        .unwrap_or_default();
    let kind = text("type", &row["type"])
        .map_err(internal)?
        .unwrap_or_default();
    if kind != "bank" && kind != "cash" {
        return Err(invalid(format!(
            "journal {journal_id} ({name}) is of type {kind:?}; a bank or cash journal is needed"
        )));
    }
    let company = many2one("company_id", &row["company_id"]).map_err(internal)?;
    if company.as_ref().map(|c| c.id) != Some(company_id) {
        return Err(invalid(format!(
            "journal {journal_id} ({name}) belongs to another company than company {company_id}"
        )));
    }
    let currency = many2one("currency_id", &row["currency_id"]).map_err(internal)?;
    let foreign_currency = currency
        .and_then(|c| c.name)
        .filter(|code| code != company_currency);
    let default_account = many2one("default_account_id", &row["default_account_id"])
        .map_err(internal)?
        .map(|a| a.id);
    Ok(Journal {
        id: journal_id,
        name,
        kind,
        foreign_currency,
        default_account,
    })
}

/// The lines read and what went wrong on the way.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    pub lines: Vec<BankLine>,
    pub warnings: Vec<Warning>,
}

const LINE_FIELDS: &[&str] = &[
    "date",
    "payment_ref",
    "partner_id",
    "partner_name",
    "amount",
    "amount_currency",
    "foreign_currency_id",
    "move_id",
];

/// The unreconciled lines of the journal, oldest first by id, up to
/// `max_lines`; amounts in company currency (spec 0.3).
pub(crate) async fn read_lines(
    client: &OdooClient,
    tool: &str,
    journal: &Journal,
    request: &Request,
) -> Result<Lines, ToolError> {
    let mut terms = vec![leaf(Domain::eq("journal_id", journal.id))?];
    if let Some(ids) = &request.statement_line_ids {
        check_line_ids(client, tool, journal, ids).await?;
        terms.push(leaf(Domain::is_in("id", ids.iter().copied()))?);
    }
    terms.push(leaf(Domain::eq("is_reconciled", false))?);
    if let Some(from) = request.date_from {
        terms.push(leaf(Domain::ge("date", iso(from)))?);
    }
    if let Some(to) = request.date_to {
        terms.push(leaf(Domain::le("date", iso(to)))?);
    }
    let scan = client
        .scan(
            "account.bank.statement.line",
            &Domain::and(terms),
            LINE_FIELDS,
            PAGE,
            request.max_lines,
        )
        .await?;
    let mut out = Lines::default();
    if scan.truncated {
        out.warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "the first {} of {} unreconciled lines (by id) were matched; raise max_lines \
                 or narrow the dates for the others",
                scan.records.len(),
                scan.total
            ),
        ));
    }
    let company_amounts = match &journal.foreign_currency {
        None => None,
        Some(_) => Some(bank_balances(client, journal, &scan.records).await?),
    };
    for record in &scan.records {
        let mut line = BankLine::from_record(record).map_err(internal)?;
        if let Some(balances) = &company_amounts {
            let move_id = many2one("move_id", &record["move_id"])
                .map_err(internal)?
                .map(|m| m.id);
            match move_id.and_then(|id| balances.get(&id)) {
                Some(balance) => line.amount = *balance,
                None => {
                    out.warnings.push(Warning::new(
                        "CURRENCY_CONVERSION",
                        format!(
                            "statement line {} is in {} and its company-currency amount could \
                             not be read; it is left out",
                            line.id,
                            journal.foreign_currency.as_deref().unwrap_or_default()
                        ),
                    ));
                    continue;
                }
            }
        }
        out.lines.push(line);
    }
    Ok(out)
}

/// Refuses ids that are not statement lines of the journal.
async fn check_line_ids(
    client: &OdooClient,
    tool: &str,
    journal: &Journal,
    ids: &[i64],
) -> Result<(), ToolError> {
    let mut found = BTreeSet::new();
    for chunk in ids.chunks(CHUNK) {
        let domain = Domain::and(vec![
            leaf(Domain::is_in("id", chunk.iter().copied()))?,
            leaf(Domain::eq("journal_id", journal.id))?,
        ]);
        for row in client
            .search_read(
                "account.bank.statement.line",
                domain.to_value(),
                &["id"],
                Some("id asc"),
                None,
                None,
            )
            .await?
        {
            if let Some(id) = row["id"].as_i64() {
                found.insert(id);
            }
        }
    }
    let foreign: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains(id))
        .map(i64::to_string)
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    Err(ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!(
            "field `statement_line_ids`: {} are not statement lines of journal {} ({})",
            foreign.join(", "),
            journal.id,
            journal.name
        ),
    })
}

/// The company-currency amount of each line of a foreign-currency journal:
/// the balance Odoo booked on the journal's bank account, by move.
async fn bank_balances(
    client: &OdooClient,
    journal: &Journal,
    records: &[Value],
) -> Result<HashMap<i64, Decimal>, ToolError> {
    let mut balances = HashMap::new();
    let Some(account) = journal.default_account else {
        return Ok(balances);
    };
    let moves: Vec<i64> = records
        .iter()
        .filter_map(|r| many2one("move_id", &r["move_id"]).ok().flatten())
        .map(|m| m.id)
        .collect();
    for chunk in moves.chunks(CHUNK) {
        let domain = Domain::and(vec![
            leaf(Domain::is_in("move_id", chunk.iter().copied()))?,
            leaf(Domain::eq("account_id", account))?,
        ]);
        for row in client
            .search_read(
                "account.move.line",
                domain.to_value(),
                &["move_id", "balance"],
                Some("id asc"),
                None,
                None,
            )
            .await?
        {
            let move_id = many2one("move_id", &row["move_id"]).map_err(internal)?;
            let balance = money("balance", &row["balance"]).map_err(internal)?;
            if let (Some(m), Some(balance)) = (move_id, balance) {
                *balances.entry(m.id).or_insert(Decimal::ZERO) += balance;
            }
        }
    }
    Ok(balances)
}

/// The open items read and what went wrong on the way.
#[derive(Debug, Default)]
pub(crate) struct Items {
    pub items: Vec<OpenItem>,
    pub warnings: Vec<Warning>,
}

const ITEM_FIELDS: &[&str] = &[
    "move_id",
    "partner_id",
    "date",
    "date_maturity",
    "amount_residual",
    "amount_residual_currency",
    "currency_id",
];

/// Caps of the candidate reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemCaps {
    /// Open items of the lines' partners.
    pub of_partners: usize,
    /// The most recent open items of other partners (spec 2.2: 2000).
    pub others: u32,
}

/// Open receivable and payable items (spec 2.2): every one of the
/// commercial partners on the lines (their contacts included), plus the most recent others, with their moves'
/// references read in one batch.
pub(crate) async fn read_items(
    client: &OdooClient,
    company_id: i64,
    partners: &[i64],
    caps: ItemCaps,
) -> Result<Items, ToolError> {
    let open = open_domain(company_id)?;
    let mut out = Items::default();
    let mut rows: Vec<Value> = Vec::new();
    if !partners.is_empty() {
        let domain = Domain::and(vec![
            open.clone(),
            leaf(Domain::is_in(
                "partner_id.commercial_partner_id",
                partners.iter().copied(),
            ))?,
        ]);
        let scan = client
            .scan(
                "account.move.line",
                &domain,
                ITEM_FIELDS,
                PAGE,
                caps.of_partners,
            )
            .await?;
        if scan.truncated {
            out.warnings.push(Warning::new(
                TRUNCATED,
                format!(
                    "the first {} of {} open items of the lines' partners were read",
                    scan.records.len(),
                    scan.total
                ),
            ));
        }
        rows.extend(scan.records);
    }
    let mut others = vec![open];
    if !partners.is_empty() {
        others.push(Domain::or(vec![
            leaf(Domain::is_unset("partner_id"))?,
            leaf(Domain::not_in(
                "partner_id.commercial_partner_id",
                partners.iter().copied(),
            ))?,
        ]));
    }
    rows.extend(
        client
            .search_read(
                "account.move.line",
                Domain::and(others).to_value(),
                &with_id(ITEM_FIELDS),
                Some("date desc, id desc"),
                Some(caps.others),
                None,
            )
            .await?,
    );
    let moves: BTreeSet<i64> = rows
        .iter()
        .filter_map(|r| many2one("move_id", &r["move_id"]).ok().flatten())
        .map(|m| m.id)
        .collect();
    let moves: Vec<i64> = moves.into_iter().collect();
    let mut parents: HashMap<i64, Value> = HashMap::new();
    for chunk in moves.chunks(CHUNK) {
        for row in client
            .read(
                "account.move",
                chunk,
                &["name", "ref", "payment_reference", "move_type"],
            )
            .await?
        {
            if let Some(id) = row["id"].as_i64() {
                parents.insert(id, row);
            }
        }
    }
    let none = Value::Null;
    for row in &rows {
        let move_id = many2one("move_id", &row["move_id"])
            .map_err(internal)?
            .map(|m| m.id);
        let parent = move_id.and_then(|id| parents.get(&id)).unwrap_or(&none);
        out.items
            .push(OpenItem::from_move_line_record(row, parent).map_err(internal)?);
    }
    Ok(out)
}

/// Posted, unreconciled receivable or payable items with a residual.
fn open_domain(company_id: i64) -> Result<Domain, ToolError> {
    Ok(Domain::and(vec![
        leaf(Domain::eq("company_id", company_id))?,
        leaf(Domain::eq("parent_state", "posted"))?,
        leaf(Domain::eq("reconciled", false))?,
        leaf(Domain::is_in(
            "account_id.account_type",
            ["asset_receivable", "liability_payable"],
        ))?,
        leaf(Domain::ne("amount_residual", 0))?,
    ]))
}

/// The commercial partner of each partner (itself for a company).
pub(crate) async fn commercial_partners(
    client: &OdooClient,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, ToolError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for row in client
            .read("res.partner", chunk, &["commercial_partner_id"])
            .await?
        {
            let Some(id) = row["id"].as_i64() else {
                continue;
            };
            let commercial = many2one("commercial_partner_id", &row["commercial_partner_id"])
                .map_err(internal)?
                .map_or(id, |c| c.id);
            out.insert(id, commercial);
        }
    }
    Ok(out)
}

fn with_id(fields: &[&'static str]) -> Vec<&'static str> {
    let mut out = fields.to_vec();
    out.push("id");
    out
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn leaf(result: Result<Domain, DomainError>) -> Result<Domain, ToolError> {
    result.map_err(internal)
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
