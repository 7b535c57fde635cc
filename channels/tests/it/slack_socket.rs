//! Socket Mode against a fake WebSocket server: events, commands and button
//! presses handled like the HTTP requests, each acknowledged (events and
//! commands once stored), a reconnection when Slack asks for one or the
//! connection drops, and no HTTP route without a signing secret.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::json;

use agent::proposals::{ProposalStatus, ProposalStore};
use channels::slack::card::APPROVE_ACTION;

use crate::channel_server::ChannelServer;
use crate::slack_cards::press_payload;
use crate::slack_commands::mention;
use crate::slack_fake::{CLOSE, FakeSlack, FakeSocket};
use crate::slack_setup::{APP_TOKEN, odoo, people, post_signed, propose, slack_only};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_mode_acks_each_envelope_once_stored_and_answers() {
    let fake = FakeSlack::start().await;
    let socket = FakeSocket::start(vec![
        // The first connection: a mention, then Slack asks to reconnect.
        vec![
            json!({
                "envelope_id": "env-event-1",
                "type": "events_api",
                "accepts_response_payload": false,
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": mention("EvSock", "<@UBOT> over the socket", "1700.000600"),
            }),
            json!({
                "type": "disconnect",
                "reason": "refresh_requested",
                "debug_info": { "host": "applink-fake" }
            }),
        ],
        // The second: a slash command.
        vec![json!({
            "envelope_id": "env-command-1",
            "type": "slash_commands",
            "accepts_response_payload": true,
            "payload": {
                "token": "unused", "team_id": "T1", "team_domain": "harbourline",
                "channel_id": "C1", "channel_name": "finance", "user_id": "UANITA",
                "user_name": "anita", "command": "/odoo", "text": "and by socket?",
                "api_app_id": "A1", "is_enterprise_install": "false",
                "response_url": "https://hooks.slack.com/commands/T1/2/abcdef",
                "trigger_id": "1700.2.socket"
            }
        })],
    ])
    .await;
    fake.serve_socket(&socket.url);
    // An app token and no signing secret: Socket Mode only.
    let server = ChannelServer::start(slack_only(&fake, false, true), people()).await;
    let body = mention("EvHttp", "hi", "1.1").to_string();
    let over_http = post_signed(&server.url("/slack/events"), "application/json", &body, 0).await;
    assert_eq!(over_http.status(), 404);

    let acks = socket.wait_for_acks(2).await;
    assert_eq!(acks[0], json!({ "envelope_id": "env-event-1" }));
    assert_eq!(
        acks[1],
        json!({
            "envelope_id": "env-command-1",
            "payload": { "response_type": "ephemeral", "text": "Working on it…" }
        })
    );
    assert_eq!(socket.connections(), 2);
    let opened = fake.calls_of("apps.connections.open");
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0].token, APP_TOKEN);

    let updates = fake.wait_for("chat.update", 1).await;
    assert_eq!(
        updates[0].body["text"],
        "echo: &lt;@UBOT&gt; over the socket"
    );
    let posts = fake.wait_for("chat.postMessage", 2).await;
    assert!(
        posts
            .iter()
            .any(|p| p.body["text"] == "> and by socket?\necho: and by socket?"),
        "{posts:?}"
    );
    // Shutdown closes the connection and ends the task.
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_opened_again() {
    let fake = FakeSlack::start().await;
    let socket = FakeSocket::start(vec![
        // Dropped right after `hello`, without a `disconnect`.
        vec![CLOSE],
        vec![json!({
            "envelope_id": "env-after-drop",
            "type": "events_api",
            "accepts_response_payload": false,
            "payload": mention("EvDrop", "<@UBOT> back again?", "1700.000700"),
        })],
    ])
    .await;
    fake.serve_socket(&socket.url);
    let server = ChannelServer::start(slack_only(&fake, false, true), people()).await;
    let acks = socket.wait_for_acks(1).await;
    assert_eq!(acks, [json!({ "envelope_id": "env-after-drop" })]);
    assert_eq!(socket.connections(), 2);
    assert_eq!(fake.calls_of("apps.connections.open").len(), 2);
    let updates = fake.wait_for("chat.update", 1).await;
    assert_eq!(updates[0].body["text"], "echo: &lt;@UBOT&gt; back again?");
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_pressed_over_the_socket_is_acked_and_decided() {
    let fake = FakeSlack::start().await;
    let store = Arc::new(agent::testing::sqlite_store().await);
    let proposals: Arc<dyn ProposalStore> = store.clone();
    let proposal = propose(&proposals).await;
    let socket = FakeSocket::start(vec![vec![json!({
        "envelope_id": "env-press-1",
        "type": "interactive",
        "accepts_response_payload": false,
        "payload": press_payload(APPROVE_ACTION, proposal, "UBOB"),
    })]])
    .await;
    fake.serve_socket(&socket.url);
    let server = ChannelServer::start_on(
        store,
        odoo().await,
        slack_only(&fake, false, true),
        people(),
        true,
    )
    .await;
    let acks = socket.wait_for_acks(1).await;
    assert_eq!(acks, [json!({ "envelope_id": "env-press-1" })]);
    // Bob has no finance role: refused, on the card.
    let updates = fake.wait_for("chat.update", 1).await;
    let blocks = updates[0].body["blocks"].as_array().unwrap();
    assert_eq!(
        blocks.last().unwrap()["elements"][0]["text"],
        "<@UBOB>: Not permitted: this proposal needs the finance role."
    );
    let stored = proposals.proposal(proposal).await.unwrap().unwrap();
    assert_eq!(stored.status, ProposalStatus::Pending);
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .unwrap();
}
