//! Periods (spec 6.2 step 3, 0.4): the model only names a period; the
//! server resolves it against "today" in the company's time zone. Quarters
//! are calendar quarters, weeks start on Monday (ISO), YTD runs from
//! January 1 to today, and both ends of a period are inclusive days.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::plan::Compare;

/// A named period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodExpr {
    Today,
    Yesterday,
    ThisWeek,
    LastWeek,
    ThisMonth,
    LastMonth,
    ThisQuarter,
    LastQuarter,
    ThisYear,
    LastYear,
    Ytd,
    Qtd,
    Mtd,
    LastNDays(u32),
    Month(u32, i32),
    Quarter(u32, i32),
    Year(i32),
    /// The fiscal year holding today, ending on the company's fiscal year
    /// end ("fiscal" in a question).
    ThisFiscalYear,
    LastFiscalYear,
    /// From the start of the fiscal year to today.
    FiscalYtd,
}

/// Days from `from` to `to`, both inclusive, and how to call them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label: String,
}

/// Longest "last n days".
const MAX_DAYS: u32 = 3660;

impl PeriodExpr {
    /// Parses `last_quarter`, `last_n_days(30)`, `month(3, 2026)`,
    /// `quarter(4, 2025)`, `year(2025)`; spaces and case do not matter.
    pub fn parse(text: &str) -> Option<Self> {
        let text: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let simple = match text.as_str() {
            "today" => Some(Self::Today),
            "yesterday" => Some(Self::Yesterday),
            "this_week" => Some(Self::ThisWeek),
            "last_week" => Some(Self::LastWeek),
            "this_month" => Some(Self::ThisMonth),
            "last_month" => Some(Self::LastMonth),
            "this_quarter" => Some(Self::ThisQuarter),
            "last_quarter" => Some(Self::LastQuarter),
            "this_year" => Some(Self::ThisYear),
            "last_year" => Some(Self::LastYear),
            "ytd" => Some(Self::Ytd),
            "qtd" => Some(Self::Qtd),
            "mtd" => Some(Self::Mtd),
            "this_fiscal_year" => Some(Self::ThisFiscalYear),
            "last_fiscal_year" => Some(Self::LastFiscalYear),
            "fiscal_ytd" => Some(Self::FiscalYtd),
            _ => None,
        };
        if simple.is_some() {
            return simple;
        }
        let (name, rest) = text.split_once('(')?;
        let numbers: Vec<i64> = rest
            .strip_suffix(')')?
            .split(',')
            .map(|n| n.parse().ok())
            .collect::<Option<_>>()?;
        let year = |y: i64| i32::try_from(y).ok().filter(|y| (1900..=9999).contains(y));
        match (name, numbers.as_slice()) {
            ("last_n_days", [n]) => u32::try_from(*n)
                .ok()
                .filter(|n| (1..=MAX_DAYS).contains(n))
                .map(Self::LastNDays),
            ("month", [m, y]) => {
                let m = u32::try_from(*m).ok().filter(|m| (1..=12).contains(m))?;
                Some(Self::Month(m, year(*y)?))
            }
            ("quarter", [q, y]) => {
                let q = u32::try_from(*q).ok().filter(|q| (1..=4).contains(q))?;
                Some(Self::Quarter(q, year(*y)?))
            }
            ("year", [y]) => Some(Self::Year(year(*y)?)),
            _ => None,
        }
    }

    /// Whether resolving needs the company's fiscal year end.
    pub fn is_fiscal(self) -> bool {
        matches!(
            self,
            Self::ThisFiscalYear | Self::LastFiscalYear | Self::FiscalYtd
        )
    }

    /// The days the period covers when today is `today` and fiscal years
    /// end on `fiscal_end` (month, day), December 31 for most companies.
    pub fn resolve_fiscal(self, today: NaiveDate, fiscal_end: (u32, u32)) -> PeriodRange {
        let end_in = |year: i32| {
            let (month, day) = fiscal_end;
            let last = last_of_month(ymd(year, month.clamp(1, 12), 1));
            ymd(year, last.month(), day.clamp(1, last.day()))
        };
        // The first fiscal year end on or after today.
        let mut end = end_in(today.year());
        if end < today {
            end = end_in(today.year() + 1);
        }
        let start = |end: NaiveDate| end_in(end.year() - 1).succ_opt().unwrap_or(end);
        let name = |end: NaiveDate| {
            let from = start(end);
            if from.year() == end.year() {
                format!("fiscal year {}", end.year())
            } else {
                format!("fiscal year {}/{}", from.year(), end.year())
            }
        };
        match self {
            Self::ThisFiscalYear => labelled(start(end), end, &name(end)),
            Self::LastFiscalYear => {
                let previous = end_in(end.year() - 1);
                labelled(start(previous), previous, &name(previous))
            }
            Self::FiscalYtd => labelled(start(end), today, &format!("{} to date", name(end))),
            other => other.resolve(today),
        }
    }

