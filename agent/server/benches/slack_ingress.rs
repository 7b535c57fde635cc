//! Slack ingress benchmark: signed Events API deliveries at a fixed rate into
//! the release server, the time Slack would wait for its 200, and, at a fake
//! Slack Web API, that every event was answered exactly once and in order.
//!
//! `cargo bench -p odoo-agent --bench slack_ingress` runs the embedded SQLite
//! file, then PostgreSQL when `DATABASE_URL` is set (as exported by
//! `docker/test-services.sh`). `SLACK_BENCH_BACKENDS=sqlite` (or `postgres`)
//! runs one of them; `ODOO_AGENT_INGRESS_WORKERS` is passed on to the server
//! (default 4). Results are printed as a Markdown table for `BENCHMARKS.md`;
//! the process exits with 1 when an event was lost, answered twice or out of
//! order.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::response::Json;
use axum::routing::post;
use secrecy::SecretString;
use serde_json::{Value, json};

use channels::slack::signature::signature_header;

#[path = "common/serve.rs"]
mod serve;
use serve::{Memory, Server};

/// Events per second the load generator offers.
const RATE: u32 = 500;
/// Concurrent HTTP clients sending them (each on its own schedule).
const CLIENTS: usize = 64;
/// Each thread gets this many messages: a first one, then replies in it.
const MESSAGES_PER_THREAD: usize = 3;
/// Slack users sending them; each is a configured identity.
const USERS: usize = 200;
/// One event in this many is delivered a second time as Slack's retry.
const RETRY_EVERY: usize = 20;
/// How long after the first delivery the retry is sent.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// An acknowledgement slower than this is counted (the target is p99 ≤ 20 ms).
const SLOW: Duration = Duration::from_millis(20);
/// How long the workers may go without answering anything before the
/// remaining events count as lost.
const STALL: Duration = Duration::from_secs(60);

const SIGNING_SECRET: &str = "bench-signing-secret";
const TEAM: &str = "TBENCH";
const BOT: &str = "UBENCHBOT";
/// What the server posts while a turn runs (channels' `slack::sink`).
const PLACEHOLDER: &str = "Working on it…";

/// The questions of a thread, in order, and the cassette's answers.
const QUESTIONS: [&str; MESSAGES_PER_THREAD] = ["what is 6 * 7?", "and again?", "once more?"];
const ANSWERS: [&str; MESSAGES_PER_THREAD] = ["The answer is 42.", "Still 42.", "42, as before."];

/// The allocator of the `odoo-agent` binary, as in the turns benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `cargo bench` passes `--bench` and gets 10,000 threads of 3 messages
/// (30,000 events, 60 s at 500/s); `cargo test --all-targets` runs a short
/// smoke pass so the benchmark cannot rot unnoticed.
fn threads() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        100
    }
}

fn main() {
    agent::init_crypto();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let failed = runtime.block_on(run());
    if failed {
        println!("\nFAILED: events were lost, answered twice or out of order");
        std::process::exit(1);
    }
}

/// Runs every selected backend; true when one of them failed the check.
async fn run() -> bool {
    let database_url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"));
    let only = std::env::var("SLACK_BENCH_BACKENDS").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|b| b.trim() == name);
    let workers = std::env::var("ODOO_AGENT_INGRESS_WORKERS").unwrap_or_else(|_| "4".into());
    println!("| benchmark | backend | result |\n|---|---|---|");
    let mut failed = false;
    if wanted("sqlite") {
        let dir = tempfile::tempdir().unwrap();
        failed |= bench("SQLite (file, WAL)", dir.path(), None, &workers).await;
    }
    if wanted("postgres")
        && let Some(url) = &database_url
    {
        let dir = tempfile::tempdir().unwrap();
        let database = agent::testing::fresh_postgres_database(url).await;
        failed |= bench("PostgreSQL", dir.path(), Some(&database), &workers).await;
    }
    failed
}

