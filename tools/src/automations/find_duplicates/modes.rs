//! The three ways to ask (spec 4.1): groups among all records read,
//! matches of one existing record, and matches of a record about to be
//! created. The caller reads the records; nothing here does I/O.

use thiserror::Error;

use super::blocking::{self, BlockIndex};
use super::compare::{DismissedPairs, compare_blocks};
use super::config::DedupConfig;
use super::groups::{GroupDraft, group};
use super::master::{self, Candidate};
use super::normalize::Normalizer;
use super::output::{
    DedupData, DedupResult, DedupStats, DedupWarning, Group, Match, Member, Mode, Pair,
};
use super::profile::{DedupRecord, Profile};
use super::score::Scorer;

/// Requests the computation cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DedupError {
    /// Record mode: the record is not among those read (the wrapper maps
    /// this to `NOT_FOUND`).
    #[error("record {0} is not among the records read")]
    UnknownRecord(i64),
    /// Check mode: the candidate has none of name, e-mail, phone, VAT,
    /// code or barcode (`INVALID_ARGUMENT`).
    #[error("candidate needs at least one of name, email, phone, vat, code or barcode")]
    EmptyCandidate,
}

/// Group mode: every group of duplicates among `records`.
pub fn find_groups<R: DedupRecord>(
    records: &[R],
    config: &DedupConfig,
    dismissed: &DismissedPairs,
) -> DedupResult {
    let normalizer = Normalizer::new(config);
    let profiles: Vec<Profile> = records.iter().map(|r| r.profile(&normalizer)).collect();
    let scorer = Scorer::new(R::ENTITY, config);
    let blocks = BlockIndex::new(&profiles).pair_blocks(profiles.len(), config.max_block_size);
    let comparison = compare_blocks(
        &profiles,
        &blocks,
        &scorer,
        dismissed,
        config.threshold,
        config.threads,
    );
    let duplicate_pairs = comparison.edges.len();
    let drafts = group(&profiles, comparison.edges);
    let groups_found = drafts.len();
    let redundant_records = drafts.iter().map(|d| d.members.len() - 1).sum();
    let groups = drafts
        .iter()
        .take(config.max_groups)
        .map(|draft| dress_group(records, &profiles, &scorer, config, draft))
        .collect();
    let warnings = blocks
        .oversized
        .iter()
        .map(|block| DedupWarning::block_too_large(block, config.max_block_size))
        .collect();
    DedupResult {
        data: DedupData {
            entity: R::ENTITY,
            model: R::ENTITY.model(),
            mode: Mode::Group,
            records_scanned: records.len(),
            pairs_compared: comparison.pairs_compared,
            groups: Some(groups),
            matches: None,
            redundant_records,
            dismissed_skipped: comparison.dismissed_skipped,
        },
        stats: DedupStats {
            blocks: blocks.members.len(),
            oversized_blocks: blocks.oversized.len(),
            duplicate_pairs,
            groups_found,
        },
        warnings,
        truncated: groups_found > config.max_groups,
    }
}

/// Record mode: the records of `records` matching the one with id
/// `record_id`, which must be among them.
pub fn find_record_matches<R: DedupRecord>(
    records: &[R],
    record_id: i64,
    config: &DedupConfig,
    dismissed: &DismissedPairs,
) -> Result<DedupResult, DedupError> {
    let target = records
        .iter()
        .find(|r| r.id() == record_id)
        .ok_or(DedupError::UnknownRecord(record_id))?;
    Ok(matches_of(records, target, Mode::Record, config, dismissed))
}

/// Check mode: the records of `records` matching `candidate`, a record not
/// yet created (its id is ignored).
pub fn check_candidate<R: DedupRecord>(
    records: &[R],
    candidate: &R,
    config: &DedupConfig,
) -> Result<DedupResult, DedupError> {
    let normalizer = Normalizer::new(config);
    if candidate.profile(&normalizer).filled_fields() == 0 {
        return Err(DedupError::EmptyCandidate);
    }
    Ok(matches_of(
        records,
        candidate,
        Mode::Check,
        config,
        &DismissedPairs::default(),
    ))
}

