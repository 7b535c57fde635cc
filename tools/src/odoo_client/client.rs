//! `OdooClient`: one authenticated Odoo user over JSON-RPC or JSON-2, with a
//! concurrency limit, retries of idempotent reads, and typed helpers that
//! work the same on both protocols.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Map, Value, json};
use tokio::sync::{RwLock, Semaphore};
use tracing::Instrument;
use url::Url;

use super::call::{Arguments, MethodCall};
use super::capabilities::FieldsEntry;
use super::error::{OdooError, Result};
use super::protocol::{Protocol, ProtocolChoice};
use super::transport::{Transport, json_type};
use super::version::ServerVersion;
use super::wire::CallSite;
use crate::odoo::{Ref, ValueError, many2one};

/// How many times an idempotent read is repeated after a timeout, a
/// connection error or a 5xx, before the error is returned.
const READ_RETRIES: u32 = 2;
/// The first pause before a retry; it doubles on each attempt.
const RETRY_BACKOFF: Duration = Duration::from_millis(100);

/// Where and as whom to connect.
#[derive(Debug, Clone)]
pub struct OdooClientConfig {
    /// The server's base url, e.g. `https://mycompany.odoo.com`; `/jsonrpc`
    /// or `/json/2/…` is appended.
    pub url: Url,
    /// The database name (on Odoo Online, the instance name).
    pub db: String,
    /// The user's login, often an e-mail address.
    pub login: String,
    /// The user's API key (or, on JSON-RPC only, password); never logged.
    pub api_key: SecretString,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
    /// How many calls this client runs at once; more wait their turn so that
    /// one conversation cannot exhaust Odoo's workers.
    pub max_concurrent_calls: NonZeroUsize,
    /// The wire protocol; `Auto` picks JSON-2 from Odoo 19.
    pub protocol: ProtocolChoice,
}

/// A connection to Odoo acting as one user.
pub struct OdooClient {
    pub(super) transport: Transport,
    pub(super) db: String,
    pub(super) login: String,
    pub(super) uid: i64,
    pub(super) version: ServerVersion,
    pub(super) permits: Semaphore,
    pub(super) fields: RwLock<HashMap<String, FieldsEntry>>,
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
    /// The server version detected at connection.
    pub fn version(&self) -> &ServerVersion {
        &self.version
    }

    /// The Odoo user id every call runs as.
    pub fn uid(&self) -> i64 {
        self.uid
    }

    /// The protocol chosen at connection.
    pub fn protocol(&self) -> Protocol {
        self.transport.protocol()
    }

    /// Calls `model.method(*args, **kwargs)` once. Never retried, because it
    /// may write; use the typed helpers for reads. Over JSON-2, which takes
    /// named arguments only, the positional `args` are named for the ORM
    /// methods whose parameters are known (`write`, `create`, `search_read`,
    /// …); other methods need [`call`](Self::call).
    pub async fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<Value> {
        let call = MethodCall {
            model,
            method,
            args: Arguments::Positional { args, kwargs },
        };
        self.send(call, Retry::Never).await
    }

    /// Calls `method` on the records `ids` (none for a model method such as
    /// `create`) with named arguments, once, on either protocol: what an
    /// approved proposal runs (`write` with `vals`, `action_post`, …). Never
    /// retried, because it may write.
    pub async fn call(
        &self,
        model: &str,
        method: &str,
        ids: &[i64],
        kwargs: Map<String, Value>,
    ) -> Result<Value> {
        let call = MethodCall {
            model,
            method,
            args: Arguments::Named {
                ids: (!ids.is_empty()).then(|| ids.to_vec()),
                positional: Vec::new(),
                keywords: kwargs,
            },
        };
        self.send(call, Retry::Never).await
    }

