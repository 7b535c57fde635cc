//! `OdooClient`: one authenticated Odoo user over JSON-RPC, with a version
//! probe, a concurrency limit, retries of idempotent reads and a per-model
//! `fields_get` cache.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use tokio::sync::{RwLock, Semaphore};
use tracing::Instrument;
use url::Url;

use super::error::{OdooError, Result};
use super::version::ServerVersion;
use super::wire::{CallSite, Request, Response};
use crate::odoo::{Ref, ValueError, many2one};

/// How many times an idempotent read is repeated after a timeout, a
/// connection error or a 5xx, before the error is returned.
const READ_RETRIES: u32 = 2;
/// The first pause before a retry; it doubles on each attempt.
const RETRY_BACKOFF: Duration = Duration::from_millis(100);
/// The pseudo-model used to name calls to the `common` service in errors.
const COMMON: &str = "common";

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct OdooClientConfig {
    /// The server's base url, e.g. `https://mycompany.odoo.com`; `/jsonrpc`
    /// is appended.
    pub url: Url,
    /// The database name (on Odoo Online, the instance name).
    pub db: String,
    /// The user's login, often an e-mail address.
    pub login: String,
    /// The user's API key (or password); sent in each call's body, never logged.
    pub api_key: SecretString,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// How many calls this client runs at once; more wait their turn so that
    /// one conversation cannot exhaust Odoo's workers.
    pub max_concurrent_calls: NonZeroUsize,
}

/// A connection to Odoo acting as one user.
pub struct OdooClient {
    http: reqwest::Client,
    endpoint: Url,
    db: String,
    login: String,
    api_key: SecretString,
    timeout: Duration,
    uid: i64,
    version: ServerVersion,
    permits: Semaphore,
    next_id: AtomicU64,
    fields: RwLock<HashMap<String, Arc<Value>>>,
}

/// Whether a call may be repeated after a transport failure. Only reads are:
/// a write that timed out may have been applied, and repeating it could
/// apply it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    IdempotentRead,
    Never,
}

impl OdooClient {
    /// Probes the server version, then authenticates; the uid is kept for
    /// every later call.
    pub async fn connect(config: OdooClientConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|err| OdooError::Config(format!("cannot build the http client: {err}")))?;
        let endpoint = jsonrpc_endpoint(&config.url)?;
        let mut client = Self {
            http,
            endpoint,
            db: config.db,
            login: config.login,
            api_key: config.api_key,
            timeout: config.timeout,
            uid: 0,
            version: ServerVersion {
                raw: String::new(),
                major: 0,
                minor: 0,
                saas: false,
            },
            permits: Semaphore::new(config.max_concurrent_calls.get()),
            next_id: AtomicU64::new(1),
            fields: RwLock::new(HashMap::new()),
        };

        let result = client
            .common("version", json!([]), Retry::IdempotentRead)
            .await?;
        client.version =
            ServerVersion::from_version_result(&result).ok_or_else(|| OdooError::Protocol {
                model: COMMON.to_owned(),
                method: "version".to_owned(),
                message: "no server_version in the answer".to_owned(),
            })?;
        if !client.version.is_supported() {
            tracing::warn!(odoo.version = %client.version, "odoo version not supported; calls may fail");
        }

