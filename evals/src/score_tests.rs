//! Each matcher kind passes on a matching run and fails, with expected and
//! actual, on a run made to miss it.

use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;
use crate::case::parse;
use crate::result::{ProposalLog, ToolCallLog, TurnLog};

fn case(expect: &str) -> Case {
    let text = format!("id: t\nturns:\n  - user: hi\n    expect:\n{expect}");
    parse(Path::new("t.yaml"), &text).unwrap()
}

fn call(name: &str, arguments: Value, outcome: &str, output: Value) -> ToolCallLog {
    ToolCallLog {
        name: name.into(),
        arguments,
        outcome: outcome.into(),
        output,
    }
}

fn turn(answer: &str, tool_calls: Vec<ToolCallLog>) -> TurnLog {
    TurnLog {
        user: "hi".into(),
        answer: answer.into(),
        status: "completed".into(),
        error: None,
        iterations: 2,
        input_tokens: 1000,
        output_tokens: 100,
        tool_calls,
        proposals: Vec::new(),
    }
}

fn credit(arguments: Value) -> ToolCallLog {
    call(
        "credit_check",
        arguments,
        "ok",
        json!({"summary": "s", "data": {"data": {"exposure": "12480.50", "rows": [{"n": 3}]}}}),
    )
}

/// The checks that failed, by name.
fn failed(case: &Case, turns: &[TurnLog]) -> Vec<String> {
    score(case, turns, 0.01)
        .into_iter()
        .map(|f| f.check)
        .collect()
}

#[test]
fn exact_arguments() {
    let c = case("      tools: [{name: credit_check, args: {exact: {partner_id: 7}}}]\n");
    assert!(failed(&c, &[turn("", vec![credit(json!({"partner_id": 7}))])]).is_empty());
    let failures = score(
        &c,
        &[turn("", vec![credit(json!({"partner_id": 7, "top": 1}))])],
        0.0,
    );
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].check, "tools[0] credit_check");
    assert!(failures[0].actual.contains("not exactly"), "{failures:?}");
}

