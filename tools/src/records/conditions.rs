//! Structured record conditions as the model writes them, and their
//! conversion to a checked [`Domain`].
//!
//! The model never writes Odoo's prefix-notation domain: it sends a list of
//! conditions (all must hold), where each is a term
//! `{"field", "op", "value"}` or a group `{"all": [..]}`, `{"any": [..]}`,
//! `{"not": ..}`. Nesting is bounded by the types themselves: an `any` may
//! hold terms and `all`s of terms, a `not` may hold a term, an `all` or an
//! `any` of terms, and an `all` holds terms. A recursive type would need
//! `$ref` in the tool schema, which strict tool-calling APIs reject, and
//! every inlined level multiplies the schema the model reads; these shapes
//! express any condition the tools' questions need (the top-level list is
//! already an `all`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Number, Value};

use crate::odoo::{Domain, Op};

// The types below carry `//` comments rather than `///` docs on purpose:
// schemars turns docs into `description`s, and these types are inlined
// several times into each tool's schema, so every doc line would be sent to
// the model many times. The argument that holds them documents the shape
// once.

// One condition on the records: a term or a group.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Condition {
    Term(Term),
    All(Group<Term>),
    Any(AnyGroup<AnyItem>),
    Not(NotGroup<NotItem>),
}

// An alternative inside `any`: a term or an `all` of terms.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnyItem {
    Term(Term),
    All(Group<Term>),
}

// What `not` negates: a term, or an `all` or `any` of terms.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NotItem {
    Term(Term),
    All(Group<Term>),
    Any(AnyGroup<Term>),
}

// `{"all": [..]}`: every condition holds.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group<T> {
    pub all: Vec<T>,
}

// `{"any": [..]}`: at least one condition holds.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnyGroup<T> {
    pub any: Vec<T>,
}

// `{"not": ..}`: the condition does not hold.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotGroup<T> {
    pub not: Box<T>,
}

// `{"field": "partner_id.country_id.code", "op": "=", "value": "DE"}`:
// `field` is a field name or a path through relational fields joined by dots.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub field: String,
    pub op: TermOp,
    pub value: TermValue,
}

// The comparison of a term; `in`/`not in` take a list, `child_of` an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum TermOp {
    #[serde(rename = "=")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "in")]
    In,
    #[serde(rename = "not in")]
    NotIn,
    #[serde(rename = "like")]
    Like,
    #[serde(rename = "ilike")]
    ILike,
    #[serde(rename = "=like")]
    EqLike,
    #[serde(rename = "=ilike")]
    EqILike,
    #[serde(rename = "child_of")]
    ChildOf,
}

// A JSON scalar or a list of scalars; `false` means "not set".
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum TermValue {
    One(Scalar),
    List(Vec<Scalar>),
}

// A string (dates as `YYYY-MM-DD`), a number or a boolean.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Number(Number),
    Text(String),
}

impl TermOp {
    /// The domain operator this stands for.
    pub fn to_op(self) -> Op {
        match self {
            Self::Eq => Op::Eq,
            Self::Ne => Op::Ne,
            Self::Lt => Op::Lt,
            Self::Le => Op::Le,
            Self::Gt => Op::Gt,
            Self::Ge => Op::Ge,
            Self::In => Op::In,
            Self::NotIn => Op::NotIn,
            Self::Like => Op::Like,
            Self::ILike => Op::ILike,
            Self::EqLike => Op::EqLike,
            Self::EqILike => Op::EqILike,
            Self::ChildOf => Op::ChildOf,
        }
    }
}

impl TermValue {
    fn to_value(&self) -> Value {
        match self {
            Self::One(scalar) => scalar.to_value(),
            Self::List(items) => Value::Array(items.iter().map(Scalar::to_value).collect()),
        }
    }
}

impl Scalar {
    fn to_value(&self) -> Value {
        match self {
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => Value::Number(n.clone()),
            Self::Text(t) => Value::String(t.clone()),
        }
    }
}

/// Anything that can be turned into a domain and walked for field paths.
pub(crate) trait ConditionTree {
    /// The domain; the error says which condition (by JSON path) is wrong.
    fn to_domain(&self, at: &str) -> Result<Domain, String>;
    /// Every term with its JSON path, for the allow-list check.
    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>);
}

