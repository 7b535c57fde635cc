//! JUnit XML, the format CI systems read: one `testcase` per case, a
//! `failure` (every failed expectation in its text) or an `error` (the
//! case could not run), `skipped` checks as properties.

use std::fmt::Write;

use super::escape;
use crate::result::{Status, SuiteResult, describe};

pub fn junit(result: &SuiteResult) -> String {
    let s = &result.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"odoo-agent evals\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
        s.total,
        s.failed,
        s.errors,
        seconds(result.duration_ms)
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"evals ({} {} {})\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{}\">",
        escape(&result.mode),
        escape(&result.provider),
        escape(&result.model),
        s.total,
        s.failed,
        s.errors,
        seconds(result.duration_ms)
    );
    for case in &result.cases {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{}\"",
            escape(case.tags.first().map_or("evals", String::as_str)),
            escape(&case.id),
            escape(&case.file),
            seconds(case.duration_ms)
        );
        let body: Vec<String> = case.failures.iter().map(describe).collect();
        let first = body.first().cloned().unwrap_or_default();
        match case.status {
            Status::Passed if case.skipped.is_empty() && case.judge.is_none() => {
                out.push_str("/>\n");
                continue;
            }
            Status::Passed => out.push_str(">\n"),
            Status::Failed => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"expectation\">{}</failure>",
                    escape(&first),
                    escape(&body.join("\n"))
                );
            }
            Status::Error => {
                let _ = writeln!(
                    out,
                    ">\n      <error message=\"{}\" type=\"case\">{}</error>",
                    escape(&first),
                    escape(&body.join("\n"))
                );
            }
        }
        if !case.skipped.is_empty() || case.judge.is_some() {
            out.push_str("      <properties>\n");
            for skipped in &case.skipped {
                let _ = writeln!(
                    out,
                    "        <property name=\"skipped\" value=\"{}\"/>",
                    escape(skipped)
                );
            }
            if let Some(judge) = &case.judge {
                let _ = writeln!(
                    out,
                    "        <property name=\"judge\" value=\"{}: {}\"/>",
                    escape(&judge.judge),
                    escape(&judge.summary())
                );
            }
            out.push_str("      </properties>\n");
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}