    /// The days the period covers when today is `today`; fiscal periods
    /// as calendar years.
    pub fn resolve(self, today: NaiveDate) -> PeriodRange {
        let (y, m) = (today.year(), today.month());
        let quarter_of = |d: NaiveDate| d.month0() / 3 + 1;
        match self {
            Self::Today => day_range(today, "today"),
            Self::Yesterday => {
                let day = today.pred_opt().unwrap_or(today);
                day_range(day, "yesterday")
            }
            Self::ThisWeek => {
                let from = monday(today);
                labelled(from, plus_days(from, 6), "this week")
            }
            Self::LastWeek => {
                let from = minus_days(monday(today), 7);
                labelled(from, plus_days(from, 6), "last week")
            }
            Self::ThisMonth => month_range(y, m),
            Self::LastMonth => {
                let first = first_of_month(today)
                    .checked_sub_months(Months::new(1))
                    .unwrap_or(today);
                month_range(first.year(), first.month())
            }
            Self::ThisQuarter => quarter_range(quarter_of(today), y),
            Self::LastQuarter => match quarter_of(today) {
                1 => quarter_range(4, y - 1),
                q => quarter_range(q - 1, y),
            },
            Self::ThisYear => year_range(y),
            Self::LastYear => year_range(y - 1),
            Self::Ytd => labelled(ymd(y, 1, 1), today, &format!("{y} to date")),
            Self::Qtd => {
                let q = quarter_of(today);
                let from = ymd(y, (q - 1) * 3 + 1, 1);
                labelled(from, today, &format!("Q{q} {y} to date"))
            }
            Self::Mtd => labelled(
                first_of_month(today),
                today,
                &format!("{} to date", today.format("%B %Y")),
            ),
            Self::LastNDays(n) => labelled(
                minus_days(today, u64::from(n) - 1),
                today,
                &format!("last {n} days"),
            ),
            Self::Month(m, y) => month_range(y, m),
            Self::Quarter(q, y) => quarter_range(q, y),
            Self::Year(y) => year_range(y),
            Self::ThisFiscalYear | Self::LastFiscalYear | Self::FiscalYtd => {
                self.resolve_fiscal(today, (12, 31))
            }
        }
    }
}

impl PeriodRange {
    /// Explicit dates, labelled by themselves.
    pub fn explicit(from: NaiveDate, to: NaiveDate) -> Self {
        if from.day() == 1 && to == last_of_month(to) {
            let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
            if months == 0 {
                return month_range(from.year(), from.month());
            }
            if months == 2 && from.month0().is_multiple_of(3) {
                return quarter_range(from.month0() / 3 + 1, from.year());
            }
            if months == 11 && from.month() == 1 {
                return year_range(from.year());
            }
        }
        labelled(from, to, &format!("{from} to {to}"))
    }

    /// The period compared with this one: the period of equal length just
    /// before (whole months shift by months, so Q3 precedes Q4 and February
    /// precedes March), or the same days one year earlier.
    pub fn compared(&self, compare: Compare) -> Option<PeriodRange> {
        match compare {
            Compare::None => None,
            Compare::PreviousYear => {
                let from = self.from.checked_sub_months(Months::new(12))?;
                let to = if self.to == last_of_month(self.to) {
                    last_of_month(self.to.checked_sub_months(Months::new(12))?)
                } else {
                    self.to.checked_sub_months(Months::new(12))?
                };
                Some(PeriodRange::explicit(from, to))
            }
            Compare::PreviousPeriod => {
                if let Some(months) = self.whole_months() {
                    let from = self.from.checked_sub_months(Months::new(months))?;
                    let to = last_of_month(self.from.pred_opt()?);
                    return Some(PeriodRange::explicit(from, to));
                }
                let days = (self.to - self.from).num_days();
                let to = self.from.pred_opt()?;
                let from = to.checked_sub_days(Days::new(u64::try_from(days).ok()?))?;
                Some(PeriodRange::explicit(from, to))
            }
        }
    }

