//! `OdooClient` against the fake Odoo serving the generated demo company, on
//! 17, 18 and 19: every typed helper with values computed independently from
//! the dataset, every error kind, the protocol choice, paged scans, and
//! retries of reads only.

use std::collections::{BTreeMap, HashMap};
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::LazyLock;
use std::time::Duration;

use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use tools::demo::{
    Dataset, DemoCompany, DemoSpec, DemoVersion, Failure, FakeOdoo, Matcher, Protocol, generate,
};
use tools::odoo::{Domain, matches, money};
use tools::odoo_client::{
    Aggregate, OdooClient, OdooClientConfig, OdooError, Protocol as ClientProtocol, ProtocolChoice,
};

const VERSIONS: [DemoVersion; 3] = [DemoVersion::V17, DemoVersion::V18, DemoVersion::V19];
const ADMIN: &str = "admin@harbourline.example";
const ACCOUNTANT: &str = "accountant@harbourline.example";
const SALES: &str = "sales@harbourline.example";

/// One small company per version, generated once for the whole binary.
static COMPANIES: LazyLock<HashMap<DemoVersion, DemoCompany>> = LazyLock::new(|| {
    VERSIONS
        .into_iter()
        .map(|version| {
            let spec = DemoSpec {
                partners: 120,
                version,
                ..DemoSpec::default()
            };
            (version, generate(&spec))
        })
        .collect()
});

fn dataset(version: DemoVersion) -> Dataset {
    COMPANIES[&version].dataset.clone()
}

async fn start(version: DemoVersion) -> FakeOdoo {
    let _ = rustls::crypto::ring::default_provider().install_default();
    FakeOdoo::start(dataset(version)).await.unwrap()
}

fn config(fake: &FakeOdoo, login: &str, key: &str) -> OdooClientConfig {
    OdooClientConfig {
        url: fake.url(),
        db: fake.with_dataset(|d| d.db.clone()),
        login: login.to_owned(),
        api_key: SecretString::from(key),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: NonZeroUsize::new(4).unwrap(),
        protocol: ProtocolChoice::Auto,
    }
}

fn key_of(fake: &FakeOdoo, login: &str) -> String {
    fake.with_dataset(|d| d.user_by_login(login).unwrap().api_key.clone())
}

/// A client acting as the demo user `login`, with its own key.
pub(crate) async fn connect(fake: &FakeOdoo, login: &str) -> OdooClient {
    OdooClient::connect(config(fake, login, &key_of(fake, login)))
        .await
        .unwrap_or_else(|err| panic!("{login} connects: {err}"))
}

/// Ids of `model` whose records match `domain`, in id order, evaluated
/// with the domain evaluator over the dataset rather than through the fake.
/// Archived records are left out unless the domain names `active`, as
/// Odoo's searches do.
fn matching(dataset: &Dataset, model: &str, domain: &Value) -> Vec<i64> {
    let names_active = domain
        .as_array()
        .unwrap()
        .iter()
        .any(|term| term.get(0) == Some(&json!("active")));
    let mut domain = Domain::parse(domain).unwrap();
    if dataset.table(model).unwrap().field("active").is_some() && !names_active {
        domain = Domain::and(vec![domain, Domain::eq("active", true).unwrap()]);
    }
    dataset
        .table(model)
        .unwrap()
        .records()
        .iter()
        .filter(|r| matches(&domain, &dataset.view(model, r.id).unwrap()))
        .map(|r| r.id)
        .collect()
}

/// `fields` of record `id` as stored, plus its id: what `read` returns.
fn stored(dataset: &Dataset, model: &str, id: i64, fields: &[&str]) -> Value {
    let table = dataset.table(model).unwrap();
    let record = table.get(id).unwrap();
    let mut row = Map::new();
    row.insert("id".to_owned(), json!(id));
    for field in fields {
        row.insert(
            (*field).to_owned(),
            table.value(record, field).unwrap().clone(),
        );
    }
    Value::Object(row)
}

