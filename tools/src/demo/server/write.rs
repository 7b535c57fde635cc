//! Changing records: `create`, `write`, `unlink`, and `message_post`,
//! which stores a `mail.message` when the dataset has that model.
//!
//! Values are stored in `read` shape: a many2one given as an id becomes
//! `[id, display_name]`, x2many commands `[6, 0, ids]` and `[4, id]` become
//! the list of ids. Display names held by other records are not refreshed
//! when a name changes.

use serde_json::{Map, Value, json};

use crate::demo::{Dataset, DemoUser, FieldType, Record, Table};

use super::access::{Operation, check_fields, check_model};
use super::fault::Fault;
use super::read::display_name;

/// `create(vals_list)`: one id for a dict, a list of ids for a list.
pub(crate) fn create(
    dataset: &mut Dataset,
    user: &DemoUser,
    model: &str,
    vals: &Value,
) -> Result<Value, Fault> {
    let (list, single) = match vals {
        Value::Object(_) => (vec![vals], true),
        Value::Array(items) => (items.iter().collect(), false),
        _ => {
            return Err(Fault::type_error(
                "create() takes a dict or a list of dicts",
            ));
        }
    };
    let mut records = Vec::new();
    {
        let table = table(dataset, model)?;
        check_model(table, user, Operation::Create)?;
        for (next, vals) in (table.next_id()..).zip(list) {
            let Value::Object(vals) = vals else {
                return Err(Fault::type_error(
                    "create() takes a dict or a list of dicts",
                ));
            };
            let mut record = table.blank(next);
            apply(dataset, table, user, &mut record, vals, Operation::Create)?;
            let missing: Vec<&str> = table
                .def
                .fields
                .iter()
                .enumerate()
                .filter(|(i, f)| {
                    f.required && *i != 0 && matches!(record.values[*i], Value::Bool(false))
                })
                .map(|(_, f)| f.name)
                .collect();
            if !missing.is_empty() {
                return Err(Fault::validation_error(format!(
                    "The operation cannot be completed:\n- Create/update: a mandatory field is \
                     not set.\n- Delete: another model requires the record being deleted. If \
                     possible, archive it instead.\n\nModel: {} ({})\nField: {}",
                    table.def.description,
                    table.def.name,
                    missing.join(", ")
                )));
            }
            records.push(record);
        }
    }
    let table = table_mut(dataset, model)?;
    let mut ids = Vec::new();
    for record in records {
        ids.push(record.id);
        table
            .push(record)
            .map_err(|err| Fault::validation_error(err.to_string()))?;
    }
    Ok(match (single, ids.as_slice()) {
        (true, [id]) => json!(id),
        _ => json!(ids),
    })
}

/// `write(ids, vals)`: `true`, or a `MissingError` naming the absent ids.
pub(crate) fn write(
    dataset: &mut Dataset,
    user: &DemoUser,
    model: &str,
    ids: &[i64],
    vals: &Value,
) -> Result<Value, Fault> {
    let Value::Object(vals) = vals else {
        return Err(Fault::type_error("write() takes a dict of values"));
    };
    let mut updated = Vec::new();
    {
        let table = table(dataset, model)?;
        check_model(table, user, Operation::Write)?;
        check_exist(table, user, ids)?;
        for id in ids {
            if let Some(record) = table.get(*id) {
                let mut record = record.clone();
                apply(dataset, table, user, &mut record, vals, Operation::Write)?;
                updated.push(record);
            }
        }
    }
    let table = table_mut(dataset, model)?;
    for record in updated {
        if let Some(slot) = table.get_mut(record.id) {
            *slot = record;
        }
    }
    Ok(Value::Bool(true))
}

/// `unlink(ids)`: `true`, or a `MissingError` naming the absent ids.
pub(crate) fn unlink(
    dataset: &mut Dataset,
    user: &DemoUser,
    model: &str,
    ids: &[i64],
) -> Result<Value, Fault> {
    {
        let table = table(dataset, model)?;
        check_model(table, user, Operation::Unlink)?;
        check_exist(table, user, ids)?;
    }
    let table = table_mut(dataset, model)?;
    for id in ids {
        table.remove(*id);
    }
    Ok(Value::Bool(true))
}

