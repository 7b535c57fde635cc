//! Options per line (single items and splits) and the global assignment
//! of spec 2.5: every option of every line is sorted once by (confidence
//! desc, |line date − due date| asc, item id asc) and accepted while the
//! line and all its items are still free, so the result does not depend on
//! the order Odoo returned the records in.

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::candidates::{CandidateIndex, Seen};
use super::config::ReconcileConfig;
use super::output::ReconcileStats;
use super::rules::PreparedRule;
use super::score::{
    AmountEvidence, Breakdown, PairScore, PreparedItem, PreparedLine, RefEvidence, amount_score,
    compatible, reference_score, score_pair, total,
};

/// One way to settle one line.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub line: u32,
    /// Item indexes; for a split, by due date (oldest first).
    pub items: Vec<u32>,
    pub confidence: f64,
    pub evidence: Evidence,
    /// Days between the line date and the nearest due date (unknown: max).
    gap: i64,
    line_id: i64,
    first_item_id: i64,
}

/// The scores behind a choice.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Evidence {
    Single(PairScore),
    Split(SplitScore),
}

/// Spec 2.5 split score: amount component of the sum + partner + the best
/// member reference.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitScore {
    pub reference: RefEvidence,
    pub amount: AmountEvidence,
    pub partner: f64,
}

impl Evidence {
    pub fn breakdown(&self) -> Breakdown {
        match self {
            Self::Single(score) => score.breakdown(),
            Self::Split(split) => Breakdown {
                reference: split.reference.score,
                amount: split.amount.score,
                partner: split.partner,
                learned: 0.0,
            },
        }
    }
}

/// What every line is scored against: the prepared items, their index,
/// the journal's rules and the configuration.
pub(crate) struct Books<'b, 'a> {
    pub items: &'b [PreparedItem<'a>],
    pub index: &'b CandidateIndex,
    pub rules: &'b [PreparedRule],
    pub config: &'b ReconcileConfig,
}

/// Scores every blocked, sign-compatible pair of one line and returns the
/// options at or above `min_confidence`, plus the best split when the line
/// has no single option at the auto-match level.
pub(crate) fn line_choices(
    line_index: u32,
    line: &PreparedLine<'_>,
    books: &Books<'_, '_>,
    scratch: &mut (Seen, Vec<u32>),
    stats: &mut ReconcileStats,
) -> Vec<Choice> {
    let Books {
        items,
        index,
        rules,
        config,
    } = *books;
    let (seen, blocked) = scratch;
    index.collect(line, config, seen, blocked);
    let mut choices = Vec::new();
    let mut best = 0.0_f64;
    for &item_index in blocked.iter() {
        let item = &items[item_index as usize];
        if !compatible(line.line.amount, item.item.residual) {
            continue;
        }
        stats.pairs_scored += 1;
        let score = score_pair(line, item, rules, config);
        best = best.max(score.confidence);
        if score.confidence >= config.min_confidence {
            stats.pairs_kept += 1;
            choices.push(Choice::new(
                line_index,
                line,
                vec![item_index],
                score.confidence,
                Evidence::Single(score),
                items,
            ));
        }
    }
    if config.allow_splits
        && best < config.auto_match
        && let Some(split) = best_split(line_index, line, items, index, config, stats)
        && split.confidence >= config.min_confidence
    {
        stats.split_options += 1;
        choices.push(split);
    }
    choices
}

/// Sorts all options globally and accepts each while its line and items
/// are free. Returns, per line, the index of its accepted option.
pub(crate) fn assign(choices: &mut [Choice], lines: usize, items: usize) -> Vec<Option<usize>> {
    choices.sort_by(global_order);
    let mut accepted = vec![None; lines];
    let mut item_taken = vec![false; items];
    for (position, choice) in choices.iter().enumerate() {
        let line = choice.line as usize;
        if accepted[line].is_some() || choice.items.iter().any(|&i| item_taken[i as usize]) {
            continue;
        }
        accepted[line] = Some(position);
        for &item in &choice.items {
            item_taken[item as usize] = true;
        }
    }
    accepted
}

/// (confidence desc, date gap asc, item id asc), then fewer items and the
/// line id so that the order is total.
fn global_order(a: &Choice, b: &Choice) -> Ordering {
    b.confidence
        .total_cmp(&a.confidence)
        .then(a.gap.cmp(&b.gap))
        .then(a.first_item_id.cmp(&b.first_item_id))
        .then(a.items.len().cmp(&b.items.len()))
        .then(a.line_id.cmp(&b.line_id))
}

