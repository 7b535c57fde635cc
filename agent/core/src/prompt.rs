//! Prompt templates from `prompts/`, rendered with minijinja in strict mode.
//!
//! Every template file is named `<name>.v<version>.<ext>.j2` (for example
//! `system/agent.v2.md.j2`), so a prompt is known by its name and version;
//! when a folder holds several versions of a name, the highest is used.
//! Each render says which templates (name, version, hash of the source)
//! produced the text, so stored turns and cassettes can name them.
//!
//! The templates are compiled into the binary, so a server started from any
//! folder has them; `from_dir` loads a working copy instead (prompt work).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Name of the conversational system prompt.
pub const SYSTEM_PROMPT: &str = "system/agent";
/// Folder of the per-channel formatting guidance the system prompt includes.
const CHANNEL_PREFIX: &str = "channels/";
/// Guidance for a channel without its own template.
const DEFAULT_CHANNEL: &str = "default";

const EMBEDDED: &[(&str, &str)] = &[
    (
        "system/agent.v2.md.j2",
        include_str!("../../../prompts/system/agent.v2.md.j2"),
    ),
    (
        "channels/default.v1.md.j2",
        include_str!("../../../prompts/channels/default.v1.md.j2"),
    ),
    (
        "channels/api.v1.md.j2",
        include_str!("../../../prompts/channels/api.v1.md.j2"),
    ),
    (
        "channels/cli.v1.md.j2",
        include_str!("../../../prompts/channels/cli.v1.md.j2"),
    ),
    (
        "channels/slack.v1.md.j2",
        include_str!("../../../prompts/channels/slack.v1.md.j2"),
    ),
    (
        "channels/telegram.v1.md.j2",
        include_str!("../../../prompts/channels/telegram.v1.md.j2"),
    ),
    (
        "channels/whatsapp.v1.md.j2",
        include_str!("../../../prompts/channels/whatsapp.v1.md.j2"),
    ),
    (
        "channels/discuss.v1.md.j2",
        include_str!("../../../prompts/channels/discuss.v1.md.j2"),
    ),
    (
        "evals/judge.v1.md.j2",
        include_str!("../../../prompts/evals/judge.v1.md.j2"),
    ),
];

/// A template failed to load or render.
#[derive(Debug, Error)]
#[error("prompt {name}: {detail}")]
pub struct PromptError {
    pub name: String,
    pub detail: String,
}

/// Which template version produced (part of) a prompt: what stored turns
/// and cassettes record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptRef {
    /// `system/agent`, `channels/slack`…
    pub name: String,
    pub version: u32,
    /// SHA-256 of the template source, hex: shows an edit made without a
    /// new version.
    pub sha256: String,
}

impl std::fmt::Display for PromptRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.v{}", self.name, self.version)
    }
}

/// One template as `odoo-agent prompts list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromptInfo {
    pub name: String,
    pub version: u32,
    /// The file, relative to `prompts/`.
    pub file: String,
    pub sha256: String,
    /// The variables a render must provide, sorted.
    pub variables: Vec<String>,
    /// Whether this is the version renders use (the highest of its name).
    pub active: bool,
}

impl PromptInfo {
    pub fn to_ref(&self) -> PromptRef {
        PromptRef {
            name: self.name.clone(),
            version: self.version,
            sha256: self.sha256.clone(),
        }
    }
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

/// A rendered system prompt and the templates it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPrompt {
    pub text: String,
    /// The system template first, then the channel guidance.
    pub prompts: Vec<PromptRef>,
}

/// The compiled prompt templates.
pub struct Prompts {
    env: Environment<'static>,
    /// Every loaded template by file name.
    templates: BTreeMap<String, PromptInfo>,
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

    /// Every `*.j2` template under a `prompts/` folder (a working copy).
    pub fn from_dir(dir: &Path) -> Result<Self, PromptError> {
        let mut sources = Vec::new();
        collect_templates(dir, dir, &mut sources)?;
        Self::from_sources(sources)
    }

