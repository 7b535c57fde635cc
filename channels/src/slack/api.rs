//! The few Slack Web API methods the channel calls, posted as JSON with
//! the bot token to `SlackConfig.api_url` (so tests and proxies can point
//! it elsewhere). Bodies are slack-morphism's models.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use slack_morphism::prelude::{
    SlackApiAppsConnectionOpenResponse, SlackApiChatPostMessageRequest, SlackApiChatUpdateRequest,
    SlackApiFilesCompleteUploadExternalRequest, SlackApiFilesGetUploadUrlExternalResponse,
    SlackApiUsersInfoResponse, SlackTs,
};
use url::Url;

/// The longest a Web API call (or an upload) may take.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A Web API call failed.
#[derive(Debug, thiserror::Error)]
#[error("slack {method}: {message}")]
pub struct ApiError {
    pub method: &'static str,
    pub message: String,
    /// Slack's error code (`not_in_channel`…), when Slack gave one.
    pub code: Option<String>,
}

impl ApiError {
    /// Whether Slack refused for a reason that sending again cannot fix:
    /// the app is not in the channel, the channel is gone or archived, or
    /// the workspace does not let the app post there.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some(
                "not_in_channel"
                    | "channel_not_found"
                    | "is_archived"
                    | "restricted_action"
                    | "team_access_not_granted"
            )
        )
    }
}

/// A Web API client for one bot token.
#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: SecretString,
}

impl SlackApi {
    pub fn new(base: &Url, token: SecretString) -> Self {
        // reqwest is built without a TLS provider of its own.
        agent::init_crypto();
        // A hung call would hold an ingress worker (or the socket loop)
        // forever; Slack answers well within this.
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: base.as_str().trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// Calls `method` with a JSON body (write methods accept JSON).
    pub async fn call<B: Serialize + Sync, R: DeserializeOwned>(
        &self,
        method: &'static str,
        body: &B,
    ) -> Result<R, ApiError> {
        let request = self.request(method).json(body);
        Self::answer(method, request).await
    }

    /// Calls `method` with form arguments (read methods such as
    /// `users.info` take only form or query arguments).
    pub async fn call_form<R: DeserializeOwned>(
        &self,
        method: &'static str,
        form: &[(&str, &str)],
    ) -> Result<R, ApiError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .request(method)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        Self::answer(method, request).await
    }

    fn request(&self, method: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose_secret())
    }

    /// Slack answers 200 with `ok: false` and an `error` code when it
    /// refuses a call.
    async fn answer<R: DeserializeOwned>(
        method: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<R, ApiError> {
        let fail = |message: String| ApiError {
            method,
            message,
            code: None,
        };
        let response = request.send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let value: Value = response
            .json()
            .await
            .map_err(|e| fail(format!("HTTP {status}: {e}")))?;
        if value.get("ok").and_then(Value::as_bool) != Some(true) {
            let code = value.get("error").and_then(Value::as_str);
            return Err(ApiError {
                code: code.map(str::to_owned),
                ..fail(format!(
                    "HTTP {status}: {}",
                    code.unwrap_or("no error code")
                ))
            });
        }
        serde_json::from_value(value).map_err(|e| fail(format!("unexpected answer: {e}")))
    }

    /// Posts a message; returns its `ts`.
    pub async fn post_message(
        &self,
        request: &SlackApiChatPostMessageRequest,
    ) -> Result<SlackTs, ApiError> {
        #[derive(serde::Deserialize)]
        struct Posted {
            ts: SlackTs,
        }
        let posted: Posted = self.call("chat.postMessage", request).await?;
        Ok(posted.ts)
    }

    pub async fn update(&self, request: &SlackApiChatUpdateRequest) -> Result<(), ApiError> {
        self.call::<_, Value>("chat.update", request)
            .await
            .map(drop)
    }

    /// The sender's profile, for their e-mail (needs `users:read.email`).
    pub async fn user_info(&self, user: &str) -> Result<SlackApiUsersInfoResponse, ApiError> {
        self.call_form("users.info", &[("user", user)]).await
    }

    /// Reserves an upload of `length` bytes named `filename`: the URL to
    /// send the bytes to and the file's id. Slack takes this method's
    /// arguments as a form, not JSON.
    pub async fn upload_url(
        &self,
        filename: &str,
        length: usize,
    ) -> Result<SlackApiFilesGetUploadUrlExternalResponse, ApiError> {
        let length = length.to_string();
        self.call_form(
            "files.getUploadURLExternal",
            &[("filename", filename), ("length", &length)],
        )
        .await
    }

    /// Sends a file's bytes to the URL [`Self::upload_url`] gave. That URL
    /// carries its own authorisation, so no token goes with them.
    pub async fn send_bytes(&self, upload_url: &str, bytes: Vec<u8>) -> Result<(), ApiError> {
        const METHOD: &str = "files.upload (bytes)";
        let fail = |message: String| ApiError {
            method: METHOD,
            message,
            code: None,
        };
        let response = self
            .http
            .post(upload_url)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(fail(format!("HTTP {status}")))
        }
    }

    /// Answers a slash command through its `response_url`, which needs no
    /// token and works where the app is not a channel member.
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        let fail = |message: String| ApiError {
            method: "response_url",
            message,
            code: None,
        };
        let response = self
            .http
            .post(response_url)
            .json(body)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(fail(format!("HTTP {status}")))
        }
    }

    /// Shares uploaded files in a channel (and thread).
    pub async fn complete_upload(
        &self,
        request: &SlackApiFilesCompleteUploadExternalRequest,
    ) -> Result<(), ApiError> {
        self.call::<_, Value>("files.completeUploadExternal", request)
            .await
            .map(drop)
    }

    /// A Socket Mode WebSocket URL; needs the app-level token (`xapp-…`),
    /// so this is called on a client built with that token.
    pub async fn open_connection(&self) -> Result<String, ApiError> {
        let opened: SlackApiAppsConnectionOpenResponse = self
            .call("apps.connections.open", &serde_json::json!({}))
            .await?;
        Ok(opened.url.0.to_string())
    }
}