impl ConditionTree for Term {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        let op = self.op.to_op();
        let value = self.value.to_value();
        // Odoo would read `= [..]` as `in`; say so instead of guessing.
        if matches!(self.value, TermValue::List(_))
            && !matches!(op, Op::In | Op::NotIn | Op::ChildOf)
        {
            return Err(format!(
                "{at}: operator \"{op}\" on {} needs a single value; use \"in\" or \"not in\" \
                 for a list",
                self.field
            ));
        }
        Domain::leaf(&self.field, op, value).map_err(|err| format!("{at}: {err}"))
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        out.push((at.to_owned(), self));
    }
}

impl ConditionTree for Condition {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        match self {
            Self::Term(term) => term.to_domain(at),
            Self::All(group) => group.to_domain(at),
            Self::Any(group) => group.to_domain(at),
            Self::Not(group) => group.to_domain(at),
        }
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        match self {
            Self::Term(term) => term.terms(at, out),
            Self::All(group) => group.terms(at, out),
            Self::Any(group) => group.terms(at, out),
            Self::Not(group) => group.terms(at, out),
        }
    }
}

impl ConditionTree for AnyItem {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        match self {
            Self::Term(term) => term.to_domain(at),
            Self::All(group) => group.to_domain(at),
        }
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        match self {
            Self::Term(term) => term.terms(at, out),
            Self::All(group) => group.terms(at, out),
        }
    }
}

impl ConditionTree for NotItem {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        match self {
            Self::Term(term) => term.to_domain(at),
            Self::All(group) => group.to_domain(at),
            Self::Any(group) => group.to_domain(at),
        }
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        match self {
            Self::Term(term) => term.terms(at, out),
            Self::All(group) => group.terms(at, out),
            Self::Any(group) => group.terms(at, out),
        }
    }
}

impl<T: ConditionTree> ConditionTree for Group<T> {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        all(&self.all, &format!("{at}.all"))
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        each_terms(&self.all, &format!("{at}.all"), out);
    }
}

impl<T: ConditionTree> ConditionTree for AnyGroup<T> {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        any(&self.any, &format!("{at}.any"))
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        each_terms(&self.any, &format!("{at}.any"), out);
    }
}

impl<T: ConditionTree> ConditionTree for NotGroup<T> {
    fn to_domain(&self, at: &str) -> Result<Domain, String> {
        Ok(Domain::not(self.not.to_domain(&format!("{at}.not"))?))
    }

    fn terms<'a>(&'a self, at: &str, out: &mut Vec<(String, &'a Term)>) {
        self.not.terms(&format!("{at}.not"), out);
    }
}

/// The domain of a top-level condition list (all must hold); `conditions`
/// names the argument in error messages.
pub(crate) fn to_domain(conditions: &[Condition]) -> Result<Domain, String> {
    all(conditions, "conditions")
}

/// Every term of a condition list with its JSON path (`conditions[1].any[0]`).
pub(crate) fn terms(conditions: &[Condition]) -> Vec<(String, &Term)> {
    let mut out = Vec::new();
    each_terms(conditions, "conditions", &mut out);
    out
}

