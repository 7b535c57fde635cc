//! Configuration: a TOML file plus environment variables (environment wins),
//! validated at start-up into typed values with every problem reported at
//! once.
//!
//! Nothing outside this module reads the process environment: `main` passes
//! the variables in, so tests build configurations from plain maps.

mod identities;
mod keys;
mod load;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use identities::{
    ChannelAccounts, ChannelUser, ConfiguredIdentity, Identities, Platform, Resolution,
    UnknownSenders, sha256_hex,
};
pub use keys::{ConfigKey, KEYS};
pub use load::{ConfigError, ConfigProblem};

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    /// `None` keeps queue, dedupe and rate limits in-process.
    pub redis_url: Option<SecretString>,
    pub llm: LlmConfig,
    /// `None` means the built-in demo company.
    pub odoo: Option<OdooConnection>,
    /// How the Odoo client behaves, for a real Odoo and the demo alike.
    pub odoo_client: OdooClientSettings,
    /// The built-in demo company, used when `odoo` is `None`.
    pub demo: DemoSettings,
    /// The models and fields the record tools may read; `None` keeps the
    /// built-in allow-list.
    pub record_policy: Option<tools::records::RecordPolicy>,
    /// Daily digest delivery per role (spec 7.6); `None` sends no digests.
    pub digests: Option<crate::schedule::DigestDelivery>,
    /// The people the HTTP API knows by their API keys (with their Odoo
    /// users and roles); empty: only the local operator.
    pub identities: Identities,
    pub http: HttpConfig,
    /// Chat platforms to mount; each `None` when its settings are absent.
    pub channels: ChannelsConfig,
    pub agent: AgentConfig,
    pub log: LogConfig,
}

/// The chat platforms the server answers on.
#[derive(Debug, Clone)]
pub struct ChannelsConfig {
    /// Conversations answered at the same time.
    pub ingress_workers: usize,
    pub slack: Option<SlackConfig>,
    pub telegram: Option<TelegramConfig>,
    pub whatsapp: Option<WhatsappConfig>,
    pub discuss: Option<DiscussConfig>,
}

impl ChannelsConfig {
    /// Names of the mounted channels, for `/health`.
    pub fn mounted(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.slack.is_some() {
            names.push("slack");
        }
        if self.telegram.is_some() {
            names.push("telegram");
        }
        if self.whatsapp.is_some() {
            names.push("whatsapp");
        }
        if self.discuss.is_some() {
            names.push("discuss");
        }
        names
    }
}

/// Slack: a bot token and either the signing secret (Events API over
/// HTTP) or an app-level token (Socket Mode), or both.
#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub bot_token: SecretString,
    /// `None`: no HTTP routes, Socket Mode only.
    pub signing_secret: Option<SecretString>,
    /// `Some`: connect over Socket Mode.
    pub app_token: Option<SecretString>,
    pub api_url: Url,
}

/// Telegram: webhook mode when a secret is set, long polling otherwise.
#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub bot_token: SecretString,
    pub webhook_secret: Option<SecretString>,
    pub api_url: Url,
}

/// WhatsApp Cloud API.
#[derive(Debug, Clone)]
pub struct WhatsappConfig {
    pub access_token: SecretString,
    pub app_secret: SecretString,
    pub verify_token: SecretString,
    pub phone_number_id: String,
    pub api_url: Url,
}

/// The Odoo Discuss addon's webhook.
#[derive(Debug, Clone)]
pub struct DiscussConfig {
    pub webhook_secret: SecretString,
}

/// Where conversations are stored.
#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    Sqlite {
        path: PathBuf,
    },
    /// The URL may hold a password, hence secret.
    Postgres {
        url: SecretString,
    },
}

/// Which model answers.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub provider: LlmProvider,
    pub model: String,
    pub max_retries: u32,
}

#[derive(Debug, Clone)]
pub enum LlmProvider {
    Anthropic {
        api_key: SecretString,
        base_url: Url,
    },
    OpenAi {
        api_key: Option<SecretString>,
        base_url: Option<Url>,
    },
    Replay {
        cassettes: PathBuf,
    },
}

