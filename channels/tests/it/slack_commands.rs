//! `/odoo` over `POST /slack/commands`, files uploaded the current way
//! (`files.getUploadURLExternal`, the bytes, `files.completeUploadExternal`),
//! and a crash between the acknowledgement and the answer.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};

use agent::config::{ChannelUser, Platform};
use agent::ingress::{InboundMessage, Reply, ReplySink, Sender};
use agent::store::Store;
use agent::testing::EchoProvider;
use channels::slack::{SlackApi, SlackSink};

use crate::channel_server::ChannelServer;
use crate::slack_fake::FakeSlack;
use crate::slack_setup::{form, odoo, people, post_signed, slack_only};

const FORM: &str = "application/x-www-form-urlencoded";

fn command(text: &str, trigger: &str) -> String {
    command_in(
        "C1",
        "https://hooks.slack.com/commands/T1/1/abcdef",
        text,
        trigger,
    )
}

fn command_in(channel: &str, response_url: &str, text: &str, trigger: &str) -> String {
    form(&[
        ("token", "unused"),
        ("team_id", "T1"),
        ("team_domain", "harbourline"),
        ("channel_id", channel),
        ("channel_name", "finance"),
        ("user_id", "UANITA"),
        ("user_name", "anita"),
        ("command", "/odoo"),
        ("text", text),
        ("api_app_id", "A1"),
        ("response_url", response_url),
        ("trigger_id", trigger),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_is_answered_once_in_the_channel() {
    let fake = FakeSlack::start().await;
    let server = ChannelServer::start(slack_only(&fake, true, false), people()).await;
    let url = server.url("/slack/commands");
    let body = command(
        "overdue invoices?",
        "13345224609.738474920.8088930838d88f008e0",
    );

    let unsigned = reqwest::Client::new()
        .post(&url)
        .header("content-type", FORM)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(post_signed(&url, FORM, &body, 6 * 60).await.status(), 401);

    // Sent again (as after a timeout): one job, one answer.
    for _ in 0..3 {
        let response = post_signed(&url, FORM, &body, 0).await;
        assert_eq!(response.status(), 200);
        let ack: Value = response.json().await.unwrap();
        assert_eq!(
            ack,
            json!({ "response_type": "ephemeral", "text": "Working on it…" })
        );
    }
    let posts = fake.wait_for("chat.postMessage", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    assert!(fake.calls_of("chat.update").is_empty());
    assert_eq!(posts[0].body["channel"], "C1");
    assert_eq!(posts[0].body.get("thread_ts"), None);
    assert_eq!(
        posts[0].body["text"],
        "> overdue invoices?\necho: overdue invoices?"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_where_the_app_may_not_post_is_answered_through_its_response_url() {
    let fake = FakeSlack::start().await;
    let server = ChannelServer::start(slack_only(&fake, true, false), people()).await;
    let body = command_in("CNOTIN", &fake.response_url(), "overdue?", "1700.3.notin");
    let response = post_signed(&server.url("/slack/commands"), FORM, &body, 0).await;
    assert_eq!(response.status(), 200);
    let responses = fake.wait_for("response_url", 1).await;
    assert_eq!(responses[0].body["response_type"], "ephemeral");
    assert_eq!(responses[0].body["replace_original"], false);
    assert_eq!(
        responses[0].body["text"],
        format!("echo: overdue?\n\n{}", channels::slack::NOT_A_MEMBER)
    );
    // Slack's refusal is not retried.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    assert_eq!(fake.calls_of("response_url").len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_command_gets_the_usage_and_stores_nothing() {
    let fake = FakeSlack::start().await;
    let server = ChannelServer::start(slack_only(&fake, true, false), people()).await;
    let response = post_signed(
        &server.url("/slack/commands"),
        FORM,
        &command("  ", "1.2.3"),
        0,
    )
    .await;
    assert_eq!(response.status(), 200);
    let ack: Value = response.json().await.unwrap();
    assert_eq!(ack["response_type"], "ephemeral");
    assert!(
        ack["text"]
            .as_str()
            .unwrap()
            .contains("/odoo which invoices"),
        "{ack}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    server.stop().await;
}

/// A sink on a fresh store holding one file named `file_name`, the file's
/// view and bytes, and a message from C1 to answer.
async fn sink_with_file(
    fake: &FakeSlack,
    file_name: &str,
) -> (
    SlackSink,
    agent::turn::AttachmentView,
    Vec<u8>,
    InboundMessage,
) {
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let bytes = "partner,amount\nHarbour,1250.00\nZoet,80.00\n"
        .as_bytes()
        .to_vec();
    let record = store
        .attachments()
        .save_attachment(agent::store::NewAttachment {
            id: agent::store::AttachmentId::new(),
            owner: "anna".to_owned(),
            thread_id: agent::store::ThreadId(uuid::Uuid::new_v4()),
            turn_id: agent::store::TurnId(uuid::Uuid::new_v4()),
            call_id: "call_1".to_owned(),
            ordinal: 0,
            file: tools::attachment::Attachment {
                file_name: file_name.to_owned(),
                media_type: "text/csv".to_owned(),
                bytes: bytes.clone(),
            },
        })
        .await
        .unwrap();
    let runtime = agent::testing::runtime(
        Arc::new(EchoProvider {
            delay: Duration::ZERO,
        }),
        Arc::clone(&store),
    );
    let sink = SlackSink::new(
        SlackApi::new(&fake.url, SecretString::from("xoxb-test-token")),
        runtime,
    );
    let message = InboundMessage {
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
    };
    (
        sink,
        agent::turn::AttachmentView::from(&record),
        bytes,
        message,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_uploaded_to_the_thread_in_three_steps() {
    let fake = FakeSlack::start().await;
    let (sink, file, bytes, message) = sink_with_file(&fake, "overdue.csv").await;
    let reply = Reply {
        text: "The overdue invoices are attached.".to_owned(),
        attachments: vec![file],
        ..Reply::refusal(message.thread_id(), "slack")
    };
    sink.deliver(&message, &reply).await.unwrap();

    let steps: Vec<String> = fake
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| m != "chat.postMessage")
        .collect();
    assert_eq!(
        steps,
        [
            "files.getUploadURLExternal",
            "upload",
            "files.completeUploadExternal"
        ]
    );
    let reserve = &fake.calls_of("files.getUploadURLExternal")[0];
    assert_eq!(reserve.token, "xoxb-test-token");
    assert_eq!(
        reserve.body,
        json!({ "filename": "overdue.csv", "length": bytes.len().to_string() })
    );
    let upload = &fake.calls_of("upload")[0];
    assert_eq!(upload.body["length"], bytes.len());
    assert_eq!(upload.body["text"], String::from_utf8(bytes).unwrap());
    let share = &fake.calls_of("files.completeUploadExternal")[0];
    assert_eq!(
        share.body,
        json!({
            "files": [{ "id": "F0001", "title": "overdue.csv" }],
            "channel_id": "C1",
            "thread_ts": "1700.000100",
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_delivery_sends_only_what_did_not_go_out() {
    let fake = FakeSlack::start().await;
    let (sink, file, _, message) = sink_with_file(&fake, "flaky.csv").await;
    let reply = Reply {
        text: "The file follows.".to_owned(),
        attachments: vec![file],
        proposals: vec![],
        ..Reply::refusal(message.thread_id(), "slack")
    };
    // The text goes out, the upload fails: the job will be retried.
    let failed = sink.deliver(&message, &reply).await.unwrap_err();
    assert!(failed.is_retryable(), "{failed}");
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    sink.deliver(&message, &reply).await.unwrap();
    // The text is not posted again; the file is.
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    assert_eq!(fake.calls_of("files.getUploadURLExternal").len(), 2);
    assert_eq!(fake.calls_of("files.completeUploadExternal").len(), 1);
    // A later answer to the same message starts from the beginning.
    sink.deliver(
        &message,
        &Reply {
            attachments: vec![],
            ..reply
        },
    )
    .await
    .unwrap();
    assert_eq!(fake.calls_of("chat.postMessage").len(), 2);
}

pub fn mention(event_id: &str, text: &str, ts: &str) -> Value {
    json!({
        "token": "unused",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": {
            "type": "app_mention",
            "user": "UANITA",
            "text": text,
            "ts": ts,
            "channel": "C1",
            "event_ts": ts,
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "authed_users": ["UBOT"],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_stored_before_a_crash_is_answered_once_after_the_restart() {
    let fake = FakeSlack::start().await;
    let store = Arc::new(agent::testing::sqlite_store().await);
    let odoo = odoo().await;
    // Acknowledged with no worker running, as if the process died right
    // after storing the event.
    let server = ChannelServer::start_on(
        Arc::clone(&store),
        Arc::clone(&odoo),
        slack_only(&fake, true, false),
        people(),
        false,
    )
    .await;
    let body = mention("EvCrash", "<@UBOT> still there?", "1700.000500").to_string();
    let response = post_signed(&server.url("/slack/events"), "application/json", &body, 0).await;
    assert_eq!(response.status(), 200);
    let (store, odoo) = server.stop().await;
    assert!(fake.calls_of("chat.postMessage").is_empty());

    // The restarted server answers it; a second restart does not again.
    let restarted =
        ChannelServer::start_on(store, odoo, slack_only(&fake, true, false), people(), true).await;
    let updates = fake.wait_for("chat.update", 1).await;
    assert_eq!(updates[0].body["text"], "echo: &lt;@UBOT&gt; still there?");
    let (store, odoo) = restarted.stop().await;
    let again =
        ChannelServer::start_on(store, odoo, slack_only(&fake, true, false), people(), true).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.calls_of("chat.update").len(), 1);
    assert_eq!(fake.calls_of("chat.postMessage").len(), 1);
    again.stop().await;
}
