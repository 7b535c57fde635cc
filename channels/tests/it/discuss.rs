//! Odoo Discuss: the addon's signed webhook in, the answer posted back to
//! the channel in the (fake) Odoo; and the addon's Python checked without
//! an Odoo: it compiles, its manifest is valid, and it signs requests the
//! server accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};

use agent::config::{DiscussConfig, Identities};
use agent::ingress::{ProposalCard, Reply, ReplyKind};
use agent::proposals::{ProposalStatus, ProposalStore};
use agent::store::Store;
use agent::store::{ThreadId, TurnId};
use channels::discuss::{SIGNATURE_HEADER, TIMESTAMP_HEADER, render_html, sign};
use tools::{Identity, Role};

use crate::channel_server::{CHANNEL_WAIT, ChannelServer, demo_odoo, only};

const SECRET: &str = "discuss-test-secret";

fn people() -> Identities {
    Identities::parse(
        r#"
        [[identity]]
        id = "anna"
        name = "Anita Verbeek"
        odoo_login = "accountant@harbourline.example"
        roles = ["finance"]
        "#,
    )
    .unwrap()
}

fn channels() -> agent::config::ChannelsConfig {
    only(|c| {
        c.discuss = Some(DiscussConfig {
            webhook_secret: SecretString::from(SECRET.to_owned()),
        });
    })
}

async fn first_channel(server: &ChannelServer) -> i64 {
    let client = server
        .odoo
        .connector
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let channels = client
        .search_read(
            "discuss.channel",
            json!([]),
            &["id"],
            Some("id"),
            Some(1),
            None,
        )
        .await
        .unwrap();
    channels[0]["id"].as_i64().unwrap()
}

