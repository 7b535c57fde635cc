//! One model method call, described once and encoded for either protocol:
//! JSON-RPC's `execute_kw` takes positional `args` plus `kwargs`, JSON-2 takes
//! every argument by name.

use serde_json::{Map, Value, json};

use super::error::{OdooError, Result};

/// A call of `model.method`.
#[derive(Debug, Clone)]
pub(crate) struct MethodCall<'a> {
    pub model: &'a str,
    pub method: &'a str,
    pub args: Arguments,
}

/// The arguments of a call.
#[derive(Debug, Clone)]
pub(crate) enum Arguments {
    /// Arguments whose parameter names are known. JSON-RPC sends the ids (if
    /// any) and then `positional` in order as `args`, and `keywords` as
    /// `kwargs`; JSON-2 sends them all by name. Keeping the JSON-RPC split
    /// lets a helper pass what changed names between versions positionally
    /// (`name_search`'s domain was `args` up to 17).
    Named {
        ids: Option<Vec<i64>>,
        positional: Vec<(&'static str, Value)>,
        keywords: Map<String, Value>,
    },
    /// `execute_kw` as the caller wrote it. JSON-2 can send it only for the
    /// methods whose positional parameters are listed in [`signature`].
    Positional { args: Value, kwargs: Value },
}

impl<'a> MethodCall<'a> {
    /// A call with named arguments, none of them on records.
    pub fn model(model: &'a str, method: &'a str) -> Self {
        Self {
            model,
            method,
            args: Arguments::Named {
                ids: None,
                positional: Vec::new(),
                keywords: Map::new(),
            },
        }
    }

    /// Runs the method on the records `ids`.
    pub fn on(mut self, ids: &[i64]) -> Self {
        if let Arguments::Named { ids: slot, .. } = &mut self.args {
            *slot = Some(ids.to_vec());
        }
        self
    }

    /// Adds an argument sent positionally over JSON-RPC.
    pub fn arg(mut self, name: &'static str, value: Value) -> Self {
        if let Arguments::Named { positional, .. } = &mut self.args {
            positional.push((name, value));
        }
        self
    }

    /// Adds an argument sent by keyword over JSON-RPC.
    pub fn kwarg(mut self, name: &str, value: Value) -> Self {
        if let Arguments::Named { keywords, .. } = &mut self.args {
            keywords.insert(name.to_owned(), value);
        }
        self
    }

    /// Adds a keyword argument when it is given.
    pub fn kwarg_opt<T: Into<Value>>(self, name: &str, value: Option<T>) -> Self {
        match value {
            Some(value) => self.kwarg(name, value.into()),
            None => self,
        }
    }

    /// `execute_kw`'s `(args, kwargs)`.
    pub fn to_execute_kw(&self) -> (Value, Value) {
        match &self.args {
            Arguments::Named {
                ids,
                positional,
                keywords,
            } => {
                let mut args: Vec<Value> = Vec::with_capacity(positional.len() + 1);
                if let Some(ids) = ids {
                    args.push(json!(ids));
                }
                args.extend(positional.iter().map(|(_, value)| value.clone()));
                (Value::Array(args), Value::Object(keywords.clone()))
            }
            Arguments::Positional { args, kwargs } => (args.clone(), kwargs.clone()),
        }
    }

    /// The JSON-2 body: every argument by name, plus `ids` for record methods.
    pub fn to_json2_body(&self) -> Result<Map<String, Value>> {
        match &self.args {
            Arguments::Named {
                ids,
                positional,
                keywords,
            } => {
                let mut body = keywords.clone();
                for (name, value) in positional {
                    body.insert((*name).to_owned(), value.clone());
                }
                if let Some(ids) = ids {
                    body.insert("ids".to_owned(), json!(ids));
                }
                Ok(body)
            }
            Arguments::Positional { args, kwargs } => self.name_positional(args, kwargs),
        }
    }

    /// Names `execute_kw`'s positional arguments after the method's
    /// parameters, for JSON-2, which has no positional form.
    fn name_positional(&self, args: &Value, kwargs: &Value) -> Result<Map<String, Value>> {
        let mut body = match kwargs {
            Value::Object(map) => map.clone(),
            Value::Null => Map::new(),
            _ => return Err(self.unsupported("kwargs is not an object")),
        };
        let args = match args {
            Value::Array(args) => args.as_slice(),
            Value::Null => &[],
            _ => return Err(self.unsupported("args is not a list")),
        };
        if args.is_empty() {
            return Ok(body);
        }
        let Some(signature) = signature(self.method) else {
            return Err(self.unsupported(
                "json-2 takes named arguments only and this method's parameters are not \
                 known; use call() with the parameter names",
            ));
        };
        let mut args = args.iter();
        if signature.on_records {
            let ids = args.next().cloned().unwrap_or(Value::Null);
            let ids = match ids {
                Value::Number(_) => json!([ids]),
                Value::Array(_) => ids,
                _ => return Err(self.unsupported("the first argument is not a list of ids")),
            };
            body.insert("ids".to_owned(), ids);
        }
        let rest: Vec<&Value> = args.collect();
        if rest.len() > signature.params.len() {
            return Err(self.unsupported(&format!(
                "{} positional arguments given, the method takes at most {}",
                rest.len(),
                signature.params.len()
            )));
        }
        for (name, value) in signature.params.iter().zip(rest) {
            if body.insert((*name).to_owned(), value.clone()).is_some() {
                return Err(self.unsupported(&format!(
                    "argument {name} given both positionally and by keyword"
                )));
            }
        }
        Ok(body)
    }

