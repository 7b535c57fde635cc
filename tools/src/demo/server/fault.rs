//! The exceptions the fake Odoo raises, named and worded as Odoo 17–19 word
//! them, and how each protocol carries them: inside a JSON-RPC `error`
//! object, or as a JSON-2 body with an HTTP status.

use serde_json::{Value, json};
use thiserror::Error;

/// A Python exception as Odoo serialises it (`odoo.http.serialize_exception`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{name}: {message}")]
pub struct Fault {
    /// The fully qualified exception name, e.g. `odoo.exceptions.AccessError`.
    pub name: String,
    /// The exception message (`str(exc)`), usually its first argument.
    pub message: String,
}

/// Fully qualified names of the exceptions the fake raises, for matching
/// on [`Fault::name`].
pub mod names {
    pub const ACCESS_ERROR: &str = "odoo.exceptions.AccessError";
    pub const ACCESS_DENIED: &str = "odoo.exceptions.AccessDenied";
    pub const USER_ERROR: &str = "odoo.exceptions.UserError";
    pub const VALIDATION_ERROR: &str = "odoo.exceptions.ValidationError";
    pub const MISSING_ERROR: &str = "odoo.exceptions.MissingError";
    pub const VALUE_ERROR: &str = "builtins.ValueError";
    pub const TYPE_ERROR: &str = "builtins.TypeError";
    pub const ATTRIBUTE_ERROR: &str = "builtins.AttributeError";
    pub const NOT_FOUND: &str = "werkzeug.exceptions.NotFound";
    pub const UNAUTHORIZED: &str = "werkzeug.exceptions.Unauthorized";
    pub const UNPROCESSABLE: &str = "werkzeug.exceptions.UnprocessableEntity";
    pub const BAD_REQUEST: &str = "werkzeug.exceptions.BadRequest";
}

impl Fault {
    /// Any exception, by its fully qualified name.
    pub fn new(name: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            message: message.into(),
        }
    }

    /// `odoo.exceptions.AccessError`: rights or record rules refused the call.
    pub fn access_error(message: impl Into<String>) -> Self {
        Self::new(names::ACCESS_ERROR, message)
    }

    /// `odoo.exceptions.AccessDenied`: the credentials of the call are wrong.
    pub fn access_denied() -> Self {
        Self::new(names::ACCESS_DENIED, "Access Denied")
    }

    /// `odoo.exceptions.UserError`: the request makes no sense to Odoo.
    pub fn user_error(message: impl Into<String>) -> Self {
        Self::new(names::USER_ERROR, message)
    }

    /// `odoo.exceptions.ValidationError`: values break a constraint.
    pub fn validation_error(message: impl Into<String>) -> Self {
        Self::new(names::VALIDATION_ERROR, message)
    }

    /// `odoo.exceptions.MissingError`: a record named by id does not exist.
    pub fn missing_error(message: impl Into<String>) -> Self {
        Self::new(names::MISSING_ERROR, message)
    }

    /// `builtins.ValueError`: a malformed argument (unknown field, bad order).
    pub fn value_error(message: impl Into<String>) -> Self {
        Self::new(names::VALUE_ERROR, message)
    }

    /// `builtins.TypeError`: arguments that do not fit the method's signature.
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new(names::TYPE_ERROR, message)
    }

    /// What Odoo 17+ raises from `execute_kw` on a model it does not have.
    pub fn unknown_model(model: &str) -> Self {
        Self::user_error(format!("Object {model} doesn't exist"))
    }

    /// The `ValueError` the ORM raises for a field the model does not have.
    pub fn invalid_field(model: &str, field: &str) -> Self {
        Self::value_error(format!("Invalid field '{field}' on model '{model}'"))
    }

    /// The exception's arguments as Odoo lists them; the fake's exceptions
    /// all carry their message only.
    pub fn arguments(&self) -> Vec<Value> {
        vec![Value::from(self.message.as_str())]
    }

    /// `error.data` of a JSON-RPC answer, which is also the whole JSON-2
    /// error body: `name`, `debug`, `message`, `arguments`, `context`.
    pub fn to_data(&self) -> Value {
        json!({
            "name": self.name,
            "debug": self.traceback(),
            "message": self.message,
            "arguments": self.arguments(),
            "context": {},
        })
    }

    /// The HTTP status JSON-2 answers with (Odoo 19's `http_status` of the
    /// exception class: 403 for access, 404 for missing records and unknown
    /// models, 422 for user errors, 500 for anything unexpected).
    pub fn json2_status(&self) -> u16 {
        match self.name.as_str() {
            names::ACCESS_ERROR | names::ACCESS_DENIED => 403,
            names::MISSING_ERROR | names::NOT_FOUND => 404,
            names::USER_ERROR | names::VALIDATION_ERROR | names::UNPROCESSABLE => 422,
            names::UNAUTHORIZED => 401,
            names::BAD_REQUEST => 400,
            _ => 500,
        }
    }

    /// A short traceback in Python's format, ending with the exception line,
    /// so that clients which show `debug` see something of the usual shape.
    fn traceback(&self) -> String {
        format!(
            "Traceback (most recent call last):\n  File \"/opt/odoo/odoo/http.py\", line 1, in \
             _serve_db\n    return service_model.retrying(self._serve_ir_http, self.env)\n{}: {}\n",
            self.name, self.message
        )
    }
}
