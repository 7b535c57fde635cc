//! [`ForecastHistory`] on both backends (migration 0021): forecast runs,
//! their predictions per target day and the actual closing balances, so
//! `cash_flow_forecast` measures its accuracy on stored rows (spec 5.8)
//! and the CFO digest finds the latest forecast's cash gap (spec 7.2).
//! Amounts are exact: decimal text on SQLite, `numeric` on PostgreSQL
//! (bound and read as text, so no float ever sees them).

use std::str::FromStr;

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tools::automations::cash_flow_forecast::{
    ForecastHistory, ForecastHistoryError, ForecastRun, Observation, Prediction, StoredForecast,
};

use super::rows::now;
use super::{PostgresStore, SqliteStore};

/// Companies with a stored run; the same text on both backends.
const FORECAST_COMPANIES: &str =
    "select distinct company_id from forecast_runs order by company_id";

/// One joined row: as_of, target, predicted, low, high, actual.
type ObservationRow = (NaiveDate, NaiveDate, String, String, String, String);

#[async_trait]
impl ForecastHistory for SqliteStore {
    async fn record_forecast(&self, run: &StoredForecast) -> Result<(), ForecastHistoryError> {
        let at = now();
        let gaps = gap_json(run)?;
        let mut tx = self.pool.begin().await.map_err(error)?;
        sqlx::query(
            "insert into forecast_runs (company_id, as_of, horizon_days, threshold, gap_dates, \
             created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?) \
             on conflict (company_id, as_of) do update set horizon_days = excluded.horizon_days, \
             threshold = excluded.threshold, gap_dates = excluded.gap_dates, \
             updated_at = excluded.updated_at",
        )
        .bind(run.company_id)
        .bind(run.as_of)
        .bind(i64::from(run.horizon_days))
        .bind(run.threshold.to_string())
        .bind(gaps.to_string())
        .bind(at)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        for p in &run.predictions {
            sqlx::query(
                "insert into forecast_predictions (company_id, as_of, target_date, predicted, \
                 low, high, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?) \
                 on conflict (company_id, as_of, target_date) do update set \
                 predicted = excluded.predicted, low = excluded.low, high = excluded.high, \
                 updated_at = excluded.updated_at",
            )
            .bind(run.company_id)
            .bind(p.as_of)
            .bind(p.target)
            .bind(p.predicted.to_string())
            .bind(p.low.to_string())
            .bind(p.high.to_string())
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(error)?;
        }
        tx.commit().await.map_err(error)
    }

