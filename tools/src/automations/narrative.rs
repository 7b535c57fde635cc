//! Narrative text over a finished result (spec 0.7): a model may write a
//! headline and a short summary, but every number and date it cites must
//! appear in the data it was given, allowing for how numbers are written
//! (separators of either locale, a currency symbol, a sign, `%`, rounding
//! to the precision shown, `12k`). Anything else (a number the data does
//! not hold, text over its limits, no model, a model failure) gives the
//! template text, with a warning saying why when a model was asked.
//!
//! The model itself stays outside the tools crate: the agent plugs one in
//! through [`NarrativeProvider`]; every tool works without one.

mod cited;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::cited::{Cited, CitedDate, CitedNumber, DateReading, Sign, scan};
use super::envelope::Warning;

/// Warning code when a model's narrative was refused for the template.
pub const NARRATIVE_REJECTED: &str = "NARRATIVE_REJECTED";
/// Warning code when the model could not be asked or gave no usable answer.
pub const NARRATIVE_UNAVAILABLE: &str = "NARRATIVE_UNAVAILABLE";

/// A headline and a short summary, as a model returns them (the schema the
/// model is held to) or as a template fills them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NarrativeText {
    pub headline: String,
    pub summary: String,
}

impl NarrativeText {
    /// Reads a model's JSON answer against the schema: exactly `headline`
    /// and `summary`, both strings.
    pub fn from_json(value: Value) -> Result<Self, NarrativeError> {
        serde_json::from_value(value).map_err(|err| NarrativeError::Malformed(err.to_string()))
    }
}

/// Who wrote the narrative a result carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedBy {
    Llm,
    Template,
}

/// The shape a narrative must keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeLimits {
    pub headline_max_chars: usize,
    /// Fewest and most sentences in the summary.
    pub summary_sentences: (usize, usize),
    /// Most words of headline and summary together.
    pub max_words: usize,
    /// Phrases the text may not use (lower case), such as comparisons the
    /// data does not compute.
    pub forbidden: &'static [&'static str],
}

/// What a provider writes from: the finished result, the template it
/// replaces, and the limits it must keep.
#[derive(Debug, Clone, Copy)]
pub struct NarrativeRequest<'a> {
    pub tool: &'a str,
    /// The finished result; the only source of numbers.
    pub data: &'a Value,
    pub template: &'a NarrativeText,
    pub limits: &'a NarrativeLimits,
}

/// Why a provider gave no narrative.
#[derive(Debug, thiserror::Error)]
pub enum NarrativeError {
    /// The model could not be reached or refused; the template is used.
    #[error("narrative model unavailable: {0}")]
    Unavailable(String),
    /// The model answered outside the schema; the template is used.
    #[error("narrative does not match its schema: {0}")]
    Malformed(String),
}

/// Writes narrative text with a language model.
#[async_trait]
pub trait NarrativeProvider: Send + Sync {
    async fn write(&self, request: &NarrativeRequest<'_>) -> Result<NarrativeText, NarrativeError>;
}

/// The narrative a result carries and, when a model's text was not used,
/// why.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrated {
    pub text: NarrativeText,
    pub generated_by: GeneratedBy,
    pub warning: Option<Warning>,
}

/// Why a narrative was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("it cites {0}, which is not in the data")]
    UnknownNumber(String),
    #[error("it cites the date {0}, which is not in the data")]
    UnknownDate(String),
    #[error("the headline is empty or longer than {0} characters")]
    Headline(usize),
    #[error("the summary has {found} sentences, not {min} to {max}")]
    Sentences {
        found: usize,
        min: usize,
        max: usize,
    },
    #[error("it has {found} words, more than {max}")]
    Words { found: usize, max: usize },
    #[error("it uses the phrase {0:?}")]
    Forbidden(&'static str),
}

/// The model's text when there is a provider and its text passes
/// [`check`], else the template.
pub async fn narrate(
    provider: Option<&dyn NarrativeProvider>,
    request: NarrativeRequest<'_>,
) -> Narrated {
    let template = || request.template.clone();
    let Some(provider) = provider else {
        return Narrated {
            text: template(),
            generated_by: GeneratedBy::Template,
            warning: None,
        };
    };
    let fallback = |code: &str, why: String| Narrated {
        text: template(),
        generated_by: GeneratedBy::Template,
        warning: Some(Warning::new(
            code,
            format!("{why}; the template narrative is used"),
        )),
    };
    let text = match provider.write(&request).await {
        Ok(text) => text,
        Err(err) => {
            tracing::warn!(error = %err, tool = request.tool, "narrative not written");
            return fallback(NARRATIVE_UNAVAILABLE, err.to_string());
        }
    };
    match check(&text, request.data, request.limits) {
        Ok(()) => Narrated {
            text,
            generated_by: GeneratedBy::Llm,
            warning: None,
        },
        Err(rejection) => {
            tracing::warn!(reason = %rejection, tool = request.tool, "narrative rejected");
            fallback(
                NARRATIVE_REJECTED,
                format!("the model's narrative was refused: {rejection}"),
            )
        }
    }
}

