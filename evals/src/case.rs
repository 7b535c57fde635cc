//! The case model (one YAML file per case) and its loader. A malformed
//! file becomes a [`CaseError`] naming the file, the line and the problem;
//! it never stops the other cases from running.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tools::Role;

/// The date every case runs on unless it says otherwise: the demo
/// company's documents lead up to it and tools read it as "today".
pub const DEFAULT_DATE: &str = "2026-03-16";
/// The demo company's size unless a case says otherwise: small, so a whole
/// suite replays in seconds.
pub const DEFAULT_PARTNERS: usize = 40;

/// One eval case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique across the suite; names the cassette (`cassettes/<id>.json`).
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub company: Company,
    #[serde(default)]
    pub identity: CaseIdentity,
    /// The channel the questions arrive on (`api`, `slack`…): selects the
    /// channel guidance of the system prompt.
    #[serde(default = "default_channel")]
    pub channel: String,
    /// The person's messages, in order, in one thread.
    pub turns: Vec<CaseTurn>,
    #[serde(default)]
    pub limits: Limits,
    /// What a judge model grades the answers against; live runs only.
    #[serde(default)]
    pub rubric: Option<String>,
    /// Another cassette than `<id>.json`.
    #[serde(default)]
    pub cassette: Option<String>,
    /// Where the case was read from; set by the loader.
    #[serde(skip)]
    pub file: PathBuf,
}

/// The demo company the case runs against.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_partners")]
    pub partners: usize,
    /// "Today" for the company and the tools.
    #[serde(default = "default_date")]
    pub date: NaiveDate,
    /// A named fixture (`evals/fixtures/<name>.yaml`): record changes
    /// written into the generated company before the case runs.
    #[serde(default)]
    pub fixture: Option<String>,
}

impl Default for Company {
    fn default() -> Self {
        Self {
            seed: 0,
            partners: DEFAULT_PARTNERS,
            date: default_date(),
            fixture: None,
        }
    }
}

/// Who asks: a name and roles (which decide the tools offered and what
/// may be approved). Tools read Odoo as the demo user, like the local
/// operator of `serve`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseIdentity {
    #[serde(default = "default_identity_name")]
    pub name: String,
    #[serde(default = "default_roles")]
    pub roles: Vec<Role>,
    /// The demo user whose Odoo rights the tools have.
    #[serde(default = "default_login")]
    pub odoo_login: String,
}

impl Default for CaseIdentity {
    fn default() -> Self {
        Self {
            name: default_identity_name(),
            roles: default_roles(),
            odoo_login: default_login(),
        }
    }
}

impl CaseIdentity {
    pub fn to_identity(&self) -> tools::Identity {
        tools::Identity {
            id: tools::Identity::local_operator().id,
            display_name: self.name.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// One message from the person and what must hold after the agent answered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseTurn {
    pub user: String,
    #[serde(default)]
    pub expect: Expect,
}

/// Expectations on one turn.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Each must match a distinct call of the turn.
    #[serde(default)]
    pub tools: Vec<ToolExpect>,
    /// Tools that must not be called in the turn.
    #[serde(default)]
    pub not_called: Vec<String>,
    /// Tool names whose first calls must come in this order.
    #[serde(default)]
    pub order: Vec<String>,
    #[serde(default)]
    pub max_tool_calls: Option<usize>,
    #[serde(default)]
    pub answer: AnswerExpect,
    #[serde(default)]
    pub proposals: Option<ProposalsExpect>,
}

/// A tool call that must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolExpect {
    pub name: String,
    #[serde(default)]
    pub args: Option<ArgsMatcher>,
    /// `ok` or an error kind (`invalid_args`, `not_permitted`…).
    #[serde(default)]
    pub outcome: Option<String>,
}

