//! The ORM methods of the fake, called as the external API calls them:
//! `model.method(*args, **kwargs)` as user `uid`. Both HTTP protocols end
//! here, so JSON-RPC and JSON-2 answer alike.

use serde_json::{Map, Value, json};

use crate::demo::{Dataset, DemoUser};
use crate::odoo_client::ServerVersion;

use super::access::{Operation, check_model};
use super::args::{Bound, Param, bind, opt, req};
use super::fault::{Fault, names};
use super::group::{Flavor, GroupRequest, read_group};
use super::order::Order;
use super::query::Scope;
use super::read::{columns, display_name, fields_get, record_json};
use super::{wizard, write};

/// An ORM method the fake implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `search(domain, offset, limit, order)`: ids.
    Search,
    /// `search_read(domain, fields, offset, limit, order)`: records.
    SearchRead,
    /// `search_count(domain, limit)`: a number.
    SearchCount,
    /// `read(ids, fields)`: records in the order of `ids`.
    Read,
    /// `fields_get(allfields, attributes)`: field descriptions by name.
    FieldsGet,
    /// `name_search(name, args|domain, operator, limit)`: `[id, name]` pairs.
    NameSearch,
    /// `read_group(domain, fields, groupby, offset, limit, orderby, lazy)` (17, 18; kept on 19).
    ReadGroup,
    /// `formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)` (19+).
    FormattedReadGroup,
    /// `create(vals_list)`: an id, or ids for a list.
    Create,
    /// `write(ids, vals)`: `true`.
    Write,
    /// `unlink(ids)`: `true`.
    Unlink,
    /// `message_post(ids, body=.., message_type=.., ..)`: the message id.
    MessagePost,
    /// `res.users.context_get()`: the caller's language, time zone and uid.
    ContextGet,
    /// `action_merge(ids)` of the contact and CRM merge wizards.
    ActionMerge,
}

impl Method {
    /// The method of that Odoo name, if the fake implements it.
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "search" => Self::Search,
            "search_read" => Self::SearchRead,
            "search_count" => Self::SearchCount,
            "read" => Self::Read,
            "fields_get" => Self::FieldsGet,
            "name_search" => Self::NameSearch,
            "read_group" => Self::ReadGroup,
            "formatted_read_group" => Self::FormattedReadGroup,
            "create" => Self::Create,
            "write" => Self::Write,
            "unlink" => Self::Unlink,
            "message_post" => Self::MessagePost,
            "context_get" => Self::ContextGet,
            "action_merge" => Self::ActionMerge,
            _ => return None,
        })
    }

    /// Whether the method changes the dataset (and so needs `&mut`).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Self::Create | Self::Write | Self::Unlink | Self::MessagePost | Self::ActionMerge
        )
    }

    /// Whether the method runs on records (`ids` first) rather than on the model.
    pub fn on_records(self) -> bool {
        matches!(
            self,
            Self::Read | Self::Write | Self::Unlink | Self::MessagePost | Self::ActionMerge
        )
    }

    /// The parameters after `ids`, by name, as the Odoo version declares them.
    fn params(self, major: u16) -> (&'static [Param], bool) {
        const SEARCH: &[Param] = &[req("domain"), opt("offset"), opt("limit"), opt("order")];
        const SEARCH_READ: &[Param] = &[
            opt("domain"),
            opt("fields"),
            opt("offset"),
            opt("limit"),
            opt("order"),
        ];
        const SEARCH_COUNT: &[Param] = &[req("domain"), opt("limit")];
        const READ: &[Param] = &[opt("ids"), opt("fields"), opt("load")];
        const FIELDS_GET: &[Param] = &[opt("allfields"), opt("attributes")];
        const NAME_SEARCH_17: &[Param] = &[opt("name"), opt("args"), opt("operator"), opt("limit")];
        const NAME_SEARCH_18: &[Param] =
            &[opt("name"), opt("domain"), opt("operator"), opt("limit")];
        const READ_GROUP: &[Param] = &[
            req("domain"),
            req("fields"),
            req("groupby"),
            opt("offset"),
            opt("limit"),
            opt("orderby"),
            opt("lazy"),
        ];
        const FORMATTED: &[Param] = &[
            req("domain"),
            opt("groupby"),
            opt("aggregates"),
            opt("having"),
            opt("offset"),
            opt("limit"),
            opt("order"),
        ];
        const CREATE: &[Param] = &[req("vals_list")];
        const WRITE: &[Param] = &[opt("ids"), req("vals")];
        const IDS: &[Param] = &[opt("ids")];
        match self {
            Self::Search => (SEARCH, false),
            Self::SearchRead => (SEARCH_READ, true),
            Self::SearchCount => (SEARCH_COUNT, false),
            Self::Read => (READ, false),
            Self::FieldsGet => (FIELDS_GET, false),
            Self::NameSearch if major >= 18 => (NAME_SEARCH_18, false),
            Self::NameSearch => (NAME_SEARCH_17, false),
            Self::ReadGroup => (READ_GROUP, false),
            Self::FormattedReadGroup => (FORMATTED, false),
            Self::Create => (CREATE, false),
            Self::Write => (WRITE, false),
            Self::Unlink | Self::ActionMerge => (IDS, false),
            Self::MessagePost => (IDS, true),
            Self::ContextGet => (&[], false),
        }
    }
}

