//! Errors a tool call can end with, classified by what the agent does next.

use thiserror::Error;

use crate::odoo_client::OdooError;

/// Why a tool call did not produce an output.
///
/// `InvalidArgs`, `NotFound` and `Denied` go back to the model as an error tool
/// result so it can correct itself; `Timeout` and `Internal` also go back to the
/// model (it may tell the user), and are logged as degraded.
#[derive(Debug, Error)]
pub enum ToolError {
    /// The arguments do not match the tool's schema; the message names the field.
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArgs { tool: String, message: String },
    /// The model asked for a tool that is not registered.
    #[error("unknown tool {0}")]
    UnknownTool(String),
    /// A record or thing the arguments refer to does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The identity may not use this tool or read what it needs.
    #[error("not permitted: {0}")]
    Denied(String),
    /// The call ran past its deadline and was abandoned.
    #[error("tool {tool} timed out after {seconds} s")]
    Timeout { tool: String, seconds: u64 },
    /// The call was cancelled (shutdown or turn limit).
    #[error("tool call cancelled")]
    Cancelled,
    /// An Odoo call failed; the message says which call and why, never a
    /// credential.
    #[error(transparent)]
    Odoo(#[from] OdooError),
    /// Anything else; the message is for logs, not for users.
    #[error("tool failed: {0}")]
    Internal(String),
}

impl ToolError {
    /// Stable, low-cardinality label for logs, metrics and audit records.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidArgs { .. } => "invalid_args",
            Self::UnknownTool(_) => "unknown_tool",
            Self::NotFound(_) => "not_found",
            Self::Denied(_) => "denied",
            Self::Timeout { .. } => "timeout",
            Self::Cancelled => "cancelled",
            Self::Odoo(err) => err.kind(),
            Self::Internal(_) => "internal",
        }
    }
}
