//! `GET /api/proposals/{id}`, `POST /api/proposals/{id}/approve` and
//! `POST /api/proposals/{id}/reject`: the only way a proposal reaches Odoo.
//! Each runs as the identity of the presented API key.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tools::Identity;
use uuid::Uuid;

use agent::proposals::{ProposalStatus, StoredProposal};
use agent::store::{ThreadId, TurnId};

use super::error::ApiError;
use super::extract::ApiJson;
use super::state::WebState;

/// `GET /api/proposals/{id}`.
pub(crate) async fn show(
    State(state): State<Arc<WebState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ProposalBody>, ApiError> {
    let id = proposal_id(path)?;
    let stored = state
        .runtime
        .proposals()
        .proposal(id)
        .await?
        .ok_or(ApiError::ProposalNotFound(id))?;
    Ok(Json(ProposalBody::from(stored)))
}

/// `POST /api/proposals/{id}/approve`: executes it once; the answer shows
/// how it ended (`executed`, or `failed` with Odoo's refusal).
pub(crate) async fn approve(
    State(state): State<Arc<WebState>>,
    Extension(identity): Extension<Identity>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ProposalBody>, ApiError> {
    let id = proposal_id(path)?;
    let approvals = state
        .runtime
        .approvals()
        .ok_or(ApiError::ProposalsUnavailable)?;
    let done = approvals.approve(id, &identity).await?;
    Ok(Json(ProposalBody::from(done)))
}

/// `POST /api/proposals/{id}/reject` with `{"reason": "..."}`.
pub(crate) async fn reject(
    State(state): State<Arc<WebState>>,
    Extension(identity): Extension<Identity>,
    path: Result<Path<String>, PathRejection>,
    ApiJson(body): ApiJson<RejectBody>,
) -> Result<Json<ProposalBody>, ApiError> {
    let id = proposal_id(path)?;
    let approvals = state
        .runtime
        .approvals()
        .ok_or(ApiError::ProposalsUnavailable)?;
    let done = approvals.reject(id, &identity, &body.reason).await?;
    Ok(Json(ProposalBody::from(done)))
}

fn proposal_id(path: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let Path(raw) = path?;
    raw.parse().map_err(|_| ApiError::InvalidProposalId(raw))
}

/// The body of a rejection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectBody {
    /// Why, in a few words; required.
    reason: String,
}

/// A proposal as the API shows it.
#[derive(Debug, Serialize)]
pub(crate) struct ProposalBody {
    proposal_id: Uuid,
    action: &'static str,
    params: Value,
    target: Value,
    preview: String,
    preconditions: Value,
    required_role: Value,
    expires_at: DateTime<Utc>,
    status: ProposalStatus,
    /// What the execution returned, Odoo's refusal verbatim, or the
    /// preconditions that blocked it.
    outcome: Option<Value>,
    created_by: String,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    reason: Option<String>,
    thread_id: Option<ThreadId>,
    turn_id: Option<TurnId>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<StoredProposal> for ProposalBody {
    fn from(stored: StoredProposal) -> Self {
        let p = stored.proposal;
        let tagged = serde_json::to_value(&p.action).unwrap_or(Value::Null);
        Self {
            proposal_id: p.proposal_id,
            action: p.action.name(),
            params: tagged.get("params").cloned().unwrap_or(Value::Null),
            target: serde_json::to_value(&p.target).unwrap_or(Value::Null),
            preview: p.preview,
            preconditions: serde_json::to_value(&p.preconditions).unwrap_or(Value::Null),
            required_role: serde_json::to_value(p.required_role).unwrap_or(Value::Null),
            expires_at: p.expires_at,
            status: stored.status,
            outcome: stored.outcome,
            created_by: stored.created_by.0,
            decided_by: stored.decided_by.map(|d| d.0),
            decided_at: stored.decided_at,
            reason: stored.reason,
            thread_id: stored.thread_id,
            turn_id: stored.turn_id,
            created_at: stored.created_at,
            updated_at: stored.updated_at,
        }
    }
}
