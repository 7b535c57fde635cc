//! `OdooClient` over JSON-2 (Odoo 19+) against a wiremock server: the request
//! shape of each helper, the mapping of error statuses, the protocol choice,
//! retries, capabilities, and the directory of clients per identity.

use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::time::Duration;

use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use tools::odoo_client::{
    Aggregate, OdooClient, OdooClientConfig, OdooConnector, OdooCredentials, OdooDirectory,
    Protocol, ProtocolChoice,
};
use tools::{Identity, IdentityId, Role};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "json2-api-key-456";

fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn config(server: &MockServer) -> OdooClientConfig {
    OdooClientConfig {
        url: server.uri().parse().unwrap(),
        db: "acme".to_owned(),
        login: "ops@acme.test".to_owned(),
        api_key: SecretString::from(KEY),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: NonZeroUsize::new(4).unwrap(),
        protocol: ProtocolChoice::Auto,
    }
}

/// Matches a JSON-RPC call to the `common` service by method.
struct Common(&'static str);

impl Match for Common {
    fn matches(&self, request: &Request) -> bool {
        request.url.path() == "/jsonrpc"
            && serde_json::from_slice::<Value>(&request.body).is_ok_and(|b| {
                b["params"]["service"] == "common" && b["params"]["method"] == self.0
            })
    }
}

fn rpc_result(result: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"jsonrpc": "2.0", "id": 1, "result": result}))
}

fn version(raw: &str, major: u16) -> Value {
    json!({"server_version": raw, "server_version_info": [major, 0, 0, "final", 0, ""]})
}

/// `common.version` answering `raw`.
async fn mount_version(server: &MockServer, raw: &str, major: u16) {
    Mock::given(Common("version"))
        .respond_with(rpc_result(version(raw, major)))
        .mount(server)
        .await;
}

/// JSON-2 `context_get` answering `uid`, whose login is the configured one.
async fn mount_context_get(server: &MockServer, uid: i64) {
    mount_key_owner(server, KEY, uid, "ops@acme.test", Duration::ZERO).await;
}

/// JSON-2 `context_get` and `res.users/read` answering, for `key`, the user
/// `uid` with `login`, after `delay`.
async fn mount_key_owner(server: &MockServer, key: &str, uid: i64, login: &str, delay: Duration) {
    let bearer = format!("bearer {key}");
    Mock::given(method("POST"))
        .and(path("/json/2/res.users/context_get"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(
            ok(json!({"lang": "en_US", "tz": "Europe/Brussels", "uid": uid})).set_delay(delay),
        )
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/json/2/res.users/read"))
        .and(header("authorization", bearer.as_str()))
        .respond_with(ok(json!([{"id": uid, "login": login}])))
        .mount(server)
        .await;
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// An error answer the way Odoo 19 serialises an exception.
fn odoo_error(status: u16, name: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "name": name,
        "message": message,
        "arguments": [message],
        "context": {},
        "debug": "Traceback (most recent call last):\n  File \"odoo/http.py\"\n"
    }))
}

/// A 19.0 server on which the client connects over JSON-2 as uid 7.
async fn connected() -> (MockServer, OdooClient) {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    mount_context_get(&server, 7).await;
    let client = OdooClient::connect(config(&server)).await.unwrap();
    assert_eq!(client.protocol(), Protocol::Json2);
    (server, client)
}

/// Answers `POST /json/2/<model>/<method>` with `response`.
async fn mount_json2(
    server: &MockServer,
    model: &str,
    model_method: &str,
    response: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(path(format!("/json/2/{model}/{model_method}")))
        .respond_with(response)
        .mount(server)
        .await;
}

/// The requests sent to `/json/2/<model>/<method>`.
async fn json2_requests(server: &MockServer, model: &str, model_method: &str) -> Vec<Request> {
    let wanted = format!("/json/2/{model}/{model_method}");
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == wanted)
        .collect()
}

