//! The score of one (bank line, open item) pair, spec 2.3–2.4: sign
//! compatibility, then reference, amount, partner and learned-rule
//! components, summed and capped at 1.
//!
//! The hot path returns small `Copy` evidence values; the reason codes
//! shown to people are built from them only for the suggestions kept.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::config::ReconcileConfig;
use super::records::{BankLine, OpenItem};
use super::rules::PreparedRule;
use super::text::{RefText, token_sort_ratio};

/// What the reference component found for the best key.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RefEvidence {
    pub score: f64,
    /// Token-sort similarity of the best key, 0–100.
    pub ratio: f64,
    /// The key's tokens run inside the bank text's, or the other way round.
    pub contained: bool,
    /// The key's digit signature runs inside the bank text's.
    pub digits: bool,
}

/// How close the amounts are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AmountMatch {
    Exact,
    Rounding {
        d: Decimal,
    },
    /// p = d / of ≤ 0.02.
    Pct {
        d: Decimal,
        of: Decimal,
    },
    /// p = d / of ≤ 0.10.
    Near {
        d: Decimal,
        of: Decimal,
    },
    Far,
}

impl AmountMatch {
    /// p = d / max(|a|, |r|) for the percentage bands.
    pub fn p(&self) -> Option<Decimal> {
        match *self {
            Self::Pct { d, of } | Self::Near { d, of } => d.checked_div(of),
            Self::Exact | Self::Rounding { .. } | Self::Far => None,
        }
    }
}

/// The amount component and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmountEvidence {
    pub score: f64,
    pub kind: AmountMatch,
}

/// The partner component and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PartnerMatch {
    Same,
    Name { ratio: f64 },
    None,
}

/// A scored pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    pub reference: RefEvidence,
    pub amount: AmountEvidence,
    pub partner: f64,
    pub partner_match: PartnerMatch,
    /// The first matching learned rule, if any.
    pub learned_rule: Option<i64>,
    pub learned: f64,
    /// min(1, sum of the components), rounded to 6 places so that
    /// 0.40 + 0.35 + 0.15 is exactly 0.90.
    pub confidence: f64,
}

/// The components of a confidence (spec 2.6 `breakdown`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Breakdown {
    pub reference: f64,
    pub amount: f64,
    pub partner: f64,
    pub learned: f64,
}

/// How a suggestion matched (spec 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    Exact,
    Learned,
    Fuzzy,
    Partial,
    None,
}

/// One piece of evidence, as the spec's reason codes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    RefExact,
    RefFuzzy { r: f64 },
    RefContained,
    RefDigits,
    AmountExact,
    AmountRounding { d: Decimal },
    AmountPct { p: Decimal },
    AmountNear { p: Decimal },
    PartnerSame,
    PartnerName { r: f64 },
    Learned { rule_id: i64 },
}

/// A bank line with its text analysed once.
#[derive(Debug, Clone)]
pub(crate) struct PreparedLine<'a> {
    pub line: &'a BankLine,
    pub text: RefText,
    pub partner_name: Option<RefText>,
    /// `|a|`.
    pub magnitude: Decimal,
}

/// An open item with its keys analysed once.
#[derive(Debug, Clone)]
pub(crate) struct PreparedItem<'a> {
    pub item: &'a OpenItem,
    pub keys: Vec<RefText>,
    pub partner_name: Option<RefText>,
    /// `|r|`.
    pub magnitude: Decimal,
}

impl<'a> PreparedLine<'a> {
    pub fn new(line: &'a BankLine) -> Self {
        Self {
            line,
            text: RefText::new(&line.label),
            partner_name: line.partner_name.as_deref().map(RefText::new),
            magnitude: line.amount.abs(),
        }
    }
}

impl<'a> PreparedItem<'a> {
    pub fn new(item: &'a OpenItem) -> Self {
        Self {
            item,
            keys: item
                .keys()
                .map(RefText::new)
                .filter(|k| !k.is_empty())
                .collect(),
            partner_name: item.partner_name().map(RefText::new),
            magnitude: item.residual.abs(),
        }
    }
}

/// Spec 2.3: only money in against receivables (or vendor refunds) and
/// money out against payables (or customer refunds); zero amounts have no
/// side and match nothing.
pub fn compatible(line_amount: Decimal, residual: Decimal) -> bool {
    !line_amount.is_zero()
        && !residual.is_zero()
        && line_amount.is_sign_positive() == residual.is_sign_positive()
}

