//! Where forecasts and actual balances are kept (spec 5.8): each run's
//! predicted balance per target day, the closing bank balance a daily job
//! records, and from the two the observations accuracy is measured on.
//! The tool stores and reads through [`ForecastHistory`]; the agent keeps
//! them in its database, [`MemoryForecastHistory`] in memory.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::accuracy::{Observation, Prediction};

/// One forecast run to keep: the base projection over all bank and cash
/// journals, one prediction per day of the horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredForecast {
    pub company_id: i64,
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    /// The run's threshold: a balance below it is a cash gap.
    pub threshold: Decimal,
    /// Every day below the threshold, in date order.
    pub gap_dates: Vec<NaiveDate>,
    pub predictions: Vec<Prediction>,
}

/// The latest stored run of a company, as the daily digest reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForecastRun {
    pub as_of: NaiveDate,
    pub horizon_days: u32,
    pub threshold: Decimal,
    pub gap_dates: Vec<NaiveDate>,
}

/// Why forecasts could not be read or stored; the forecast itself is still
/// answered, with a warning.
#[derive(Debug, thiserror::Error)]
#[error("forecast history unavailable: {0}")]
pub struct ForecastHistoryError(pub String);

/// Forecast runs and actual closing balances.
#[async_trait]
pub trait ForecastHistory: Send + Sync {
    /// Stores a run: its predictions replace those stored for the same
    /// (company, as_of, target), so a rerun of a day stores it once; targets
    /// a rerun no longer covers keep their earlier prediction.
    async fn record_forecast(&self, run: &StoredForecast) -> Result<(), ForecastHistoryError>;

    /// Stores the balance that closed `date`, replacing one stored before.
    async fn record_actual(
        &self,
        company_id: i64,
        date: NaiveDate,
        balance: Decimal,
    ) -> Result<(), ForecastHistoryError>;

    /// Every stored prediction of the company made on or after `since`
    /// whose target day has an actual balance, by as_of then target.
    async fn observations(
        &self,
        company_id: i64,
        since: NaiveDate,
    ) -> Result<Vec<Observation>, ForecastHistoryError>;

    /// The run with the latest as_of on or before `date`.
    async fn latest_forecast(
        &self,
        company_id: i64,
        date: NaiveDate,
    ) -> Result<Option<ForecastRun>, ForecastHistoryError>;

    /// Every company with a stored run, ascending: the daily job records
    /// their closing balances so each forecast can be measured.
    async fn forecast_companies(&self) -> Result<Vec<i64>, ForecastHistoryError>;
}

#[derive(Debug, Default)]
struct Memory {
    runs: BTreeMap<(i64, NaiveDate), ForecastRun>,
    predictions: BTreeMap<(i64, NaiveDate, NaiveDate), Prediction>,
    actuals: BTreeMap<(i64, NaiveDate), Decimal>,
}

/// Forecasts in memory: tests and a tool without a product database.
#[derive(Debug, Default)]
pub struct MemoryForecastHistory {
    inner: Mutex<Memory>,
}

impl MemoryForecastHistory {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ForecastHistory for MemoryForecastHistory {
    async fn record_forecast(&self, run: &StoredForecast) -> Result<(), ForecastHistoryError> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.runs.insert(
            (run.company_id, run.as_of),
            ForecastRun {
                as_of: run.as_of,
                horizon_days: run.horizon_days,
                threshold: run.threshold,
                gap_dates: run.gap_dates.clone(),
            },
        );
        for prediction in &run.predictions {
            inner.predictions.insert(
                (run.company_id, prediction.as_of, prediction.target),
                prediction.clone(),
            );
        }
        Ok(())
    }

    async fn record_actual(
        &self,
        company_id: i64,
        date: NaiveDate,
        balance: Decimal,
    ) -> Result<(), ForecastHistoryError> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.actuals.insert((company_id, date), balance);
        Ok(())
    }

    async fn observations(
        &self,
        company_id: i64,
        since: NaiveDate,
    ) -> Result<Vec<Observation>, ForecastHistoryError> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(inner
            .predictions
            .range(
                (company_id, since, NaiveDate::MIN)..=(company_id, NaiveDate::MAX, NaiveDate::MAX),
            )
            .filter_map(|((_, _, target), prediction)| {
                inner
                    .actuals
                    .get(&(company_id, *target))
                    .map(|actual| Observation {
                        prediction: prediction.clone(),
                        actual: *actual,
                    })
            })
            .collect())
    }

    async fn latest_forecast(
        &self,
        company_id: i64,
        date: NaiveDate,
    ) -> Result<Option<ForecastRun>, ForecastHistoryError> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(inner
            .runs
            .range((company_id, NaiveDate::MIN)..=(company_id, date))
            .next_back()
            .map(|(_, run)| run.clone()))
    }

    async fn forecast_companies(&self) -> Result<Vec<i64>, ForecastHistoryError> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut companies: Vec<i64> = inner.runs.keys().map(|(company, _)| *company).collect();
        companies.dedup();
        Ok(companies)
    }
}
