//! A fake WhatsApp Cloud API (Graph API) on a loopback socket: records
//! every `/{phone-number-id}/messages` and `/media` call and answers with
//! the documented JSON, including error 131047 for numbers whose
//! customer-service window it is told is closed.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The Graph API version in the fake's base URL.
pub const VERSION: &str = "v21.0";

/// One call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    /// `messages` or `media`.
    pub edge: String,
    pub phone_number_id: String,
    /// The Bearer token.
    pub token: String,
    /// JSON bodies as sent; multipart forms as an object of their fields,
    /// files as `{"filename", "content_type", "content"}`.
    pub body: Value,
}

#[derive(Default)]
struct Recorded {
    calls: Mutex<Vec<Call>>,
    next_id: Mutex<u64>,
    next_media: Mutex<u64>,
    closed: Mutex<HashSet<String>>,
}

/// The fake; `url` is its base with the version (`…/v21.0`).
pub struct FakeGraph {
    pub url: url::Url,
    recorded: Arc<Recorded>,
}

impl FakeGraph {
    pub async fn start() -> Self {
        let recorded = Arc::new(Recorded::default());
        let app = Router::new()
            .route(&format!("/{VERSION}/{{phone}}/{{edge}}"), post(graph))
            .with_state(recorded.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/{VERSION}").parse().unwrap(),
            recorded,
        }
    }

    /// Free-form messages to `wa_id` are refused with 131047 from now on.
    pub fn close_window(&self, wa_id: &str) {
        self.recorded
            .closed
            .lock()
            .unwrap()
            .insert(wa_id.to_owned());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.recorded.calls.lock().unwrap().clone()
    }

    /// Bodies of `/messages` calls of `kind` (`text`, `document`,
    /// `interactive`; `read` for read receipts).
    pub fn sent(&self, kind: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c.edge == "messages")
            .map(|c| c.body)
            .filter(|b| b["type"] == kind || (kind == "read" && b["status"] == "read"))
            .collect()
    }

    /// Waits until `count` messages of `kind` were sent.
    pub async fn wait_for(&self, kind: &str, count: usize) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let sent = self.sent(kind);
            if sent.len() >= count {
                return sent;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} `{kind}` messages, expected {count}: {:?}",
                sent.len(),
                self.calls()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn graph_error(status: StatusCode, code: i64, message: &str, details: &str) -> Response {
    let body = json!({"error": {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "AbCdEfGh123",
    }});
    (status, Json(body)).into_response()
}

async fn graph(
    State(recorded): State<Arc<Recorded>>,
    Path((phone, edge)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_start_matches("Bearer ")
        .to_owned();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let parsed = if edge == "media" {
        multipart_fields(&content_type, &body)
    } else {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    };
    recorded.calls.lock().unwrap().push(Call {
        edge: edge.clone(),
        phone_number_id: phone,
        token: token.clone(),
        body: parsed.clone(),
    });
    if token != super::whatsapp::TOKEN {
        return graph_error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid OAuth access token - Cannot parse access token",
            "",
        );
    }
    let next = || {
        let mut next = recorded.next_id.lock().unwrap();
        *next += 1;
        *next
    };
    match edge.as_str() {
        "media" => {
            if parsed["messaging_product"] != "whatsapp" || parsed["file"].is_null() {
                return graph_error(StatusCode::BAD_REQUEST, 100, "Invalid parameter", "");
            }
            let mut media = recorded.next_media.lock().unwrap();
            *media += 1;
            Json(json!({"id": format!("{}", 1_037_543_291_543_636_u64 + *media)})).into_response()
        }
        "messages" => {
            if parsed["messaging_product"] != "whatsapp" {
                return graph_error(StatusCode::BAD_REQUEST, 100, "Invalid parameter", "");
            }
            if parsed["status"] == "read" {
                return Json(json!({"success": true})).into_response();
            }
            let to = parsed["to"].as_str().unwrap_or_default().to_owned();
            let closed = recorded.closed.lock().unwrap().contains(&to);
            if closed && parsed["type"] != "template" {
                return graph_error(
                    StatusCode::BAD_REQUEST,
                    131_047,
                    "(#131047) Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the \
                     customer last replied to this number.",
                );
            }
            Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": format!("wamid.fake{}", next())}],
            }))
            .into_response()
        }
        _ => graph_error(StatusCode::BAD_REQUEST, 100, "Unknown path components", ""),
    }
}

/// The fields of a `multipart/form-data` body.
fn multipart_fields(content_type: &str, body: &[u8]) -> Value {
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return Value::Null;
    };
    let text = String::from_utf8_lossy(body);
    let mut fields = serde_json::Map::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let params: HashMap<&str, &str> = head
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .map(|(k, v)| (k, v.split("\r\n").next().unwrap_or(v).trim_matches('"')))
            .collect();
        let Some(name) = params.get("name") else {
            continue;
        };
        let value = match params.get("filename") {
            Some(filename) => json!({
                "filename": filename,
                "content_type": head.split("Content-Type: ").nth(1).unwrap_or("").trim(),
                "content": content,
            }),
            None => json!(content),
        };
        fields.insert((*name).to_owned(), value);
    }
    Value::Object(fields)
}
