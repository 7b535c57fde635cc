//! Turn benchmarks: the server's own overhead per turn, HTTP throughput with
//! 64 concurrent clients, cold start and idle memory.
//!
//! `cargo bench -p odoo-agent --bench turns` (PostgreSQL parts need
//! `DATABASE_URL`, as exported by `docker/test.sh`'s service script).
//! Results are printed as a Markdown table for `BENCHMARKS.md`.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use agent::store::Store;
use agent::testing::InstantProvider;
use agent::turn::TurnRequest;
use tools::Identity;

#[path = "common/serve.rs"]
mod serve;
use serve::{Memory, Server};

/// The allocator of the `odoo-agent` binary, so the figures are the ones
/// `serve` sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 64;

/// How much work each part does: `cargo bench` passes `--bench` and gets
/// the real measurement; `cargo test --all-targets` runs a short smoke pass
/// so the benchmark cannot rot unnoticed.
#[derive(Clone, Copy)]
struct Size {
    sequential_turns: usize,
    load_seconds: u64,
}

static SIZE: std::sync::OnceLock<Size> = std::sync::OnceLock::new();

fn size() -> Size {
    *SIZE.get_or_init(|| {
        if std::env::args().any(|a| a == "--bench") {
            Size {
                sequential_turns: 2_000,
                load_seconds: 10,
            }
        } else {
            Size {
                sequential_turns: 20,
                load_seconds: 1,
            }
        }
    })
}

fn main() {
    agent::init_crypto();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let database_url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"));
    println!("| benchmark | backend | result |\n|---|---|---|");

    let dir = tempfile::tempdir().unwrap();
    let sqlite = agent::store::SqliteStore::open(&dir.path().join("bench.db"))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    overhead("SQLite (file, WAL)", Arc::new(sqlite)).await;
    if let Some(url) = &database_url {
        let database = agent::testing::fresh_postgres_database(url).await;
        let store = agent::testing::postgres_store_at(&database).await;
        overhead("PostgreSQL", Arc::new(store)).await;
    }

    load(dir.path(), None).await;
    if let Some(url) = &database_url {
        let db_url = agent::testing::fresh_postgres_database(url).await;
        load(dir.path(), Some(&db_url)).await;
    }
    cold_start_and_idle_memory(dir.path()).await;
}

fn request() -> TurnRequest {
    TurnRequest {
        thread_id: None,
        channel: "bench".into(),
        identity: Identity::local_operator(),
        message: "What is 6 * 7?".into(),
    }
}

/// Sequential turns through `Runtime::run_turn` with a model that answers
/// instantly: everything measured is the server's own work (prompt
/// rendering, tool dispatch, storage).
async fn overhead(backend: &str, store: Arc<dyn Store>) {
    let runtime = agent::testing::runtime(Arc::new(InstantProvider), store);
    for _ in 0..size().sequential_turns / 20 {
        runtime.run_turn(request()).await.unwrap();
    }
    let turns = size().sequential_turns;
    let mut samples = Vec::with_capacity(turns);
    for _ in 0..turns {
        let started = Instant::now();
        let result = runtime.run_turn(request()).await.unwrap();
        samples.push(started.elapsed());
        assert_eq!(result.tool_calls.len(), 1);
    }
    let (p50, p99) = percentiles(&mut samples);
    println!(
        "| overhead per turn ({turns} sequential turns, 1 tool call each) | {backend} | p50 {} · p99 {} |",
        ms(p50),
        ms(p99)
    );
}

/// Starts the release binary with the replay provider and a cassette that
/// makes every turn one tool call then an answer, and drives it with 64
/// concurrent HTTP clients for a fixed time.
/// Starts the release binary with the replay provider and a cassette that
/// makes every turn one tool call then an answer, and drives it with 64
/// concurrent HTTP clients: first as fast as they can (the throughput), then
/// paced at a fixed total rate (the latency at that load).
async fn load(dir: &Path, database_url: Option<&str>) {
    let cassettes = dir.join("cassettes");
    std::fs::create_dir_all(&cassettes).unwrap();
    std::fs::write(cassettes.join("bench.json"), BENCH_CASSETTE).unwrap();
    let backend = if database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite (file, WAL)"
    };
    let mut server = Server::start(
        dir,
        database_url,
        &[("ODOO_AGENT_CASSETTES", cassettes.to_str().unwrap())],
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let url = format!("http://{}/api/chat", server.address);
    let seconds = size().load_seconds;

    let (turns, elapsed, timed) = drive(&client, &url, seconds, None).await;
    let mut samples: Vec<Duration> = timed.iter().map(|(_, latency)| *latency).collect();
    let (p50, p99) = percentiles(&mut samples);
    println!(
        "| HTTP POST /api/chat, {CLIENTS} clients as fast as they can, {seconds} s | {backend} | \
         {:.0} turns/s · p50 {} · p99 {} ({turns} turns) |",
        turns as f64 / elapsed,
        ms(p50),
        ms(p99)
    );
    for rate in [500, 1_000] {
        let (turns, elapsed, timed) = drive(&client, &url, seconds, Some(rate)).await;
        let mut samples: Vec<Duration> = timed.iter().map(|(_, latency)| *latency).collect();
        let (p50, p99) = percentiles(&mut samples);
        println!(
            "| HTTP POST /api/chat, {CLIENTS} clients paced to {rate} turns/s, {seconds} s | \
             {backend} | {:.0} turns/s · p50 {} · p99 {} ({turns} turns; {}; autogroup {}) |",
            turns as f64 / elapsed,
            ms(p50),
            ms(p99),
            slow_windows(&timed),
            autogroup()
        );
    }
    server.stop();
}