/// Bodies of the posts in the channel, oldest first.
async fn posts(server: &ChannelServer, channel: i64) -> Vec<String> {
    let client = server
        .odoo
        .connector
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let domain = json!([["model", "=", "discuss.channel"], ["res_id", "=", channel]]);
    client
        .search_read("mail.message", domain, &["body"], Some("id"), None, None)
        .await
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn wait_for_posts(server: &ChannelServer, channel: i64, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + CHANNEL_WAIT;
    loop {
        let found = posts(server, channel).await;
        if found.len() >= count {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {count} posts, got {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn event(channel: i64, message_id: i64, body: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "db": "harbourline",
        "message_id": message_id,
        "channel_id": channel,
        "channel_type": "channel",
        "author_partner_id": 3,
        "author_user_id": 2,
        "author_email": "accountant@harbourline.example",
        "author_name": "Anita Verbeek",
        "body": body,
    }))
    .unwrap()
}

async fn send(
    server: &ChannelServer,
    body: Vec<u8>,
    signature: Option<String>,
    timestamp: i64,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(server.url("/discuss/webhook"))
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string());
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    let response = request.body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn send_signed(server: &ChannelServer, body: Vec<u8>) -> (u16, Value) {
    let now = Utc::now().timestamp();
    let signature = sign(SECRET, now, &body);
    send(server, body, Some(signature), now).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mention_is_answered_in_its_channel_once_even_when_delivered_twice() {
    let server = ChannelServer::start(channels(), people()).await;
    let channel = first_channel(&server).await;
    let before = posts(&server, channel).await.len();
    let body = event(channel, 901, "@Odoo Agent how many <b>open</b> invoices?");
    let (status, answer) = send_signed(&server, body.clone()).await;
    assert_eq!((status, answer), (200, json!({"ok": true})));
    // The addon retries after a timeout: the same message is not answered twice.
    let (status, answer) = send_signed(&server, body).await;
    assert_eq!(
        (status, answer),
        (200, json!({"ok": true, "duplicate": true}))
    );
    let found = wait_for_posts(&server, channel, before + 1).await;
    assert_eq!(
        found[before],
        "<p>echo: how many &lt;b&gt;open&lt;/b&gt; invoices?</p>"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(posts(&server, channel).await.len(), before + 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_badly_signed_and_stale_webhooks_are_refused() {
    let server = ChannelServer::start(channels(), people()).await;
    let channel = first_channel(&server).await;
    let before = posts(&server, channel).await.len();
    let body = event(channel, 902, "@Odoo Agent hello");
    let now = Utc::now().timestamp();
    let cases = [
        (None, now, "missing signature"),
        (
            Some(sign("another-secret", now, &body)),
            now,
            "invalid signature",
        ),
        (Some("sha256=zz".to_owned()), now, "invalid signature"),
        (
            Some(sign(SECRET, now, &body).replace("sha256=", "")),
            now,
            "malformed signature",
        ),
        (
            Some(sign(SECRET, now - 301, &body)),
            now - 301,
            "stale timestamp",
        ),
    ];
    for (signature, timestamp, problem) in cases {
        let (status, answer) = send(&server, body.clone(), signature, timestamp).await;
        assert_eq!((status, answer), (401, json!({"error": problem})));
    }
    // A body changed after signing fails too.
    let signature = sign(SECRET, now, &body);
    let tampered = event(channel, 902, "@Odoo Agent delete everything");
    let (status, _) = send(&server, tampered, Some(signature), now).await;
    assert_eq!(status, 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(posts(&server, channel).await.len(), before);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_acknowledged_before_a_crash_is_answered_once_after_restart() {
    let store = std::sync::Arc::new(agent::testing::sqlite_store().await);
    // The first server acknowledges and dies before answering.
    let first =
        ChannelServer::start_on(store, demo_odoo().await, channels(), people(), false).await;
    let channel = first_channel(&first).await;
    let before = posts(&first, channel).await.len();
    let (status, _) = send_signed(&first, event(channel, 903, "@Odoo Agent still there?")).await;
    assert_eq!(status, 200);
    let (store, odoo) = first.stop().await;
    // The restarted server answers it, once.
    let second = ChannelServer::start_on(store, odoo, channels(), people(), true).await;
    let found = wait_for_posts(&second, channel, before + 1).await;
    assert_eq!(found[before], "<p>echo: still there?</p>");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(posts(&second, channel).await.len(), before + 1);
    second.stop().await;
}

/// A Discuss server whose Odoo maps Anita (finance) and Bob (sales) to
/// demo users, and a pending finance proposal in its store.
async fn with_proposal() -> (ChannelServer, Arc<dyn ProposalStore>, uuid::Uuid) {
    let store = Arc::new(agent::testing::sqlite_store().await);
    let proposals: Arc<dyn ProposalStore> = store.clone();
    let id = crate::slack_setup::propose(&proposals).await;
    let server = ChannelServer::start_on(
        store,
        crate::slack_setup::odoo().await,
        channels(),
        crate::slack_setup::people(),
        true,
    )
    .await;
    (server, proposals, id)
}

fn event_by(channel: i64, message_id: i64, body: &str, email: &str, name: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&event(channel, message_id, body)).unwrap();
    event["author_email"] = json!(email);
    event["author_name"] = json!(name);
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_is_decided_by_replying_approve_and_only_by_its_role() {
    let (server, proposals, id) = with_proposal().await;
    let channel = first_channel(&server).await;
    let before = posts(&server, channel).await.len();
    let status = || async { proposals.proposal(id).await.unwrap().unwrap().status };

    // Someone without the finance role is refused; nothing changes.
    let (code, answer) = send_signed(
        &server,
        event_by(
            channel,
            950,
            &format!("approve {id}"),
            "sales@harbourline.example",
            "Bob",
        ),
    )
    .await;
    assert_eq!((code, answer), (200, json!({"ok": true, "decided": false})));
    assert_eq!(status().await, ProposalStatus::Pending);
    let found = posts(&server, channel).await;
    assert_eq!(
        found[before],
        "<p>Bob: Not permitted: this proposal needs the finance role.</p>"
    );

    // The accountant approves: it executes once, and a second approval
    // says so without executing again.
    let anita = |message_id: i64| {
        event_by(
            channel,
            message_id,
            &format!("@Odoo Agent approve {id}"),
            "anita@example.com",
            "Anita Verbeek",
        )
    };
    let (code, answer) = send_signed(&server, anita(951)).await;
    assert_eq!((code, answer), (200, json!({"ok": true, "decided": true})));
    assert_eq!(status().await, ProposalStatus::Executed);
    let (code, answer) = send_signed(&server, anita(952)).await;
    assert_eq!((code, answer), (200, json!({"ok": true, "decided": false})));
    let found = posts(&server, channel).await;
    assert_eq!(found.len(), before + 3, "{found:?}");
    assert!(
        found[before + 1].starts_with("<p>Anita Verbeek: Approved and executed by "),
        "{}",
        found[before + 1]
    );
    assert_eq!(found[before + 2], "<p>Anita Verbeek: Already executed.</p>");
    // Decisions are not questions: no turn was stored for them.
    assert!(
        server
            .store
            .ingress()
            .claim(Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_is_rejected_with_the_reason_written_after_its_id() {
    let (server, proposals, id) = with_proposal().await;
    let channel = first_channel(&server).await;
    let (code, answer) = send_signed(
        &server,
        event_by(
            channel,
            960,
            &format!("reject {id} the customer paid this morning"),
            "anita@example.com",
            "Anita Verbeek",
        ),
    )
    .await;
    assert_eq!((code, answer), (200, json!({"ok": true, "decided": true})));
    let stored = proposals.proposal(id).await.unwrap().unwrap();
    assert_eq!(stored.status, ProposalStatus::Rejected);
    let trail = proposals.audit_trail(id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| format!("{e:?}").contains("the customer paid this morning")),
        "{trail:?}"
    );
    server.stop().await;
}

#[test]
fn replies_render_as_escaped_discuss_html() {
    let reply = Reply {
        kind: ReplyKind::Answer,
        thread_id: ThreadId(uuid::Uuid::nil()),
        turn_id: Some(TurnId(uuid::Uuid::nil())),
        text: "**2 customers** are over their limit:\n\n\
               | Customer | Overdue |\n|---|---:|\n| Bakery <Zoet> | 1,250.00 |\n| Harbour & Co | 80.00 |\n\n\
               - [Bakery Zoet](https://erp.example/web#id=7&model=res.partner&view_type=form)\n\
               - [not a web link](javascript:alert(1))\n\n\
               Run `credit_check` again tomorrow."
            .to_owned(),
        attachments: Vec::new(),
        proposals: vec![ProposalCard {
            id: uuid::Uuid::nil(),
            action: "set_credit_limit".to_owned(),
            preview: "Credit limit of Bakery <Zoet>: 0.00 -> 12,500.00".to_owned(),
            required_role: Role::Finance,
            expires_at: chrono::DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z")
                .unwrap()
                .to_utc(),
            target_model: "res.partner".to_owned(),
            target_ids: vec![7],
        }],
    };
    insta::assert_snapshot!(render_html(&reply).replace("><", ">\n<"));
}

fn addon() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("discuss/odoo_agent_bot")
}

fn python(script: &str, args: &[&str]) -> (bool, String) {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn the_addon_compiles_and_its_manifest_is_valid() {
    let (ok, output) = python(
        r#"
import ast, pathlib, sys, xml.dom.minidom
root = pathlib.Path(sys.argv[1])
for path in sorted(root.rglob("*.py")):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
manifest = ast.literal_eval((root / "__manifest__.py").read_text())
for key in ("name", "version", "depends", "data", "license", "installable"):
    assert key in manifest, "manifest lacks " + key
assert "mail" in manifest["depends"], manifest["depends"]
assert manifest["installable"] is True
assert manifest["license"] in ("LGPL-3", "OPL-1", "AGPL-3", "GPL-3"), manifest["license"]
for data in manifest["data"]:
    path = root / data
    assert path.exists(), "missing data file " + data
    xml.dom.minidom.parse(str(path))
print("ok", len(list(root.rglob("*.py"))))
"#,
        &[addon().to_str().unwrap()],
    );
    assert!(ok, "{output}");
    assert!(output.starts_with("ok "), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_signed_by_the_addon_is_accepted_by_the_server() {
    let server = ChannelServer::start(channels(), people()).await;
    let channel = first_channel(&server).await;
    let before = posts(&server, channel).await.len();
    // The addon's own signing code, run without Odoo, builds the request.
    let (ok, output) = python(
        r#"
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("webhook", sys.argv[1])
webhook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(webhook)
payload = {"db": "harbourline", "message_id": 904, "channel_id": int(sys.argv[3]),
           "channel_type": "chat", "author_partner_id": 3, "author_user_id": 2,
           "author_email": "accountant@harbourline.example", "author_name": "Anita",
           "body": "Grüße: what is overdue?"}
url, body, headers = webhook.signed_request(sys.argv[2], "discuss-test-secret", payload)
print(json.dumps({"url": url, "body": body.decode("utf-8"), "headers": headers}))
"#,
        &[
            addon().join("lib/webhook.py").to_str().unwrap(),
            &server.base,
            &channel.to_string(),
        ],
    );
    assert!(ok, "{output}");
    let built: Value = serde_json::from_str(output.trim()).unwrap();
    assert_eq!(built["url"], json!(server.url("/discuss/webhook")));
    let mut request = reqwest::Client::new().post(built["url"].as_str().unwrap());
    for (name, value) in built["headers"].as_object().unwrap() {
        request = request.header(name.as_str(), value.as_str().unwrap());
    }
    let body = built["body"].as_str().unwrap().as_bytes().to_vec();
    let response = request.body(body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let found = wait_for_posts(&server, channel, before + 1).await;
    assert_eq!(found[before], "<p>echo: Grüße: what is overdue?</p>");
    server.stop().await;
}
