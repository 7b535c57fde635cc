//! `GET /api/attachments/{id}`: a file a tool produced in a turn, downloaded
//! with its type, name and length, only by its owner or an admin.

// The fixtures below are plain fns called by the tests; a failure there is
// a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::{Extension, Router};
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use agent::Runtime;
use agent::config::{HttpConfig, TurnLimits};
use agent::provider::{ChatEvent, StopReason, ToolCall, Usage};
use agent::testing::{ScriptedProvider, Step};
use channels::web::{self, WebState};
use tools::attachment::{CSV_MEDIA_TYPE, ExportText};
use tools::{Identity, IdentityId, Role, ToolRegistry};

use crate::support::{API_KEY, WAIT, json_response, parse_sse};

const FILE_NAME: &str = "Créances 2026-11.csv";
const CSV: &str = "partner,amount\nHarbourline,1200.00\n";

/// A model that asks for the export, then answers.
fn export_then_answer() -> Vec<Step> {
    let usage = ChatEvent::Usage {
        usage: Usage {
            input_tokens: 10,
            output_tokens: 5,
            ..Usage::default()
        },
    };
    vec![
        Step::Events(vec![
            ChatEvent::ToolCall {
                call: ToolCall {
                    id: "call_1".to_owned(),
                    name: "export_text".to_owned(),
                    arguments: json!({"file_name": FILE_NAME, "text": CSV}).to_string(),
                },
            },
            usage.clone(),
            ChatEvent::Done {
                stop_reason: StopReason::ToolUse,
            },
        ]),
        Step::Events(vec![
            ChatEvent::TextDelta {
                text: "Your export is attached.".to_owned(),
            },
            usage,
            ChatEvent::Done {
                stop_reason: StopReason::EndTurn,
            },
        ]),
    ]
}

async fn runtime(turns: usize) -> Runtime {
    agent::init_crypto();
    let steps = (0..turns).flat_map(|_| export_then_answer()).collect();
    let store = Arc::new(agent::testing::sqlite_store().await);
    let tools = ToolRegistry::builder()
        .register(ExportText)
        .build()
        .unwrap();
    agent::testing::runtime_with(
        ScriptedProvider::new(steps),
        store,
        tools,
        TurnLimits::default(),
    )
}

/// Serves the API of `runtime` on a loopback port; `caller` is put in each
/// request's extensions, as an authentication layer naming the person does.
async fn serve(runtime: &Runtime, caller: Option<Identity>) -> String {
    let config = HttpConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        api_key: Some(SecretString::from(API_KEY.to_owned())),
        max_body_bytes: 64 * 1024,
        shutdown_grace: WAIT,
    };
    let mut router: Router = web::router(WebState::new(runtime.clone(), &config));
    if let Some(identity) = caller {
        router = router.layer(Extension(identity));
    }
    let listener = TcpListener::bind(config.bind).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn chat(base: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/chat"))
        .bearer_auth(API_KEY)
        .json(&json!({"message": "export the receivables"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn get(base: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
}

fn person(id: &str, roles: Vec<Role>) -> Identity {
    Identity {
        id: IdentityId(id.to_owned()),
        display_name: id.to_owned(),
        roles,
    }
}

#[tokio::test]
async fn a_file_made_in_a_turn_downloads_with_its_type_name_and_length() {
    let runtime = runtime(1).await;
    let base = serve(&runtime, None).await;

    let body = chat(&base).await;
    let file = &body["attachments"][0];
    let id = file["id"].as_str().unwrap();
    assert_eq!(
        body["attachments"],
        json!([{
            "id": id,
            "call_id": "call_1",
            "file_name": FILE_NAME,
            "media_type": CSV_MEDIA_TYPE,
            "bytes": CSV.len(),
            "download_url": format!("/api/attachments/{id}"),
        }])
    );

    let response = get(&base, file["download_url"].as_str().unwrap()).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    assert_eq!(header("content-type"), CSV_MEDIA_TYPE);
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"Cr_ances 2026-11.csv\"; \
         filename*=UTF-8''Cr%C3%A9ances%202026-11.csv"
    );
    assert_eq!(header("content-length"), CSV.len().to_string());
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(response.bytes().await.unwrap(), CSV.as_bytes());
}

#[tokio::test]
async fn a_streamed_turn_announces_the_file_before_the_call_finishes() {
    let runtime = runtime(1).await;
    let base = serve(&runtime, None).await;

    let response = reqwest::Client::new()
        .post(format!("{base}/api/chat"))
        .bearer_auth(API_KEY)
        .header("accept", "text/event-stream")
        .json(&json!({"message": "export the receivables"}))
        .send()
        .await
        .unwrap();
    let text = tokio::time::timeout(WAIT, response.text())
        .await
        .unwrap()
        .unwrap();
    let events = parse_sse(&text);

    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "started",
            "tool_started",
            "attachment",
            "tool_finished",
            "text_delta",
            "done"
        ]
    );
    let done = &events[5].data;
    assert_eq!(events[2].data, done["attachments"][0]);
    let url = events[2].data["download_url"].as_str().unwrap();
    assert_eq!(get(&base, url).await.text().await.unwrap(), CSV);
}

#[tokio::test]
async fn only_the_owner_or_an_admin_downloads_a_file_and_others_get_the_unknown_id_answer() {
    let runtime = runtime(1).await;
    // The API key acts as the local operator, who owns the file.
    let operator = serve(&runtime, None).await;
    let stranger = serve(&runtime, Some(person("slack:U2", vec![Role::Finance]))).await;
    let admin = serve(&runtime, Some(person("slack:U9", vec![Role::Admin]))).await;
    let owner = serve(&runtime, Some(Identity::local_operator())).await;
    let body = chat(&operator).await;
    let url = body["attachments"][0]["download_url"].as_str().unwrap();

    let (status, refused) = json_response(get(&stranger, url).await).await;
    let unknown = format!("/api/attachments/{}", uuid::Uuid::new_v4());
    let (unknown_status, unknown_body) = json_response(get(&owner, &unknown).await).await;

    assert_eq!(status, 404);
    assert_eq!(refused["error"]["code"], "attachment_not_found");
    assert_eq!(unknown_status, 404);
    assert_eq!(unknown_body["error"]["code"], "attachment_not_found");
    assert_eq!(get(&admin, url).await.text().await.unwrap(), CSV);
    assert_eq!(get(&owner, url).await.text().await.unwrap(), CSV);
}

#[tokio::test]
async fn a_malformed_id_is_a_bad_request_and_no_key_is_unauthorized() {
    let runtime = runtime(0).await;
    let base = serve(&runtime, None).await;

    let (status, body) = json_response(get(&base, "/api/attachments/not-a-uuid").await).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"error": {
                "code": "invalid_attachment_id",
                "message": "invalid attachment id `not-a-uuid`: expected a UUID",
            }})
        )
    );

    let unauthenticated = reqwest::Client::new()
        .get(format!("{base}/api/attachments/{}", uuid::Uuid::new_v4()))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}
