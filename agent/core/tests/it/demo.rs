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
    config_with(login, &[])
}

fn config_with(login: &str, extra: &[(&str, &str)]) -> Config {
    let mut env = vec![
        ("ODOO_AGENT_DEMO_PARTNERS".to_owned(), PARTNERS.to_string()),
        ("ODOO_AGENT_DEMO_SEED".to_owned(), "7".to_owned()),
        ("ODOO_AGENT_DEMO_LOGIN".to_owned(), login.to_owned()),
    ];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    Config::load(None, env).unwrap()
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
    tool_result_with(&config(login), tool_call).await
}

async fn tool_result_with(config: &Config, tool_call: Step) -> (Value, bool) {
    agent::init_crypto();
    let backend = OdooBackend::from_config(config).await.unwrap();
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

#[tokio::test]
async fn a_data_directory_replaces_the_generated_records_of_its_models() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("res.partner.jsonl"),
        concat!(
            "{\"id\":5,\"name\":\"Fixed Partner A\",\"is_company\":true,\"active\":true}\n",
            "{\"id\":9,\"name\":\"Fixed Partner B\",\"is_company\":true,\"active\":true}\n",
            "{\"id\":11,\"name\":\"A person\",\"is_company\":false,\"active\":true}\n",
        ),
    )
    .unwrap();
    let data = dir.path().to_str().unwrap();
    let config = config_with(
        "accountant@harbourline.example",
        &[("ODOO_AGENT_DEMO_DATA", data)],
    );
    let (content, is_error) = tool_result_with(
        &config,
        call(
            "count_records",
            json!({"model": "res.partner", "conditions": [
                {"field": "is_company", "op": "=", "value": true}]}),
        ),
    )
    .await;
    assert!(!is_error, "{content}");
    assert_eq!(content["data"]["count"], json!(2), "{content}");
}

#[tokio::test]
async fn a_bad_data_file_stops_the_start_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("res.partner.jsonl");
    std::fs::write(
        &file,
        "{\"id\":1,\"name\":\"A\"}\n{\"id\":2,\"colour\":\"red\"}\n",
    )
    .unwrap();
    let config = config_with(
        "accountant@harbourline.example",
        &[("ODOO_AGENT_DEMO_DATA", dir.path().to_str().unwrap())],
    );
    let Err(err) = OdooBackend::from_config(&config).await else {
        panic!("a bad data file must stop the start");
    };
    let message = err.to_string();
    assert!(
        message.contains(&format!("{}:2", file.display())),
        "{message}"
    );
    assert!(message.contains("`colour`"), "{message}");
}