fn calls_of(fake: &FakeOdoo, method: &str) -> usize {
    fake.calls().iter().filter(|c| c.method == method).count()
}

#[tokio::test]
async fn search_read_applies_domain_fields_order_limit_and_offset() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let domain = json!([["customer_rank", ">", 0], ["is_company", "=", true]]);
        let fields = ["name", "customer_rank", "parent_id"];
        let page = client
            .search_read(
                "res.partner",
                domain.clone(),
                &fields,
                Some("customer_rank desc, id asc"),
                Some(5),
                Some(3),
            )
            .await
            .unwrap();
        let expected: Vec<Value> = fake.with_dataset(|d| {
            let table = d.table("res.partner").unwrap();
            let mut ids = matching(d, "res.partner", &domain);
            let rank = |id: &i64| {
                let record = table.get(*id).unwrap();
                table.value(record, "customer_rank").unwrap().as_i64()
            };
            ids.sort_by(|a, b| rank(b).cmp(&rank(a)).then(a.cmp(b)));
            assert!(ids.len() > 8, "{version:?}: too few customers to page");
            ids.iter()
                .skip(3)
                .take(5)
                .map(|id| stored(d, "res.partner", *id, &fields))
                .collect()
        });
        assert_eq!(page, expected, "{version:?}");
    }
}

#[tokio::test]
async fn read_and_search_count_match_the_dataset() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let fields = ["name", "email", "parent_id", "customer_rank"];
        let ids = [12, 3, 40];
        let records = client.read("res.partner", &ids, &fields).await.unwrap();
        let expected: Vec<Value> = fake.with_dataset(|d| {
            ids.iter()
                .map(|id| stored(d, "res.partner", *id, &fields))
                .collect()
        });
        assert_eq!(records, expected, "{version:?}");

        let domain = json!(["|", ["is_company", "=", true], ["customer_rank", ">=", 2]]);
        let count = client
            .search_count("res.partner", domain.clone())
            .await
            .unwrap();
        let expected = fake.with_dataset(|d| matching(d, "res.partner", &domain).len());
        assert!(expected > 10, "{version:?}: {expected}");
        assert_eq!(count, expected as u64, "{version:?}");
    }
}

/// Posted customer invoices by month: Odoo's grouped read on each version
/// (`read_group` up to 18, `formatted_read_group` on 19) must give the
/// counts and exact totals of the records themselves.
#[tokio::test]
async fn grouped_read_by_month_sums_exactly_on_each_version() {
    let domain = json!([
        ["move_type", "=", "out_invoice"],
        ["state", "=", "posted"],
        ["invoice_date", "!=", false]
    ]);
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ACCOUNTANT).await;
        let groups = client
            .read_group(
                "account.move",
                domain.clone(),
                &["invoice_date:month"],
                &[Aggregate::sum("amount_total")],
                None,
            )
            .await
            .unwrap();
        let got: BTreeMap<String, (u64, Decimal)> = groups
            .iter()
            .map(|g| {
                let month = month_of(version, &g.keys["invoice_date:month"]);
                let total = money("amount_total", &g.aggregates["amount_total:sum"])
                    .unwrap()
                    .unwrap();
                (month, (g.count, total))
            })
            .collect();
        let mut expected: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
        fake.with_dataset(|d| {
            let table = d.table("account.move").unwrap();
            for id in matching(d, "account.move", &domain) {
                let record = table.get(id).unwrap();
                let date = table
                    .value(record, "invoice_date")
                    .unwrap()
                    .as_str()
                    .unwrap();
                let amount = money("amount_total", table.value(record, "amount_total").unwrap())
                    .unwrap()
                    .unwrap_or_default();
                let entry = expected.entry(date[..7].to_owned()).or_default();
                entry.0 += 1;
                entry.1 += amount;
            }
        });
        assert!(expected.len() >= 12, "{version:?}: {expected:?}");
        assert_eq!(got, expected, "{version:?}");
        let method = if version == DemoVersion::V19 {
            "formatted_read_group"
        } else {
            "read_group"
        };
        assert_eq!(calls_of(&fake, method), 1, "{version:?}");
    }
}

