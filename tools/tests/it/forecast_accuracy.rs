//! Forecast accuracy tracking end to end (spec 5.8) on the demo company's
//! worked-example company (B0 100,000; +5,000 on day 5; −3,000 on day 10):
//! a run stores one prediction per day of the horizon, once per day; the
//! daily job's balance is Odoo's own sum; the accuracy reported comes from
//! stored predictions and actuals and equals the values computed by hand.
//! Also the `doubtful_factor` argument (spec 5.3).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Days, TimeZone, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::cash_flow_forecast::{
    BucketAccuracy, CashFlowForecast, CashFlowForecastArgs, ForecastConfig, ForecastData,
    ForecastHistory, LeadBucket, MemoryForecastHistory,
};
use tools::demo::DemoVersion;
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Tool, ToolCtx, ToolError};

use crate::cash_flow_forecast::{Setup, setup_with};

const ADMIN: &str = "admin@harbourline.example";

struct Fixed(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for Fixed {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

/// The setup's company with a forecast keeping `history`, "now" at 10:00
/// UTC on the demo's today.
fn tool_with(setup: &Setup, history: Arc<MemoryForecastHistory>) -> CashFlowForecast {
    let now = Utc
        .from_local_datetime(&setup.today.and_hms_opt(10, 0, 0).unwrap())
        .unwrap();
    CashFlowForecast::new(
        ForecastConfig::new("https://harbourline.odoo.example".parse().unwrap()),
        Arc::new(Fixed(Arc::clone(&setup.client))),
    )
    .unwrap()
    .with_clock(Arc::new(move || now))
    .with_history(history)
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn call(tool: &CashFlowForecast, args: Value) -> Result<Envelope<ForecastData>, ToolError> {
    let args: CashFlowForecastArgs = serde_json::from_value(args).unwrap();
    tool.call(&ctx(), args).await
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test]
async fn each_run_stores_its_predictions_and_accuracy_comes_from_stored_rows() {
    let setup = setup_with(DemoVersion::V17, 40, ADMIN, |_| {}).await;
    let company = setup.truth.forecast.companies.receivable_and_payable;
    let history = Arc::new(MemoryForecastHistory::new());
    let tool = tool_with(&setup, Arc::clone(&history));
    let today = setup.today;
    let day = |t: u64| today + Days::new(t);
    let args = json!({"company_id": company, "horizon_days": 90});

    let first = call(&tool, args.clone()).await.unwrap();
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert_eq!(
        first.data.accuracy,
        Some(Vec::new()),
        "nothing to measure yet"
    );
    // The projection the stored rows must hold: u_t = 0.15 × t/90 × B_t
    // (the gross flow never exceeds the balance here) = B_t × t / 600.
    for (t, balance) in [
        (1, 100_000),
        (5, 105_000),
        (10, 102_000),
        (45, 102_000),
        (75, 102_000),
    ] {
        let point = first.data.points.iter().find(|p| p.date == day(t)).unwrap();
        let spread = Decimal::from(balance) * Decimal::from(t) / Decimal::from(600);
        assert_eq!(point.balance, Decimal::from(balance), "day {t}");
        assert_eq!(point.high - point.balance, spread.round_dp(2), "day {t}");
    }
    // A rerun the same day stores the day once.
    call(&tool, args.clone()).await.unwrap();
    for t in 1..=90 {
        history
            .record_actual(company, day(t), dec("1"))
            .await
            .unwrap();
    }
    assert_eq!(
        history.observations(company, today).await.unwrap().len(),
        90,
        "one prediction per (company, as_of, target)"
    );

    // The days pass: these balances close them (the rest get none).
    let fresh = Arc::new(MemoryForecastHistory::new());
    let tool = tool_with(&setup, Arc::clone(&fresh));
    call(&tool, args.clone()).await.unwrap();
    for (t, actual) in [
        (1, "100000"),  // error 0, inside the band
        (5, "104000"),  // error 1,000, below the band's 104,125
        (10, "0"),      // error 102,000, no MAPE
        (45, "110000"), // error 8,000, above the band's 109,650
        (75, "100000"), // error 2,000, inside the band of ± 12,750
    ] {
        fresh
            .record_actual(company, day(t), dec(actual))
            .await
            .unwrap();
    }
    fresh
        .record_actual(company + 1, day(3), dec("5"))
        .await
        .unwrap();
    let later = call(&tool, args).await.unwrap();
    assert_eq!(
        later.data.accuracy,
        Some(vec![
            BucketAccuracy {
                bucket: LeadBucket::Days1To30,
                observations: 3,
                // (0 + 1,000 + 102,000) / 3
                mae: dec("34333.33"),
                // (0 % + 1,000 / 104,000 × 100 %) / 2 = 0.48 %
                mape: Some(dec("0.5")),
                coverage: dec("0.333"),
            },
            BucketAccuracy {
                bucket: LeadBucket::Days31To60,
                observations: 1,
                mae: dec("8000"),
                // 8,000 / 110,000 × 100
                mape: Some(dec("7.3")),
                coverage: dec("0"),
            },
            BucketAccuracy {
                bucket: LeadBucket::Days61To90,
                observations: 1,
                mae: dec("2000"),
                mape: Some(dec("2")),
                coverage: dec("1"),
            },
        ])
    );
    let json = serde_json::to_value(&later.data).unwrap();
    assert_eq!(json["accuracy"][0]["bucket"], "days1_to30");
}

#[tokio::test]
async fn backdated_and_partial_runs_are_not_stored_and_the_actual_is_odoos_sum() {
    let setup = setup_with(DemoVersion::V18, 40, ADMIN, |_| {}).await;
    let company = setup.truth.forecast.companies.cash_gap;
    let history = Arc::new(MemoryForecastHistory::new());
    let tool = tool_with(&setup, Arc::clone(&history));
    let today = setup.today;
    let yesterday = today - Days::new(1);
    call(
        &tool,
        json!({"company_id": company, "as_of": yesterday.to_string()}),
    )
    .await
    .unwrap();
    let journal = call(&tool, json!({"company_id": company}))
        .await
        .unwrap()
        .data
        .journals[0]
        .id;
    call(
        &tool,
        json!({"company_id": company, "journal_ids": [journal]}),
    )
    .await
    .unwrap();
    assert_eq!(
        history
            .latest_forecast(company, today)
            .await
            .unwrap()
            .map(|r| r.as_of),
        Some(today)
    );
    let fresh = Arc::new(MemoryForecastHistory::new());
    let tool = tool_with(&setup, Arc::clone(&fresh));
    call(
        &tool,
        json!({"company_id": company, "as_of": yesterday.to_string()}),
    )
    .await
    .unwrap();
    call(
        &tool,
        json!({"company_id": company, "journal_ids": [journal]}),
    )
    .await
    .unwrap();
    assert_eq!(
        fresh.latest_forecast(company, today).await.unwrap(),
        None,
        "a backdated run and a journal subset predict other balances"
    );

    // The daily job: yesterday's closing balance as Odoo sums it.
    let expected = call(
        &tool,
        json!({"company_id": company, "as_of": yesterday.to_string()}),
    )
    .await
    .unwrap()
    .data
    .opening_balance;
    let recorded = tool
        .record_actual(&Identity::local_operator(), Some(company), yesterday)
        .await
        .unwrap();
    assert_eq!((recorded.company_id, recorded.date), (company, yesterday));
    assert_eq!(recorded.balance, expected);
    assert_eq!(recorded.balance, dec("1000"));
    let err = tool
        .record_actual(&Identity::local_operator(), Some(company), today)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    assert!(err.to_string().contains("`date`"), "{err}");
}

#[tokio::test]
async fn the_daily_job_records_the_current_company_and_every_forecast_company() {
    let setup = setup_with(DemoVersion::V17, 40, ADMIN, |_| {}).await;
    let companies = &setup.truth.forecast.companies;
    let history = Arc::new(MemoryForecastHistory::new());
    let tool = tool_with(&setup, Arc::clone(&history));
    let yesterday = setup.today - Days::new(1);
    let operator = Identity::local_operator();

    // Nothing forecast yet: only the user's current company is recorded.
    let first = tool.record_all_actuals(&operator, yesterday).await;
    assert_eq!(first.len(), 1);
    let (asked, recorded) = &first[0];
    let current = recorded.as_ref().unwrap().company_id;
    assert_eq!((*asked, current), (None, setup.truth.company_id));

    // Forecasts of two other companies (one of them twice) and of the
    // current one: each company is recorded once, with its own balance.
    for company in [
        companies.cash_gap,
        companies.schedule.company_id,
        companies.cash_gap,
    ] {
        call(&tool, json!({"company_id": company})).await.unwrap();
    }
    call(&tool, json!({})).await.unwrap();
    let all = tool.record_all_actuals(&operator, yesterday).await;
    let mut got: Vec<(Option<i64>, i64)> = all
        .iter()
        .map(|(asked, r)| (*asked, r.as_ref().unwrap().company_id))
        .collect();
    got.sort();
    let mut expected = vec![
        (None, current),
        (Some(companies.cash_gap), companies.cash_gap),
        (
            Some(companies.schedule.company_id),
            companies.schedule.company_id,
        ),
    ];
    expected.sort();
    assert_eq!(got, expected);
    for (_, recorded) in &all {
        let recorded = recorded.as_ref().unwrap();
        let odoo = call(
            &tool,
            json!({"company_id": recorded.company_id, "as_of": yesterday.to_string()}),
        )
        .await
        .unwrap()
        .data
        .opening_balance;
        assert_eq!(recorded.balance, odoo, "company {}", recorded.company_id);
    }
    let mut stored = history.forecast_companies().await.unwrap();
    stored.sort();
    let mut forecast = vec![current, companies.cash_gap, companies.schedule.company_id];
    forecast.sort();
    assert_eq!(stored, forecast);
}

#[tokio::test]
async fn the_doubtful_factor_argument_overrides_the_configured_one() {
    // Configured 0.5; the schedule company's doubtful receivable is 2,000.
    let setup = setup_with(DemoVersion::V17, 40, ADMIN, |c| {
        c.doubtful_factor = dec("0.5");
    })
    .await;
    let s = &setup.truth.forecast.companies.schedule;
    let ctx = ctx();
    let run = |factor: Option<&str>| {
        let mut args = json!({"company_id": s.company_id, "horizon_days": 30});
        if let Some(f) = factor {
            args["doubtful_factor"] = serde_json::from_str(f).unwrap();
        }
        let args: CashFlowForecastArgs = serde_json::from_value(args).unwrap();
        setup.tool.call(&ctx, args)
    };
    let configured = run(None).await.unwrap().data;
    assert_eq!(configured.overdue.doubtful_excluded, dec("1000"));
    let quarter = run(Some("0.25")).await.unwrap().data;
    assert_eq!(quarter.overdue.doubtful_excluded, dec("1500"));
    assert_eq!(quarter.overdue.receivables, dec("3500"));
    assert_eq!(quarter.assumptions.doubtful_factor, dec("0.25"));
    assert_eq!(quarter.points.last().unwrap().balance, dec("66740"));
    let whole = run(Some("1")).await.unwrap().data;
    assert_eq!(whole.overdue.doubtful_excluded, dec("0"));
    assert_eq!(whole.points.last().unwrap().balance, dec("68240"));
    for bad in ["1.5", "-0.1"] {
        let args: CashFlowForecastArgs = serde_json::from_value(
            json!({"doubtful_factor": serde_json::from_str::<Value>(bad).unwrap()}),
        )
        .unwrap();
        let err = setup.tool.call(&ctx, args).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        assert!(err.to_string().contains("`doubtful_factor`"), "{err}");
        assert!(err.to_string().contains("between 0 and 1"), "{err}");
    }
}