    fn unsupported(&self, reason: &str) -> OdooError {
        OdooError::Unsupported {
            model: self.model.to_owned(),
            method: self.method.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// The positional parameters of an ORM method, as Odoo 19 names them.
struct Signature {
    /// Whether the first positional argument is the record ids.
    on_records: bool,
    /// The parameters after the ids, in order.
    params: &'static [&'static str],
}

/// The ORM methods whose positional arguments can be named for JSON-2.
fn signature(method: &str) -> Option<Signature> {
    let (on_records, params): (bool, &'static [&'static str]) = match method {
        "search_read" => (false, &["domain", "fields", "offset", "limit", "order"]),
        "search" => (false, &["domain", "offset", "limit", "order"]),
        "search_count" => (false, &["domain", "limit"]),
        "search_fetch" => (
            false,
            &["domain", "field_names", "offset", "limit", "order"],
        ),
        "fields_get" => (false, &["allfields", "attributes"]),
        "name_search" => (false, &["name", "domain", "operator", "limit"]),
        "name_create" => (false, &["name"]),
        "create" => (false, &["vals_list"]),
        "read_group" => (
            false,
            &[
                "domain", "fields", "groupby", "offset", "limit", "orderby", "lazy",
            ],
        ),
        "formatted_read_group" => (
            false,
            &[
                "domain",
                "groupby",
                "aggregates",
                "having",
                "offset",
                "limit",
                "order",
            ],
        ),
        "read" => (true, &["fields", "load"]),
        "write" => (true, &["vals"]),
        "unlink" => (true, &[]),
        "copy" => (true, &["default"]),
        _ => return None,
    };
    Some(Signature { on_records, params })
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn positional<'a>(method: &'a str, args: Value, kwargs: Value) -> MethodCall<'a> {
        MethodCall {
            model: "res.partner",
            method,
            args: Arguments::Positional { args, kwargs },
        }
    }

    #[test]
    fn named_call_keeps_the_jsonrpc_split_and_names_everything_for_json2() {
        let call = MethodCall::model("res.partner", "read")
            .on(&[4, 5])
            .kwarg("fields", json!(["name"]));
        assert_eq!(
            call.to_execute_kw(),
            (json!([[4, 5]]), json!({"fields": ["name"]}))
        );
        assert_eq!(
            Value::Object(call.to_json2_body().unwrap()),
            json!({"ids": [4, 5], "fields": ["name"]})
        );
    }

    #[test]
    fn known_methods_get_their_positional_arguments_named() {
        let write = positional("write", json!([[1, 2], {"name": "x"}]), json!({}));
        assert_eq!(
            Value::Object(write.to_json2_body().unwrap()),
            json!({"ids": [1, 2], "vals": {"name": "x"}})
        );
        let search = positional(
            "search_read",
            json!([[["active", "=", true]], ["name"]]),
            json!({"limit": 5, "context": {"lang": "en_US"}}),
        );
        assert_eq!(
            Value::Object(search.to_json2_body().unwrap()),
            json!({"domain": [["active", "=", true]], "fields": ["name"], "limit": 5,
                   "context": {"lang": "en_US"}})
        );
    }

    #[test]
    fn unknown_method_with_positional_arguments_asks_for_names() {
        let err = positional("action_post", json!([[5]]), json!({}))
            .to_json2_body()
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_unsupported_call");
        assert!(err.to_string().contains("named arguments"), "{err}");
        // Keywords alone need no signature.
        let keywords = positional("action_post", json!([]), json!({"ids": [5]}));
        assert_eq!(
            Value::Object(keywords.to_json2_body().unwrap()),
            json!({"ids": [5]})
        );
    }

    #[test]
    fn an_argument_given_twice_is_refused() {
        let err = positional("write", json!([[1], {}]), json!({"vals": {}}))
            .to_json2_body()
            .unwrap_err();
        assert!(err.to_string().contains("vals"), "{err}");
    }
}
