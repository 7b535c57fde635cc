//! Bank match confirmations over HTTP (spec 2.8) against the demo company:
//! a confirmed match is re-read from Odoo, its rule stored, and the next
//! run of `bank_reconciliation_suggest` scores the line as learned; the
//! refusals are JSON errors naming the problem.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tools::Identity;

use crate::proposals::{demo_server, demo_server_with, identities_file, post_as};
use crate::support::{API_KEY, Setup, TestServer};

const PATH: &str = "/api/reconciliation/confirmations";

/// The first record of `model` matching `domain`, with `fields`.
async fn find(server: &TestServer, model: &str, domain: Value, fields: &[&str]) -> Value {
    let client = server
        .runtime
        .odoo()
        .unwrap()
        .connector
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let found = client
        .search_read(model, domain, fields, Some("id"), Some(1), None)
        .await
        .unwrap();
    found.into_iter().next().unwrap()
}

/// Spec 2.7's third example: the SaaS Corp subscription line and its
/// invoice: (line id, its journal, its company, the invoice's move id).
async fn subscription(server: &TestServer) -> (i64, i64, i64, i64) {
    let line = find(
        server,
        "account.bank.statement.line",
        json!([["payment_ref", "=", "Subscription Payment Feb"]]),
        &["id", "journal_id", "company_id"],
    )
    .await;
    let invoice = find(
        server,
        "account.move",
        json!([
            "|",
            ["name", "=", "INV/SUB/022"],
            ["ref", "=", "INV/SUB/022"]
        ]),
        &["id"],
    )
    .await;
    (
        line["id"].as_i64().unwrap(),
        line["journal_id"][0].as_i64().unwrap(),
        line["company_id"][0].as_i64().unwrap(),
        invoice["id"].as_i64().unwrap(),
    )
}

/// The suggestion of `bank_reconciliation_suggest` for the line alone, as
/// the model would get it.
async fn suggestion(server: &TestServer, journal: i64, line: i64) -> Value {
    let ctx = tools::testing_ctx();
    let args = json!({"journal_id": journal, "statement_line_ids": [line]});
    let outcome = server
        .runtime
        .tools()
        .dispatch(
            &ctx,
            "call_1",
            "bank_reconciliation_suggest",
            &args.to_string(),
            Duration::from_secs(60),
        )
        .await;
    let output = outcome.result.unwrap().output;
    output["data"]["suggestions"][0].clone()
}

#[tokio::test]
async fn a_confirmed_match_makes_the_next_run_score_the_line_as_learned() {
    let server = demo_server(Setup::default()).await;
    let (line, journal, company, invoice) = subscription(&server).await;
    // Reference fuzzy, amount and partner equal: 0.50 without a rule.
    let before = suggestion(&server, journal, line).await;
    assert_eq!(before["match_type"], "fuzzy", "{before}");
    assert_eq!(before["confidence"], json!(0.5), "{before}");

    let body = json!({"company_id": company, "statement_line_id": line, "move_id": invoice});
    let (status, rule) = post_as(&server, API_KEY, PATH, Some(&body)).await;
    assert_eq!(status, 201, "{rule}");
    assert_eq!(
        (
            rule["company_id"].clone(),
            rule["journal_id"].clone(),
            rule["bank_text"].clone(),
            rule["bank_partner"].clone(),
            rule["entry_ref"].clone(),
            rule["entry_partner"].clone(),
            rule["use_count"].clone(),
        ),
        (
            json!(company),
            json!(journal),
            json!("subscription payment feb"),
            json!("saas corp"),
            json!("inv sub #"),
            json!("saas corp"),
            json!(0),
        )
    );

    // Spec 2.7: 0.35 + 0.15 + 0.10 = 0.60 learned, citing the rule.
    let after = suggestion(&server, journal, line).await;
    assert_eq!(after["match_type"], "learned", "{after}");
    assert_eq!(after["confidence"], json!(0.6), "{after}");
    assert_eq!(after["breakdown"]["learned"], json!(0.1), "{after}");
    let cited = after["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "LEARNED" && r["rule_id"] == rule["id"]);
    assert!(cited, "{after}");

    // Confirming again finds the same rule; its one use is counted.
    let (status, again) = post_as(&server, API_KEY, PATH, Some(&body)).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["id"], rule["id"]);
    assert_eq!(again["use_count"], json!(1));
    let stored = server
        .runtime
        .rules()
        .rules(company, journal)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].use_count, 1);
}

#[tokio::test]
async fn confirmations_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let file = identities_file(&dir);
    let server = demo_server_with(
        Setup::default(),
        &[("ODOO_AGENT_IDENTITIES", file.as_str())],
    )
    .await;
    let (line, journal, company, invoice) = subscription(&server).await;
    let body = |company: i64, line: i64, invoice: i64| json!({"company_id": company, "statement_line_id": line, "move_id": invoice});

    // Sam is in sales: confirming bank matches takes finance or admin.
    let (status, error) = post_as(
        &server,
        "sam-secret-key",
        PATH,
        Some(&body(company, line, invoice)),
    )
    .await;
    assert_eq!(status, 403, "{error}");
    assert_eq!(
        error["error"]["message"],
        "sam may not confirm bank matches: it takes the finance or admin role"
    );

    let cases = [
        (
            body(company, 999_999, invoice),
            404,
            "record_not_found",
            "statement line 999999 not found",
        ),
        (
            body(company, line, 999_999),
            404,
            "record_not_found",
            "entry 999999 not found",
        ),
        (
            body(company + 100, line, invoice),
            422,
            "other_company",
            "belongs to company",
        ),
        (
            body(company, 0, invoice),
            400,
            "bad_request",
            "statement_line_id: expected a positive Odoo id",
        ),
        (
            json!({"company_id": company, "statement_line_id": line}),
            400,
            "invalid_json",
            "move_id",
        ),
    ];
    for (request, expected_status, code, text) in cases {
        let (status, error) = post_as(&server, "anna-secret-key", PATH, Some(&request)).await;
        assert_eq!(status, expected_status, "{request}: {error}");
        assert_eq!(error["error"]["code"], code, "{request}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(text), "{request}: {message}");
    }
    // Nothing was learned from the refused requests.
    assert!(
        server
            .runtime
            .rules()
            .rules(company, journal)
            .await
            .unwrap()
            .is_empty()
    );
}
