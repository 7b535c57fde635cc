//! Demo company generation: time and memory at 10,000 and 100,000 partners.
//!
//! `nice -n 19 cargo bench -p tools --bench demo_company` prints a Markdown
//! table. Without `--bench` (as in `cargo test --all-targets`) it runs a
//! short smoke pass so the benchmark cannot rot unnoticed.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)] // a benchmark reports

use std::time::Instant;

use tools::demo::{DemoSpec, generate};

/// The allocator of the `odoo-agent` binary, so the figures are the ones
/// `serve` sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let sizes: &[usize] = if std::env::args().any(|a| a == "--bench") {
        &[10_000, 100_000]
    } else {
        &[100, 1_000]
    };
    println!(
        "| partners | records | generation (wall) | generation (CPU) | RSS retained | peak RSS (VmHWM) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    let mut per_model = Vec::new();
    for &partners in sizes {
        let spec = DemoSpec {
            partners,
            ..DemoSpec::default()
        };
        let before = status_kb("VmRSS");
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let company = generate(&spec);
        let elapsed = started.elapsed();
        let cpu = cpu_seconds() - cpu_before;
        let after = status_kb("VmRSS");
        let records: usize = company.dataset.tables.values().map(|t| t.len()).sum();
        println!(
            "| {partners} | {records} | {:.2} s | {cpu:.2} s | {} MiB | {} MiB |",
            elapsed.as_secs_f64(),
            after.saturating_sub(before) / 1024,
            status_kb("VmHWM") / 1024,
        );
        per_model = company
            .dataset
            .tables
            .iter()
            .map(|(model, t)| (*model, t.len() as f64 / partners.max(1) as f64))
            .collect();
        // Dropped here, outside the timed part.
        drop(company);
    }
    println!("\n| model | records per partner (largest size) |\n|---|---:|");
    per_model.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (model, ratio) in per_model.iter().filter(|(_, r)| *r >= 0.01) {
        println!("| {model} | {ratio:.2} |");
    }
    // Wall time on a shared machine means little without its load.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("\nload average (1, 5, 15 min): {}", load.join(", "));
}

/// User plus system CPU time of this process, from `/proc/self/stat`:
/// wall time alone misleads on a machine shared with other jobs.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are
    // fields 14 and 15 of the whole line, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// A `kB` line of `/proc/self/status`; 0 where it does not exist.
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let rest = line.strip_prefix(key)?.strip_prefix(':')?;
                rest.trim().trim_end_matches("kB").trim().parse().ok()
            })
        })
        .unwrap_or(0)
}