/// One backend: idle memory, the paced load, the drain, the check at the
/// fake Slack and the memory with every thread answered.
async fn bench(backend: &str, dir: &Path, database_url: Option<&str>, workers: &str) -> bool {
    let threads = threads();
    let fake = FakeSlack::start().await;
    write_fixtures(dir);
    let identities = dir.join("identities.toml");
    let cassettes = dir.join("cassettes");
    let mut server = Server::start(
        dir,
        database_url,
        &[
            ("ODOO_AGENT_CASSETTES", cassettes.to_str().unwrap()),
            ("ODOO_AGENT_IDENTITIES", identities.to_str().unwrap()),
            ("ODOO_AGENT_INGRESS_WORKERS", workers),
            ("SLACK_BOT_TOKEN", "xoxb-bench"),
            ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
            ("SLACK_API_URL", &fake.url),
        ],
    );
    wait_healthy(&server).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = Memory::of(server.child.id());

    let plan = plan(threads);
    let unique = threads * MESSAGES_PER_THREAD;
    let retries = plan.len() - unique;
    let load_started = Instant::now();
    let samples = drive(&server.address, plan).await;
    let load_elapsed = load_started.elapsed();
    let drained = fake.wait_for_answers(unique).await;
    let drain = load_started.elapsed().saturating_sub(load_elapsed);
    // Late duplicates would arrive now, if there were any.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let loaded = Memory::of(server.child.id());
    server.stop();

    let seconds = load_elapsed.as_secs_f64();
    let mut latencies: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    let (p50, p99, max) = percentiles(&mut latencies);
    let not_ok = samples.iter().filter(|s| s.status != 200).count();
    println!(
        "| Slack events paced to {RATE}/s: {unique} events in {threads} threads + {retries} \
         retries (`X-Slack-Retry-Num: 1`), {seconds:.1} s, time to acknowledge | {backend} | \
         p50 {} · p99 {} · max {} · {not_ok} not 200 · {} · {workers} ingress workers · \
         autogroup {} |",
        ms(p50),
        ms(p99),
        ms(max),
        slow_windows(&samples),
        autogroup(),
    );
    let check = fake.check(threads);
    let drain = if drained {
        format!(
            "the last answered {:.1} s after the load",
            drain.as_secs_f64()
        )
    } else {
        format!("gave up after {} s without an answer", STALL.as_secs())
    };
    println!(
        "| answers at the fake Slack | {backend} | {} of {unique} answered · {} lost · {} \
         duplicated · {} out of order or not from the cassette · {drain} · users.info {} calls \
         for {USERS} users · chat.postMessage {} · chat.update {} |",
        check.answered,
        check.lost,
        check.duplicated,
        check.unexpected,
        check.users_info,
        check.post_message,
        check.update,
    );
    println!(
        "| server RSS | {backend} | idle {} · after {threads} threads answered {} (peak {}) |",
        mib(idle.rss_kib),
        mib(loaded.rss_kib),
        mib(loaded.peak_kib),
    );
    if let Some(example) = check.example {
        println!("\nfirst unexpected answer: {example}");
    }
    check.lost > 0 || check.duplicated > 0 || check.unexpected > 0
}

/// One HTTP delivery of an event.
struct Delivery {
    /// When it is due, from the start of the load.
    at: Duration,
    body: Arc<str>,
    thread: usize,
    /// A retry of an event already delivered.
    retry: bool,
}

/// What one delivery got.
struct Sample {
    at: Duration,
    /// From the scheduled send time to the response.
    latency: Duration,
    /// 0 when no response came.
    status: u16,
}

/// Thread `t` (0-based) of the run: where it is and who writes in it.
struct ThreadPlan {
    channel: String,
    direct: bool,
    user: String,
    root_ts: String,
}

fn thread(t: usize) -> ThreadPlan {
    let direct = t % 2 == 1;
    let user = format!("UBENCH{:03}", (t / 2) % USERS);
    let channel = if direct {
        format!("DBENCH{:03}", (t / 2) % USERS)
    } else {
        format!("CBENCH{:02}", t % 100)
    };
    ThreadPlan {
        channel,
        direct,
        user,
        root_ts: message_ts(t, 0),
    }
}

/// Unique in its channel: the message number in the seconds, the thread in
/// the fraction.
fn message_ts(t: usize, k: usize) -> String {
    format!("{}.{t:06}", 1_700_000_000 + k)
}

/// Every delivery in send order: message `k` of every thread goes out
/// before message `k + 1` of any, so each thread's messages are a third of
/// the run apart and all threads are open at once; one event in
/// `RETRY_EVERY` is delivered again `RETRY_AFTER` later.
fn plan(threads: usize) -> Vec<Delivery> {
    let mut deliveries = Vec::new();
    for i in 0..threads * MESSAGES_PER_THREAD {
        let (k, t) = (i / threads, i % threads);
        let at = Duration::from_secs_f64(i as f64 / f64::from(RATE));
        let body: Arc<str> = event_body(t, k).into();
        if i % RETRY_EVERY == 0 {
            deliveries.push(Delivery {
                at: at + RETRY_AFTER,
                body: Arc::clone(&body),
                thread: t,
                retry: true,
            });
        }
        deliveries.push(Delivery {
            at,
            body,
            thread: t,
            retry: false,
        });
    }
    deliveries.sort_by_key(|d| d.at);
    deliveries
}

