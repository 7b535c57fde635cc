//! A fake Slack on a loopback socket: the Web API records every call
//! (method, bearer token, body) and answers with Slack's documented JSON;
//! file uploads go to an upload URL it hands out, which checks the byte
//! count reserved; `apps.connections.open` hands out the URL of a fake
//! Socket Mode server ([`FakeSocket`]).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
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
    /// The loopback address, for the upload URLs it hands out.
    base: Mutex<String>,
    /// Bytes reserved by `files.getUploadURLExternal`, by file id.
    reserved: Mutex<HashMap<String, usize>>,
    /// File ids whose bytes arrived with the reserved length.
    uploaded: Mutex<Vec<String>>,
    /// What `apps.connections.open` answers.
    socket_url: Mutex<Option<String>>,
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
        // The app is not a member of this channel.
        "chat.postMessage" if body["channel"] == "CNOTIN" => {
            json!({ "ok": false, "error": "not_in_channel" })
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
        // A file named `flaky…` fails the first time, as in an outage.
        "files.getUploadURLExternal"
            if body["filename"].as_str().unwrap_or("").starts_with("flaky")
                && recorded
                    .calls
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|c| c.method == method && c.body["filename"] == body["filename"])
                    .count()
                    == 1 =>
        {
            json!({ "ok": false, "error": "internal_error" })
        }
        "files.getUploadURLExternal" => {
            let length = body["length"]
                .as_str()
                .and_then(|l| l.parse::<usize>().ok());
            match (body["filename"].as_str(), length) {
                (Some(_), Some(length)) => {
                    let mut reserved = recorded.reserved.lock().unwrap();
                    let id = format!("F{:04}", reserved.len() + 1);
                    reserved.insert(id.clone(), length);
                    let base = recorded.base.lock().unwrap().clone();
                    json!({ "ok": true, "upload_url": format!("{base}/upload/{id}"), "file_id": id })
                }
                _ => json!({ "ok": false, "error": "invalid_arguments" }),
            }
        }
        "files.completeUploadExternal" => {
            let uploaded = recorded.uploaded.lock().unwrap().clone();
            let files = body["files"].as_array().cloned().unwrap_or_default();
            let all_uploaded = !files.is_empty()
                && files
                    .iter()
                    .all(|f| uploaded.iter().any(|id| f["id"] == json!(id)));
            if all_uploaded {
                let shared: Vec<Value> = files
                    .iter()
                    .map(|f| json!({ "id": f["id"], "title": f["title"] }))
                    .collect();
                json!({ "ok": true, "files": shared })
            } else {
                json!({ "ok": false, "error": "file_not_found" })
            }
        }
        "apps.connections.open" => match recorded.socket_url.lock().unwrap().clone() {
            Some(url) => json!({ "ok": true, "url": url }),
            None => json!({ "ok": false, "error": "not_allowed_token_type" }),
        },
        _ => json!({ "ok": false, "error": "unknown_method" }),
    })
}

/// The upload URL: the bytes must be exactly the length reserved.
async fn upload(
    State(recorded): State<Arc<Recorded>>,
    Path(id): Path<String>,
    body: Bytes,
) -> (StatusCode, String) {
    let reserved = recorded.reserved.lock().unwrap().get(&id).copied();
    recorded.calls.lock().unwrap().push(Call {
        method: "upload".to_owned(),
        token: String::new(),
        body: json!({ "file_id": id, "length": body.len(), "text": String::from_utf8_lossy(&body) }),
    });
    if reserved == Some(body.len()) {
        recorded.uploaded.lock().unwrap().push(id);
        (StatusCode::OK, format!("OK - {}", body.len()))
    } else {
        (
            StatusCode::BAD_REQUEST,
            format!("expected {reserved:?} bytes, got {}", body.len()),
        )
    }
}

/// A slash command's `response_url`.
async fn respond(
    State(recorded): State<Arc<Recorded>>,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> StatusCode {
    recorded.calls.lock().unwrap().push(Call {
        method: "response_url".to_owned(),
        token: id,
        body,
    });
    StatusCode::OK
}

impl FakeSlack {
    /// Where a command's `response_url` points.
    pub fn response_url(&self) -> String {
        format!("{}/commands/{}", self.recorded.base.lock().unwrap(), "T1-1")
    }

    pub async fn start() -> Self {
        let recorded = Arc::new(Recorded::default());
        let app = Router::new()
            .route("/api/{method}", post(api))
            .route("/upload/{id}", post(upload))
            .route("/commands/{id}", post(respond))
            .with_state(recorded.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *recorded.base.lock().unwrap() = format!("http://{addr}");
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/api").parse().unwrap(),
            recorded,
        }
    }

    /// Makes `apps.connections.open` answer with `url`.
    pub fn serve_socket(&self, url: &str) {
        *self.recorded.socket_url.lock().unwrap() = Some(url.to_owned());
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

/// In a [`FakeSocket`] script: close the connection there.
pub const CLOSE: Value = Value::Null;

/// A fake Socket Mode server: each connection gets `hello`, then the
/// envelopes scripted for it (in order of connection), and everything the
/// app sends back is recorded.
pub struct FakeSocket {
    pub url: String,
    received: Arc<Mutex<Vec<Value>>>,
    connections: Arc<Mutex<usize>>,
}

impl FakeSocket {
    pub async fn start(script: Vec<Vec<Value>>) -> Self {
        use futures::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/link/?ticket=test", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let (got, count) = (Arc::clone(&received), Arc::clone(&connections));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
                    continue;
                };
                let index = {
                    let mut count = count.lock().unwrap();
                    *count += 1;
                    *count - 1
                };
                let hello = json!({
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": { "host": "applink-fake", "approximate_connection_time": 18060 },
                    "connection_info": { "app_id": "A1" }
                });
                let mut frames = vec![hello];
                frames.extend(script.get(index).cloned().unwrap_or_default());
                let got = Arc::clone(&got);
                tokio::spawn(async move {
                    for frame in frames {
                        // `CLOSE` drops the connection as a failing server would.
                        if frame == CLOSE {
                            let _ = socket.close(None).await;
                            return;
                        }
                        if socket.send(Message::text(frame.to_string())).await.is_err() {
                            return;
                        }
                    }
                    while let Some(Ok(message)) = socket.next().await {
                        if let Message::Text(text) = message {
                            got.lock()
                                .unwrap()
                                .push(serde_json::from_str(&text).unwrap());
                        }
                    }
                });
            }
        });
        Self {
            url,
            received,
            connections,
        }
    }

    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    /// Waits until `count` acknowledgements arrived; returns them.
    pub async fn wait_for_acks(&self, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let acks = self.received.lock().unwrap().clone();
            if acks.len() >= count {
                return acks;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} acknowledgements, expected {count}: {acks:?}",
                acks.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
