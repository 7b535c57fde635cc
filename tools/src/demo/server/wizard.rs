//! The two merge wizards approved proposals run through (spec 4.9), as Odoo
//! 17-19 implement them: `base.partner.merge.automatic.wizard` (contacts)
//! and `crm.merge.opportunity` (leads). A client `create`s the wizard with
//! the records to merge, then calls `action_merge` on it; refusals carry
//! Odoo's own `UserError` wording.

use serde_json::{Value, json};

use crate::demo::{Dataset, DemoUser, FieldDef, FieldType, ModelDef, Table};

use super::fault::Fault;
use super::read::display_name;

/// Odoo's contact-merge wizard.
pub const PARTNER_MERGE: &str = "base.partner.merge.automatic.wizard";
/// Odoo's CRM merge wizard.
pub const LEAD_MERGE: &str = "crm.merge.opportunity";

/// The contact-merge wizard refuses more contacts than this per run.
const MAX_PARTNERS: usize = 3;
/// `crm.lead.merge_opportunity`'s default `max_length`.
const MAX_LEADS: usize = 5;

/// Adds the wizards' (transient) models to a dataset that has the models
/// they merge, as installing `base` and `crm` does.
pub(crate) fn install(dataset: &mut Dataset) {
    if dataset.table("res.partner").is_some() && dataset.table(PARTNER_MERGE).is_none() {
        dataset.add_model(ModelDef {
            name: PARTNER_MERGE,
            description: "Merge Partner Wizard",
            rec_name: "id",
            order: "id",
            fields: vec![
                FieldDef::new(
                    "partner_ids",
                    "Contacts",
                    FieldType::Many2many("res.partner"),
                ),
                FieldDef::new(
                    "dst_partner_id",
                    "Destination Contact",
                    FieldType::Many2one("res.partner"),
                ),
                FieldDef::new("state", "State", FieldType::Char),
            ],
            read_groups: &[],
            write_groups: &[],
        });
    }
    if dataset.table("crm.lead").is_some() && dataset.table(LEAD_MERGE).is_none() {
        dataset.add_model(ModelDef {
            name: LEAD_MERGE,
            description: "Merge Opportunities",
            rec_name: "id",
            order: "id",
            fields: vec![
                FieldDef::new(
                    "opportunity_ids",
                    "Leads/Opportunities",
                    FieldType::Many2many("crm.lead"),
                ),
                FieldDef::new("user_id", "Salesperson", FieldType::Many2one("res.users")),
            ],
            read_groups: &[],
            write_groups: &[],
        });
    }
}

/// `action_merge()` on one wizard record.
pub(crate) fn action_merge(
    dataset: &mut Dataset,
    user: &DemoUser,
    model: &str,
    ids: &[i64],
) -> Result<Value, Fault> {
    let [wizard_id] = ids else {
        return Err(Fault::value_error(format!(
            "Expected singleton: {model}({})",
            ids.iter().map(|id| format!("{id},")).collect::<String>()
        )));
    };
    match model {
        PARTNER_MERGE => merge_partners(dataset, user, *wizard_id),
        LEAD_MERGE => merge_leads(dataset, *wizard_id),
        _ => Err(Fault::new(
            super::fault::names::ATTRIBUTE_ERROR,
            format!("The method '{model}.action_merge' does not exist"),
        )),
    }
}

