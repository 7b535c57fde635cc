//! `export_text`, a tool for tests of the server's attachment handling: it
//! returns the given text as a CSV file, the way exporting tools do.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Attachment, AttachmentInfo, CSV_MEDIA_TYPE};
use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Returns `text` as a file named `file_name`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportText;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportTextArgs {
    /// Name of the file. Example: "report.csv"
    pub file_name: String,
    /// Content of the file.
    pub text: String,
}

/// The file as the model sees it, and the file itself outside the JSON.
#[derive(Debug, Serialize)]
pub struct ExportTextOutput {
    pub file: AttachmentInfo,
    #[serde(skip)]
    attachment: Attachment,
}

impl Summarize for ExportTextOutput {
    fn summary(&self) -> String {
        format!(
            "exported {} ({} bytes)",
            self.file.file_name, self.file.bytes
        )
    }

    fn attachments(&self) -> Vec<Attachment> {
        vec![self.attachment.clone()]
    }
}

impl Tool for ExportText {
    const NAME: &'static str = "export_text";
    const KIND: ToolKind = ToolKind::Read;
    type Args = ExportTextArgs;
    type Output = ExportTextOutput;

    fn description(&self) -> &'static str {
        "Returns the given text as a CSV file."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(
        &self,
        _ctx: &ToolCtx,
        args: ExportTextArgs,
    ) -> Result<ExportTextOutput, ToolError> {
        let attachment = Attachment {
            file_name: args.file_name,
            media_type: CSV_MEDIA_TYPE.to_owned(),
            bytes: args.text.into_bytes(),
        };
        Ok(ExportTextOutput {
            file: attachment.describe(),
            attachment,
        })
    }
}
