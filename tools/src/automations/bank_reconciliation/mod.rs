//! `bank_reconciliation_suggest` (spec section 2), the pure computation:
//! which open receivable or payable items each unreconciled bank line
//! probably settles, with a confidence, the evidence and runner-ups.
//!
//! Records come in already read from Odoo ([`BankLine::from_record`],
//! [`OpenItem::from_move_record`], [`OpenItem::from_move_line_record`]);
//! nothing here talks to Odoo or stores anything. The steps, one file each:
//! reference text handling (`text`), the pair score (`score`), blocking
//! (`candidates`), options and the global assignment (`assign`), learned
//! rules (`rules`) and the result (`output`, built by [`suggest`]).

mod accuracy;
mod assign;
mod candidates;
mod config;
mod output;
mod records;
mod rules;
mod score;
mod suggest;
mod text;

pub use accuracy::{Accuracy, accuracy};
pub use config::{
    AmountWeights, Blocking, PartnerWeights, ReconcileConfig, ReferenceWeights, SplitLimits,
};
pub use output::{
    Alternative, CandidateView, Counts, LineView, ReconcileOutcome, ReconcileResult,
    ReconcileStats, Suggestion, SuggestionKind,
};
pub use records::{BankLine, OpenItem, RecordError};
pub use rules::{LearnedRule, pattern};
pub use score::{
    AmountEvidence, AmountMatch, Breakdown, MatchType, Reason, RefEvidence, amount_score,
    compatible, match_type, reference_score,
};
pub use suggest::suggest;
pub use text::{RefText, normalise, token_sort_ratio_raw};
