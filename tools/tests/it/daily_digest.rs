//! `daily_digest` against the fake Odoo serving the demo company: each
//! role's figures against truth computed by hand from the generated
//! records, the change since the previous digest, the order of attention
//! items, narratives checked against the figures, and bad arguments.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::cash_flow_forecast::{
    ForecastHistory, MemoryForecastHistory, StoredForecast,
};
use tools::automations::daily_digest::{
    CashForecast, CloseStatus, CloseStatuses, DailyDigest, DailyDigestArgs, DigestData,
    DigestHistory, DigestRole, HistoryError, MemoryDigestHistory, Pending, PendingApprovals,
    Priority, StoredDigest, period_of, previous_period,
};
use tools::automations::events::{
    EventKind, EventSeverity, MemoryEvents, ProductEvent, ProductEvents,
};
use tools::automations::narrative::{
    GeneratedBy, NarrativeError, NarrativeProvider, NarrativeRequest, NarrativeText,
};
use tools::demo::{Dataset, DemoSpec, DemoVersion, FakeOdoo, Table, Truth, generate};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Tool, ToolCtx, ToolError, ToolRegistry};

use crate::automations::demo_client_with;

const ADMIN: &str = "admin@harbourline.example";
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
    _fake: FakeOdoo,
    connector: Arc<Fixed>,
    /// The same company as the fake serves, for computing truth by hand.
    dataset: Dataset,
    truth: Truth,
    today: NaiveDate,
}

async fn setup(version: DemoVersion) -> Setup {
    let spec = DemoSpec {
        partners: 40,
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, ADMIN).await;
    Setup {
        _fake: fake,
        connector: Arc::new(Fixed(Arc::new(client))),
        dataset: generate(&spec).dataset,
        truth,
        today: spec.today,
    }
}

impl Setup {
    fn tool(&self) -> DailyDigest {
        DailyDigest::new(BASE.parse().unwrap(), self.connector.clone()).with_clock(noon(self.today))
    }
}

fn noon(day: NaiveDate) -> tools::builtin::Clock {
    let at: DateTime<Utc> = day.and_hms_opt(12, 0, 0).unwrap().and_utc();
    Arc::new(move || at)
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + Duration::from_secs(30),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn run(tool: &DailyDigest, args: Value) -> Result<Envelope<DigestData>, ToolError> {
    let args: DailyDigestArgs = serde_json::from_value(args).unwrap();
    tool.call(&ctx(), args).await
}

fn metric(data: &DigestData, key: &str) -> Decimal {
    data.metrics
        .iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("no metric {key}"))
        .value
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Reads generated records the way a person checking by hand would.
struct Rows<'a> {
    table: &'a Table,
}

impl<'a> Rows<'a> {
    fn of(dataset: &'a Dataset, model: &str) -> Self {
        Self {
            table: dataset.table(model).unwrap(),
        }
    }

    fn filter(&self, keep: impl Fn(&dyn Fn(&str) -> Value) -> bool) -> Vec<i64> {
        self.table
            .records()
            .iter()
            .filter(|r| {
                let get = |field: &str| self.table.value(r, field).cloned().unwrap_or(Value::Null);
                keep(&get)
            })
            .map(|r| r.id)
            .collect()
    }

