//! Telegram against a fake Bot API (wiremock) speaking the documented
//! JSON: webhook secret, duplicates, groups, long polling, restarts,
//! buttons, splitting, documents, and the MarkdownV2 renderer.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use agent::config::{ChannelUser, ChannelsConfig, Identities, Platform, TelegramConfig};
use agent::ingress::{
    InboundMessage, Ingress, IngressSettings, Reply, ReplySink, Sender, StoreQueue, TurnQueue,
    start_workers,
};
use agent::store::Store;
use agent::testing::EchoProvider;
use channels::{ChannelContext, mount, telegram};

use crate::channel_server::{ChannelServer, only};
use crate::support::WAIT;

const TOKEN: &str = "7000001:AAH-test-token";
const SECRET: &str = "webhook-secret-123";
const BOT_ID: i64 = 7_000_001;
/// Anna, configured with this Telegram user id.
const ANNA: i64 = 93_372_553;

const PEOPLE: &str = r#"
[[identity]]
id = "anna"
name = "Anita Verbeek"
odoo_login = "anna"
roles = ["finance"]
telegram_user = 93372553
"#;

async fn fake_bot_api() -> MockServer {
    let fake = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/bot{TOKEN}/getMe")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "result": {"id": BOT_ID, "is_bot": true, "first_name": "Odoo", "username": "odoo_test_bot"}
        })))
        .mount(&fake)
        .await;
    fake
}

/// Every other method answers `ok` (after the more specific mocks).
async fn accept_everything(fake: &MockServer) {
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "result": {"message_id": 900, "date": 0, "chat": {"id": 1, "type": "private"}}
        })))
        .with_priority(10)
        .mount(fake)
        .await;
}

fn config(fake: &MockServer, secret: Option<&str>) -> TelegramConfig {
    TelegramConfig {
        bot_token: SecretString::from(TOKEN.to_owned()),
        webhook_secret: secret.map(|s| SecretString::from(s.to_owned())),
        api_url: fake.uri().parse().unwrap(),
    }
}

struct Harness {
    base: String,
    client: reqwest::Client,
    store: Arc<dyn Store>,
    ctx: ChannelContext,
    sinks: agent::ingress::Sinks,
    tasks: JoinSet<()>,
    workers: Option<(CancellationToken, JoinSet<()>)>,
}

impl Harness {
    async fn start(fake: &MockServer, secret: Option<&str>, store: Arc<dyn Store>) -> Self {
        agent::init_crypto();
        let runtime = agent::testing::runtime(
            Arc::new(EchoProvider {
                delay: Duration::from_millis(5),
            }),
            Arc::clone(&store),
        );
        let queue: Arc<dyn TurnQueue> = Arc::new(StoreQueue(Arc::clone(&store)));
        let ingress = Ingress::new(
            queue,
            IngressSettings {
                workers: 2,
                retry_delay: Duration::from_millis(20),
                poll: Duration::from_millis(20),
                ..IngressSettings::default()
            },
        );
        let ctx = ChannelContext {
            runtime,
            ingress,
            identities: Identities::parse(PEOPLE).unwrap(),
            cancel: CancellationToken::new(),
        };
        let channels = ChannelsConfig {
            ingress_workers: 2,
            slack: None,
            telegram: Some(config(fake, secret)),
            whatsapp: None,
            discuss: None,
        };
        let mounted = mount(&channels, &ctx).await.unwrap();
        assert_eq!(mounted.names, ["telegram"]);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut tasks = mounted.tasks;
        let router = mounted.router;
        tasks.spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            base,
            client: reqwest::Client::new(),
            store,
            ctx,
            sinks: mounted.sinks,
            tasks,
            workers: None,
        }
    }

    async fn start_workers(&mut self) {
        let cancel = CancellationToken::new();
        let workers = start_workers(
            self.ctx.runtime.clone(),
            self.ctx.ingress.clone(),
            self.sinks.clone(),
            true,
            cancel.clone(),
        )
        .await
        .unwrap();
        self.workers = Some((cancel, workers));
    }

    /// Stops the workers as a crash would: whatever they have not done
    /// yet stays undone.
    async fn stop_workers(&mut self) {
        if let Some((cancel, mut workers)) = self.workers.take() {
            cancel.cancel();
            while workers.join_next().await.is_some() {}
        }
    }

    async fn post(&self, secret: Option<&str>, update: &Value) -> StatusCode {
        let mut request = self
            .client
            .post(format!("{}/telegram/webhook", self.base))
            .json(update);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send().await.unwrap().status()
    }

    async fn stop(mut self) {
        self.stop_workers().await;
        self.ctx.cancel.cancel();
        self.tasks.abort_all();
    }
}

