//! Month-end scan results made up for closing tests.

#![allow(clippy::expect_used)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tools::automations::CompanyRef;
use tools::automations::month_end_closing_scan::{Check, CheckKey, ClosingData, RiskLevel, Status};

/// The demo company's reference, under `id`.
pub fn closing_company(id: i64) -> CompanyRef {
    CompanyRef {
        id,
        name: "Harbourline Trading".to_owned(),
        currency: "EUR".to_owned(),
    }
}

/// A scan of `period` (`YYYY-MM`) finding `items` records in the named
/// checks (100.00 each) and nothing in the others; `final_review` is
/// manual, as always.
pub fn closing_scan(period: &str, items: &[(CheckKey, u64)]) -> ClosingData {
    let items: BTreeMap<CheckKey, u64> = items.iter().copied().collect();
    let checks = CheckKey::ALL
        .iter()
        .map(|&key| {
            let count = items.get(&key).copied().unwrap_or(0);
            let status = match (key, count) {
                (CheckKey::FinalReview, _) => Status::Manual,
                (_, 0) => Status::Ok,
                _ => Status::Attention,
            };
            Check {
                key,
                label: key.label().to_owned(),
                order: key.order(),
                severity: key.severity(),
                status,
                item_count: count,
                amount: (count > 0).then(|| Decimal::from(count * 100)),
                items: Vec::new(),
                counts: BTreeMap::new(),
                notes: Vec::new(),
                error: None,
            }
        })
        .collect();
    let total: u64 = items.values().sum();
    let first = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d")
        .expect("a period written YYYY-MM");
    ClosingData {
        period: period.to_owned(),
        period_start: first,
        period_end: first,
        lock_date: None,
        checks,
        readiness: if total == 0 { 100 } else { 65 },
        risk_level: if total == 0 {
            RiskLevel::Low
        } else {
            RiskLevel::High
        },
        total_items: total,
        estimated_hours: Decimal::ONE,
        narrative: None,
    }
}
