//! `cash_flow_forecast` against the fake Odoo serving the demo company: the
//! opening balance from Odoo's own sums, the planted pipeline and recurring
//! vendor of spec 5.7, every scenario kind, bad arguments and truncation.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{NaiveDate, TimeZone, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::cash_flow_forecast::{
    Cadence, CashFlowForecast, CashFlowForecastArgs, ForecastConfig, ForecastData, Source,
};
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, Truth};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{Identity, Tool, ToolCtx, ToolError};

use crate::automations::demo_client_with;

const ADMIN: &str = "admin@harbourline.example";
const ACCOUNTANT: &str = "accountant@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";

/// Hands the one connected client to every identity.
struct Fixed(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for Fixed {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

pub(crate) struct Setup {
    pub fake: FakeOdoo,
    pub client: Arc<OdooClient>,
    pub tool: CashFlowForecast,
    pub truth: Truth,
    pub today: NaiveDate,
}

pub(crate) async fn setup_with(
    version: DemoVersion,
    partners: usize,
    login: &str,
    config: impl FnOnce(&mut ForecastConfig),
) -> Setup {
    let spec = DemoSpec {
        partners,
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, login).await;
    let client = Arc::new(client);
    let mut forecast_config = ForecastConfig::new(BASE.parse().unwrap());
    config(&mut forecast_config);
    // "Now" is 10:00 UTC on the company's today, so as_of may be today.
    let now = Utc
        .from_local_datetime(&spec.today.and_hms_opt(10, 0, 0).unwrap())
        .unwrap();
    let tool = CashFlowForecast::new(forecast_config, Arc::new(Fixed(Arc::clone(&client))))
        .unwrap()
        .with_clock(Arc::new(move || now));
    Setup {
        fake,
        client,
        tool,
        truth,
        today: spec.today,
    }
}

async fn setup(version: DemoVersion, login: &str) -> Setup {
    setup_with(version, 40, login, |_| {}).await
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        cancel: CancellationToken::new(),
    }
}

pub(crate) async fn run(setup: &Setup, args: Value) -> Result<Envelope<ForecastData>, ToolError> {
    let args: CashFlowForecastArgs = serde_json::from_value(args).unwrap();
    setup.tool.call(&ctx(), args).await
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

/// Σ balance of posted items on the company's bank and cash journals'
/// accounts up to `as_of`, added up here from the records themselves.
async fn bank_balance_by_hand(client: &OdooClient, company: i64, as_of: NaiveDate) -> Decimal {
    let journals = client
        .search_read(
            "account.journal",
            json!([
                ["type", "in", ["bank", "cash"]],
                ["company_id", "in", [company]]
            ]),
            &["default_account_id"],
            Some("id asc"),
            None,
            None,
        )
        .await
        .unwrap();
    let accounts: Vec<i64> = journals
        .iter()
        .map(|j| j["default_account_id"][0].as_i64().unwrap())
        .collect();
    let lines = client
        .search_read(
            "account.move.line",
            json!([
                ["account_id", "in", accounts],
                ["parent_state", "=", "posted"],
                ["date", "<=", as_of.to_string()],
                ["company_id", "in", [company]]
            ]),
            &["balance"],
            Some("id asc"),
            None,
            None,
        )
        .await
        .unwrap();
    lines
        .iter()
        .map(|l| l["balance"].to_string().parse::<Decimal>().unwrap())
        .sum()
}

async fn opening_balance_is_odoos_sum(version: DemoVersion) {
    let setup = setup(version, ADMIN).await;
    let envelope = run(&setup, json!({"as_of": setup.today.to_string()}))
        .await
        .unwrap();
    assert_eq!(envelope.tool, "cash_flow_forecast");
    assert_eq!(envelope.odoo_version, version.server_version());
    assert!(!envelope.truncated);
    assert!(envelope.summary.chars().count() <= 600);
    let data = &envelope.data;
    let expected = bank_balance_by_hand(&setup.client, setup.truth.company_id, setup.today).await;
    assert!(expected > Decimal::ZERO);
    assert_eq!(data.opening_balance, expected.round_dp(2));
    assert_eq!(data.journals.len(), 2, "BNK1 and BNK2");
    assert_eq!(
        data.journals[0].link.url,
        format!(
            "{BASE}/web#id={}&model=account.journal&view_type=form",
            data.journals[0].id
        )
    );
    assert_eq!(data.points.len(), 90);
    assert_eq!(data.points[0].date, setup.today.succ_opt().unwrap());
    // Each point's balance is the previous one plus its net flow.
    let mut balance = data.opening_balance;
    for point in &data.points {
        balance += point.flow.net;
        assert_eq!(point.balance, balance, "{}", point.date);
    }
    assert!(!data.largest_items.is_empty());
    for cited in &data.largest_items {
        let reference = cited.item.reference.as_ref().unwrap();
        assert_eq!(
            cited.link.as_ref().unwrap().url,
            format!(
                "{BASE}/web#id={}&model={}&view_type=form",
                reference.id, reference.model
            )
        );
    }
}

#[tokio::test]
async fn the_opening_balance_is_odoos_sum_of_the_bank_journals_on_odoo_17() {
    opening_balance_is_odoos_sum(DemoVersion::V17).await;
}

#[tokio::test]
async fn the_opening_balance_is_odoos_sum_of_the_bank_journals_on_odoo_18() {
    opening_balance_is_odoos_sum(DemoVersion::V18).await;
}

#[tokio::test]
async fn the_opening_balance_is_odoos_sum_of_the_bank_journals_on_odoo_19() {
    opening_balance_is_odoos_sum(DemoVersion::V19).await;
}

#[tokio::test]
async fn the_opening_balance_is_one_grouped_read() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    setup.fake.clear_calls();
    run(&setup, json!({})).await.unwrap();
    let line_reads: Vec<String> = setup
        .fake
        .calls()
        .iter()
        .filter(|c| c.model == "account.move.line")
        .map(|c| c.method.clone())
        .collect();
    assert_eq!(line_reads, ["read_group"]);
}

#[tokio::test]
async fn the_planted_recurring_vendor_recurs_monthly_at_five_thousand() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let vendor = setup.truth.forecast.recurring_vendor;
    let data = run(&setup, json!({})).await.unwrap().data;
    let series = data
        .recurring
        .iter()
        .find(|s| s.vendor.id == vendor)
        .expect("the planted vendor recurs");
    assert_eq!(series.mean, dec(5_000));
    assert_eq!(series.cv, Decimal::new(163, 4));
    assert_eq!(series.cadence, Cadence::Monthly);
    assert_eq!(series.bills, 3);
    // Bills on the 5th, due 14 days later: the 19th of March, April, May
    // fall within 90 days of 2026-03-16.
    assert_eq!(series.occurrences, 3);
    let irregular = setup.truth.forecast.irregular_vendor;
    assert!(data.recurring.iter().all(|s| s.vendor.id != irregular));
    // Without recurring bills the vendor's three outflows are gone.
    let without = run(&setup, json!({"include_recurring": false}))
        .await
        .unwrap()
        .data;
    assert!(without.recurring.is_empty());
    assert_eq!(without.totals.recurring, Decimal::ZERO);
    // Dropping only this vendor's occurrences moves the end by +15,000.
    let scaled = run(
        &setup,
        json!({"scenario": [{"kind": "scale_recurring", "multiplier": 0, "partner_id": vendor}]}),
    )
    .await
    .unwrap()
    .data;
    assert_eq!(scaled.impact.unwrap().end_balance_delta, dec(15_000));
}

