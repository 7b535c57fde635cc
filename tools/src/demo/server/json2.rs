//! `POST /json/2/<model>/<method>`: Odoo 19's JSON-2 API. The API key comes
//! as `Authorization: bearer <key>`, the body holds the named arguments
//! (`ids` and `context` among them), and the answer is the bare result with
//! 200, or the serialised exception with the exception's HTTP status.
//! Servers before 19 have no such route and answer 404.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as Extract};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::engine::{major_version, resolve};
use super::fake::State;
use super::fault::{Fault, names};
use super::jsonrpc::status;
use super::record::{Failure, Protocol, RecordedCall};

pub(crate) async fn handle(
    Extract(state): Extract<Arc<State>>,
    Path((model, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (major, db) = state.read(|d| (major_version(d), d.db.clone()));
    if major < 19 {
        return status(404);
    }
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim().to_owned());
    let uid = key
        .and_then(|key| state.read(|d| d.users.iter().find(|u| u.api_key == key).map(|u| u.uid)));
    let body: Option<Map<String, Value>> = if body.is_empty() {
        Some(Map::new())
    } else {
        serde_json::from_slice(&body).ok()
    };
    state.record(RecordedCall {
        protocol: Protocol::Json2,
        uid,
        model: model.clone(),
        method: method.clone(),
        args: Vec::new(),
        kwargs: body.clone().unwrap_or_default(),
    });
    let Some(uid) = uid else {
        return error(&werkzeug(names::UNAUTHORIZED, "Invalid apikey"), 401);
    };
    let asked_db = headers.get("x-odoo-database").and_then(|v| v.to_str().ok());
    if asked_db.is_some_and(|asked| asked != db) {
        return error(&werkzeug(names::NOT_FOUND, "database not found"), 404);
    }
    let Some(mut kwargs) = body else {
        return error(
            &werkzeug(names::BAD_REQUEST, "the body must be a JSON object"),
            400,
        );
    };
    match state.injected(&model, &method) {
        Some(Failure::Delay(pause)) => tokio::time::sleep(pause).await,
        Some(Failure::Fault(fault)) => return error(&fault, fault.json2_status()),
        Some(Failure::Status(code)) => return status(code),
        None => {}
    }
    let parsed = match state.read(|d| resolve(d, &model, &method)) {
        Ok(parsed) => parsed,
        Err(fault) => return error(&werkzeug(names::NOT_FOUND, &not_found(&fault, &model)), 404),
    };
    kwargs.remove("context");
    let ids = kwargs.remove("ids").filter(|ids| !is_empty(ids));
    let args = match (ids, parsed.on_records()) {
        (Some(_), false) => {
            let message = format!("cannot call {model}.{method} with ids");
            return error(&werkzeug(names::UNPROCESSABLE, &message), 422);
        }
        (Some(ids), true) => vec![ids],
        (None, true) => vec![json!([])],
        (None, false) => Vec::new(),
    };
    match state.run(uid, &model, &method, args, kwargs) {
        Ok(result) => Json(result).into_response(),
        // Arguments that do not bind to the method's signature.
        Err(fault) if fault.name == names::TYPE_ERROR => {
            error(&werkzeug(names::UNPROCESSABLE, &fault.message), 422)
        }
        Err(fault) => error(&fault, fault.json2_status()),
    }
}

/// Whether `ids` is absent in effect (`[]`, `false`, `null`).
fn is_empty(ids: &Value) -> bool {
    match ids {
        Value::Array(items) => items.is_empty(),
        Value::Null | Value::Bool(false) => true,
        _ => false,
    }
}

fn not_found(fault: &Fault, model: &str) -> String {
    if fault.message.starts_with("Object ") {
        format!("the model '{model}' does not exist")
    } else {
        fault.message.clone()
    }
}

fn werkzeug(name: &str, message: &str) -> Fault {
    Fault::new(name, message)
}

/// The JSON-2 error body; werkzeug's HTTP exceptions list the status code
/// as their second argument.
fn error(fault: &Fault, code: u16) -> Response {
    let mut body = fault.to_data();
    if fault.name.starts_with("werkzeug.exceptions.")
        && let Some(arguments) = body.get_mut("arguments")
    {
        *arguments = json!([fault.message, code]);
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}
