//! [`Closings`]: read a closing, record a scan, change a step, reopen; each
//! change is load, apply the rules, save if nobody saved in between.

use chrono::{SubsecRound, Utc};

use super::rules::{self, Scan};
use super::store::ClosingStore;
use super::types::{Closing, ClosingError, StepChange};

/// Saves tried before a change gives up on a closing others keep changing.
const ATTEMPTS: usize = 5;

/// The closings of one store.
#[derive(Clone, Copy)]
pub struct Closings<'a> {
    store: &'a dyn ClosingStore,
}

impl<'a> Closings<'a> {
    pub fn new(store: &'a dyn ClosingStore) -> Self {
        Self { store }
    }

    /// The closing of `company_id` for `period`.
    pub async fn get(&self, company_id: i64, period: &str) -> Result<Closing, ClosingError> {
        self.store
            .closing(company_id, period)
            .await?
            .ok_or_else(|| ClosingError::NotFound {
                company_id,
                period: period.to_owned(),
            })
    }

    /// Starts the closing with `scan`, or refreshes an open one (what people
    /// set stays). A completed closing is returned unchanged with `false`.
    pub async fn record_scan(&self, scan: &Scan<'_>) -> Result<(Closing, bool), ClosingError> {
        let company_id = scan.company.id;
        let period = scan.data.period.as_str();
        for _ in 0..ATTEMPTS {
            let now = Utc::now().trunc_subsecs(6);
            let existing = self.store.closing(company_id, period).await?;
            let expected = existing.as_ref().map(|c| c.version);
            let (mut closing, refreshed) = match existing {
                None => (rules::start(scan, now), true),
                Some(mut closing) => {
                    let refreshed = rules::refresh(&mut closing, scan, now);
                    (closing, refreshed)
                }
            };
            if !refreshed {
                return Ok((closing, false));
            }
            if self.store.save_closing(&closing, expected).await? {
                closing.version = expected.map_or(1, |v| v + 1);
                return Ok((closing, true));
            }
        }
        Err(contended(company_id, period))
    }

    /// Sets one step's status as a person asks (spec 1.5 rules).
    pub async fn change_step(
        &self,
        company_id: i64,
        period: &str,
        change: &StepChange,
    ) -> Result<Closing, ClosingError> {
        self.update(company_id, period, |closing, now| {
            rules::change_step(closing, change, now)
        })
        .await
    }

    /// Reopens a completed closing; an open one is returned as it is.
    pub async fn reopen(
        &self,
        company_id: i64,
        period: &str,
        by: &str,
    ) -> Result<Closing, ClosingError> {
        self.update(company_id, period, |closing, now| {
            rules::reopen(closing, by, now);
            Ok(())
        })
        .await
    }

    async fn update(
        &self,
        company_id: i64,
        period: &str,
        apply: impl Fn(&mut Closing, chrono::DateTime<Utc>) -> Result<(), ClosingError>,
    ) -> Result<Closing, ClosingError> {
        for _ in 0..ATTEMPTS {
            let now = Utc::now().trunc_subsecs(6);
            let mut closing = self.get(company_id, period).await?;
            let expected = closing.version;
            apply(&mut closing, now)?;
            if self.store.save_closing(&closing, Some(expected)).await? {
                closing.version = expected + 1;
                return Ok(closing);
            }
        }
        Err(contended(company_id, period))
    }
}

fn contended(company_id: i64, period: &str) -> ClosingError {
    ClosingError::Contended {
        company_id,
        period: period.to_owned(),
    }
}