/// The major version of the dataset's `server_version` (17 for `17.0`,
/// 18 for `saas~18.3`); 0 when it cannot be read.
pub fn major_version(dataset: &Dataset) -> u16 {
    ServerVersion::from_version_result(&version_info(dataset)).map_or(0, |v| v.major)
}

/// `common.version()`: `server_version`, `server_version_info`,
/// `server_serie` and `protocol_version`, as Odoo reports them.
pub fn version_info(dataset: &Dataset) -> Value {
    let raw = dataset.server_version.as_str();
    let saas = raw.starts_with("saas~");
    let numbers = raw.trim_start_matches("saas~");
    let mut parts = numbers.split(['.', '+', '-']);
    let major: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let first = if saas {
        json!(format!("saas~{major}"))
    } else {
        json!(major)
    };
    let serie = if saas {
        format!("saas~{major}.{minor}")
    } else {
        format!("{major}.{minor}")
    };
    json!({
        "server_version": raw,
        "server_version_info": [first, minor, 0, "final", 0, ""],
        "server_serie": serie,
        "protocol_version": 1,
    })
}

/// `res.users.context_get()`: the calling user's language, time zone and id.
/// Every user may call it (JSON-2 clients use it to learn their uid), so it
/// needs no access right and no `res.users` table.
fn context_get(dataset: &Dataset, uid: i64) -> Result<Value, Fault> {
    user(dataset, uid)?;
    Ok(json!({"lang": "en_US", "tz": "Europe/Amsterdam", "uid": uid}))
}

/// Runs `model.method(*args, **kwargs)` as `uid`, writing if the method writes.
pub fn execute(
    dataset: &mut Dataset,
    uid: i64,
    model: &str,
    method: &str,
    args: Vec<Value>,
    mut kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    // Odoo's `call_kw` takes `context` out of the keywords of every method.
    kwargs.remove("context");
    let parsed = resolve(dataset, model, method)?;
    if !parsed.writes() {
        return execute_read(dataset, uid, model, method, args, kwargs);
    }
    let user = user(dataset, uid)?.clone();
    let (params, open) = parsed.params(major_version(dataset));
    let bound = bind(method, params, args, kwargs, open)?;
    match parsed {
        Method::Create => {
            let vals = bound.raw("vals_list").cloned().unwrap_or_default();
            write::create(dataset, &user, model, &vals)
        }
        Method::Write => {
            let ids = bound.ids("ids")?;
            let vals = bound.raw("vals").cloned().unwrap_or_default();
            write::write(dataset, &user, model, &ids, &vals)
        }
        Method::Unlink => write::unlink(dataset, &user, model, &bound.ids("ids")?),
        Method::MessagePost => {
            write::message_post(dataset, &user, model, &bound.ids("ids")?, &bound.extra)
        }
        Method::ActionMerge => wizard::action_merge(dataset, &user, model, &bound.ids("ids")?),
        _ => Err(Fault::type_error(format!("{method} does not write"))),
    }
}

