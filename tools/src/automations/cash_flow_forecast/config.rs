//! The numbers of spec section 5 that are configuration rather than
//! arguments: the doubtful-receivable haircut, the look-back windows and
//! the caps of the detail scans. Defaults are the spec's.

use rust_decimal::Decimal;
use thiserror::Error;
use url::Url;

/// A configuration the forecast cannot run with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cash_flow_forecast configuration: {0}")]
pub struct ForecastConfigError(pub String);

/// How `cash_flow_forecast` reads and projects.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastConfig {
    /// Where links to cited records point.
    pub odoo_base_url: Url,
    /// Share (0–1) of a receivable more than `doubtful_after_days` overdue
    /// that is still expected; the rest is reported as excluded. Default 1.
    pub doubtful_factor: Decimal,
    /// Days past due after which a receivable is doubtful. Default 90.
    pub doubtful_after_days: i64,
    /// Months of paid invoices behind a customer's median days late. Default 12.
    pub lateness_months: u32,
    /// Upper clamp of a customer's median days late. Default 60.
    pub max_lateness_days: i64,
    /// Days of vendor bills behind the recurring detection. Default 180.
    pub recurring_window_days: u64,
    /// Days either side of a recurring occurrence within which an open
    /// bill of the same vendor replaces it. Default 10.
    pub recurring_overlap_days: i64,
    /// Most records one detail scan reads (open documents, paid invoices,
    /// bills, leads, orders); more sets `truncated`. Default 50,000.
    pub max_records: usize,
    /// How many of the largest flow items the output cites. Default 10.
    pub cited_items: usize,
}

impl ForecastConfig {
    /// The spec's defaults, with links to `odoo_base_url`.
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            doubtful_factor: Decimal::ONE,
            doubtful_after_days: 90,
            lateness_months: 12,
            max_lateness_days: 60,
            recurring_window_days: 180,
            recurring_overlap_days: 10,
            max_records: 50_000,
            cited_items: 10,
        }
    }

    /// Every problem at once.
    pub fn validate(&self) -> Result<(), ForecastConfigError> {
        let mut problems = Vec::new();
        if !(Decimal::ZERO..=Decimal::ONE).contains(&self.doubtful_factor) {
            problems.push(format!(
                "doubtful_factor must be between 0 and 1, got {}",
                self.doubtful_factor
            ));
        }
        if self.doubtful_after_days < 0 {
            problems.push("doubtful_after_days must be 0 or more".to_owned());
        }
        if self.lateness_months == 0 {
            problems.push("lateness_months must be at least 1".to_owned());
        }
        if self.max_lateness_days < 0 {
            problems.push("max_lateness_days must be 0 or more".to_owned());
        }
        if self.recurring_overlap_days < 0 {
            problems.push("recurring_overlap_days must be 0 or more".to_owned());
        }
        if self.max_records == 0 {
            problems.push("max_records must be at least 1".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ForecastConfigError(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_specs_and_valid() {
        let config = ForecastConfig::new(Url::parse("https://odoo.example").unwrap());
        assert_eq!(config.doubtful_factor, Decimal::ONE);
        assert_eq!(config.doubtful_after_days, 90);
        assert_eq!(config.max_lateness_days, 60);
        assert_eq!(config.recurring_window_days, 180);
        assert_eq!(config.recurring_overlap_days, 10);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut config = ForecastConfig::new(Url::parse("https://odoo.example").unwrap());
        config.doubtful_factor = Decimal::TWO;
        config.max_records = 0;
        let err = config.validate().unwrap_err().to_string();
        assert!(err.contains("doubtful_factor"), "{err}");
        assert!(err.contains("max_records"), "{err}");
    }
}
