use std::time::Duration;

use pretty_assertions::assert_eq;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::*;
use crate::builtin::{Calculate, CurrentDatetime};
use crate::testing_ctx;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SleepArgs {
    /// Milliseconds to wait.
    #[schemars(range(min = 1, max = 60000))]
    millis: u64,
}

#[derive(Debug, Serialize)]
struct Slept;

impl Summarize for Slept {
    fn summary(&self) -> String {
        "slept".to_owned()
    }
}

struct Sleep;

impl Tool for Sleep {
    const NAME: &'static str = "sleep";
    const KIND: ToolKind = ToolKind::Read;
    type Args = SleepArgs;
    type Output = Slept;

    fn description(&self) -> &'static str {
        "waits"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: SleepArgs) -> Result<Slept, ToolError> {
        tokio::time::sleep(Duration::from_millis(args.millis)).await;
        Ok(Slept)
    }
}

fn registry() -> ToolRegistry {
    ToolRegistry::builder()
        .register(Calculate)
        .register(CurrentDatetime::new())
        .register(Sleep)
        .build()
        .unwrap()
}

async fn run(name: &str, args: &str) -> DispatchOutcome {
    registry()
        .dispatch(&testing_ctx(), "call_1", name, args, Duration::from_secs(5))
        .await
}

fn error_message(outcome: &DispatchOutcome) -> String {
    outcome.result.as_ref().unwrap_err().to_string()
}

#[test]
fn duplicate_names_are_rejected() {
    let err = ToolRegistry::builder()
        .register(Calculate)
        .register(Calculate)
        .build()
        .err()
        .unwrap();
    assert_eq!(err.to_string(), "tool name calculate is registered twice");
}

#[test]
fn specs_are_sorted_and_carry_schemas() {
    let names: Vec<String> = registry().specs().iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, ["calculate", "current_datetime", "sleep"]);
}

