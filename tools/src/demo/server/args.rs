//! Binding the positional and keyword arguments of a call to a method's
//! parameters by name, the way Python binds `method(*args, **kwargs)`, so
//! the same call reads alike over JSON-RPC and JSON-2.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::fault::Fault;

/// One parameter of an ORM method.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Param {
    pub name: &'static str,
    pub required: bool,
}

pub(crate) const fn req(name: &'static str) -> Param {
    Param {
        name,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str) -> Param {
    Param {
        name,
        required: false,
    }
}

/// Arguments bound to parameter names.
#[derive(Debug, Default)]
pub(crate) struct Bound {
    values: HashMap<&'static str, Value>,
    /// Keywords the method takes through `**kwargs`.
    pub extra: Map<String, Value>,
}

/// Binds `args` then `kwargs` to `params`; `open` says whether the method
/// accepts other keywords (`**kwargs`). Errors are Python's `TypeError`s.
pub(crate) fn bind(
    method: &str,
    params: &[Param],
    args: Vec<Value>,
    kwargs: Map<String, Value>,
    open: bool,
) -> Result<Bound, Fault> {
    if args.len() > params.len() {
        return Err(Fault::type_error(format!(
            "{method}() takes {} positional arguments but {} were given",
            params.len() + 1,
            args.len() + 1
        )));
    }
    let mut bound = Bound::default();
    for (param, value) in params.iter().zip(args) {
        bound.values.insert(param.name, value);
    }
    for (key, value) in kwargs {
        match params.iter().find(|p| p.name == key) {
            Some(param) if bound.values.contains_key(param.name) => {
                return Err(Fault::type_error(format!(
                    "{method}() got multiple values for argument '{key}'"
                )));
            }
            Some(param) => {
                bound.values.insert(param.name, value);
            }
            None if open => {
                bound.extra.insert(key, value);
            }
            None => {
                return Err(Fault::type_error(format!(
                    "{method}() got an unexpected keyword argument '{key}'"
                )));
            }
        }
    }
    let missing: Vec<&str> = params
        .iter()
        .filter(|p| p.required && !bound.values.contains_key(p.name))
        .map(|p| p.name)
        .collect();
    if let Some(first) = missing.first() {
        return Err(Fault::type_error(format!(
            "{method}() missing {} required positional argument{}: '{first}'",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
        )));
    }
    Ok(bound)
}

impl Bound {
    /// The value of `name`, `None` when absent or Python's `None`/`False`
    /// (Odoo treats `limit=False` and `order=False` as not given).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values
            .get(name)
            .filter(|v| !matches!(v, Value::Null | Value::Bool(false)))
    }

    /// The raw value, `false` included.
    pub fn raw(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn usize(&self, name: &str) -> Result<Option<usize>, Fault> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    Fault::type_error(format!("'{name}' must be a non-negative integer"))
                }),
        }
    }

    pub fn str(&self, name: &str) -> Result<Option<&str>, Fault> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(Fault::type_error(format!("'{name}' must be a string"))),
        }
    }

    pub fn bool(&self, name: &str, default: bool) -> bool {
        self.values.get(name).map_or(default, |v| match v {
            Value::Bool(b) => *b,
            Value::Null => false,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
        })
    }

    /// A list of strings (`fields`, `groupby`); a lone string counts as a
    /// list of one, as Odoo accepts `groupby="partner_id"`.
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Fault> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(one)) => Ok(Some(vec![one.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_owned).ok_or_else(|| {
                        Fault::type_error(format!("'{name}' must be a list of strings"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(Fault::type_error(format!(
                "'{name}' must be a list of strings"
            ))),
        }
    }

    /// Record ids: a list of ids or a single id.
    pub fn ids(&self, name: &str) -> Result<Vec<i64>, Fault> {
        match self.get(name) {
            None => Ok(Vec::new()),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(|id| vec![id])
                .ok_or_else(|| Fault::type_error("ids must be integers")),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_i64()
                        .ok_or_else(|| Fault::type_error("ids must be integers"))
                })
                .collect(),
            Some(_) => Err(Fault::type_error("ids must be a list of integers")),
        }
    }
}
