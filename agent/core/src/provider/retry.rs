//! The one retry policy for every provider (stub, being implemented).

use std::time::Duration;

use super::{ChatRequest, ChatStream, Provider, ProviderError};

/// Retries retryable provider errors with exponential backoff and jitter,
/// honouring `retry-after`.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Opens a stream, retrying errors that happen before the first text or
    /// tool-call event.
    pub async fn stream(
        &self,
        provider: &dyn Provider,
        request: &ChatRequest,
    ) -> Result<ChatStream, ProviderError> {
        provider.stream(request.clone()).await
    }
}
