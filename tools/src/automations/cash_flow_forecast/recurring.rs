//! Recurring vendor bills (spec 5.3): a vendor's bills of the window recur
//! when their amounts are stable (`CV = σ/μ < 0.30`, σ the population
//! standard deviation) and the median gap between consecutive bill dates
//! fits a cadence. Pure: bills in, series and future occurrences out.

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::compute::{PartnerRef, RecordRef, VendorBill, add_days, median_days};

/// The largest coefficient of variation of a recurring vendor (exclusive).
const MAX_CV: Decimal = Decimal::from_parts(30, 0, 0, false, 2);

/// How often a vendor bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Median gap 6–8 days.
    Weekly,
    /// 12–16 days.
    Biweekly,
    /// 25–35 days; occurrences fall on the same day of the month.
    Monthly,
    /// 80–100 days; every third month.
    Quarterly,
}

impl Cadence {
    /// The cadence a median gap fits, if any.
    pub fn from_gap(days: i64) -> Option<Self> {
        match days {
            6..=8 => Some(Self::Weekly),
            12..=16 => Some(Self::Biweekly),
            25..=35 => Some(Self::Monthly),
            80..=100 => Some(Self::Quarterly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weekly => "weekly",
            Self::Biweekly => "biweekly",
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
        }
    }

    /// `from` plus `k` periods; `None` past the calendar's end.
    fn step(self, from: NaiveDate, k: u32) -> Option<NaiveDate> {
        match self {
            Self::Weekly => from.checked_add_days(Days::new(7 * u64::from(k))),
            Self::Biweekly => from.checked_add_days(Days::new(14 * u64::from(k))),
            Self::Monthly => from.checked_add_months(Months::new(k)),
            Self::Quarterly => from.checked_add_months(Months::new(3 * k)),
        }
    }
}

/// A vendor whose bills recur.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecurringSeries {
    pub vendor: PartnerRef,
    /// The latest bill, cited by every occurrence.
    pub last_bill: RecordRef,
    pub last_bill_date: NaiveDate,
    pub bills: usize,
    /// μ, the amount of each occurrence (as an outflow).
    pub mean: Decimal,
    /// σ / μ, four decimals.
    pub cv: Decimal,
    pub cadence: Cadence,
    pub median_gap_days: i64,
    /// Median days from bill date to due date.
    pub due_offset_days: i64,
    /// Occurrences counted within the horizon.
    pub occurrences: usize,
    /// Occurrences left out because an open bill of the vendor is due
    /// within the overlap window.
    pub skipped: usize,
}

/// Whether a vendor's bills recur, and why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Detection {
    Recurring(RecurringSeries),
    /// Fewer than two bills.
    TooFew,
    /// Amounts vary too much: `CV ≥ 0.30`.
    Unstable {
        cv: Decimal,
    },
    /// The median gap fits no cadence.
    NoCadence {
        median_gap_days: i64,
    },
}

/// Checks one vendor's bills (spec 5.3 and worked example 5.7:
/// 4,900 / 5,000 / 5,100 monthly → μ 5,000, CV ≈ 0.016, recurring;
/// 500 / 50,000 → CV ≈ 0.98, not).
pub fn detect(bills: &[&VendorBill]) -> Detection {
    if bills.len() < 2 {
        return Detection::TooFew;
    }
    let mut sorted: Vec<&VendorBill> = bills.to_vec();
    sorted.sort_by_key(|b| (b.bill_date, b.reference.id));
    let n = Decimal::from(sorted.len());
    let mean = sorted.iter().map(|b| b.total).sum::<Decimal>() / n;
    if mean <= Decimal::ZERO {
        return Detection::Unstable { cv: Decimal::ZERO };
    }
    let variance = sorted
        .iter()
        .map(|b| (b.total - mean) * (b.total - mean))
        .sum::<Decimal>()
        / n;
    let cv = (sqrt(variance) / mean).round_dp(4);
    // Compared squared, so the decision does not depend on the square root.
    if variance >= MAX_CV * MAX_CV * mean * mean {
        return Detection::Unstable { cv };
    }
    let gaps: Vec<i64> = sorted
        .windows(2)
        .map(|pair| (pair[1].bill_date - pair[0].bill_date).num_days())
        .collect();
    let median_gap_days = median_days(&gaps).unwrap_or(0);
    let Some(cadence) = Cadence::from_gap(median_gap_days) else {
        return Detection::NoCadence { median_gap_days };
    };
    let offsets: Vec<i64> = sorted
        .iter()
        .filter_map(|b| b.due.map(|due| (due - b.bill_date).num_days()))
        .collect();
    let last = sorted[sorted.len() - 1];
    Detection::Recurring(RecurringSeries {
        vendor: last.vendor.clone(),
        last_bill: last.reference.clone(),
        last_bill_date: last.bill_date,
        bills: sorted.len(),
        mean,
        cv,
        cadence,
        median_gap_days,
        due_offset_days: median_days(&offsets).unwrap_or(0),
        occurrences: 0,
        skipped: 0,
    })
}

