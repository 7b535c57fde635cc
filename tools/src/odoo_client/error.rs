//! Errors from Odoo calls, classified by what the caller does next.

use std::time::Duration;

use thiserror::Error;

/// Shorthand for results of Odoo calls.
pub type Result<T, E = OdooError> = std::result::Result<T, E>;

/// Why an Odoo call did not return a result.
///
/// `AccessDenied`, `Validation`, `NotFound`, `MissingModelOrField` and
/// `UnmappedIdentity` go back to the model as a tool result so it can correct
/// itself or explain; `Timeout` and `Unavailable` end the turn with an
/// apology (the client has already retried idempotent reads);
/// `AuthenticationFailed` and `Config` are set-up problems for an
/// administrator; `Server`, `Protocol` and `Unsupported` are logged as errors
/// for a human to look at. [`code`](Self::code) gives the spec's error code.
///
/// No variant ever holds the API key.
#[derive(Debug, Error)]
pub enum OdooError {
    /// `common.authenticate` answered `false`, or JSON-2 answered 401: wrong
    /// login, database or key. Handled by an administrator fixing the
    /// configuration.
    #[error(
        "odoo authentication failed for login {login:?} on database {db:?}: check the \
         database name and the api key; the login is often the user's e-mail address \
         rather than \"admin\""
    )]
    AuthenticationFailed {
        /// The login that was tried.
        login: String,
        /// The database that was tried.
        db: String,
    },
    /// Odoo's access rights or record rules refused the call
    /// (`odoo.exceptions.AccessError` or `AccessDenied`). Goes back to the
    /// model, which tells the user they lack the right.
    #[error(
        "access denied {} {model} ({method}) for uid {uid}: {}",
        operation(method),
        one_line(message)
    )]
    AccessDenied {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// The Odoo user the call ran as.
        uid: i64,
        /// Odoo's explanation, safe to show to the user.
        message: String,
    },
    /// Odoo rejected the values or the action (`ValidationError`,
    /// `UserError`). Goes back to the model so it can correct the request.
    #[error("odoo call {model}/{method} failed for uid {uid}: rejected: {message}")]
    Validation {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// The Odoo user the call ran as.
        uid: i64,
        /// Odoo's explanation, written for users.
        message: String,
    },
    /// A record the call refers to no longer exists (`MissingError`). Goes
    /// back to the model.
    #[error("odoo call {model}/{method} failed for uid {uid}: record not found: {message}")]
    NotFound {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// The Odoo user the call ran as.
        uid: i64,
        /// Odoo's explanation.
        message: String,
    },
    /// The model or a field does not exist on this server, usually because a
    /// module is not installed or the field was renamed between versions.
    /// Goes back to the model; the capability probe should prevent it.
    #[error("odoo call {model}/{method} failed on odoo {server_version}: {what}")]
    MissingModelOrField {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// What is missing, in Odoo's words (first line).
        what: String,
        /// The server's version, since missing fields are usually a version gap.
        server_version: String,
    },
    /// Any other server-side exception. Logged as an error; the turn ends.
    #[error(
        "odoo call {model}/{method} failed for uid {uid}: server error {exception}: {first_line}"
    )]
    Server {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// The Odoo user the call ran as.
        uid: i64,
        /// The Python exception name, e.g. `builtins.TypeError`.
        exception: String,
        /// The first line of Odoo's message, never the traceback.
        first_line: String,
    },
    /// Odoo did not answer within the configured timeout. Ends the turn.
    #[error("odoo call {model}/{method} timed out after {} ms", after.as_millis())]
    Timeout {
        /// The model called (`common` for the common service).
        model: String,
        /// The method called.
        method: String,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// Odoo could not be reached or answered with an HTTP 5xx. Ends the turn.
    #[error("odoo call {model}/{method} failed: odoo unavailable: {reason}")]
    Unavailable {
        /// The model called (`common` for the common service).
        model: String,
        /// The method called.
        method: String,
        /// What went wrong, without credentials.
        reason: String,
    },
    /// The answer was not Odoo's JSON-RPC envelope, or had an unexpected
    /// shape (wrong url, a proxy page). Logged as an error.
    #[error("odoo call {model}/{method} failed: unexpected response: {message}")]
    Protocol {
        /// The model called (`common` for the common service).
        model: String,
        /// The method called.
        method: String,
        /// What was unexpected.
        message: String,
    },
    /// The call cannot be expressed on the protocol in use, e.g. positional
    /// arguments of a method whose parameter names are unknown, over JSON-2.
    /// A bug in the caller, logged as an error.
    #[error("odoo call {model}/{method} cannot be sent: {reason}")]
    Unsupported {
        /// The model called.
        model: String,
        /// The method called.
        method: String,
        /// What the call would need.
        reason: String,
    },
    /// The identity asking has no Odoo user of its own. Refused rather than
    /// served by the configured (often administrator) user; an administrator
    /// adds a login and API key for the identity.
    #[error(
        "identity {identity} has no odoo user: map it to a login and api key; calls never \
         fall back to the configured user"
    )]
    UnmappedIdentity {
        /// The identity's id.
        identity: String,
    },
    /// The client could not be built from its configuration. Reported at
    /// startup for an administrator.
    #[error("invalid odoo client configuration: {0}")]
    Config(String),
}

