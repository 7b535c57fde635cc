//! `OdooClient` against a wiremock server speaking Odoo's JSON-RPC envelope.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::odoo_client::{
    Aggregate, OdooClient, OdooClientConfig, OdooError, Protocol, ProtocolChoice,
};
use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "secret-api-key-123";

fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn config(server: &MockServer) -> OdooClientConfig {
    config_with(server, 1, Duration::from_secs(5))
}

fn config_with(server: &MockServer, max: usize, timeout: Duration) -> OdooClientConfig {
    OdooClientConfig {
        url: server.uri().parse().unwrap(),
        db: "acme".to_owned(),
        login: "ops@acme.test".to_owned(),
        api_key: SecretString::from(KEY),
        timeout,
        max_concurrent_calls: NonZeroUsize::new(max).unwrap(),
        protocol: ProtocolChoice::Auto,
    }
}

/// Matches one JSON-RPC call by service and method, and for `execute_kw` by
/// model and model method.
struct Rpc {
    service: &'static str,
    method: &'static str,
    object: Option<(&'static str, &'static str)>,
}

fn common(method: &'static str) -> Rpc {
    Rpc {
        service: "common",
        method,
        object: None,
    }
}

fn object(model: &'static str, model_method: &'static str) -> Rpc {
    Rpc {
        service: "object",
        method: "execute_kw",
        object: Some((model, model_method)),
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

fn fault(name: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "jsonrpc": "2.0",
        "id": 3,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": name,
                "message": message,
                "arguments": [message],
                "debug": "Traceback (most recent call last):\n  File \"odoo/http.py\"\n",
                "context": {}
            }
        }
    }))
}

fn version_result(raw: &str, info: Value) -> Value {
    json!({
        "server_version": raw,
        "server_version_info": info,
        "server_serie": raw,
        "protocol_version": 1
    })
}

async fn mount_connect(server: &MockServer, uid: i64) {
    mount_connect_as(server, uid, "17.0", json!([17, 0, 0, "final", 0, ""])).await;
}

async fn mount_connect_as(server: &MockServer, uid: i64, raw: &str, info: Value) {
    Mock::given(method("POST"))
        .and(path("/jsonrpc"))
        .and(common("version"))
        .respond_with(Reply(version_result(raw, info)))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/jsonrpc"))
        .and(common("authenticate"))
        .respond_with(Reply(json!(uid)))
        .expect(1)
        .mount(server)
        .await;
}

async fn connected(server: &MockServer) -> OdooClient {
    init();
    mount_connect(server, 7).await;
    OdooClient::connect(config(server)).await.unwrap()
}

async fn bodies(server: &MockServer, service: &str, rpc_method: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .filter(|b| b["params"]["service"] == service && b["params"]["method"] == rpc_method)
        .collect()
}

#[tokio::test]
async fn connect_detects_major_version_of_each_supported_release_and_picks_the_protocol() {
    init();
    let rpc = Protocol::JsonRpc;
    let cases = [
        ("17.0", json!([17, 0, 0, "final", 0, ""]), 17, 0, false, rpc),
        ("18.0", json!([18, 0, 0, "final", 0, ""]), 18, 0, false, rpc),
        (
            "saas~18.3",
            json!(["saas~18", 3, 0, "final", 0, ""]),
            18,
            3,
            true,
            rpc,
        ),
        (
            "19.0",
            json!([19, 0, 0, "final", 0, ""]),
            19,
            0,
            false,
            Protocol::Json2,
        ),
    ];
    for (raw, info, major, minor, saas, protocol) in cases {
        let server = MockServer::start().await;
        Mock::given(common("version"))
            .respond_with(Reply(version_result(raw, info)))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(common("authenticate"))
            .respond_with(Reply(json!(2)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/json/2/res.users/context_get"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"uid": 2})))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/json/2/res.users/read"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([{"id": 2, "login": "ops@acme.test"}])),
            )
            .mount(&server)
            .await;
        let client = OdooClient::connect(config(&server)).await.unwrap();
        let v = client.version();
        assert_eq!(
            (v.raw.as_str(), v.major, v.minor, v.saas),
            (raw, major, minor, saas)
        );
        assert!(v.is_supported());
        assert_eq!((client.protocol(), client.uid()), (protocol, 2), "{raw}");
    }
}

