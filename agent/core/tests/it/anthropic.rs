//! The Anthropic provider against a fake Messages API: what we send, how the
//! event stream is read, and how failures are classified.

use std::time::Duration;

use agent::provider::{
    AnthropicProvider, ChatEvent, ChatRequest, ChatStream, ContentBlock, Message, MessageRole,
    Provider, ProviderError, StopReason, ToolCall, Usage,
};
use futures::StreamExt;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::{ToolKind, ToolSpec};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockGuard, MockServer, ResponseTemplate};

// ---- helper vocabulary ----

/// One or more SSE events; content blocks get their index from [`sse`].
pub(crate) struct Ev {
    events: Vec<(&'static str, Value)>,
    is_block: bool,
}

fn ev(name: &'static str, data: Value) -> Ev {
    Ev {
        events: vec![(name, data)],
        is_block: false,
    }
}

/// A real `text/event-stream` body; content blocks are numbered in order.
pub(crate) fn sse(events: &[Ev]) -> String {
    let mut body = String::new();
    let mut index = 0;
    for group in events {
        for (name, data) in &group.events {
            let mut data = data.clone();
            if group.is_block {
                data["index"] = json!(index);
            }
            body.push_str(&format!("event: {name}\ndata: {data}\n\n"));
        }
        if group.is_block {
            index += 1;
        }
    }
    body
}

pub(crate) fn ev_message_start(input_tokens: u64, cache_creation: u64, cache_read: u64) -> Ev {
    ev(
        "message_start",
        json!({"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1,
                "cache_creation_input_tokens": cache_creation,
                "cache_read_input_tokens": cache_read}}}),
    )
}

/// A text block streamed as one `text_delta` per part.
pub(crate) fn ev_text(parts: &[&str]) -> Ev {
    let mut events = vec![(
        "content_block_start",
        json!({"type": "content_block_start", "content_block": {"type": "text", "text": ""}}),
    )];
    for part in parts {
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta",
                "delta": {"type": "text_delta", "text": part}}),
        ));
    }
    events.push(("content_block_stop", json!({"type": "content_block_stop"})));
    Ev {
        events,
        is_block: true,
    }
}

/// A tool_use block whose JSON input arrives in three `input_json_delta`s.
pub(crate) fn ev_tool_use(id: &str, name: &str, input: Value) -> Ev {
    let json = input.to_string();
    let chars: Vec<char> = json.chars().collect();
    let third = chars.len().div_ceil(3).max(1);
    let mut events = vec![(
        "content_block_start",
        json!({"type": "content_block_start",
            "content_block": {"type": "tool_use", "id": id, "name": name, "input": {}}}),
    )];
    for piece in chars.chunks(third) {
        events.push((
            "content_block_delta",
            json!({"type": "content_block_delta",
                "delta": {"type": "input_json_delta",
                    "partial_json": piece.iter().collect::<String>()}}),
        ));
    }
    events.push(("content_block_stop", json!({"type": "content_block_stop"})));
    Ev {
        events,
        is_block: true,
    }
}

/// `message_delta` with the stop reason and output tokens, then `message_stop`.
pub(crate) fn ev_stop(reason: &str, output_tokens: u64) -> Ev {
    Ev {
        events: vec![
            (
                "message_delta",
                json!({"type": "message_delta",
                    "delta": {"stop_reason": reason, "stop_sequence": null},
                    "usage": {"output_tokens": output_tokens}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ],
        is_block: false,
    }
}

fn ev_ping() -> Ev {
    ev("ping", json!({"type": "ping"}))
}

fn ev_error(kind: &str, message: &str) -> Ev {
    ev(
        "error",
        json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}

pub(crate) fn stream_response(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

pub(crate) fn error_response(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"type": "error", "error": {"type": kind, "message": message}}))
}

/// Serves `response` to exactly one `POST /v1/messages`; the guard returns
/// what we sent.
async fn mount_once(server: &MockServer, response: ResponseTemplate) -> MockGuard {
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(response)
        .expect(1)
        .mount_as_scoped(server)
        .await
}

pub(crate) fn provider(server: &MockServer) -> AnthropicProvider {
    provider_at(&server.uri())
}

#[allow(
    clippy::unwrap_used,
    reason = "test helper; the URLs are the fake server's"
)]
fn provider_at(base_url: &str) -> AnthropicProvider {
    agent::init_crypto();
    AnthropicProvider::new(
        Url::parse(base_url).unwrap(),
        SecretString::from("sk-ant-test"),
        reqwest::Client::new(),
    )
}

