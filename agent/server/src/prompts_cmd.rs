//! `odoo-agent prompts list` and `odoo-agent prompts render`.

#![allow(clippy::print_stdout)] // this command's output is its product

use std::path::Path;

use agent::prompt::Prompts;
use anyhow::{Context, bail};
use serde_json::Value;

pub fn list(dir: Option<&Path>) -> anyhow::Result<()> {
    let prompts = load(dir)?;
    for info in prompts.list() {
        let status = if info.active { "in use" } else { "older" };
        println!(
            "{}  v{}  ({status})  {}",
            info.name, info.version, info.file
        );
        let variables = if info.variables.is_empty() {
            "none".to_owned()
        } else {
            info.variables.join(", ")
        };
        println!("  variables: {variables}");
        println!("  sha256: {}", info.sha256);
    }
    Ok(())
}

pub fn render(dir: Option<&Path>, name: &str, vars: &[String]) -> anyhow::Result<()> {
    let prompts = load(dir)?;
    let vars = parse_vars(vars)?;
    let (used, text) = prompts.render(name, &vars)?;
    tracing::debug!(prompt = %used, "rendered");
    println!("{text}");
    Ok(())
}

fn load(dir: Option<&Path>) -> anyhow::Result<Prompts> {
    Ok(match dir {
        Some(dir) => Prompts::from_dir(dir)
            .with_context(|| format!("loading prompts from {}", dir.display()))?,
        None => Prompts::embedded()?,
    })
}

/// `NAME=VALUE` pairs; a value that parses as JSON is JSON (so lists and
/// objects can be given), anything else is text.
fn parse_vars(pairs: &[String]) -> anyhow::Result<serde_json::Map<String, Value>> {
    let mut vars = serde_json::Map::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--var {pair:?}: expected NAME=VALUE");
        };
        let name = name.trim();
        if name.is_empty() {
            bail!("--var {pair:?}: the name is empty");
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        vars.insert(name.to_owned(), value);
    }
    Ok(vars)
}
