//! Runs cases through the real agent loop: each case gets its own runtime
//! (real tools, demo company, in-memory database) and a provider that
//! replays its cassette, or a live provider whose exchanges may be recorded.
//! In live runs a judge model grades the cases' rubrics.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use agent::proposals::StoredProposal;
use agent::provider::{Matching, Provider, RecordingProvider, ReplayProvider, Scrubber};
use agent::store::{ThreadId, TurnStatus};
use agent::turn::TurnRequest;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::case::{Case, CaseError, Loaded};
use crate::cassettes::{RecordedCassette, Unwritten, read_cassette, write_cassettes};
use crate::judge::Judge;
use crate::result::{CaseResult, Failure, ProposalLog, Status, SuiteResult, ToolCallLog, TurnLog};
use crate::score::score;
use crate::world::{Companies, case_runtime};

/// Makes the provider of one case (live runs).
pub type ProviderFactory = Arc<dyn Fn(&Case) -> Result<Arc<dyn Provider>, String> + Send + Sync>;

/// A case's provider, the replay or recorder behind it, and the model name.
type CaseProvider = (
    Arc<dyn Provider>,
    Option<Arc<ReplayProvider>>,
    Option<Arc<RecordingProvider>>,
    String,
);

/// Where answers come from.
#[derive(Clone)]
pub enum Mode {
    /// From `cassettes/<case id>.json`, matched exactly (the default).
    Replay { cassettes: PathBuf },
    /// From a live provider; nothing is written.
    Live {
        provider: ProviderFactory,
        provider_name: String,
        model: String,
    },
    /// From a live provider; each case's exchanges are written to
    /// `cassettes/<case id>.json` (or the case's `cassette`; cases naming
    /// the same cassette share the file), scrubbed.
    Record {
        cassettes: PathBuf,
        provider: ProviderFactory,
        provider_name: String,
        model: String,
        scrubber: Arc<Scrubber>,
    },
}

/// US dollars per million tokens, to estimate cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prices {
    pub input_per_mtok: f64,
    pub output_per_mtok: f64,
}

impl Prices {
    pub fn cost(&self, input: u64, output: u64) -> f64 {
        (input as f64 * self.input_per_mtok + output as f64 * self.output_per_mtok) / 1e6
    }
}

/// How to run.
#[derive(Clone)]
pub struct RunOptions {
    pub mode: Mode,
    /// Cases run at the same time (at least 1).
    pub jobs: usize,
    pub prices: Prices,
    /// Draw a progress bar on a terminal.
    pub progress: bool,
    /// Grades rubrics in live and record runs; without one they are
    /// skipped, as in replay.
    pub judge: Option<Arc<Judge>>,
}

impl Mode {
    /// `replay`, `live` or `record`, as results name the mode.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Replay { .. } => "replay",
            Self::Live { .. } => "live",
            Self::Record { .. } => "record",
        }
    }
}

/// Runs every loaded case; malformed files become error results.
pub async fn run(loaded: Loaded, companies: Arc<Companies>, options: &RunOptions) -> SuiteResult {
    let started = Instant::now();
    let bar = if options.progress {
        let bar = ProgressBar::new((loaded.cases.len() + loaded.errors.len()) as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed} {msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut results: Vec<CaseResult> = loaded.errors.iter().map(malformed).collect();
    bar.inc(results.len() as u64);
    let permits = Arc::new(Semaphore::new(options.jobs.max(1)));
    let mut tasks = JoinSet::new();
    for (index, case) in loaded.cases.into_iter().enumerate() {
        let permits = Arc::clone(&permits);
        let companies = Arc::clone(&companies);
        let options = options.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (index, run_case(&case, &companies, &options).await)
        });
    }
    let mut ran = Vec::new();
    let mut recorded = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, (result, cassette))) => {
                bar.set_message(format!("{} {}", result.id, result.status.as_str()));
                if let Some(cassette) = cassette {
                    recorded.push((index, cassette));
                }
                ran.push((index, result));
            }
            Err(err) => tracing::error!(error = %err, "eval case task died"),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    ran.sort_by_key(|(index, _)| *index);
    let mut ran: Vec<CaseResult> = ran.into_iter().map(|(_, r)| r).collect();
    if let Mode::Record { cassettes, .. } = &options.mode {
        recorded.sort_by_key(|(index, _)| *index);
        for unwritten in write_cassettes(cassettes, recorded.into_iter().map(|(_, c)| c)) {
            fail_writers(&mut ran, &unwritten);
        }
    }
    results.extend(ran);
    let (provider, model) = match &options.mode {
        Mode::Replay { .. } => ("replay".to_owned(), "recorded".to_owned()),
        Mode::Live {
            provider_name,
            model,
            ..
        }
        | Mode::Record {
            provider_name,
            model,
            ..
        } => (provider_name.clone(), model.clone()),
    };
    SuiteResult {
        mode: options.mode.name().to_owned(),
        provider,
        model,
        summary: SuiteResult::summarize(&results),
        cases: results,
        duration_ms: elapsed_ms(started),
    }
}

