//! `nl_report` against the fake Odoo serving the demo company: every
//! catalog dataset with totals checked against sums computed here from the
//! demo records (not through Odoo), the reporting view and its fallback,
//! the keyword planner end to end, comparisons, refusals naming the
//! argument, truncation, exports read back, saved plans and read-only
//! calls.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Amsterdam;
use pretty_assertions::assert_eq;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::TRUNCATED;
use tools::automations::nl_report::{
    CURRENCY_CONVERSION, FALLBACK, NlReport, NlReportArgs, NlReportOutput, PlanSource,
    ReportFormat, ReportPlan, SavedRun, run_saved_plan,
};
use tools::demo::company::add_sale_report;
use tools::demo::{Dataset, DemoSpec, DemoVersion, FakeOdoo, Record, Table, generate};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Summarize, Tool, ToolCtx, ToolError};

const ADMIN: &str = "admin@harbourline.example";

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
    tool: NlReport,
    /// The records the fake serves, to compute expectations without Odoo.
    data: Dataset,
}

/// The demo company (120 partners), with `sale.report` when `view`.
async fn setup(version: DemoVersion, view: bool) -> Setup {
    setup_with(version, 120, view, |_| {}).await
}

/// The demo company of `partners` partners, changed by `edit` before it is
/// served.
async fn setup_with(
    version: DemoVersion,
    partners: usize,
    view: bool,
    edit: impl FnOnce(&mut Dataset),
) -> Setup {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let spec = DemoSpec {
        partners,
        version,
        ..DemoSpec::default()
    };
    let mut data = generate(&spec).dataset;
    if view {
        add_sale_report(&mut data).unwrap();
    }
    edit(&mut data);
    let fake = FakeOdoo::start(data.clone()).await.unwrap();
    let client = Arc::new(crate::client_vs_fake::connect(&fake, ADMIN).await);
    let tool = NlReport::new(Arc::new(Fixed(Arc::clone(&client))));
    Setup {
        fake,
        client,
        tool,
        data,
    }
}