async fn store() -> Arc<dyn Store> {
    Arc::new(agent::testing::sqlite_store().await)
}

fn private_update(update_id: i64, from: i64, text: &str) -> Value {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": 10 + update_id,
            "date": 1_765_000_000,
            "from": {"id": from, "is_bot": false, "first_name": "Anita", "last_name": "Verbeek"},
            "chat": {"id": from, "type": "private", "first_name": "Anita"},
            "text": text
        }
    })
}

/// Requests to `method`, with their JSON bodies.
async fn calls(fake: &MockServer, api_method: &str) -> Vec<Value> {
    fake.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with(&format!("/{api_method}")))
        .map(|r: &Request| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

async fn wait_for_calls(fake: &MockServer, api_method: &str, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let found = calls(fake, api_method).await;
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{api_method}: {} of {count} calls",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_webhook_needs_the_secret_token_and_answers_in_the_chat() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let mut harness = Harness::start(&fake, Some(SECRET), store().await).await;
    harness.start_workers().await;
    let update = private_update(1, ANNA, "What is overdue?");
    // Telegram's header carries no timestamp, so there is nothing to be
    // stale: missing and wrong tokens are the failures.
    assert_eq!(harness.post(None, &update).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        harness.post(Some("wrong-secret-1234"), &update).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        harness.post(Some(""), &update).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(harness.post(Some(SECRET), &update).await, StatusCode::OK);
    let sent = wait_for_calls(&fake, "sendMessage", 1).await;
    assert_eq!(sent[0]["chat_id"], ANNA);
    assert_eq!(sent[0]["parse_mode"], "MarkdownV2");
    assert_eq!(sent[0]["reply_parameters"]["message_id"], 11);
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap()
            .contains("What is overdue?"),
        "{}",
        sent[0]
    );
    let typing = calls(&fake, "sendChatAction").await;
    assert_eq!(typing, [json!({"chat_id": ANNA, "action": "typing"})]);
    harness.stop().await;
}

#[tokio::test]
async fn a_resent_update_is_answered_once() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let mut harness = Harness::start(&fake, Some(SECRET), store().await).await;
    harness.start_workers().await;
    let update = private_update(2, ANNA, "hello");
    for _ in 0..3 {
        assert_eq!(harness.post(Some(SECRET), &update).await, StatusCode::OK);
    }
    wait_for_calls(&fake, "sendMessage", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(calls(&fake, "sendMessage").await.len(), 1);
    harness.stop().await;
}

#[tokio::test]
async fn groups_are_answered_only_when_the_bot_is_mentioned_or_replied_to() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let mut harness = Harness::start(&fake, Some(SECRET), store().await).await;
    harness.start_workers().await;
    let group = json!({"id": -100_123, "type": "supergroup", "title": "Finance"});
    let from = json!({"id": ANNA, "is_bot": false, "first_name": "Anita"});
    let updates = [
        // Chatter between people: ignored.
        json!({"update_id": 20, "message": {"message_id": 1, "date": 0, "from": from,
            "chat": group, "text": "lunch at noon?"}}),
        // Another bot mentioned: ignored.
        json!({"update_id": 21, "message": {"message_id": 2, "date": 0, "from": from,
            "chat": group, "text": "@other_bot ping",
            "entities": [{"type": "mention", "offset": 0, "length": 10}]}}),
        // Mentioned (after an emoji: offsets count UTF-16 units), in a topic.
        json!({"update_id": 22, "message": {"message_id": 3, "message_thread_id": 77,
            "is_topic_message": true, "date": 0, "from": from, "chat": group,
            "text": "👋 @Odoo_Test_Bot overdue invoices?",
            "entities": [{"type": "mention", "offset": 3, "length": 14}]}}),
        // A reply to the bot's message.
        json!({"update_id": 23, "message": {"message_id": 4, "date": 0, "from": from,
            "chat": group, "text": "and last month?",
            "reply_to_message": {"message_id": 900, "date": 0, "chat": group,
                "from": {"id": BOT_ID, "is_bot": true, "first_name": "Odoo"}, "text": "…"}}}),
    ];
    for update in &updates {
        assert_eq!(harness.post(Some(SECRET), update).await, StatusCode::OK);
    }
    let sent = wait_for_calls(&fake, "sendMessage", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_now = calls(&fake, "sendMessage").await;
    assert_eq!(sent_now.len(), 2, "{sent_now:?}");
    let topic = sent
        .iter()
        .find(|m| m["message_thread_id"] == 77)
        .expect("topic answer");
    let text = topic["text"].as_str().unwrap();
    assert!(
        text.contains("👋 overdue invoices?") && !text.contains("Odoo_Test_Bot"),
        "{text}"
    );
    let reply = sent
        .iter()
        .find(|m| m["reply_parameters"]["message_id"] == 4)
        .expect("reply");
    assert!(reply["text"].as_str().unwrap().contains("and last month?"));
    harness.stop().await;
}

#[tokio::test]
async fn a_job_stored_before_a_crash_is_answered_once_after_the_restart() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let store = store().await;
    // Acknowledged with no worker running, as if the process died right
    // after storing the update.
    let harness = Harness::start(&fake, Some(SECRET), Arc::clone(&store)).await;
    assert_eq!(
        harness
            .post(Some(SECRET), &private_update(3, ANNA, "still there?"))
            .await,
        StatusCode::OK
    );
    harness.stop().await;
    assert!(calls(&fake, "sendMessage").await.is_empty());
    // The restarted server answers it, and a second restart does not again.
    let mut restarted = Harness::start(&fake, Some(SECRET), Arc::clone(&store)).await;
    restarted.start_workers().await;
    wait_for_calls(&fake, "sendMessage", 1).await;
    restarted.stop_workers().await;
    restarted.start_workers().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(calls(&fake, "sendMessage").await.len(), 1);
    restarted.stop().await;
}

