//! The arguments of `cash_flow_forecast` as the model sends them (spec
//! 5.1), and their checks: every refusal names the argument and the
//! accepted range (`INVALID_ARGUMENT`).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Deserialize;

use super::compute::Granularity;
use super::scenario::{Adjustment, AdjustmentArg, check_adjustments};
use crate::ToolError;

/// Most adjustments one scenario may hold.
pub(crate) const MAX_ADJUSTMENTS: usize = 50;

/// Arguments of `cash_flow_forecast`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CashFlowForecastArgs {
    /// Days to project after as_of, 7 to 365. Default 90. Example: 30
    #[serde(default)]
    #[schemars(range(min = 7, max = 365))]
    pub horizon_days: Option<u32>,
    /// Day whose closing bank balance starts the projection, YYYY-MM-DD,
    /// not after today. Default today in the company's time zone.
    /// Example: "2026-03-16"
    #[serde(default)]
    pub as_of: Option<String>,
    /// "day" (default) gives one point per day; "week" one per week,
    /// weeks ending on Sunday, with the balance at the week's end.
    #[serde(default)]
    pub granularity: Option<Granularity>,
    /// Odoo ids of the bank and cash journals (account.journal) whose
    /// balance is the opening balance. Default all bank and cash journals
    /// of the company. Example: [7]
    #[serde(default)]
    pub journal_ids: Option<Vec<i64>>,
    /// Count open opportunities weighted by probability. Default true.
    #[serde(default)]
    pub include_pipeline: Option<bool>,
    /// Count vendor bills that recur (weekly to quarterly, stable amount).
    /// Default true.
    #[serde(default)]
    pub include_recurring: Option<bool>,
    /// A balance below this amount (company currency) is a cash gap.
    /// Default 0. Example: 10000
    #[serde(default)]
    pub threshold: Option<serde_json::Number>,
    /// Width of the uncertainty band as a share, 0 to 1. Default 0.15.
    /// Example: 0.2
    #[serde(default)]
    pub band_width: Option<serde_json::Number>,
    /// Days from an opportunity's expected close (or an order's date) to
    /// the cash, 0 to 180. Default 30. Example: 45
    #[serde(default)]
    #[schemars(range(min = 0, max = 180))]
    pub payment_lag_days: Option<u32>,
    /// Days after as_of when an overdue receivable is assumed paid, 0 to
    /// 365. Default 7. Example: 14
    #[serde(default)]
    #[schemars(range(min = 0, max = 365))]
    pub overdue_lag_days: Option<u32>,
    /// Share, 0 to 1, of a receivable more than 90 days overdue that is
    /// still expected to be paid; the rest is reported as
    /// `overdue.doubtful_excluded`. Default from configuration (1: no
    /// haircut). Example: 0.5
    #[serde(default)]
    pub doubtful_factor: Option<serde_json::Number>,
    /// What-if adjustments applied to a copy of the same figures; the
    /// result adds `impact` (change of the end balance, lowest balance,
    /// cash gaps). Example: [{"kind": "delay_customer", "partner_id": 42,
    /// "days": 30}]
    #[serde(default)]
    pub scenario: Option<Vec<AdjustmentArg>>,
    /// Odoo id of the company to forecast. Default the user's current
    /// company. Example: 1
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub company_id: Option<i64>,
}

/// The arguments once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub horizon_days: u32,
    pub as_of: Option<NaiveDate>,
    pub granularity: Granularity,
    pub journal_ids: Option<Vec<i64>>,
    pub include_pipeline: bool,
    pub include_recurring: bool,
    pub threshold: Decimal,
    pub band_width: Decimal,
    pub payment_lag_days: u32,
    pub overdue_lag_days: u32,
    /// `None`: the configured haircut.
    pub doubtful_factor: Option<Decimal>,
    pub scenario: Vec<Adjustment>,
    pub company_id: Option<i64>,
}

