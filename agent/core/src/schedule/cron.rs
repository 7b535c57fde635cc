//! Cron expressions read in a time zone, daylight-saving aware.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use thiserror::Error;

/// A schedule's expression could not be used.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CronError {
    #[error(
        "`{expression}` is not a 5-field cron expression (minute hour day-of-month month \
         day-of-week, e.g. `0 7 * * 1-5`): {reason}"
    )]
    Invalid { expression: String, reason: String },
    #[error("`{expression}` never fires after {after}")]
    Exhausted {
        expression: String,
        after: DateTime<Utc>,
    },
}

/// A 5-field cron expression and the zone its times are read in: `0 7 * *
/// *` in `Europe/Amsterdam` fires at 07:00 Amsterdam time, winter and
/// summer alike.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    expression: String,
    cron: Cron,
    zone: Tz,
}

impl CronSchedule {
    /// Parses `expression`; only the classic 5 fields are accepted, so a
    /// seconds or year field is an error rather than a silent shift.
    pub fn parse(expression: &str, zone: Tz) -> Result<Self, CronError> {
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(expression)
            .map_err(|err| CronError::Invalid {
                expression: expression.to_owned(),
                reason: err.to_string(),
            })?;
        Ok(Self {
            expression: expression.to_owned(),
            cron,
            zone,
        })
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The first firing strictly after `after`. A local time skipped by a
    /// spring-forward change fires at the first instant after the gap; one
    /// repeated by a fall-back change fires once.
    pub fn next_after(&self, after: DateTime<Utc>) -> Result<DateTime<Utc>, CronError> {
        let local = after.with_timezone(&self.zone);
        self.cron
            .find_next_occurrence(&local, false)
            .map(|next| next.with_timezone(&Utc))
            .map_err(|_| CronError::Exhausted {
                expression: self.expression.clone(),
                after,
            })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::Europe::Amsterdam;

    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    #[test]
    fn seven_in_the_morning_follows_the_zone_across_daylight_saving() {
        let daily = CronSchedule::parse("0 7 * * *", Amsterdam).unwrap();
        // Winter: UTC+1.
        assert_eq!(
            daily.next_after(utc(2026, 3, 27, 12, 0)).unwrap(),
            utc(2026, 3, 28, 6, 0)
        );
        // The night of 29 March 2026 the clocks go forward: UTC+2.
        assert_eq!(
            daily.next_after(utc(2026, 3, 28, 12, 0)).unwrap(),
            utc(2026, 3, 29, 5, 0)
        );
        // 25 October 2026 they go back.
        assert_eq!(
            daily.next_after(utc(2026, 10, 24, 12, 0)).unwrap(),
            utc(2026, 10, 25, 6, 0)
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_fires_once_after_it_and_a_repeated_time_once() {
        // 02:30 does not exist on 29 March 2026 in Amsterdam.
        let gap = CronSchedule::parse("30 2 * * *", Amsterdam).unwrap();
        let first = gap.next_after(utc(2026, 3, 28, 12, 0)).unwrap();
        assert_eq!(
            first,
            utc(2026, 3, 29, 1, 0),
            "03:00 CEST, the first instant after the gap"
        );
        // 02:30 happens twice on 25 October 2026: fired once.
        let first = gap.next_after(utc(2026, 10, 24, 12, 0)).unwrap();
        assert_eq!(first, utc(2026, 10, 25, 0, 30));
        let second = gap.next_after(first).unwrap();
        assert_eq!(second, utc(2026, 10, 26, 1, 30));
    }

    #[test]
    fn weekdays_and_bad_expressions() {
        let weekdays = CronSchedule::parse("30 6 * * 1-5", Amsterdam).unwrap();
        // Friday 2026-11-20 after 06:30 → Monday 2026-11-23 06:30 CET.
        assert_eq!(
            weekdays.next_after(utc(2026, 11, 20, 8, 0)).unwrap(),
            utc(2026, 11, 23, 5, 30)
        );
        for bad in ["0 7 * *", "0 0 7 * * *", "61 7 * * *", "every morning"] {
            let err = CronSchedule::parse(bad, Amsterdam).unwrap_err();
            assert!(err.to_string().contains("5-field"), "{bad}: {err}");
        }
    }
}
