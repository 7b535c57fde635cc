//! `odoo-agent eval run`: loads cases, runs them (replay by default, live
//! with `--provider`, recording with `--record`), grades rubrics with a
//! judge model in live runs, prints the table and writes the JSON, JUnit
//! and HTML reports.

#![allow(clippy::print_stdout)] // the table is this command's output

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use agent::config::{Config, LlmProvider};
use agent::prompt::Prompts;
use agent::provider::{AnthropicProvider, OpenAiCompatProvider, Provider, Scrubber};
use anyhow::{Context, bail};
use evals::script::ScriptedModel;
use evals::{Companies, Judge, Mode, Prices, ProviderFactory, RunOptions, SuiteResult, report};
use secrecy::SecretString;

use crate::cli::EvalRunArgs;

/// Runs the suite; `Ok(false)` when a case failed or could not run.
pub async fn run(config: Config, args: EvalRunArgs) -> anyhow::Result<bool> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("evals/cases")]
    } else {
        args.paths.clone()
    };
    let loaded = evals::load(&paths, &args.tags);
    if loaded.cases.is_empty() && loaded.errors.is_empty() {
        bail!("no cases found under {paths:?}");
    }
    let (mode, judge) = if args.record || args.provider.is_some() {
        let live = live_provider(&config, &args)?;
        let judge = judge(&config, &args, &live)?;
        let mode = if args.record {
            Mode::Record {
                cassettes: args.cassettes.clone(),
                provider: live.factory,
                provider_name: live.name,
                model: live.model,
                scrubber: Arc::new(Scrubber::new(live.secrets.iter())),
            }
        } else {
            Mode::Live {
                provider: live.factory,
                provider_name: live.name,
                model: live.model,
            }
        };
        (mode, judge)
    } else {
        if args.model.is_some() {
            bail!("--model chooses the live model; add --provider (or --record)");
        }
        if args.judge_provider.is_some() || args.judge_model.is_some() {
            bail!(
                "a replay grades no rubric: --judge-provider and --judge-model need a live run \
                 (--provider, or --record)"
            );
        }
        let mode = Mode::Replay {
            cassettes: args.cassettes.clone(),
        };
        (mode, None)
    };
    let options = RunOptions {
        mode,
        jobs: args.jobs.max(1),
        prices: Prices {
            input_per_mtok: args.price_input,
            output_per_mtok: args.price_output,
        },
        progress: std::io::stderr().is_terminal(),
        judge,
    };
    let companies = Arc::new(Companies::new(config, args.fixtures.clone()));
    let result = evals::run(loaded, companies, &options).await;
    print!("{}", report::table(&result));
    write_reports(&args.out, &result)?;
    println!(
        "reports: {0}/result.json, {0}/junit.xml, {0}/report.html",
        args.out.display()
    );
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the baseline {}", path.display()))?;
        let baseline: SuiteResult = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an eval result.json", path.display()))?;
        print!(
            "{}",
            report::comparison_text(&evals::compare(&baseline, &result))
        );
    }
    Ok(result.is_success())
}

fn write_reports(out: &std::path::Path, result: &SuiteResult) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, text) in [
        ("result.json", report::json(result)),
        ("junit.xml", report::junit(result)),
        ("report.html", report::html(result)),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// The live provider of a run, and the secrets recordings are scrubbed of.
struct LiveProvider {
    factory: ProviderFactory,
    name: String,
    model: String,
    secrets: Vec<SecretString>,
}

/// The live provider to run (and maybe record) with: `--provider` or the
/// configured one.
fn live_provider(config: &Config, args: &EvalRunArgs) -> anyhow::Result<LiveProvider> {
    let name = args
        .provider
        .clone()
        .unwrap_or_else(|| config.llm.provider.name().to_owned());
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| config.llm.model.clone());
    let mut secrets: Vec<SecretString> = Vec::new();
    let factory: ProviderFactory = if name == "scripted" {
        let scripts = args.scripts.clone();
        Arc::new(move |case: &evals::Case| {
            Ok(Arc::new(ScriptedModel::load(&scripts, &case.id)?) as Arc<dyn Provider>)
        })
    } else {
        let provider = model_provider(config, &name, &mut secrets)?;
        Arc::new(move |_: &evals::Case| Ok(Arc::clone(&provider)))
    };
    if let Some(odoo) = &config.odoo {
        secrets.push(odoo.api_key.clone());
    }
    if let Some(key) = &config.http.api_key {
        secrets.push(key.clone());
    }
    Ok(LiveProvider {
        factory,
        name,
        model,
        secrets,
    })
}

/// The judge of a live run: `--judge-provider` / `--judge-model`, else the
/// run's own provider and model. The scripted model cannot judge, so a run
/// recorded with it grades no rubric unless a judge is named.
fn judge(
    config: &Config,
    args: &EvalRunArgs,
    live: &LiveProvider,
) -> anyhow::Result<Option<Arc<Judge>>> {
    let name = args.judge_provider.as_deref().unwrap_or(&live.name);
    if name == "scripted" {
        if args.judge_provider.is_some() {
            bail!(
                "--judge-provider scripted: the scripted model cannot judge; use anthropic or openai"
            );
        }
        return Ok(None);
    }
    let model = match (&args.judge_model, name == live.name) {
        (Some(model), _) => model.clone(),
        (None, true) => live.model.clone(),
        (None, false) => bail!(
            "--judge-provider {name} differs from the run's provider {}: name its model with \
             --judge-model",
            live.name
        ),
    };
    let provider = model_provider(config, name, &mut Vec::new())?;
    let prompts = Arc::new(Prompts::embedded()?);
    Ok(Some(Arc::new(Judge::new(provider, model, prompts)?)))
}

/// A model provider built from the configuration; its key joins `secrets`.
fn model_provider(
    config: &Config,
    name: &str,
    secrets: &mut Vec<SecretString>,
) -> anyhow::Result<Arc<dyn Provider>> {
    let configured = &config.llm.provider;
    Ok(match (name, configured) {
        ("anthropic", LlmProvider::Anthropic { api_key, base_url }) => {
            secrets.push(api_key.clone());
            let http = reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .build()?;
            Arc::new(AnthropicProvider::new(
                base_url.clone(),
                api_key.clone(),
                http,
            ))
        }
        ("openai", LlmProvider::OpenAi { api_key, base_url }) => {
            secrets.extend(api_key.iter().cloned());
            Arc::new(OpenAiCompatProvider::new(base_url.clone(), api_key.clone()))
        }
        ("anthropic" | "openai", _) => bail!(
            "provider {name} needs its configuration: set {} (the configured provider is {})",
            if name == "anthropic" {
                "ANTHROPIC_API_KEY"
            } else {
                "OPENAI_API_KEY or OPENAI_BASE_URL"
            },
            configured.name()
        ),
        ("replay", _) => bail!(
            "a live run needs a live provider: --provider anthropic, openai or scripted (or set \
             ANTHROPIC_API_KEY / OPENAI_API_KEY)"
        ),
        (other, _) => bail!("unknown provider {other:?}: use anthropic, openai or scripted"),
    })
}
