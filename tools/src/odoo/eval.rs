//! Evaluating a [`Domain`] against one record in memory, with Odoo's
//! semantics, so the fake Odoo answers `search` the way PostgreSQL would.
//!
//! The rules follow `odoo/osv/expression.py` (Odoo 16/17), which compiles a
//! domain to SQL; where SQL's NULL logic shows through, so does it here:
//!
//! - "Not set" is JSON `false`, `null` or a missing field (Odoo reads NULL
//!   back as `false`, and a boolean `false` behaves like NULL in its SQL).
//! - `!` is pushed down to the terms first (`distribute_not`): `&` and `|`
//!   swap and each term takes its negated operator (`=`/`!=`, `<`/`>=`,
//!   `in`/`not in`, `like`/`not like`, ..). So `!` is *not* plain boolean
//!   negation: `["!", ["amount", ">", 0]]` becomes `amount <= 0`, which an
//!   unset amount does not match either. `=like`, `=ilike` and `child_of` have
//!   no negated operator; Odoo keeps `NOT (..)`, under which an unset value
//!   stays unknown and matches neither way.
//! - `=`, `<`, `<=`, `>`, `>=`, `=like`, `=ilike` never match an unset value
//!   (a comparison with NULL is unknown); `= false` matches exactly the unset.
//! - `!=`, `not in`, `not like`, `not ilike` DO match an unset value: Odoo
//!   adds `OR x IS NULL` so that `x != 5` reads as "x is not 5". Odoo only
//!   adds it when the value is truthy in Python, so `["x", "!=", 0]` and
//!   `["x", "!=", ""]` do not match an unset x; that quirk is kept.
//!   `!= false` means "set". `not in` with a `false` in its list becomes
//!   "not one of these and set"; `in` with `false` also matches unset.
//! - `like`/`ilike` match `%value%`, so `%` and `_` typed in the value are
//!   wildcards too, as in Odoo; `ilike ""` matches everything, unset included.
//! - A datetime stored as `"YYYY-MM-DD HH:MM:SS"` compared with a plain date
//!   `"YYYY-MM-DD"` gets Odoo's expansion: ` 23:59:59` for `>` and `<=`,
//!   ` 00:00:00` otherwise. Other strings compare as text, which is right
//!   for ISO dates.
//! - A many2one is stored as `[id, "name"]` (or a bare id) and compares by id;
//!   against a string (`=`, `in`, the `like` family) it compares its display
//!   name, which is what Odoo's name search on the comodel amounts to here.
//!   A dotted path `partner_id.country_id.code` follows links with
//!   [`RecordView::related`]; an unset or dangling link never matches, not
//!   even a negative operator (Odoo turns it into `partner_id IN (subquery)`).
//! - `child_of` on `id` or `parent_id` tests the record itself against the
//!   `parent_id` hierarchy; on any other many2one it tests the linked record.
//!
//! Not modelled: x2many fields, `=?`, `parent_of`, `any`, translated fields,
//! accent folding, and comparisons across types (a number against a string is
//! unknown here, an SQL error in Odoo).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::domain::{Domain, Node};
use super::op::Op;
use super::scalar::{Scalar, like_match};

/// Read access to one stored record, for [`matches`].
///
/// A view is a cheap handle into whatever holds the records (a reference plus
/// the model name, say), so following a link yields another view of the same
/// type and the evaluator needs no other resolver.
pub trait RecordView: Sized {
    /// The stored value of `name` in Odoo's `read` shape: `false` when not set,
    /// `[id, "name"]` for a many2one. `None` when the record has no such field,
    /// which counts as not set.
    fn field(&self, name: &str) -> Option<&Value>;

    /// The record with `id` in the model that many2one `field` points to, or
    /// `None` when it does not exist (or the view cannot follow links).
    fn related(&self, field: &str, id: i64) -> Option<Self>;
}

/// A bare JSON object as a record: fields only, no links to follow.
impl RecordView for &Map<String, Value> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }

    fn related(&self, _field: &str, _id: i64) -> Option<Self> {
        None
    }
}

/// Whether Odoo's `search` with `domain` would return `record`.
pub fn matches(domain: &Domain, record: &impl RecordView) -> bool {
    node(&domain.0, record, false)
}

/// A hierarchy deeper than this is treated as a cycle and stops matching.
const MAX_DEPTH: usize = 1_000;

/// SQL's three-valued logic: `None` is "unknown", which a search excludes.
type Truth = Option<bool>;

fn node<R: RecordView>(node_: &Node, record: &R, negate: bool) -> bool {
    match node_ {
        Node::And(children) if negate => children.iter().any(|c| node(c, record, true)),
        Node::And(children) => children.iter().all(|c| node(c, record, false)),
        Node::Or(children) if negate => children.iter().all(|c| node(c, record, true)),
        Node::Or(children) => children.iter().any(|c| node(c, record, false)),
        Node::Not(inner) => node(inner, record, !negate),
        Node::Leaf(leaf) => match (negate, leaf.op().negated()) {
            (false, _) => path(record, leaf.field(), leaf.op(), leaf.value()) == Some(true),
            (true, Some(op)) => path(record, leaf.field(), op, leaf.value()) == Some(true),
            (true, None) => path(record, leaf.field(), leaf.op(), leaf.value()) == Some(false),
        },
    }
}

/// Follows a dotted path, then tests the last field.
fn path<R: RecordView>(record: &R, field: &str, op: Op, value: &Value) -> Truth {
    let Some((head, rest)) = field.split_once('.') else {
        return term(record, field, op, value);
    };
    // `head IN (ids of linked records matching rest)`: unknown when head is
    // unset, definite otherwise.
    let id = link_id(record.field(head))?;
    let linked = record.related(head, id);
    Some(linked.is_some_and(|linked| path(&linked, rest, op, value) == Some(true)))
}

