//! Learned rules (spec 2.8): patterns stored when a person confirms a
//! match, which add a bonus to later pairs of the same journal that look
//! alike.
//!
//! Patterns are normalised texts with digit runs replaced by `#`, so "Sub
//! Feb 2026 0042" learned once also recognises next month's "Sub Mar 2026
//! 0057". Storing and loading rules is the caller's job.

use serde::{Deserialize, Serialize};

use super::config::ReconcileConfig;
use super::records::{BankLine, OpenItem};
use super::score::{PreparedItem, PreparedLine};
use super::text::{digits_to_hash, normalise, sorted_ratio};

/// A rule of one journal, as stored in the product database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedRule {
    pub id: i64,
    /// Pattern of the bank text (`payment_ref`).
    pub bank_text: Option<String>,
    /// Pattern of the bank line's partner name.
    pub bank_partner: Option<String>,
    /// Pattern of the entry's reference (any of its keys).
    pub entry_ref: Option<String>,
    /// Pattern of the entry's partner name.
    pub entry_partner: Option<String>,
}

impl LearnedRule {
    /// The rule to store when a person confirms that `line` settles `item`,
    /// or `None` when every pattern would be empty or made only of digits.
    pub fn from_confirmed(id: i64, line: &BankLine, item: &OpenItem) -> Option<Self> {
        let bank_partner = line
            .partner
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .or(line.partner_name.as_deref());
        let rule = Self {
            id,
            bank_text: pattern(Some(&line.label)),
            bank_partner: pattern(bank_partner),
            entry_ref: pattern(item.move_ref.as_deref().or(item.move_name.as_deref())),
            entry_partner: pattern(item.partner_name()),
        };
        let empty = rule.bank_text.is_none()
            && rule.bank_partner.is_none()
            && rule.entry_ref.is_none()
            && rule.entry_partner.is_none();
        (!empty).then_some(rule)
    }
}

impl LearnedRule {
    /// Whether both rules have the same patterns, whatever their ids.
    pub fn same_patterns(&self, other: &Self) -> bool {
        self.bank_text == other.bank_text
            && self.bank_partner == other.bank_partner
            && self.entry_ref == other.entry_ref
            && self.entry_partner == other.entry_partner
    }
}

/// The stored form of a text: normalised, digit runs as `#`; `None` when
/// nothing but digits and separators is left.
pub fn pattern(raw: Option<&str>) -> Option<String> {
    let hashed = digits_to_hash(&normalise(raw?));
    hashed
        .chars()
        .any(|c| c != '#' && c != ' ')
        .then_some(hashed)
}

/// A rule with its patterns in token-sort form.
#[derive(Debug, Clone)]
pub(crate) struct PreparedRule {
    pub id: i64,
    bank_text: Option<String>,
    bank_partner: Option<String>,
    entry_ref: Option<String>,
    entry_partner: Option<String>,
}

impl PreparedRule {
    /// `None` for a rule without any pattern: it would match everything.
    pub fn new(rule: &LearnedRule) -> Option<Self> {
        let prepared = Self {
            id: rule.id,
            bank_text: rule.bank_text.as_deref().and_then(sorted_pattern),
            bank_partner: rule.bank_partner.as_deref().and_then(sorted_pattern),
            entry_ref: rule.entry_ref.as_deref().and_then(sorted_pattern),
            entry_partner: rule.entry_partner.as_deref().and_then(sorted_pattern),
        };
        let any = prepared.bank_text.is_some()
            || prepared.bank_partner.is_some()
            || prepared.entry_ref.is_some()
            || prepared.entry_partner.is_some();
        any.then_some(prepared)
    }

