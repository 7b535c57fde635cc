//! What every handler shares: the runtime and the HTTP settings.

use secrecy::SecretString;

use agent::Runtime;
use agent::config::{HttpConfig, Identities};

/// State of the HTTP API, built once at start-up.
pub struct WebState {
    pub(crate) runtime: Runtime,
    /// `None` leaves `/api` open; configuration only allows that on loopback.
    pub(crate) api_key: Option<SecretString>,
    pub(crate) max_body_bytes: usize,
    /// People known by their own API keys; the single key above stays the
    /// local operator's.
    pub(crate) identities: Identities,
    /// Chat channels mounted beside the API, for `/health`.
    pub(crate) channels: Vec<&'static str>,
}

impl WebState {
    /// Takes the key and body limit from the `[http]` configuration.
    pub fn new(runtime: Runtime, config: &HttpConfig) -> Self {
        Self {
            runtime,
            api_key: config.api_key.clone(),
            max_body_bytes: config.max_body_bytes,
            identities: Identities::default(),
            channels: Vec::new(),
        }
    }

    /// Names the mounted chat channels in `/health`.
    pub fn with_channels(mut self, channels: Vec<&'static str>) -> Self {
        self.channels = channels;
        self
    }

    /// Lets each identity of `identities` call the API with its own key and
    /// act as itself (its Odoo user and roles).
    pub fn with_identities(mut self, identities: Identities) -> Self {
        self.identities = identities;
        self
    }
}
