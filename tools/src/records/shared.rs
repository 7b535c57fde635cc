//! What the four record tools share: the configuration and connector, and
//! the checks every call runs before (allow-list, conditions, fields, order)
//! and after (fields present on the server) its first Odoo call.

use std::sync::Arc;

use crate::odoo::Domain;
use crate::odoo_client::{OdooClient, OdooConnector};
use crate::{ToolCtx, ToolError};

use super::conditions::{self, Condition};
use super::config::RecordToolsConfig;
use super::output::FieldTypes;
use super::policy::PolicyError;

/// Default page size of `search_records`.
pub(crate) const DEFAULT_LIMIT: u32 = 50;
/// Largest page size of `search_records`.
pub(crate) const MAX_LIMIT: u32 = 200;
/// Most fields one call may ask for.
pub(crate) const MAX_FIELDS: usize = 40;

/// The configuration and connector, shared by the four tools.
pub(crate) struct Shared {
    pub(crate) config: RecordToolsConfig,
    pub(crate) connector: Arc<dyn OdooConnector>,
}

/// Which fields a call returns, once checked against the allow-list.
pub(crate) enum FieldChoice {
    /// Named by the caller: each must exist on the server.
    Asked(Vec<String>),
    /// The model's defaults: those missing on this server version are dropped.
    Default(Vec<String>),
}

impl Shared {
    pub(crate) async fn client(&self, ctx: &ToolCtx) -> Result<Arc<OdooClient>, ToolError> {
        Ok(self.connector.client_for(&ctx.identity).await?)
    }

    /// The model is on the allow-list.
    pub(crate) fn check_model(&self, tool: &str, model: &str) -> Result<(), ToolError> {
        self.config
            .policy
            .model(model)
            .map(|_| ())
            .map_err(|err| policy_error(tool, "model", &err))
    }

    /// Every term's field path is allowed, then the conditions as a domain.
    pub(crate) fn domain(
        &self,
        tool: &str,
        model: &str,
        conditions: &[Condition],
    ) -> Result<Domain, ToolError> {
        for (at, term) in conditions::terms(conditions) {
            self.config
                .policy
                .check_path(model, &term.field)
                .map_err(|err| policy_error(tool, &at, &err))?;
        }
        conditions::to_domain(conditions).map_err(|message| invalid(tool, message))
    }

    /// The fields to return: the caller's (each allowed, plain, no
    /// duplicates) or the model's defaults.
    pub(crate) fn fields(
        &self,
        tool: &str,
        model: &str,
        asked: Option<&[String]>,
    ) -> Result<FieldChoice, ToolError> {
        let asked = match asked {
            Some(fields) if !fields.is_empty() => fields,
            _ => {
                let rules = self
                    .config
                    .policy
                    .model(model)
                    .map_err(|err| policy_error(tool, "model", &err))?;
                return Ok(FieldChoice::Default(rules.default_fields.clone()));
            }
        };
        if asked.len() > MAX_FIELDS {
            return Err(invalid(
                tool,
                format!("fields: at most {MAX_FIELDS} fields, got {}", asked.len()),
            ));
        }
        let mut out: Vec<String> = Vec::with_capacity(asked.len());
        for (i, field) in asked.iter().enumerate() {
            if field.contains('.') {
                return Err(invalid(
                    tool,
                    format!(
                        "fields[{i}]: {field} is a dotted path; fields to return must be fields \
                         of {model} itself (a many2one returns its id and name)"
                    ),
                ));
            }
            self.config
                .policy
                .check_field(model, field)
                .map_err(|err| policy_error(tool, &format!("fields[{i}]"), &err))?;
            if !out.contains(field) {
                out.push(field.clone());
            }
        }
        Ok(FieldChoice::Asked(out))
    }
}

impl FieldChoice {
    /// The fields, checked against what the server has: an asked field the
    /// server lacks is an error naming the version; a missing default is
    /// dropped (fields differ between 17, 18 and 19).
    pub(crate) fn resolve(
        self,
        tool: &str,
        model: &str,
        types: &FieldTypes,
        client: &OdooClient,
    ) -> Result<Vec<String>, ToolError> {
        match self {
            FieldChoice::Asked(fields) => {
                for field in &fields {
                    if !types.contains(field) && field != "id" {
                        return Err(missing_on_server(tool, model, field, client));
                    }
                }
                Ok(fields)
            }
            FieldChoice::Default(fields) => Ok(fields
                .into_iter()
                .filter(|field| types.contains(field))
                .collect()),
        }
    }
}

/// The model's field types, from the client's per-model cache.
pub(crate) async fn field_types(client: &OdooClient, model: &str) -> Result<FieldTypes, ToolError> {
    Ok(FieldTypes::from_fields_get(client.fields_get(model).await?))
}

/// Checks a sort order `field [asc|desc], ...` against the allow-list and
/// returns it rebuilt from the parsed parts, with `id` as a final tie-break
/// so pages with an offset stay stable.
pub(crate) fn order(
    shared: &Shared,
    tool: &str,
    model: &str,
    order: Option<&str>,
) -> Result<String, ToolError> {
    let Some(text) = order.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok("id desc".to_owned());
    };
    let mut parts = Vec::new();
    let mut has_id = false;
    for term in text.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let (field, direction) = match words.as_slice() {
            [field] => (*field, "asc"),
            [field, dir] if dir.eq_ignore_ascii_case("asc") => (*field, "asc"),
            [field, dir] if dir.eq_ignore_ascii_case("desc") => (*field, "desc"),
            _ => {
                return Err(invalid(
                    tool,
                    format!(
                        "order: {term:?} is not \"field\", \"field asc\" or \"field desc\"; \
                         example: \"invoice_date desc, name\""
                    ),
                ));
            }
        };
        if field.contains('.') {
            return Err(invalid(
                tool,
                format!("order: {field} is a dotted path; sort by fields of {model} itself"),
            ));
        }
        shared
            .config
            .policy
            .check_field(model, field)
            .map_err(|err| policy_error(tool, "order", &err))?;
        has_id |= field == "id";
        parts.push(format!("{field} {direction}"));
    }
    if !has_id {
        parts.push("id asc".to_owned());
    }
    Ok(parts.join(", "))
}

pub(crate) fn invalid(tool: &str, message: String) -> ToolError {
    ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message,
    }
}

pub(crate) fn policy_error(tool: &str, at: &str, err: &PolicyError) -> ToolError {
    invalid(tool, format!("{at}: {err}"))
}

pub(crate) fn missing_on_server(
    tool: &str,
    model: &str,
    field: &str,
    client: &OdooClient,
) -> ToolError {
    invalid(
        tool,
        format!(
            "field {field} does not exist on {model} in this Odoo ({}); it may belong to a \
             module that is not installed or to another version",
            client.version()
        ),
    )
}