impl Choice {
    fn new(
        line_index: u32,
        line: &PreparedLine<'_>,
        members: Vec<u32>,
        confidence: f64,
        evidence: Evidence,
        items: &[PreparedItem<'_>],
    ) -> Self {
        let gap = members
            .iter()
            .map(|&i| day_gap(line.line.date, items[i as usize].item.due_date))
            .min()
            .unwrap_or(i64::MAX);
        let first_item_id = members
            .iter()
            .map(|&i| items[i as usize].item.id)
            .min()
            .unwrap_or(i64::MAX);
        Self {
            line: line_index,
            items: members,
            confidence,
            evidence,
            gap,
            line_id: line.line.id,
            first_item_id,
        }
    }
}

fn day_gap(line_date: Option<NaiveDate>, due: Option<NaiveDate>) -> i64 {
    match (line_date, due) {
        (Some(line_date), Some(due)) => (line_date - due).num_days().abs(),
        _ => i64::MAX,
    }
}

/// Spec 2.5 splits: 2–3 of the partner's most recent same-sign items whose
/// Σ|r| is within the tolerance of |a|. Prefers a higher score, then fewer
/// items, then older due dates.
fn best_split(
    line_index: u32,
    line: &PreparedLine<'_>,
    items: &[PreparedItem<'_>],
    index: &CandidateIndex,
    config: &ReconcileConfig,
    stats: &mut ReconcileStats,
) -> Option<Choice> {
    let partner = line.line.commercial_partner_id?;
    let limits = &config.splits;
    let pool: Vec<u32> = index
        .partner_items(partner)
        .iter()
        .copied()
        .filter(|&i| compatible(line.line.amount, items[i as usize].item.residual))
        .take(limits.recent_items)
        .collect();
    if pool.len() < 2 {
        return None;
    }
    let references: Vec<RefEvidence> = pool
        .iter()
        .map(|&i| reference_score(&line.text, &items[i as usize].keys, config))
        .collect();
    let mut best: Option<(SplitScore, f64, Vec<usize>)> = None;
    let mut picked = Vec::with_capacity(limits.max_items);
    let mut visit = |members: &[usize], sum: Decimal| {
        stats.split_subsets += 1;
        if members.len() < 2 || (sum - line.magnitude).abs() > limits.tolerance {
            return;
        }
        let amount = amount_score(line.magnitude, sum, config);
        let reference =
            members
                .iter()
                .map(|&m| references[m])
                .fold(RefEvidence::default(), |a, b| {
                    if b.score > a.score { b } else { a }
                });
        let score = SplitScore {
            reference,
            amount,
            partner: limits.partner_score,
        };
        let confidence = total(&[reference.score, amount.score, limits.partner_score]);
        let better = match &best {
            None => true,
            Some((_, best_confidence, best_members)) => {
                split_preference(
                    confidence,
                    members,
                    *best_confidence,
                    best_members,
                    &pool,
                    items,
                ) == Ordering::Less
            }
        };
        if better {
            best = Some((score, confidence, members.to_vec()));
        }
    };
    combinations(
        &pool,
        items,
        limits.max_items,
        0,
        Decimal::ZERO,
        &mut picked,
        &mut visit,
    );
    let (score, confidence, members) = best?;
    let mut members: Vec<u32> = members.iter().map(|&m| pool[m]).collect();
    members.sort_by_key(|&i| {
        (
            items[i as usize].item.due_date.unwrap_or(NaiveDate::MAX),
            items[i as usize].item.id,
        )
    });
    Some(Choice::new(
        line_index,
        line,
        members,
        confidence,
        Evidence::Split(score),
        items,
    ))
}

/// Visits every combination of up to `max` pool positions (in increasing
/// position order) with the sum of their |r|.
fn combinations(
    pool: &[u32],
    items: &[PreparedItem<'_>],
    max: usize,
    from: usize,
    sum: Decimal,
    picked: &mut Vec<usize>,
    visit: &mut impl FnMut(&[usize], Decimal),
) {
    for position in from..pool.len() {
        let next = sum + items[pool[position] as usize].magnitude;
        picked.push(position);
        visit(picked, next);
        if picked.len() < max {
            combinations(pool, items, max, position + 1, next, picked, visit);
        }
        picked.pop();
    }
}

/// `Less` when the first split is preferred: higher confidence, then fewer
/// items, then older due dates (compared oldest first).
fn split_preference(
    confidence: f64,
    members: &[usize],
    other_confidence: f64,
    other: &[usize],
    pool: &[u32],
    items: &[PreparedItem<'_>],
) -> Ordering {
    let dues = |members: &[usize]| {
        let mut dues: Vec<NaiveDate> = members
            .iter()
            .map(|&m| {
                items[pool[m] as usize]
                    .item
                    .due_date
                    .unwrap_or(NaiveDate::MAX)
            })
            .collect();
        dues.sort_unstable();
        dues
    };
    other_confidence
        .total_cmp(&confidence)
        .then(members.len().cmp(&other.len()))
        .then_with(|| dues(members).cmp(&dues(other)))
}
