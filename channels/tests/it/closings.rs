//! The closing checklist over HTTP: read, mark steps done or open, reopen,
//! with the spec's refusals as JSON errors.

// The fixtures below are plain fns called by the tests; a failure there is
// a failed test.
#![allow(clippy::unwrap_used)]

use axum::{Extension, Router};
use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use agent::Runtime;
use agent::closing::{Closings, Scan};
use agent::config::HttpConfig;
use channels::web::{self, WebState};
use tools::automations::month_end_closing_scan::CheckKey;
use tools::{Identity, IdentityId, Role};

use crate::support::{API_KEY, WAIT, json_response};

const COMPANY: i64 = 1;
const PERIOD: &str = "2026-02";

async fn runtime_with_closing(items: &[(CheckKey, u64)]) -> Runtime {
    agent::init_crypto();
    let runtime = crate::support::runtime(None, None).await;
    let company = agent::testing::closing_company(COMPANY);
    let data = agent::testing::closing_scan(PERIOD, items);
    let scan = Scan {
        company: &company,
        data: &data,
        data_json: serde_json::to_value(&data).unwrap(),
        by: "local",
        at: Utc::now(),
    };
    Closings::new(runtime.store().closings())
        .record_scan(&scan)
        .await
        .unwrap();
    runtime
}

/// Serves the API; `caller`, when set, is the identity a layer in front
/// of the API key check names.
async fn serve(runtime: &Runtime, caller: Option<Identity>) -> String {
    let config = HttpConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        api_key: Some(SecretString::from(API_KEY.to_owned())),
        max_body_bytes: 64 * 1024,
        shutdown_grace: WAIT,
    };
    let mut router: Router = web::router(WebState::new(runtime.clone(), &config));
    if let Some(identity) = caller {
        router = router.layer(Extension(identity));
    }
    let listener = TcpListener::bind(config.bind).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    json_response(response).await
}

async fn post(base: &str, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(API_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    json_response(response).await
}

fn step<'a>(closing: &'a Value, key: &str) -> &'a Value {
    closing["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap()
}

#[tokio::test]
async fn a_closing_reads_back_and_a_step_is_marked_done_with_a_note_by_the_caller() {
    let runtime = runtime_with_closing(&[(CheckKey::BankUnreconciled, 3)]).await;
    let base = serve(&runtime, None).await;

    let (status, closing) = get(&base, "/api/closings/1/2026-02").await;
    assert_eq!(status, 200, "{closing}");
    assert_eq!(
        (
            &closing["status"],
            &closing["company_id"],
            &closing["period"]
        ),
        (&json!("open"), &json!(1), &json!("2026-02"))
    );
    assert_eq!(closing["steps"].as_array().unwrap().len(), 10);
    assert_eq!(step(&closing, "bank_unreconciled")["state"], json!("open"));
    assert_eq!(closing["scan"]["period"], "2026-02");

    let (status, refused) = post(
        &base,
        "/api/closings/1/2026-02/items/bank_unreconciled",
        json!({"done": true}),
    )
    .await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (400, &json!("note_required"))
    );

    let (status, changed) = post(
        &base,
        "/api/closings/1/2026-02/items/bank_unreconciled",
        json!({"done": true, "note": "three fees, booked"}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    let bank = step(&changed, "bank_unreconciled");
    assert_eq!(
        (&bank["state"], &bank["changed_by"], &bank["note"]),
        (
            &json!("done"),
            &json!("local"),
            &json!("three fees, booked")
        )
    );
    let (_, read) = get(&base, "/api/closings/1/2026-02").await;
    assert_eq!(read, changed);
}

#[tokio::test]
async fn completing_then_changing_conflicts_until_the_closing_is_reopened() {
    let runtime = runtime_with_closing(&[]).await;
    let base = serve(&runtime, None).await;

    let (status, completed) = post(
        &base,
        "/api/closings/1/2026-02/items/final_review",
        json!({"done": true, "note": "reviewed"}),
    )
    .await;
    assert_eq!(status, 200, "{completed}");
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["completed_by"], "local");

    let (status, conflict) = post(
        &base,
        "/api/closings/1/2026-02/items/draft_entries",
        json!({"done": false}),
    )
    .await;
    assert_eq!(
        (status, &conflict["error"]["code"]),
        (409, &json!("closing_completed"))
    );

    let (status, reopened) = post(&base, "/api/closings/1/2026-02/reopen", json!({})).await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["status"], "open");
    assert_eq!(step(&reopened, "final_review")["state"], "open");
}

#[tokio::test]
async fn bad_paths_unknown_closings_and_steps_are_clear_errors() {
    let runtime = runtime_with_closing(&[]).await;
    let base = serve(&runtime, None).await;

    let cases = [
        ("/api/closings/acme/2026-02", 400, "invalid_closing_path"),
        ("/api/closings/1/2026-13", 400, "invalid_closing_path"),
        ("/api/closings/1/2026-03", 404, "closing_not_found"),
        ("/api/closings/2/2026-02", 404, "closing_not_found"),
    ];
    for (path, status, code) in cases {
        let (got, body) = get(&base, path).await;
        assert_eq!(
            (got, &body["error"]["code"]),
            (status, &json!(code)),
            "{path}"
        );
    }
    let (status, body) = post(
        &base,
        "/api/closings/1/2026-02/items/bank",
        json!({"done": true, "note": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "unknown_step");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("bank_unreconciled, draft_entries"),
        "{body}"
    );
    let (status, body) = post(
        &base,
        "/api/closings/1/2026-02/items/draft_entries",
        json!({"done": "yes"}),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("invalid_json"))
    );
}

#[tokio::test]
async fn only_finance_or_admin_change_a_closing_while_anyone_reads_it() {
    let runtime = runtime_with_closing(&[]).await;
    let sales = Identity {
        id: IdentityId("slack:U5".to_owned()),
        display_name: "Sam".to_owned(),
        roles: vec![Role::Sales],
    };
    let finance = Identity {
        id: IdentityId("slack:U7".to_owned()),
        display_name: "Fay".to_owned(),
        roles: vec![Role::Finance],
    };
    let as_sales = serve(&runtime, Some(sales)).await;
    let as_finance = serve(&runtime, Some(finance)).await;
    let path = "/api/closings/1/2026-02/items/draft_entries";

    let (status, body) = post(&as_sales, path, json!({"done": true})).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("not_permitted"))
    );
    let (status, _) = get(&as_sales, "/api/closings/1/2026-02").await;
    assert_eq!(status, 200);

    let (status, body) = post(&as_finance, path, json!({"done": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(step(&body, "draft_entries")["changed_by"], "slack:U7");
}
