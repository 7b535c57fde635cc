//! A fake Slack Web API on a loopback socket: records every call (method,
//! bearer token, body) and answers with Slack's documented JSON.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Json;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// One Web API call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub token: String,
    /// JSON bodies as sent; form bodies as an object of their fields.
    pub body: Value,
}

#[derive(Default)]
struct Recorded {
    calls: Mutex<Vec<Call>>,
    next_ts: Mutex<u64>,
}

/// The fake Slack; `url` is its Web API base (`…/api`).
pub struct FakeSlack {
    pub url: url::Url,
    recorded: Arc<Recorded>,
}

/// The profile `users.info` gives each user id.
fn email_of(user: &str) -> Option<&'static str> {
    match user {
        "UANITA" => Some("Anita@Example.com"),
        "UBOB" => Some("bob@example.com"),
        _ => None,
    }
}

async fn api(
    State(recorded): State<Arc<Recorded>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_start_matches("Bearer ")
        .to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        let fields: serde_json::Map<String, Value> = url::form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Value::Object(fields)
    });
    recorded.calls.lock().unwrap().push(Call {
        method: method.clone(),
        token,
        body: body.clone(),
    });
    // Each posted message gets the next ts.
    let next_ts = || {
        let mut next = recorded.next_ts.lock().unwrap();
        *next += 1;
        format!("1700000000.{:06}", *next)
    };
    Json(match method.as_str() {
        "users.info" => {
            let user = body["user"].as_str().unwrap_or_default();
            let mut profile = json!({ "display_name": user.to_lowercase(), "real_name": user });
            if let Some(email) = email_of(user) {
                profile["email"] = json!(email);
            }
            json!({ "ok": true, "user": { "id": user, "team_id": "T1", "name": user, "profile": profile } })
        }
        "chat.postMessage" => {
            let ts = next_ts();
            json!({
            "ok": true,
            "channel": body["channel"],
            "ts": ts,
            "message": { "type": "message", "text": body["text"], "ts": ts },
            })
        }
        "chat.update" => json!({
            "ok": true,
            "channel": body["channel"],
            "ts": body["ts"],
            "text": body["text"],
        }),
        _ => json!({ "ok": false, "error": "unknown_method" }),
    })
}

impl FakeSlack {
    pub async fn start() -> Self {
        let recorded = Arc::new(Recorded::default());
        let app = Router::new()
            .route("/api/{method}", post(api))
            .with_state(recorded.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/api").parse().unwrap(),
            recorded,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.recorded.calls.lock().unwrap().clone()
    }

    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits until `method` was called `count` times.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let calls = self.calls_of(method);
            if calls.len() >= count {
                return calls;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{method} called {} times, expected {count}: {:?}",
                calls.len(),
                self.calls()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