impl LlmProvider {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Anthropic { .. } => "anthropic",
            Self::OpenAi { .. } => "openai",
            Self::Replay { .. } => "replay",
        }
    }
}

/// A real Odoo to talk to.
#[derive(Debug, Clone)]
pub struct OdooConnection {
    pub url: Url,
    pub db: String,
    pub login: String,
    pub api_key: SecretString,
}

/// Which wire protocol the Odoo client speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OdooProtocol {
    /// JSON-2 on Odoo 19 and later, JSON-RPC before.
    #[default]
    Auto,
    JsonRpc,
    Json2,
}

impl std::str::FromStr for OdooProtocol {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "auto" => Ok(Self::Auto),
            "jsonrpc" => Ok(Self::JsonRpc),
            "json2" => Ok(Self::Json2),
            _ => Err(()),
        }
    }
}

/// Client-side limits of every Odoo connection.
#[derive(Debug, Clone, PartialEq)]
pub struct OdooClientSettings {
    pub protocol: OdooProtocol,
    /// Timeout of one Odoo request.
    pub timeout: Duration,
    /// Calls one Odoo user runs at once.
    pub max_concurrent_calls: usize,
}

/// Odoo releases the demo company can imitate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DemoOdooVersion {
    #[default]
    V17,
    V18,
    V19,
}

impl std::str::FromStr for DemoOdooVersion {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "17" | "17.0" => Ok(Self::V17),
            "18" | "18.0" => Ok(Self::V18),
            "19" | "19.0" => Ok(Self::V19),
            _ => Err(()),
        }
    }
}

/// Shape of the built-in demo company.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSettings {
    pub seed: u64,
    /// The demo user the local operator acts as.
    pub login: String,
    pub partners: usize,
    pub version: DemoOdooVersion,
    /// `<model>.jsonl` files loaded over the generated company.
    pub data_dir: Option<PathBuf>,
}

/// The HTTP server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub bind: SocketAddr,
    /// Bearer key for `/api/*`; when absent only loopback binds are allowed.
    pub api_key: Option<SecretString>,
    pub max_body_bytes: usize,
    pub shutdown_grace: Duration,
}

/// Limits and context of the turn loop.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    pub timezone: chrono_tz::Tz,
    pub limits: TurnLimits,
}

/// What ends a turn that does not finish by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnLimits {
    pub max_iterations: u32,
    pub max_turn_tokens: u64,
    pub max_output_tokens: u32,
    pub turn_timeout: Duration,
    pub tool_timeout: Duration,
    /// Largest file a tool call may attach, in bytes; a larger one fails the
    /// call with `LIMIT_EXCEEDED` and is not stored.
    pub max_attachment_bytes: usize,
}

impl Default for TurnLimits {
    fn default() -> Self {
        Self {
            max_iterations: 8,
            max_turn_tokens: 200_000,
            max_output_tokens: 4096,
            turn_timeout: Duration::from_secs(120),
            tool_timeout: Duration::from_secs(30),
            max_attachment_bytes: 20 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    pub filter: String,
    pub format: LogFormat,
}

impl Config {
    /// Loads from an optional TOML file and the given environment variables
    /// (which win over the file). `explicit_file` says whether the file was
    /// named by the user (then it must exist) or is the optional default.
    pub fn load(
        file: Option<(&std::path::Path, FileRequirement)>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        load::load(file, env)
    }

    /// A configuration for tests: embedded defaults, replay provider.
    #[cfg(any(test, feature = "testing"))]
    pub fn for_tests() -> Self {
        load::load(None, Vec::new()).unwrap_or_else(|err| unreachable_defaults(&err))
    }
}

/// Whether a missing config file is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRequirement {
    /// Named with `--config`: it must exist.
    Required,
    /// The default `odoo-agent.toml`: read if present.
    IfPresent,
}

#[cfg(any(test, feature = "testing"))]
#[allow(clippy::panic)]
fn unreachable_defaults(err: &ConfigError) -> Config {
    // The defaults are constants validated by the unit tests below.
    panic!("built-in defaults are invalid: {err}")
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
