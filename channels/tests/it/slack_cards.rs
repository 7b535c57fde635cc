//! Slack proposal cards: their Block Kit, posted by the sink in the
//! thread, and `POST /slack/interactions` deciding the buttons pressed for
//! the presser (signed like events; refused without the role; executed
//! once however often it is pressed), the card updated with the outcome.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::json;
use uuid::Uuid;

use agent::config::{ChannelUser, Platform};
use agent::ingress::{InboundMessage, ProposalCard, Reply, ReplySink, Sender};
use agent::proposals::{AuditEvent, ProposalStatus, ProposalStore};
use agent::testing::EchoProvider;
use channels::slack::card::{self, APPROVE_ACTION, CardState, REJECT_ACTION};
use channels::slack::signature::signature_header;
use channels::slack::{SlackApi, SlackSink};

use crate::channel_server::ChannelServer;
use crate::slack_fake::{Call, FakeSlack};
use crate::slack_setup::{form, odoo, people, post_signed, propose, slack_only};

const FORM: &str = "application/x-www-form-urlencoded";
/// The ts of the message showing the card.
const CARD_TS: &str = "1700000000.000009";

fn sample_card() -> ProposalCard {
    ProposalCard {
        id: Uuid::parse_str("6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b").unwrap(),
        action: "place_credit_hold".to_owned(),
        preview: "res.partner 7 (Harbour & Sons <B.V.>)\n  credit_hold: false -> true".to_owned(),
        required_role: tools::Role::Finance,
        expires_at: chrono::DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z")
            .unwrap()
            .to_utc(),
        target_model: "res.partner".to_owned(),
        target_ids: vec![7],
    }
}

#[test]
fn proposal_card_blocks() {
    let card = sample_card();
    let render = |state| json!({ "text": card::fallback(&card, state), "blocks": card::blocks(&card, state) });
    insta::assert_json_snapshot!("slack_card_open", render(CardState::Open));
    insta::assert_json_snapshot!(
        "slack_card_refused",
        render(CardState::Refused {
            user: "UBOB",
            reason: "Not permitted: this proposal needs the finance role."
        })
    );
    insta::assert_json_snapshot!(
        "slack_card_decided",
        render(CardState::Decided(
            "Approved and executed by Anita Verbeek."
        ))
    );
}

