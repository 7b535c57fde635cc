//! The OpenAI-compatible provider against a fake chat completions API: what
//! we send, how chunks become events, how failures are classified, and that
//! async-openai does not retry behind our back.

use std::time::Duration;

use agent::provider::{
    ChatEvent, ChatRequest, ContentBlock, Message, MessageRole, OpenAiCompatProvider, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::{ToolKind, ToolSpec};
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockGuard, MockServer, ResponseTemplate};

use crate::anthropic::drain;

// ---- helper vocabulary ----

/// A `data: {chunk}` stream ending with `data: [DONE]`.
pub(crate) fn sse(chunks: &[Value]) -> String {
    let mut body = String::new();
    for chunk in chunks {
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    body
}

fn chunk(delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_750_000_000,
        "model": "gpt-test", "system_fingerprint": null,
        "choices": [{"index": 0, "delta": delta, "logprobs": null,
            "finish_reason": finish_reason}],
    })
}

pub(crate) fn text_chunk(text: &str) -> Value {
    chunk(json!({"role": "assistant", "content": text}), None)
}

/// A piece of a tool call: the first piece of an index carries id and name.
pub(crate) fn tool_chunk(index: u32, id_and_name: Option<(&str, &str)>, arguments: &str) -> Value {
    let mut call = json!({"index": index, "function": {"arguments": arguments}});
    if let Some((id, name)) = id_and_name {
        call["id"] = json!(id);
        call["type"] = json!("function");
        call["function"]["name"] = json!(name);
    }
    chunk(json!({"tool_calls": [call]}), None)
}

pub(crate) fn finish_chunk(reason: &str) -> Value {
    chunk(json!({}), Some(reason))
}

pub(crate) fn usage_chunk(prompt: u32, completion: u32, cached: u32) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_750_000_000,
        "model": "gpt-test", "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached}},
    })
}

pub(crate) fn stream_response(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

fn error_response(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(
        json!({"error": {"message": message, "type": kind, "param": null, "code": null}}),
    )
}

/// Serves `response` to exactly one `POST /v1/chat/completions`; the guard
/// returns what we sent and fails the test on any other count.
async fn mount_once(server: &MockServer, response: ResponseTemplate) -> MockGuard {
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(response)
        .expect(1)
        .mount_as_scoped(server)
        .await
}

#[allow(
    clippy::unwrap_used,
    reason = "test helper; the URL is the fake server's"
)]
fn provider(server: &MockServer, api_key: Option<&str>) -> OpenAiCompatProvider {
    agent::init_crypto();
    OpenAiCompatProvider::new(
        Some(Url::parse(&format!("{}/v1", server.uri())).unwrap()),
        api_key.map(SecretString::from),
    )
}

fn request() -> ChatRequest {
    ChatRequest {
        model: "gpt-test".to_owned(),
        system: "You are the Odoo assistant.".to_owned(),
        messages: vec![Message::user_text("Is Acme over its credit limit?")],
        tools: vec![ToolSpec {
            name: "check_credit".to_owned(),
            description: "Checks a customer's credit.".to_owned(),
            kind: ToolKind::Read,
            input_schema: json!({"type": "object",
                "properties": {"partner_id": {"type": "integer"}}, "required": ["partner_id"]}),
        }]
        .into(),
        max_tokens: 512,
        prompts: Vec::new(),
    }
}

fn text(text: &str) -> ChatEvent {
    ChatEvent::TextDelta {
        text: text.to_owned(),
    }
}

fn done_stream() -> String {
    sse(&[text_chunk("ok"), finish_chunk("stop"), usage_chunk(5, 1, 0)])
}

// ---- tests ----

