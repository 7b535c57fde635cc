//! The numbers of spec section 2 as configuration, with the spec's values
//! as defaults.

use rust_decimal::Decimal;

/// Weights, thresholds and limits of the suggestion algorithm.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconcileConfig {
    /// Suggestions below this confidence are dropped (spec input, 0.30).
    pub min_confidence: f64,
    /// Confidence from which a suggestion is `exact` and auto-matchable.
    pub auto_match: f64,
    /// From this confidence a suggestion whose learned bonus applied is
    /// `learned` (0.50).
    pub learned_match_from: f64,
    /// From this confidence a suggestion without strong reference or amount
    /// evidence is `partial` (0.30).
    pub partial_match_from: f64,
    /// Whether 2–3 item combinations are tried.
    pub allow_splits: bool,
    pub reference: ReferenceWeights,
    pub amount: AmountWeights,
    pub partner: PartnerWeights,
    /// Bonus when a learned rule of the journal matches (0.10).
    pub learned_bonus: f64,
    /// Minimum similarity of every non-empty rule pattern (80).
    pub learned_min_ratio: f64,
    pub blocking: Blocking,
    pub splits: SplitLimits,
    /// How many runner-up suggestions each line reports (2).
    pub alternatives: usize,
    /// Threads the pair scoring is spread over (2; at least 1). The result
    /// does not depend on it: options are merged and sorted globally.
    pub workers: usize,
}

/// Reference component (2.4, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceWeights {
    /// Score when R = 100 (0.40).
    pub exact: f64,
    /// Score at R = `fuzzy_from` (0.25), rising linearly to `exact` − … at 100.
    pub fuzzy_base: f64,
    /// Slope span added over `fuzzy_from..100` (0.15).
    pub fuzzy_span: f64,
    /// Lowest R that counts (70).
    pub fuzzy_from: f64,
    /// Floor when the key is contained or its digit signature is (0.35).
    pub contained: f64,
    /// Digits a digit signature needs to count (3).
    pub min_signature_digits: usize,
    /// Fuzzy similarity (the R ≥ 70 band) counts only when the key's digit
    /// signature, if it has one, runs inside the bank text's. Not in the
    /// spec, which scores "INV/2025/00301" against a payment of
    /// "INV/2025/00300" at R = 93 → 0.36, almost as high as the right
    /// invoice; on the benchmark data that made partial and fee-reduced
    /// payments go to a neighbouring invoice. `false` is the spec's rule.
    pub fuzzy_needs_digits: bool,
}

/// Amount component (2.4, 2).
#[derive(Debug, Clone, PartialEq)]
pub struct AmountWeights {
    /// d < `exact_below` (0.01) → `exact` (0.35).
    pub exact_below: Decimal,
    pub exact: f64,
    /// d ≤ `rounding_up_to` (0.50) → `rounding` (0.30).
    pub rounding_up_to: Decimal,
    pub rounding: f64,
    /// p ≤ `pct_up_to` (0.02) → `pct` (0.28).
    pub pct_up_to: Decimal,
    pub pct: f64,
    /// p ≤ `near_up_to` (0.10) → `near` × (1 − p / `near_up_to`) (0.15).
    pub near_up_to: Decimal,
    pub near: f64,
}

/// Partner component (2.4, 3).
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerWeights {
    /// Same commercial partner, or a bank name with R ≥ `name_strong` (0.15).
    pub same: f64,
    /// R ≥ `name_strong` (85).
    pub name_strong: f64,
    /// R ≥ `name_weak` (65) → `name_weak_score` (0.08).
    pub name_weak: f64,
    pub name_weak_score: f64,
}

/// Which pairs are scored at all (2.5: sharing the partner, a digit run of
/// at least `min_digit_run` digits, or an amount within `amount_within`).
#[derive(Debug, Clone, PartialEq)]
pub struct Blocking {
    /// 3.
    pub min_digit_run: usize,
    /// 0.10.
    pub amount_within: Decimal,
    /// A digit run (or partner-name word) shared by more open items than
    /// this (a year, "inc") says nothing about which one is meant and is not
    /// used as a block key; without this cap "2025" alone would pair every
    /// line that mentions it with every invoice of the year.
    pub max_key_block: usize,
}

/// Search limits for split suggestions (2.5).
#[derive(Debug, Clone, PartialEq)]
pub struct SplitLimits {
    /// Most recent same-sign items of the partner considered (12).
    pub recent_items: usize,
    /// Largest combination (3); the smallest is 2.
    pub max_items: usize,
    /// |Σ|r| − |a|| allowed (0.50).
    pub tolerance: Decimal,
    /// Partner part of a split's score (0.15).
    pub partner_score: f64,
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        Self {
            min_confidence: 0.30,
            auto_match: 0.90,
            learned_match_from: 0.50,
            partial_match_from: 0.30,
            allow_splits: true,
            reference: ReferenceWeights {
                exact: 0.40,
                fuzzy_base: 0.25,
                fuzzy_span: 0.15,
                fuzzy_from: 70.0,
                contained: 0.35,
                min_signature_digits: 3,
                fuzzy_needs_digits: true,
            },
            amount: AmountWeights {
                exact_below: Decimal::new(1, 2),
                exact: 0.35,
                rounding_up_to: Decimal::new(50, 2),
                rounding: 0.30,
                pct_up_to: Decimal::new(2, 2),
                pct: 0.28,
                near_up_to: Decimal::new(10, 2),
                near: 0.15,
            },
            partner: PartnerWeights {
                same: 0.15,
                name_strong: 85.0,
                name_weak: 65.0,
                name_weak_score: 0.08,
            },
            learned_bonus: 0.10,
            learned_min_ratio: 80.0,
            blocking: Blocking {
                min_digit_run: 3,
                amount_within: Decimal::new(10, 2),
                max_key_block: 50,
            },
            splits: SplitLimits {
                recent_items: 12,
                max_items: 3,
                tolerance: Decimal::new(50, 2),
                partner_score: 0.15,
            },
            alternatives: 2,
            workers: 2,
        }
    }
}
