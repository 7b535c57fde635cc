//! The fake Odoo: its wire envelopes, ORM methods, access rights, JSON-2,
//! call recording and failure injection, and `OdooClient` running against it.

use std::collections::BTreeSet;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use tools::demo::{
    Dataset, DemoUser, Failure, FakeOdoo, FieldDef, FieldType, Matcher, ModelDef, Protocol, Table,
    execute, execute_read,
};
use tools::odoo::Domain;
use tools::odoo_client::{Aggregate, OdooClient, OdooClientConfig, OdooError};

const ADMIN_KEY: &str = "admin-key";
const SALES_KEY: &str = "sales-key";
const ACCOUNTING: &[&str] = &["account.group_account_invoice"];
const STATES: &[(&str, &str)] = &[
    ("draft", "Draft"),
    ("posted", "Posted"),
    ("cancel", "Cancelled"),
];

fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn user(uid: i64, login: &str, key: &str, groups: &[&str]) -> DemoUser {
    DemoUser {
        uid,
        login: login.to_owned(),
        api_key: key.to_owned(),
        name: login.to_owned(),
        groups: groups
            .iter()
            .map(|g| (*g).to_owned())
            .collect::<BTreeSet<_>>(),
    }
}

fn push(dataset: &mut Dataset, model: &str, values: Value) -> i64 {
    let table = dataset.table_mut(model).unwrap();
    let id = table.next_id();
    let mut record = table.blank(id);
    for (field, value) in values.as_object().unwrap() {
        table.set(&mut record, field, value.clone()).unwrap();
    }
    table.push(record).unwrap();
    id
}

/// A small company: five partners, six invoices over three months, a
/// channel; an accountant (uid 2) and a salesman without accounting (uid 7).
fn company(version: &str) -> Dataset {
    let mut partner = FieldDef::new("credit_limit", "Credit Limit", FieldType::Float);
    partner.groups = ACCOUNTING;
    let mut name = FieldDef::new("name", "Name", FieldType::Char);
    name.required = true;
    let mut dataset = Dataset {
        server_version: version.to_owned(),
        db: "acme".to_owned(),
        ..Dataset::default()
    };
    dataset.add_model(ModelDef {
        name: "res.partner",
        description: "Contact",
        rec_name: "name",
        order: "name",
        fields: vec![
            name,
            FieldDef::new("is_company", "Is a Company", FieldType::Boolean),
            FieldDef::new("customer_rank", "Customer Rank", FieldType::Integer),
            FieldDef::new(
                "parent_id",
                "Related Company",
                FieldType::Many2one("res.partner"),
            ),
            partner,
        ],
        read_groups: &[],
        write_groups: &[],
    });
    dataset.add_model(ModelDef {
        name: "account.move",
        description: "Journal Entry",
        rec_name: "name",
        order: "invoice_date desc, name desc, id desc",
        fields: vec![
            FieldDef::new("name", "Number", FieldType::Char),
            FieldDef::new("partner_id", "Partner", FieldType::Many2one("res.partner")),
            FieldDef::new("invoice_date", "Invoice Date", FieldType::Date),
            FieldDef::new(
                "amount_total",
                "Total",
                FieldType::Monetary {
                    currency_field: "currency_id",
                },
            ),
            FieldDef::new("state", "Status", FieldType::Selection(STATES)),
        ],
        read_groups: ACCOUNTING,
        write_groups: ACCOUNTING,
    });
    dataset.add_model(ModelDef {
        name: "discuss.channel",
        description: "Discussion Channel",
        rec_name: "name",
        order: "name",
        fields: vec![FieldDef::new("name", "Name", FieldType::Char)],
        read_groups: &[],
        write_groups: &[],
    });
    dataset.add_model(ModelDef {
        name: "mail.message",
        description: "Message",
        rec_name: "body",
        order: "id desc",
        fields: vec![
            FieldDef::new("model", "Related Document Model", FieldType::Char),
            FieldDef::new("res_id", "Related Document ID", FieldType::Integer),
            FieldDef::new("body", "Contents", FieldType::Html),
            FieldDef::new("message_type", "Type", FieldType::Char),
        ],
        read_groups: &[],
        write_groups: &[],
    });
    let partners = [
        ("Acme Corp", true, 3, 5000.0),
        ("Bolt GmbH", true, 1, 1000.0),
        ("Zenith Ltd", true, 0, 0.0),
        ("Alice Acme", false, 0, 0.0),
        ("Carl", false, 2, 0.0),
    ];
    for (name, company, rank, limit) in partners {
        push(
            &mut dataset,
            "res.partner",
            json!({"name": name, "is_company": company, "customer_rank": rank, "credit_limit": limit}),
        );
    }
    let acme = dataset
        .table_mut("res.partner")
        .unwrap()
        .get_mut(4)
        .unwrap();
    acme.values[4] = json!([1, "Acme Corp"]);
    let moves = [
        (
            "INV/1",
            json!([1, "Acme Corp"]),
            "2026-01-15",
            100.1,
            "posted",
        ),
        (
            "INV/2",
            json!([1, "Acme Corp"]),
            "2026-01-31",
            0.2,
            "posted",
        ),
        (
            "INV/3",
            json!([2, "Bolt GmbH"]),
            "2026-02-03",
            250.0,
            "posted",
        ),
        (
            "INV/4",
            json!([2, "Bolt GmbH"]),
            "2026-03-10",
            80.5,
            "draft",
        ),
        ("INV/5", json!(false), "2026-03-20", 19.5, "posted"),
        (
            "INV/6",
            json!([1, "Acme Corp"]),
            "2026-03-21",
            1000.0,
            "cancel",
        ),
    ];
    for (name, partner, date, amount, state) in moves {
        push(
            &mut dataset,
            "account.move",
            json!({"name": name, "partner_id": partner, "invoice_date": date,
                   "amount_total": amount, "state": state}),
        );
    }
    push(&mut dataset, "discuss.channel", json!({"name": "general"}));
    dataset.users = vec![
        user(
            2,
            "admin@acme.test",
            ADMIN_KEY,
            &["base.group_user", ACCOUNTING[0]],
        ),
        user(7, "sales@acme.test", SALES_KEY, &["base.group_user"]),
    ];
    // Every Odoo has its users as records; JSON-2 clients read their own.
    dataset.add_model(ModelDef {
        name: "res.users",
        description: "User",
        rec_name: "login",
        order: "login",
        fields: vec![FieldDef::new("login", "Login", FieldType::Char)],
        read_groups: &[],
        write_groups: &["base.group_system"],
    });
    let logins: Vec<(i64, String)> = dataset
        .users
        .iter()
        .map(|u| (u.uid, u.login.clone()))
        .collect();
    let users = dataset.table_mut("res.users").unwrap();
    for (uid, login) in logins {
        let mut record = users.blank(uid);
        users.set(&mut record, "login", json!(login)).unwrap();
        users.push(record).unwrap();
    }
    dataset
}

