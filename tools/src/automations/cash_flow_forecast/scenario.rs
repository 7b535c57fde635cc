//! What-if scenarios (spec 5.6): typed adjustments applied to a copy of the
//! flow items of the same snapshot, so a scenario and its base never differ
//! by what Odoo returned between two reads.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::args::{decimal, invalid_arg, parse_date};
use super::compute::{FlowItem, Source, add_days};
use crate::ToolError;

/// One adjustment as the model sends it; `kind` names it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdjustmentArg {
    /// Shift every open receivable of one customer by `days` (−365 to 365).
    DelayCustomer {
        /// The customer (res.partner id of the company, not a contact).
        partner_id: i64,
        days: i64,
    },
    /// Shift every open bill of one vendor by `days` (−365 to 365).
    DelayVendor {
        /// The vendor (res.partner id of the company, not a contact).
        partner_id: i64,
        days: i64,
    },
    /// Drop exactly one opportunity from the pipeline.
    RemoveOpportunity {
        /// crm.lead id.
        lead_id: i64,
    },
    /// Collect less: receivable amounts × (1 − percent/100), percent 0 to 100.
    ScaleReceivables { percent: serde_json::Number },
    /// Pay more: payable amounts × (1 + percent/100), percent 0 to 500.
    ScalePayables { percent: serde_json::Number },
    /// Recurring bills × multiplier (0 to 10), of one vendor or all.
    ScaleRecurring {
        multiplier: serde_json::Number,
        #[serde(default)]
        partner_id: Option<i64>,
    },
    /// Add one item: signed amount in company currency (inflow positive) on
    /// a date after as_of, YYYY-MM-DD.
    OneOff {
        date: String,
        amount: serde_json::Number,
        label: String,
    },
}

/// A checked adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Adjustment {
    DelayCustomer {
        partner_id: i64,
        days: i64,
    },
    DelayVendor {
        partner_id: i64,
        days: i64,
    },
    RemoveOpportunity {
        lead_id: i64,
    },
    ScaleReceivables {
        percent: Decimal,
    },
    ScalePayables {
        percent: Decimal,
    },
    ScaleRecurring {
        multiplier: Decimal,
        partner_id: Option<i64>,
    },
    OneOff {
        date: NaiveDate,
        amount: Decimal,
        label: String,
    },
}

/// Checks each adjustment's ranges; the message names `scenario[i].field`.
pub(crate) fn check_adjustments(
    tool: &str,
    args: Vec<AdjustmentArg>,
) -> Result<Vec<Adjustment>, ToolError> {
    let mut out = Vec::with_capacity(args.len());
    for (i, arg) in args.into_iter().enumerate() {
        let invalid = |field: &str, message: String| {
            invalid_arg(tool, &format!("scenario[{i}].{field}"), &message)
        };
        let id = |field: &str, id: i64| {
            if id < 1 {
                Err(invalid(field, format!("must be a positive id, got {id}")))
            } else {
                Ok(id)
            }
        };
        let days = |days: i64| {
            if (-365..=365).contains(&days) {
                Ok(days)
            } else {
                Err(invalid(
                    "days",
                    format!("must be between -365 and 365, got {days}"),
                ))
            }
        };
        let ranged = |field: &str, number: &serde_json::Number, max: i64| {
            decimal(number)
                .filter(|v| *v >= Decimal::ZERO && *v <= Decimal::from(max))
                .ok_or_else(|| invalid(field, format!("must be between 0 and {max}, got {number}")))
        };
        out.push(match arg {
            AdjustmentArg::DelayCustomer {
                partner_id,
                days: d,
            } => Adjustment::DelayCustomer {
                partner_id: id("partner_id", partner_id)?,
                days: days(d)?,
            },
            AdjustmentArg::DelayVendor {
                partner_id,
                days: d,
            } => Adjustment::DelayVendor {
                partner_id: id("partner_id", partner_id)?,
                days: days(d)?,
            },
            AdjustmentArg::RemoveOpportunity { lead_id } => Adjustment::RemoveOpportunity {
                lead_id: id("lead_id", lead_id)?,
            },
            AdjustmentArg::ScaleReceivables { percent } => Adjustment::ScaleReceivables {
                percent: ranged("percent", &percent, 100)?,
            },
            AdjustmentArg::ScalePayables { percent } => Adjustment::ScalePayables {
                percent: ranged("percent", &percent, 500)?,
            },
            AdjustmentArg::ScaleRecurring {
                multiplier,
                partner_id,
            } => Adjustment::ScaleRecurring {
                multiplier: ranged("multiplier", &multiplier, 10)?,
                partner_id: partner_id.map(|p| id("partner_id", p)).transpose()?,
            },
            AdjustmentArg::OneOff {
                date,
                amount,
                label,
            } => {
                let day = parse_date(&date).ok_or_else(|| {
                    invalid("date", format!("must be a date YYYY-MM-DD, got {date:?}"))
                })?;
                let amount = decimal(&amount).ok_or_else(|| {
                    invalid("amount", format!("must be a decimal number, got {amount}"))
                })?;
                let label = label.trim().to_owned();
                if label.is_empty() || label.chars().count() > 200 {
                    return Err(invalid("label", "must be 1 to 200 characters".to_owned()));
                }
                Adjustment::OneOff {
                    date: day,
                    amount,
                    label,
                }
            }
        });
    }
    Ok(out)
}