/// The `event_callback` Slack sends for message `k` of thread `t`: an
/// `app_mention` in a channel or a `message` in a direct conversation
/// (`message.im`), the later ones replies in the thread.
fn event_body(t: usize, k: usize) -> String {
    let plan = thread(t);
    let ts = message_ts(t, k);
    let mut event = if plan.direct {
        json!({
            "type": "message",
            "channel": plan.channel,
            "channel_type": "im",
            "user": plan.user,
            "text": QUESTIONS[k],
            "ts": ts,
            "event_ts": ts,
        })
    } else {
        json!({
            "type": "app_mention",
            "channel": plan.channel,
            "user": plan.user,
            "text": format!("<@{BOT}> {}", QUESTIONS[k]),
            "ts": ts,
            "event_ts": ts,
        })
    };
    if k > 0 {
        event["thread_ts"] = json!(plan.root_ts);
    }
    json!({
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": "ABENCH",
        "event": event,
        "type": "event_callback",
        "event_id": format!("EvBENCH{t:06}x{k}"),
        "event_time": 1_700_000_000 + k,
        "authed_users": [BOT],
    })
    .to_string()
}

/// Sends the deliveries from `CLIENTS` concurrent clients, each on its
/// schedule; latency counts from the scheduled time so a slow server is not
/// excused by sending later. Each thread has one client, which sends its
/// next delivery after the last was acknowledged, so a thread's messages
/// reach the server in order (as a person writes them) however slow it is.
async fn drive(address: &str, plan: Vec<Delivery>) -> Vec<Sample> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let url = format!("http://{address}/slack/events");
    let secret = Arc::new(SecretString::from(SIGNING_SECRET));
    let mut schedules: Vec<Vec<Delivery>> = (0..CLIENTS).map(|_| Vec::new()).collect();
    for delivery in plan {
        schedules[delivery.thread % CLIENTS].push(delivery);
    }
    let started = Instant::now();
    let senders: Vec<_> = schedules
        .into_iter()
        .map(|schedule| {
            let (client, url, secret) = (client.clone(), url.clone(), Arc::clone(&secret));
            tokio::spawn(async move {
                let mut samples = Vec::with_capacity(schedule.len());
                for delivery in schedule {
                    let scheduled = started + delivery.at;
                    tokio::time::sleep_until(scheduled.into()).await;
                    let status = send(&client, &url, &secret, &delivery).await;
                    samples.push(Sample {
                        at: delivery.at,
                        latency: scheduled.elapsed(),
                        status,
                    });
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::new();
    for sender in senders {
        samples.extend(sender.await.unwrap());
    }
    samples
}

/// Posts one delivery signed as Slack does (a retry is signed anew, as
/// Slack's are); the response status, 0 when none came.
async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &SecretString,
    delivery: &Delivery,
) -> u16 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", now.to_string())
        .header(
            "x-slack-signature",
            signature_header(secret, now, delivery.body.as_bytes()),
        )
        .body(delivery.body.to_string());
    if delivery.retry {
        request = request
            .header("x-slack-retry-num", "1")
            .header("x-slack-retry-reason", "http_timeout");
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let _ = response.bytes().await;
            status
        }
        Err(_) => 0,
    }
}

/// The fake Slack Web API: answers `users.info`, `chat.postMessage` and
/// `chat.update` with Slack's JSON and keeps, per thread, the answers
/// posted into it.
struct FakeSlack {
    url: String,
    state: Arc<Mutex<Recorded>>,
}

#[derive(Default)]
struct Recorded {
    next_ts: u64,
    /// Placeholder ts → (channel, thread ts) it was posted in.
    placeholders: HashMap<String, (String, String)>,
    /// (channel, thread ts) → answers, in the order they came.
    answers: HashMap<(String, String), Vec<String>>,
    answered: usize,
    users_info: usize,
    post_message: usize,
    update: usize,
}

/// What the fake saw, against the plan.
struct Check {
    answered: usize,
    lost: usize,
    duplicated: usize,
    /// Answers at the wrong place in their thread or not from the cassette.
    unexpected: usize,
    example: Option<String>,
    users_info: usize,
    post_message: usize,
    update: usize,
}

async fn slack_api(
    State(state): State<Arc<Mutex<Recorded>>>,
    UrlPath(method): UrlPath<String>,
    body: Bytes,
) -> Json<Value> {
    let body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        // users.info takes a form.
        Value::Object(
            url::form_urlencoded::parse(&body)
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect(),
        )
    });
    let text = |field: &str| body[field].as_str().unwrap_or_default().to_owned();
    let mut recorded = state.lock().unwrap();
    Json(match method.as_str() {
        "users.info" => {
            recorded.users_info += 1;
            let user = text("user");
            json!({ "ok": true, "user": {
                "id": user, "team_id": TEAM, "name": user.to_lowercase(), "real_name": user,
                "profile": { "display_name": user.to_lowercase(), "real_name": user,
                             "email": format!("{}@example.com", user.to_lowercase()) },
            }})
        }
        "chat.postMessage" => {
            recorded.post_message += 1;
            recorded.next_ts += 1;
            let ts = format!("1800000000.{:06}", recorded.next_ts);
            let place = (text("channel"), text("thread_ts"));
            if text("text") == PLACEHOLDER {
                recorded.placeholders.insert(ts.clone(), place);
            } else {
                recorded.answered += 1;
                recorded
                    .answers
                    .entry(place)
                    .or_default()
                    .push(text("text"));
            }
            json!({ "ok": true, "channel": body["channel"], "ts": ts,
                    "message": { "type": "message", "text": body["text"], "ts": ts } })
        }
        "chat.update" => {
            recorded.update += 1;
            match recorded.placeholders.get(&text("ts")).cloned() {
                Some(place) => {
                    recorded.answered += 1;
                    recorded
                        .answers
                        .entry(place)
                        .or_default()
                        .push(text("text"));
                    json!({ "ok": true, "channel": body["channel"], "ts": body["ts"],
                            "text": body["text"] })
                }
                None => json!({ "ok": false, "error": "message_not_found" }),
            }
        }
        _ => json!({ "ok": false, "error": "unknown_method" }),
    })
}

