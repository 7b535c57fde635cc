//! The typed table every export is written from, and the choice of file
//! format.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::attachment::{Attachment, CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// UTF-8 CSV with a header row.
    Csv,
    /// An Excel workbook with typed cells.
    Xlsx,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => CSV_MEDIA_TYPE,
            Self::Xlsx => XLSX_MEDIA_TYPE,
        }
    }
}

/// What a column holds, which decides how its cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Text,
    /// Whole numbers such as counts.
    Integer,
    /// Decimal numbers that are not money (quantities, averages).
    Number,
    /// Amounts in [`Column::currency`], shown with its decimal places.
    Money,
    /// A percentage as a number of percent: `12.5` is 12.5 %.
    Percent,
    Date,
}

/// One column: its key in the tool's JSON rows, the label users read and
/// its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// ISO code of a money column's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Decimal places shown for number, money and percent columns.
    #[serde(skip)]
    pub places: u32,
}

impl Column {
    pub fn text(key: &str, label: &str) -> Self {
        Self::new(key, label, ColumnType::Text, 0)
    }

    pub fn integer(key: &str, label: &str) -> Self {
        Self::new(key, label, ColumnType::Integer, 0)
    }

    /// A decimal column shown with `places` decimals.
    pub fn number(key: &str, label: &str, places: u32) -> Self {
        Self::new(key, label, ColumnType::Number, places)
    }

    /// Amounts in `currency`, shown with its `places` (2 for EUR, 0 for JPY).
    pub fn money(key: &str, label: &str, currency: &str, places: u32) -> Self {
        Self {
            currency: Some(currency.to_owned()),
            ..Self::new(key, label, ColumnType::Money, places)
        }
    }

    /// Percentages shown with one decimal.
    pub fn percent(key: &str, label: &str) -> Self {
        Self::new(key, label, ColumnType::Percent, 1)
    }

    pub fn date(key: &str, label: &str) -> Self {
        Self::new(key, label, ColumnType::Date, 0)
    }

    fn new(key: &str, label: &str, kind: ColumnType, places: u32) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            kind,
            currency: None,
            places,
        }
    }

    /// Whether `cell` may stand in this column; an empty cell always may.
    fn accepts(&self, cell: &Cell) -> bool {
        matches!(
            (self.kind, cell),
            (_, Cell::Empty)
                | (ColumnType::Text, Cell::Text(_))
                | (ColumnType::Integer, Cell::Integer(_))
                | (ColumnType::Date, Cell::Date(_))
                | (
                    ColumnType::Number | ColumnType::Money | ColumnType::Percent,
                    Cell::Decimal(_) | Cell::Integer(_)
                )
        )
    }

    /// `value` rounded for display (half away from zero, spec 0.3), with
    /// exactly the column's places: `150.50`, `0.00`.
    pub(crate) fn rounded(&self, value: Decimal) -> Decimal {
        let mut rounded =
            value.round_dp_with_strategy(self.places, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.places);
        rounded
    }
}

/// One value. Amounts stay exact decimals until they are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    Decimal(Decimal),
    Date(NaiveDate),
}

/// A title, a few lines saying what the table is (period, filters,
/// generation time), typed columns and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    /// Lines shown under the title in the workbook (not in CSV, which has
    /// only the header and the rows).
    pub notes: Vec<String>,
    /// When the figures were read; the workbook's creation time, so the
    /// same table always gives the same file.
    pub generated_at: DateTime<Utc>,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

/// Why a table could not be built or written.
#[derive(Debug, Error)]
pub enum ExportError {
    /// A row does not fit the columns: a programming error of the caller.
    #[error("export row {row}: {message}")]
    Shape { row: usize, message: String },
    #[error("writing csv failed: {0}")]
    Csv(String),
    #[error("writing xlsx failed: {0}")]
    Xlsx(String),
}

impl Table {
    pub fn new(title: &str, generated_at: DateTime<Utc>, columns: Vec<Column>) -> Self {
        Self {
            title: title.to_owned(),
            notes: Vec::new(),
            generated_at,
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a line under the title.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Appends a row; its cells must match the columns in number and type.
    pub fn push(&mut self, row: Vec<Cell>) -> Result<(), ExportError> {
        let at = self.rows.len();
        if row.len() != self.columns.len() {
            return Err(ExportError::Shape {
                row: at,
                message: format!("{} cells for {} columns", row.len(), self.columns.len()),
            });
        }
        if let Some((column, cell)) = self
            .columns
            .iter()
            .zip(&row)
            .find(|(column, cell)| !column.accepts(cell))
        {
            return Err(ExportError::Shape {
                row: at,
                message: format!(
                    "column {} ({:?}) cannot hold {cell:?}",
                    column.key, column.kind
                ),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// The table as a file named `<base_name>.<extension>`.
    pub fn to_attachment(
        &self,
        format: ExportFormat,
        base_name: &str,
    ) -> Result<Attachment, ExportError> {
        let bytes = match format {
            ExportFormat::Csv => self.to_csv()?,
            ExportFormat::Xlsx => self.to_xlsx()?,
        };
        Ok(Attachment {
            file_name: format!("{}.{}", file_stem(base_name), format.extension()),
            media_type: format.media_type().to_owned(),
            bytes,
        })
    }
}

/// `name` reduced to a safe file name stem: lowercase letters, digits and
/// `_`, at most 80 characters, never empty.
pub(crate) fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.ends_with('_') && !stem.is_empty() {
            stem.push('_');
        }
        if stem.len() >= 80 {
            break;
        }
    }
    let stem = stem.trim_end_matches('_');
    if stem.is_empty() {
        "export".to_owned()
    } else {
        stem.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::new(
            "t",
            DateTime::UNIX_EPOCH,
            vec![
                Column::text("name", "Name"),
                Column::money("amount", "Amount", "EUR", 2),
            ],
        )
    }

    #[test]
    fn rows_must_fit_the_columns() {
        let mut t = table();
        t.push(vec![Cell::Text("a".into()), Cell::Decimal(Decimal::ONE)])
            .unwrap();
        t.push(vec![Cell::Empty, Cell::Empty]).unwrap();
        let short = t.push(vec![Cell::Text("b".into())]).unwrap_err();
        assert_eq!(short.to_string(), "export row 2: 1 cells for 2 columns");
        let wrong = t
            .push(vec![
                Cell::Decimal(Decimal::ONE),
                Cell::Decimal(Decimal::ONE),
            ])
            .unwrap_err();
        assert!(wrong.to_string().contains("column name (Text)"), "{wrong}");
        assert_eq!(t.rows().len(), 2);
    }

    #[test]
    fn file_names_are_safe_stems() {
        assert_eq!(
            file_stem("Sales by product, Q4 2025!"),
            "sales_by_product_q4_2025"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc_passwd");
        assert_eq!(file_stem("   "), "export");
    }

    #[test]
    fn money_rounds_half_away_from_zero() {
        let c = Column::money("a", "A", "EUR", 2);
        assert_eq!(c.rounded(Decimal::new(-10005, 3)), Decimal::new(-1001, 2));
        assert_eq!(c.rounded(Decimal::new(10005, 3)), Decimal::new(1001, 2));
    }
}