/// Scores a compatible pair.
pub(crate) fn score_pair(
    line: &PreparedLine<'_>,
    item: &PreparedItem<'_>,
    rules: &[PreparedRule],
    config: &ReconcileConfig,
) -> PairScore {
    let amount = amount_score(line.magnitude, item.magnitude, config);
    let (partner, partner_match) = partner_score(line, item, config);
    let reference = reference_score(&line.text, &item.keys, config);
    let learned_rule = rules
        .iter()
        .find(|rule| rule.matches(line, item, config))
        .map(|r| r.id);
    let learned = if learned_rule.is_some() {
        config.learned_bonus
    } else {
        0.0
    };
    PairScore {
        reference,
        amount,
        partner,
        partner_match,
        learned_rule,
        learned,
        confidence: total(&[reference.score, amount.score, partner, learned]),
    }
}

/// min(1, Σ parts), rounded to 6 decimal places.
pub fn total(parts: &[f64]) -> f64 {
    round6(parts.iter().sum::<f64>().min(1.0))
}

/// Rounds a score to 6 decimal places, so sums of the spec's weights
/// compare exactly with its thresholds.
pub fn round6(value: f64) -> f64 {
    (value * 1e6).round() / 1e6
}

/// Reference component: the best over the item's keys.
pub fn reference_score(bank: &RefText, keys: &[RefText], config: &ReconcileConfig) -> RefEvidence {
    let mut best = RefEvidence::default();
    if bank.is_empty() {
        return best;
    }
    for key in keys {
        let found = key_score(bank, key, config);
        if found.score > best.score {
            best = found;
        }
    }
    best
}

fn key_score(bank: &RefText, key: &RefText, config: &ReconcileConfig) -> RefEvidence {
    let weights = &config.reference;
    let contained = (key.is_containable() && bank.tokens_contain(key))
        || (bank.is_containable() && key.tokens_contain(bank));
    let has_signature = key.digit_count >= weights.min_signature_digits;
    let digits = has_signature && bank.digits_contain(key);
    let fuzzy_allowed = !weights.fuzzy_needs_digits || !has_signature || digits;
    let ratio = if fuzzy_allowed && could_reach(bank, key, weights.fuzzy_from) {
        token_sort_ratio(bank, key)
    } else {
        0.0
    };
    let mut score = if ratio >= 100.0 {
        weights.exact
    } else if ratio >= weights.fuzzy_from {
        weights.fuzzy_base
            + weights.fuzzy_span * (ratio - weights.fuzzy_from) / (100.0 - weights.fuzzy_from)
    } else {
        0.0
    };
    if contained || digits {
        score = score.max(weights.contained);
    }
    RefEvidence {
        score: round6(score),
        ratio,
        contained,
        digits,
    }
}

/// The Indel ratio is at most 2·min(len) / (len + len), so texts of very
/// different lengths are skipped without computing it (R below `from`
/// scores nothing).
fn could_reach(bank: &RefText, key: &RefText, from: f64) -> bool {
    let (a, b) = (bank.sorted_len as f64, key.sorted_len as f64);
    a + b > 0.0 && 200.0 * a.min(b) / (a + b) >= from - 1.0
}

/// Amount component on |a| and |r|.
///
/// The bands are decided exactly on decimals (d against p·max by
/// multiplication); p itself is only needed as a float for the sliding
/// score and as a decimal for the reason text, computed when shown.
pub fn amount_score(a: Decimal, r: Decimal, config: &ReconcileConfig) -> AmountEvidence {
    let weights = &config.amount;
    let (a, r) = (a.abs(), r.abs());
    let d = (a - r).abs();
    if d < weights.exact_below {
        return AmountEvidence {
            score: weights.exact,
            kind: AmountMatch::Exact,
        };
    }
    if d <= weights.rounding_up_to {
        return AmountEvidence {
            score: weights.rounding,
            kind: AmountMatch::Rounding { d },
        };
    }
    let larger = a.max(r);
    if larger.is_zero() || d > weights.near_up_to * larger {
        return AmountEvidence {
            score: 0.0,
            kind: AmountMatch::Far,
        };
    }
    if d <= weights.pct_up_to * larger {
        return AmountEvidence {
            score: weights.pct,
            kind: AmountMatch::Pct { d, of: larger },
        };
    }
    let p = d.to_f64().unwrap_or(f64::MAX) / larger.to_f64().unwrap_or(f64::MAX);
    let limit = weights.near_up_to.to_f64().unwrap_or(0.0);
    AmountEvidence {
        score: round6((weights.near * (1.0 - p / limit)).max(0.0)),
        kind: AmountMatch::Near { d, of: larger },
    }
}