    async fn record_actual(
        &self,
        company_id: i64,
        date: NaiveDate,
        balance: Decimal,
    ) -> Result<(), ForecastHistoryError> {
        let at = now();
        sqlx::query(
            "insert into bank_balances (company_id, balance_date, balance, created_at, \
             updated_at) values (?, ?, ?, ?, ?) on conflict (company_id, balance_date) do \
             update set balance = excluded.balance, updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(date)
        .bind(balance.to_string())
        .bind(at)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(error)?;
        Ok(())
    }

    async fn observations(
        &self,
        company_id: i64,
        since: NaiveDate,
    ) -> Result<Vec<Observation>, ForecastHistoryError> {
        let rows: Vec<ObservationRow> = sqlx::query_as(
            "select p.as_of, p.target_date, p.predicted, p.low, p.high, a.balance \
             from forecast_predictions p join bank_balances a \
             on a.company_id = p.company_id and a.balance_date = p.target_date \
             where p.company_id = ? and p.as_of >= ? order by p.as_of, p.target_date",
        )
        .bind(company_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        rows.into_iter().map(observation).collect()
    }

    async fn latest_forecast(
        &self,
        company_id: i64,
        date: NaiveDate,
    ) -> Result<Option<ForecastRun>, ForecastHistoryError> {
        let row: Option<(NaiveDate, i64, String, String)> = sqlx::query_as(
            "select as_of, horizon_days, threshold, gap_dates from forecast_runs \
             where company_id = ? and as_of <= ? order by as_of desc limit 1",
        )
        .bind(company_id)
        .bind(date)
        .fetch_optional(&self.pool)
        .await
        .map_err(error)?;
        row.map(|(as_of, horizon, threshold, gaps)| {
            let gaps = serde_json::from_str(&gaps).map_err(error)?;
            run_of(as_of, horizon, &threshold, gaps)
        })
        .transpose()
    }

    async fn forecast_companies(&self) -> Result<Vec<i64>, ForecastHistoryError> {
        sqlx::query_scalar(FORECAST_COMPANIES)
            .fetch_all(&self.pool)
            .await
            .map_err(error)
    }
}

#[async_trait]
impl ForecastHistory for PostgresStore {
    async fn record_forecast(&self, run: &StoredForecast) -> Result<(), ForecastHistoryError> {
        let at = now();
        let mut tx = self.pool.begin().await.map_err(error)?;
        sqlx::query(
            "insert into forecast_runs (company_id, as_of, horizon_days, threshold, gap_dates, \
             created_at, updated_at) values ($1, $2, $3, $4::numeric, $5, $6, $6) \
             on conflict (company_id, as_of) do update set horizon_days = excluded.horizon_days, \
             threshold = excluded.threshold, gap_dates = excluded.gap_dates, \
             updated_at = excluded.updated_at",
        )
        .bind(run.company_id)
        .bind(run.as_of)
        .bind(i32::try_from(run.horizon_days).map_err(error)?)
        .bind(run.threshold.to_string())
        .bind(gap_json(run)?)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        // One statement for the whole horizon.
        let column = |f: fn(&Prediction) -> Decimal| -> Vec<String> {
            run.predictions.iter().map(|p| f(p).to_string()).collect()
        };
        sqlx::query(
            "insert into forecast_predictions (company_id, as_of, target_date, predicted, low, \
             high, created_at, updated_at) \
             select $1, as_of, target, predicted::numeric, low::numeric, high::numeric, $7, $7 \
             from unnest($2::date[], $3::date[], $4::text[], $5::text[], $6::text[]) \
             as t(as_of, target, predicted, low, high) \
             on conflict (company_id, as_of, target_date) do update set \
             predicted = excluded.predicted, low = excluded.low, high = excluded.high, \
             updated_at = excluded.updated_at",
        )
        .bind(run.company_id)
        .bind(run.predictions.iter().map(|p| p.as_of).collect::<Vec<_>>())
        .bind(run.predictions.iter().map(|p| p.target).collect::<Vec<_>>())
        .bind(column(|p| p.predicted))
        .bind(column(|p| p.low))
        .bind(column(|p| p.high))
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(error)?;
        tx.commit().await.map_err(error)
    }

    async fn record_actual(
        &self,
        company_id: i64,
        date: NaiveDate,
        balance: Decimal,
    ) -> Result<(), ForecastHistoryError> {
        let at = now();
        sqlx::query(
            "insert into bank_balances (company_id, balance_date, balance, created_at, \
             updated_at) values ($1, $2, $3::numeric, $4, $4) on conflict (company_id, \
             balance_date) do update set balance = excluded.balance, \
             updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(date)
        .bind(balance.to_string())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(error)?;
        Ok(())
    }

    async fn observations(
        &self,
        company_id: i64,
        since: NaiveDate,
    ) -> Result<Vec<Observation>, ForecastHistoryError> {
        let rows: Vec<ObservationRow> = sqlx::query_as(
            "select p.as_of, p.target_date, p.predicted::text, p.low::text, p.high::text, \
             a.balance::text from forecast_predictions p join bank_balances a \
             on a.company_id = p.company_id and a.balance_date = p.target_date \
             where p.company_id = $1 and p.as_of >= $2 order by p.as_of, p.target_date",
        )
        .bind(company_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(error)?;
        rows.into_iter().map(observation).collect()
    }

    async fn latest_forecast(
        &self,
        company_id: i64,
        date: NaiveDate,
    ) -> Result<Option<ForecastRun>, ForecastHistoryError> {
        let row: Option<(NaiveDate, i32, String, serde_json::Value)> = sqlx::query_as(
            "select as_of, horizon_days, threshold::text, gap_dates from forecast_runs \
             where company_id = $1 and as_of <= $2 order by as_of desc limit 1",
        )
        .bind(company_id)
        .bind(date)
        .fetch_optional(&self.pool)
        .await
        .map_err(error)?;
        row.map(|(as_of, horizon, threshold, gaps)| {
            let gaps = serde_json::from_value(gaps).map_err(error)?;
            run_of(as_of, i64::from(horizon), &threshold, gaps)
        })
        .transpose()
    }

    async fn forecast_companies(&self) -> Result<Vec<i64>, ForecastHistoryError> {
        sqlx::query_scalar(FORECAST_COMPANIES)
            .fetch_all(&self.pool)
            .await
            .map_err(error)
    }
}

fn gap_json(run: &StoredForecast) -> Result<serde_json::Value, ForecastHistoryError> {
    serde_json::to_value(&run.gap_dates).map_err(error)
}

fn run_of(
    as_of: NaiveDate,
    horizon: i64,
    threshold: &str,
    gap_dates: Vec<NaiveDate>,
) -> Result<ForecastRun, ForecastHistoryError> {
    Ok(ForecastRun {
        as_of,
        horizon_days: u32::try_from(horizon).map_err(error)?,
        threshold: decimal(threshold, "threshold", as_of)?,
        gap_dates,
    })
}

fn observation(row: ObservationRow) -> Result<Observation, ForecastHistoryError> {
    let (as_of, target, predicted, low, high, actual) = row;
    Ok(Observation {
        prediction: Prediction {
            as_of,
            target,
            predicted: decimal(&predicted, "predicted", as_of)?,
            low: decimal(&low, "low", as_of)?,
            high: decimal(&high, "high", as_of)?,
        },
        actual: decimal(&actual, "balance", target)?,
    })
}

fn decimal(text: &str, column: &str, day: NaiveDate) -> Result<Decimal, ForecastHistoryError> {
    Decimal::from_str(text)
        .map_err(|_| ForecastHistoryError(format!("{column} of {day} is not a decimal: {text:?}")))
}

fn error(err: impl std::fmt::Display) -> ForecastHistoryError {
    ForecastHistoryError(err.to_string())
}