fn all<T: ConditionTree>(items: &[T], at: &str) -> Result<Domain, String> {
    let domains = items
        .iter()
        .enumerate()
        .map(|(i, item)| item.to_domain(&format!("{at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Domain::and(domains))
}

fn any<T: ConditionTree>(items: &[T], at: &str) -> Result<Domain, String> {
    if items.is_empty() {
        return Err(format!(
            "{at}: an \"any\" group needs at least one condition"
        ));
    }
    let domains = items
        .iter()
        .enumerate()
        .map(|(i, item)| item.to_domain(&format!("{at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Domain::or(domains))
}

fn each_terms<'a, T: ConditionTree>(items: &'a [T], at: &str, out: &mut Vec<(String, &'a Term)>) {
    for (i, item) in items.iter().enumerate() {
        item.terms(&format!("{at}[{i}]"), out);
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn parse(value: Value) -> Vec<Condition> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_flat_list_is_a_conjunction_of_terms() {
        let conditions = parse(json!([
            {"field": "state", "op": "=", "value": "posted"},
            {"field": "amount_total", "op": ">=", "value": 1000.5}
        ]));
        assert_eq!(
            to_domain(&conditions).unwrap().to_value(),
            json!([
                "&",
                ["state", "=", "posted"],
                ["amount_total", ">=", 1000.5]
            ])
        );
    }

    #[test]
    fn an_empty_list_matches_every_record() {
        assert_eq!(to_domain(&[]).unwrap().to_value(), json!([]));
    }

    #[test]
    fn nested_groups_and_dotted_paths_convert_to_prefix_notation() {
        let conditions = parse(json!([
            {"field": "partner_id.country_id.code", "op": "=", "value": "DE"},
            {"any": [
                {"field": "state", "op": "in", "value": ["draft", "sent"]},
                {"all": [
                    {"field": "amount_total", "op": ">", "value": 100},
                    {"field": "user_id", "op": "=", "value": false}
                ]}
            ]},
            {"not": {"field": "name", "op": "ilike", "value": "test"}}
        ]));
        assert_eq!(
            to_domain(&conditions).unwrap().to_value(),
            json!([
                "&",
                "&",
                ["partner_id.country_id.code", "=", "DE"],
                "|",
                ["state", "in", ["draft", "sent"]],
                "&",
                ["amount_total", ">", 100],
                ["user_id", "=", false],
                "!",
                ["name", "ilike", "test"]
            ])
        );
    }

    #[test]
    fn terms_are_listed_with_their_json_path() {
        let conditions = parse(json!([
            {"field": "state", "op": "=", "value": "posted"},
            {"any": [
                {"field": "a", "op": "=", "value": 1},
                {"all": [{"field": "b.c", "op": "=", "value": 2}]}
            ]},
            {"not": {"any": [{"field": "d", "op": "=", "value": 3}]}}
        ]));
        let found: Vec<(String, String)> = terms(&conditions)
            .into_iter()
            .map(|(at, term)| (at, term.field.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("conditions[0]".to_owned(), "state".to_owned()),
                ("conditions[1].any[0]".to_owned(), "a".to_owned()),
                ("conditions[1].any[1].all[0]".to_owned(), "b.c".to_owned()),
                ("conditions[2].not.any[0]".to_owned(), "d".to_owned()),
            ]
        );
    }

    #[test]
    fn values_are_checked_against_the_operator() {
        let err = |value: Value| to_domain(&parse(json!([value]))).unwrap_err();
        assert_eq!(
            err(json!({"field": "state", "op": "in", "value": "posted"})),
            "conditions[0]: operator \"in\" on state needs a list of bools, numbers or strings"
        );
        assert_eq!(
            err(json!({"field": "state", "op": "=", "value": ["a", "b"]})),
            "conditions[0]: operator \"=\" on state needs a single value; use \"in\" or \
             \"not in\" for a list"
        );
        assert_eq!(
            err(json!({"any": [{"field": "name", "op": "ilike", "value": 3}]})),
            "conditions[0].any[0]: operator \"ilike\" on name needs a string"
        );
        assert_eq!(
            err(json!({"field": "date", "op": "<", "value": true})),
            "conditions[0]: operator \"<\" on date needs a number or a string"
        );
        assert_eq!(
            err(json!({"field": "parent_id", "op": "child_of", "value": "x"})),
            "conditions[0]: operator \"child_of\" on parent_id needs a record id or a list of ids"
        );
        assert_eq!(
            err(json!({"field": "Name", "op": "=", "value": "x"})),
            "conditions[0]: invalid field path \"Name\" in domain term"
        );
        assert_eq!(
            err(json!({"any": []})),
            "conditions[0].any: an \"any\" group needs at least one condition"
        );
    }

    #[test]
    fn not_negates_a_whole_group() {
        let conditions = parse(json!([
            {"not": {"any": [
                {"field": "state", "op": "=", "value": "cancel"},
                {"field": "partner_id", "op": "=", "value": false}
            ]}}
        ]));
        assert_eq!(
            to_domain(&conditions).unwrap().to_value(),
            json!([
                "!",
                "|",
                ["state", "=", "cancel"],
                ["partner_id", "=", false]
            ])
        );
    }

    #[test]
    fn nesting_beyond_the_allowed_shapes_does_not_parse() {
        let deep = json!([{"any": [{"all": [{"not": {"field": "a", "op": "=", "value": 1}}]}]}]);
        assert!(serde_json::from_value::<Vec<Condition>>(deep).is_err());
    }

    #[test]
    fn unknown_operators_and_keys_do_not_parse() {
        let bad_op = json!([{"field": "a", "op": "=?", "value": 1}]);
        assert!(serde_json::from_value::<Vec<Condition>>(bad_op).is_err());
        let bad_key = json!([{"field": "a", "op": "=", "value": 1, "extra": 2}]);
        assert!(serde_json::from_value::<Vec<Condition>>(bad_key).is_err());
    }
}
