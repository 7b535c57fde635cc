//! The handlers and their JSON shapes. The shapes are the API's contract,
//! so they are defined here rather than borrowed from the agent's types,
//! which may grow fields clients should not depend on.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tools::{Identity, Role};
use uuid::Uuid;

use agent::Health;
use agent::proposals::FieldChange;
use agent::provider::{ContentBlock, MessageRole};
use agent::store::{StoredMessage, ThreadId, ThreadRecord, TurnId, TurnStatus};
use agent::turn::{AttachmentView, ProposalView, ToolCallSummary, TurnRequest, TurnResult};

use super::error::ApiError;
use super::extract::ApiJson;
use super::sse;
use super::state::WebState;

/// The `channel` recorded on threads and turns started here.
const CHANNEL: &str = "api";

/// `GET /health`: 200 when every dependency answers, 503 otherwise, with the
/// same body so monitors can say what is wrong.
pub(crate) async fn health(State(state): State<Arc<WebState>>) -> Response {
    let health = state.runtime.health().await;
    let status = if health.status == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = HealthBody::from(health);
    body.channels.clone_from(&state.channels);
    (status, Json(body)).into_response()
}

/// `POST /api/chat`: runs one turn and answers with its result, or streams
/// it as Server-Sent Events when the client accepts `text/event-stream`.
pub(crate) async fn chat(
    State(state): State<Arc<WebState>>,
    Extension(identity): Extension<Identity>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChatBody>,
) -> Result<Response, ApiError> {
    let request = TurnRequest {
        thread_id: body.thread_id,
        channel: CHANNEL.to_owned(),
        // The identity of the presented API key (see `auth`).
        identity,
        message: body.message,
    };
    if accepts_event_stream(&headers) {
        return sse::stream_turn(&state.runtime, request).await;
    }
    // The turn runs in its own task: if the client goes away, dropping this
    // future detaches from the turn without stopping it.
    let result = state.runtime.start_turn(request)?.outcome().await?;
    Ok(Json(ChatResponse::from(result)).into_response())
}

/// `GET /api/threads/{id}`: a thread and its messages in order.
pub(crate) async fn thread(
    State(state): State<Arc<WebState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ThreadBody>, ApiError> {
    let Path(raw) = path?;
    let id: ThreadId = raw.parse().map_err(|_| ApiError::InvalidThreadId(raw))?;
    let store = state.runtime.store();
    let thread = store
        .thread(id)
        .await?
        .ok_or(ApiError::ThreadNotFound(id))?;
    let messages = store.messages(id).await?;
    Ok(Json(ThreadBody::new(thread, messages)))
}

/// The body of `POST /api/chat`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChatBody {
    message: String,
    /// Continue this thread; absent starts a new one.
    #[serde(default)]
    thread_id: Option<ThreadId>,
}

/// A finished turn, as answered by `POST /api/chat` and carried by the
/// `done` event of a stream.
#[derive(Debug, Serialize)]
pub(crate) struct ChatResponse {
    thread_id: ThreadId,
    turn_id: TurnId,
    status: TurnStatus,
    reply: String,
    tool_calls: Vec<ToolCallBody>,
    /// Files the tool calls produced; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<AttachmentBody>,
    /// Proposals awaiting approval; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    proposals: Vec<ProposalCardBody>,
    usage: UsageBody,
}

impl From<TurnResult> for ChatResponse {
    fn from(result: TurnResult) -> Self {
        Self {
            thread_id: result.thread_id,
            turn_id: result.turn_id,
            status: result.status,
            reply: result.reply,
            tool_calls: result
                .tool_calls
                .into_iter()
                .map(ToolCallBody::from)
                .collect(),
            attachments: result
                .attachments
                .into_iter()
                .map(AttachmentBody::from)
                .collect(),
            proposals: result
                .proposals
                .into_iter()
                .map(ProposalCardBody::from)
                .collect(),
            usage: UsageBody {
                input_tokens: result.usage.input_tokens,
                output_tokens: result.usage.output_tokens,
            },
        }
    }
}

#[derive(Debug, Serialize)]
struct ToolCallBody {
    name: String,
    arguments: Value,
    is_error: bool,
}

impl From<ToolCallSummary> for ToolCallBody {
    fn from(call: ToolCallSummary) -> Self {
        Self {
            name: call.name,
            arguments: call.arguments,
            is_error: call.is_error,
        }
    }
}

/// A stored file of a turn, in `ChatResponse.attachments` and the
/// `attachment` stream event.
#[derive(Debug, Serialize)]
pub(crate) struct AttachmentBody {
    id: String,
    call_id: String,
    file_name: String,
    media_type: String,
    /// Size in bytes.
    bytes: u64,
    /// `GET` it (with the API key) for the file.
    download_url: String,
}

impl From<AttachmentView> for AttachmentBody {
    fn from(file: AttachmentView) -> Self {
        Self {
            id: file.id.to_string(),
            call_id: file.call_id,
            file_name: file.file_name,
            media_type: file.media_type,
            bytes: file.bytes,
            download_url: file.download_url,
        }
    }
}

