//! The arguments of `daily_digest` as the model (or the scheduler) sends
//! them, and their checks: every refusal names the argument and the
//! accepted values (`INVALID_ARGUMENT`).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ToolError;

/// Arguments of `daily_digest`. The scheduler sends
/// `{"role", "date", "company_id"?}` (spec 7.6).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyDigestArgs {
    /// Whose briefing: "cfo" (receivables, payables, cash), "sales_manager"
    /// (pipeline, deals at risk, won and lost, overdue activities) or
    /// "warehouse_manager" (stock-outs, reordering, deliveries, receipts).
    pub role: DigestRole,
    /// The day of the briefing, YYYY-MM-DD, not after today. Default today
    /// in the company's time zone. Example: "2026-03-16"
    #[serde(default)]
    pub date: Option<String>,
    /// Odoo id of the company. Default the user's current company.
    /// Example: 1
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub company_id: Option<i64>,
    /// Let a model write the headline and summary (checked against the
    /// figures; the template is used otherwise). Default true.
    #[serde(default)]
    pub narrative: Option<bool>,
}

/// The roles a digest is written for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DigestRole {
    #[serde(alias = "finance")]
    Cfo,
    #[serde(alias = "sales")]
    SalesManager,
    #[serde(alias = "warehouse")]
    WarehouseManager,
}

impl DigestRole {
    /// The stable name stored with the figures: `cfo`, `sales_manager`,
    /// `warehouse_manager`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cfo => "cfo",
            Self::SalesManager => "sales_manager",
            Self::WarehouseManager => "warehouse_manager",
        }
    }

    /// As the template headline names it.
    pub fn title(self) -> &'static str {
        match self {
            Self::Cfo => "CFO",
            Self::SalesManager => "Sales manager",
            Self::WarehouseManager => "Warehouse manager",
        }
    }
}

/// The arguments once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub role: DigestRole,
    pub date: Option<NaiveDate>,
    pub company_id: Option<i64>,
    pub narrative: bool,
}

/// Checks everything that needs no Odoo call; "not after today" needs the
/// company's zone and is checked by the tool.
pub(crate) fn check(tool: &str, args: DailyDigestArgs) -> Result<Request, ToolError> {
    let date = match args.date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            invalid(
                tool,
                "date",
                &format!("must be a date YYYY-MM-DD not after today, got {text:?}"),
            )
        })?),
    };
    if let Some(id) = args.company_id.filter(|id| *id < 1) {
        return Err(invalid(
            tool,
            "company_id",
            &format!("must be a positive id, got {id}"),
        ));
    }
    Ok(Request {
        role: args.role,
        date,
        company_id: args.company_id,
        narrative: args.narrative.unwrap_or(true),
    })
}

pub(crate) fn invalid(tool: &str, field: &str, message: &str) -> ToolError {
    ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(value: serde_json::Value) -> Result<Request, ToolError> {
        let args: DailyDigestArgs =
            serde_json::from_value(value).map_err(|err| ToolError::InvalidArgs {
                tool: "daily_digest".into(),
                message: err.to_string(),
            })?;
        check("daily_digest", args)
    }

    #[test]
    fn the_schedulers_arguments_are_accepted() {
        let request = run(json!({"role": "cfo", "date": "2026-03-16", "company_id": 1})).unwrap();
        assert_eq!(
            request,
            Request {
                role: DigestRole::Cfo,
                date: NaiveDate::from_ymd_opt(2026, 3, 16),
                company_id: Some(1),
                narrative: true,
            }
        );
        let request = run(json!({"role": "warehouse", "narrative": false})).unwrap();
        assert_eq!(request.role, DigestRole::WarehouseManager);
        assert!(!request.narrative);
        assert_eq!(request.date, None);
    }

    #[test]
    fn an_unknown_role_lists_the_roles() {
        let err = run(json!({"role": "ceo"})).unwrap_err().to_string();
        for role in ["cfo", "sales_manager", "warehouse_manager"] {
            assert!(err.contains(role), "{err}");
        }
    }

    #[test]
    fn bad_dates_and_ids_name_the_argument() {
        let err = run(json!({"role": "cfo", "date": "16/03/2026"})).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        assert!(err.to_string().contains("`date`"), "{err}");
        let err = run(json!({"role": "cfo", "company_id": 0})).unwrap_err();
        assert!(err.to_string().contains("`company_id`"), "{err}");
        assert!(run(json!({"role": "cfo", "colour": "red"})).is_err());
    }
}
