//! WhatsApp against a fake Cloud API speaking the documented JSON: the
//! subscription check, signatures, duplicates, statuses, media messages,
//! splitting, documents, proposal cards and their buttons, the 24-hour
//! window, a restart, and the renderer.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

use agent::config::{ChannelUser, Identities, Platform, WhatsappConfig};
use agent::ingress::{
    Enqueued, InboundMessage, JobState, NewJob, ProposalCard, Reply, ReplySink, Sender,
};
use agent::proposals::{NewProposal, ProposalStatus};
use agent::schedule::DeliveryError;
use agent::store::Store;
use channels::whatsapp;
use tools::proposals::{Proposal, ProposalAction};
use tools::{IdentityId, Role};

use crate::channel_server::{CHANNEL_WAIT, ChannelServer, demo_odoo, only};
use crate::whatsapp_fake::FakeGraph;

pub const TOKEN: &str = "EAAGm0PX4ZCpsBAtest";
const APP_SECRET: &str = "6c3b1a0e2f9d4c7b8a5e1d0c9b8a7f6e";
const VERIFY_TOKEN: &str = "verify-me-4711";
const PHONE_ID: &str = "106540352242922";
/// Anna (finance) and Sam (sales) as WhatsApp ids; Mallory is unknown.
const ANNA: &str = "31612345678";
const SAM: &str = "31687654321";
const MALLORY: &str = "4915112345678";

const PEOPLE: &str = r#"
[[identity]]
id = "anna"
name = "Anita Verbeek"
odoo_login = "accountant@harbourline.example"
roles = ["finance"]
whatsapp_number = "+31 6 1234 5678"

[[identity]]
id = "sam"
name = "Sam Okoro"
odoo_login = "sales@harbourline.example"
roles = ["sales"]
whatsapp_number = "+31 6 8765 4321"
"#;

fn people() -> Identities {
    Identities::parse(PEOPLE).unwrap()
}

/// The demo company with Anna and Sam acting as its accountant and its
/// salesman, so approvals run as their Odoo users.
async fn odoo_with_people() -> Arc<agent::odoo::OdooBackend> {
    crate::channel_server::demo_odoo_for(Some(PEOPLE)).await
}

fn config(fake: &FakeGraph) -> WhatsappConfig {
    WhatsappConfig {
        access_token: SecretString::from(TOKEN.to_owned()),
        app_secret: SecretString::from(APP_SECRET.to_owned()),
        verify_token: SecretString::from(VERIFY_TOKEN.to_owned()),
        phone_number_id: PHONE_ID.to_owned(),
        api_url: fake.url.clone(),
    }
}

async fn start(fake: &FakeGraph) -> ChannelServer {
    let channels = only(|c| c.whatsapp = Some(config(fake)));
    ChannelServer::start(channels, people()).await
}

/// A `messages` notification for our number carrying `messages` and
/// `statuses`, the senders' profiles in `contacts`.
fn notification(messages: Vec<Value>, statuses: Vec<Value>) -> String {
    let contacts: Vec<Value> = messages
        .iter()
        .map(|m| json!({"profile": {"name": "Anita"}, "wa_id": m["from"]}))
        .collect();
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID},
    });
    if !messages.is_empty() {
        value["contacts"] = json!(contacts);
        value["messages"] = json!(messages);
    }
    if !statuses.is_empty() {
        value["statuses"] = json!(statuses);
    }
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    })
    .to_string()
}

fn text(id: &str, from: &str, body: &str) -> Value {
    json!({
        "from": from,
        "id": id,
        "timestamp": Utc::now().timestamp().to_string(),
        "text": {"body": body},
        "type": "text",
    })
}

fn press(id: &str, from: &str, button: &str) -> Value {
    json!({
        "context": {"from": "15550783881", "id": "wamid.card"},
        "from": from,
        "id": id,
        "timestamp": Utc::now().timestamp().to_string(),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button, "title": "Approve"}},
    })
}

