//! `--record` through a live provider, here a local fake speaking the
//! OpenAI chat-completions streaming format: the cassette is written,
//! scrubbed of the key, and replays to the same passing result.

use std::sync::Arc;

use agent::provider::{OpenAiCompatProvider, Provider, REDACTED, Scrubber};
use evals::result::Status;
use evals::{Case, Companies, Mode, Prices, RunOptions};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const KEY: &str = "sk-test-0123456789abcdefXYZ";

pub(crate) fn sse(chunks: &[Value]) -> ResponseTemplate {
    let mut body = String::new();
    for chunk in chunks {
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")
}

pub(crate) fn chunk(delta: Value, finish: Option<&str>) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_750_000_000,
        "model": "gpt-fake", "choices": [{"index": 0, "delta": delta, "logprobs": null,
        "finish_reason": finish}]})
}

pub(crate) fn usage(prompt: u32, completion: u32) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_750_000_000,
        "model": "gpt-fake", "choices": [], "usage": {"prompt_tokens": prompt,
        "completion_tokens": completion, "total_tokens": prompt + completion}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_through_an_openai_compatible_server_writes_a_scrubbed_cassette_that_replays() {
    agent::init_crypto();
    let server = MockServer::start().await;
    // The follow-up carries the tool result (a `tool` message).
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("\"role\":\"tool\""))
        .respond_with(sse(&[
            chunk(
                json!({"role": "assistant", "content": "6 times 7 is 42. "}),
                None,
            ),
            chunk(json!({"content": format!("(my key is {KEY})")}), None),
            chunk(json!({}), Some("stop")),
            usage(900, 20),
        ]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(sse(&[
            chunk(
                json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_1",
                    "type": "function", "function": {"name": "calculate",
                    "arguments": "{\"expression\": \"6 * 7\"}"}}]}),
                None,
            ),
            chunk(json!({}), Some("tool_calls")),
            usage(800, 15),
        ]))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let case_file = dir.path().join("times.yaml");
    std::fs::write(
        &case_file,
        "id: times\nturns:\n  - user: What is 6 times 7?\n    expect:\n      tools: [{name: calculate, args: {exact: {expression: \"6 * 7\"}}, outcome: ok}]\n      answer:\n        numbers: [{tool: calculate, path: data.result}]\n",
    )
    .unwrap();
    let cassettes = dir.path().join("cassettes");
    let base = url::Url::parse(&format!("{}/v1", server.uri())).unwrap();
    let provider: Arc<dyn Provider> = Arc::new(OpenAiCompatProvider::new(
        Some(base),
        Some(SecretString::from(KEY)),
    ));
    let factory: evals::ProviderFactory = Arc::new(move |_: &Case| Ok(Arc::clone(&provider)));
    let key = SecretString::from(KEY);
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        dir.path().join("fixtures"),
    ));
    let prices = Prices {
        input_per_mtok: 3.0,
        output_per_mtok: 15.0,
    };
    let record = RunOptions {
        mode: Mode::Record {
            cassettes: cassettes.clone(),
            provider: factory,
            provider_name: "openai".into(),
            model: "gpt-fake".into(),
            scrubber: Arc::new(Scrubber::new([&key])),
        },
        jobs: 1,
        prices,
        progress: false,
        judge: None,
    };
    let recorded = evals::run(
        evals::load(std::slice::from_ref(&case_file), &[]),
        Arc::clone(&companies),
        &record,
    )
    .await;
    assert_eq!(
        recorded.cases[0].status,
        Status::Passed,
        "{:?}",
        recorded.cases[0].failures
    );
    assert_eq!(recorded.cases[0].tokens, 1735);

    let text = std::fs::read_to_string(cassettes.join("times.json")).unwrap();
    assert!(!text.contains(KEY), "the key leaked into the cassette");
    assert!(text.contains(REDACTED), "{text}");
    let cassette: Value = serde_json::from_str(&text).unwrap();
    let request = &cassette["interactions"][0]["request"];
    assert_eq!(request["model"], "gpt-fake");
    assert_eq!(request["prompts"][0]["name"], "system/agent");
    assert!(request["tools"].as_array().unwrap().len() > 5);

    let replay = RunOptions {
        mode: Mode::Replay { cassettes },
        ..record
    };
    let replayed = evals::run(
        evals::load(std::slice::from_ref(&case_file), &[]),
        companies,
        &replay,
    )
    .await;
    assert_eq!(
        replayed.cases[0].status,
        Status::Passed,
        "{:?}",
        replayed.cases[0].failures
    );
    let (now, then) = (&replayed.cases[0].turns[0], &recorded.cases[0].turns[0]);
    assert_eq!(now.tool_calls, then.tool_calls);
    // The replay answers with the scrubbed recording.
    assert_eq!(now.answer, "6 times 7 is 42. (my key is [REDACTED])");
}
