//! What every automation shares, against the demo company.

use std::num::NonZeroUsize;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use tools::automations::{ContextRequest, read_context};
use tools::demo::{DemoSpec, FakeOdoo, Truth, generate};
use tools::odoo_client::{OdooClient, OdooClientConfig, ProtocolChoice};

async fn demo_client(login: &str) -> (FakeOdoo, OdooClient) {
    let (fake, client, _) = demo_company(
        &DemoSpec {
            partners: 20,
            ..DemoSpec::default()
        },
        login,
    )
    .await;
    (fake, client)
}

/// The fake Odoo serving the company generated from `spec`, a client
/// connected as `login`, and what the generator planted.
pub(crate) async fn demo_company(spec: &DemoSpec, login: &str) -> (FakeOdoo, OdooClient, Truth) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let company = generate(spec);
    let user = company.dataset.user_by_login(login).unwrap().clone();
    let db = company.dataset.db.clone();
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let client = OdooClient::connect(OdooClientConfig {
        url: fake.url(),
        db,
        login: user.login,
        api_key: SecretString::from(user.api_key),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: NonZeroUsize::new(2).unwrap(),
        protocol: ProtocolChoice::Auto,
    })
    .await
    .unwrap();
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
