//! `odoo-agent bench reconcile`.

#![allow(clippy::print_stdout)] // this command's output is its product

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use serde_json::json;
use tools::automations::bank_reconciliation::{
    BankLine, OpenItem, ReconcileConfig, ReconcileResult, accuracy, suggest,
};

use super::memory::peak_rss_kib;
use super::read_jsonl;

/// The files of `bench reconcile`.
#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Bank statement lines: one account.bank.statement.line record per
    /// line (id, date, payment_ref, partner_id, amount; optional
    /// partner_name).
    #[arg(long, value_name = "FILE")]
    pub lines: PathBuf,
    /// Open moves: one account.move record per line (id, name, ref,
    /// partner_id, amount_residual, move_type, invoice_date,
    /// invoice_date_due); the residual's sign comes from move_type.
    #[arg(long, value_name = "FILE")]
    pub moves: PathBuf,
    /// Write one JSON object per bank line, in input order:
    /// {"bank_line_id", "move_ids", "score", "match_type"} (move_ids empty
    /// and match_type "none" for an unmatched line).
    #[arg(long, value_name = "MATCHES.jsonl")]
    pub out: Option<PathBuf>,
    /// Known answers: one {"bank_line_id", "invoice_id"} object per line
    /// (invoice_id null for a line that pays nothing); prints precision
    /// (correct / suggested) and recall (correct / lines with a true move).
    #[arg(long, value_name = "TRUTH.jsonl")]
    pub truth: Option<PathBuf>,
}

pub fn run(args: &ReconcileArgs) -> anyhow::Result<()> {
    let lines = read_jsonl(&args.lines)?
        .iter()
        .map(BankLine::from_record)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading bank lines from {}", args.lines.display()))?;
    let moves = read_jsonl(&args.moves)?
        .iter()
        .map(OpenItem::from_move_record)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading moves from {}", args.moves.display()))?;
    let config = ReconcileConfig::default();

    let started = Instant::now();
    let outcome = suggest(&lines, &moves, &[], &config);
    let elapsed = started.elapsed();

    let result = &outcome.result;
    println!("bank lines:      {}", lines.len());
    println!("open moves:      {}", moves.len());
    println!("wall time:       {:.3} s", elapsed.as_secs_f64());
    println!(
        "peak memory:     {}",
        peak_rss_kib().map_or_else(|| "unknown".into(), |kib| format!("{kib} kB"))
    );
    println!("pairs scored:    {}", outcome.stats.pairs_scored);
    println!("pairs kept:      {}", outcome.stats.pairs_kept);
    println!("matches:         {}", result.counts.suggested);
    println!("auto-matchable:  {}", result.counts.auto_matchable);
    println!("unmatched:       {}", result.counts.unmatched);
    if let Some(path) = &args.out {
        write_matches(path, &lines, result)?;
        println!("matches written: {}", path.display());
    }
    if let Some(path) = &args.truth {
        let truth = read_truth(path)?;
        let scored = accuracy(result, &truth);
        println!(
            "precision:       {:.4} ({} of {} suggestions correct)",
            scored.precision, scored.correct, scored.suggested
        );
        println!(
            "recall:          {:.4} ({} of {} lines with a true move)",
            scored.recall, scored.correct, scored.with_truth
        );
    }
    Ok(())
}

fn write_matches(path: &Path, lines: &[BankLine], result: &ReconcileResult) -> anyhow::Result<()> {
    let by_line: HashMap<i64, _> = result.suggestions.iter().map(|s| (s.line.id, s)).collect();
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    for line in lines {
        let row = match by_line.get(&line.id) {
            Some(s) => json!({
                "bank_line_id": line.id,
                "move_ids": s.candidates.iter().map(|c| c.move_id).collect::<Vec<_>>(),
                "score": s.confidence,
                "match_type": s.match_type,
            }),
            None => {
                json!({"bank_line_id": line.id, "move_ids": [], "score": 0.0, "match_type": "none"})
            }
        };
        writeln!(out, "{row}")?;
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))
}

fn read_truth(path: &Path) -> anyhow::Result<HashMap<i64, Option<i64>>> {
    read_jsonl(path)?
        .iter()
        .enumerate()
        .map(|(number, row)| {
            let line = row["bank_line_id"].as_i64().with_context(|| {
                format!(
                    "{}:{}: bank_line_id is not an integer",
                    path.display(),
                    number + 1
                )
            })?;
            Ok((line, row["invoice_id"].as_i64()))
        })
        .collect()
}