/// Checks everything that needs no Odoo call.
pub(crate) fn check(tool: &str, args: CashFlowForecastArgs) -> Result<Request, ToolError> {
    let invalid = |field: &str, message: String| invalid_arg(tool, field, &message);
    let horizon_days = args.horizon_days.unwrap_or(90);
    if !(7..=365).contains(&horizon_days) {
        return Err(invalid(
            "horizon_days",
            format!("must be between 7 and 365, got {horizon_days}"),
        ));
    }
    let as_of = match args.as_of.as_deref() {
        None => None,
        Some(text) => Some(parse_date(text).ok_or_else(|| {
            invalid(
                "as_of",
                format!("must be a date YYYY-MM-DD not after today, got {text:?}"),
            )
        })?),
    };
    let journal_ids = match args.journal_ids {
        None => None,
        Some(ids) if ids.is_empty() => {
            return Err(invalid(
                "journal_ids",
                "must list at least one journal id, or be left out for all bank and cash \
                 journals"
                    .to_owned(),
            ));
        }
        Some(ids) => {
            if let Some(bad) = ids.iter().find(|id| **id < 1) {
                return Err(invalid(
                    "journal_ids",
                    format!("must hold positive ids, got {bad}"),
                ));
            }
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
    };
    let threshold = match &args.threshold {
        None => Decimal::ZERO,
        Some(number) => decimal(number).ok_or_else(|| {
            invalid(
                "threshold",
                format!("must be a decimal number, got {number}"),
            )
        })?,
    };
    let band_width = match &args.band_width {
        None => Decimal::new(15, 2),
        Some(number) => decimal(number)
            .filter(|w| (Decimal::ZERO..=Decimal::ONE).contains(w))
            .ok_or_else(|| {
                invalid(
                    "band_width",
                    format!("must be between 0 and 1, got {number}"),
                )
            })?,
    };
    let payment_lag_days = args.payment_lag_days.unwrap_or(30);
    if payment_lag_days > 180 {
        return Err(invalid(
            "payment_lag_days",
            format!("must be between 0 and 180, got {payment_lag_days}"),
        ));
    }
    let overdue_lag_days = args.overdue_lag_days.unwrap_or(7);
    if overdue_lag_days > 365 {
        return Err(invalid(
            "overdue_lag_days",
            format!("must be between 0 and 365, got {overdue_lag_days}"),
        ));
    }
    let doubtful_factor = match &args.doubtful_factor {
        None => None,
        Some(number) => Some(
            decimal(number)
                .filter(|f| (Decimal::ZERO..=Decimal::ONE).contains(f))
                .ok_or_else(|| {
                    invalid(
                        "doubtful_factor",
                        format!("must be between 0 and 1, got {number}"),
                    )
                })?,
        ),
    };
    let scenario = args.scenario.unwrap_or_default();
    if scenario.len() > MAX_ADJUSTMENTS {
        return Err(invalid(
            "scenario",
            format!(
                "holds at most {MAX_ADJUSTMENTS} adjustments, got {}",
                scenario.len()
            ),
        ));
    }
    let scenario = check_adjustments(tool, scenario)?;
    if let Some(id) = args.company_id.filter(|id| *id < 1) {
        return Err(invalid(
            "company_id",
            format!("must be a positive id, got {id}"),
        ));
    }
    Ok(Request {
        horizon_days,
        as_of,
        granularity: args.granularity.unwrap_or_default(),
        journal_ids,
        include_pipeline: args.include_pipeline.unwrap_or(true),
        include_recurring: args.include_recurring.unwrap_or(true),
        threshold,
        band_width,
        payment_lag_days,
        overdue_lag_days,
        doubtful_factor,
        scenario,
        company_id: args.company_id,
    })
}

/// `INVALID_ARGUMENT` naming `field`.
pub(crate) fn invalid_arg(tool: &str, field: &str, message: &str) -> ToolError {
    ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    }
}

