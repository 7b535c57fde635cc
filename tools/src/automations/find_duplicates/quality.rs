//! Pair precision and recall of predicted groups against known clusters,
//! for benchmarks and accuracy tests: the pairs are all unordered id pairs
//! inside a group (predicted) or inside a cluster (true).

use std::collections::HashSet;

use serde::Serialize;

/// How well predicted groups match the true clusters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairQuality {
    pub predicted_pairs: usize,
    pub true_pairs: usize,
    pub correct_pairs: usize,
    /// Correct over predicted; 1 when nothing was predicted.
    pub precision: f64,
    /// Correct over true; 1 when there is nothing to find.
    pub recall: f64,
}

impl PairQuality {
    /// Compares the pairs inside `predicted` groups with those inside
    /// `truth` clusters.
    pub fn measure(predicted: &[Vec<i64>], truth: &[Vec<i64>]) -> Self {
        let true_pairs = pairs(truth);
        let predicted_pairs = pairs(predicted);
        let correct = predicted_pairs.intersection(&true_pairs).count();
        let ratio = |part: usize, whole: usize| {
            if whole == 0 {
                1.0
            } else {
                part as f64 / whole as f64
            }
        };
        Self {
            predicted_pairs: predicted_pairs.len(),
            true_pairs: true_pairs.len(),
            correct_pairs: correct,
            precision: ratio(correct, predicted_pairs.len()),
            recall: ratio(correct, true_pairs.len()),
        }
    }
}

fn pairs(groups: &[Vec<i64>]) -> HashSet<(i64, i64)> {
    let mut out = HashSet::new();
    for group in groups {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                if a != b {
                    out.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_inside_groups_are_counted_once() {
        let truth = vec![vec![1, 2, 3], vec![7, 8]];
        let predicted = vec![vec![2, 1], vec![3, 9], vec![7, 8]];
        let q = PairQuality::measure(&predicted, &truth);
        assert_eq!(
            (q.true_pairs, q.predicted_pairs, q.correct_pairs),
            (4, 3, 2)
        );
        assert!((q.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((q.recall - 0.5).abs() < 1e-12);
        let empty = PairQuality::measure(&[], &[]);
        assert_eq!((empty.precision, empty.recall), (1.0, 1.0));
    }
}
