//! `odoo-agent`: the composition root. Parses the command line and the
//! configuration, sets up logging, and hands over to a subcommand. All real
//! logic lives in the library crates.

mod banner;
mod bench_cmd;
mod chat;
mod cli;
mod eval_cmd;
mod logging;
mod migrate;
mod prompts_cmd;
mod serve;
mod tools_cmd;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, EvalCommand, PromptsCommand, ToolsCommand};

/// mimalloc rather than the system allocator: generating the demo company
/// makes millions of small allocations, which it serves in about half the
/// time (BENCHMARKS.md, demo company generation).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    agent::init_crypto();
    let cli = Cli::parse();
    let config = match cli.load_config() {
        Ok(config) => config,
        Err(err) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("odoo-agent: {err}");
            }
            return ExitCode::from(2);
        }
    };
    let quiet = matches!(
        cli.command,
        Command::Chat(_)
            | Command::Tools { .. }
            | Command::Bench { .. }
            | Command::Prompts { .. }
            | Command::Eval { .. }
    );
    logging::init(&config.log, quiet);
    let outcome = match cli.command {
        Command::Serve => serve::run(config).await,
        Command::Chat(args) => chat::run(config, args).await,
        Command::Tools {
            command: ToolsCommand::List { json },
        } => tools_cmd::list(json),
        Command::Migrate => migrate::run(config).await,
        Command::Eval {
            command: EvalCommand::Run(args),
        } => match eval_cmd::run(config, args).await {
            // Failed cases are the command's answer, already printed.
            Ok(false) => return ExitCode::FAILURE,
            Ok(true) => Ok(()),
            Err(err) => Err(err),
        },
        Command::Prompts {
            command: PromptsCommand::List { source },
        } => prompts_cmd::list(source.dir.as_deref()),
        Command::Prompts {
            command: PromptsCommand::Render { name, vars, source },
        } => prompts_cmd::render(source.dir.as_deref(), &name, &vars),
        Command::Bench { command } => bench_cmd::run(command),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "odoo-agent failed");
            #[allow(clippy::print_stderr)]
            {
                eprintln!("odoo-agent: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}
