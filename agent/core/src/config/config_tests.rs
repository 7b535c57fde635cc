use std::collections::BTreeSet;
use std::io::Write;

use pretty_assertions::assert_eq;
use secrecy::ExposeSecret;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn problems(result: Result<Config, ConfigError>) -> Vec<(String, String)> {
    result
        .unwrap_err()
        .0
        .into_iter()
        .map(|p| (p.key, p.message))
        .collect()
}

#[test]
fn no_settings_means_embedded_defaults() {
    let config = Config::load(None, env(&[])).unwrap();
    assert!(
        matches!(config.database, DatabaseConfig::Sqlite { ref path } if path.ends_with("data/odoo-agent.db"))
    );
    assert!(config.redis_url.is_none());
    assert!(config.odoo.is_none());
    assert_eq!(config.llm.provider.name(), "replay");
    assert_eq!(config.llm.model, "replay");
    assert_eq!(config.http.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(config.http.max_body_bytes, 65536);
    assert_eq!(config.agent.limits, TurnLimits::default());
    assert_eq!(config.agent.timezone, chrono_tz::UTC);
}

#[test]
fn provider_defaults_follow_the_keys_present() {
    let config = Config::load(
        None,
        env(&[
            ("ANTHROPIC_API_KEY", "sk-ant-x"),
            ("OPENAI_API_KEY", "sk-o"),
        ]),
    )
    .unwrap();
    assert_eq!(config.llm.provider.name(), "anthropic");
    assert_eq!(config.llm.model, "claude-sonnet-4-5");
    let config = Config::load(
        None,
        env(&[("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")]),
    )
    .unwrap();
    assert_eq!(config.llm.provider.name(), "openai");
    let config = Config::load(
        None,
        env(&[
            ("ANTHROPIC_API_KEY", "k"),
            ("LLM_PROVIDER", "replay"),
            ("LLM_MODEL", "m"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (config.llm.provider.name(), config.llm.model.as_str()),
        ("replay", "m")
    );
}

#[test]
fn environment_wins_over_the_file() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "odoo_agent_bind = \"127.0.0.1:9000\"\nodoo_agent_max_iterations = 3\nllm_model = \"from-file\"").unwrap();
    let config = Config::load(
        Some((file.path(), FileRequirement::Required)),
        env(&[("LLM_MODEL", "from-env")]),
    )
    .unwrap();
    assert_eq!(config.http.bind.to_string(), "127.0.0.1:9000");
    assert_eq!(config.agent.limits.max_iterations, 3);
    assert_eq!(config.llm.model, "from-env");
}

#[test]
fn every_problem_is_reported_at_once() {
    let found = problems(Config::load(
        None,
        env(&[
            ("DATABASE_URL", "mysql://x"),
            ("LLM_PROVIDER", "gemini"),
            ("ODOO_AGENT_MAX_ITERATIONS", "0"),
            ("ODOO_AGENT_TURN_TIMEOUT_SECS", "soon"),
            ("ODOO_URL", "https://erp.example.com"),
            ("ODOO_AGENT_TIMEZONE", "Mars/Olympus"),
        ]),
    ));
    let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "DATABASE_URL",
            "LLM_PROVIDER",
            "ODOO_DB",
            "ODOO_LOGIN",
            "ODOO_API_KEY",
            "ODOO_AGENT_TIMEZONE",
            "ODOO_AGENT_MAX_ITERATIONS",
            "ODOO_AGENT_TURN_TIMEOUT_SECS",
        ]
    );
    assert!(
        found[1].1.contains("expected anthropic, openai or replay"),
        "{found:?}"
    );
    assert!(found[6].1.contains("expected 1 to 100"), "{found:?}");
    assert!(found[7].1.contains("\"soon\" is not valid"), "{found:?}");
}

