//! What `nl_report` returns (spec 6.5): the interpretation of the question,
//! typed columns, rows and Odoo's totals inside the envelope, the export
//! file beside it (never in the JSON the model reads), and a deterministic
//! summary.

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use super::catalog::Dataset;
use super::period::PeriodRange;
use super::plan::{Compare, ReportPlan};
use crate::Summarize;
use crate::attachment::{Attachment, AttachmentInfo};
use crate::automations::{Envelope, MAX_SUMMARY_CHARS, clip};
use crate::exports::Column;
use crate::proposals::Proposal;

/// Where the plan came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanSource {
    /// The model gave the plan.
    Llm,
    /// The keyword planner made it (no model, or no plan given).
    KeywordFallback,
    /// A saved plan run by a schedule: a person saved it, no model planned
    /// this run.
    SavedPlan,
}

/// How the question was understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interpretation {
    pub dataset: Dataset,
    /// The Odoo model read (a base model when the reporting view is absent).
    pub model: String,
    /// The default filter and the plan's filters, as people read them.
    pub filters: Vec<String>,
    /// `None` means all dates.
    pub period: Option<PeriodRange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<ComparedPeriod>,
    pub source: PlanSource,
    /// The plan as run, to save for a schedule.
    pub plan: ReportPlan,
}

/// The comparison period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparedPeriod {
    pub mode: Compare,
    pub period: PeriodRange,
}

/// The payload of `nl_report`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NlReportData {
    pub title: String,
    pub interpretation: Interpretation,
    pub columns: Vec<Column>,
    /// One object per row, keyed by column key.
    pub rows: Vec<Map<String, Value>>,
    /// Totals over every matching record, keyed by measure column key.
    pub totals: Map<String, Value>,
    /// Rows before any limit.
    pub row_count: usize,
    pub truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentInfo>,
}

/// The envelope and the export file, which travels outside the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NlReportOutput {
    #[serde(flatten)]
    pub envelope: Envelope<NlReportData>,
    #[serde(skip)]
    pub files: Vec<Attachment>,
}

impl Summarize for NlReportOutput {
    fn summary(&self) -> String {
        self.envelope.summary.clone()
    }

    fn proposals(&self) -> Vec<Proposal> {
        Vec::new()
    }

    fn attachments(&self) -> Vec<Attachment> {
        self.files.clone()
    }
}

/// At most this many rows are named in the summary.
const SUMMARY_ROWS: usize = 5;

/// The summary: what was read, the totals, the first rows and the file.
pub(crate) fn summary(data: &NlReportData, dimensions: usize) -> String {
    let period = data.interpretation.period.as_ref().map_or_else(
        || "all dates".to_owned(),
        |p| format!("{} ({} to {})", p.label, p.from, p.to),
    );
    let mut text = format!("{}: {period}", data.title);
    if data.row_count == 0 {
        text.push_str(". No records match");
        if !data.interpretation.filters.is_empty() {
            text.push_str(&format!(" {}", data.interpretation.filters.join("; ")));
        }
        text.push('.');
        return clip(&text, MAX_SUMMARY_CHARS);
    }
    let measures = &data.columns[dimensions..];
    let totals: Vec<String> = measures
        .iter()
        .filter(|c| !c.key.ends_with("_delta_pct") && !c.key.ends_with("_prev"))
        .filter_map(|c| {
            Some(format!(
                "{} {}",
                c.label,
                shown(c, data.totals.get(&c.key)?)?
            ))
        })
        .collect();
    text.push_str(&format!(". Total: {}", totals.join(", ")));
    if dimensions > 0 {
        let first = measures.first();
        let listed: Vec<String> = data
            .rows
            .iter()
            .take(SUMMARY_ROWS)
            .map(|row| {
                let names: Vec<String> = data.columns[..dimensions]
                    .iter()
                    .filter_map(|c| row.get(&c.key).and_then(Value::as_str).map(str::to_owned))
                    .collect();
                let value = first
                    .and_then(|c| shown(c, row.get(&c.key)?))
                    .unwrap_or_else(|| "-".to_owned());
                format!("{} {value}", names.join(" / "))
            })
            .collect();
        text.push_str(&format!(
            ". {} rows{}: {}",
            data.row_count,
            if data.rows.len() < data.row_count {
                format!(", first {}", data.rows.len().min(SUMMARY_ROWS))
            } else {
                String::new()
            },
            listed.join("; ")
        ));
    }
    if let Some(file) = &data.attachment {
        text.push_str(&format!(". File {} attached", file.file_name));
    }
    text.push('.');
    clip(&text, MAX_SUMMARY_CHARS)
}

/// A JSON cell as text with thousands separators: `12,345.68 EUR`.
fn shown(column: &Column, value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let grouped = match text.parse::<Decimal>() {
        Ok(_) => group_thousands(&text),
        Err(_) => text,
    };
    Some(match &column.currency {
        Some(code) => format!("{grouped} {code}"),
        None if column.kind == crate::exports::ColumnType::Percent => format!("{grouped}%"),
        None => grouped,
    })
}

fn group_thousands(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("-999"), "-999");
        assert_eq!(group_thousands("-1000.00"), "-1,000.00");
    }
}
