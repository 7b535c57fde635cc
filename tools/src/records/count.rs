//! `count_records`: how many records match conditions, counted by Odoo.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::conditions::Condition;
use super::output::thousands;
use super::shared::Shared;
use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Arguments of `count_records`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountRecordsArgs {
    /// Technical model name. Example: "crm.lead"
    pub model: String,
    /// Conditions the records must all meet, as in search_records; omit or
    /// [] to count every record. Example: [{"field": "stage_id.is_won",
    /// "op": "=", "value": true}]
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// The number of matching records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRecordsOutput {
    pub model: String,
    pub count: u64,
}

impl Summarize for CountRecordsOutput {
    fn summary(&self) -> String {
        let noun = if self.count == 1 { "record" } else { "records" };
        format!("{} {} {noun} match", thousands(self.count), self.model)
    }
}

/// Counts records of an allowed model.
pub struct CountRecords {
    shared: Arc<Shared>,
}

impl CountRecords {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl Tool for CountRecords {
    const NAME: &'static str = "count_records";
    const KIND: ToolKind = ToolKind::Read;
    type Args = CountRecordsArgs;
    type Output = CountRecordsOutput;

    fn description(&self) -> &'static str {
        "Counts the Odoo records of one model that match conditions (\"how many open \
         quotations?\"). Odoo counts them, so the number is exact however many there are."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let model = args.model.as_str();
        self.shared.check_model(Self::NAME, model)?;
        let domain = self.shared.domain(Self::NAME, model, &args.conditions)?;
        let client = self.shared.client(ctx).await?;
        let count = client.search_count(model, domain.to_value()).await?;
        Ok(CountRecordsOutput {
            model: args.model,
            count,
        })
    }
}