/// `YYYY-MM` of a month group's key: the label `January 2026` up to 18,
/// `["2026-01-01", "January 2026"]` from 19.
fn month_of(version: DemoVersion, key: &Value) -> String {
    let label = match (version, key) {
        (DemoVersion::V19, Value::Array(pair)) => {
            let start = pair[0].as_str().unwrap();
            assert_eq!(
                pair[1],
                json!(label(start)),
                "the label follows the start date"
            );
            return start[..7].to_owned();
        }
        (_, Value::String(label)) => label,
        other => panic!("unexpected month key {other:?}"),
    };
    NaiveDate::parse_from_str(&format!("1 {label}"), "%d %B %Y")
        .unwrap()
        .format("%Y-%m")
        .to_string()
}

fn label(start: &str) -> String {
    NaiveDate::parse_from_str(start, "%Y-%m-%d")
        .unwrap()
        .format("%B %Y")
        .to_string()
}

#[tokio::test]
async fn fields_get_is_cached_and_answers_capability_questions_per_version() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let fields = client.fields_get("res.partner").await.unwrap();
        assert_eq!(fields["customer_rank"]["type"], json!("integer"));
        assert_eq!(
            fields["parent_id"]["relation"],
            json!("res.partner"),
            "{version:?}"
        );
        assert!(client.has_model("res.partner").await.unwrap());
        assert_eq!(
            client.has_field("res.partner", "mobile").await.unwrap(),
            version != DemoVersion::V19,
            "{version:?}: mobile"
        );
        assert_eq!(
            client
                .has_field("product.product", "is_storable")
                .await
                .unwrap(),
            version != DemoVersion::V17,
            "{version:?}: is_storable"
        );
        assert!(!client.has_model("x.no.such.model").await.unwrap());
        assert!(!client.has_field("x.no.such.model", "name").await.unwrap());
        client.fields_get("res.partner").await.unwrap();
        // One fetch per model, whatever was asked and how often.
        let fetched: Vec<String> = fake
            .calls()
            .into_iter()
            .filter(|c| c.method == "fields_get")
            .map(|c| c.model)
            .collect();
        assert_eq!(
            fetched,
            vec!["res.partner", "product.product", "x.no.such.model"],
            "{version:?}"
        );
    }
}

/// `name_search` passes its domain positionally, because its keyword is
/// `args` on 17 and `domain` from 18; the domain must apply on all three.
#[tokio::test]
async fn name_search_filters_by_name_and_domain_on_each_version() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let domain = json!([["is_company", "=", true]]);
        let needle = fake.with_dataset(|d| {
            let table = d.table("res.partner").unwrap();
            let company = table.get(matching(d, "res.partner", &domain)[5]).unwrap();
            let name = table.value(company, "name").unwrap().as_str().unwrap();
            name.split_whitespace().next().unwrap().to_lowercase()
        });
        let found = client
            .name_search("res.partner", &needle, domain.clone(), 100)
            .await
            .unwrap();
        let mut ids: Vec<i64> = found.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let expected = fake.with_dataset(|d| {
            let both = json!([
                "&",
                ["is_company", "=", true],
                ["complete_name", "ilike", needle]
            ]);
            matching(d, "res.partner", &both)
        });
        assert!(!expected.is_empty());
        assert_eq!(ids, expected, "{version:?}: {needle}");
        assert!(found.iter().all(|r| {
            r.name
                .as_deref()
                .unwrap_or_default()
                .to_lowercase()
                .contains(&needle)
        }));
    }
}

