//! The JSON-2 transport of Odoo 19 and later: `POST /json/2/<model>/<method>`
//! with the API key as a bearer token, the database in `X-Odoo-Database`,
//! every argument by name in a JSON object, and the bare result as the body.
//!
//! Errors come as an HTTP status plus a JSON body naming the Python
//! exception (`{"name", "message", "arguments", "context", "debug"}`; some
//! builds send only the message as a JSON string): 401 for a bad key, 403
//! for access rules, 404 for an unknown model or method (and `MissingError`),
//! 409 for a lock conflict, 422 for a `UserError` or arguments that do not
//! fit the method, 500 for any other exception.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::call::MethodCall;
use super::error::{OdooError, Result};
use super::transport::transport_error;
use super::wire::{CallSite, classify, first_line, is_missing_model_or_field};

/// The header naming the database, needed where one server hosts several.
const DATABASE_HEADER: &str = "X-Odoo-Database";
/// The longest piece of a non-JSON error body (a proxy's HTML page) kept in
/// an error message.
const MAX_TEXT: usize = 200;

/// A JSON-2 endpoint, acting as the owner of one API key.
pub(crate) struct Json2 {
    http: reqwest::Client,
    endpoint: Url,
    db: String,
    login: String,
    api_key: SecretString,
    timeout: Duration,
}

impl Json2 {
    /// `base` ends with a slash (see `transport::base_url`). `login` is only
    /// named in errors: the key alone says who acts.
    pub fn new(
        http: reqwest::Client,
        base: &Url,
        db: String,
        login: String,
        api_key: SecretString,
        timeout: Duration,
    ) -> Result<Self> {
        let endpoint = base
            .join("json/2/")
            .map_err(|err| OdooError::Config(format!("cannot build the json-2 url: {err}")))?;
        Ok(Self {
            http,
            endpoint,
            db,
            login,
            api_key,
            timeout,
        })
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Sends `call` once.
    pub async fn send(&self, call: &MethodCall<'_>, site: &CallSite<'_>) -> Result<Value> {
        let body = call.to_json2_body()?;
        let url = self.url(call.model, call.method)?;
        let mut bearer = HeaderValue::from_str(&format!("bearer {}", self.api_key.expose_secret()))
            .map_err(|_| OdooError::Config("the api key is not a valid header value".into()))?;
        bearer.set_sensitive(true);
        let response = self
            .http
            .post(url)
            .header(AUTHORIZATION, bearer)
            .header(DATABASE_HEADER, &self.db)
            .json(&body)
            .send()
            .await
            .map_err(|err| transport_error(err, site, self.timeout))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| transport_error(err, site, self.timeout))?;
        if status.is_success() {
            if bytes.is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_slice(&bytes)
                .map_err(|err| site.protocol(format!("not a json answer: {err}")));
        }
        Err(self.error(status, &bytes, site))
    }

    /// `<endpoint><model>/<method>`, each as one path segment.
    fn url(&self, model: &str, method: &str) -> Result<Url> {
        let mut url = self.endpoint.clone();
        url.path_segments_mut()
            .map_err(|()| OdooError::Config("odoo url cannot be a base url".to_owned()))?
            .pop_if_empty()
            .extend([model, method]);
        Ok(url)
    }

    /// Maps an error answer by its status, then by the exception it names.
    fn error(&self, status: StatusCode, bytes: &[u8], site: &CallSite<'_>) -> OdooError {
        let body = ErrorBody::parse(bytes);
        let code = status.as_u16();
        match code {
            401 => OdooError::AuthenticationFailed {
                login: self.login.clone(),
                db: self.db.clone(),
            },
            403 => OdooError::AccessDenied {
                model: site.model.to_owned(),
                method: site.method.to_owned(),
                uid: site.uid,
                message: body.message,
            },
            404 if body.name == "odoo.exceptions.MissingError" => OdooError::NotFound {
                model: site.model.to_owned(),
                method: site.method.to_owned(),
                uid: site.uid,
                message: body.message,
            },
            // Odoo answers an unknown model or method with a JSON body; a
            // bare 404 page means there is no JSON-2 endpoint at all.
            404 if body.json => site.missing(&body.message),
            404 => site.protocol(format!(
                "http 404: no json-2 endpoint at this url (odoo 19 or later is needed): {}",
                body.message
            )),
            // A record lock held by another transaction, or a rate limit:
            // both pass, so reads may be repeated.
            409 | 429 => site.unavailable(&format!("http {code}: {}", first_line(&body.message))),
            422 if is_missing_model_or_field(&body.name, &body.message) => {
                site.missing(&body.message)
            }
            422 => OdooError::Validation {
                model: site.model.to_owned(),
                method: site.method.to_owned(),
                uid: site.uid,
                message: body.message,
            },
            // An exception Odoo caught and named; repeating will not help.
            500 if !body.name.is_empty() => classify(&body.name, body.message, site),
            _ if status.is_server_error() => site.unavailable(&format!("http {code}")),
            _ => site.protocol(format!("http {code}: {}", first_line(&body.message))),
        }
    }
}

impl fmt::Debug for Json2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Json2")
            .field("endpoint", &self.endpoint.as_str())
            .field("db", &self.db)
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// The parts of an error body the mapping needs; never the traceback.
struct ErrorBody {
    /// The Python exception's qualified name; empty when not given.
    name: String,
    /// Odoo's message, or the start of a non-JSON body.
    message: String,
    /// Whether the body was JSON, i.e. came from Odoo rather than a proxy.
    json: bool,
}

impl ErrorBody {
    fn parse(bytes: &[u8]) -> Self {
        let text_of =
            |value: Option<&Value>| value.and_then(Value::as_str).unwrap_or_default().to_owned();
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Self {
                name: text_of(map.get("name")),
                message: text_of(map.get("message")),
                json: true,
            },
            Ok(Value::String(message)) => Self {
                name: String::new(),
                message,
                json: true,
            },
            _ => {
                let text = String::from_utf8_lossy(bytes);
                Self {
                    name: String::new(),
                    message: first_line(&text).chars().take(MAX_TEXT).collect(),
                    json: false,
                }
            }
        }
    }
}
