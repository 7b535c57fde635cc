//! `odoo-agent chat`: the agent in a terminal, streaming, one thread per
//! session (or `--thread` to continue one).

#![allow(clippy::print_stdout, clippy::print_stderr)] // a terminal chat prints

use std::io::Write;

use agent::Runtime;
use agent::config::Config;
use agent::store::ThreadId;
use agent::turn::{TurnEvent, TurnRequest};
use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tools::Identity;

use crate::banner;
use crate::cli::ChatArgs;

pub async fn run(config: Config, args: ChatArgs) -> anyhow::Result<()> {
    let mut thread_id: Option<ThreadId> = match &args.thread {
        Some(text) => Some(
            text.parse()
                .with_context(|| format!("--thread {text:?} is not a UUID"))?,
        ),
        None => None,
    };
    let runtime = Runtime::from_config(&config).await?;
    eprintln!("{}", banner::provider_line(&config));
    eprintln!("{}", banner::backends_line(&config, runtime.odoo_mode()));
    eprintln!("Type a question and press Enter; /new starts a new thread, /quit or Ctrl-D leaves.");
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        print!("\n> ");
        std::io::stdout().flush()?;
        let Some(line) = lines.next_line().await? else {
            break;
        };
        let line = line.trim();
        match line {
            "" => continue,
            "/quit" | "/exit" => break,
            "/new" => {
                thread_id = None;
                println!("(new thread)");
                continue;
            }
            _ => {}
        }
        let request = TurnRequest {
            thread_id,
            channel: "cli".into(),
            identity: Identity::local_operator(),
            message: line.to_owned(),
        };
        let mut handle = runtime.start_turn(request)?;
        let mut streamed = false;
        while let Some(event) = handle.events.recv().await {
            match event {
                TurnEvent::Started { .. } => {}
                TurnEvent::TextDelta { text } => {
                    streamed = true;
                    print!("{text}");
                    std::io::stdout().flush()?;
                }
                TurnEvent::ToolStarted {
                    name, arguments, ..
                } => {
                    println!("  [tool {name} {arguments}]");
                }
                TurnEvent::ToolFinished {
                    name,
                    is_error,
                    duration_ms,
                    ..
                } => {
                    let outcome = if is_error { "error" } else { "ok" };
                    println!("  [tool {name}: {outcome}, {duration_ms} ms]");
                }
                TurnEvent::ProposalStored { proposal, .. } => {
                    println!(
                        "  [proposal {} awaiting approval by {:?}: {}]",
                        proposal.proposal_id, proposal.required_role, proposal.preview
                    );
                }
                TurnEvent::AttachmentStored { attachment, .. } => {
                    println!(
                        "  [file {} ({} bytes): {}]",
                        attachment.file_name, attachment.bytes, attachment.download_url
                    );
                }
            }
        }
        match handle.outcome().await {
            Ok(result) => {
                // Limit and failure messages are not streamed by the model.
                if !streamed || result.status != agent::store::TurnStatus::Completed {
                    if streamed {
                        println!();
                    }
                    print!("{}", result.reply);
                }
                println!();
                thread_id = Some(result.thread_id);
            }
            Err(err) => eprintln!("error: {err}"),
        }
    }
    if let Some(id) = thread_id {
        eprintln!("thread {id} (continue with: odoo-agent chat --thread {id})");
    }
    Ok(())
}