async fn post(url: String, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn rpc(fake: &FakeOdoo, service: &str, method: &str, args: Value) -> Value {
    init();
    let body = json!({"jsonrpc": "2.0", "method": "call",
                      "params": {"service": service, "method": method, "args": args}, "id": 42});
    post(format!("{}jsonrpc", fake.url()), body).await
}

/// `execute_kw` as the admin; the whole answer.
async fn kw(fake: &FakeOdoo, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
    kw_as(fake, 2, ADMIN_KEY, model, method, args, kwargs).await
}

async fn kw_as(
    fake: &FakeOdoo,
    uid: i64,
    key: &str,
    model: &str,
    method: &str,
    args: Value,
    kwargs: Value,
) -> Value {
    rpc(
        fake,
        "object",
        "execute_kw",
        json!(["acme", uid, key, model, method, args, kwargs]),
    )
    .await
}

/// The `result` of an answer that must have succeeded.
fn ok(answer: Value) -> Value {
    assert!(answer.get("error").is_none(), "{answer:#}");
    answer["result"].clone()
}

/// `(name, message)` of an answer that must have failed.
fn fault(answer: &Value) -> (String, String) {
    let data = &answer["error"]["data"];
    (
        data["name"].as_str().unwrap().to_owned(),
        data["message"].as_str().unwrap().to_owned(),
    )
}

fn names(records: &Value) -> Vec<&str> {
    records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn jsonrpc_envelopes_are_odoos_exactly() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    assert_eq!(
        rpc(&fake, "common", "version", json!([])).await,
        json!({"jsonrpc": "2.0", "id": 42, "result": {
            "server_version": "17.0",
            "server_version_info": [17, 0, 0, "final", 0, ""],
            "server_serie": "17.0",
            "protocol_version": 1
        }})
    );
    let login = json!(["acme", "admin@acme.test", ADMIN_KEY, {}]);
    assert_eq!(
        rpc(&fake, "common", "authenticate", login).await,
        json!({"jsonrpc": "2.0", "id": 42, "result": 2})
    );
    let wrong = json!(["acme", "admin@acme.test", "nope", {}]);
    assert_eq!(
        ok(rpc(&fake, "common", "authenticate", wrong).await),
        json!(false)
    );
    let login = json!(["acme", "sales@acme.test", SALES_KEY]);
    assert_eq!(ok(rpc(&fake, "common", "login", login).await), json!(7));

    // The key is checked again on every execute_kw.
    let denied = kw_as(
        &fake,
        2,
        "stolen",
        "res.partner",
        "search",
        json!([[]]),
        json!({}),
    )
    .await;
    let data = &denied["error"]["data"];
    assert_eq!(
        (
            &denied["jsonrpc"],
            &denied["id"],
            &denied["error"]["code"],
            &denied["error"]["message"]
        ),
        (
            &json!("2.0"),
            &json!(42),
            &json!(200),
            &json!("Odoo Server Error")
        )
    );
    assert_eq!(data["name"], "odoo.exceptions.AccessDenied");
    assert_eq!(data["message"], "Access Denied");
    assert_eq!(data["arguments"], json!(["Access Denied"]));
    assert_eq!(data["context"], json!({}));
    assert!(
        data["debug"]
            .as_str()
            .unwrap()
            .starts_with("Traceback (most recent call last):")
    );
}

#[tokio::test]
async fn saas_versions_report_their_serie() {
    let fake = FakeOdoo::start(company("saas~18.3")).await.unwrap();
    assert_eq!(
        ok(rpc(&fake, "common", "version", json!([])).await),
        json!({"server_version": "saas~18.3",
               "server_version_info": ["saas~18", 3, 0, "final", 0, ""],
               "server_serie": "saas~18.3", "protocol_version": 1})
    );
}

#[tokio::test]
async fn search_read_orders_limits_and_offsets() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let by_name = ok(kw(
        &fake,
        "res.partner",
        "search_read",
        json!([[]]),
        json!({"fields": ["name"], "order": "name desc", "limit": 2, "offset": 1}),
    )
    .await);
    assert_eq!(
        by_name,
        json!([{"id": 5, "name": "Carl"}, {"id": 2, "name": "Bolt GmbH"}])
    );

    // Default order is the model's `_order` (name), then id.
    let all = ok(kw(
        &fake,
        "res.partner",
        "search_read",
        json!([[["is_company", "=", true]]]),
        json!({"fields": ["name", "display_name"]}),
    )
    .await);
    assert_eq!(
        all,
        json!([{"id": 1, "name": "Acme Corp", "display_name": "Acme Corp"},
               {"id": 2, "name": "Bolt GmbH", "display_name": "Bolt GmbH"},
               {"id": 3, "name": "Zenith Ltd", "display_name": "Zenith Ltd"}])
    );
    let ids = ok(kw(
        &fake,
        "res.partner",
        "search",
        json!([[["id", ">", 1]]]),
        json!({"order": "id desc", "limit": 3}),
    )
    .await);
    assert_eq!(ids, json!([5, 4, 3]));
    // Several sort keys; NULL (unset date) would sort last ascending.
    let moves = ok(kw(
        &fake,
        "account.move",
        "search_read",
        json!([[["state", "!=", "cancel"]], ["name"]]),
        json!({"order": "partner_id, amount_total desc"}),
    )
    .await);
    assert_eq!(
        names(&moves),
        vec!["INV/1", "INV/2", "INV/3", "INV/4", "INV/5"]
    );
    // Dotted paths and child_of follow links.
    let children = ok(kw(
        &fake,
        "res.partner",
        "search",
        json!([[["id", "child_of", 1]]]),
        json!({"order": "id"}),
    )
    .await);
    assert_eq!(children, json!([1, 4]));
    let via = ok(kw(
        &fake,
        "account.move",
        "search_count",
        json!([[["partner_id.is_company", "=", true]]]),
        json!({}),
    )
    .await);
    assert_eq!(via, json!(5));
    let with_context = ok(kw(
        &fake,
        "res.partner",
        "search_count",
        json!([[]]),
        json!({"context": {"lang": "en_US", "tz": "Europe/Brussels"}}),
    )
    .await);
    assert_eq!(with_context, json!(5));
    let limited = ok(kw(
        &fake,
        "res.partner",
        "search_count",
        json!([[]]),
        json!({"limit": 2}),
    )
    .await);
    assert_eq!(limited, json!(2));
}

