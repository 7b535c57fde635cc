//! The arguments of `credit_check` as the model sends them, and their
//! checks: every refusal names the argument and the accepted range
//! (`INVALID_ARGUMENT`).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Deserialize;

use super::config::{CreditCheckConfig, MAX_TOP};
use crate::ToolError;
use crate::exports::ExportFormat;

/// Arguments of `credit_check`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditCheckArgs {
    /// "partner" (default) checks one customer, given by partner_id or
    /// partner_name. "portfolio" checks every customer with open
    /// receivables and lists the lowest scores and all blocked customers;
    /// leave partner_id, partner_name and order_amount out then.
    #[serde(default)]
    pub mode: Option<CreditMode>,
    /// Odoo id of the customer (res.partner). A contact is evaluated as its
    /// company. Example: 42
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub partner_id: Option<i64>,
    /// The customer's name, when the id is not known; a name that fits
    /// several customers is answered with the candidates to choose from.
    /// Example: "Avocet Marine"
    #[serde(default)]
    #[schemars(length(min = 2, max = 200))]
    pub partner_name: Option<String>,
    /// Amount of the new order, tax included, in order_currency; 0 or
    /// more. Default 0 (score and exposure only). Example: 5000
    #[serde(default)]
    pub order_amount: Option<serde_json::Number>,
    /// ISO code of the order amount's currency. Default the company
    /// currency. Example: "USD"
    #[serde(default)]
    #[schemars(length(min = 3, max = 3))]
    pub order_currency: Option<String>,
    /// Day to evaluate on, YYYY-MM-DD, not after today. Default today in
    /// the company's time zone. Example: "2026-03-16"
    #[serde(default)]
    pub as_of: Option<String>,
    /// Months of payment history to score, 1 to 120. Default 24. Example: 12
    #[serde(default)]
    #[schemars(range(min = 1, max = 120))]
    pub lookback_months: Option<u32>,
    /// Portfolio mode only: how many lowest-scoring customers to list, 1 to
    /// 100. Default 20. Example: 10
    #[serde(default)]
    #[schemars(range(min = 1, max = 100))]
    pub top: Option<u32>,
    /// Odoo id of the company to check in. Default the user's current
    /// company. Example: 1
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub company_id: Option<i64>,
    /// Portfolio mode only: also attach every evaluated customer as a
    /// "csv" or "xlsx" file. Default none.
    #[serde(default)]
    pub export: Option<ExportFormat>,
}

/// One customer or the whole portfolio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreditMode {
    #[default]
    Partner,
    Portfolio,
}

/// How the customer is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PartnerKey {
    Id(i64),
    Name(String),
}

/// The arguments once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub target: Target,
    pub order_amount: Decimal,
    pub order_currency: Option<String>,
    pub as_of: Option<NaiveDate>,
    pub lookback_months: u32,
    pub company_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Partner(PartnerKey),
    Portfolio {
        top: u32,
        export: Option<ExportFormat>,
    },
}