fn merge_partners(dataset: &mut Dataset, user: &DemoUser, wizard_id: i64) -> Result<Value, Fault> {
    let (members, dst) = {
        let wizard = wizard(dataset, PARTNER_MERGE, wizard_id)?;
        (
            ids_of(wizard.0, wizard.1, "partner_ids"),
            many2one(wizard.0, wizard.1, "dst_partner_id"),
        )
    };
    let partners = table(dataset, "res.partner")?;
    let members: Vec<i64> = members
        .into_iter()
        .filter(|id| partners.get(*id).is_some())
        .collect();
    let done = json!({"type": "ir.actions.act_window", "res_model": PARTNER_MERGE,
                      "res_id": wizard_id, "view_mode": "form", "target": "new"});
    if members.len() < 2 {
        return Ok(done);
    }
    if members.len() > MAX_PARTNERS {
        return Err(Fault::user_error(
            "For safety reasons, you cannot merge more than 3 contacts together. You can \
             re-open the wizard several times if needed.",
        ));
    }
    for id in &members {
        let ancestors = ancestors(partners, *id);
        if members.iter().any(|other| ancestors.contains(other)) {
            return Err(Fault::user_error(
                "You cannot merge a contact with one of his parent.",
            ));
        }
    }
    if let Some(users) = dataset.table("res.users") {
        let linked = users
            .records()
            .iter()
            .filter(|u| many2one(users, u, "partner_id").is_some_and(|p| members.contains(&p)))
            .count();
        if linked > 1 {
            return Err(Fault::user_error(
                "You cannot merge contacts linked to more than one user",
            ));
        }
    }
    let is_admin =
        user.groups.contains("base.group_erp_manager") || user.groups.contains("base.group_system");
    let emails: Vec<Value> = members
        .iter()
        .filter_map(|id| partners.get(*id))
        .map(|r| {
            partners
                .value(r, "email")
                .cloned()
                .unwrap_or(Value::Bool(false))
        })
        .collect();
    if !is_admin && emails.windows(2).any(|pair| pair[0] != pair[1]) {
        return Err(Fault::user_error(
            "All contacts must have the same email. Only the Administrator can merge contacts \
             with different emails.",
        ));
    }
    // Without a destination Odoo keeps the oldest contact; the fake keeps
    // the smallest id, which is the same for generated data.
    let dst = dst
        .filter(|d| members.contains(d))
        .unwrap_or_else(|| members.iter().copied().min().unwrap_or_default());
    let sources: Vec<i64> = members.into_iter().filter(|id| *id != dst).collect();
    redirect_references(dataset, "res.partner", &sources, dst);
    let partners = table_mut(dataset, "res.partner")?;
    for id in &sources {
        partners.remove(*id);
    }
    Ok(done)
}

fn merge_leads(dataset: &mut Dataset, wizard_id: i64) -> Result<Value, Fault> {
    let members = {
        let wizard = wizard(dataset, LEAD_MERGE, wizard_id)?;
        ids_of(wizard.0, wizard.1, "opportunity_ids")
    };
    let leads = table(dataset, "crm.lead")?;
    let members: Vec<i64> = members
        .into_iter()
        .filter(|id| leads.get(*id).is_some())
        .collect();
    if members.len() < 2 {
        return Err(Fault::user_error(
            "Please select more than one element (lead or opportunity) from the list view.",
        ));
    }
    if members.len() > MAX_LEADS {
        return Err(Fault::user_error(format!(
            "To prevent data loss, Leads and Opportunities can only be merged by groups of \
             {MAX_LEADS}."
        )));
    }
    let head = merge_head(dataset, &members).unwrap_or(members[0]);
    let sources: Vec<i64> = members.into_iter().filter(|id| *id != head).collect();
    redirect_references(dataset, "crm.lead", &sources, head);
    let leads = table_mut(dataset, "crm.lead")?;
    for id in &sources {
        leads.remove(*id);
    }
    Ok(
        json!({"type": "ir.actions.act_window", "res_model": "crm.lead", "res_id": head,
              "view_mode": "form"}),
    )
}

