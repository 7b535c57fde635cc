//! Anthropic Messages API provider (stub, being implemented).

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::{Capabilities, ChatRequest, ChatStream, Provider, ProviderError};

/// Streams from `POST {base_url}/v1/messages`.
pub struct AnthropicProvider {
    #[allow(dead_code)]
    base_url: Url,
    #[allow(dead_code)]
    api_key: SecretString,
    #[allow(dead_code)]
    http: reqwest::Client,
}

impl AnthropicProvider {
    pub fn new(base_url: Url, api_key: SecretString, http: reqwest::Client) -> Self {
        Self {
            base_url,
            api_key,
            http,
        }
    }
}

#[async_trait]
impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        "anthropic"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: true,
        }
    }

    async fn stream(&self, _request: ChatRequest) -> Result<ChatStream, ProviderError> {
        Err(ProviderError::Protocol {
            provider: "anthropic".into(),
            message: "stub".into(),
        })
    }
}
