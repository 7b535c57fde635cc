//! XLSX: one sheet with the title (bold, larger), the note lines, a blank
//! row, then a bold header row frozen in place and the rows as typed cells:
//! numbers as numbers (money with its currency's decimals), percentages as
//! fractions shown with `%`, dates as dates shown `yyyy-mm-dd`. Columns are
//! as wide as their longest shown value, within limits.

use chrono::{Datelike, Timelike};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::table::{Cell, Column, ColumnType, ExportError, Table};

/// The sheet's name.
const SHEET: &str = "Report";
/// Column widths in characters.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

impl Table {
    /// The table as an XLSX workbook.
    pub fn to_xlsx(&self) -> Result<Vec<u8>, ExportError> {
        let mut workbook = Workbook::new();
        let created = excel_datetime(self)?;
        workbook.set_properties(
            &DocProperties::new()
                .set_title(&self.title)
                .set_creation_datetime(&created),
        );
        let sheet = workbook.add_worksheet();
        sheet.set_name(SHEET).map_err(xlsx_error)?;
        self.fill(sheet)?;
        workbook.save_to_buffer().map_err(xlsx_error)
    }

    fn fill(&self, sheet: &mut Worksheet) -> Result<(), ExportError> {
        let title = Format::new().set_bold().set_font_size(14);
        let bold = Format::new().set_bold();
        sheet
            .write_string_with_format(0, 0, &self.title, &title)
            .map_err(xlsx_error)?;
        let mut row: u32 = 1;
        for note in &self.notes {
            sheet.write_string(row, 0, note).map_err(xlsx_error)?;
            row += 1;
        }
        let header = row + 1;
        let formats: Vec<Format> = self.columns().iter().map(cell_format).collect();
        let mut widths: Vec<usize> = self
            .columns()
            .iter()
            .map(|c| c.label.chars().count())
            .collect();
        for (col, column) in self.columns().iter().enumerate() {
            sheet
                .write_string_with_format(header, col_num(col)?, &column.label, &bold)
                .map_err(xlsx_error)?;
        }
        for (offset, cells) in self.rows().iter().enumerate() {
            let at = header + 1 + u32::try_from(offset).map_err(too_many)?;
            for (col, ((column, cell), format)) in
                self.columns().iter().zip(cells).zip(&formats).enumerate()
            {
                let shown = write_cell(sheet, at, col_num(col)?, column, cell, format)?;
                widths[col] = widths[col].max(shown);
            }
        }
        sheet.set_freeze_panes(header + 1, 0).map_err(xlsx_error)?;
        for (col, width) in widths.into_iter().enumerate() {
            let width = (width + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            sheet
                .set_column_width(col_num(col)?, width as f64)
                .map_err(xlsx_error)?;
        }
        Ok(())
    }
}

/// Writes one cell and returns how many characters it shows.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    column: &Column,
    cell: &Cell,
    format: &Format,
) -> Result<usize, ExportError> {
    match cell {
        Cell::Empty => Ok(0),
        Cell::Text(text) => {
            // Strings are always stored as strings: no formula is ever
            // written, whatever the text starts with.
            sheet.write_string(row, col, text).map_err(xlsx_error)?;
            Ok(text.chars().count())
        }
        Cell::Integer(n) => {
            let value = *n as f64;
            sheet
                .write_number_with_format(row, col, value, format)
                .map_err(xlsx_error)?;
            Ok(n.to_string().len() + usize::from(column.kind == ColumnType::Money) * 4)
        }
        Cell::Decimal(value) => {
            let shown = column.rounded(*value);
            let number = match column.kind {
                ColumnType::Percent => value.to_f64().map(|v| v / 100.0),
                _ => value.to_f64(),
            }
            .ok_or_else(|| ExportError::Xlsx(format!("{value} is not a finite number")))?;
            sheet
                .write_number_with_format(row, col, number, format)
                .map_err(xlsx_error)?;
            // Thousands separators add about a third.
            let digits = shown.to_string().len();
            Ok(digits + digits / 3)
        }
        Cell::Date(day) => {
            let date = ExcelDateTime::from_ymd(
                u16::try_from(day.year()).map_err(|_| out_of_range(day))?,
                u8::try_from(day.month()).map_err(|_| out_of_range(day))?,
                u8::try_from(day.day()).map_err(|_| out_of_range(day))?,
            )
            .map_err(xlsx_error)?;
            sheet
                .write_datetime_with_format(row, col, &date, format)
                .map_err(xlsx_error)?;
            Ok(10)
        }
    }
}

/// The number format of a column's cells.
fn cell_format(column: &Column) -> Format {
    let decimals = |places: u32| {
        if places == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(places as usize))
        }
    };
    match column.kind {
        ColumnType::Text => Format::new(),
        ColumnType::Integer => Format::new().set_num_format("#,##0"),
        ColumnType::Number | ColumnType::Money => {
            Format::new().set_num_format(format!("#,##0{}", decimals(column.places)))
        }
        ColumnType::Percent => {
            Format::new().set_num_format(format!("0{}%", decimals(column.places)))
        }
        ColumnType::Date => Format::new().set_num_format("yyyy-mm-dd"),
    }
}

fn excel_datetime(table: &Table) -> Result<ExcelDateTime, ExportError> {
    let at = table.generated_at;
    let date = at.date_naive();
    let bad = || ExportError::Xlsx(format!("{at} is outside Excel's dates"));
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).map_err(|_| bad())?,
        u8::try_from(date.month()).map_err(|_| bad())?,
        u8::try_from(date.day()).map_err(|_| bad())?,
    )
    .and_then(|d| {
        d.and_hms(
            u16::try_from(at.hour()).unwrap_or(0),
            u8::try_from(at.minute()).unwrap_or(0),
            at.second(),
        )
    })
    .map_err(xlsx_error)
}

fn col_num(col: usize) -> Result<u16, ExportError> {
    u16::try_from(col).map_err(|_| ExportError::Xlsx(format!("column {col} is past Excel's last")))
}

fn too_many(_: std::num::TryFromIntError) -> ExportError {
    ExportError::Xlsx("more rows than a sheet holds".to_owned())
}

fn out_of_range(day: &chrono::NaiveDate) -> ExportError {
    ExportError::Xlsx(format!("{day} is outside Excel's dates"))
}

fn xlsx_error(err: XlsxError) -> ExportError {
    ExportError::Xlsx(err.to_string())
}
