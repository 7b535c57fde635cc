//! Graceful shutdown: in-flight turns finish (or are cut at the grace
//! period) and are stored before `serve` returns.

use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::json;

use agent::store::{ThreadId, TurnStatus};

use crate::support::{Gate, Setup, TestServer, WAIT, first_event, json_response};

#[tokio::test]
async fn shutdown_lets_the_in_flight_turn_finish_and_stores_it() {
    let gate = Arc::new(Gate::default());
    let mut server = TestServer::start(Setup {
        gate: Some(Arc::clone(&gate)),
        ..Setup::default()
    })
    .await;
    let request = tokio::spawn(server.chat(&json!({"message": "hello"})).send());
    gate.entered().await;

    server.trigger_shutdown();
    // A negative check: the server must still be waiting for the turn.
    let early = tokio::time::timeout(Duration::from_millis(200), &mut server.task).await;
    assert!(early.is_err(), "serve returned while a turn was in flight");
    gate.release();

    let response = tokio::time::timeout(WAIT, request)
        .await
        .expect("the response in time")
        .unwrap()
        .unwrap();
    let (status, body) = json_response(response).await;
    assert_eq!(
        (status, &body["status"], &body["reply"]),
        (200, &json!("completed"), &json!("You said: hello"))
    );
    tokio::time::timeout(WAIT, &mut server.task)
        .await
        .expect("serve returns once the turn is stored")
        .unwrap()
        .expect("serve ends without error");
    let thread_id: ThreadId = serde_json::from_value(body["thread_id"].clone()).unwrap();
    let turns = server.runtime.store().turns(thread_id).await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].status, TurnStatus::Completed);
}

#[tokio::test]
async fn shutdown_waits_for_turns_whose_client_has_gone() {
    let gate = Arc::new(Gate::default());
    let mut server = TestServer::start(Setup {
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
    let (name, started) = first_event(&mut response).await;
    assert_eq!(name, "started");
    let thread_id: ThreadId = serde_json::from_value(started["thread_id"].clone()).unwrap();
    gate.entered().await;
    drop(response);

    server.trigger_shutdown();
    // No connection holds the server open now, only the turn.
    let early = tokio::time::timeout(Duration::from_millis(200), &mut server.task).await;
    assert!(early.is_err(), "serve returned while a turn was in flight");
    gate.release();

    tokio::time::timeout(WAIT, &mut server.task)
        .await
        .expect("serve returns once the turn is stored")
        .unwrap()
        .expect("serve ends without error");
    let turns = server.runtime.store().turns(thread_id).await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].status, TurnStatus::Completed);
    assert_eq!(
        server
            .runtime
            .store()
            .messages(thread_id)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn shutdown_cuts_a_turn_still_running_after_the_grace_period_and_stores_it() {
    let gate = Arc::new(Gate::default());
    let mut server = TestServer::start(Setup {
        gate: Some(Arc::clone(&gate)),
        grace: Duration::from_millis(50),
        ..Setup::default()
    })
    .await;
    let request = tokio::spawn(server.chat(&json!({"message": "hello"})).send());
    gate.entered().await;

    // The model never answers: the grace period has to end the turn.
    server.trigger_shutdown();

    let response = tokio::time::timeout(WAIT, request)
        .await
        .expect("the response in time")
        .unwrap()
        .unwrap();
    let (status, body) = json_response(response).await;
    assert_eq!(
        (status, &body["status"], &body["reply"]),
        (
            200,
            &json!("limit_reached"),
            &json!(
                "The server is restarting, so I stopped before finishing. Please ask again in a \
                 moment."
            )
        )
    );
    tokio::time::timeout(WAIT, &mut server.task)
        .await
        .expect("serve returns once the turn is stored")
        .unwrap()
        .expect("serve ends without error");
    let thread_id: ThreadId = serde_json::from_value(body["thread_id"].clone()).unwrap();
    let turns = server.runtime.store().turns(thread_id).await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].status, TurnStatus::LimitReached);
    assert_eq!(turns[0].stop_reason, "shutdown");
}