#[tokio::test]
async fn request_has_system_tool_calls_tool_results_and_functions() {
    let server = MockServer::start().await;
    let captured = mount_once(&server, stream_response(done_stream())).await;
    let mut request = request();
    request.messages = vec![
        Message::user_text("Check Acme and Globex."),
        Message {
            role: MessageRole::Assistant,
            content: vec![
                ContentBlock::Text {
                    text: "Checking both.".to_owned(),
                },
                ContentBlock::ToolUse {
                    id: "call_1".to_owned(),
                    name: "check_credit".to_owned(),
                    input: json!({"partner_id": 7}),
                },
                ContentBlock::ToolUse {
                    id: "call_2".to_owned(),
                    name: "check_credit".to_owned(),
                    // Invalid arguments the model sent, kept as raw text.
                    input: json!("{\"partner_id\": "),
                },
            ],
        },
        Message {
            role: MessageRole::User,
            content: vec![
                ContentBlock::ToolResult {
                    tool_use_id: "call_1".to_owned(),
                    content: "limit 5000, used 6200".to_owned(),
                    is_error: false,
                },
                ContentBlock::ToolResult {
                    tool_use_id: "call_2".to_owned(),
                    content: "invalid arguments".to_owned(),
                    is_error: true,
                },
            ],
        },
    ];

    let stream = provider(&server, Some("sk-test"))
        .stream(request)
        .await
        .unwrap();
    drain(stream).await;

    let sent = captured.received_requests().await;
    assert_eq!(sent[0].headers["authorization"], "Bearer sk-test");
    assert_eq!(
        sent[0].body_json::<Value>().unwrap(),
        json!({
            "model": "gpt-test",
            "max_completion_tokens": 512,
            "stream": true,
            "stream_options": {"include_usage": true},
            "messages": [
                {"role": "system", "content": "You are the Odoo assistant."},
                {"role": "user", "content": "Check Acme and Globex."},
                {"role": "assistant", "content": "Checking both.", "tool_calls": [
                    {"type": "function", "id": "call_1",
                        "function": {"name": "check_credit", "arguments": "{\"partner_id\":7}"}},
                    {"type": "function", "id": "call_2",
                        "function": {"name": "check_credit", "arguments": "{\"partner_id\": "}},
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "limit 5000, used 6200"},
                {"role": "tool", "tool_call_id": "call_2", "content": "invalid arguments"},
            ],
            "tools": [{"type": "function", "function": {
                "name": "check_credit",
                "description": "Checks a customer's credit.",
                "parameters": {"type": "object",
                    "properties": {"partner_id": {"type": "integer"}},
                    "required": ["partner_id"]},
            }}],
        })
    );
}

#[tokio::test]
async fn without_api_key_no_authorization_header_is_sent() {
    let server = MockServer::start().await;
    let captured = mount_once(&server, stream_response(done_stream())).await;

    let stream = provider(&server, None).stream(request()).await.unwrap();
    drain(stream).await;

    let sent = captured.received_requests().await;
    assert!(!sent[0].headers.contains_key("authorization"));
}

#[tokio::test]
async fn text_deltas_arrive_as_separate_events_in_order() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            chunk(json!({"role": "assistant", "content": ""}), None),
            text_chunk("Acme "),
            text_chunk("is over "),
            text_chunk("its limit."),
            finish_chunk("stop"),
        ])),
    )
    .await;

    let (events, err) = drain(
        provider(&server, Some("sk-test"))
            .stream(request())
            .await
            .unwrap(),
    )
    .await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        events,
        [
            text("Acme "),
            text("is over "),
            text("its limit."),
            ChatEvent::Done {
                stop_reason: StopReason::EndTurn
            },
        ]
    );
}

