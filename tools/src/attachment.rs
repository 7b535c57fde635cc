//! Files a tool result carries (CSV and XLSX exports). The tool produces the
//! bytes; the server stores them, gives them a download URL, and channels
//! upload them next to the answer. The model only sees the file's name and
//! size, never its bytes.

use serde::{Deserialize, Serialize};

/// `text/csv; charset=utf-8`, the media type of every CSV export.
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";
/// The media type of every XLSX export.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One file produced by a tool call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// What the tool's JSON output says about the file (spec 6.5).
    pub fn describe(&self) -> AttachmentInfo {
        AttachmentInfo {
            file_name: self.file_name.clone(),
            media_type: self.media_type.clone(),
            bytes: self.bytes.len(),
        }
    }
}

/// The file as the tool output and the model see it: no content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub file_name: String,
    pub media_type: String,
    /// Size in bytes.
    pub bytes: usize,
}

#[cfg(any(test, feature = "testing"))]
mod export;
#[cfg(any(test, feature = "testing"))]
pub use export::{ExportText, ExportTextArgs, ExportTextOutput};
