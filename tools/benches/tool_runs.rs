//! The automations on the demo company at 10,000 and 100,000 partners:
//! wall time, the fake Odoo's own time, the rest (the tool, HTTP and JSON),
//! the number of Odoo calls, and the memory the run adds.
//!
//! `nice -n 19 cargo bench -p tools --bench tool_runs` prints a Markdown
//! table. Without `--bench` (as in `cargo test --all-targets`) it runs a
//! short smoke pass at 300 partners so the benchmark cannot rot unnoticed.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use tools::automations::bank_reconciliation::{
    BankReconciliationConfig, BankReconciliationSuggest, MemoryRules,
};
use tools::automations::cash_flow_forecast::{CashFlowForecast, ForecastConfig};
use tools::automations::credit_check::{CreditCheck, CreditCheckConfig};
use tools::automations::find_duplicates::{FindDuplicates, FindDuplicatesConfig};
use tools::automations::month_end_closing_scan::{ClosingScanConfig, MonthEndClosingScan};
use tools::demo::{DemoSpec, FakeOdoo, generate};
use tools::odoo_client::{
    OdooClient, OdooClientConfig, OdooConnector, ProtocolChoice, SingleClient,
};
use tools::proposals::MemoryDismissals;
use tools::{CallOrigin, Identity, ToolCtx, ToolRegistry};

/// The allocator of the `odoo-agent` binary, so the figures are the ones
/// `serve` sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LOGIN: &str = "admin@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";
/// Runs per tool and size; the table shows the median by wall time.
const RUNS: usize = 3;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let full = std::env::args().any(|a| a == "--bench");
    // `cargo bench --bench tool_runs -- cash_flow` runs only the tools
    // whose label contains the word.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let sizes: &[usize] = if full { &[10_000, 100_000] } else { &[300] };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| tool | partners | wall | fake Odoo's own time | wall beyond Odoo | Odoo calls | memory added (peak) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for &partners in sizes {
        runtime.block_on(bench_size(partners, only.as_deref()));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("\nload average (1, 5, 15 min): {}", load.join(", "));
}

async fn bench_size(partners: usize, only: Option<&str>) {
    let spec = DemoSpec {
        partners,
        ..DemoSpec::default()
    };
    let company = generate(&spec);
    let period = company.truth.month_end.period.clone();
    let bank_journal = bank_journal(&company);
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let client = connect(&fake).await;
    let connector: Arc<dyn OdooConnector> = Arc::new(SingleClient(Arc::new(client)));
    let now = Utc
        .from_local_datetime(&spec.today.and_hms_opt(10, 0, 0).unwrap())
        .unwrap();
    let registry = ToolRegistry::builder()
        .register(MonthEndClosingScan::with_clock(
            ClosingScanConfig::new(BASE.parse().unwrap()),
            Arc::clone(&connector),
            Arc::new(move || now),
        ))
        .register(
            CreditCheck::new(
                CreditCheckConfig::new(BASE.parse().unwrap()),
                Arc::clone(&connector),
            )
            .unwrap(),
        )
        .register(FindDuplicates::new(
            FindDuplicatesConfig::new(BASE.parse().unwrap()),
            Arc::clone(&connector),
            Arc::new(MemoryDismissals::default()),
        ))
        .register(BankReconciliationSuggest::new(
            BankReconciliationConfig::new(BASE.parse().unwrap()),
            Arc::clone(&connector),
            Arc::new(MemoryRules::default()),
        ))
        .register(
            CashFlowForecast::new(ForecastConfig::new(BASE.parse().unwrap()), connector)
                .unwrap()
                .with_clock(Arc::new(move || now)),
        )
        .build()
        .unwrap();
    let today = spec.today.to_string();
    let vendor = company.truth.forecast.recurring_vendor;
    let runs: [(&str, &str, Value); 6] = [
        (
            "month_end_closing_scan",
            "month_end_closing_scan",
            json!({"period": period}),
        ),
        (
            "credit_check (portfolio)",
            "credit_check",
            json!({"mode": "portfolio", "top": 20, "as_of": today}),
        ),
        (
            "find_duplicates (partners, groups)",
            "find_duplicates",
            json!({"entity": "partner", "max_records": 500_000, "max_groups": 1000}),
        ),
        (
            "bank_reconciliation_suggest (EUR bank, 2,000 lines)",
            "bank_reconciliation_suggest",
            json!({"journal_id": bank_journal, "max_lines": 2000, "page_size": 200}),
        ),
        (
            "cash_flow_forecast (90 days)",
            "cash_flow_forecast",
            json!({"as_of": today}),
        ),
        (
            "cash_flow_forecast (90 days, 2-adjustment scenario)",
            "cash_flow_forecast",
            json!({"as_of": today, "scenario": [
                {"kind": "scale_receivables", "percent": 20},
                {"kind": "scale_recurring", "multiplier": 2, "partner_id": vendor}]}),
        ),
    ];
    for (label, tool, args) in runs {
        if only.is_some_and(|word| !label.contains(word)) {
            continue;
        }
        let mut samples: Vec<Sample> = Vec::new();
        for _ in 0..RUNS {
            samples.push(run(&fake, &registry, tool, args.clone()).await);
        }
        samples.sort_by_key(|s| s.wall);
        let s = &samples[RUNS / 2];
        println!(
            "| {label} | {partners} | {} | {} | {} | {} | {} MiB |",
            ms(s.wall),
            ms(s.engine),
            ms(s.wall.saturating_sub(s.engine)),
            s.calls,
            s.added_kib / 1024,
        );
    }
    fake.stop().await;
}

