//! A typed Odoo search domain and its prefix-notation JSON.
//!
//! Domains are built from checked terms and combined with `and`, `or` and
//! `not`; they serialise to exactly the list Odoo's external API takes, e.g.
//! `["&", ["state", "=", "posted"], "|", [..], [..]]`. Nothing here knows how
//! a domain is sent or evaluated.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use super::error::DomainError;
use super::op::Op;

/// A search domain: which records of a model to select.
///
/// Built only through checked constructors, so every `Domain` serialises to a
/// list Odoo accepts. `Domain::all()` (the empty list) selects every record.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain(pub(crate) Node);

/// One `[field, operator, value]` term, already checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    field: String,
    op: Op,
    value: Value,
}

/// The tree behind a [`Domain`].
///
/// Invariants kept by the constructors: `And` holds no child equal to
/// `And([])`, and only the root may be `And([])`; `Or` has two or more
/// children. That is what lets every tree serialise to valid prefix notation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Leaf(Leaf),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

impl Leaf {
    /// The field path, dotted through many2one fields (`partner_id.country_id.code`).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The comparison operator.
    pub fn op(&self) -> Op {
        self.op
    }

    /// The right-hand value, as sent to Odoo.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl Domain {
    /// The empty domain `[]`: every record matches.
    pub fn all() -> Domain {
        Domain(Node::And(Vec::new()))
    }

    /// A domain no record matches: `[["id", "in", []]]`.
    ///
    /// Odoo has no empty "false" domain; `id in []` is the idiom it compiles to
    /// `FALSE` without touching any column.
    pub fn none() -> Domain {
        Domain(nothing())
    }

    /// A single checked term. See [`DomainError`] for what is rejected.
    pub fn leaf(field: &str, op: Op, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Leaf::new(field, op, value.into()).map(|leaf| Domain(Node::Leaf(leaf)))
    }

    /// `[field, "=", value]`; `false` means "not set".
    pub fn eq(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Eq, value)
    }

    /// `[field, "!=", value]`; `false` means "set".
    pub fn ne(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Ne, value)
    }

    /// `[field, "=", false]`: the field is not set.
    pub fn is_unset(field: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Eq, false)
    }

    /// `[field, "!=", false]`: the field is set.
    pub fn is_set(field: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Ne, false)
    }

    /// `[field, "<", value]`; dates and datetimes are ISO strings.
    pub fn lt(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Lt, value)
    }

    /// `[field, "<=", value]`
    pub fn le(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Le, value)
    }

    /// `[field, ">", value]`
    pub fn gt(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Gt, value)
    }

    /// `[field, ">=", value]`
    pub fn ge(field: &str, value: impl Into<Value>) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Ge, value)
    }

    /// `[field, "in", [values..]]`; a `false` in the list also matches "not set".
    pub fn is_in<V: Into<Value>>(
        field: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::In, list(values))
    }

    /// `[field, "not in", [values..]]`
    pub fn not_in<V: Into<Value>>(
        field: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::NotIn, list(values))
    }

    /// `[field, "like", text]`: case-sensitive substring.
    pub fn like(field: &str, text: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::Like, text)
    }

    /// `[field, "ilike", text]`: case-insensitive substring.
    pub fn ilike(field: &str, text: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::ILike, text)
    }

    /// `[field, "=like", pattern]`: SQL pattern (`%` any run, `_` one character).
    pub fn eq_like(field: &str, pattern: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::EqLike, pattern)
    }

    /// `[field, "=ilike", pattern]`: case-insensitive SQL pattern.
    pub fn eq_ilike(field: &str, pattern: &str) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::EqILike, pattern)
    }

    /// `[field, "child_of", id]`: `id` itself or anything below it in the
    /// `parent_id` hierarchy.
    pub fn child_of(field: &str, id: i64) -> Result<Domain, DomainError> {
        Domain::leaf(field, Op::ChildOf, id)
    }

    /// All of `domains`. No domain gives [`Domain::all`], one gives itself,
    /// `n` give `n - 1` leading `"&"`. Nested conjunctions are flattened and
    /// `all()` members dropped, as Odoo's `expression.AND` does.
    pub fn and(domains: Vec<Domain>) -> Domain {
        let mut children = Vec::new();
        for Domain(node) in domains {
            match node {
                Node::And(inner) => children.extend(inner),
                other if other == nothing() => return Domain::none(),
                other => children.push(other),
            }
        }
        Domain(collapse(children, Node::And))
    }

    /// Any of `domains`. No domain gives [`Domain::none`], one gives itself,
    /// `n` give `n - 1` leading `"|"`. Nested disjunctions are flattened,
    /// `none()` members dropped, and an `all()` member makes the whole `all()`.
    pub fn or(domains: Vec<Domain>) -> Domain {
        let mut children = Vec::new();
        for Domain(node) in domains {
            match node {
                Node::And(inner) if inner.is_empty() => return Domain::all(),
                Node::Or(inner) => children.extend(inner),
                other if other == nothing() => {}
                other => children.push(other),
            }
        }
        if children.is_empty() {
            return Domain::none();
        }
        Domain(collapse(children, Node::Or))
    }

    /// Records `domain` does not match: `["!", ..domain]`.
    // Spelled like `and` and `or`, which cannot be operator traits; the
    // brief name reads better in nested builders than `!domain`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(domain: Domain) -> Domain {
        match domain.0 {
            Node::And(inner) if inner.is_empty() => Domain::none(),
            Node::Not(inner) => Domain(*inner),
            other => Domain(Node::Not(Box::new(other))),
        }
    }

    /// True for the empty domain, which matches every record.
    pub fn is_all(&self) -> bool {
        matches!(&self.0, Node::And(inner) if inner.is_empty())
    }

    /// The prefix-notation list Odoo's external API expects.
    pub fn to_value(&self) -> Value {
        let mut out = Vec::new();
        write_prefix(&self.0, &mut out);
        Value::Array(out)
    }

    /// Reads a prefix-notation domain, as Odoo does: consecutive top-level
    /// terms are joined by an implicit `"&"`. Terms are checked like the
    /// builder's, so `Domain::parse(&d.to_value()) == Ok(d)` for any `d` built
    /// here.
    pub fn parse(value: &Value) -> Result<Domain, DomainError> {
        super::parse::parse(value)
    }
}

