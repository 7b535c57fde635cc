//! Reading a prefix-notation domain (as Odoo receives it) back into a [`Domain`].
//!
//! Mirrors `normalize_domain` in Odoo's `odoo/osv/expression.py`: `"&"` and
//! `"|"` take two operands, `"!"` one, and consecutive top-level terms are
//! joined by an implicit `"&"`. Terms go through the same checks as the
//! builder, so a parsed domain is as trustworthy as a built one.

use serde_json::Value;

use super::domain::{Domain, Leaf, Node};
use super::error::DomainError;
use super::op::Op;

/// See [`Domain::parse`].
pub(crate) fn parse(value: &Value) -> Result<Domain, DomainError> {
    let Value::Array(elements) = value else {
        return Err(DomainError::NotAList {
            found: short(value),
        });
    };
    let mut tokens = elements.iter();
    let mut terms = Vec::new();
    while tokens.len() > 0 {
        terms.push(expression(&mut tokens)?);
    }
    // Implicit "&": joined left to right, like Odoo inserting a leading "&"
    // each time a complete expression is followed by another.
    let mut joined = Domain::all();
    for term in terms {
        joined = join_and(joined, term);
    }
    Ok(joined)
}

/// One complete expression: an operator with its operands, or a term.
fn expression(tokens: &mut std::slice::Iter<'_, Value>) -> Result<Domain, DomainError> {
    let Some(token) = tokens.next() else {
        return Err(DomainError::BadTerm {
            element: "end of list".to_owned(),
        });
    };
    match token {
        Value::String(op) if op == "&" => {
            let (left, right) = operands(tokens, "&")?;
            Ok(join_and(left, right))
        }
        Value::String(op) if op == "|" => {
            let (left, right) = operands(tokens, "|")?;
            Ok(join_or(left, right))
        }
        Value::String(op) if op == "!" => {
            let inner = operand(tokens, "!")?;
            Ok(Domain::not(inner))
        }
        Value::Array(parts) => term(parts, token),
        other => Err(DomainError::BadTerm {
            element: short(other),
        }),
    }
}

fn operands(
    tokens: &mut std::slice::Iter<'_, Value>,
    op: &'static str,
) -> Result<(Domain, Domain), DomainError> {
    let left = operand(tokens, op)?;
    let right = operand(tokens, op)?;
    Ok((left, right))
}

fn operand(
    tokens: &mut std::slice::Iter<'_, Value>,
    op: &'static str,
) -> Result<Domain, DomainError> {
    if tokens.len() == 0 {
        return Err(DomainError::MissingOperand { op });
    }
    expression(tokens)
}

fn term(parts: &[Value], whole: &Value) -> Result<Domain, DomainError> {
    let bad = || DomainError::BadTerm {
        element: short(whole),
    };
    let [left, op, right] = parts else {
        return Err(bad());
    };
    let Value::String(op_text) = op else {
        return Err(bad());
    };
    // Odoo's TRUE_LEAF and FALSE_LEAF, which clients still send.
    if op_text == "=" && right.as_i64() == Some(1) {
        match left.as_i64() {
            Some(1) => return Ok(Domain::all()),
            Some(0) => return Ok(Domain::none()),
            _ => {}
        }
    }
    let Value::String(field) = left else {
        return Err(bad());
    };
    let op = Op::parse(op_text).ok_or_else(|| DomainError::UnknownOperator {
        op: op_text.clone(),
    })?;
    Leaf::new(field, op, right.clone()).map(|leaf| Domain(Node::Leaf(leaf)))
}

/// `left & right`, keeping the shape of the input: only a left operand that
/// is already a conjunction is extended, because `["&", "&", a, b, c]` is what
/// [`Domain::and`] writes for three terms while `["&", a, "&", b, c]` must
/// come back as written.
fn join_and(left: Domain, right: Domain) -> Domain {
    if left.is_all() {
        return right;
    }
    if right.is_all() {
        return left;
    }
    match left.0 {
        Node::And(mut children) => {
            children.push(right.0);
            Domain(Node::And(children))
        }
        other => Domain(Node::And(vec![other, right.0])),
    }
}

/// `left | right`, with the same shape rule as [`join_and`].
fn join_or(left: Domain, right: Domain) -> Domain {
    if left.is_all() || right.is_all() {
        return Domain::all();
    }
    match left.0 {
        Node::Or(mut children) => {
            children.push(right.0);
            Domain(Node::Or(children))
        }
        other => Domain(Node::Or(vec![other, right.0])),
    }
}

/// A bounded rendering of a JSON value for error messages.
fn short(value: &Value) -> String {
    const MAX: usize = 80;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}...")
    }
}