/// `message_post(body=..., message_type=..., subtype_xmlid=...)` on one
/// record: the new `mail.message` id, or `false` when the dataset has no
/// `mail.message` model to keep it in.
pub(crate) fn message_post(
    dataset: &mut Dataset,
    user: &DemoUser,
    model: &str,
    ids: &[i64],
    kwargs: &Map<String, Value>,
) -> Result<Value, Fault> {
    let table = table(dataset, model)?;
    check_model(table, user, Operation::Read)?;
    check_exist(table, user, ids)?;
    let [res_id] = ids else {
        return Err(Fault::value_error(format!(
            "Expected singleton: {model}({})",
            ids.iter().map(|id| format!("{id},")).collect::<String>()
        )));
    };
    let Some(messages) = dataset.table("mail.message") else {
        return Ok(Value::Bool(false));
    };
    let mut record = messages.blank(messages.next_id());
    let author = dataset
        .table("res.users")
        .and_then(|users| users.get(user.uid).map(|u| (users, u)))
        .and_then(|(users, u)| users.value(u, "partner_id").cloned());
    let mut values: Vec<(&str, Value)> = vec![
        ("model", json!(model)),
        ("res_id", json!(res_id)),
        (
            "body",
            kwargs.get("body").cloned().unwrap_or_else(|| json!("")),
        ),
        (
            "message_type",
            kwargs
                .get("message_type")
                .cloned()
                .unwrap_or_else(|| json!("notification")),
        ),
    ];
    if let Some(subject) = kwargs.get("subject") {
        values.push(("subject", subject.clone()));
    }
    if let Some(attachments) = kwargs.get("attachment_ids") {
        values.push(("attachment_ids", attachment_ids(dataset, attachments)?));
    }
    if let Some(author) = author {
        values.push(("author_id", author));
    }
    for (field, value) in values {
        // The generator decides which of these fields mail.message has.
        if messages.position(field).is_some() {
            let _ = messages.set(&mut record, field, value);
        }
    }
    let id = record.id;
    table_mut(dataset, "mail.message")?
        .push(record)
        .map_err(|err| Fault::validation_error(err.to_string()))?;
    Ok(json!(id))
}

/// `attachment_ids` of `message_post`: a list of existing `ir.attachment`
/// ids, as Odoo takes it.
fn attachment_ids(dataset: &Dataset, value: &Value) -> Result<Value, Fault> {
    let ids: Option<Vec<i64>> = value
        .as_array()
        .and_then(|ids| ids.iter().map(Value::as_i64).collect());
    let ids = ids.ok_or_else(|| {
        Fault::value_error(format!("attachment_ids must be a list of ids, got {value}"))
    })?;
    let attachments = table(dataset, "ir.attachment")?;
    if let Some(missing) = ids.iter().find(|id| attachments.get(**id).is_none()) {
        return Err(Fault::missing_error(format!(
            "Record does not exist or has been deleted. (Record: ir.attachment({missing},))"
        )));
    }
    Ok(json!(ids))
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

fn check_exist(table: &Table, user: &DemoUser, ids: &[i64]) -> Result<(), Fault> {
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| table.get(**id).is_none())
        .map(|id| format!("{id},"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Fault::missing_error(format!(
        "Record does not exist or has been deleted.\n(Record: {}({}), User: {})",
        table.def.name,
        missing.join(" "),
        user.uid
    )))
}

/// Sets each of `vals` on `record`, converting to the stored shape.
fn apply(
    dataset: &Dataset,
    table: &Table,
    user: &DemoUser,
    record: &mut Record,
    vals: &Map<String, Value>,
    op: Operation,
) -> Result<(), Fault> {
    let mut fields = Vec::new();
    for name in vals.keys() {
        let field = table
            .field(name)
            .filter(|f| f.name != "id")
            .ok_or_else(|| Fault::invalid_field(table.def.name, name))?;
        fields.push(field);
    }
    check_fields(table, user, fields, op)?;
    for (name, value) in vals {
        let Some(field) = table.field(name) else {
            continue;
        };
        let stored = match (&field.ty, value) {
            (FieldType::Many2one(comodel), Value::Number(id)) => {
                let id = id.as_i64().unwrap_or(0);
                let linked = dataset.table(comodel);
                let name = match linked.map(|t| (t, t.get(id))) {
                    Some((t, Some(r))) => display_name(t, r),
                    Some((t, None)) => {
                        return Err(Fault::missing_error(format!(
                            "Record does not exist or has been deleted.\n(Record: {}({id},), \
                             User: {})",
                            t.def.name, user.uid
                        )));
                    }
                    None => Value::Bool(false),
                };
                json!([id, name])
            }
            (FieldType::One2many { .. } | FieldType::Many2many(_), Value::Array(commands)) => {
                x2many(
                    record.values[table.position(name).unwrap_or(0)].clone(),
                    commands,
                )?
            }
            (_, Value::Null) => Value::Bool(false),
            _ => value.clone(),
        };
        table
            .set(record, name, stored)
            .map_err(|err| Fault::value_error(err.to_string()))?;
    }
    Ok(())
}

/// Applies x2many commands (or a plain list of ids) to the current ids.
fn x2many(current: Value, commands: &[Value]) -> Result<Value, Fault> {
    let mut ids: Vec<i64> = current
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if commands.iter().all(Value::is_i64) {
        return Ok(json!(commands));
    }
    for command in commands {
        let parts = command.as_array().map(Vec::as_slice).unwrap_or_default();
        match parts {
            [code, _, list] if code.as_i64() == Some(6) => {
                ids = list
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
            }
            [code, id, ..] if code.as_i64() == Some(4) => {
                if let Some(id) = id.as_i64().filter(|id| !ids.contains(id)) {
                    ids.push(id);
                }
            }
            [code, id, ..] if matches!(code.as_i64(), Some(2) | Some(3)) => {
                ids.retain(|x| Some(*x) != id.as_i64());
            }
            [code, ..] if code.as_i64() == Some(5) => ids.clear(),
            _ => {
                return Err(Fault::value_error(format!(
                    "Unsupported x2many command {command}"
                )));
            }
        }
    }
    Ok(json!(ids))
}
