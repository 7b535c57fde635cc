//! Scores what happened in a case against its expectations. Every check
//! that fails adds a [`Failure`] with expected and actual; nothing stops
//! at the first failure.

use serde_json::Value;

use crate::case::{
    AnswerExpect, ArgsMatcher, Case, Expect, FieldMatcher, Limits, ProposalsExpect, ToolExpect,
};
use crate::numbers::{as_number, at_path, numbers_in};
use crate::result::{Failure, ProposalLog, ToolCallLog, TurnLog};

/// Every failed expectation of `case`, given its turns and cost.
pub fn score(case: &Case, turns: &[TurnLog], cost_usd: f64) -> Vec<Failure> {
    let mut failures = Vec::new();
    for (i, (expected, log)) in case.turns.iter().zip(turns).enumerate() {
        let mut sink = Sink {
            turn: Some(i + 1),
            failures: &mut failures,
        };
        turn(&expected.expect, log, &mut sink);
    }
    if turns.len() < case.turns.len() {
        failures.push(Failure {
            turn: None,
            check: "turns".into(),
            expected: format!("{} turns answered", case.turns.len()),
            actual: format!("{} answered", turns.len()),
        });
    }
    limits(&case.limits, turns, cost_usd, &mut failures);
    failures
}

struct Sink<'a> {
    turn: Option<usize>,
    failures: &'a mut Vec<Failure>,
}

impl Sink<'_> {
    fn fail(
        &mut self,
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) {
        self.failures.push(Failure {
            turn: self.turn,
            check: check.into(),
            expected: expected.into(),
            actual: actual.into(),
        });
    }
}

fn turn(expect: &Expect, log: &TurnLog, sink: &mut Sink<'_>) {
    tools_called(&expect.tools, &log.tool_calls, sink);
    for name in &expect.not_called {
        let count = log.tool_calls.iter().filter(|c| &c.name == name).count();
        if count > 0 {
            sink.fail(
                format!("not_called {name}"),
                "no call",
                format!("{count} call(s): {}", calls_of(&log.tool_calls, name)),
            );
        }
    }
    order(&expect.order, &log.tool_calls, sink);
    if let Some(max) = expect.max_tool_calls
        && log.tool_calls.len() > max
    {
        sink.fail(
            "max_tool_calls",
            format!("at most {max}"),
            format!("{} ({})", log.tool_calls.len(), names(&log.tool_calls)),
        );
    }
    answer(&expect.answer, log, sink);
    proposals(expect.proposals.as_ref(), &log.proposals, sink);
}

/// Each expected call must match a distinct actual call (first free match).
fn tools_called(expected: &[ToolExpect], calls: &[ToolCallLog], sink: &mut Sink<'_>) {
    let mut used = vec![false; calls.len()];
    for (i, want) in expected.iter().enumerate() {
        let same_name: Vec<usize> = calls
            .iter()
            .enumerate()
            .filter(|(j, c)| c.name == want.name && !used[*j])
            .map(|(j, _)| j)
            .collect();
        let check = format!("tools[{i}] {}", want.name);
        if same_name.is_empty() {
            sink.fail(check, "a call", format!("calls: {}", names(calls)));
            continue;
        }
        let mut problems = Vec::new();
        let found = same_name.iter().copied().find(|&j| {
            let call = &calls[j];
            let mut why = Vec::new();
            if let Some(args) = &want.args
                && let Err(problem) = args_match(args, &call.arguments)
            {
                why.push(problem);
            }
            if let Some(outcome) = &want.outcome
                && outcome != &call.outcome
            {
                why.push(format!("outcome {} instead of {outcome}", call.outcome));
            }
            let ok = why.is_empty();
            problems.extend(why);
            ok
        });
        match found {
            Some(j) => used[j] = true,
            None => sink.fail(
                check,
                describe_expectation(want),
                format!("{} ({})", calls_of(calls, &want.name), problems.join("; ")),
            ),
        }
    }
}