    fn get(&self, id: i64, field: &str) -> Value {
        let record = self.table.get(id).unwrap();
        self.table
            .value(record, field)
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn sum(&self, ids: &[i64], field: &str) -> Decimal {
        ids.iter().map(|id| dec(&self.get(*id, field))).sum()
    }
}

fn dec(value: &Value) -> Decimal {
    match value {
        Value::Number(n) => n.to_string().parse().unwrap(),
        _ => Decimal::ZERO,
    }
}

fn s(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

fn m2o_id(value: &Value) -> Option<i64> {
    value
        .as_array()
        .and_then(|a| a.first())
        .and_then(Value::as_i64)
}

/// Money as reported: two decimals.
fn money(value: Decimal) -> Decimal {
    value.round_dp(2)
}

#[tokio::test]
async fn cfo_figures_match_the_records() {
    let setup = setup(DemoVersion::V17).await;
    let d = iso(setup.today);
    let week = iso(setup.today + Days::new(7));
    let moves = Rows::of(&setup.dataset, "account.move");
    let open = |get: &dyn Fn(&str) -> Value, move_type: &str| {
        m2o_id(&get("company_id")) == Some(1)
            && s(&get("state")) == "posted"
            && s(&get("move_type")) == move_type
            && ["not_paid", "partial"].contains(&s(&get("payment_state")))
    };
    let due = |get: &dyn Fn(&str) -> Value| get("invoice_date_due").as_str().map(str::to_owned);
    let overdue_receivables =
        moves.filter(|get| open(get, "out_invoice") && due(get).is_some_and(|x| x < d));
    let open_payables = moves.filter(|get| open(get, "in_invoice"));
    let overdue_payables =
        moves.filter(|get| open(get, "in_invoice") && due(get).is_some_and(|x| x < d));
    let due_7d =
        moves.filter(|get| open(get, "in_invoice") && due(get).is_some_and(|x| x >= d && x < week));
    assert!(!overdue_receivables.is_empty() && !overdue_payables.is_empty());
    // Cash: the bank and cash journals' accounts, posted, up to today.
    let journals = Rows::of(&setup.dataset, "account.journal");
    let accounts: Vec<i64> = journals
        .filter(|get| ["bank", "cash"].contains(&s(&get("type"))))
        .iter()
        .filter_map(|j| m2o_id(&journals.get(*j, "default_account_id")))
        .collect();
    let lines = Rows::of(&setup.dataset, "account.move.line");
    let cash_lines = lines.filter(|get| {
        m2o_id(&get("account_id")).is_some_and(|a| accounts.contains(&a))
            && s(&get("parent_state")) == "posted"
            && s(&get("date")) <= d.as_str()
    });

    let envelope = run(&setup.tool(), json!({"role": "cfo", "date": d}))
        .await
        .unwrap();
    let data = &envelope.data;
    let residual = "amount_residual_signed";
    for (key, expected) in [
        (
            "overdue_receivables_count",
            Decimal::from(overdue_receivables.len()),
        ),
        (
            "overdue_receivables_total",
            money(moves.sum(&overdue_receivables, residual)),
        ),
        ("open_payables_count", Decimal::from(open_payables.len())),
        (
            "open_payables_total",
            money(moves.sum(&open_payables, residual)),
        ),
        (
            "overdue_payables_count",
            Decimal::from(overdue_payables.len()),
        ),
        (
            "overdue_payables_total",
            money(moves.sum(&overdue_payables, residual)),
        ),
        ("payables_due_7d_count", Decimal::from(due_7d.len())),
        ("payables_due_7d_total", money(moves.sum(&due_7d, residual))),
        ("cash_position", money(lines.sum(&cash_lines, "balance"))),
    ] {
        assert_eq!(money(metric(data, key)), expected, "{key}");
    }
    assert!(
        metric(data, "open_payables_total") < Decimal::ZERO,
        "payables are negative"
    );
    // The top ten overdue invoices, largest first, with their links.
    let mut by_residual = overdue_receivables.clone();
    by_residual.sort_by(|a, b| {
        dec(&moves.get(*b, residual))
            .cmp(&dec(&moves.get(*a, residual)))
            .then(a.cmp(b))
    });
    by_residual.truncate(10);
    let first = &data.attention[0];
    assert_eq!(first.priority, Priority::High);
    assert!(first.title.starts_with(&format!(
        "{} overdue customer invoices",
        overdue_receivables.len()
    )));
    let linked: Vec<i64> = first.links.iter().map(|l| l.id).collect();
    assert_eq!(linked, by_residual);
    assert_eq!(
        first.links[0].url,
        format!(
            "{BASE}/web#id={}&model=account.move&view_type=form",
            by_residual[0]
        )
    );
    assert_eq!(data.generated_by, GeneratedBy::Template);
    assert_eq!(data.headline, format!("CFO briefing — {d}"));
    assert!(envelope.summary.chars().count() <= 600);
}

#[tokio::test]
async fn sales_figures_match_the_records() {
    let setup = setup(DemoVersion::V17).await;
    let d = iso(setup.today);
    // Seven days back from midnight in Amsterdam (UTC+1 in March), in UTC.
    let since = format!("{} 23:00:00", iso(setup.today - Days::new(8)));
    let leads = Rows::of(&setup.dataset, "crm.lead");
    let opportunity = |get: &dyn Fn(&str) -> Value| {
        m2o_id(&get("company_id")) == Some(1) && s(&get("type")) == "opportunity"
    };
    let pipeline = leads.filter(|get| {
        opportunity(get) && get("active") == json!(true) && s(&get("won_status")) != "won"
    });
    let weighted: Decimal = pipeline
        .iter()
        .map(|id| {
            dec(&leads.get(*id, "expected_revenue")) * dec(&leads.get(*id, "probability"))
                / Decimal::ONE_HUNDRED
        })
        .sum();
    let at_risk: Vec<i64> = pipeline
        .iter()
        .copied()
        .filter(|id| {
            leads
                .get(*id, "date_deadline")
                .as_str()
                .is_some_and(|x| x < d.as_str())
        })
        .collect();
    let won = leads.filter(|get| {
        opportunity(get)
            && get("active") == json!(true)
            && s(&get("won_status")) == "won"
            && s(&get("date_closed")) >= since.as_str()
    });
    let lost = leads.filter(|get| {
        m2o_id(&get("company_id")) == Some(1)
            && get("active") == json!(false)
            && dec(&get("probability")).is_zero()
            && s(&get("date_closed")) >= since.as_str()
    });
    assert!(!pipeline.is_empty() && !at_risk.is_empty());
    // The planted deals are found by hand too; the one lost 12 days ago is not.
    assert_eq!(won, setup.truth.digest.won_7d);
    assert_eq!(lost, setup.truth.digest.lost_7d);

    let envelope = run(&setup.tool(), json!({"role": "sales_manager", "date": d}))
        .await
        .unwrap();
    let data = &envelope.data;
    let revenue = "expected_revenue";
    for (key, expected) in [
        ("pipeline_count", Decimal::from(pipeline.len())),
        ("pipeline_value", money(leads.sum(&pipeline, revenue))),
        ("pipeline_weighted", money(weighted)),
        ("at_risk_count", Decimal::from(at_risk.len())),
        ("at_risk_value", money(leads.sum(&at_risk, revenue))),
        ("won_7d_count", Decimal::from(won.len())),
        ("won_7d_value", money(leads.sum(&won, revenue))),
        ("lost_7d_count", Decimal::from(lost.len())),
        ("lost_7d_value", money(leads.sum(&lost, revenue))),
        // The planted ones: two for the salesperson, one for the admin;
        // one due today and one on a contact do not count.
        ("overdue_activities", Decimal::from(3)),
    ] {
        assert_eq!(money(metric(data, key)), expected, "{key}");
    }
    let planted = &setup.truth.digest.overdue_activities;
    assert_eq!(planted.len(), 3);
    let mut sorted: Vec<u64> = data.activities_by_user.values().copied().collect();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![1, 2]);
    // 45,000 lost against 30,000 won: a low-priority item, last.
    let last = data.attention.last().unwrap();
    assert_eq!(last.priority, Priority::Low);
    assert_eq!(
        last.title,
        "Lost 45,000.00 EUR in the last 7 days, more than the 30,000.00 EUR won"
    );
}

#[tokio::test]
async fn warehouse_figures_match_the_records() {
    for version in [DemoVersion::V17, DemoVersion::V18] {
        let setup = setup(version).await;
        let d = setup.today;
        // Midnight in Amsterdam (UTC+1 in March) as Odoo's UTC text.
        let start = format!("{} 23:00:00", iso(d - Days::new(1)));
        let end = format!("{} 23:00:00", iso(d));
        let products = Rows::of(&setup.dataset, "product.product");
        let out_of_stock = products.filter(|get| {
            let storable = match version {
                DemoVersion::V17 => s(&get("type")) == "product",
                DemoVersion::V18 | DemoVersion::V19 => get("is_storable") == json!(true),
            };
            storable && get("active") == json!(true) && dec(&get("qty_available")) <= Decimal::ZERO
        });
        let pickings = Rows::of(&setup.dataset, "stock.picking");
        let open = |get: &dyn Fn(&str) -> Value, code: &str| {
            s(&get("picking_type_code")) == code
                && ["confirmed", "waiting", "assigned"].contains(&s(&get("state")))
        };
        let scheduled = |get: &dyn Fn(&str) -> Value| s(&get("scheduled_date")).to_owned();
        let today = pickings
            .filter(|get| open(get, "outgoing") && scheduled(get) >= start && scheduled(get) < end);
        let late = pickings.filter(|get| open(get, "outgoing") && scheduled(get) < start);
        let receipts = pickings.filter(|get| open(get, "incoming"));
        let late_receipts = pickings.filter(|get| open(get, "incoming") && scheduled(get) < start);
        let planted = &setup.truth.digest;
        for id in &planted.late_deliveries {
            assert!(late.contains(id));
        }
        assert!(today.contains(&planted.deliveries_today[0]));
        assert!(late_receipts.contains(&planted.late_receipts[0]));
        assert!(!late_receipts.contains(&planted.pending_receipts[0]));

        let envelope = run(
            &setup.tool(),
            json!({"role": "warehouse_manager", "date": iso(d)}),
        )
        .await
        .unwrap();
        let data = &envelope.data;
        for (key, expected) in [
            ("out_of_stock", out_of_stock.len()),
            ("below_reorder", planted.below_reorder.len()),
            ("deliveries_today", today.len()),
            ("deliveries_late", late.len()),
            ("receipts_pending", receipts.len()),
            ("receipts_late", late_receipts.len()),
        ] {
            assert_eq!(
                metric(data, key),
                Decimal::from(expected),
                "{version:?} {key}"
            );
        }
        let reorder = data
            .attention
            .iter()
            .find(|a| a.title.contains("reordering rules"))
            .unwrap();
        let ids: Vec<i64> = reorder.links.iter().map(|l| l.id).collect();
        // Largest shortfall first: 20 − 5 before 10 − 3.
        assert_eq!(ids, planted.below_reorder);
        assert!(
            reorder
                .links
                .iter()
                .all(|l| l.model == "stock.warehouse.orderpoint")
        );
    }
}

#[tokio::test]
async fn attention_items_come_by_priority_then_amount() {
    let setup = setup(DemoVersion::V17).await;
    let tool = setup.tool();
    let d = iso(setup.today);
    let rank = |p: Priority| match p {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Low => 2,
    };
    for role in ["cfo", "sales_manager", "warehouse_manager"] {
        let data = run(&tool, json!({"role": role, "date": d}))
            .await
            .unwrap()
            .data;
        assert!(!data.attention.is_empty(), "{role}");
        for pair in data.attention.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                rank(a.priority) <= rank(b.priority),
                "{role}: {a:?} before {b:?}"
            );
            if a.priority == b.priority
                && let (Some(x), Some(y)) = (a.amount, b.amount)
            {
                assert!(x >= y, "{role}: amounts out of order");
            }
        }
        assert!(data.attention.iter().all(|a| !a.links.is_empty()), "{role}");
    }
    let warehouse = run(&tool, json!({"role": "warehouse_manager", "date": d}))
        .await
        .unwrap()
        .data;
    let titles: Vec<&str> = warehouse
        .attention
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert!(titles[0].ends_with("late deliveries"), "{titles:?}");
    let receipts = titles
        .iter()
        .position(|t| t.ends_with("late receipts"))
        .unwrap();
    let reorder = titles
        .iter()
        .position(|t| t.contains("reordering"))
        .unwrap();
    assert!(receipts < reorder, "rule order breaks ties: {titles:?}");
    // The template names the top three.
    for title in titles.iter().take(3) {
        assert!(warehouse.summary.contains(title), "{}", warehouse.summary);
    }
}