/// A proposal a turn stored, in `ChatResponse.proposals` and the
/// `proposal` stream event: enough for an approval card. Decide it with
/// `POST /api/proposals/{id}/approve` or `/reject`.
#[derive(Debug, Serialize)]
pub(crate) struct ProposalCardBody {
    proposal_id: Uuid,
    call_id: String,
    action: &'static str,
    target: TargetBody,
    preview: String,
    /// Field by field: the value read when proposing and the value approval
    /// writes (empty for merges, whose preview says what happens).
    changes: Vec<ChangeBody>,
    required_role: Role,
    expires_at: DateTime<Utc>,
    /// Always `pending`: the card shows what the decision returns.
    status: &'static str,
    approve_url: String,
    reject_url: String,
}

impl From<ProposalView> for ProposalCardBody {
    fn from(view: ProposalView) -> Self {
        let id = view.proposal_id;
        Self {
            proposal_id: id,
            call_id: view.call_id,
            action: view.action,
            target: TargetBody {
                model: view.target.model,
                ids: view.target.ids,
            },
            preview: view.preview,
            changes: view.changes.into_iter().map(ChangeBody::from).collect(),
            required_role: view.required_role,
            expires_at: view.expires_at,
            status: "pending",
            approve_url: format!("/api/proposals/{id}/approve"),
            reject_url: format!("/api/proposals/{id}/reject"),
        }
    }
}

#[derive(Debug, Serialize)]
struct TargetBody {
    model: String,
    ids: Vec<i64>,
}

#[derive(Debug, Serialize)]
struct ChangeBody {
    model: String,
    id: i64,
    field: String,
    /// `null` when the value at proposal time was not recorded.
    before: Option<Value>,
    after: Value,
}

impl From<FieldChange> for ChangeBody {
    fn from(change: FieldChange) -> Self {
        Self {
            model: change.model,
            id: change.id,
            field: change.field,
            before: change.before,
            after: change.after,
        }
    }
}

#[derive(Debug, Serialize)]
struct UsageBody {
    input_tokens: u64,
    output_tokens: u64,
}

/// The body of `GET /api/threads/{id}`.
#[derive(Debug, Serialize)]
pub(crate) struct ThreadBody {
    thread_id: ThreadId,
    channel: String,
    created_at: DateTime<Utc>,
    messages: Vec<MessageBody>,
}

impl ThreadBody {
    fn new(thread: ThreadRecord, messages: Vec<StoredMessage>) -> Self {
        Self {
            thread_id: thread.id,
            channel: thread.channel,
            created_at: thread.created_at,
            messages: messages
                .into_iter()
                .map(|m| MessageBody {
                    seq: m.seq,
                    role: m.message.role,
                    content: m.message.content,
                    created_at: m.created_at,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize)]
struct MessageBody {
    seq: i64,
    role: MessageRole,
    content: Vec<ContentBlock>,
    created_at: DateTime<Utc>,
}

/// The body of `GET /health`. It is public, so it names backends and modes
/// but leaves out addresses such as the Odoo URL.
#[derive(Debug, Serialize)]
struct HealthBody {
    status: &'static str,
    version: &'static str,
    database: DatabaseHealthBody,
    provider: ProviderHealthBody,
    odoo: OdooHealthBody,
    /// The chat channels mounted (`slack`, `telegram`, …).
    channels: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct DatabaseHealthBody {
    backend: &'static str,
    ok: bool,
    /// The error kind (`database`…) when the database does not answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct ProviderHealthBody {
    name: String,
    model: String,
    live: bool,
}

#[derive(Debug, Serialize)]
struct OdooHealthBody {
    /// `demo`, `configured` or `none`.
    mode: &'static str,
    /// In demo mode: what answers instead of a real Odoo.
    #[serde(skip_serializing_if = "Option::is_none")]
    demo: Option<DemoHealthBody>,
}

#[derive(Debug, Serialize)]
struct DemoHealthBody {
    company: String,
    odoo_version: &'static str,
    partners: usize,
    note: &'static str,
}

impl From<Health> for HealthBody {
    fn from(health: Health) -> Self {
        Self {
            status: health.status,
            version: env!("CARGO_PKG_VERSION"),
            database: DatabaseHealthBody {
                backend: health.database.backend,
                ok: health.database.ok,
                error: health.database.error,
            },
            provider: ProviderHealthBody {
                name: health.provider.name,
                model: health.provider.model,
                live: health.provider.live,
            },
            odoo: OdooHealthBody {
                mode: health.odoo.mode,
                demo: health.odoo.company.map(|company| DemoHealthBody {
                    company,
                    odoo_version: health.odoo.version.unwrap_or_default(),
                    partners: health.odoo.partners.unwrap_or_default(),
                    note: "answers come from the built-in demo company, not a real Odoo",
                }),
            },
            channels: Vec::new(),
        }
    }
}

/// Whether the `Accept` header lists `text/event-stream` (parameters and
/// case ignored).
fn accepts_event_stream(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let media_type = item.split(';').next().unwrap_or_default().trim();
            media_type.eq_ignore_ascii_case("text/event-stream")
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn event_stream_is_found_among_accepted_types() {
        assert!(accepts_event_stream(&accept("text/event-stream")));
        assert!(accepts_event_stream(&accept(
            "application/json, Text/Event-Stream;q=0.9"
        )));
    }

    #[test]
    fn json_or_no_accept_header_is_not_a_stream() {
        assert!(!accepts_event_stream(&accept("application/json")));
        assert!(!accepts_event_stream(&accept("*/*")));
        assert!(!accepts_event_stream(&HeaderMap::new()));
    }
}