/// Whether `args` satisfies the matcher; the error says what differs.
pub fn args_match(matcher: &ArgsMatcher, args: &Value) -> Result<(), String> {
    match matcher {
        ArgsMatcher::Exact(want) => {
            if want == args {
                Ok(())
            } else {
                Err(format!("arguments are not exactly {want}"))
            }
        }
        ArgsMatcher::Subset(want) => subset(want, args, ""),
        ArgsMatcher::Fields(fields) => {
            for (path, matcher) in fields {
                let value = at_path(args, path);
                field_match(matcher, value).map_err(|why| format!("{path}: {why}"))?;
            }
            Ok(())
        }
    }
}

fn subset(want: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, value) in want {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match got.get(key) {
                    Some(actual) => subset(value, actual, &here)?,
                    None => return Err(format!("{here} is missing")),
                }
            }
            Ok(())
        }
        (want, got) if want == got => Ok(()),
        (want, got) => Err(format!(
            "{} is {got}, not {want}",
            if path.is_empty() { "arguments" } else { path }
        )),
    }
}

/// Whether one value satisfies a field matcher.
pub fn field_match(matcher: &FieldMatcher, value: Option<&Value>) -> Result<(), String> {
    let Some(value) = value else {
        return Err("missing".to_owned());
    };
    match matcher {
        FieldMatcher::Equals(want) => {
            if want == value {
                Ok(())
            } else {
                Err(format!("{value} is not {want}"))
            }
        }
        FieldMatcher::Regex(re) => {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if re.0.is_match(&text) {
                Ok(())
            } else {
                Err(format!("{text:?} does not match /{}/", re.0.as_str()))
            }
        }
        FieldMatcher::Number {
            value: want,
            tolerance,
        } => match as_number(value) {
            Some(got) if (got - want).abs() <= *tolerance => Ok(()),
            Some(got) => Err(format!("{got} is not {want} ± {tolerance}")),
            None => Err(format!("{value} is not a number")),
        },
    }
}

fn order(expected: &[String], calls: &[ToolCallLog], sink: &mut Sink<'_>) {
    if expected.is_empty() {
        return;
    }
    let firsts: Vec<Option<usize>> = expected
        .iter()
        .map(|name| calls.iter().position(|c| &c.name == name))
        .collect();
    let in_order = firsts.iter().all(Option::is_some) && firsts.windows(2).all(|w| w[0] < w[1]);
    if !in_order {
        sink.fail("order", expected.join(" then "), names(calls));
    }
}

fn answer(expect: &AnswerExpect, log: &TurnLog, sink: &mut Sink<'_>) {
    let lower = log.answer.to_lowercase();
    for text in &expect.contains {
        if !lower.contains(&text.to_lowercase()) {
            sink.fail("answer contains", format!("{text:?}"), excerpt(&log.answer));
        }
    }
    for text in &expect.not_contains {
        if lower.contains(&text.to_lowercase()) {
            sink.fail(
                "answer not_contains",
                format!("no {text:?}"),
                excerpt(&log.answer),
            );
        }
    }
    for re in &expect.matches {
        if !re.0.is_match(&log.answer) {
            sink.fail(
                "answer matches",
                format!("/{}/", re.0.as_str()),
                excerpt(&log.answer),
            );
        }
    }
    let stated = numbers_in(&log.answer);
    for number in &expect.numbers {
        let check = format!("answer number {}:{}", number.tool, number.path);
        let Some(call) = log.tool_calls.iter().rev().find(|c| c.name == number.tool) else {
            sink.fail(
                check,
                format!("a {} call to read from", number.tool),
                "no such call",
            );
            continue;
        };
        let Some(want) = at_path(&call.output, &number.path).and_then(as_number) else {
            sink.fail(
                check,
                format!("a number at {}", number.path),
                format!(
                    "{:?} in the tool output",
                    at_path(&call.output, &number.path)
                ),
            );
            continue;
        };
        if !stated.iter().any(|n| (n - want).abs() <= number.tolerance) {
            sink.fail(
                check,
                format!("{want} ± {}", number.tolerance),
                format!("numbers in the answer: {stated:?}"),
            );
        }
    }
}