fn tool(name: &str) -> ToolSpec {
    ToolSpec {
        name: name.to_owned(),
        description: format!("{name} description"),
        kind: ToolKind::Read,
        input_schema: json!({"type": "object",
            "properties": {"partner_id": {"type": "integer"}}, "required": ["partner_id"]}),
    }
}

pub(crate) fn request() -> ChatRequest {
    ChatRequest {
        model: "claude-test".to_owned(),
        system: "You are the Odoo assistant.".to_owned(),
        messages: vec![Message::user_text("Is Acme over its credit limit?")],
        tools: vec![tool("check_credit"), tool("list_overdue")].into(),
        max_tokens: 1024,
        prompts: Vec::new(),
    }
}

/// Every event up to the first error, and that error.
pub(crate) async fn drain(mut stream: ChatStream) -> (Vec<ChatEvent>, Option<ProviderError>) {
    let mut events = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(err) => return (events, Some(err)),
        }
    }
    (events, None)
}

fn text(text: &str) -> ChatEvent {
    ChatEvent::TextDelta {
        text: text.to_owned(),
    }
}

// ---- tests ----

#[tokio::test]
async fn request_has_headers_cache_breakpoints_and_tool_history() {
    let server = MockServer::start().await;
    let captured = mount_once(
        &server,
        stream_response(sse(&[
            ev_message_start(10, 0, 0),
            ev_text(&["ok"]),
            ev_stop("end_turn", 2),
        ])),
    )
    .await;
    let mut request = request();
    request.messages = vec![
        Message::user_text("Put Acme on hold."),
        Message {
            role: MessageRole::Assistant,
            content: vec![
                ContentBlock::Text {
                    text: "Checking.".to_owned(),
                },
                ContentBlock::ToolUse {
                    id: "toolu_1".to_owned(),
                    name: "check_credit".to_owned(),
                    input: json!({"partner_id": 7}),
                },
            ],
        },
        Message {
            role: MessageRole::User,
            content: vec![ContentBlock::ToolResult {
                tool_use_id: "toolu_1".to_owned(),
                content: "partner 7 not found".to_owned(),
                is_error: true,
            }],
        },
    ];

    let stream = provider(&server).stream(request).await.unwrap();
    drain(stream).await;

    let sent = captured.received_requests().await;
    assert_eq!(sent.len(), 1);
    let headers = &sent[0].headers;
    assert_eq!(headers["x-api-key"], "sk-ant-test");
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert_eq!(headers["content-type"], "application/json");
    let schema = tool("check_credit").input_schema;
    assert_eq!(
        sent[0].body_json::<Value>().unwrap(),
        json!({
            "model": "claude-test",
            "max_tokens": 1024,
            "stream": true,
            "system": [{"type": "text", "text": "You are the Odoo assistant.",
                "cache_control": {"type": "ephemeral"}}],
            "tools": [
                {"name": "check_credit", "description": "check_credit description",
                    "input_schema": schema},
                {"name": "list_overdue", "description": "list_overdue description",
                    "input_schema": schema, "cache_control": {"type": "ephemeral"}},
            ],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "Put Acme on hold."}]},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "toolu_1", "name": "check_credit",
                        "input": {"partner_id": 7}},
                ]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1",
                        "content": "partner 7 not found", "is_error": true},
                ]},
            ],
        })
    );
}

#[tokio::test]
async fn text_deltas_arrive_as_separate_events_in_order() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            ev_message_start(10, 0, 0),
            ev_text(&["Acme ", "is over ", "its limit."]),
            ev_stop("end_turn", 7),
        ])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        events[..3],
        [text("Acme "), text("is over "), text("its limit.")]
    );
    assert_eq!(
        events.last(),
        Some(&ChatEvent::Done {
            stop_reason: StopReason::EndTurn
        })
    );
}

