//! `OdooClient` against the fake Odoo on loopback: the client's own cost per
//! call (beside the fake's engine and a bare HTTP round trip of the same
//! body), a 1,000-record `search_read`, and a full paged scan, on Odoo 17
//! (JSON-RPC) and 19 (JSON-2), with a generated company of 100,000 partners.
//!
//! `nice -n 19 cargo bench -p tools --bench odoo_client` prints a Markdown
//! table. Without `--bench` (as in `cargo test --all-targets`) it runs a
//! short smoke pass on a small company so the benchmark cannot rot unnoticed.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::future::Future;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::{Map, Value, json};
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, execute_read, generate};
use tools::odoo::Domain;
use tools::odoo_client::{OdooClient, OdooClientConfig, ProtocolChoice};

const ADMIN: &str = "admin@harbourline.example";
/// The partner read by the tiny call: one of the fixed records.
const PARTNER: i64 = 1;
const PAGE_FIELDS: [&str; 5] = ["name", "email", "city", "customer_rank", "country_id"];

/// How much to measure.
struct Plan {
    partners: usize,
    tiny_calls: usize,
    page_calls: usize,
    scans: usize,
}

const FULL: Plan = Plan {
    partners: 100_000,
    tiny_calls: 2_000,
    page_calls: 200,
    scans: 3,
};
const SMOKE: Plan = Plan {
    partners: 200,
    tiny_calls: 50,
    page_calls: 5,
    scans: 1,
};

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plan = if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        SMOKE
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "| version | protocol | measurement | p50 | p99 | note |\n|---|---|---|---:|---:|---|"
    );
    for version in [DemoVersion::V17, DemoVersion::V19] {
        runtime.block_on(bench_version(version, &plan));
    }
}

async fn bench_version(version: DemoVersion, plan: &Plan) {
    let company = generate(&DemoSpec {
        partners: plan.partners,
        version,
        ..DemoSpec::default()
    });
    let admin = company.dataset.user_by_login(ADMIN).expect("admin").clone();
    let db = company.dataset.db.clone();
    let fake = FakeOdoo::start(company.dataset).await.expect("fake odoo");
    let client = OdooClient::connect(OdooClientConfig {
        url: fake.url(),
        db: db.clone(),
        login: admin.login.clone(),
        api_key: SecretString::from(admin.api_key.clone()),
        timeout: Duration::from_secs(30),
        max_concurrent_calls: NonZeroUsize::new(4).expect("non-zero"),
        protocol: ProtocolChoice::Auto,
    })
    .await
    .expect("client connects");
    let row = |what: &str, stats: &Stats, note: &str| {
        println!(
            "| {} | {} | {what} | {} | {} | {note} |",
            version.server_version(),
            client.protocol(),
            micros(stats.p50),
            micros(stats.p99),
        );
    };

    // The tiny call: `read` of one partner's name.
    let kwargs = object(json!({"fields": ["name"]}));
    let engine = timed_sync(plan.tiny_calls, || {
        fake.with_dataset(|dataset| {
            execute_read(
                dataset,
                admin.uid,
                "res.partner",
                "read",
                vec![json!([PARTNER])],
                kwargs.clone(),
            )
            .expect("engine read")
        })
    });
    let raw = RawCall::new(&fake, &db, admin.uid, &admin.api_key, version);
    let http = timed(plan.tiny_calls, || raw.send()).await;
    fake.clear_calls();
    let through_client = timed(plan.tiny_calls, || async {
        client
            .read("res.partner", &[PARTNER], &["name"])
            .await
            .expect("client read")
    })
    .await;
    fake.clear_calls();
    row("read 1 record: fake engine only", &engine, "");
    row("read 1 record: bare reqwest POST", &http, "fake's own work");
    row(
        "read 1 record: `OdooClient::read`",
        &through_client,
        &format!(
            "client overhead p50 {} µs, p99 {} µs",
            signed_micros(through_client.p50, http.p50),
            signed_micros(through_client.p99, http.p99)
        ),
    );

    // A page of 1,000 partners.
    let page_engine = timed_sync(plan.page_calls, || {
        fake.with_dataset(|dataset| {
            execute_read(
                dataset,
                admin.uid,
                "res.partner",
                "search_read",
                Vec::new(),
                object(
                    json!({"domain": [], "fields": PAGE_FIELDS, "order": "id asc",
                              "limit": 1000}),
                ),
            )
            .expect("engine page")
        })
    });
    let page = timed(plan.page_calls, || async {
        let records = client
            .search_read(
                "res.partner",
                json!([]),
                &PAGE_FIELDS,
                Some("id asc"),
                Some(1000),
                None,
            )
            .await
            .expect("client page");
        assert!(records.len() == 1000 || plan.partners < 1000);
    })
    .await;
    fake.clear_calls();
    row(
        "search_read 1,000 partners: fake engine only",
        &page_engine,
        "",
    );
    row("search_read 1,000 partners: `OdooClient`", &page, "");

    // Every partner, 1,000 at a time.
    let total = client
        .search_count("res.partner", json!([]))
        .await
        .expect("count");
    let mut scans = Vec::new();
    for _ in 0..plan.scans {
        let started = Instant::now();
        let scan = client
            .scan(
                "res.partner",
                &Domain::all(),
                &["name", "email"],
                NonZeroU32::new(1000).expect("non-zero"),
                usize::MAX - 1,
            )
            .await
            .expect("scan");
        scans.push(started.elapsed());
        assert_eq!(scan.records.len() as u64, total);
        fake.clear_calls();
    }
    scans.sort();
    let median = scans[scans.len() / 2];
    println!(
        "| {} | {} | scan of {total} partners, pages of 1,000 | {:.3} s | | {:.0} records/s (median of {}) |",
        version.server_version(),
        client.protocol(),
        median.as_secs_f64(),
        total as f64 / median.as_secs_f64(),
        scans.len(),
    );
    fake.stop().await;
}