/// Odoo's `active_test`: every search leaves archived records out unless
/// the domain has a term on `active`; `read` by id still returns them.
#[tokio::test]
async fn archived_records_are_left_out_unless_the_domain_names_active() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let archive = object(json!({"vals": {"active": false}}));
        client
            .call("res.partner", "write", &[40, 41], archive)
            .await
            .unwrap();
        let (stored, archived): (usize, Vec<i64>) = fake.with_dataset(|d| {
            let table = d.table("res.partner").unwrap();
            let archived = table
                .records()
                .iter()
                .filter(|r| table.value(r, "active") == Some(&json!(false)))
                .map(|r| r.id)
                .collect();
            (table.len(), archived)
        });
        assert!(archived.len() >= 2, "{version:?}: {archived:?}");
        let count = |domain: Value| client.search_count("res.partner", domain);
        assert_eq!(
            count(json!([])).await.unwrap(),
            (stored - archived.len()) as u64
        );
        assert_eq!(
            count(json!([["active", "=", false]])).await.unwrap(),
            archived.len() as u64
        );
        assert_eq!(
            count(json!(["|", ["active", "=", true], ["active", "=", false]]))
                .await
                .unwrap(),
            stored as u64
        );
        let found = client
            .search_read(
                "res.partner",
                json!([["id", "=", archived[0]]]),
                &["name"],
                None,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(found, Vec::<Value>::new(), "{version:?}");
        let read = client
            .read("res.partner", &archived[..1], &["active"])
            .await
            .unwrap();
        assert_eq!(read, vec![json!({"id": archived[0], "active": false})]);
    }
}

