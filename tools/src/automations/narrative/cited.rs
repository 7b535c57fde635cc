//! The numbers and dates a text cites, as a reader would take them:
//! `€-1,234.50`, `1.234,50 €`, `12.5 %`, `12k`, `3 million`, `2026-03-16`,
//! `16/03/2026`, `16 March 2026`, `March 16`.
//!
//! A written number can mean several values (`1,234` is 1234 in English
//! and 1.234 in German), so each one carries every reading; the checker
//! accepts it when any reading fits the data. The same scanner reads the
//! strings inside the data, so a number quoted there ("INV/2026/0042",
//! "total €1,234.00") counts as given.

use rust_decimal::Decimal;

/// A number or a date found in a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cited {
    Number(CitedNumber),
    Date(CitedDate),
}

/// A number as written, with every value it can be read as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CitedNumber {
    /// The characters it was read from, for messages.
    pub text: String,
    pub sign: Sign,
    /// Followed by `%`.
    pub percent: bool,
    pub readings: Vec<Reading>,
}

/// Whether the number was written with a sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sign {
    Unsigned,
    Negative,
    Positive,
}

/// One value a number can be read as: `value` (never negative; the sign is
/// apart) shown with `places` decimals, negative places for a magnitude
/// (`12k` is 12000 to -3 places, so it stands for 11500..12500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reading {
    pub value: Decimal,
    pub places: i32,
}

/// A date as written: the calendar days it can be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CitedDate {
    pub text: String,
    pub readings: Vec<DateReading>,
}

/// A day, possibly without a year ("March 16"), or a month ("March 2026").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DateReading {
    pub year: Option<i32>,
    pub month: u32,
    pub day: Option<u32>,
}

