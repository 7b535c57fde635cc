use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::json;
use tools::{ToolKind, ToolSpec};

use super::*;
use crate::provider::{ContentBlock, MessageRole, Provider, ReplayProvider, StopReason, collect};

fn spec(name: &str, description: &str) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        kind: ToolKind::Read,
        input_schema: json!({"type": "object"}),
    }
}

fn prompt(name: &str, version: u32, hash: char) -> PromptRef {
    PromptRef {
        name: name.into(),
        version,
        sha256: hash.to_string().repeat(64),
    }
}

fn tool_result(content: &str) -> Message {
    Message {
        role: MessageRole::User,
        content: vec![ContentBlock::ToolResult {
            tool_use_id: "call_1".into(),
            content: content.into(),
            is_error: false,
        }],
    }
}

fn request(messages: Vec<Message>) -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        system: "s".into(),
        messages,
        tools: vec![spec("credit_check", "Scores credit.")].into(),
        max_tokens: 100,
        prompts: vec![
            prompt("system/agent", 2, 'a'),
            prompt("channels/api", 1, 'b'),
        ],
    }
}

fn conversation() -> Vec<Message> {
    vec![
        Message::user_text("Is Acme over its limit?"),
        tool_result(
            r#"{"proposal_id":"5f0c6a1e-7a51-4c43-9a39-0d5a8f0e8b11","expires_at":"2026-03-02T10:00:00Z","due":"2026-03-01","amount":"1200.00","url":"http://127.0.0.1:39999/web#id=7"}"#,
        ),
    ]
}

fn replay(recorded: &ChatRequest, matching: Matching) -> ReplayProvider {
    let cassette = Cassette {
        name: "t".into(),
        description: String::new(),
        interactions: vec![Interaction {
            request: RecordedRequest::of(recorded),
            events: vec![
                ChatEvent::TextDelta {
                    text: "Yes.".into(),
                },
                ChatEvent::Done {
                    stop_reason: StopReason::EndTurn,
                },
            ],
        }],
    };
    ReplayProvider::from_cassettes(Path::new("cassettes"), vec![cassette]).with_matching(matching)
}

async fn answer(provider: &ReplayProvider, request: ChatRequest) -> Result<String, String> {
    match provider.stream(request).await {
        Ok(stream) => Ok(collect(stream)
            .await
            .map_err(|e| e.to_string())?
            .blocks
            .iter()
            .map(|b| match b {
                ContentBlock::Text { text } => text.clone(),
                other => format!("{other:?}"),
            })
            .collect()),
        Err(err) => Err(err.to_string()),
    }
}

#[tokio::test]
async fn ids_and_timestamps_that_change_every_run_still_match() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let again = request(vec![
        Message::user_text("Is Acme over its limit?"),
        tool_result(
            r#"{"proposal_id":"0b7e8a5c-1111-4c43-9a39-aaaaaaaaaaaa","expires_at":"2026-03-09T17:45:12.5+01:00","due":"2026-03-01","amount":"1200.00","url":"http://127.0.0.1:40001/web#id=7"}"#,
        ),
    ]);
    assert_eq!(answer(&provider, again).await, Ok("Yes.".to_owned()));
}

#[tokio::test]
async fn a_changed_figure_in_a_tool_result_is_a_mismatch_showing_both_values() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let changed = request(vec![
        Message::user_text("Is Acme over its limit?"),
        tool_result(
            r#"{"proposal_id":"5f0c6a1e-7a51-4c43-9a39-0d5a8f0e8b11","expires_at":"2026-03-02T10:00:00Z","due":"2026-03-01","amount":"1300.00"}"#,
        ),
    ]);
    let err = answer(&provider, changed).await.unwrap_err();
    assert!(
        err.contains("message 2 (user) differs at character"),
        "{err}"
    );
    assert!(err.contains(r#"amount\":\"1200.00"#), "{err}");
    assert!(err.contains(r#"amount\":\"1300.00"#), "{err}");
    assert_eq!(provider.mismatches().len(), 1);
}

#[tokio::test]
async fn a_new_prompt_version_is_a_mismatch_naming_the_prompt() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let mut changed = request(conversation());
    changed.prompts[0] = prompt("system/agent", 3, 'c');
    let err = answer(&provider, changed).await.unwrap_err();
    assert!(
        err.contains("prompt system/agent: expected version 2, actual version 3"),
        "{err}"
    );
}

#[tokio::test]
async fn an_edited_template_without_a_new_version_is_a_mismatch() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let mut changed = request(conversation());
    changed.prompts[1] = prompt("channels/api", 1, 'd');
    let err = answer(&provider, changed).await.unwrap_err();
    assert!(
        err.contains("prompt channels/api.v1: the template text changed without a new version"),
        "{err}"
    );
}

#[tokio::test]
async fn changed_and_new_tools_are_a_mismatch_naming_them() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let mut changed = request(conversation());
    changed.tools = vec![
        spec("credit_check", "Scores credit risk."),
        spec("nl_report", "Reports."),
    ]
    .into();
    let err = answer(&provider, changed).await.unwrap_err();
    assert!(
        err.contains(
            "tools differ from the recording: newly offered: nl_report; description or schema \
             changed: credit_check"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_longer_conversation_names_the_new_message() {
    let provider = replay(&request(conversation()), Matching::Exact);
    let mut messages = conversation();
    messages.push(Message::user_text("and for last month?"));
    let err = answer(&provider, request(messages)).await.unwrap_err();
    assert!(
        err.contains("the request has 3 messages, the recording only 2; message 3 is new"),
        "{err}"
    );
    assert!(err.contains("and for last month?"), "{err}");
}

#[tokio::test]
async fn conversation_matching_ignores_prompts_and_tools() {
    let provider = replay(&request(conversation()), Matching::Conversation);
    let mut other = request(conversation());
    other.prompts = vec![prompt("system/agent", 9, 'e')];
    other.tools = Vec::new().into();
    assert_eq!(answer(&provider, other).await, Ok("Yes.".to_owned()));
}

#[test]
fn a_recording_without_prompts_or_tools_does_not_compare_them() {
    let mut recorded = RecordedRequest::of(&request(conversation()));
    recorded.prompts = Vec::new();
    recorded.tools = None;
    let prepared = Prepared::new(Interaction {
        request: recorded,
        events: Vec::new(),
    });
    let mut other = request(conversation());
    other.prompts = vec![prompt("system/agent", 7, 'f')];
    let messages = Prepared::request_messages(&other);
    assert!(prepared.matches(&other, &messages, Matching::Exact));
}
