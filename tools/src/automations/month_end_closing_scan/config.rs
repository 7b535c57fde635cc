//! Configuration of `month_end_closing_scan`: every number spec section 1
//! gives as a default lives here, so a deployment can change it without
//! touching the computation.

use std::num::NonZeroU32;

use rust_decimal::Decimal;
use url::Url;

use super::compute::Severity;

/// What the scan needs besides a connector.
#[derive(Debug, Clone)]
pub struct ClosingScanConfig {
    /// The Odoo address users open in a browser, for record links.
    pub odoo_base_url: Url,
    /// Days after which a draft counts as stale, when the call does not say.
    pub default_stale_after_days: u32,
    /// Items listed per check, when the call does not say.
    pub default_detail_limit: u32,
    /// Words that mark a draft entry as a depreciation when the assets
    /// module is not installed (matched case-insensitively in `name`/`ref`).
    pub depreciation_keywords: Vec<String>,
    /// Largest intercompany difference, in company currency, left unflagged.
    pub intercompany_tolerance: Decimal,
    /// Page size of the full scans (spec 0.2).
    pub scan_page_size: NonZeroU32,
    /// Most records one full scan reads before it stops and warns.
    pub scan_cap: usize,
    pub scoring: Scoring,
}

/// Readiness penalties, risk bands and the effort estimate (spec 1.3).
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    pub penalty_critical: u32,
    pub penalty_high: u32,
    pub penalty_medium: u32,
    pub penalty_low: u32,
    /// Penalty of a check that could not run: unknown is not clean.
    pub penalty_error: u32,
    /// Readiness at or above which risk is `low`.
    pub low_risk_from: u32,
    /// Readiness at or above which risk is `medium`.
    pub medium_risk_from: u32,
    /// Readiness at or above which risk is `high`; below it, `critical`.
    pub high_risk_from: u32,
    /// Hours of work per open item.
    pub hours_per_item: Decimal,
    /// The smallest estimate ever given.
    pub min_hours: Decimal,
}

impl ClosingScanConfig {
    /// The spec's defaults, with links to `odoo_base_url`.
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            default_stale_after_days: 30,
            default_detail_limit: 20,
            depreciation_keywords: ["depreciation", "amortization", "amortisation"]
                .map(str::to_owned)
                .to_vec(),
            intercompany_tolerance: Decimal::new(100, 2),
            scan_page_size: NonZeroU32::new(1000).unwrap_or(NonZeroU32::MIN),
            scan_cap: 20_000,
            scoring: Scoring::default(),
        }
    }
}

impl Default for Scoring {
    fn default() -> Self {
        Self {
            penalty_critical: 20,
            penalty_high: 10,
            penalty_medium: 5,
            penalty_low: 0,
            penalty_error: 10,
            low_risk_from: 90,
            medium_risk_from: 70,
            high_risk_from: 50,
            hours_per_item: Decimal::new(25, 2),
            min_hours: Decimal::ONE,
        }
    }
}

impl Scoring {
    /// The readiness penalty of a check in attention with `severity`.
    pub fn penalty(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Critical => self.penalty_critical,
            Severity::High => self.penalty_high,
            Severity::Medium => self.penalty_medium,
            Severity::Low => self.penalty_low,
        }
    }
}