impl OdooError {
    /// Stable, low-cardinality label for logs, metrics and audit records.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AuthenticationFailed { .. } => "odoo_authentication_failed",
            Self::AccessDenied { .. } => "odoo_access_denied",
            Self::Validation { .. } => "odoo_validation",
            Self::NotFound { .. } => "odoo_not_found",
            Self::MissingModelOrField { .. } => "odoo_missing_model_or_field",
            Self::Server { .. } => "odoo_server",
            Self::Timeout { .. } => "odoo_timeout",
            Self::Unavailable { .. } => "odoo_unavailable",
            Self::Protocol { .. } => "odoo_protocol",
            Self::Unsupported { .. } => "odoo_unsupported_call",
            Self::UnmappedIdentity { .. } => "odoo_unmapped_identity",
            Self::Config(_) => "odoo_config",
        }
    }

    /// The error code of the tool result envelope (spec 0.1). Codes the
    /// model can act on come from the spec's list; failures it cannot fix
    /// (a server exception, an unexpected answer, a client bug or set-up
    /// problem) are `INTERNAL`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AuthenticationFailed { .. }
            | Self::AccessDenied { .. }
            | Self::UnmappedIdentity { .. } => "ODOO_ACCESS_DENIED",
            Self::Validation { .. } => "INVALID_ARGUMENT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::MissingModelOrField { .. } => "MODULE_MISSING",
            Self::Timeout { .. } | Self::Unavailable { .. } => "ODOO_UNAVAILABLE",
            Self::Server { .. }
            | Self::Protocol { .. }
            | Self::Unsupported { .. }
            | Self::Config(_) => "INTERNAL",
        }
    }

    /// Whether repeating the same idempotent call may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Unavailable { .. } => true,
            Self::AuthenticationFailed { .. }
            | Self::AccessDenied { .. }
            | Self::Validation { .. }
            | Self::NotFound { .. }
            | Self::MissingModelOrField { .. }
            | Self::Server { .. }
            | Self::Protocol { .. }
            | Self::Unsupported { .. }
            | Self::UnmappedIdentity { .. }
            | Self::Config(_) => false,
        }
    }
}

/// The operation a method performs, in words for an access error.
fn operation(method: &str) -> &'static str {
    match method {
        "read"
        | "search"
        | "search_read"
        | "search_count"
        | "search_fetch"
        | "name_search"
        | "fields_get"
        | "read_group"
        | "formatted_read_group"
        | "context_get" => "reading",
        "write" => "writing",
        "create" | "name_create" => "creating",
        "unlink" => "deleting",
        "copy" => "copying",
        _ => "calling",
    }
}

/// Odoo's access messages span several lines (the groups allowed, a hint to
/// contact an administrator); one line keeps logs greppable.
fn one_line(message: &str) -> String {
    let line = message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.is_empty() {
        "odoo gave no reason".to_owned()
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_denied_names_operation_model_method_and_odoo_message() {
        let err = OdooError::AccessDenied {
            model: "account.move".to_owned(),
            method: "search_read".to_owned(),
            uid: 7,
            message: "You are not allowed to access 'Journal Entry' (account.move) records.\n\n\
                      This operation is allowed for the following groups:\n\t- Billing"
                .to_owned(),
        };
        assert_eq!(
            err.to_string(),
            "access denied reading account.move (search_read) for uid 7: You are not allowed \
             to access 'Journal Entry' (account.move) records. This operation is allowed for \
             the following groups: - Billing"
        );
        assert_eq!(
            (err.code(), err.is_retryable()),
            ("ODOO_ACCESS_DENIED", false)
        );
    }

    #[test]
    fn codes_follow_the_spec() {
        let unavailable = OdooError::Unavailable {
            model: "res.partner".to_owned(),
            method: "read".to_owned(),
            reason: "http 503".to_owned(),
        };
        assert_eq!(
            (unavailable.code(), unavailable.is_retryable()),
            ("ODOO_UNAVAILABLE", true)
        );
        let missing = OdooError::MissingModelOrField {
            model: "res.partner".to_owned(),
            method: "read".to_owned(),
            what: "model x does not exist".to_owned(),
            server_version: "19.0".to_owned(),
        };
        assert_eq!(missing.code(), "MODULE_MISSING");
        let unmapped = OdooError::UnmappedIdentity {
            identity: "slack:U123".to_owned(),
        };
        assert_eq!(unmapped.code(), "ODOO_ACCESS_DENIED");
        assert!(unmapped.to_string().contains("slack:U123"));
    }
}
