//! Checks that need no Odoo: every refusal happens before the connector is
//! asked for a client, and the schemas are fit for the providers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;
use crate::odoo_client::{OdooClient, OdooConnector, OdooError};
use crate::{Identity, Tool, ToolError, ToolRegistry, testing_ctx, tool_schema};

/// Counts requests for a client and never gives one.
#[derive(Default)]
struct NoOdoo {
    asked: AtomicUsize,
}

#[async_trait]
impl OdooConnector for NoOdoo {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Err(OdooError::Config("no odoo in unit tests".to_owned()))
    }
}

fn registry() -> (ToolRegistry, Arc<NoOdoo>) {
    let connector = Arc::new(NoOdoo::default());
    let config = RecordToolsConfig::new("https://acme.odoo.com".parse().unwrap());
    let builder =
        register_record_tools(ToolRegistry::builder(), config, connector.clone()).unwrap();
    (builder.build().unwrap(), connector)
}

/// Dispatches `args` to `tool` and returns the error message; the connector
/// must not have been asked for a client.
async fn refused(tool: &str, args: Value) -> String {
    let (registry, connector) = registry();
    let outcome = registry
        .dispatch(
            &testing_ctx(),
            "call_1",
            tool,
            &args.to_string(),
            std::time::Duration::from_secs(5),
        )
        .await;
    let err = outcome.result.expect_err("refused");
    assert_eq!(connector.asked.load(Ordering::SeqCst), 0, "{err}");
    assert!(matches!(err, ToolError::InvalidArgs { .. }), "{err:?}");
    err.to_string()
}

#[tokio::test]
async fn technical_models_are_refused_before_odoo() {
    let text = refused("count_records", json!({"model": "ir.config_parameter"})).await;
    assert!(
        text.starts_with(
            "invalid arguments for count_records: model: model ir.config_parameter is not \
             available to these tools"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_user_password_is_refused_in_fields_conditions_and_order() {
    let text = refused(
        "search_records",
        json!({"model": "res.users", "fields": ["name", "password"]}),
    )
    .await;
    assert!(
        text.contains("fields[1]: field password of res.users is not allowed"),
        "{text}"
    );
    let text = refused(
        "search_records",
        json!({"model": "res.users", "conditions": [
            {"field": "login", "op": "=", "value": "a"},
            {"any": [{"field": "password", "op": "=", "value": "x"}]}
        ]}),
    )
    .await;
    assert!(
        text.contains("conditions[1].any[0]: field password of res.users is not allowed"),
        "{text}"
    );
    let text = refused(
        "search_records",
        json!({"model": "res.users", "order": "password desc"}),
    )
    .await;
    assert!(
        text.contains("order: field password of res.users"),
        "{text}"
    );
}

#[tokio::test]
async fn a_dotted_segment_outside_the_list_is_refused() {
    let text = refused(
        "count_records",
        json!({"model": "account.move", "conditions": [
            {"field": "partner_id.user_id.password", "op": "!=", "value": false}
        ]}),
    )
    .await;
    assert!(
        text.contains("conditions[0]: field password of res.users is not allowed"),
        "{text}"
    );
}

#[tokio::test]
async fn group_by_and_measures_outside_the_list_are_refused() {
    let text = refused(
        "aggregate_records",
        json!({"model": "account.move", "group_by": [{"field": "narration"}]}),
    )
    .await;
    assert!(
        text.contains("group_by[0]: field narration of account.move is not allowed"),
        "{text}"
    );
    let text = refused(
        "aggregate_records",
        json!({"model": "hr.employee", "measures": [{"field": "wage", "function": "sum"}]}),
    )
    .await;
    assert!(
        text.contains("measures[0]: field wage of hr.employee is not allowed"),
        "{text}"
    );
}

#[tokio::test]
async fn limit_outside_its_range_names_the_argument_and_range() {
    let text = refused(
        "search_records",
        json!({"model": "res.partner", "limit": 500}),
    )
    .await;
    assert!(text.contains("limit"), "{text}");
    assert!(text.contains("200"), "{text}");

    // Called directly (no schema check), the tool says the same.
    let (_, connector) = registry();
    let shared = Arc::new(shared::Shared {
        config: RecordToolsConfig::new("https://acme.odoo.com".parse().unwrap()),
        connector: connector.clone(),
    });
    let args: SearchRecordsArgs =
        serde_json::from_value(json!({"model": "res.partner", "limit": 0})).unwrap();
    let err = SearchRecords::new(shared)
        .call(&testing_ctx(), args)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid arguments for search_records: limit must be between 1 and 200, got 0"
    );
    assert_eq!(connector.asked.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn malformed_order_and_dotted_fields_are_refused() {
    let text = refused(
        "search_records",
        json!({"model": "res.partner", "order": "name; drop table"}),
    )
    .await;
    assert!(text.contains("order: "), "{text}");
    let text = refused(
        "get_record",
        json!({"model": "res.partner", "id": 3, "fields": ["country_id.code"]}),
    )
    .await;
    assert!(
        text.contains("fields[0]: country_id.code is a dotted path"),
        "{text}"
    );
}

#[test]
fn order_is_rebuilt_with_an_id_tie_break() {
    let shared = shared::Shared {
        config: RecordToolsConfig::new("https://acme.odoo.com".parse().unwrap()),
        connector: Arc::new(NoOdoo::default()),
    };
    let order = |text: Option<&str>| shared::order(&shared, "t", "account.move", text).unwrap();
    assert_eq!(order(None), "id desc");
    assert_eq!(
        order(Some("invoice_date DESC,  name")),
        "invoice_date desc, name asc, id asc"
    );
    assert_eq!(order(Some("id desc")), "id desc");
}

#[test]
fn schemas_are_inlined_and_small() {
    let schemas = [
        tool_schema::<SearchRecordsArgs>("search_records").unwrap(),
        tool_schema::<CountRecordsArgs>("count_records").unwrap(),
        tool_schema::<AggregateRecordsArgs>("aggregate_records").unwrap(),
        tool_schema::<GetRecordArgs>("get_record").unwrap(),
    ];
    for schema in &schemas {
        let text = schema.to_string();
        assert!(!text.contains("$ref"), "{text}");
        assert!(!text.contains("$defs"), "{text}");
        assert!(text.len() < 6_000, "{} bytes: {text}", text.len());
    }
    assert_eq!(schemas[0]["properties"]["limit"]["maximum"], json!(200));
    assert_eq!(schemas[0]["required"], json!(["model"]));
}

#[test]
fn a_policy_allowing_secrets_cannot_be_registered() {
    let mut config = RecordToolsConfig::new("https://acme.odoo.com".parse().unwrap());
    config
        .policy
        .models
        .get_mut("res.users")
        .unwrap()
        .fields
        .insert("password".to_owned());
    let err = register_record_tools(ToolRegistry::builder(), config, Arc::new(NoOdoo::default()))
        .err()
        .unwrap();
    assert!(err.to_string().contains("password"), "{err}");
}
