//! The record tools against a wiremock server speaking Odoo's JSON-RPC
//! envelope, through the registry as the agent calls them.
//!
//! Everything Odoo-specific is set up in [`odoo`] and the `mount_*` helpers,
//! so these tests can move to the fake Odoo by changing those alone.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::odoo_client::{OdooClientConfig, OdooDirectory};
use tools::records::{RecordToolsConfig, register_record_tools};
use tools::{CallOrigin, DispatchOutcome, Identity, ToolCtx, ToolRegistry};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const BASE: &str = "https://acme.odoo.example";

/// A mock Odoo 17 (version and authentication answered) and a registry
/// holding the four record tools, connected to it lazily.
async fn odoo() -> (MockServer, ToolRegistry) {
    odoo_with(|_| {}).await
}

/// Like [`odoo`], with the tools' configuration adjusted by `adjust`.
async fn odoo_with(adjust: impl FnOnce(&mut RecordToolsConfig)) -> (MockServer, ToolRegistry) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = MockServer::start().await;
    Mock::given(Rpc::common("version"))
        .respond_with(Reply(json!({
            "server_version": "17.0",
            "server_version_info": [17, 0, 0, "final", 0, ""],
            "server_serie": "17.0",
            "protocol_version": 1
        })))
        .mount(&server)
        .await;
    Mock::given(Rpc::common("authenticate"))
        .respond_with(Reply(json!(7)))
        .mount(&server)
        .await;
    let connector = Arc::new(OdooDirectory::new(OdooClientConfig {
        url: server.uri().parse().unwrap(),
        db: "acme".to_owned(),
        login: "ops@acme.test".to_owned(),
        api_key: SecretString::from("key"),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: NonZeroUsize::new(2).unwrap(),
        protocol: tools::odoo_client::ProtocolChoice::Auto,
    }));
    let mut config = RecordToolsConfig::new(BASE.parse().unwrap());
    adjust(&mut config);
    let registry = register_record_tools(ToolRegistry::builder(), config, connector)
        .unwrap()
        .build()
        .unwrap();
    (server, registry)
}

async fn call(registry: &ToolRegistry, tool: &str, args: Value) -> DispatchOutcome {
    registry
        .dispatch(
            &ToolCtx {
                identity: Identity::local_operator(),
                deadline: tokio::time::Instant::now() + Duration::from_secs(30),
                cancel: CancellationToken::new(),
                origin: CallOrigin::Model,
            },
            "call_1",
            tool,
            &args.to_string(),
            Duration::from_secs(10),
        )
        .await
}

/// Matches one JSON-RPC call by service and method, and for `execute_kw`
/// by model and model method.
struct Rpc {
    service: &'static str,
    method: &'static str,
    object: Option<(&'static str, &'static str)>,
}

impl Rpc {
    fn common(method: &'static str) -> Self {
        Self {
            service: "common",
            method,
            object: None,
        }
    }

    fn object(model: &'static str, model_method: &'static str) -> Self {
        Self {
            service: "object",
            method: "execute_kw",
            object: Some((model, model_method)),
        }
    }
}

impl Match for Rpc {
    fn matches(&self, request: &Request) -> bool {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return false;
        };
        let params = &body["params"];
        params["service"] == self.service
            && params["method"] == self.method
            && self.object.is_none_or(|(model, model_method)| {
                params["args"][3] == model && params["args"][4] == model_method
            })
    }
}

/// Matches a `read_group` by whether it groups (its groupby list is empty
/// for the totals).
struct Grouped(bool);

impl Match for Grouped {
    fn matches(&self, request: &Request) -> bool {
        serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| {
            let groupby = &body["params"]["args"][5][2];
            groupby.as_array().is_some_and(|g| g.is_empty() != self.0)
        })
    }
}

/// Answers with `result`, echoing the request id as Odoo does.
struct Reply(Value);

impl Respond for Reply {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = serde_json::from_slice::<Value>(&request.body).map(|b| b["id"].clone());
        ResponseTemplate::new(200).set_body_json(
            json!({"jsonrpc": "2.0", "id": id.unwrap_or(Value::Null), "result": self.0}),
        )
    }
}