/// The same call as the client's `read`, posted with a bare reqwest client.
struct RawCall {
    http: reqwest::Client,
    request: reqwest::Request,
}

impl RawCall {
    fn new(fake: &FakeOdoo, db: &str, uid: i64, key: &str, version: DemoVersion) -> Self {
        let http = reqwest::Client::new();
        let request = if version == DemoVersion::V19 {
            http.post(fake.url().join("json/2/res.partner/read").expect("url"))
                .bearer_auth(key)
                .header("X-Odoo-Database", db)
                .json(&json!({"ids": [PARTNER], "fields": ["name"]}))
        } else {
            http.post(fake.url().join("jsonrpc").expect("url"))
                .json(&json!({
                    "jsonrpc": "2.0", "method": "call", "id": 1,
                    "params": {"service": "object", "method": "execute_kw",
                               "args": [db, uid, key, "res.partner", "read", [[PARTNER]],
                                        {"fields": ["name"]}]},
                }))
        };
        Self {
            request: request.build().expect("request"),
            http,
        }
    }

    async fn send(&self) -> Value {
        let request = self.request.try_clone().expect("clonable body");
        let response = self.http.execute(request).await.expect("answer");
        assert!(response.status().is_success());
        response.json().await.expect("json")
    }
}

struct Stats {
    p50: Duration,
    p99: Duration,
}

async fn timed<F, Fut, T>(calls: usize, mut call: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    // Warm the connection pool and caches first.
    for _ in 0..(calls / 10).max(1) {
        std::hint::black_box(call().await);
    }
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        std::hint::black_box(call().await);
        times.push(started.elapsed());
    }
    stats(times)
}

fn timed_sync<T>(calls: usize, mut call: impl FnMut() -> T) -> Stats {
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        std::hint::black_box(call());
        times.push(started.elapsed());
    }
    stats(times)
}

fn stats(mut times: Vec<Duration>) -> Stats {
    times.sort();
    let at = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)];
    Stats {
        p50: at(50),
        p99: at(99),
    }
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn signed_micros(a: Duration, b: Duration) -> String {
    format!("{:+.1}", (a.as_secs_f64() - b.as_secs_f64()) * 1e6)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