/// Every number and date in `text`, in order.
pub(crate) fn scan(text: &str) -> Vec<Cited> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word_start = i == 0 || !chars[i - 1].is_alphanumeric();
        if c.is_alphabetic() {
            if word_start && let Some((end, date)) = month_first_date(&chars, i) {
                found.push(Cited::Date(date));
                i = end;
                continue;
            }
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            continue;
        }
        let date = || numeric_date(&chars, i).or_else(|| day_first_date(&chars, i));
        if c.is_ascii_digit()
            && !after_digit(&chars, i)
            && let Some((end, date)) = date()
        {
            found.push(Cited::Date(date));
            i = end;
            continue;
        }
        if let Some((end, number)) = number(&chars, i) {
            found.push(Cited::Number(number));
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

/// Characters that only ever group thousands.
const GROUP_ONLY: [char; 4] = ['\'', '\u{a0}', '\u{202f}', '\u{2009}'];
/// Characters that group thousands or mark decimals, depending on locale.
const GROUP_OR_POINT: [char; 2] = [',', '.'];
const CURRENCY_SYMBOLS: [char; 12] = ['€', '$', '£', '¥', '₹', '₽', '₺', '₩', '₪', '฿', '₫', '₦'];
const MINUS: [char; 3] = ['-', '−', '–'];

fn after_digit(chars: &[char], i: usize) -> bool {
    i > 0 && chars[i - 1].is_ascii_digit()
}

/// A number starting at `i`: an optional sign and currency symbol (either
/// order), digits with separators, an optional magnitude and `%`.
fn number(chars: &[char], start: usize) -> Option<(usize, CitedNumber)> {
    let mut i = start;
    let mut sign = Sign::Unsigned;
    // A dash is a minus only where a word could start: in "2-3" or "7-day"
    // it joins words.
    let sign_allowed = start == 0 || !chars[start - 1].is_alphanumeric();
    let take_sign = |i: &mut usize, sign: &mut Sign| {
        if !sign_allowed || *sign != Sign::Unsigned {
            return;
        }
        match chars.get(*i) {
            Some(c) if MINUS.contains(c) => {
                *sign = Sign::Negative;
                *i += 1;
            }
            Some('+') => {
                *sign = Sign::Positive;
                *i += 1;
            }
            _ => {}
        }
    };
    take_sign(&mut i, &mut sign);
    if chars.get(i).is_some_and(|c| CURRENCY_SYMBOLS.contains(c)) {
        i += 1;
        take_sign(&mut i, &mut sign);
    }
    if !chars.get(i).is_some_and(char::is_ascii_digit) || after_digit(chars, i) {
        return None;
    }
    let body_start = i;
    while i < chars.len() {
        let c = chars[i];
        let separator = GROUP_ONLY.contains(&c) || GROUP_OR_POINT.contains(&c);
        if c.is_ascii_digit() || (separator && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            i += 1;
        } else {
            break;
        }
    }
    let body: String = chars[body_start..i].iter().collect();
    let Some(mut readings) = readings_of(&body) else {
        // Not one number ("17.0.1", "1,2,3"): the first digit run alone.
        let run = chars[body_start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let digits: String = chars[body_start..body_start + run].iter().collect();
        let value = digits.parse::<Decimal>().ok()?;
        let number = CitedNumber {
            text: chars[start..body_start + run].iter().collect(),
            sign,
            percent: false,
            readings: vec![Reading { value, places: 0 }],
        };
        return Some((body_start + run, number));
    };
    // "1st", "2nd": an ordinal, read as its number.
    if let Some(end) = ordinal_end(chars, i) {
        i = end;
    }
    if let Some((end, shift)) = magnitude(chars, i) {
        for reading in &mut readings {
            reading.value *= Decimal::from(10_i64.pow(shift));
            reading.places -= shift as i32;
        }
        i = end;
    }
    let mut percent = false;
    let mut j = i;
    while chars.get(j).is_some_and(|c| *c == ' ' || *c == '\u{a0}') {
        j += 1;
    }
    if chars.get(j) == Some(&'%') {
        percent = true;
        i = j + 1;
    }
    let number = CitedNumber {
        text: chars[start..i].iter().collect::<String>().trim().to_owned(),
        sign,
        percent,
        readings,
    };
    Some((i, number))
}

/// The values a run of digits and separators can mean, or `None` when it
/// is not one number.
fn readings_of(body: &str) -> Option<Vec<Reading>> {
    let grouped_only: String = body.chars().filter(|c| !GROUP_ONLY.contains(c)).collect();
    let has_group_only = grouped_only.len() != body.len();
    let commas = grouped_only.matches(',').count();
    let points = grouped_only.matches('.').count();
    let integer = |text: &str, group: Option<char>| -> Option<Reading> {
        let digits: String = match group {
            Some(g) => {
                if !valid_groups(text, g) {
                    return None;
                }
                text.chars().filter(|c| *c != g).collect()
            }
            None => text.to_owned(),
        };
        Some(Reading {
            value: digits.parse().ok()?,
            places: 0,
        })
    };
    let decimal = |text: &str, point: char, group: Option<char>| -> Option<Reading> {
        let (whole, fraction) = text.split_once(point)?;
        let whole = integer(whole, group)?;
        if fraction.is_empty() || !fraction.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let value: Decimal = format!("{}.{fraction}", whole.value).parse().ok()?;
        Some(Reading {
            value,
            places: fraction.len() as i32,
        })
    };
    let text = grouped_only.as_str();
    if has_group_only {
        // Apostrophes and narrow spaces group thousands; a ',' or '.'
        // then is the decimal point.
        let body = body.replace(GROUP_ONLY, "'");
        let (whole, point_part) = match body.find([',', '.']) {
            Some(at) => body.split_at(at),
            None => (body.as_str(), ""),
        };
        let whole = integer(whole, Some('\''))?;
        if point_part.is_empty() {
            return Some(vec![whole]);
        }
        let point = point_part.chars().next()?;
        return decimal(&format!("{}{point_part}", whole.value), point, None).map(|r| vec![r]);
    }
    match (commas, points) {
        (0, 0) => integer(text, None).map(|r| vec![r]),
        (_, 0) | (0, _) => {
            let sep = if commas > 0 { ',' } else { '.' };
            if commas + points > 1 {
                return integer(text, Some(sep)).map(|r| vec![r]);
            }
            let (whole, fraction) = text.split_once(sep)?;
            let mut readings = Vec::new();
            // "1,234" is a thousand-and-some in English and 1.234 in German.
            if fraction.len() == 3 && whole.len() <= 3 && !whole.starts_with('0') {
                readings.extend(integer(text, Some(sep)));
            }
            readings.extend(decimal(text, sep, None));
            Some(readings)
        }
        _ => {
            // Both: the last one is the decimal point.
            let point = if text.rfind(',') > text.rfind('.') {
                ','
            } else {
                '.'
            };
            let group = if point == ',' { '.' } else { ',' };
            if text.matches(point).count() != 1 {
                return None;
            }
            decimal(text, point, Some(group)).map(|r| vec![r])
        }
    }
}

/// `1,234,567`: a first group of 1–3 digits, then groups of exactly 3.
fn valid_groups(text: &str, group: char) -> bool {
    let mut parts = text.split(group);
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()));
    first_ok && parts.all(|p| p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
}

fn ordinal_end(chars: &[char], i: usize) -> Option<usize> {
    let suffix: String = chars.iter().skip(i).take(2).collect();
    let known = ["st", "nd", "rd", "th"].contains(&suffix.to_lowercase().as_str());
    let word_ends = !chars.get(i + 2).is_some_and(|c| c.is_alphanumeric());
    (known && word_ends).then_some(i + 2)
}

/// `k`, `M`, `bn` right after the digits, or " thousand", " million",
/// " billion": the end and the power of ten.
fn magnitude(chars: &[char], i: usize) -> Option<(usize, u32)> {
    let word_at = |at: usize| -> String {
        chars
            .iter()
            .skip(at)
            .take_while(|c| c.is_alphabetic())
            .collect()
    };
    let glued = word_at(i);
    let shift = match glued.as_str() {
        "k" | "K" => Some(3),
        "M" | "m" | "mn" | "MM" => Some(6),
        "bn" | "B" => Some(9),
        _ => None,
    };
    if let Some(shift) = shift {
        return Some((i + glued.chars().count(), shift));
    }
    if chars.get(i) != Some(&' ') {
        return None;
    }
    let word = word_at(i + 1);
    let shift = match word.to_lowercase().as_str() {
        "thousand" => 3,
        "million" | "millions" => 6,
        "billion" | "billions" => 9,
        _ => return None,
    };
    Some((i + 1 + word.chars().count(), shift))
}

/// Digits at `i` (at most `max`), with their value and the end.
fn digits(chars: &[char], i: usize, min: usize, max: usize) -> Option<(usize, u32)> {
    let run = chars
        .iter()
        .skip(i)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if run < min || run > max {
        return None;
    }
    let text: String = chars[i..i + run].iter().collect();
    Some((i + run, text.parse().ok()?))
}

/// `2026-03-16`, `16/03/2026`, `03/16/2026`, `16.03.2026`.
fn numeric_date(chars: &[char], start: usize) -> Option<(usize, CitedDate)> {
    let (end, first) = digits(chars, start, 1, 4)?;
    let sep = *chars.get(end)?;
    if !['-', '/', '.'].contains(&sep) {
        return None;
    }
    let (end2, second) = digits(chars, end + 1, 1, 2)?;
    if chars.get(end2) != Some(&sep) {
        return None;
    }
    let (end3, third) = digits(chars, end2 + 1, 1, 4)?;
    if chars.get(end3).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let first_len = end - start;
    let third_len = end3 - end2 - 1;
    let mut readings = Vec::new();
    if first_len == 4 && third_len <= 2 {
        readings.extend(day(first as i32, second, third));
    } else if first_len <= 2 && third_len == 4 {
        readings.extend(day(third as i32, second, first));
        readings.extend(day(third as i32, first, second));
    } else {
        return None;
    }
    if readings.is_empty() {
        return None;
    }
    readings.dedup();
    let text = chars[start..end3].iter().collect();
    Some((end3, CitedDate { text, readings }))
}

/// `16 March 2026`, `16th March`, `16 Mar`.
fn day_first_date(chars: &[char], start: usize) -> Option<(usize, CitedDate)> {
    let (mut end, day_number) = digits(chars, start, 1, 2)?;
    if let Some(after) = ordinal_end(chars, end) {
        end = after;
    }
    if chars.get(end) != Some(&' ') {
        return None;
    }
    let (end, month) = month_name(chars, end + 1)?;
    let (end, year) = year_after(chars, end, &[' '])?;
    let reading = match year {
        Some(year) => day(year, month, day_number)?,
        None if (1..=31).contains(&day_number) => DateReading {
            year: None,
            month,
            day: Some(day_number),
        },
        None => return None,
    };
    let text = chars[start..end].iter().collect();
    Some((
        end,
        CitedDate {
            text,
            readings: vec![reading],
        },
    ))
}

/// `March 16, 2026`, `March 16`, `Mar 16th`, `March 2026`.
fn month_first_date(chars: &[char], start: usize) -> Option<(usize, CitedDate)> {
    let (end, month) = month_name(chars, start)?;
    if chars.get(end) != Some(&' ') {
        return None;
    }
    let text_to = |end: usize| chars[start..end].iter().collect::<String>();
    if let Some((after, year)) = digits(chars, end + 1, 4, 4)
        && !chars.get(after).is_some_and(|c| c.is_alphanumeric())
    {
        let reading = DateReading {
            year: Some(year as i32),
            month,
            day: None,
        };
        return Some((
            after,
            CitedDate {
                text: text_to(after),
                readings: vec![reading],
            },
        ));
    }
    let (mut after, day_number) = digits(chars, end + 1, 1, 2)?;
    if let Some(ordinal) = ordinal_end(chars, after) {
        after = ordinal;
    }
    if chars.get(after).is_some_and(|c| c.is_alphanumeric()) || !(1..=31).contains(&day_number) {
        return None;
    }
    let (after, year) = year_after(chars, after, &[',', ' '])?;
    let reading = match year {
        Some(year) => day(year, month, day_number)?,
        None => DateReading {
            year: None,
            month,
            day: Some(day_number),
        },
    };
    Some((
        after,
        CitedDate {
            text: text_to(after),
            readings: vec![reading],
        },
    ))
}

/// An optional four-digit year after `i`, past any of `gaps`: the end and
/// the year. `None` only when the year is malformed.
fn year_after(chars: &[char], i: usize, gaps: &[char]) -> Option<(usize, Option<i32>)> {
    let mut j = i;
    while chars.get(j).is_some_and(|c| gaps.contains(c)) {
        j += 1;
    }
    if j > i
        && let Some((end, year)) = digits(chars, j, 4, 4)
        && !chars.get(end).is_some_and(|c| c.is_alphanumeric())
    {
        return Some((end, Some(year as i32)));
    }
    Some((i, None))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A month's English name or three-letter abbreviation (`Sept` too).
fn month_name(chars: &[char], i: usize) -> Option<(usize, u32)> {
    let word: String = chars
        .iter()
        .skip(i)
        .take_while(|c| c.is_alphabetic())
        .collect();
    // Capitalised only: "may" is more often a verb than a month.
    if !word.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    let lower = word.to_lowercase();
    let mut end = i + word.chars().count();
    let index = MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(&lower)))
        .or_else(|| (lower == "sept").then_some(8))?;
    // "Mar." as an abbreviation.
    if lower.len() <= 4 && chars.get(end) == Some(&'.') {
        end += 1;
    }
    Some((end, index as u32 + 1))
}

fn day(year: i32, month: u32, day: u32) -> Option<DateReading> {
    chrono::NaiveDate::from_ymd_opt(year, month, day).map(|_| DateReading {
        year: Some(year),
        month,
        day: Some(day),
    })
}