/// Runs one case to a result, with what was recorded (record mode) for
/// [`run`] to write; never panics on a broken case.
async fn run_case(
    case: &Case,
    companies: &Companies,
    options: &RunOptions,
) -> (CaseResult, Option<RecordedCassette>) {
    let started = Instant::now();
    let mut result = CaseResult {
        id: case.id.clone(),
        file: case.file.display().to_string(),
        tags: case.tags.clone(),
        status: Status::Passed,
        failures: Vec::new(),
        skipped: Vec::new(),
        turns: Vec::new(),
        judge: None,
        tokens: 0,
        cost_usd: 0.0,
        duration_ms: 0,
    };
    let recorded = match play(case, companies, options, &mut result).await {
        Ok(recorded) => recorded,
        Err(problem) => {
            result.status = Status::Error;
            result.failures.push(Failure {
                turn: None,
                check: "run".into(),
                expected: "the case runs".into(),
                actual: problem,
            });
            None
        }
    };
    result.duration_ms = elapsed_ms(started);
    (result, recorded)
}

async fn play(
    case: &Case,
    companies: &Companies,
    options: &RunOptions,
    result: &mut CaseResult,
) -> Result<Option<RecordedCassette>, String> {
    let cassette_name = case.cassette.clone().unwrap_or_else(|| case.id.clone());
    let (provider, replay, recorder, model): CaseProvider = match &options.mode {
        Mode::Replay { cassettes } => {
            let cassette = read_cassette(cassettes, &cassette_name)?;
            let model = cassette
                .interactions
                .first()
                .and_then(|i| i.request.model.clone())
                .unwrap_or_else(|| "recorded".to_owned());
            let replay = Arc::new(
                ReplayProvider::from_cassettes(cassettes, vec![cassette])
                    .with_matching(Matching::Exact),
            );
            (replay.clone(), Some(replay), None, model)
        }
        Mode::Live {
            provider, model, ..
        } => (provider(case)?, None, None, model.clone()),
        Mode::Record {
            provider, model, ..
        } => {
            let recorder = Arc::new(RecordingProvider::new(provider(case)?));
            (recorder.clone(), None, Some(recorder), model.clone())
        }
    };
    let odoo = companies
        .get(&case.company, &case.identity.odoo_login)
        .await?;
    let world = case_runtime(odoo, &case.company, provider, &model).await?;
    let identity = case.identity.to_identity();
    let mut thread: Option<ThreadId> = None;
    let mut replay_failed = false;
    for turn in &case.turns {
        let outcome = world
            .runtime
            .run_turn(TurnRequest {
                thread_id: thread,
                channel: case.channel.clone(),
                identity: identity.clone(),
                message: turn.user.clone(),
            })
            .await
            .map_err(|err| format!("turn failed: {err}"))?;
        thread = Some(outcome.thread_id);
        let record = world
            .store
            .turns(outcome.thread_id)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|t| t.id == outcome.turn_id);
        let calls = world
            .store
            .tool_calls(outcome.turn_id)
            .await
            .map_err(|e| e.to_string())?;
        let proposals = world
            .proposals
            .proposals_of_turn(outcome.turn_id)
            .await
            .map_err(|e| e.to_string())?;
        let (iterations, error) = record.map(|r| (r.iterations, r.error)).unwrap_or((0, None));
        result.turns.push(TurnLog {
            user: turn.user.clone(),
            answer: outcome.reply.clone(),
            status: outcome.status.as_str().to_owned(),
            error,
            iterations,
            input_tokens: outcome.usage.input_tokens,
            output_tokens: outcome.usage.output_tokens,
            tool_calls: calls
                .into_iter()
                .map(|c| ToolCallLog {
                    name: c.tool,
                    arguments: c.arguments,
                    outcome: c.outcome,
                    output: c.result,
                })
                .collect(),
            proposals: proposals.iter().map(proposal_log).collect(),
        });
        if outcome.status == TurnStatus::Failed {
            // A later turn cannot match a conversation that went elsewhere.
            replay_failed = replay.is_some();
            break;
        }
    }
    if let Some(replay) = &replay {
        for mismatch in replay.mismatches() {
            result.failures.push(Failure {
                turn: Some(result.turns.len()),
                check: "replay".into(),
                expected: "the request recorded in the cassette".into(),
                actual: mismatch,
            });
        }
    }
    let input: u64 = result.turns.iter().map(|t| t.input_tokens).sum();
    let output: u64 = result.turns.iter().map(|t| t.output_tokens).sum();
    result.tokens = input + output;
    result.cost_usd = options.prices.cost(input, output);
    if !replay_failed {
        result
            .failures
            .extend(score(case, &result.turns, result.cost_usd));
    }
    if let Some(rubric) = &case.rubric {
        grade_rubric(rubric, options, result).await;
    }
    let recorded = match (&recorder, &options.mode) {
        (Some(recorder), Mode::Record { scrubber, .. }) => Some(RecordedCassette {
            case_id: case.id.clone(),
            cassette: recorder.cassette(&cassette_name, &case.description, scrubber),
        }),
        _ => None,
    };
    if !result.failures.is_empty() {
        result.status = Status::Failed;
    }
    Ok(recorded)
}

