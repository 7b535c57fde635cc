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
    /// The arguments fit several records (a name shared by customers); the
    /// message lists the candidates so the model can ask the user which one.
    #[error("needs clarification: {0}")]
    NeedsClarification(String),
    /// The identity may not use this tool or read what it needs.
    #[error("not permitted: {0}")]
    Denied(String),
    /// The identity holds none of the roles the tool is for; goes back to
    /// the model, which tells the person who may ask instead.
    #[error("not permitted: {tool} is for the {roles} role(s), and {identity} holds {held}")]
    NotPermitted {
        tool: String,
        identity: String,
        roles: String,
        held: String,
    },
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
    /// The result is larger than the server accepts (a file over the
    /// attachment size limit); the message names the limit, so the model can
    /// ask for less.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
}

impl ToolError {
    /// Stable, low-cardinality label for logs, metrics and audit records.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidArgs { .. } => "invalid_args",
            Self::UnknownTool(_) => "unknown_tool",
            Self::NotFound(_) => "not_found",
            Self::NeedsClarification(_) => "needs_clarification",
            Self::Denied(_) => "denied",
            Self::NotPermitted { .. } => "not_permitted",
            Self::Timeout { .. } => "timeout",
            Self::Cancelled => "cancelled",
            Self::Odoo(err) => err.kind(),
            Self::Internal(_) => "internal",
            Self::LimitExceeded(_) => "limit_exceeded",
        }
    }

    /// The error code of the tool result envelope (spec 0.1), which the
    /// model reads to decide what to do next. `Cancelled` and `Internal`
    /// have no spec code: `CANCELLED` and `INTERNAL` say the model cannot
    /// fix them.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidArgs { .. } | Self::UnknownTool(_) => "INVALID_ARGUMENT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::NeedsClarification(_) => "NEEDS_CLARIFICATION",
            Self::Denied(_) => "ODOO_ACCESS_DENIED",
            // Not an Odoo refusal: the product's own roles (issue 4).
            Self::NotPermitted { .. } => "NOT_PERMITTED",
            // A tool runs out of time waiting for Odoo; a later try may pass.
            Self::Timeout { .. } => "ODOO_UNAVAILABLE",
            Self::Cancelled => "CANCELLED",
            Self::Odoo(err) => err.code(),
            Self::Internal(_) => "INTERNAL",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
        }
    }

    /// Whether the same call may succeed if made again later, the envelope's
    /// `retryable` (spec 0.1).
    pub fn retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            Self::Odoo(err) => err.is_retryable(),
            Self::InvalidArgs { .. }
            | Self::UnknownTool(_)
            | Self::NotFound(_)
            | Self::NeedsClarification(_)
            | Self::Denied(_)
            | Self::NotPermitted { .. }
            | Self::Cancelled
            | Self::Internal(_)
            | Self::LimitExceeded(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn codes_and_retryable_agree_for_every_variant() {
        let unavailable = OdooError::Timeout {
            model: "res.partner".to_owned(),
            method: "read".to_owned(),
            after: Duration::from_secs(5),
        };
        let cases = [
            (
                ToolError::InvalidArgs {
                    tool: "check_credit".to_owned(),
                    message: "partner_id: expected an integer".to_owned(),
                },
                "INVALID_ARGUMENT",
                false,
            ),
            (
                ToolError::UnknownTool("x".to_owned()),
                "INVALID_ARGUMENT",
                false,
            ),
            (
                ToolError::NotFound("partner 9".to_owned()),
                "NOT_FOUND",
                false,
            ),
            (
                ToolError::NeedsClarification("which Acme: 7 or 9?".to_owned()),
                "NEEDS_CLARIFICATION",
                false,
            ),
            (
                ToolError::Denied("finance only".to_owned()),
                "ODOO_ACCESS_DENIED",
                false,
            ),
            (
                ToolError::Timeout {
                    tool: "check_credit".to_owned(),
                    seconds: 30,
                },
                "ODOO_UNAVAILABLE",
                true,
            ),
            (ToolError::Cancelled, "CANCELLED", false),
            (ToolError::Odoo(unavailable), "ODOO_UNAVAILABLE", true),
            (
                ToolError::Odoo(OdooError::UnmappedIdentity {
                    identity: "slack:U1".to_owned(),
                }),
                "ODOO_ACCESS_DENIED",
                false,
            ),
            (ToolError::Internal("bug".to_owned()), "INTERNAL", false),
            (
                ToolError::LimitExceeded("report.xlsx is over 20 MiB".to_owned()),
                "LIMIT_EXCEEDED",
                false,
            ),
        ];
        for (err, code, retryable) in cases {
            assert_eq!((err.code(), err.retryable()), (code, retryable), "{err}");
        }
    }
}