/// The lead Odoo keeps (`_sort_by_confidence_level(reverse=True)[0]`): an
/// opportunity before a lead, then the later stage, then the higher
/// probability, then the older record.
pub(crate) fn merge_head(dataset: &Dataset, members: &[i64]) -> Option<i64> {
    let leads = dataset.table("crm.lead")?;
    let stages = dataset.table("crm.stage");
    let key = |id: i64| {
        let record = leads.get(id)?;
        let is_opportunity =
            leads.value(record, "type").and_then(Value::as_str) == Some("opportunity");
        let sequence = many2one(leads, record, "stage_id")
            .and_then(|stage| {
                let stages = stages?;
                stages.value(stages.get(stage)?, "sequence")?.as_i64()
            })
            .unwrap_or(0);
        let probability = leads
            .value(record, "probability")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        Some((is_opportunity, sequence, probability, -id))
    };
    members
        .iter()
        .filter_map(|id| key(*id).map(|k| (k, *id)))
        .max_by(|(a, _), (b, _)| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal))
        .map(|(_, id)| id)
}

/// Points every many2one and x2many value referring to one of `sources`
/// of `model` at `dst`, in every table, as the merge wizards do with
/// foreign keys.
fn redirect_references(dataset: &mut Dataset, model: &str, sources: &[i64], dst: i64) {
    let dst_name = dataset
        .table(model)
        .and_then(|t| t.get(dst).map(|r| display_name(t, r)))
        .unwrap_or(Value::Bool(false));
    for table in dataset.tables.values_mut() {
        let positions: Vec<(usize, bool)> = table
            .def
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match &f.ty {
                FieldType::Many2one(comodel) if *comodel == model => Some((i, true)),
                FieldType::Many2many(comodel) | FieldType::One2many { comodel, .. }
                    if *comodel == model =>
                {
                    Some((i, false))
                }
                _ => None,
            })
            .collect();
        if positions.is_empty() {
            continue;
        }
        for record in table.records_mut() {
            for (i, single) in &positions {
                let value = &mut record.values[*i];
                if *single {
                    let points_at = value.get(0).and_then(Value::as_i64);
                    if points_at.is_some_and(|id| sources.contains(&id)) {
                        *value = json!([dst, dst_name]);
                    }
                } else if let Value::Array(items) = value {
                    let mut ids: Vec<i64> = Vec::new();
                    for id in items.iter().filter_map(Value::as_i64) {
                        let id = if sources.contains(&id) { dst } else { id };
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    *value = json!(ids);
                }
            }
        }
    }
}

/// `id` and the parents above it.
fn ancestors(partners: &Table, id: i64) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut current = partners
        .get(id)
        .and_then(|r| many2one(partners, r, "parent_id"));
    while let Some(parent) = current.filter(|p| !seen.contains(p)) {
        seen.push(parent);
        current = partners
            .get(parent)
            .and_then(|r| many2one(partners, r, "parent_id"));
    }
    seen
}

fn wizard<'d>(
    dataset: &'d Dataset,
    model: &str,
    id: i64,
) -> Result<(&'d Table, &'d crate::demo::Record), Fault> {
    let table = table(dataset, model)?;
    let record = table.get(id).ok_or_else(|| {
        Fault::missing_error(format!(
            "Record does not exist or has been deleted.\n(Record: {model}({id},))"
        ))
    })?;
    Ok((table, record))
}

fn ids_of(table: &Table, record: &crate::demo::Record, field: &str) -> Vec<i64> {
    table
        .value(record, field)
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

fn many2one(table: &Table, record: &crate::demo::Record, field: &str) -> Option<i64> {
    match table.value(record, field)? {
        Value::Array(pair) => pair.first().and_then(Value::as_i64),
        Value::Number(id) => id.as_i64(),
        _ => None,
    }
}

fn table<'d>(dataset: &'d Dataset, model: &str) -> Result<&'d Table, Fault> {
    dataset
        .table(model)
        .ok_or_else(|| Fault::unknown_model(model))
}

fn table_mut<'d>(dataset: &'d mut Dataset, model: &str) -> Result<&'d mut Table, Fault> {
    dataset
        .table_mut(model)
        .ok_or_else(|| Fault::unknown_model(model))
}
