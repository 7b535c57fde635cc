//! Re-reading a proposal's preconditions from Odoo right before execution.

use serde_json::Value;
use tools::odoo_client::{OdooClient, OdooError};
use tools::proposals::Precondition;

/// One precondition that no longer holds, in words a person can act on.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FailedPrecondition {
    /// The precondition's own description: "credit limit unchanged".
    pub description: String,
    /// What was expected and what Odoo has now.
    pub detail: String,
}

/// Reads every precondition as the approving user; returns those that no
/// longer hold (empty: execution may go ahead).
pub(crate) async fn check(
    client: &OdooClient,
    preconditions: &[Precondition],
) -> Result<Vec<FailedPrecondition>, OdooError> {
    let mut failed = Vec::new();
    for precondition in preconditions {
        if let Some(detail) = check_one(client, precondition).await? {
            failed.push(FailedPrecondition {
                description: precondition.description().to_owned(),
                detail,
            });
        }
    }
    Ok(failed)
}

async fn check_one(
    client: &OdooClient,
    precondition: &Precondition,
) -> Result<Option<String>, OdooError> {
    match precondition {
        Precondition::FieldEquals {
            model,
            id,
            field,
            expected,
            ..
        } => {
            let records = match client.read(model, &[*id], &[field]).await {
                Ok(records) => records,
                Err(OdooError::NotFound { .. }) => Vec::new(),
                Err(err) => return Err(err),
            };
            let Some(record) = records.first() else {
                return Ok(Some(format!("{model} {id} no longer exists")));
            };
            let now = record.get(field.as_str()).cloned().unwrap_or(Value::Null);
            Ok((!same(expected, &now)).then(|| {
                format!("{model} {id} {field} was {expected} when proposed and is now {now}")
            }))
        }
        Precondition::CountEquals {
            model,
            domain,
            expected,
            ..
        } => {
            let now = client.search_count(model, domain.clone()).await?;
            Ok((now != *expected).then(|| {
                format!("{model} matching {domain}: expected {expected} record(s), found {now}")
            }))
        }
    }
}

/// Whether two values `read` returned are the same: numbers compare by
/// value (`10000` equals `10000.0`), and a many2one by its id (a renamed
/// record is still the same record).
fn same(expected: &Value, now: &Value) -> bool {
    match (expected, now) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) if is_many2one(a) && is_many2one(b) => a[0] == b[0],
        _ => expected == now,
    }
}

fn is_many2one(pair: &[Value]) -> bool {
    pair.len() == 2 && pair[0].is_i64() && pair[1].is_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::same;

    #[test]
    fn numbers_compare_by_value_and_many2ones_by_id() {
        assert!(same(&json!(10000), &json!(10000.0)));
        assert!(!same(&json!(10000), &json!(10000.5)));
        assert!(same(&json!([7, "Acme"]), &json!([7, "Acme B.V."])));
        assert!(!same(&json!([7, "Acme"]), &json!([8, "Acme"])));
        assert!(!same(&json!(false), &json!([8, "Acme"])));
        assert!(same(&json!("block"), &json!("block")));
    }
}
