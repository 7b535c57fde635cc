//! `bank_reconciliation_suggest` on the shared 5,000 × 5,000 benchmark
//! files: accuracy against their truth file.
//!
//! The files live outside the repository (`ODOO_AGENT_SHARED_DATA`,
//! default `../shared/data` from the workspace root); the test is skipped
//! with a note when they are absent.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::Value;
use tools::automations::bank_reconciliation::{
    BankLine, OpenItem, ReconcileConfig, accuracy, suggest,
};

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("ODOO_AGENT_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"))
        });
    dir.join("bank_lines_5000.jsonl").is_file().then_some(dir)
}

fn jsonl(path: PathBuf) -> Vec<Value> {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn five_thousand_lines_reach_ninety_percent_precision_and_recall() {
    let Some(dir) = shared_data() else {
        #[allow(clippy::print_stdout)]
        {
            println!("skipped: bank_lines_5000.jsonl not found; set ODOO_AGENT_SHARED_DATA");
        }
        return;
    };
    let lines: Vec<BankLine> = jsonl(dir.join("bank_lines_5000.jsonl"))
        .iter()
        .map(|v| BankLine::from_record(v).unwrap())
        .collect();
    let items: Vec<OpenItem> = jsonl(dir.join("invoices_5000.jsonl"))
        .iter()
        .map(|v| OpenItem::from_move_record(v).unwrap())
        .collect();
    let truth_rows = jsonl(dir.join("recon_5000_truth.jsonl"));
    let truth: HashMap<i64, Option<i64>> = truth_rows
        .iter()
        .map(|row| {
            (
                row["bank_line_id"].as_i64().unwrap(),
                row["invoice_id"].as_i64(),
            )
        })
        .collect();

    let started = Instant::now();
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    let elapsed = started.elapsed();
    let scored = accuracy(&outcome.result, &truth);

    #[allow(clippy::print_stdout)]
    {
        println!("{elapsed:?} {:?} {scored:?}", outcome.stats);
        let suggested: HashMap<i64, Vec<i64>> = outcome
            .result
            .suggestions
            .iter()
            .map(|s| (s.line.id, s.candidates.iter().map(|c| c.move_id).collect()))
            .collect();
        let mut by_kind: HashMap<String, [usize; 3]> = HashMap::new();
        for row in &truth_rows {
            let line = row["bank_line_id"].as_i64().unwrap();
            let want = row["invoice_id"].as_i64();
            for key in ["ref_kind", "amount_kind", "partner_kind"] {
                let slot = by_kind
                    .entry(format!("{key}={}", row[key].as_str().unwrap()))
                    .or_default();
                slot[0] += 1;
                match (suggested.get(&line), want) {
                    (Some(got), Some(want)) if got == &vec![want] => slot[1] += 1,
                    (Some(_), _) => slot[2] += 1,
                    (None, _) => {}
                }
            }
        }
        let mut kinds: Vec<_> = by_kind.into_iter().collect();
        kinds.sort();
        for (kind, [total, right, wrong]) in kinds {
            println!("{kind:28} total {total:5} right {right:5} wrong {wrong:5}");
        }
    }
    assert!(scored.precision >= 0.90, "precision {scored:?}");
    assert!(scored.recall >= 0.90, "recall {scored:?}");
}
