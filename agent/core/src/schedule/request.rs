//! A saved report as a client asks for it (spec 6.6), checked before it is
//! stored: every mistake is found now, not at 7 in the morning.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;
use tools::{Identity, ToolError, ToolRegistry};

use super::cron::CronError;
use super::job::{Job, Schedule, Target};
use super::outbound::ODOO_DISCUSS;

/// The channels scheduled results can be delivered to.
pub const DELIVERY_CHANNELS: &[&str] = &[ODOO_DISCUSS];

/// Longest schedule name accepted.
const MAX_NAME_CHARS: usize = 200;

/// `POST /api/schedules`: a saved `nl_report` run on a cron schedule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    pub name: String,
    /// The `nl_report` arguments, run as saved.
    pub arguments: Value,
    /// 5-field cron expression, read in `timezone`.
    pub cron: String,
    /// IANA time zone name.
    pub timezone: String,
    pub target: Target,
    /// Where failures are reported; the delivery target when absent.
    #[serde(default)]
    pub owner_target: Option<Target>,
}

/// Why a saved report was refused; each message names the field.
#[derive(Debug, Error, PartialEq)]
pub enum ScheduleRequestError {
    #[error("name: must be 1 to {MAX_NAME_CHARS} characters")]
    Name,
    #[error("timezone: `{0}` is not an IANA time zone such as Europe/Amsterdam")]
    Timezone(String),
    #[error("cron: {0}")]
    Cron(#[from] CronError),
    #[error(
        "{field}.channel: `{channel}` cannot receive scheduled results; supported: {supported}"
    )]
    Channel {
        field: &'static str,
        channel: String,
        supported: String,
    },
    #[error("{field}.recipient: {reason}")]
    Recipient {
        field: &'static str,
        reason: &'static str,
    },
    #[error("arguments: {0}")]
    Arguments(String),
    #[error("nl_report is not available on this server, so reports cannot be scheduled")]
    ReportsUnavailable,
    #[error("{0}")]
    NotPermitted(String),
}

impl ReportRequest {
    /// The schedule to store, owned by `owner`, first due after `now`.
    pub fn into_schedule(
        self,
        owner: &Identity,
        tools: &ToolRegistry,
        now: DateTime<Utc>,
    ) -> Result<Schedule, ScheduleRequestError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ScheduleRequestError::Name);
        }
        let zone: Tz = self
            .timezone
            .parse()
            .map_err(|_| ScheduleRequestError::Timezone(self.timezone.clone()))?;
        check_target("target", &self.target)?;
        if let Some(target) = &self.owner_target {
            check_target("owner_target", target)?;
        }
        let job = Job::Report {
            arguments: self.arguments,
        };
        let checked = tools
            .check_permitted(owner, job.tool())
            .and_then(|()| tools.check_arguments(job.tool(), &job.arguments(now.date_naive())));
        match checked {
            Ok(()) => {}
            Err(err @ ToolError::NotPermitted { .. }) => {
                return Err(ScheduleRequestError::NotPermitted(err.to_string()));
            }
            Err(ToolError::UnknownTool(_)) => return Err(ScheduleRequestError::ReportsUnavailable),
            Err(ToolError::InvalidArgs { message, .. }) => {
                return Err(ScheduleRequestError::Arguments(message));
            }
            Err(other) => return Err(ScheduleRequestError::Arguments(other.to_string())),
        }
        let mut schedule = Schedule::new(
            name,
            job,
            &self.cron,
            zone,
            self.target,
            owner.id.clone(),
            now,
        )?;
        schedule.owner_target = self.owner_target;
        Ok(schedule)
    }
}

fn check_target(field: &'static str, target: &Target) -> Result<(), ScheduleRequestError> {
    if !DELIVERY_CHANNELS.contains(&target.channel.as_str()) {
        return Err(ScheduleRequestError::Channel {
            field,
            channel: target.channel.clone(),
            supported: DELIVERY_CHANNELS.join(", "),
        });
    }
    let recipient = target.recipient.trim();
    if recipient.is_empty() {
        return Err(ScheduleRequestError::Recipient {
            field,
            reason: "must not be empty",
        });
    }
    if target.channel == ODOO_DISCUSS && !recipient.parse::<u64>().is_ok_and(|id| id > 0) {
        return Err(ScheduleRequestError::Recipient {
            field,
            reason: "expected the numeric id of a discuss.channel",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tools::IdentityId;
    use tools::stub_report::StubReport;

    #[test]
    fn a_report_is_saved_only_for_someone_who_may_run_it() {
        let tools = ToolRegistry::builder()
            .register(StubReport)
            .build()
            .unwrap_or_else(|err| panic!("{err}"));
        let request = ReportRequest {
            name: "Weekly sales".to_owned(),
            arguments: serde_json::json!({"question": "sales by customer"}),
            cron: "0 8 * * 1".to_owned(),
            timezone: "Europe/Amsterdam".to_owned(),
            target: Target {
                channel: ODOO_DISCUSS.to_owned(),
                recipient: "3".to_owned(),
            },
            owner_target: None,
        };
        let guest = Identity {
            id: IdentityId("guest".to_owned()),
            display_name: "Guest".to_owned(),
            roles: Vec::new(),
        };
        let refused = request.clone().into_schedule(&guest, &tools, Utc::now());
        assert!(
            matches!(&refused, Err(ScheduleRequestError::NotPermitted(m)) if m.contains("nl_report")),
            "{refused:?}"
        );
        let saved = request.into_schedule(&Identity::local_operator(), &tools, Utc::now());
        assert_eq!(saved.map(|s| s.owner), Ok(Identity::local_operator().id));
    }
}
