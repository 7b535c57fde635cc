//! The numbers of spec section 3 as configuration: weights, score steps,
//! bands and limits. Defaults are the spec's; [`ScoringConfig::validate`]
//! runs at start-up so a bad configuration never reaches a customer.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use url::Url;

/// A configuration that cannot score anyone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("credit_check configuration: {0}")]
pub struct CreditConfigError(pub String);

/// The weight of each score component; they must sum to exactly 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub payment_history: Decimal,
    pub order_volume: Decimal,
    pub overdue_ratio: Decimal,
    pub relationship_age: Decimal,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            payment_history: Decimal::new(40, 2),
            order_volume: Decimal::new(20, 2),
            overdue_ratio: Decimal::new(25, 2),
            relationship_age: Decimal::new(15, 2),
        }
    }
}

/// Lower bounds of the bands (spec 3.3): a score at or above `low` is
/// `low` risk, and so on down; below `high` is `critical`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandThresholds {
    pub low: Decimal,
    pub normal: Decimal,
    pub elevated: Decimal,
    pub high: Decimal,
}

impl Default for BandThresholds {
    fn default() -> Self {
        Self {
            low: Decimal::from(80),
            normal: Decimal::from(60),
            elevated: Decimal::from(40),
            high: Decimal::from(20),
        }
    }
}

/// A step function: the value of the first step whose bound the input
/// reaches (steps in descending order of bound), else `otherwise`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Steps {
    /// `(at_least, value)`, bounds strictly descending.
    pub steps: Vec<(u64, Decimal)>,
    pub otherwise: Decimal,
}

impl Steps {
    /// The value for `input`.
    pub fn value(&self, input: u64) -> Decimal {
        self.steps
            .iter()
            .find(|(bound, _)| input >= *bound)
            .map_or(self.otherwise, |(_, value)| *value)
    }

    fn validate(&self, name: &str) -> Result<(), CreditConfigError> {
        let descending = self.steps.windows(2).all(|pair| pair[0].0 > pair[1].0);
        let in_range = self
            .steps
            .iter()
            .map(|(_, v)| v)
            .chain([&self.otherwise])
            .all(|v| *v >= Decimal::ZERO && *v <= Decimal::ONE_HUNDRED);
        if !descending {
            return Err(CreditConfigError(format!(
                "{name}: step bounds must be strictly descending"
            )));
        }
        if !in_range {
            return Err(CreditConfigError(format!(
                "{name}: step values must lie in 0..=100"
            )));
        }
        Ok(())
    }
}

/// Everything the pure computation needs besides the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringConfig {
    pub weights: Weights,
    pub bands: BandThresholds,
    /// Days after the due date a payment still counts as on time. Default 0.
    pub grace_days: u32,
    /// `P` of a customer with no invoice in the lookback. Default 50.
    pub payment_no_invoices: Decimal,
    /// `P` of a customer with invoices but none paid. Default 30.
    pub payment_none_paid: Decimal,
    /// Months of invoices that count as order volume. Default 12.
    pub volume_months: u32,
    /// `V` by `n` (invoices in the volume window plus confirmed orders with
    /// an uninvoiced part). `n = 0` gives `volume_none`.
    pub volume: Steps,
    /// `V` when `n = 0`. Default 30.
    pub volume_none: Decimal,
    /// `A` by age in days since the first invoice (else the partner's
    /// creation).
    pub age: Steps,
    /// `A` when no start date is known. Default 50.
    pub age_unknown: Decimal,
    /// Share of the limit from which an order is only a warning. Default 0.9.
    pub warn_ratio: Decimal,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        let d = Decimal::from;
        Self {
            weights: Weights::default(),
            bands: BandThresholds::default(),
            grace_days: 0,
            payment_no_invoices: d(50),
            payment_none_paid: d(30),
            volume_months: 12,
            volume: Steps {
                steps: vec![(50, d(95)), (20, d(80)), (10, d(65)), (5, d(50))],
                otherwise: d(35),
            },
            volume_none: d(30),
            age: Steps {
                steps: vec![(730, d(95)), (365, d(80)), (180, d(65)), (90, d(50))],
                otherwise: d(30),
            },
            age_unknown: d(50),
            warn_ratio: Decimal::new(9, 1),
        }
    }
}