#[test]
fn non_loopback_bind_needs_an_api_key() {
    let found = problems(Config::load(
        None,
        env(&[("ODOO_AGENT_BIND", "0.0.0.0:8080")]),
    ));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "ODOO_AGENT_BIND");
    let config = Config::load(
        None,
        env(&[
            ("ODOO_AGENT_BIND", "0.0.0.0:8080"),
            ("ODOO_AGENT_API_KEY", "0123456789abcdef-key"),
        ]),
    )
    .unwrap();
    assert_eq!(
        config.http.api_key.unwrap().expose_secret(),
        "0123456789abcdef-key"
    );
}

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let config = Config::load(
        None,
        env(&[
            ("ANTHROPIC_API_KEY", "sk-ant-SECRET-1"),
            ("ODOO_AGENT_API_KEY", "SECRET-2-0123456789"),
            ("DATABASE_URL", "postgres://u:SECRET-3@localhost/db"),
            ("ODOO_URL", "https://erp.example.com"),
            ("ODOO_DB", "prod"),
            ("ODOO_LOGIN", "bot@example.com"),
            ("ODOO_API_KEY", "SECRET-4"),
        ]),
    )
    .unwrap();
    let debug = format!("{config:?}");
    for secret in ["SECRET-1", "SECRET-2", "SECRET-3", "SECRET-4"] {
        assert!(!debug.contains(secret), "{secret} leaked: {debug}");
    }
    let err =
        Config::load(None, env(&[("DATABASE_URL", "postgres://u:SECRET-5@[bad")])).unwrap_err();
    assert!(!err.to_string().contains("SECRET-5"), "{err}");
}

#[test]
fn file_problems_are_named() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "database_ur = \"x\"\nllm_model = [1]").unwrap();
    let found = problems(Config::load(
        Some((file.path(), FileRequirement::Required)),
        env(&[]),
    ));
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].0.ends_with("database_ur") && found[0].1.contains("unknown key"),
        "{found:?}"
    );
    assert_eq!(
        found[1],
        (
            "LLM_MODEL".to_owned(),
            "expected a string or a number, got array".to_owned()
        )
    );
    let missing = std::path::Path::new("/nonexistent/odoo-agent.toml");
    assert!(Config::load(Some((missing, FileRequirement::IfPresent)), env(&[])).is_ok());
    assert_eq!(
        problems(Config::load(
            Some((missing, FileRequirement::Required)),
            env(&[])
        ))[0]
            .1,
        "file not found"
    );
}

#[test]
fn unrelated_and_empty_variables_are_ignored() {
    let config = Config::load(None, env(&[("PATH", "/bin"), ("ANTHROPIC_API_KEY", "")])).unwrap();
    assert_eq!(config.llm.provider.name(), "replay");
}

#[test]
fn env_example_lists_exactly_the_known_keys() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.env.example");
    let text = std::fs::read_to_string(path).unwrap();
    let listed: BTreeSet<&str> = text
        .lines()
        .map(|l| l.trim_start_matches('#').trim())
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim()))
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        })
        .collect();
    let known: BTreeSet<&str> = KEYS.iter().map(|k| k.name).collect();
    assert_eq!(listed, known);
}

#[test]
fn readme_documents_every_key() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let text = std::fs::read_to_string(path).unwrap();
    let missing: Vec<&str> = KEYS
        .iter()
        .map(|k| k.name)
        .filter(|k| !text.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "README lacks {missing:?}");
}

#[test]
fn odoo_client_and_demo_settings_have_defaults_and_are_checked() {
    let config = Config::load(None, env(&[])).unwrap();
    assert_eq!(config.odoo_client.protocol, OdooProtocol::Auto);
    assert_eq!(config.odoo_client.timeout, Duration::from_secs(30));
    assert_eq!(config.demo.partners, 300);
    assert_eq!(config.demo.version, DemoOdooVersion::V17);
    assert_eq!(config.demo.login, "accountant@harbourline.example");
    assert!(config.record_policy.is_none());
    assert!(config.demo.data_dir.is_none());

    let config = Config::load(
        None,
        env(&[
            ("ODOO_PROTOCOL", "json2"),
            ("ODOO_AGENT_DEMO_VERSION", "19.0"),
        ]),
    )
    .unwrap();
    assert_eq!(config.odoo_client.protocol, OdooProtocol::Json2);
    assert_eq!(config.demo.version, DemoOdooVersion::V19);

    let found = problems(Config::load(
        None,
        env(&[
            ("ODOO_PROTOCOL", "xmlrpc"),
            ("ODOO_AGENT_DEMO_VERSION", "16.0"),
            ("ODOO_AGENT_DEMO_PARTNERS", "5"),
            ("ODOO_AGENT_DEMO_DATA", "/nonexistent/demo-data"),
        ]),
    ));
    let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "ODOO_PROTOCOL",
            "ODOO_AGENT_DEMO_PARTNERS",
            "ODOO_AGENT_DEMO_VERSION",
            "ODOO_AGENT_DEMO_DATA"
        ]
    );
    assert!(found[0].1.contains("auto, jsonrpc or json2"), "{found:?}");
}