#[tokio::test]
async fn parallel_tool_calls_split_across_chunks_are_assembled() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            tool_chunk(0, Some(("call_a", "check_credit")), ""),
            tool_chunk(0, None, "{\"partner"),
            tool_chunk(1, Some(("call_b", "check_credit")), "{\"partner_id\""),
            tool_chunk(0, None, "_id\": 7}"),
            tool_chunk(1, None, ": 9}"),
            finish_chunk("tool_calls"),
            usage_chunk(300, 40, 0),
        ])),
    )
    .await;

    let (events, err) = drain(
        provider(&server, Some("sk-test"))
            .stream(request())
            .await
            .unwrap(),
    )
    .await;

    assert!(err.is_none(), "{err:?}");
    let call = |id: &str, arguments: &str| ChatEvent::ToolCall {
        call: ToolCall {
            id: id.to_owned(),
            name: "check_credit".to_owned(),
            arguments: arguments.to_owned(),
        },
    };
    assert_eq!(
        events,
        [
            call("call_a", "{\"partner_id\": 7}"),
            call("call_b", "{\"partner_id\": 9}"),
            ChatEvent::Usage {
                usage: Usage {
                    input_tokens: 300,
                    output_tokens: 40,
                    ..Usage::default()
                }
            },
            ChatEvent::Done {
                stop_reason: StopReason::ToolUse
            },
        ]
    );
}

#[tokio::test]
async fn usage_with_cached_tokens_comes_once_before_done() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(sse(&[
            text_chunk("Hi"),
            finish_chunk("length"),
            usage_chunk(1200, 512, 1024),
        ])),
    )
    .await;

    let (events, err) = drain(
        provider(&server, Some("sk-test"))
            .stream(request())
            .await
            .unwrap(),
    )
    .await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(
        events,
        [
            text("Hi"),
            ChatEvent::Usage {
                usage: Usage {
                    input_tokens: 1200,
                    output_tokens: 512,
                    cache_creation_input_tokens: 0,
                    cache_read_input_tokens: 1024,
                }
            },
            ChatEvent::Done {
                stop_reason: StopReason::MaxTokens
            },
        ]
    );
}

/// Mounts `response` for exactly one request (so a hidden retry fails the
/// test) and returns the error the provider makes of it.
async fn error_for(response: ResponseTemplate) -> ProviderError {
    let server = MockServer::start().await;
    let _mock = mount_once(&server, response).await;
    provider(&server, Some("sk-test"))
        .stream(request())
        .await
        .err()
        .expect("an error")
}

#[tokio::test]
async fn http_429_is_rate_limited_after_exactly_one_request() {
    // `mount_once` fails the test if async-openai's own retry layer were active.
    let err = error_for(
        error_response(429, "requests", "Rate limit reached for gpt-test")
            .insert_header("retry-after", "3"),
    )
    .await;

    match err {
        ProviderError::RateLimited {
            retry_after,
            message,
            ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3)));
            assert_eq!(message, "Rate limit reached for gpt-test");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn http_500_is_server_error_after_exactly_one_request() {
    let err = error_for(error_response(
        500,
        "server_error",
        "The server had an error",
    ))
    .await;

    assert!(
        matches!(&err, ProviderError::Server { status: 500, message, .. }
            if message == "The server had an error"),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_401_is_auth() {
    let err = error_for(error_response(
        401,
        "invalid_request_error",
        "Incorrect API key provided",
    ))
    .await;

    assert!(
        matches!(&err, ProviderError::Auth { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn http_400_is_invalid_request() {
    let err = error_for(error_response(
        400,
        "invalid_request_error",
        "Unsupported parameter",
    ))
    .await;

    assert!(
        matches!(&err, ProviderError::InvalidRequest { status: 400, message, .. }
            if message == "Unsupported parameter"),
        "{err:?}"
    );
}

#[tokio::test]
async fn stream_without_finish_reason_is_a_protocol_error() {
    let server = MockServer::start().await;
    let _mock = mount_once(
        &server,
        stream_response(format!("data: {}\n\n", text_chunk("Acme is"))),
    )
    .await;

    let (events, err) = drain(
        provider(&server, Some("sk-test"))
            .stream(request())
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(events, [text("Acme is")]);
    assert_eq!(err.expect("an error").kind(), "protocol");
}