/// A JSON number as an exact decimal (`0.1` stays 0.1).
pub(crate) fn decimal(number: &serde_json::Number) -> Option<Decimal> {
    let text = number.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}

pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(value: serde_json::Value) -> Result<Request, ToolError> {
        let args: CashFlowForecastArgs = serde_json::from_value(value).unwrap();
        check("cash_flow_forecast", args)
    }

    fn refusal(value: serde_json::Value) -> String {
        let err = run(value).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        err.to_string()
    }

    #[test]
    fn defaults_are_the_specs() {
        assert_eq!(
            run(json!({})).unwrap(),
            Request {
                horizon_days: 90,
                as_of: None,
                granularity: Granularity::Day,
                journal_ids: None,
                include_pipeline: true,
                include_recurring: true,
                threshold: Decimal::ZERO,
                band_width: Decimal::new(15, 2),
                payment_lag_days: 30,
                overdue_lag_days: 7,
                doubtful_factor: None,
                scenario: vec![],
                company_id: None,
            }
        );
    }

    #[test]
    fn given_values_are_kept_exactly() {
        let request = run(json!({"horizon_days": 30, "as_of": "2026-03-16",
            "granularity": "week", "journal_ids": [9, 7, 9], "include_pipeline": false,
            "threshold": 10000.5, "band_width": 0.1, "payment_lag_days": 0,
            "overdue_lag_days": 14, "doubtful_factor": 0.25}))
        .unwrap();
        assert_eq!(request.doubtful_factor, Some(Decimal::new(25, 2)));
        assert_eq!(request.horizon_days, 30);
        assert_eq!(request.as_of, NaiveDate::from_ymd_opt(2026, 3, 16));
        assert_eq!(request.granularity, Granularity::Week);
        assert_eq!(request.journal_ids, Some(vec![7, 9]));
        assert!(!request.include_pipeline);
        assert_eq!(request.threshold, Decimal::new(100005, 1));
        assert_eq!(request.band_width, Decimal::new(1, 1));
        assert_eq!(request.payment_lag_days, 0);
        assert_eq!(request.overdue_lag_days, 14);
    }

    #[test]
    fn out_of_range_arguments_name_the_argument_and_range() {
        for (args, field, range) in [
            (json!({"horizon_days": 6}), "horizon_days", "7 and 365"),
            (json!({"horizon_days": 366}), "horizon_days", "7 and 365"),
            (json!({"band_width": 1.5}), "band_width", "0 and 1"),
            (json!({"band_width": -0.1}), "band_width", "0 and 1"),
            (
                json!({"payment_lag_days": 181}),
                "payment_lag_days",
                "0 and 180",
            ),
            (
                json!({"overdue_lag_days": 366}),
                "overdue_lag_days",
                "0 and 365",
            ),
            (
                json!({"doubtful_factor": 1.01}),
                "doubtful_factor",
                "0 and 1",
            ),
            (
                json!({"doubtful_factor": -0.5}),
                "doubtful_factor",
                "0 and 1",
            ),
            (json!({"as_of": "16/03/2026"}), "as_of", "YYYY-MM-DD"),
            (json!({"journal_ids": []}), "journal_ids", "at least one"),
            (json!({"journal_ids": [0]}), "journal_ids", "positive"),
            (json!({"company_id": 0}), "company_id", "positive"),
        ] {
            let message = refusal(args);
            assert!(message.contains(&format!("`{field}`")), "{message}");
            assert!(message.contains(range), "{message}");
        }
        assert!(run(json!({"horizon_days": 7})).is_ok());
        assert!(run(json!({"horizon_days": 365, "band_width": 1})).is_ok());
    }

    #[test]
    fn unknown_arguments_are_rejected_by_the_schema() {
        let parsed: Result<CashFlowForecastArgs, _> =
            serde_json::from_value(json!({"horizon": 30}));
        assert!(parsed.is_err());
    }
}