async fn ask(setup: &Setup, args: Value) -> Result<NlReportOutput, ToolError> {
    let mut args = args;
    args["as_of"] = json!("2026-03-16");
    let args: NlReportArgs = serde_json::from_value(args).unwrap();
    setup.tool.call(&ctx(), args).await
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn refused(setup: &Setup, args: Value) -> (String, String) {
    let err = ask(setup, args).await.unwrap_err();
    (err.code().to_owned(), err.to_string())
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A decimal from a JSON cell (`"123.45"` or a number).
fn dec(value: &Value) -> Decimal {
    match value {
        Value::String(s) => Decimal::from_str(s).unwrap(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).unwrap(),
        other => panic!("not a number: {other}"),
    }
}

fn total(output: &NlReportOutput, key: &str) -> Decimal {
    dec(&output.envelope.data.totals[key])
}

/// One demo table read as plain values.
struct Rows<'a>(&'a Table);

impl<'a> Rows<'a> {
    fn of(data: &'a Dataset, model: &str) -> Self {
        Self(data.table(model).unwrap())
    }

    fn all(&self) -> impl Iterator<Item = &'a Record> + '_ {
        self.0.records().iter()
    }

    fn get(&self, record: &Record, field: &str) -> Value {
        self.0
            .value(record, field)
            .cloned()
            .unwrap_or(Value::Bool(false))
    }

    fn text(&self, record: &Record, field: &str) -> String {
        self.get(record, field)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    fn id(&self, record: &Record, field: &str) -> Option<i64> {
        self.get(record, field).get(0).and_then(Value::as_i64)
    }

    fn amount(&self, record: &Record, field: &str) -> Decimal {
        match self.get(record, field) {
            Value::Bool(false) | Value::Null => Decimal::ZERO,
            v => dec(&v),
        }
    }

    fn record(&self, id: i64) -> &'a Record {
        self.0.get(id).unwrap()
    }
}

/// The day a UTC datetime falls on in Amsterdam, the demo company's zone.
fn local_day(utc: &str) -> NaiveDate {
    let at = NaiveDateTime::parse_from_str(utc, "%Y-%m-%d %H:%M:%S").unwrap();
    Utc.from_utc_datetime(&at)
        .with_timezone(&Amsterdam)
        .date_naive()
}

fn within(d: NaiveDate, from: &str, to: &str) -> bool {
    d >= day(from) && d <= day(to)
}

/// Confirmed sales orders of Q1 2026 (in Amsterdam days).
fn q1_orders<'a>(orders: &'a Rows<'a>) -> Vec<&'a Record> {
    orders
        .all()
        .filter(|o| orders.text(o, "state") == "sale")
        .filter(|o| {
            within(
                local_day(&orders.text(o, "date_order")),
                "2026-01-01",
                "2026-03-31",
            )
        })
        .collect()
}

#[tokio::test]
async fn sales_orders_totals_and_rows_equal_the_demo_records() {
    let s = setup(DemoVersion::V17, false).await;
    let out = ask(
        &s,
        json!({"question": "sales orders by customer Q1 2026", "plan": {
            "dataset": "sales_orders",
            "measures": [{"field": "untaxed_amount"}, {"field": "count"}],
            "dimensions": [{"field": "customer"}],
            "period": {"expression": "quarter(1, 2026)"}}}),
    )
    .await
    .unwrap();
    let orders = Rows::of(&s.data, "sale.order");
    let q1 = q1_orders(&orders);
    assert!(
        q1.len() >= 3,
        "the demo has confirmed orders in Q1: {}",
        q1.len()
    );
    let expected: Decimal = q1.iter().map(|o| orders.amount(o, "amount_untaxed")).sum();
    assert_eq!(total(&out, "untaxed_amount"), expected);
    assert_eq!(total(&out, "count"), Decimal::from(q1.len()));
    let mut per_customer: BTreeMap<String, Decimal> = BTreeMap::new();
    for o in &q1 {
        let name = orders.get(o, "partner_id")[1].as_str().unwrap().to_owned();
        *per_customer.entry(name).or_default() += orders.amount(o, "amount_untaxed");
    }
    let data = &out.envelope.data;
    assert_eq!(data.row_count, per_customer.len());
    let got: BTreeMap<String, Decimal> = data
        .rows
        .iter()
        .map(|r| {
            (
                r["customer"].as_str().unwrap().to_owned(),
                dec(&r["untaxed_amount"]),
            )
        })
        .collect();
    assert_eq!(got, per_customer);
    // Largest first by default.
    let amounts: Vec<Decimal> = data
        .rows
        .iter()
        .map(|r| dec(&r["untaxed_amount"]))
        .collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    assert_eq!(data.interpretation.model, "sale.order");
    assert_eq!(data.interpretation.source, PlanSource::Llm);
    let period = data.interpretation.period.as_ref().unwrap();
    assert_eq!(
        (period.from, period.to, period.label.as_str()),
        (day("2026-01-01"), day("2026-03-31"), "Q1 2026")
    );
    assert!(
        out.envelope.warnings.is_empty(),
        "{:?}",
        out.envelope.warnings
    );
    assert!(
        out.summary()
            .starts_with("Sales orders by customer, Q1 2026: Q1 2026"),
        "{}",
        out.summary()
    );
    assert!(out.attachments().is_empty());
}

/// Sales lines of confirmed Q1 2026 orders: (untaxed, quantity, lines).
fn q1_lines(data: &Dataset) -> (Decimal, Decimal, usize) {
    let orders = Rows::of(data, "sale.order");
    let ids: Vec<i64> = q1_orders(&orders).iter().map(|o| o.id).collect();
    let lines = Rows::of(data, "sale.order.line");
    let mine: Vec<&Record> = lines
        .all()
        .filter(|l| lines.id(l, "order_id").is_some_and(|id| ids.contains(&id)))
        .collect();
    (
        mine.iter().map(|l| lines.amount(l, "price_subtotal")).sum(),
        mine.iter()
            .map(|l| lines.amount(l, "product_uom_qty"))
            .sum(),
        mine.len(),
    )
}

#[tokio::test]
async fn sales_read_the_reporting_view_when_installed() {
    let s = setup(DemoVersion::V17, true).await;
    let out = ask(
        &s,
        json!({"question": "sales by category Q1 2026", "plan": {
            "dataset": "sales",
            "measures": [{"field": "untaxed_amount"}, {"field": "quantity"}, {"field": "count"}],
            "dimensions": [{"field": "product_category"}],
            "period": {"expression": "quarter(1, 2026)"}}}),
    )
    .await
    .unwrap();
    let (untaxed, quantity, lines) = q1_lines(&s.data);
    assert_eq!(out.envelope.data.interpretation.model, "sale.report");
    assert_eq!(total(&out, "untaxed_amount"), untaxed);
    assert_eq!(total(&out, "quantity"), quantity);
    assert_eq!(total(&out, "count"), Decimal::from(lines));
    let rows: Decimal = out
        .envelope
        .data
        .rows
        .iter()
        .map(|r| dec(&r["untaxed_amount"]))
        .sum();
    assert_eq!(rows, untaxed);
    assert!(out.envelope.warnings.iter().all(|w| w.code != FALLBACK));
}

#[tokio::test]
async fn sales_fall_back_to_order_lines_with_a_warning_and_the_same_totals() {
    let s = setup(DemoVersion::V17, false).await;
    let plan = json!({"dataset": "sales",
        "measures": [{"field": "untaxed_amount"}, {"field": "quantity"}],
        "dimensions": [{"field": "product"}],
        "period": {"expression": "quarter(1, 2026)"}});
    let out = ask(
        &s,
        json!({"question": "sales by product Q1 2026", "plan": plan}),
    )
    .await
    .unwrap();
    let (untaxed, quantity, _) = q1_lines(&s.data);
    assert_eq!(out.envelope.data.interpretation.model, "sale.order.line");
    assert_eq!(total(&out, "untaxed_amount"), untaxed);
    assert_eq!(total(&out, "quantity"), quantity);
    let warning = out
        .envelope
        .warnings
        .iter()
        .find(|w| w.code == FALLBACK)
        .unwrap();
    assert!(
        warning.message.contains("sale.report is not installed"),
        "{}",
        warning.message
    );
    // What only the view offers is refused, naming the argument.
    let (code, message) = refused(
        &s,
        json!({"question": "sales by category", "plan": {"dataset": "sales",
            "dimensions": [{"field": "product_category"}]}}),
    )
    .await;
    assert_eq!(code, "INVALID_ARGUMENT");
    assert!(message.contains("`plan.dimensions[0].field`"), "{message}");
    assert!(
        message.contains("sale.report is not installed"),
        "{message}"
    );
}

#[tokio::test]
async fn sales_per_customer_and_salesperson_agree_on_the_view_and_the_fallback() {
    let view = setup(DemoVersion::V17, true).await;
    let lines = setup(DemoVersion::V17, false).await;
    for dimension in ["customer", "salesperson"] {
        let plan = json!({"dataset": "sales",
            "measures": [{"field": "untaxed_amount"}, {"field": "count"}],
            "dimensions": [{"field": dimension}],
            "period": {"expression": "quarter(1, 2026)"}});
        let question = json!({"question": format!("sales by {dimension} Q1 2026"), "plan": plan});
        let from_view = ask(&view, question.clone()).await.unwrap();
        let from_lines = ask(&lines, question).await.unwrap();
        assert_eq!(from_view.envelope.data.interpretation.model, "sale.report");
        assert_eq!(
            from_lines.envelope.data.interpretation.model,
            "sale.order.line"
        );
        let sorted = |out: &NlReportOutput| {
            let mut rows: Vec<String> = out
                .envelope
                .data
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r[dimension],
                        dec(&r["untaxed_amount"]),
                        r["count"]
                    )
                })
                .collect();
            rows.sort();
            rows
        };
        let rows = sorted(&from_view);
        assert!(rows.len() > 1 || dimension == "salesperson", "{rows:?}");
        assert_eq!(rows, sorted(&from_lines), "{dimension}");
        assert_eq!(
            total(&from_view, "untaxed_amount"),
            total(&from_lines, "untaxed_amount")
        );
    }
}

