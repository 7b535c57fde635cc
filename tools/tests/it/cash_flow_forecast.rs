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
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, Truth, generate_with_forecast_companies};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Tool, ToolCtx, ToolError};

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
    let _ = rustls::crypto::ring::default_provider().install_default();
    let company = generate_with_forecast_companies(&spec);
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let client = crate::client_vs_fake::connect(&fake, login).await;
    let truth = company.truth;
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
        origin: CallOrigin::Model,
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

fn day_of(data: &ForecastData, n: u64) -> &tools::automations::cash_flow_forecast::Point {
    let date = data.as_of + chrono::Days::new(n);
    data.points.iter().find(|p| p.date == date).unwrap()
}

#[tokio::test]
async fn worked_example_opening_balance_receivable_and_payable() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let company = setup.truth.forecast.companies.receivable_and_payable;
    let envelope = run(&setup, json!({"company_id": company, "horizon_days": 30}))
        .await
        .unwrap();
    assert_eq!(envelope.company.id, company);
    assert!(envelope.warnings.is_empty(), "{:?}", envelope.warnings);
    let data = &envelope.data;
    assert_eq!(data.opening_balance, dec(100_000));
    assert_eq!(day_of(data, 4).balance, dec(100_000));
    assert_eq!(day_of(data, 5).balance, dec(105_000));
    assert_eq!(day_of(data, 10).balance, dec(102_000));
    assert_eq!(day_of(data, 30).balance, dec(102_000));
    let end = day_of(data, 30);
    assert_eq!(end.high - end.balance, dec(15_300));
    assert_eq!(end.balance - end.low, dec(15_300));
    assert_eq!(data.gaps.first, None);
}

#[tokio::test]
async fn worked_example_a_payable_above_the_balance_opens_a_gap_on_day_three() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let company = setup.truth.forecast.companies.cash_gap;
    let data = run(&setup, json!({"company_id": company}))
        .await
        .unwrap()
        .data;
    assert_eq!(data.opening_balance, dec(1_000));
    assert_eq!(day_of(&data, 3).balance, dec(-4_000));
    let third = setup.today + chrono::Days::new(3);
    assert_eq!(data.gaps.first, Some(third));
    assert_eq!(data.gaps.min_balance, dec(-4_000));
    assert_eq!(data.gaps.min_date, third);
    assert!(envelope_mentions_gap(&data));
}

fn envelope_mentions_gap(data: &ForecastData) -> bool {
    data.gaps.dates.len() == 88 && data.gaps.dates[0] == data.gaps.first.unwrap()
}

#[tokio::test]
async fn worked_example_delaying_a_customer_moves_the_receivable_beyond_the_horizon() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let c = &setup.truth.forecast.companies;
    let data = run(
        &setup,
        json!({"company_id": c.delayed_receivable, "horizon_days": 30, "scenario": [
            {"kind": "delay_customer", "partner_id": c.delayed_customer, "days": 30}]}),
    )
    .await
    .unwrap()
    .data;
    assert_eq!(day_of(&data, 5).balance, dec(30_000));
    let impact = data.impact.unwrap();
    assert_eq!(impact.end_balance_delta, dec(-10_000));
    assert_eq!(impact.min_balance, dec(20_000));
    let scenario = data.scenario.unwrap();
    assert_eq!(scenario.beyond_horizon.count, 1);
    assert_eq!(scenario.points.last().unwrap().balance, dec(20_000));
}

#[tokio::test]
async fn worked_examples_pipeline_weights_and_recurring_bills() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let c = &setup.truth.forecast.companies;
    let data = run(&setup, json!({"company_id": c.pipeline_and_recurring}))
        .await
        .unwrap()
        .data;
    // 100,000 × 50 % + 10,000 × 80 %.
    assert_eq!(data.totals.pipeline, dec(58_000));
    let pipeline: Vec<Decimal> = data
        .largest_items
        .iter()
        .filter(|i| i.item.source == Source::Pipeline)
        .map(|i| i.item.amount)
        .collect();
    assert_eq!(pipeline, [dec(50_000), dec(8_000)]);
    assert_eq!(data.recurring.len(), 1);
    let series = &data.recurring[0];
    assert_eq!(series.vendor.id, c.recurring_vendor);
    assert_eq!((series.mean, series.cv), (dec(5_000), Decimal::new(163, 4)));
    assert_eq!(series.cadence, Cadence::Monthly);
    // Three occurrences of −5,000 in 90 days; the 500 / 50,000 vendor is
    // not recurring.
    assert_eq!(data.totals.recurring, dec(-15_000));
    assert!(
        data.recurring
            .iter()
            .all(|s| s.vendor.id != c.irregular_vendor)
    );
}

