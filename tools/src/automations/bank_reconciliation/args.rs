//! The arguments of `bank_reconciliation_suggest` as the model sends them,
//! and their checks (spec 2.1): every refusal names the argument and the
//! accepted range (`INVALID_ARGUMENT`). The checks that need Odoo (the
//! journal's type and company, the lines' journal) run in the tool.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::ToolError;

/// Most lines one call reads (spec 2.1).
pub const MAX_LINES: u32 = 2000;
/// Largest page (spec 2.1).
pub const MAX_PAGE_SIZE: u32 = 200;

/// Arguments of `bank_reconciliation_suggest`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BankReconciliationArgs {
    /// Odoo id of the bank or cash journal (account.journal) whose
    /// unreconciled statement lines are matched. Example: 7
    #[schemars(range(min = 1))]
    pub journal_id: i64,
    /// First statement line date, YYYY-MM-DD. Default: no lower bound.
    /// Example: "2026-03-01"
    #[serde(default)]
    pub date_from: Option<String>,
    /// Last statement line date, YYYY-MM-DD, not before date_from.
    /// Default: no upper bound. Example: "2026-03-31"
    #[serde(default)]
    pub date_to: Option<String>,
    /// Only these statement lines (ids of account.bank.statement.line), all
    /// of the journal. Default: every unreconciled line. Example: [101, 102]
    #[serde(default)]
    pub statement_line_ids: Option<Vec<i64>>,
    /// Suggestions below this confidence (0 to 1) are dropped. Default
    /// 0.30. Example: 0.5
    #[serde(default)]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub min_confidence: Option<f64>,
    /// Most statement lines read, 1 to 2000, oldest first; more are cut
    /// with a warning. Default 200. Example: 500
    #[serde(default)]
    #[schemars(range(min = 1, max = 2000))]
    pub max_lines: Option<u32>,
    /// Whether one payment may settle 2 or 3 open items of its partner
    /// together. Default true.
    #[serde(default)]
    pub allow_splits: Option<bool>,
    /// Page of suggestions, from 1. Default 1. Example: 2
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub page: Option<u32>,
    /// Suggestions per page, 1 to 200. Default 50. Example: 20
    #[serde(default)]
    #[schemars(range(min = 1, max = 200))]
    pub page_size: Option<u32>,
}

/// The arguments once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub journal_id: i64,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub statement_line_ids: Option<Vec<i64>>,
    pub min_confidence: f64,
    pub max_lines: usize,
    pub allow_splits: bool,
    pub page: usize,
    pub page_size: usize,
}

/// Checks everything that needs no Odoo call.
pub(crate) fn check(tool: &str, args: BankReconciliationArgs) -> Result<Request, ToolError> {
    let invalid = |field: &str, message: &str| ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    };
    if args.journal_id < 1 {
        return Err(invalid(
            "journal_id",
            &format!(
                "must be the positive id of a bank or cash journal, got {}",
                args.journal_id
            ),
        ));
    }
    let day = |field: &str, text: &Option<String>| -> Result<Option<NaiveDate>, ToolError> {
        text.as_deref()
            .map(|t| {
                NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| invalid(field, &format!("must be a date YYYY-MM-DD, got {t:?}")))
            })
            .transpose()
    };
    let date_from = day("date_from", &args.date_from)?;
    let date_to = day("date_to", &args.date_to)?;
    if let (Some(from), Some(to)) = (date_from, date_to)
        && from > to
    {
        return Err(invalid(
            "date_to",
            &format!("must not be before date_from ({from}), got {to}"),
        ));
    }
    let statement_line_ids = match args.statement_line_ids {
        None => None,
        Some(ids) if ids.is_empty() => {
            return Err(invalid(
                "statement_line_ids",
                "must list at least one id; leave it out for every line",
            ));
        }
        Some(ids) => {
            if let Some(bad) = ids.iter().find(|id| **id < 1) {
                return Err(invalid(
                    "statement_line_ids",
                    &format!("ids must be positive, got {bad}"),
                ));
            }
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
    };
    let min_confidence = args.min_confidence.unwrap_or(0.30);
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(invalid(
            "min_confidence",
            &format!("must be between 0 and 1, got {min_confidence}"),
        ));
    }
    let max_lines = args.max_lines.unwrap_or(200);
    if !(1..=MAX_LINES).contains(&max_lines) {
        return Err(invalid(
            "max_lines",
            &format!("must be between 1 and {MAX_LINES}, got {max_lines}"),
        ));
    }
    let page = args.page.unwrap_or(1);
    if page < 1 {
        return Err(invalid("page", &format!("must be 1 or more, got {page}")));
    }
    let page_size = args.page_size.unwrap_or(50);
    if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
        return Err(invalid(
            "page_size",
            &format!("must be between 1 and {MAX_PAGE_SIZE}, got {page_size}"),
        ));
    }
    Ok(Request {
        journal_id: args.journal_id,
        date_from,
        date_to,
        statement_line_ids,
        min_confidence,
        max_lines: max_lines as usize,
        allow_splits: args.allow_splits.unwrap_or(true),
        page: page as usize,
        page_size: page_size as usize,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(value: serde_json::Value) -> Result<Request, ToolError> {
        check(
            "bank_reconciliation_suggest",
            serde_json::from_value(value).unwrap(),
        )
    }

    fn message(value: serde_json::Value) -> String {
        match run(value) {
            Err(ToolError::InvalidArgs { message, .. }) => message,
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_the_spec_values() {
        let request = run(json!({"journal_id": 7})).unwrap();
        assert_eq!(
            request,
            Request {
                journal_id: 7,
                date_from: None,
                date_to: None,
                statement_line_ids: None,
                min_confidence: 0.30,
                max_lines: 200,
                allow_splits: true,
                page: 1,
                page_size: 50,
            }
        );
    }

    #[test]
    fn each_refusal_names_its_argument() {
        for (args, field) in [
            (json!({"journal_id": 0}), "`journal_id`"),
            (
                json!({"journal_id": 7, "date_from": "March"}),
                "`date_from`",
            ),
            (
                json!({"journal_id": 7, "date_from": "2026-03-10", "date_to": "2026-03-01"}),
                "`date_to`",
            ),
            (
                json!({"journal_id": 7, "statement_line_ids": []}),
                "`statement_line_ids`",
            ),
            (
                json!({"journal_id": 7, "min_confidence": 1.5}),
                "`min_confidence`",
            ),
            (json!({"journal_id": 7, "max_lines": 2001}), "`max_lines`"),
            (json!({"journal_id": 7, "page": 0}), "`page`"),
            (json!({"journal_id": 7, "page_size": 201}), "`page_size`"),
        ] {
            assert!(message(args.clone()).contains(field), "{args}");
        }
    }
}