async fn mount_fields(server: &MockServer, model: &'static str, fields: Value) {
    Mock::given(Rpc::object(model, "fields_get"))
        .respond_with(Reply(fields))
        .mount(server)
        .await;
}

/// The `args` of every `execute_kw` call to `model.method`: `[db, uid, key,
/// model, method, args, kwargs]`.
async fn sent(server: &MockServer, model: &str, method: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .map(|body| body["params"]["args"].clone())
        .filter(|args| args[3] == model && args[4] == method)
        .collect()
}

fn partner_fields() -> Value {
    json!({
        "name": {"type": "char", "string": "Name"},
        "email": {"type": "char", "string": "Email"},
        "phone": {"type": "char", "string": "Phone"},
        "city": {"type": "char", "string": "City"},
        "country_id": {"type": "many2one", "relation": "res.country", "string": "Country"},
        "is_company": {"type": "boolean", "string": "Is a Company"},
        "credit": {"type": "monetary", "string": "Total Receivable"}
    })
}

#[tokio::test]
async fn search_states_the_total_and_truncates_at_the_limit() {
    let (server, registry) = odoo().await;
    mount_fields(&server, "res.partner", partner_fields()).await;
    Mock::given(Rpc::object("res.partner", "search_count"))
        .respond_with(Reply(json!(1234)))
        .expect(1)
        .mount(&server)
        .await;
    let page: Vec<Value> = (1..=50)
        .map(|id| {
            json!({"id": id, "name": format!("Partner {id}"), "email": false, "phone": false,
                   "city": "Gent", "country_id": [21, "Belgium"], "is_company": false})
        })
        .collect();
    Mock::given(Rpc::object("res.partner", "search_read"))
        .respond_with(Reply(Value::Array(page)))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = call(
        &registry,
        "search_records",
        json!({"model": "res.partner", "conditions": [
            {"field": "country_id.code", "op": "=", "value": "BE"}
        ]}),
    )
    .await;
    let success = outcome.result.unwrap();

    assert_eq!(
        success.summary,
        "showing 50 of 1,234 res.partner records; truncated: use offset 50 for the next page, \
         narrow the conditions, or aggregate_records for totals"
    );
    assert_eq!(success.output["total"], json!(1234));
    assert_eq!(success.output["truncated"], json!(true));
    assert_eq!(success.output["records"].as_array().unwrap().len(), 50);
    assert_eq!(
        success.output["records"][0],
        json!({
            "id": 1,
            "link": "https://acme.odoo.example/web#id=1&model=res.partner&view_type=form",
            "name": "Partner 1",
            "email": null,
            "phone": null,
            "city": "Gent",
            "country_id": {"id": 21, "name": "Belgium"},
            "is_company": false
        })
    );
    let search_read = &sent(&server, "res.partner", "search_read").await[0];
    assert_eq!(search_read[5], json!([[["country_id.code", "=", "BE"]]]));
    assert_eq!(
        search_read[6],
        json!({"fields": ["name", "email", "phone", "city", "country_id", "is_company"],
               "order": "id desc", "limit": 50, "offset": 0})
    );
    let count = &sent(&server, "res.partner", "search_count").await[0];
    assert_eq!(count[5], json!([[["country_id.code", "=", "BE"]]]));
}

#[tokio::test]
async fn count_sends_the_structured_conditions_as_a_domain() {
    let (server, registry) = odoo().await;
    Mock::given(Rpc::object("sale.order", "search_count"))
        .respond_with(Reply(json!(17)))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = call(
        &registry,
        "count_records",
        json!({"model": "sale.order", "conditions": [
            {"field": "state", "op": "in", "value": ["draft", "sent"]},
            {"any": [
                {"field": "amount_total", "op": ">=", "value": 1000},
                {"field": "partner_id.country_id.code", "op": "=", "value": "DE"}
            ]}
        ]}),
    )
    .await;
    let success = outcome.result.unwrap();

    assert_eq!(success.summary, "17 sale.order records match");
    assert_eq!(success.output, json!({"model": "sale.order", "count": 17}));
    let count = &sent(&server, "sale.order", "search_count").await[0];
    assert_eq!(
        count[5],
        json!([[
            "&",
            ["state", "in", ["draft", "sent"]],
            "|",
            ["amount_total", ">=", 1000],
            ["partner_id.country_id.code", "=", "DE"]
        ]])
    );
}

