//! The one error type of the HTTP API and its JSON shape,
//! `{"error": {"code": "...", "message": "..."}}`.
//!
//! Client mistakes carry a message naming what was wrong. Server faults
//! are logged here with their detail and answered with a generic message,
//! so internals never reach a client.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use thiserror::Error;

use agent::proposals::ApprovalError;
use agent::store::{StoreError, ThreadId};
use agent::turn::TurnError;
use tools::odoo_client::OdooError;

/// Why a request failed; each variant maps to one status and one `code`.
#[derive(Debug, Error)]
pub enum ApiError {
    /// The bearer key is missing or wrong; the client must authenticate (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The body is not valid JSON or does not match the request type (400).
    #[error("invalid JSON body: {0}")]
    InvalidJson(String),
    /// The body is not `application/json` (415).
    #[error("expected a request with `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// The body is larger than the configured limit (413).
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The body could not be read, or a path segment could not be decoded (400).
    #[error("{0}")]
    BadRequest(String),
    /// The message is empty or too long (400).
    #[error("invalid message: {0}")]
    InvalidMessage(String),
    /// A thread id in the path is not a UUID (400).
    #[error("invalid thread id `{0}`: expected a UUID")]
    InvalidThreadId(String),
    /// The thread does not exist (404).
    #[error("thread {0} not found")]
    ThreadNotFound(ThreadId),
    /// An attachment id in the path is not a UUID (400).
    #[error("invalid attachment id `{0}`: expected a UUID")]
    InvalidAttachmentId(String),
    /// No file has this id, or the caller may not download it: the same
    /// answer for both, so ids cannot be probed (404).
    #[error("attachment {0} not found")]
    AttachmentNotFound(String),
    /// No route matches the path (404).
    #[error("no route for this path")]
    NoRoute,
    /// A saved schedule was refused; the message names the field (400).
    #[error("invalid schedule: {0}")]
    InvalidSchedule(String),
    /// A schedule id in the path is not a UUID (400).
    #[error("invalid schedule id `{0}`: expected a UUID")]
    InvalidScheduleId(String),
    /// The schedule does not exist, or this server keeps none (404).
    #[error("schedule {0} not found")]
    ScheduleNotFound(String),
    /// This server keeps no schedules (404).
    #[error("this server keeps no schedules")]
    SchedulesUnavailable,
    /// A proposal id in the path is not a UUID (400).
    #[error("invalid proposal id `{0}`: expected a UUID")]
    InvalidProposalId(String),
    /// The proposal does not exist (404).
    #[error("proposal {0} not found")]
    ProposalNotFound(uuid::Uuid),
    /// This server has no Odoo to execute proposals on (503).
    #[error("this server has no Odoo connection, so proposals cannot be decided")]
    ProposalsUnavailable,
    /// The identity may not do this (403); the message says which role or
    /// Odoo user it lacks.
    #[error("{message}")]
    NotPermitted { code: &'static str, message: String },
    /// The proposal can no longer be decided: already decided, expired, or
    /// its preconditions changed (409); `code` says which.
    #[error("{message}")]
    ProposalConflict { code: &'static str, message: String },
    /// A rejection without a usable reason (400).
    #[error("invalid reason: {0}")]
    InvalidReason(String),
    /// Odoo could not be reached or failed before anything ran; the
    /// proposal is still pending (502).
    #[error("{0}")]
    OdooUnavailable(String),
    /// The company or period of a closing path is malformed (400).
    #[error("{0}")]
    InvalidClosingPath(String),
    /// No closing for the company and period (404).
    #[error("{0}")]
    ClosingNotFound(String),
    /// A step change the rules refuse: unknown step, or done without a
    /// required note (400); `code` says which.
    #[error("{message}")]
    ClosingRefused { code: &'static str, message: String },
    /// The closing is completed (reopen it first) or kept changing (409).
    #[error("{message}")]
    ClosingConflict { code: &'static str, message: String },
    /// A record a request names does not exist or the caller's Odoo user
    /// may not see it (404).
    #[error("{0}")]
    RecordNotFound(String),
    /// A bank match confirmation that teaches no rule: the records belong
    /// to another company, or hold nothing but digits (422); `code` says
    /// which.
    #[error("{message}")]
    MatchRefused { code: &'static str, message: String },
    /// The route exists but not with this method (405).
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The server is shutting down and takes no new turns; retry later (503).
    #[error("the server is shutting down; retry in a moment")]
    ShuttingDown,
    /// Storage failed or a turn died; logged with detail, answered with a
    /// generic 500.
    #[error("{kind}: {detail}")]
    Internal { kind: &'static str, detail: String },
}

impl ApiError {
    /// Stable, low-cardinality label, also the `code` clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "unauthorized",
            Self::InvalidJson(_) => "invalid_json",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::BadRequest(_) => "bad_request",
            Self::InvalidMessage(_) => "invalid_message",
            Self::InvalidThreadId(_) => "invalid_thread_id",
            Self::ThreadNotFound(_) => "thread_not_found",
            Self::InvalidSchedule(_) => "invalid_schedule",
            Self::InvalidScheduleId(_) => "invalid_schedule_id",
            Self::ScheduleNotFound(_) => "schedule_not_found",
            Self::SchedulesUnavailable => "schedules_unavailable",
            Self::InvalidAttachmentId(_) => "invalid_attachment_id",
            Self::AttachmentNotFound(_) => "attachment_not_found",
            Self::InvalidProposalId(_) => "invalid_proposal_id",
            Self::ProposalNotFound(_) => "proposal_not_found",
            Self::ProposalsUnavailable => "proposals_unavailable",
            Self::NotPermitted { code, .. } | Self::ProposalConflict { code, .. } => code,
            Self::InvalidClosingPath(_) => "invalid_closing_path",
            Self::ClosingNotFound(_) => "closing_not_found",
            Self::ClosingRefused { code, .. } | Self::ClosingConflict { code, .. } => code,
            Self::InvalidReason(_) => "invalid_reason",
            Self::RecordNotFound(_) => "record_not_found",
            Self::MatchRefused { code, .. } => code,
            Self::OdooUnavailable(_) => "odoo_unavailable",
            Self::NoRoute => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::ShuttingDown => "shutting_down",
            Self::Internal { .. } => "internal",
        }
    }

    /// The HTTP status answered for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidJson(_)
            | Self::BadRequest(_)
            | Self::InvalidMessage(_)
            | Self::InvalidThreadId(_)
            | Self::InvalidSchedule(_)
            | Self::InvalidScheduleId(_)
            | Self::InvalidAttachmentId(_)
            | Self::InvalidProposalId(_)
            | Self::InvalidReason(_)
            | Self::InvalidClosingPath(_)
            | Self::ClosingRefused { .. } => StatusCode::BAD_REQUEST,
            Self::ClosingConflict { .. } => StatusCode::CONFLICT,
            Self::MatchRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotPermitted { .. } => StatusCode::FORBIDDEN,
            Self::ProposalConflict { .. } => StatusCode::CONFLICT,
            Self::OdooUnavailable(_) => StatusCode::BAD_GATEWAY,
            Self::ProposalsUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::ProposalNotFound(_) => StatusCode::NOT_FOUND,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::ThreadNotFound(_)
            | Self::ScheduleNotFound(_)
            | Self::SchedulesUnavailable
            | Self::AttachmentNotFound(_)
            | Self::ClosingNotFound(_)
            | Self::RecordNotFound(_)
            | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `{"error": {...}}` body, logging server faults on the way.
    pub(crate) fn body(&self) -> ErrorBody {
        let message = match self {
            Self::Internal { kind, detail } => {
                tracing::error!(error.kind = *kind, error = %detail, "request failed");
                "internal error; the details are in the server log".to_owned()
            }
            other => other.to_string(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message,
            },
        }
    }

    /// Maps a body rejection once the JSON extractor knows the limit it ran
    /// into; axum's rejection does not carry it.
    pub(crate) fn from_json_rejection(rejection: JsonRejection, limit: usize) -> Self {
        match rejection {
            // The serde error (with line and column) is the rejection's source;
            // axum's own text only prefixes it with a generic sentence.
            JsonRejection::JsonDataError(err) => Self::InvalidJson(source_text(&err)),
            JsonRejection::JsonSyntaxError(err) => Self::InvalidJson(source_text(&err)),
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::PayloadTooLarge { limit }
            }
            other => Self::BadRequest(format!(
                "cannot read the request body: {}",
                other.body_text()
            )),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if matches!(self, Self::Unauthorized(_)) {
            // RFC 6750: a 401 names the scheme the client should use.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<TurnError> for ApiError {
    fn from(err: TurnError) -> Self {
        let kind = err.kind();
        match err {
            TurnError::ThreadNotFound(id) => Self::ThreadNotFound(id),
            TurnError::InvalidMessage(message) => Self::InvalidMessage(message),
            TurnError::ShuttingDown => Self::ShuttingDown,
            TurnError::Store(err) => Self::Internal {
                kind,
                detail: err.to_string(),
            },
            TurnError::Aborted(detail) => Self::Internal { kind, detail },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::Internal {
            kind: err.kind(),
            detail: err.to_string(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize)]
pub(crate) struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
}

fn source_text(err: &dyn std::error::Error) -> String {
    err.source()
        .map_or_else(|| err.to_string(), ToString::to_string)
}

impl From<agent::schedule::StoreError> for ApiError {
    fn from(err: agent::schedule::StoreError) -> Self {
        Self::Internal {
            kind: "schedule_store",
            detail: err.to_string(),
        }
    }
}

impl From<ApprovalError> for ApiError {
    fn from(err: ApprovalError) -> Self {
        let code = err.kind();
        let message = err.to_string();
        match err {
            ApprovalError::NotFound(id) => Self::ProposalNotFound(id),
            ApprovalError::NotPermitted { .. }
            | ApprovalError::Odoo(OdooError::UnmappedIdentity { .. }) => {
                Self::NotPermitted { code, message }
            }
            ApprovalError::AlreadyDecided { .. }
            | ApprovalError::Expired { .. }
            | ApprovalError::PreconditionsChanged { .. } => {
                Self::ProposalConflict { code, message }
            }
            ApprovalError::InvalidReason(reason) => Self::InvalidReason(reason),
            ApprovalError::Odoo(err) => Self::OdooUnavailable(err.to_string()),
            ApprovalError::Store(err) => err.into(),
        }
    }
}
