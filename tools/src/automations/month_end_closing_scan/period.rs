//! The month a scan closes: the `period` argument (`YYYY-MM`) checked and
//! turned into its first and last day, and into the UTC instants that bound
//! it for datetime fields (spec 0.2, 0.4).

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// Earliest and latest years accepted (spec 1.1).
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

/// A calendar month, first to last day inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Reads `YYYY-MM`: month 01–12, year 2000–2100, not after the month of
    /// `today`. The error text names the accepted format and range.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Period, String> {
        let accepted = format!(
            "period must be a month written YYYY-MM (e.g. \"{}\"), year {FIRST_YEAR}–{LAST_YEAR}, \
             month 01–12, not later than the current month {}",
            today.format("%Y-%m"),
            today.format("%Y-%m")
        );
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !well_formed {
            return Err(format!("{accepted}; got {text:?}"));
        }
        let year: i32 = text[..4].parse().map_err(|_| accepted.clone())?;
        let month: u32 = text[5..].parse().map_err(|_| accepted.clone())?;
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return Err(format!("{accepted}; got {text:?}"));
        }
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| accepted.clone())?;
        if start > today {
            return Err(format!("{accepted}; got {text:?}, which is in the future"));
        }
        let end = start
            .checked_add_months(Months::new(1))
            .and_then(|next| next.pred_opt())
            .ok_or_else(|| accepted.clone())?;
        Ok(Period { start, end })
    }

    /// `YYYY-MM`.
    pub fn label(&self) -> String {
        format!("{:04}-{:02}", self.start.year(), self.start.month())
    }

    /// The first instant of the period in `zone`, in UTC.
    pub fn start_utc(&self, zone: Tz) -> DateTime<Utc> {
        midnight_utc(self.start, zone)
    }

    /// The first instant after the period (the next month's first midnight)
    /// in `zone`, in UTC: the exclusive upper bound of datetime fields.
    pub fn end_utc_exclusive(&self, zone: Tz) -> DateTime<Utc> {
        midnight_utc(self.end + Days::new(1), zone)
    }
}

/// Odoo's datetime text (`YYYY-MM-DD HH:MM:SS`, UTC).
pub fn odoo_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Odoo's date text.
pub fn odoo_date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// 00:00 of `day` in `zone`, in UTC. A midnight skipped by a DST change
/// (a few zones move clocks at midnight) becomes the first instant after it.
fn midnight_utc(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(at) => at.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let later = naive + chrono::Duration::hours(1);
            zone.from_local_datetime(&later)
                .earliest()
                .map_or_else(|| naive.and_utc(), |at| at.with_timezone(&Utc))
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_covers_its_first_to_last_day() {
        let today = day(2027, 1, 10);
        assert_eq!(
            Period::parse("2024-02", today).unwrap(),
            Period {
                start: day(2024, 2, 1),
                end: day(2024, 2, 29)
            }
        );
        assert_eq!(
            Period::parse("2026-12", today).unwrap().end,
            day(2026, 12, 31)
        );
        assert_eq!(Period::parse("2027-01", today).unwrap().label(), "2027-01");
    }

    #[test]
    fn bad_periods_name_the_format_and_range() {
        let today = day(2026, 3, 16);
        for bad in [
            "2026-13", "2026-00", "1999-12", "2026-3", "2026/03", "march", "2026-04",
        ] {
            let err = Period::parse(bad, today).unwrap_err();
            assert!(err.contains("YYYY-MM"), "{bad}: {err}");
            assert!(err.contains("2000–2100"), "{bad}: {err}");
        }
    }

    #[test]
    fn datetime_bounds_follow_the_zone() {
        let amsterdam: Tz = "Europe/Amsterdam".parse().unwrap();
        let p = Period::parse("2026-01", day(2026, 3, 16)).unwrap();
        assert_eq!(odoo_datetime(p.start_utc(amsterdam)), "2025-12-31 23:00:00");
        assert_eq!(
            odoo_datetime(p.end_utc_exclusive(amsterdam)),
            "2026-01-31 23:00:00"
        );
    }
}
