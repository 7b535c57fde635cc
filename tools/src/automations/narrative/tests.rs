use std::sync::Mutex;

use pretty_assertions::assert_eq;
use serde_json::json;

use super::cited::{Cited, Reading, Sign, scan};
use super::*;

const LIMITS: NarrativeLimits = NarrativeLimits {
    headline_max_chars: 120,
    summary_sentences: (2, 3),
    max_words: 500,
    forbidden: &["yesterday"],
};

fn data() -> Value {
    json!({
        "date": "2026-03-16",
        "metrics": [
            {"key": "overdue_receivables", "value": "12345.67", "display": "€12,345.67",
             "previous": "10000.00", "change_pct": 23.5},
            {"key": "open_payables", "value": "-4800.00", "change_pct": -4.0},
            {"key": "pipeline_count", "value": 17},
            {"key": "win_rate", "value": 0.125},
            {"key": "cash", "value": "1250000.00"}
        ],
        "attention": [{"title": "3 overdue customer invoices, total €12,345.67",
                       "detail": "oldest due 2026-02-01T00:00:00Z"}],
        "period": "2026-02"
    })
}

fn text(headline: &str, summary: &str) -> NarrativeText {
    NarrativeText {
        headline: headline.to_owned(),
        summary: summary.to_owned(),
    }
}

/// Checks `summary` under a plain headline.
fn summary_ok(summary: &str) -> Result<(), Rejection> {
    check(&text("CFO briefing", summary), &data(), &LIMITS)
}

fn number(text: &str) -> super::cited::CitedNumber {
    match scan(text).as_slice() {
        [Cited::Number(n)] => n.clone(),
        other => panic!("{text:?} scanned as {other:?}"),
    }
}