/// How a call's arguments are matched.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawArgsMatcher")]
pub enum ArgsMatcher {
    /// The arguments equal this value exactly.
    Exact(Value),
    /// Every key given (recursively) has this value; others may exist.
    Subset(Value),
    /// Each path (`partner.name`, `lines.0.amount`) matches its matcher.
    Fields(BTreeMap<String, FieldMatcher>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArgsMatcher {
    exact: Option<Value>,
    subset: Option<Value>,
    fields: Option<BTreeMap<String, FieldMatcher>>,
}

impl TryFrom<RawArgsMatcher> for ArgsMatcher {
    type Error = String;

    fn try_from(raw: RawArgsMatcher) -> Result<Self, String> {
        match (raw.exact, raw.subset, raw.fields) {
            (Some(v), None, None) => Ok(Self::Exact(v)),
            (None, Some(v), None) => Ok(Self::Subset(v)),
            (None, None, Some(f)) => Ok(Self::Fields(f)),
            _ => Err("args needs exactly one of `exact`, `subset` or `fields`".to_owned()),
        }
    }
}

/// How one argument value is matched.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawFieldMatcher")]
pub enum FieldMatcher {
    Equals(Value),
    Regex(MatchRegex),
    Number { value: f64, tolerance: f64 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldMatcher {
    equals: Option<Value>,
    regex: Option<String>,
    number: Option<f64>,
    tolerance: Option<f64>,
}

impl TryFrom<RawFieldMatcher> for FieldMatcher {
    type Error = String;

    fn try_from(raw: RawFieldMatcher) -> Result<Self, String> {
        match (raw.equals, raw.regex, raw.number, raw.tolerance) {
            (Some(v), None, None, None) => Ok(Self::Equals(v)),
            (None, Some(r), None, None) => Ok(Self::Regex(MatchRegex::new(&r)?)),
            (None, None, Some(value), tolerance) => {
                let tolerance = tolerance.unwrap_or(0.0);
                if tolerance < 0.0 {
                    return Err(format!("tolerance must not be negative, got {tolerance}"));
                }
                Ok(Self::Number { value, tolerance })
            }
            _ => Err(
                "a field matcher needs exactly one of `equals`, `regex` or `number` (with an \
                 optional `tolerance`)"
                    .to_owned(),
            ),
        }
    }
}

/// A compiled regular expression that remembers its source.
#[derive(Debug, Clone)]
pub struct MatchRegex(pub Regex);

impl MatchRegex {
    pub fn new(pattern: &str) -> Result<Self, String> {
        Regex::new(pattern)
            .map(Self)
            .map_err(|err| format!("invalid regex {pattern:?}: {err}"))
    }
}

impl<'de> Deserialize<'de> for MatchRegex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let pattern = String::deserialize(d)?;
        Self::new(&pattern).map_err(serde::de::Error::custom)
    }
}

/// Expectations on the answer text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerExpect {
    /// Each must appear (case-insensitive).
    #[serde(default)]
    pub contains: Vec<String>,
    /// None may appear (case-insensitive).
    #[serde(default)]
    pub not_contains: Vec<String>,
    /// Each must match.
    #[serde(default)]
    pub matches: Vec<MatchRegex>,
    /// Figures the answer must state as the tools returned them.
    #[serde(default)]
    pub numbers: Vec<NumberExpect>,
}

/// A number in the answer that must equal a field of a tool's output.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberExpect {
    /// The tool whose (last) output in the turn holds the figure.
    pub tool: String,
    /// Path in what the model was sent back: `data.total`, `data.rows.0.amount`.
    pub path: String,
    /// Absolute tolerance.
    #[serde(default)]
    pub tolerance: f64,
}

/// Expectations on the proposals the turn created.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalsExpect {
    /// Each must match a distinct proposal of the turn.
    #[serde(default)]
    pub created: Vec<ProposalExpect>,
    /// No proposal at all (prompt injection, read-only questions).
    #[serde(default)]
    pub none: bool,
}

/// A proposal that must have been created (and is still pending).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposalExpect {
    /// `set_credit_limit`, `merge_partners`…
    pub action: String,
    /// The Odoo model changed (`res.partner`).
    #[serde(default)]
    pub target_model: Option<String>,
    #[serde(default)]
    pub target_ids: Option<Vec<i64>>,
    /// Text the preview must contain (case-insensitive).
    #[serde(default)]
    pub preview_contains: Option<String>,
}

