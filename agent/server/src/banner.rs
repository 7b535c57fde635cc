//! The start-up lines that say what this process talks to.

use agent::config::{Config, DatabaseConfig, LlmProvider};
use agent::odoo::OdooMode;

/// Which model answers, said plainly (in replay mode: that no model does).
pub fn provider_line(config: &Config) -> String {
    match &config.llm.provider {
        LlmProvider::Replay { cassettes } => format!(
            "LLM: replay mode, answers come from the recordings in {} (no language model is \
             called; set ANTHROPIC_API_KEY or OPENAI_API_KEY for live answers)",
            cassettes.display()
        ),
        LlmProvider::Anthropic { base_url, .. } => {
            format!("LLM: anthropic, model {} at {base_url}", config.llm.model)
        }
        LlmProvider::OpenAi { base_url, .. } => format!(
            "LLM: openai-compatible, model {} at {}",
            config.llm.model,
            base_url
                .as_ref()
                .map_or("https://api.openai.com/v1".to_owned(), ToString::to_string)
        ),
    }
}

/// Where conversations are stored and which Odoo answers.
pub fn backends_line(config: &Config, odoo: Option<&OdooMode>) -> String {
    let database = match &config.database {
        DatabaseConfig::Sqlite { path } => format!("SQLite file {}", path.display()),
        DatabaseConfig::Postgres { .. } => "PostgreSQL (DATABASE_URL)".to_owned(),
    };
    let odoo = match (odoo, &config.odoo) {
        (
            Some(OdooMode::Demo {
                company,
                partners,
                version,
                login,
            }),
            _,
        ) => format!(
            "the built-in demo company {company} ({partners} partners, imitating Odoo \
             {version}; acting as {login}) because ODOO_URL is not set"
        ),
        (_, Some(odoo)) => format!("Odoo at {} (database {})", odoo.url, odoo.db),
        (_, None) => "no Odoo".to_owned(),
    };
    format!("storage: {database}; data from {odoo}")
}