fn values(text: &str) -> Vec<Decimal> {
    number(text).readings.iter().map(|r| r.value).collect()
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn separators_of_either_locale_are_read() {
    assert_eq!(values("12,345.67"), vec![d("12345.67")]);
    assert_eq!(values("12.345,67"), vec![d("12345.67")]);
    assert_eq!(values("1'250'000.00"), vec![d("1250000.00")]);
    assert_eq!(values("1\u{202f}250\u{202f}000,00"), vec![d("1250000.00")]);
    assert_eq!(values("1.250.000"), vec![d("1250000")]);
    // One separator before three digits is a thousand or a decimal point.
    assert_eq!(values("1,234"), vec![d("1234"), d("1.234")]);
    assert_eq!(values("0,125"), vec![d("0.125")]);
    assert_eq!(values("23.5"), vec![d("23.5")]);
    assert_eq!(
        number("23.50").readings,
        vec![Reading {
            value: d("23.50"),
            places: 2
        }]
    );
}

#[test]
fn signs_symbols_percentages_and_magnitudes_are_read() {
    let n = number("-€4,800");
    assert_eq!((n.sign, n.readings[0].value), (Sign::Negative, d("4800")));
    assert_eq!(number("€−4,800.00").sign, Sign::Negative);
    assert_eq!(number("+23.5 %").sign, Sign::Positive);
    assert!(number("+23.5 %").percent);
    assert!(number("12.5%").percent);
    let k = number("12.3k");
    assert_eq!(
        k.readings[0],
        Reading {
            value: d("12300"),
            places: -2
        }
    );
    assert_eq!(values("1.25 million"), vec![d("1250000")]);
    assert_eq!(values("3rd"), vec![d("3")]);
    // A dash between numbers or before a word is not a minus.
    let parts: Vec<Sign> = scan("2-3 items, a 7-day window")
        .into_iter()
        .map(|c| match c {
            Cited::Number(n) => n.sign,
            Cited::Date(_) => panic!("no dates here"),
        })
        .collect();
    assert_eq!(parts, vec![Sign::Unsigned; 3]);
}

#[test]
fn dates_are_read_in_every_common_form() {
    for written in [
        "2026-03-16",
        "16/03/2026",
        "03/16/2026",
        "16.03.2026",
        "16 March 2026",
        "16th March",
        "March 16, 2026",
        "Mar 16",
    ] {
        match scan(written).as_slice() {
            [Cited::Date(date)] => {
                assert!(
                    date.readings
                        .iter()
                        .any(|r| r.month == 3 && r.day == Some(16)),
                    "{written}: {date:?}"
                );
            }
            other => panic!("{written:?} scanned as {other:?}"),
        }
    }
    // "may" as a verb is not a month.
    assert!(matches!(scan("we may 5").as_slice(), [Cited::Number(_)]));
}

#[test]
fn numbers_present_in_the_data_pass_in_any_formatting() {
    for summary in [
        "Overdue receivables are €12,345.67. They rose 23.5% to 12.345,67 EUR.",
        "Receivables of 12,346 are overdue. That is up +23.5 % from 10,000.",
        "Overdue: EUR 12.3k across 3 invoices. Cash stands at €1.25 million.",
        "Payables are −€4,800.00, down 4%. Pipeline holds 17 deals.",
        "The win rate is 12.5%. It was 0.125 as a ratio.",
        "Payables of 4,800 are open. The oldest invoice was due on 1 February 2026.",
        "Today is March 16, 2026. February 2026 is not closed yet.",
    ] {
        assert_eq!(summary_ok(summary), Ok(()), "{summary}");
    }
}

#[test]
fn a_number_not_in_the_data_is_refused_and_named() {
    for (summary, cited) in [
        (
            "Overdue receivables are €12,500.00. They rose sharply.",
            "€12,500.00",
        ),
        ("Receivables rose 25%. Act today.", "25%"),
        ("Overdue: 12.4k. Act today.", "12.4k"),
        ("Pipeline holds 18 deals. Act today.", "18"),
        // The data has −4,800 and +4,800 nowhere: the sign matters once written.
        ("Payables are +4,800. Act today.", "+4,800"),
        ("Receivables are -€12,345.67. Act today.", "-€12,345.67"),
    ] {
        assert_eq!(
            summary_ok(summary),
            Err(Rejection::UnknownNumber(cited.to_owned())),
            "{summary}"
        );
    }
}

#[test]
fn zero_stands_for_zero_not_for_a_small_value() {
    let data = json!({"change_pct": 0.3});
    let summary = text("Briefing", "Nothing changed: 0 invoices. Act now.");
    assert_eq!(
        check(&summary, &data, &LIMITS),
        Err(Rejection::UnknownNumber("0".to_owned()))
    );
    assert_eq!(check(&summary, &json!({"count": 0}), &LIMITS), Ok(()));
}

#[test]
fn a_date_not_in_the_data_is_refused() {
    assert_eq!(
        summary_ok("The oldest invoice was due on 2026-02-02. Act today."),
        Err(Rejection::UnknownDate("2026-02-02".to_owned()))
    );
    assert_eq!(
        summary_ok("Due since 5 March. Act today."),
        Err(Rejection::UnknownDate("5 March".to_owned()))
    );
}

#[test]
fn numbers_quoted_inside_data_strings_count() {
    let data = json!({"title": "Invoice INV/2026/0042 for 7 pallets"});
    let ok = check(
        &text("INV/2026/0042", "It covers 7 pallets. It is open."),
        &data,
        &LIMITS,
    );
    assert_eq!(ok, Ok(()));
}

#[test]
fn the_shape_is_checked() {
    let long = "x".repeat(121);
    assert_eq!(
        check(&text(&long, "One. Two."), &data(), &LIMITS),
        Err(Rejection::Headline(120))
    );
    assert_eq!(
        check(&text(" ", "One. Two."), &data(), &LIMITS),
        Err(Rejection::Headline(120))
    );
    assert_eq!(
        summary_ok("Only one sentence with 17 deals."),
        Err(Rejection::Sentences {
            found: 1,
            min: 2,
            max: 3
        })
    );
    assert_eq!(
        summary_ok("One. Two! Three? Four."),
        Err(Rejection::Sentences {
            found: 4,
            min: 2,
            max: 3
        })
    );
    // A decimal point does not end a sentence.
    assert_eq!(summary_ok("Up 23.5 percent. Fine"), Ok(()));
    let wordy = format!("{}. End.", "word ".repeat(500).trim_end());
    assert_eq!(
        summary_ok(&wordy),
        Err(Rejection::Words {
            found: 503,
            max: 500
        })
    );
    assert_eq!(
        summary_ok("Receivables rose since Yesterday. Act now."),
        Err(Rejection::Forbidden("yesterday"))
    );
}

#[test]
fn model_answers_are_held_to_the_schema() {
    let ok = NarrativeText::from_json(json!({"headline": "h", "summary": "s"})).unwrap();
    assert_eq!(ok, text("h", "s"));
    let extra = NarrativeText::from_json(json!({"headline": "h", "summary": "s", "x": 1}));
    assert!(matches!(extra, Err(NarrativeError::Malformed(_))));
    let missing = NarrativeText::from_json(json!({"headline": "h"}));
    assert!(matches!(missing, Err(NarrativeError::Malformed(_))));
}

/// Answers with a fixed result and records what it was asked.
struct Scripted {
    answer: Result<NarrativeText, String>,
    asked: Mutex<Vec<String>>,
}

#[async_trait]
impl NarrativeProvider for Scripted {
    async fn write(&self, request: &NarrativeRequest<'_>) -> Result<NarrativeText, NarrativeError> {
        self.asked.lock().unwrap().push(request.tool.to_owned());
        self.answer.clone().map_err(NarrativeError::Unavailable)
    }
}

fn scripted(answer: Result<NarrativeText, String>) -> Scripted {
    Scripted {
        answer,
        asked: Mutex::new(Vec::new()),
    }
}

async fn run(provider: Option<&dyn NarrativeProvider>) -> Narrated {
    let data = data();
    let template = text("CFO briefing — 2026-03-16", "Template. Text.");
    narrate(
        provider,
        NarrativeRequest {
            tool: "daily_digest",
            data: &data,
            template: &template,
            limits: &LIMITS,
        },
    )
    .await
}

#[tokio::test]
async fn without_a_provider_the_template_is_used_quietly() {
    let narrated = run(None).await;
    assert_eq!(narrated.generated_by, GeneratedBy::Template);
    assert_eq!(narrated.text.summary, "Template. Text.");
    assert_eq!(narrated.warning, None);
}

#[tokio::test]
async fn a_valid_narrative_is_kept() {
    let good = text(
        "Overdue up 23.5%",
        "Overdue receivables are €12,345.67. Chase them.",
    );
    let provider = scripted(Ok(good.clone()));
    let narrated = run(Some(&provider)).await;
    assert_eq!(narrated.text, good);
    assert_eq!(narrated.generated_by, GeneratedBy::Llm);
    assert_eq!(narrated.warning, None);
    assert_eq!(*provider.asked.lock().unwrap(), vec!["daily_digest"]);
}

#[tokio::test]
async fn a_narrative_with_a_wrong_number_gives_the_template_and_a_warning() {
    let provider = scripted(Ok(text(
        "Overdue up 30%",
        "Overdue receivables are €12,345.67. Chase them.",
    )));
    let narrated = run(Some(&provider)).await;
    assert_eq!(narrated.generated_by, GeneratedBy::Template);
    assert_eq!(narrated.text.headline, "CFO briefing — 2026-03-16");
    let warning = narrated.warning.unwrap();
    assert_eq!(warning.code, NARRATIVE_REJECTED);
    assert!(warning.message.contains("30%"), "{}", warning.message);
}

#[tokio::test]
async fn a_failing_provider_gives_the_template_and_a_warning() {
    let provider = scripted(Err("rate limited".to_owned()));
    let narrated = run(Some(&provider)).await;
    assert_eq!(narrated.generated_by, GeneratedBy::Template);
    let warning = narrated.warning.unwrap();
    assert_eq!(warning.code, NARRATIVE_UNAVAILABLE);
    assert!(warning.message.contains("rate limited"));
}