/// Bounds on the whole case.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most model calls any one turn may make (agent-loop iterations).
    #[serde(default)]
    pub turns: Option<u32>,
    /// Most tokens (input, output and cached) over the whole case.
    #[serde(default)]
    pub tokens: Option<u64>,
    /// Most estimated cost in US dollars over the whole case.
    #[serde(default)]
    pub cost_usd: Option<f64>,
}

/// A case file that could not be used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseError {
    pub file: PathBuf,
    /// 1-based, when the problem has a place.
    pub line: Option<usize>,
    pub problem: String,
}

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.problem),
            None => write!(f, "{}: {}", self.file.display(), self.problem),
        }
    }
}

/// Cases and broken case files found under some paths.
#[derive(Debug, Default)]
pub struct Loaded {
    pub cases: Vec<Case>,
    pub errors: Vec<CaseError>,
}

/// Reads every `*.yaml` / `*.yml` file under `paths` (files or folders),
/// sorted by path, keeping those with one of `tags` when tags are given.
pub fn load(paths: &[PathBuf], tags: &[String]) -> Loaded {
    let mut files = Vec::new();
    let mut loaded = Loaded::default();
    for path in paths {
        if let Err(err) = collect(path, &mut files) {
            loaded.errors.push(CaseError {
                file: path.clone(),
                line: None,
                problem: format!("cannot read: {err}"),
            });
        }
    }
    files.sort();
    files.dedup();
    let mut seen = BTreeSet::new();
    for file in files {
        match parse_file(&file) {
            Ok(case) => {
                if !seen.insert(case.id.clone()) {
                    loaded.errors.push(CaseError {
                        file,
                        line: None,
                        problem: format!("duplicate case id {:?}", case.id),
                    });
                    continue;
                }
                if tags.is_empty() || case.tags.iter().any(|t| tags.contains(t)) {
                    loaded.cases.push(case);
                }
            }
            Err(err) => loaded.errors.push(err),
        }
    }
    loaded
}

/// Parses one case file.
pub fn parse_file(file: &Path) -> Result<Case, CaseError> {
    let text = std::fs::read_to_string(file).map_err(|err| CaseError {
        file: file.to_owned(),
        line: None,
        problem: format!("cannot read: {err}"),
    })?;
    parse(file, &text)
}

/// Parses case text read from `file`.
pub fn parse(file: &Path, text: &str) -> Result<Case, CaseError> {
    let mut case: Case = yaml_serde::from_str(text).map_err(|err| CaseError {
        file: file.to_owned(),
        line: err.location().map(|l| l.line()),
        problem: strip_location(&err.to_string()),
    })?;
    case.file = file.to_owned();
    check(&case).map_err(|problem| CaseError {
        file: file.to_owned(),
        line: None,
        problem,
    })?;
    Ok(case)
}

/// Rules the YAML shape cannot say.
fn check(case: &Case) -> Result<(), String> {
    let id_ok = !case.id.is_empty()
        && case
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !id_ok {
        return Err(format!(
            "id {:?} must be letters, digits, '-' or '_' (it names the cassette file)",
            case.id
        ));
    }
    if case.turns.is_empty() {
        return Err("turns: a case needs at least one turn".to_owned());
    }
    for (i, turn) in case.turns.iter().enumerate() {
        if turn.user.trim().is_empty() {
            return Err(format!("turns[{i}].user is empty"));
        }
    }
    Ok(())
}

/// The parser's message without its own " at line N column M" suffix (the
/// line is reported separately).
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), files)?;
        }
    } else if path.exists() {
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path.to_owned());
        }
    } else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file or folder",
        ));
    }
    Ok(())
}

fn default_channel() -> String {
    "api".to_owned()
}

fn default_partners() -> usize {
    DEFAULT_PARTNERS
}

fn default_date() -> NaiveDate {
    NaiveDate::parse_from_str(DEFAULT_DATE, "%Y-%m-%d").unwrap_or_default()
}

fn default_identity_name() -> String {
    "Eva Evaluator".to_owned()
}

fn default_login() -> String {
    "accountant@harbourline.example".to_owned()
}

fn default_roles() -> Vec<Role> {
    vec![Role::Finance]
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
