//! What a run produced: per case, the conversation, the tool calls, the
//! failed expectations; and the comparison with an earlier run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::judge::Verdict;

/// A whole run: what `--baseline` reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteResult {
    /// `replay`, `record` or `live`.
    pub mode: String,
    pub provider: String,
    pub model: String,
    pub summary: Summary,
    pub cases: Vec<CaseResult>,
    /// Wall time of the run.
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    /// Cases that could not run (malformed file, missing cassette…).
    pub errors: usize,
    /// Rubrics not graded (replay has no judge).
    pub skipped: usize,
    /// Rubrics a judge graded (passed or not).
    #[serde(default)]
    pub judged: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// The case could not run: malformed, no cassette, the agent broke.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Error => "error",
        }
    }
}

/// One case's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    pub file: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: Status,
    #[serde(default)]
    pub failures: Vec<Failure>,
    /// Checks not run, with why (a rubric in replay).
    #[serde(default)]
    pub skipped: Vec<String>,
    #[serde(default)]
    pub turns: Vec<TurnLog>,
    /// The judge's grading of the rubric (live runs with a judge only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<JudgeLog>,
    /// Tokens of the agent's own calls (the judge's are in `judge`).
    pub tokens: u64,
    pub cost_usd: f64,
    pub duration_ms: u64,
}

/// A failed expectation: which, on which turn, expected vs actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// 1-based turn, when the expectation belongs to one.
    pub turn: Option<usize>,
    /// `tools[0] credit_check args`, `answer contains`, `limits.tokens`…
    pub check: String,
    pub expected: String,
    pub actual: String,
}

/// One turn as it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnLog {
    pub user: String,
    pub answer: String,
    /// `completed`, `limit_reached` or `failed`.
    pub status: String,
    /// Why the turn failed (a replay mismatch names the difference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Model calls made.
    pub iterations: u32,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub tool_calls: Vec<ToolCallLog>,
    pub proposals: Vec<ProposalLog>,
}

/// What the judge model said about a case's rubric: a verdict, or why
/// there is none (which fails the rubric).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeLog {
    /// `provider/model` of the judge.
    pub judge: String,
    /// The template it was asked with (`evals/judge.v1`).
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Why no verdict came back: the provider failed or the answer was not
    /// a verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl JudgeLog {
    /// `PASS 0.90: reason`, `FAIL 0.20: reason` or `ERROR: why`, for tables.
    pub fn summary(&self) -> String {
        match (&self.verdict, &self.error) {
            (Some(v), _) => format!(
                "{} {:.2}: {}",
                if v.pass { "PASS" } else { "FAIL" },
                v.score,
                v.reason
            ),
            (None, Some(error)) => format!("ERROR: {error}"),
            (None, None) => "no verdict".to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallLog {
    pub name: String,
    pub arguments: Value,
    /// `ok` or the error kind.
    pub outcome: String,
    /// What the model was sent back.
    pub output: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposalLog {
    pub action: String,
    pub target_model: String,
    pub target_ids: Vec<i64>,
    pub preview: String,
    /// `pending` unless something executed or decided it.
    pub status: String,
}

impl SuiteResult {
    /// Counts the cases' statuses into a summary.
    pub fn summarize(cases: &[CaseResult]) -> Summary {
        let mut summary = Summary {
            total: cases.len(),
            ..Summary::default()
        };
        for case in cases {
            match case.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => summary.failed += 1,
                Status::Error => summary.errors += 1,
            }
            summary.skipped += case.skipped.len();
            summary.judged += usize::from(case.judge.is_some());
        }
        summary
    }

    /// Whether every case passed.
    pub fn is_success(&self) -> bool {
        self.summary.failed == 0 && self.summary.errors == 0
    }
}

/// How this run differs from an earlier one, case by case.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// Passed before, not now.
    pub regressions: Vec<Change>,
    /// Not passed before, passed now.
    pub improvements: Vec<Change>,
    /// Cases the baseline does not have.
    pub new_cases: Vec<String>,
    /// Baseline cases this run does not have.
    pub missing_cases: Vec<String>,
    pub unchanged: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub id: String,
    pub before: Status,
    pub after: Status,
    /// The failures now (regressions) or before (improvements), in words.
    pub detail: Vec<String>,
}

/// Compares `current` against `baseline`.
pub fn compare(baseline: &SuiteResult, current: &SuiteResult) -> Comparison {
    let before: BTreeMap<&str, &CaseResult> =
        baseline.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let after: BTreeMap<&str, &CaseResult> =
        current.cases.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut comparison = Comparison::default();
    for (id, now) in &after {
        let Some(then) = before.get(id) else {
            comparison.new_cases.push((*id).to_owned());
            continue;
        };
        let passed_then = then.status == Status::Passed;
        let passed_now = now.status == Status::Passed;
        let change = |detail_of: &CaseResult| Change {
            id: (*id).to_owned(),
            before: then.status,
            after: now.status,
            detail: detail_of.failures.iter().map(describe).collect(),
        };
        match (passed_then, passed_now) {
            (true, false) => comparison.regressions.push(change(now)),
            (false, true) => comparison.improvements.push(change(then)),
            (true, true) | (false, false) => comparison.unchanged += 1,
        }
    }
    comparison.missing_cases = before
        .keys()
        .filter(|id| !after.contains_key(*id))
        .map(|id| (*id).to_owned())
        .collect();
    comparison
}

/// A failure in one line.
pub fn describe(failure: &Failure) -> String {
    let turn = failure
        .turn
        .map(|t| format!("turn {t}: "))
        .unwrap_or_default();
    format!(
        "{turn}{}: expected {}, actual {}",
        failure.check, failure.expected, failure.actual
    )
}
