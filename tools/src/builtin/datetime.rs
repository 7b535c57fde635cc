//! `current_datetime`: today's date and the time in an IANA time zone.

use std::sync::Arc;

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Source of "now", injected so tests can fix the date.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Arguments of `current_datetime`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentDatetimeArgs {
    /// IANA time zone name. Example: "Europe/Brussels". Defaults to "UTC".
    #[serde(default)]
    pub timezone: Option<String>,
}

/// The current instant in the requested zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentDatetimeOutput {
    pub timezone: String,
    /// Local time, RFC 3339 with offset.
    pub local: String,
    /// The same instant in UTC, RFC 3339.
    pub utc: String,
    /// Local calendar date, YYYY-MM-DD.
    pub date: String,
    pub weekday: String,
    pub iso_week: u32,
}

impl Summarize for CurrentDatetimeOutput {
    fn summary(&self) -> String {
        format!(
            "{} {} (week {}) in {}",
            self.weekday, self.local, self.iso_week, self.timezone
        )
    }
}

/// Tells the model the current date and time.
pub struct CurrentDatetime {
    clock: Clock,
}

impl CurrentDatetime {
    pub fn new() -> Self {
        Self::with_clock(Arc::new(Utc::now))
    }

    pub fn with_clock(clock: Clock) -> Self {
        Self { clock }
    }
}

impl Default for CurrentDatetime {
    fn default() -> Self {
        Self::new()
    }
}

impl Tool for CurrentDatetime {
    const NAME: &'static str = "current_datetime";
    const KIND: ToolKind = ToolKind::Read;
    type Args = CurrentDatetimeArgs;
    type Output = CurrentDatetimeOutput;

    fn description(&self) -> &'static str {
        "Returns the current date, time, weekday and ISO week in a time zone. Use it whenever \
         the answer depends on today's date (\"this month\", \"overdue\", \"yesterday\")."
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let name = args.timezone.unwrap_or_else(|| "UTC".to_owned());
        let tz: Tz = name.parse().map_err(|_| ToolError::InvalidArgs {
            tool: Self::NAME.to_owned(),
            message: format!(
                "field `timezone`: unknown time zone {name:?}; use an IANA name such as \
                 \"Europe/Brussels\" or \"America/New_York\""
            ),
        })?;
        let now = (self.clock)();
        let local = now.with_timezone(&tz);
        Ok(CurrentDatetimeOutput {
            timezone: tz.name().to_owned(),
            local: local.to_rfc3339_opts(SecondsFormat::Secs, false),
            utc: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            date: local.format("%Y-%m-%d").to_string(),
            weekday: local.format("%A").to_string(),
            iso_week: local.iso_week().week(),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::testing_ctx;

    fn fixed() -> CurrentDatetime {
        CurrentDatetime::with_clock(Arc::new(|| {
            Utc.with_ymd_and_hms(2026, 3, 31, 22, 30, 0).unwrap()
        }))
    }

    #[tokio::test]
    async fn local_date_follows_the_zone_not_utc() {
        let out = fixed()
            .call(
                &testing_ctx(),
                CurrentDatetimeArgs {
                    timezone: Some("Europe/Brussels".into()),
                },
            )
            .await
            .unwrap();
        // 22:30 UTC on 31 March is already 1 April in Brussels (CEST, +02:00).
        assert_eq!(out.date, "2026-04-01");
        assert_eq!(out.local, "2026-04-01T00:30:00+02:00");
        assert_eq!(out.utc, "2026-03-31T22:30:00Z");
        assert_eq!(out.weekday, "Wednesday");
        assert_eq!(out.iso_week, 14);
    }

    #[tokio::test]
    async fn unknown_zone_names_the_field() {
        let err = fixed()
            .call(
                &testing_ctx(),
                CurrentDatetimeArgs {
                    timezone: Some("Mars/Olympus".into()),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "invalid_args");
        assert!(err.to_string().contains("field `timezone`"), "{err}");
    }
}
