//! The turn loop end to end with a scripted provider and a real store.

use std::sync::Arc;
use std::time::Duration;

use agent::config::TurnLimits;
use agent::provider::{
    ChatEvent, ContentBlock, MessageRole, ProviderError, StopReason, ToolCall, Usage,
};
use agent::store::{Store, TurnStatus};
use agent::testing::{ScriptedProvider, Step};
use agent::turn::{TurnError, TurnRequest};
use agent::{Runtime, default_tools};
use pretty_assertions::assert_eq;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tools::{Identity, OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind, ToolRegistry};

fn tool_call(id: &str, name: &str, arguments: &str) -> ChatEvent {
    ChatEvent::ToolCall {
        call: ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
        },
    }
}

fn usage(input: u64, output: u64) -> ChatEvent {
    ChatEvent::Usage {
        usage: Usage {
            input_tokens: input,
            output_tokens: output,
            ..Usage::default()
        },
    }
}

fn done(reason: StopReason) -> ChatEvent {
    ChatEvent::Done {
        stop_reason: reason,
    }
}

fn text(t: &str) -> ChatEvent {
    ChatEvent::TextDelta { text: t.into() }
}

fn answer(t: &str) -> Step {
    Step::Events(vec![text(t), usage(100, 10), done(StopReason::EndTurn)])
}

fn calls(list: &[(&str, &str, &str)]) -> Step {
    let mut events: Vec<ChatEvent> = list
        .iter()
        .map(|(id, name, args)| tool_call(id, name, args))
        .collect();
    events.push(usage(100, 20));
    events.push(done(StopReason::ToolUse));
    Step::Events(events)
}

async fn runtime_with(
    provider: Arc<ScriptedProvider>,
    tools: ToolRegistry,
    limits: TurnLimits,
) -> (Runtime, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime_with(provider, Arc::clone(&store), tools, limits);
    (runtime, store)
}

async fn runtime(provider: Arc<ScriptedProvider>) -> (Runtime, Arc<dyn Store>) {
    runtime_with(provider, default_tools().unwrap(), TurnLimits::default()).await
}

fn ask(message: &str) -> TurnRequest {
    TurnRequest {
        thread_id: None,
        channel: "test".into(),
        identity: Identity::local_operator(),
        message: message.into(),
    }
}

fn tool_results(message: &agent::provider::Message) -> Vec<(String, Value, bool)> {
    message
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error,
            } => Some((
                tool_use_id.clone(),
                serde_json::from_str(content).unwrap(),
                *is_error,
            )),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn tool_call_result_goes_back_to_the_model_and_the_turn_is_stored() {
    let provider = ScriptedProvider::new(vec![
        calls(&[("call_1", "calculate", r#"{"expression": "1200 * 0.21"}"#)]),
        answer("VAT is 252 EUR."),
    ]);
    let (runtime, store) = runtime(Arc::clone(&provider)).await;
    let result = runtime
        .run_turn(ask("What is the VAT on 1200 EUR at 21%?"))
        .await
        .unwrap();

    assert_eq!(result.status, TurnStatus::Completed);
    assert_eq!(result.reply, "VAT is 252 EUR.");
    assert_eq!(result.tool_calls.len(), 1);
    assert_eq!(
        result.tool_calls[0].arguments,
        json!({"expression": "1200 * 0.21"})
    );
    assert_eq!(
        (result.usage.input_tokens, result.usage.output_tokens),
        (200, 30)
    );

    let requests = provider.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].system.contains("Odoo assistant"));
    assert_eq!(
        requests[0]
            .tools
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["calculate", "current_datetime"]
    );
    let second = &requests[1].messages;
    assert_eq!(second.len(), 3);
    assert_eq!(
        tool_results(&second[2]),
        vec![(
            "call_1".to_owned(),
            json!({"summary": "1200 * 0.21 = 252", "data": {"expression": "1200 * 0.21", "result": "252"}}),
            false
        )]
    );

    let stored = store.messages(result.thread_id).await.unwrap();
    let roles: Vec<MessageRole> = stored.iter().map(|m| m.message.role).collect();
    assert_eq!(
        roles,
        [
            MessageRole::User,
            MessageRole::Assistant,
            MessageRole::User,
            MessageRole::Assistant
        ]
    );
    let turns = store.turns(result.thread_id).await.unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!((turns[0].iterations, turns[0].usage.output_tokens), (2, 30));
    assert_eq!(
        (turns[0].provider.as_str(), turns[0].model.as_str()),
        ("scripted", "test-model")
    );
    let audit = store.tool_calls(result.turn_id).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].tool.as_str(),
            audit[0].outcome.as_str(),
            audit[0].identity_id.as_str()
        ),
        ("calculate", "ok", "local")
    );
}

