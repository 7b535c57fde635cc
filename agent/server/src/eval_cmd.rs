//! `odoo-agent eval run`: loads cases, runs them (replay by default),
//! prints the table and writes the JSON, JUnit and HTML reports.

#![allow(clippy::print_stdout)] // the table is this command's output

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use agent::config::{Config, LlmProvider};
use agent::provider::{AnthropicProvider, OpenAiCompatProvider, Provider, Scrubber};
use anyhow::{Context, bail};
use evals::script::ScriptedModel;
use evals::{Companies, Mode, Prices, ProviderFactory, RunOptions, SuiteResult, report};
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
    let mode = if args.record {
        record_mode(&config, &args)?
    } else {
        if args.provider.is_some() || args.model.is_some() {
            bail!("--provider and --model choose what to record with; add --record");
        }
        Mode::Replay {
            cassettes: args.cassettes.clone(),
        }
    };
    let options = RunOptions {
        mode,
        jobs: args.jobs.max(1),
        prices: Prices {
            input_per_mtok: args.price_input,
            output_per_mtok: args.price_output,
        },
        progress: std::io::stderr().is_terminal(),
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

/// The live provider to record with, and the secrets to scrub.
fn record_mode(config: &Config, args: &EvalRunArgs) -> anyhow::Result<Mode> {
    let configured = &config.llm.provider;
    let name = args
        .provider
        .clone()
        .unwrap_or_else(|| configured.name().to_owned());
    let model = args
        .model
        .clone()
        .unwrap_or_else(|| config.llm.model.clone());
    let mut secrets: Vec<SecretString> = Vec::new();
    let factory: ProviderFactory = match (name.as_str(), configured) {
        ("scripted", _) => {
            let scripts = args.scripts.clone();
            Arc::new(move |case: &evals::Case| {
                Ok(Arc::new(ScriptedModel::load(&scripts, &case.id)?) as Arc<dyn Provider>)
            })
        }
        ("anthropic", LlmProvider::Anthropic { api_key, base_url }) => {
            secrets.push(api_key.clone());
            let http = reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .build()?;
            let provider: Arc<dyn Provider> = Arc::new(AnthropicProvider::new(
                base_url.clone(),
                api_key.clone(),
                http,
            ));
            Arc::new(move |_: &evals::Case| Ok(Arc::clone(&provider)))
        }
        ("openai", LlmProvider::OpenAi { api_key, base_url }) => {
            secrets.extend(api_key.iter().cloned());
            let (api_key, base_url) = (api_key.clone(), base_url.clone());
            Arc::new(move |_: &evals::Case| {
                Ok(
                    Arc::new(OpenAiCompatProvider::new(base_url.clone(), api_key.clone()))
                        as Arc<dyn Provider>,
                )
            })
        }
        ("anthropic" | "openai", _) => bail!(
            "--provider {name} needs its configuration: set {} (the configured provider is {})",
            if name == "anthropic" {
                "ANTHROPIC_API_KEY"
            } else {
                "OPENAI_API_KEY or OPENAI_BASE_URL"
            },
            configured.name()
        ),
        ("replay", _) => bail!(
            "--record needs a live provider: --provider anthropic, openai or scripted (or set \
             ANTHROPIC_API_KEY / OPENAI_API_KEY)"
        ),
        (other, _) => bail!("unknown provider {other:?}: use anthropic, openai or scripted"),
    };
    if let Some(odoo) = &config.odoo {
        secrets.push(odoo.api_key.clone());
    }
    if let Some(key) = &config.http.api_key {
        secrets.push(key.clone());
    }
    Ok(Mode::Record {
        cassettes: args.cassettes.clone(),
        provider: factory,
        provider_name: name,
        model,
        scrubber: Arc::new(Scrubber::new(secrets.iter())),
    })
}