impl FakeSlack {
    async fn start() -> Self {
        let state = Arc::new(Mutex::new(Recorded::default()));
        let app = Router::new()
            .route("/api/{method}", post(slack_api))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{address}/api"),
            state,
        }
    }

    fn answered(&self) -> usize {
        self.state.lock().unwrap().answered
    }

    /// Waits until `expected` answers came; false when the workers went
    /// `STALL` without answering anything before that.
    async fn wait_for_answers(&self, expected: usize) -> bool {
        let (mut last, mut progress_at) = (self.answered(), Instant::now());
        loop {
            let answered = self.answered();
            if answered >= expected {
                return true;
            }
            if answered > last {
                (last, progress_at) = (answered, Instant::now());
            } else if progress_at.elapsed() > STALL {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every thread of the plan should hold exactly its answers, in order.
    fn check(&self, threads: usize) -> Check {
        let recorded = self.state.lock().unwrap();
        let mut check = Check {
            answered: recorded.answered,
            lost: 0,
            duplicated: 0,
            unexpected: 0,
            example: None,
            users_info: recorded.users_info,
            post_message: recorded.post_message,
            update: recorded.update,
        };
        let mut planned = 0;
        for t in 0..threads {
            let plan = thread(t);
            let got = recorded
                .answers
                .get(&(plan.channel, plan.root_ts))
                .map_or(&[][..], Vec::as_slice);
            planned += got.len();
            check.lost += MESSAGES_PER_THREAD.saturating_sub(got.len());
            check.duplicated += got.len().saturating_sub(MESSAGES_PER_THREAD);
            for (k, (answer, expected)) in got.iter().zip(ANSWERS).enumerate() {
                if answer != expected {
                    check.unexpected += 1;
                    check
                        .example
                        .get_or_insert_with(|| format!("thread {t}, answer {k}: {answer}"));
                }
            }
        }
        // Answers posted anywhere else are extra too.
        check.duplicated += recorded.answered - planned;
        check
    }
}

/// The identities file (every sender known: half by Slack user id, half by
/// the e-mail `users.info` gives) and the cassette that answers each
/// thread's three questions, the first one with a tool call.
fn write_fixtures(dir: &Path) {
    let mut identities = String::new();
    for u in 0..USERS {
        let user = format!("UBENCH{u:03}");
        let account = if u % 2 == 0 {
            format!("slack_user = \"{user}\"")
        } else {
            format!("email = \"{}@example.com\"", user.to_lowercase())
        };
        identities.push_str(&format!(
            "[[identity]]\nid = \"bench{u}\"\nname = \"Bench {u}\"\n\
             odoo_login = \"accountant@harbourline.example\"\nroles = [\"finance\"]\n{account}\n\n"
        ));
    }
    std::fs::write(dir.join("identities.toml"), identities).unwrap();
    let cassettes = dir.join("cassettes");
    std::fs::create_dir_all(&cassettes).unwrap();
    let mut interactions = Vec::new();
    for prefix in [format!("<@{BOT}> "), String::new()] {
        interactions.extend(conversation(&prefix));
    }
    let cassette = json!({ "name": "slack-bench", "interactions": interactions });
    std::fs::write(cassettes.join("slack-bench.json"), cassette.to_string()).unwrap();
}

/// The recorded exchanges of one thread whose questions start with
/// `prefix` (the bot's mention in channels, nothing in direct messages).
fn conversation(prefix: &str) -> Vec<Value> {
    let user = |text: &str| json!({"role": "user", "content": [{"type": "text", "text": text}]});
    let assistant =
        |text: &str| json!({"role": "assistant", "content": [{"type": "text", "text": text}]});
    let answer = |text: &str| {
        json!([
            {"type": "text_delta", "text": text},
            {"type": "usage", "usage": {"input_tokens": 300, "output_tokens": 8}},
            {"type": "done", "stop_reason": "end_turn"}])
    };
    let mut history = vec![user(&format!("{prefix}{}", QUESTIONS[0]))];
    let mut exchanges = vec![json!({"request": {"messages": history.clone()}, "events": [
        {"type": "tool_call", "call": {"id": "call_1", "name": "calculate",
                                       "arguments": "{\"expression\":\"6 * 7\"}"}},
        {"type": "usage", "usage": {"input_tokens": 200, "output_tokens": 20}},
        {"type": "done", "stop_reason": "tool_use"}]})];
    history.push(json!({"role": "assistant", "content": [
        {"type": "tool_use", "id": "call_1", "name": "calculate",
         "input": {"expression": "6 * 7"}}]}));
    history.push(json!({"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "call_1",
         "content": "{\"data\":{\"expression\":\"6 * 7\",\"result\":\"42\"},\"summary\":\"6 * 7 = 42\"}",
         "is_error": false}]}));
    exchanges.push(json!({"request": {"messages": history.clone()}, "events": answer(ANSWERS[0])}));
    for k in 1..MESSAGES_PER_THREAD {
        history.push(assistant(ANSWERS[k - 1]));
        history.push(user(&format!("{prefix}{}", QUESTIONS[k])));
        exchanges
            .push(json!({"request": {"messages": history.clone()}, "events": answer(ANSWERS[k])}));
    }
    exchanges
}

