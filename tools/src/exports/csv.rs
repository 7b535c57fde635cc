//! CSV: UTF-8, one header row of column labels, then the rows. Amounts are
//! rounded to their column's places with a `.` decimal point, dates are
//! `YYYY-MM-DD`, empty cells are empty fields.

use super::table::{Cell, Column, ExportError, Table};

impl Table {
    /// The table as CSV bytes.
    pub fn to_csv(&self) -> Result<Vec<u8>, ExportError> {
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        writer
            .write_record(self.columns().iter().map(|c| c.label.as_str()))
            .map_err(csv_error)?;
        for row in self.rows() {
            let fields: Vec<String> = self
                .columns()
                .iter()
                .zip(row)
                .map(|(column, cell)| field(column, cell))
                .collect();
            writer.write_record(&fields).map_err(csv_error)?;
        }
        writer
            .into_inner()
            .map_err(|err| ExportError::Csv(err.to_string()))
    }
}

fn field(column: &Column, cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(text) => defused(text),
        Cell::Integer(n) => n.to_string(),
        Cell::Decimal(value) => column.rounded(*value).to_string(),
        Cell::Date(day) => day.format("%Y-%m-%d").to_string(),
    }
}

/// Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a leading `'`, so a partner named
/// `=HYPERLINK(..)` stays text when the file is opened.
fn defused(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn csv_error(err: ::csv::Error) -> ExportError {
    ExportError::Csv(err.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate};
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn csv_has_a_header_rounded_amounts_and_iso_dates() {
        let mut table = Table::new(
            "Sales",
            DateTime::UNIX_EPOCH,
            vec![
                Column::text("name", "Customer, name"),
                Column::integer("count", "Orders"),
                Column::money("amount", "Amount", "EUR", 2),
                Column::date("day", "Day"),
            ],
        );
        table
            .push(vec![
                Cell::Text("Avocet \"Marine\"".into()),
                Cell::Integer(3),
                Cell::Decimal(Decimal::new(1234565, 3)),
                Cell::Date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()),
            ])
            .unwrap();
        table
            .push(vec![
                Cell::Text("=1+1".into()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
            ])
            .unwrap();
        let text = String::from_utf8(table.to_csv().unwrap()).unwrap();
        assert_eq!(
            text,
            "\"Customer, name\",Orders,Amount,Day\n\"Avocet \"\"Marine\"\"\",3,1234.57,2026-02-28\n'=1+1,,,\n"
        );
    }
}