#[tokio::test]
async fn connect_sends_the_exact_common_envelopes() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    assert_eq!(client.uid(), 7);
    assert!(!format!("{client:?}").contains(KEY));
    let version = bodies(&server, "common", "version").await;
    assert_eq!(version.len(), 1);
    assert_eq!(
        version[0],
        json!({"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "version", "args": []}, "id": version[0]["id"]})
    );
    assert!(version[0]["id"].is_u64());
    let auth = bodies(&server, "common", "authenticate").await;
    assert_eq!(
        auth[0]["params"],
        json!({"service": "common", "method": "authenticate", "args": ["acme", "ops@acme.test", KEY, {}]})
    );
    assert_eq!(auth[0]["jsonrpc"], "2.0");
    assert_eq!(auth[0]["method"], "call");
}

#[tokio::test]
async fn authentication_is_done_once_and_the_uid_reused() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "search_count"))
        .respond_with(Reply(json!(3)))
        .expect(2)
        .mount(&server)
        .await;
    assert_eq!(
        client.search_count("res.partner", json!([])).await.unwrap(),
        3
    );
    assert_eq!(
        client.search_count("res.partner", json!([])).await.unwrap(),
        3
    );
    let calls = bodies(&server, "object", "execute_kw").await;
    for call in calls {
        assert_eq!(
            call["params"]["args"],
            json!(["acme", 7, KEY, "res.partner", "search_count", [[]], {}])
        );
    }
    // authenticate's `.expect(1)` is verified when the server drops.
}

#[tokio::test]
async fn authentication_failure_names_login_and_database_and_hints_at_email() {
    init();
    let server = MockServer::start().await;
    Mock::given(common("version"))
        .respond_with(Reply(version_result(
            "18.0",
            json!([18, 0, 0, "final", 0, ""]),
        )))
        .mount(&server)
        .await;
    Mock::given(common("authenticate"))
        .respond_with(Reply(json!(false)))
        .mount(&server)
        .await;
    let err = OdooClient::connect(config(&server)).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_authentication_failed");
    let text = err.to_string();
    assert!(text.contains("\"ops@acme.test\""), "{text}");
    assert!(text.contains("\"acme\""), "{text}");
    assert!(text.contains("e-mail"), "{text}");
    assert!(!text.contains(KEY));
    assert!(!format!("{err:?}").contains(KEY));
}