/// Asks the judge about the rubric (live runs), or says why it was not.
/// A judge that fails or answers nonsense fails the rubric with the reason.
async fn grade_rubric(rubric: &str, options: &RunOptions, result: &mut CaseResult) {
    let judge = match (&options.mode, &options.judge) {
        (Mode::Replay { .. }, _) => {
            result
                .skipped
                .push("rubric: not graded in replay (no judge model)".to_owned());
            return;
        }
        (Mode::Live { .. } | Mode::Record { .. }, None) => {
            result.skipped.push(
                "rubric: no judge model configured (--judge-provider, --judge-model)".to_owned(),
            );
            return;
        }
        (Mode::Live { .. } | Mode::Record { .. }, Some(judge)) => judge,
    };
    let log = judge.grade(rubric, &result.turns).await;
    match (&log.verdict, &log.error) {
        (Some(verdict), _) if verdict.pass => {}
        (Some(verdict), _) => result.failures.push(Failure {
            turn: None,
            check: "rubric".into(),
            expected: rubric.to_owned(),
            actual: format!(
                "judge {} failed it (score {:.2}): {}",
                log.judge, verdict.score, verdict.reason
            ),
        }),
        (None, error) => result.failures.push(Failure {
            turn: None,
            check: "rubric".into(),
            expected: "a verdict from the judge".into(),
            actual: error.clone().unwrap_or_else(|| "no verdict".to_owned()),
        }),
    }
    result.judge = Some(log);
}

/// Marks the cases whose recording was lost as errors.
fn fail_writers(results: &mut [CaseResult], unwritten: &Unwritten) {
    for result in results
        .iter_mut()
        .filter(|r| unwritten.cases.contains(&r.id))
    {
        result.status = Status::Error;
        result.failures.push(Failure {
            turn: None,
            check: "record".into(),
            expected: format!("cassette {} written", unwritten.name),
            actual: unwritten.problem.clone(),
        });
    }
}

fn proposal_log(stored: &StoredProposal) -> ProposalLog {
    let proposal = &stored.proposal;
    ProposalLog {
        action: proposal.action.name().to_owned(),
        target_model: proposal.target.model.clone(),
        target_ids: proposal.target.ids.clone(),
        preview: proposal.preview.clone(),
        status: serde_json::to_value(stored.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", stored.status).to_lowercase()),
    }
}

fn malformed(error: &CaseError) -> CaseResult {
    CaseResult {
        id: error
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file: error.file.display().to_string(),
        tags: Vec::new(),
        status: Status::Error,
        failures: vec![Failure {
            turn: None,
            check: format!(
                "case file{}",
                error.line.map(|l| format!(" line {l}")).unwrap_or_default()
            ),
            expected: "a valid case".into(),
            actual: error.to_string(),
        }],
        skipped: Vec::new(),
        turns: Vec::new(),
        judge: None,
        tokens: 0,
        cost_usd: 0.0,
        duration_ms: 0,
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