#[tokio::test]
async fn call_writes_and_a_later_read_sees_it() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let vals = json!({"vals": {"phone": "+31 20 555 0100", "customer_rank": 9}});
        let result = client
            .call("res.partner", "write", &[12], object(vals))
            .await
            .unwrap();
        assert_eq!(result, json!(true));
        let record = client
            .read("res.partner", &[12], &["phone", "customer_rank"])
            .await
            .unwrap();
        assert_eq!(
            record,
            vec![json!({"id": 12, "phone": "+31 20 555 0100", "customer_rank": 9})],
            "{version:?}"
        );
    }
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn access_denied_names_the_model_and_the_operation() {
    for version in VERSIONS {
        let fake = start(version).await;
        let sales = connect(&fake, SALES).await;
        let err = sales
            .search_read("account.move", json!([]), &["name"], None, Some(1), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_access_denied", "{version:?}: {err}");
        let text = err.to_string();
        assert!(
            text.starts_with("access denied reading account.move (search_read) for uid "),
            "{version:?}: {text}"
        );
        assert!(
            text.contains("You are not allowed to access 'Journal Entry' (account.move)"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn missing_models_and_fields_name_what_and_the_server_version() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let raw = version.server_version();
        let err = client
            .search_count("x.no.such.model", json!([]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_missing_model_or_field", "{version:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("on odoo {raw}")) && text.contains("x.no.such.model"),
            "{text}"
        );
        let err = client
            .search_read("res.partner", json!([]), &["colour"], None, Some(1), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_missing_model_or_field", "{version:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "odoo call res.partner/search_read failed on odoo {raw}: Invalid field \
                 'colour' on model 'res.partner'"
            )
        );
    }
}

#[tokio::test]
async fn refused_values_are_validation_errors() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        // An invoice without its mandatory type, journal, currency and date.
        let err = client
            .call(
                "account.move",
                "create",
                &[],
                object(json!({"vals_list": {"ref": "no journal"}})),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_validation", "{version:?}: {err}");
        assert!(
            err.to_string().contains("a mandatory field is not set"),
            "{err}"
        );
        assert!(err.to_string().contains("account.move/create"), "{err}");

        fake.inject(
            Matcher::call("res.partner", "write"),
            Failure::fault(
                "odoo.exceptions.ValidationError",
                "The VAT number is not valid",
            ),
            1,
        );
        let err = client
            .call(
                "res.partner",
                "write",
                &[12],
                object(json!({"vals": {"vat": "x"}})),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, OdooError::Validation { message, .. } if message == "The VAT number is not valid"),
            "{version:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn server_errors_keep_the_exception_and_first_line_only() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        fake.inject(
            Matcher::call("res.partner", "search_count"),
            Failure::fault(
                "builtins.TypeError",
                "search_count() got an unexpected keyword argument 'x'\nTraceback (most recent \
                 call last):\n  File \"odoo/api.py\", line 1",
            ),
            1,
        );
        let err = client
            .search_count("res.partner", json!([]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_server", "{version:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "odoo call res.partner/search_count failed for uid {}: server error \
                 builtins.TypeError: search_count() got an unexpected keyword argument 'x'",
                client.uid()
            )
        );
        // A server error is not retried.
        assert_eq!(calls_of(&fake, "search_count"), 1);
    }
}

#[tokio::test]
async fn slow_and_failing_servers_are_timeouts_and_unavailable() {
    for version in VERSIONS {
        let fake = start(version).await;
        let mut slow = config(&fake, ADMIN, &key_of(&fake, ADMIN));
        slow.timeout = Duration::from_millis(150);
        let client = OdooClient::connect(slow).await.unwrap();
        // Three attempts: the call and its two retries.
        fake.inject(
            Matcher::call("res.partner", "search_count"),
            Failure::Delay(Duration::from_secs(2)),
            3,
        );
        let err = client
            .search_count("res.partner", json!([]))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_timeout", "{version:?}: {err}");
        assert_eq!(
            err.to_string(),
            "odoo call res.partner/search_count timed out after 150 ms"
        );

        fake.inject(
            Matcher::call("res.partner", "search_read"),
            Failure::Status(503),
            3,
        );
        let err = client
            .search_read("res.partner", json!([]), &["name"], None, Some(1), None)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_unavailable", "{version:?}: {err}");
        assert_eq!(
            err.to_string(),
            "odoo call res.partner/search_read failed: odoo unavailable: http 503"
        );
        assert_eq!(calls_of(&fake, "search_read"), 3);
    }
}

#[tokio::test]
async fn a_wrong_key_fails_naming_login_and_database() {
    for version in VERSIONS {
        let fake = start(version).await;
        let err = OdooClient::connect(config(&fake, SALES, "not-the-key"))
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "odoo authentication failed for login \"sales@harbourline.example\" on database \
             \"demo\": check the database name and the api key; the login is often the user's \
             e-mail address rather than \"admin\"",
            "{version:?}"
        );
    }
}

#[tokio::test]
async fn auto_speaks_jsonrpc_up_to_18_and_json2_from_19() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        client.search_count("res.partner", json!([])).await.unwrap();
        let (wanted, fake_side) = if version == DemoVersion::V19 {
            (ClientProtocol::Json2, Protocol::Json2)
        } else {
            (ClientProtocol::JsonRpc, Protocol::JsonRpc)
        };
        assert_eq!(client.protocol(), wanted, "{version:?}");
        assert_eq!(client.version().raw, version.server_version());
        let calls = fake.calls();
        // The version probe is `common.version` on every version.
        assert_eq!(
            (calls[0].protocol, calls[0].method.as_str()),
            (Protocol::JsonRpc, "version")
        );
        let model_calls: Vec<Protocol> = calls
            .iter()
            .filter(|c| c.model != "common")
            .map(|c| c.protocol)
            .collect();
        assert!(!model_calls.is_empty());
        assert!(
            model_calls.iter().all(|p| *p == fake_side),
            "{version:?}: {model_calls:?}"
        );
    }
}