#[tokio::test]
async fn invoicing_receivables_pipeline_purchases_contacts_and_stock_match_the_records() {
    let s = setup(DemoVersion::V17, false).await;
    let moves = Rows::of(&s.data, "account.move");
    let customer_docs = |m: &&Record| {
        moves.text(m, "state") == "posted"
            && ["out_invoice", "out_refund"].contains(&moves.text(m, "move_type").as_str())
    };

    // Invoicing over 2025 (account.move: account.invoice.report is absent).
    let out = ask(
        &s,
        json!({"question": "invoicing 2025", "plan": {"dataset": "invoicing",
        "period": {"expression": "year(2025)"}}}),
    )
    .await
    .unwrap();
    let expected: Decimal = moves
        .all()
        .filter(customer_docs)
        .filter(|m| {
            moves
                .get(m, "invoice_date")
                .as_str()
                .is_some_and(|d| within(day(d), "2025-01-01", "2025-12-31"))
        })
        .map(|m| moves.amount(m, "amount_untaxed_signed"))
        .sum();
    assert_eq!(out.envelope.data.interpretation.model, "account.move");
    assert_eq!(total(&out, "untaxed_amount"), expected);
    assert!(expected > Decimal::ZERO);

    // Receivables by due bucket: buckets add up to the total.
    let out = ask(
        &s,
        json!({"question": "receivables by age", "plan": {"dataset": "receivables",
        "dimensions": [{"field": "due_bucket"}], "order": [{"key": "due_bucket"}]}}),
    )
    .await
    .unwrap();
    let open: Vec<&Record> = moves
        .all()
        .filter(|m| {
            moves.text(m, "state") == "posted" && moves.text(m, "move_type") == "out_invoice"
        })
        .filter(|m| ["not_paid", "partial"].contains(&moves.text(m, "payment_state").as_str()))
        .collect();
    let expected: Decimal = open
        .iter()
        .map(|m| moves.amount(m, "amount_residual_signed"))
        .sum();
    assert_eq!(total(&out, "residual"), expected);
    let rows = &out.envelope.data.rows;
    let buckets: Decimal = rows.iter().map(|r| dec(&r["residual"])).sum();
    assert_eq!(buckets, expected);
    let labels: Vec<&str> = rows
        .iter()
        .map(|r| r["due_bucket"].as_str().unwrap())
        .collect();
    assert_eq!(labels.first(), Some(&"Not due"), "{labels:?}");
    let over_90: Decimal = open
        .iter()
        .filter(|m| {
            moves
                .get(m, "invoice_date_due")
                .as_str()
                .is_some_and(|due| day(due) < day("2025-12-16"))
        })
        .map(|m| moves.amount(m, "amount_residual_signed"))
        .sum();
    let shown = rows
        .iter()
        .find(|r| r["due_bucket"] == "Over 90 days overdue")
        .map_or(Decimal::ZERO, |r| dec(&r["residual"]));
    assert_eq!(shown, over_90);

    // Pipeline: open opportunities of the company or of none.
    let out = ask(
        &s,
        json!({"question": "pipeline by stage", "plan": {"dataset": "pipeline",
        "dimensions": [{"field": "stage"}]}}),
    )
    .await
    .unwrap();
    let leads = Rows::of(&s.data, "crm.lead");
    let expected: Decimal = leads
        .all()
        .filter(|l| leads.text(l, "type") == "opportunity" && leads.get(l, "active") == json!(true))
        .filter(|l| leads.id(l, "company_id").is_none_or(|c| c == 1))
        .map(|l| leads.amount(l, "expected_revenue"))
        .sum();
    assert_eq!(total(&out, "expected_revenue"), expected);
    assert!(out.envelope.data.row_count >= 2);

    // Purchases (purchase.order: purchase.report is absent).
    let out = ask(
        &s,
        json!({"question": "purchases by vendor", "plan": {"dataset": "purchases",
        "dimensions": [{"field": "vendor"}]}}),
    )
    .await
    .unwrap();
    let orders = Rows::of(&s.data, "purchase.order");
    let expected: Decimal = orders
        .all()
        .filter(|o| ["purchase", "done"].contains(&orders.text(o, "state").as_str()))
        .map(|o| orders.amount(o, "amount_untaxed"))
        .sum();
    assert_eq!(out.envelope.data.interpretation.model, "purchase.order");
    assert_eq!(total(&out, "untaxed_amount"), expected);

    // Contacts by type: the four buckets add up to every active contact.
    let out = ask(
        &s,
        json!({"question": "contacts by type", "plan": {"dataset": "contacts",
        "dimensions": [{"field": "partner_type"}]}}),
    )
    .await
    .unwrap();
    let partners = Rows::of(&s.data, "res.partner");
    let active = partners
        .all()
        .filter(|p| partners.get(p, "active") == json!(true))
        .filter(|p| partners.id(p, "company_id").is_none_or(|c| c == 1))
        .count();
    assert_eq!(total(&out, "count"), Decimal::from(active));
    let counted: i64 = out
        .envelope
        .data
        .rows
        .iter()
        .map(|r| r["count"].as_i64().unwrap())
        .sum();
    assert_eq!(counted, active as i64);

    // Stock on hand by category, added up from a scan.
    let out = ask(
        &s,
        json!({"question": "stock by category", "plan": {"dataset": "stock",
        "dimensions": [{"field": "product_category"}]}}),
    )
    .await
    .unwrap();
    let products = Rows::of(&s.data, "product.product");
    let expected: Decimal = products
        .all()
        .filter(|p| {
            products.text(p, "type") == "product" && products.get(p, "active") == json!(true)
        })
        .map(|p| products.amount(p, "qty_available"))
        .sum();
    assert_eq!(total(&out, "qty_available"), expected);
    let by_rows: Decimal = out
        .envelope
        .data
        .rows
        .iter()
        .map(|r| dec(&r["qty_available"]))
        .sum();
    assert_eq!(by_rows, expected);
}

