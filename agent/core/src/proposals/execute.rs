//! One executor per [`ProposalAction`], each a few Odoo calls made as the
//! approving person's Odoo user through Odoo's own mechanisms (spec 1.6,
//! 3.8, 4.9). An executor returns what Odoo answered; a refusal comes back
//! as the `OdooError` holding Odoo's message verbatim.

use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};
use tools::IdentityId;
use tools::odoo_client::{OdooClient, OdooError};
use tools::proposals::{DismissedDuplicates, ProposalAction};

/// Odoo's contact-merge wizard.
const PARTNER_MERGE: &str = "base.partner.merge.automatic.wizard";
/// Odoo's CRM merge wizard.
const LEAD_MERGE: &str = "crm.merge.opportunity";
/// The contact-merge wizard merges at most 3 contacts per run: the master
/// and two duplicates (spec 4.9).
const PARTNER_CHUNK: usize = 2;
/// `crm.lead.merge_opportunity` merges at most 5 records per run.
const LEAD_CHUNK: usize = 4;

/// Why an execution did not complete.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExecuteError {
    /// Odoo refused or failed; `done` lists the steps that completed before.
    #[error("{error}")]
    Odoo { error: OdooError, done: Vec<Value> },
    /// The action cannot run on this Odoo (a field or feature is absent).
    #[error("{0}")]
    Unavailable(String),
    /// Storing a dismissal failed.
    #[error("{0}")]
    Internal(String),
}

impl ExecuteError {
    fn odoo(error: OdooError) -> Self {
        Self::Odoo {
            error,
            done: Vec::new(),
        }
    }
}

/// Runs `action` as `client`'s user; the answer is the outcome to store.
pub(crate) async fn execute(
    client: &OdooClient,
    action: &ProposalAction,
    dismissals: &dyn DismissedDuplicates,
    by: &IdentityId,
) -> Result<Value, ExecuteError> {
    match action {
        ProposalAction::SetLockDate {
            company_id,
            field,
            date,
        } => {
            let name = field.field_name();
            require_field(client, "res.company", name).await?;
            let vals = json!({name: date.format("%Y-%m-%d").to_string()});
            write(client, "res.company", &[*company_id], vals).await
        }
        ProposalAction::ReconcileStatementLine { line_id, .. } => {
            Err(ExecuteError::Unavailable(format!(
                "no reconciliation executor has been verified against Odoo {}; reconcile \
                 account.bank.statement.line {line_id} in Odoo",
                client.version()
            )))
        }
        ProposalAction::SetCreditLimit {
            partner_id,
            new_limit,
        } => {
            let limit = new_limit.to_f64().ok_or_else(|| {
                ExecuteError::Unavailable(format!("credit limit {new_limit} is not a number"))
            })?;
            let mut vals = Map::new();
            vals.insert("credit_limit".to_owned(), json!(limit));
            // Odoo applies a partner's own limit only with this flag (17+).
            if has_field(client, "res.partner", "use_partner_credit_limit").await? {
                vals.insert("use_partner_credit_limit".to_owned(), json!(true));
            }
            write(client, "res.partner", &[*partner_id], Value::Object(vals)).await
        }
        ProposalAction::BlockSales {
            partner_id,
            message,
        } => {
            sales_warning_fields(client).await?;
            let vals = json!({"sale_warn": "block", "sale_warn_msg": message});
            write(client, "res.partner", &[*partner_id], vals).await
        }
        ProposalAction::UnblockSales { partner_id } => {
            sales_warning_fields(client).await?;
            let vals = json!({"sale_warn": "no-message", "sale_warn_msg": false});
            write(client, "res.partner", &[*partner_id], vals).await
        }
        ProposalAction::MergePartners {
            master_id,
            duplicate_ids,
        } => merge_partners(client, *master_id, duplicate_ids).await,
        ProposalAction::MergeLeads {
            master_id,
            duplicate_ids,
        } => merge_leads(client, *master_id, duplicate_ids).await,
        ProposalAction::ArchiveProducts { ids } => {
            write(client, "product.product", ids, json!({"active": false})).await
        }
        ProposalAction::DismissGroup { kind, ids } => {
            dismissals
                .dismiss(*kind, ids, by)
                .await
                .map_err(|err| ExecuteError::Internal(err.to_string()))?;
            Ok(json!({"dismissed": {"kind": kind, "ids": ids}}))
        }
    }
}

async fn write(
    client: &OdooClient,
    model: &str,
    ids: &[i64],
    vals: Value,
) -> Result<Value, ExecuteError> {
    let mut kwargs = Map::new();
    kwargs.insert("vals".to_owned(), vals.clone());
    let answer = client
        .call(model, "write", ids, kwargs)
        .await
        .map_err(ExecuteError::odoo)?;
    Ok(json!({"model": model, "ids": ids, "written": vals, "odoo": answer}))
}

async fn has_field(client: &OdooClient, model: &str, field: &str) -> Result<bool, ExecuteError> {
    client
        .has_field(model, field)
        .await
        .map_err(ExecuteError::odoo)
}

async fn require_field(client: &OdooClient, model: &str, field: &str) -> Result<(), ExecuteError> {
    if has_field(client, model, field).await? {
        return Ok(());
    }
    Err(ExecuteError::Unavailable(format!(
        "{model} has no field {field} on Odoo {}",
        client.version()
    )))
}

