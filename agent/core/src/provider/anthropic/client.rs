//! The provider: one streamed `POST /v1/messages` per call, failures
//! classified by HTTP status.

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::stream::chat_events;
use super::wire::{ErrorBody, MessagesRequest};
use crate::provider::retry::{error_from_status, retry_after, snippet};
use crate::provider::{Capabilities, ChatRequest, ChatStream, Provider, ProviderError};

pub(super) const PROVIDER: &str = "anthropic";
/// The API version this module's wire types follow.
const API_VERSION: &str = "2023-06-01";

/// Streams from `POST {base_url}/v1/messages`.
pub struct AnthropicProvider {
    base_url: Url,
    api_key: SecretString,
    http: reqwest::Client,
}

impl AnthropicProvider {
    /// `base_url` is the API root, e.g. `https://api.anthropic.com`.
    pub fn new(base_url: Url, api_key: SecretString, http: reqwest::Client) -> Self {
        Self {
            base_url,
            api_key,
            http,
        }
    }

    fn messages_url(&self) -> String {
        // Appending by hand keeps a path prefix of the base URL (a proxy's
        // `/anthropic`), which `Url::join` would replace.
        format!(
            "{}/v1/messages",
            self.base_url.as_str().trim_end_matches('/')
        )
    }
}

#[async_trait]
impl Provider for AnthropicProvider {
    fn name(&self) -> &str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: true,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let body = serde_json::to_vec(&MessagesRequest::from_chat(&request)).map_err(|err| {
            ProviderError::Protocol {
                provider: PROVIDER.to_owned(),
                message: format!("cannot serialise the request: {err}"),
            }
        })?;
        let mut api_key = HeaderValue::from_str(self.api_key.expose_secret()).map_err(|_| {
            ProviderError::Auth {
                provider: PROVIDER.to_owned(),
                status: 0,
                message: "the api key is not a valid http header value".to_owned(),
            }
        })?;
        // Keeps the key out of any Debug output of the request.
        api_key.set_sensitive(true);
        tracing::debug!(
            body_bytes = body.len(),
            messages = request.messages.len(),
            tools = request.tools.len(),
            "sending anthropic messages request"
        );

        let response = self
            .http
            .post(self.messages_url())
            .header("x-api-key", api_key)
            .header("anthropic-version", API_VERSION)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(connection_error)?;

        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers());
            let body = response.bytes().await.map_err(connection_error)?;
            tracing::debug!(
                status = status.as_u16(),
                body_bytes = body.len(),
                "anthropic answered with an error"
            );
            return Err(error_from_status(
                PROVIDER,
                status.as_u16(),
                error_message(&body, status),
                retry_after,
            ));
        }
        Ok(Box::pin(chat_events(response.bytes_stream())))
    }
}

/// Anthropic's error message from an error body, or a short piece of the body
/// when it is not Anthropic's JSON (a proxy's error page).
fn error_message(body: &[u8], status: reqwest::StatusCode) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if !parsed.error.message.is_empty() => parsed.error.message,
        Ok(parsed) => parsed.error.r#type,
        Err(_) if body.is_empty() => status.canonical_reason().unwrap_or("no body").to_owned(),
        Err(_) => snippet(body, 200),
    }
}

pub(super) fn connection_error(err: reqwest::Error) -> ProviderError {
    ProviderError::Connection {
        provider: PROVIDER.to_owned(),
        message: err.to_string(),
    }
}