/// Compares one record with every record sharing a key with it. Blocks are
/// not size-limited here: one record against a large block is linear.
fn matches_of<R: DedupRecord>(
    records: &[R],
    target: &R,
    mode: Mode,
    config: &DedupConfig,
    dismissed: &DismissedPairs,
) -> DedupResult {
    let normalizer = Normalizer::new(config);
    let profiles: Vec<Profile> = records.iter().map(|r| r.profile(&normalizer)).collect();
    let mut target_profile = target.profile(&normalizer);
    if mode == Mode::Check {
        // A record not yet created has no id of its own.
        target_profile.id = 0;
    }
    let scorer = Scorer::new(R::ENTITY, config);
    let index = BlockIndex::new(&profiles);
    let mut candidates: Vec<u32> = blocking::keys(&target_profile)
        .iter()
        .flat_map(|key| index.get(key).iter().copied())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let (mut pairs_compared, mut dismissed_skipped) = (0, 0);
    let mut found = Vec::new();
    for index in candidates {
        let (record, profile) = (&records[index as usize], &profiles[index as usize]);
        let same_record = mode == Mode::Record && profile.id == target_profile.id;
        if same_record || Scorer::never_compared(&target_profile, profile) {
            continue;
        }
        if dismissed.contains(target_profile.id, profile.id) {
            dismissed_skipped += 1;
            continue;
        }
        pairs_compared += 1;
        let score = scorer.score(&target_profile, profile);
        if score.score >= config.threshold {
            found.push(Match {
                record: member(record),
                score: score.score,
                evidence: score.evidence,
            });
        }
    }
    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.record.id.cmp(&b.record.id))
    });
    let truncated = found.len() > config.max_matches;
    found.truncate(config.max_matches);
    DedupResult {
        data: DedupData {
            entity: R::ENTITY,
            model: R::ENTITY.model(),
            mode,
            records_scanned: records.len(),
            pairs_compared,
            groups: None,
            matches: Some(found),
            redundant_records: 0,
            dismissed_skipped,
        },
        stats: DedupStats::default(),
        warnings: Vec::new(),
        truncated,
    }
}

fn member<R: DedupRecord>(record: &R) -> Member {
    Member {
        id: record.id(),
        name: record.display_name().map(str::to_owned),
        fields: record.key_fields(),
    }
}

fn dress_group<R: DedupRecord>(
    records: &[R],
    profiles: &[Profile],
    scorer: &Scorer<'_>,
    config: &DedupConfig,
    draft: &GroupDraft,
) -> Group {
    let profile = |index: u32| &profiles[index as usize];
    let pairs: Vec<Pair> = draft
        .pairs
        .iter()
        .map(|edge| Pair {
            a: profile(edge.a).id,
            b: profile(edge.b).id,
            score: edge.score.score,
            evidence: edge.score.evidence,
        })
        .collect();
    let candidates: Vec<Candidate> = draft
        .members
        .iter()
        .map(|&m| Candidate {
            id: profile(m).id,
            facts: records[m as usize].master_facts(),
            filled_fields: profile(m).filled_fields(),
        })
        .collect();
    let master = master::choose(R::ENTITY, &candidates).unwrap_or(super::output::Master {
        id: profile(draft.members[0]).id,
        reason: super::output::MasterReason::LowestId,
    });
    Group {
        members: draft
            .members
            .iter()
            .map(|&m| member(&records[m as usize]))
            .collect(),
        group_score: draft.group_score(),
        weakest_link: draft.weakest_link(),
        chained: is_chained(profiles, scorer, config, draft),
        pairs,
        master,
    }
}

/// Whether two members that are not a duplicate pair themselves score
/// below `chained_below` directly.
fn is_chained(
    profiles: &[Profile],
    scorer: &Scorer<'_>,
    config: &DedupConfig,
    draft: &GroupDraft,
) -> bool {
    let members = &draft.members;
    if members.len() > config.chain_check_max_members {
        return true;
    }
    let linked = |a: u32, b: u32| {
        draft
            .pairs
            .iter()
            .any(|e| (e.a == a && e.b == b) || (e.a == b && e.b == a))
    };
    members.iter().enumerate().any(|(i, &a)| {
        members[i + 1..].iter().any(|&b| {
            !linked(a, b)
                && scorer
                    .score(&profiles[a as usize], &profiles[b as usize])
                    .score
                    < config.chained_below
        })
    })
}
