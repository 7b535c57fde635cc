//! The judge: a model that grades a case's conversation against its rubric
//! in live runs (a replay has no model to ask, so rubrics are skipped there).
//!
//! The question is the `evals/judge` template from `prompts/`; the judge
//! must answer with one JSON object `{"pass", "score", "reason"}`. Whatever
//! goes wrong (the provider fails, the answer is not that object) comes
//! back as a [`JudgeError`] that the runner turns into a failed rubric
//! naming the reason: a broken judge never stops a run.

use std::sync::Arc;

use agent::prompt::{PromptError, PromptRef, Prompts};
use agent::provider::{
    ChatRequest, ContentBlock, Message, Provider, ProviderError, RetryPolicy, collect,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::result::{JudgeLog, TurnLog};

/// Name of the judge's prompt template.
pub const JUDGE_PROMPT: &str = "evals/judge";
/// Room for a verdict of a few sentences, with margin for a chatty judge.
const MAX_VERDICT_TOKENS: u32 = 1024;
/// How much of an unusable answer a failure quotes.
const QUOTE_CHARS: usize = 300;

/// What the judge decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the answers meet the rubric; a `false` fails the case.
    pub pass: bool,
    /// How well, from 0 to 1.
    pub score: f64,
    /// Why, in the judge's words.
    pub reason: String,
}

/// Why no verdict came back. The runner reports it as a failed rubric.
#[derive(Debug, Error)]
pub enum JudgeError {
    /// The template could not be rendered (a broken working copy).
    #[error("judge prompt: {0}")]
    Prompt(#[from] PromptError),
    /// The judge's provider failed, after the usual retries.
    #[error("judge model call failed: {0}")]
    Provider(#[from] ProviderError),
    /// The judge answered, but not with a verdict.
    #[error("judge answer is not a verdict ({problem}); it said: {quote}")]
    InvalidVerdict { problem: String, quote: String },
}

impl JudgeError {
    /// Stable label for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Prompt(_) => "judge_prompt",
            Self::Provider(_) => "judge_provider",
            Self::InvalidVerdict { .. } => "judge_invalid_verdict",
        }
    }
}

/// A judge model and the prompt it is asked with.
pub struct Judge {
    provider: Arc<dyn Provider>,
    model: String,
    prompts: Arc<Prompts>,
    retry: RetryPolicy,
}

impl Judge {
    /// A judge asking `model` through `provider` with the `evals/judge`
    /// template of `prompts`; fails when the template is missing or does
    /// not render with the documented variables.
    pub fn new(
        provider: Arc<dyn Provider>,
        model: impl Into<String>,
        prompts: Arc<Prompts>,
    ) -> Result<Self, JudgeError> {
        let judge = Self {
            provider,
            model: model.into(),
            prompts,
            retry: RetryPolicy::default(),
        };
        judge.question("a trial rubric", &[])?;
        Ok(judge)
    }

    /// `provider/model`, as reports name the judge.
    pub fn label(&self) -> String {
        format!("{}/{}", self.provider.name(), self.model)
    }

    /// Grades the conversation `turns` against `rubric`; never panics and
    /// always says what happened, verdict or error.
    pub async fn grade(&self, rubric: &str, turns: &[TurnLog]) -> JudgeLog {
        let mut log = JudgeLog {
            judge: self.label(),
            prompt: String::new(),
            verdict: None,
            error: None,
            input_tokens: 0,
            output_tokens: 0,
        };
        match self.ask(rubric, turns, &mut log).await {
            Ok(verdict) => log.verdict = Some(verdict),
            Err(err) => {
                tracing::warn!(error = %err, error.kind = err.kind(), "judge gave no verdict");
                log.error = Some(err.to_string());
            }
        }
        log
    }

    async fn ask(
        &self,
        rubric: &str,
        turns: &[TurnLog],
        log: &mut JudgeLog,
    ) -> Result<Verdict, JudgeError> {
        let (prompt, text) = self.question(rubric, turns)?;
        log.prompt = prompt.to_string();
        let request = ChatRequest {
            model: self.model.clone(),
            system: String::new(),
            messages: vec![Message::user_text(text)],
            tools: Arc::from([]),
            max_tokens: MAX_VERDICT_TOKENS,
            prompts: vec![prompt],
        };
        let stream = self.retry.stream(self.provider.as_ref(), &request).await?;
        let answer = collect(stream).await?;
        log.input_tokens = answer.usage.input_tokens;
        log.output_tokens = answer.usage.output_tokens;
        let said: String = answer
            .blocks
            .iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text.as_str()),
                ContentBlock::ToolUse { .. } | ContentBlock::ToolResult { .. } => None,
            })
            .collect();
        parse_verdict(&said)
    }

    /// The rendered question and the template it came from.
    fn question(&self, rubric: &str, turns: &[TurnLog]) -> Result<(PromptRef, String), JudgeError> {
        let conversation: Vec<Value> = turns.iter().map(turn_value).collect();
        let answer = turns.last().map(|t| t.answer.as_str()).unwrap_or_default();
        let mut vars = serde_json::Map::new();
        vars.insert("rubric".into(), Value::String(rubric.to_owned()));
        vars.insert("conversation".into(), Value::Array(conversation));
        vars.insert("answer".into(), Value::String(answer.to_owned()));
        Ok(self.prompts.render(JUDGE_PROMPT, &vars)?)
    }
}

