//! Reading and validating raw key/value settings.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use thiserror::Error;
use url::Url;

use super::keys;
use super::{
    AgentConfig, Config, DatabaseConfig, DemoSettings, FileRequirement, HttpConfig, LlmConfig,
    LlmProvider, LogConfig, LogFormat, OdooClientSettings, OdooConnection, TurnLimits,
};

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The key (or file) concerned.
    pub key: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

/// Every problem found, reported together so an operator fixes them in one go.
#[derive(Debug, Clone, Error)]
#[error("invalid configuration:\n{}", list(.0))]
pub struct ConfigError(pub Vec<ConfigProblem>);

fn list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {}: {}", p.key, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn load(
    file: Option<(&Path, FileRequirement)>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigError> {
    let mut problems = Vec::new();
    let mut raw: BTreeMap<&'static str, String> = BTreeMap::new();
    if let Some((path, requirement)) = file {
        read_file(path, requirement, &mut raw, &mut problems);
    }
    for (name, value) in env {
        if let Some(key) = keys::find(&name) {
            raw.insert(key.name, value);
        }
    }
    // An empty variable (`FOO=`) means unset, as shells and compose files use it.
    raw.retain(|_, value| !value.trim().is_empty());
    let mut settings = Settings { raw, problems };
    let config = settings.build();
    if settings.problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError(settings.problems))
    }
}

fn read_file(
    path: &Path,
    requirement: FileRequirement,
    raw: &mut BTreeMap<&'static str, String>,
    problems: &mut Vec<ConfigProblem>,
) {
    let file_key = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if requirement == FileRequirement::Required {
                problems.push(ConfigProblem {
                    key: file_key,
                    message: "file not found".into(),
                });
            }
            return;
        }
        Err(err) => {
            problems.push(ConfigProblem {
                key: file_key,
                message: format!("cannot read: {err}"),
            });
            return;
        }
    };
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(err) => {
            let message = format!("not valid TOML: {}", err.message());
            problems.push(ConfigProblem {
                key: file_key,
                message,
            });
            return;
        }
    };
    for (name, value) in table {
        let Some(key) = keys::find(&name.to_ascii_uppercase()) else {
            problems.push(ConfigProblem {
                key: format!("{file_key}: {name}"),
                message: "unknown key; keys are the environment variable names in lowercase, \
                          e.g. database_url (see the README)"
                    .into(),
            });
            continue;
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                problems.push(ConfigProblem {
                    key: key.name.into(),
                    message: format!("expected a string or a number, got {}", other.type_str()),
                });
                continue;
            }
        };
        raw.insert(key.name, text);
    }
}

struct Settings {
    raw: BTreeMap<&'static str, String>,
    problems: Vec<ConfigProblem>,
}

