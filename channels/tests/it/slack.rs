//! Slack over the Events API against a fake Web API: signatures, the URL
//! check, mentions and direct messages answered once in their thread with a
//! placeholder replaced by the answer, retries dropped, and senders matched
//! by the e-mail of their Slack profile.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use agent::config::{ChannelsConfig, Identities, SlackConfig};
use agent::ingress::{Ingress, IngressSettings, StoreQueue, start_workers};
use agent::store::Store;
use agent::testing::EchoProvider;
use channels::slack::signature::signature_header;
use channels::{ChannelContext, mount};

use crate::slack_fake::FakeSlack;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

const IDENTITIES: &str = r#"
[[identity]]
id = "anna"
name = "Anita Verbeek"
odoo_login = "accountant@example.com"
roles = ["finance"]
email = "anita@example.com"
"#;

/// A server with only the Slack channel mounted, its workers running.
pub struct SlackServer {
    pub fake: FakeSlack,
    pub url: String,
    pub client: reqwest::Client,
    cancel: CancellationToken,
    workers: JoinSet<()>,
}

impl SlackServer {
    pub async fn start() -> Self {
        agent::init_crypto();
        let fake = FakeSlack::start().await;
        let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
        let runtime = agent::testing::runtime(
            Arc::new(EchoProvider {
                delay: Duration::ZERO,
            }),
            store.clone(),
        );
        let settings = IngressSettings {
            poll: Duration::from_millis(50),
            retry_delay: Duration::from_millis(50),
            ..IngressSettings::default()
        };
        let ingress = Ingress::new(Arc::new(StoreQueue(store.clone())), settings);
        let cancel = CancellationToken::new();
        let ctx = ChannelContext {
            runtime: runtime.clone(),
            ingress: ingress.clone(),
            identities: Identities::parse(IDENTITIES).unwrap(),
            cancel: cancel.clone(),
        };
        let config = ChannelsConfig {
            ingress_workers: 4,
            slack: Some(SlackConfig {
                bot_token: SecretString::from("xoxb-test-token"),
                signing_secret: Some(SecretString::from(SECRET)),
                app_token: None,
                api_url: fake.url.clone(),
            }),
            telegram: None,
            whatsapp: None,
            discuss: None,
        };
        let mounted = mount(&config, &ctx).await.unwrap();
        assert_eq!(mounted.names, ["slack"]);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = mounted.router;
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let workers = start_workers(runtime, ingress, mounted.sinks, true, cancel.clone())
            .await
            .unwrap();
        Self {
            fake,
            url,
            client: reqwest::Client::new(),
            cancel,
            workers,
        }
    }

    /// Posts `body` signed as Slack would, `age` seconds ago.
    pub async fn post_signed(&self, path: &str, body: &str, age: i64) -> reqwest::Response {
        let at = Utc::now().timestamp() - age;
        let signature = signature_header(&SecretString::from(SECRET), at, body.as_bytes());
        self.client
            .post(format!("{}{path}", self.url))
            .header("x-slack-request-timestamp", at.to_string())
            .header("x-slack-signature", signature)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        self.cancel.cancel();
        while self.workers.join_next().await.is_some() {}
    }
}

fn mention(event_id: &str, user: &str, text: &str, ts: &str, thread_ts: Option<&str>) -> String {
    let mut event = json!({
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": "C1",
        "event_ts": ts,
    });
    if let Some(thread) = thread_ts {
        event["thread_ts"] = json!(thread);
    }
    callback(event_id, event)
}