/// Checks everything that needs no Odoo call.
pub(crate) fn check(
    tool: &str,
    args: CreditCheckArgs,
    config: &CreditCheckConfig,
) -> Result<Request, ToolError> {
    let invalid = |field: &str, message: &str| ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    };
    let order_amount = match &args.order_amount {
        None => Decimal::ZERO,
        Some(number) => {
            let text = number.to_string();
            let amount = Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map_err(|_| invalid("order_amount", "must be a decimal number of 0 or more"))?;
            if amount < Decimal::ZERO {
                return Err(invalid(
                    "order_amount",
                    &format!("must be 0 or more (tax included), got {text}"),
                ));
            }
            amount
        }
    };
    let lookback_months = args
        .lookback_months
        .unwrap_or(config.default_lookback_months);
    if !(1..=120).contains(&lookback_months) {
        return Err(invalid(
            "lookback_months",
            &format!("must be between 1 and 120, got {lookback_months}"),
        ));
    }
    let as_of = match args.as_of.as_deref() {
        None => None,
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            invalid(
                "as_of",
                &format!("must be a date YYYY-MM-DD not after today, got {text:?}"),
            )
        })?),
    };
    let order_currency = match args.order_currency {
        None => None,
        Some(code) => {
            let code = code.trim().to_uppercase();
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(invalid(
                    "order_currency",
                    &format!("must be an ISO 4217 code such as \"EUR\", got {code:?}"),
                ));
            }
            Some(code)
        }
    };
    if let Some(id) = args.company_id.filter(|id| *id < 1) {
        return Err(invalid(
            "company_id",
            &format!("must be a positive id, got {id}"),
        ));
    }
    let mode = args.mode.unwrap_or_default();
    let target = match mode {
        CreditMode::Portfolio => {
            for (field, given) in [
                ("partner_id", args.partner_id.is_some()),
                ("partner_name", args.partner_name.is_some()),
                ("order_amount", args.order_amount.is_some()),
                ("order_currency", order_currency.is_some()),
            ] {
                if given {
                    return Err(invalid(
                        field,
                        "applies to mode \"partner\" only; omit it with mode \"portfolio\"",
                    ));
                }
            }
            let top = args.top.unwrap_or(config.default_top);
            if !(1..=MAX_TOP).contains(&top) {
                return Err(invalid(
                    "top",
                    &format!("must be between 1 and {MAX_TOP}, got {top}"),
                ));
            }
            Target::Portfolio {
                top,
                export: args.export,
            }
        }
        CreditMode::Partner => {
            if args.top.is_some() {
                return Err(invalid("top", "applies to mode \"portfolio\" only"));
            }
            if args.export.is_some() {
                return Err(invalid("export", "applies to mode \"portfolio\" only"));
            }
            let name = args
                .partner_name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
            match (args.partner_id, name) {
                (Some(id), None) if id >= 1 => Target::Partner(PartnerKey::Id(id)),
                (Some(id), None) => {
                    return Err(invalid(
                        "partner_id",
                        &format!("must be a positive id, got {id}"),
                    ));
                }
                (None, Some(name)) if name.chars().count() >= 2 => {
                    Target::Partner(PartnerKey::Name(name))
                }
                (None, Some(_)) => {
                    return Err(invalid("partner_name", "must have at least 2 characters"));
                }
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "partner_name",
                        "give either partner_id or partner_name, not both",
                    ));
                }
                (None, None) => {
                    return Err(invalid(
                        "partner_id",
                        "required in mode \"partner\" (or give partner_name); use mode \
                         \"portfolio\" to check every customer",
                    ));
                }
            }
        }
    };
    Ok(Request {
        target,
        order_amount,
        order_currency,
        as_of,
        lookback_months,
        company_id: args.company_id,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use url::Url;

    use super::*;

    fn config() -> CreditCheckConfig {
        CreditCheckConfig::new(Url::parse("https://odoo.example").unwrap())
    }

    fn run(value: serde_json::Value) -> Result<Request, ToolError> {
        let args: CreditCheckArgs = serde_json::from_value(value).unwrap();
        check("credit_check", args, &config())
    }

    fn refusal(value: serde_json::Value) -> String {
        let err = run(value).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        err.to_string()
    }

    #[test]
    fn defaults_fill_a_partner_check() {
        let request = run(json!({"partner_id": 7})).unwrap();
        assert_eq!(
            request,
            Request {
                target: Target::Partner(PartnerKey::Id(7)),
                order_amount: Decimal::ZERO,
                order_currency: None,
                as_of: None,
                lookback_months: 24,
                company_id: None,
            }
        );
        let request = run(json!({"partner_name": " Avocet ", "order_amount": 5000.5,
            "order_currency": "usd", "as_of": "2026-03-16", "lookback_months": 12}))
        .unwrap();
        assert_eq!(
            request.target,
            Target::Partner(PartnerKey::Name("Avocet".into()))
        );
        assert_eq!(request.order_amount, Decimal::new(50005, 1));
        assert_eq!(request.order_currency.as_deref(), Some("USD"));
        assert_eq!(request.lookback_months, 12);
    }

    #[test]
    fn a_negative_order_amount_is_refused_naming_the_argument() {
        let message = refusal(json!({"partner_id": 7, "order_amount": -1}));
        assert_eq!(
            message,
            "invalid arguments for credit_check: field `order_amount`: must be 0 or more (tax \
             included), got -1"
        );
        // Zero is allowed.
        assert!(run(json!({"partner_id": 7, "order_amount": 0})).is_ok());
    }

    #[test]
    fn out_of_range_arguments_name_their_range() {
        for (args, field, range) in [
            (
                json!({"partner_id": 7, "lookback_months": 0}),
                "lookback_months",
                "1 and 120",
            ),
            (
                json!({"partner_id": 7, "lookback_months": 121}),
                "lookback_months",
                "1 and 120",
            ),
            (json!({"mode": "portfolio", "top": 0}), "top", "1 and 100"),
            (json!({"mode": "portfolio", "top": 101}), "top", "1 and 100"),
            (json!({"partner_id": 0}), "partner_id", "positive"),
            (
                json!({"partner_id": 7, "as_of": "16/03/2026"}),
                "as_of",
                "YYYY-MM-DD",
            ),
            (
                json!({"partner_id": 7, "order_currency": "EURO"}),
                "order_currency",
                "ISO 4217",
            ),
        ] {
            let message = refusal(args);
            assert!(message.contains(&format!("`{field}`")), "{message}");
            assert!(message.contains(range), "{message}");
        }
        assert!(run(json!({"partner_id": 7, "lookback_months": 120})).is_ok());
        assert!(run(json!({"mode": "portfolio", "top": 100})).is_ok());
    }

    #[test]
    fn modes_refuse_the_other_modes_arguments() {
        assert!(refusal(json!({"mode": "portfolio", "partner_id": 7})).contains("`partner_id`"));
        assert!(
            refusal(json!({"mode": "portfolio", "order_amount": 10})).contains("`order_amount`")
        );
        assert!(refusal(json!({"partner_id": 7, "top": 5})).contains("`top`"));
        assert!(refusal(json!({})).contains("`partner_id`"));
        assert!(refusal(json!({"partner_id": 7, "partner_name": "Acme"})).contains("not both"));
        assert_eq!(
            run(json!({"mode": "portfolio"})).unwrap().target,
            Target::Portfolio {
                top: 20,
                export: None
            }
        );
        assert!(refusal(json!({"partner_id": 7, "export": "csv"})).contains("`export`"));
    }

    #[test]
    fn unknown_arguments_are_rejected_by_the_schema() {
        let parsed: Result<CreditCheckArgs, _> =
            serde_json::from_value(json!({"partner_id": 7, "amount": 5}));
        assert!(parsed.is_err());
    }
}
