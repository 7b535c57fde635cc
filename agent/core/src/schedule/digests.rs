//! Daily digest delivery as configured (spec 7.6): per role an enabled flag,
//! a time of day, a time zone and targets, turned into [`Schedule`]s.
//!
//! ```toml
//! [cfo]
//! time = "07:00"                     # default per role
//! timezone = "Europe/Amsterdam"      # default: the company's
//! owner = "local"                    # whose Odoo rights the digest uses
//! targets = [{ channel = "odoo_discuss", recipient = "3" }]
//!
//! [warehouse_manager]
//! enabled = false
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use thiserror::Error;
use tools::IdentityId;
use uuid::Uuid;

use super::cron::CronError;
use super::job::{Job, Schedule, Target};
use super::store::{ScheduleStore, StoreError};

/// The roles a digest exists for, with their default time of day.
const ROLES: [(&str, &str); 3] = [
    ("cfo", "07:00"),
    ("sales_manager", "07:30"),
    ("warehouse_manager", "06:30"),
];

/// One role's delivery settings as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDelivery {
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// `HH:MM`, local time.
    pub time: Option<String>,
    /// IANA name; the company's zone when absent.
    pub timezone: Option<String>,
    #[serde(default = "local_owner")]
    pub owner: String,
    #[serde(default)]
    pub targets: Vec<Target>,
}

fn enabled_by_default() -> bool {
    true
}

fn local_owner() -> String {
    "local".to_owned()
}

