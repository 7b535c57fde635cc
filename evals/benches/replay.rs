//! Replay benchmark of the eval suite: the shipped cases (`evals/cases`)
//! replayed from their cassettes through the real agent loop, tools and
//! demo company, as CI and `odoo-agent eval run` do.
//!
//! `cargo bench -p evals --bench replay` runs the suite cycled to 100 cases
//! (when the suite has fewer, cases are repeated in order, each repeat a
//! separate run with its own runtime and database), with 2 and then 4 jobs,
//! and prints wall time and peak RSS as a Markdown table for
//! `BENCHMARKS.md`. The first run of a process pays for generating the
//! demo companies; it is reported apart ("cold"). `cargo test
//! --all-targets` runs one short pass so the benchmark cannot rot.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use evals::result::Status;
use evals::{Companies, Loaded, Mode, Prices, RunOptions};

/// The allocator of the `odoo-agent` binary, so the figures are the ones
/// `odoo-agent eval run` sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The target of issue 6: 100 replayed cases within 10 s on 2 cores.
const CASES: usize = 100;

fn main() {
    agent::init_crypto();
    let full = std::env::args().any(|a| a == "--bench");
    let repo = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let suite = evals::load(&[repo.join("evals/cases")], &[]);
    assert!(suite.errors.is_empty(), "{:?}", suite.errors);
    let distinct = suite.cases.len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let companies = Arc::new(Companies::new(
        agent::config::Config::for_tests(),
        repo.join("evals/fixtures"),
    ));
    let options = |jobs: usize| RunOptions {
        mode: Mode::Replay {
            cassettes: repo.join("evals/cassettes"),
        },
        jobs,
        prices: Prices {
            input_per_mtok: 3.0,
            output_per_mtok: 15.0,
        },
        progress: false,
        judge: None,
    };
    let runs: &[(&str, usize, usize)] = if full {
        &[
            ("cold", CASES, 2),
            ("warm", CASES, 2),
            ("warm", CASES, 4),
            ("warm", CASES, 2),
        ]
    } else {
        &[("smoke", 4, 2)]
    };
    println!(
        "{distinct} distinct cases in evals/cases; each run replays {} cases (the suite cycled \
         in order when it has fewer)\n",
        runs[0].1
    );
    println!("| run | cases | jobs | wall time | per 100 cases | passed | peak RSS so far |");
    println!("|---|---|---|---|---|---|---|");
    for (label, cases, jobs) in runs {
        let loaded = cycled(&suite, *cases);
        let started = Instant::now();
        let result = runtime.block_on(evals::run(loaded, Arc::clone(&companies), &options(*jobs)));
        let wall = started.elapsed();
        let passed = result
            .cases
            .iter()
            .filter(|c| c.status == Status::Passed)
            .count();
        assert_eq!(passed, *cases, "every replayed case passes");
        println!(
            "| {label} | {cases} | {jobs} | {:.2} s | {:.2} s | {passed} | {} |",
            wall.as_secs_f64(),
            wall.as_secs_f64() * 100.0 / *cases as f64,
            peak_rss()
        );
    }
}

/// `count` cases: the suite's in order, repeated as needed. Repeats keep
/// their id (and so their cassette); each is run on its own.
fn cycled(suite: &Loaded, count: usize) -> Loaded {
    Loaded {
        cases: suite.cases.iter().cycle().take(count).cloned().collect(),
        errors: Vec::new(),
    }
}

/// The process's peak resident set (`VmHWM`), from /proc.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().strip_suffix("kB"))
                .and_then(|kb| kb.trim().parse::<u64>().ok())
        })
        .map_or_else(|| "n/a".to_owned(), |kb| format!("{} MiB", kb / 1024))
}