/// The kernel's autogroup scheduling gives each session an equal share of
/// the CPU whatever its nice value; it decides how the load generator, the
/// server and PostgreSQL share the cores, so results state it.
fn autogroup() -> &'static str {
    match std::fs::read_to_string("/proc/sys/kernel/sched_autogroup_enabled") {
        Ok(text) if text.trim() == "0" => "off",
        Ok(_) => "on",
        Err(_) => "unknown",
    }
}

/// Where the slow turns (over 50 ms) fall: a few short windows mean stalls
/// (of the machine, the database or the server), many mean steady queueing.
fn slow_windows(timed: &[(Duration, Duration)]) -> String {
    const SLOW: Duration = Duration::from_millis(50);
    let mut windows: Vec<u128> = timed
        .iter()
        .filter(|(_, latency)| *latency > SLOW)
        .map(|(sent, _)| sent.as_millis() / 100)
        .collect();
    let slow = windows.len();
    windows.sort_unstable();
    windows.dedup();
    format!("{slow} over 50 ms, in {} windows of 100 ms", windows.len())
}

/// Runs 64 clients for `seconds`. Unpaced, each sends its next request when
/// the last answer arrives; paced, each sends on a fixed schedule so the
/// total is `rate` per second, and latency counts from the scheduled time
/// (a late server is not excused by sending later).
async fn drive(
    client: &reqwest::Client,
    url: &str,
    seconds: u64,
    rate: Option<u32>,
) -> (usize, f64, Vec<(Duration, Duration)>) {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let interval = rate.map(|r| Duration::from_secs_f64(CLIENTS as f64 / f64::from(r)));
    let workers: Vec<_> = (0..CLIENTS)
        .map(|worker| {
            let client = client.clone();
            let url = url.to_owned();
            tokio::spawn(async move {
                let mut samples = Vec::new();
                // Spread the clients' schedules over one interval.
                let mut scheduled = started
                    + interval.map_or(Duration::ZERO, |i| i * worker as u32 / CLIENTS as u32);
                while scheduled < deadline {
                    if interval.is_some() {
                        tokio::time::sleep_until(scheduled.into()).await;
                    } else {
                        scheduled = Instant::now();
                    }
                    let response = client
                        .post(&url)
                        .json(&serde_json::json!({"message": "bench"}))
                        .send()
                        .await
                        .unwrap();
                    assert!(response.status().is_success(), "{}", response.status());
                    let body: serde_json::Value = response.json().await.unwrap();
                    assert_eq!(
                        body["tool_calls"].as_array().map(Vec::len),
                        Some(1),
                        "{body}"
                    );
                    samples.push((scheduled - started, scheduled.elapsed()));
                    scheduled += interval.unwrap_or(Duration::ZERO);
                    if interval.is_none() {
                        scheduled = Instant::now();
                    }
                }
                samples
            })
        })
        .collect();
    let mut samples = Vec::new();
    for worker in workers {
        samples.extend(worker.await.unwrap());
    }
    (samples.len(), started.elapsed().as_secs_f64(), samples)
}

async fn cold_start_and_idle_memory(dir: &Path) {
    let cassettes = dir.join("cassettes");
    let data = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut server = Server::start(
        data.path(),
        None,
        &[("ODOO_AGENT_CASSETTES", cassettes.to_str().unwrap())],
    );
    let client = reqwest::Client::new();
    let health = format!("http://{}/health", server.address);
    loop {
        if let Ok(response) = client.get(&health).send().await
            && response.status().is_success()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let cold = started.elapsed();
    tokio::time::sleep(Duration::from_secs(size().load_seconds.min(2))).await;
    let memory = Memory::of(server.child.id());
    println!(
        "| cold start to /health 200 (fresh SQLite file, migrations included) | SQLite | {} |",
        ms(cold)
    );
    println!(
        "| idle RSS 2 s after start (peak so far) | SQLite | {:.1} MiB ({:.1}) |",
        memory.rss_kib as f64 / 1024.0,
        memory.peak_kib as f64 / 1024.0
    );
    server.stop();
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.50), at(0.99))
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// One tool call, then an answer, for the message "bench".
const BENCH_CASSETTE: &str = r#"{
  "name": "bench",
  "interactions": [
    {"request": {"messages": [{"role": "user", "content": [{"type": "text", "text": "bench"}]}]},
     "events": [
       {"type": "tool_call", "call": {"id": "call_1", "name": "calculate", "arguments": "{\"expression\":\"6 * 7\"}"}},
       {"type": "usage", "usage": {"input_tokens": 200, "output_tokens": 20}},
       {"type": "done", "stop_reason": "tool_use"}]},
    {"request": {"messages": [
       {"role": "user", "content": [{"type": "text", "text": "bench"}]},
       {"role": "assistant", "content": [{"type": "tool_use", "id": "call_1", "name": "calculate", "input": {"expression": "6 * 7"}}]},
       {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_1", "content": "{\"data\":{\"expression\":\"6 * 7\",\"result\":\"42\"},\"summary\":\"6 * 7 = 42\"}", "is_error": false}]}]},
     "events": [
       {"type": "text_delta", "text": "6 * 7 = 42"},
       {"type": "usage", "usage": {"input_tokens": 260, "output_tokens": 8}},
       {"type": "done", "stop_reason": "end_turn"}]}
  ]
}"#;
