//! Precision and recall of suggestions against known true matches, for
//! benchmarks and accuracy tests on labelled data.

use std::collections::HashMap;

use serde::Serialize;

use super::output::ReconcileResult;

/// How many suggestions were right.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accuracy {
    /// Lines with a suggestion.
    pub suggested: usize,
    /// Suggestions whose items are exactly the line's true move.
    pub correct: usize,
    /// Lines that have a true move.
    pub with_truth: usize,
    /// correct / suggested (1 when nothing was suggested).
    pub precision: f64,
    /// correct / with_truth (1 when no line has a true move).
    pub recall: f64,
}

/// Scores `result` against `truth`: bank line id → its true move id, or
/// `None` for a line that settles nothing. A split is never counted as
/// correct against a single true move.
pub fn accuracy(result: &ReconcileResult, truth: &HashMap<i64, Option<i64>>) -> Accuracy {
    let suggested = result.suggestions.len();
    let correct = result
        .suggestions
        .iter()
        .filter(|s| {
            let truth = truth.get(&s.line.id).copied().flatten();
            matches!((truth, s.candidates.as_slice()), (Some(id), [only]) if only.move_id == id)
        })
        .count();
    let with_truth = truth.values().filter(|t| t.is_some()).count();
    let ratio = |num: usize, den: usize| {
        if den == 0 {
            1.0
        } else {
            num as f64 / den as f64
        }
    };
    Accuracy {
        suggested,
        correct,
        with_truth,
        precision: ratio(correct, suggested),
        recall: ratio(correct, with_truth),
    }
}