fn proposals(expect: Option<&ProposalsExpect>, actual: &[ProposalLog], sink: &mut Sink<'_>) {
    // Always checked: nothing is executed without a person's approval.
    for proposal in actual.iter().filter(|p| p.status != "pending") {
        sink.fail(
            "proposals never executed",
            format!("{} pending approval", proposal.action),
            format!("status {}", proposal.status),
        );
    }
    let Some(expect) = expect else {
        return;
    };
    if expect.none && !actual.is_empty() {
        sink.fail(
            "proposals none",
            "no proposal",
            actual
                .iter()
                .map(|p| format!("{} on {} {:?}", p.action, p.target_model, p.target_ids))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let mut used = vec![false; actual.len()];
    for (i, want) in expect.created.iter().enumerate() {
        let found = actual.iter().enumerate().position(|(j, p)| {
            !used[j]
                && p.action == want.action
                && want
                    .target_model
                    .as_ref()
                    .is_none_or(|m| m == &p.target_model)
                && want
                    .target_ids
                    .as_ref()
                    .is_none_or(|ids| ids == &p.target_ids)
                && want
                    .preview_contains
                    .as_ref()
                    .is_none_or(|t| p.preview.to_lowercase().contains(&t.to_lowercase()))
        });
        match found {
            Some(j) => used[j] = true,
            None => sink.fail(
                format!("proposals.created[{i}]"),
                format!(
                    "{}{}{}",
                    want.action,
                    want.target_model
                        .as_ref()
                        .map(|m| format!(" on {m}"))
                        .unwrap_or_default(),
                    want.target_ids
                        .as_ref()
                        .map(|ids| format!(" {ids:?}"))
                        .unwrap_or_default()
                ),
                if actual.is_empty() {
                    "no proposal".to_owned()
                } else {
                    actual
                        .iter()
                        .map(|p| format!("{} on {} {:?}", p.action, p.target_model, p.target_ids))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
        }
    }
}

fn limits(limits: &Limits, turns: &[TurnLog], cost_usd: f64, failures: &mut Vec<Failure>) {
    if let Some(max) = limits.turns {
        for (i, turn) in turns.iter().enumerate() {
            if turn.iterations > max {
                failures.push(Failure {
                    turn: Some(i + 1),
                    check: "limits.turns".into(),
                    expected: format!("at most {max} model calls"),
                    actual: turn.iterations.to_string(),
                });
            }
        }
    }
    let tokens: u64 = turns.iter().map(|t| t.input_tokens + t.output_tokens).sum();
    if let Some(max) = limits.tokens
        && tokens > max
    {
        failures.push(Failure {
            turn: None,
            check: "limits.tokens".into(),
            expected: format!("at most {max}"),
            actual: tokens.to_string(),
        });
    }
    if let Some(max) = limits.cost_usd
        && cost_usd > max
    {
        failures.push(Failure {
            turn: None,
            check: "limits.cost_usd".into(),
            expected: format!("at most {max:.4}"),
            actual: format!("{cost_usd:.4}"),
        });
    }
}

fn describe_expectation(want: &ToolExpect) -> String {
    let mut parts = vec![format!("a {} call", want.name)];
    if let Some(args) = &want.args {
        parts.push(match args {
            ArgsMatcher::Exact(v) => format!("with exactly {v}"),
            ArgsMatcher::Subset(v) => format!("with {v}"),
            ArgsMatcher::Fields(f) => {
                format!("with {}", f.keys().cloned().collect::<Vec<_>>().join(", "))
            }
        });
    }
    if let Some(outcome) = &want.outcome {
        parts.push(format!("ending {outcome}"));
    }
    parts.join(" ")
}

fn names(calls: &[ToolCallLog]) -> String {
    if calls.is_empty() {
        return "none".to_owned();
    }
    calls
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn calls_of(calls: &[ToolCallLog], name: &str) -> String {
    calls
        .iter()
        .filter(|c| c.name == name)
        .map(|c| format!("{}({}) -> {}", c.name, c.arguments, c.outcome))
        .collect::<Vec<_>>()
        .join("; ")
}

fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(MAX).collect();
    format!("{cut:?}…")
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