#[test]
fn a_record_policy_file_replaces_the_allow_list_and_its_mistakes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("policy.toml");
    std::fs::write(
        &good,
        "[models.\"res.partner\"]\nfields = [\"name\", \"email\"]\ndefault_fields = [\"name\"]\n",
    )
    .unwrap();
    let config = Config::load(
        None,
        env(&[("ODOO_AGENT_RECORD_POLICY", good.to_str().unwrap())]),
    )
    .unwrap();
    let policy = config.record_policy.unwrap();
    assert_eq!(policy.models.keys().collect::<Vec<_>>(), ["res.partner"]);

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[models.\"res.partner\"]\nfeilds = [\"name\"]\n").unwrap();
    let missing = dir.path().join("missing.toml");
    for (path, expected) in [(&bad, "feilds"), (&missing, "cannot read")] {
        let found = problems(Config::load(
            None,
            env(&[("ODOO_AGENT_RECORD_POLICY", path.to_str().unwrap())]),
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "ODOO_AGENT_RECORD_POLICY");
        assert!(found[0].1.contains(expected), "{found:?}");
    }
}

#[test]
fn a_digest_delivery_file_is_read_at_start_and_its_mistakes_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("digests.toml");
    std::fs::write(
        &good,
        "[cfo]\ntime = \"06:45\"\ntargets = [{ channel = \"odoo_discuss\", recipient = \"3\" }]\n",
    )
    .unwrap();
    let config =
        Config::load(None, env(&[("ODOO_AGENT_DIGESTS", good.to_str().unwrap())])).unwrap();
    let digests = config.digests.unwrap();
    assert_eq!(digests.roles["cfo"].time.as_deref(), Some("06:45"));
    assert!(Config::for_tests().digests.is_none());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[cfo]\ntargts = []\n").unwrap();
    let missing = dir.path().join("missing.toml");
    for (path, expected) in [(&bad, "targts"), (&missing, "cannot read")] {
        let found = problems(Config::load(
            None,
            env(&[("ODOO_AGENT_DIGESTS", path.to_str().unwrap())]),
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "ODOO_AGENT_DIGESTS");
        assert!(found[0].1.contains(expected), "{found:?}");
    }
}

#[test]
fn channels_are_mounted_only_with_complete_settings() {
    let none = Config::load(None, env(&[])).unwrap();
    assert!(none.channels.mounted().is_empty());
    assert_eq!(none.channels.ingress_workers, 4);

    let all = Config::load(
        None,
        env(&[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5"),
            ("SLACK_API_URL", "http://127.0.0.1:9/api"),
            ("TELEGRAM_BOT_TOKEN", "123:abc"),
            ("WHATSAPP_ACCESS_TOKEN", "EAAG"),
            ("WHATSAPP_APP_SECRET", "app-secret"),
            ("WHATSAPP_VERIFY_TOKEN", "verify-me"),
            ("WHATSAPP_PHONE_NUMBER_ID", "106540352242922"),
            ("DISCUSS_WEBHOOK_SECRET", "discuss-secret"),
            ("ODOO_AGENT_INGRESS_WORKERS", "8"),
        ]),
    )
    .unwrap();
    let channels = &all.channels;
    assert_eq!(
        channels.mounted(),
        ["slack", "telegram", "whatsapp", "discuss"]
    );
    assert_eq!(channels.ingress_workers, 8);
    let slack = channels.slack.as_ref().unwrap();
    assert_eq!(slack.api_url.as_str(), "http://127.0.0.1:9/api");
    assert!(slack.app_token.is_none());
    let telegram = channels.telegram.as_ref().unwrap();
    // Without a webhook secret Telegram is read by long polling.
    assert!(telegram.webhook_secret.is_none());
    assert_eq!(telegram.api_url.as_str(), "https://api.telegram.org/");
    assert_eq!(
        channels.whatsapp.as_ref().unwrap().phone_number_id,
        "106540352242922"
    );

    let partial = problems(Config::load(
        None,
        env(&[
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("WHATSAPP_ACCESS_TOKEN", "EAAG"),
            ("WHATSAPP_APP_SECRET", "app-secret"),
            ("TELEGRAM_WEBHOOK_SECRET", "s"),
        ]),
    ));
    let keys: Vec<&str> = partial.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "SLACK_SIGNING_SECRET",
            "TELEGRAM_BOT_TOKEN",
            "WHATSAPP_VERIFY_TOKEN",
            "WHATSAPP_PHONE_NUMBER_ID",
        ]
    );
    assert!(
        partial[2]
            .1
            .contains("WHATSAPP_ACCESS_TOKEN, WHATSAPP_APP_SECRET")
    );
}
