//! OpenAI-compatible chat completions provider (stub, being implemented).

use async_trait::async_trait;
use secrecy::SecretString;
use url::Url;

use super::{Capabilities, ChatRequest, ChatStream, Provider, ProviderError};

/// Streams chat completions through `async-openai`.
pub struct OpenAiCompatProvider {
    #[allow(dead_code)]
    base_url: Option<Url>,
    #[allow(dead_code)]
    api_key: Option<SecretString>,
}

impl OpenAiCompatProvider {
    pub fn new(base_url: Option<Url>, api_key: Option<SecretString>) -> Self {
        Self { base_url, api_key }
    }
}

#[async_trait]
impl Provider for OpenAiCompatProvider {
    fn name(&self) -> &str {
        "openai"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, _request: ChatRequest) -> Result<ChatStream, ProviderError> {
        Err(ProviderError::Protocol {
            provider: "openai".into(),
            message: "stub".into(),
        })
    }
}