/// The journal of the planted bank examples (the EUR bank).
fn bank_journal(company: &tools::demo::DemoCompany) -> i64 {
    let line = company.truth.bank_examples[0].statement_line_id;
    let lines = company
        .dataset
        .table("account.bank.statement.line")
        .unwrap();
    lines.value(lines.get(line).unwrap(), "journal_id").unwrap()[0]
        .as_i64()
        .unwrap()
}

struct Sample {
    wall: Duration,
    engine: Duration,
    calls: usize,
    added_kib: u64,
}

async fn run(fake: &FakeOdoo, registry: &ToolRegistry, tool: &str, args: Value) -> Sample {
    fake.clear_calls();
    reset_peak();
    let before = status_kib("VmRSS");
    let ctx = ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + Duration::from_secs(600),
        cancel: tokio_util::sync::CancellationToken::new(),
        origin: CallOrigin::Model,
    };
    let started = Instant::now();
    let outcome = registry
        .dispatch(
            &ctx,
            "bench",
            tool,
            &args.to_string(),
            Duration::from_secs(600),
        )
        .await;
    let wall = started.elapsed();
    assert!(
        !outcome.is_error(),
        "{tool} failed: {}",
        outcome.content_for_model()
    );
    Sample {
        wall,
        engine: fake.engine_time(),
        calls: fake.calls().len(),
        added_kib: status_kib("VmHWM").saturating_sub(before),
    }
}

async fn connect(fake: &FakeOdoo) -> OdooClient {
    let key = fake.with_dataset(|d| d.user_by_login(LOGIN).unwrap().api_key.clone());
    OdooClient::connect(OdooClientConfig {
        url: fake.url(),
        db: fake.with_dataset(|d| d.db.clone()),
        login: LOGIN.to_owned(),
        api_key: key.into(),
        timeout: Duration::from_secs(600),
        max_concurrent_calls: std::num::NonZeroUsize::new(4).unwrap(),
        protocol: ProtocolChoice::Auto,
    })
    .await
    .unwrap()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Resets the process's peak RSS (`VmHWM`) to its current RSS, so the peak
/// seen after a run is that run's.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `kB` line of `/proc/self/status`; 0 where it does not exist.
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