    /// Templates from `(file name, source)` pairs.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, PromptError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let mut templates = BTreeMap::new();
        for (file, source) in sources {
            let (name, version) = parse_file_name(&file)?;
            let sha256 = hex(&Sha256::digest(source.as_bytes()));
            env.add_template_owned(file.clone(), source)
                .map_err(|err| PromptError {
                    name: file.clone(),
                    detail: describe(&err),
                })?;
            let variables = env
                .get_template(&file)
                .map(|t| t.undeclared_variables(false).into_iter().collect())
                .unwrap_or_else(|_| BTreeSet::new())
                .into_iter()
                .collect();
            templates.insert(
                file.clone(),
                PromptInfo {
                    name,
                    version,
                    file,
                    sha256,
                    variables,
                    active: false,
                },
            );
        }
        let mut highest: BTreeMap<String, u32> = BTreeMap::new();
        for info in templates.values() {
            let entry = highest.entry(info.name.clone()).or_insert(info.version);
            *entry = (*entry).max(info.version);
        }
        for info in templates.values_mut() {
            info.active = highest.get(&info.name) == Some(&info.version);
        }
        let prompts = Self { env, templates };
        prompts.active(SYSTEM_PROMPT)?;
        prompts.active(&format!("{CHANNEL_PREFIX}{DEFAULT_CHANNEL}"))?;
        prompts.render_system(&SystemPromptVars::sample())?;
        Ok(prompts)
    }

    /// Every template, by name then version.
    pub fn list(&self) -> Vec<PromptInfo> {
        let mut list: Vec<PromptInfo> = self.templates.values().cloned().collect();
        list.sort_by(|a, b| (&a.name, a.version).cmp(&(&b.name, b.version)));
        list
    }

    /// Renders the system prompt for the channel in `vars`, with that
    /// channel's guidance (or the default guidance).
    pub fn render_system(&self, vars: &SystemPromptVars) -> Result<RenderedPrompt, PromptError> {
        let system = self.active(SYSTEM_PROMPT)?;
        let channel = self
            .active(&format!("{CHANNEL_PREFIX}{}", vars.channel))
            .or_else(|_| self.active(&format!("{CHANNEL_PREFIX}{DEFAULT_CHANNEL}")))?;
        let guidance = self.render_file(channel, &serde_json::Map::new())?;
        let mut values = match serde_json::to_value(vars) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => serde_json::Map::new(),
        };
        values.insert("channel_guidance".into(), Value::String(guidance));
        let text = self.render_file(system, &values)?;
        Ok(RenderedPrompt {
            text,
            prompts: vec![system.to_ref(), channel.to_ref()],
        })
    }

    /// Renders a template by name (`system/agent`, the active version),
    /// name and version (`system/agent.v2`) or file name. A variable the
    /// template needs and `vars` lacks is an error naming it.
    pub fn render(
        &self,
        name: &str,
        vars: &serde_json::Map<String, Value>,
    ) -> Result<(PromptRef, String), PromptError> {
        let info = self.find(name)?;
        Ok((info.to_ref(), self.render_file(info, vars)?))
    }

    fn find(&self, name: &str) -> Result<&PromptInfo, PromptError> {
        if let Some(info) = self.templates.get(name) {
            return Ok(info);
        }
        if let Ok(info) = self.active(name) {
            return Ok(info);
        }
        if let Some((base, version)) = name.rsplit_once(".v")
            && let Ok(version) = version.parse::<u32>()
            && let Some(info) = self
                .templates
                .values()
                .find(|i| i.name == base && i.version == version)
        {
            return Ok(info);
        }
        let known: BTreeSet<&str> = self.templates.values().map(|i| i.name.as_str()).collect();
        Err(PromptError {
            name: name.to_owned(),
            detail: format!(
                "no such template; known: {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            ),
        })
    }

    fn active(&self, name: &str) -> Result<&PromptInfo, PromptError> {
        self.templates
            .values()
            .find(|i| i.active && i.name == name)
            .ok_or_else(|| PromptError {
                name: name.to_owned(),
                detail: "no template of this name".into(),
            })
    }

    fn render_file(
        &self,
        info: &PromptInfo,
        vars: &serde_json::Map<String, Value>,
    ) -> Result<String, PromptError> {
        let fail = |detail: String| PromptError {
            name: format!("{}.v{}", info.name, info.version),
            detail,
        };
        let missing: Vec<&str> = info
            .variables
            .iter()
            .filter(|v| !vars.contains_key(v.as_str()))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(fail(format!(
                "missing variable{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let template = self
            .env
            .get_template(&info.file)
            .map_err(|e| fail(describe(&e)))?;
        template
            .render(minijinja::value::Serde(vars))
            .map(|text| text.trim().to_owned())
            .map_err(|e| fail(describe(&e)))
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

/// `system/agent.v2.md.j2` -> (`system/agent`, 2).
fn parse_file_name(file: &str) -> Result<(String, u32), PromptError> {
    let bad = || PromptError {
        name: file.to_owned(),
        detail: "the file name must be <name>.v<version>.<ext>.j2, like system/agent.v2.md.j2"
            .into(),
    };
    let stem = file.strip_suffix(".j2").ok_or_else(bad)?;
    let (dir, base) = match stem.rsplit_once('/') {
        Some((dir, base)) => (Some(dir), base),
        None => (None, stem),
    };
    let mut parts = base.split('.');
    let short = parts.next().filter(|s| !s.is_empty()).ok_or_else(bad)?;
    let version = parts
        .next()
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|v| v.parse::<u32>().ok())
        .ok_or_else(bad)?;
    let name = match dir {
        Some(dir) => format!("{dir}/{short}"),
        None => short.to_owned(),
    };
    Ok((name, version))
}

fn collect_templates(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, String)>,
) -> Result<(), PromptError> {
    let unreadable = |path: &Path, err: std::io::Error| PromptError {
        name: path.display().to_string(),
        detail: format!("cannot read: {err}"),
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| unreadable(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_templates(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "j2") {
            let text = std::fs::read_to_string(&path).map_err(|e| unreadable(&path, e))?;
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, text));
        }
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn vars(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn embedded_system_prompt_renders_every_variable() {
        let prompts = Prompts::embedded().unwrap();
        let mut vars = SystemPromptVars::sample();
        vars.company_name = "Acme Trading".into();
        vars.user_roles = vec!["finance".into(), "sales".into()];
        let text = prompts.render_system(&vars).unwrap().text;
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
    fn the_system_prompt_includes_the_channels_guidance_and_names_both_templates() {
        let prompts = Prompts::embedded().unwrap();
        let mut vars = SystemPromptVars::sample();
        vars.channel = "slack".into();
        let rendered = prompts.render_system(&vars).unwrap();
        assert!(
            rendered.text.contains("Slack shows mrkdwn"),
            "{}",
            rendered.text
        );
        let names: Vec<String> = rendered.prompts.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["system/agent.v2", "channels/slack.v1"]);
        assert_eq!(rendered.prompts[0].sha256.len(), 64);
    }

    #[test]
    fn a_channel_without_guidance_gets_the_default() {
        let prompts = Prompts::embedded().unwrap();
        let mut vars = SystemPromptVars::sample();
        vars.channel = "carrier-pigeon".into();
        let rendered = prompts.render_system(&vars).unwrap();
        assert_eq!(rendered.prompts[1].name, "channels/default");
    }

    #[test]
    fn list_names_every_template_with_its_version_and_variables() {
        let prompts = Prompts::embedded().unwrap();
        let list = prompts.list();
        let system = list.iter().find(|p| p.name == SYSTEM_PROMPT).unwrap();
        assert_eq!(system.version, 2);
        assert!(system.active);
        assert_eq!(
            system.variables,
            [
                "channel",
                "channel_guidance",
                "company_name",
                "timezone",
                "today",
                "tools",
                "user_name",
                "user_roles"
            ]
        );
        assert!(list.iter().any(|p| p.name == "channels/whatsapp"));
    }

    #[test]
    fn render_by_name_reports_every_missing_variable_by_name() {
        let prompts = Prompts::embedded().unwrap();
        let err = prompts
            .render(
                "system/agent",
                &vars(json!({"company_name": "Acme", "today": "2026-01-31"})),
            )
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("missing variables `channel`, `channel_guidance`, `timezone`"),
            "{err}"
        );
        let (used, text) = prompts.render("channels/cli.v1", &vars(json!({}))).unwrap();
        assert_eq!(used.to_string(), "channels/cli.v1");
        assert!(text.contains("terminal"), "{text}");
    }

    #[test]
    fn the_highest_version_of_a_name_is_active() {
        let system = EMBEDDED[0].1.to_owned();
        let default = EMBEDDED[1].1.to_owned();
        let prompts = Prompts::from_sources([
            ("system/agent.v2.md.j2".to_owned(), system.clone()),
            ("system/agent.v3.md.j2".to_owned(), format!("NEW {system}")),
            ("channels/default.v1.md.j2".to_owned(), default),
        ])
        .unwrap();
        let rendered = prompts.render_system(&SystemPromptVars::sample()).unwrap();
        assert!(rendered.text.starts_with("NEW"), "{}", rendered.text);
        assert_eq!(rendered.prompts[0].version, 3);
    }

    #[test]
    fn an_unknown_variable_fails_at_load() {
        let err = Prompts::from_sources([
            (
                "system/agent.v1.md.j2".to_owned(),
                "Hello {{ customer }}".to_owned(),
            ),
            ("channels/default.v1.md.j2".to_owned(), "plain".to_owned()),
        ])
        .err()
        .unwrap();
        assert_eq!(err.name, "system/agent.v1");
        assert!(err.detail.contains("missing variable `customer`"), "{err}");
    }

    #[test]
    fn a_file_name_without_a_version_is_refused() {
        let err = Prompts::from_sources([("system/agent.md.j2".to_owned(), "x".to_owned())])
            .err()
            .unwrap();
        assert!(err.detail.contains("<name>.v<version>"), "{err}");
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let err = Prompts::from_sources([(
            "system/agent.v1.md.j2".to_owned(),
            "ok\n{% if %}".to_owned(),
        )])
        .err()
        .unwrap();
        assert!(err.detail.contains("line 2"), "{err}");
    }

    #[test]
    fn from_dir_reads_the_repositorys_prompts_like_the_embedded_ones() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts");
        let on_disk = Prompts::from_dir(&dir).unwrap().list();
        assert_eq!(on_disk, Prompts::embedded().unwrap().list());
    }
}