        let args = json!([client.db, client.login, client.api_key.expose_secret(), {}]);
        // authenticate only reads, so repeating it after a transport error is safe.
        let result = client
            .common("authenticate", args, Retry::IdempotentRead)
            .await?;
        // Odoo answers a uid on success and `false` on bad credentials; uids
        // start at 1, so anything else is not an Odoo answer.
        client.uid = match (result.as_i64(), &result) {
            (Some(uid), _) if uid > 0 => uid,
            (_, Value::Bool(false) | Value::Null) => {
                return Err(OdooError::AuthenticationFailed {
                    login: client.login.clone(),
                    db: client.db.clone(),
                });
            }
            (_, other) => {
                return Err(OdooError::Protocol {
                    model: COMMON.to_owned(),
                    method: "authenticate".to_owned(),
                    message: format!("expected a uid or false, got {}", json_type(other)),
                });
            }
        };
        tracing::info!(odoo.version = %client.version, odoo.uid = client.uid, "connected to odoo");
        Ok(client)
    }

    /// The server version detected at connection.
    pub fn version(&self) -> &ServerVersion {
        &self.version
    }

    /// The Odoo user id every call runs as.
    pub fn uid(&self) -> i64 {
        self.uid
    }

    /// Calls `model.method(*args, **kwargs)` once. Never retried, because it
    /// may write; use the typed helpers for reads.
    pub async fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<Value> {
        self.object(model, method, args, kwargs, Retry::Never).await
    }

    /// `search_read` with the domain as the only positional argument and the
    /// rest as keywords; an explicit `order` keeps pages stable.
    pub async fn search_read(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        order: Option<&str>,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<Vec<Value>> {
        let mut kwargs = Map::new();
        kwargs.insert("fields".to_owned(), json!(fields));
        if let Some(order) = order {
            kwargs.insert("order".to_owned(), json!(order));
        }
        if let Some(limit) = limit {
            kwargs.insert("limit".to_owned(), json!(limit));
        }
        if let Some(offset) = offset {
            kwargs.insert("offset".to_owned(), json!(offset));
        }
        let result = self
            .object(
                model,
                "search_read",
                json!([domain]),
                Value::Object(kwargs),
                Retry::IdempotentRead,
            )
            .await?;
        into_records(result, model, "search_read")
    }

    /// Counts the records matching `domain`.
    pub async fn search_count(&self, model: &str, domain: Value) -> Result<u64> {
        let result = self
            .object(
                model,
                "search_count",
                json!([domain]),
                json!({}),
                Retry::IdempotentRead,
            )
            .await?;
        result.as_u64().ok_or_else(|| OdooError::Protocol {
            model: model.to_owned(),
            method: "search_count".to_owned(),
            message: format!("expected a count, got {}", json_type(&result)),
        })
    }

    /// Reads `fields` of the records `ids`; missing ids are left out by Odoo.
    pub async fn read(&self, model: &str, ids: &[i64], fields: &[&str]) -> Result<Vec<Value>> {
        let result = self
            .object(
                model,
                "read",
                json!([ids]),
                json!({ "fields": fields }),
                Retry::IdempotentRead,
            )
            .await?;
        into_records(result, model, "read")
    }

    /// Records whose display name matches `name` (`ilike`), within
    /// `domain`, as `Ref`s. The domain goes positionally because its keyword
    /// is `args` up to 17 and `domain` from 18.
    pub async fn name_search(
        &self,
        model: &str,
        name: &str,
        domain: Value,
        limit: u32,
    ) -> Result<Vec<Ref>> {
        let result = self
            .object(
                model,
                "name_search",
                json!([name, domain, "ilike", limit]),
                json!({}),
                Retry::IdempotentRead,
            )
            .await?;
        into_records(result, model, "name_search")?
            .iter()
            .map(|pair| {
                many2one("name_search", pair)?.ok_or_else(|| ValueError {
                    field: "name_search".to_owned(),
                    expected: "[id, name]",
                    found: pair.to_string(),
                })
            })
            .collect::<std::result::Result<_, ValueError>>()
            .map_err(|err| OdooError::Protocol {
                model: model.to_owned(),
                method: "name_search".to_owned(),
                message: err.to_string(),
            })
    }

    /// The model's field definitions, fetched once per model and client,
    /// since they only change when modules are installed.
    pub async fn fields_get(&self, model: &str) -> Result<Value> {
        if let Some(cached) = self.fields.read().await.get(model) {
            return Ok(Value::clone(cached));
        }
        // Two concurrent misses both fetch; the answers are equal, so the
        // second insert is harmless and no lock is held across the call.
        let kwargs = json!({ "attributes": ["string", "type", "relation", "required", "readonly", "selection"] });
        let result = self
            .object(
                model,
                "fields_get",
                json!([]),
                kwargs,
                Retry::IdempotentRead,
            )
            .await?;
        self.fields
            .write()
            .await
            .insert(model.to_owned(), Arc::new(result.clone()));
        Ok(result)
    }

    pub(super) async fn object(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
        retry: Retry,
    ) -> Result<Value> {
        let span = tracing::debug_span!(
            "odoo_call",
            odoo.model = model,
            odoo.method = method,
            odoo.uid = self.uid
        );
        let params = json!([
            self.db,
            self.uid,
            self.api_key.expose_secret(),
            model,
            method,
            args,
            kwargs
        ]);
        self.call(
            "object",
            "execute_kw",
            params,
            CallSite::new(model, method, self),
            retry,
        )
        .instrument(span)
        .await
    }

    async fn common(&self, method: &str, args: Value, retry: Retry) -> Result<Value> {
        let span = tracing::debug_span!("odoo_call", odoo.model = COMMON, odoo.method = method);
        self.call(
            "common",
            method,
            args,
            CallSite::new(COMMON, method, self),
            retry,
        )
        .instrument(span)
        .await
    }

    async fn call(
        &self,
        service: &'static str,
        method: &str,
        args: Value,
        site: CallSite<'_>,
        retry: Retry,
    ) -> Result<Value> {
        let mut attempt = 0;
        loop {
            let outcome = self.call_once(service, method, &args, &site).await;
            match outcome {
                Err(err)
                    if retry == Retry::IdempotentRead
                        && err.is_retryable()
                        && attempt < READ_RETRIES =>
                {
                    let pause = RETRY_BACKOFF * 2u32.pow(attempt);
                    attempt += 1;
                    tracing::warn!(
                        error = %err,
                        error.kind = err.kind(),
                        attempt,
                        retry_in_ms = pause.as_millis() as u64,
                        "odoo read failed; retrying"
                    );
                    tokio::time::sleep(pause).await;
                }
                other => return other,
            }
        }
    }

    async fn call_once(
        &self,
        service: &'static str,
        method: &str,
        args: &Value,
        site: &CallSite<'_>,
    ) -> Result<Value> {
        // The permit is held for one HTTP exchange only, not across retry
        // pauses, so a failing call does not starve the others.
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| site.unavailable("client closed"))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = Request::call(service, method, args.clone(), id);
        let response = self
            .http
            .post(self.endpoint.clone())
            .json(&body)
            .send()
            .await
            .map_err(|err| self.transport_error(err, site))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(site.unavailable(&format!("http {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(site.protocol(format!("http {}", status.as_u16())));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|err| self.transport_error(err, site))?;
        let response: Response = serde_json::from_slice(&bytes)
            .map_err(|err| site.protocol(format!("not a json-rpc answer: {err}")))?;
        match (response.error, response.result) {
            (Some(fault), _) => Err(fault.into_error(site)),
            (None, Some(result)) => Ok(result),
            // serde maps a present `"result": null` to None as well; a method
            // returning None is legitimate in Odoo, so treat it as null.
            (None, None) => Ok(Value::Null),
        }
    }

    fn transport_error(&self, err: reqwest::Error, site: &CallSite<'_>) -> OdooError {
        if err.is_timeout() {
            OdooError::Timeout {
                model: site.model.to_owned(),
                method: site.method.to_owned(),
                after: self.timeout,
            }
        } else {
            // Without the url: it is ours and adds nothing, and the error
            // chain's innermost cause says what failed.
            site.unavailable(&root_cause(&err.without_url()))
        }
    }
}

impl fmt::Debug for OdooClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OdooClient")
            .field("endpoint", &self.endpoint.as_str())
            .field("db", &self.db)
            .field("login", &self.login)
            .field("uid", &self.uid)
            .field("version", &self.version.raw)
            .finish_non_exhaustive()
    }
}

