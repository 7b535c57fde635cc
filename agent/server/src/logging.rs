//! Log set-up: tracing to stderr, text or JSON.

use agent::config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `quiet` (interactive commands) keeps only
/// warnings unless the operator asked for more, so logs do not drown the chat.
pub fn init(config: &LogConfig, quiet: bool) {
    let filter = if quiet && config.filter == "info" {
        "warn"
    } else {
        config.filter.as_str()
    };
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
