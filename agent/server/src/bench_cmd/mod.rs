//! `odoo-agent bench …`: runs an automation's pure computation on a
//! benchmark file and prints its speed, peak memory and, given the truth,
//! its accuracy. One file per subcommand.

mod dedup;
mod memory;

use clap::Subcommand;

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// find_duplicates on partner rows (JSONL in Odoo's search_read shape):
    /// wall time, peak memory, pairs compared, groups found and, with
    /// --truth, pair precision and recall.
    Dedup(dedup::DedupArgs),
}

pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Dedup(args) => dedup::run(&args),
    }
}