#[tokio::test]
async fn odoo_faults_map_to_error_kinds() {
    let cases = [
        (
            "odoo.exceptions.AccessError",
            "You are not allowed to modify 'Contact' (res.partner) records.",
            "odoo_access_denied",
        ),
        (
            "odoo.exceptions.AccessDenied",
            "Access Denied",
            "odoo_access_denied",
        ),
        (
            "odoo.exceptions.ValidationError",
            "The VAT number is invalid.",
            "odoo_validation",
        ),
        (
            "odoo.exceptions.UserError",
            "You cannot delete a posted entry.",
            "odoo_validation",
        ),
        (
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.",
            "odoo_not_found",
        ),
        (
            "builtins.ValueError",
            "Invalid field 'credit_limitt' on model 'res.partner'",
            "odoo_missing_model_or_field",
        ),
        (
            "odoo.exceptions.UserError",
            "Object res.partnerr doesn't exist",
            "odoo_missing_model_or_field",
        ),
        (
            "builtins.KeyError",
            "'x_custom'",
            "odoo_missing_model_or_field",
        ),
        (
            "builtins.TypeError",
            "write() takes 2 positional arguments\nbut 3 were given",
            "odoo_server",
        ),
    ];
    for (name, message, kind) in cases {
        let server = MockServer::start().await;
        let client = connected(&server).await;
        Mock::given(object("res.partner", "write"))
            .respond_with(fault(name, message))
            .mount(&server)
            .await;
        let err = client
            .execute_kw(
                "res.partner",
                "write",
                json!([[1], {"name": "x"}]),
                json!({}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        let text = err.to_string();
        assert!(
            text.contains("res.partner") && text.contains("write"),
            "{text}"
        );
        assert!(!text.contains("Traceback"), "{text}");
        assert!(!text.contains(KEY));
    }
}

#[tokio::test]
async fn access_denied_display_names_model_method_and_uid() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "write"))
        .respond_with(fault("odoo.exceptions.AccessError", "not allowed"))
        .mount(&server)
        .await;
    let err = client
        .execute_kw("res.partner", "write", json!([[1], {}]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "access denied writing res.partner (write) for uid 7: not allowed"
    );
    match err {
        OdooError::AccessDenied {
            model,
            method,
            uid,
            message,
        } => {
            assert_eq!(
                (model.as_str(), method.as_str(), uid, message.as_str()),
                ("res.partner", "write", 7, "not allowed")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn missing_field_error_names_server_version_and_server_error_only_first_line() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "read"))
        .respond_with(fault(
            "builtins.ValueError",
            "Invalid field 'foo' on model 'res.partner'",
        ))
        .mount(&server)
        .await;
    Mock::given(object("res.partner", "write"))
        .respond_with(fault("builtins.TypeError", "bad args\nsecond line"))
        .mount(&server)
        .await;
    let err = client
        .read("res.partner", &[1], &["foo"])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "odoo call res.partner/read failed on odoo 17.0: Invalid field 'foo' on model 'res.partner'"
    );
    let err = client
        .execute_kw("res.partner", "write", json!([[1], {}]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "odoo call res.partner/write failed for uid 7: server error builtins.TypeError: bad args"
    );
}

#[tokio::test]
async fn search_read_sends_domain_as_arg_and_options_as_kwargs() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("account.move", "search_read"))
        .respond_with(Reply(json!([{"id": 1, "name": "INV/2026/0001"}])))
        .expect(2)
        .mount(&server)
        .await;
    let domain = json!([["move_type", "=", "out_invoice"], ["state", "=", "posted"]]);
    let records = client
        .search_read(
            "account.move",
            domain.clone(),
            &["id", "name"],
            Some("id asc"),
            Some(50),
            Some(100),
        )
        .await
        .unwrap();
    assert_eq!(records, vec![json!({"id": 1, "name": "INV/2026/0001"})]);
    client
        .search_read("account.move", json!([]), &["id"], None, None, None)
        .await
        .unwrap();

    let calls = bodies(&server, "object", "execute_kw").await;
    assert_eq!(
        calls[0]["params"]["args"],
        json!(["acme", 7, KEY, "account.move", "search_read", [domain],
               {"fields": ["id", "name"], "order": "id asc", "limit": 50, "offset": 100}])
    );
    assert_eq!(
        calls[1]["params"]["args"],
        json!(["acme", 7, KEY, "account.move", "search_read", [[]], {"fields": ["id"]}])
    );
    assert_eq!(calls[0]["method"], "call");
    assert_eq!(calls[0]["jsonrpc"], "2.0");
}

#[tokio::test]
async fn read_sends_ids_and_fields() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "read"))
        .respond_with(Reply(json!([{"id": 4, "name": "Azure"}])))
        .expect(1)
        .mount(&server)
        .await;
    let records = client
        .read("res.partner", &[4, 5], &["name"])
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    let calls = bodies(&server, "object", "execute_kw").await;
    assert_eq!(
        calls[0]["params"]["args"],
        json!(["acme", 7, KEY, "res.partner", "read", [[4, 5]], {"fields": ["name"]}])
    );
}

#[tokio::test]
async fn fields_get_is_cached_per_model() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    let fields = json!({"name": {"type": "char", "string": "Name"}});
    Mock::given(object("res.partner", "fields_get"))
        .respond_with(Reply(fields.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(object("sale.order", "fields_get"))
        .respond_with(Reply(json!({})))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(client.fields_get("res.partner").await.unwrap(), fields);
    assert_eq!(client.fields_get("res.partner").await.unwrap(), fields);
    assert_eq!(client.fields_get("sale.order").await.unwrap(), json!({}));
}

#[tokio::test]
async fn reads_are_retried_after_a_502() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "search_count"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(object("res.partner", "search_count"))
        .respond_with(Reply(json!(12)))
        .expect(1)
        .with_priority(2)
        .mount(&server)
        .await;
    assert_eq!(
        client.search_count("res.partner", json!([])).await.unwrap(),
        12
    );
}