/// `(bill date, due date)` of the occurrences after the last bill whose
/// due date lies in `(as_of, end]`.
pub fn occurrences(
    series: &RecurringSeries,
    as_of: NaiveDate,
    end: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    // A weekly vendor over a year is 53 steps; the bound only stops a loop
    // that could never end.
    for k in 1..=1_000_u32 {
        let Some(bill_date) = series.cadence.step(series.last_bill_date, k) else {
            break;
        };
        let due = add_days(bill_date, series.due_offset_days);
        if due > end {
            break;
        }
        if due > as_of {
            out.push((bill_date, due));
        }
    }
    out
}

/// The square root by Newton's method, exact to the decimal's precision.
pub(crate) fn sqrt(value: Decimal) -> Decimal {
    if value <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let mut x = if value > Decimal::ONE {
        value / Decimal::TWO
    } else {
        Decimal::ONE
    };
    for _ in 0..100 {
        let next = (x + value / x) / Decimal::TWO;
        if next == x {
            break;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn bill(id: i64, date: NaiveDate, total: i64) -> VendorBill {
        VendorBill {
            reference: RecordRef::new("account.move", id, format!("BILL/{id}")),
            vendor: PartnerRef {
                id: 9,
                name: "Fulmar".into(),
            },
            bill_date: date,
            due: Some(date + Days::new(14)),
            total: Decimal::from(total),
        }
    }

    fn run(bills: &[VendorBill]) -> Detection {
        detect(&bills.iter().collect::<Vec<_>>())
    }

    #[test]
    fn three_stable_monthly_bills_recur_at_their_mean() {
        let bills = [
            bill(1, day(2025, 12, 5), 4_900),
            bill(2, day(2026, 1, 5), 5_000),
            bill(3, day(2026, 2, 5), 5_100),
        ];
        let Detection::Recurring(series) = run(&bills) else {
            panic!("expected recurring");
        };
        assert_eq!(series.mean, Decimal::from(5_000));
        // σ = √(20,000/3) ≈ 81.65, CV ≈ 0.0163.
        assert_eq!(series.cv, Decimal::new(163, 4));
        assert_eq!(series.cadence, Cadence::Monthly);
        assert_eq!(series.due_offset_days, 14);
        assert_eq!(series.last_bill.id, 3);
        let next = occurrences(&series, day(2026, 3, 16), day(2026, 6, 14));
        assert_eq!(
            next,
            [
                (day(2026, 3, 5), day(2026, 3, 19)),
                (day(2026, 4, 5), day(2026, 4, 19)),
                (day(2026, 5, 5), day(2026, 5, 19)),
            ]
        );
    }

    #[test]
    fn widely_varying_amounts_do_not_recur() {
        let bills = [
            bill(1, day(2025, 12, 5), 500),
            bill(2, day(2026, 1, 5), 50_000),
        ];
        assert_eq!(
            run(&bills),
            Detection::Unstable {
                cv: Decimal::new(9802, 4)
            }
        );
    }

    #[test]
    fn a_single_bill_or_an_odd_gap_does_not_recur() {
        assert_eq!(run(&[bill(1, day(2026, 1, 5), 100)]), Detection::TooFew);
        let bills = [
            bill(1, day(2026, 1, 5), 100),
            bill(2, day(2026, 1, 25), 100),
        ];
        assert_eq!(
            run(&bills),
            Detection::NoCadence {
                median_gap_days: 20
            }
        );
    }

    #[test]
    fn cadences_follow_the_gap_ranges() {
        for (gap, cadence) in [
            (5, None),
            (6, Some(Cadence::Weekly)),
            (8, Some(Cadence::Weekly)),
            (12, Some(Cadence::Biweekly)),
            (16, Some(Cadence::Biweekly)),
            (25, Some(Cadence::Monthly)),
            (35, Some(Cadence::Monthly)),
            (36, None),
            (80, Some(Cadence::Quarterly)),
            (100, Some(Cadence::Quarterly)),
            (101, None),
        ] {
            assert_eq!(Cadence::from_gap(gap), cadence, "gap {gap}");
        }
    }

    #[test]
    fn the_coefficient_of_variation_just_below_the_limit_recurs() {
        // 70 and 130: μ 100, σ 30 → CV exactly 0.30, not recurring; 71 and
        // 129: σ 29 → recurring.
        let at = [bill(1, day(2026, 1, 5), 70), bill(2, day(2026, 1, 12), 130)];
        assert!(matches!(run(&at), Detection::Unstable { .. }));
        let below = [bill(1, day(2026, 1, 5), 71), bill(2, day(2026, 1, 12), 129)];
        assert!(matches!(run(&below), Detection::Recurring(_)));
    }

    #[test]
    fn square_roots_are_exact_enough() {
        assert_eq!(sqrt(Decimal::from(144)), Decimal::from(12));
        assert_eq!(sqrt(Decimal::new(25, 2)), Decimal::new(5, 1));
        assert_eq!(sqrt(Decimal::ZERO), Decimal::ZERO);
    }
}
