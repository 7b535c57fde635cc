//! Calls to the Cloud API (`{api_url}/{phone-number-id}/messages` and
//! `/media`) with the access token as a Bearer header. Refusals keep the
//! Graph error code, so the sink can tell a closed messaging window (131047)
//! from a passing failure.

use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use thiserror::Error;

use super::wire::{ErrorAnswer, Uploaded};
use crate::multipart::Form;

/// Graph's code for a free-form message sent outside the 24-hour
/// customer-service window ("Re-engagement message").
pub const REENGAGEMENT_REQUIRED: i64 = 131_047;

/// A Cloud API call failed.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("WhatsApp {call} could not be reached: {message}")]
    Transport { call: &'static str, message: String },
    #[error("WhatsApp {call} refused the call (HTTP {status}, code {code}): {message}")]
    Refused {
        call: &'static str,
        status: u16,
        code: i64,
        message: String,
    },
    #[error("WhatsApp {call} answered with unexpected JSON: {message}")]
    Decode { call: &'static str, message: String },
}

impl ApiError {
    /// Whether WhatsApp refused a free-form message because the
    /// customer-service window is closed.
    pub fn is_window_closed(&self) -> bool {
        matches!(self, Self::Refused { code, .. } if *code == REENGAGEMENT_REQUIRED)
    }
}

/// The Cloud API of one business phone number.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: Url,
    phone_number_id: String,
    token: SecretString,
}

const CALL_TIMEOUT: Duration = Duration::from_secs(30);

impl Api {
    pub fn new(base: Url, phone_number_id: String, token: SecretString) -> Self {
        Self {
            client: reqwest::Client::new(),
            base,
            phone_number_id,
            token,
        }
    }

    fn url(&self, edge: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}/{}/{edge}", self.phone_number_id)
    }

    /// `POST /messages` with `body` (which carries `messaging_product`).
    pub async fn send(&self, body: &Value) -> Result<Value, ApiError> {
        let request = self
            .client
            .post(self.url("messages"))
            .bearer_auth(self.token.expose_secret())
            .timeout(CALL_TIMEOUT)
            .json(body);
        self.answer("messages", request).await
    }

    /// Uploads a file (`POST /media`, multipart) and returns its media id.
    pub async fn upload(
        &self,
        file_name: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, ApiError> {
        let (content_type, body) = Form::default()
            .text("messaging_product", "whatsapp")
            .text("type", media_type)
            .file("file", file_name, media_type, bytes)
            .finish();
        let request = self
            .client
            .post(self.url("media"))
            .bearer_auth(self.token.expose_secret())
            .timeout(CALL_TIMEOUT)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        let answer = self.answer("media", request).await?;
        serde_json::from_value::<Uploaded>(answer)
            .map(|uploaded| uploaded.id)
            .map_err(|err| ApiError::Decode {
                call: "media",
                message: err.to_string(),
            })
    }

    async fn answer(
        &self,
        call: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<Value, ApiError> {
        let response = request.send().await.map_err(|err| ApiError::Transport {
            call,
            message: err.without_url().to_string(),
        })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|err| ApiError::Transport {
            call,
            message: err.without_url().to_string(),
        })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|err| ApiError::Decode {
                call,
                message: format!("HTTP {status}: {err}"),
            });
        }
        let error = serde_json::from_slice::<ErrorAnswer>(&bytes)
            .map(|answer| answer.error)
            .unwrap_or_default();
        let details = error
            .error_data
            .and_then(|data| data.details)
            .map(|details| format!(" ({details})"))
            .unwrap_or_default();
        Err(ApiError::Refused {
            call,
            status: status.as_u16(),
            code: error.code,
            message: format!("{}{details}", error.message),
        })
    }
}

/// The body of a text message to `to`, answering `context` when given.
pub fn text_message(to: &str, body: &str, context: Option<&str>) -> Value {
    let mut message = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": false, "body": body},
    });
    if let Some(id) = context {
        message["context"] = json!({"message_id": id});
    }
    message
}