    /// Every non-empty pattern has R ≥ the configured minimum against the
    /// live value normalised the same way.
    pub fn matches(
        &self,
        line: &PreparedLine<'_>,
        item: &PreparedItem<'_>,
        config: &ReconcileConfig,
    ) -> bool {
        let min = config.learned_min_ratio;
        let ok = |pattern: &Option<String>, live: Option<&str>| match pattern {
            None => true,
            Some(pattern) => live
                .and_then(pattern_sorted)
                .is_some_and(|live| sorted_ratio(pattern, &live) >= min),
        };
        let bank_partner = line
            .line
            .partner
            .as_ref()
            .and_then(|p| p.name.as_deref())
            .or(line.line.partner_name.as_deref());
        ok(&self.bank_text, Some(&line.line.label))
            && ok(&self.bank_partner, bank_partner)
            && ok(&self.entry_partner, item.item.partner_name())
            && match &self.entry_ref {
                None => true,
                Some(_) => item.item.keys().any(|key| ok(&self.entry_ref, Some(key))),
            }
    }
}

/// The live value in stored form, tokens sorted.
fn pattern_sorted(raw: &str) -> Option<String> {
    sorted_pattern(&digits_to_hash(&normalise(raw)))
}

/// Sorts the space-separated tokens of a stored pattern; `None` when it
/// holds nothing but `#` (digits carry no pattern).
fn sorted_pattern(pattern: &str) -> Option<String> {
    let mut tokens: Vec<&str> = pattern.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.iter().all(|t| t.chars().all(|c| c == '#')) {
        return None;
    }
    tokens.sort_unstable();
    Some(tokens.join(" "))
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use rust_decimal::Decimal;

    use super::*;
    use crate::odoo::Ref;

    fn line(label: &str) -> BankLine {
        BankLine {
            id: 1,
            date: None,
            label: label.into(),
            partner: Some(Ref {
                id: 9,
                name: Some("SaaS Corp".into()),
            }),
            commercial_partner_id: Some(9),
            partner_name: None,
            amount: Decimal::new(20000, 2),
        }
    }

    fn item(name: &str) -> OpenItem {
        OpenItem {
            id: 5,
            move_id: 5,
            move_name: Some(name.into()),
            move_ref: None,
            payment_reference: None,
            partner: Some(Ref {
                id: 9,
                name: Some("SaaS Corp".into()),
            }),
            commercial_partner_id: Some(9),
            date: None,
            due_date: None,
            residual: Decimal::new(20000, 2),
        }
    }

    #[test]
    fn confirmed_match_stores_hashed_patterns() {
        let rule = LearnedRule::from_confirmed(
            1,
            &line("Subscription Payment Feb 2026"),
            &item("INV/SUB/022"),
        )
        .unwrap();
        assert_eq!(
            rule.bank_text.as_deref(),
            Some("subscription payment feb #")
        );
        assert_eq!(rule.entry_ref.as_deref(), Some("inv sub #"));
        assert_eq!(rule.bank_partner.as_deref(), Some("saas corp"));
    }

    #[test]
    fn digit_only_patterns_are_not_stored() {
        assert_eq!(pattern(Some("2026-0042")), None);
        assert_eq!(pattern(Some("")), None);
        assert_eq!(pattern(None), None);
        let rule = PreparedRule::new(&LearnedRule {
            id: 3,
            bank_text: Some("# #".into()),
            bank_partner: None,
            entry_ref: None,
            entry_partner: None,
        });
        assert!(rule.is_none());
    }

    #[test]
    fn rule_matches_next_months_text_but_not_another_text() {
        let config = ReconcileConfig::default();
        let rule = LearnedRule::from_confirmed(
            7,
            &line("Subscription Payment Feb 2026"),
            &item("INV/SUB/022"),
        )
        .unwrap();
        let rule = PreparedRule::new(&rule).unwrap();
        let next = line("Subscription Payment Mar 2026");
        let open = item("INV/SUB/031");
        assert!(rule.matches(
            &PreparedLine::new(&next),
            &PreparedItem::new(&open),
            &config
        ));
        let other = line("Office rent March");
        assert!(!rule.matches(
            &PreparedLine::new(&other),
            &PreparedItem::new(&open),
            &config
        ));
    }
}