/// The one request sent to `/json/2/<model>/<method>`, with its headers
/// checked, as its JSON body.
async fn single_body(server: &MockServer, model: &str, model_method: &str) -> Value {
    let requests = json2_requests(server, model, model_method).await;
    assert_eq!(requests.len(), 1, "{model}/{model_method}");
    let request = &requests[0];
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(header("authorization"), format!("bearer {KEY}"));
    assert_eq!(header("x-odoo-database"), "acme");
    assert_eq!(header("content-type"), "application/json");
    assert!(
        header("user-agent").starts_with("odoo-agent/"),
        "{}",
        header("user-agent")
    );
    serde_json::from_slice(&request.body).unwrap()
}

#[tokio::test]
async fn connect_on_19_reads_the_uid_from_context_get_with_the_bearer_key() {
    let (server, client) = connected().await;
    assert_eq!(client.uid(), 7);
    assert_eq!(
        single_body(&server, "res.users", "context_get").await,
        json!({})
    );
    assert_eq!(
        single_body(&server, "res.users", "read").await,
        json!({"ids": [7], "fields": ["login"]})
    );
    // Over JSON-2 the key never travels in a JSON-RPC body.
    let rpc_bodies: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/jsonrpc")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(rpc_bodies.len(), 1, "only the version probe");
    assert!(!rpc_bodies[0].contains(KEY));
    assert!(!format!("{client:?}").contains(KEY));
}

#[tokio::test]
async fn search_read_sends_every_argument_by_name() {
    let (server, client) = connected().await;
    mount_json2(
        &server,
        "account.move",
        "search_read",
        ok(json!([{"id": 1, "partner_id": 12}])),
    )
    .await;
    let domain = json!([["move_type", "=", "out_invoice"]]);
    let records = client
        .search_read(
            "account.move",
            domain.clone(),
            &["id", "partner_id"],
            Some("id asc"),
            Some(50),
            Some(100),
        )
        .await
        .unwrap();
    assert_eq!(records, vec![json!({"id": 1, "partner_id": 12})]);
    assert_eq!(
        single_body(&server, "account.move", "search_read").await,
        json!({"domain": domain, "fields": ["id", "partner_id"], "order": "id asc",
               "limit": 50, "offset": 100})
    );
}

