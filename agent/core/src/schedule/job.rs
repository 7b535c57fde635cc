//! What a schedule runs and where the result goes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tools::IdentityId;
use uuid::Uuid;

use super::cron::{CronError, CronSchedule};

/// The tool run a schedule makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// `daily_digest` for one role (spec 7.6).
    Digest {
        /// `cfo`, `sales_manager` or `warehouse_manager`.
        role: String,
        company_id: Option<i64>,
    },
    /// A saved `nl_report` (spec 6.6): its arguments as saved.
    Report { arguments: Value },
    /// Built in: stores the bank balance that closed the previous local
    /// day as the actual the forecasts are measured against (spec 5.8).
    /// Runs no registry tool and delivers nothing.
    BankBalance { company_id: Option<i64> },
}

impl Job {
    /// The tool the job runs; for a bank balance, the forecast whose
    /// history it feeds.
    pub fn tool(&self) -> &'static str {
        match self {
            Self::Digest { .. } => "daily_digest",
            Self::Report { .. } => "nl_report",
            Self::BankBalance { .. } => "cash_flow_forecast",
        }
    }

    /// The arguments of the run due at `local_date`.
    pub fn arguments(&self, local_date: chrono::NaiveDate) -> Value {
        match self {
            Self::Digest { role, company_id } => {
                let mut args = json!({"role": role, "date": local_date.to_string()});
                if let Some(company) = company_id {
                    args["company_id"] = json!(company);
                }
                args
            }
            Self::Report { arguments } => arguments.clone(),
            Self::BankBalance { company_id } => {
                json!({"company_id": company_id, "date": balance_day(local_date).to_string()})
            }
        }
    }
}

/// The day a bank balance run records: the one that ended before the run's
/// local date.
pub fn balance_day(local_date: chrono::NaiveDate) -> chrono::NaiveDate {
    local_date.pred_opt().unwrap_or(local_date)
}

/// Where a result is delivered: a channel (`odoo_discuss`, `slack`,
/// `telegram`, `whatsapp`, `email`) and the recipient there (a channel id,
/// a chat id, a phone number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub channel: String,
    pub recipient: String,
}

/// A saved schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: Uuid,
    pub name: String,
    pub job: Job,
    /// 5-field cron expression, read in `timezone`.
    pub cron: String,
    pub timezone: Tz,
    pub target: Target,
    /// Who the job runs as (their Odoo rights), and who hears of failures.
    pub owner: IdentityId,
    /// Where failures are reported; the delivery target when unset.
    pub owner_target: Option<Target>,
    pub enabled: bool,
    /// The next time the job is due, computed from the cron expression.
    pub next_run: DateTime<Utc>,
}

impl Schedule {
    /// A new, enabled schedule whose first run is the first firing after
    /// `now`. The expression is checked here, so a stored schedule always
    /// has a usable one.
    pub fn new(
        name: &str,
        job: Job,
        cron: &str,
        timezone: Tz,
        target: Target,
        owner: IdentityId,
        now: DateTime<Utc>,
    ) -> Result<Self, CronError> {
        let next_run = CronSchedule::parse(cron, timezone)?.next_after(now)?;
        Ok(Self {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            job,
            cron: cron.to_owned(),
            timezone,
            target,
            owner,
            owner_target: None,
            enabled: true,
            next_run,
        })
    }

    pub fn cron_schedule(&self) -> Result<CronSchedule, CronError> {
        CronSchedule::parse(&self.cron, self.timezone)
    }

    /// The key under which the run due at `due` is delivered at most once.
    /// A digest is keyed by (company, role, local date, channel, recipient)
    /// as spec 7.6 says, so two schedules for the same role and recipient
    /// still send one digest a day; a report by its schedule and due time.
    pub fn delivery_key(&self, due: DateTime<Utc>) -> String {
        let target = format!("{}/{}", self.target.channel, self.target.recipient);
        match &self.job {
            Job::Digest { role, company_id } => {
                let company = company_id.map_or_else(|| "default".to_owned(), |c| c.to_string());
                let date = due.with_timezone(&self.timezone).date_naive();
                format!("digest/{company}/{role}/{date}/{target}")
            }
            Job::Report { .. } => format!("report/{}/{}/{target}", self.id, due.to_rfc3339()),
            // One balance per company and day, whichever replica runs it.
            Job::BankBalance { company_id } => {
                let company = company_id.map_or_else(|| "default".to_owned(), |c| c.to_string());
                let date = balance_day(due.with_timezone(&self.timezone).date_naive());
                format!("bank_balance/{company}/{date}")
            }
        }
    }
}
