//! Why a domain could not be built or read back.

use thiserror::Error;

/// A domain that Odoo would reject or misread, caught before it is sent.
///
/// Every variant is a programming or input error: callers building domains
/// from tool arguments turn it into `ToolError::InvalidArgs` so the model can
/// correct itself; the fake Odoo answers it with a `ValueError` fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A term has an empty field name.
    #[error("domain term with operator {op:?} has an empty field name")]
    EmptyField { op: &'static str },
    /// A field path is not `name(.name)*` with lowercase names.
    #[error("invalid field path {field:?} in domain term")]
    InvalidField { field: String },
    /// JSON `null` used as a value; Odoo spells "not set" as `false`.
    #[error("domain term on {field} uses null; use false for \"not set\"")]
    NullValue { field: String, op: &'static str },
    /// `=` and `!=` take a single value, not a list or an object.
    #[error("operator {op:?} on {field} needs a single value (bool, number or string)")]
    ExpectedScalar { field: String, op: &'static str },
    /// `<`, `<=`, `>` and `>=` take a number or a string (dates are ISO strings).
    #[error("operator {op:?} on {field} needs a number or a string")]
    ExpectedComparable { field: String, op: &'static str },
    /// `in` and `not in` take a list of bools, numbers or strings.
    #[error("operator {op:?} on {field} needs a list of bools, numbers or strings")]
    ExpectedList { field: String, op: &'static str },
    /// The `like` family takes a string.
    #[error("operator {op:?} on {field} needs a string")]
    ExpectedString { field: String, op: &'static str },
    /// `child_of` takes a record id or a list of ids.
    #[error("operator \"child_of\" on {field} needs a record id or a list of ids")]
    ExpectedIds { field: String },
    /// The JSON given as a domain is not a list.
    #[error("a domain must be a JSON list, got {found}")]
    NotAList { found: String },
    /// A list element is neither `&`, `|`, `!` nor a `[field, operator, value]` term.
    #[error("invalid domain element {element}")]
    BadTerm { element: String },
    /// A term uses an operator this crate does not know or support.
    #[error("unknown domain operator {op:?}")]
    UnknownOperator { op: String },
    /// A logical operator is not followed by enough terms.
    #[error("domain operator {op:?} is missing an operand")]
    MissingOperand { op: &'static str },
}

impl DomainError {
    /// Stable, low-cardinality label for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::EmptyField { .. } => "domain_empty_field",
            Self::InvalidField { .. } => "domain_invalid_field",
            Self::NullValue { .. } => "domain_null_value",
            Self::ExpectedScalar { .. } => "domain_expected_scalar",
            Self::ExpectedComparable { .. } => "domain_expected_comparable",
            Self::ExpectedList { .. } => "domain_expected_list",
            Self::ExpectedString { .. } => "domain_expected_string",
            Self::ExpectedIds { .. } => "domain_expected_ids",
            Self::NotAList { .. } => "domain_not_a_list",
            Self::BadTerm { .. } => "domain_bad_term",
            Self::UnknownOperator { .. } => "domain_unknown_operator",
            Self::MissingOperand { .. } => "domain_missing_operand",
        }
    }
}