async fn post(server: &ChannelServer, body: &str, signature: Option<String>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(server.url("/whatsapp/webhook"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Hub-Signature-256", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

fn signed(body: &str) -> Option<String> {
    Some(whatsapp::signature_header(
        &SecretString::from(APP_SECRET.to_owned()),
        body.as_bytes(),
    ))
}

async fn post_signed(server: &ChannelServer, body: &str) -> u16 {
    post(server, body, signed(body)).await
}

/// Lets workers and spawned answers run, so a second answer would show.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn the_subscription_check_echoes_the_challenge_only_for_our_token() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let get = |query: &str| {
        let url = server.url(&format!("/whatsapp/webhook?{query}"));
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(
        get(&format!(
            "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY_TOKEN}"
        ))
        .await,
        (200, "1158201444".to_owned())
    );
    for query in [
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me-4712".to_owned(),
        "hub.mode=subscribe&hub.challenge=1158201444".to_owned(),
        format!("hub.mode=unsubscribe&hub.challenge=1&hub.verify_token={VERIFY_TOKEN}"),
    ] {
        assert_eq!(get(&query).await.0, 403, "{query}");
    }
    server.stop().await;
}

#[tokio::test]
async fn missing_wrong_and_tampered_signatures_are_401_and_store_nothing() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let body = notification(vec![text("wamid.sig1", ANNA, "What is overdue?")], vec![]);
    let other_secret = whatsapp::signature_header(
        &SecretString::from("another-app-secret".to_owned()),
        body.as_bytes(),
    );
    let tampered = body.replace("What is overdue?", "Pay Mallory 1000");
    let bare_hex = signed(&body).unwrap().replace("sha256=", "");
    for (body, signature) in [
        (body.clone(), None),
        (body.clone(), Some(other_secret)),
        (body.clone(), Some("sha256=zz".to_owned())),
        (body.clone(), Some(bare_hex)),
        // Signed for the original body, sent with another.
        (tampered, signed(&body)),
    ] {
        assert_eq!(post(&server, &body, signature).await, 401);
    }
    settle().await;
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    // Signed as Meta signs: stored and answered.
    assert_eq!(post_signed(&server, &body).await, 200);
    fake.wait_for("text", 1).await;
    server.stop().await;
}

#[tokio::test]
async fn a_text_is_answered_once_to_its_number_even_when_meta_sends_it_again() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let body = notification(vec![text("wamid.HBgL1", ANNA, "What is overdue?")], vec![]);
    for _ in 0..3 {
        assert_eq!(post_signed(&server, &body).await, 200);
    }
    let sent = fake.wait_for("text", 1).await;
    settle().await;
    assert_eq!(fake.sent("text").len(), 1, "{:?}", fake.calls());
    assert_eq!(
        sent[0],
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": ANNA,
            "type": "text",
            "text": {"preview_url": false, "body": "echo: What is overdue?"},
            "context": {"message_id": "wamid.HBgL1"},
        })
    );
    // Marked read with a typing indicator while the answer was worked on.
    assert_eq!(
        fake.sent("read"),
        [json!({
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.HBgL1",
            "typing_indicator": {"type": "text"},
        })]
    );
    for call in fake.calls() {
        assert_eq!(
            (call.token.as_str(), call.phone_number_id.as_str()),
            (TOKEN, PHONE_ID)
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn status_updates_are_accepted_and_answered_with_nothing() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let statuses = vec![
        json!({"id": "wamid.out1", "status": "delivered", "timestamp": "1765000000",
            "recipient_id": ANNA, "conversation": {"id": "c1", "origin": {"type": "service"}},
            "pricing": {"billable": true, "pricing_model": "PMP", "category": "service"}}),
        json!({"id": "wamid.out2", "status": "failed", "timestamp": "1765000001",
            "recipient_id": ANNA, "errors": [{"code": 131047, "title": "Re-engagement message",
            "message": "Re-engagement message", "error_data": {"details": "24 hours passed"}}]}),
    ];
    assert_eq!(
        post_signed(&server, &notification(vec![], statuses)).await,
        200
    );
    // A notification for another number of the business account is not ours.
    let foreign = notification(vec![text("wamid.other", ANNA, "hi")], vec![])
        .replace(PHONE_ID, "999999999999");
    assert_eq!(post_signed(&server, &foreign).await, 200);
    settle().await;
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    server.stop().await;
}

#[tokio::test]
async fn a_photo_gets_one_polite_text_only_answer() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let photo = json!({
        "from": ANNA, "id": "wamid.photo1", "timestamp": Utc::now().timestamp().to_string(),
        "type": "image",
        "image": {"caption": "invoice", "mime_type": "image/jpeg", "sha256": "abc", "id": "2754859441498128"},
    });
    let reaction = json!({
        "from": ANNA, "id": "wamid.react1", "timestamp": Utc::now().timestamp().to_string(),
        "type": "reaction", "reaction": {"message_id": "wamid.out1", "emoji": "👍"},
    });
    let body = notification(vec![photo, reaction], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(post_signed(&server, &body).await, 200);
    let sent = fake.wait_for("text", 1).await;
    settle().await;
    assert_eq!(fake.sent("text").len(), 1);
    assert_eq!(sent[0]["text"]["body"], whatsapp::TEXT_ONLY);
    assert_eq!(sent[0]["context"]["message_id"], "wamid.photo1");
    server.stop().await;
}

/// A message to Anna as the ingress stores it, sent `age` ago.
fn inbound(age: chrono::Duration) -> InboundMessage {
    InboundMessage {
        channel: "whatsapp".to_owned(),
        conversation_key: format!("whatsapp:{PHONE_ID}:{ANNA}"),
        user: ChannelUser {
            platform: Platform::Whatsapp,
            user_id: ANNA.to_owned(),
            email: None,
            display_name: Some("Anita".to_owned()),
        },
        sender: Sender::Refused,
        text: "q".to_owned(),
        route: json!({
            "to": ANNA,
            "message_id": "wamid.q1",
            "sent_at": (Utc::now() - age).timestamp(),
        }),
        received_at: Utc::now(),
    }
}

#[tokio::test]
async fn long_answers_are_split_and_files_uploaded_to_media_then_sent_as_documents() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let record = server
        .store
        .attachments()
        .save_attachment(agent::store::NewAttachment {
            id: agent::store::AttachmentId::new(),
            owner: "anna".to_owned(),
            thread_id: agent::store::ThreadId(Uuid::new_v4()),
            turn_id: agent::store::TurnId(Uuid::new_v4()),
            call_id: "call_1".to_owned(),
            ordinal: 0,
            file: tools::attachment::Attachment {
                file_name: "overdue.csv".to_owned(),
                media_type: "text/csv".to_owned(),
                bytes: b"partner,amount\nHarbour,1250.00\n".to_vec(),
            },
        })
        .await
        .unwrap();
    let sink = whatsapp::WhatsappSink::new(&config(&fake), server.runtime.clone());
    let message = inbound(chrono::Duration::minutes(5));
    let reply = Reply {
        text: "Overdue invoices are listed below. ".repeat(300),
        attachments: vec![agent::turn::AttachmentView::from(&record)],
        ..Reply::refusal(message.thread_id(), "whatsapp")
    };
    sink.deliver(&message, &reply).await.unwrap();
    let texts = fake.sent("text");
    assert!(texts.len() >= 3, "{} messages", texts.len());
    for (i, part) in texts.iter().enumerate() {
        let body = part["text"]["body"].as_str().unwrap();
        assert!(body.chars().count() <= whatsapp::MESSAGE_LIMIT);
        // Only the first part quotes the question.
        assert_eq!(part["context"].is_null(), i > 0, "{part}");
    }
    let uploads: Vec<Value> = fake
        .calls()
        .into_iter()
        .filter(|c| c.edge == "media")
        .map(|c| c.body)
        .collect();
    assert_eq!(
        uploads,
        [json!({
            "messaging_product": "whatsapp",
            "type": "text/csv",
            "file": {
                "filename": "overdue.csv",
                "content_type": "text/csv",
                "content": "partner,amount\nHarbour,1250.00\n",
            },
        })]
    );
    let documents = fake.sent("document");
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["to"], ANNA);
    assert_eq!(documents[0]["document"]["filename"], "overdue.csv");
    // The media id the upload answered with.
    assert_eq!(documents[0]["document"]["id"], "1037543291543637");
    // Texts first, then the document.
    let order: Vec<String> = fake.calls().into_iter().map(|c| c.edge).collect();
    assert_eq!(order.last().map(String::as_str), Some("messages"));
    server.stop().await;
}

