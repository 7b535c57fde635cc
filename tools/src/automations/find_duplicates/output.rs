//! The result of the duplicate search: the `data` object of spec 4.8 plus
//! the figures a benchmark or the envelope needs (blocks, warnings,
//! truncation).

use std::collections::BTreeMap;

use serde::Serialize;

use super::blocking::OversizedBlock;
use super::profile::Entity;
use super::score::Evidence;

/// How the search was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Groups of duplicates among all records read.
    Group,
    /// Matches of one existing record.
    Record,
    /// Matches of a record about to be created.
    Check,
}

/// The `data` object (spec 4.8).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupData {
    pub entity: Entity,
    pub model: &'static str,
    pub mode: Mode,
    pub records_scanned: usize,
    pub pairs_compared: u64,
    /// Group mode: strongest first, at most `max_groups`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Group>>,
    /// Record and check mode: best first, at most `max_matches`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<Vec<Match>>,
    /// Σ (group size − 1) over every group found, returned or not.
    pub redundant_records: usize,
    /// Candidate pairs skipped because a person dismissed them.
    pub dismissed_skipped: u64,
}

/// A group of records describing the same thing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Ascending by id.
    pub members: Vec<Member>,
    /// Duplicate pairs inside the group, by (a, b).
    pub pairs: Vec<Pair>,
    /// The strongest pair.
    pub group_score: f64,
    /// The weakest pair of the strongest spanning tree: the link the group
    /// hangs on.
    pub weakest_link: f64,
    /// Two members are linked only through others while their own score is
    /// below `chained_below`.
    pub chained: bool,
    pub master: Master,
}

/// A record of a group or a match, with its compared fields as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: Option<String>,
    #[serde(flatten)]
    pub fields: BTreeMap<&'static str, String>,
}

/// A scored pair, `a < b`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: i64,
    pub b: i64,
    pub score: f64,
    pub evidence: Evidence,
}

/// The suggested record to keep and the first criterion that chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Master {
    pub id: i64,
    pub reason: MasterReason,
}

/// Criteria of the master choice, in the order they are tried (spec 4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MasterReason {
    /// Partners and products: most invoices, orders, leads or stock moves.
    MostLinkedDocuments,
    /// Leads: an opportunity rather than a lead.
    OpportunityOverLead,
    /// Leads: the later stage.
    LaterStage,
    /// A company record or a record with a VAT number.
    CompanyOrVat,
    /// More of the compared fields filled in.
    MoreFilledFields,
    /// The oldest record.
    Oldest,
    /// Nothing else separated the records: the lowest id.
    LowestId,
}

/// A match in record or check mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    #[serde(flatten)]
    pub record: Member,
    pub score: f64,
    pub evidence: Evidence,
}

/// A non-fatal problem, for the envelope's `warnings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DedupWarning {
    /// `BLOCK_TOO_LARGE`.
    pub code: &'static str,
    pub message: String,
}

impl DedupWarning {
    pub fn block_too_large(block: &OversizedBlock, max: usize) -> Self {
        Self {
            code: "BLOCK_TOO_LARGE",
            message: format!(
                "{} records share the key {:?}; blocks above {max} are not compared pairwise",
                block.size, block.key
            ),
        }
    }
}

/// Figures about the run itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DedupStats {
    /// Blocks of two or more records compared pairwise.
    pub blocks: usize,
    /// Blocks skipped for their size.
    pub oversized_blocks: usize,
    /// Pairs at or above the threshold.
    pub duplicate_pairs: usize,
    /// Groups found before `max_groups` applied.
    pub groups_found: usize,
}

/// Everything one search returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DedupResult {
    pub data: DedupData,
    pub stats: DedupStats,
    pub warnings: Vec<DedupWarning>,
    /// More groups or matches existed than were returned.
    pub truncated: bool,
}
