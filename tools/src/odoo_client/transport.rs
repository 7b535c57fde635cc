//! The protocol a connected client speaks, behind one `send`, and the HTTP
//! failures both protocols share.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::call::MethodCall;
use super::error::{OdooError, Result};
use super::json2::Json2;
use super::jsonrpc::JsonRpc;
use super::protocol::Protocol;
use super::wire::CallSite;

/// Sent with every request, so that Odoo's logs name the caller.
pub(crate) const USER_AGENT: &str = concat!("odoo-agent/", env!("CARGO_PKG_VERSION"));

/// One protocol, chosen at connection.
#[derive(Debug)]
pub(crate) enum Transport {
    JsonRpc(JsonRpc),
    Json2(Json2),
}

impl Transport {
    pub fn protocol(&self) -> Protocol {
        match self {
            Self::JsonRpc(_) => Protocol::JsonRpc,
            Self::Json2(_) => Protocol::Json2,
        }
    }

    /// The url calls go to (JSON-2 appends `<model>/<method>`), for `Debug`.
    pub fn endpoint(&self) -> &Url {
        match self {
            Self::JsonRpc(rpc) => rpc.endpoint(),
            Self::Json2(json2) => json2.endpoint(),
        }
    }

    /// Sends `call` once; retrying is the client's decision.
    pub async fn send(&self, call: &MethodCall<'_>, site: &CallSite<'_>) -> Result<Value> {
        match self {
            Self::JsonRpc(rpc) => rpc.execute_kw(call, site).await,
            Self::Json2(json2) => json2.send(call, site).await,
        }
    }
}

/// The shared HTTP client: one connection pool per Odoo client, the request
/// timeout and our user agent.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(USER_AGENT)
        .build()
        .map_err(|err| OdooError::Config(format!("cannot build the http client: {err}")))
}

/// The base url with a trailing slash, so that joining keeps any path prefix
/// (Odoo behind a reverse proxy under `/odoo/`).
pub(crate) fn base_url(url: &Url) -> Result<Url> {
    if url.cannot_be_a_base() {
        return Err(OdooError::Config(format!(
            "odoo url {url} cannot be a base url"
        )));
    }
    let mut base = url.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    Ok(base)
}

/// A request that got no HTTP answer: a timeout, or the server unreachable.
pub(crate) fn transport_error(
    err: reqwest::Error,
    site: &CallSite<'_>,
    timeout: Duration,
) -> OdooError {
    if err.is_timeout() {
        OdooError::Timeout {
            model: site.model.to_owned(),
            method: site.method.to_owned(),
            after: timeout,
        }
    } else {
        // Without the url: it is ours and adds nothing, and the error
        // chain's innermost cause says what failed.
        site.unavailable(&root_cause(&err.without_url()))
    }
}

/// How a JSON value is called in "expected …, got …" messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}
