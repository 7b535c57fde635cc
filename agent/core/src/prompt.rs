//! Prompt templates from `prompts/`, rendered with minijinja in strict mode.
//!
//! The templates are compiled into the binary, so a server started from any
//! folder has them; `from_dir` loads a working copy instead (prompt work).

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use thiserror::Error;

/// Name (and version) of the conversational system prompt.
pub const SYSTEM_PROMPT: &str = "system/agent.v1.md.j2";

const EMBEDDED: &[(&str, &str)] = &[(
    SYSTEM_PROMPT,
    include_str!("../../../prompts/system/agent.v1.md.j2"),
)];

/// A template failed to load or render.
#[derive(Debug, Error)]
#[error("prompt {name}: {detail}")]
pub struct PromptError {
    pub name: String,
    pub detail: String,
}

/// Variables of the system prompt. Every field must be used by name in the
/// template's header comment; a variable the template uses but this struct
/// lacks fails at start-up.
#[derive(Debug, Clone, Serialize)]
pub struct SystemPromptVars {
    pub company_name: String,
    pub today: String,
    pub timezone: String,
    pub channel: String,
    pub user_name: String,
    pub user_roles: Vec<String>,
    pub tools: Vec<ToolLine>,
}

/// One tool as listed in the system prompt.
#[derive(Debug, Clone, Serialize)]
pub struct ToolLine {
    pub name: String,
    pub description: String,
}

/// The compiled prompt templates.
pub struct Prompts {
    env: Environment<'static>,
}

impl Prompts {
    /// The templates built into the binary, checked by a trial render.
    pub fn embedded() -> Result<Self, PromptError> {
        Self::from_sources(
            EMBEDDED
                .iter()
                .map(|(n, s)| ((*n).to_owned(), (*s).to_owned())),
        )
    }

    /// Templates read from a `prompts/` folder (same names as the embedded ones).
    pub fn from_dir(dir: &Path) -> Result<Self, PromptError> {
        let mut sources = Vec::new();
        for (name, _) in EMBEDDED {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|err| PromptError {
                name: (*name).to_owned(),
                detail: format!("cannot read {}: {err}", path.display()),
            })?;
            sources.push(((*name).to_owned(), text));
        }
        Self::from_sources(sources)
    }

    fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, PromptError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|err| PromptError {
                    name,
                    detail: describe(&err),
                })?;
        }
        let prompts = Self { env };
        prompts.render_system(&SystemPromptVars::sample())?;
        Ok(prompts)
    }

    /// Renders the system prompt.
    pub fn render_system(&self, vars: &SystemPromptVars) -> Result<String, PromptError> {
        let fail = |err: minijinja::Error| PromptError {
            name: SYSTEM_PROMPT.into(),
            detail: describe(&err),
        };
        let template = self.env.get_template(SYSTEM_PROMPT).map_err(fail)?;
        template
            .render(minijinja::value::Serde(vars))
            .map(|text| text.trim().to_owned())
            .map_err(fail)
    }
}

impl SystemPromptVars {
    fn sample() -> Self {
        Self {
            company_name: "Sample Company".into(),
            today: "2026-01-31".into(),
            timezone: "UTC".into(),
            channel: "api".into(),
            user_name: "Sample User".into(),
            user_roles: vec!["finance".into()],
            tools: vec![ToolLine {
                name: "calculate".into(),
                description: "arithmetic".into(),
            }],
        }
    }
}

fn describe(err: &minijinja::Error) -> String {
    match err.line() {
        Some(line) => format!("{} (line {line})", err.kind()).replace("  ", " ") + &detail_of(err),
        None => format!("{}{}", err.kind(), detail_of(err)),
    }
}

fn detail_of(err: &minijinja::Error) -> String {
    err.detail().map(|d| format!(": {d}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_system_prompt_renders_every_variable() {
        let prompts = Prompts::embedded().unwrap();
        let mut vars = SystemPromptVars::sample();
        vars.company_name = "Acme Trading".into();
        vars.user_roles = vec!["finance".into(), "sales".into()];
        let text = prompts.render_system(&vars).unwrap();
        assert!(
            text.starts_with("You are the Odoo assistant of Acme Trading."),
            "{text}"
        );
        assert!(text.contains("Today is 2026-01-31 (UTC)"), "{text}");
        assert!(text.contains("(roles: finance, sales)"), "{text}");
        assert!(text.contains("- calculate: arithmetic"), "{text}");
        assert!(
            !text.contains("Variables:"),
            "template comment leaked: {text}"
        );
    }

    #[test]
    fn an_unknown_variable_fails_at_load() {
        let err =
            Prompts::from_sources([(SYSTEM_PROMPT.to_owned(), "Hello {{ customer }}".to_owned())])
                .err()
                .unwrap();
        assert_eq!(err.name, SYSTEM_PROMPT);
        assert!(err.detail.contains("undefined"), "{err}");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err = Prompts::from_sources([(SYSTEM_PROMPT.to_owned(), "ok\n{% if %}".to_owned())])
            .err()
            .unwrap();
        assert!(err.detail.contains("line 2"), "{err}");
    }
}