#[tokio::test]
async fn a_dataset_whose_module_is_absent_is_module_missing() {
    let s = setup(DemoVersion::V17, false).await;
    let (code, message) = refused(
        &s,
        json!({"question": "expenses", "plan": {"dataset": "expenses"}}),
    )
    .await;
    assert_eq!(code, "MODULE_MISSING", "{message}");
    assert!(message.contains("hr.expense"), "{message}");
}

#[tokio::test]
async fn the_keyword_planner_answers_without_a_model() {
    let s = setup(DemoVersion::V17, false).await;
    let out = ask(
        &s,
        json!({"question": "Sales orders by customer in Q1 2026"}),
    )
    .await
    .unwrap();
    let data = &out.envelope.data;
    assert_eq!(data.interpretation.source, PlanSource::KeywordFallback);
    assert_eq!(data.interpretation.model, "sale.order");
    let orders = Rows::of(&s.data, "sale.order");
    let expected: Decimal = q1_orders(&orders)
        .iter()
        .map(|o| orders.amount(o, "amount_untaxed"))
        .sum();
    assert_eq!(total(&out, "untaxed_amount"), expected);
    assert!(data.columns.iter().any(|c| c.key == "customer"));

    let out = ask(&s, json!({"question": "how many contacts by country"}))
        .await
        .unwrap();
    assert_eq!(out.envelope.data.interpretation.model, "res.partner");
    assert!(out.envelope.data.columns.iter().any(|c| c.key == "country"));

    let out = ask(
        &s,
        json!({"question": "pipeline by stage by salesperson by country"}),
    )
    .await
    .unwrap();
    assert_eq!(
        out.envelope.data.columns[..2]
            .iter()
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>(),
        ["stage", "salesperson"]
    );
    assert!(
        out.envelope
            .warnings
            .iter()
            .any(|w| w.message.contains("by country"))
    );

    let (code, message) = refused(&s, json!({"question": "how are we doing?"})).await;
    assert_eq!(code, "NEEDS_CLARIFICATION");
    assert!(
        message.contains("open receivables by customer"),
        "{message}"
    );
}

#[tokio::test]
async fn a_comparison_joins_the_previous_period_on_the_dimension_values() {
    let s = setup(DemoVersion::V17, false).await;
    let out = ask(
        &s,
        json!({"question": "sales orders by month", "plan": {
        "dataset": "sales_orders",
        "dimensions": [{"field": "date", "granularity": "month"}],
        "period": {"expression": "quarter(1, 2026)"}, "compare": "previous_period"}}),
    )
    .await
    .unwrap();
    let orders = Rows::of(&s.data, "sale.order");
    let sum_between = |from: &str, to: &str| -> Decimal {
        orders
            .all()
            .filter(|o| orders.text(o, "state") == "sale")
            .filter(|o| within(local_day(&orders.text(o, "date_order")), from, to))
            .map(|o| orders.amount(o, "amount_untaxed"))
            .sum()
    };
    let data = &out.envelope.data;
    let compare = data.interpretation.compare.as_ref().unwrap();
    assert_eq!(compare.period.label, "Q4 2025");
    assert_eq!(
        total(&out, "untaxed_amount"),
        sum_between("2026-01-01", "2026-03-31")
    );
    assert_eq!(
        total(&out, "untaxed_amount_prev"),
        sum_between("2025-10-01", "2025-12-31")
    );
    assert_eq!(
        total(&out, "untaxed_amount_delta"),
        sum_between("2026-01-01", "2026-03-31") - sum_between("2025-10-01", "2025-12-31")
    );
    // January is joined with October, February with November, March with
    // December.
    let labels: Vec<&str> = data
        .rows
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["January 2026", "February 2026", "March 2026"]);
    let january = &data.rows[0];
    assert_eq!(
        dec(&january["untaxed_amount"]),
        sum_between("2026-01-01", "2026-01-31")
    );
    assert_eq!(
        dec(&january["untaxed_amount_prev"]),
        sum_between("2025-10-01", "2025-10-31")
    );
    let (cur, prev) = (
        dec(&january["untaxed_amount"]),
        dec(&january["untaxed_amount_prev"]),
    );
    if !prev.is_zero() {
        let pct = ((cur - prev) / prev.abs() * Decimal::ONE_HUNDRED).round_dp(1);
        assert_eq!(dec(&january["untaxed_amount_delta_pct"]), pct);
    } else {
        assert_eq!(january["untaxed_amount_delta_pct"], Value::Null);
    }
}

