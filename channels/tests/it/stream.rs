//! `POST /api/chat` with `Accept: text/event-stream`.

use std::sync::Arc;

use pretty_assertions::assert_eq;
use serde_json::json;

use agent::store::{ThreadId, TurnStatus};

use crate::support::{
    Gate, Setup, TestServer, WAIT, first_event, json_response, parse_sse, without_ids,
};

#[tokio::test]
async fn streamed_turn_sends_progress_events_then_done_with_the_plain_response() {
    let server = TestServer::start(Setup::default()).await;
    let message = json!({"message": "calculate 6 * 7"});

    let response = server
        .chat(&message)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let body = tokio::time::timeout(WAIT, response.text())
        .await
        .expect("the stream ends with the turn")
        .unwrap();
    let (_, plain) = json_response(server.chat(&message).send().await.unwrap()).await;

    let events = parse_sse(&body);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "started",
            "tool_started",
            "tool_finished",
            "text_delta",
            "text_delta",
            "done"
        ]
    );
    let done = &events[5].data;
    assert_eq!(
        events[0].data,
        json!({"thread_id": done["thread_id"], "turn_id": done["turn_id"]})
    );
    assert_eq!(
        events[1].data,
        json!({"call_id": "call_1", "name": "calculate", "arguments": {"expression": "6 * 7"}})
    );
    let mut finished = events[2].data.clone();
    assert!(finished["duration_ms"].is_u64(), "{finished}");
    finished["duration_ms"] = json!(0);
    assert_eq!(
        finished,
        json!({"call_id": "call_1", "name": "calculate", "is_error": false, "duration_ms": 0})
    );
    let streamed_text: String = events[3..5]
        .iter()
        .map(|e| e.data["text"].as_str().unwrap())
        .collect();
    assert_eq!(streamed_text, done["reply"].as_str().unwrap());
    assert_eq!(without_ids(done.clone()), without_ids(plain));
}

#[tokio::test]
async fn streamed_turn_that_cannot_start_is_a_plain_json_error() {
    let server = TestServer::start(Setup::default()).await;
    let id = uuid::Uuid::new_v4();

    let response = server
        .chat(&json!({"message": "hi", "thread_id": id}))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        (
            404,
            json!({"error": {"code": "thread_not_found", "message": format!("thread {id} not found")}})
        )
    );
}

#[tokio::test]
async fn streaming_client_that_disconnects_does_not_stop_the_turn() {
    let gate = Arc::new(Gate::default());
    let server = TestServer::start(Setup {
        gate: Some(Arc::clone(&gate)),
        ..Setup::default()
    })
    .await;
    let mut response = server
        .chat(&json!({"message": "hello"}))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let started = first_event(&mut response).await;
    assert_eq!(started.0, "started");
    let thread_id: ThreadId = serde_json::from_value(started.1["thread_id"].clone()).unwrap();
    gate.entered().await;

    drop(response);
    gate.release();
    // Shutdown waits for every in-flight turn, so afterwards it is stored.
    tokio::time::timeout(WAIT, server.runtime.shutdown(WAIT))
        .await
        .unwrap();

    let store = server.runtime.store();
    let turns = store.turns(thread_id).await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].status, TurnStatus::Completed);
    let texts: Vec<String> = store
        .messages(thread_id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.message.text())
        .collect();
    assert_eq!(texts, ["hello", "You said: hello"]);
}
