//! `odoo-agent bench reconcile` on tiny JSONL files written by the test.

// Test helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

fn write_jsonl(path: &Path, rows: &[Value]) {
    let text: String = rows.iter().map(|row| format!("{row}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn bench_reconcile_prints_figures_writes_matches_and_scores_against_truth() {
    let dir = tempfile::tempdir().unwrap();
    let lines = dir.path().join("lines.jsonl");
    let moves = dir.path().join("moves.jsonl");
    let truth = dir.path().join("truth.jsonl");
    let out = dir.path().join("matches.jsonl");
    write_jsonl(
        &lines,
        &[
            json!({"id": 1, "date": "2026-03-02", "payment_ref": "INV/2026/0042",
               "partner_id": [7, "Acme Corp"], "amount": 1500.0, "journal_id": [1, "Bank"]}),
            json!({"id": 2, "date": "2026-03-03", "payment_ref": "Card payment 1234",
               "partner_id": false, "amount": -44.93, "journal_id": [1, "Bank"]}),
            json!({"id": 3, "date": "2026-03-04", "payment_ref": "PMT INV-2026-043",
               "partner_id": false, "amount": 1000.3, "journal_id": [1, "Bank"]}),
        ],
    );
    write_jsonl(
        &moves,
        &[
            json!({"id": 42, "name": "INV/2026/0042", "ref": false, "partner_id": [7, "Acme Corp"],
               "amount_residual": 1500.0, "move_type": "out_invoice",
               "invoice_date": "2026-02-01", "invoice_date_due": "2026-03-01"}),
            json!({"id": 43, "name": "INV/2026/0043", "ref": "PO-1", "partner_id": [8, "Beta"],
               "amount_residual": 1000.0, "move_type": "out_invoice",
               "invoice_date": "2026-02-02", "invoice_date_due": "2026-03-02"}),
            json!({"id": 50, "name": "BILL/2026/0001", "ref": false, "partner_id": [9, "Gamma"],
               "amount_residual": 1500.0, "move_type": "in_invoice",
               "invoice_date": "2026-02-02", "invoice_date_due": "2026-03-02"}),
        ],
    );
    write_jsonl(
        &truth,
        &[
            json!({"bank_line_id": 1, "invoice_id": 42}),
            json!({"bank_line_id": 2, "invoice_id": null}),
            json!({"bank_line_id": 3, "invoice_id": 50}),
        ],
    );

    let output = Command::new(env!("CARGO_BIN_EXE_odoo-agent"))
        .current_dir(dir.path())
        .env_remove("ODOO_AGENT_LOG")
        .args([
            "bench",
            "reconcile",
            "--lines",
            "lines.jsonl",
            "--moves",
            "moves.jsonl",
        ])
        .args(["--out", "matches.jsonl", "--truth", "truth.jsonl"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "wall time:",
        "peak memory:",
        "kB",
        "pairs scored:",
        "matches:         2",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    // Line 3 is matched to 43 (digits 2026/43, amount within 0.30) but the
    // truth says 50: one of two suggestions right, one of two true lines.
    assert!(
        stdout.contains("precision:       0.5000 (1 of 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains("recall:          0.5000 (1 of 2"),
        "{stdout}"
    );

    let rows: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        rows,
        vec![
            json!({"bank_line_id": 1, "move_ids": [42], "score": 0.9, "match_type": "exact"}),
            json!({"bank_line_id": 2, "move_ids": [], "score": 0.0, "match_type": "none"}),
            json!({"bank_line_id": 3, "move_ids": [43], "score": 0.65, "match_type": "fuzzy"}),
        ]
    );
}

#[test]
fn bench_reconcile_help_explains_the_files() {
    let output = Command::new(env!("CARGO_BIN_EXE_odoo-agent"))
        .args(["bench", "reconcile", "--help"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for expected in [
        "--lines",
        "--moves",
        "--out",
        "--truth",
        "precision",
        "VmHWM",
        "account.move",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
}