/// Checks what needs as_of: a one-off item must fall after it.
pub(crate) fn check_dates(
    tool: &str,
    adjustments: &[Adjustment],
    as_of: NaiveDate,
) -> Result<(), ToolError> {
    for (i, adjustment) in adjustments.iter().enumerate() {
        if let Adjustment::OneOff { date, .. } = adjustment
            && *date <= as_of
        {
            return Err(invalid_arg(
                tool,
                &format!("scenario[{i}].date"),
                &format!("must be after as_of ({as_of}), got {date}"),
            ));
        }
    }
    Ok(())
}

/// `items` changed by `adjustments`, in order, and the indexes of the
/// adjustments that matched no item.
pub fn apply(
    items: &[FlowItem],
    adjustments: &[Adjustment],
    as_of: NaiveDate,
) -> (Vec<FlowItem>, Vec<usize>) {
    let mut items = items.to_vec();
    let mut unmatched = Vec::new();
    let of_partner = |item: &FlowItem, id: i64| item.partner.as_ref().is_some_and(|p| p.id == id);
    for (index, adjustment) in adjustments.iter().enumerate() {
        let mut matched = 0_usize;
        match adjustment {
            Adjustment::DelayCustomer { partner_id, days }
            | Adjustment::DelayVendor { partner_id, days } => {
                let source = match adjustment {
                    Adjustment::DelayCustomer { .. } => Source::Receivable,
                    _ => Source::Payable,
                };
                for item in items
                    .iter_mut()
                    .filter(|i| i.source == source && of_partner(i, *partner_id))
                {
                    // Cash cannot move into the past: at the earliest the
                    // day after as_of.
                    let shifted = add_days(item.expected_date, *days);
                    item.expected_date = shifted.max(as_of.succ_opt().unwrap_or(as_of));
                    matched += 1;
                }
            }
            Adjustment::RemoveOpportunity { lead_id } => {
                let before = items.len();
                items.retain(|i| {
                    !(i.source == Source::Pipeline
                        && i.reference.as_ref().is_some_and(|r| r.id == *lead_id))
                });
                matched = before - items.len();
            }
            Adjustment::ScaleReceivables { percent } => {
                let factor = Decimal::ONE - *percent / Decimal::ONE_HUNDRED;
                matched = scale(&mut items, factor, |i| i.source == Source::Receivable);
            }
            Adjustment::ScalePayables { percent } => {
                let factor = Decimal::ONE + *percent / Decimal::ONE_HUNDRED;
                matched = scale(&mut items, factor, |i| i.source == Source::Payable);
            }
            Adjustment::ScaleRecurring {
                multiplier,
                partner_id,
            } => {
                matched = scale(&mut items, *multiplier, |i| {
                    i.source == Source::Recurring && partner_id.is_none_or(|id| of_partner(i, id))
                });
            }
            Adjustment::OneOff {
                date,
                amount,
                label,
            } => {
                items.push(FlowItem {
                    source: Source::Adjustment,
                    reference: None,
                    partner: None,
                    amount: *amount,
                    original_date: *date,
                    expected_date: *date,
                    probability: Decimal::ONE_HUNDRED,
                    label: Some(label.clone()),
                });
                matched = 1;
            }
        }
        if matched == 0 {
            unmatched.push(index);
        }
    }
    (items, unmatched)
}

fn scale(items: &mut [FlowItem], factor: Decimal, keep: impl Fn(&FlowItem) -> bool) -> usize {
    let mut matched = 0;
    for item in items.iter_mut().filter(|i| keep(i)) {
        item.amount *= factor;
        matched += 1;
    }
    matched
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
