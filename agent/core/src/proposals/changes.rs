//! The field values a proposal changes, before and after, for approval
//! cards. "After" comes from the typed action (what the executor writes);
//! "before" from the proposal's own `FieldEquals` preconditions, which hold
//! the value the tool read and which execution re-reads, so the card shows
//! exactly what approval is checked against. Nothing here calls Odoo.

use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use serde_json::{Value, json};
use tools::proposals::{Precondition, Proposal, ProposalAction};

/// One field of one record a proposal writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub model: String,
    pub id: i64,
    pub field: String,
    /// The value when the proposal was made, as Odoo's `read` returned it;
    /// `None` when the tool recorded no precondition on this field.
    pub before: Option<Value>,
    /// The value approval writes.
    pub after: Value,
}

/// The writes of `proposal`, field by field. Actions that go through an
/// Odoo wizard (merges, reconciliation) or write nothing to Odoo (dismissing
/// a duplicate group) have no field-level change: their preview says what
/// happens.
pub fn field_changes(proposal: &Proposal) -> Vec<FieldChange> {
    let writes: Vec<(&str, i64, &str, Value)> = match &proposal.action {
        ProposalAction::SetLockDate {
            company_id,
            field,
            date,
        } => vec![(
            "res.company",
            *company_id,
            field.field_name(),
            json!(date.format("%Y-%m-%d").to_string()),
        )],
        ProposalAction::SetCreditLimit {
            partner_id,
            new_limit,
        } => {
            // A number, as Odoo reads and the executor writes it; the exact
            // decimal text if it has no float form.
            let after = new_limit
                .to_f64()
                .map_or_else(|| json!(new_limit.to_string()), |limit| json!(limit));
            vec![("res.partner", *partner_id, "credit_limit", after)]
        }
        ProposalAction::BlockSales {
            partner_id,
            message,
        } => vec![
            ("res.partner", *partner_id, "sale_warn", json!("block")),
            ("res.partner", *partner_id, "sale_warn_msg", json!(message)),
        ],
        ProposalAction::UnblockSales { partner_id } => vec![
            ("res.partner", *partner_id, "sale_warn", json!("no-message")),
            ("res.partner", *partner_id, "sale_warn_msg", json!(false)),
        ],
        ProposalAction::ArchiveProducts { ids } => ids
            .iter()
            .map(|id| ("product.product", *id, "active", json!(false)))
            .collect(),
        ProposalAction::ReconcileStatementLine { .. }
        | ProposalAction::MergePartners { .. }
        | ProposalAction::MergeLeads { .. }
        | ProposalAction::DismissGroup { .. } => Vec::new(),
    };
    writes
        .into_iter()
        .map(|(model, id, field, after)| FieldChange {
            before: recorded_value(&proposal.preconditions, model, id, field),
            model: model.to_owned(),
            id,
            field: field.to_owned(),
            after,
        })
        .collect()
}

/// The value a `FieldEquals` precondition expects for `model(id).field`.
fn recorded_value(
    preconditions: &[Precondition],
    model: &str,
    id: i64,
    field: &str,
) -> Option<Value> {
    preconditions
        .iter()
        .find_map(|precondition| match precondition {
            Precondition::FieldEquals {
                model: m,
                id: i,
                field: f,
                expected,
                ..
            } if m == model && *i == id && f == field => Some(expected.clone()),
            Precondition::FieldEquals { .. } | Precondition::CountEquals { .. } => None,
        })
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use pretty_assertions::assert_eq;
    use rust_decimal::Decimal;
    use tools::Role;
    use tools::proposals::LockDateField;

    use super::*;

    fn proposal(action: ProposalAction, preconditions: Vec<Precondition>) -> Proposal {
        Proposal::new(action, "preview", preconditions, Role::Finance, Utc::now())
    }

    fn field_equals(model: &str, id: i64, field: &str, expected: Value) -> Precondition {
        Precondition::FieldEquals {
            model: model.to_owned(),
            id,
            field: field.to_owned(),
            expected,
            description: "unchanged".to_owned(),
        }
    }

    #[test]
    fn a_credit_limit_shows_the_value_its_precondition_read_and_the_new_one() {
        let changes = field_changes(&proposal(
            ProposalAction::SetCreditLimit {
                partner_id: 7,
                new_limit: Decimal::new(125_005, 1),
            },
            vec![
                // Another record's field must not be taken for this one.
                field_equals("res.partner", 8, "credit_limit", json!(1.0)),
                field_equals("res.partner", 7, "credit_limit", json!(10000.0)),
            ],
        ));
        assert_eq!(
            changes,
            vec![FieldChange {
                model: "res.partner".to_owned(),
                id: 7,
                field: "credit_limit".to_owned(),
                before: Some(json!(10000.0)),
                after: json!(12500.5),
            }]
        );
    }

    #[test]
    fn without_a_precondition_the_before_value_is_unknown() {
        let changes = field_changes(&proposal(
            ProposalAction::SetLockDate {
                company_id: 1,
                field: LockDateField::FiscalyearLockDate,
                date: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            },
            vec![],
        ));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "fiscalyear_lock_date");
        assert_eq!(changes[0].before, None);
        assert_eq!(changes[0].after, json!("2026-10-31"));
    }

    #[test]
    fn blocking_sales_writes_the_warning_and_its_message() {
        let changes = field_changes(&proposal(
            ProposalAction::BlockSales {
                partner_id: 3,
                message: "overdue".to_owned(),
            },
            vec![field_equals(
                "res.partner",
                3,
                "sale_warn",
                json!("no-message"),
            )],
        ));
        let fields: Vec<(&str, Option<&Value>, &Value)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.before.as_ref(), &c.after))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("sale_warn", Some(&json!("no-message")), &json!("block")),
                ("sale_warn_msg", None, &json!("overdue")),
            ]
        );
    }

    #[test]
    fn merges_have_no_field_changes() {
        let changes = field_changes(&proposal(
            ProposalAction::MergePartners {
                master_id: 1,
                duplicate_ids: vec![2, 3],
            },
            vec![field_equals("res.partner", 2, "active", json!(true))],
        ));
        assert_eq!(changes, vec![]);
    }
}