impl<'a> CallSite<'a> {
    fn new(model: &'a str, method: &'a str, client: &'a OdooClient) -> Self {
        Self {
            model,
            method,
            uid: client.uid,
            server_version: &client.version.raw,
        }
    }

    fn unavailable(&self, reason: &str) -> OdooError {
        OdooError::Unavailable {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            reason: reason.to_owned(),
        }
    }

    fn protocol(&self, message: String) -> OdooError {
        OdooError::Protocol {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            message,
        }
    }
}

/// `base/jsonrpc`, keeping any path prefix of the base (Odoo behind a
/// reverse proxy under `/odoo/`).
fn jsonrpc_endpoint(base: &Url) -> Result<Url> {
    if base.cannot_be_a_base() {
        return Err(OdooError::Config(format!(
            "odoo url {base} cannot be a base url"
        )));
    }
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join("jsonrpc")
        .map_err(|err| OdooError::Config(format!("cannot build the jsonrpc url: {err}")))
}

fn into_records(result: Value, model: &str, method: &str) -> Result<Vec<Value>> {
    match result {
        Value::Array(records) => Ok(records),
        other => Err(OdooError::Protocol {
            model: model.to_owned(),
            method: method.to_owned(),
            message: format!("expected a list of records, got {}", json_type(&other)),
        }),
    }
}

fn json_type(value: &Value) -> &'static str {
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
