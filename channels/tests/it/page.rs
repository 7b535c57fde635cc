//! The web chat over plain HTTP: the page and its assets with their
//! security headers, and the proposal cards a turn's answer carries (JSON
//! and stream). The page itself runs in a real browser in `browser`.

#![allow(clippy::unwrap_used)]

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::support::{Setup, TestServer, WAIT, json_response, parse_sse};
use crate::webchat_fixture::{LIMIT_BEFORE, PARTNER, webchat_server};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// Status, the named headers and the body of an unauthenticated `GET`.
async fn fetch(server: &TestServer, path: &str, headers: &[&str]) -> (u16, Vec<String>, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let values = headers
        .iter()
        .map(|name| {
            response
                .headers()
                .get(*name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        })
        .collect();
    (status, values, response.text().await.unwrap())
}

#[tokio::test]
async fn the_page_needs_no_key_and_allows_only_its_own_script_style_and_api() {
    let server = TestServer::start(Setup::default()).await;
    let (status, headers, body) = fetch(
        &server,
        "/",
        &[
            "content-type",
            "content-security-policy",
            "x-content-type-options",
            "x-frame-options",
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers,
        ["text/html; charset=utf-8", CSP, "nosniff", "DENY"]
    );
    // The server has a key, so the page asks for it before anything else.
    assert!(body.contains(r#"<body data-auth="key">"#), "{body}");
    assert!(body.contains(r#"<script src="/assets/chat.js" defer></script>"#));

    for (path, media_type, marker) in [
        (
            "/assets/chat.js",
            "text/javascript; charset=utf-8",
            "text/event-stream",
        ),
        ("/assets/chat.css", "text/css; charset=utf-8", ".proposal"),
        (
            "/assets/markdown.js",
            "text/javascript; charset=utf-8",
            "OdooAgentMarkdown",
        ),
    ] {
        let (status, headers, body) =
            fetch(&server, path, &["content-type", "x-content-type-options"]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers, [media_type, "nosniff"], "{path}");
        assert!(body.contains(marker), "{path} lacks {marker}");
    }
}

#[tokio::test]
async fn a_keyless_loopback_server_tells_the_page_not_to_ask_for_a_key() {
    let server = TestServer::start(Setup {
        api_key: None,
        ..Setup::default()
    })
    .await;
    let (status, _, body) = fetch(&server, "/", &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<body data-auth="open">"#), "{body}");
}

#[tokio::test]
async fn the_api_stays_closed_to_the_page_without_the_key() {
    let server = TestServer::start(Setup::default()).await;
    let response = server
        .client
        .post(server.url("/api/chat"))
        .header("content-type", "application/json")
        .body(json!({"message": "hello"}).to_string())
        .send()
        .await
        .unwrap();
    let (status, body) = json_response(response).await;
    assert_eq!(status, 401, "{body}");
}

/// The card a `propose 12500` turn should carry, ids and times aside.
fn expected_card() -> Value {
    json!({
        "call_id": "call_offer_credit_limit",
        "action": "set_credit_limit",
        "target": {"model": "res.partner", "ids": [PARTNER]},
        "preview": "Credit limit of <Harbourline>: 0.00 -> 12500.00",
        "changes": [{
            "model": "res.partner",
            "id": PARTNER,
            "field": "credit_limit",
            "before": LIMIT_BEFORE,
            "after": 12500.0,
        }],
        "required_role": "finance",
        "status": "pending",
    })
}

/// The card without its id, expiry and URLs, after checking that the URLs
/// name the id.
fn card_without_ids(mut card: Value) -> (String, Value) {
    let id = card["proposal_id"].as_str().unwrap().to_owned();
    assert_eq!(card["approve_url"], format!("/api/proposals/{id}/approve"));
    assert_eq!(card["reject_url"], format!("/api/proposals/{id}/reject"));
    assert!(card["expires_at"].as_str().is_some(), "{card}");
    let fields = card.as_object_mut().unwrap();
    for key in ["proposal_id", "approve_url", "reject_url", "expires_at"] {
        fields.remove(key);
    }
    (id, card)
}

#[tokio::test]
async fn a_turn_answers_with_the_cards_of_the_proposals_it_stored() {
    let (server, _hold) = webchat_server(Setup::default()).await;
    let (status, body) = json_response(
        server
            .chat(&json!({"message": "propose 12500"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["proposals"].as_array().unwrap().len(), 1, "{body}");
    let (id, card) = card_without_ids(body["proposals"][0].clone());
    assert_eq!(card, expected_card());

    // The card's id is the stored, pending proposal.
    let (status, stored) = json_response(
        server
            .get(&format!("/api/proposals/{id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["status"], "pending");
    assert_eq!(stored["turn_id"], body["turn_id"]);

    // A turn without proposals says nothing about them.
    let (_, plain) = json_response(
        server
            .chat(&json!({"message": "hello"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(plain.get("proposals"), None, "{plain}");
}

#[tokio::test]
async fn a_streamed_turn_sends_each_card_before_its_call_finishes() {
    let (server, _hold) = webchat_server(Setup::default()).await;
    let body = server
        .chat(&json!({"message": "propose 12500"}))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let events = parse_sse(&body);
    let names: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        names,
        [
            "started",
            "tool_started",
            "proposal",
            "tool_finished",
            "text_delta",
            "text_delta",
            "done"
        ]
    );
    let (_, card) = card_without_ids(events[2].data.clone());
    assert_eq!(card, expected_card());
    let done = &events[6].data;
    assert_eq!(done["proposals"][0], events[2].data);
}

#[tokio::test]
async fn the_first_words_reach_the_page_while_the_model_is_still_writing() {
    let (server, hold) = webchat_server(Setup::default()).await;
    let mut response = server
        .chat(&json!({"message": "slowly"}))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    // The model holds its second delta until released: whatever arrives
    // now was streamed, not sent with the finished answer.
    let mut body = String::new();
    while !body.contains("event: text_delta") {
        let chunk = tokio::time::timeout(WAIT, response.chunk())
            .await
            .expect("a delta in time")
            .unwrap()
            .expect("the stream stays open");
        body.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert!(body.contains(r#"{"text":"Part one, "}"#), "{body}");
    assert!(!body.contains("part two"), "{body}");

    hold.release();
    let rest = tokio::time::timeout(WAIT, response.text())
        .await
        .unwrap()
        .unwrap();
    let events = parse_sse(&format!("{body}{rest}"));
    let done = events.last().unwrap();
    assert_eq!(done.event, "done");
    assert_eq!(done.data["reply"], "Part one, part two.");
}
