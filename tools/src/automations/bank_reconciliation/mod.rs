//! `bank_reconciliation_suggest` (spec section 2), the pure computation:
//! which open receivable or payable items each unreconciled bank line
//! probably settles, with a confidence, the evidence and runner-ups.
//!
//! Records come in already read from Odoo ([`BankLine::from_record`],
//! [`OpenItem::from_move_record`], [`OpenItem::from_move_line_record`]);
//! the computation never talks to Odoo or stores anything. Its steps, one file each:
//! reference text handling (`text`), the pair score (`score`), blocking
//! (`candidates`), options and the global assignment (`assign`), learned
//! rules (`rules`) and the result (`output`, built by [`suggest`]).
//!
//! The tool wrapper around it: `args` checks the arguments, `read` reads
//! the journal, lines and open items from Odoo, `learned` keeps the rules
//! per company and journal, `confirm` learns one from a match a person
//! confirmed, `tool` runs a call and builds the envelope.

mod accuracy;
mod args;
mod assign;
mod candidates;
mod config;
mod confirm;
mod learned;
mod output;
mod read;
mod records;
mod rules;
mod score;
mod suggest;
mod text;
mod tool;

pub use accuracy::{Accuracy, accuracy};
pub use args::{BankReconciliationArgs, MAX_LINES, MAX_PAGE_SIZE};
pub use config::{
    AmountWeights, Blocking, PartnerWeights, ReconcileConfig, ReferenceWeights, SplitLimits,
};
pub use confirm::{ConfirmError, Confirmation, confirm_match, confirm_proposed_match};
pub use learned::{LearnedRules, MemoryRules, StoredRule};
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
pub use tool::{
    BankReconciliationConfig, BankReconciliationSuggest, JournalRef, ReconciliationData,
    TOOL_VERSION,
};
