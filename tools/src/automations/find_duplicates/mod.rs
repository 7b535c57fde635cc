//! `find_duplicates` (spec section 4), the pure computation: records of
//! one entity in, groups of duplicates (or the matches of one record) out.
//!
//! The tool wrapper (`args`, `read`, `propose`, `tool`) checks the
//! arguments, reads the records from Odoo and builds the envelope and the
//! proposals; everything else is the pure search.
//!
//! The pipeline: each record becomes a normalised [`Profile`]; records
//! sharing a blocking key are scored pairwise (never all pairs); pairs at
//! or above the threshold are joined into groups, strongest first, under
//! the spec's guards; each group gets its master. Reading Odoo, counting
//! linked documents and building the result envelope belong to the tool
//! wrapper, which calls [`find_groups`], [`find_record_matches`] or
//! [`check_candidate`] with the records it read.

mod args;
mod blocking;
mod compare;
mod config;
mod groups;
mod master;
mod modes;
mod normalize;
mod output;
mod profile;
mod propose;
mod quality;
mod read;
mod records;
mod score;
mod similarity;
mod tool;

#[cfg(test)]
mod tests;

pub use args::{
    DedupCandidate, DedupEntity, DedupFilters, FindDuplicatesArgs, MAX_GROUPS, MAX_RECORDS,
};
pub use blocking::OversizedBlock;
pub use compare::DismissedPairs;
pub use config::{
    ConflictCaps, DedupConfig, EXTRA_LEGAL_FORMS, EntityWeights, FieldWeights, SPEC_LEGAL_FORMS,
};
pub use modes::{DedupError, check_candidate, find_groups, find_record_matches};
pub use output::{
    DedupData, DedupResult, DedupStats, DedupWarning, Group, Master, MasterReason, Match, Member,
    Mode, Pair,
};
pub use profile::{DedupRecord, Entity, MasterFacts, Profile};
pub use propose::{LEADS_PER_MERGE, PARTNERS_PER_MERGE};
pub use quality::PairQuality;
pub use records::{LeadRecord, PartnerRecord, ProductRecord, RecordError};
pub use score::{Evidence, Field};
pub use tool::{
    DEFAULT_MAX_RECORDS, FindDuplicates, FindDuplicatesConfig, FindDuplicatesData, TOOL_VERSION,
};