#[tokio::test]
async fn long_polling_advances_the_offset_after_storing() {
    let fake = fake_bot_api().await;
    Mock::given(method("POST"))
        .and(path(format!("/bot{TOKEN}/getUpdates")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "result": [private_update(500, ANNA, "polled question")]
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fake)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/bot{TOKEN}/getUpdates")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": true, "result": []}))
                .set_delay(Duration::from_millis(100)),
        )
        .with_priority(2)
        .mount(&fake)
        .await;
    accept_everything(&fake).await;
    let mut harness = Harness::start(&fake, None, store().await).await;
    // Without a secret there is no webhook.
    assert_eq!(
        harness
            .post(Some(SECRET), &private_update(1, ANNA, "x"))
            .await,
        StatusCode::NOT_FOUND
    );
    harness.start_workers().await;
    let sent = wait_for_calls(&fake, "sendMessage", 1).await;
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap()
            .contains("polled question")
    );
    let polls = wait_for_calls(&fake, "getUpdates", 2).await;
    assert_eq!(polls[0]["offset"], Value::Null);
    assert_eq!(polls[0]["timeout"], 30);
    assert_eq!(polls[1]["offset"], 501);
    harness.stop().await;
}

#[tokio::test]
async fn a_button_pressed_by_someone_without_a_role_is_refused() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let harness = Harness::start(&fake, Some(SECRET), store().await).await;
    let id = uuid::Uuid::new_v4();
    let press = json!({
        "update_id": 40,
        "callback_query": {
            "id": "cb-1",
            "from": {"id": 5555, "is_bot": false, "first_name": "Mallory"},
            "chat_instance": "1",
            "data": format!("pa:{id}"),
            "message": {"message_id": 901, "date": 0, "chat": {"id": ANNA, "type": "private"},
                "text": "Proposal: place_credit_hold"}
        }
    });
    assert_eq!(harness.post(Some(SECRET), &press).await, StatusCode::OK);
    let answers = wait_for_calls(&fake, "answerCallbackQuery", 1).await;
    assert_eq!(answers[0]["callback_query_id"], "cb-1");
    assert_eq!(answers[0]["show_alert"], true);
    assert!(
        answers[0]["text"]
            .as_str()
            .unwrap()
            .contains("Only people set up with a role"),
        "{}",
        answers[0]
    );
    // The card is left as it was, and no turn was stored.
    assert!(calls(&fake, "editMessageText").await.is_empty());
    assert!(
        harness
            .store
            .ingress()
            .claim(Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    harness.stop().await;
}

/// Anna as an approver on the demo company: her Odoo user exists there.
const APPROVER: &str = r#"
[[identity]]
id = "anna"
name = "Anita Verbeek"
odoo_login = "accountant@harbourline.example"
roles = ["finance"]
telegram_user = 93372553
"#;

/// The demo company (40 partners) with an Odoo user for each of `people`.
async fn odoo_knowing(people: &str) -> Arc<agent::odoo::OdooBackend> {
    agent::init_crypto();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("identities.toml");
    std::fs::write(&file, people).unwrap();
    let env: Vec<(String, String)> = [
        ("ODOO_AGENT_DEMO_PARTNERS", "40".to_owned()),
        (
            "ODOO_AGENT_DEMO_LOGIN",
            "admin@harbourline.example".to_owned(),
        ),
        ("ODOO_AGENT_IDENTITIES", file.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = agent::config::Config::load(None, env).unwrap();
    Arc::new(
        agent::odoo::OdooBackend::from_config(&config)
            .await
            .unwrap(),
    )
}

/// A finance proposal raising the demo company's own credit limit.
async fn credit_limit_proposal(runtime: &agent::Runtime) -> uuid::Uuid {
    let proposal = tools::proposals::Proposal::new(
        tools::proposals::ProposalAction::SetCreditLimit {
            partner_id: 1,
            new_limit: rust_decimal::Decimal::new(12_500, 0),
        },
        "Credit limit: 0.00 -> 12500.00",
        vec![],
        tools::Role::Finance,
        Utc::now(),
    );
    let id = proposal.proposal_id;
    runtime
        .proposals()
        .insert_proposals(vec![agent::proposals::NewProposal {
            proposal,
            thread_id: None,
            turn_id: None,
            created_by: tools::IdentityId("model".to_owned()),
            company_id: None,
        }])
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_known_finance_user_approves_by_button_once_and_the_card_shows_it() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let server = ChannelServer::start_on(
        Arc::new(agent::testing::sqlite_store().await),
        odoo_knowing(APPROVER).await,
        only(|c| c.telegram = Some(config(&fake, Some(SECRET)))),
        Identities::parse(APPROVER).unwrap(),
        true,
    )
    .await;
    let id = credit_limit_proposal(&server.runtime).await;
    let press = |update_id: i64, query_id: &str| {
        json!({
            "update_id": update_id,
            "callback_query": {
                "id": query_id,
                "from": {"id": ANNA, "is_bot": false, "first_name": "Anita"},
                "chat_instance": "1",
                "data": format!("pa:{id}"),
                "message": {"message_id": 901, "date": 0,
                    "chat": {"id": ANNA, "type": "private"},
                    "text": "Proposal: set_credit_limit"}
            }
        })
    };
    let client = reqwest::Client::new();
    let post = |update: Value| {
        client
            .post(server.url("/telegram/webhook"))
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .json(&update)
            .send()
    };

    assert_eq!(post(press(50, "cb-ok")).await.unwrap().status(), 200);
    let answers = wait_for_calls(&fake, "answerCallbackQuery", 1).await;
    assert_eq!(answers[0]["callback_query_id"], "cb-ok");
    assert_eq!(
        answers[0]["text"],
        "Approved and executed by Anita Verbeek."
    );
    assert_eq!(answers[0]["show_alert"], false);
    let edits = wait_for_calls(&fake, "editMessageText", 1).await;
    assert_eq!(edits[0]["chat_id"], ANNA);
    assert_eq!(edits[0]["message_id"], 901);
    assert_eq!(
        edits[0]["text"],
        "Proposal: set\\_credit\\_limit\n\n*Approved and executed by Anita Verbeek\\.*"
    );

    // Pressed again (a double tap, or a second device): nothing runs twice.
    assert_eq!(post(press(51, "cb-again")).await.unwrap().status(), 200);
    let answers = wait_for_calls(&fake, "answerCallbackQuery", 2).await;
    assert_eq!(answers[1]["callback_query_id"], "cb-again");
    assert_eq!(answers[1]["text"], "Already executed.");
    assert_eq!(answers[1]["show_alert"], true);
    assert_eq!(calls(&fake, "editMessageText").await.len(), 1);

    let stored = server
        .runtime
        .proposals()
        .proposal(id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, agent::proposals::ProposalStatus::Executed);
    let trail = server.runtime.proposals().audit_trail(id).await.unwrap();
    let executed = trail
        .iter()
        .filter(|e| e.event == agent::proposals::AuditEvent::Executed)
        .count();
    assert_eq!(executed, 1, "{trail:?}");
    assert!(
        trail.iter().all(|e| e.event != agent::proposals::AuditEvent::Executed
            || e.identity_id.0 == "anna"),
        "{trail:?}"
    );
    server.stop().await;
}

fn inbound(text: &str) -> InboundMessage {
    InboundMessage {
        channel: "telegram".to_owned(),
        conversation_key: format!("telegram:{BOT_ID}:{ANNA}"),
        user: ChannelUser {
            platform: Platform::Telegram,
            user_id: ANNA.to_string(),
            email: None,
            display_name: None,
        },
        sender: Sender::Refused,
        text: text.to_owned(),
        route: json!({"chat_id": ANNA, "message_id": 12, "message_thread_id": null}),
        received_at: Utc::now(),
    }
}

#[tokio::test]
async fn long_answers_are_split_and_files_sent_as_multipart_documents() {
    let fake = fake_bot_api().await;
    accept_everything(&fake).await;
    let store = store().await;
    let runtime = agent::testing::runtime(
        Arc::new(EchoProvider {
            delay: Duration::ZERO,
        }),
        Arc::clone(&store),
    );
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
                file_name: "overdue.csv".to_owned(),
                media_type: "text/csv".to_owned(),
                bytes: b"partner,amount\nHarbour,1250.00\n".to_vec(),
            },
        })
        .await
        .unwrap();
    let sink = telegram::TelegramSink::new(&config(&fake, None), runtime);
    let message = inbound("q");
    let reply = Reply {
        text: "Overdue invoices are listed below. ".repeat(300),
        attachments: vec![agent::turn::AttachmentView::from(&record)],
        ..Reply::refusal(message.thread_id(), "telegram")
    };
    sink.deliver(&message, &reply).await.unwrap();
    let sent = calls(&fake, "sendMessage").await;
    assert!(sent.len() >= 3, "{} messages", sent.len());
    for part in &sent {
        assert!(part["text"].as_str().unwrap().chars().count() <= telegram::MESSAGE_LIMIT);
    }
    let uploads: Vec<Request> = fake
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/sendDocument"))
        .collect();
    assert_eq!(uploads.len(), 1);
    let content_type = uploads[0].headers["content-type"].to_str().unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="));
    let body = String::from_utf8_lossy(&uploads[0].body);
    assert!(
        body.contains("name=\"chat_id\"\r\n\r\n93372553\r\n"),
        "{body}"
    );
    assert!(
        body.contains(
            "name=\"document\"; filename=\"overdue.csv\"\r\nContent-Type: text/csv\r\n\r\n\
             partner,amount\nHarbour,1250.00\n\r\n"
        ),
        "{body}"
    );
}