/// Partner component: ids when both sides have a partner, else the bank's
/// partner name against the item's partner name.
fn partner_score(
    line: &PreparedLine<'_>,
    item: &PreparedItem<'_>,
    config: &ReconcileConfig,
) -> (f64, PartnerMatch) {
    let weights = &config.partner;
    match (
        line.line.commercial_partner_id,
        item.item.commercial_partner_id,
    ) {
        (Some(ours), Some(theirs)) => {
            if ours == theirs {
                (weights.same, PartnerMatch::Same)
            } else {
                (0.0, PartnerMatch::None)
            }
        }
        (None, Some(_)) => match (&line.partner_name, &item.partner_name) {
            (Some(bank_name), Some(item_name)) => {
                let ratio = token_sort_ratio(bank_name, item_name);
                if ratio >= weights.name_strong {
                    (weights.same, PartnerMatch::Name { ratio })
                } else if ratio >= weights.name_weak {
                    (weights.name_weak_score, PartnerMatch::Name { ratio })
                } else {
                    (0.0, PartnerMatch::None)
                }
            }
            _ => (0.0, PartnerMatch::None),
        },
        (_, None) => (0.0, PartnerMatch::None),
    }
}

impl PairScore {
    /// The components as reported.
    pub fn breakdown(&self) -> Breakdown {
        Breakdown {
            reference: self.reference.score,
            amount: self.amount.score,
            partner: self.partner,
            learned: self.learned,
        }
    }

    /// The reason codes, strongest evidence first within each component.
    pub fn reasons(&self, config: &ReconcileConfig) -> Vec<Reason> {
        let mut reasons = reference_reasons(&self.reference, config);
        reasons.extend(amount_reason(&self.amount));
        match self.partner_match {
            PartnerMatch::Same => reasons.push(Reason::PartnerSame),
            PartnerMatch::Name { ratio } => reasons.push(Reason::PartnerName { r: round1(ratio) }),
            PartnerMatch::None => {}
        }
        if let Some(rule_id) = self.learned_rule {
            reasons.push(Reason::Learned { rule_id });
        }
        reasons
    }
}

/// Spec 2.4 match types: ≥ auto `exact`; learned bonus and ≥ 0.50
/// `learned`; reference ≥ 0.25 or amount ≥ 0.28 `fuzzy`; ≥ 0.30
/// `partial`; else `none`.
pub fn match_type(confidence: f64, breakdown: &Breakdown, config: &ReconcileConfig) -> MatchType {
    if confidence >= config.auto_match {
        MatchType::Exact
    } else if breakdown.learned > 0.0 && confidence >= config.learned_match_from {
        MatchType::Learned
    } else if breakdown.reference >= config.reference.fuzzy_base
        || breakdown.amount >= config.amount.pct
    {
        MatchType::Fuzzy
    } else if confidence >= config.partial_match_from {
        MatchType::Partial
    } else {
        MatchType::None
    }
}

pub(crate) fn reference_reasons(evidence: &RefEvidence, config: &ReconcileConfig) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if evidence.ratio >= 100.0 {
        reasons.push(Reason::RefExact);
    } else if evidence.ratio >= config.reference.fuzzy_from {
        reasons.push(Reason::RefFuzzy {
            r: round1(evidence.ratio),
        });
    }
    if evidence.contained {
        reasons.push(Reason::RefContained);
    }
    if evidence.digits {
        reasons.push(Reason::RefDigits);
    }
    reasons
}

pub(crate) fn amount_reason(evidence: &AmountEvidence) -> Option<Reason> {
    match evidence.kind {
        AmountMatch::Exact => Some(Reason::AmountExact),
        AmountMatch::Rounding { d } => Some(Reason::AmountRounding { d }),
        AmountMatch::Pct { .. } => evidence
            .kind
            .p()
            .map(|p| Reason::AmountPct { p: p.round_dp(4) }),
        AmountMatch::Near { .. } => evidence
            .kind
            .p()
            .map(|p| Reason::AmountNear { p: p.round_dp(4) }),
        AmountMatch::Far => None,
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