#[tokio::test]
async fn read_returns_requested_fields_and_refuses_missing_records() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let read = ok(kw(
        &fake,
        "account.move",
        "read",
        json!([[3, 1]]),
        json!({"fields": ["partner_id", "amount_total", "display_name"]}),
    )
    .await);
    assert_eq!(
        read,
        json!([{"id": 3, "partner_id": [2, "Bolt GmbH"], "amount_total": 250.0, "display_name": "INV/3"},
               {"id": 1, "partner_id": [1, "Acme Corp"], "amount_total": 100.1, "display_name": "INV/1"}])
    );
    let missing = kw(&fake, "account.move", "read", json!([[99]]), json!({})).await;
    assert_eq!(fault(&missing).0, "odoo.exceptions.MissingError");
    assert!(fault(&missing).1.contains("account.move(99,)"), "{missing}");
}

#[tokio::test]
async fn fields_get_describes_fields_with_the_attributes_asked() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let fields = ok(kw(
        &fake,
        "account.move",
        "fields_get",
        json!([]),
        json!({"attributes": ["type", "string", "relation", "selection", "required"]}),
    )
    .await);
    assert_eq!(
        fields["partner_id"],
        json!({"type": "many2one", "string": "Partner",
        "relation": "res.partner", "required": false})
    );
    assert_eq!(
        fields["state"]["selection"],
        json!([
            ["draft", "Draft"],
            ["posted", "Posted"],
            ["cancel", "Cancelled"]
        ])
    );
    assert_eq!(fields["display_name"]["type"], "char");
    let only = ok(kw(
        &fake,
        "account.move",
        "fields_get",
        json!([["name"]]),
        json!({"attributes": ["type"]}),
    )
    .await);
    assert_eq!(only, json!({"name": {"type": "char"}}));
    // Hidden fields are left out for users outside their groups.
    let sales = ok(kw_as(
        &fake,
        7,
        SALES_KEY,
        "res.partner",
        "fields_get",
        json!([]),
        json!({}),
    )
    .await);
    assert!(sales.get("credit_limit").is_none());
    assert!(sales.get("customer_rank").is_some());
}

#[tokio::test]
async fn name_search_takes_args_on_17_and_domain_from_18() {
    for (version, key) in [("17.0", "args"), ("18.0", "domain")] {
        let fake = FakeOdoo::start(company(version)).await.unwrap();
        let found = ok(kw(
            &fake,
            "res.partner",
            "name_search",
            json!(["acme"]),
            json!({key: [["is_company", "=", true]], "limit": 5}),
        )
        .await);
        assert_eq!(found, json!([[1, "Acme Corp"]]), "{version}");
        let positional = ok(kw(
            &fake,
            "res.partner",
            "name_search",
            json!(["acme", [], "ilike", 1]),
            json!({}),
        )
        .await);
        assert_eq!(positional, json!([[1, "Acme Corp"]]), "{version}");
    }
}

