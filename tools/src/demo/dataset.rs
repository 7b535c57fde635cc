//! The in-memory database behind the fake Odoo: model definitions (what
//! `fields_get` reports), records in Odoo's `read` shape, and the users that
//! may log in with their access groups.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;
use thiserror::Error;

use crate::odoo::RecordView;

/// The type of a field, as `fields_get` reports it in `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Char,
    Text,
    Html,
    /// Base64 text, as Odoo reads and writes binary fields.
    Binary,
    Integer,
    Float,
    /// Amount in the currency held by `currency_field` of the same record.
    Monetary {
        currency_field: &'static str,
    },
    Boolean,
    Date,
    Datetime,
    /// `(value, label)` pairs.
    Selection(&'static [(&'static str, &'static str)]),
    Many2one(&'static str),
    One2many {
        comodel: &'static str,
        inverse: &'static str,
    },
    Many2many(&'static str),
}

impl FieldType {
    /// The name Odoo gives the type in `fields_get`.
    pub fn odoo_name(&self) -> &'static str {
        match self {
            FieldType::Char => "char",
            FieldType::Text => "text",
            FieldType::Html => "html",
            FieldType::Binary => "binary",
            FieldType::Integer => "integer",
            FieldType::Float => "float",
            FieldType::Monetary { .. } => "monetary",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Selection(_) => "selection",
            FieldType::Many2one(_) => "many2one",
            FieldType::One2many { .. } => "one2many",
            FieldType::Many2many(_) => "many2many",
        }
    }
}

/// One field of a model.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: &'static str,
    /// The label shown in Odoo (`string` in `fields_get`).
    pub label: &'static str,
    pub ty: FieldType,
    pub required: bool,
    pub readonly: bool,
    /// Only users in one of these groups may read the field (Odoo's
    /// `groups=` attribute); empty means everyone with access to the model.
    pub groups: &'static [&'static str],
}

impl FieldDef {
    /// A plain optional, writable field visible to everyone.
    pub const fn new(name: &'static str, label: &'static str, ty: FieldType) -> Self {
        Self {
            name,
            label,
            ty,
            required: false,
            readonly: false,
            groups: &[],
        }
    }
}

/// One model: its fields and who may use it.
#[derive(Debug, Clone)]
pub struct ModelDef {
    pub name: &'static str,
    /// Odoo's `_description`.
    pub description: &'static str,
    /// The field `display_name` and `name_search` use (Odoo's `_rec_name`).
    pub rec_name: &'static str,
    /// The default order of `search` (Odoo's `_order`), e.g. `"date desc, id desc"`.
    pub order: &'static str,
    /// Fields. [`Table::new`] puts `id` first; `display_name` is computed
    /// from `rec_name` when read.
    pub fields: Vec<FieldDef>,
    /// Groups allowed to read; empty means every internal user.
    pub read_groups: &'static [&'static str],
    /// Groups allowed to create, write and unlink; empty means every
    /// internal user.
    pub write_groups: &'static [&'static str],
}

/// A record: one value per field of its model, in the model's field order
/// (`id` first, as a number),
/// each in Odoo's `read` shape (`false` when unset, `[id, "display name"]`
/// for a many2one, a list of ids for x2many, a JSON number for money).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub id: i64,
    pub values: Box<[Value]>,
}

/// The records of one model, ordered by id.
#[derive(Debug, Clone)]
pub struct Table {
    pub def: ModelDef,
    index: HashMap<&'static str, usize>,
    records: Vec<Record>,
}

/// Why a record could not be stored.
#[derive(Debug, Error, PartialEq)]
pub enum TableError {
    #[error("model {0} does not exist")]
    UnknownModel(String),
    #[error("{model} has no field {field}")]
    UnknownField { model: String, field: String },
    #[error("{model}: id {id} is not above the last id {last}")]
    IdOrder { model: String, id: i64, last: i64 },
}

