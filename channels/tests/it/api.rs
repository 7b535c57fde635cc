//! `POST /api/chat` and `GET /api/threads/{id}`: answers, history and every
//! client error.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tower::ServiceExt;

use agent::config::HttpConfig;
use channels::web::{self, WebState};

use crate::support::{API_KEY, Setup, TestServer, WAIT, json_response, runtime, without_ids};

fn error(status: u16, code: &str, message: &str) -> (u16, Value) {
    (status, json!({"error": {"code": code, "message": message}}))
}

#[tokio::test]
async fn chat_round_trip_returns_the_reply_tool_calls_and_usage() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .chat(&json!({"message": "calculate 6 * 7"}))
        .send()
        .await
        .unwrap();

    let (status, body) = json_response(response).await;
    assert_eq!(
        (status, without_ids(body)),
        (
            200,
            json!({
                "thread_id": "<id>",
                "turn_id": "<id>",
                "status": "completed",
                "reply": "The result is 6 * 7 = 42.",
                "tool_calls": [
                    {"name": "calculate", "arguments": {"expression": "6 * 7"}, "is_error": false}
                ],
                // Two model calls of 100 in and 20 out each.
                "usage": {"input_tokens": 200, "output_tokens": 40},
            })
        )
    );
}

#[tokio::test]
async fn second_message_continues_the_thread_and_the_thread_lists_every_message_in_order() {
    let server = TestServer::start(Setup::default()).await;
    let (_, first) = json_response(
        server
            .chat(&json!({"message": "calculate 6 * 7"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let thread_id = first["thread_id"].as_str().unwrap().to_owned();

    let (status, second) = json_response(
        server
            .chat(&json!({"message": "thanks", "thread_id": thread_id}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (thread_status, thread) = json_response(
        server
            .get(&format!("/api/threads/{thread_id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!((status, &second["thread_id"]), (200, &json!(thread_id)));
    assert_eq!(second["reply"], "You said: thanks");
    assert_eq!(thread_status, 200);
    assert_eq!(thread["thread_id"], json!(thread_id));
    assert_eq!(thread["channel"], "api");
    assert!(thread["created_at"].is_string());
    let messages = thread["messages"].as_array().unwrap();
    let seqs: Vec<i64> = messages
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [0, 1, 2, 3, 4, 5]);
    assert!(messages.iter().all(|m| m["created_at"].is_string()));
    let shapes: Vec<Value> = messages
        .iter()
        .map(|m| json!({"role": m["role"], "content": m["content"]}))
        .collect();
    let tool_result = messages[2]["content"][0]["content"].clone();
    assert_eq!(
        serde_json::from_str::<Value>(tool_result.as_str().unwrap()).unwrap()["summary"],
        "6 * 7 = 42"
    );
    assert_eq!(
        shapes,
        [
            json!({"role": "user", "content": [{"type": "text", "text": "calculate 6 * 7"}]}),
            json!({"role": "assistant", "content": [{
                "type": "tool_use", "id": "call_1", "name": "calculate",
                "input": {"expression": "6 * 7"},
            }]}),
            json!({"role": "user", "content": [{
                "type": "tool_result", "tool_use_id": "call_1",
                "content": tool_result, "is_error": false,
            }]}),
            json!({"role": "assistant", "content": [
                {"type": "text", "text": "The result is 6 * 7 = 42."}
            ]}),
            json!({"role": "user", "content": [{"type": "text", "text": "thanks"}]}),
            json!({"role": "assistant", "content": [
                {"type": "text", "text": "You said: thanks"}
            ]}),
        ]
    );
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_problem() {
    let server = TestServer::start(Setup::default()).await;

    let missing_field = server.chat(&json!({})).send().await.unwrap();
    let broken = server
        .chat(&json!({}))
        .body(r#"{"message": "hi""#)
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(missing_field).await,
        error(
            400,
            "invalid_json",
            "invalid JSON body: missing field `message` at line 1 column 2"
        )
    );
    assert_eq!(
        json_response(broken).await,
        error(
            400,
            "invalid_json",
            "invalid JSON body: EOF while parsing an object at line 1 column 16"
        )
    );
}

#[tokio::test]
async fn unknown_field_is_400() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .chat(&json!({"message": "hi", "user": "mallory"}))
        .send()
        .await
        .unwrap();

    let (status, body) = json_response(response).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("invalid_json"))
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid JSON body: ") && message.contains("unknown field `user`"),
        "{message}"
    );
}

#[tokio::test]
async fn thread_id_that_is_not_a_uuid_in_chat_is_400() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .chat(&json!({"message": "hi", "thread_id": "nope"}))
        .send()
        .await
        .unwrap();

    let (status, body) = json_response(response).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("invalid_json"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thread_id"),
        "{body}"
    );
}

#[tokio::test]
async fn oversized_body_is_413_json() {
    let server = TestServer::start(Setup {
        max_body_bytes: 64,
        ..Setup::default()
    })
    .await;

    let response = server
        .chat(&json!({"message": "x".repeat(100)}))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        error(
            413,
            "payload_too_large",
            "request body is larger than the limit of 64 bytes"
        )
    );
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .client
        .post(server.url("/api/chat"))
        .bearer_auth(API_KEY)
        .header("content-type", "text/plain")
        .body(json!({"message": "hi"}).to_string())
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        error(
            415,
            "unsupported_media_type",
            "expected a request with `Content-Type: application/json`"
        )
    );
}

#[tokio::test]
async fn empty_message_is_400() {
    let server = TestServer::start(Setup::default()).await;

    let response = server.chat(&json!({"message": "  "})).send().await.unwrap();

    assert_eq!(
        json_response(response).await,
        error(
            400,
            "invalid_message",
            "invalid message: the message is empty"
        )
    );
}

#[tokio::test]
async fn chat_in_an_unknown_thread_is_404() {
    let server = TestServer::start(Setup::default()).await;
    let id = uuid::Uuid::new_v4();

    let response = server
        .chat(&json!({"message": "hi", "thread_id": id}))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        error(404, "thread_not_found", &format!("thread {id} not found"))
    );
}

#[tokio::test]
async fn unknown_thread_is_404() {
    let server = TestServer::start(Setup::default()).await;
    let id = uuid::Uuid::new_v4();

    let response = server
        .get(&format!("/api/threads/{id}"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        error(404, "thread_not_found", &format!("thread {id} not found"))
    );
}

#[tokio::test]
async fn thread_id_that_is_not_a_uuid_is_400() {
    let server = TestServer::start(Setup::default()).await;

    let response = server.get("/api/threads/not-a-uuid").send().await.unwrap();

    assert_eq!(
        json_response(response).await,
        error(
            400,
            "invalid_thread_id",
            "invalid thread id `not-a-uuid`: expected a UUID"
        )
    );
}

#[tokio::test]
async fn chat_while_shutting_down_is_503() {
    let server = TestServer::start(Setup::default()).await;
    server.runtime.shutdown(Duration::ZERO).await;

    let response = server.chat(&json!({"message": "hi"})).send().await.unwrap();

    assert_eq!(
        json_response(response).await,
        error(
            503,
            "shutting_down",
            "the server is shutting down; retry in a moment"
        )
    );
}

#[tokio::test]
async fn wrong_method_on_an_api_route_is_405_json() {
    let server = TestServer::start(Setup::default()).await;

    let response = server.get("/api/chat").send().await.unwrap();

    assert_eq!(
        json_response(response).await,
        error(405, "method_not_allowed", "method not allowed on this path")
    );
}

#[tokio::test]
async fn router_merges_into_a_server_router_that_has_its_own_fallback() {
    let runtime = runtime(None, None).await;
    let config = HttpConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        api_key: None,
        max_body_bytes: 1024,
        shutdown_grace: WAIT,
    };
    let app = Router::new()
        .fallback(|| async { "server fallback" })
        .merge(web::router(WebState::new(runtime, &config)));

    let health = app
        .clone()
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let elsewhere = app
        .oneshot(Request::get("/elsewhere").body(Body::empty()).unwrap())
        .await
        .unwrap();

    assert_eq!(health.status(), 200);
    let body = axum::body::to_bytes(elsewhere.into_body(), 1024)
        .await
        .unwrap();
    assert_eq!(&body[..], b"server fallback");
}