#[tokio::test]
async fn read_group_by_month_sums_exactly_and_counts() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let groups = ok(kw(
        &fake,
        "account.move",
        "read_group",
        json!([
            [["state", "=", "posted"]],
            ["amount_total:sum"],
            ["invoice_date:month"]
        ]),
        json!({"lazy": false}),
    )
    .await);
    assert_eq!(
        groups,
        json!([
            {"invoice_date:month": "January 2026", "__count": 2, "amount_total": 100.3,
             "__range": {"invoice_date:month": {"from": "2026-01-01", "to": "2026-02-01"}},
             "__domain": ["&", "&", ["invoice_date", ">=", "2026-01-01"],
                          ["invoice_date", "<", "2026-02-01"], ["state", "=", "posted"]]},
            {"invoice_date:month": "February 2026", "__count": 1, "amount_total": 250.0,
             "__range": {"invoice_date:month": {"from": "2026-02-01", "to": "2026-03-01"}},
             "__domain": ["&", "&", ["invoice_date", ">=", "2026-02-01"],
                          ["invoice_date", "<", "2026-03-01"], ["state", "=", "posted"]]},
            {"invoice_date:month": "March 2026", "__count": 1, "amount_total": 19.5,
             "__range": {"invoice_date:month": {"from": "2026-03-01", "to": "2026-04-01"}},
             "__domain": ["&", "&", ["invoice_date", ">=", "2026-03-01"],
                          ["invoice_date", "<", "2026-04-01"], ["state", "=", "posted"]]}
        ])
    );
    // Lazy grouping: the first groupby only, counted under `<field>_count`.
    let lazy = ok(kw(
        &fake,
        "account.move",
        "read_group",
        json!([[], ["amount_total"], ["partner_id", "state"]]),
        json!({"orderby": "amount_total desc", "limit": 2}),
    )
    .await);
    assert_eq!(lazy.as_array().unwrap().len(), 2);
    assert_eq!(lazy[0]["partner_id"], json!([1, "Acme Corp"]));
    assert_eq!(lazy[0]["partner_id_count"], json!(3));
    assert_eq!(lazy[0]["amount_total"], json!(1100.3));
    assert_eq!(lazy[0]["__context"], json!({"group_by": ["state"]}));
    assert_eq!(lazy[1]["partner_id"], json!([2, "Bolt GmbH"]));
    // Other granularities and the offset.
    let quarters = ok(kw(
        &fake,
        "account.move",
        "read_group",
        json!([[], ["__count"], ["invoice_date:quarter"]]),
        json!({"lazy": false}),
    )
    .await);
    assert_eq!(
        quarters,
        json!([{"invoice_date:quarter": "Q1 2026", "__count": 6,
        "__range": {"invoice_date:quarter": {"from": "2026-01-01", "to": "2026-04-01"}},
        "__domain": ["&", ["invoice_date", ">=", "2026-01-01"], ["invoice_date", "<", "2026-04-01"]]}])
    );
    let weeks = ok(kw(
        &fake,
        "account.move",
        "read_group",
        json!([[], [], ["invoice_date:week"]]),
        json!({"lazy": false, "offset": 3}),
    )
    .await);
    let labels: Vec<&Value> = weeks
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["invoice_date:week"])
        .collect();
    assert_eq!(labels, vec![&json!("W11 2026"), &json!("W12 2026")]);
}

#[tokio::test]
async fn formatted_read_group_answers_as_odoo_19() {
    let fake = FakeOdoo::start(company("19.0")).await.unwrap();
    let groups = ok(kw(&fake, "account.move", "formatted_read_group", json!([[["state", "!=", "cancel"]]]),
        json!({"groupby": ["partner_id", "invoice_date:month"], "aggregates": ["__count", "amount_total:sum"],
               "order": "amount_total:sum desc", "limit": 2})).await);
    assert_eq!(
        groups,
        json!([
            {"partner_id": [2, "Bolt GmbH"], "invoice_date:month": ["2026-02-01", "February 2026"],
             "__count": 1, "amount_total:sum": 250.0,
             "__extra_domain": ["&", "&", ["partner_id", "=", 2], ["invoice_date", ">=", "2026-02-01"],
                                ["invoice_date", "<", "2026-03-01"]]},
            {"partner_id": [1, "Acme Corp"], "invoice_date:month": ["2026-01-01", "January 2026"],
             "__count": 2, "amount_total:sum": 100.3,
             "__extra_domain": ["&", "&", ["partner_id", "=", 1], ["invoice_date", ">=", "2026-01-01"],
                                ["invoice_date", "<", "2026-02-01"]]}
        ])
    );
    let total = ok(kw(
        &fake,
        "account.move",
        "formatted_read_group",
        json!([[]]),
        json!({"aggregates": ["__count", "amount_total:sum"]}),
    )
    .await);
    assert_eq!(
        total,
        json!([{"__count": 6, "amount_total:sum": 1450.3, "__extra_domain": [[1, "=", 1]]}])
    );
    let bad = kw(
        &fake,
        "account.move",
        "formatted_read_group",
        json!([[]]),
        json!({"aggregates": ["nope:sum"]}),
    )
    .await;
    assert_eq!(
        fault(&bad),
        (
            "builtins.ValueError".to_owned(),
            "Invalid field 'nope' on model 'account.move' for 'nope:sum'.".to_owned()
        )
    );
    // Not offered before 19.
    let old = FakeOdoo::start(company("18.0")).await.unwrap();
    let missing = kw(
        &old,
        "account.move",
        "formatted_read_group",
        json!([[]]),
        json!({}),
    )
    .await;
    assert_eq!(fault(&missing).0, "builtins.AttributeError");
}