impl ScoringConfig {
    /// Weights sum to 1, each in 0..=1; bands descend; steps are ordered.
    pub fn validate(&self) -> Result<(), CreditConfigError> {
        let w = &self.weights;
        let weights = [
            w.payment_history,
            w.order_volume,
            w.overdue_ratio,
            w.relationship_age,
        ];
        if weights
            .iter()
            .any(|w| *w < Decimal::ZERO || *w > Decimal::ONE)
        {
            return Err(CreditConfigError(
                "each weight must lie in 0..=1".to_owned(),
            ));
        }
        let sum: Decimal = weights.iter().sum();
        if sum != Decimal::ONE {
            return Err(CreditConfigError(format!(
                "weights must sum to 1, they sum to {sum}"
            )));
        }
        let b = &self.bands;
        if !(b.low > b.normal && b.normal > b.elevated && b.elevated > b.high) {
            return Err(CreditConfigError(
                "band thresholds must descend: low > normal > elevated > high".to_owned(),
            ));
        }
        if self.volume_months == 0 {
            return Err(CreditConfigError(
                "volume_months must be at least 1".to_owned(),
            ));
        }
        if self.warn_ratio <= Decimal::ZERO || self.warn_ratio > Decimal::ONE {
            return Err(CreditConfigError(
                "warn_ratio must lie in (0, 1]".to_owned(),
            ));
        }
        self.volume.validate("volume")?;
        self.age.validate("age")
    }
}

/// What the `credit_check` tool needs besides a connector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditCheckConfig {
    /// The Odoo address users open in a browser, for record links.
    pub odoo_base_url: Url,
    #[serde(default)]
    pub scoring: ScoringConfig,
    /// Default and largest `lookback_months`.
    #[serde(default = "default_lookback")]
    pub default_lookback_months: u32,
    /// Default number of lowest-scoring customers portfolio mode lists.
    #[serde(default = "default_top")]
    pub default_top: u32,
    /// Most paid invoices read one by one for their payment dates; beyond
    /// it the result is marked truncated and the rest count as unknown.
    #[serde(default = "default_max_paid")]
    pub max_paid_invoices: usize,
    /// Most confirmed, not fully invoiced sales orders read one by one
    /// (their amount to invoice is not stored, so Odoo cannot sum it).
    #[serde(default = "default_max_orders")]
    pub max_open_orders: usize,
    /// Most `block` verdicts portfolio mode lists.
    #[serde(default = "default_max_blocked")]
    pub max_blocked_listed: usize,
}

impl CreditCheckConfig {
    /// The spec's defaults, with links to `odoo_base_url`.
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            scoring: ScoringConfig::default(),
            default_lookback_months: default_lookback(),
            default_top: default_top(),
            max_paid_invoices: default_max_paid(),
            max_open_orders: default_max_orders(),
            max_blocked_listed: default_max_blocked(),
        }
    }

    /// Checks the scoring numbers and the limits.
    pub fn validate(&self) -> Result<(), CreditConfigError> {
        self.scoring.validate()?;
        if !(1..=120).contains(&self.default_lookback_months) {
            return Err(CreditConfigError(
                "default_lookback_months must lie in 1..=120".to_owned(),
            ));
        }
        if !(1..=MAX_TOP).contains(&self.default_top) {
            return Err(CreditConfigError(format!(
                "default_top must lie in 1..={MAX_TOP}"
            )));
        }
        if self.max_paid_invoices == 0 || self.max_open_orders == 0 || self.max_blocked_listed == 0
        {
            return Err(CreditConfigError(
                "max_paid_invoices, max_open_orders and max_blocked_listed must be at least 1"
                    .to_owned(),
            ));
        }
        Ok(())
    }
}

/// Largest `top` a portfolio call may ask for.
pub const MAX_TOP: u32 = 100;

fn default_lookback() -> u32 {
    24
}

fn default_top() -> u32 {
    20
}

fn default_max_paid() -> usize {
    50_000
}

fn default_max_orders() -> usize {
    20_000
}

fn default_max_blocked() -> usize {
    500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_defaults_are_valid() {
        assert_eq!(ScoringConfig::default().validate(), Ok(()));
        let url = Url::parse("https://odoo.example").unwrap();
        assert_eq!(CreditCheckConfig::new(url).validate(), Ok(()));
    }

    #[test]
    fn weights_that_do_not_sum_to_one_are_refused() {
        let mut config = ScoringConfig::default();
        config.weights.order_volume = Decimal::new(21, 2);
        let err = config.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "credit_check configuration: weights must sum to 1, they sum to 1.01"
        );
    }

    #[test]
    fn bands_must_descend() {
        let mut config = ScoringConfig::default();
        config.bands.normal = Decimal::from(85);
        assert!(config.validate().is_err());
    }

    #[test]
    fn steps_pick_the_first_bound_reached() {
        let volume = ScoringConfig::default().volume;
        assert_eq!(volume.value(50), Decimal::from(95));
        assert_eq!(volume.value(49), Decimal::from(80));
        assert_eq!(volume.value(10), Decimal::from(65));
        assert_eq!(volume.value(9), Decimal::from(50));
        assert_eq!(volume.value(5), Decimal::from(50));
        assert_eq!(volume.value(4), Decimal::from(35));
        let mut unordered = volume;
        unordered.steps.swap(0, 1);
        assert!(unordered.validate("volume").is_err());
    }
}
