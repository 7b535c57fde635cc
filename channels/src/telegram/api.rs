//! Calls to the Bot API (`{api_url}bot{token}/{method}`), JSON or
//! multipart. The token is part of the URL, so errors are stripped of it
//! before anyone sees them.

use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use super::wire::Answer;
use crate::multipart::Form;

/// A Bot API call failed.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("Telegram {method} could not be reached: {message}")]
    Transport { method: String, message: String },
    #[error("Telegram {method} refused the call ({code}): {description}")]
    Refused {
        method: String,
        code: i64,
        description: String,
    },
    #[error("Telegram {method} answered with unexpected JSON: {message}")]
    Decode { method: String, message: String },
}

/// The Bot API of one bot.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: Url,
    token: SecretString,
}

/// Time for an ordinary call; long polls add their own timeout to it.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

impl Api {
    pub fn new(base: Url, token: SecretString) -> Self {
        Self {
            client: reqwest::Client::new(),
            base,
            token,
        }
    }

    /// The bot's numeric id: the part of the token before the colon.
    pub fn bot_id(&self) -> Option<i64> {
        self.token.expose_secret().split(':').next()?.parse().ok()
    }

    fn url(&self, method: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}/bot{}/{method}", self.token.expose_secret())
    }

    /// Calls `method` with a JSON body.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
    ) -> Result<T, ApiError> {
        self.call_waiting(method, body, Duration::ZERO).await
    }

    /// Calls `method`, allowing it `extra` time beyond an ordinary call
    /// (`getUpdates` holds the request open while it waits).
    pub async fn call_waiting<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        extra: Duration,
    ) -> Result<T, ApiError> {
        let request = self
            .client
            .post(self.url(method))
            .timeout(CALL_TIMEOUT + extra)
            .json(body);
        self.send(method, request).await
    }

    /// Calls `method` with a multipart form (file uploads).
    pub async fn upload<T: DeserializeOwned>(
        &self,
        method: &str,
        form: Form,
    ) -> Result<T, ApiError> {
        let (content_type, body) = form.finish();
        let request = self
            .client
            .post(self.url(method))
            .timeout(CALL_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        self.send(method, request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let transport = |err: reqwest::Error| ApiError::Transport {
            method: method.to_owned(),
            // The URL holds the token.
            message: err.without_url().to_string(),
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        let answer: Answer<T> = serde_json::from_slice(&bytes).map_err(|err| ApiError::Decode {
            method: method.to_owned(),
            message: format!("HTTP {status}: {err}"),
        })?;
        match (answer.ok, answer.result) {
            (true, Some(result)) => Ok(result),
            (true, None) => Err(ApiError::Decode {
                method: method.to_owned(),
                message: "`ok` without a `result`".to_owned(),
            }),
            (false, _) => Err(ApiError::Refused {
                method: method.to_owned(),
                code: answer.error_code.unwrap_or(i64::from(status.as_u16())),
                description: answer.description.unwrap_or_default(),
            }),
        }
    }
}