/// Runs a method that only reads; a writing method is refused with a
/// `TypeError`, so callers holding a shared lock cannot write by mistake.
pub fn execute_read(
    dataset: &Dataset,
    uid: i64,
    model: &str,
    method: &str,
    args: Vec<Value>,
    mut kwargs: Map<String, Value>,
) -> Result<Value, Fault> {
    kwargs.remove("context");
    let parsed = resolve(dataset, model, method)?;
    if parsed.writes() {
        return Err(Fault::type_error(format!(
            "{model}.{method} writes and needs exclusive access to the dataset"
        )));
    }
    if parsed == Method::ContextGet {
        // Before the table lookup: a dataset may have no `res.users` table.
        return context_get(dataset, uid);
    }
    let major = major_version(dataset);
    let user = user(dataset, uid)?;
    let table = dataset
        .table(model)
        .ok_or_else(|| Fault::unknown_model(model))?;
    check_model(table, user, Operation::Read)?;
    let scope = Scope {
        dataset,
        table,
        user,
    };
    let (params, open) = parsed.params(major);
    let bound = bind(method, params, args, kwargs, open)?;
    match parsed {
        Method::Search => {
            let (filter, order, offset, limit) = paging(&scope, &bound)?;
            let ids: Vec<i64> = scope
                .search(&filter, &order, offset, limit)
                .iter()
                .map(|r| r.id)
                .collect();
            Ok(json!(ids))
        }
        Method::SearchRead => {
            let (filter, order, offset, limit) = paging(&scope, &bound)?;
            let columns = columns(&scope, bound.strings("fields")?.as_deref())?;
            let records = scope.search(&filter, &order, offset, limit);
            Ok(Value::Array(
                records
                    .into_iter()
                    .map(|r| record_json(table, &columns, r))
                    .collect(),
            ))
        }
        Method::SearchCount => {
            let filter = scope.filter(bound.get("domain"))?;
            Ok(json!(scope.count(&filter, bound.usize("limit")?)))
        }
        Method::Read => {
            let columns = columns(&scope, bound.strings("fields")?.as_deref())?;
            let ids = bound.ids("ids")?;
            let missing: Vec<String> = ids
                .iter()
                .filter(|id| table.get(**id).is_none())
                .map(|id| format!("{id},"))
                .collect();
            if !missing.is_empty() {
                return Err(Fault::missing_error(format!(
                    "Record does not exist or has been deleted.\n(Record: {model}({}), User: {uid})",
                    missing.join(" ")
                )));
            }
            Ok(Value::Array(
                ids.iter()
                    .filter_map(|id| table.get(*id))
                    .map(|r| record_json(table, &columns, r))
                    .collect(),
            ))
        }
        Method::FieldsGet => Ok(fields_get(
            &scope,
            bound.strings("allfields")?.as_deref(),
            bound.strings("attributes")?.as_deref(),
        )),
        Method::NameSearch => name_search(&scope, &bound, major),
        Method::ReadGroup | Method::FormattedReadGroup => {
            let formatted = parsed == Method::FormattedReadGroup;
            let filter = scope.filter(bound.get("domain"))?;
            let flavor = if formatted {
                Flavor::Formatted
            } else {
                Flavor::Classic {
                    lazy: bound.bool("lazy", true),
                }
            };
            let (aggregates, order) = if formatted {
                ("aggregates", "order")
            } else {
                ("fields", "orderby")
            };
            let request = GroupRequest {
                groupby: bound.strings("groupby")?.unwrap_or_default(),
                aggregates: bound.strings(aggregates)?.unwrap_or_default(),
                offset: bound.usize("offset")?.unwrap_or(0),
                limit: bound.usize("limit")?,
                order: bound.str(order)?.map(str::to_owned),
            };
            read_group(&scope, &filter, request, flavor)
        }
        Method::ContextGet => context_get(dataset, uid),
        Method::Create
        | Method::Write
        | Method::Unlink
        | Method::MessagePost
        | Method::ActionMerge => Err(Fault::type_error(format!("{model}.{method} writes"))),
    }
}

/// The method, refused as Odoo refuses it when the model is unknown or
/// the method is not one this server version has.
pub(crate) fn resolve(dataset: &Dataset, model: &str, method: &str) -> Result<Method, Fault> {
    // Every user may ask who they are, whatever tables the dataset holds.
    if (model, method) == ("res.users", "context_get") {
        return Ok(Method::ContextGet);
    }
    if dataset.table(model).is_none() {
        return Err(Fault::unknown_model(model));
    }
    match Method::parse(method) {
        Some(Method::FormattedReadGroup) if major_version(dataset) < 19 => {
            Err(no_such_method(model, method))
        }
        Some(parsed) => Ok(parsed),
        None => Err(no_such_method(model, method)),
    }
}

fn no_such_method(model: &str, method: &str) -> Fault {
    Fault::new(
        names::ATTRIBUTE_ERROR,
        format!("The method '{model}.{method}' does not exist"),
    )
}

fn user(dataset: &Dataset, uid: i64) -> Result<&DemoUser, Fault> {
    dataset.user(uid).ok_or_else(Fault::access_denied)
}

fn paging(
    scope: &Scope<'_>,
    bound: &Bound,
) -> Result<(super::query::Filter, Order, usize, Option<usize>), Fault> {
    let filter = scope.filter(bound.get("domain"))?;
    let order = Order::parse(scope.table, bound.str("order")?)?;
    Ok((
        filter,
        order,
        bound.usize("offset")?.unwrap_or(0),
        bound.usize("limit")?,
    ))
}

/// `name_search`: `[[id, display_name], ..]` of the records whose name
/// matches, within the domain, in the model's order.
fn name_search(scope: &Scope<'_>, bound: &Bound, major: u16) -> Result<Value, Fault> {
    let name = bound.str("name")?.unwrap_or_default();
    let operator = bound.str("operator")?.unwrap_or("ilike");
    let domain_key = if major >= 18 { "domain" } else { "args" };
    let mut terms: Vec<Value> = match bound.get(domain_key) {
        Some(Value::Array(terms)) => terms.clone(),
        _ => Vec::new(),
    };
    let rec_name = scope.table.def.rec_name;
    if !(name.is_empty() && operator == "ilike") {
        if !terms.is_empty() {
            terms.insert(0, json!("&"));
        }
        terms.push(json!([rec_name, operator, name]));
    }
    let filter = scope.filter(Some(&Value::Array(terms)))?;
    let order = Order::parse(scope.table, None)?;
    let limit = match bound.raw("limit") {
        None => Some(100),
        Some(_) => bound.usize("limit")?,
    };
    let found = scope.search(&filter, &order, 0, limit);
    Ok(Value::Array(
        found
            .into_iter()
            .map(|r| json!([r.id, display_name(scope.table, r)]))
            .collect(),
    ))
}
