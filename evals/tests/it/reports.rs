//! Report writers (snapshots of JSON and JUnit; the HTML opens in headless
//! Chromium) and the baseline comparison.

use std::process::Command;

use evals::report;
use evals::result::{
    CaseResult, Failure, JudgeLog, ProposalLog, Status, SuiteResult, ToolCallLog, TurnLog, Verdict,
    compare,
};
use pretty_assertions::assert_eq;
use serde_json::json;

fn case(id: &str, status: Status, failures: Vec<Failure>) -> CaseResult {
    CaseResult {
        id: id.into(),
        file: format!("evals/cases/{id}.yaml"),
        tags: vec!["credit_check".into()],
        status,
        failures,
        skipped: Vec::new(),
        turns: vec![TurnLog {
            user: "Is <Acme & Sons> over its limit?".into(),
            answer: "Acme's exposure is 12,480.50 EUR.".into(),
            status: "completed".into(),
            error: None,
            iterations: 2,
            input_tokens: 1200,
            output_tokens: 80,
            tool_calls: vec![ToolCallLog {
                name: "credit_check".into(),
                arguments: json!({"partner_name": "Acme & Sons"}),
                outcome: "ok".into(),
                output: json!({"summary": "Acme: exposure 12480.50", "data": {"exposure": "12480.50"}}),
            }],
            proposals: vec![ProposalLog {
                action: "set_credit_limit".into(),
                target_model: "res.partner".into(),
                target_ids: vec![7],
                preview: "Credit limit 0 -> 5,000".into(),
                status: "pending".into(),
            }],
        }],
        judge: None,
        tokens: 1280,
        cost_usd: 0.0048,
        duration_ms: 120,
    }
}

fn suite() -> SuiteResult {
    let mut skipped = case("credit-ok", Status::Passed, Vec::new());
    skipped.skipped =
        vec!["rubric: no judge model configured (--judge-provider, --judge-model)".into()];
    let mut judged = case(
        "credit-wrong-figure",
        Status::Failed,
        vec![Failure {
            turn: Some(1),
            check: "answer number credit_check:data.exposure".into(),
            expected: "12480.5 ± 0.01".into(),
            actual: "numbers in the answer: [12408.5]".into(),
        }],
    );
    judged.judge = Some(JudgeLog {
        judge: "openai/gpt-judge".into(),
        prompt: "evals/judge.v1".into(),
        verdict: Some(Verdict {
            pass: true,
            score: 0.8,
            reason: "States the exposure <politely>.".into(),
        }),
        error: None,
        input_tokens: 700,
        output_tokens: 40,
    });
    let cases = vec![
        skipped,
        judged,
        CaseResult {
            turns: Vec::new(),
            ..case(
                "broken",
                Status::Error,
                vec![Failure {
                    turn: None,
                    check: "case file line 4".into(),
                    expected: "a valid case".into(),
                    actual: "evals/cases/broken.yaml:4: unknown field `expct`".into(),
                }],
            )
        },
    ];
    SuiteResult {
        mode: "live".into(),
        provider: "openai".into(),
        model: "gpt-fake".into(),
        summary: SuiteResult::summarize(&cases),
        cases,
        duration_ms: 1500,
    }
}

#[test]
fn json_result_snapshot() {
    insta::assert_snapshot!(report::json(&suite()));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(report::junit(&suite()));
}

#[test]
fn the_json_result_reads_back_as_a_baseline() {
    let text = report::json(&suite());
    let back: SuiteResult = serde_json::from_str(&text).unwrap();
    assert_eq!(back, suite());
}

#[test]
fn the_table_shows_failures_with_expected_and_actual() {
    let table = report::table(&suite());
    assert!(table.contains("FAIL    credit-wrong-figure"), "{table}");
    assert!(
        table.contains(
            "- turn 1: answer number credit_check:data.exposure: expected 12480.5 ± 0.01, \
             actual numbers in the answer: [12408.5]"
        ),
        "{table}"
    );
    assert!(
        table.contains("3 cases: 1 passed, 1 failed, 1 errors"),
        "{table}"
    );
}

#[test]
fn the_table_and_html_show_the_judges_verdict() {
    let table = report::table(&suite());
    assert!(
        table.contains("= judge openai/gpt-judge: PASS 0.80: States the exposure <politely>."),
        "{table}"
    );
    assert!(table.contains("1 rubrics judged"), "{table}");
    let html = report::html(&suite());
    assert!(
        html.contains(
            "<b>Rubric, judged by openai/gpt-judge</b> <span class=\"meta\">evals/judge.v1 · \
             700 in / 40 out tokens</span><br>PASS 0.80: States the exposure &lt;politely&gt;."
        ),
        "{html}"
    );
}

#[test]
fn baseline_comparison_names_regressions_improvements_and_new_cases() {
    let before = suite();
    let mut after = suite();
    // credit-ok now fails, credit-wrong-figure now passes, broken is gone
    // and a new case appears.
    after.cases[0].status = Status::Failed;
    after.cases[0].failures = vec![Failure {
        turn: Some(1),
        check: "tools[0] credit_check".into(),
        expected: "a call".into(),
        actual: "calls: none".into(),
    }];
    after.cases[1].status = Status::Passed;
    after.cases[1].failures.clear();
    after.cases[2] = case("new-case", Status::Passed, Vec::new());
    let comparison = compare(&before, &after);
    let ids = |changes: &[evals::result::Change]| -> Vec<String> {
        changes.iter().map(|c| c.id.clone()).collect()
    };
    assert_eq!(ids(&comparison.regressions), ["credit-ok"]);
    assert_eq!(
        comparison.regressions[0].detail,
        ["turn 1: tools[0] credit_check: expected a call, actual calls: none"]
    );
    assert_eq!(ids(&comparison.improvements), ["credit-wrong-figure"]);
    assert_eq!(comparison.new_cases, ["new-case"]);
    assert_eq!(comparison.missing_cases, ["broken"]);
    let text = report::comparison_text(&comparison);
    assert!(
        text.starts_with("against the baseline: 1 regressions, 1 improvements"),
        "{text}"
    );
}

#[test]
fn the_html_report_is_escaped_and_opens_in_headless_chromium_without_errors() {
    let html = report::html(&suite());
    assert!(html.contains("Is &lt;Acme &amp; Sons&gt; over its limit?"));
    assert!(!html.contains("<Acme"), "unescaped text");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "external resource"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    std::fs::write(&path, &html).unwrap();
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("chromium is installed by docker/ensure-browser.sh");
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", path.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{log}");
    assert!(dom.contains("id=\"case-credit-wrong-figure\""), "{dom}");
    assert!(dom.contains("<ul class=\"failures\">"), "{dom}");
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
