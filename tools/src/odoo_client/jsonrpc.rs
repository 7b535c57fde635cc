//! The JSON-RPC transport: `POST /jsonrpc` with the `common` and `object`
//! services, database, uid and API key in every body. Odoo 17 and 18 speak
//! only this; 19 still does but deprecates it.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use super::call::MethodCall;
use super::error::{OdooError, Result};
use super::transport::transport_error;
use super::wire::{CallSite, Request, Response};

/// A JSON-RPC endpoint, acting with one API key.
pub(crate) struct JsonRpc {
    http: reqwest::Client,
    endpoint: Url,
    db: String,
    api_key: SecretString,
    timeout: Duration,
    next_id: AtomicU64,
}

/// What an exchange with `/jsonrpc` gave.
pub(crate) enum Exchange {
    /// The call's result.
    Answer(Value),
    /// `/jsonrpc` answered 404: the endpoint is gone (or the url is wrong).
    NoEndpoint,
}

impl JsonRpc {
    /// `base` ends with a slash (see `transport::base_url`).
    pub fn new(
        http: reqwest::Client,
        base: &Url,
        db: String,
        api_key: SecretString,
        timeout: Duration,
    ) -> Result<Self> {
        let endpoint = base
            .join("jsonrpc")
            .map_err(|err| OdooError::Config(format!("cannot build the jsonrpc url: {err}")))?;
        Ok(Self {
            http,
            endpoint,
            db,
            api_key,
            timeout,
            next_id: AtomicU64::new(1),
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// `object.execute_kw` as the site's uid.
    pub async fn execute_kw(&self, call: &MethodCall<'_>, site: &CallSite<'_>) -> Result<Value> {
        let (args, kwargs) = call.to_execute_kw();
        let params = json!([
            self.db,
            site.uid,
            self.api_key.expose_secret(),
            call.model,
            call.method,
            args,
            kwargs
        ]);
        self.service("object", "execute_kw", &params, site).await
    }

    /// `common.authenticate`: a uid, or `false` for bad credentials.
    pub async fn authenticate(&self, login: &str, site: &CallSite<'_>) -> Result<Value> {
        let args = json!([self.db, login, self.api_key.expose_secret(), {}]);
        self.service("common", "authenticate", &args, site).await
    }

    /// One call of `service.method(*args)`.
    pub async fn service(
        &self,
        service: &'static str,
        method: &str,
        args: &Value,
        site: &CallSite<'_>,
    ) -> Result<Value> {
        match self.exchange(service, method, args, site).await? {
            Exchange::Answer(result) => Ok(result),
            Exchange::NoEndpoint => Err(site.protocol("http 404".to_owned())),
        }
    }

    /// One call, telling a missing endpoint apart so that the version probe
    /// can fall back to `/web/version`.
    pub async fn exchange(
        &self,
        service: &'static str,
        method: &str,
        args: &Value,
        site: &CallSite<'_>,
    ) -> Result<Exchange> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = Request::call(service, method, args.clone(), id);
        let response = self
            .http
            .post(self.endpoint.clone())
            .json(&body)
            .send()
            .await
            .map_err(|err| transport_error(err, site, self.timeout))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(Exchange::NoEndpoint);
        }
        if status.is_server_error() {
            return Err(site.unavailable(&format!("http {}", status.as_u16())));
        }
        if !status.is_success() {
            return Err(site.protocol(format!("http {}", status.as_u16())));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|err| transport_error(err, site, self.timeout))?;
        let response: Response = serde_json::from_slice(&bytes)
            .map_err(|err| site.protocol(format!("not a json-rpc answer: {err}")))?;
        match (response.error, response.result) {
            (Some(fault), _) => Err(fault.into_error(site)),
            (None, Some(result)) => Ok(Exchange::Answer(result)),
            // serde maps a present `"result": null` to None as well; a method
            // returning None is legitimate in Odoo, so treat it as null.
            (None, None) => Ok(Exchange::Answer(Value::Null)),
        }
    }
}

impl fmt::Debug for JsonRpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonRpc")
            .field("endpoint", &self.endpoint.as_str())
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}