#[tokio::test]
async fn search_count_read_and_fields_get_send_named_bodies() {
    let (server, client) = connected().await;
    mount_json2(&server, "res.partner", "search_count", ok(json!(42))).await;
    mount_json2(
        &server,
        "res.partner",
        "read",
        ok(json!([{"id": 4, "name": "Azure"}])),
    )
    .await;
    let fields = json!({"name": {"type": "char", "string": "Name"}});
    mount_json2(&server, "res.partner", "fields_get", ok(fields.clone())).await;

    assert_eq!(
        client
            .search_count("res.partner", json!([["active", "=", true]]))
            .await
            .unwrap(),
        42
    );
    assert_eq!(
        client
            .read("res.partner", &[4, 5], &["name"])
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(client.fields_get("res.partner").await.unwrap(), fields);

    assert_eq!(
        single_body(&server, "res.partner", "search_count").await,
        json!({"domain": [["active", "=", true]]})
    );
    assert_eq!(
        single_body(&server, "res.partner", "read").await,
        json!({"ids": [4, 5], "fields": ["name"]})
    );
    assert_eq!(
        single_body(&server, "res.partner", "fields_get").await,
        json!({"attributes": ["string", "type", "relation", "required", "readonly", "selection"]})
    );
}

#[tokio::test]
async fn name_search_sends_name_domain_operator_and_limit() {
    let (server, client) = connected().await;
    mount_json2(
        &server,
        "res.partner",
        "name_search",
        ok(json!([[12, "Acme Corp"]])),
    )
    .await;
    let found = client
        .name_search("res.partner", "acme", json!([["customer_rank", ">", 0]]), 5)
        .await
        .unwrap();
    assert_eq!(
        (found[0].id, found[0].name.as_deref()),
        (12, Some("Acme Corp"))
    );
    assert_eq!(
        single_body(&server, "res.partner", "name_search").await,
        json!({"name": "acme", "domain": [["customer_rank", ">", 0]], "operator": "ilike", "limit": 5})
    );
}

#[tokio::test]
async fn read_group_uses_formatted_read_group_with_named_arguments() {
    let (server, client) = connected().await;
    mount_json2(
        &server,
        "sale.order",
        "formatted_read_group",
        ok(json!([{"user_id": 2, "__count": 4, "amount_untaxed:sum": 9000.0}])),
    )
    .await;
    let groups = client
        .read_group(
            "sale.order",
            json!([]),
            &["user_id"],
            &[Aggregate::sum("amount_untaxed")],
            Some(10),
        )
        .await
        .unwrap();
    assert_eq!(groups[0].count, 4);
    assert_eq!(groups[0].keys["user_id"], json!(2));
    assert_eq!(groups[0].aggregates["amount_untaxed:sum"], json!(9000.0));
    assert_eq!(
        single_body(&server, "sale.order", "formatted_read_group").await,
        json!({"domain": [], "groupby": ["user_id"],
               "aggregates": ["__count", "amount_untaxed:sum"], "limit": 10})
    );
}

#[tokio::test]
async fn call_sends_ids_and_named_arguments_once() {
    let (server, client) = connected().await;
    mount_json2(&server, "res.partner", "write", ok(json!(true))).await;
    mount_json2(&server, "account.move", "action_post", ok(Value::Null)).await;
    let mut vals = Map::new();
    vals.insert("vals".to_owned(), json!({"credit_limit": 5000}));
    let written = client
        .call("res.partner", "write", &[3], vals)
        .await
        .unwrap();
    assert_eq!(written, json!(true));
    let posted = client
        .call("account.move", "action_post", &[8, 9], Map::new())
        .await
        .unwrap();
    assert_eq!(posted, Value::Null);
    assert_eq!(
        single_body(&server, "res.partner", "write").await,
        json!({"ids": [3], "vals": {"credit_limit": 5000}})
    );
    assert_eq!(
        single_body(&server, "account.move", "action_post").await,
        json!({"ids": [8, 9]})
    );
}

#[tokio::test]
async fn execute_kw_names_positional_arguments_of_known_methods_only() {
    let (server, client) = connected().await;
    mount_json2(&server, "res.partner", "create", ok(json!([21]))).await;
    let created = client
        .execute_kw(
            "res.partner",
            "create",
            json!([[{"name": "New"}]]),
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(created, json!([21]));
    assert_eq!(
        single_body(&server, "res.partner", "create").await,
        json!({"vals_list": [{"name": "New"}]})
    );

    let err = client
        .execute_kw("account.move", "action_post", json!([[8]]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_unsupported_call");
    assert!(err.to_string().contains("named arguments"), "{err}");
    assert!(
        json2_requests(&server, "account.move", "action_post")
            .await
            .is_empty()
    );
}

/// One error answer and what it must become.
struct ErrorCase {
    response: ResponseTemplate,
    kind: &'static str,
    display: &'static str,
}

#[tokio::test]
async fn error_statuses_map_to_kinds_with_odoo_messages() {
    let cases = [
        ErrorCase {
            response: odoo_error(
                403,
                "odoo.exceptions.AccessError",
                "You are not allowed to access 'Journal Entry' (account.move) records.",
            ),
            kind: "odoo_access_denied",
            display: "access denied reading account.move (search_read) for uid 7: You are not \
                      allowed to access 'Journal Entry' (account.move) records.",
        },
        ErrorCase {
            response: odoo_error(
                404,
                "werkzeug.exceptions.NotFound",
                "the model 'account.move' does not exist",
            ),
            kind: "odoo_missing_model_or_field",
            display: "odoo call account.move/search_read failed on odoo 19.0: the model \
                      'account.move' does not exist",
        },
        ErrorCase {
            response: odoo_error(
                404,
                "odoo.exceptions.MissingError",
                "Record does not exist or has been deleted.",
            ),
            kind: "odoo_not_found",
            display: "odoo call account.move/search_read failed for uid 7: record not found: \
                      Record does not exist or has been deleted.",
        },
        ErrorCase {
            response: ResponseTemplate::new(404)
                .set_body_string("<html><body>Not Found</body></html>"),
            kind: "odoo_protocol",
            display: "odoo call account.move/search_read failed: unexpected response: http 404: \
                      no json-2 endpoint at this url (odoo 19 or later is needed): \
                      <html><body>Not Found</body></html>",
        },
        ErrorCase {
            response: odoo_error(
                409,
                "odoo.exceptions.LockError",
                "Record is locked\nby another transaction",
            ),
            kind: "odoo_unavailable",
            display: "odoo call account.move/search_read failed: odoo unavailable: http 409: \
                      Record is locked",
        },
        ErrorCase {
            response: odoo_error(
                422,
                "odoo.exceptions.UserError",
                "You cannot do that on a posted entry.",
            ),
            kind: "odoo_validation",
            display: "odoo call account.move/search_read failed for uid 7: rejected: You cannot \
                      do that on a posted entry.",
        },
        ErrorCase {
            response: odoo_error(
                422,
                "werkzeug.exceptions.UnprocessableEntity",
                "got an unexpected keyword argument 'fieldz'",
            ),
            kind: "odoo_validation",
            display: "odoo call account.move/search_read failed for uid 7: rejected: got an \
                      unexpected keyword argument 'fieldz'",
        },
        ErrorCase {
            // Some builds send only the message, as a JSON string.
            response: ResponseTemplate::new(422).set_body_json(json!("Invalid domain")),
            kind: "odoo_validation",
            display: "odoo call account.move/search_read failed for uid 7: rejected: Invalid domain",
        },
        ErrorCase {
            response: odoo_error(
                500,
                "builtins.ValueError",
                "Invalid field 'foo' on model 'account.move'",
            ),
            kind: "odoo_missing_model_or_field",
            display: "odoo call account.move/search_read failed on odoo 19.0: Invalid field \
                      'foo' on model 'account.move'",
        },
        ErrorCase {
            response: odoo_error(500, "builtins.TypeError", "bad operand\nsecond line"),
            kind: "odoo_server",
            display: "odoo call account.move/search_read failed for uid 7: server error \
                      builtins.TypeError: bad operand",
        },
        ErrorCase {
            response: ResponseTemplate::new(502),
            kind: "odoo_unavailable",
            display: "odoo call account.move/search_read failed: odoo unavailable: http 502",
        },
        ErrorCase {
            response: odoo_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey"),
            kind: "odoo_authentication_failed",
            display: "odoo authentication failed for login \"ops@acme.test\" on database \"acme\": \
                      check the database name and the api key; the login is often the user's \
                      e-mail address rather than \"admin\"",
        },
    ];
    for case in cases {
        let (server, client) = connected().await;
        mount_json2(&server, "account.move", "search_read", case.response).await;
        let err = client
            .search_read("account.move", json!([]), &["id"], None, None, None)
            .await
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.to_string().as_str()),
            (case.kind, case.display)
        );
        assert!(!err.to_string().contains("Traceback"));
        assert!(!format!("{err:?}").contains(KEY));
    }
}

#[tokio::test]
async fn a_bad_key_fails_at_connect_naming_login_and_database() {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    mount_json2(
        &server,
        "res.users",
        "context_get",
        odoo_error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey"),
    )
    .await;
    let err = OdooClient::connect(config(&server)).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_authentication_failed");
    let text = err.to_string();
    assert!(
        text.contains("\"ops@acme.test\"") && text.contains("\"acme\""),
        "{text}"
    );
    assert!(text.contains("e-mail"), "{text}");
    assert_eq!(
        json2_requests(&server, "res.users", "context_get")
            .await
            .len(),
        1,
        "never retried"
    );
}

#[tokio::test]
async fn a_key_of_another_user_fails_at_connect() {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    mount_key_owner(&server, KEY, 2, "admin", Duration::ZERO).await;
    let err = OdooClient::connect(config(&server)).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_authentication_failed");
    assert!(err.to_string().contains("\"ops@acme.test\""), "{err}");
}

#[tokio::test]
async fn the_key_owner_check_accepts_a_login_in_another_case() {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    mount_key_owner(&server, KEY, 2, "Ops@Acme.test", Duration::ZERO).await;
    assert_eq!(OdooClient::connect(config(&server)).await.unwrap().uid(), 2);
}

#[tokio::test]
async fn without_jsonrpc_the_version_comes_from_web_version_and_json2_is_used() {
    init();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/jsonrpc"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/web/version"))
        .respond_with(ok(
            json!({"version_info": [22, 0, 0, "final", 0, ""], "version": "22.0"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_context_get(&server, 9).await;
    let client = OdooClient::connect(config(&server)).await.unwrap();
    assert_eq!(
        (client.version().major, client.protocol(), client.uid()),
        (22, Protocol::Json2, 9)
    );
}

#[tokio::test]
async fn forcing_a_protocol_overrides_the_version() {
    init();
    // JSON-2 forced against an 18 server.
    let server = MockServer::start().await;
    mount_version(&server, "18.0", 18).await;
    mount_context_get(&server, 5).await;
    let mut cfg = config(&server);
    cfg.protocol = "json2".parse().unwrap();
    let client = OdooClient::connect(cfg).await.unwrap();
    assert_eq!((client.protocol(), client.uid()), (Protocol::Json2, 5));

    // JSON-RPC forced against a 19 server: authenticate, never JSON-2.
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    Mock::given(Common("authenticate"))
        .respond_with(rpc_result(json!(6)))
        .expect(1)
        .mount(&server)
        .await;
    let mut cfg = config(&server);
    cfg.protocol = "jsonrpc".parse().unwrap();
    let client = OdooClient::connect(cfg).await.unwrap();
    assert_eq!((client.protocol(), client.uid()), (Protocol::JsonRpc, 6));
    assert!(
        json2_requests(&server, "res.users", "context_get")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn reads_are_retried_on_json2_but_writes_and_calls_are_sent_once() {
    let (server, client) = connected().await;
    Mock::given(path("/json/2/res.partner/search_count"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_json2(&server, "res.partner", "search_count", ok(json!(3))).await;
    mount_json2(&server, "res.partner", "write", ResponseTemplate::new(503)).await;
    mount_json2(
        &server,
        "account.move",
        "action_post",
        ResponseTemplate::new(503),
    )
    .await;

    assert_eq!(
        client.search_count("res.partner", json!([])).await.unwrap(),
        3
    );
    assert_eq!(
        json2_requests(&server, "res.partner", "search_count")
            .await
            .len(),
        2
    );

    let err = client
        .execute_kw(
            "res.partner",
            "write",
            json!([[1], {"credit_limit": 0}]),
            json!({}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_unavailable");
    assert_eq!(
        json2_requests(&server, "res.partner", "write").await.len(),
        1
    );

    let err = client
        .call("account.move", "action_post", &[8], Map::new())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.code(), err.is_retryable()),
        ("odoo_unavailable", "ODOO_UNAVAILABLE", true)
    );
    assert_eq!(
        json2_requests(&server, "account.move", "action_post")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn capabilities_come_from_cached_fields_get_including_negative_answers() {
    let (server, client) = connected().await;
    mount_json2(
        &server,
        "res.partner",
        "fields_get",
        ok(json!({"name": {"type": "char"}, "phone": {"type": "char"}})),
    )
    .await;
    mount_json2(
        &server,
        "mrp.production",
        "fields_get",
        odoo_error(
            404,
            "werkzeug.exceptions.NotFound",
            "the model 'mrp.production' does not exist",
        ),
    )
    .await;

    assert!(client.has_model("res.partner").await.unwrap());
    assert!(client.has_field("res.partner", "phone").await.unwrap());
    assert!(!client.has_field("res.partner", "mobile").await.unwrap());
    assert!(!client.has_model("mrp.production").await.unwrap());
    assert!(!client.has_model("mrp.production").await.unwrap());
    assert!(!client.has_field("mrp.production", "name").await.unwrap());
    let err = client.fields_get("mrp.production").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        ("odoo_missing_model_or_field", "MODULE_MISSING")
    );
    assert!(
        err.to_string().contains("19.0") && err.to_string().contains("mrp.production"),
        "{err}"
    );

    assert_eq!(
        json2_requests(&server, "res.partner", "fields_get")
            .await
            .len(),
        1
    );
    assert_eq!(
        json2_requests(&server, "mrp.production", "fields_get")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn capability_probe_errors_other_than_a_missing_model_are_errors_and_not_cached() {
    let (server, client) = connected().await;
    mount_json2(
        &server,
        "hr.employee",
        "fields_get",
        odoo_error(
            403,
            "odoo.exceptions.AccessError",
            "You are not allowed to access 'Employee'",
        ),
    )
    .await;
    for _ in 0..2 {
        let err = client.has_model("hr.employee").await.unwrap_err();
        assert_eq!(err.kind(), "odoo_access_denied");
    }
    assert_eq!(
        json2_requests(&server, "hr.employee", "fields_get")
            .await
            .len(),
        2
    );
}

/// A directory over a 19 server on which the configured key is
/// `ops@acme.test`'s and `finance-key` is `fiona@acme.test`'s.
async fn directory_server() -> MockServer {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    // The delay keeps concurrent first calls overlapping.
    let delay = Duration::from_millis(200);
    mount_key_owner(&server, KEY, 2, "ops@acme.test", delay).await;
    mount_key_owner(&server, "finance-key", 11, "fiona@acme.test", delay).await;
    server
}

fn finance_identity() -> Identity {
    Identity {
        id: IdentityId("slack:U42".to_owned()),
        display_name: "Fiona Finance".to_owned(),
        roles: vec![Role::Finance],
    }
}

#[tokio::test]
async fn directory_gives_the_local_operator_the_configured_user_and_others_their_own() {
    let server = directory_server().await;
    let directory = OdooDirectory::new(config(&server)).with_identity(
        finance_identity().id,
        OdooCredentials {
            login: "fiona@acme.test".to_owned(),
            api_key: SecretString::from("finance-key"),
        },
    );
    let local = directory
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let finance = directory.client_for(&finance_identity()).await.unwrap();
    assert_eq!((local.uid(), finance.uid()), (2, 11));
    let again = directory.client_for(&finance_identity()).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&finance, &again),
        "clients are shared"
    );
    assert!(!format!("{directory:?}").contains("finance-key"));
}

#[tokio::test]
async fn directory_refuses_an_identity_without_an_odoo_user() {
    let server = directory_server().await;
    let directory = OdooDirectory::new(config(&server));
    let stranger = finance_identity();
    let err = directory.client_for(&stranger).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.code()),
        ("odoo_unmapped_identity", "ODOO_ACCESS_DENIED")
    );
    assert!(err.to_string().contains("slack:U42"), "{err}");
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "no fallback call"
    );
}

#[tokio::test]
async fn directory_connects_once_for_concurrent_first_calls() {
    let server = directory_server().await;
    let directory = OdooDirectory::new(config(&server));
    let operator = Identity::local_operator();
    let (a, b, c) = tokio::join!(
        directory.client_for(&operator),
        directory.client_for(&operator),
        directory.client_for(&operator)
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert!(std::sync::Arc::ptr_eq(&a, &b) && std::sync::Arc::ptr_eq(&b, &c));
    assert_eq!(
        json2_requests(&server, "res.users", "context_get")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn directory_retries_a_failed_connection_on_the_next_call() {
    init();
    let server = MockServer::start().await;
    mount_version(&server, "19.0", 19).await;
    Mock::given(path("/json/2/res.users/context_get"))
        .respond_with(odoo_error(
            401,
            "werkzeug.exceptions.Unauthorized",
            "Invalid apikey",
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_context_get(&server, 2).await;
    let directory = OdooDirectory::new(config(&server));
    let operator = Identity::local_operator();
    let err = directory.client_for(&operator).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_authentication_failed");
    assert_eq!(directory.client_for(&operator).await.unwrap().uid(), 2);
    let paths: HashSet<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(paths.contains("/json/2/res.users/context_get"));
}