#[tokio::test]
async fn the_second_digest_shows_the_change_since_the_first() {
    let setup = setup(DemoVersion::V17).await;
    let history = Arc::new(MemoryDigestHistory::new());
    let tool = setup.tool().with_history(history.clone());
    let week_ago = iso(setup.today - Days::new(7));
    let first = run(&tool, json!({"role": "cfo", "date": week_ago}))
        .await
        .unwrap()
        .data;
    assert!(
        first
            .metrics
            .iter()
            .all(|m| m.previous.is_none() && m.change_pct.is_none())
    );
    let second = run(&tool, json!({"role": "cfo", "date": iso(setup.today)}))
        .await
        .unwrap()
        .data;
    let mut changed = 0;
    for (now, before) in second.metrics.iter().zip(&first.metrics) {
        assert_eq!(now.key, before.key);
        assert_eq!(now.previous, Some(before.value), "{}", now.key);
        let expected = (!before.value.is_zero()).then(|| {
            ((now.value - before.value) / before.value.abs() * Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        });
        assert_eq!(now.change_pct, expected, "{}", now.key);
        if expected.is_some_and(|c| !c.is_zero()) {
            changed += 1;
        }
    }
    assert!(changed > 0, "a week later some figure moved");
    // Another role or company starts afresh.
    let sales = run(
        &tool,
        json!({"role": "sales_manager", "date": iso(setup.today)}),
    )
    .await
    .unwrap()
    .data;
    assert!(sales.metrics.iter().all(|m| m.previous.is_none()));
    let stored = history
        .previous(1, DigestRole::Cfo, setup.today + Days::new(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.date, setup.today);
}

#[tokio::test]
async fn a_stored_zero_gives_no_percentage() {
    let setup = setup(DemoVersion::V17).await;
    let history = Arc::new(MemoryDigestHistory::new());
    let previous = StoredDigest {
        date: setup.today - Days::new(1),
        values: [
            ("overdue_receivables_count".to_owned(), Decimal::ZERO),
            ("open_payables_count".to_owned(), Decimal::from(-4)),
        ]
        .into_iter()
        .collect(),
    };
    history.record(1, DigestRole::Cfo, previous).await.unwrap();
    let tool = setup.tool().with_history(history);
    let data = run(&tool, json!({"role": "cfo", "date": iso(setup.today)}))
        .await
        .unwrap()
        .data;
    let get = |key: &str| data.metrics.iter().find(|m| m.key == key).unwrap();
    assert_eq!(
        get("overdue_receivables_count").previous,
        Some(Decimal::ZERO)
    );
    assert_eq!(get("overdue_receivables_count").change_pct, None);
    let payables = get("open_payables_count");
    // (n − (−4)) / |−4| × 100
    let expected = (payables.value + Decimal::from(4)) / Decimal::from(4) * Decimal::ONE_HUNDRED;
    assert_eq!(payables.change_pct, Some(expected.round_dp(1)));
    assert_eq!(get("cash_position").previous, None);
}

/// Answers with text built from the digest it is given, and records it.
struct Writer {
    write: fn(&Value) -> NarrativeText,
    asked: Mutex<u32>,
}

#[async_trait]
impl NarrativeProvider for Writer {
    async fn write(&self, request: &NarrativeRequest<'_>) -> Result<NarrativeText, NarrativeError> {
        *self.asked.lock().unwrap() += 1;
        Ok((self.write)(request.data))
    }
}

fn first_display(data: &Value) -> String {
    data["metrics"][0]["display"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_narrative_with_a_wrong_number_is_dropped_for_the_template() {
    let setup = setup(DemoVersion::V17).await;
    let d = iso(setup.today);
    let honest = Arc::new(Writer {
        write: |data| NarrativeText {
            headline: format!("Overdue invoices: {}", data["metrics"][0]["value"]),
            summary: format!(
                "Overdue receivables stand at {}. Chase the largest invoices first.",
                data["metrics"][1]["display"].as_str().unwrap()
            ),
        },
        asked: Mutex::new(0),
    });
    let tool = setup.tool().with_narrator(honest.clone());
    let envelope = run(&tool, json!({"role": "cfo", "date": d})).await.unwrap();
    assert_eq!(envelope.data.generated_by, GeneratedBy::Llm);
    assert!(
        envelope
            .data
            .summary
            .starts_with("Overdue receivables stand at")
    );
    assert!(
        envelope
            .warnings
            .iter()
            .all(|w| !w.code.starts_with("NARRATIVE"))
    );

    let inventive = Arc::new(Writer {
        write: |data| NarrativeText {
            headline: format!("{} overdue, up 12.3%", first_display(data)),
            summary: "Receivables grew. Chase them.".to_owned(),
        },
        asked: Mutex::new(0),
    });
    let tool = setup.tool().with_narrator(inventive.clone());
    let envelope = run(&tool, json!({"role": "cfo", "date": d})).await.unwrap();
    assert_eq!(*inventive.asked.lock().unwrap(), 1);
    assert_eq!(envelope.data.generated_by, GeneratedBy::Template);
    assert_eq!(envelope.data.headline, format!("CFO briefing — {d}"));
    let warning = envelope
        .warnings
        .iter()
        .find(|w| w.code == "NARRATIVE_REJECTED")
        .unwrap();
    assert!(warning.message.contains("12.3%"), "{}", warning.message);

    // narrative: false never asks the model.
    let quiet = Arc::new(Writer {
        write: |_| panic!("not asked"),
        asked: Mutex::new(0),
    });
    let tool = setup.tool().with_narrator(quiet.clone());
    let envelope = run(&tool, json!({"role": "cfo", "date": d, "narrative": false}))
        .await
        .unwrap();
    assert_eq!(envelope.data.generated_by, GeneratedBy::Template);
    assert_eq!(*quiet.asked.lock().unwrap(), 0);
}

#[tokio::test]
async fn bad_arguments_are_refused_naming_the_argument() {
    let setup = setup(DemoVersion::V17).await;
    let registry = ToolRegistry::builder()
        .register(setup.tool())
        .build()
        .unwrap();
    let call = |args: Value| {
        let registry = &registry;
        async move {
            registry
                .dispatch(
                    &ctx(),
                    "call_1",
                    "daily_digest",
                    &args.to_string(),
                    Duration::from_secs(20),
                )
                .await
                .result
                .unwrap_err()
        }
    };
    let err = call(json!({"role": "ceo"})).await;
    assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
    for role in ["cfo", "sales_manager", "warehouse_manager"] {
        assert!(err.to_string().contains(role), "{err}");
    }
    let tomorrow = iso(setup.today + Days::new(1));
    for (args, field) in [
        (json!({"role": "cfo", "date": tomorrow}), "`date`"),
        (json!({"role": "cfo", "date": "16-03-2026"}), "`date`"),
        (json!({"role": "cfo", "company_id": 0}), "`company_id`"),
    ] {
        let err = call(args).await;
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        assert!(err.to_string().contains(field), "{err}");
    }
    let err = call(json!({"role": "cfo", "company_id": 999})).await;
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
}

/// Three proposals, the oldest made 50 hours ago.
struct Waiting;

#[async_trait]
impl PendingApprovals for Waiting {
    async fn pending_approvals(
        &self,
        _company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Pending, HistoryError> {
        Ok(Pending {
            count: 3,
            oldest_created_at: Some(now - chrono::Duration::hours(50)),
            targets: vec![
                ("res.partner".to_owned(), 41),
                ("res.partner".to_owned(), 42),
                ("crm.lead".to_owned(), 7),
            ],
        })
    }
}

#[tokio::test]
async fn approvals_pending_for_over_two_days_need_attention() {
    let setup = setup(DemoVersion::V17).await;
    let tool = setup.tool().with_approvals(Arc::new(Waiting));
    let data = run(&tool, json!({"role": "cfo", "date": iso(setup.today)}))
        .await
        .unwrap()
        .data;
    assert_eq!(metric(&data, "pending_approvals"), Decimal::from(3));
    let item = data
        .attention
        .iter()
        .find(|a| a.title == "3 proposals awaiting approval, the oldest for 50 hours")
        .unwrap();
    assert_eq!(item.priority, Priority::Medium);
    // Each item links the records it is about (spec 7.4).
    let links: Vec<(&str, i64)> = item
        .links
        .iter()
        .map(|l| (l.model.as_str(), l.id))
        .collect();
    assert_eq!(
        links,
        [("res.partner", 41), ("res.partner", 42), ("crm.lead", 7)]
    );
    assert!(
        item.links[2]
            .url
            .ends_with("/web#id=7&model=crm.lead&view_type=form"),
        "{}",
        item.links[2].url
    );
    // Without a source the figure is left out.
    let plain = run(
        &setup.tool(),
        json!({"role": "cfo", "date": iso(setup.today)}),
    )
    .await
    .unwrap()
    .data;
    assert!(plain.metrics.iter().all(|m| m.key != "pending_approvals"));
}

/// This and last month's closings as a test sets them.
struct Closings(Vec<CloseStatus>);

#[async_trait]
impl CloseStatuses for Closings {
    async fn close_status(
        &self,
        _company_id: i64,
        period: &str,
    ) -> Result<Option<CloseStatus>, HistoryError> {
        Ok(self.0.iter().find(|c| c.period == period).cloned())
    }
}

fn close(period: &str, readiness: u32, open: &[&str]) -> CloseStatus {
    CloseStatus {
        period: period.to_owned(),
        status: "open".to_owned(),
        readiness,
        open_checks: open.iter().map(|k| (*k).to_owned()).collect(),
    }
}

fn stored_run(company: i64, as_of: NaiveDate, gaps: &[NaiveDate]) -> StoredForecast {
    StoredForecast {
        company_id: company,
        as_of,
        horizon_days: 90,
        threshold: Decimal::from(5_000),
        gap_dates: gaps.to_vec(),
        predictions: Vec::new(),
    }
}

#[tokio::test]
async fn the_cfo_sees_the_latest_forecasts_first_gap_and_a_gap_within_30_days_is_high() {
    let setup = setup(DemoVersion::V17).await;
    let d = setup.today;
    let day = |n: i64| d + chrono::Duration::days(n);
    let forecasts = Arc::new(MemoryForecastHistory::new());
    // The latest run on or before the day is two days old; its gap of
    // yesterday is over, the next one is 12 days away.
    for run in [
        stored_run(1, day(-9), &[day(1)]),
        stored_run(1, day(-2), &[day(-1), day(12), day(13)]),
        stored_run(1, day(1), &[day(2)]),
        stored_run(2, day(0), &[day(3)]),
    ] {
        forecasts.record_forecast(&run).await.unwrap();
    }
    let tool = setup.tool().with_forecasts(forecasts.clone());
    let data = run(&tool, json!({"role": "cfo", "date": iso(d)}))
        .await
        .unwrap()
        .data;
    assert_eq!(
        data.cash_forecast,
        Some(CashForecast {
            forecast_as_of: day(-2),
            threshold: Decimal::from(5_000),
            first_gap_date: Some(day(12)),
        })
    );
    let gap = data
        .metrics
        .iter()
        .find(|m| m.key == "cash_first_gap_days")
        .unwrap();
    assert_eq!(gap.value, Decimal::from(12));
    assert_eq!(gap.display, format!("12 ({})", day(12)));
    let item = data
        .attention
        .iter()
        .find(|a| a.title == format!("Cash gap forecast on {}, in 12 days", day(12)))
        .unwrap();
    assert_eq!(item.priority, Priority::High);
    assert!(item.detail.contains("5,000.00"), "{}", item.detail);
    // It links the bank and cash journals the forecast runs over.
    assert!(!item.links.is_empty());
    assert!(
        item.links.iter().all(|l| l.model == "account.journal"
            && l.url
                .contains(&format!("id={}&model=account.journal", l.id))),
        "{:?}",
        item.links
    );
    assert!(
        item.detail.contains(&day(-2).to_string()),
        "{}",
        item.detail
    );

    // A gap 31 days away is reported, but needs no attention yet; one 30
    // days away does.
    for (distance, urgent) in [(31, false), (30, true)] {
        let forecasts = Arc::new(MemoryForecastHistory::new());
        forecasts
            .record_forecast(&stored_run(1, d, &[day(distance)]))
            .await
            .unwrap();
        let data = run(
            &setup.tool().with_forecasts(forecasts),
            json!({"role": "cfo", "date": iso(d)}),
        )
        .await
        .unwrap()
        .data;
        assert_eq!(
            metric(&data, "cash_first_gap_days"),
            Decimal::from(distance)
        );
        let flagged = data
            .attention
            .iter()
            .any(|a| a.title.starts_with("Cash gap"));
        assert_eq!(flagged, urgent, "gap in {distance} days");
    }
    // A forecast without a gap: no figure, no item; no forecast: nothing.
    let calm = Arc::new(MemoryForecastHistory::new());
    calm.record_forecast(&stored_run(1, d, &[])).await.unwrap();
    let data = run(
        &setup.tool().with_forecasts(calm),
        json!({"role": "cfo", "date": iso(d)}),
    )
    .await
    .unwrap()
    .data;
    assert_eq!(data.cash_forecast.unwrap().first_gap_date, None);
    assert!(data.metrics.iter().all(|m| m.key != "cash_first_gap_days"));
    let plain = run(&setup.tool(), json!({"role": "cfo", "date": iso(d)}))
        .await
        .unwrap();
    assert!(plain.data.cash_forecast.is_none());
    let json = serde_json::to_value(&plain.data).unwrap();
    assert!(json.get("cash_forecast").is_none() && json.get("close_status").is_none());
}

#[tokio::test]
async fn last_months_closing_below_70_is_medium_during_the_first_ten_days() {
    let setup = setup(DemoVersion::V17).await;
    // A day in the first ten of the demo's month, and one after.
    let early = setup.today.with_day(setup.today.day().min(10)).unwrap();
    let (this, last) = (period_of(early), previous_period(early));
    let closings = |readiness: u32| {
        Arc::new(Closings(vec![
            close(&last, readiness, &["bank_unreconciled", "final_review"]),
            close(&this, 20, &["draft_entries"]),
        ]))
    };
    let tool = setup.tool().with_closes(closings(65));
    let data = run(&tool, json!({"role": "cfo", "date": iso(early)}))
        .await
        .unwrap()
        .data;
    assert_eq!(data.close_status.len(), 2);
    assert_eq!(data.close_status[0].period, last, "previous month first");
    assert_eq!(metric(&data, "close_readiness_previous"), Decimal::from(65));
    assert_eq!(
        metric(&data, "close_open_checks_previous"),
        Decimal::from(2)
    );
    assert_eq!(metric(&data, "close_readiness_current"), Decimal::from(20));
    assert_eq!(metric(&data, "close_open_checks_current"), Decimal::from(1));
    let item = data
        .attention
        .iter()
        .find(|a| a.title == format!("Closing of {last} is 65% ready"))
        .unwrap();
    assert_eq!(item.priority, Priority::Medium);
    assert_eq!(item.detail, "Open checks: bank_unreconciled, final_review.");
    // Lock dates are set on the company's form.
    let links: Vec<(&str, i64)> = item
        .links
        .iter()
        .map(|l| (l.model.as_str(), l.id))
        .collect();
    assert_eq!(links, [("res.company", setup.truth.company_id)]);
    // Readiness 70 is enough; the current month never counts.
    let ready = run(
        &setup.tool().with_closes(closings(70)),
        json!({"role": "cfo", "date": iso(early)}),
    )
    .await
    .unwrap()
    .data;
    assert!(
        ready
            .attention
            .iter()
            .all(|a| !a.title.starts_with("Closing"))
    );
    // After the tenth, last month's closing is reported without an item.
    let late = early.with_day(1).unwrap() - Days::new(1);
    let late = late.with_day(20).unwrap();
    let tool = setup.tool().with_closes(Arc::new(Closings(vec![
        close(&period_of(late), 10, &[]),
        close(&previous_period(late), 10, &[]),
    ])));
    let data = run(&tool, json!({"role": "cfo", "date": iso(late)}))
        .await
        .unwrap()
        .data;
    assert_eq!(metric(&data, "close_readiness_previous"), Decimal::from(10));
    assert!(
        data.attention
            .iter()
            .all(|a| !a.title.starts_with("Closing"))
    );
}

fn recorded(company: i64, key: &str, at: DateTime<Utc>, severity: EventSeverity) -> ProductEvent {
    ProductEvent {
        company_id: company,
        kind: EventKind::CreditBlocked,
        key: key.to_owned(),
        severity,
        description: format!("event {key}"),
        source: "credit_check".to_owned(),
        occurred_at: at,
    }
}

#[tokio::test]
async fn anomalies_are_the_last_24_hours_of_recorded_events_newest_first_at_most_ten() {
    let setup = setup(DemoVersion::V17).await;
    let now = setup.today.and_hms_opt(12, 0, 0).unwrap().and_utc();
    let events = Arc::new(MemoryEvents::default());
    for minutes in 1..=12 {
        let at = now - chrono::Duration::minutes(minutes * 100);
        let severity = if minutes == 1 {
            EventSeverity::High
        } else {
            EventSeverity::Low
        };
        events
            .record_event(&recorded(1, &format!("m{minutes}"), at, severity))
            .await
            .unwrap();
    }
    for event in [
        // 24 hours and a minute ago; another company; after "now".
        recorded(
            1,
            "old",
            now - chrono::Duration::minutes(24 * 60 + 1),
            EventSeverity::High,
        ),
        recorded(
            2,
            "other",
            now - chrono::Duration::minutes(5),
            EventSeverity::High,
        ),
        recorded(
            1,
            "future",
            now + chrono::Duration::minutes(5),
            EventSeverity::High,
        ),
    ] {
        events.record_event(&event).await.unwrap();
    }
    let tool = setup.tool().with_events(events.clone());
    let data = run(&tool, json!({"role": "cfo", "date": iso(setup.today)}))
        .await
        .unwrap()
        .data;
    let listed: Vec<(&str, &str)> = data
        .anomalies
        .iter()
        .map(|a| (a.description.as_str(), a.severity.as_str()))
        .collect();
    let mut expected = vec![("event m1", "high")];
    let lows: Vec<String> = (2..=10).map(|m| format!("event m{m}")).collect();
    expected.extend(lows.iter().map(|d| (d.as_str(), "low")));
    assert_eq!(listed, expected, "12 in the window, the 10 newest listed");
    assert!(data.anomalies.iter().all(|a| a.source == "credit_check"));
    // Other roles list none.
    let sales = run(
        &tool,
        json!({"role": "sales_manager", "date": iso(setup.today)}),
    )
    .await
    .unwrap()
    .data;
    assert!(sales.anomalies.is_empty());
}
