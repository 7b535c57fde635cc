//! CSV and XLSX exports read back: the values, their types and the layout
//! (bold frozen header, number formats, widths) survive the round trip.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, NaiveDate};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use tools::attachment::{CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE};
use tools::exports::{Cell, Column, ExportFormat, Table};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Two customers' sales with every column type.
fn sales() -> Table {
    let generated_at = DateTime::from_timestamp(1_796_526_000, 0).unwrap();
    let mut table = Table::new(
        "Sales by customer, Q4 2026",
        generated_at,
        vec![
            Column::text("customer", "Customer"),
            Column::integer("count", "Orders"),
            Column::number("qty", "Quantity", 2),
            Column::money("amount", "Untaxed amount", "EUR", 2),
            Column::percent("delta_pct", "Change %"),
            Column::date("last", "Last order"),
        ],
    )
    .with_note("Generated 2026-12-06 03:00 UTC")
    .with_note("Period 2026-10-01 to 2026-12-31");
    table
        .push(vec![
            Cell::Text("Avocet Marine, Rotterdam".into()),
            Cell::Integer(12),
            Cell::Decimal(Decimal::new(1505, 1)),
            Cell::Decimal(Decimal::new(12_345_675, 3)),
            Cell::Decimal(Decimal::new(125, 1)),
            Cell::Date(day(2026, 12, 3)),
        ])
        .unwrap();
    table
        .push(vec![
            Cell::Text("Zeeland Ropes".into()),
            Cell::Integer(1),
            Cell::Decimal(Decimal::ZERO),
            Cell::Decimal(Decimal::new(-9_999, 2)),
            Cell::Empty,
            Cell::Empty,
        ])
        .unwrap();
    table
}

#[test]
fn csv_round_trip_keeps_labels_and_displayed_values() {
    let attachment = sales()
        .to_attachment(ExportFormat::Csv, "Sales by customer, Q4 2026")
        .unwrap();
    assert_eq!(attachment.file_name, "sales_by_customer_q4_2026.csv");
    assert_eq!(attachment.media_type, CSV_MEDIA_TYPE);
    let mut reader = csv::Reader::from_reader(attachment.bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "Customer",
            "Orders",
            "Quantity",
            "Untaxed amount",
            "Change %",
            "Last order"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![
                "Avocet Marine, Rotterdam",
                "12",
                "150.50",
                "12345.68",
                "12.5",
                "2026-12-03"
            ],
            vec!["Zeeland Ropes", "1", "0.00", "-99.99", "", ""],
        ]
    );
}

#[test]
fn xlsx_round_trip_has_typed_cells_title_and_notes() {
    let attachment = sales()
        .to_attachment(ExportFormat::Xlsx, "Sales by customer, Q4 2026")
        .unwrap();
    assert_eq!(attachment.file_name, "sales_by_customer_q4_2026.xlsx");
    assert_eq!(attachment.media_type, XLSX_MEDIA_TYPE);
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(&attachment.bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["Report"]);
    let range = workbook.worksheet_range("Report").unwrap();
    let at = |row: u32, col: u32| range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(0, 0), Data::String("Sales by customer, Q4 2026".into()));
    assert_eq!(
        at(1, 0),
        Data::String("Generated 2026-12-06 03:00 UTC".into())
    );
    assert_eq!(
        at(2, 0),
        Data::String("Period 2026-10-01 to 2026-12-31".into())
    );
    assert_eq!(at(3, 0), Data::Empty);
    // Header on row 4, data from row 5.
    assert_eq!(at(4, 3), Data::String("Untaxed amount".into()));
    assert_eq!(at(5, 0), Data::String("Avocet Marine, Rotterdam".into()));
    assert_eq!(at(5, 1), Data::Float(12.0));
    assert_eq!(at(5, 2), Data::Float(150.5));
    // The exact amount is stored; the format rounds it for display.
    assert_eq!(at(5, 3), Data::Float(12_345.675));
    // Percentages are fractions shown with %.
    assert_eq!(at(5, 4), Data::Float(0.125));
    let Data::DateTime(date) = at(5, 5) else {
        panic!("the date cell is not a date: {:?}", at(5, 5));
    };
    assert_eq!(date.as_datetime().unwrap().date(), day(2026, 12, 3));
    assert_eq!(at(6, 3), Data::Float(-99.99));
    assert_eq!(at(6, 4), Data::Empty);
    assert_eq!(range.height(), 7);
}

#[test]
fn xlsx_header_is_bold_and_frozen_and_cells_carry_number_formats() {
    let bytes = sales().to_xlsx().unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let styles = workbook.worksheet_style("Report").unwrap();
    let style = |row: u32, col: u32| styles.get((row, col)).cloned().unwrap_or_default();
    let bold = |row: u32, col: u32| style(row, col).font.is_some_and(|f| f.is_bold());
    assert!(bold(0, 0), "title");
    assert!((0..6).all(|col| bold(4, col)), "header");
    assert!(!bold(5, 0), "data");
    let format = |row: u32, col: u32| {
        style(row, col)
            .number_format
            .map(|f| f.format_code)
            .unwrap_or_default()
    };
    assert_eq!(format(5, 1), "#,##0");
    assert_eq!(format(5, 2), "#,##0.00");
    assert_eq!(format(5, 3), "#,##0.00");
    assert_eq!(format(5, 4), "0.0%");
    assert_eq!(format(5, 5), "yyyy-mm-dd");

    let sheet = sheet_xml(&bytes);
    assert!(
        sheet.contains(
            r#"<pane ySplit="5" topLeftCell="A6" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{sheet}"
    );
    // The customer column is as wide as its longest name (24 characters + 2).
    assert!(
        sheet.contains(r#"<col min="1" max="1" width="26.7109375" customWidth="1"/>"#),
        "{sheet}"
    );
}

#[test]
fn the_same_table_gives_the_same_workbook() {
    assert_eq!(sales().to_xlsx().unwrap(), sales().to_xlsx().unwrap());
}

#[test]
fn an_empty_table_exports_its_header_only() {
    let table = Table::new(
        "Nothing",
        DateTime::UNIX_EPOCH,
        vec![
            Column::text("name", "Name"),
            Column::integer("count", "Count"),
        ],
    );
    assert_eq!(
        String::from_utf8(table.to_csv().unwrap()).unwrap(),
        "Name,Count\n"
    );
    let bytes = table.to_xlsx().unwrap();
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(&bytes)).unwrap();
    let range = workbook.worksheet_range("Report").unwrap();
    assert_eq!(range.get_value((2, 1)), Some(&Data::String("Count".into())));
    assert_eq!(range.height(), 3);
}

fn sheet_xml(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut file = archive.by_name("xl/worksheets/sheet1.xml").unwrap();
    let mut xml = String::new();
    file.read_to_string(&mut xml).unwrap();
    xml
}