/// The schedule company's flows by day after as_of (spec 5.3 by hand):
/// day 1 the overdue bill (−1,500) and the weekly vendor's open bill due
/// today (−1,200); day 7 the overdue (3,000) and doubtful (2,000)
/// receivables after the 7-day overdue lag; day 14, 21 and 28 the weekly
/// vendor's occurrences (−1,100; the one of day 7 is covered by the open
/// bill); day 16 the late payer's 8,000 due on day 6 plus its median 10
/// days late; day 20 the rent bill (−2,500); day 30 the opportunity past
/// its deadline (20,000 × 25 %) and the order (4,840), both from as_of
/// plus the 30-day payment lag.
const SCHEDULE_FLOWS: [(u64, i64); 8] = [
    (1, -2_700),
    (7, 5_000),
    (14, -1_100),
    (16, 8_000),
    (20, -2_500),
    (21, -1_100),
    (28, -1_100),
    (30, 9_840),
];

/// 50,000 paid in, 3 × 2,000 received, 1,000 and 1,100 paid out.
const SCHEDULE_OPENING: i64 = 53_900;

async fn daily_balances_match_the_hand_computed_schedule(version: DemoVersion) {
    let setup = setup(version, ADMIN).await;
    let s = &setup.truth.forecast.companies.schedule;
    let data = run(
        &setup,
        json!({"company_id": s.company_id, "horizon_days": 30}),
    )
    .await
    .unwrap()
    .data;
    assert_eq!(data.opening_balance, dec(SCHEDULE_OPENING));
    let mut balance = dec(SCHEDULE_OPENING);
    let mut expected = Vec::new();
    for n in 1..=30 {
        let flow = SCHEDULE_FLOWS
            .iter()
            .find(|(d, _)| *d == n)
            .map_or(0, |(_, f)| *f);
        balance += dec(flow);
        expected.push((setup.today + chrono::Days::new(n), balance));
    }
    let got: Vec<(NaiveDate, Decimal)> = data.points.iter().map(|p| (p.date, p.balance)).collect();
    assert_eq!(got, expected);
    let t = &data.totals;
    assert_eq!(
        (
            t.receivables,
            t.payables,
            t.pipeline,
            t.recurring,
            t.orders,
            t.net
        ),
        (
            dec(13_000),
            dec(-5_200),
            dec(5_000),
            dec(-3_300),
            dec(4_840),
            dec(14_340)
        )
    );
    assert_eq!(data.overdue.receivables, dec(5_000));
    assert_eq!(data.overdue.payables, dec(-2_700));
    assert_eq!(data.overdue.doubtful_excluded, Decimal::ZERO);
    // Gross flow to day 30 is 31,340, below the balance: u = 0.15 × 68,240.
    let end = data.points.last().unwrap();
    assert_eq!(end.balance, dec(68_240));
    assert_eq!(end.high - end.balance, dec(10_236));
    let weekly = &data.recurring[0];
    assert_eq!(weekly.vendor.id, s.weekly_vendor);
    assert_eq!(weekly.cadence, Cadence::Weekly);
    assert_eq!((weekly.occurrences, weekly.skipped), (3, 1));
    let cited: Vec<i64> = data
        .largest_items
        .iter()
        .filter_map(|i| i.item.reference.as_ref().map(|r| r.id))
        .collect();
    assert!(
        cited.contains(&s.lead) && cited.contains(&s.order),
        "{cited:?}"
    );
}

#[tokio::test]
async fn daily_balances_match_the_hand_computed_schedule_on_odoo_17() {
    daily_balances_match_the_hand_computed_schedule(DemoVersion::V17).await;
}

#[tokio::test]
async fn daily_balances_match_the_hand_computed_schedule_on_odoo_18() {
    daily_balances_match_the_hand_computed_schedule(DemoVersion::V18).await;
}

#[tokio::test]
async fn daily_balances_match_the_hand_computed_schedule_on_odoo_19() {
    daily_balances_match_the_hand_computed_schedule(DemoVersion::V19).await;
}

#[tokio::test]
async fn the_doubtful_factor_cuts_receivables_over_ninety_days_overdue() {
    let setup = setup_with(DemoVersion::V17, 40, ADMIN, |c| {
        c.doubtful_factor = Decimal::new(5, 1);
    })
    .await;
    let s = &setup.truth.forecast.companies.schedule;
    let data = run(
        &setup,
        json!({"company_id": s.company_id, "horizon_days": 30}),
    )
    .await
    .unwrap()
    .data;
    assert_eq!(data.overdue.doubtful_excluded, dec(1_000));
    assert_eq!(data.overdue.receivables, dec(4_000));
    assert_eq!(day_of(&data, 7).flow.receivables, dec(4_000));
    assert_eq!(data.points.last().unwrap().balance, dec(67_240));
    assert_eq!(data.assumptions.doubtful_factor, Decimal::new(5, 1));
}