#[tokio::test]
async fn month_groups_carry_their_start_on_odoo_19_too() {
    let s = setup(DemoVersion::V19, false).await;
    let out = ask(
        &s,
        json!({"question": "sales orders by month", "plan": {
        "dataset": "sales_orders", "dimensions": [{"field": "date"}],
        "period": {"expression": "quarter(1, 2026)"}, "compare": "previous_year"}}),
    )
    .await
    .unwrap();
    assert!(
        s.fake
            .calls()
            .iter()
            .any(|c| c.method == "formatted_read_group")
    );
    let labels: Vec<&str> = out
        .envelope
        .data
        .rows
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["January 2026", "February 2026", "March 2026"]);
    assert_eq!(
        out.envelope
            .data
            .interpretation
            .compare
            .as_ref()
            .unwrap()
            .period
            .label,
        "Q1 2025"
    );
}

#[tokio::test]
async fn bad_plans_are_refused_naming_the_argument() {
    let s = setup(DemoVersion::V17, false).await;
    let plan = |extra: Value| {
        let mut plan = json!({"dataset": "sales_orders"});
        for (k, v) in extra.as_object().unwrap() {
            plan[k] = v.clone();
        }
        json!({"question": "sales orders", "plan": plan})
    };
    let cases = [
        (json!({"question": "hi"}), "INVALID_ARGUMENT", "`question`"),
        (
            json!({"question": "sales", "max_rows": 0}),
            "INVALID_ARGUMENT",
            "`max_rows`",
        ),
        (
            json!({"question": "sales", "max_rows": 10001}),
            "INVALID_ARGUMENT",
            "between 1 and 10000",
        ),
        (
            json!({"question": "sales", "date_from": "2026-03-01", "date_to": "2026-02-01"}),
            "INVALID_ARGUMENT",
            "`date_to`",
        ),
        (
            json!({"question": "sales", "date_from": "01/03/2026", "date_to": "2026-03-31"}),
            "INVALID_ARGUMENT",
            "`date_from`",
        ),
        (
            plan(json!({"measures": [{"field": "quantity"}]})),
            "INVALID_ARGUMENT",
            "`plan.measures[0].field`",
        ),
        (
            plan(json!({"measures": [{"field": "count", "agg": "sum"}]})),
            "INVALID_ARGUMENT",
            "`plan.measures[0].agg`",
        ),
        (
            plan(json!({"dimensions": [{"field": "stage"}]})),
            "INVALID_ARGUMENT",
            "allowed: customer, salesperson, team, date",
        ),
        (
            plan(json!({"dimensions": [{"field": "customer", "granularity": "month"}]})),
            "INVALID_ARGUMENT",
            "`plan.dimensions[0].granularity`",
        ),
        (
            plan(json!({"period": {"expression": "next_month"}})),
            "INVALID_ARGUMENT",
            "`plan.period.expression`",
        ),
        (
            plan(json!({"compare": "previous_year"})),
            "INVALID_ARGUMENT",
            "`compare`",
        ),
        (
            plan(json!({"order": [{"key": "amount_total"}]})),
            "INVALID_ARGUMENT",
            "`plan.order[0].key`",
        ),
        (
            plan(json!({"limit": 0})),
            "INVALID_ARGUMENT",
            "`plan.limit`",
        ),
        (
            plan(json!({"filters": [{"field": "untaxed_amount", "op": ">", "value": "lots"}]})),
            "INVALID_ARGUMENT",
            "`plan.filters[0].value`",
        ),
        (
            plan(json!({"filters": [{"field": "customer", "op": "in", "value": "Avocet"}]})),
            "INVALID_ARGUMENT",
            "`plan.filters[0].value`",
        ),
        (
            plan(json!({"filters": [{"field": "customer", "op": ">", "value": "Avocet"}]})),
            "INVALID_ARGUMENT",
            "`plan.filters[0].op`",
        ),
        (
            plan(
                json!({"filters": [{"field": "customer", "op": "=", "value": "Nobody Of That Name"}]}),
            ),
            "NOT_FOUND",
            "Nobody Of That Name",
        ),
        (
            json!({"question": "stock", "plan": {"dataset": "stock", "period": {"expression": "this_year"}}}),
            "INVALID_ARGUMENT",
            "`plan.period`",
        ),
    ];
    for (args, code, part) in cases {
        let (got, message) = refused(&s, args.clone()).await;
        assert_eq!(got, code, "{args}: {message}");
        assert!(message.contains(part), "{args}: {message}");
    }
    // Unknown names in the plan never reach the tool: the schema refuses them.
    let parsed: Result<NlReportArgs, _> = serde_json::from_value(json!({"question": "sales",
        "plan": {"dataset": "sale_order_line_raw"}}));
    assert!(parsed.is_err());
    let parsed: Result<NlReportArgs, _> = serde_json::from_value(json!({"question": "sales",
        "plan": {"dataset": "sales", "filters": [{"field": "x", "op": "=", "value": 1}]}}));
    assert!(parsed.is_err());
}

#[tokio::test]
async fn filters_resolve_names_and_restrict_the_totals() {
    let s = setup(DemoVersion::V17, false).await;
    let orders = Rows::of(&s.data, "sale.order");
    let q1 = q1_orders(&orders);
    let partner = orders.get(q1[0], "partner_id");
    let (id, name) = (
        partner[0].as_i64().unwrap(),
        partner[1].as_str().unwrap().to_owned(),
    );
    let expected: Decimal = q1
        .iter()
        .filter(|o| orders.id(o, "partner_id") == Some(id))
        .map(|o| orders.amount(o, "amount_untaxed"))
        .sum();
    let out = ask(
        &s,
        json!({"question": "sales orders for one customer", "plan": {
        "dataset": "sales_orders", "period": {"expression": "quarter(1, 2026)"},
        "filters": [{"field": "customer", "op": "=", "value": name}]}}),
    )
    .await
    .unwrap();
    assert_eq!(total(&out, "untaxed_amount"), expected);
    let filters = &out.envelope.data.interpretation.filters;
    assert_eq!(filters.last().unwrap(), &format!("customer = {name}"));
    let by_id = ask(
        &s,
        json!({"question": "sales orders for one customer", "plan": {
        "dataset": "sales_orders", "period": {"expression": "quarter(1, 2026)"},
        "filters": [{"field": "customer", "op": "in", "value": [id]}]}}),
    )
    .await
    .unwrap();
    assert_eq!(total(&by_id, "untaxed_amount"), expected);
    let partners = Rows::of(&s.data, "res.partner");
    let _ = partners.record(id);
}

