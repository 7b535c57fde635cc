//! `POST /jsonrpc`: Odoo's JSON-RPC 2.0 envelope over the `common` and
//! `object` services.
//!
//! Every answer is HTTP 200. A failure is an `error` object with code 200
//! and message "Odoo Server Error", its `data` the serialised exception.
//! (Odoo's code 100, "Odoo Session Expired", belongs to the session-based
//! web routes; `/jsonrpc` carries credentials in every call and never
//! sends it.) `execute_kw` checks the database, uid and key on every call,
//! and refuses a mismatch with `odoo.exceptions.AccessDenied`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::engine::version_info;
use super::fake::State;
use super::fault::Fault;
use super::record::{Failure, Protocol, RecordedCall};

/// One parsed request.
struct Envelope {
    id: Value,
    service: String,
    method: String,
    args: Vec<Value>,
}

pub(crate) async fn handle(Extract(state): Extract<Arc<State>>, body: Bytes) -> Response {
    let Some(envelope) = parse(&body) else {
        return (StatusCode::BAD_REQUEST, "Invalid JSON-RPC request").into_response();
    };
    let call = describe(&envelope);
    let (model, method) = (call.model.clone(), call.method.clone());
    state.record(call);
    match state.injected(&model, &method) {
        Some(Failure::Delay(pause)) => tokio::time::sleep(pause).await,
        Some(Failure::Fault(fault)) => return answer(&envelope.id, Err(fault)),
        Some(Failure::Status(code)) => return status(code),
        None => {}
    }
    let outcome = match envelope.service.as_str() {
        "common" => common(&state, &envelope.method, &envelope.args),
        "object" => object(&state, &envelope.method, envelope.args.clone()),
        other => Err(Fault::new(
            "builtins.Exception",
            format!("No such service: {other}"),
        )),
    };
    answer(&envelope.id, outcome)
}

/// A bare HTTP status with its reason, as a proxy in front of Odoo sends it.
pub(crate) fn status(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    (status, format!("{} {reason}", status.as_u16())).into_response()
}

fn parse(body: &[u8]) -> Option<Envelope> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let params = value.get("params")?;
    Some(Envelope {
        id: value.get("id").cloned().unwrap_or(Value::Null),
        service: params.get("service")?.as_str()?.to_owned(),
        method: params.get("method")?.as_str()?.to_owned(),
        args: match params.get("args") {
            Some(Value::Array(args)) => args.clone(),
            _ => Vec::new(),
        },
    })
}

/// The call as recorded: the ORM call inside `execute_kw`, or the
/// `common` method with the key masked.
fn describe(envelope: &Envelope) -> RecordedCall {
    let args = &envelope.args;
    if envelope.service == "object" {
        let (model, method) = (text(args.get(3)), text(args.get(4)));
        let (call_args, kwargs) = match envelope.method.as_str() {
            "execute_kw" => (
                args.get(5)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                args.get(6)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            ),
            _ => (args.iter().skip(5).cloned().collect(), Map::new()),
        };
        return RecordedCall {
            protocol: Protocol::JsonRpc,
            uid: args.get(1).and_then(Value::as_i64),
            model,
            method,
            args: call_args,
            kwargs,
        };
    }
    let mut masked = args.clone();
    if matches!(envelope.method.as_str(), "authenticate" | "login")
        && let Some(key) = masked.get_mut(2)
    {
        *key = json!("***");
    }
    RecordedCall {
        protocol: Protocol::JsonRpc,
        uid: None,
        model: envelope.service.clone(),
        method: envelope.method.clone(),
        args: masked,
        kwargs: Map::new(),
    }
}

fn text(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn answer(id: &Value, outcome: Result<Value, Fault>) -> Response {
    let body = match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(fault) => json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": 200, "message": "Odoo Server Error", "data": fault.to_data()},
        }),
    };
    Json(body).into_response()
}

/// `common.version`, `common.authenticate`, `common.login`.
fn common(state: &State, method: &str, args: &[Value]) -> Result<Value, Fault> {
    match method {
        "version" => Ok(state.read(version_info)),
        "authenticate" | "login" => {
            let (db, login, key) = (args.first(), args.get(1), args.get(2));
            state.read(|dataset| {
                if db.and_then(Value::as_str) != Some(dataset.db.as_str()) {
                    return Err(unknown_database(db));
                }
                let uid = dataset
                    .user_by_login(login.and_then(Value::as_str).unwrap_or_default())
                    .filter(|user| Some(user.api_key.as_str()) == key.and_then(Value::as_str))
                    .map(|user| user.uid);
                Ok(uid.map_or(Value::Bool(false), Value::from))
            })
        }
        other => Err(Fault::new(
            "builtins.AttributeError",
            format!("module 'odoo.service.common' has no attribute 'exp_{other}'"),
        )),
    }
}

fn unknown_database(db: Option<&Value>) -> Fault {
    let name = db.and_then(Value::as_str).unwrap_or_default();
    Fault::new(
        "psycopg2.OperationalError",
        format!(
            "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: \
             FATAL:  database \"{name}\" does not exist\n"
        ),
    )
}

/// `object.execute_kw(db, uid, key, model, method, args, kwargs)` and the
/// older `object.execute(db, uid, key, model, method, *args)`.
fn object(state: &State, method: &str, args: Vec<Value>) -> Result<Value, Fault> {
    let mut args = args.into_iter();
    let db = args.next().unwrap_or_default();
    let uid = args.next().and_then(|v| v.as_i64()).unwrap_or(0);
    let key = args.next().unwrap_or_default();
    let model = args.next().unwrap_or_default();
    let model_method = args.next().unwrap_or_default();
    let (call_args, kwargs) = match method {
        "execute_kw" => {
            let call_args = match args.next() {
                Some(Value::Array(a)) => a,
                Some(Value::Null) | None => Vec::new(),
                Some(_) => return Err(Fault::type_error("execute_kw args must be a list")),
            };
            let kwargs = match args.next() {
                Some(Value::Object(k)) => k,
                Some(Value::Null) | None => Map::new(),
                Some(_) => return Err(Fault::type_error("execute_kw kwargs must be a dict")),
            };
            (call_args, kwargs)
        }
        "execute" => (args.collect(), Map::new()),
        other => {
            return Err(Fault::new(
                "builtins.AttributeError",
                format!("module 'odoo.service.model' has no attribute 'exp_{other}'"),
            ));
        }
    };
    let authorised = state.read(|dataset| {
        db.as_str() == Some(dataset.db.as_str())
            && dataset
                .user(uid)
                .is_some_and(|user| Some(user.api_key.as_str()) == key.as_str())
    });
    if !authorised {
        return Err(Fault::access_denied());
    }
    let (Some(model), Some(model_method)) = (model.as_str(), model_method.as_str()) else {
        return Err(Fault::type_error(
            "execute_kw needs a model and a method name",
        ));
    };
    state.run(uid, model, model_method, call_args, kwargs)
}
