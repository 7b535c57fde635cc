//! The command line.

use std::path::PathBuf;

use agent::config::{Config, ConfigError, FileRequirement};
use clap::{Args, Parser, Subcommand};

use crate::bench_cmd::BenchCommand;

/// Default configuration file, read when present.
const DEFAULT_CONFIG_FILE: &str = "odoo-agent.toml";

/// Talk to your Odoo ERP from chat: an agent server that answers questions by
/// calling typed tools against Odoo.
///
/// Configuration comes from a TOML file and environment variables (the
/// environment wins); see the README for every key. With nothing set, it runs
/// on embedded defaults: a SQLite file under ./data, the built-in demo company
/// and recorded answers instead of a language model.
#[derive(Debug, Parser)]
#[command(name = "odoo-agent", version)]
pub struct Cli {
    /// TOML configuration file [default: odoo-agent.toml, if present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: HTTP API on ODOO_AGENT_BIND, migrations applied at start,
    /// graceful shutdown on SIGTERM/SIGINT.
    Serve,
    /// Chat with the agent in this terminal, through the same loop, tools and
    /// storage as the server; answers stream as they are written.
    Chat(ChatArgs),
    /// Inspect the tools the model can call.
    Tools {
        #[command(subcommand)]
        command: ToolsCommand,
    },
    /// Apply pending database migrations to the configured database and exit.
    Migrate,
    /// Run the eval suite: cases replayed through the agent loop against
    /// recorded cassettes (or recorded anew from a live provider), scored,
    /// and reported as a table, JSON, JUnit XML and HTML.
    Eval {
        #[command(subcommand)]
        command: EvalCommand,
    },
    /// Inspect the versioned prompt templates the product sends.
    Prompts {
        #[command(subcommand)]
        command: PromptsCommand,
    },
    /// Benchmark an automation's computation on a data file: speed, peak
    /// memory and, given the true answer, accuracy. Needs no configuration.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Continue an existing thread (its UUID) instead of starting a new one.
    #[arg(long, value_name = "UUID")]
    pub thread: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ToolsCommand {
    /// List every tool with its description and generated JSON schema.
    List {
        /// Print JSON (name, description, kind, input_schema) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Run cases; exits non-zero when a case fails or cannot run.
    Run(EvalRunArgs),
}

#[derive(Debug, Args)]
pub struct EvalRunArgs {
    /// Case files or folders of `*.yaml` cases [default: evals/cases]
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Run only cases with this tag (repeatable: any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Record new cassettes through a live provider instead of replaying:
    /// `anthropic` or `openai` (keys and URLs from the configuration), or
    /// `scripted` (the local scripted model of `--scripts`).
    #[arg(long)]
    pub record: bool,
    /// Run live against this provider (`anthropic`, `openai`, `scripted`)
    /// instead of replaying; with --record, the one to record with
    /// [default with --record: the configured one].
    #[arg(long, value_name = "P")]
    pub provider: Option<String>,
    /// The model of a live run [default: the configured one].
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    /// The provider of the judge that grades rubrics in live runs
    /// (`anthropic` or `openai`) [default: the run's provider].
    #[arg(long, value_name = "P")]
    pub judge_provider: Option<String>,
    /// The judge's model [default: the run's model when the judge uses the
    /// run's provider].
    #[arg(long, value_name = "M")]
    pub judge_model: Option<String>,
    /// Cases run at once.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub jobs: usize,
    /// An earlier run's result.json: prints regressions and improvements.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Where the cassettes are read (replay) or written (record).
    #[arg(long, default_value = "evals/cassettes", value_name = "DIR")]
    pub cassettes: PathBuf,
    /// Named fixtures cases can ask for (`company.fixture`).
    #[arg(long, default_value = "evals/fixtures", value_name = "DIR")]
    pub fixtures: PathBuf,
    /// The scripted model's scripts (`--provider scripted`).
    #[arg(long, default_value = "evals/scripts", value_name = "DIR")]
    pub scripts: PathBuf,
    /// Where result.json, junit.xml and report.html are written.
    #[arg(long, default_value = "eval-out", value_name = "DIR")]
    pub out: PathBuf,
    /// US dollars per million input tokens, for the cost estimate.
    #[arg(long, default_value_t = 3.0, value_name = "USD")]
    pub price_input: f64,
    /// US dollars per million output tokens, for the cost estimate.
    #[arg(long, default_value_t = 15.0, value_name = "USD")]
    pub price_output: f64,
}

#[derive(Debug, Subcommand)]
pub enum PromptsCommand {
    /// List every template with its version, variables and whether it is
    /// the version in use.
    List {
        #[command(flatten)]
        source: PromptSource,
    },
    /// Print a template rendered with the given variables; a variable the
    /// template needs and is not given is an error naming it.
    Render {
        /// `system/agent` (the version in use), `system/agent.v2` or a file
        /// name such as `channels/slack.v1.md.j2`.
        name: String,
        /// A variable as NAME=VALUE; VALUE is read as JSON when it parses
        /// (lists, objects, numbers), else as text. Repeat for each variable.
        #[arg(long = "var", value_name = "NAME=VALUE")]
        vars: Vec<String>,
        #[command(flatten)]
        source: PromptSource,
    },
}

#[derive(Debug, Args)]
pub struct PromptSource {
    /// Read the templates from this `prompts/` folder (a working copy)
    /// instead of the ones built into the binary.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl Cli {
    /// Loads the configuration from the file and the process environment.
    pub fn load_config(&self) -> Result<Config, ConfigError> {
        let file = match &self.config {
            Some(path) => (path.as_path(), FileRequirement::Required),
            None => (
                std::path::Path::new(DEFAULT_CONFIG_FILE),
                FileRequirement::IfPresent,
            ),
        };
        Config::load(Some(file), std::env::vars())
    }
}