#[tokio::test]
async fn reads_give_up_after_bounded_retries() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "read"))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&server)
        .await;
    let err = client
        .read("res.partner", &[1], &["name"])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_unavailable");
    assert_eq!(
        err.to_string(),
        "odoo call res.partner/read failed: odoo unavailable: http 503"
    );
}

#[tokio::test]
async fn writes_are_not_retried_after_a_502() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "write"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
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
}

#[tokio::test]
async fn slow_answer_is_a_timeout() {
    init();
    let server = MockServer::start().await;
    mount_connect(&server, 7).await;
    let client = OdooClient::connect(config_with(&server, 1, Duration::from_millis(300)))
        .await
        .unwrap();
    Mock::given(object("res.partner", "write"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"jsonrpc": "2.0", "id": 1, "result": true}))
                .set_delay(Duration::from_secs(2)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client
        .execute_kw("res.partner", "write", json!([[1], {}]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_timeout");
    assert_eq!(
        err.to_string(),
        "odoo call res.partner/write timed out after 300 ms"
    );
}

#[tokio::test]
async fn unreachable_server_is_unavailable() {
    init();
    let server = MockServer::start().await;
    let mut cfg = config(&server);
    // wiremock pools its servers, so a closed port comes from a listener we drop.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    cfg.url = format!("http://127.0.0.1:{port}").parse().unwrap();
    cfg.timeout = Duration::from_secs(2);
    let err = OdooClient::connect(cfg).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_unavailable", "{err}");
}

#[tokio::test]
async fn concurrency_limit_serialises_calls() {
    init();
    let server = MockServer::start().await;
    mount_connect(&server, 7).await;
    let client = OdooClient::connect(config_with(&server, 1, Duration::from_secs(5)))
        .await
        .unwrap();
    let delay = Duration::from_millis(300);
    Mock::given(object("res.partner", "search_count"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"jsonrpc": "2.0", "id": 1, "result": 1}))
                .set_delay(delay),
        )
        .expect(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let (a, b) = tokio::join!(
        client.search_count("res.partner", json!([])),
        client.search_count("res.partner", json!([]))
    );
    assert_eq!((a.unwrap(), b.unwrap()), (1, 1));
    assert!(
        started.elapsed() >= delay * 2,
        "calls overlapped: {:?}",
        started.elapsed()
    );
}

/// Serves `search_read` pages of partners 1..=total the way Odoo would for
/// `[..., ["id", ">", last]]` with `order id asc` and `limit`.
struct PartnerPages {
    total: i64,
}

impl Respond for PartnerPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let args = &body["params"]["args"];
        let after = find_id_after(&args[5][0]).expect("the page domain has an id > last term");
        let limit = args[6]["limit"].as_i64().unwrap();
        assert_eq!(args[6]["order"], "id asc");
        let page: Vec<Value> = ((after + 1)..=self.total)
            .take(limit as usize)
            .map(|id| json!({"id": id, "name": format!("Partner {id}")}))
            .collect();
        Reply(json!(page)).respond(request)
    }
}

fn find_id_after(domain: &Value) -> Option<i64> {
    domain
        .as_array()?
        .iter()
        .find_map(|term| match term.as_array() {
            Some(leaf) if leaf.len() == 3 && leaf[0] == "id" && leaf[1] == ">" => leaf[2].as_i64(),
            _ => None,
        })
}

