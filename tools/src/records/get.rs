//! `get_record`: one record by id, with its link.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::output::{RecordOut, record_out};
use super::shared::{Shared, field_types, invalid};
use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Arguments of `get_record`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRecordArgs {
    /// Technical model name. Example: "sale.order"
    pub model: String,
    /// The record's id, as returned by search_records or in a many2one
    /// {id, name}. Example: 42
    #[schemars(range(min = 1))]
    pub id: i64,
    /// Fields to return (fields of the model itself, no dots). Omit for a
    /// short default list. Example: ["name", "state", "amount_total"]
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

/// The record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GetRecordOutput {
    pub model: String,
    pub record: RecordOut,
}

impl Summarize for GetRecordOutput {
    fn summary(&self) -> String {
        let name = self
            .record
            .fields
            .get("display_name")
            .or_else(|| self.record.fields.get("name"))
            .and_then(|v| v.as_str());
        match name {
            Some(name) => format!(
                "{} {} ({name}): {}",
                self.model, self.record.id, self.record.link
            ),
            None => format!("{} {}: {}", self.model, self.record.id, self.record.link),
        }
    }
}

/// Reads one record of an allowed model.
pub struct GetRecord {
    shared: Arc<Shared>,
}

impl GetRecord {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl Tool for GetRecord {
    const NAME: &'static str = "get_record";
    const KIND: ToolKind = ToolKind::Read;
    type Args = GetRecordArgs;
    type Output = GetRecordOutput;

    fn description(&self) -> &'static str {
        "Reads one Odoo record by model and id, with the chosen fields and a link to open it \
         in Odoo. Many2one fields come as {id, name} (follow one with another get_record), \
         amounts as exact decimal strings, unset values as null."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let tool = Self::NAME;
        let model = args.model.as_str();
        if args.id < 1 {
            return Err(invalid(
                tool,
                format!("id must be 1 or more, got {}", args.id),
            ));
        }
        self.shared.check_model(tool, model)?;
        let choice = self.shared.fields(tool, model, args.fields.as_deref())?;

        let client = self.shared.client(ctx).await?;
        let types = field_types(&client, model).await?;
        let fields = choice.resolve(tool, model, &types, &client)?;
        let field_refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        let raw = client.read(model, &[args.id], &field_refs).await?;
        let base = &self.shared.config.odoo_base_url;
        let record = raw
            .iter()
            .find_map(|record| record_out(base, model, &types, &fields, record))
            .ok_or_else(|| ToolError::NotFound(format!("{model} with id {}", args.id)))?;
        Ok(GetRecordOutput {
            model: args.model,
            record,
        })
    }
}
