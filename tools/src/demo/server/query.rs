//! Selecting records: a domain checked against the model (unknown fields
//! and hidden fields are refused as Odoo refuses them), evaluated with
//! [`crate::odoo::matches`], then ordered and paged.
//!
//! Ordering by id walks the records in storage order and stops once the
//! page is full, and an `id >`/`>=` bound in an all-AND domain skips straight
//! to it, so paging through a large table by id stays cheap.

use serde_json::Value;

use crate::demo::{Dataset, DemoUser, FieldType, Record, RecordRef, Table};
use crate::odoo::{Domain, matches};

use super::access::{Operation, check_fields};
use super::fault::Fault;
use super::order::Order;

/// The field whose `false` archives a record.
const ACTIVE: &str = "active";

/// A domain accepted for one model.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    domain: Domain,
    /// The smallest id a matching record can have.
    min_id: i64,
}

/// What a caller sees of one model: the dataset, the table and the user.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    pub dataset: &'a Dataset,
    pub table: &'a Table,
    pub user: &'a DemoUser,
}

impl Filter {
    /// The domain as parsed, `display_name` rewritten to the stored field.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }
}

impl<'a> Scope<'a> {
    /// Reads `value` as a domain on this model; `None` or `false` is `[]`.
    ///
    /// On a model with an `active` field, archived records are left out
    /// unless the domain has a term on `active` itself, as Odoo's
    /// `active_test` does for every search (`search_read`, `search_count`,
    /// grouped reads, `name_search`); `read` by id still returns them.
    pub fn filter(&self, value: Option<&Value>) -> Result<Filter, Fault> {
        let given = value.filter(|v| !matches!(v, Value::Null | Value::Bool(false)));
        let mut value = given.cloned().unwrap_or_else(|| Value::Array(Vec::new()));
        self.check_terms(&mut value)?;
        let invalid = |err: crate::odoo::DomainError| Fault::value_error(err.to_string());
        let mut domain = Domain::parse(&value).map_err(invalid)?;
        if self.table.field(ACTIVE).is_some() && !names_active(&value) {
            domain = Domain::and(vec![Domain::eq(ACTIVE, true).map_err(invalid)?, domain]);
        }
        Ok(Filter {
            domain,
            min_id: min_id(&value),
        })
    }

    /// Every record matching `filter`, in `order`, after `offset`, at most `limit`.
    pub fn search(
        &self,
        filter: &Filter,
        order: &Order,
        offset: usize,
        limit: Option<usize>,
    ) -> Vec<&'a Record> {
        let limit = limit.unwrap_or(usize::MAX);
        let records = self.table.records();
        match order.by_id_only() {
            Some(false) => {
                let start = self.table.first_at_or_after(filter.min_id);
                records[start..]
                    .iter()
                    .filter(|r| self.matches(filter, r))
                    .skip(offset)
                    .take(limit)
                    .collect()
            }
            Some(true) => {
                let start = self.table.first_at_or_after(filter.min_id);
                records[start..]
                    .iter()
                    .rev()
                    .filter(|r| self.matches(filter, r))
                    .skip(offset)
                    .take(limit)
                    .collect()
            }
            None => {
                let mut found = self.all(filter);
                // Only the first `offset + limit` need sorting: partition
                // them off first, which is linear.
                let wanted = offset.saturating_add(limit);
                if wanted < found.len() {
                    found.select_nth_unstable_by(wanted, |a, b| order.compare(a, b));
                    found.truncate(wanted);
                }
                found.sort_by(|a, b| order.compare(a, b));
                found.into_iter().skip(offset).take(limit).collect()
            }
        }
    }

    /// Every record matching `filter`, in id order.
    pub fn all(&self, filter: &Filter) -> Vec<&'a Record> {
        self.matching(filter).collect()
    }

    /// The records matching `filter`, lazily, in id order.
    pub fn matching<'s>(&'s self, filter: &'s Filter) -> impl Iterator<Item = &'a Record> + 's {
        let start = self.table.first_at_or_after(filter.min_id);
        self.table.records()[start..]
            .iter()
            .filter(move |r| self.matches(filter, r))
    }

    /// How many records match, counting no further than `limit`.
    pub fn count(&self, filter: &Filter, limit: Option<usize>) -> usize {
        self.matching(filter)
            .take(limit.unwrap_or(usize::MAX))
            .count()
    }

    pub fn matches(&self, filter: &Filter, record: &Record) -> bool {
        if filter.domain.is_all() {
            return true;
        }
        let view = RecordRef {
            dataset: self.dataset,
            table: self.table,
            record,
        };
        matches(&filter.domain, &view)
    }

    /// Checks each term's field path and rewrites `display_name` to the
    /// field it is computed from, which is what Odoo searches.
    fn check_terms(&self, value: &mut Value) -> Result<(), Fault> {
        let Value::Array(elements) = value else {
            return Ok(()); // Domain::parse reports the shape.
        };
        for element in elements {
            let Value::Array(term) = element else {
                continue;
            };
            let Some(Value::String(path)) = term.first_mut() else {
                continue;
            };
            *path = self.check_path(path)?;
        }
        Ok(())
    }

    fn check_path(&self, path: &str) -> Result<String, Fault> {
        let mut table = self.table;
        let mut checked = Vec::new();
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let name = if part == "display_name" {
                table.def.rec_name
            } else {
                part
            };
            let field = table
                .field(name)
                .ok_or_else(|| Fault::invalid_field(table.def.name, part))?;
            check_fields(table, self.user, [field], Operation::Read)?;
            checked.push(name);
            if parts.peek().is_none() {
                break;
            }
            match field.ty {
                FieldType::Many2one(comodel) => match self.dataset.table(comodel) {
                    Some(next) => table = next,
                    // A link to a model the dataset leaves out: accept the
                    // rest unchecked; it matches nothing.
                    None => {
                        checked.extend(parts);
                        break;
                    }
                },
                _ => return Err(Fault::invalid_field(table.def.name, path)),
            }
        }
        Ok(checked.join("."))
    }
}

/// Whether a domain has a term on `active`, which turns off Odoo's
/// implicit `active = true` (only the field itself counts, not a path
/// such as `partner_id.active`).
fn names_active(domain: &Value) -> bool {
    domain.as_array().is_some_and(|elements| {
        elements
            .iter()
            .any(|e| e.get(0).and_then(Value::as_str) == Some(ACTIVE))
    })
}

/// The lower id bound of a domain whose terms are all joined by AND
/// (no `|` or `!` anywhere): the largest of its `id >`/`>=` terms.
fn min_id(domain: &Value) -> i64 {
    let Value::Array(elements) = domain else {
        return i64::MIN;
    };
    if elements
        .iter()
        .any(|e| matches!(e.as_str(), Some("|") | Some("!")))
    {
        return i64::MIN;
    }
    elements
        .iter()
        .filter_map(|e| match e.as_array().map(Vec::as_slice) {
            Some([Value::String(f), Value::String(op), bound]) if f == "id" => {
                let bound = bound.as_i64()?;
                match op.as_str() {
                    ">" => bound.checked_add(1),
                    ">=" => Some(bound),
                    _ => None,
                }
            }
            _ => None,
        })
        .max()
        .unwrap_or(i64::MIN)
}
