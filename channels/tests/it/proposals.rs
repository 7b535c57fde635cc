//! The proposal API over HTTP against the demo company: show, approve once,
//! reject with a reason, and clear JSON errors (400, 404, 409).

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use agent::config::Config;
use agent::odoo::OdooBackend;
use agent::proposals::NewProposal;
use chrono::Utc;
use pretty_assertions::assert_eq;
use reqwest::Method;
use serde_json::{Value, json};
use tools::proposals::{Precondition, Proposal, ProposalAction};
use tools::{IdentityId, Role};

use crate::support::{Setup, TestServer, json_response};

/// A server on the demo company (40 partners), acting as its administrator.
pub(crate) async fn demo_server(setup: Setup) -> TestServer {
    demo_server_with(setup, &[]).await
}

/// Like [`demo_server`], with `extra` configuration.
pub(crate) async fn demo_server_with(mut setup: Setup, extra: &[(&str, &str)]) -> TestServer {
    agent::init_crypto();
    let env: Vec<(String, String)> = [
        ("ODOO_AGENT_DEMO_PARTNERS", "40"),
        ("ODOO_AGENT_DEMO_LOGIN", "admin@harbourline.example"),
    ]
    .iter()
    .chain(extra)
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let config = Config::load(None, env).unwrap();
    setup.identities = config.identities.clone();
    let odoo = Arc::new(OdooBackend::from_config(&config).await.unwrap());
    let store = Arc::new(agent::testing::sqlite_store().await);
    let provider = Arc::new(crate::support::ScriptedProvider::default());
    let runtime = agent::testing::runtime_with_odoo(provider, store, odoo);
    TestServer::start_with(setup, runtime).await
}

/// Stores a finance proposal raising partner 1's credit limit, guarded by
/// a credit limit of `expected`.
pub(crate) async fn propose(server: &TestServer, expected: Value, ttl: chrono::Duration) -> String {
    let mut proposal = Proposal::new(
        ProposalAction::SetCreditLimit {
            partner_id: PARTNER,
            new_limit: rust_decimal::Decimal::new(12_500, 0),
        },
        "Credit limit: 0.00 -> 12500.00",
        vec![],
        Role::Finance,
        Utc::now(),
    );
    if expected != Value::Null {
        proposal.preconditions.push(Precondition::FieldEquals {
            model: "res.partner".to_owned(),
            id: PARTNER,
            field: "credit_limit".to_owned(),
            expected,
            description: "credit limit unchanged".to_owned(),
        });
    }
    proposal.expires_at = Utc::now() + ttl;
    let id = proposal.proposal_id.to_string();
    server
        .runtime
        .proposals()
        .insert_proposals(vec![NewProposal {
            proposal,
            thread_id: None,
            turn_id: None,
            created_by: IdentityId("model".to_owned()),
            company_id: None,
        }])
        .await
        .unwrap();
    id
}

/// The demo company's own partner.
const PARTNER: i64 = 1;

