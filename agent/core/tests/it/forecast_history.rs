//! The `ForecastHistory` contract on every store (spec 5.8): a run's
//! predictions are stored once per (company, as_of, target) and a rerun
//! replaces them; actual balances replace theirs; observations join the
//! two exactly; the latest run is the digest's source of the cash gap; and
//! the accuracy computed from stored rows equals the hand-computed values.

#![allow(clippy::unwrap_used, clippy::panic)]

use chrono::{Days, NaiveDate};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use tools::automations::cash_flow_forecast::{
    BucketAccuracy, ForecastHistory, ForecastRun, LeadBucket, Prediction, StoredForecast, accuracy,
};

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    a_rerun_replaces_its_predictions_and_values_stay_exact,
    observations_join_predictions_with_actual_balances_of_the_company,
    the_latest_forecast_is_the_last_run_on_or_before_the_day,
    accuracy_from_stored_rows_matches_the_hand_computed_metrics,
);

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Days::new(n)
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A run on `as_of` predicting `balance` ± `spread` for each of `days`.
fn run(company: i64, as_of: u64, days: u64, balance: &str, spread: &str) -> StoredForecast {
    StoredForecast {
        company_id: company,
        as_of: day(as_of),
        horizon_days: u32::try_from(days).unwrap(),
        threshold: dec("0"),
        gap_dates: Vec::new(),
        predictions: (1..=days)
            .map(|t| Prediction {
                as_of: day(as_of),
                target: day(as_of + t),
                predicted: dec(balance),
                low: dec(balance) - dec(spread),
                high: dec(balance) + dec(spread),
            })
            .collect(),
    }
}

async fn a_rerun_replaces_its_predictions_and_values_stay_exact(stores: Stores) {
    let history = stores.fresh::<dyn ForecastHistory>().await;
    history
        .record_forecast(&run(1, 0, 10, "100.10", "1"))
        .await
        .unwrap();
    // The rerun of the same day: other figures, a shorter horizon.
    history
        .record_forecast(&run(1, 0, 5, "1234567.8912", "0.0001"))
        .await
        .unwrap();
    for target in 1..=10 {
        history
            .record_actual(1, day(target), dec("99.5"))
            .await
            .unwrap();
    }
    history
        .record_actual(1, day(3), dec("-0.01"))
        .await
        .unwrap();
    let observations = history.observations(1, day(0)).await.unwrap();
    assert_eq!(observations.len(), 10, "one per (company, as_of, target)");
    let third = &observations[2];
    assert_eq!(third.prediction.target, day(3));
    assert_eq!(third.prediction.predicted, dec("1234567.8912"));
    assert_eq!(third.prediction.low, dec("1234567.8911"));
    assert_eq!(third.actual, dec("-0.01"), "an actual is replaced");
    // Targets the rerun no longer covers keep the first run's prediction.
    assert_eq!(observations[7].prediction.predicted, dec("100.10"));
}

async fn observations_join_predictions_with_actual_balances_of_the_company(stores: Stores) {
    let history = stores.fresh::<dyn ForecastHistory>().await;
    assert!(history.forecast_companies().await.unwrap().is_empty());
    history
        .record_forecast(&run(1, 0, 3, "10", "1"))
        .await
        .unwrap();
    history
        .record_forecast(&run(1, 1, 3, "20", "1"))
        .await
        .unwrap();
    history
        .record_forecast(&run(2, 0, 3, "30", "1"))
        .await
        .unwrap();
    history.record_actual(1, day(2), dec("11")).await.unwrap();
    history.record_actual(2, day(3), dec("31")).await.unwrap();
    // A balance alone does not make a forecast company.
    history.record_actual(5, day(3), dec("1")).await.unwrap();
    assert_eq!(history.forecast_companies().await.unwrap(), [1, 2]);
    // An actual without a prediction, and one of a day nothing targets.
    history.record_actual(1, day(9), dec("0")).await.unwrap();
    let found: Vec<(NaiveDate, NaiveDate, Decimal, Decimal)> = history
        .observations(1, day(0))
        .await
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                o.prediction.as_of,
                o.prediction.target,
                o.prediction.predicted,
                o.actual,
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (day(0), day(2), dec("10"), dec("11")),
            (day(1), day(2), dec("20"), dec("11")),
        ]
    );
    let recent = history.observations(1, day(1)).await.unwrap();
    assert_eq!(recent.len(), 1, "runs before `since` are left out");
    let other = history.observations(2, day(0)).await.unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].actual, dec("31"));
    assert!(history.observations(3, day(0)).await.unwrap().is_empty());
}

async fn the_latest_forecast_is_the_last_run_on_or_before_the_day(stores: Stores) {
    let history = stores.fresh::<dyn ForecastHistory>().await;
    assert_eq!(history.latest_forecast(1, day(5)).await.unwrap(), None);
    let mut first = run(1, 2, 30, "5", "1");
    first.threshold = dec("1000.50");
    first.gap_dates = vec![day(4), day(5), day(9)];
    history.record_forecast(&first).await.unwrap();
    let mut later = run(1, 7, 30, "5", "1");
    later.gap_dates = vec![day(20)];
    history.record_forecast(&later).await.unwrap();
    history
        .record_forecast(&run(2, 6, 30, "5", "1"))
        .await
        .unwrap();
    assert_eq!(
        history.latest_forecast(1, day(6)).await.unwrap(),
        Some(ForecastRun {
            as_of: day(2),
            horizon_days: 30,
            threshold: dec("1000.50"),
            gap_dates: vec![day(4), day(5), day(9)],
        })
    );
    let latest = history.latest_forecast(1, day(30)).await.unwrap().unwrap();
    assert_eq!((latest.as_of, latest.gap_dates), (day(7), vec![day(20)]));
    assert_eq!(history.latest_forecast(1, day(1)).await.unwrap(), None);
}

async fn accuracy_from_stored_rows_matches_the_hand_computed_metrics(stores: Stores) {
    let history = stores.fresh::<dyn ForecastHistory>().await;
    // Predicted 1,000 ± 100 every day for 90 days from day 0.
    history
        .record_forecast(&run(1, 0, 90, "1000", "100"))
        .await
        .unwrap();
    for (target, actual) in [
        (1, "1000"),  // lead 1: error 0, inside
        (30, "800"),  // lead 30: error 200 (25 %), outside
        (31, "0"),    // lead 31: error 1,000, no MAPE, outside
        (60, "1050"), // lead 60: error 50 (50/1050 %), inside
        (90, "2000"), // lead 90: error 1,000 (50 %), outside
    ] {
        history
            .record_actual(1, day(target), dec(actual))
            .await
            .unwrap();
    }
    let metrics = accuracy(&history.observations(1, day(0)).await.unwrap());
    let mape_31_60 = dec("50") / dec("1050") * Decimal::ONE_HUNDRED;
    assert_eq!(
        metrics,
        [
            BucketAccuracy {
                bucket: LeadBucket::Days1To30,
                observations: 2,
                mae: dec("100"),
                mape: Some(dec("12.5")),
                coverage: dec("0.5"),
            },
            BucketAccuracy {
                bucket: LeadBucket::Days31To60,
                observations: 2,
                mae: dec("525"),
                mape: Some(mape_31_60),
                coverage: dec("0.5"),
            },
            BucketAccuracy {
                bucket: LeadBucket::Days61To90,
                observations: 1,
                mae: dec("1000"),
                mape: Some(dec("50")),
                coverage: dec("0"),
            },
        ]
    );
}