fn term<R: RecordView>(record: &R, field: &str, op: Op, value: &Value) -> Truth {
    if op == Op::ChildOf {
        return child_of(record, field, value);
    }
    let x = Scalar::of(record.field(field));
    match op {
        Op::In | Op::NotIn => membership(&x, op, value),
        Op::Like | Op::ILike | Op::NotLike | Op::NotILike => substring(&x, op, value),
        Op::EqLike | Op::EqILike => {
            let text = x.text()?;
            let pattern = value.as_str().unwrap_or_default();
            Some(like_match(&text, pattern, op == Op::EqILike))
        }
        Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => compare(&x, op, value),
        Op::ChildOf => None,
    }
}

fn compare(x: &Scalar<'_>, op: Op, value: &Value) -> Truth {
    let right = Scalar::of(Some(value));
    match (op, x, &right) {
        (Op::Eq, _, Scalar::Unset) => return Some(x.is_unset()),
        (Op::Ne, _, Scalar::Unset) => return Some(!x.is_unset()),
        (Op::Ne, Scalar::Unset, r) if r.is_truthy() => return Some(true),
        (_, Scalar::Unset, _) => return None,
        _ => {}
    }
    let right = match (x, &right) {
        (Scalar::Str(stored), Scalar::Str(given)) if is_datetime(stored) && is_date(given) => {
            let time = if matches!(op, Op::Gt | Op::Le) {
                " 23:59:59"
            } else {
                " 00:00:00"
            };
            Scalar::Owned(format!("{given}{time}"))
        }
        _ => right,
    };
    let ordering = x.cmp_with(&right);
    Some(match op {
        Op::Eq => ordering == Some(Ordering::Equal),
        Op::Ne => ordering != Some(Ordering::Equal),
        Op::Lt => ordering? == Ordering::Less,
        Op::Le => ordering? != Ordering::Greater,
        Op::Gt => ordering? == Ordering::Greater,
        Op::Ge => ordering? != Ordering::Less,
        _ => return None,
    })
}

fn membership(x: &Scalar<'_>, op: Op, value: &Value) -> Truth {
    let items: &[Value] = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let listed: Vec<Scalar<'_>> = items
        .iter()
        .map(|v| Scalar::of(Some(v)))
        .filter(|s| !s.is_unset())
        .collect();
    let lists_unset = listed.len() < items.len();
    let found = if x.is_unset() {
        None
    } else {
        Some(
            listed
                .iter()
                .any(|s| x.cmp_with(s) == Some(Ordering::Equal)),
        )
    };
    // Odoo writes `FALSE`/`TRUE` for an empty list, then adds the NULL check.
    let (base, null_check) = match op {
        Op::In if listed.is_empty() => (Some(false), lists_unset),
        Op::In => (found, lists_unset),
        _ if listed.is_empty() => (Some(true), !lists_unset),
        _ => (found.map(|f| !f), !lists_unset),
    };
    match (op, lists_unset) {
        (Op::NotIn, true) => and3(base, Some(!x.is_unset())),
        _ if null_check => or3(base, Some(x.is_unset())),
        _ => base,
    }
}

fn substring(x: &Scalar<'_>, op: Op, value: &Value) -> Truth {
    let given = value.as_str().unwrap_or_default();
    let negative = matches!(op, Op::NotLike | Op::NotILike);
    let insensitive = matches!(op, Op::ILike | Op::NotILike);
    // Odoo adds `OR x IS NULL` to every negative like, and to a positive one
    // with an empty value (which then matches every row).
    let null_matches = negative || given.is_empty();
    let Some(text) = x.text() else {
        return if null_matches { Some(true) } else { None };
    };
    let found = like_match(&text, &format!("%{given}%"), insensitive);
    Some(found != negative)
}

fn child_of<R: RecordView>(record: &R, field: &str, value: &Value) -> Truth {
    let ids: Vec<i64> = match value {
        Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
        // Odoo reads `child_of 0` (or false) as "no ids".
        other => other.as_i64().filter(|id| *id != 0).into_iter().collect(),
    };
    if ids.is_empty() {
        return Some(false);
    }
    if field == "id" || field == "parent_id" {
        return Some(in_hierarchy(record, &ids));
    }
    let id = link_id(record.field(field))?;
    Some(match record.related(field, id) {
        Some(linked) => in_hierarchy(&linked, &ids),
        None => ids.contains(&id),
    })
}

/// Whether `start` or one of its `parent_id` ancestors is in `ids`.
fn in_hierarchy<R: RecordView>(start: &R, ids: &[i64]) -> bool {
    let is_listed = |r: &R| link_id(r.field("id")).is_some_and(|id| ids.contains(&id));
    if is_listed(start) {
        return true;
    }
    let parent = |r: &R| link_id(r.field("parent_id")).and_then(|id| r.related("parent_id", id));
    let mut current = parent(start);
    for _ in 0..MAX_DEPTH {
        let Some(record) = current else {
            return false;
        };
        if is_listed(&record) {
            return true;
        }
        current = parent(&record);
    }
    false
}

/// The id behind a many2one value (`[id, "name"]` or a bare id).
fn link_id(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Array(pair) => pair.first().and_then(Value::as_i64),
        other => other.as_i64(),
    }
    .filter(|id| *id != 0)
}

fn or3(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn and3(a: Truth, b: Truth) -> Truth {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit())
}

fn is_datetime(text: &str) -> bool {
    text.len() == 19 && text.get(..10).is_some_and(is_date) && text.as_bytes()[10] == b' '
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
