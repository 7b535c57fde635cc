//! Scoring every candidate pair of the expanded blocks once, on several
//! threads. A pair that shares several keys is scored once; the result does
//! not depend on the number of threads.

use std::collections::HashSet;

use super::blocking::PairBlocks;
use super::profile::Profile;
use super::score::{PairScore, Scorer};

/// Pairs of record ids a person marked "not duplicates" (stored in the
/// product database); order within a pair does not matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DismissedPairs(HashSet<(i64, i64)>);

impl DismissedPairs {
    pub fn new(pairs: impl IntoIterator<Item = (i64, i64)>) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(a, b)| (a.min(b), a.max(b)))
                .collect(),
        )
    }

    pub fn contains(&self, a: i64, b: i64) -> bool {
        !self.0.is_empty() && self.0.contains(&(a.min(b), a.max(b)))
    }
}

/// A duplicate pair, by indices into the profiles (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub score: PairScore,
}

/// What comparing the blocks found.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Pairs scoring at least the threshold, by (a, b).
    pub edges: Vec<Edge>,
    pub pairs_compared: u64,
    pub dismissed_skipped: u64,
}

/// Scores each pair sharing an expanded block once.
pub fn compare_blocks(
    profiles: &[Profile],
    blocks: &PairBlocks,
    scorer: &Scorer<'_>,
    dismissed: &DismissedPairs,
    threshold: f64,
    threads: usize,
) -> Comparison {
    let threads = threads.clamp(1, 64);
    let work = |lane: usize| {
        let mut out = Comparison::default();
        // seen[j] == i + 1 when the pair (i, j) was already met for this i.
        let mut seen = vec![0u32; profiles.len()];
        for i in (lane..profiles.len()).step_by(threads) {
            let mark = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let a = &profiles[i];
            for &block in &blocks.of_record[i] {
                let members = &blocks.members[block as usize];
                let later = members.partition_point(|&j| j as usize <= i);
                for &j in &members[later..] {
                    if seen[j as usize] == mark {
                        continue;
                    }
                    seen[j as usize] = mark;
                    let b = &profiles[j as usize];
                    if Scorer::never_compared(a, b) {
                        continue;
                    }
                    if dismissed.contains(a.id, b.id) {
                        out.dismissed_skipped += 1;
                        continue;
                    }
                    out.pairs_compared += 1;
                    let score = scorer.score(a, b);
                    if score.score >= threshold {
                        out.edges.push(Edge {
                            a: mark - 1,
                            b: j,
                            score,
                        });
                    }
                }
            }
        }
        out
    };
    let parts: Vec<Comparison> = if threads == 1 {
        vec![work(0)]
    } else {
        std::thread::scope(|scope| {
            // Collected so that every thread starts before the first join.
            #[allow(clippy::needless_collect)]
            let handles: Vec<_> = (0..threads)
                .map(|lane| scope.spawn(move || work(lane)))
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    // A panic while scoring is a bug: pass it on rather than
                    // return a partial result.
                    handle
                        .join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload))
                })
                .collect()
        })
    };
    let mut all = Comparison::default();
    for part in parts {
        all.pairs_compared += part.pairs_compared;
        all.dismissed_skipped += part.dismissed_skipped;
        all.edges.extend(part.edges);
    }
    all.edges.sort_unstable_by_key(|edge| (edge.a, edge.b));
    all
}