    /// How many months the period spans when it runs from a first to a last
    /// day of a month.
    pub fn whole_months(&self) -> Option<u32> {
        if self.from.day() != 1 || self.to != last_of_month(self.to) {
            return None;
        }
        let months = (self.to.year() - self.from.year()) * 12 + self.to.month() as i32
            - self.from.month() as i32;
        u32::try_from(months + 1).ok()
    }
}

fn labelled(from: NaiveDate, to: NaiveDate, label: &str) -> PeriodRange {
    PeriodRange {
        from,
        to,
        label: label.to_owned(),
    }
}

fn day_range(day: NaiveDate, label: &str) -> PeriodRange {
    labelled(day, day, &format!("{label} ({day})"))
}

fn month_range(y: i32, m: u32) -> PeriodRange {
    let from = ymd(y, m, 1);
    labelled(from, last_of_month(from), &from.format("%B %Y").to_string())
}

fn quarter_range(q: u32, y: i32) -> PeriodRange {
    let from = ymd(y, (q - 1) * 3 + 1, 1);
    let to = last_of_month(ymd(y, q * 3, 1));
    labelled(from, to, &format!("Q{q} {y}"))
}

fn year_range(y: i32) -> PeriodRange {
    labelled(ymd(y, 1, 1), ymd(y, 12, 31), &y.to_string())
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    ymd(day.year(), day.month(), 1)
}

pub(crate) fn last_of_month(day: NaiveDate) -> NaiveDate {
    first_of_month(day)
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day)
}

fn monday(day: NaiveDate) -> NaiveDate {
    minus_days(day, u64::from(day.weekday().num_days_from_monday()))
}

fn plus_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(day)
}