async fn post(server: &TestServer, path: &str, body: Option<&Value>) -> (u16, Value) {
    json_response(
        server
            .send_json(Method::POST, path, body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_proposal_is_shown_approved_once_and_then_conflicts() {
    let server = demo_server(Setup::default()).await;
    let id = propose(&server, Value::Null, chrono::Duration::hours(1)).await;

    let (status, body) = json_response(
        server
            .get(&format!("/api/proposals/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");
    assert_eq!(body["action"], "set_credit_limit");
    assert_eq!(body["params"]["new_limit"], "12500");
    assert_eq!(body["required_role"], "finance");

    let (status, body) = post(&server, &format!("/api/proposals/{id}/approve"), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "executed");
    assert_eq!(body["decided_by"], "local");
    assert_eq!(body["outcome"]["odoo"], json!(true));

    let (status, body) = post(&server, &format!("/api/proposals/{id}/approve"), None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_decided");
    assert_eq!(
        body["error"]["message"],
        format!("proposal {id} is already executed")
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_stays_rejected() {
    let server = demo_server(Setup::default()).await;
    let id = propose(&server, Value::Null, chrono::Duration::hours(1)).await;
    let path = format!("/api/proposals/{id}/reject");

    let (status, body) = post(&server, &path, Some(&json!({}))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `reason`")
    );
    let (status, body) = post(&server, &path, Some(&json!({"reason": " "}))).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("invalid_reason"))
    );

    let (status, body) = post(&server, &path, Some(&json!({"reason": "pays late"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["status"].clone(), body["reason"].clone()),
        (json!("rejected"), json!("pays late"))
    );
    let (status, body) = post(&server, &format!("/api/proposals/{id}/approve"), None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("already_decided"))
    );
}

#[tokio::test]
async fn expired_and_changed_proposals_conflict_and_unknown_ones_are_not_found() {
    let server = demo_server(Setup::default()).await;
    let expired = propose(&server, Value::Null, chrono::Duration::seconds(-1)).await;
    let (status, body) = post(&server, &format!("/api/proposals/{expired}/approve"), None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("expired")),
        "{body}"
    );

    let changed = propose(&server, json!(123456.0), chrono::Duration::hours(1)).await;
    let (status, body) = post(&server, &format!("/api/proposals/{changed}/approve"), None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "preconditions_changed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("credit limit unchanged")
    );
    let (_, shown) = json_response(
        server
            .get(&format!("/api/proposals/{changed}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(shown["status"], "failed");

    let unknown = uuid::Uuid::new_v4();
    let (status, body) = post(&server, &format!("/api/proposals/{unknown}/approve"), None).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("proposal_not_found"))
    );
    let (status, body) = json_response(
        server
            .get("/api/proposals/not-a-uuid")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("invalid_proposal_id"))
    );
    let (status, _) = json_response(
        server
            .client
            .get(server.url(&format!("/api/proposals/{unknown}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "the key is required");
}

/// Anna (finance, the demo accountant) and Sam (sales, the demo salesman),
/// each with their own API key.
pub(crate) fn identities_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("identities.toml");
    let text = format!(
        "[[identity]]\nid = \"anna\"\nname = \"Anita Verbeek\"\n\
         odoo_login = \"accountant@harbourline.example\"\nroles = [\"finance\"]\n\
         api_key_sha256 = \"{}\"\n\n\
         [[identity]]\nid = \"sam\"\nname = \"Sam Okoro\"\n\
         odoo_login = \"sales@harbourline.example\"\nroles = [\"sales\"]\n\
         api_key_sha256 = \"{}\"\n",
        agent::config::sha256_hex("anna-secret-key"),
        agent::config::sha256_hex("sam-secret-key"),
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

pub(crate) async fn post_as(
    server: &TestServer,
    key: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = server.client.post(server.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    json_response(request.send().await.unwrap()).await
}

#[tokio::test]
async fn each_api_key_acts_as_its_identity_with_its_roles_and_odoo_user() {
    let dir = tempfile::tempdir().unwrap();
    let file = identities_file(&dir);
    let server = demo_server_with(
        Setup::default(),
        &[("ODOO_AGENT_IDENTITIES", file.as_str())],
    )
    .await;
    let id = propose(&server, Value::Null, chrono::Duration::hours(1)).await;

    // Sam is in sales: the finance proposal is not his to decide.
    let path = format!("/api/proposals/{id}/approve");
    let (status, body) = post_as(&server, "sam-secret-key", &path, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "not_permitted");
    assert_eq!(
        body["error"]["message"],
        format!("sam may not decide proposal {id}: it requires the finance role")
    );
    let (status, _) = post_as(&server, "not-a-key", &path, None).await;
    assert_eq!(status, 401);

    // Anna is in finance: it runs as her Odoo user, the accountant.
    let (status, body) = post_as(&server, "anna-secret-key", &path, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["status"].clone(), body["decided_by"].clone()),
        (json!("executed"), json!("anna"))
    );

    // A chat turn runs as the key's identity, and the operator key still works.
    let (status, body) = post_as(
        &server,
        "sam-secret-key",
        "/api/chat",
        Some(&json!({"message": "hello"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let thread = body["thread_id"].as_str().unwrap().parse().unwrap();
    let turns = server.runtime.store().turns(thread).await.unwrap();
    assert_eq!(turns[0].identity_id, "sam");
    let (status, body) = post(&server, "/api/chat", Some(&json!({"message": "hi"}))).await;
    assert_eq!(status, 200, "{body}");
    let thread = body["thread_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        server.runtime.store().turns(thread).await.unwrap()[0].identity_id,
        "local"
    );
}