impl Table {
    pub fn new(mut def: ModelDef) -> Self {
        def.fields.retain(|f| f.name != "id");
        let mut id = FieldDef::new("id", "ID", FieldType::Integer);
        id.readonly = true;
        def.fields.insert(0, id);
        let index = def
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name, i))
            .collect();
        Self {
            def,
            index,
            records: Vec::new(),
        }
    }

    /// The position of `field` in each record's values.
    pub fn position(&self, field: &str) -> Option<usize> {
        self.index.get(field).copied()
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.position(name).map(|i| &self.def.fields[i])
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn records_mut(&mut self) -> &mut [Record] {
        &mut self.records
    }

    /// The record with `id`, by binary search (records are kept in id order).
    pub fn get(&self, id: i64) -> Option<&Record> {
        self.records
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &self.records[i])
    }

    pub fn get_mut(&mut self, id: i64) -> Option<&mut Record> {
        self.records
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &mut self.records[i])
    }

    /// Removes the record with `id`, keeping the others in id order.
    pub fn remove(&mut self, id: i64) -> Option<Record> {
        let i = self.records.binary_search_by_key(&id, |r| r.id).ok()?;
        Some(self.records.remove(i))
    }

    /// The position in [`Table::records`] of the first record whose id is at
    /// least `id`, so that a scan can start there instead of at the top.
    pub fn first_at_or_after(&self, id: i64) -> usize {
        self.records.partition_point(|r| r.id < id)
    }

    /// The id the next record gets.
    pub fn next_id(&self) -> i64 {
        self.records.last().map_or(1, |r| r.id + 1)
    }

    /// Appends a record; ids must grow.
    pub fn push(&mut self, record: Record) -> Result<(), TableError> {
        debug_assert_eq!(
            record.values.first().and_then(Value::as_i64),
            Some(record.id)
        );
        let last = self.records.last().map_or(0, |r| r.id);
        if record.id <= last {
            return Err(TableError::IdOrder {
                model: self.def.name.to_owned(),
                id: record.id,
                last,
            });
        }
        self.records.push(record);
        Ok(())
    }

    /// A record with every field unset (`false`, or `[]` for x2many), to
    /// fill in with [`Table::set`].
    pub fn blank(&self, id: i64) -> Record {
        let mut values: Box<[Value]> = self
            .def
            .fields
            .iter()
            .map(|f| match f.ty {
                FieldType::One2many { .. } | FieldType::Many2many(_) => Value::Array(Vec::new()),
                _ => Value::Bool(false),
            })
            .collect();
        values[0] = Value::from(id);
        Record { id, values }
    }

    /// Appends a blank record (see [`Table::blank`]) with the next id and
    /// returns it to fill in. Ids grow by construction, so this cannot fail.
    pub fn push_blank(&mut self) -> &mut Record {
        let record = self.blank(self.next_id());
        self.records.push(record);
        let last = self.records.len() - 1;
        &mut self.records[last]
    }

    /// The records, ordered by id, giving up the table.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the table holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Sets `field` of `record`; `id` cannot be changed.
    pub fn set(&self, record: &mut Record, field: &str, value: Value) -> Result<(), TableError> {
        let i =
            self.position(field)
                .filter(|&i| i != 0)
                .ok_or_else(|| TableError::UnknownField {
                    model: self.def.name.to_owned(),
                    field: field.to_owned(),
                })?;
        record.values[i] = value;
        Ok(())
    }

    /// The stored value of `field` (`id` included), or `None` for an unknown field.
    pub fn value<'r>(&self, record: &'r Record, field: &str) -> Option<&'r Value> {
        self.position(field).map(|i| &record.values[i])
    }
}

/// A user of the demo company.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// The `res.users` id (the uid of `authenticate`).
    pub uid: i64,
    pub login: String,
    /// The API key (or password) the user logs in with; demo data, not a secret.
    pub api_key: String,
    pub name: String,
    /// Full group xml ids, e.g. `account.group_account_manager`.
    pub groups: BTreeSet<String>,
}

impl DemoUser {
    /// Whether the user holds one of `groups` (or `groups` is empty).
    pub fn in_any(&self, groups: &[&str]) -> bool {
        groups.is_empty() || groups.iter().any(|g| self.groups.contains(*g))
    }
}

/// The whole company: every model's table plus the users.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The version `common.version` reports, e.g. `"17.0"` or `"saas~18.3"`.
    pub server_version: String,
    /// The database name `authenticate` expects.
    pub db: String,
    pub tables: BTreeMap<&'static str, Table>,
    pub users: Vec<DemoUser>,
}

impl Dataset {
    pub fn table(&self, model: &str) -> Option<&Table> {
        self.tables.get(model)
    }

    pub fn table_mut(&mut self, model: &str) -> Option<&mut Table> {
        self.tables.get_mut(model)
    }

    /// Adds a filled table, replacing any table of that model.
    pub fn insert_table(&mut self, table: Table) {
        self.tables.insert(table.def.name, table);
    }

    /// Adds an empty table for `def`, replacing any table of that name.
    pub fn add_model(&mut self, def: ModelDef) {
        self.tables.insert(def.name, Table::new(def));
    }

    pub fn user_by_login(&self, login: &str) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.login == login)
    }

    pub fn user(&self, uid: i64) -> Option<&DemoUser> {
        self.users.iter().find(|u| u.uid == uid)
    }

    /// A view of one record for the domain evaluator, following many2one
    /// links within the dataset.
    pub fn view<'a>(&'a self, model: &str, id: i64) -> Option<RecordRef<'a>> {
        let table = self.tables.get(model)?;
        let record = table.get(id)?;
        Some(RecordRef {
            dataset: self,
            table,
            record,
        })
    }
}

/// One record of a [`Dataset`] as the domain evaluator sees it.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    pub dataset: &'a Dataset,
    pub table: &'a Table,
    pub record: &'a Record,
}

impl RecordView for RecordRef<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.table.value(self.record, name)
    }

    fn related(&self, field: &str, id: i64) -> Option<Self> {
        let FieldType::Many2one(comodel) = self.table.field(field)?.ty else {
            return None;
        };
        self.dataset.view(comodel, id)
    }
}