#[test]
fn subset_arguments() {
    let c = case(
        "      tools: [{name: credit_check, args: {subset: {mode: portfolio, filters: {a: 1}}}}]\n",
    );
    let ok = json!({"mode": "portfolio", "top": 5, "filters": {"a": 1, "b": 2}});
    assert!(failed(&c, &[turn("", vec![credit(ok)])]).is_empty());
    let failures = score(
        &c,
        &[turn(
            "",
            vec![credit(json!({"mode": "partner", "filters": {"a": 1}}))],
        )],
        0.0,
    );
    assert!(
        failures[0]
            .actual
            .contains(r#"mode is "partner", not "portfolio""#),
        "{failures:?}"
    );
}

#[test]
fn regex_and_number_field_arguments() {
    let c = case(
        "      tools: [{name: credit_check, args: {fields: {partner_name: {regex: '(?i)^acme'}, order_amount: {number: 1000, tolerance: 0.5}}}}]\n",
    );
    let ok = json!({"partner_name": "ACME GmbH", "order_amount": "1000.40"});
    assert!(failed(&c, &[turn("", vec![credit(ok)])]).is_empty());
    let wrong_name = json!({"partner_name": "Globex", "order_amount": 1000});
    let failures = score(&c, &[turn("", vec![credit(wrong_name)])], 0.0);
    assert!(
        failures[0].actual.contains("does not match"),
        "{failures:?}"
    );
    let wrong_amount = json!({"partner_name": "Acme", "order_amount": 1001});
    let failures = score(&c, &[turn("", vec![credit(wrong_amount)])], 0.0);
    assert!(
        failures[0].actual.contains("1001 is not 1000 ± 0.5"),
        "{failures:?}"
    );
    let missing = json!({"partner_name": "Acme"});
    let failures = score(&c, &[turn("", vec![credit(missing)])], 0.0);
    assert!(
        failures[0].actual.contains("order_amount: missing"),
        "{failures:?}"
    );
}

#[test]
fn equals_field_and_outcome() {
    let c = case(
        "      tools: [{name: credit_check, args: {fields: {mode: {equals: portfolio}}}, outcome: invalid_args}]\n",
    );
    let bad = call(
        "credit_check",
        json!({"mode": "portfolio"}),
        "invalid_args",
        json!({}),
    );
    assert!(failed(&c, &[turn("", vec![bad])]).is_empty());
    let failures = score(
        &c,
        &[turn("", vec![credit(json!({"mode": "portfolio"}))])],
        0.0,
    );
    assert!(
        failures[0]
            .actual
            .contains("outcome ok instead of invalid_args"),
        "{failures:?}"
    );
}

#[test]
fn a_tool_that_was_not_called() {
    let c = case("      tools: [{name: nl_report}]\n");
    let failures = score(&c, &[turn("", vec![credit(json!({}))])], 0.0);
    assert_eq!(
        (failures[0].expected.as_str(), failures[0].actual.as_str()),
        ("a call", "calls: credit_check")
    );
}

#[test]
fn not_called_order_and_max_calls() {
    let c = case(
        "      not_called: [find_duplicates]\n      order: [search_records, credit_check]\n      max_tool_calls: 2\n",
    );
    let good = vec![
        call("search_records", json!({}), "ok", json!({})),
        credit(json!({})),
    ];
    assert!(failed(&c, &[turn("", good)]).is_empty());
    let bad = vec![
        credit(json!({})),
        call("search_records", json!({}), "ok", json!({})),
        call(
            "find_duplicates",
            json!({"entity": "partner"}),
            "ok",
            json!({}),
        ),
    ];
    assert_eq!(
        failed(&c, &[turn("", bad)]),
        ["not_called find_duplicates", "order", "max_tool_calls"]
    );
}

#[test]
fn answer_contains_not_contains_and_matches() {
    let c = case(
        "      answer: {contains: [Exposure], not_contains: [approved], matches: ['\\d+ days']}\n",
    );
    assert!(
        failed(
            &c,
            &[turn("The exposure is high, 30 days overdue.", vec![])]
        )
        .is_empty()
    );
    assert_eq!(
        failed(&c, &[turn("I approved it; overdue for long.", vec![])]),
        ["answer contains", "answer not_contains", "answer matches"]
    );
}

#[test]
fn numbers_in_the_answer_must_equal_the_tool_output() {
    let c = case(
        "      answer:\n        numbers:\n          - {tool: credit_check, path: data.data.exposure, tolerance: 0.01}\n",
    );
    let calls = || vec![credit(json!({}))];
    assert!(failed(&c, &[turn("Exposure: 12,480.50 EUR.", calls())]).is_empty());
    let failures = score(&c, &[turn("Exposure: 12,408.50 EUR.", calls())], 0.0);
    assert_eq!(failures[0].expected, "12480.5 ± 0.01");
    assert_eq!(failures[0].actual, "numbers in the answer: [12408.5]");
    let wrong_path = case(
        "      answer:\n        numbers:\n          - {tool: credit_check, path: data.nope}\n",
    );
    assert_eq!(
        failed(&wrong_path, &[turn("12480.50", calls())]),
        ["answer number credit_check:data.nope"]
    );
}

#[test]
fn proposals_created_none_and_never_executed() {
    let proposal = |status: &str| ProposalLog {
        action: "set_credit_limit".into(),
        target_model: "res.partner".into(),
        target_ids: vec![63],
        preview: "Credit limit of Willow Keller Farms: 0.00 -> 1,000.00".into(),
        status: status.into(),
    };
    let with = |p: Vec<ProposalLog>| {
        let mut t = turn("", vec![]);
        t.proposals = p;
        t
    };
    let created = case(
        "      proposals:\n        created: [{action: set_credit_limit, target_model: res.partner, target_ids: [63], preview_contains: willow}]\n",
    );
    assert!(failed(&created, &[with(vec![proposal("pending")])]).is_empty());
    assert_eq!(failed(&created, &[with(vec![])]), ["proposals.created[0]"]);
    assert_eq!(
        failed(&created, &[with(vec![proposal("executed")])]),
        ["proposals never executed"]
    );
    let none = case("      proposals: {none: true}\n");
    assert!(failed(&none, &[with(vec![])]).is_empty());
    assert_eq!(
        failed(&none, &[with(vec![proposal("pending")])]),
        ["proposals none"]
    );
}

#[test]
fn limits_on_model_calls_tokens_and_cost() {
    let text = "id: t\nturns: [{user: hi}]\nlimits: {turns: 1, tokens: 1000, cost_usd: 0.001}\n";
    let c = parse(Path::new("t.yaml"), text).unwrap();
    let failures = score(&c, &[turn("", vec![])], 0.01);
    let checks: Vec<&str> = failures.iter().map(|f| f.check.as_str()).collect();
    assert_eq!(checks, ["limits.turns", "limits.tokens", "limits.cost_usd"]);
    assert_eq!(failures[1].actual, "1100");
    let roomy = "id: t\nturns: [{user: hi}]\nlimits: {turns: 2, tokens: 1100, cost_usd: 0.02}\n";
    let c = parse(Path::new("t.yaml"), roomy).unwrap();
    assert!(score(&c, &[turn("", vec![])], 0.01).is_empty());
}
