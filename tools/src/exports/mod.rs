//! Tables a tool hands out as files: a typed [`Table`] (text, integer,
//! number, money, percent and date columns) written as CSV or XLSX and
//! wrapped in an [`crate::attachment::Attachment`], so the bytes travel
//! beside the tool's JSON output and never reach the model.
//!
//! This module knows nothing of Odoo or of any tool: callers build the
//! table from their computed result.

mod csv;
mod table;
mod xlsx;

pub use table::{Cell, Column, ColumnType, ExportError, ExportFormat, Table};