#[tokio::test]
async fn weekly_points_sum_the_schedule_by_weeks_ending_on_sunday() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let s = &setup.truth.forecast.companies.schedule;
    let data = run(
        &setup,
        json!({"company_id": s.company_id, "horizon_days": 30, "granularity": "week"}),
    )
    .await
    .unwrap()
    .data;
    // 2026-03-16 is a Monday: weeks end on days 6, 13, 20, 27, and the
    // horizon ends on day 30.
    let got: Vec<(u64, Decimal, Decimal)> = data
        .points
        .iter()
        .map(|p| {
            (
                (p.date - setup.today).num_days() as u64,
                p.flow.net,
                p.balance,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (6, dec(-2_700), dec(51_200)),
            (13, dec(5_000), dec(56_200)),
            (20, dec(4_400), dec(60_600)),
            (27, dec(-1_100), dec(59_500)),
            (30, dec(8_740), dec(68_240)),
        ]
    );
}

#[tokio::test]
async fn every_scenario_kind_changes_the_schedule_as_computed_by_hand() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let s = setup.truth.forecast.companies.schedule.clone();
    let ten = (setup.today + chrono::Days::new(10)).to_string();
    for (adjustment, delta, min_balance) in [
        // The rent bill of day 20 moves past day 30.
        (
            json!({"kind": "delay_vendor", "partner_id": s.vendor, "days": 15}),
            2_500,
            51_200,
        ),
        // The late payer's 8,000 comes on day 6 instead of 16.
        (
            json!({"kind": "delay_customer", "partner_id": s.late_payer, "days": -10}),
            0,
            51_200,
        ),
        (
            json!({"kind": "remove_opportunity", "lead_id": s.lead}),
            -5_000,
            51_200,
        ),
        (
            json!({"kind": "scale_receivables", "percent": 50}),
            -6_500,
            51_200,
        ),
        (
            json!({"kind": "scale_payables", "percent": 100}),
            -5_200,
            48_500,
        ),
        (
            json!({"kind": "scale_recurring", "multiplier": 2, "partner_id": s.weekly_vendor}),
            -3_300,
            51_200,
        ),
        // 56,200 − 70,000 on day 10; lowest after the day-14 occurrence.
        (
            json!({"kind": "one_off", "date": ten, "amount": -70000, "label": "Loan repayment"}),
            -70_000,
            -14_900,
        ),
    ] {
        let envelope = run(
            &setup,
            json!({"company_id": s.company_id, "horizon_days": 30, "scenario": [adjustment]}),
        )
        .await
        .unwrap();
        assert!(
            envelope.warnings.is_empty(),
            "{adjustment}: {:?}",
            envelope.warnings
        );
        let impact = envelope.data.impact.unwrap();
        assert_eq!(impact.end_balance_delta, dec(delta), "{adjustment}");
        assert_eq!(impact.min_balance, dec(min_balance), "{adjustment}");
        // The base is the same snapshot: unchanged by the scenario.
        assert_eq!(envelope.data.points.last().unwrap().balance, dec(68_240));
    }
    let envelope = run(
        &setup,
        json!({"company_id": s.company_id, "horizon_days": 30, "scenario": [
            {"kind": "one_off", "date": ten, "amount": -70000, "label": "Loan repayment"}]}),
    )
    .await
    .unwrap();
    let impact = envelope.data.impact.unwrap();
    assert_eq!(
        impact.first_gap_date,
        Some(setup.today + chrono::Days::new(10))
    );
    assert_eq!(impact.gap_dates.len(), 21);
    assert!(
        envelope.summary.contains("Scenario: end balance -70000.00"),
        "{}",
        envelope.summary
    );
}

#[tokio::test]
async fn example_companies_are_archived_and_only_in_their_own_generator() {
    let setup = setup(DemoVersion::V17, ADMIN).await;
    let searched = setup
        .client
        .search_read(
            "res.company",
            json!([]),
            &["name"],
            Some("id asc"),
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(searched.len(), 1, "searches see the main company alone");
    let c = &setup.truth.forecast.companies;
    let read = setup
        .client
        .read(
            "res.company",
            &[c.cash_gap, c.schedule.company_id],
            &["name"],
        )
        .await
        .unwrap();
    assert_eq!(read.len(), 2, "readable by id");
    let spec = DemoSpec {
        partners: 40,
        ..DemoSpec::default()
    };
    let plain = tools::demo::generate(&spec);
    assert_eq!(plain.dataset.table("res.company").unwrap().len(), 1);
    assert_eq!(plain.truth.forecast.companies, Default::default());
    // The main company is the same with or without them.
    assert_eq!(plain.truth.credit_examples, setup.truth.credit_examples);
    assert_eq!(
        plain.truth.forecast.recurring_bills,
        setup.truth.forecast.recurring_bills
    );
}
