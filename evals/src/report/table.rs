//! The per-case table printed after a run, and the baseline comparison.

use std::fmt::Write;

use crate::result::{Comparison, SuiteResult, describe};

/// One line per case (status, id, tokens, time), each failure indented
/// under its case with expected vs actual, then the totals.
pub fn table(result: &SuiteResult) -> String {
    let width = result
        .cases
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6}  {:<width$}  {:>8}  {:>9}  {:>8}",
        "status", "case", "tokens", "cost $", "time"
    );
    for case in &result.cases {
        let _ = writeln!(
            out,
            "{:<6}  {:<width$}  {:>8}  {:>9.4}  {:>6} ms",
            match case.status {
                crate::result::Status::Passed => "PASS",
                crate::result::Status::Failed => "FAIL",
                crate::result::Status::Error => "ERROR",
            },
            case.id,
            case.tokens,
            case.cost_usd,
            case.duration_ms
        );
        for failure in &case.failures {
            let _ = writeln!(
                out,
                "        - {}",
                describe(failure).replace('\n', "\n          ")
            );
        }
        for skipped in &case.skipped {
            let _ = writeln!(out, "        ~ skipped {skipped}");
        }
        if let Some(judge) = &case.judge {
            let _ = writeln!(out, "        = judge {}: {}", judge.judge, judge.summary());
        }
    }
    let s = &result.summary;
    let _ = writeln!(
        out,
        "\n{} cases: {} passed, {} failed, {} errors, {} checks skipped, {} rubrics judged \
         ({} mode, {} ms)",
        s.total, s.passed, s.failed, s.errors, s.skipped, s.judged, result.mode, result.duration_ms
    );
    out
}

/// Regressions and improvements against a baseline, in words.
pub fn comparison_text(comparison: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "against the baseline: {} regressions, {} improvements, {} unchanged, {} new, {} missing",
        comparison.regressions.len(),
        comparison.improvements.len(),
        comparison.unchanged,
        comparison.new_cases.len(),
        comparison.missing_cases.len()
    );
    for change in &comparison.regressions {
        let _ = writeln!(
            out,
            "  REGRESSION {}: {} -> {}",
            change.id,
            change.before.as_str(),
            change.after.as_str()
        );
        for line in &change.detail {
            let _ = writeln!(out, "    - {line}");
        }
    }
    for change in &comparison.improvements {
        let _ = writeln!(
            out,
            "  IMPROVED   {}: {} -> {}",
            change.id,
            change.before.as_str(),
            change.after.as_str()
        );
    }
    for id in &comparison.new_cases {
        let _ = writeln!(out, "  NEW        {id}");
    }
    for id in &comparison.missing_cases {
        let _ = writeln!(out, "  MISSING    {id}");
    }
    out
}