#[tokio::test]
async fn valid_call_returns_summary_and_data_as_json() {
    let outcome = run("calculate", r#"{"expression": "2 * 21"}"#).await;
    assert!(!outcome.is_error());
    let content: serde_json::Value = outcome.content_for_model();
    assert_eq!(
        content,
        json!({"summary": "2 * 21 = 42", "data": {"expression": "2 * 21", "result": "42"}})
    );
}

#[tokio::test]
async fn empty_arguments_mean_an_empty_object() {
    assert!(!run("current_datetime", "").await.is_error());
}

#[tokio::test]
async fn malformed_json_is_an_invalid_args_error() {
    let outcome = run("calculate", r#"{"expression": "#).await;
    assert_eq!(outcome.result.as_ref().unwrap_err().kind(), "invalid_args");
    assert!(
        error_message(&outcome).contains("not valid JSON"),
        "{}",
        error_message(&outcome)
    );
    assert_eq!(outcome.arguments, json!(r#"{"expression": "#));
}

#[tokio::test]
async fn unknown_field_is_named() {
    let outcome = run("calculate", r#"{"expression": "1", "precision": 2}"#).await;
    let message = error_message(&outcome);
    assert!(message.contains("precision"), "{message}");
}

#[tokio::test]
async fn out_of_range_value_names_the_field_and_limit() {
    let outcome = run("calculate", r#"{"expression": "1", "decimal_places": 40}"#).await;
    let message = error_message(&outcome);
    assert!(message.contains("field `decimal_places`"), "{message}");
    assert!(message.contains("12"), "{message}");
}

#[tokio::test]
async fn wrong_type_and_missing_field_are_named() {
    let message = error_message(&run("calculate", r#"{"expression": 5}"#).await);
    assert!(
        message.contains("field `expression`") && message.contains("string"),
        "{message}"
    );
    let message = error_message(&run("calculate", "{}").await);
    assert!(
        message.contains("\"expression\" is a required property"),
        "{message}"
    );
}

#[tokio::test]
async fn unknown_tool_lists_the_available_ones() {
    let outcome = run("delete_everything", "{}").await;
    assert_eq!(
        error_message(&outcome),
        "unknown tool delete_everything (available tools: calculate, current_datetime, sleep)"
    );
}

#[tokio::test(start_paused = true)]
async fn slow_tool_times_out() {
    let outcome = registry()
        .dispatch(
            &testing_ctx(),
            "c",
            "sleep",
            r#"{"millis": 60000}"#,
            Duration::from_secs(2),
        )
        .await;
    assert_eq!(outcome.result.as_ref().unwrap_err().kind(), "timeout");
    assert_eq!(error_message(&outcome), "tool sleep timed out after 2 s");
}

#[tokio::test(start_paused = true)]
async fn cancellation_stops_a_running_tool() {
    let ctx = testing_ctx();
    let cancel = ctx.cancel.clone();
    let registry = registry();
    let call = registry.dispatch(
        &ctx,
        "c",
        "sleep",
        r#"{"millis": 50000}"#,
        Duration::from_secs(60),
    );
    let (outcome, ()) = tokio::join!(call, async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        cancel.cancel();
    });
    assert_eq!(outcome.result.as_ref().unwrap_err().kind(), "cancelled");
}

#[tokio::test]
async fn error_content_is_marked_as_an_error_object() {
    let outcome = run("calculate", r#"{"expression": "1/0"}"#).await;
    let content: serde_json::Value = outcome.content_for_model();
    assert_eq!(content["error"]["kind"], json!("invalid_args"));
    assert_eq!(content["error"]["code"], json!("INVALID_ARGUMENT"));
    assert_eq!(content["error"]["retryable"], json!(false));
    assert!(
        content["error"]["message"]
            .as_str()
            .unwrap()
            .contains("division by zero")
    );
}

#[test]
fn arguments_saved_for_later_are_checked_against_the_schema_now() {
    let registry = registry();
    assert!(
        registry
            .check_arguments("sleep", &json!({"millis": 5}))
            .is_ok()
    );
    let err = registry
        .check_arguments("sleep", &json!({"millis": 0}))
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::InvalidArgs { tool, message } if tool == "sleep" && message.contains("millis")),
        "{err:?}"
    );
    let err = registry
        .check_arguments("nl_report", &json!({}))
        .unwrap_err();
    assert!(matches!(err, ToolError::UnknownTool(_)), "{err:?}");
}

/// A tool for finance only.
struct Ledger;

impl Tool for Ledger {
    const NAME: &'static str = "read_ledger";
    const KIND: ToolKind = ToolKind::Read;
    type Args = SleepArgs;
    type Output = Slept;

    fn description(&self) -> &'static str {
        "reads the ledger"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    fn roles(&self) -> &'static [crate::Role] {
        crate::FINANCE
    }

    async fn call(&self, _ctx: &ToolCtx, _args: SleepArgs) -> Result<Slept, ToolError> {
        Ok(Slept)
    }
}

fn person(roles: Vec<crate::Role>) -> crate::Identity {
    crate::Identity {
        id: crate::IdentityId("sam".to_owned()),
        display_name: "Sam".to_owned(),
        roles,
    }
}

#[test]
fn an_identity_is_offered_only_the_tools_its_roles_may_use() {
    use crate::Role;
    let registry = ToolRegistry::builder()
        .register(Calculate)
        .register(Ledger)
        .build()
        .unwrap();
    let names = |identity: &crate::Identity| -> Vec<String> {
        registry
            .specs_for(identity)
            .iter()
            .map(|s| s.name.clone())
            .collect()
    };
    assert_eq!(names(&person(vec![Role::Sales])), vec!["calculate"]);
    assert_eq!(names(&person(vec![])), Vec::<String>::new());
    assert_eq!(
        names(&person(vec![Role::Finance])),
        vec!["calculate", "read_ledger"]
    );
    assert_eq!(
        names(&person(vec![Role::Admin])),
        vec!["calculate", "read_ledger"]
    );
}

#[tokio::test]
async fn a_tool_outside_the_identity_roles_answers_not_permitted() {
    let registry = ToolRegistry::builder().register(Ledger).build().unwrap();
    let mut ctx = testing_ctx();
    ctx.identity = person(vec![crate::Role::Sales, crate::Role::Warehouse]);
    let outcome = registry
        .dispatch(
            &ctx,
            "c1",
            "read_ledger",
            r#"{"millis": 1}"#,
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(
        outcome.content_for_model(),
        json!({"error": {
            "code": "NOT_PERMITTED",
            "kind": "not_permitted",
            "message": "not permitted: read_ledger is for the finance, admin role(s), and sam \
                        holds sales, warehouse",
            "retryable": false,
        }})
    );
    ctx.identity = person(vec![crate::Role::Finance]);
    let outcome = registry
        .dispatch(
            &ctx,
            "c1",
            "read_ledger",
            r#"{"millis": 1}"#,
            Duration::from_secs(5),
        )
        .await;
    assert!(outcome.result.is_ok());
}
