//! Replay provider (stub).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Capabilities, ChatEvent, ChatRequest, ChatStream, Provider, ProviderError};

/// A recorded set of provider exchanges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cassette {
    pub interactions: Vec<Interaction>,
}

/// One recorded request and the events answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub request: ChatRequest,
    pub events: Vec<ChatEvent>,
}

pub struct ReplayProvider;

#[async_trait]
impl Provider for ReplayProvider {
    fn name(&self) -> &str {
        "replay"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }
    async fn stream(&self, _request: ChatRequest) -> Result<ChatStream, ProviderError> {
        Err(ProviderError::Protocol {
            provider: "replay".into(),
            message: "stub".into(),
        })
    }
}
