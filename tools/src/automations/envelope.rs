//! The result envelope every automation returns (spec 0.1): who the figures
//! belong to, when Odoo was read, what went wrong on the way, and a short
//! deterministic summary for the model.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Summarize;
use crate::attachment::Attachment;
use crate::proposals::Proposal;

/// The longest summary the model gets (spec 0.1).
pub const MAX_SUMMARY_CHARS: usize = 600;

/// The company the figures belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRef {
    pub id: i64,
    pub name: String,
    /// ISO code of the company currency, e.g. `EUR`.
    pub currency: String,
}

/// A non-fatal problem: a missing module, a truncated scan, an amount that
/// could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable, upper-case code such as `TRUNCATED` or `CURRENCY_CONVERSION`.
    pub code: String,
    pub message: String,
}

impl Warning {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The envelope around a tool's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<D> {
    pub tool: String,
    /// Semver of the algorithm; bumped whenever the numbers would change.
    pub tool_version: String,
    pub company: CompanyRef,
    /// As the server reports it: `17.0`, `18.0`, `saas~18.3`, `19.0`.
    pub odoo_version: String,
    /// When Odoo was read.
    pub as_of: DateTime<Utc>,
    /// IANA zone used for "today" and day boundaries.
    pub timezone: String,
    pub data: D,
    pub warnings: Vec<Warning>,
    /// True when any list or scan hit a limit; never truncated silently.
    pub truncated: bool,
    /// Deterministic plain text of at most [`MAX_SUMMARY_CHARS`] characters.
    pub summary: String,
    /// Changes offered for approval (spec 0.6); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<Proposal>,
    /// Export files (CSV, XLSX), handed over beside the JSON: their bytes
    /// never reach the model.
    #[serde(skip)]
    pub files: Vec<Attachment>,
}

/// What every envelope shares, read once per call before the tool's own
/// reads.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeContext {
    pub company: CompanyRef,
    pub odoo_version: String,
    pub as_of: DateTime<Utc>,
    pub timezone: String,
}

impl<D> Envelope<D> {
    /// Wraps `data`; `truncated` is set when any warning says so, so a
    /// truncation cannot be reported in one place and forgotten in the other.
    pub fn new(
        tool: &str,
        tool_version: &str,
        context: EnvelopeContext,
        data: D,
        warnings: Vec<Warning>,
        summary: &str,
    ) -> Self {
        let truncated = warnings.iter().any(|w| w.code == TRUNCATED);
        Self {
            tool: tool.to_owned(),
            tool_version: tool_version.to_owned(),
            company: context.company,
            odoo_version: context.odoo_version,
            as_of: context.as_of,
            timezone: context.timezone,
            data,
            warnings,
            truncated,
            summary: clip(summary, MAX_SUMMARY_CHARS),
            proposals: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Attaches export files.
    pub fn with_attachments(mut self, files: Vec<Attachment>) -> Self {
        self.files = files;
        self
    }

    /// Attaches the proposals the result suggests.
    pub fn with_proposals(mut self, proposals: Vec<Proposal>) -> Self {
        self.proposals = proposals;
        self
    }
}

/// The warning code of every truncation.
pub const TRUNCATED: &str = "TRUNCATED";

impl<D> Summarize for Envelope<D> {
    fn summary(&self) -> String {
        self.summary.clone()
    }

    fn proposals(&self) -> Vec<Proposal> {
        self.proposals.clone()
    }

    fn attachments(&self) -> Vec<Attachment> {
        self.files.clone()
    }
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> EnvelopeContext {
        EnvelopeContext {
            company: CompanyRef {
                id: 1,
                name: "Harbourline".to_owned(),
                currency: "EUR".to_owned(),
            },
            odoo_version: "17.0".to_owned(),
            as_of: DateTime::from_timestamp(1_774_000_000, 0).unwrap_or_default(),
            timezone: "Europe/Amsterdam".to_owned(),
        }
    }

    #[test]
    fn a_truncation_warning_sets_truncated() {
        let quiet = Envelope::new("t", "1.0.0", context(), (), vec![], "ok");
        assert!(!quiet.truncated);
        let cut = Envelope::new(
            "t",
            "1.0.0",
            context(),
            (),
            vec![Warning::new(TRUNCATED, "showing 1,000 of 1,234")],
            "ok",
        );
        assert!(cut.truncated);
    }

    #[test]
    fn summaries_are_clipped_to_600_characters() {
        let long = "x".repeat(700);
        let envelope = Envelope::new("t", "1.0.0", context(), (), vec![], &long);
        assert_eq!(envelope.summary.chars().count(), MAX_SUMMARY_CHARS);
        assert!(envelope.summary.ends_with('…'));
        assert_eq!(clip("short", 600), "short");
    }
}