fn card(preview: &str) -> ProposalCard {
    ProposalCard {
        id: Uuid::parse_str("6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b").unwrap(),
        action: "place_credit_hold".to_owned(),
        preview: preview.to_owned(),
        required_role: Role::Finance,
        expires_at: chrono::DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z")
            .unwrap()
            .to_utc(),
        target_model: "res.partner".to_owned(),
        target_ids: vec![7],
    }
}

/// WhatsApp's rules for a reply-button message.
fn assert_valid_buttons(message: &Value) {
    let interactive = &message["interactive"];
    assert_eq!(interactive["type"], "button");
    assert!(
        interactive["body"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= whatsapp::BODY_LIMIT
    );
    assert!(
        interactive["header"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 60
    );
    assert!(
        interactive["footer"]["text"]
            .as_str()
            .unwrap()
            .chars()
            .count()
            <= 60
    );
    let buttons = interactive["action"]["buttons"].as_array().unwrap();
    assert!((1..=3).contains(&buttons.len()));
    for button in buttons {
        assert_eq!(button["type"], "reply");
        assert!(button["reply"]["id"].as_str().unwrap().len() <= 256);
        assert!(button["reply"]["title"].as_str().unwrap().chars().count() <= 20);
    }
}

#[test]
fn proposal_cards_are_reply_button_messages_within_whatsapp_limits() {
    let message = whatsapp::proposal_message(
        ANNA,
        &card("res.partner 7 (Harbour B.V.)\n  credit_hold: false -> true"),
    );
    assert_valid_buttons(&message);
    insta::assert_json_snapshot!(message);
    // A long preview is shortened and says where the whole one is.
    let long = whatsapp::proposal_message(ANNA, &card(&"partner 7: limit 0 -> 1\n".repeat(100)));
    assert_valid_buttons(&long);
    let body = long["interactive"]["body"]["text"].as_str().unwrap();
    assert!(
        body.contains("…```")
            && body.contains("/api/proposals/6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b"),
        "{body}"
    );
}

#[tokio::test]
async fn proposals_in_a_reply_are_sent_as_cards_after_the_text() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let sink = whatsapp::WhatsappSink::new(&config(&fake), server.runtime.clone());
    let message = inbound(chrono::Duration::minutes(1));
    let reply = Reply {
        text: "Harbour is 45 days overdue; I propose a credit hold.".to_owned(),
        proposals: vec![card("credit_hold: false -> true")],
        ..Reply::refusal(message.thread_id(), "whatsapp")
    };
    sink.deliver(&message, &reply).await.unwrap();
    let cards = fake.sent("interactive");
    assert_eq!(cards.len(), 1);
    assert_valid_buttons(&cards[0]);
    assert_eq!(cards[0]["to"], ANNA);
    assert_eq!(fake.sent("text").len(), 1);
    server.stop().await;
}

/// Stores a finance proposal raising the demo company's credit limit.
async fn propose(server: &ChannelServer) -> Uuid {
    let mut proposal = Proposal::new(
        ProposalAction::SetCreditLimit {
            partner_id: 1,
            new_limit: rust_decimal::Decimal::new(12_500, 0),
        },
        "Credit limit: 0.00 -> 12500.00",
        vec![],
        Role::Finance,
        Utc::now(),
    );
    proposal.expires_at = Utc::now() + chrono::Duration::hours(1);
    let id = proposal.proposal_id;
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

async fn status(server: &ChannelServer, id: Uuid) -> ProposalStatus {
    server
        .runtime
        .proposals()
        .proposal(id)
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn a_press_without_the_role_is_refused_and_anna_s_approval_executes_once() {
    let fake = FakeGraph::start().await;
    let store = Arc::new(agent::testing::sqlite_store().await);
    let channels = only(|c| c.whatsapp = Some(config(&fake)));
    let server =
        ChannelServer::start_on(store, odoo_with_people().await, channels, people(), true).await;
    let id = propose(&server).await;
    let approve = format!("pa:{id}");
    let answer_to = |wamid: &'static str| {
        let fake = &fake;
        async move {
            let deadline = tokio::time::Instant::now() + CHANNEL_WAIT;
            loop {
                if let Some(sent) = fake
                    .sent("text")
                    .into_iter()
                    .find(|m| m["context"]["message_id"] == wamid)
                {
                    return sent["text"]["body"].as_str().unwrap().to_owned();
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "no answer to {wamid}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };

    let body = notification(vec![press("wamid.p1", MALLORY, &approve)], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(
        answer_to("wamid.p1").await,
        "Only people set up with a role can approve or reject proposals."
    );
    let body = notification(vec![press("wamid.p2", SAM, &approve)], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(
        answer_to("wamid.p2").await,
        "Not permitted: this proposal needs the finance role."
    );
    assert_eq!(status(&server, id).await, ProposalStatus::Pending);

    let body = notification(vec![press("wamid.p3", ANNA, &approve)], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(
        answer_to("wamid.p3").await,
        "Approved and executed by Anita Verbeek."
    );
    assert_eq!(status(&server, id).await, ProposalStatus::Executed);
    // Meta sends the same press again: not answered twice.
    assert_eq!(post_signed(&server, &body).await, 200);
    // Anna presses again: it is not executed again.
    let body = notification(vec![press("wamid.p4", ANNA, &approve)], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(answer_to("wamid.p4").await, "Already executed.");
    settle().await;
    assert_eq!(fake.sent("text").len(), 4, "{:?}", fake.sent("text"));
    let client = server
        .odoo
        .connector
        .client_for(&tools::Identity::local_operator())
        .await
        .unwrap();
    let partner = client
        .search_read(
            "res.partner",
            json!([["id", "=", 1]]),
            &["credit_limit"],
            None,
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(partner[0]["credit_limit"].as_f64(), Some(12_500.0));
    server.stop().await;
}

#[tokio::test]
async fn a_closed_window_sends_no_free_text_and_fails_at_once_with_a_clear_error() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    // A message Meta delivers late, 25 hours after Anna sent it.
    let message = inbound(chrono::Duration::hours(25));
    let Enqueued::Stored(job) = server
        .ingress
        .submit(NewJob {
            dedupe_key: format!("whatsapp:{PHONE_ID}:wamid.late"),
            message,
        })
        .await
        .unwrap()
    else {
        panic!("not stored");
    };
    let deadline = tokio::time::Instant::now() + CHANNEL_WAIT;
    let failed = loop {
        let stored = server.ingress.queue().job(job).await.unwrap().unwrap();
        if stored.state == JobState::Failed {
            break stored;
        }
        assert!(tokio::time::Instant::now() < deadline, "{stored:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Given up after one attempt, not retried.
    assert_eq!(failed.attempts, 1);
    let error = failed.error.unwrap();
    assert!(
        error.contains("24-hour customer-service window is closed")
            && error.contains("only an approved message template"),
        "{error}"
    );
    assert!(fake.sent("text").is_empty(), "{:?}", fake.calls());

    // The window looked open to us but WhatsApp says 131047: the same error.
    fake.close_window(ANNA);
    let sink = whatsapp::WhatsappSink::new(&config(&fake), server.runtime.clone());
    let message = inbound(chrono::Duration::hours(1));
    let reply = Reply {
        text: "Here you are.".to_owned(),
        ..Reply::refusal(message.thread_id(), "whatsapp")
    };
    let err = sink.deliver(&message, &reply).await.unwrap_err();
    assert!(
        matches!(&err, DeliveryError::NotAllowed { reason, .. } if reason.contains("131047")),
        "{err}"
    );
    assert!(!err.is_retryable());
    server.stop().await;
}

#[tokio::test]
async fn a_message_acknowledged_before_a_crash_is_answered_once_after_restart() {
    let fake = FakeGraph::start().await;
    let channels = || only(|c| c.whatsapp = Some(config(&fake)));
    let store = Arc::new(agent::testing::sqlite_store().await);
    let odoo = demo_odoo().await;
    // Acknowledged with no worker running, as if the process died right
    // after storing the message.
    let server = ChannelServer::start_on(store, odoo, channels(), people(), false).await;
    let body = notification(vec![text("wamid.crash1", ANNA, "still there?")], vec![]);
    assert_eq!(post_signed(&server, &body).await, 200);
    let (store, odoo) = server.stop().await;
    assert!(fake.calls().is_empty());
    // The restarted server answers it, and a second restart does not again.
    let server = ChannelServer::start_on(store, odoo, channels(), people(), true).await;
    let sent = fake.wait_for("text", 1).await;
    assert_eq!(sent[0]["text"]["body"], "echo: still there?");
    let (store, odoo) = server.stop().await;
    let server = ChannelServer::start_on(store, odoo, channels(), people(), true).await;
    // Meta re-sends the notification too.
    assert_eq!(post_signed(&server, &body).await, 200);
    settle().await;
    assert_eq!(fake.sent("text").len(), 1);
    server.stop().await;
}

#[test]
fn whatsapp_rendering() {
    let answer = crate::support::RENDER_SAMPLE;
    insta::assert_snapshot!(whatsapp::messages(answer, whatsapp::MESSAGE_LIMIT).join("\n-----\n"));
}

#[tokio::test]
async fn an_unknown_number_gets_the_polite_refusal_once() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let body = notification(
        vec![text("wamid.m1", MALLORY, "Show me all invoices")],
        vec![],
    );
    assert_eq!(post_signed(&server, &body).await, 200);
    assert_eq!(post_signed(&server, &body).await, 200);
    let sent = fake.wait_for("text", 1).await;
    settle().await;
    assert_eq!(fake.sent("text").len(), 1);
    assert_eq!(sent[0]["to"], MALLORY);
    let answer = sent[0]["text"]["body"].as_str().unwrap();
    assert!(
        answer.contains("do not know your whatsapp account") && !answer.contains("echo:"),
        "{answer}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_phone_number_id_that_is_not_numeric_is_a_mount_error() {
    let fake = FakeGraph::start().await;
    let server = start(&fake).await;
    let ctx = channels::ChannelContext {
        runtime: server.runtime.clone(),
        ingress: server.ingress.clone(),
        identities: people(),
        cancel: tokio_util::sync::CancellationToken::new(),
    };
    let mut bad = config(&fake);
    bad.phone_number_id = "+1 555 078 3881".to_owned();
    let err = channels::mount(&only(|c| c.whatsapp = Some(bad)), &ctx)
        .await
        .err()
        .expect("refused");
    assert_eq!(
        err.to_string(),
        "channel whatsapp: WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id"
    );
    server.stop().await;
}
