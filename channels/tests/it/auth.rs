//! Bearer-key authentication of `/api/*`.

use pretty_assertions::assert_eq;
use serde_json::json;

use crate::support::{API_KEY, Setup, TestServer, json_response};

fn unauthorized(message: &str) -> (u16, serde_json::Value) {
    (
        401,
        json!({"error": {"code": "unauthorized", "message": message}}),
    )
}

#[tokio::test]
async fn api_without_a_key_is_401_with_a_bearer_challenge() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .client
        .post(server.url("/api/chat"))
        .json(&json!({"message": "hello"}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        json_response(response).await,
        unauthorized("missing bearer token: send `Authorization: Bearer <api key>`")
    );
}

#[tokio::test]
async fn api_with_a_wrong_key_is_401() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .client
        .post(server.url("/api/chat"))
        .bearer_auth(format!("{API_KEY}x"))
        .json(&json!({"message": "hello"}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        json_response(response).await,
        unauthorized("invalid API key")
    );
}

#[tokio::test]
async fn api_with_the_right_key_answers() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .client
        .post(server.url("/api/chat"))
        .bearer_auth(API_KEY)
        .json(&json!({"message": "hello"}))
        .send()
        .await
        .unwrap();

    let (status, body) = json_response(response).await;
    assert_eq!((status, &body["reply"]), (200, &json!("You said: hello")));
}

#[tokio::test]
async fn unknown_api_paths_need_the_key_too() {
    let server = TestServer::start(Setup::default()).await;

    let without_key = server
        .client
        .get(server.url("/api/nothing-here"))
        .send()
        .await
        .unwrap();
    let with_key = server.get("/api/nothing-here").send().await.unwrap();

    assert_eq!(
        json_response(without_key).await,
        unauthorized("missing bearer token: send `Authorization: Bearer <api key>`")
    );
    assert_eq!(
        json_response(with_key).await,
        (
            404,
            json!({"error": {"code": "not_found", "message": "no route for this path"}})
        )
    );
}

#[tokio::test]
async fn api_is_open_when_no_key_is_configured() {
    let server = TestServer::start(Setup {
        api_key: None,
        ..Setup::default()
    })
    .await;

    let response = server
        .client
        .post(server.url("/api/chat"))
        .json(&json!({"message": "hello"}))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
}
