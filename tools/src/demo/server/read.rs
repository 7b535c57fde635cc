//! Reading records in Odoo's `read` shape, `display_name` included, and
//! describing fields (`fields_get`).

use serde_json::{Map, Value, json};

use crate::demo::{FieldDef, FieldType, Record, Table};

use super::access::{Operation, can_see, check_fields};
use super::fault::Fault;
use super::query::Scope;

/// A column to read: a stored field or the computed `display_name`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    Stored(usize),
    DisplayName,
}

/// The columns `fields` asks for; every visible field plus `display_name`
/// when `fields` is empty or absent (hidden fields are then left out, as
/// Odoo does, while naming one is refused).
pub(crate) fn columns(
    scope: &Scope<'_>,
    fields: Option<&[String]>,
) -> Result<Vec<(String, Column)>, Fault> {
    let table = scope.table;
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        let mut all: Vec<(String, Column)> = table
            .def
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| can_see(f, scope.user))
            .map(|(i, f)| (f.name.to_owned(), Column::Stored(i)))
            .collect();
        all.push(("display_name".to_owned(), Column::DisplayName));
        return Ok(all);
    };
    let mut columns = vec![("id".to_owned(), Column::Stored(0))];
    let mut named = Vec::new();
    for name in fields {
        if name == "id" {
            continue;
        }
        if name == "display_name" {
            columns.push((name.clone(), Column::DisplayName));
            continue;
        }
        let pos = table
            .position(name)
            .ok_or_else(|| Fault::invalid_field(table.def.name, name))?;
        named.push(&table.def.fields[pos]);
        columns.push((name.clone(), Column::Stored(pos)));
    }
    check_fields(table, scope.user, named, Operation::Read)?;
    Ok(columns)
}

/// One record as `read` returns it.
pub(crate) fn record_json(table: &Table, columns: &[(String, Column)], record: &Record) -> Value {
    let mut map = Map::new();
    for (name, column) in columns {
        let value = match column {
            Column::Stored(pos) => record.values[*pos].clone(),
            Column::DisplayName => display_name(table, record),
        };
        map.insert(name.clone(), value);
    }
    Value::Object(map)
}

/// Odoo's default `display_name`: the `_rec_name` field, or `model,id`
/// when the model has none.
pub(crate) fn display_name(table: &Table, record: &Record) -> Value {
    match table.value(record, table.def.rec_name) {
        Some(Value::String(name)) => Value::String(name.clone()),
        Some(Value::Array(pair)) => pair.get(1).cloned().unwrap_or(Value::Bool(false)),
        Some(Value::Number(n)) => Value::String(n.to_string()),
        _ => Value::String(format!("{},{}", table.def.name, record.id)),
    }
}

/// `fields_get(allfields, attributes)`: the fields the user may see, each
/// described by the attributes asked for (all when `attributes` is empty).
pub(crate) fn fields_get(
    scope: &Scope<'_>,
    allfields: Option<&[String]>,
    attributes: Option<&[String]>,
) -> Value {
    let table = scope.table;
    let wanted = |name: &str| allfields.is_none_or(|a| a.is_empty() || a.iter().any(|f| f == name));
    let mut out = Map::new();
    for field in table.def.fields.iter().filter(|f| can_see(f, scope.user)) {
        if wanted(field.name) {
            out.insert(field.name.to_owned(), describe(field, attributes));
        }
    }
    if wanted("display_name") {
        let mut display = FieldDef::new("display_name", "Display Name", FieldType::Char);
        display.readonly = true;
        let mut description = describe(&display, attributes);
        if let Value::Object(map) = &mut description
            && attributes.is_none_or(|a| a.is_empty() || a.iter().any(|x| x == "store"))
        {
            map.insert("store".to_owned(), Value::Bool(false));
        }
        out.insert("display_name".to_owned(), description);
    }
    Value::Object(out)
}

fn describe(field: &FieldDef, attributes: Option<&[String]>) -> Value {
    let mut all = json!({
        "type": field.ty.odoo_name(),
        "string": field.label,
        "required": field.required,
        "readonly": field.readonly,
        "store": true,
        "searchable": true,
        "sortable": !matches!(field.ty, FieldType::One2many { .. } | FieldType::Many2many(_)),
    });
    let Value::Object(map) = &mut all else {
        return all;
    };
    match &field.ty {
        FieldType::Many2one(comodel) | FieldType::Many2many(comodel) => {
            map.insert("relation".to_owned(), json!(comodel));
        }
        FieldType::One2many { comodel, inverse } => {
            map.insert("relation".to_owned(), json!(comodel));
            map.insert("relation_field".to_owned(), json!(inverse));
        }
        FieldType::Selection(options) => {
            let pairs: Vec<Value> = options.iter().map(|(v, l)| json!([v, l])).collect();
            map.insert("selection".to_owned(), Value::Array(pairs));
        }
        FieldType::Monetary { currency_field } => {
            map.insert("currency_field".to_owned(), json!(currency_field));
        }
        _ => {}
    }
    if let Some(attributes) = attributes.filter(|a| !a.is_empty()) {
        map.retain(|key, _| attributes.iter().any(|a| a == key));
    }
    all
}