#[tokio::test]
async fn invalid_arguments_come_back_as_an_error_and_the_corrected_call_succeeds() {
    let provider = ScriptedProvider::new(vec![
        calls(&[("c1", "calculate", r#"{"expresion": "2+2"}"#)]),
        calls(&[("c2", "calculate", r#"{"expression": "2+2"}"#)]),
        answer("4"),
    ]);
    let (runtime, store) = runtime(Arc::clone(&provider)).await;
    let result = runtime.run_turn(ask("2+2?")).await.unwrap();
    assert_eq!(result.reply, "4");
    assert_eq!(
        result
            .tool_calls
            .iter()
            .map(|c| c.is_error)
            .collect::<Vec<_>>(),
        [true, false]
    );

    let requests = provider.requests();
    let (id, content, is_error) = tool_results(requests[1].messages.last().unwrap()).remove(0);
    assert_eq!((id.as_str(), is_error), ("c1", true));
    assert_eq!(content["error"]["kind"], "invalid_args");
    let message = content["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("expresion") && message.contains("expression"),
        "{message}"
    );
    let audit = store.tool_calls(result.turn_id).await.unwrap();
    assert_eq!(
        audit.iter().map(|a| a.outcome.as_str()).collect::<Vec<_>>(),
        ["invalid_args", "ok"]
    );
}

/// A tool that finishes only when `parties` calls are running at once.
struct Rendezvous(Arc<tokio::sync::Barrier>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Serialize)]
struct Met;

impl Summarize for Met {
    fn summary(&self) -> String {
        "met".into()
    }
}

impl Tool for Rendezvous {
    const NAME: &'static str = "rendezvous";
    const KIND: ToolKind = ToolKind::Read;
    type Args = NoArgs;
    type Output = Met;
    fn description(&self) -> &'static str {
        "waits for its twin"
    }
    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }
    async fn call(&self, _ctx: &ToolCtx, _args: NoArgs) -> Result<Met, ToolError> {
        self.0.wait().await;
        Ok(Met)
    }
}

#[tokio::test]
async fn independent_tool_calls_run_concurrently_and_results_keep_call_order() {
    let tools = ToolRegistry::builder()
        .register(Rendezvous(Arc::new(tokio::sync::Barrier::new(2))))
        .build()
        .unwrap();
    let provider = ScriptedProvider::new(vec![
        calls(&[("a", "rendezvous", "{}"), ("b", "rendezvous", "{}")]),
        answer("both met"),
    ]);
    let limits = TurnLimits {
        tool_timeout: Duration::from_secs(5),
        ..TurnLimits::default()
    };
    let (runtime, _) = runtime_with(Arc::clone(&provider), tools, limits).await;
    // Run sequentially, the first call would wait for the second forever and time out.
    let result = runtime.run_turn(ask("go")).await.unwrap();
    assert_eq!(
        result
            .tool_calls
            .iter()
            .map(|c| c.is_error)
            .collect::<Vec<_>>(),
        [false, false]
    );
    let results = tool_results(provider.requests()[1].messages.last().unwrap());
    assert_eq!(
        results.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[tokio::test]
async fn iteration_limit_ends_the_turn_with_a_clear_message() {
    let steps = (0..10)
        .map(|i| calls(&[(&format!("c{i}"), "calculate", r#"{"expression": "1"}"#)]))
        .collect();
    let provider = ScriptedProvider::new(steps);
    let limits = TurnLimits {
        max_iterations: 3,
        ..TurnLimits::default()
    };
    let (runtime, store) =
        runtime_with(Arc::clone(&provider), default_tools().unwrap(), limits).await;
    let result = runtime.run_turn(ask("loop")).await.unwrap();
    assert_eq!(result.status, TurnStatus::LimitReached);
    assert!(
        result.reply.starts_with("I stopped after 3 model calls"),
        "{}",
        result.reply
    );
    assert_eq!(provider.requests().len(), 3);
    let turn = store.turns(result.thread_id).await.unwrap().remove(0);
    assert_eq!(
        (turn.stop_reason.as_str(), turn.iterations),
        ("max_iterations", 3)
    );
    let last = store
        .messages(result.thread_id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.message.role, MessageRole::Assistant);
    assert_eq!(last.message.text(), result.reply);
}

#[tokio::test]
async fn token_budget_ends_the_turn() {
    let heavy = Step::Events(vec![
        tool_call("c1", "calculate", r#"{"expression": "1"}"#),
        usage(5_000, 100),
        done(StopReason::ToolUse),
    ]);
    let provider = ScriptedProvider::new(vec![heavy, answer("never")]);
    let limits = TurnLimits {
        max_turn_tokens: 5_000,
        ..TurnLimits::default()
    };
    let (runtime, _) = runtime_with(Arc::clone(&provider), default_tools().unwrap(), limits).await;
    let result = runtime.run_turn(ask("big")).await.unwrap();
    assert_eq!(result.status, TurnStatus::LimitReached);
    assert!(
        result.reply.contains("token budget (5000 tokens)"),
        "{}",
        result.reply
    );
    assert_eq!(provider.requests().len(), 1);
}

// Real time, kept short: paused time would also fire the store's pool
// timeouts while SQLite works on its own thread.
#[tokio::test]
async fn wall_time_limit_ends_a_stalled_turn() {
    let provider = ScriptedProvider::new(vec![Step::Stall]);
    let limits = TurnLimits {
        turn_timeout: Duration::from_millis(200),
        ..TurnLimits::default()
    };
    let (runtime, store) = runtime_with(provider, default_tools().unwrap(), limits).await;
    let result = runtime.run_turn(ask("slow")).await.unwrap();
    assert_eq!(result.status, TurnStatus::LimitReached);
    assert!(
        result.reply.contains("longer than the 200 ms allowed"),
        "{}",
        result.reply
    );
    assert_eq!(
        store.turns(result.thread_id).await.unwrap()[0].stop_reason,
        "wall_time"
    );
}

#[tokio::test]
async fn output_limit_keeps_the_partial_answer_and_says_it_was_cut() {
    let provider = ScriptedProvider::new(vec![Step::Events(vec![
        text("The top customers are"),
        usage(10, 4096),
        done(StopReason::MaxTokens),
    ])]);
    let (runtime, _) = runtime(provider).await;
    let result = runtime.run_turn(ask("list")).await.unwrap();
    assert_eq!(result.status, TurnStatus::LimitReached);
    assert_eq!(
        result.reply,
        "The top customers are\n\n(The answer was cut off at the output limit.)"
    );
}

#[tokio::test]
async fn an_output_limit_with_no_text_still_stores_an_assistant_message() {
    let provider = ScriptedProvider::new(vec![Step::Events(vec![
        usage(10, 4096),
        done(StopReason::MaxTokens),
    ])]);
    let (runtime, store) = runtime(provider).await;
    let result = runtime.run_turn(ask("list")).await.unwrap();
    assert_eq!(
        result.reply,
        "(The answer was cut off at the output limit.)"
    );
    let roles: Vec<MessageRole> = store
        .messages(result.thread_id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.message.role)
        .collect();
    assert_eq!(roles, [MessageRole::User, MessageRole::Assistant]);
}

#[tokio::test]
async fn provider_failure_ends_the_turn_with_an_apology_and_is_stored() {
    let provider = ScriptedProvider::new(vec![Step::Fail(ProviderError::InvalidRequest {
        provider: "scripted".into(),
        status: 400,
        message: "messages: roles must alternate".into(),
    })]);
    let (runtime, store) = runtime(Arc::clone(&provider)).await;
    let result = runtime.run_turn(ask("hello")).await.unwrap();
    assert_eq!(result.status, TurnStatus::Failed);
    assert!(
        result.reply.contains("could not handle this request"),
        "{}",
        result.reply
    );
    assert!(
        !result.reply.contains("alternate"),
        "provider detail leaked: {}",
        result.reply
    );
    assert_eq!(provider.requests().len(), 1, "a 400 is not retried");
    let turn = store.turns(result.thread_id).await.unwrap().remove(0);
    assert_eq!(turn.status, TurnStatus::Failed);
    assert!(turn.error.unwrap().contains("roles must alternate"));
}

#[tokio::test]
async fn exhausted_retries_tell_the_user_to_try_later() {
    let busy = || {
        Step::Fail(ProviderError::Overloaded {
            provider: "scripted".into(),
            message: "Overloaded".into(),
            retry_after: None,
        })
    };
    let provider = ScriptedProvider::new(vec![busy(), busy(), busy()]);
    let (runtime, _) = runtime(Arc::clone(&provider)).await;
    let result = runtime.run_turn(ask("hello")).await.unwrap();
    assert_eq!(result.status, TurnStatus::Failed);
    assert!(result.reply.contains("busy right now"), "{}", result.reply);
    assert_eq!(provider.requests().len(), 3, "one try plus max_retries = 2");
}

#[tokio::test]
async fn a_follow_up_sees_the_thread_history() {
    let provider = ScriptedProvider::new(vec![
        answer("March: 12 open lines."),
        answer("February: 3."),
    ]);
    let (runtime, store) = runtime(Arc::clone(&provider)).await;
    let first = runtime
        .run_turn(ask("Open bank lines in March?"))
        .await
        .unwrap();
    let mut follow_up = ask("and for February?");
    follow_up.thread_id = Some(first.thread_id);
    let second = runtime.run_turn(follow_up).await.unwrap();
    assert_eq!(second.thread_id, first.thread_id);
    let texts: Vec<String> = provider.requests()[1]
        .messages
        .iter()
        .map(|m| m.text())
        .collect();
    assert_eq!(
        texts,
        [
            "Open bank lines in March?",
            "March: 12 open lines.",
            "and for February?"
        ]
    );
    assert_eq!(store.messages(first.thread_id).await.unwrap().len(), 4);
    assert_eq!(store.turns(first.thread_id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_model_call() {
    let provider = ScriptedProvider::new(vec![]);
    let (runtime, _) = runtime(Arc::clone(&provider)).await;
    let err = runtime.run_turn(ask("   ")).await.unwrap_err();
    assert!(matches!(err, TurnError::InvalidMessage(_)), "{err}");
    let mut unknown = ask("hi");
    unknown.thread_id = Some(agent::store::ThreadId::new());
    assert!(matches!(
        runtime.run_turn(unknown).await.unwrap_err(),
        TurnError::ThreadNotFound(_)
    ));
    assert!(provider.requests().is_empty());
}

#[tokio::test]
async fn shutdown_waits_for_in_flight_turns_then_refuses_new_ones() {
    let (release, gate) = tokio::sync::oneshot::channel();
    let provider = ScriptedProvider::new(vec![Step::WaitThen(gate, Box::new(answer("done")))]);
    let (runtime, store) = runtime(Arc::clone(&provider)).await;
    let handle = runtime.start_turn(ask("slow one")).unwrap();
    provider.wait_for_requests(1).await;
    let shutdown = {
        let runtime = runtime.clone();
        tokio::spawn(async move { runtime.shutdown(Duration::from_secs(30)).await })
    };
    tokio::task::yield_now().await;
    assert!(matches!(
        runtime.start_turn(ask("late")),
        Err(TurnError::ShuttingDown)
    ));
    release.send(()).unwrap();
    let result = handle.outcome().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), shutdown)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.reply, "done");
    assert_eq!(store.turns(result.thread_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn turns_still_running_after_the_grace_period_are_cancelled_and_stored() {
    let provider = ScriptedProvider::new(vec![Step::Stall]);
    let limits = TurnLimits {
        turn_timeout: Duration::from_secs(3600),
        ..TurnLimits::default()
    };
    let (runtime, store) =
        runtime_with(Arc::clone(&provider), default_tools().unwrap(), limits).await;
    let handle = runtime.start_turn(ask("stuck")).unwrap();
    provider.wait_for_requests(1).await;
    runtime.shutdown(Duration::from_millis(100)).await;
    let result = handle.outcome().await.unwrap();
    assert_eq!(result.status, TurnStatus::LimitReached);
    assert!(
        result.reply.contains("server is restarting"),
        "{}",
        result.reply
    );
    assert_eq!(
        store.turns(result.thread_id).await.unwrap()[0].stop_reason,
        "shutdown"
    );
}

#[tokio::test]
async fn shipped_demo_cassettes_replay_to_the_end() {
    let folder = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../evals/cassettes"
    ));
    let replay = Arc::new(agent::provider::ReplayProvider::load(folder).unwrap());
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime(replay, store);
    for (question, expected) in [
        (
            "What is 15% of 2480 EUR?",
            "15% of 2,480.00 EUR is **372.00 EUR**.",
        ),
        (
            "What can you do?",
            "I answer questions about your company's Odoo data",
        ),
    ] {
        let result = runtime.run_turn(ask(question)).await.unwrap();
        assert!(
            result.reply.starts_with(expected),
            "{question}: {}",
            result.reply
        );
    }
}
