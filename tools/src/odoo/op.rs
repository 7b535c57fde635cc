//! Term operators (the middle element of `[field, operator, value]`).

/// A comparison operator inside a domain term.
///
/// Only the operators the agent needs are modelled; Odoo's `=?`, `parent_of`,
/// `any` and `not any` are rejected by [`Op::parse`] rather than guessed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `=`; with `false` it means "not set".
    Eq,
    /// `!=`; with `false` it means "set".
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in` a list of values (`false` in the list also matches "not set").
    In,
    /// `not in` a list of values.
    NotIn,
    /// `like`: case-sensitive substring match.
    Like,
    /// `not like`
    NotLike,
    /// `ilike`: case-insensitive substring match.
    ILike,
    /// `not ilike`
    NotILike,
    /// `=like`: SQL `LIKE` pattern with `%` and `_`, case-sensitive.
    EqLike,
    /// `=ilike`: SQL `LIKE` pattern with `%` and `_`, case-insensitive.
    EqILike,
    /// `child_of`: the record (or the record a many2one points to) is one of
    /// the given ids or lies below one of them in the `parent_id` hierarchy.
    ChildOf,
}

impl Op {
    /// Every operator, in the order Odoo documents them.
    pub const ALL: [Op; 15] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::NotIn,
        Op::Like,
        Op::NotLike,
        Op::ILike,
        Op::NotILike,
        Op::EqLike,
        Op::EqILike,
        Op::ChildOf,
    ];

    /// The operator as Odoo spells it on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Like => "like",
            Op::NotLike => "not like",
            Op::ILike => "ilike",
            Op::NotILike => "not ilike",
            Op::EqLike => "=like",
            Op::EqILike => "=ilike",
            Op::ChildOf => "child_of",
        }
    }

    /// Reads an operator the way Odoo does: case-insensitively, with `<>` as
    /// an old spelling of `!=`.
    pub fn parse(text: &str) -> Option<Op> {
        let lower = text.to_ascii_lowercase();
        if lower == "<>" {
            return Some(Op::Ne);
        }
        Op::ALL.into_iter().find(|op| op.as_str() == lower)
    }

    /// The operator Odoo substitutes when a `!` is pushed onto this term
    /// (`TERM_OPERATORS_NEGATION` in `odoo/osv/expression.py`). `None` means
    /// Odoo keeps `NOT (term)` in SQL instead, where an unset value stays
    /// unknown and so matches neither the term nor its negation.
    pub(crate) fn negated(self) -> Option<Op> {
        match self {
            Op::Eq => Some(Op::Ne),
            Op::Ne => Some(Op::Eq),
            Op::Lt => Some(Op::Ge),
            Op::Le => Some(Op::Gt),
            Op::Gt => Some(Op::Le),
            Op::Ge => Some(Op::Lt),
            Op::In => Some(Op::NotIn),
            Op::NotIn => Some(Op::In),
            Op::Like => Some(Op::NotLike),
            Op::NotLike => Some(Op::Like),
            Op::ILike => Some(Op::NotILike),
            Op::NotILike => Some(Op::ILike),
            Op::EqLike | Op::EqILike | Op::ChildOf => None,
        }
    }
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