/// Accepts `text` when it keeps `limits` and every number and date it
/// cites appears in `data`.
pub fn check(
    text: &NarrativeText,
    data: &Value,
    limits: &NarrativeLimits,
) -> Result<(), Rejection> {
    let headline = text.headline.trim();
    if headline.is_empty() || headline.chars().count() > limits.headline_max_chars {
        return Err(Rejection::Headline(limits.headline_max_chars));
    }
    let found = sentences(&text.summary);
    let (min, max) = limits.summary_sentences;
    if !(min..=max).contains(&found) {
        return Err(Rejection::Sentences { found, min, max });
    }
    let words = text.headline.split_whitespace().count() + text.summary.split_whitespace().count();
    if words > limits.max_words {
        return Err(Rejection::Words {
            found: words,
            max: limits.max_words,
        });
    }
    let lower = format!("{}\n{}", text.headline, text.summary).to_lowercase();
    if let Some(phrase) = limits.forbidden.iter().find(|p| lower.contains(**p)) {
        return Err(Rejection::Forbidden(phrase));
    }
    let facts = Facts::of(data);
    for cited in scan(&text.headline).into_iter().chain(scan(&text.summary)) {
        match cited {
            Cited::Number(number) if !facts.has_number(&number) => {
                return Err(Rejection::UnknownNumber(number.text));
            }
            Cited::Date(date) if !facts.has_date(&date) => {
                return Err(Rejection::UnknownDate(date.text));
            }
            Cited::Number(_) | Cited::Date(_) => {}
        }
    }
    Ok(())
}

/// Sentences in `text`: runs ended by `.`, `!` or `?` before a space or
/// the end (a decimal point is not an end), plus an unended last run.
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut count = 0;
    let mut open = false;
    for (i, c) in chars.iter().enumerate() {
        let ends = matches!(c, '.' | '!' | '?')
            && chars.get(i + 1).is_none_or(|next| next.is_whitespace());
        if ends {
            if open {
                count += 1;
            }
            open = false;
        } else if c.is_alphanumeric() {
            open = true;
        }
    }
    count + usize::from(open)
}

/// The numbers and dates a result holds.
#[derive(Debug, Default)]
struct Facts {
    numbers: Vec<Decimal>,
    dates: Vec<DateReading>,
}

impl Facts {
    fn of(data: &Value) -> Self {
        let mut facts = Facts::default();
        facts.collect(data);
        facts.numbers.sort();
        facts.numbers.dedup();
        facts.dates.sort();
        facts.dates.dedup();
        facts
    }

    fn collect(&mut self, value: &Value) {
        match value {
            Value::Number(n) => {
                let text = n.to_string();
                if let Ok(d) = text
                    .parse::<Decimal>()
                    .or_else(|_| Decimal::from_scientific(&text))
                {
                    self.numbers.push(d);
                }
            }
            Value::String(s) => {
                // Decimals are serialised as strings ("1234.50").
                if let Ok(d) = s.trim().parse::<Decimal>() {
                    self.numbers.push(d);
                }
                for cited in scan(s) {
                    match cited {
                        Cited::Number(n) => {
                            for r in n.readings {
                                self.numbers.push(match n.sign {
                                    Sign::Negative => -r.value,
                                    Sign::Unsigned | Sign::Positive => r.value,
                                });
                            }
                        }
                        Cited::Date(d) => self.dates.extend(d.readings),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => map.values().for_each(|v| self.collect(v)),
            Value::Null | Value::Bool(_) => {}
        }
    }

    /// Some reading of `number` is a data value as shown: rounded to the
    /// places written, with its sign if written, or as a percentage of a
    /// ratio when followed by `%`.
    fn has_number(&self, number: &CitedNumber) -> bool {
        self.numbers.iter().any(|&d| {
            let scaled = [Some(d), number.percent.then(|| d * Decimal::ONE_HUNDRED)];
            scaled.into_iter().flatten().any(|d| {
                let target = match number.sign {
                    Sign::Unsigned => d.abs(),
                    Sign::Negative if d < Decimal::ZERO => d.abs(),
                    Sign::Positive if d > Decimal::ZERO => d,
                    Sign::Negative | Sign::Positive => return false,
                };
                number.readings.iter().any(|r| {
                    // "0" stands for zero, not for anything that rounds to it.
                    rounded(target, r.places) == r.value
                        && (r.value != Decimal::ZERO || target == Decimal::ZERO)
                })
            })
        })
    }

    fn has_date(&self, date: &CitedDate) -> bool {
        date.readings.iter().any(|cited| {
            self.dates.iter().any(|known| {
                cited.month == known.month
                    && (cited.year.is_none() || cited.year == known.year)
                    && (cited.day.is_none() || cited.day == known.day)
            })
        })
    }
}

/// `value` rounded half away from zero to `places` decimals; negative
/// places round to tens, thousands, ...
fn rounded(value: Decimal, places: i32) -> Decimal {
    if places >= 0 {
        return value.round_dp_with_strategy(places as u32, RoundingStrategy::MidpointAwayFromZero);
    }
    let unit = Decimal::from(10_i64.pow(places.unsigned_abs().min(18)));
    (value / unit).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * unit
}
