//! The proposals of spec 4.9 for the groups found: merges through Odoo's
//! own merge features, chunked to their limits, archiving of duplicate
//! products without stock or open orders, and "not duplicates". Nothing
//! here changes Odoo; each proposal states what it would change and the
//! facts that must still hold when it runs.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::output::Group;
use super::profile::Entity;
use super::read::{leaf, open_lines};
use crate::Role;
use crate::ToolError;
use crate::automations::Warning;
use crate::odoo::Domain;
use crate::proposals::{DuplicateKind, Precondition, Proposal, ProposalAction};

/// Contacts the contact-merge wizard merges per run: the master and two
/// more (Odoo refuses more "for safety reasons").
pub const PARTNERS_PER_MERGE: usize = 3;
/// Leads and opportunities the CRM merge takes at once (its
/// `max_length`).
pub const LEADS_PER_MERGE: usize = 5;

/// What was read about the group members for the proposals.
#[derive(Debug, Default)]
pub(crate) struct ProposalFacts {
    /// Partners: `email` as Odoo returns it (`false` for none).
    pub emails: HashMap<i64, Value>,
    /// Partners: users linked to each partner; `None` when `res.users`
    /// may not be read.
    pub users: Option<HashMap<i64, u64>>,
    /// Leads: `type` as read.
    pub lead_types: HashMap<i64, Value>,
    /// Products: quantity on hand, where known.
    pub on_hand: Option<HashMap<i64, f64>>,
    /// Products: open sales and purchase order lines, by model; a model
    /// that could not be counted is absent.
    pub open_lines: Vec<(&'static str, HashMap<i64, u64>)>,
}

/// The proposals for `groups`, and warnings for merges that Odoo would
/// refuse and are therefore not offered.
pub(crate) fn propose(
    entity: Entity,
    groups: &[Group],
    facts: &ProposalFacts,
    now: DateTime<Utc>,
) -> Result<(Vec<Proposal>, Vec<Warning>), ToolError> {
    let mut proposals = Vec::new();
    let mut warnings = Vec::new();
    for group in groups {
        let master = group.master.id;
        let names: HashMap<i64, String> = group
            .members
            .iter()
            .map(|m| (m.id, label(m.name.as_deref(), m.id)))
            .collect();
        let duplicates: Vec<i64> = group
            .members
            .iter()
            .map(|m| m.id)
            .filter(|id| *id != master)
            .collect();
        match entity {
            Entity::Partner => {
                for chunk in duplicates.chunks(PARTNERS_PER_MERGE - 1) {
                    match merge_partners(master, chunk, &names, facts, now)? {
                        Ok(proposal) => proposals.push(proposal),
                        Err(warning) => warnings.push(warning),
                    }
                }
            }
            Entity::Lead => {
                for chunk in duplicates.chunks(LEADS_PER_MERGE - 1) {
                    proposals.push(merge_leads(master, chunk, &names, facts, now));
                }
            }
            Entity::Product => {
                if let Some(proposal) = archive_products(&duplicates, &names, facts, now)? {
                    proposals.push(proposal);
                }
            }
        }
        proposals.push(dismiss(entity, group, &names, now));
    }
    Ok((proposals, warnings))
}

/// The role that approves changes to records of the entity.
pub(crate) fn role_for(entity: Entity) -> Role {
    match entity {
        Entity::Partner | Entity::Lead => Role::Sales,
        Entity::Product => Role::Warehouse,
    }
}

fn kind(entity: Entity) -> DuplicateKind {
    match entity {
        Entity::Partner => DuplicateKind::Partners,
        Entity::Lead => DuplicateKind::Leads,
        Entity::Product => DuplicateKind::Products,
    }
}

/// One run of the contact-merge wizard, or the warning saying why Odoo
/// would refuse it.
fn merge_partners(
    master: i64,
    chunk: &[i64],
    names: &HashMap<i64, String>,
    facts: &ProposalFacts,
    now: DateTime<Utc>,
) -> Result<Result<Proposal, Warning>, ToolError> {
    let ids: Vec<i64> = std::iter::once(master)
        .chain(chunk.iter().copied())
        .collect();
    let listed = list(chunk, names);
    let master_name = name(master, names);
    let mut preconditions = Vec::new();
    if let Some(users) = &facts.users {
        let linked: u64 = ids
            .iter()
            .map(|id| users.get(id).copied().unwrap_or(0))
            .sum();
        if linked > 1 {
            return Ok(Err(Warning::new(
                "MERGE_NOT_OFFERED",
                format!(
                    "{listed} and {master_name} are linked to {linked} users; Odoo's \
                     contact merge refuses contacts linked to more than one user"
                ),
            )));
        }
        preconditions.push(Precondition::CountEquals {
            model: "res.users".to_owned(),
            domain: leaf(Domain::is_in("partner_id", ids.iter().copied()))?.to_value(),
            expected: linked,
            description: "users linked to these contacts unchanged (at most one)".to_owned(),
        });
    }
    preconditions.push(Precondition::CountEquals {
        model: "res.partner".to_owned(),
        domain: Domain::and(vec![
            leaf(Domain::is_in("id", ids.iter().copied()))?,
            leaf(Domain::is_in("parent_id", ids.iter().copied()))?,
        ])
        .to_value(),
        expected: 0,
        description: "no contact of the merge is the parent of another".to_owned(),
    });
    for id in &ids {
        preconditions.push(field_equals(
            "res.partner",
            *id,
            "active",
            Value::Bool(true),
            "contact still active",
        ));
        let email = facts.emails.get(id).cloned().unwrap_or(Value::Bool(false));
        preconditions.push(field_equals(
            "res.partner",
            *id,
            "email",
            email,
            "e-mail unchanged",
        ));
    }
    let distinct_emails: std::collections::BTreeSet<String> = ids
        .iter()
        .map(|id| match facts.emails.get(id) {
            Some(Value::String(email)) => email.trim().to_lowercase(),
            _ => String::new(),
        })
        .collect();
    let (role, note) = if distinct_emails.len() > 1 {
        (
            Role::Admin,
            " The e-mails differ, so only an administrator may run the merge.",
        )
    } else {
        (role_for(Entity::Partner), "")
    };
    let preview = format!(
        "Merge {listed} into {master_name} with Odoo's contact merge. Before: {} contacts. \
         After: {master_name} only; every invoice, order, lead and message of the others \
         points to it, and the others are deleted.{note}",
        ids.len()
    );
    let action = ProposalAction::MergePartners {
        master_id: master,
        duplicate_ids: chunk.to_vec(),
    };
    Ok(Ok(Proposal::new(action, preview, preconditions, role, now)))
}

fn merge_leads(
    master: i64,
    chunk: &[i64],
    names: &HashMap<i64, String>,
    facts: &ProposalFacts,
    now: DateTime<Utc>,
) -> Proposal {
    let ids: Vec<i64> = std::iter::once(master)
        .chain(chunk.iter().copied())
        .collect();
    let mut preconditions = Vec::new();
    for id in &ids {
        preconditions.push(field_equals(
            "crm.lead",
            *id,
            "active",
            Value::Bool(true),
            "lead still active",
        ));
        if let Some(kind) = facts.lead_types.get(id) {
            preconditions.push(field_equals(
                "crm.lead",
                *id,
                "type",
                kind.clone(),
                "still of the same type (lead or opportunity)",
            ));
        }
    }
    let master_name = name(master, names);
    let preview = format!(
        "Merge {} into {master_name} with the CRM merge. Before: {} records. After: \
         {master_name} only, holding the others' notes, messages and activities; the others \
         are deleted.",
        list(chunk, names),
        ids.len()
    );
    let action = ProposalAction::MergeLeads {
        master_id: master,
        duplicate_ids: chunk.to_vec(),
    };
    Proposal::new(action, preview, preconditions, role_for(Entity::Lead), now)
}

/// Archiving of the duplicates (never the master) that have no stock on
/// hand and no open order line; `None` when no duplicate qualifies.
fn archive_products(
    duplicates: &[i64],
    names: &HashMap<i64, String>,
    facts: &ProposalFacts,
    now: DateTime<Utc>,
) -> Result<Option<Proposal>, ToolError> {
    let free = |id: &i64| {
        let stock = facts
            .on_hand
            .as_ref()
            .and_then(|q| q.get(id))
            .copied()
            .unwrap_or(0.0);
        let open = facts
            .open_lines
            .iter()
            .any(|(_, counts)| counts.get(id).copied().unwrap_or(0) > 0);
        stock == 0.0 && !open
    };
    let ids: Vec<i64> = duplicates.iter().copied().filter(free).collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let mut preconditions = Vec::new();
    for id in &ids {
        preconditions.push(field_equals(
            "product.product",
            *id,
            "active",
            Value::Bool(true),
            "product still active",
        ));
        if facts.on_hand.is_some() {
            preconditions.push(field_equals(
                "product.product",
                *id,
                "qty_available",
                Value::from(0),
                "still no stock on hand",
            ));
        }
    }
    for (model, _) in &facts.open_lines {
        preconditions.push(Precondition::CountEquals {
            model: (*model).to_owned(),
            domain: Domain::and(vec![
                leaf(Domain::is_in("product_id", ids.iter().copied()))?,
                open_lines(model)?,
            ])
            .to_value(),
            expected: 0,
            description: format!("still no open {model} for these products"),
        });
    }
    let preview = format!(
        "Archive {}. Before: active. After: archived (hidden from new orders; history kept). \
         Products have no merge in Odoo.",
        list(&ids, names)
    );
    Ok(Some(Proposal::new(
        ProposalAction::ArchiveProducts { ids },
        preview,
        preconditions,
        role_for(Entity::Product),
        now,
    )))
}

fn dismiss(
    entity: Entity,
    group: &Group,
    names: &HashMap<i64, String>,
    now: DateTime<Utc>,
) -> Proposal {
    let ids: Vec<i64> = group.members.iter().map(|m| m.id).collect();
    let preview = format!(
        "Mark {} as not duplicates of each other. Odoo is not changed; find_duplicates stops \
         reporting these pairs.",
        list(&ids, names)
    );
    Proposal::new(
        ProposalAction::DismissGroup {
            kind: kind(entity),
            ids,
        },
        preview,
        Vec::new(),
        role_for(entity),
        now,
    )
}

fn field_equals(model: &str, id: i64, field: &str, expected: Value, why: &str) -> Precondition {
    Precondition::FieldEquals {
        model: model.to_owned(),
        id,
        field: field.to_owned(),
        expected,
        description: why.to_owned(),
    }
}

/// `'Acme Corp' (7)`.
pub(crate) fn label(name: Option<&str>, id: i64) -> String {
    match name {
        Some(name) => format!("'{name}' ({id})"),
        None => format!("record {id}"),
    }
}

fn name(id: i64, names: &HashMap<i64, String>) -> String {
    names.get(&id).cloned().unwrap_or_else(|| label(None, id))
}

fn list(ids: &[i64], names: &HashMap<i64, String>) -> String {
    let parts: Vec<String> = ids.iter().map(|id| name(*id, names)).collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