async fn scan_partners(total: i64, page: u32, cap: usize) -> (tools::odoo_client::Scan, usize) {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "search_read"))
        .respond_with(PartnerPages { total })
        .mount(&server)
        .await;
    Mock::given(object("res.partner", "search_count"))
        .respond_with(Reply(json!(total)))
        .mount(&server)
        .await;
    let active = tools::odoo::Domain::eq("active", true).unwrap();
    let page = std::num::NonZeroU32::new(page).unwrap();
    let scan = client
        .scan("res.partner", &active, &["name"], page, cap)
        .await
        .unwrap();
    let calls: Vec<Value> = bodies(&server, "object", "execute_kw")
        .await
        .into_iter()
        .filter(|call| call["params"]["args"][4] == "search_read")
        .collect();
    for call in &calls {
        // The caller's domain is kept on every page, and the id is always read.
        let domain = call["params"]["args"][5][0].to_string();
        assert!(domain.contains(r#"["active","=",true]"#), "{domain}");
        assert_eq!(call["params"]["args"][6]["fields"], json!(["name", "id"]));
    }
    (scan, calls.len())
}

#[tokio::test]
async fn scan_reads_every_page_in_id_order() {
    let (scan, calls) = scan_partners(25, 10, 1_000).await;
    let ids: Vec<i64> = scan
        .records
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (1..=25).collect::<Vec<_>>());
    assert_eq!((scan.truncated, scan.total), (false, 25));
    assert_eq!(calls, 3, "pages of 10, 10 and 5");
}

#[tokio::test]
async fn scan_stops_at_the_cap_and_says_it_was_truncated() {
    let (scan, _) = scan_partners(25, 10, 12).await;
    assert_eq!(scan.records.len(), 12);
    assert_eq!(scan.records.last().unwrap()["id"], 12);
    assert_eq!((scan.truncated, scan.total), (true, 25));
}

#[tokio::test]
async fn scan_that_ends_exactly_at_the_cap_is_not_truncated() {
    let (scan, _) = scan_partners(20, 10, 20).await;
    assert_eq!(scan.records.len(), 20);
    assert!(!scan.truncated);
}

#[tokio::test]
async fn read_group_up_to_18_uses_read_group_without_lazy_grouping() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("account.move", "read_group"))
        .respond_with(Reply(json!([
            {"partner_id": [12, "Acme"], "invoice_date_due:month": "March 2026",
             "__count": 3, "amount_residual_signed": 1250.5, "__domain": []},
            {"partner_id": false, "invoice_date_due:month": "April 2026",
             "__count": 1, "amount_residual_signed": 80.0, "__domain": []}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let domain = json!([["state", "=", "posted"]]);
    let groups = client
        .read_group(
            "account.move",
            domain.clone(),
            &["partner_id", "invoice_date_due:month"],
            &[Aggregate::sum("amount_residual_signed")],
            Some(80),
        )
        .await
        .unwrap();

    let call = &bodies(&server, "object", "execute_kw").await[0];
    assert_eq!(
        call["params"]["args"],
        json!(["acme", 7, KEY, "account.move", "read_group",
               [domain, ["amount_residual_signed:sum"], ["partner_id", "invoice_date_due:month"]],
               {"lazy": false, "limit": 80}])
    );
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].keys["partner_id"], json!([12, "Acme"]));
    assert_eq!(groups[0].keys["invoice_date_due:month"], "March 2026");
    assert_eq!((groups[0].count, groups[1].count), (3, 1));
    assert_eq!(
        groups[0].aggregates["amount_residual_signed:sum"],
        json!(1250.5)
    );
    assert_eq!(groups[1].keys["partner_id"], json!(false));
}

#[tokio::test]
async fn read_group_from_19_uses_formatted_read_group_over_forced_jsonrpc() {
    let server = MockServer::start().await;
    init();
    mount_connect_as(&server, 7, "19.0", json!([19, 0, 0, "final", 0, ""])).await;
    let mut cfg = config(&server);
    cfg.protocol = ProtocolChoice::JsonRpc;
    let client = OdooClient::connect(cfg).await.unwrap();
    assert_eq!(client.protocol(), Protocol::JsonRpc);
    Mock::given(object("sale.order", "formatted_read_group"))
        .respond_with(Reply(json!([
            {"user_id": [2, "Mitchell Admin"], "__count": 4, "amount_untaxed:sum": 9000.0,
             "__extra_domain": []}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    let groups = client
        .read_group(
            "sale.order",
            json!([]),
            &["user_id"],
            &[Aggregate::sum("amount_untaxed")],
            None,
        )
        .await
        .unwrap();

    let call = &bodies(&server, "object", "execute_kw").await[0];
    assert_eq!(
        call["params"]["args"],
        json!(["acme", 7, KEY, "sale.order", "formatted_read_group", [[]],
               {"groupby": ["user_id"], "aggregates": ["__count", "amount_untaxed:sum"]}])
    );
    assert_eq!(groups[0].count, 4);
    assert_eq!(groups[0].aggregates["amount_untaxed:sum"], json!(9000.0));
}

#[tokio::test]
async fn a_group_without_a_count_is_a_protocol_error() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "read_group"))
        .respond_with(Reply(json!([{"country_id": [1, "Belgium"]}])))
        .mount(&server)
        .await;
    let err = client
        .read_group("res.partner", json!([]), &["country_id"], &[], None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_protocol");
    assert!(err.to_string().contains("__count"), "{err}");
}

#[tokio::test]
async fn name_search_passes_the_domain_positionally_and_reads_refs() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "name_search"))
        .respond_with(Reply(json!([[12, "Acme Corp"], [13, "Acme GmbH"]])))
        .expect(1)
        .mount(&server)
        .await;
    let domain = json!([["customer_rank", ">", 0]]);
    let found = client
        .name_search("res.partner", "acme", domain.clone(), 5)
        .await
        .unwrap();
    let call = &bodies(&server, "object", "execute_kw").await[0];
    assert_eq!(
        call["params"]["args"],
        json!([
            "acme",
            7,
            KEY,
            "res.partner",
            "name_search",
            ["acme", domain, "ilike", 5],
            {}
        ])
    );
    let names: Vec<(i64, Option<String>)> = found.into_iter().map(|r| (r.id, r.name)).collect();
    assert_eq!(
        names,
        vec![
            (12, Some("Acme Corp".into())),
            (13, Some("Acme GmbH".into()))
        ]
    );
}