impl Settings {
    fn build(&mut self) -> Config {
        let database = self.database();
        let redis_url = self.redis();
        let llm = self.llm();
        let odoo = self.odoo();
        let odoo_client = OdooClientSettings {
            protocol: self.parsed("ODOO_PROTOCOL", "auto, jsonrpc or json2"),
            timeout: self.seconds("ODOO_TIMEOUT_SECS", 1, 600),
            max_concurrent_calls: self.number("ODOO_MAX_CONCURRENT_CALLS", 1, 64),
        };
        let demo = DemoSettings {
            seed: self.number("ODOO_AGENT_DEMO_SEED", 0, u64::MAX),
            login: self
                .value("ODOO_AGENT_DEMO_LOGIN")
                .unwrap_or_else(|| Self::default_of("ODOO_AGENT_DEMO_LOGIN").to_owned()),
            partners: self.number("ODOO_AGENT_DEMO_PARTNERS", 10, 1_000_000),
            version: self.parsed("ODOO_AGENT_DEMO_VERSION", "17.0, 18.0 or 19.0"),
            data_dir: self.demo_data_dir(),
        };
        let record_policy = self.record_policy();
        let digests = self.digests();
        let identities = self.identities();
        let http = self.http();
        let channels = self.channels();
        let agent = AgentConfig {
            timezone: self.parsed(
                "ODOO_AGENT_TIMEZONE",
                "an IANA time zone such as Europe/Brussels",
            ),
            limits: TurnLimits {
                max_iterations: self.number("ODOO_AGENT_MAX_ITERATIONS", 1, 100),
                max_turn_tokens: self.number("ODOO_AGENT_MAX_TURN_TOKENS", 1_000, 10_000_000),
                max_output_tokens: self.number("ODOO_AGENT_MAX_OUTPUT_TOKENS", 16, 128_000),
                turn_timeout: self.seconds("ODOO_AGENT_TURN_TIMEOUT_SECS", 1, 3600),
                tool_timeout: self.seconds("ODOO_AGENT_TOOL_TIMEOUT_SECS", 1, 3600),
                max_attachment_bytes: self.number(
                    "ODOO_AGENT_MAX_ATTACHMENT_BYTES",
                    1024,
                    1024 * 1024 * 1024,
                ),
            },
        };
        let log = self.log();
        Config {
            database,
            redis_url,
            llm,
            odoo,
            odoo_client,
            demo,
            record_policy,
            digests,
            identities,
            http,
            channels,
            agent,
            log,
        }
    }

    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem {
            key: key.to_owned(),
            message: message.into(),
        });
    }

    /// The value, or the documented default.
    fn value(&self, name: &'static str) -> Option<String> {
        self.raw.get(name).cloned()
    }

    fn default_of(name: &'static str) -> &'static str {
        keys::find(name).map_or("", |k| k.default)
    }

    fn parsed<T: FromStr + Default>(&mut self, name: &'static str, accepted: &str) -> T {
        self.try_parse(name, accepted).unwrap_or_default()
    }

    fn try_parse<T: FromStr>(&mut self, name: &'static str, accepted: &str) -> Option<T> {
        let text = self
            .value(name)
            .unwrap_or_else(|| Self::default_of(name).to_owned());
        let parsed = text.trim().parse().ok();
        if parsed.is_none() {
            self.problem(name, format!("{text:?} is not valid; expected {accepted}"));
        }
        parsed
    }

    fn number<T>(&mut self, name: &'static str, min: T, max: T) -> T
    where
        T: FromStr + PartialOrd + Copy + std::fmt::Display + Default,
    {
        let Some(value) = self.try_parse::<T>(name, &format!("a whole number from {min} to {max}"))
        else {
            return min;
        };
        if value < min || value > max {
            self.problem(
                name,
                format!("{value} is out of range; expected {min} to {max}"),
            );
        }
        value
    }

    fn seconds(&mut self, name: &'static str, min: u64, max: u64) -> Duration {
        Duration::from_secs(self.number(name, min, max))
    }

    fn url(&mut self, name: &'static str, schemes: &[&str]) -> Option<Url> {
        let text = self.value(name)?;
        match Url::parse(text.trim()) {
            Ok(url) if schemes.contains(&url.scheme()) => Some(url),
            Ok(url) => {
                let message = format!(
                    "scheme {:?} is not accepted; expected {}",
                    url.scheme(),
                    schemes.join(" or ")
                );
                self.problem(name, message);
                None
            }
            Err(err) => {
                self.problem(
                    name,
                    format!(
                        "not a valid URL ({err}); expected e.g. {}://host",
                        schemes[0]
                    ),
                );
                None
            }
        }
    }

    fn secret(&self, name: &'static str) -> Option<SecretString> {
        self.value(name)
            .map(|v| SecretString::from(v.trim().to_owned()))
    }

    fn database(&mut self) -> DatabaseConfig {
        let data_dir = PathBuf::from(
            self.value("ODOO_AGENT_DATA_DIR")
                .unwrap_or_else(|| Self::default_of("ODOO_AGENT_DATA_DIR").into()),
        );
        let default = DatabaseConfig::Sqlite {
            path: data_dir.join("odoo-agent.db"),
        };
        let Some(text) = self.value("DATABASE_URL") else {
            return default;
        };
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            if Url::parse(text).is_err() {
                // Never echo the URL: it may carry a password.
                self.problem("DATABASE_URL", "not a valid postgres:// URL");
            }
            return DatabaseConfig::Postgres {
                url: SecretString::from(text.to_owned()),
            };
        }
        if let Some(path) = text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                self.problem(
                    "DATABASE_URL",
                    "sqlite:// needs a file path, e.g. sqlite://data/odoo-agent.db",
                );
            }
            return DatabaseConfig::Sqlite {
                path: PathBuf::from(path),
            };
        }
        self.problem(
            "DATABASE_URL",
            "expected a postgres://, postgresql:// or sqlite:// URL",
        );
        default
    }

    fn redis(&mut self) -> Option<SecretString> {
        let text = self.value("REDIS_URL")?;
        if !(text.starts_with("redis://") || text.starts_with("rediss://"))
            || Url::parse(&text).is_err()
        {
            self.problem("REDIS_URL", "expected a redis:// or rediss:// URL");
        }
        Some(SecretString::from(text))
    }

    fn llm(&mut self) -> LlmConfig {
        let anthropic_key = self.secret("ANTHROPIC_API_KEY");
        let openai_key = self.secret("OPENAI_API_KEY");
        let anthropic_url = self.url("ANTHROPIC_BASE_URL", &["https", "http"]);
        let anthropic_default = Url::parse(Self::default_of("ANTHROPIC_BASE_URL"));
        let openai_url = self.url("OPENAI_BASE_URL", &["https", "http"]);
        let cassettes = PathBuf::from(
            self.value("ODOO_AGENT_CASSETTES")
                .unwrap_or_else(|| Self::default_of("ODOO_AGENT_CASSETTES").into()),
        );
        let chosen = match self
            .value("LLM_PROVIDER")
            .map(|p| p.trim().to_ascii_lowercase())
        {
            Some(name) => name,
            None if anthropic_key.is_some() => "anthropic".into(),
            None if openai_key.is_some() || openai_url.is_some() => "openai".into(),
            None => "replay".into(),
        };
        let replay = LlmProvider::Replay { cassettes };
        let provider = match chosen.as_str() {
            "anthropic" => match (anthropic_key, anthropic_url.or(anthropic_default.ok())) {
                (Some(api_key), Some(base_url)) => LlmProvider::Anthropic { api_key, base_url },
                (Some(_), None) => replay, // the URL problem is already reported
                (None, _) => {
                    self.problem(
                        "ANTHROPIC_API_KEY",
                        "required when LLM_PROVIDER is anthropic",
                    );
                    replay
                }
            },
            "openai" => LlmProvider::OpenAi {
                api_key: openai_key,
                base_url: openai_url,
            },
            "replay" => replay,
            other => {
                self.problem(
                    "LLM_PROVIDER",
                    format!("{other:?} is not a provider; expected anthropic, openai or replay"),
                );
                replay
            }
        };
        let model = self
            .value("LLM_MODEL")
            .map(|m| m.trim().to_owned())
            .unwrap_or_else(|| {
                match provider {
                    LlmProvider::Anthropic { .. } => "claude-sonnet-4-5",
                    LlmProvider::OpenAi { .. } => "gpt-4.1-mini",
                    LlmProvider::Replay { .. } => "replay",
                }
                .to_owned()
            });
        let max_retries = self.number("LLM_MAX_RETRIES", 0, 10);
        LlmConfig {
            provider,
            model,
            max_retries,
        }
    }

    /// The allow-list file of the record tools, read and parsed now so a
    /// mistake stops the start with the file's problem.
    fn demo_data_dir(&mut self) -> Option<PathBuf> {
        const KEY: &str = "ODOO_AGENT_DEMO_DATA";
        let dir = PathBuf::from(self.value(KEY)?);
        if !dir.is_dir() {
            self.problem(
                KEY,
                format!(
                    "{} is not a directory; expected one holding <model>.jsonl files such as res.partner.jsonl",
                    dir.display()
                ),
            );
            return None;
        }
        Some(dir)
    }

    /// The digest delivery file, read and parsed now so a mistake stops the
    /// start with the file's problem.
    fn digests(&mut self) -> Option<crate::schedule::DigestDelivery> {
        const KEY: &str = "ODOO_AGENT_DIGESTS";
        let path = PathBuf::from(self.value(KEY)?);
        let parsed = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))
            .and_then(|text| {
                crate::schedule::DigestDelivery::parse(&text)
                    .map_err(|err| format!("{}: {err}", path.display()))
            });
        parsed.map_err(|problem| self.problem(KEY, problem)).ok()
    }

    /// The identities file, read and checked now so a mistake stops the
    /// start with the file's problem.
    fn identities(&mut self) -> super::Identities {
        const KEY: &str = "ODOO_AGENT_IDENTITIES";
        let Some(path) = self.value(KEY).map(PathBuf::from) else {
            return super::Identities::default();
        };
        let parsed = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))
            .and_then(|text| {
                super::Identities::parse(&text).map_err(|err| format!("{}: {err}", path.display()))
            });
        parsed
            .map_err(|problem| self.problem(KEY, problem))
            .unwrap_or_default()
    }

    fn record_policy(&mut self) -> Option<tools::records::RecordPolicy> {
        const KEY: &str = "ODOO_AGENT_RECORD_POLICY";
        let path = PathBuf::from(self.value(KEY)?);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => {
                self.problem(KEY, format!("cannot read {}: {err}", path.display()));
                return None;
            }
        };
        match toml::from_str(&text) {
            Ok(policy) => Some(policy),
            Err(err) => {
                let message = format!(
                    "{} is not a valid allow-list ({}); expected [models.\"res.partner\"] \
                     tables with `fields`, `default_fields` and `relations`",
                    path.display(),
                    err.message()
                );
                self.problem(KEY, message);
                None
            }
        }
    }

    fn odoo(&mut self) -> Option<OdooConnection> {
        let url = self.url("ODOO_URL", &["https", "http"]);
        let db = self.value("ODOO_DB");
        let login = self.value("ODOO_LOGIN");
        let api_key = self.secret("ODOO_API_KEY");
        if url.is_none() {
            if self.value("ODOO_URL").is_none()
                && (db.is_some() || login.is_some() || api_key.is_some())
            {
                self.problem(
                    "ODOO_URL",
                    "required when ODOO_DB, ODOO_LOGIN or ODOO_API_KEY is set",
                );
            }
            return None;
        }
        for (name, present) in [
            ("ODOO_DB", db.is_some()),
            ("ODOO_LOGIN", login.is_some()),
            ("ODOO_API_KEY", api_key.is_some()),
        ] {
            if !present {
                self.problem(name, "required when ODOO_URL is set");
            }
        }
        Some(OdooConnection {
            url: url?,
            db: db?,
            login: login?,
            api_key: api_key?,
        })
    }

    fn http(&mut self) -> HttpConfig {
        let bind: SocketAddr = self.parsed_addr();
        let api_key = self.secret("ODOO_AGENT_API_KEY");
        if let Some(key) = &api_key {
            use secrecy::ExposeSecret;
            if key.expose_secret().len() < 16 {
                self.problem(
                    "ODOO_AGENT_API_KEY",
                    "too short; use at least 16 random characters",
                );
            }
        } else if !bind.ip().is_loopback() {
            self.problem(
                "ODOO_AGENT_BIND",
                format!(
                    "{bind} is not a loopback address and ODOO_AGENT_API_KEY is not set; set an API \
                     key or bind to 127.0.0.1"
                ),
            );
        }
        HttpConfig {
            bind,
            api_key,
            max_body_bytes: self.number("ODOO_AGENT_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024),
            shutdown_grace: self.seconds("ODOO_AGENT_SHUTDOWN_GRACE_SECS", 0, 3600),
        }
    }

    /// A URL setting with a default; a bad value is a problem and the
    /// default stands in so loading can go on and report everything.
    fn url_or_default(&mut self, name: &'static str) -> Url {
        self.url(name, &["https", "http"]).unwrap_or_else(|| {
            Url::parse(Self::default_of(name)).unwrap_or_else(|_| {
                Url::parse("http://invalid.invalid").unwrap_or_else(|_| unreachable!())
            })
        })
    }

    /// Settings that only work together: all present, or the missing ones
    /// named, or none (the channel is not mounted).
    fn together(&mut self, names: &[&'static str]) -> Option<Vec<String>> {
        let values: Vec<Option<String>> = names.iter().map(|n| self.value(n)).collect();
        if values.iter().all(Option::is_none) {
            return None;
        }
        let given: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect();
        for (name, value) in names.iter().zip(&values) {
            if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                self.problem(name, format!("is needed with {}", given.join(", ")));
            }
        }
        values
            .into_iter()
            .map(|v| v.map(|v| v.trim().to_owned()))
            .collect()
    }

    fn channels(&mut self) -> super::ChannelsConfig {
        let ingress_workers = self.number("ODOO_AGENT_INGRESS_WORKERS", 1, 256);
        let slack_api = self.url_or_default("SLACK_API_URL");
        let slack = match (
            self.secret("SLACK_BOT_TOKEN"),
            self.secret("SLACK_SIGNING_SECRET"),
            self.secret("SLACK_APP_TOKEN"),
        ) {
            (None, None, None) => None,
            (Some(bot_token), signing_secret, app_token)
                if signing_secret.is_some() || app_token.is_some() =>
            {
                Some(super::SlackConfig {
                    bot_token,
                    signing_secret,
                    app_token,
                    api_url: slack_api,
                })
            }
            (None, _, _) => {
                self.problem(
                    "SLACK_BOT_TOKEN",
                    "is needed with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN",
                );
                None
            }
            (Some(_), _, _) => {
                self.problem(
                    "SLACK_SIGNING_SECRET",
                    "is needed with SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode)",
                );
                None
            }
        };
        let telegram_api = self.url_or_default("TELEGRAM_API_URL");
        let telegram_secret = self.secret("TELEGRAM_WEBHOOK_SECRET");
        let telegram = match self.secret("TELEGRAM_BOT_TOKEN") {
            Some(bot_token) => Some(super::TelegramConfig {
                bot_token,
                webhook_secret: telegram_secret,
                api_url: telegram_api,
            }),
            None => {
                if telegram_secret.is_some() {
                    self.problem(
                        "TELEGRAM_BOT_TOKEN",
                        "is needed with TELEGRAM_WEBHOOK_SECRET",
                    );
                }
                None
            }
        };
        let whatsapp_api = self.url_or_default("WHATSAPP_API_URL");
        let whatsapp = self
            .together(&[
                "WHATSAPP_ACCESS_TOKEN",
                "WHATSAPP_APP_SECRET",
                "WHATSAPP_VERIFY_TOKEN",
                "WHATSAPP_PHONE_NUMBER_ID",
            ])
            .and_then(|values| match values.as_slice() {
                [token, app_secret, verify, phone] => Some(super::WhatsappConfig {
                    access_token: SecretString::from(token.clone()),
                    app_secret: SecretString::from(app_secret.clone()),
                    verify_token: SecretString::from(verify.clone()),
                    phone_number_id: phone.clone(),
                    api_url: whatsapp_api,
                }),
                _ => None,
            });
        let discuss = self
            .secret("DISCUSS_WEBHOOK_SECRET")
            .map(|webhook_secret| super::DiscussConfig { webhook_secret });
        super::ChannelsConfig {
            ingress_workers,
            slack,
            telegram,
            whatsapp,
            discuss,
        }
    }

    fn parsed_addr(&mut self) -> SocketAddr {
        let fallback = SocketAddr::from(([127, 0, 0, 1], 8080));
        let text = self
            .value("ODOO_AGENT_BIND")
            .unwrap_or_else(|| Self::default_of("ODOO_AGENT_BIND").into());
        text.trim().parse().unwrap_or_else(|_| {
            self.problem(
                "ODOO_AGENT_BIND",
                format!("{text:?} is not an address; expected IP:PORT such as 127.0.0.1:8080"),
            );
            fallback
        })
    }

    fn log(&mut self) -> LogConfig {
        let filter = self
            .value("ODOO_AGENT_LOG")
            .unwrap_or_else(|| Self::default_of("ODOO_AGENT_LOG").into());
        let format = match self
            .value("ODOO_AGENT_LOG_FORMAT")
            .as_deref()
            .map(str::trim)
        {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                self.problem(
                    "ODOO_AGENT_LOG_FORMAT",
                    format!("{other:?} is not a format; expected text or json"),
                );
                LogFormat::Text
            }
        };
        LogConfig { filter, format }
    }
}
