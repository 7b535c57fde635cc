//! Every configuration key, in one table: the loader, `--help`, the README
//! and `.env.example` are all checked against it.

/// One configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigKey {
    /// Environment variable name; the TOML key is the same name in lowercase.
    pub name: &'static str,
    /// What it sets, for `--help` and the README.
    pub doc: &'static str,
    /// The default in words; empty when there is none.
    pub default: &'static str,
    /// Secrets are never logged nor echoed in error messages.
    pub secret: bool,
}

const fn key(name: &'static str, default: &'static str, doc: &'static str) -> ConfigKey {
    ConfigKey {
        name,
        doc,
        default,
        secret: false,
    }
}

const fn secret(name: &'static str, doc: &'static str) -> ConfigKey {
    ConfigKey {
        name,
        doc,
        default: "",
        secret: true,
    }
}

/// All keys the server reads.
pub const KEYS: &[ConfigKey] = &[
    key(
        "DATABASE_URL",
        "embedded SQLite file under ODOO_AGENT_DATA_DIR",
        "Conversation database: postgres://… for PostgreSQL, sqlite://PATH for a SQLite file",
    ),
    key(
        "ODOO_AGENT_DATA_DIR",
        "./data",
        "Folder of the embedded SQLite database",
    ),
    key(
        "REDIS_URL",
        "in-process queue and rate limits",
        "Redis for the queue, dedupe and rate limits (redis:// or rediss://)",
    ),
    key(
        "LLM_PROVIDER",
        "anthropic if ANTHROPIC_API_KEY is set, else openai if OPENAI_API_KEY or OPENAI_BASE_URL is set, else replay",
        "Which model backend answers: anthropic, openai or replay (recorded answers)",
    ),
    key(
        "LLM_MODEL",
        "claude-sonnet-4-5 (anthropic), gpt-4.1-mini (openai), replay (replay)",
        "Model name sent to the provider",
    ),
    secret(
        "ANTHROPIC_API_KEY",
        "API key for the Anthropic Messages API",
    ),
    key(
        "ANTHROPIC_BASE_URL",
        "https://api.anthropic.com",
        "Base URL of the Anthropic API (a proxy or a test server)",
    ),
    secret(
        "OPENAI_API_KEY",
        "API key for an OpenAI-compatible endpoint (optional for local servers)",
    ),
    key(
        "OPENAI_BASE_URL",
        "https://api.openai.com/v1",
        "Base URL of an OpenAI-compatible API (Ollama, vLLM, llama.cpp server…), ending in /v1",
    ),
    key(
        "LLM_MAX_RETRIES",
        "4",
        "Retries of a failed model call (429, 529, 5xx, connection errors)",
    ),
    key(
        "ODOO_AGENT_CASSETTES",
        "evals/cassettes",
        "Folder of recorded conversations answered by the replay provider",
    ),
    key(
        "ODOO_URL",
        "built-in demo company",
        "Base URL of the Odoo server, e.g. https://erp.example.com",
    ),
    key("ODOO_DB", "", "Odoo database name (required with ODOO_URL)"),
    key(
        "ODOO_LOGIN",
        "",
        "Odoo login, often an e-mail address (required with ODOO_URL)",
    ),
    secret(
        "ODOO_API_KEY",
        "Odoo API key or password of ODOO_LOGIN (required with ODOO_URL)",
    ),
    key(
        "ODOO_PROTOCOL",
        "auto",
        "Odoo wire protocol: auto (JSON-2 on 19+, JSON-RPC before), jsonrpc or json2",
    ),
    key(
        "ODOO_TIMEOUT_SECS",
        "30",
        "Timeout of one Odoo request, in seconds",
    ),
    key(
        "ODOO_MAX_CONCURRENT_CALLS",
        "4",
        "Odoo calls one user runs at once; more wait, so Odoo's workers are not exhausted",
    ),
    key(
        "ODOO_AGENT_RECORD_POLICY",
        "built-in allow-list of business models",
        "TOML file listing the models and fields the record tools may read (replaces the built-in list)",
    ),
    key(
        "ODOO_AGENT_DEMO_PARTNERS",
        "300",
        "Partners in the built-in demo company (used when ODOO_URL is unset)",
    ),
    key(
        "ODOO_AGENT_DEMO_VERSION",
        "17.0",
        "Odoo version the demo company imitates: 17.0, 18.0 or 19.0",
    ),
    key(
        "ODOO_AGENT_DEMO_LOGIN",
        "accountant@harbourline.example",
        "Demo user the local operator acts as (admin@, accountant@, sales@ or warehouse@harbourline.example)",
    ),
    key(
        "ODOO_AGENT_DEMO_SEED",
        "42",
        "Seed of the demo company's generated data; the same seed gives the same company",
    ),
    key(
        "ODOO_AGENT_DEMO_DATA",
        "none (generated data only)",
        "Directory of <model>.jsonl files in Odoo's search_read shape, loaded over the generated demo company (each file replaces its model's records)",
    ),
    key(
        "ODOO_AGENT_DIGESTS",
        "no daily digests are sent",
        "TOML file of daily digest delivery per role (cfo, sales_manager, warehouse_manager): enabled, time, timezone, owner, targets",
    ),
    key(
        "ODOO_AGENT_IDENTITIES",
        "only the local operator (ODOO_AGENT_API_KEY)",
        "TOML file of identities: id, name, odoo_login, roles (finance, sales, warehouse, admin), api_key_sha256, and odoo_api_key for a real Odoo",
    ),
    key(
        "ODOO_AGENT_BIND",
        "127.0.0.1:8080",
        "Address the HTTP server listens on",
    ),
    secret(
        "ODOO_AGENT_API_KEY",
        "Bearer key of the HTTP API; without it the server binds to loopback only",
    ),
    key(
        "ODOO_AGENT_MAX_BODY_BYTES",
        "65536",
        "Largest accepted HTTP request body, in bytes",
    ),
    key(
        "ODOO_AGENT_TIMEZONE",
        "UTC",
        "IANA time zone used for \"today\" in prompts",
    ),
    key(
        "ODOO_AGENT_MAX_ITERATIONS",
        "8",
        "Model calls allowed in one turn",
    ),
    key(
        "ODOO_AGENT_MAX_TURN_TOKENS",
        "200000",
        "Tokens (input + output) allowed in one turn",
    ),
    key(
        "ODOO_AGENT_MAX_OUTPUT_TOKENS",
        "4096",
        "Output tokens allowed in one model call",
    ),
    key(
        "ODOO_AGENT_TURN_TIMEOUT_SECS",
        "120",
        "Wall time allowed for one turn, in seconds",
    ),
    key(
        "ODOO_AGENT_TOOL_TIMEOUT_SECS",
        "30",
        "Wall time allowed for one tool call, in seconds",
    ),
    key(
        "ODOO_AGENT_MAX_ATTACHMENT_BYTES",
        "20971520",
        "Largest file a tool call may produce (CSV/XLSX export), in bytes (default 20 MiB); a larger one is not stored and the call fails with LIMIT_EXCEEDED",
    ),
    key(
        "ODOO_AGENT_SHUTDOWN_GRACE_SECS",
        "30",
        "On SIGTERM/SIGINT, how long in-flight turns may take to finish",
    ),
    key(
        "ODOO_AGENT_INGRESS_WORKERS",
        "4",
        "Chat conversations answered at the same time (messages of one conversation are always answered in order)",
    ),
    secret(
        "SLACK_BOT_TOKEN",
        "Slack bot token (xoxb-…); with SLACK_SIGNING_SECRET mounts /slack/events, /slack/interactions and /slack/commands",
    ),
    secret(
        "SLACK_SIGNING_SECRET",
        "Slack app signing secret: every Slack request is verified with it (5-minute window)",
    ),
    secret(
        "SLACK_APP_TOKEN",
        "Slack app-level token (xapp-…) for Socket Mode, for installations without a public URL",
    ),
    key(
        "SLACK_API_URL",
        "https://slack.com/api",
        "Base URL of Slack's Web API (tests and proxies)",
    ),
    secret(
        "TELEGRAM_BOT_TOKEN",
        "Telegram bot token; mounts POST /telegram/webhook when TELEGRAM_WEBHOOK_SECRET is set, else long polling",
    ),
    secret(
        "TELEGRAM_WEBHOOK_SECRET",
        "Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token with every webhook update",
    ),
    key(
        "TELEGRAM_API_URL",
        "https://api.telegram.org",
        "Base URL of the Telegram Bot API (tests and proxies)",
    ),
    secret(
        "WHATSAPP_ACCESS_TOKEN",
        "WhatsApp Cloud API access token; with the app secret, verify token and phone number id mounts /whatsapp/webhook",
    ),
    secret(
        "WHATSAPP_APP_SECRET",
        "Meta app secret: webhook POSTs are verified by X-Hub-Signature-256 with it",
    ),
    secret(
        "WHATSAPP_VERIFY_TOKEN",
        "Token Meta sends as hub.verify_token when the webhook is registered",
    ),
    key(
        "WHATSAPP_PHONE_NUMBER_ID",
        "",
        "WhatsApp business phone number id replies are sent from",
    ),
    key(
        "WHATSAPP_API_URL",
        "https://graph.facebook.com/v21.0",
        "Base URL of the WhatsApp Cloud API (Graph API version included; tests and proxies)",
    ),
    secret(
        "DISCUSS_WEBHOOK_SECRET",
        "Shared secret of the Odoo Discuss addon's HMAC-signed webhook; mounts POST /discuss/webhook",
    ),
    key(
        "ODOO_AGENT_LOG",
        "info",
        "Log filter (tracing env-filter syntax, e.g. info,agent=debug)",
    ),
    key("ODOO_AGENT_LOG_FORMAT", "text", "Log format: text or json"),
];

/// Looks a key up by its environment name.
pub fn find(name: &str) -> Option<&'static ConfigKey> {
    KEYS.iter().find(|k| k.name == name)
}