#[tokio::test]
async fn the_planted_opportunities_weigh_fifty_and_eight_thousand() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let f = &setup.truth.forecast;
    for (lead, weighted) in [(f.pipeline_half, 50_000), (f.pipeline_eighty, 8_000)] {
        let envelope = run(
            &setup,
            json!({"scenario": [{"kind": "remove_opportunity", "lead_id": lead}]}),
        )
        .await
        .unwrap();
        assert!(envelope.warnings.is_empty(), "{:?}", envelope.warnings);
        let impact = envelope.data.impact.unwrap();
        assert_eq!(impact.end_balance_delta, dec(-weighted), "lead {lead}");
    }
    let without = run(&setup, json!({"include_pipeline": false}))
        .await
        .unwrap()
        .data;
    assert_eq!(without.totals.pipeline, Decimal::ZERO);
}

#[tokio::test]
async fn an_adjustment_matching_nothing_is_a_warning() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let envelope = run(
        &setup,
        json!({"scenario": [{"kind": "remove_opportunity", "lead_id": 999999}]}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.warnings[0].code, "SCENARIO_NO_MATCH");
    assert_eq!(
        envelope.data.impact.unwrap().end_balance_delta,
        Decimal::ZERO
    );
}

#[tokio::test]
async fn bad_arguments_are_refused_naming_the_argument() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let tomorrow = setup.today.succ_opt().unwrap().to_string();
    for (args, field) in [
        (json!({"horizon_days": 400}), "horizon_days"),
        (json!({"band_width": 2}), "band_width"),
        (json!({"payment_lag_days": 200}), "payment_lag_days"),
        (json!({"as_of": tomorrow}), "as_of"),
        (json!({"journal_ids": [1]}), "journal_ids"),
        (
            json!({"scenario": [{"kind": "scale_receivables", "percent": 150}]}),
            "scenario[0].percent",
        ),
        (
            json!({"scenario": [{"kind": "one_off", "date": setup.today.to_string(),
                "amount": 5, "label": "Today"}]}),
            "scenario[0].date",
        ),
    ] {
        let err = run(&setup, args.clone()).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{args}: {err}");
        assert!(
            err.to_string().contains(&format!("`{field}`")),
            "{args}: {err}"
        );
    }
}

#[tokio::test]
async fn a_capped_scan_is_reported_as_truncated() {
    let setup = setup_with(DemoVersion::V17, 40, ADMIN, |c| c.max_records = 3).await;
    let envelope = run(&setup, json!({})).await.unwrap();
    assert!(envelope.truncated);
    let warning = envelope
        .warnings
        .iter()
        .find(|w| w.code == "TRUNCATED")
        .unwrap();
    assert!(
        warning.message.starts_with("read the first 3 of "),
        "{}",
        warning.message
    );
    let receivables = envelope
        .data
        .largest_items
        .iter()
        .filter(|i| i.item.source == Source::Receivable)
        .count();
    assert!(receivables <= 3);
}

#[tokio::test]
async fn a_user_without_crm_or_sales_still_gets_the_ledger_forecast() {
    let setup = setup(DemoVersion::V17, ACCOUNTANT).await;
    let envelope = run(&setup, json!({})).await.unwrap();
    let codes: Vec<&str> = envelope.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"ODOO_ACCESS_DENIED"), "{codes:?}");
    assert_eq!(envelope.data.totals.pipeline, Decimal::ZERO);
    assert!(envelope.data.opening_balance > Decimal::ZERO);
}
