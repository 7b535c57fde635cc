//! A self-contained HTML report (no external files, works offline): the
//! summary, then per case its failures (highlighted), and the conversation
//! turn by turn with every tool call's arguments and output.

use std::fmt::Write;

use serde_json::Value;

use super::escape;
use crate::result::{CaseResult, JudgeLog, Status, SuiteResult, TurnLog, describe};

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24;max-width:70rem}
h1{font-size:1.4rem}
.summary span{margin-right:1rem}
.case{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.2rem .8rem}
.case>summary{cursor:pointer;font-weight:600;padding:.3rem 0}
.passed>summary::before{content:'PASS ';color:#1a7f37}
.failed>summary::before{content:'FAIL ';color:#cf222e}
.error>summary::before{content:'ERROR ';color:#9a6700}
.failed,.error{border-color:#cf222e;background:#fff8f8}
ul.failures{color:#cf222e;font-weight:500}
.meta{color:#57606a;font-weight:400;font-size:.9em;margin-left:.5rem}
.user{background:#ddf4ff;padding:.4rem .6rem;border-radius:6px;margin:.5rem 0}
.answer{background:#f6f8fa;padding:.4rem .6rem;border-radius:6px;white-space:pre-wrap;margin:.5rem 0}
.tool{border-left:3px solid #8c959f;padding-left:.6rem;margin:.4rem 0}
.tool.err{border-left-color:#cf222e}
pre{background:#f6f8fa;padding:.4rem;overflow:auto;max-height:24rem;font-size:12px}
.proposal{color:#8250df}
.judge{border-left:3px solid #1a7f37;padding:.2rem .6rem;margin:.4rem 0}
.judge.fail{border-left-color:#cf222e}
";

/// The report page.
pub fn html(result: &SuiteResult) -> String {
    let s = &result.summary;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>odoo-agent evals: {passed}/{total} passed</title><style>{STYLE}</style></head><body>\n\
         <h1>odoo-agent evals</h1>\n<p class=\"summary\"><span>{total} cases</span>\
         <span>{passed} passed</span><span>{failed} failed</span><span>{errors} errors</span>\
         <span>{skipped} checks skipped</span><span>{mode} · {provider} · {model}</span>\
         <span>{ms} ms</span></p>\n",
        passed = s.passed,
        total = s.total,
        failed = s.failed,
        errors = s.errors,
        skipped = s.skipped,
        mode = escape(&result.mode),
        provider = escape(&result.provider),
        model = escape(&result.model),
        ms = result.duration_ms,
    );
    for case in &result.cases {
        write_case(&mut out, case);
    }
    out.push_str("</body></html>\n");
    out
}

fn write_case(out: &mut String, case: &CaseResult) {
    let class = case.status.as_str();
    let open = if case.status == Status::Passed {
        ""
    } else {
        " open"
    };
    let _ = writeln!(
        out,
        "<details class=\"case {class}\" id=\"case-{id}\"{open}><summary>{id}\
         <span class=\"meta\">{file} · {tokens} tokens · ${cost:.4} · {ms} ms{tags}</span></summary>",
        id = escape(&case.id),
        file = escape(&case.file),
        tokens = case.tokens,
        cost = case.cost_usd,
        ms = case.duration_ms,
        tags = if case.tags.is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&case.tags.join(", ")))
        },
    );
    if !case.failures.is_empty() {
        out.push_str("<ul class=\"failures\">\n");
        for failure in &case.failures {
            let _ = writeln!(out, "<li>{}</li>", escape(&describe(failure)));
        }
        out.push_str("</ul>\n");
    }
    for skipped in &case.skipped {
        let _ = writeln!(out, "<p class=\"meta\">skipped: {}</p>", escape(skipped));
    }
    if let Some(judge) = &case.judge {
        write_judge(out, judge);
    }
    for (i, turn) in case.turns.iter().enumerate() {
        write_turn(out, i + 1, turn);
    }
    out.push_str("</details>\n");
}

fn write_turn(out: &mut String, number: usize, turn: &TurnLog) {
    let _ = writeln!(
        out,
        "<div class=\"user\"><b>Turn {number}, person:</b> {}</div>",
        escape(&turn.user)
    );
    for call in &turn.tool_calls {
        let err = if call.outcome == "ok" { "" } else { " err" };
        let _ = writeln!(
            out,
            "<div class=\"tool{err}\"><b>{}</b> → {}<pre>{}</pre>\
             <details><summary>output</summary><pre>{}</pre></details></div>",
            escape(&call.name),
            escape(&call.outcome),
            escape(&pretty(&call.arguments)),
            escape(&pretty(&call.output))
        );
    }
    for proposal in &turn.proposals {
        let _ = writeln!(
            out,
            "<p class=\"proposal\">proposal {} on {} {:?} ({}): {}</p>",
            escape(&proposal.action),
            escape(&proposal.target_model),
            proposal.target_ids,
            escape(&proposal.status),
            escape(&proposal.preview)
        );
    }
    let _ = writeln!(
        out,
        "<div class=\"answer\"><b>Assistant</b> <span class=\"meta\">{} · {} model calls · \
         {} in / {} out tokens</span>\n{}</div>",
        escape(&turn.status),
        turn.iterations,
        turn.input_tokens,
        turn.output_tokens,
        escape(&turn.answer)
    );
    if let Some(error) = &turn.error {
        let _ = writeln!(out, "<pre class=\"failures\">{}</pre>", escape(error));
    }
}

fn write_judge(out: &mut String, judge: &JudgeLog) {
    let passed = judge.verdict.as_ref().is_some_and(|v| v.pass);
    let _ = writeln!(
        out,
        "<p class=\"judge{}\"><b>Rubric, judged by {}</b> <span class=\"meta\">{} · {} in / {} \
         out tokens</span><br>{}</p>",
        if passed { "" } else { " fail" },
        escape(&judge.judge),
        escape(&judge.prompt),
        judge.input_tokens,
        judge.output_tokens,
        escape(&judge.summary())
    );
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