fn inbound() -> InboundMessage {
    InboundMessage {
        channel: "slack".to_owned(),
        conversation_key: "slack:T1:C1:1700.000100".to_owned(),
        user: ChannelUser {
            platform: Platform::Slack,
            user_id: "UANITA".to_owned(),
            email: None,
            display_name: None,
        },
        sender: Sender::Refused,
        text: "q".to_owned(),
        route: json!({ "channel": "C1", "thread_ts": "1700.000100", "ts": "1700.000100" }),
        received_at: Utc::now(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sink_splits_long_answers_and_posts_each_card_in_the_thread() {
    let fake = FakeSlack::start().await;
    let store: Arc<dyn agent::store::Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime(
        Arc::new(EchoProvider {
            delay: Duration::ZERO,
        }),
        store,
    );
    let sink = SlackSink::new(
        SlackApi::new(&fake.url, SecretString::from("xoxb-test-token")),
        runtime,
    );
    let message = inbound();
    let reply = Reply {
        text: "Overdue invoices are listed below. ".repeat(200),
        proposals: vec![sample_card()],
        ..Reply::refusal(message.thread_id(), "slack")
    };
    sink.deliver(&message, &reply).await.unwrap();
    let posts = fake.calls_of("chat.postMessage");
    assert!(posts.len() >= 4, "{} messages", posts.len());
    let (card, parts) = posts.split_last().unwrap();
    let mut joined = String::new();
    for part in parts {
        assert_eq!(part.body["thread_ts"], "1700.000100");
        let text = part.body["text"].as_str().unwrap();
        assert!(text.chars().count() <= 3_000, "{}", text.len());
        joined.push_str(text);
    }
    // Nothing lost or repeated (the cuts fall on spaces).
    let letters = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(letters(&joined), letters(&reply.text));
    assert_eq!(card.body["channel"], "C1");
    assert_eq!(card.body["thread_ts"], "1700.000100");
    assert_eq!(
        card.body["blocks"],
        serde_json::to_value(card::blocks(&sample_card(), CardState::Open)).unwrap()
    );
    assert!(
        card.body["text"]
            .as_str()
            .unwrap()
            .starts_with("Proposal: place_credit_hold on res.partner 7"),
        "{}",
        card.body
    );
}

/// A button press as Slack posts it (`payload` form field).
fn press(action_id: &str, proposal: Uuid, user: &str) -> String {
    form(&[(
        "payload",
        &press_payload(action_id, proposal, user).to_string(),
    )])
}

/// A button press on the card of `proposal` (the interaction's payload).
pub fn press_payload(action_id: &str, proposal: Uuid, user: &str) -> serde_json::Value {
    json!({
        "type": "block_actions",
        "user": { "id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": "T1" },
        "api_app_id": "A1",
        "token": "unused",
        "container": { "type": "message", "message_ts": CARD_TS, "channel_id": "C1", "is_ephemeral": false },
        "trigger_id": "1700000001.1.abcdef",
        "team": { "id": "T1", "domain": "harbourline" },
        "enterprise": null,
        "is_enterprise_install": false,
        "channel": { "id": "C1", "name": "finance" },
        "message": {
            "bot_id": "B1", "type": "message", "text": "Proposal: set_credit_limit",
            "user": "UBOT", "ts": CARD_TS, "team": "T1", "thread_ts": "1700.000100"
        },
        "response_url": "https://hooks.slack.com/actions/T1/1/abcdef",
        "actions": [{
            "action_id": action_id,
            "block_id": format!("proposal:{proposal}"),
            "text": { "type": "plain_text", "text": "Approve", "emoji": true },
            "value": proposal.to_string(),
            "style": "primary",
            "type": "button",
            "action_ts": "1700000001.000100"
        }]
    })
}

struct Cards {
    server: ChannelServer,
    fake: FakeSlack,
    proposals: Arc<dyn ProposalStore>,
    proposal: Uuid,
}

impl Cards {
    async fn start() -> Self {
        let fake = FakeSlack::start().await;
        let store = Arc::new(agent::testing::sqlite_store().await);
        let proposals: Arc<dyn ProposalStore> = store.clone();
        let proposal = propose(&proposals).await;
        let server = ChannelServer::start_on(
            store,
            odoo().await,
            slack_only(&fake, true, false),
            people(),
            true,
        )
        .await;
        Self {
            server,
            fake,
            proposals,
            proposal,
        }
    }

    async fn press(&self, action_id: &str, user: &str) -> reqwest::Response {
        let body = press(action_id, self.proposal, user);
        post_signed(&self.server.url("/slack/interactions"), FORM, &body, 0).await
    }

    async fn status(&self) -> ProposalStatus {
        self.proposals
            .proposal(self.proposal)
            .await
            .unwrap()
            .unwrap()
            .status
    }

    async fn executions(&self) -> usize {
        self.proposals
            .audit_trail(self.proposal)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event == AuditEvent::Executed)
            .count()
    }
}

/// The block types of an updated card, and its last line.
fn shown(update: &Call) -> (Vec<String>, String) {
    let blocks = update.body["blocks"].as_array().unwrap();
    let kinds = blocks
        .iter()
        .map(|b| b["type"].as_str().unwrap().to_owned())
        .collect();
    let last = blocks.last().unwrap();
    let line = last["text"]["text"]
        .as_str()
        .or(last["elements"][0]["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    (kinds, line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions_need_a_valid_fresh_signature() {
    let cards = Cards::start().await;
    let url = cards.server.url("/slack/interactions");
    let body = press(APPROVE_ACTION, cards.proposal, "UANITA");
    let client = reqwest::Client::new();
    let now = Utc::now().timestamp();

    let missing = client.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let invalid = client
        .post(&url)
        .header("x-slack-request-timestamp", now.to_string())
        .header(
            "x-slack-signature",
            signature_header(&SecretString::from("another secret"), now, body.as_bytes()),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 401);
    let stale = post_signed(&url, FORM, &body, 6 * 60).await;
    assert_eq!(stale.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cards.status().await, ProposalStatus::Pending);
    assert!(cards.fake.calls_of("chat.update").is_empty());

    let garbled = post_signed(&url, FORM, "payload=%7Bnot+json", 0).await;
    assert_eq!(garbled.status(), 400);
    let valid = post_signed(&url, FORM, &body, 0).await;
    assert_eq!(valid.status(), 200);
    cards.fake.wait_for("chat.update", 1).await;
    assert_eq!(cards.status().await, ProposalStatus::Executed);
    cards.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_by_someone_without_the_role_is_refused_on_the_card() {
    let cards = Cards::start().await;
    assert_eq!(cards.press(APPROVE_ACTION, "UBOB").await.status(), 200);
    let updates = cards.fake.wait_for("chat.update", 1).await;
    assert_eq!(updates[0].body["channel"], "C1");
    assert_eq!(updates[0].body["ts"], CARD_TS);
    let (kinds, line) = shown(&updates[0]);
    // The buttons stay for someone who may decide.
    assert_eq!(
        kinds,
        ["header", "section", "context", "actions", "context"]
    );
    assert_eq!(
        line,
        "<@UBOB>: Not permitted: this proposal needs the finance role."
    );
    assert_eq!(cards.status().await, ProposalStatus::Pending);
    assert_eq!(cards.executions().await, 0);
    cards.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_pressed_twice_executes_once_and_the_card_shows_who() {
    let cards = Cards::start().await;
    let (first, second) = tokio::join!(
        cards.press(APPROVE_ACTION, "UANITA"),
        cards.press(APPROVE_ACTION, "UANITA")
    );
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    // Each press updates the card, both with the one outcome.
    let updates = cards.fake.wait_for("chat.update", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cards.fake.calls_of("chat.update").len(), 2);
    assert_eq!(updates[0].body, updates[1].body);
    let (kinds, line) = shown(&updates[0]);
    assert_eq!(kinds, ["header", "section", "context", "section"]);
    assert_eq!(line, "*Approved and executed by Anita Verbeek.*");
    assert_eq!(
        updates[0].body["text"],
        "Proposal: set_credit_limit on res.partner 1. Approved and executed by Anita Verbeek."
    );
    assert_eq!(cards.status().await, ProposalStatus::Executed);
    assert_eq!(cards.executions().await, 1);
    // The presser was looked up by the e-mail of their profile.
    assert_eq!(cards.fake.calls_of("users.info")[0].body["user"], "UANITA");
    cards.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_is_recorded_and_shown() {
    let cards = Cards::start().await;
    assert_eq!(cards.press(REJECT_ACTION, "UANITA").await.status(), 200);
    let updates = cards.fake.wait_for("chat.update", 1).await;
    let (kinds, line) = shown(&updates[0]);
    assert_eq!(kinds, ["header", "section", "context", "section"]);
    assert_eq!(line, "*Rejected by Anita Verbeek.*");
    let stored = cards
        .proposals
        .proposal(cards.proposal)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, ProposalStatus::Rejected);
    assert_eq!(stored.reason.as_deref(), Some("Rejected in Slack"));
    assert_eq!(cards.executions().await, 0);
    // Other buttons and other interactions are acknowledged and ignored.
    let other = press("something_else", cards.proposal, "UANITA");
    let response = post_signed(&cards.server.url("/slack/interactions"), FORM, &other, 0).await;
    assert_eq!(response.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cards.fake.calls_of("chat.update").len(), 1);
    cards.server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_pressed_after_a_decision_elsewhere_shows_that_decision() {
    let cards = Cards::start().await;
    // Approved in the web chat, say: this card still has its buttons.
    let anna = tools::Identity {
        id: tools::IdentityId("anna".to_owned()),
        display_name: "Anita Verbeek".to_owned(),
        roles: vec![tools::Role::Finance],
    };
    let approvals = cards.server.runtime.approvals().unwrap();
    approvals.approve(cards.proposal, &anna).await.unwrap();
    assert_eq!(cards.press(REJECT_ACTION, "UBOB").await.status(), 200);
    let updates = cards.fake.wait_for("chat.update", 1).await;
    let (kinds, line) = shown(&updates[0]);
    assert_eq!(kinds, ["header", "section", "context", "section"]);
    assert_eq!(line, "*Approved and executed by Anita Verbeek.*");
    assert_eq!(cards.status().await, ProposalStatus::Executed);
    assert_eq!(cards.executions().await, 1);
    cards.server.stop().await;
}

#[test]
fn mrkdwn_rendering() {
    let parts = channels::slack::mrkdwn::messages(crate::support::RENDER_SAMPLE);
    insta::assert_snapshot!(parts.join("\n-----\n"));
}
