//! Accuracy tracking (spec 5.8): each run's predictions per target date,
//! and, once the actual closing balances are known, the error per
//! lead-time bucket (1–30, 31–60, 61–90 days between as_of and target),
//! so a good short horizon cannot hide a poor long one. Pure: storing the
//! predictions and the actual balances is the scheduler's job.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::compute::Projection;

/// One stored prediction of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub as_of: NaiveDate,
    pub target: NaiveDate,
    pub predicted: Decimal,
    pub low: Decimal,
    pub high: Decimal,
}

/// A prediction with the balance that actually closed its target day.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub prediction: Prediction,
    pub actual: Decimal,
}

/// Days between as_of and target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadBucket {
    Days1To30,
    Days31To60,
    Days61To90,
}

impl LeadBucket {
    /// The bucket of a lead time; `None` outside 1–90 days.
    pub fn of(days: i64) -> Option<Self> {
        match days {
            1..=30 => Some(Self::Days1To30),
            31..=60 => Some(Self::Days31To60),
            61..=90 => Some(Self::Days61To90),
            _ => None,
        }
    }
}

/// The error of one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketAccuracy {
    pub bucket: LeadBucket,
    pub observations: usize,
    /// Mean |predicted − actual|.
    pub mae: Decimal,
    /// Mean |predicted − actual| / |actual| × 100 over actual ≠ 0; `None`
    /// when every actual was 0.
    pub mape: Option<Decimal>,
    /// Share (0–1) of actuals inside [low, high].
    pub coverage: Decimal,
}

/// The predictions of a run to store: one per projected day.
pub fn predictions(as_of: NaiveDate, projection: &Projection) -> Vec<Prediction> {
    projection
        .days
        .iter()
        .map(|day| Prediction {
            as_of,
            target: day.date,
            predicted: day.balance,
            low: day.low,
            high: day.high,
        })
        .collect()
}

/// MAE, MAPE and coverage per lead-time bucket, buckets without
/// observations left out, in bucket order.
pub fn accuracy(observations: &[Observation]) -> Vec<BucketAccuracy> {
    let mut out = Vec::new();
    for bucket in [
        LeadBucket::Days1To30,
        LeadBucket::Days31To60,
        LeadBucket::Days61To90,
    ] {
        let inside: Vec<&Observation> = observations
            .iter()
            .filter(|o| {
                LeadBucket::of((o.prediction.target - o.prediction.as_of).num_days())
                    == Some(bucket)
            })
            .collect();
        if inside.is_empty() {
            continue;
        }
        let n = Decimal::from(inside.len());
        let errors: Vec<Decimal> = inside
            .iter()
            .map(|o| (o.prediction.predicted - o.actual).abs())
            .collect();
        let mae = errors.iter().sum::<Decimal>() / n;
        let relative: Vec<Decimal> = inside
            .iter()
            .zip(&errors)
            .filter(|(o, _)| !o.actual.is_zero())
            .map(|(o, e)| *e / o.actual.abs() * Decimal::ONE_HUNDRED)
            .collect();
        let mape = (!relative.is_empty())
            .then(|| relative.iter().sum::<Decimal>() / Decimal::from(relative.len()));
        let covered = inside
            .iter()
            .filter(|o| o.prediction.low <= o.actual && o.actual <= o.prediction.high)
            .count();
        out.push(BucketAccuracy {
            bucket,
            observations: inside.len(),
            mae,
            mape,
            coverage: Decimal::from(covered) / n,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
    }

    fn obs(lead: u32, predicted: i64, low: i64, high: i64, actual: i64) -> Observation {
        Observation {
            prediction: Prediction {
                as_of: day(0),
                target: day(lead),
                predicted: Decimal::from(predicted),
                low: Decimal::from(low),
                high: Decimal::from(high),
            },
            actual: Decimal::from(actual),
        }
    }

    #[test]
    fn metrics_are_computed_per_lead_time_bucket() {
        let observations = [
            // 1–30: errors 10 and 30 on actuals 100 and 200 (10 % and 15 %).
            obs(1, 110, 100, 120, 100),
            obs(30, 170, 160, 180, 200),
            // 31–60: one error of 50 on an actual of 0: no MAPE.
            obs(31, 50, 0, 100, 0),
            // 61–90: exact.
            obs(90, 400, 400, 400, 400),
            // Outside every bucket: ignored.
            obs(91, 0, 0, 0, 1_000),
        ];
        let metrics = accuracy(&observations);
        assert_eq!(
            metrics,
            [
                BucketAccuracy {
                    bucket: LeadBucket::Days1To30,
                    observations: 2,
                    mae: Decimal::from(20),
                    mape: Some(Decimal::new(125, 1)),
                    coverage: Decimal::new(5, 1),
                },
                BucketAccuracy {
                    bucket: LeadBucket::Days31To60,
                    observations: 1,
                    mae: Decimal::from(50),
                    mape: None,
                    coverage: Decimal::ONE,
                },
                BucketAccuracy {
                    bucket: LeadBucket::Days61To90,
                    observations: 1,
                    mae: Decimal::ZERO,
                    mape: Some(Decimal::ZERO),
                    coverage: Decimal::ONE,
                },
            ]
        );
    }

    #[test]
    fn bucket_bounds_are_inclusive() {
        assert_eq!(LeadBucket::of(0), None);
        assert_eq!(LeadBucket::of(1), Some(LeadBucket::Days1To30));
        assert_eq!(LeadBucket::of(30), Some(LeadBucket::Days1To30));
        assert_eq!(LeadBucket::of(31), Some(LeadBucket::Days31To60));
        assert_eq!(LeadBucket::of(60), Some(LeadBucket::Days31To60));
        assert_eq!(LeadBucket::of(61), Some(LeadBucket::Days61To90));
        assert_eq!(LeadBucket::of(90), Some(LeadBucket::Days61To90));
        assert_eq!(LeadBucket::of(91), None);
        assert!(accuracy(&[]).is_empty());
    }
}
