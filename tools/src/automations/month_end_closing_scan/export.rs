//! The closing checklist as a file: one row per record a check cites (as
//! many as `detail_limit` lists), and one row for each check citing none,
//! so every check of the scan appears in the file.

use chrono::{DateTime, Utc};

use super::compute::{Severity, Status};
use super::tool::ClosingData;
use crate::exports::{Cell, Column, ExportError, Table};

/// The checklist of `data` as an export table.
pub(crate) fn checklist_table(
    data: &ClosingData,
    currency: &str,
    places: u32,
    generated_at: DateTime<Utc>,
) -> Result<Table, ExportError> {
    let mut table = Table::new(
        &format!("Month-end closing {}", data.period),
        generated_at,
        vec![
            Column::integer("order", "#"),
            Column::text("check", "Check"),
            Column::text("severity", "Severity"),
            Column::text("status", "Status"),
            Column::integer("item_count", "Records in check"),
            Column::text("record", "Record"),
            Column::date("date", "Date"),
            Column::text("partner", "Partner"),
            Column::money("amount", "Amount", currency, places),
            Column::text("flags", "Flags"),
            Column::text("link", "Link"),
        ],
    )
    .with_note(format!(
        "Readiness {} %, risk {}, {} records",
        data.readiness,
        data.risk_level.as_str(),
        data.total_items
    ))
    .with_note("Records per check are listed up to detail_limit; counts cover all");
    for check in &data.checks {
        let head = || {
            vec![
                Cell::Integer(i64::from(check.order)),
                Cell::Text(check.label.clone()),
                Cell::Text(severity(check.severity).to_owned()),
                Cell::Text(status(check.status).to_owned()),
                Cell::Integer(i64::try_from(check.item_count).unwrap_or(i64::MAX)),
            ]
        };
        if check.items.is_empty() {
            let mut cells = head();
            cells.extend([
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                check.amount.map_or(Cell::Empty, Cell::Decimal),
                Cell::Empty,
                Cell::Empty,
            ]);
            table.push(cells)?;
        }
        for item in &check.items {
            let mut cells = head();
            cells.extend([
                Cell::Text(item.name.clone()),
                item.date.map_or(Cell::Empty, Cell::Date),
                item.partner
                    .as_ref()
                    .and_then(|p| p.name.clone())
                    .map_or(Cell::Empty, Cell::Text),
                item.amount.map_or(Cell::Empty, Cell::Decimal),
                Cell::Text(item.flags.join(", ")),
                Cell::Text(item.link.clone()),
            ]);
            table.push(cells)?;
        }
    }
    Ok(table)
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Attention => "attention",
        Status::Manual => "manual",
        Status::NotApplicable => "not applicable",
        Status::Error => "error",
    }
}
