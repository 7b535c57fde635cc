//! The built-in daily job behind forecast accuracy (spec 5.8): shortly
//! after local midnight it stores the bank balance that closed the day
//! before, for the local operator's current company and every company
//! with a stored forecast. It is a schedule like the digests (claimed once
//! across replicas, keyed once per day, its runs on record) but runs no
//! registry tool and delivers nothing.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tools::Identity;
use tools::automations::cash_flow_forecast::CashFlowForecast;
use uuid::Uuid;

use super::cron::CronError;
use super::job::{Job, Schedule, Target};

/// 00:30 local: the day before has ended, and most of its bank lines are
/// booked.
pub const BANK_BALANCE_CRON: &str = "30 0 * * *";

/// The target of a job that delivers nothing.
pub const NO_DELIVERY: &str = "none";

/// Stores a day's closing bank balance.
#[async_trait]
pub trait RecordBalance: Send + Sync {
    /// Reads and stores the balance that closed `date` for `company_id`
    /// (the identity's current company when `None`); says what it stored.
    async fn record_balance(
        &self,
        identity: &Identity,
        company_id: Option<i64>,
        date: NaiveDate,
    ) -> Result<String, String>;
}

#[async_trait]
impl RecordBalance for CashFlowForecast {
    /// With a company: that company's balance. Without: the user's current
    /// company and every company with a stored forecast; the run fails
    /// (naming each company that failed) if any of them did, after
    /// recording all the others.
    async fn record_balance(
        &self,
        identity: &Identity,
        company_id: Option<i64>,
        date: NaiveDate,
    ) -> Result<String, String> {
        let results = match company_id {
            Some(company) => vec![(
                Some(company),
                self.record_actual(identity, Some(company), date).await,
            )],
            None => self.record_all_actuals(identity, date).await,
        };
        let mut recorded = Vec::new();
        let mut failed = Vec::new();
        for (index, (asked, result)) in results.into_iter().enumerate() {
            match result {
                Ok(r) => recorded.push(format!(
                    "company {} closed {} at {}",
                    r.company_id, r.date, r.balance
                )),
                Err(err) => failed.push(match asked {
                    Some(company) => format!("company {company}: {err}"),
                    // The first result is the user's current company.
                    None if index == 0 => format!("current company: {err}"),
                    None => err.to_string(),
                }),
            }
        }
        if failed.is_empty() {
            Ok(recorded.join("; "))
        } else {
            recorded.extend(failed.iter().map(|f| format!("failed {f}")));
            Err(recorded.join("; "))
        }
    }
}

/// The built-in schedules: the daily bank balances (the operator's company
/// and every company with a stored forecast),
/// run as the local operator in the company's zone, with a fixed id so a
/// restart finds the same schedule.
pub fn builtin_schedules(zone: Tz, now: DateTime<Utc>) -> Result<Vec<Schedule>, CronError> {
    let mut schedule = Schedule::new(
        "Closing bank balance (forecast accuracy)",
        Job::BankBalance { company_id: None },
        BANK_BALANCE_CRON,
        zone,
        Target {
            channel: NO_DELIVERY.to_owned(),
            recipient: NO_DELIVERY.to_owned(),
        },
        Identity::local_operator().id,
        now,
    )?;
    schedule.id = Uuid::new_v5(&Uuid::NAMESPACE_OID, b"builtin/bank_balance/default");
    Ok(vec![schedule])
}
