//! A stand-in for `nl_report` in tests of what schedules reports (saving,
//! validating and running them), so those tests do not depend on Odoo data.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Answers "Report: <question>" under the name `nl_report`.
pub struct StubReport;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StubReportArgs {
    /// What the report answers.
    #[schemars(length(min = 1))]
    pub question: String,
}

#[derive(Debug, Serialize)]
pub struct StubReportOutput {
    pub question: String,
}

impl Summarize for StubReportOutput {
    fn summary(&self) -> String {
        format!("Report: {}", self.question)
    }
}

impl Tool for StubReport {
    const NAME: &'static str = "nl_report";
    const KIND: ToolKind = ToolKind::Read;
    type Args = StubReportArgs;
    type Output = StubReportOutput;

    fn description(&self) -> &'static str {
        "test stand-in for nl_report"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        Ok(StubReportOutput {
            question: args.question,
        })
    }
}