#[tokio::test]
async fn rows_past_max_rows_are_cut_with_a_warning_but_totals_cover_all() {
    let s = setup(DemoVersion::V17, false).await;
    let full = ask(
        &s,
        json!({"question": "contacts by country", "plan": {"dataset": "contacts",
        "dimensions": [{"field": "country"}]}}),
    )
    .await
    .unwrap();
    assert!(full.envelope.data.row_count > 2);
    assert!(!full.envelope.truncated);
    let cut = ask(
        &s,
        json!({"question": "contacts by country", "max_rows": 2, "plan": {
        "dataset": "contacts", "dimensions": [{"field": "country"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(cut.envelope.data.rows.len(), 2);
    assert_eq!(cut.envelope.data.row_count, full.envelope.data.row_count);
    assert!(cut.envelope.truncated && cut.envelope.data.truncated);
    assert!(cut.envelope.warnings.iter().any(|w| w.code == TRUNCATED));
    assert_eq!(total(&cut, "count"), total(&full, "count"));
    assert_eq!(cut.envelope.data.rows[..], full.envelope.data.rows[..2]);
    // A top-N limit of the plan is the question, not a truncation.
    let top = ask(
        &s,
        json!({"question": "top 2 countries", "plan": {"dataset": "contacts",
        "dimensions": [{"field": "country"}], "limit": 2}}),
    )
    .await
    .unwrap();
    assert_eq!(top.envelope.data.rows.len(), 2);
    assert!(!top.envelope.truncated);
}

#[tokio::test]
async fn xlsx_and_csv_exports_hold_the_rows_and_stay_out_of_the_json() {
    let s = setup(DemoVersion::V17, false).await;
    let args = |format: &str| {
        json!({"question": "sales orders by customer Q1 2026", "format": format, "plan": {
            "dataset": "sales_orders", "dimensions": [{"field": "customer"}],
            "period": {"expression": "quarter(1, 2026)"}, "title": "Q1 customers"}})
    };
    let out = ask(&s, args("xlsx")).await.unwrap();
    let files = out.attachments();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "q1_customers.xlsx");
    let info = out.envelope.data.attachment.as_ref().unwrap();
    assert_eq!(info.bytes, files[0].bytes.len());
    let json = serde_json::to_string(&out).unwrap();
    assert!(
        !json.contains("\"files\""),
        "the bytes stay out of the JSON"
    );
    assert!(
        out.summary().contains("q1_customers.xlsx"),
        "{}",
        out.summary()
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(&files[0].bytes)).unwrap();
    let range = book.worksheet_range("Report").unwrap();
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String("Q1 customers".into()))
    );
    // Title, generated-at and period lines, a blank row, then the header.
    assert_eq!(
        range.get_value((4, 0)),
        Some(&Data::String("Customer".into()))
    );
    for (i, row) in out.envelope.data.rows.iter().enumerate() {
        let at = 5 + i as u32;
        assert_eq!(
            range.get_value((at, 0)),
            Some(&Data::String(row["customer"].as_str().unwrap().into()))
        );
        let Some(Data::Float(amount)) = range.get_value((at, 1)) else {
            panic!("amount is not a number on row {at}");
        };
        assert_eq!(
            Decimal::from_str(&amount.to_string()).unwrap(),
            dec(&row["untaxed_amount"])
        );
    }

    let out = ask(&s, args("csv")).await.unwrap();
    let file = &out.attachments()[0];
    assert_eq!(file.file_name, "q1_customers.csv");
    let mut reader = csv::Reader::from_reader(file.bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["Customer", "Untaxed amount"]
    );
    let rows: Vec<(String, Decimal)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), Decimal::from_str(&r[1]).unwrap())
        })
        .collect();
    let expected: Vec<(String, Decimal)> = out
        .envelope
        .data
        .rows
        .iter()
        .map(|r| {
            (
                r["customer"].as_str().unwrap().to_owned(),
                dec(&r["untaxed_amount"]),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn an_empty_result_is_a_success_saying_no_records_match() {
    let s = setup(DemoVersion::V17, false).await;
    let out = ask(
        &s,
        json!({"question": "sales orders 2010", "plan": {"dataset": "sales_orders",
        "dimensions": [{"field": "customer"}], "period": {"expression": "year(2010)"}}}),
    )
    .await
    .unwrap();
    assert_eq!(out.envelope.data.row_count, 0);
    assert!(out.envelope.data.rows.is_empty());
    assert!(
        out.summary().contains("No records match"),
        "{}",
        out.summary()
    );
}

#[tokio::test]
async fn a_saved_plan_runs_without_a_model_and_only_reads() {
    let s = setup(DemoVersion::V17, true).await;
    let plan: ReportPlan = serde_json::from_value(json!({"dataset": "sales",
        "dimensions": [{"field": "customer"}], "period": {"expression": "quarter(1, 2026)"},
        "title": "Q1 sales by customer"}))
    .unwrap();
    s.fake.clear_calls();
    let out = run_saved_plan(
        &s.client,
        &plan,
        SavedRun {
            format: ReportFormat::Xlsx,
            ..SavedRun::default()
        },
        Utc.with_ymd_and_hms(2026, 4, 2, 6, 0, 0).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        out.envelope.data.interpretation.source,
        PlanSource::SavedPlan
    );
    assert_eq!(out.envelope.data.interpretation.plan, plan);
    assert_eq!(total(&out, "untaxed_amount"), q1_lines(&s.data).0);
    assert_eq!(out.attachments().len(), 1);
    let read_only = [
        "read",
        "search_read",
        "search_count",
        "read_group",
        "formatted_read_group",
        "fields_get",
        "name_search",
        "context_get",
    ];
    for call in s.fake.calls() {
        assert!(
            read_only.contains(&call.method.as_str()),
            "{} {}",
            call.model,
            call.method
        );
    }
    assert!(
        out.envelope
            .warnings
            .iter()
            .all(|w| w.code != CURRENCY_CONVERSION)
    );
}

#[tokio::test]
async fn through_the_registry_plans_pass_the_schema_and_files_stay_out_of_the_models_content() {
    let s = setup(DemoVersion::V17, false).await;
    let registry = tools::ToolRegistry::builder()
        .register(NlReport::new(Arc::new(Fixed(Arc::clone(&s.client)))))
        .build()
        .unwrap();
    let arguments = json!({"question": "sales orders by customer, Q1 2026 vs last year",
        "as_of": "2026-03-16", "format": "xlsx", "max_rows": 50,
        "plan": {"dataset": "sales_orders",
            "measures": [{"field": "untaxed_amount", "agg": "sum"}, {"field": "count"}],
            "dimensions": [{"field": "customer"}],
            "filters": [{"field": "untaxed_amount", "op": ">", "value": 0},
                        {"field": "salesperson", "op": "not in", "value": [999]}],
            "period": {"expression": "quarter(1, 2026)"}, "compare": "previous_year",
            "order": [{"key": "count", "desc": true}], "limit": 20, "title": "Q1 orders"}});
    registry.check_arguments("nl_report", &arguments).unwrap();
    let outcome = registry
        .dispatch(
            &ctx(),
            "call_1",
            "nl_report",
            &arguments.to_string(),
            std::time::Duration::from_secs(30),
        )
        .await;
    let success = outcome.result.as_ref().unwrap();
    assert_eq!(success.attachments.len(), 1);
    assert_eq!(success.attachments[0].file_name, "q1_orders.xlsx");
    let content = outcome.content_for_model().to_string();
    assert!(content.contains("q1_orders.xlsx"));
    assert!(
        !content.contains("PK\\u0003"),
        "no workbook bytes in the model's content"
    );
    assert!(content.len() < 20_000, "{}", content.len());
    // Names outside the catalog fail the schema before the tool runs.
    for bad in [
        json!({"question": "sales", "plan": {"dataset": "account_move_line"}}),
        json!({"question": "sales", "plan": {"dataset": "sales", "measures": [{"field": "price_unit"}]}}),
        json!({"question": "sales", "plan": {"dataset": "sales", "filters": [{"field": "sales", "op": "like", "value": "x"}]}}),
        json!({"question": "sales", "plan": {"dataset": "sales", "domain": [["state", "=", "draft"]]}}),
        json!({"question": "sales", "format": "pdf"}),
    ] {
        let err = registry.check_arguments("nl_report", &bad).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad}");
    }
}

/// Spec 0.3: orders in another currency count in company currency at the
/// company's rate valid on the order date (three USD orders on three
/// days); an order in a currency without a rate is left out with a
/// warning. Sum, average and count agree with a hand computation.
#[tokio::test]
async fn documents_in_another_currency_are_converted_at_the_rate_of_their_date() {
    let mut usd_orders = Vec::new();
    let mut kwd_order = 0;
    let s = setup_with(DemoVersion::V17, 120, false, |data| {
        let currencies = Rows::of(data, "res.currency");
        let code = |name: &str| {
            currencies
                .all()
                .find(|c| currencies.text(c, "name") == name)
                .unwrap()
                .id
        };
        let (usd, kwd) = (code("USD"), code("KWD"));
        let orders = data.table_mut("sale.order").unwrap();
        let currency = orders.position("currency_id").unwrap();
        let state = orders.position("state").unwrap();
        let date = orders.position("date_order").unwrap();
        let mut confirmed = orders
            .records_mut()
            .iter_mut()
            .rev()
            .filter(|o| o.values[state] == json!("sale"));
        // One order in each of three months, so three different rates apply.
        let mut months = BTreeSet::new();
        while usd_orders.len() < 3 {
            let order = confirmed.next().unwrap();
            let day = order.values[date].as_str().unwrap()[..10].to_owned();
            if !months.insert(day[..7].to_owned()) {
                continue;
            }
            order.values[currency] = json!([usd, "USD"]);
            // Noon UTC: the same day in any zone the day is read in.
            order.values[date] = json!(format!("{day} 12:00:00"));
            usd_orders.push(order.id);
        }
        let order = confirmed.next().unwrap();
        order.values[currency] = json!([kwd, "KWD"]);
        kwd_order = order.id;
        // Lines carry their order's currency.
        let lines = data.table_mut("sale.order.line").unwrap();
        let currency = lines.position("currency_id").unwrap();
        let order = lines.position("order_id").unwrap();
        for line in lines.records_mut() {
            let of = line.values[order][0].as_i64().unwrap();
            if usd_orders.contains(&of) {
                line.values[currency] = json!([usd, "USD"]);
            } else if of == kwd_order {
                line.values[currency] = json!([kwd, "KWD"]);
            }
        }
    })
    .await;
    let report = |agg: &str| {
        ask(
            &s,
            json!({"question": "sales orders", "plan": {"dataset": "sales_orders", "measures": [
                {"field": "untaxed_amount", "agg": agg}, {"field": "count"}]}}),
        )
    };
    let out = report("sum").await.unwrap();
    let average = report("avg").await.unwrap();

    let rates = Rows::of(&s.data, "res.currency.rate");
    let usd = Rows::of(&s.data, "res.currency")
        .all()
        .find(|c| Rows::of(&s.data, "res.currency").text(c, "name") == "USD")
        .unwrap()
        .id;
    let rate_on = |day: &str| -> Decimal {
        rates
            .all()
            .filter(|r| rates.id(r, "currency_id") == Some(usd))
            .filter(|r| rates.text(r, "name").as_str() <= day)
            .max_by_key(|r| rates.text(r, "name"))
            .map(|r| rates.amount(r, "rate"))
            .unwrap()
    };
    let orders = Rows::of(&s.data, "sale.order");
    let mut sum = Decimal::ZERO;
    let mut count = 0u32;
    let mut days = BTreeSet::new();
    let mut applied = BTreeSet::new();
    for order in orders.all().filter(|o| orders.text(o, "state") == "sale") {
        let amount = orders.amount(order, "amount_untaxed");
        if order.id == kwd_order {
            continue;
        }
        count += 1;
        sum += if usd_orders.contains(&order.id) {
            let day = orders.text(order, "date_order")[..10].to_owned();
            days.insert(day.clone());
            applied.insert(rate_on(&day));
            amount / rate_on(&day)
        } else {
            amount
        };
    }
    assert_eq!(days.len(), 3, "three USD orders on three days: {days:?}");
    assert_eq!(applied.len(), 3, "three different rates: {applied:?}");
    let cents = |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let key = |out: &NlReportOutput, i: usize| out.envelope.data.columns[i].key.clone();
    assert_eq!(total(&out, &key(&out, 0)), cents(sum));
    assert_eq!(total(&out, &key(&out, 1)), Decimal::from(count));
    assert_eq!(
        total(&average, &key(&average, 0)),
        cents(sum / Decimal::from(count))
    );
    assert_eq!(total(&average, &key(&average, 1)), Decimal::from(count));
    let warning = out
        .envelope
        .warnings
        .iter()
        .find(|w| w.code == CURRENCY_CONVERSION)
        .unwrap();
    assert_eq!(
        warning.message,
        "1 record of sale.order has no rate to EUR on the document date and is left out of \
         the figures: 1 in KWD"
    );

    // Without the sales report view, order lines take their order's date.
    let lines_report = ask(
        &s,
        json!({"question": "sales", "plan": {"dataset": "sales",
            "measures": [{"field": "untaxed_amount", "agg": "sum"}]}}),
    )
    .await
    .unwrap();
    assert_eq!(
        lines_report.envelope.data.interpretation.model,
        "sale.order.line"
    );
    let lines = Rows::of(&s.data, "sale.order.line");
    let mut lines_sum = Decimal::ZERO;
    for line in lines.all() {
        let order = orders.record(lines.id(line, "order_id").unwrap());
        if orders.text(order, "state") != "sale" || order.id == kwd_order {
            continue;
        }
        let amount = lines.amount(line, "price_subtotal");
        lines_sum += if usd_orders.contains(&order.id) {
            amount / rate_on(&orders.text(order, "date_order")[..10])
        } else {
            amount
        };
    }
    assert_eq!(
        total(&lines_report, &key(&lines_report, 0)),
        cents(lines_sum)
    );
    assert!(
        lines_report
            .envelope
            .warnings
            .iter()
            .any(|w| w.code == CURRENCY_CONVERSION && w.message.ends_with("in KWD")),
        "{:?}",
        lines_report.envelope.warnings
    );
}

#[tokio::test]
async fn odoo_calls_do_not_grow_with_the_company() {
    let plan = json!({"question": "sales orders by customer", "plan": {
        "dataset": "sales_orders", "dimensions": [{"field": "customer"}],
        "period": {"expression": "quarter(1, 2026)"}, "compare": "previous_year"}});
    let mut counts = Vec::new();
    for partners in [40, 400] {
        let s = setup_with(DemoVersion::V17, partners, false, |_| {}).await;
        s.fake.clear_calls();
        let out = ask(&s, plan.clone()).await.unwrap();
        assert!(out.envelope.data.row_count > 0);
        counts.push(s.fake.calls().len());
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
    assert!(counts[0] <= 16, "{counts:?}");
}

#[tokio::test]
async fn fiscal_in_the_question_uses_the_companys_fiscal_year_end() {
    let s = setup_with(DemoVersion::V17, 120, false, |data| {
        let companies = data.table_mut("res.company").unwrap();
        let month = companies.position("fiscalyear_last_month").unwrap();
        let day = companies.position("fiscalyear_last_day").unwrap();
        let company = &mut companies.records_mut()[0];
        company.values[month] = json!("6");
        company.values[day] = json!(30);
    })
    .await;
    let out = ask(&s, json!({"question": "sales orders this fiscal year"}))
        .await
        .unwrap();
    let period = out.envelope.data.interpretation.period.clone().unwrap();
    assert_eq!(
        (period.from, period.to, period.label.as_str()),
        (
            day("2025-07-01"),
            day("2026-06-30"),
            "fiscal year 2025/2026"
        )
    );
    let orders = Rows::of(&s.data, "sale.order");
    let expected: Decimal = orders
        .all()
        .filter(|o| orders.text(o, "state") == "sale")
        .filter(|o| {
            within(
                local_day(&orders.text(o, "date_order")),
                "2025-07-01",
                "2026-06-30",
            )
        })
        .map(|o| orders.amount(o, "amount_untaxed"))
        .sum();
    assert_eq!(total(&out, "untaxed_amount"), expected);
}
