//! What the fake remembers about the calls it received, and the failures a
//! test asked it to inject into the next matching calls.

use std::time::Duration;

use serde_json::{Map, Value};

use super::fault::Fault;

/// Which wire protocol a call came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `POST /jsonrpc`, services `common` and `object`.
    JsonRpc,
    /// `POST /json/2/<model>/<method>` (Odoo 19+).
    Json2,
}

/// One call as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    pub protocol: Protocol,
    /// The caller's uid once known: the `execute_kw` uid, the bearer key's
    /// user on JSON-2; `None` for the `common` service and unknown keys.
    pub uid: Option<i64>,
    /// The model, or `"common"` for the `common` service.
    pub model: String,
    pub method: String,
    /// Positional arguments: for `execute_kw` the method's `args`, for
    /// `common` the service arguments (the key replaced by `"***"`); empty
    /// on JSON-2, whose arguments are all named.
    pub args: Vec<Value>,
    /// Keyword arguments: `execute_kw`'s `kwargs`, or the JSON-2 body
    /// (`ids` and `context` included).
    pub kwargs: Map<String, Value>,
}

/// Which calls an injected failure applies to; `None` matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matcher {
    pub model: Option<String>,
    pub method: Option<String>,
}

impl Matcher {
    /// Every call.
    pub fn any() -> Self {
        Self::default()
    }

    /// Every method of `model` (`"common"` for the common service).
    pub fn model(model: &str) -> Self {
        Self {
            model: Some(model.to_owned()),
            method: None,
        }
    }

    /// `method` on any model.
    pub fn method(method: &str) -> Self {
        Self {
            model: None,
            method: Some(method.to_owned()),
        }
    }

    /// `model.method`.
    pub fn call(model: &str, method: &str) -> Self {
        Self {
            model: Some(model.to_owned()),
            method: Some(method.to_owned()),
        }
    }

    pub(crate) fn matches(&self, model: &str, method: &str) -> bool {
        self.model.as_deref().is_none_or(|m| m == model)
            && self.method.as_deref().is_none_or(|m| m == method)
    }
}

/// What an injected failure does to a matching call.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Waits this long, then answers normally (to trip client timeouts).
    Delay(Duration),
    /// Answers with this Odoo exception instead of running the call.
    Fault(Fault),
    /// Answers with this HTTP status and a plain-text body, as a proxy in
    /// front of a failing Odoo does (500, 502, 503, ..).
    Status(u16),
}

impl Failure {
    /// `odoo.exceptions.AccessError` with `message`.
    pub fn access_error(message: &str) -> Self {
        Self::Fault(Fault::access_error(message))
    }

    /// Any exception by its fully qualified name.
    pub fn fault(name: &str, message: &str) -> Self {
        Self::Fault(Fault::new(name, message))
    }
}

/// A failure waiting for its matching calls.
#[derive(Debug, Clone)]
pub(crate) struct Injection {
    pub matcher: Matcher,
    pub failure: Failure,
    pub remaining: usize,
}

/// Takes one use of the first injection matching `model.method`.
pub(crate) fn take(injections: &mut Vec<Injection>, model: &str, method: &str) -> Option<Failure> {
    let at = injections
        .iter()
        .position(|i| i.remaining > 0 && i.matcher.matches(model, method))?;
    let injection = &mut injections[at];
    injection.remaining -= 1;
    let failure = injection.failure.clone();
    if injection.remaining == 0 {
        injections.remove(at);
    }
    Some(failure)
}
