//! The allow-list of what the generic record tools may touch: which models,
//! which fields of each (to read, filter, sort and group by), and which
//! relational fields may be followed in a dotted path.
//!
//! Checks run before any Odoo call, so a refused model or field costs no
//! request and reveals nothing. Odoo's own access rules still apply on top:
//! the allow-list narrows what the agent may ask, never widens it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Fields every allowed model may use without listing them.
const IMPLICIT_FIELDS: [&str; 4] = ["id", "display_name", "create_date", "write_date"];

/// How many allowed names a refusal lists, closest first.
const MAX_SUGGESTIONS: usize = 20;

/// Model prefixes no configuration may allow: technical models holding
/// settings, code, credentials or message-bus internals.
const FORBIDDEN_MODEL_PREFIXES: [&str; 5] = ["ir.", "base.", "bus.", "res.users.", "auth_"];

/// Parts of field names no configuration may allow: credentials and secrets.
const FORBIDDEN_FIELD_PARTS: [&str; 7] = [
    "password",
    "api_key",
    "apikey",
    "totp",
    "secret",
    "token",
    "signature",
];

/// Which models and fields the record tools may read.
///
/// Deserialises from configuration, e.g. in TOML:
/// ```toml
/// [models."res.partner"]
/// fields = ["name", "email", "country_id"]
/// default_fields = ["name", "email"]
/// relations = { country_id = "res.country" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordPolicy {
    /// Allowed models by technical name (`res.partner`).
    pub models: BTreeMap<String, ModelPolicy>,
}

/// What may be used of one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPolicy {
    /// Fields that may be read, filtered on, sorted by and grouped by.
    /// `id`, `display_name`, `create_date` and `write_date` are always allowed.
    pub fields: BTreeSet<String>,
    /// Fields returned when a call names none: a short, useful list.
    #[serde(default)]
    pub default_fields: Vec<String>,
    /// Relational fields that a dotted path may follow, with the model they
    /// point to (`partner_id = "res.partner"`). The target must be allowed
    /// too, and the next segment is checked against it.
    #[serde(default)]
    pub relations: BTreeMap<String, String>,
}

/// Why a model, field or path is refused. The message names it and lists
/// what is allowed, so the model can correct its call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    #[error("model {model} is not available to these tools; allowed models include: {allowed}")]
    Model { model: String, allowed: String },
    #[error(
        "field {field} of {model} is not allowed; allowed fields of {model} include: {allowed}"
    )]
    Field {
        model: String,
        field: String,
        allowed: String,
    },
    #[error(
        "field {field} of {model} cannot be followed in a dotted path; fields of {model} that \
         can: {allowed}"
    )]
    Relation {
        model: String,
        field: String,
        allowed: String,
    },
    #[error("{0}")]
    Path(String),
}

/// A configured policy that allows what must never be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("record policy: {0}")]
pub struct PolicyConfigError(pub String);

impl RecordPolicy {
    /// The rules of `model`, or a refusal listing the closest allowed models.
    pub fn model(&self, model: &str) -> Result<&ModelPolicy, PolicyError> {
        match self.models.get(model) {
            Some(rules) if !is_forbidden_model(model) => Ok(rules),
            _ => Err(PolicyError::Model {
                model: model.to_owned(),
                allowed: closest(model, self.models.keys().map(String::as_str)),
            }),
        }
    }

    /// Checks a plain field of `model` (no dots): for reading, sorting and
    /// grouping.
    pub fn check_field(&self, model: &str, field: &str) -> Result<(), PolicyError> {
        let rules = self.model(model)?;
        if rules.allows(field) {
            Ok(())
        } else {
            Err(PolicyError::Field {
                model: model.to_owned(),
                field: field.to_owned(),
                allowed: closest(field, rules.allowed_fields()),
            })
        }
    }

    /// Checks every segment of a dotted path (`partner_id.country_id.code`):
    /// each but the last must be a followable relation of the model reached
    /// so far, and every model reached must be allowed.
    pub fn check_path(&self, model: &str, path: &str) -> Result<(), PolicyError> {
        let segments: Vec<&str> = path.split('.').collect();
        let mut current = model.to_owned();
        for (i, segment) in segments.iter().enumerate() {
            self.check_field(&current, segment)?;
            if i + 1 == segments.len() {
                break;
            }
            let rules = self.model(&current)?;
            let Some(target) = rules.relations.get(*segment) else {
                return Err(PolicyError::Relation {
                    model: current.clone(),
                    field: (*segment).to_owned(),
                    allowed: closest(segment, rules.relations.keys().map(String::as_str)),
                });
            };
            if self.model(target).is_err() {
                return Err(PolicyError::Path(format!(
                    "field {segment} of {current} points to {target}, which is not available \
                     to these tools"
                )));
            }
            current.clone_from(target);
        }
        Ok(())
    }

    /// Rejects a configuration that allows a forbidden model or field, or
    /// whose defaults and relations name fields it does not allow.
    pub fn validate(&self) -> Result<(), PolicyConfigError> {
        let mut problems = Vec::new();
        for (model, rules) in &self.models {
            if is_forbidden_model(model) {
                problems.push(format!("model {model} may never be allowed"));
            }
            for field in &rules.fields {
                if is_forbidden_field(field) {
                    problems.push(format!("field {field} of {model} may never be allowed"));
                }
            }
            for field in &rules.default_fields {
                if !rules.allows(field) {
                    problems.push(format!("default field {field} of {model} is not allowed"));
                }
            }
            for (field, target) in &rules.relations {
                if !rules.allows(field) {
                    problems.push(format!(
                        "relation {field} of {model} is not an allowed field"
                    ));
                }
                if !self.models.contains_key(target) {
                    problems.push(format!(
                        "relation {field} of {model} points to {target}, which is not allowed"
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PolicyConfigError(problems.join("; ")))
        }
    }
}

impl ModelPolicy {
    /// Whether `field` (a plain name) may be used. Forbidden names are
    /// refused even if a configuration lists them.
    pub fn allows(&self, field: &str) -> bool {
        !is_forbidden_field(field)
            && (IMPLICIT_FIELDS.contains(&field) || self.fields.contains(field))
    }

    fn allowed_fields(&self) -> impl Iterator<Item = &str> {
        IMPLICIT_FIELDS
            .into_iter()
            .chain(self.fields.iter().map(String::as_str))
    }
}

fn is_forbidden_model(model: &str) -> bool {
    FORBIDDEN_MODEL_PREFIXES
        .iter()
        .any(|prefix| model.starts_with(prefix))
}

fn is_forbidden_field(field: &str) -> bool {
    FORBIDDEN_FIELD_PARTS
        .iter()
        .any(|part| field.contains(part))
}

/// Up to [`MAX_SUGGESTIONS`] of `candidates`, closest to `wanted` first
/// (edit distance, then name), comma-separated.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let mut scored: Vec<(usize, &str)> = candidates
        .map(|candidate| (distance(wanted, candidate), candidate))
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    let names: Vec<&str> = scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, name)| name)
        .collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Levenshtein distance over characters; names are short, so the
/// quadratic table is cheap.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
