//! `credit_check` against the fake Odoo serving the demo company: the
//! planted worked examples of spec 3.6 on every version, portfolio mode,
//! rights, name resolution, and Odoo calls that do not grow with the data.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::credit_check::{
    CreditCheck, CreditCheckArgs, CreditCheckConfig, CreditData, PartnerCredit, PortfolioCredit,
};
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, Truth};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Tool, ToolCtx, ToolError};

use crate::automations::demo_client_with;

/// Reads accounting and sales, as a credit controller does.
const ADMIN: &str = "admin@harbourline.example";
/// Accounting only: sales orders are out of reach.
const ACCOUNTANT: &str = "accountant@harbourline.example";
const SALES: &str = "sales@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";

/// Hands the one connected client to every identity.
struct Fixed(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for Fixed {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

struct Setup {
    fake: FakeOdoo,
    client: Arc<OdooClient>,
    tool: CreditCheck,
    truth: Truth,
    today: NaiveDate,
}

async fn setup(version: DemoVersion, partners: usize, login: &str) -> Setup {
    let spec = DemoSpec {
        partners,
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, login).await;
    let config = CreditCheckConfig::new(BASE.parse().unwrap());
    let client = Arc::new(client);
    let tool = CreditCheck::new(config, Arc::new(Fixed(Arc::clone(&client)))).unwrap();
    Setup {
        fake,
        client,
        tool,
        truth,
        today: spec.today,
    }
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn run(setup: &Setup, args: Value) -> Result<Envelope<CreditData>, ToolError> {
    let args: CreditCheckArgs = serde_json::from_value(args).unwrap();
    setup.tool.call(&ctx(), args).await
}

fn partner(envelope: Envelope<CreditData>) -> PartnerCredit {
    match envelope.data {
        CreditData::Partner(data) => *data,
        CreditData::Portfolio(_) => panic!("expected a partner result"),
    }
}

fn portfolio(envelope: &Envelope<CreditData>) -> &PortfolioCredit {
    match &envelope.data {
        CreditData::Portfolio(data) => data,
        CreditData::Partner(_) => panic!("expected a portfolio result"),
    }
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Every planted example gives the answer the spec states.
async fn planted_examples_match(version: DemoVersion) {
    let setup = setup(version, 20, ADMIN).await;
    assert_eq!(setup.truth.credit_examples.len(), 5);
    for example in &setup.truth.credit_examples {
        let envelope = run(
            &setup,
            json!({
                "partner_id": example.partner_id,
                "order_amount": example.order_amount.to_string().parse::<f64>().unwrap(),
                "as_of": iso(setup.today),
            }),
        )
        .await
        .unwrap_or_else(|err| panic!("{}: {err}", example.label));
        assert_eq!(envelope.odoo_version, version.server_version());
        assert!(!envelope.truncated, "{}", example.label);
        assert!(envelope.summary.chars().count() <= 600);
        let data = partner(envelope);
        let a = &data.assessment;
        let label = example.label;
        if let Some(score) = example.score {
            assert_eq!(a.score, score, "{label}: score");
        }
        if let Some(band) = example.band {
            assert_eq!(a.band.as_str(), band, "{label}: band");
        }
        if let Some(exposure) = example.exposure {
            assert_eq!(a.exposure.total, exposure, "{label}: exposure");
        }
        if let Some(ratio) = example.overdue_ratio {
            assert_eq!(a.components.overdue_ratio.value, ratio, "{label}: O");
        }
        assert_eq!(a.credit_limit, example.credit_limit, "{label}: limit");
        if let Some(verdict) = example.verdict {
            assert_eq!(a.verdict.as_str(), verdict, "{label}: verdict");
        }
        assert_eq!(
            a.remaining_credit, example.remaining_credit,
            "{label}: remaining"
        );
        assert_eq!(a.over_limit_by, example.over_limit_by, "{label}: over by");
        assert_eq!(data.partner.commercial_id, example.partner_id);
        assert_eq!(
            data.links[0].url,
            format!(
                "{BASE}/web#id={}&model=res.partner&view_type=form",
                example.partner_id
            )
        );
    }
}

#[tokio::test]
async fn planted_examples_give_the_spec_answers_on_odoo_17() {
    planted_examples_match(DemoVersion::V17).await;
}

#[tokio::test]
async fn planted_examples_give_the_spec_answers_on_odoo_18() {
    planted_examples_match(DemoVersion::V18).await;
}

#[tokio::test]
async fn planted_examples_give_the_spec_answers_on_odoo_19() {
    planted_examples_match(DemoVersion::V19).await;
}

#[tokio::test]
async fn the_first_example_scores_its_components_from_the_ledger() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let tern = setup.truth.credit_examples[0].partner_id;
    let data = partner(
        run(
            &setup,
            json!({"partner_id": tern, "as_of": iso(setup.today)}),
        )
        .await
        .unwrap(),
    );
    let c = &data.assessment.components;
    // 24 months of history hold all 16 invoices; the volume window of 12
    // months holds 15.
    assert_eq!(c.payment_history.inputs.invoices, 16);
    assert_eq!(c.payment_history.inputs.paid, 16);
    assert_eq!(c.payment_history.inputs.unknown_dates, 0);
    assert_eq!(c.order_volume.inputs.n, 15);
    assert_eq!(
        (
            c.payment_history.value,
            c.order_volume.value,
            c.overdue_ratio.value,
            c.relationship_age.value
        ),
        (
            Decimal::from(100),
            Decimal::from(65),
            Decimal::from(100),
            Decimal::from(80)
        )
    );
    assert_eq!(c.relationship_age.inputs.days, Some(400));
    assert_eq!(
        data.partner.name, "Tern Analytics B.V.",
        "the partner read names the customer"
    );
}

#[tokio::test]
async fn past_due_residuals_fall_into_their_buckets() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let curlew = setup.truth.credit_examples[4].partner_id;
    let data = partner(
        run(
            &setup,
            json!({"partner_id": curlew, "as_of": iso(setup.today)}),
        )
        .await
        .unwrap(),
    );
    let overdue = &data.assessment.overdue;
    assert_eq!(overdue.amount, Decimal::from(5_000));
    assert_eq!(overdue.max_days, 30);
    assert_eq!(overdue.buckets.past_due.days_1_30, Decimal::from(5_000));
    assert_eq!(overdue.buckets.not_due, Decimal::from(3_000));
    // P 30 (none paid), V 35, O 37.5, A 30: 12 + 7 + 9.375 + 4.5 = 32.875.
    assert_eq!(data.assessment.score, Decimal::new(3288, 2));
    assert_eq!(data.assessment.band.as_str(), "high");
    assert_eq!(data.assessment.verdict.as_str(), "block");
    assert!(data.assessment.hold_recommended);
    assert_eq!(
        serde_json::to_value(data.hold.suggested_action).unwrap(),
        json!("place_hold")
    );
}

#[tokio::test]
async fn portfolio_mode_ranks_every_customer_with_open_receivables() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let envelope = run(
        &setup,
        json!({"mode": "portfolio", "top": 5, "as_of": iso(setup.today)}),
    )
    .await
    .unwrap();
    let data = portfolio(&envelope);
    assert!(data.evaluated >= 4, "{}", data.evaluated);
    assert_eq!(data.lowest.len(), 5);
    assert!(data.lowest.windows(2).all(|w| w[0].score <= w[1].score));
    assert_eq!(data.blocked_count, data.blocked.len());
    assert!(data.blocked.iter().all(|r| r.verdict.as_str() == "block"));
    // The planted customers with something open are scored as in partner mode.
    let all = run(
        &setup,
        json!({"mode": "portfolio", "top": 100, "as_of": iso(setup.today)}),
    )
    .await
    .unwrap();
    let rows = &portfolio(&all).lowest;
    for example in &setup.truth.credit_examples[1..] {
        let single = partner(
            run(
                &setup,
                json!({"partner_id": example.partner_id, "as_of": iso(setup.today)}),
            )
            .await
            .unwrap(),
        );
        let row = rows
            .iter()
            .find(|r| r.partner_id == example.partner_id)
            .unwrap_or_else(|| panic!("{} missing from the portfolio", example.label));
        assert_eq!(row.score, single.assessment.score, "{}", example.label);
        assert_eq!(
            row.exposure, single.assessment.exposure.total,
            "{}",
            example.label
        );
        assert_eq!(row.verdict, single.assessment.verdict, "{}", example.label);
    }
    let curlew = setup.truth.credit_examples[4].partner_id;
    assert!(
        portfolio(&all)
            .blocked
            .iter()
            .any(|r| r.partner_id == curlew)
    );
    // Nothing open: the first example is not part of the portfolio.
    let tern = setup.truth.credit_examples[0].partner_id;
    assert!(rows.iter().all(|r| r.partner_id != tern));
    assert!(all.summary.starts_with(&format!(
        "{} customers with open receivables evaluated",
        portfolio(&all).evaluated
    )));
}

#[tokio::test]
async fn a_sales_user_without_accounting_rights_is_denied_naming_the_model() {
    let setup = setup(DemoVersion::V17, 20, SALES).await;
    let avocet = setup.truth.credit_examples[2].partner_id;
    let err = run(
        &setup,
        json!({"partner_id": avocet, "as_of": iso(setup.today)}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "ODOO_ACCESS_DENIED", "{err}");
    assert!(err.to_string().contains("account.move"), "{err}");
}

#[tokio::test]
async fn an_accountant_without_sales_rights_gets_the_ledger_with_a_warning() {
    let setup = setup(DemoVersion::V17, 20, ACCOUNTANT).await;
    let godwit = setup.truth.credit_examples[3].partner_id;
    let envelope = run(
        &setup,
        json!({"partner_id": godwit, "as_of": iso(setup.today)}),
    )
    .await
    .unwrap();
    let codes: Vec<&str> = envelope.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["ODOO_ACCESS_DENIED"]);
    assert!(envelope.warnings[0].message.contains("sale.order"));
    let data = partner(envelope);
    // 5,000 + 2,000 − 1,000 without the 3,000 order.
    assert_eq!(data.assessment.exposure.total, Decimal::from(6_000));
    assert_eq!(data.assessment.exposure.uninvoiced_orders, Decimal::ZERO);
}

#[tokio::test]
async fn names_resolve_to_one_customer_or_ask_which() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let avocet = setup.truth.credit_examples[2].partner_id;
    let data = partner(
        run(
            &setup,
            json!({"partner_name": "avocet marine", "as_of": iso(setup.today)}),
        )
        .await
        .unwrap(),
    );
    assert_eq!(data.partner.id, avocet);
    let err = run(&setup, json!({"partner_name": "John Smith"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NEEDS_CLARIFICATION", "{err}");
    assert!(err.to_string().contains("partner_id"), "{err}");
    let err = run(&setup, json!({"partner_name": "Nobody Such Company"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
}

#[tokio::test]
async fn unknown_partners_and_future_dates_are_refused() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let err = run(&setup, json!({"partner_id": 999_999}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
    let err = run(&setup, json!({"partner_id": 1, "as_of": "2999-01-01"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    assert!(err.to_string().contains("`as_of`"), "{err}");
    let err = run(&setup, json!({"partner_id": 1, "order_currency": "XYZ"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    assert!(err.to_string().contains("`order_currency`"), "{err}");
}

#[tokio::test]
async fn an_order_in_another_currency_is_converted_at_the_company_rate() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let plover = setup.truth.credit_examples[1].partner_id;
    let data = partner(
        run(
            &setup,
            json!({"partner_id": plover, "order_amount": 1080, "order_currency": "USD",
                "as_of": iso(setup.today)}),
        )
        .await
        .unwrap(),
    );
    let amount = data.assessment.order.amount;
    // Demo USD rates drift around 1.08 per euro.
    assert!(
        amount > Decimal::from(900) && amount < Decimal::from(1_100),
        "{amount}"
    );
    assert_eq!(data.order_input.currency, "USD");
}

/// Odoo calls of one portfolio run, by method.
async fn portfolio_calls(partners: usize) -> (usize, usize, usize) {
    let setup = setup(DemoVersion::V17, partners, ADMIN).await;
    setup.fake.clear_calls();
    run(
        &setup,
        json!({"mode": "portfolio", "as_of": iso(setup.today)}),
    )
    .await
    .unwrap();
    let calls = setup.fake.calls();
    let grouped = calls
        .iter()
        .filter(|c| c.method == "read_group" || c.method == "formatted_read_group")
        .count();
    let scans = calls.iter().filter(|c| c.method == "search_read").count();
    (calls.len(), grouped, scans)
}

#[tokio::test]
async fn portfolio_calls_do_not_grow_with_the_company() {
    let (small_all, small_grouped, small_search) = portfolio_calls(20).await;
    let (large_all, large_grouped, large_search) = portfolio_calls(300).await;
    // Every total is one grouped read whatever the size: receivable lines,
    // open items, 4 past-due buckets, 2 invoice counts, first invoices and
    // the partial reconciliations.
    assert_eq!((small_grouped, large_grouped), (10, 10));
    // Currency, paid invoices and open orders: one page each below 1,000.
    assert_eq!((small_search, large_search), (3, 3));
    // Partner reads go by 1,000 ids, plus one for commercial entities that
    // hold no receivable line themselves (contacts carrying the lines).
    assert!(
        small_all <= 23 && large_all <= 23,
        "{small_all} vs {large_all}"
    );
    assert!(
        large_all.abs_diff(small_all) <= 1,
        "{small_all} vs {large_all}"
    );
}

#[tokio::test]
async fn one_partner_costs_a_fixed_number_of_calls() {
    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let avocet = setup.truth.credit_examples[2].partner_id;
    setup.fake.clear_calls();
    run(
        &setup,
        json!({"partner_id": avocet, "as_of": iso(setup.today)}),
    )
    .await
    .unwrap();
    let methods: Vec<String> = setup
        .fake
        .calls()
        .iter()
        .map(|c| format!("{}.{}", c.model, c.method))
        .collect();
    assert_eq!(methods.len(), 20, "{methods:#?}");
}

#[tokio::test]
async fn portfolio_exports_every_evaluated_customer_as_a_file() {
    use tools::Summarize;

    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let envelope = run(
        &setup,
        json!({"mode": "portfolio", "top": 2, "as_of": iso(setup.today), "export": "csv"}),
    )
    .await
    .unwrap();
    let data = portfolio(&envelope);
    let files = envelope.attachments();
    assert_eq!(files.len(), 1);
    assert_eq!(
        files[0].file_name,
        format!(
            "credit_portfolio_{}.csv",
            iso(setup.today).replace('-', "_")
        )
    );
    assert!(
        envelope.summary.contains(&files[0].file_name),
        "{}",
        envelope.summary
    );
    assert!(!serde_json::to_string(&envelope).unwrap().contains("files"));
    let mut reader = csv::Reader::from_reader(files[0].bytes.as_slice());
    assert_eq!(&reader.headers().unwrap()[0], "Customer");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Every customer, not only the top 2 listed in the JSON, lowest first.
    assert_eq!(rows.len(), data.evaluated);
    for (row, listed) in rows.iter().zip(&data.lowest) {
        assert_eq!(row[1].parse::<i64>().unwrap(), listed.partner_id);
        assert_eq!(row[4].to_owned(), listed.verdict.as_str());
    }
    let xlsx = run(
        &setup,
        json!({"mode": "portfolio", "as_of": iso(setup.today), "export": "xlsx"}),
    )
    .await
    .unwrap();
    assert!(xlsx.attachments()[0].file_name.ends_with(".xlsx"));
    let err = run(&setup, json!({"partner_id": 7, "export": "csv"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("`export`"), "{err}");
}

#[tokio::test]
async fn a_blocked_check_is_recorded_once_a_day_for_the_cfo_digest() {
    use tools::automations::events::{EventKind, EventSeverity, MemoryEvents, ProductEvents};

    let setup = setup(DemoVersion::V17, 20, ADMIN).await;
    let events = Arc::new(MemoryEvents::default());
    let tool = CreditCheck::with_defaults(
        BASE.parse().unwrap(),
        Arc::new(Fixed(Arc::clone(&setup.client))),
    )
    .with_events(events.clone());
    let call = |args: Value| {
        let args: CreditCheckArgs = serde_json::from_value(args).unwrap();
        let tool = &tool;
        async move { tool.call(&ctx(), args).await.unwrap() }
    };
    let curlew = setup.truth.credit_examples[4].partner_id;
    let as_of = iso(setup.today);
    let blocked = partner(call(json!({"partner_id": curlew, "as_of": as_of})).await);
    assert_eq!(blocked.assessment.verdict.as_str(), "block");
    // Asked again the same day, and the portfolio listing it: no new event.
    call(json!({"partner_id": curlew, "as_of": as_of})).await;
    call(json!({"mode": "portfolio", "as_of": as_of})).await;
    // A customer whose order is allowed records nothing.
    let others: Vec<i64> = setup
        .truth
        .credit_examples
        .iter()
        .map(|e| e.partner_id)
        .filter(|id| *id != curlew)
        .collect();
    let mut allowed = 0;
    for id in others {
        let data = partner(call(json!({"partner_id": id, "as_of": as_of})).await);
        if data.assessment.verdict.as_str() != "block" {
            allowed += 1;
        }
    }
    assert!(allowed > 0);
    // Events are dated when Odoo was read: now.
    let now = chrono::Utc::now();
    let recorded = events
        .events_between(
            1,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(1),
            50,
        )
        .await
        .unwrap();
    let blocked_events: Vec<_> = recorded
        .iter()
        .filter(|e| e.key == format!("res.partner/{}/{}", blocked.partner.commercial_id, as_of))
        .collect();
    assert_eq!(blocked_events.len(), 1, "{recorded:?}");
    let event = blocked_events[0];
    assert_eq!(event.kind, EventKind::CreditBlocked);
    assert_eq!(event.severity, EventSeverity::High);
    assert_eq!(event.source, "credit_check");
    assert!(
        event.description.starts_with(&format!(
            "{}: credit check blocked an order",
            blocked.partner.commercial_name
        )),
        "{}",
        event.description
    );
    assert!(
        event.description.contains("score 32.9"),
        "{}",
        event.description
    );
    let blocks = recorded
        .iter()
        .filter(|e| e.kind == EventKind::CreditBlocked)
        .count();
    let blocked_examples = recorded.len();
    assert_eq!(blocks, blocked_examples, "only blocks are recorded");
}
