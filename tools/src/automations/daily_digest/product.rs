//! The CFO figures kept in the product database rather than Odoo (spec
//! 7.2): proposals awaiting approval, the latest stored forecast's first
//! cash gap, the closing status of this and last month, and the events of
//! the last 24 hours. Each source is optional; one that fails leaves its
//! figure out with a warning, and the digest is still delivered.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use url::Url;

use super::approvals::PendingApprovals;
use super::closes::CloseStatuses;
use super::compute::{CfoFigures, period_of, previous_period};
use super::output::{Anomaly, CashForecast, Link};
use crate::automations::Warning;
use crate::automations::cash_flow_forecast::ForecastHistory;
use crate::automations::events::ProductEvents;

/// At most this many anomalies are listed (spec 7.2).
pub(crate) const MAX_ANOMALIES: u32 = 10;

/// Where the product-database figures come from.
#[derive(Clone, Default)]
pub(crate) struct Sources {
    pub approvals: Option<Arc<dyn PendingApprovals>>,
    pub forecasts: Option<Arc<dyn ForecastHistory>>,
    pub closes: Option<Arc<dyn CloseStatuses>>,
    pub events: Option<Arc<dyn ProductEvents>>,
}

/// The moment and day one digest is for.
pub(crate) struct Moment {
    pub company_id: i64,
    /// Odoo's address, for links to the records of waiting proposals.
    pub base: Url,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
    /// The end of the digest's day in UTC: a digest of an earlier day lists
    /// the events of its own last 24 hours.
    pub day_end: DateTime<Utc>,
}

impl Sources {
    /// Adds approvals, the forecast gap and the closing status to `cfo`.
    pub(crate) async fn add_to(
        &self,
        cfo: &mut CfoFigures,
        at: &Moment,
        warnings: &mut Vec<Warning>,
    ) {
        if let Some(source) = &self.approvals {
            match source.pending_approvals(at.company_id, at.now).await {
                Ok(pending) => {
                    let hours = pending
                        .oldest_created_at
                        .map_or(0, |created| (at.now - created).num_hours().max(0));
                    cfo.pending_approvals = Some((pending.count, hours));
                    cfo.approval_targets = pending
                        .targets
                        .iter()
                        .map(|(model, id)| Link::new(&at.base, model, *id))
                        .collect();
                }
                Err(err) => {
                    warnings.push(left_out("APPROVALS_UNAVAILABLE", &err, "pending approvals"))
                }
            }
        }
        if let Some(source) = &self.forecasts {
            match source.latest_forecast(at.company_id, at.day).await {
                Ok(run) => {
                    cfo.cash_forecast = run.map(|run| CashForecast {
                        forecast_as_of: run.as_of,
                        threshold: run.threshold,
                        first_gap_date: run.gap_dates.iter().copied().find(|d| *d >= at.day),
                    });
                }
                Err(err) => warnings.push(left_out(
                    "FORECAST_UNAVAILABLE",
                    &err,
                    "the forecast's cash gap",
                )),
            }
        }
        if let Some(source) = &self.closes {
            for period in [previous_period(at.day), period_of(at.day)] {
                match source.close_status(at.company_id, &period).await {
                    Ok(Some(status)) => cfo.close_status.push(status),
                    Ok(None) => {}
                    Err(err) => {
                        warnings.push(left_out("CLOSINGS_UNAVAILABLE", &err, "the closing status"));
                        break;
                    }
                }
            }
        }
    }

    /// The company's events of the 24 hours before the digest, newest
    /// first, at most [`MAX_ANOMALIES`].
    pub(crate) async fn anomalies(&self, at: &Moment, warnings: &mut Vec<Warning>) -> Vec<Anomaly> {
        let Some(source) = &self.events else {
            return Vec::new();
        };
        let to = at.now.min(at.day_end);
        let from = to - Duration::hours(24);
        match source
            .events_between(at.company_id, from, to, MAX_ANOMALIES)
            .await
        {
            Ok(events) => events
                .into_iter()
                .map(|e| Anomaly {
                    severity: e.severity.as_str().to_owned(),
                    description: e.description,
                    source: e.source,
                })
                .collect(),
            Err(err) => {
                warnings.push(left_out("EVENTS_UNAVAILABLE", &err, "anomalies"));
                Vec::new()
            }
        }
    }
}

fn left_out(code: &str, err: &dyn std::fmt::Display, what: &str) -> Warning {
    tracing::warn!(error = %err, code, "digest source unavailable");
    Warning::new(code, format!("{err}; {what} left out"))
}
