//! Rubrics graded by a judge model in a live run, both models being local
//! fakes of an OpenAI-compatible server: the judge's verdict decides the
//! rubric, and a judge that fails or answers nonsense fails the rubric with
//! the reason instead of breaking the run.

use std::sync::Arc;

use agent::prompt::Prompts;
use agent::provider::{OpenAiCompatProvider, Provider};
use evals::result::{CaseResult, Status};
use evals::{Case, Companies, Judge, Mode, Prices, RunOptions};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::record::{KEY, chunk, sse, usage};

const RUBRIC: &str = "The answer recommends a credit hold, politely.";
const ANSWER: &str = "Curlew Foods is over its limit; I would suggest a credit hold.";

/// A fake model server answering every call with `reply`.
async fn model_server(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(reply)
        .mount(&server)
        .await;
    server
}

fn provider(server: &MockServer) -> Arc<dyn Provider> {
    let base = url::Url::parse(&format!("{}/v1", server.uri())).unwrap();
    Arc::new(OpenAiCompatProvider::new(
        Some(base),
        Some(SecretString::from(KEY)),
    ))
}

/// The judge streaming `text` as its answer.
fn judge_says(text: &str) -> ResponseTemplate {
    sse(&[
        chunk(json!({"role": "assistant", "content": text}), None),
        chunk(json!({}), Some("stop")),
        usage(600, 30),
    ])
}

/// Runs a one-turn case with a rubric live: the agent's model answers
/// [`ANSWER`], the judge (if any) answers `judge_reply`. Returns the case's
/// result and what the judge was sent.
async fn run_judged(judge_reply: Option<ResponseTemplate>) -> (CaseResult, Vec<Value>) {
    agent::init_crypto();
    let agent_model = model_server(sse(&[
        chunk(json!({"role": "assistant", "content": ANSWER}), None),
        chunk(json!({}), Some("stop")),
        usage(800, 20),
    ]))
    .await;
    let judge_model = match judge_reply {
        Some(reply) => Some(model_server(reply).await),
        None => None,
    };

    let dir = tempfile::tempdir().unwrap();
    let case_file = dir.path().join("hold.yaml");
    std::fs::write(
        &case_file,
        format!(
            "id: hold\nrubric: {RUBRIC}\nturns:\n  - user: Is Curlew Foods OK?\n    expect:\n      answer: {{contains: [hold]}}\n"
        ),
    )
    .unwrap();
    let agent_provider = provider(&agent_model);
    let factory: evals::ProviderFactory = Arc::new(move |_: &Case| Ok(Arc::clone(&agent_provider)));
    let judge = judge_model.as_ref().map(|server| {
        let judge = Judge::new(
            provider(server),
            "gpt-judge",
            Arc::new(Prompts::embedded().unwrap()),
        );
        Arc::new(judge.unwrap())
    });
    let options = RunOptions {
        mode: Mode::Live {
            provider: factory,
            provider_name: "openai".into(),
            model: "gpt-fake".into(),
        },
        jobs: 1,
        prices: Prices {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
        },
        progress: false,
        judge,
    };
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        dir.path().join("fixtures"),
    ));
    let result = evals::run(
        evals::load(std::slice::from_ref(&case_file), &[]),
        companies,
        &options,
    )
    .await;
    assert_eq!(result.mode, "live");
    let sent = match &judge_model {
        Some(server) => server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.body_json::<Value>().unwrap())
            .collect(),
        None => Vec::new(),
    };
    (result.cases.into_iter().next().unwrap(), sent)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rubric_the_judge_passes_passes_and_the_verdict_is_reported() {
    let (case, sent) = run_judged(Some(judge_says(
        r#"{"pass": true, "score": 0.9, "reason": "Recommends a hold in a courteous tone."}"#,
    )))
    .await;
    assert_eq!(case.status, Status::Passed, "{:?}", case.failures);
    assert!(case.skipped.is_empty(), "{:?}", case.skipped);
    let judge = case.judge.unwrap();
    assert_eq!(judge.judge, "openai/gpt-judge");
    assert_eq!(judge.prompt, "evals/judge.v1");
    assert_eq!(
        judge.summary(),
        "PASS 0.90: Recommends a hold in a courteous tone."
    );
    assert_eq!((judge.input_tokens, judge.output_tokens), (600, 30));
    // The judge's tokens are its own, not the agent's.
    assert_eq!(case.tokens, 820);

    // What the judge was asked: the rubric, the conversation and the
    // answer, as one user message with no tools.
    assert_eq!(sent.len(), 1, "{sent:?}");
    let request = &sent[0];
    assert_eq!(request["model"], "gpt-judge");
    assert!(request.get("tools").is_none(), "{request}");
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{request}");
    assert_eq!(messages[0]["role"], "user");
    let question = messages[0]["content"].as_str().unwrap();
    assert!(
        question.contains(&format!("<rubric>\n{RUBRIC}\n</rubric>")),
        "{question}"
    );
    assert!(
        question.contains("[turn 1] Person: Is Curlew Foods OK?"),
        "{question}"
    );
    assert!(
        question.contains(&format!("<last_answer>\n{ANSWER}\n</last_answer>")),
        "{question}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rubric_the_judge_fails_fails_the_case_with_the_judges_reason() {
    let (case, _) = run_judged(Some(judge_says(
        "```json\n{\"pass\": false, \"score\": 0.3, \"reason\": \"The tone is curt.\"}\n```",
    )))
    .await;
    assert_eq!(case.status, Status::Failed);
    assert_eq!(case.failures.len(), 1, "{:?}", case.failures);
    let failure = &case.failures[0];
    assert_eq!(failure.check, "rubric");
    assert_eq!(failure.expected, RUBRIC);
    assert_eq!(
        failure.actual,
        "judge openai/gpt-judge failed it (score 0.30): The tone is curt."
    );
    assert_eq!(
        case.judge.unwrap().summary(),
        "FAIL 0.30: The tone is curt."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judge_answering_garbage_fails_the_rubric_with_a_clear_error() {
    let (case, _) = run_judged(Some(judge_says("Looks good to me!"))).await;
    assert_eq!(case.status, Status::Failed);
    let failure = &case.failures[0];
    assert_eq!(failure.check, "rubric");
    assert_eq!(failure.expected, "a verdict from the judge");
    assert_eq!(
        failure.actual,
        "judge answer is not a verdict (no JSON object); it said: \"Looks good to me!\""
    );
    let judge = case.judge.unwrap();
    assert!(judge.verdict.is_none());
    assert!(
        judge.summary().starts_with("ERROR: judge answer"),
        "{judge:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_judge_the_provider_refuses_fails_the_rubric_naming_the_refusal() {
    let refusal = ResponseTemplate::new(400).set_body_json(json!({"error": {
        "message": "model gpt-judge does not exist", "type": "invalid_request_error",
        "param": null, "code": "model_not_found"}}));
    let (case, _) = run_judged(Some(refusal)).await;
    assert_eq!(case.status, Status::Failed);
    let failure = &case.failures[0];
    assert_eq!(failure.check, "rubric");
    assert!(
        failure.actual.starts_with("judge model call failed: "),
        "{failure:?}"
    );
    assert!(
        failure.actual.contains("gpt-judge does not exist"),
        "{failure:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_run_without_a_judge_reports_the_rubric_as_skipped() {
    let (case, _) = run_judged(None).await;
    assert_eq!(case.status, Status::Passed, "{:?}", case.failures);
    assert_eq!(
        case.skipped,
        ["rubric: no judge model configured (--judge-provider, --judge-model)"]
    );
    assert!(case.judge.is_none());
}