/// Reads a verdict from the judge's text: one JSON object, tolerating a
/// Markdown code fence or a sentence around it (models add them even when
/// told not to), but nothing less than the three fields with their types.
pub fn parse_verdict(said: &str) -> Result<Verdict, JudgeError> {
    let invalid = |problem: String| JudgeError::InvalidVerdict {
        problem,
        quote: quote(said),
    };
    let object = match (said.find('{'), said.rfind('}')) {
        (Some(start), Some(end)) if start < end => &said[start..=end],
        _ => return Err(invalid("no JSON object".into())),
    };
    let verdict: Verdict =
        serde_json::from_str(object).map_err(|err| invalid(format!("invalid JSON: {err}")))?;
    if !(0.0..=1.0).contains(&verdict.score) {
        return Err(invalid(format!(
            "score {} is outside 0 to 1",
            verdict.score
        )));
    }
    if verdict.reason.trim().is_empty() {
        return Err(invalid("the reason is empty".into()));
    }
    Ok(verdict)
}

/// One turn as the template sees it.
fn turn_value(turn: &TurnLog) -> Value {
    let calls: Vec<Value> = turn
        .tool_calls
        .iter()
        .map(|call| {
            serde_json::json!({
                "name": call.name,
                "arguments": call.arguments.to_string(),
                "outcome": call.outcome,
            })
        })
        .collect();
    serde_json::json!({"user": turn.user, "answer": turn.answer, "tool_calls": calls})
}

fn quote(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return "nothing".to_owned();
    }
    let mut quoted: String = text.chars().take(QUOTE_CHARS).collect();
    if quoted.len() < text.len() {
        quoted.push('…');
    }
    format!("{quoted:?}")
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::result::ToolCallLog;

    fn turn(user: &str, answer: &str) -> TurnLog {
        TurnLog {
            user: user.into(),
            answer: answer.into(),
            status: "completed".into(),
            error: None,
            iterations: 2,
            input_tokens: 0,
            output_tokens: 0,
            tool_calls: vec![ToolCallLog {
                name: "credit_check".into(),
                arguments: serde_json::json!({"partner_id": 20}),
                outcome: "ok".into(),
                output: Value::Null,
            }],
            proposals: Vec::new(),
        }
    }

    #[test]
    fn a_verdict_is_read_from_plain_or_fenced_json() {
        let expected = Verdict {
            pass: false,
            score: 0.25,
            reason: "No hold was recommended.".into(),
        };
        for said in [
            r#"{"pass": false, "score": 0.25, "reason": "No hold was recommended."}"#,
            "```json\n{\"pass\": false, \"score\": 0.25, \"reason\": \"No hold was recommended.\"}\n```",
            "Verdict: {\"pass\": false, \"score\": 0.25, \"reason\": \"No hold was recommended.\"}",
        ] {
            assert_eq!(parse_verdict(said).unwrap(), expected, "{said}");
        }
    }

    #[test]
    fn anything_but_a_complete_verdict_is_an_error_quoting_the_answer() {
        for (said, problem) in [
            ("I think it is fine.", "no JSON object"),
            (
                r#"{"pass": "yes", "score": 1, "reason": "ok"}"#,
                "invalid JSON",
            ),
            (r#"{"pass": true, "reason": "ok"}"#, "missing field `score`"),
            (
                r#"{"pass": true, "score": 7, "reason": "ok"}"#,
                "outside 0 to 1",
            ),
            (
                r#"{"pass": true, "score": 1, "reason": " "}"#,
                "reason is empty",
            ),
        ] {
            let err = parse_verdict(said).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(problem), "{said}: {text}");
            assert!(text.contains("it said: \""), "{text}");
            assert_eq!(err.kind(), "judge_invalid_verdict");
        }
    }

    #[test]
    fn the_question_holds_the_rubric_every_turn_and_the_last_answer() {
        let judge = Judge::new(
            Arc::new(agent::provider::ReplayProvider::from_cassettes(
                std::path::Path::new("none"),
                Vec::new(),
            )),
            "judge-model",
            Arc::new(Prompts::embedded().unwrap()),
        )
        .unwrap();
        let turns = [
            turn("Is Curlew Foods OK?", "Exposure is 12,000 EUR."),
            turn("And Lynn?", "Lynn is over its limit: hold advised."),
        ];
        let (prompt, text) = judge.question("Recommends a hold.", &turns).unwrap();
        assert_eq!(prompt.to_string(), "evals/judge.v1");
        for part in [
            "<rubric>\nRecommends a hold.\n</rubric>",
            "[turn 1] Person: Is Curlew Foods OK?",
            "[turn 1] Tool call: credit_check {\"partner_id\":20} -> ok",
            "[turn 2] Assistant: Lynn is over its limit: hold advised.",
            "<last_answer>\nLynn is over its limit: hold advised.\n</last_answer>",
        ] {
            assert!(text.contains(part), "missing {part:?} in:\n{text}");
        }
        assert!(!text.contains("Variables:"), "template comment leaked");
        assert_eq!(judge.label(), "replay/judge-model");
    }
}