    /// `res.users/context_get`: the user's language and time zone, readable
    /// without any access right on every version. A read, so retried.
    pub async fn user_context(&self) -> Result<Value> {
        let call = MethodCall::model("res.users", "context_get");
        self.send(call, Retry::IdempotentRead).await
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
        let call = MethodCall::model(model, "search_read")
            .arg("domain", domain)
            .kwarg("fields", json!(fields))
            .kwarg_opt("order", order)
            .kwarg_opt("limit", limit)
            .kwarg_opt("offset", offset);
        let result = self.send(call, Retry::IdempotentRead).await?;
        into_records(result, model, "search_read")
    }

    /// Counts the records matching `domain`.
    pub async fn search_count(&self, model: &str, domain: Value) -> Result<u64> {
        let call = MethodCall::model(model, "search_count").arg("domain", domain);
        let result = self.send(call, Retry::IdempotentRead).await?;
        result.as_u64().ok_or_else(|| OdooError::Protocol {
            model: model.to_owned(),
            method: "search_count".to_owned(),
            message: format!("expected a count, got {}", json_type(&result)),
        })
    }

    /// Reads `fields` of the records `ids`; missing ids are left out by Odoo.
    pub async fn read(&self, model: &str, ids: &[i64], fields: &[&str]) -> Result<Vec<Value>> {
        let call = MethodCall::model(model, "read")
            .on(ids)
            .kwarg("fields", json!(fields));
        let result = self.send(call, Retry::IdempotentRead).await?;
        into_records(result, model, "read")
    }

    /// Records whose display name matches `name` (`ilike`), within
    /// `domain`, as `Ref`s. Over JSON-RPC the domain goes positionally
    /// because its keyword is `args` up to 17 and `domain` from 18.
    pub async fn name_search(
        &self,
        model: &str,
        name: &str,
        domain: Value,
        limit: u32,
    ) -> Result<Vec<Ref>> {
        let call = MethodCall::model(model, "name_search")
            .arg("name", json!(name))
            .arg("domain", domain)
            .arg("operator", json!("ilike"))
            .arg("limit", json!(limit));
        let result = self.send(call, Retry::IdempotentRead).await?;
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

    /// Sends `call` on the protocol chosen at connection, repeating it after
    /// a transient failure only when `retry` allows.
    pub(super) async fn send(&self, call: MethodCall<'_>, retry: Retry) -> Result<Value> {
        let span = tracing::debug_span!(
            "odoo_call",
            odoo.model = call.model,
            odoo.method = call.method,
            odoo.uid = self.uid
        );
        let site = self.site(call.model, call.method);
        with_retries(retry, || async {
            // The permit is held for one HTTP exchange only, not across retry
            // pauses, so a failing call does not starve the others.
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| site.unavailable("client closed"))?;
            self.transport.send(&call, &site).await
        })
        .instrument(span)
        .await
    }

    pub(super) fn site<'a>(&'a self, model: &'a str, method: &'a str) -> CallSite<'a> {
        CallSite {
            model,
            method,
            uid: self.uid,
            server_version: &self.version.raw,
        }
    }
}

impl fmt::Debug for OdooClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OdooClient")
            .field("endpoint", &self.transport.endpoint().as_str())
            .field("protocol", &self.transport.protocol())
            .field("db", &self.db)
            .field("login", &self.login)
            .field("uid", &self.uid)
            .field("version", &self.version.raw)
            .finish_non_exhaustive()
    }
}

/// Runs `attempt`, and again after a growing pause while it fails with a
/// retryable error, if `retry` allows, at most `READ_RETRIES` more times.
pub(super) async fn with_retries<T, F, Fut>(retry: Retry, mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut retries = 0;
    loop {
        match attempt().await {
            Err(err)
                if retry == Retry::IdempotentRead
                    && err.is_retryable()
                    && retries < READ_RETRIES =>
            {
                let pause = RETRY_BACKOFF * 2u32.pow(retries);
                retries += 1;
                tracing::warn!(
                    error = %err,
                    error.kind = err.kind(),
                    attempt = retries,
                    retry_in_ms = pause.as_millis() as u64,
                    "odoo read failed; retrying"
                );
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
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
