//! `odoo-agent bench …`: runs an automation's pure computation on benchmark
//! files and prints its speed, peak memory and, given the truth, its
//! accuracy. One file per subcommand.

mod dedup;
mod memory;
mod reconcile;

use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// find_duplicates on partner rows (JSONL in Odoo's search_read shape):
    /// wall time, peak memory, pairs compared, groups found and, with
    /// --truth, pair precision and recall.
    Dedup(dedup::DedupArgs),
    /// Bank reconciliation suggestions (bank_reconciliation_suggest) on
    /// JSONL files of bank statement lines and open moves.
    ///
    /// Runs the computation with its default settings on records in Odoo's
    /// search_read shape and prints the wall time of the computation
    /// (loading excluded), peak memory (VmHWM from /proc/self/status),
    /// pairs scored and matches; with --truth also precision and recall.
    Reconcile(reconcile::ReconcileArgs),
}

pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Dedup(args) => dedup::run(&args),
        BenchCommand::Reconcile(args) => reconcile::run(&args),
    }
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
