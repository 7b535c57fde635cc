//! The files of a tool result: checked against the size limit, stored, and
//! described to the model by name, size and download URL (never by content).

use serde_json::Value;
use tools::{DispatchOutcome, ToolError};

use super::AttachmentView;
use crate::store::{AttachmentId, AttachmentStore, NewAttachment, ThreadId, TurnId};

/// Where a call's files come from.
pub(super) struct Origin<'a> {
    pub owner: &'a str,
    pub thread_id: ThreadId,
    pub turn_id: TurnId,
    pub call_id: &'a str,
}

/// Stores every file of a successful call and returns what was stored. A
/// file over `max_bytes` turns the call into a `LIMIT_EXCEEDED` error and
/// none of its files is stored; a storage failure turns it into an internal
/// error. The files are taken out of the outcome either way, so their bytes
/// are not kept for the rest of the turn.
pub(super) async fn store_files(
    store: &dyn AttachmentStore,
    max_bytes: usize,
    origin: Origin<'_>,
    outcome: &mut DispatchOutcome,
) -> Vec<AttachmentView> {
    let Ok(success) = &mut outcome.result else {
        return Vec::new();
    };
    let files = std::mem::take(&mut success.attachments);
    if let Some(large) = files.iter().find(|f| f.bytes.len() > max_bytes) {
        outcome.result = Err(ToolError::LimitExceeded(format!(
            "the file {} is {} bytes, over the limit of {max_bytes} bytes per file \
             (ODOO_AGENT_MAX_ATTACHMENT_BYTES); ask for fewer rows or columns",
            large.file_name,
            large.bytes.len()
        )));
        return Vec::new();
    }
    let mut stored = Vec::with_capacity(files.len());
    for (ordinal, file) in (0_u32..).zip(files) {
        let file_name = file.file_name.clone();
        let new = NewAttachment {
            id: AttachmentId::new(),
            owner: origin.owner.to_owned(),
            thread_id: origin.thread_id,
            turn_id: origin.turn_id,
            call_id: origin.call_id.to_owned(),
            ordinal,
            file,
        };
        match store.save_attachment(new).await {
            Ok(record) => stored.push(AttachmentView::from(&record)),
            Err(err) => {
                tracing::error!(
                    error = %err,
                    error.kind = err.kind(),
                    call_id = origin.call_id,
                    "storing a tool call's file failed"
                );
                outcome.result = Err(ToolError::Internal(format!(
                    "storing the file {file_name} failed"
                )));
                return Vec::new();
            }
        }
    }
    stored
}

/// The tool result for the model with the stored files listed under
/// `attachments`: id, name, media type, size and download URL.
pub(super) fn with_files(mut content: Value, files: &[AttachmentView]) -> Value {
    if files.is_empty() {
        return content;
    }
    let listed: Vec<Value> = files
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f.id,
                "file_name": f.file_name,
                "media_type": f.media_type,
                "bytes": f.bytes,
                "download_url": f.download_url,
            })
        })
        .collect();
    if let Value::Object(fields) = &mut content {
        fields.insert("attachments".to_owned(), Value::Array(listed));
    }
    content
}
