//! Errors from Odoo calls, classified by what the caller does next.

use std::time::Duration;

use thiserror::Error;

/// Shorthand for results of Odoo calls.
pub type Result<T, E = OdooError> = std::result::Result<T, E>;

/// Why an Odoo call did not return a result.
///
/// `AccessDenied`, `Validation`, `NotFound` and `MissingModelOrField` go back
/// to the model as a tool result so it can correct itself or explain;
/// `Timeout` and `Unavailable` end the turn with an apology (the client has
/// already retried idempotent reads); `AuthenticationFailed` and `Config` are
/// set-up problems for an administrator; `Server` and `Protocol` are logged
/// as errors for a human to look at.
///
/// No variant ever holds the API key.
#[derive(Debug, Error)]
pub enum OdooError {
    /// `common.authenticate` answered `false`: wrong login, database or key.
    /// Handled by an administrator fixing the configuration.
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
    #[error("odoo call {model}/{method} failed for uid {uid}: access denied")]
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
            Self::Config(_) => "odoo_config",
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
            | Self::Config(_) => false,
        }
    }
}