#[tokio::test]
async fn users_without_accounting_groups_are_refused_with_odoos_access_error() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let answer = kw_as(
        &fake,
        7,
        SALES_KEY,
        "account.move",
        "search_read",
        json!([[]]),
        json!({}),
    )
    .await;
    let message = "You are not allowed to access 'Journal Entry' (account.move) records.\n\n\
                   This operation is allowed for the following groups:\n\t- \
                   account.group_account_invoice\n\nContact your administrator to request access \
                   if necessary.";
    assert_eq!(answer["error"]["code"], 200);
    assert_eq!(answer["error"]["message"], "Odoo Server Error");
    assert_eq!(
        answer["error"]["data"]["name"],
        "odoo.exceptions.AccessError"
    );
    assert_eq!(answer["error"]["data"]["message"], message);
    assert_eq!(answer["error"]["data"]["arguments"], json!([message]));
    let write = kw_as(
        &fake,
        7,
        SALES_KEY,
        "account.move",
        "write",
        json!([[1], {"name": "X"}]),
        json!({}),
    )
    .await;
    assert!(
        fault(&write)
            .1
            .starts_with("You are not allowed to modify 'Journal Entry' (account.move)")
    );
}

#[tokio::test]
async fn field_groups_hide_fields_from_other_users() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let named = kw_as(
        &fake,
        7,
        SALES_KEY,
        "res.partner",
        "read",
        json!([[1], ["name", "credit_limit"]]),
        json!({}),
    )
    .await;
    assert_eq!(fault(&named).0, "odoo.exceptions.AccessError");
    assert!(
        fault(&named)
            .1
            .contains("\"credit_limit\" on Contact (res.partner)"),
        "{named}"
    );
    let filtered = kw_as(
        &fake,
        7,
        SALES_KEY,
        "res.partner",
        "search",
        json!([[["credit_limit", ">", 0]]]),
        json!({}),
    )
    .await;
    assert_eq!(fault(&filtered).0, "odoo.exceptions.AccessError");
    // Without a field list, hidden fields are simply left out.
    let all = ok(kw_as(
        &fake,
        7,
        SALES_KEY,
        "res.partner",
        "read",
        json!([[1]]),
        json!({}),
    )
    .await);
    assert!(all[0].get("credit_limit").is_none());
    assert_eq!(all[0]["display_name"], "Acme Corp");
    let admin = ok(kw(
        &fake,
        "res.partner",
        "read",
        json!([[1], ["credit_limit"]]),
        json!({}),
    )
    .await);
    assert_eq!(admin, json!([{"id": 1, "credit_limit": 5000.0}]));
}

#[tokio::test]
async fn unknown_models_and_fields_fail_as_in_odoo() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let model = kw(&fake, "x.nothing", "search", json!([[]]), json!({})).await;
    assert_eq!(
        fault(&model),
        (
            "odoo.exceptions.UserError".to_owned(),
            "Object x.nothing doesn't exist".to_owned()
        )
    );
    let invalid = |answer: &Value| fault(answer);
    let expected = (
        "builtins.ValueError".to_owned(),
        "Invalid field 'colour' on model 'res.partner'".to_owned(),
    );
    let in_domain = kw(
        &fake,
        "res.partner",
        "search",
        json!([[["colour", "=", "red"]]]),
        json!({}),
    )
    .await;
    assert_eq!(invalid(&in_domain), expected);
    let in_fields = kw(
        &fake,
        "res.partner",
        "search_read",
        json!([[]]),
        json!({"fields": ["colour"]}),
    )
    .await;
    assert_eq!(invalid(&in_fields), expected);
    let in_order = kw(
        &fake,
        "res.partner",
        "search",
        json!([[]]),
        json!({"order": "colour desc"}),
    )
    .await;
    assert_eq!(invalid(&in_order), expected);
    let method = kw(&fake, "res.partner", "frobnicate", json!([]), json!({})).await;
    assert_eq!(
        fault(&method).1,
        "The method 'res.partner.frobnicate' does not exist"
    );
    let kwarg = kw(
        &fake,
        "res.partner",
        "search",
        json!([[]]),
        json!({"colour": 1}),
    )
    .await;
    assert_eq!(fault(&kwarg).0, "builtins.TypeError");
}

