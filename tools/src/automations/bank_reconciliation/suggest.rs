//! The entry point: records in, suggestions out.

use std::collections::HashMap;

use super::assign::{Books, Choice, Evidence, assign, line_choices};
use super::candidates::{CandidateIndex, Seen};
use super::config::ReconcileConfig;
use super::output::{
    Alternative, CandidateView, Counts, LineView, ReconcileOutcome, ReconcileResult,
    ReconcileStats, Suggestion, SuggestionKind,
};
use super::records::{BankLine, OpenItem};
use super::rules::{LearnedRule, PreparedRule};
use super::score::{
    PairScore, PartnerMatch, PreparedItem, PreparedLine, Reason, amount_reason, match_type,
    reference_reasons,
};

/// Suggests which open items each bank line settles (spec 2.3–2.6).
///
/// Pure and deterministic: the same records in any order give the same
/// result. `rules` are the learned rules of the lines' journal.
pub fn suggest(
    lines: &[BankLine],
    items: &[OpenItem],
    rules: &[LearnedRule],
    config: &ReconcileConfig,
) -> ReconcileOutcome {
    let prepared_lines: Vec<_> = lines.iter().map(PreparedLine::new).collect();
    let prepared_items: Vec<_> = items.iter().map(PreparedItem::new).collect();
    let rules: Vec<PreparedRule> = rules.iter().filter_map(PreparedRule::new).collect();
    let index = CandidateIndex::new(&prepared_items, config);

    let (mut choices, stats) = score_all(&prepared_lines, &prepared_items, &index, &rules, config);
    let accepted = assign(&mut choices, lines.len(), items.len());

    let mut per_line: HashMap<u32, Vec<usize>> = HashMap::new();
    for (position, choice) in choices.iter().enumerate() {
        per_line.entry(choice.line).or_default().push(position);
    }
    let mut suggestions = Vec::new();
    let mut unmatched_line_ids = Vec::new();
    for (line_index, line) in lines.iter().enumerate() {
        match accepted[line_index] {
            Some(position) => {
                let others = per_line
                    .get(&(line_index as u32))
                    .map_or(&[][..], Vec::as_slice);
                suggestions.push(build_suggestion(
                    line, &choices, position, others, items, config,
                ));
            }
            None => unmatched_line_ids.push(line.id),
        }
    }
    suggestions.sort_by(|a, b| {
        a.line
            .date
            .cmp(&b.line.date)
            .then(a.line.id.cmp(&b.line.id))
    });
    unmatched_line_ids.sort_unstable();
    let auto_matchable = suggestions
        .iter()
        .filter(|s| s.confidence >= config.auto_match)
        .count();
    let counts = Counts {
        lines: lines.len(),
        candidates: items.len(),
        suggested: suggestions.len(),
        auto_matchable,
        needs_review: suggestions.len() - auto_matchable,
        unmatched: unmatched_line_ids.len(),
    };
    ReconcileOutcome {
        result: ReconcileResult {
            counts,
            suggestions,
            unmatched_line_ids,
        },
        stats,
    }
}

