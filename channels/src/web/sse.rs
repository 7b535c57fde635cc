//! `POST /api/chat` as Server-Sent Events: `started`, `text_delta`,
//! `tool_started`, `attachment` (a stored file of a call, before its
//! `tool_finished`), `proposal` (a stored proposal awaiting approval, also
//! before its `tool_finished`), `tool_finished`, then `done` (the JSON of
//! the plain response) or `error`.
//!
//! The stream only reads the turn's events; the turn itself runs in the
//! runtime's task, so a client that disconnects leaves it to finish and be
//! stored.

use std::convert::Infallible;

use axum::http::{HeaderName, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, Stream, StreamExt};
use serde::Serialize;
use serde_json::json;

use agent::turn::{TurnError, TurnEvent, TurnRequest, TurnResult};
use agent::{Runtime, TurnHandle};

use super::api::{AttachmentBody, ChatResponse, ProposalCardBody};
use super::error::ApiError;

/// Sent if an event cannot be encoded, which would be a bug.
const ENCODING_FAILED: &str = r#"{"error":{"code":"internal","message":"internal error; the details are in the server log"}}"#;

/// Starts the turn and answers with its event stream. A turn that fails
/// before it starts (unknown thread, empty message, shutdown) is answered
/// with the plain JSON error and its status instead, since no event has
/// been promised yet.
pub(crate) async fn stream_turn(
    runtime: &Runtime,
    request: TurnRequest,
) -> Result<Response, ApiError> {
    let mut handle = runtime.start_turn(request)?;
    let Some(first) = handle.events.recv().await else {
        // The turn ended without announcing itself: it was refused.
        let result = handle.outcome().await?;
        return Ok(event_stream(stream::iter([Ok(done_event(result))])));
    };
    let events =
        stream::iter([Ok(progress_event(first))]).chain(stream::unfold(Some(handle), next_event));
    Ok(event_stream(events))
}

fn event_stream<S>(events: S) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    // Reverse proxies such as nginx buffer responses unless told not to,
    // which would hold every delta until the turn ends.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

/// The next progress event, or the final one once the turn's task has
/// dropped its sender (it has then finished and stored the turn).
async fn next_event(
    handle: Option<TurnHandle>,
) -> Option<(Result<Event, Infallible>, Option<TurnHandle>)> {
    let mut handle = handle?;
    match handle.events.recv().await {
        Some(event) => Some((Ok(progress_event(event)), Some(handle))),
        None => Some((Ok(final_event(handle.outcome().await)), None)),
    }
}

fn progress_event(event: TurnEvent) -> Event {
    match event {
        TurnEvent::Started { thread_id, turn_id } => encode(
            "started",
            &json!({ "thread_id": thread_id, "turn_id": turn_id }),
        ),
        TurnEvent::TextDelta { text } => encode("text_delta", &json!({ "text": text })),
        TurnEvent::ToolStarted {
            call_id,
            name,
            arguments,
        } => encode(
            "tool_started",
            &json!({ "call_id": call_id, "name": name, "arguments": arguments }),
        ),
        TurnEvent::ToolFinished {
            call_id,
            name,
            is_error,
            duration_ms,
        } => encode(
            "tool_finished",
            &json!({
                "call_id": call_id,
                "name": name,
                "is_error": is_error,
                "duration_ms": duration_ms,
            }),
        ),
        TurnEvent::AttachmentStored {
            call_id: _,
            attachment,
        } => encode("attachment", &AttachmentBody::from(attachment)),
        TurnEvent::ProposalStored {
            call_id: _,
            proposal,
        } => encode("proposal", &ProposalCardBody::from(proposal)),
    }
}

fn final_event(outcome: Result<TurnResult, TurnError>) -> Event {
    match outcome {
        Ok(result) => done_event(result),
        Err(err) => encode("error", &ApiError::from(err).body()),
    }
}

fn done_event(result: TurnResult) -> Event {
    encode("done", &ChatResponse::from(result))
}

fn encode(name: &'static str, data: &impl Serialize) -> Event {
    match serde_json::to_string(data) {
        Ok(json) => Event::default().event(name).data(json),
        Err(err) => {
            tracing::error!(error = %err, event = name, "cannot encode a stream event");
            Event::default().event("error").data(ENCODING_FAILED)
        }
    }
}