#[tokio::test]
async fn create_write_unlink_and_message_post_change_the_dataset() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let id = ok(kw(
        &fake,
        "res.partner",
        "create",
        json!([{"name": "Delta", "parent_id": 2}]),
        json!({}),
    )
    .await);
    assert_eq!(id, json!(6));
    let ids = ok(kw(
        &fake,
        "res.partner",
        "create",
        json!([[{"name": "E"}, {"name": "F"}]]),
        json!({}),
    )
    .await);
    assert_eq!(ids, json!([7, 8]));
    let required = kw(
        &fake,
        "res.partner",
        "create",
        json!([{"is_company": true}]),
        json!({}),
    )
    .await;
    assert_eq!(fault(&required).0, "odoo.exceptions.ValidationError");
    assert_eq!(
        ok(kw(
            &fake,
            "res.partner",
            "write",
            json!([[6], {"customer_rank": 4}]),
            json!({})
        )
        .await),
        json!(true)
    );
    let read = ok(kw(
        &fake,
        "res.partner",
        "read",
        json!([[6], ["parent_id", "customer_rank"]]),
        json!({}),
    )
    .await);
    assert_eq!(
        read,
        json!([{"id": 6, "parent_id": [2, "Bolt GmbH"], "customer_rank": 4}])
    );
    assert_eq!(
        ok(kw(&fake, "res.partner", "unlink", json!([[7, 8]]), json!({})).await),
        json!(true)
    );
    let gone = kw(
        &fake,
        "res.partner",
        "write",
        json!([[7], {"name": "G"}]),
        json!({}),
    )
    .await;
    assert_eq!(fault(&gone).0, "odoo.exceptions.MissingError");

    let message = ok(kw_as(
        &fake,
        7,
        SALES_KEY,
        "discuss.channel",
        "message_post",
        json!([[1]]),
        json!({"body": "Invoice INV/3 is overdue", "message_type": "comment"}),
    )
    .await);
    assert_eq!(message, json!(1));
    let stored = fake.with_dataset(|d| {
        let table = d.table("mail.message").unwrap();
        let record = table.get(1).unwrap();
        ["model", "res_id", "body", "message_type"]
            .map(|f| table.value(record, f).cloned().unwrap())
    });
    assert_eq!(
        stored,
        [
            json!("discuss.channel"),
            json!(1),
            json!("Invoice INV/3 is overdue"),
            json!("comment")
        ]
    );
}

