//! Connecting: probe the server version once, choose the protocol from it,
//! then find the uid the API key acts as.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{RwLock, Semaphore};
use url::Url;

use super::call::MethodCall;
use super::client::{OdooClient, OdooClientConfig, Retry, with_retries};
use super::error::{OdooError, Result};
use super::json2::Json2;
use super::jsonrpc::{Exchange, JsonRpc};
use super::protocol::Protocol;
use super::transport::{Transport, base_url, http_client, json_type, transport_error};
use super::version::ServerVersion;
use super::wire::CallSite;

/// The pseudo-model naming calls to the `common` service in errors.
const COMMON: &str = "common";

impl OdooClient {
    /// Probes the server version (`common.version`, or `GET /web/version`
    /// where `/jsonrpc` is gone), picks the protocol, then authenticates:
    /// `common.authenticate` over JSON-RPC, `res.users/context_get` over
    /// JSON-2 (then a check that the key belongs to the login). Bad
    /// credentials fail here, naming login and database.
    pub async fn connect(config: OdooClientConfig) -> Result<Self> {
        let http = http_client(config.timeout)?;
        let base = base_url(&config.url)?;
        let rpc = JsonRpc::new(
            http.clone(),
            &base,
            config.db.clone(),
            config.api_key.clone(),
            config.timeout,
        )?;
        let (version, jsonrpc_available) =
            detect_version(&rpc, &http, &base, config.timeout).await?;
        if !version.is_supported() {
            tracing::warn!(odoo.version = %version, "odoo version not supported; calls may fail");
        }
        let transport = match config.protocol.resolve(&version, jsonrpc_available) {
            Protocol::JsonRpc => Transport::JsonRpc(rpc),
            Protocol::Json2 => Transport::Json2(Json2::new(
                http,
                &base,
                config.db.clone(),
                config.login.clone(),
                config.api_key,
                config.timeout,
            )?),
        };
        let mut client = Self {
            transport,
            db: config.db,
            login: config.login,
            uid: 0,
            version,
            permits: Semaphore::new(config.max_concurrent_calls.get()),
            fields: RwLock::new(HashMap::new()),
        };
        client.uid = client.authenticate().await?;
        if client.protocol() == Protocol::Json2 {
            client.check_key_owner().await?;
        }
        tracing::info!(
            odoo.version = %client.version,
            odoo.protocol = %client.protocol(),
            odoo.uid = client.uid,
            "connected to odoo"
        );
        Ok(client)
    }

    /// The uid the credentials act as. Both calls only read, so repeating
    /// them after a transport error is safe.
    async fn authenticate(&self) -> Result<i64> {
        match &self.transport {
            Transport::JsonRpc(rpc) => {
                let site = self.site(COMMON, "authenticate");
                let result = with_retries(Retry::IdempotentRead, || {
                    rpc.authenticate(&self.login, &site)
                })
                .await?;
                // Odoo answers a uid on success and `false` on bad
                // credentials; uids start at 1, so anything else is not an
                // Odoo answer.
                match (result.as_i64(), &result) {
                    (Some(uid), _) if uid > 0 => Ok(uid),
                    (_, Value::Bool(false) | Value::Null) => Err(self.authentication_failed()),
                    (_, other) => {
                        Err(site
                            .protocol(format!("expected a uid or false, got {}", json_type(other))))
                    }
                }
            }
            Transport::Json2(_) => {
                // The user behind the key: `context_get` needs no access right
                // and carries `uid`; a bad key is a 401, mapped to
                // `AuthenticationFailed` by the transport.
                let call = MethodCall::model("res.users", "context_get");
                let context = self.send(call, Retry::IdempotentRead).await?;
                match context.get("uid").and_then(Value::as_i64) {
                    Some(uid) if uid > 0 => Ok(uid),
                    _ => Err(self
                        .site("res.users", "context_get")
                        .protocol("no uid in the user's context".to_owned())),
                }
            }
        }
    }

    /// Over JSON-2 the key alone says who acts, so a key pasted for the
    /// wrong person would silently act with that person's rights (often an
    /// administrator's). JSON-RPC checks the key against the login; this
    /// does the same by reading the key owner's login. A user that may not
    /// read it (an unusual access rule) keeps the connection, with a warning.
    async fn check_key_owner(&self) -> Result<()> {
        let owner = match self.read("res.users", &[self.uid], &["login"]).await {
            Ok(records) => records
                .first()
                .and_then(|record| record.get("login"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            Err(err @ OdooError::AccessDenied { .. }) => {
                tracing::warn!(error = %err, odoo.uid = self.uid, "cannot read the api key owner's login");
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        match owner {
            Some(owner) if owner.trim().eq_ignore_ascii_case(self.login.trim()) => Ok(()),
            Some(owner) => {
                tracing::warn!(
                    odoo.uid = self.uid,
                    odoo.key_owner = %owner,
                    odoo.login = %self.login,
                    "the api key belongs to another odoo user than the configured login"
                );
                Err(self.authentication_failed())
            }
            None => Err(self
                .site("res.users", "read")
                .protocol("no login in the key owner's record".to_owned())),
        }
    }

    fn authentication_failed(&self) -> OdooError {
        OdooError::AuthenticationFailed {
            login: self.login.clone(),
            db: self.db.clone(),
        }
    }
}

/// The server version, and whether `/jsonrpc` still exists.
async fn detect_version(
    rpc: &JsonRpc,
    http: &reqwest::Client,
    base: &Url,
    timeout: Duration,
) -> Result<(ServerVersion, bool)> {
    let site = probe_site("version");
    let no_args = json!([]);
    let exchange = with_retries(Retry::IdempotentRead, || {
        rpc.exchange(COMMON, "version", &no_args, &site)
    })
    .await?;
    match exchange {
        Exchange::Answer(result) => {
            let version = ServerVersion::from_version_result(&result)
                .ok_or_else(|| site.protocol("no server_version in the answer".to_owned()))?;
            Ok((version, true))
        }
        Exchange::NoEndpoint => {
            tracing::info!("odoo has no /jsonrpc; reading the version from /web/version");
            let version =
                with_retries(Retry::IdempotentRead, || web_version(http, base, timeout)).await?;
            Ok((version, false))
        }
    }
}

/// `GET /web/version`, the version probe that replaces `common.version`.
async fn web_version(
    http: &reqwest::Client,
    base: &Url,
    timeout: Duration,
) -> Result<ServerVersion> {
    let site = probe_site("web/version");
    let url = base
        .join("web/version")
        .map_err(|err| OdooError::Config(format!("cannot build the version url: {err}")))?;
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|err| transport_error(err, &site, timeout))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(site.unavailable(&format!("http {}", status.as_u16())));
    }
    if !status.is_success() {
        return Err(site.protocol(format!(
            "http {} from both /jsonrpc and /web/version: is the url an odoo server?",
            status.as_u16()
        )));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|err| site.protocol(format!("not a json answer: {err}")))?;
    ServerVersion::from_web_version(&body)
        .ok_or_else(|| site.protocol("no version in the answer".to_owned()))
}

/// Names calls made before the version and uid are known.
fn probe_site(method: &'static str) -> CallSite<'static> {
    CallSite {
        model: COMMON,
        method,
        uid: 0,
        server_version: "",
    }
}