/// Waits for `/health` to list the Slack channel.
async fn wait_healthy(server: &Server) {
    let health = format!("http://{}/health", server.address);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(response) = client.get(&health).send().await
            && response.status().is_success()
        {
            let body = response.text().await.unwrap_or_default();
            assert!(body.contains("slack"), "Slack is not mounted: {body}");
            return;
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The kernel's autogroup scheduling decides how the load generator, the
/// server and PostgreSQL share the cores (see the turns benchmark).
fn autogroup() -> &'static str {
    match std::fs::read_to_string("/proc/sys/kernel/sched_autogroup_enabled") {
        Ok(text) if text.trim() == "0" => "off",
        Ok(_) => "on",
        Err(_) => "unknown",
    }
}

/// Where the slow acknowledgements fall: a few short windows mean stalls
/// (of the machine, the database or the server), many mean queueing.
fn slow_windows(samples: &[Sample]) -> String {
    let mut windows: Vec<u128> = samples
        .iter()
        .filter(|s| s.latency > SLOW)
        .map(|s| s.at.as_millis() / 100)
        .collect();
    let slow = windows.len();
    windows.sort_unstable();
    windows.dedup();
    format!(
        "{slow} over {} ms, in {} windows of 100 ms",
        SLOW.as_millis(),
        windows.len()
    )
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.99), at(1.0))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