#[tokio::test]
async fn capabilities_over_jsonrpc_cache_an_unknown_model_as_absent() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("mrp.production", "fields_get"))
        .respond_with(fault(
            "odoo.exceptions.UserError",
            "Object mrp.production doesn't exist",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(object("product.template", "fields_get"))
        .respond_with(Reply(json!({"type": {"type": "selection"}})))
        .expect(1)
        .mount(&server)
        .await;
    assert!(!client.has_model("mrp.production").await.unwrap());
    assert!(!client.has_field("mrp.production", "state").await.unwrap());
    assert!(client.has_model("product.template").await.unwrap());
    // `is_storable` arrived in 18; this server is 17.0.
    assert!(
        !client
            .has_field("product.template", "is_storable")
            .await
            .unwrap()
    );
    assert!(client.has_field("product.template", "type").await.unwrap());
    // The `.expect(1)`s are verified when the server drops.
}

#[tokio::test]
async fn call_over_jsonrpc_sends_ids_positionally_and_arguments_by_keyword() {
    let server = MockServer::start().await;
    let client = connected(&server).await;
    Mock::given(object("res.partner", "write"))
        .respond_with(Reply(json!(true)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(object("res.partner", "create"))
        .respond_with(Reply(json!([30])))
        .expect(1)
        .mount(&server)
        .await;
    let mut vals = serde_json::Map::new();
    vals.insert("vals".to_owned(), json!({"credit_limit": 5000}));
    client
        .call("res.partner", "write", &[3], vals)
        .await
        .unwrap();
    let mut create = serde_json::Map::new();
    create.insert("vals_list".to_owned(), json!([{"name": "New"}]));
    client
        .call("res.partner", "create", &[], create)
        .await
        .unwrap();
    let calls = bodies(&server, "object", "execute_kw").await;
    assert_eq!(
        calls[0]["params"]["args"],
        json!(["acme", 7, KEY, "res.partner", "write", [[3]], {"vals": {"credit_limit": 5000}}])
    );
    assert_eq!(
        calls[1]["params"]["args"],
        json!(["acme", 7, KEY, "res.partner", "create", [], {"vals_list": [{"name": "New"}]}])
    );
}