async fn json2(fake: &FakeOdoo, path: &str, key: Option<&str>, body: Value) -> (u16, Value) {
    init();
    let mut request = reqwest::Client::new()
        .post(format!("{}json/2/{path}", fake.url()))
        .header("X-Odoo-Database", "acme")
        .json(&body);
    if let Some(key) = key {
        request = request.header("Authorization", format!("bearer {key}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn json2_answers_bare_results_and_odoo_19_error_statuses() {
    let fake = FakeOdoo::start(company("19.0")).await.unwrap();
    let (status, body) = json2(
        &fake,
        "res.partner/search_read",
        Some(ADMIN_KEY),
        json!({"domain": [["is_company", "=", true]], "fields": ["name"], "limit": 2,
               "context": {"lang": "en_US"}}),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!([{"id": 1, "name": "Acme Corp"}, {"id": 2, "name": "Bolt GmbH"}])
        )
    );
    let (status, body) = json2(
        &fake,
        "res.partner/read",
        Some(ADMIN_KEY),
        json!({"ids": [2], "fields": ["name"]}),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!([{"id": 2, "name": "Bolt GmbH"}]))
    );

    let (status, body) = json2(&fake, "res.partner/search", None, json!({"domain": []})).await;
    assert_eq!(status, 401);
    assert_eq!(body["name"], "werkzeug.exceptions.Unauthorized");
    assert_eq!(body["message"], "Invalid apikey");
    assert_eq!(body["arguments"], json!(["Invalid apikey", 401]));
    assert_eq!(body["context"], json!({}));
    let (status, _) = json2(
        &fake,
        "res.partner/search",
        Some("wrong"),
        json!({"domain": []}),
    )
    .await;
    assert_eq!(status, 401);

    let (status, body) = json2(
        &fake,
        "account.move/search",
        Some(SALES_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!(
        (status, body["name"].clone()),
        (403, json!("odoo.exceptions.AccessError"))
    );
    let (status, body) = json2(
        &fake,
        "x.nothing/search",
        Some(ADMIN_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!(
        (status, body["message"].clone()),
        (404, json!("the model 'x.nothing' does not exist"))
    );
    let (status, body) = json2(
        &fake,
        "res.partner/search",
        Some(ADMIN_KEY),
        json!({"ids": [1], "domain": []}),
    )
    .await;
    assert_eq!(
        (status, body["message"].clone()),
        (422, json!("cannot call res.partner.search with ids"))
    );
    let (status, body) = json2(
        &fake,
        "res.partner/search",
        Some(ADMIN_KEY),
        json!({"domian": []}),
    )
    .await;
    assert_eq!(
        (status, body["name"].clone()),
        (422, json!("werkzeug.exceptions.UnprocessableEntity"))
    );
    let (status, body) = json2(
        &fake,
        "res.partner/write",
        Some(ADMIN_KEY),
        json!({"ids": [99], "vals": {"name": "x"}}),
    )
    .await;
    assert_eq!(
        (status, body["name"].clone()),
        (404, json!("odoo.exceptions.MissingError"))
    );
    let (status, body) = json2(
        &fake,
        "res.partner/search",
        Some(ADMIN_KEY),
        json!({"domain": [["nope", "=", 1]]}),
    )
    .await;
    assert_eq!(
        (status, body["name"].clone()),
        (500, json!("builtins.ValueError"))
    );
}

#[tokio::test]
async fn json2_is_absent_before_19() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let (status, _) = json2(
        &fake,
        "res.partner/search",
        Some(ADMIN_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!(status, 404);
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn every_call_is_recorded() {
    let fake = FakeOdoo::start(company("19.0")).await.unwrap();
    rpc(
        &fake,
        "common",
        "authenticate",
        json!(["acme", "admin@acme.test", ADMIN_KEY, {}]),
    )
    .await;
    kw(
        &fake,
        "res.partner",
        "search",
        json!([[]]),
        json!({"limit": 1}),
    )
    .await;
    json2(
        &fake,
        "res.partner/search_count",
        Some(SALES_KEY),
        json!({"domain": []}),
    )
    .await;
    let calls: Vec<_> = fake
        .calls()
        .into_iter()
        .map(|c| {
            (
                c.protocol,
                c.uid,
                c.model,
                c.method,
                Value::Array(c.args),
                Value::Object(c.kwargs),
            )
        })
        .collect();
    assert_eq!(
        calls,
        vec![
            (
                Protocol::JsonRpc,
                None,
                "common".into(),
                "authenticate".into(),
                json!(["acme", "admin@acme.test", "***", {}]),
                json!({})
            ),
            (
                Protocol::JsonRpc,
                Some(2),
                "res.partner".into(),
                "search".into(),
                json!([[]]),
                json!({"limit": 1})
            ),
            (
                Protocol::Json2,
                Some(7),
                "res.partner".into(),
                "search_count".into(),
                json!([]),
                json!({"domain": []})
            ),
        ]
    );
    fake.clear_calls();
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn injected_failures_hit_matching_calls_the_given_number_of_times() {
    let fake = FakeOdoo::start(company("19.0")).await.unwrap();
    fake.inject(
        Matcher::call("res.partner", "search"),
        Failure::fault("builtins.KeyError", "boom"),
        2,
    );
    fake.inject(Matcher::model("account.move"), Failure::Status(503), 1);
    let other = ok(kw(&fake, "res.partner", "search_count", json!([[]]), json!({})).await);
    assert_eq!(other, json!(5));
    for _ in 0..2 {
        let failed = kw(&fake, "res.partner", "search", json!([[]]), json!({})).await;
        assert_eq!(fault(&failed), ("builtins.KeyError".into(), "boom".into()));
    }
    assert_eq!(
        ok(kw(
            &fake,
            "res.partner",
            "search",
            json!([[]]),
            json!({"limit": 1})
        )
        .await),
        json!([1])
    );
    let (status, body) = json2(
        &fake,
        "account.move/search",
        Some(ADMIN_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!((status, body), (503, json!("503 Service Unavailable")));
    let (status, _) = json2(
        &fake,
        "account.move/search",
        Some(ADMIN_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!(status, 200);
    fake.inject(Matcher::method("search"), Failure::access_error("no"), 1);
    let (status, body) = json2(
        &fake,
        "res.partner/search",
        Some(ADMIN_KEY),
        json!({"domain": []}),
    )
    .await;
    assert_eq!((status, body["message"].clone()), (403, json!("no")));
}

fn client_config(fake: &FakeOdoo, login: &str, key: &str, timeout: Duration) -> OdooClientConfig {
    OdooClientConfig {
        url: fake.url(),
        db: "acme".to_owned(),
        login: login.to_owned(),
        api_key: SecretString::from(key),
        timeout,
        max_concurrent_calls: NonZeroUsize::new(4).unwrap(),
        protocol: tools::odoo_client::ProtocolChoice::Auto,
    }
}

async fn client(fake: &FakeOdoo) -> OdooClient {
    init();
    OdooClient::connect(client_config(
        fake,
        "admin@acme.test",
        ADMIN_KEY,
        Duration::from_secs(5),
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn odoo_client_works_against_the_fake_on_17() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let client = client(&fake).await;
    assert_eq!((client.uid(), client.version().major), (2, 17));
    let partners = client
        .search_read(
            "res.partner",
            json!([["customer_rank", ">", 0]]),
            &["name"],
            Some("name desc"),
            Some(2),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        partners,
        vec![
            json!({"id": 5, "name": "Carl"}),
            json!({"id": 2, "name": "Bolt GmbH"})
        ]
    );
    let found = client
        .name_search("res.partner", "bolt", json!([]), 5)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2]);
    let groups = client
        .read_group(
            "account.move",
            json!([["state", "=", "posted"]]),
            &["partner_id", "invoice_date:month"],
            &[Aggregate::sum("amount_total")],
            Some(10),
        )
        .await
        .unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[0].keys["partner_id"], json!([1, "Acme Corp"]));
    assert_eq!(groups[0].keys["invoice_date:month"], json!("January 2026"));
    assert_eq!(
        (
            groups[0].count,
            groups[0].aggregates["amount_total:sum"].clone()
        ),
        (2, json!(100.3))
    );
    assert_eq!(groups[2].keys["partner_id"], json!(false));
    let scan = client
        .scan(
            "res.partner",
            &Domain::all(),
            &["name"],
            NonZeroU32::new(2).unwrap(),
            4,
        )
        .await
        .unwrap();
    assert_eq!((scan.records.len(), scan.truncated), (4, true));
    assert_eq!(
        client.fields_get("account.move").await.unwrap()["amount_total"]["type"],
        "monetary"
    );
}

#[tokio::test]
async fn odoo_client_reads_formatted_groups_on_19() {
    let fake = FakeOdoo::start(company("19.0")).await.unwrap();
    let client = client(&fake).await;
    let groups = client
        .read_group(
            "account.move",
            json!([]),
            &["state"],
            &[Aggregate::sum("amount_total")],
            None,
        )
        .await
        .unwrap();
    let summary: Vec<(Value, u64, Value)> = groups
        .into_iter()
        .map(|g| {
            (
                g.keys["state"].clone(),
                g.count,
                g.aggregates["amount_total:sum"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!("cancel"), 1, json!(1000.0)),
            (json!("draft"), 1, json!(80.5)),
            (json!("posted"), 4, json!(369.8)),
        ]
    );
}

#[tokio::test]
async fn odoo_client_maps_the_fakes_faults() {
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    init();
    let sales = OdooClient::connect(client_config(
        &fake,
        "sales@acme.test",
        SALES_KEY,
        Duration::from_secs(5),
    ))
    .await
    .unwrap();
    let err = sales
        .search_count("account.move", json!([]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, OdooError::AccessDenied { model, uid: 7, .. } if model == "account.move"),
        "{err:?}"
    );
    let err = sales
        .search_count("res.partner", json!([["colour", "=", 1]]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_missing_model_or_field");
    let err = OdooClient::connect(client_config(
        &fake,
        "sales@acme.test",
        "bad",
        Duration::from_secs(5),
    ))
    .await
    .unwrap_err();
    assert_eq!(err.kind(), "odoo_authentication_failed");

    // A 503 is retried by the client for reads; a delay trips its timeout.
    fake.inject(
        Matcher::call("res.partner", "search_count"),
        Failure::Status(503),
        1,
    );
    assert_eq!(
        sales.search_count("res.partner", json!([])).await.unwrap(),
        5
    );
    let slow = OdooClient::connect(client_config(
        &fake,
        "sales@acme.test",
        SALES_KEY,
        Duration::from_millis(200),
    ))
    .await
    .unwrap();
    fake.inject(
        Matcher::method("search_count"),
        Failure::Delay(Duration::from_secs(2)),
        3,
    );
    let err = slow
        .search_count("res.partner", json!([]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "odoo_timeout");
}

#[test]
fn the_engine_runs_without_a_server() {
    let mut dataset = company("17.0");
    let count = execute_read(
        &dataset,
        2,
        "account.move",
        "search_count",
        vec![json!([])],
        Map::new(),
    )
    .unwrap();
    assert_eq!(count, json!(6));
    let id = execute(
        &mut dataset,
        2,
        "discuss.channel",
        "create",
        vec![json!({"name": "ops"})],
        Map::new(),
    )
    .unwrap();
    assert_eq!(id, json!(2));
    let err = execute_read(
        &dataset,
        2,
        "discuss.channel",
        "create",
        vec![json!({})],
        Map::new(),
    )
    .unwrap_err();
    assert_eq!(err.name, "builtins.TypeError");
}

/// 100k partners: a page of 1000 by id must stay cheap, however deep.
/// Run with `--release -- --nocapture` to see the timings.
#[test]
#[allow(clippy::print_stderr)]
fn search_read_by_id_over_100k_records_is_fast() {
    let mut dataset = company("17.0");
    let table: &mut Table = dataset.table_mut("res.partner").unwrap();
    for i in 0..100_000_i64 {
        let id = table.next_id();
        let mut record = table.blank(id);
        table
            .set(&mut record, "name", json!(format!("Partner {i}")))
            .unwrap();
        table
            .set(&mut record, "customer_rank", json!(i % 3))
            .unwrap();
        table.push(record).unwrap();
    }
    let page = |last: i64, order: &str| {
        json!({"domain": [["customer_rank", ">", 0], ["id", ">", last]], "fields": ["name"],
               "order": order, "limit": 1000})
        .as_object()
        .unwrap()
        .clone()
    };
    let timed = |method: &str, kwargs: Map<String, Value>| {
        let started = Instant::now();
        let result = execute_read(&dataset, 2, "res.partner", method, vec![], kwargs).unwrap();
        let took = started.elapsed();
        eprintln!("{method} over 100k partners: {took:?}");
        (result, took)
    };
    let (first, first_took) = timed("search_read", page(0, "id"));
    let (deep, deep_took) = timed("search_read", page(90_000, "id"));
    let (by_name, _) = timed("search_read", page(0, "name desc"));
    let (count, _) = timed(
        "search_count",
        json!({"domain": [["customer_rank", ">", 0]]})
            .as_object()
            .unwrap()
            .clone(),
    );
    let (groups, _) = timed(
        "read_group",
        json!({"domain": [], "fields": ["customer_rank:sum"], "groupby": ["customer_rank"],
               "lazy": false})
        .as_object()
        .unwrap()
        .clone(),
    );
    assert_eq!(first.as_array().unwrap().len(), 1000);
    assert_eq!(deep[0]["id"], json!(90_001));
    assert_eq!(by_name[0]["name"], json!("Partner 99998"));
    assert_eq!(count, json!(66_666 + 3));
    assert_eq!(groups.as_array().unwrap().len(), 4);
    // Generous bounds for debug builds on a busy machine; release is far below.
    assert!(first_took < Duration::from_millis(500), "{first_took:?}");
    assert!(deep_took < Duration::from_millis(500), "{deep_took:?}");
}

#[tokio::test]
async fn stop_closes_the_port() {
    init();
    let fake = FakeOdoo::start(company("17.0")).await.unwrap();
    let url = format!("{}jsonrpc", fake.url());
    rpc(&fake, "common", "version", json!([])).await;
    fake.stop().await;
    let refused = reqwest::Client::new()
        .post(url)
        .json(&json!({}))
        .send()
        .await;
    assert!(refused.is_err());
}
