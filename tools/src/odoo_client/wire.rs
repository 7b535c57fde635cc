//! Odoo's JSON-RPC envelope, and the mapping of Odoo's exceptions to
//! [`OdooError`] that both protocols share.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::OdooError;

/// The body POSTed to `/jsonrpc`.
#[derive(Debug, Serialize)]
pub(crate) struct Request<'a> {
    pub jsonrpc: &'static str,
    pub method: &'static str,
    pub params: Params<'a>,
    pub id: u64,
}

/// `params` of a request: the service (`common` or `object`), its method and
/// positional arguments.
#[derive(Debug, Serialize)]
pub(crate) struct Params<'a> {
    pub service: &'static str,
    pub method: &'a str,
    pub args: Value,
}

impl<'a> Request<'a> {
    pub(crate) fn call(service: &'static str, method: &'a str, args: Value, id: u64) -> Self {
        Self {
            jsonrpc: "2.0",
            method: "call",
            params: Params {
                service,
                method,
                args,
            },
            id,
        }
    }
}

/// A response: exactly one of `result` (which may be `false` or `null`) and
/// `error` is present.
#[derive(Debug, Deserialize)]
pub(crate) struct Response {
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<Fault>,
}

/// `error` of a response.
#[derive(Debug, Deserialize)]
pub(crate) struct Fault {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub data: Option<FaultData>,
}

/// `error.data`: the Python exception Odoo caught.
#[derive(Debug, Deserialize)]
pub(crate) struct FaultData {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub message: String,
}

/// Who a call was made for, to name it in errors; JSON-RPC also sends its uid.
pub(crate) struct CallSite<'a> {
    pub model: &'a str,
    pub method: &'a str,
    pub uid: i64,
    pub server_version: &'a str,
}

impl Fault {
    /// Maps Odoo's exception to the variant that says what the caller does next.
    pub(crate) fn into_error(self, site: &CallSite<'_>) -> OdooError {
        let (name, message) = match self.data {
            Some(data) => {
                let message = if data.message.is_empty() {
                    self.message
                } else {
                    data.message
                };
                (data.name, message)
            }
            None => (String::new(), self.message),
        };
        classify(&name, message, site)
    }
}

/// Maps a Python exception, by its qualified name and message, to the
/// variant that says what the caller does next. Both protocols report
/// exceptions this way (JSON-2 also by HTTP status, see `json2`).
pub(crate) fn classify(name: &str, message: String, site: &CallSite<'_>) -> OdooError {
    let model = site.model.to_owned();
    let method = site.method.to_owned();
    let uid = site.uid;
    if is_missing_model_or_field(name, &message) {
        return site.missing(&message);
    }
    match name {
        "odoo.exceptions.AccessError" | "odoo.exceptions.AccessDenied" => OdooError::AccessDenied {
            model,
            method,
            uid,
            message,
        },
        "odoo.exceptions.ValidationError" | "odoo.exceptions.UserError" => OdooError::Validation {
            model,
            method,
            uid,
            message,
        },
        "odoo.exceptions.MissingError" => OdooError::NotFound {
            model,
            method,
            uid,
            message,
        },
        _ => OdooError::Server {
            model,
            method,
            uid,
            exception: name.to_owned(),
            first_line: first_line(&message),
        },
    }
}

impl CallSite<'_> {
    /// A missing model or field, said in plain words where Odoo's words are
    /// terse: a `KeyError` message is only the quoted key.
    pub(crate) fn missing(&self, message: &str) -> OdooError {
        let line = first_line(message);
        let what = if line.starts_with('\'') && line.ends_with('\'') {
            format!("no field or model named {line}")
        } else {
            line
        };
        OdooError::MissingModelOrField {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            what,
            server_version: self.server_version.to_owned(),
        }
    }

    pub(crate) fn unavailable(&self, reason: &str) -> OdooError {
        OdooError::Unavailable {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            reason: reason.to_owned(),
        }
    }

    pub(crate) fn protocol(&self, message: String) -> OdooError {
        OdooError::Protocol {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            message,
        }
    }
}

/// Odoo has no dedicated exception for an unknown model or field: 17+ raise a
/// `UserError` "Object x doesn't exist" for an unknown model, a `ValueError`
/// "Invalid field 'x' on model 'y'" for an unknown field, and some paths a
/// bare `KeyError` naming the missing key.
pub(crate) fn is_missing_model_or_field(name: &str, message: &str) -> bool {
    match name {
        "builtins.KeyError" => true,
        "builtins.ValueError" | "odoo.exceptions.UserError" | "odoo.exceptions.ValidationError" => {
            (message.starts_with("Object ") && message.contains("doesn't exist"))
                || message.contains("Invalid field")
                || message.contains("Unknown field")
        }
        _ => false,
    }
}

/// The first non-empty line, so that tracebacks never reach logs or users.
pub(crate) fn first_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or_default()
        .to_owned()
}