/// The digest delivery file: one table per role.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct DigestDelivery {
    pub roles: BTreeMap<String, RoleDelivery>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DigestConfigError {
    #[error("not a digest delivery file: {0}")]
    Syntax(String),
    #[error("unknown digest role `{0}`; the roles are cfo, sales_manager and warehouse_manager")]
    UnknownRole(String),
    #[error("{role}: time `{time}` is not HH:MM (24-hour local time, e.g. 07:00)")]
    BadTime { role: String, time: String },
    #[error("{role}: `{zone}` is not an IANA time zone such as Europe/Amsterdam")]
    BadZone { role: String, zone: String },
    #[error(transparent)]
    Cron(#[from] CronError),
}

impl DigestDelivery {
    pub fn parse(text: &str) -> Result<Self, DigestConfigError> {
        toml::from_str(text).map_err(|err| DigestConfigError::Syntax(err.message().to_owned()))
    }

    /// One schedule per (enabled role, target), each with an id derived from
    /// role and target, so that loading the same file again finds the same
    /// schedules instead of adding new ones.
    pub fn schedules(
        &self,
        company_zone: Tz,
        now: DateTime<Utc>,
    ) -> Result<Vec<Schedule>, DigestConfigError> {
        let mut schedules = Vec::new();
        for (role, delivery) in &self.roles {
            let default_time = ROLES
                .iter()
                .find(|(name, _)| name == role)
                .map(|(_, time)| *time)
                .ok_or_else(|| DigestConfigError::UnknownRole(role.clone()))?;
            let time_text = delivery.time.as_deref().unwrap_or(default_time);
            let time = NaiveTime::parse_from_str(time_text, "%H:%M").map_err(|_| {
                DigestConfigError::BadTime {
                    role: role.clone(),
                    time: time_text.to_owned(),
                }
            })?;
            let zone = match &delivery.timezone {
                Some(name) => name.parse().map_err(|_| DigestConfigError::BadZone {
                    role: role.clone(),
                    zone: name.clone(),
                })?,
                None => company_zone,
            };
            let cron = format!(
                "{} {} * * *",
                chrono::Timelike::minute(&time),
                chrono::Timelike::hour(&time)
            );
            for target in &delivery.targets {
                let job = Job::Digest {
                    role: role.clone(),
                    company_id: None,
                };
                let name = format!("Daily digest ({role})");
                let mut schedule = Schedule::new(
                    &name,
                    job,
                    &cron,
                    zone,
                    target.clone(),
                    IdentityId(delivery.owner.clone()),
                    now,
                )?;
                schedule.id = digest_schedule_id(role, target);
                schedule.enabled = delivery.enabled;
                schedules.push(schedule);
            }
        }
        Ok(schedules)
    }
}

/// A stable id per (role, target).
fn digest_schedule_id(role: &str, target: &Target) -> Uuid {
    let name = format!("digest/{role}/{}/{}", target.channel, target.recipient);
    Uuid::new_v5(&Uuid::NAMESPACE_OID, name.as_bytes())
}

/// Makes the stored digest schedules match `wanted`: new ones are added,
/// changed ones are saved with a fresh next run, unchanged ones keep their
/// next run (a restart does not skip or repeat a day), and stored digest
/// schedules no longer configured are disabled, never deleted (their runs
/// stay on record).
pub async fn sync_digest_schedules(
    store: &dyn ScheduleStore,
    wanted: Vec<Schedule>,
) -> Result<(), StoreError> {
    let existing = store.list().await?;
    for schedule in &existing {
        let still_wanted = wanted.iter().any(|w| w.id == schedule.id);
        if matches!(schedule.job, Job::Digest { .. }) && !still_wanted && schedule.enabled {
            let mut stopped = schedule.clone();
            stopped.enabled = false;
            store.save(stopped).await?;
        }
    }
    for schedule in wanted {
        let unchanged = existing.iter().any(|e| {
            e.id == schedule.id
                && e.cron == schedule.cron
                && e.timezone == schedule.timezone
                && e.owner == schedule.owner
                && e.enabled == schedule.enabled
        });
        if !unchanged {
            store.save(schedule).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::{Amsterdam, London};

    use super::*;
    use crate::schedule::MemorySchedules;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap()
    }

    const FILE: &str = r#"
        [cfo]
        targets = [{ channel = "odoo_discuss", recipient = "3" }, { channel = "slack", recipient = "C1" }]

        [sales_manager]
        time = "08:15"
        timezone = "Europe/London"
        owner = "maria"
        targets = [{ channel = "telegram", recipient = "-100200" }]

        [warehouse_manager]
        enabled = false
        targets = [{ channel = "slack", recipient = "C2" }]
    "#;

    #[test]
    fn roles_become_schedules_with_the_spec_defaults() {
        let schedules = DigestDelivery::parse(FILE)
            .unwrap()
            .schedules(Amsterdam, now())
            .unwrap();
        let summary: Vec<(String, String, Tz, String, bool, DateTime<Utc>)> = schedules
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.cron.clone(),
                    s.timezone,
                    format!("{}:{}", s.target.channel, s.target.recipient),
                    s.enabled,
                    s.next_run,
                )
            })
            .collect();
        let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
        assert_eq!(
            summary,
            vec![
                (
                    "Daily digest (cfo)".into(),
                    "0 7 * * *".into(),
                    Amsterdam,
                    "odoo_discuss:3".into(),
                    true,
                    utc(22, 6, 0)
                ),
                (
                    "Daily digest (cfo)".into(),
                    "0 7 * * *".into(),
                    Amsterdam,
                    "slack:C1".into(),
                    true,
                    utc(22, 6, 0)
                ),
                (
                    "Daily digest (sales_manager)".into(),
                    "15 8 * * *".into(),
                    London,
                    "telegram:-100200".into(),
                    true,
                    utc(22, 8, 15)
                ),
                (
                    "Daily digest (warehouse_manager)".into(),
                    "30 6 * * *".into(),
                    Amsterdam,
                    "slack:C2".into(),
                    false,
                    utc(22, 5, 30)
                ),
            ]
        );
        assert_eq!(schedules[2].owner, IdentityId("maria".to_owned()));
        // Stable ids: the same file gives the same schedules.
        let again = DigestDelivery::parse(FILE)
            .unwrap()
            .schedules(Amsterdam, now())
            .unwrap();
        assert_eq!(
            again.iter().map(|s| s.id).collect::<Vec<_>>(),
            schedules.iter().map(|s| s.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| {
            DigestDelivery::parse(text)
                .and_then(|d| d.schedules(Amsterdam, now()))
                .unwrap_err()
                .to_string()
        };
        assert!(err("[ceo]\ntargets = []").contains("unknown digest role `ceo`"));
        assert!(err("[cfo]\ntime = \"7am\"").contains("time `7am` is not HH:MM"));
        assert!(
            err("[cfo]\ntimezone = \"Mars/Olympus\"").contains("`Mars/Olympus` is not an IANA")
        );
        assert!(err("[cfo]\ncolour = \"red\"").contains("not a digest delivery file"));
    }

    #[tokio::test]
    async fn syncing_keeps_progress_of_unchanged_schedules_and_disables_dropped_ones() {
        let store = MemorySchedules::default();
        let first = DigestDelivery::parse(FILE)
            .unwrap()
            .schedules(Amsterdam, now())
            .unwrap();
        sync_digest_schedules(&store, first.clone()).await.unwrap();
        // The CFO digest to Discuss has run: its next run moved on.
        let cfo = first[0].clone();
        let later = cfo.next_run + chrono::Duration::days(1);
        assert!(store.claim(cfo.id, cfo.next_run, later).await.unwrap());

        // Restart a day later with the Slack target of the CFO removed.
        let file = FILE.replace(", { channel = \"slack\", recipient = \"C1\" }", "");
        let wanted = DigestDelivery::parse(&file)
            .unwrap()
            .schedules(Amsterdam, now() + chrono::Duration::days(1))
            .unwrap();
        sync_digest_schedules(&store, wanted).await.unwrap();
        let stored = store.get(cfo.id).await.unwrap().unwrap();
        assert_eq!(
            stored.next_run, later,
            "an unchanged schedule keeps its progress"
        );
        let dropped = store.get(first[1].id).await.unwrap().unwrap();
        assert!(!dropped.enabled, "a removed target is disabled");
        assert_eq!(store.list().await.unwrap().len(), 4);
    }
}