#[tokio::test]
async fn jsonrpc_can_be_forced_on_19_and_json2_fails_clearly_on_17() {
    let fake = start(DemoVersion::V19).await;
    let mut forced = config(&fake, ADMIN, &key_of(&fake, ADMIN));
    forced.protocol = ProtocolChoice::JsonRpc;
    let client = OdooClient::connect(forced).await.unwrap();
    assert_eq!(client.protocol(), ClientProtocol::JsonRpc);
    let count = client.search_count("res.partner", json!([])).await.unwrap();
    let expected = fake.with_dataset(|d| matching(d, "res.partner", &json!([])).len());
    assert_eq!(count, expected as u64);
    assert!(fake.calls().iter().all(|c| c.protocol == Protocol::JsonRpc));

    let fake = start(DemoVersion::V17).await;
    let mut forced = config(&fake, ADMIN, &key_of(&fake, ADMIN));
    forced.protocol = ProtocolChoice::Json2;
    let err = OdooClient::connect(forced).await.unwrap_err();
    assert_eq!(err.kind(), "odoo_protocol");
    assert!(
        err.to_string()
            .contains("no json-2 endpoint at this url (odoo 19 or later is needed)"),
        "{err}"
    );
}

#[tokio::test]
async fn scan_pages_by_id_and_reports_truncation_exactly() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        let all_ids = fake.with_dataset(|d| matching(d, "res.partner", &json!([])));
        let page = NonZeroU32::new(7).unwrap();
        let scan = client
            .scan("res.partner", &Domain::all(), &["name"], page, 10_000)
            .await
            .unwrap();
        let ids: Vec<i64> = scan
            .records
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        let total = all_ids.len() as u64;
        assert_eq!(
            (ids, scan.truncated, scan.total),
            (all_ids.clone(), false, total),
            "{version:?}"
        );
        assert_eq!(
            calls_of(&fake, "search_read"),
            all_ids.len() / 7 + 1,
            "{version:?}: one call per page, the last one short"
        );

        // A cap below the total: exactly the cap, flagged, with the total.
        fake.clear_calls();
        let cap = all_ids.len() - 10;
        let scan = client
            .scan("res.partner", &Domain::all(), &["name"], page, cap)
            .await
            .unwrap();
        let ids: Vec<i64> = scan
            .records
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            (ids.as_slice(), scan.truncated, scan.total),
            (&all_ids[..cap], true, total)
        );
        assert_eq!(
            calls_of(&fake, "search_count"),
            1,
            "counted once, at the cap"
        );
        // A cap equal to the total is not truncation.
        let scan = client
            .scan(
                "res.partner",
                &Domain::all(),
                &["name"],
                page,
                all_ids.len(),
            )
            .await
            .unwrap();
        assert_eq!(
            (scan.records.len(), scan.truncated, scan.total),
            (all_ids.len(), false, total)
        );
    }
}

#[tokio::test]
async fn reads_are_retried_after_a_503_and_writes_are_not() {
    for version in VERSIONS {
        let fake = start(version).await;
        let client = connect(&fake, ADMIN).await;
        fake.clear_calls();
        fake.inject(
            Matcher::call("res.partner", "search_read"),
            Failure::Status(503),
            1,
        );
        let records = client
            .search_read(
                "res.partner",
                json!([["id", "=", 12]]),
                &["name"],
                None,
                None,
                None,
            )
            .await
            .unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(calls_of(&fake, "search_read"), 2, "{version:?}");

        let before = fake.with_dataset(|d| stored(d, "res.partner", 12, &["phone"]));
        fake.inject(
            Matcher::call("res.partner", "write"),
            Failure::Status(503),
            1,
        );
        let err = client
            .call(
                "res.partner",
                "write",
                &[12],
                object(json!({"vals": {"phone": "changed"}})),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "odoo_unavailable", "{version:?}");
        assert_eq!(calls_of(&fake, "write"), 1, "{version:?}");
        let after = fake.with_dataset(|d| stored(d, "res.partner", 12, &["phone"]));
        assert_eq!(after, before);
    }
}