fn minus_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn resolved(expr: &str, today: &str) -> (String, String, String) {
        let range = PeriodExpr::parse(expr).unwrap().resolve(d(today));
        (range.from.to_string(), range.to.to_string(), range.label)
    }

    fn triple(from: &str, to: &str, label: &str) -> (String, String, String) {
        (from.to_owned(), to.to_owned(), label.to_owned())
    }

    #[test]
    fn named_periods_resolve_against_today() {
        // Monday 16 March 2026.
        let today = "2026-03-16";
        let cases = [
            (
                "today",
                triple("2026-03-16", "2026-03-16", "today (2026-03-16)"),
            ),
            (
                "yesterday",
                triple("2026-03-15", "2026-03-15", "yesterday (2026-03-15)"),
            ),
            ("this_week", triple("2026-03-16", "2026-03-22", "this week")),
            ("last_week", triple("2026-03-09", "2026-03-15", "last week")),
            (
                "this_month",
                triple("2026-03-01", "2026-03-31", "March 2026"),
            ),
            (
                "last_month",
                triple("2026-02-01", "2026-02-28", "February 2026"),
            ),
            (
                "this_quarter",
                triple("2026-01-01", "2026-03-31", "Q1 2026"),
            ),
            (
                "last_quarter",
                triple("2025-10-01", "2025-12-31", "Q4 2025"),
            ),
            ("this_year", triple("2026-01-01", "2026-12-31", "2026")),
            ("last_year", triple("2025-01-01", "2025-12-31", "2025")),
            ("YTD", triple("2026-01-01", "2026-03-16", "2026 to date")),
            ("qtd", triple("2026-01-01", "2026-03-16", "Q1 2026 to date")),
            (
                "mtd",
                triple("2026-03-01", "2026-03-16", "March 2026 to date"),
            ),
            (
                "last_n_days(30)",
                triple("2026-02-15", "2026-03-16", "last 30 days"),
            ),
            (
                "month(2, 2024)",
                triple("2024-02-01", "2024-02-29", "February 2024"),
            ),
            (
                "month(12,2026)",
                triple("2026-12-01", "2026-12-31", "December 2026"),
            ),
            (
                "quarter(4, 2025)",
                triple("2025-10-01", "2025-12-31", "Q4 2025"),
            ),
            ("year(2025)", triple("2025-01-01", "2025-12-31", "2025")),
        ];
        for (expr, want) in cases {
            assert_eq!(resolved(expr, today), want, "{expr}");
        }
        // A Sunday belongs to the week that began the Monday before.
        assert_eq!(resolved("this_week", "2026-03-22").0, "2026-03-16");
    }

    #[test]
    fn fiscal_periods_end_on_the_companys_fiscal_year_end() {
        let today = d("2026-03-16");
        let june = (6, 30);
        let this = PeriodExpr::ThisFiscalYear.resolve_fiscal(today, june);
        assert_eq!((this.from, this.to), (d("2025-07-01"), d("2026-06-30")));
        assert_eq!(this.label, "fiscal year 2025/2026");
        let last = PeriodExpr::LastFiscalYear.resolve_fiscal(today, june);
        assert_eq!((last.from, last.to), (d("2024-07-01"), d("2025-06-30")));
        let ytd = PeriodExpr::FiscalYtd.resolve_fiscal(today, june);
        assert_eq!((ytd.from, ytd.to), (d("2025-07-01"), today));
        // After the year end the next fiscal year has begun.
        let later = PeriodExpr::ThisFiscalYear.resolve_fiscal(d("2026-07-01"), june);
        assert_eq!((later.from, later.to), (d("2026-07-01"), d("2027-06-30")));
        // A December 31 year end is the calendar year; February ends on its
        // last day.
        let calendar = PeriodExpr::ThisFiscalYear.resolve_fiscal(today, (12, 31));
        assert_eq!(
            (calendar.from, calendar.to, calendar.label.as_str()),
            (d("2026-01-01"), d("2026-12-31"), "fiscal year 2026")
        );
        let feb = PeriodExpr::ThisFiscalYear.resolve_fiscal(d("2024-01-10"), (2, 31));
        assert_eq!((feb.from, feb.to), (d("2023-03-01"), d("2024-02-29")));
        assert_eq!(PeriodExpr::parse("fiscal_ytd"), Some(PeriodExpr::FiscalYtd));
    }

    #[test]
    fn unknown_or_out_of_range_expressions_are_refused() {
        for text in [
            "next_month",
            "month(13, 2026)",
            "quarter(0, 2026)",
            "last_n_days(0)",
            "year(26)",
            "month(3)",
            "",
        ] {
            assert_eq!(PeriodExpr::parse(text), None, "{text}");
        }
    }

    #[test]
    fn comparisons_shift_by_months_or_by_length() {
        let q4 = PeriodExpr::Quarter(4, 2025).resolve(d("2026-03-16"));
        let prev = q4.compared(Compare::PreviousPeriod).unwrap();
        assert_eq!(
            (prev.from, prev.to, prev.label.as_str()),
            (d("2025-07-01"), d("2025-09-30"), "Q3 2025")
        );
        let year_ago = q4.compared(Compare::PreviousYear).unwrap();
        assert_eq!(year_ago.label, "Q4 2024");
        let march = PeriodExpr::Month(3, 2026).resolve(d("2026-03-16"));
        let feb = march.compared(Compare::PreviousPeriod).unwrap();
        assert_eq!((feb.from, feb.to), (d("2026-02-01"), d("2026-02-28")));
        let leap = PeriodExpr::Month(2, 2024).resolve(d("2026-03-16"));
        let before = leap.compared(Compare::PreviousYear).unwrap();
        assert_eq!((before.from, before.to), (d("2023-02-01"), d("2023-02-28")));
        let days = PeriodRange::explicit(d("2026-03-10"), d("2026-03-16"));
        let prev = days.compared(Compare::PreviousPeriod).unwrap();
        assert_eq!((prev.from, prev.to), (d("2026-03-03"), d("2026-03-09")));
        assert_eq!(days.compared(Compare::None), None);
    }

    #[test]
    fn explicit_whole_months_and_quarters_get_their_names() {
        assert_eq!(
            PeriodRange::explicit(d("2026-01-01"), d("2026-03-31")).label,
            "Q1 2026"
        );
        assert_eq!(
            PeriodRange::explicit(d("2026-02-01"), d("2026-02-28")).label,
            "February 2026"
        );
        assert_eq!(
            PeriodRange::explicit(d("2025-01-01"), d("2025-12-31")).label,
            "2025"
        );
        assert_eq!(
            PeriodRange::explicit(d("2026-01-05"), d("2026-02-10")).label,
            "2026-01-05 to 2026-02-10"
        );
    }
}
