//! Whole turns against local fakes of the real provider APIs: question, tool
//! call, tool result sent back, final answer, stored thread.

use std::sync::Arc;

use agent::Runtime;
use agent::provider::{AnthropicProvider, MessageRole, OpenAiCompatProvider, Provider};
use agent::store::{Store, TurnStatus};
use agent::turn::TurnRequest;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::Identity;
use url::Url;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request};

use crate::{anthropic, openai};

const QUESTION: &str = "What is 15% of 2480 EUR?";

/// What `calculate` answers for `2480 * 0.15`, as sent back to the model.
fn expected_tool_content() -> Value {
    json!({"summary": "2480 * 0.15 = 372", "data": {"expression": "2480 * 0.15", "result": "372"}})
}

async fn runtime(provider: Arc<dyn Provider>) -> (Runtime, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime(provider, Arc::clone(&store));
    (runtime, store)
}

fn ask() -> TurnRequest {
    TurnRequest {
        thread_id: None,
        channel: "api".into(),
        identity: Identity::local_operator(),
        message: QUESTION.into(),
    }
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

async fn assert_stored_thread(store: &Arc<dyn Store>, result: &agent::turn::TurnResult) {
    let messages = store.messages(result.thread_id).await.unwrap();
    let roles: Vec<MessageRole> = messages.iter().map(|m| m.message.role).collect();
    assert_eq!(
        roles,
        [
            MessageRole::User,
            MessageRole::Assistant,
            MessageRole::User,
            MessageRole::Assistant
        ]
    );
    assert_eq!(messages[3].message.text(), result.reply);
    let turn = store.turns(result.thread_id).await.unwrap().remove(0);
    assert_eq!(
        (turn.status, turn.iterations, turn.model.as_str()),
        (TurnStatus::Completed, 2, "test-model")
    );
    // The turn names the prompt templates it was rendered from.
    let prompts: Vec<String> = turn.prompts.iter().map(ToString::to_string).collect();
    assert_eq!(prompts[0], "system/agent.v2");
    assert!(prompts[1].starts_with("channels/"), "{prompts:?}");
    let audit = store.tool_calls(result.turn_id).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].arguments, json!({"expression": "2480 * 0.15"}));
}

#[tokio::test]
async fn anthropic_tool_round_trip_sends_the_result_back_and_stores_the_thread() {
    agent::init_crypto();
    let server = MockServer::start().await;
    // The follow-up request (it carries the tool result) gets the final answer.
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(body_string_contains("tool_result"))
        .respond_with(anthropic::stream_response(anthropic::sse(&[
            anthropic::ev_message_start(950, 0, 800),
            anthropic::ev_text(&["15% of 2,480 EUR ", "is 372 EUR."]),
            anthropic::ev_stop("end_turn", 12),
        ])))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(anthropic::stream_response(anthropic::sse(&[
            anthropic::ev_message_start(900, 800, 0),
            anthropic::ev_tool_use(
                "toolu_01",
                "calculate",
                json!({"expression": "2480 * 0.15"}),
            ),
            anthropic::ev_stop("tool_use", 40),
        ])))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let base = Url::parse(&server.uri()).unwrap();
    let provider = AnthropicProvider::new(
        base,
        SecretString::from("sk-ant-test"),
        reqwest::Client::new(),
    );
    let (runtime, store) = runtime(Arc::new(provider)).await;

    let result = runtime.run_turn(ask()).await.unwrap();
    assert_eq!(result.reply, "15% of 2,480 EUR is 372 EUR.");
    assert_eq!(
        (result.usage.input_tokens, result.usage.output_tokens),
        (1850, 52)
    );
    assert_eq!(
        (
            result.usage.cache_creation_input_tokens,
            result.usage.cache_read_input_tokens
        ),
        (800, 800)
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let second = body(&requests[1]);
    assert_eq!(
        second["messages"][0],
        json!({"role": "user", "content": [{"type": "text", "text": QUESTION}]})
    );
    assert_eq!(
        second["messages"][1],
        json!({"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_01", "name": "calculate", "input": {"expression": "2480 * 0.15"}}
        ]})
    );
    let results = &second["messages"][2];
    assert_eq!(results["role"], "user");
    assert_eq!(results["content"][0]["type"], "tool_result");
    assert_eq!(results["content"][0]["tool_use_id"], "toolu_01");
    assert_eq!(results["content"][0]["is_error"], false);
    let content: Value =
        serde_json::from_str(results["content"][0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, expected_tool_content());
    assert_eq!(second["tools"].as_array().unwrap().len(), 2);
    assert_stored_thread(&store, &result).await;
}

#[tokio::test]
async fn openai_tool_round_trip_sends_the_result_back_and_stores_the_thread() {
    agent::init_crypto();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("tool_call_id"))
        .respond_with(openai::stream_response(openai::sse(&[
            openai::text_chunk("15% of 2,480 EUR "),
            openai::text_chunk("is 372 EUR."),
            openai::finish_chunk("stop"),
            openai::usage_chunk(950, 12, 0),
        ])))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(openai::stream_response(openai::sse(&[
            openai::tool_chunk(0, Some(("call_abc", "calculate")), "{\"expres"),
            openai::tool_chunk(0, None, "sion\": \"2480 * 0.15\"}"),
            openai::finish_chunk("tool_calls"),
            openai::usage_chunk(900, 40, 0),
        ])))
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let base = Url::parse(&format!("{}/v1", server.uri())).unwrap();
    let provider = OpenAiCompatProvider::new(Some(base), Some(SecretString::from("sk-test")));
    let (runtime, store) = runtime(Arc::new(provider)).await;

    let result = runtime.run_turn(ask()).await.unwrap();
    assert_eq!(result.reply, "15% of 2,480 EUR is 372 EUR.");
    assert_eq!(
        (result.usage.input_tokens, result.usage.output_tokens),
        (1850, 52)
    );

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let second = body(&requests[1]);
    let messages = second["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[1], json!({"role": "user", "content": QUESTION}));
    assert_eq!(messages[2]["role"], "assistant");
    assert_eq!(messages[2]["tool_calls"][0]["id"], "call_abc");
    assert_eq!(
        messages[2]["tool_calls"][0]["function"]["name"],
        "calculate"
    );
    let sent_arguments: Value = serde_json::from_str(
        messages[2]["tool_calls"][0]["function"]["arguments"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sent_arguments, json!({"expression": "2480 * 0.15"}));
    assert_eq!(messages[3]["role"], "tool");
    assert_eq!(messages[3]["tool_call_id"], "call_abc");
    let content: Value = serde_json::from_str(messages[3]["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, expected_tool_content());
    assert_stored_thread(&store, &result).await;
}