#[tokio::test]
async fn tool_call_json_split_over_deltas_arrives_as_one_tool_call() {
    let server = MockServer::start().await;
    let input = json!({"partner_id": 7, "as_of": "2025-06-30", "include_drafts": false});
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            ev_message_start(10, 0, 0),
            ev_text(&["Let me check."]),
            ev_tool_use("toolu_1", "check_credit", input.clone()),
            ev_tool_use("toolu_2", "list_overdue", json!({})),
            ev_stop("tool_use", 40),
        ])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert!(err.is_none(), "{err:?}");
    let calls: Vec<ToolCall> = events
        .iter()
        .filter_map(|event| match event {
            ChatEvent::ToolCall { call } => Some(call.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [
            ToolCall {
                id: "toolu_1".to_owned(),
                name: "check_credit".to_owned(),
                arguments: input.to_string(),
            },
            ToolCall {
                id: "toolu_2".to_owned(),
                name: "list_overdue".to_owned(),
                arguments: "{}".to_owned(),
            },
        ]
    );
    assert_eq!(
        events.last(),
        Some(&ChatEvent::Done {
            stop_reason: StopReason::ToolUse
        })
    );
}

#[tokio::test]
async fn usage_with_cache_tokens_comes_once_before_done() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            ev_message_start(120, 2048, 4096),
            ev_text(&["Hi"]),
            ev_stop("max_tokens", 77),
        ])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        events,
        [
            text("Hi"),
            ChatEvent::Usage {
                usage: Usage {
                    input_tokens: 120,
                    output_tokens: 77,
                    cache_creation_input_tokens: 2048,
                    cache_read_input_tokens: 4096,
                }
            },
            ChatEvent::Done {
                stop_reason: StopReason::MaxTokens
            },
        ]
    );
}

#[tokio::test]
async fn ping_and_unknown_events_are_ignored() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            ev_ping(),
            ev_message_start(10, 0, 0),
            ev_ping(),
            ev(
                "future_event",
                json!({"type": "future_event", "detail": {"anything": [1, 2]}}),
            ),
            ev_text(&["Hello"]),
            ev_ping(),
            ev_stop("end_turn", 3),
        ])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0], text("Hello"));
}

#[tokio::test]
async fn error_event_in_the_stream_is_overloaded() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            ev_message_start(10, 0, 0),
            ev_ping(),
            ev_error("overloaded_error", "Overloaded"),
        ])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert_eq!(events, []);
    let err = err.expect("an error");
    assert!(
        matches!(&err, ProviderError::Overloaded { message, .. } if message == "Overloaded"),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn http_429_is_rate_limited_with_retry_after() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        error_response(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded",
        )
        .insert_header("retry-after", "17"),
    )
    .await;

    let err = provider(&server)
        .stream(request())
        .await
        .err()
        .expect("an error");

    match err {
        ProviderError::RateLimited {
            retry_after,
            message,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(17)));
            assert_eq!(message, "Number of request tokens has exceeded");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn http_529_is_overloaded_and_500_is_server() {
    let server = MockServer::start().await;
    let overloaded = mount_once(
        &server,
        error_response(529, "overloaded_error", "Overloaded"),
    )
    .await;
    let err = provider(&server)
        .stream(request())
        .await
        .err()
        .expect("an error");
    assert_eq!(err.kind(), "overloaded");
    drop(overloaded);

    let _server_error = mount_once(&server, error_response(500, "api_error", "Internal")).await;
    let err = provider(&server)
        .stream(request())
        .await
        .err()
        .expect("an error");
    assert!(
        matches!(err, ProviderError::Server { status: 500, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_401_is_auth() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        error_response(401, "authentication_error", "invalid x-api-key"),
    )
    .await;

    let err = provider(&server)
        .stream(request())
        .await
        .err()
        .expect("an error");

    assert!(
        matches!(&err, ProviderError::Auth { status: 401, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn http_400_is_invalid_request_with_anthropics_message() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        error_response(
            400,
            "invalid_request_error",
            "messages.1.content.0: unexpected `tool_use_id`",
        ),
    )
    .await;

    let err = provider(&server)
        .stream(request())
        .await
        .err()
        .expect("an error");

    match err {
        ProviderError::InvalidRequest {
            status, message, ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(message, "messages.1.content.0: unexpected `tool_use_id`");
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn stream_ending_before_message_stop_is_a_protocol_error() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[ev_message_start(10, 0, 0), ev_text(&["Acme is"])])),
    )
    .await;

    let (events, err) = drain(provider(&server).stream(request()).await.unwrap()).await;

    assert_eq!(events, [text("Acme is")]);
    let err = err.expect("an error");
    assert_eq!(err.kind(), "protocol", "{err:?}");
}

#[tokio::test]
async fn unreachable_server_is_a_connection_error() {
    // A port that was just free: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let provider = provider_at(&format!("http://{address}"));

    let err = provider.stream(request()).await.err().expect("an error");

    assert_eq!(err.kind(), "connection", "{err:?}");
}