/// Scores every line's options, the lines split into contiguous chunks
/// over `config.workers` threads; chunks are concatenated in line order.
fn score_all(
    lines: &[PreparedLine<'_>],
    items: &[PreparedItem<'_>],
    index: &CandidateIndex,
    rules: &[PreparedRule],
    config: &ReconcileConfig,
) -> (Vec<Choice>, ReconcileStats) {
    let workers = config.workers.clamp(1, lines.len().max(1));
    let chunk = lines.len().div_ceil(workers).max(1);
    let books = Books {
        items,
        index,
        rules,
        config,
    };
    let score_chunk = |offset: usize, chunk: &[PreparedLine<'_>]| {
        let mut stats = ReconcileStats::default();
        let mut scratch = (Seen::new(items.len()), Vec::new());
        let mut choices = Vec::new();
        for (position, line) in chunk.iter().enumerate() {
            let line_index = (offset + position) as u32;
            choices.extend(line_choices(
                line_index,
                line,
                &books,
                &mut scratch,
                &mut stats,
            ));
        }
        (choices, stats)
    };
    let parts: Vec<(Vec<Choice>, ReconcileStats)> = if workers == 1 {
        vec![score_chunk(0, lines)]
    } else {
        std::thread::scope(|scope| {
            // Every thread is started before the first join.
            let mut handles = Vec::with_capacity(workers);
            for (n, part) in lines.chunks(chunk).enumerate() {
                handles.push(scope.spawn(move || score_chunk(n * chunk, part)));
            }
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut choices = Vec::new();
    let mut stats = ReconcileStats::default();
    for (part, part_stats) in parts {
        choices.extend(part);
        stats.pairs_scored += part_stats.pairs_scored;
        stats.pairs_kept += part_stats.pairs_kept;
        stats.split_subsets += part_stats.split_subsets;
        stats.split_options += part_stats.split_options;
    }
    (choices, stats)
}

fn build_suggestion(
    line: &BankLine,
    choices: &[Choice],
    position: usize,
    line_options: &[usize],
    items: &[OpenItem],
    config: &ReconcileConfig,
) -> Suggestion {
    let choice = &choices[position];
    let members: Vec<&OpenItem> = choice.items.iter().map(|&i| &items[i as usize]).collect();
    let breakdown = choice.evidence.breakdown();
    let (kind, reasons, residual_after) = match &choice.evidence {
        Evidence::Single(score) => {
            let item = members[0];
            let partial = is_partial(line, item, score, config);
            let residual_after = partial.then(|| item.residual - line.amount);
            let kind = if partial {
                SuggestionKind::Partial
            } else {
                SuggestionKind::Single
            };
            (kind, score.reasons(config), residual_after)
        }
        Evidence::Split(split) => {
            let mut reasons = reference_reasons(&split.reference, config);
            reasons.extend(amount_reason(&split.amount));
            reasons.push(Reason::PartnerSame);
            (SuggestionKind::Split, reasons, None)
        }
    };
    let alternatives = line_options
        .iter()
        .filter(|&&other| other != position)
        .take(config.alternatives)
        .map(|&other| {
            let option = &choices[other];
            Alternative {
                kind: match option.evidence {
                    Evidence::Single(_) => SuggestionKind::Single,
                    Evidence::Split(_) => SuggestionKind::Split,
                },
                move_line_ids: option.items.iter().map(|&i| items[i as usize].id).collect(),
                confidence: option.confidence,
                match_type: match_type(option.confidence, &option.evidence.breakdown(), config),
            }
        })
        .collect();
    Suggestion {
        line: LineView {
            id: line.id,
            date: line.date,
            label: line.label.clone(),
            partner: line.partner.clone(),
            amount: line.amount,
        },
        kind,
        candidates: members.iter().map(|item| candidate_view(item)).collect(),
        confidence: choice.confidence,
        match_type: match_type(choice.confidence, &breakdown, config),
        breakdown,
        reasons,
        residual_after,
        alternatives,
    }
}

/// Spec 2.5 partial: one item larger than the payment, same partner and a
/// reference score of at least 0.25.
fn is_partial(
    line: &BankLine,
    item: &OpenItem,
    score: &PairScore,
    config: &ReconcileConfig,
) -> bool {
    let same_partner = match score.partner_match {
        PartnerMatch::Same => true,
        PartnerMatch::Name { ratio } => ratio >= config.partner.name_strong,
        PartnerMatch::None => false,
    };
    item.residual.abs() > line.amount.abs()
        && same_partner
        && score.reference.score >= config.reference.fuzzy_base
}

fn candidate_view(item: &OpenItem) -> CandidateView {
    CandidateView {
        move_line_id: item.id,
        move_id: item.move_id,
        move_name: item.move_name.clone(),
        reference: item.move_ref.clone(),
        partner: item.partner.clone(),
        due_date: item.due_date,
        residual: item.residual,
    }
}

#[cfg(test)]
#[path = "suggest_tests.rs"]
mod tests;
