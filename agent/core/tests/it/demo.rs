//! The embedded default: with no `ODOO_URL`, tools answer from the demo
//! company through the same client and wire format as a real Odoo, acting as
//! the configured demo user with that user's rights.

use std::sync::Arc;

use agent::config::{Config, TurnLimits};
use agent::odoo::{OdooBackend, OdooMode};
use agent::provider::{ChatEvent, ContentBlock, StopReason, ToolCall, Usage};
use agent::store::Store;
use agent::testing::{ScriptedProvider, Step};
use agent::turn::TurnRequest;
use agent::{Runtime, odoo_tools};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tools::Identity;
use tools::demo::{DemoSpec, DemoVersion, generate};
use tools::odoo::{Domain, matches};

const PARTNERS: usize = 60;

fn config(login: &str) -> Config {
    let env = [
        ("ODOO_AGENT_DEMO_PARTNERS", PARTNERS.to_string()),
        ("ODOO_AGENT_DEMO_SEED", "7".to_owned()),
        ("ODOO_AGENT_DEMO_LOGIN", login.to_owned()),
    ];
    Config::load(None, env.map(|(k, v)| (k.to_owned(), v))).unwrap()
}

fn call(name: &str, arguments: Value) -> Step {
    Step::Events(vec![
        ChatEvent::ToolCall {
            call: ToolCall {
                id: "c1".into(),
                name: name.into(),
                arguments: arguments.to_string(),
            },
        },
        ChatEvent::Usage {
            usage: Usage::default(),
        },
        ChatEvent::Done {
            stop_reason: StopReason::ToolUse,
        },
    ])
}

fn answer() -> Step {
    Step::Events(vec![
        ChatEvent::TextDelta {
            text: "done".into(),
        },
        ChatEvent::Done {
            stop_reason: StopReason::EndTurn,
        },
    ])
}

/// Runs one turn in which the model makes `tool_call`, and returns the
/// tool result the model got back, with its error flag.
async fn tool_result(login: &str, tool_call: Step) -> (Value, bool) {
    agent::init_crypto();
    let backend = OdooBackend::from_config(&config(login)).await.unwrap();
    assert!(matches!(backend.mode, OdooMode::Demo { .. }));
    let provider = ScriptedProvider::new(vec![tool_call, answer()]);
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime: Runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        store,
        odoo_tools(&backend, None).unwrap(),
        TurnLimits::default(),
    );
    runtime
        .run_turn(TurnRequest {
            thread_id: None,
            channel: "test".into(),
            identity: Identity::local_operator(),
            message: "question".into(),
        })
        .await
        .unwrap();
    let requests = provider.requests();
    let last = requests[1].messages.last().unwrap();
    match &last.content[0] {
        ContentBlock::ToolResult {
            content, is_error, ..
        } => (serde_json::from_str(content).unwrap(), *is_error),
        other => panic!("expected a tool result, got {other:?}"),
    }
}

#[tokio::test]
async fn counts_come_from_the_demo_company() {
    let (content, is_error) = tool_result(
        "accountant@harbourline.example",
        call(
            "count_records",
            json!({"model": "res.partner", "conditions": [
                {"field": "is_company", "op": "=", "value": true}]}),
        ),
    )
    .await;
    assert!(!is_error, "{content}");

    // The same company, generated here, counted by the domain evaluator.
    let company = generate(&DemoSpec {
        seed: 7,
        partners: PARTNERS,
        version: DemoVersion::V17,
        today: chrono::Local::now().date_naive(),
    });
    let table = company.dataset.table("res.partner").unwrap();
    let domain = Domain::parse(&json!([["is_company", "=", true]])).unwrap();
    let expected = table
        .records()
        .iter()
        .filter(|r| matches(&domain, &company.dataset.view("res.partner", r.id).unwrap()))
        .count();
    assert!(expected > 0);
    assert_eq!(content["data"]["count"], json!(expected), "{content}");
}

#[tokio::test]
async fn a_demo_user_without_accounting_rights_is_refused_by_odoo() {
    let (content, is_error) = tool_result(
        "sales@harbourline.example",
        call("count_records", json!({"model": "account.move"})),
    )
    .await;
    assert!(is_error, "{content}");
    assert_eq!(content["error"]["code"], "ODOO_ACCESS_DENIED", "{content}");
    let message = content["error"]["message"].as_str().unwrap();
    assert!(message.contains("account.move"), "{message}");
}

#[tokio::test]
async fn an_unknown_demo_login_is_a_setup_error_listing_the_users() {
    let Err(err) = OdooBackend::from_config(&config("nobody@example.com")).await else {
        panic!("an unknown demo login must be refused");
    };
    let message = err.to_string();
    assert!(message.contains("nobody@example.com"), "{message}");
    assert!(message.contains("sales@harbourline.example"), "{message}");
}