impl Leaf {
    /// Checks a term the way Odoo would read it (see [`DomainError`]).
    pub(crate) fn new(field: &str, op: Op, value: Value) -> Result<Leaf, DomainError> {
        check_field(field, op)?;
        check_value(field, op, &value)?;
        Ok(Leaf {
            field: field.to_owned(),
            op,
            value,
        })
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Domain {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Domain::parse(&value).map_err(serde::de::Error::custom)
    }
}

/// The leaf behind [`Domain::none`].
pub(crate) fn nothing() -> Node {
    Node::Leaf(Leaf {
        field: "id".to_owned(),
        op: Op::In,
        value: json!([]),
    })
}

fn collapse(mut children: Vec<Node>, join: fn(Vec<Node>) -> Node) -> Node {
    if children.len() == 1
        && let Some(only) = children.pop()
    {
        return only;
    }
    join(children)
}

fn list<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Value {
    Value::Array(values.into_iter().map(Into::into).collect())
}

fn write_prefix(node: &Node, out: &mut Vec<Value>) {
    match node {
        Node::Leaf(leaf) => out.push(json!([leaf.field, leaf.op.as_str(), leaf.value])),
        Node::And(children) | Node::Or(children) => {
            let op = if matches!(node, Node::And(_)) {
                "&"
            } else {
                "|"
            };
            for _ in 1..children.len() {
                out.push(Value::from(op));
            }
            for child in children {
                write_prefix(child, out);
            }
        }
        Node::Not(inner) => {
            out.push(Value::from("!"));
            write_prefix(inner, out);
        }
    }
}

/// Field paths are `name(.name)*`, each name `[a-z_][a-z0-9_]*`: what Odoo
/// allows for field names (custom ones included, `x_studio_..`), so a typo
/// with a space or a capital fails here rather than as a server fault.
fn check_field(field: &str, op: Op) -> Result<(), DomainError> {
    if field.is_empty() {
        return Err(DomainError::EmptyField { op: op.as_str() });
    }
    let valid_name = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    if field.split('.').all(valid_name) {
        Ok(())
    } else {
        Err(DomainError::InvalidField {
            field: field.to_owned(),
        })
    }
}

fn check_value(field: &str, op: Op, value: &Value) -> Result<(), DomainError> {
    let field_owned = || field.to_owned();
    let is_scalar = |v: &Value| matches!(v, Value::Bool(_) | Value::Number(_) | Value::String(_));
    if value.is_null() {
        return Err(DomainError::NullValue {
            field: field_owned(),
            op: op.as_str(),
        });
    }
    match op {
        Op::Eq | Op::Ne if !is_scalar(value) => Err(DomainError::ExpectedScalar {
            field: field_owned(),
            op: op.as_str(),
        }),
        Op::Lt | Op::Le | Op::Gt | Op::Ge if !(value.is_number() || value.is_string()) => {
            Err(DomainError::ExpectedComparable {
                field: field_owned(),
                op: op.as_str(),
            })
        }
        Op::In | Op::NotIn => match value {
            Value::Array(items) if items.iter().any(Value::is_null) => {
                Err(DomainError::NullValue {
                    field: field_owned(),
                    op: op.as_str(),
                })
            }
            Value::Array(items) if items.iter().all(is_scalar) => Ok(()),
            _ => Err(DomainError::ExpectedList {
                field: field_owned(),
                op: op.as_str(),
            }),
        },
        Op::Like | Op::NotLike | Op::ILike | Op::NotILike | Op::EqLike | Op::EqILike
            if !value.is_string() =>
        {
            Err(DomainError::ExpectedString {
                field: field_owned(),
                op: op.as_str(),
            })
        }
        Op::ChildOf => {
            let valid = match value {
                Value::Array(items) => items.iter().all(|v| v.as_i64().is_some()),
                other => other.as_i64().is_some(),
            };
            if valid {
                Ok(())
            } else {
                Err(DomainError::ExpectedIds {
                    field: field_owned(),
                })
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "domain_tests.rs"]
mod tests;
