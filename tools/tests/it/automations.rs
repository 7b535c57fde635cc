//! What every automation shares, against the demo company.

use chrono::{NaiveDate, Utc};
use pretty_assertions::assert_eq;
use tools::automations::{ContextRequest, read_context};
use tools::demo::{DemoSpec, FakeOdoo, Truth, generate};
use tools::odoo_client::OdooClient;

/// The demo company (20 partners, Odoo 17) served by a fake, and a client
/// logged in as `login`.
async fn demo_client(login: &str) -> (FakeOdoo, OdooClient) {
    let (fake, client, _) = demo_client_with(
        &DemoSpec {
            partners: 20,
            ..DemoSpec::default()
        },
        login,
    )
    .await;
    (fake, client)
}

/// The demo company generated from `spec`, served by a fake, a client
/// logged in as `login`, and what was planted in the company.
pub(crate) async fn demo_client_with(
    spec: &DemoSpec,
    login: &str,
) -> (FakeOdoo, OdooClient, Truth) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let company = generate(spec);
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let client = crate::client_vs_fake::connect(&fake, login).await;
    (fake, client, company.truth)
}

#[tokio::test]
async fn the_context_names_the_company_its_currency_and_today() {
    let (_fake, client) = demo_client("accountant@harbourline.example").await;
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
    let context = read_context(
        &client,
        ContextRequest {
            as_of: Some(as_of),
            ..ContextRequest::default()
        },
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(context.envelope.company.name, "Harbourline Supplies B.V.");
    assert_eq!(context.envelope.company.currency, "EUR");
    assert_eq!(context.envelope.odoo_version, "17.0");
    assert_eq!(context.today, as_of);
    assert_eq!(context.envelope.timezone, "Europe/Amsterdam");
}

#[tokio::test]
async fn an_unknown_company_is_not_found() {
    let (_fake, client) = demo_client("accountant@harbourline.example").await;
    let err = read_context(
        &client,
        ContextRequest {
            company_id: Some(999),
            ..ContextRequest::default()
        },
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
}

#[tokio::test]
async fn the_time_zone_read_is_retried_when_odoo_is_briefly_unavailable() {
    let (fake, client) = demo_client("accountant@harbourline.example").await;
    fake.clear_calls();
    fake.inject(
        tools::demo::Matcher::call("res.users", "context_get"),
        tools::demo::Failure::Status(503),
        1,
    );
    let context = read_context(&client, ContextRequest::default(), Utc::now())
        .await
        .unwrap();
    assert_eq!(context.envelope.timezone, "Europe/Amsterdam");
    let tz_reads = fake
        .calls()
        .iter()
        .filter(|c| c.model == "res.users" && c.method == "context_get")
        .count();
    assert_eq!(tz_reads, 2, "one failed read and its retry");
}