#[tokio::test]
async fn aggregate_groups_by_month_with_exact_sums_and_totals() {
    let (server, registry) = odoo().await;
    mount_fields(
        &server,
        "account.move",
        json!({
            "invoice_date": {"type": "date"},
            "amount_total_signed": {"type": "monetary"},
            "partner_id": {"type": "many2one", "relation": "res.partner"}
        }),
    )
    .await;
    Mock::given(Rpc::object("account.move", "read_group"))
        .and(Grouped(true))
        .respond_with(Reply(json!([
            {"invoice_date:month": "January 2026", "__count": 12,
             "amount_total_signed": 10250.1, "__domain": []},
            {"invoice_date:month": "February 2026", "__count": 9,
             "amount_total_signed": 8000.2, "__domain": []}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(Rpc::object("account.move", "read_group"))
        .and(Grouped(false))
        .respond_with(Reply(json!([
            {"__count": 21, "amount_total_signed": 18250.3, "__domain": []}
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = call(
        &registry,
        "aggregate_records",
        json!({
            "model": "account.move",
            "conditions": [{"field": "move_type", "op": "=", "value": "out_invoice"}],
            "group_by": [{"field": "invoice_date", "interval": "month"}],
            "measures": [{"field": "amount_total_signed", "function": "sum"}]
        }),
    )
    .await;
    let success = outcome.result.unwrap();

    assert_eq!(
        success.summary,
        "21 account.move records in 2 groups by invoice_date:month; \
         amount_total_signed:sum 18250.3"
    );
    assert_eq!(
        success.output,
        json!({
            "model": "account.move",
            "group_by": ["invoice_date:month"],
            "groups": [
                {"keys": {"invoice_date:month": "January 2026"}, "count": 12,
                 "measures": {"amount_total_signed:sum": "10250.1"}},
                {"keys": {"invoice_date:month": "February 2026"}, "count": 9,
                 "measures": {"amount_total_signed:sum": "8000.2"}}
            ],
            "group_count": 2,
            "group_count_exact": true,
            "truncated": false,
            "totals": {"keys": {}, "count": 21,
                       "measures": {"amount_total_signed:sum": "18250.3"}}
        })
    );
    let grouped = sent(&server, "account.move", "read_group").await;
    let by_month = grouped
        .iter()
        .find(|args| args[5][2] == json!(["invoice_date:month"]))
        .unwrap();
    assert_eq!(
        by_month[5],
        json!([
            [["move_type", "=", "out_invoice"]],
            ["amount_total_signed:sum"],
            ["invoice_date:month"]
        ])
    );
    assert_eq!(by_month[6], json!({"lazy": false, "limit": 1001}));
}

#[tokio::test]
async fn get_record_returns_the_fields_and_a_link() {
    let (server, registry) = odoo().await;
    mount_fields(&server, "res.partner", partner_fields()).await;
    Mock::given(Rpc::object("res.partner", "read"))
        .respond_with(Reply(json!([
            {"id": 42, "name": "Acme NV", "credit": 1250.1, "country_id": [21, "Belgium"]}
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let outcome = call(
        &registry,
        "get_record",
        json!({"model": "res.partner", "id": 42, "fields": ["name", "credit", "country_id"]}),
    )
    .await;
    let success = outcome.result.unwrap();

    assert_eq!(
        success.summary,
        "res.partner 42 (Acme NV): \
         https://acme.odoo.example/web#id=42&model=res.partner&view_type=form"
    );
    assert_eq!(
        success.output["record"],
        json!({
            "id": 42,
            "link": "https://acme.odoo.example/web#id=42&model=res.partner&view_type=form",
            "name": "Acme NV",
            "credit": "1250.1",
            "country_id": {"id": 21, "name": "Belgium"}
        })
    );
    let read = &sent(&server, "res.partner", "read").await[0];
    assert_eq!(read[5], json!([[42]]));
    assert_eq!(read[6], json!({"fields": ["name", "credit", "country_id"]}));
}

#[tokio::test]
async fn a_field_missing_on_the_server_is_named_with_the_version() {
    let (server, registry) = odoo().await;
    mount_fields(&server, "res.partner", partner_fields()).await;

    let outcome = call(
        &registry,
        "get_record",
        json!({"model": "res.partner", "id": 42, "fields": ["name", "mobile"]}),
    )
    .await;
    let err = outcome.result.unwrap_err().to_string();
    assert!(
        err.contains("field mobile does not exist on res.partner in this Odoo (17.0)"),
        "{err}"
    );
    assert!(sent(&server, "res.partner", "read").await.is_empty());
}

#[tokio::test]
async fn a_refused_field_makes_no_http_call() {
    let (server, registry) = odoo().await;

    let outcome = call(
        &registry,
        "search_records",
        json!({"model": "res.users", "fields": ["login", "password"]}),
    )
    .await;
    let err = outcome.result.unwrap_err();

    assert_eq!(err.kind(), "invalid_args");
    assert!(
        err.to_string()
            .contains("fields[1]: field password of res.users is not allowed"),
        "{err}"
    );
    let requests = server.received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 0, "no request at all, not even the login");
}

#[tokio::test]
async fn groups_past_the_cap_are_counted_and_flagged() {
    let (server, registry) = odoo_with(|config| config.max_groups = 2).await;
    mount_fields(
        &server,
        "sale.order",
        json!({"partner_id": {"type": "many2one"}, "amount_total": {"type": "monetary"}}),
    )
    .await;
    Mock::given(Rpc::object("sale.order", "read_group"))
        .and(Grouped(true))
        .respond_with(Reply(json!([
            {"partner_id": [1, "Acme"], "__count": 5, "amount_total": 100.0},
            {"partner_id": [2, "Globex"], "__count": 3, "amount_total": 50.5},
            {"partner_id": false, "__count": 1, "amount_total": 7.25}
        ])))
        .mount(&server)
        .await;
    Mock::given(Rpc::object("sale.order", "read_group"))
        .and(Grouped(false))
        .respond_with(Reply(json!([{"__count": 9, "amount_total": 157.75}])))
        .mount(&server)
        .await;

    let outcome = call(
        &registry,
        "aggregate_records",
        json!({"model": "sale.order", "group_by": [{"field": "partner_id"}],
               "measures": [{"field": "amount_total", "function": "sum"}]}),
    )
    .await;
    let success = outcome.result.unwrap();

    assert_eq!(
        success.summary,
        "9 sale.order records in 3 groups by partner_id; amount_total:sum 157.75; showing the \
         first 2 groups (truncated), totals cover all records"
    );
    assert_eq!(success.output["truncated"], json!(true));
    assert_eq!(success.output["group_count"], json!(3));
    assert_eq!(
        success.output["groups"][1],
        json!({"keys": {"partner_id": {"id": 2, "name": "Globex"}}, "count": 3,
               "measures": {"amount_total:sum": "50.5"}})
    );
}

#[tokio::test]
async fn odoo_access_errors_reach_the_model_naming_the_model() {
    let (server, registry) = odoo().await;
    Mock::given(Rpc::object("hr.employee", "search_count"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "jsonrpc": "2.0",
            "id": 1,
            "error": {"code": 200, "message": "Odoo Server Error", "data": {
                "name": "odoo.exceptions.AccessError",
                "message": "You are not allowed to access 'Employee' (hr.employee) records.",
                "arguments": [], "debug": "", "context": {}
            }}
        })))
        .mount(&server)
        .await;

    let outcome = call(&registry, "count_records", json!({"model": "hr.employee"})).await;
    let err = outcome.result.unwrap_err();

    assert_eq!(err.kind(), "odoo_access_denied");
    assert_eq!(
        err.to_string(),
        "access denied reading hr.employee (search_count) for uid 7: You are not allowed to \
         access 'Employee' (hr.employee) records."
    );
}

/// The descriptions and argument schemas are prompt text: review changes.
#[tokio::test]
async fn record_tool_specs_are_what_the_model_reads() {
    let (_server, registry) = odoo().await;
    let names: Vec<String> = registry.specs().iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        [
            "aggregate_records",
            "count_records",
            "get_record",
            "search_records"
        ]
    );
    for spec in registry.specs().iter() {
        insta::assert_json_snapshot!(format!("record_tool_spec_{}", spec.name), spec);
    }
}
