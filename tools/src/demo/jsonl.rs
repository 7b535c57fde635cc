//! Loading fixed data sets into a [`Dataset`]: JSON Lines files in Odoo's
//! `search_read` shape, one file per model (`res.partner.jsonl`, one record
//! object per line), as exported from a real Odoo or kept for evals.
//!
//! A loaded model's table is replaced as a whole; the other tables (the
//! company, the users, the chart of accounts) stay as generated, so a file
//! set needs to hold only the models it is about. Links from the files into
//! other models are the files' business: they are kept as written.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use thiserror::Error;

use super::dataset::{Dataset, FieldType, Record, Table};

/// Why a file could not be loaded. Nothing is changed in the dataset then.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: the file name must be `<model>.jsonl` for a model of the demo company, and \
         `{model}` is not one (known: {known})"
    )]
    UnknownModel {
        path: PathBuf,
        model: String,
        known: String,
    },
    #[error("{path}:{line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Replaces the table of `model` with the records of `reader`, read as
/// JSON Lines named `path` in messages. Returns the number of records.
pub fn load_model(
    dataset: &mut Dataset,
    model: &str,
    reader: impl BufRead,
    path: &Path,
) -> Result<usize, LoadError> {
    let Some(current) = dataset.table(model) else {
        return Err(LoadError::UnknownModel {
            path: path.to_owned(),
            model: model.to_owned(),
            known: dataset
                .tables
                .keys()
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut table = Table::new(current.def.clone());
    let mut records = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let fail = |message: String| LoadError::Line {
            path: path.to_owned(),
            line: number,
            message,
        };
        let object: Map<String, Value> =
            serde_json::from_str(&line).map_err(|err| fail(format!("not a JSON object: {err}")))?;
        records.push((number, record_from(&table, object).map_err(fail)?));
    }
    // Files need not be in id order; the table must be.
    records.sort_by_key(|(_, record)| record.id);
    for pair in records.windows(2) {
        if pair[0].1.id == pair[1].1.id {
            return Err(LoadError::Line {
                path: path.to_owned(),
                line: pair[1].0,
                message: format!(
                    "id {} appears twice (also on line {})",
                    pair[1].1.id, pair[0].0
                ),
            });
        }
    }
    let count = records.len();
    for (line, record) in records {
        table.push(record).map_err(|err| LoadError::Line {
            path: path.to_owned(),
            line,
            message: err.to_string(),
        })?;
    }
    dataset.insert_table(table);
    Ok(count)
}

/// Loads every `<model>.jsonl` file of `dir`, in name order. Either every
/// file loads or the dataset is left as it was.
pub fn load_dir(dataset: &mut Dataset, dir: &Path) -> Result<Vec<(String, usize)>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    files.retain(|p| p.extension().is_some_and(|e| e == "jsonl"));
    files.sort();
    let mut loaded = dataset.clone();
    let mut counts = Vec::new();
    for path in files {
        let model = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = std::fs::File::open(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let count = load_model(&mut loaded, &model, std::io::BufReader::new(file), &path)?;
        counts.push((model, count));
    }
    *dataset = loaded;
    Ok(counts)
}

/// One line's object as a record of `table`, each value checked against
/// its field's type so that a bad file fails here, not inside a tool.
fn record_from(table: &Table, object: Map<String, Value>) -> Result<Record, String> {
    let id = match object.get("id") {
        Some(Value::Number(n)) => n.as_i64().filter(|id| *id > 0),
        _ => None,
    }
    .ok_or("every record needs a positive integer `id`")?;
    let mut record = table.blank(id);
    for (name, value) in object {
        if name == "id" || name == "display_name" {
            continue;
        }
        let field = table.field(&name).ok_or_else(|| {
            format!(
                "model {} has no field `{name}` in the demo company",
                table.def.name
            )
        })?;
        check_shape(&field.ty, &value)
            .map_err(|expected| format!("field `{name}`: expected {expected}, got {value}"))?;
        table
            .set(&mut record, &name, value)
            .map_err(|err| err.to_string())?;
    }
    fill_computed(table, &mut record);
    Ok(record)
}

/// Fills the stored computed fields Odoo derives itself and exports often
/// leave out, so a loaded record reads like a real one: the record's name
/// field when it is not `name` (`res.partner.complete_name`), and a
/// partner's commercial entity (its parent, or itself).
fn fill_computed(table: &Table, record: &mut Record) {
    let value = |record: &Record, field: &str| table.value(record, field).cloned();
    let unset = |v: &Option<Value>| matches!(v, Some(Value::Bool(false)));
    let rec_name = table.def.rec_name;
    if rec_name != "name"
        && unset(&value(record, rec_name))
        && let Some(name @ Value::String(_)) = value(record, "name")
    {
        let _ = table.set(record, rec_name, name);
    }
    if table.def.name == "res.partner" && unset(&value(record, "commercial_partner_id")) {
        let own = match value(record, "name") {
            Some(Value::String(name)) => {
                Value::from(vec![Value::from(record.id), Value::from(name)])
            }
            _ => Value::Bool(false),
        };
        let commercial = match value(record, "parent_id") {
            Some(parent @ Value::Array(_)) => parent,
            _ => own,
        };
        let _ = table.set(record, "commercial_partner_id", commercial);
    }
}

/// Whether `value` has the `read` shape of a field of type `ty`; `false`
/// is "unset" for every scalar type, as Odoo returns it.
fn check_shape(ty: &FieldType, value: &Value) -> Result<(), &'static str> {
    let unset = value == &Value::Bool(false);
    let ok = match ty {
        FieldType::Char
        | FieldType::Text
        | FieldType::Html
        | FieldType::Binary
        | FieldType::Selection(_) => unset || value.is_string(),
        FieldType::Date => unset || value.as_str().is_some_and(is_date),
        FieldType::Datetime => unset || value.as_str().is_some_and(is_datetime),
        FieldType::Integer => value.is_i64(),
        FieldType::Float | FieldType::Monetary { .. } => value.is_number(),
        FieldType::Boolean => value.is_boolean(),
        FieldType::Many2one(_) => unset || is_many2one(value),
        FieldType::One2many { .. } | FieldType::Many2many(_) => value
            .as_array()
            .is_some_and(|ids| ids.iter().all(Value::is_i64)),
    };
    if ok {
        return Ok(());
    }
    Err(match ty {
        FieldType::Char
        | FieldType::Text
        | FieldType::Html
        | FieldType::Binary
        | FieldType::Selection(_) => "a string or false",
        FieldType::Date => "a date `YYYY-MM-DD` or false",
        FieldType::Datetime => "a datetime `YYYY-MM-DD HH:MM:SS` or false",
        FieldType::Integer => "an integer",
        FieldType::Float | FieldType::Monetary { .. } => "a number",
        FieldType::Boolean => "true or false",
        FieldType::Many2one(_) => "[id, \"name\"] or false",
        FieldType::One2many { .. } | FieldType::Many2many(_) => "a list of ids",
    })
}

fn is_many2one(value: &Value) -> bool {
    matches!(value.as_array().map(Vec::as_slice), Some([id, name]) if id.is_i64() && name.is_string())
}

fn is_date(text: &str) -> bool {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

fn is_datetime(text: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").is_ok()
}