/// `sendMessage` that refuses its second call once (Telegram's answer to
/// a flood: 429 with `retry_after`) and accepts every other.
struct SecondSendFailsOnce {
    calls: std::sync::atomic::AtomicUsize,
}

impl wiremock::Respond for SecondSendFailsOnce {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if call == 1 {
            return ResponseTemplate::new(429).set_body_json(json!({
                "ok": false,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1}
            }));
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "result": {"message_id": 900 + call, "date": 0, "chat": {"id": ANNA, "type": "private"}}
        }))
    }
}

#[tokio::test]
async fn a_retried_delivery_sends_only_the_parts_that_did_not_go_out() {
    let fake = fake_bot_api().await;
    Mock::given(method("POST"))
        .and(path(format!("/bot{TOKEN}/sendMessage")))
        .respond_with(SecondSendFailsOnce {
            calls: std::sync::atomic::AtomicUsize::new(0),
        })
        .mount(&fake)
        .await;
    accept_everything(&fake).await;
    let store = store().await;
    let runtime = agent::testing::runtime(
        Arc::new(EchoProvider {
            delay: Duration::ZERO,
        }),
        store,
    );
    let sink = telegram::TelegramSink::new(&config(&fake, None), runtime);
    let message = inbound("q");
    let reply = Reply {
        text: (1..=3)
            .map(|n| format!("Part {n}: {}", "overdue invoices ".repeat(200)))
            .collect::<Vec<_>>()
            .join("\n\n"),
        ..Reply::refusal(message.thread_id(), "telegram")
    };
    let parts = telegram::messages(&reply.text, telegram::MESSAGE_LIMIT);
    assert_eq!(parts.len(), 3, "{parts:?}");

    let first = sink.deliver(&message, &reply).await;
    assert!(first.is_err(), "the second part was refused");
    sink.deliver(&message, &reply).await.unwrap();

    let sent: Vec<String> = calls(&fake, "sendMessage")
        .await
        .iter()
        .map(|body| body["text"].as_str().unwrap().to_owned())
        .collect();
    // Part 1 once; part 2 refused, then sent by the retry; part 3 once.
    assert_eq!(
        sent,
        [&parts[0], &parts[1], &parts[1], &parts[2]].map(String::clone)
    );

    // The next answer to the same question starts from its first part.
    let second_turn = Reply {
        turn_id: Some(agent::store::TurnId(uuid::Uuid::new_v4())),
        ..reply.clone()
    };
    sink.deliver(&message, &second_turn).await.unwrap();
    assert_eq!(calls(&fake, "sendMessage").await.len(), 7);
}

#[test]
fn markdown_v2_rendering() {
    let answer = crate::support::RENDER_SAMPLE;
    insta::assert_snapshot!(telegram::messages(answer, telegram::MESSAGE_LIMIT).join("\n-----\n"));
}

#[test]
fn proposal_cards_have_approve_and_reject_buttons_within_64_bytes() {
    let card = agent::ingress::ProposalCard {
        id: uuid::Uuid::parse_str("6f1c2d3e-4b5a-4978-8a1b-2c3d4e5f6a7b").unwrap(),
        action: "place_credit_hold".to_owned(),
        preview: "res.partner 7 (Harbour B.V.)\n  credit_hold: false -> true".to_owned(),
        required_role: tools::Role::Finance,
        expires_at: chrono::DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z")
            .unwrap()
            .to_utc(),
        target_model: "res.partner".to_owned(),
        target_ids: vec![7],
    };
    let (text, keyboard) = telegram::proposal_message(&card);
    for button in keyboard["inline_keyboard"][0].as_array().unwrap() {
        assert!(button["callback_data"].as_str().unwrap().len() <= 64);
    }
    insta::assert_snapshot!(format!("{text}\n-----\n{keyboard:#}"));
}