fn callback(event_id: &str, event: Value) -> String {
    json!({
        "token": "unused",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_700_000_000,
        "authed_users": ["UBOT"],
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_verification_echoes_the_challenge() {
    let server = SlackServer::start().await;
    let body = json!({ "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" }).to_string();
    let response = server.post_signed("/slack/events", &body, 0).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({ "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" })
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_bad_and_stale_signatures_are_401_and_store_nothing() {
    let server = SlackServer::start().await;
    let body = mention("Ev1", "UANITA", "<@UBOT> hi", "1.000001", None);
    let url = format!("{}/slack/events", server.url);
    let now = Utc::now().timestamp();

    let missing = server
        .client
        .post(&url)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);

    let bad = server
        .client
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
    assert_eq!(bad.status(), 401);

    let stale = server.post_signed("/slack/events", &body, 6 * 60).await;
    assert_eq!(stale.status(), 401);

    let valid = server.post_signed("/slack/events", &body, 4 * 60).await;
    assert_eq!(valid.status(), 200);
    server.fake.wait_for("chat.update", 1).await;
    assert_eq!(server.fake.calls_of("chat.postMessage").len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_is_answered_once_in_its_thread_even_when_slack_retries() {
    let server = SlackServer::start().await;
    let body = mention(
        "Ev42",
        "UANITA",
        "<@UBOT> overdue invoices?",
        "1700.000100",
        None,
    );
    let first = server.post_signed("/slack/events", &body, 0).await;
    assert_eq!(first.status(), 200);
    // Slack retries an event it thinks was not acknowledged in time.
    for retry in 1..=2 {
        let at = Utc::now().timestamp();
        let response = server
            .client
            .post(format!("{}/slack/events", server.url))
            .header("x-slack-request-timestamp", at.to_string())
            .header(
                "x-slack-signature",
                signature_header(&SecretString::from(SECRET), at, body.as_bytes()),
            )
            .header("x-slack-retry-num", retry.to_string())
            .header("x-slack-retry-reason", "http_timeout")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    let updates = server.fake.wait_for("chat.update", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts = server.fake.calls_of("chat.postMessage");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].token, "xoxb-test-token");
    assert_eq!(posts[0].body["channel"], "C1");
    assert_eq!(posts[0].body["thread_ts"], "1700.000100");
    assert_eq!(posts[0].body["text"], "Working on it…");
    assert_eq!(server.fake.calls_of("chat.update").len(), 1);
    // The placeholder is replaced with the answer.
    assert_eq!(updates[0].body["ts"], "1700000000.000001");
    assert_eq!(updates[0].body["channel"], "C1");
    assert_eq!(
        updates[0].body["text"],
        "echo: &lt;@UBOT&gt; overdue invoices?"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_is_matched_by_the_e_mail_of_their_profile_looked_up_once() {
    let server = SlackServer::start().await;
    for (i, user) in ["UANITA", "UANITA", "UNOBODY"].iter().enumerate() {
        let body = mention(
            &format!("Ev{i}"),
            user,
            "hello",
            &format!("1700.00020{i}"),
            None,
        );
        assert_eq!(
            server.post_signed("/slack/events", &body, 0).await.status(),
            200
        );
    }
    let updates = server.fake.wait_for("chat.update", 2).await;
    let posts = server.fake.wait_for("chat.postMessage", 3).await;
    // users.info once per user, not per message.
    let lookups: Vec<Value> = server
        .fake
        .calls_of("users.info")
        .into_iter()
        .map(|c| c.body["user"].clone())
        .collect();
    assert_eq!(lookups, [json!("UANITA"), json!("UNOBODY")]);
    let mut texts: Vec<String> = updates
        .iter()
        .map(|c| c.body["text"].as_str().unwrap().to_owned())
        .chain(
            posts
                .iter()
                .filter(|c| c.body["text"] != "Working on it…")
                .map(|c| c.body["text"].as_str().unwrap().to_owned()),
        )
        .collect();
    texts.sort();
    // Sorted: the refusal ("Sorry…") before the two answers.
    assert!(texts[0].starts_with("Sorry, I can only help"), "{texts:?}");
    assert_eq!(texts[1..], ["echo: hello", "echo: hello"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages_are_answered_and_bot_messages_and_edits_ignored() {
    let server = SlackServer::start().await;
    let dm = |event_id: &str, extra: Value| {
        let mut event = json!({
            "type": "message",
            "channel": "D1",
            "channel_type": "im",
            "user": "UANITA",
            "text": "in private",
            "ts": "1700.000300",
        });
        for (k, v) in extra.as_object().unwrap() {
            event[k] = v.clone();
        }
        callback(event_id, event)
    };
    let bot = dm("EvBot", json!({ "bot_id": "B1", "subtype": "bot_message" }));
    let edit = dm("EvEdit", json!({ "subtype": "message_changed" }));
    let in_channel = dm(
        "EvChan",
        json!({ "channel_type": "channel", "channel": "C9" }),
    );
    for body in [&bot, &edit, &in_channel] {
        assert_eq!(
            server.post_signed("/slack/events", body, 0).await.status(),
            200
        );
    }
    let direct = dm("EvDm", json!({}));
    assert_eq!(
        server
            .post_signed("/slack/events", &direct, 0)
            .await
            .status(),
        200
    );
    let updates = server.fake.wait_for("chat.update", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(updates[0].body["text"], "echo: in private");
    assert_eq!(updates[0].body["channel"], "D1");
    assert_eq!(server.fake.calls_of("chat.postMessage").len(), 1);
    assert_eq!(server.fake.calls_of("chat.update").len(), 1);
    server.stop().await;
}
