//! `odoo-agent bench`: runs an automation's pure computation on files and
//! reports time, memory and, given a truth file, accuracy. One file per
//! subcommand.

mod reconcile;

use clap::Subcommand;

pub use reconcile::ReconcileArgs;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Bank reconciliation suggestions (bank_reconciliation_suggest) on
    /// JSONL files of bank statement lines and open moves.
    ///
    /// Runs the computation with its default settings on records in Odoo's
    /// search_read shape and prints the wall time of the computation
    /// (loading excluded), peak memory (VmHWM from /proc/self/status),
    /// pairs scored and matches; with --truth also precision and recall.
    Reconcile(ReconcileArgs),
}

/// Runs one benchmark.
pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Reconcile(args) => reconcile::run(&args),
    }
}

/// Peak resident memory of this process (`VmHWM` in /proc/self/status),
/// as printed there ("123456 kB"); `None` where /proc is unavailable.
pub(crate) fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .map(|value| value.trim().to_owned())
}

/// Reads a JSON Lines file into values, naming the file and line on error.
pub(crate) fn read_jsonl(path: &std::path::Path) -> anyhow::Result<Vec<serde_json::Value>> {
    use anyhow::Context as _;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not a JSON value", path.display(), number + 1))
        })
        .collect()
}