/// Spec 3.8: blocking uses the sale module's partner warning, which not
/// every database has.
async fn sales_warning_fields(client: &OdooClient) -> Result<(), ExecuteError> {
    for field in ["sale_warn", "sale_warn_msg"] {
        if !has_field(client, "res.partner", field).await? {
            return Err(ExecuteError::Unavailable(format!(
                "sales warnings are unavailable: res.partner has no {field} field on this Odoo \
                 {} (the sale module's warnings are not installed)",
                client.version()
            )));
        }
    }
    Ok(())
}

/// Spec 4.9: through the contact-merge wizard, master plus two duplicates
/// per run. A refusal stops at that chunk; the chunks merged before it stay
/// merged and are listed.
async fn merge_partners(
    client: &OdooClient,
    master: i64,
    duplicates: &[i64],
) -> Result<Value, ExecuteError> {
    let mut done = Vec::new();
    for chunk in duplicates.chunks(PARTNER_CHUNK) {
        let ids: Vec<i64> = std::iter::once(master)
            .chain(chunk.iter().copied())
            .collect();
        let vals = json!({"partner_ids": [[6, 0, ids]], "dst_partner_id": master});
        match run_wizard(client, PARTNER_MERGE, vals).await {
            Ok(answer) => done.push(json!({"merged": chunk, "into": master, "odoo": answer})),
            Err(error) => return Err(ExecuteError::Odoo { error, done }),
        }
    }
    Ok(json!({"master_id": master, "runs": done}))
}

/// Spec 4.9: through the CRM merge wizard. Odoo keeps the most advanced
/// record of each run (opportunity before lead, later stage, higher
/// probability, older record), which it does not let the caller choose; so
/// the master is checked to be that record first, and nothing is merged if
/// Odoo would keep another.
async fn merge_leads(
    client: &OdooClient,
    master: i64,
    duplicates: &[i64],
) -> Result<Value, ExecuteError> {
    let all: Vec<i64> = std::iter::once(master)
        .chain(duplicates.iter().copied())
        .collect();
    let kept = lead_odoo_keeps(client, &all).await?;
    if kept != Some(master) {
        return Err(ExecuteError::Unavailable(format!(
            "Odoo's CRM merge keeps the most advanced record, which is crm.lead {} and not the \
             proposed master {master}; merge them in Odoo or propose {} as the master",
            kept.map_or_else(|| "?".to_owned(), |k| k.to_string()),
            kept.map_or_else(|| "another record".to_owned(), |k| k.to_string()),
        )));
    }
    let mut done = Vec::new();
    for chunk in duplicates.chunks(LEAD_CHUNK) {
        let ids: Vec<i64> = std::iter::once(master)
            .chain(chunk.iter().copied())
            .collect();
        let vals = json!({"opportunity_ids": [[6, 0, ids]]});
        match run_wizard(client, LEAD_MERGE, vals).await {
            Ok(answer) => done.push(json!({"merged": chunk, "into": master, "odoo": answer})),
            Err(error) => return Err(ExecuteError::Odoo { error, done }),
        }
    }
    Ok(json!({"master_id": master, "runs": done}))
}

/// The lead Odoo's merge would keep among `ids`.
async fn lead_odoo_keeps(client: &OdooClient, ids: &[i64]) -> Result<Option<i64>, ExecuteError> {
    let leads = client
        .read("crm.lead", ids, &["type", "stage_id", "probability"])
        .await
        .map_err(ExecuteError::odoo)?;
    let stage_ids: Vec<i64> = leads
        .iter()
        .filter_map(|l| l.get("stage_id")?.get(0)?.as_i64())
        .collect();
    let stages = if stage_ids.is_empty() {
        Vec::new()
    } else {
        client
            .read("crm.stage", &stage_ids, &["sequence"])
            .await
            .map_err(ExecuteError::odoo)?
    };
    let sequence = |stage: Option<i64>| {
        stages
            .iter()
            .find(|s| s.get("id").and_then(Value::as_i64) == stage)
            .and_then(|s| s.get("sequence")?.as_i64())
            .unwrap_or(0)
    };
    Ok(leads
        .iter()
        .filter_map(|lead| {
            let id = lead.get("id")?.as_i64()?;
            let opportunity = lead.get("type").and_then(Value::as_str) == Some("opportunity");
            let stage = lead
                .get("stage_id")
                .and_then(|s| s.get(0))
                .and_then(Value::as_i64);
            let probability = lead
                .get("probability")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            Some(((opportunity, sequence(stage), probability, -id), id))
        })
        .max_by(|(a, _), (b, _)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(_, id)| id))
}

/// Creates a wizard with `vals` and runs its `action_merge`.
async fn run_wizard(client: &OdooClient, model: &str, vals: Value) -> Result<Value, OdooError> {
    let mut create = Map::new();
    create.insert("vals_list".to_owned(), vals);
    let created = client.call(model, "create", &[], create).await?;
    let id = match &created {
        Value::Number(id) => id.as_i64(),
        Value::Array(ids) => ids.first().and_then(Value::as_i64),
        _ => None,
    }
    .ok_or_else(|| OdooError::Protocol {
        model: model.to_owned(),
        method: "create".to_owned(),
        message: format!("expected the new wizard's id, got {created}"),
    })?;
    client.call(model, "action_merge", &[id], Map::new()).await
}
