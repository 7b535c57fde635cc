//! The generated demo company: deterministic, internally consistent, with
//! the version differences of spec 0.5 and every planted item where the
//! truth says it is.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use chrono::{Days, NaiveDate};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tools::demo::company::groups;
use tools::demo::{
    Dataset, DemoCompany, DemoSpec, DemoVersion, FieldType, Record, Table, generate,
};
use tools::odoo::{Domain, matches};

static V17: LazyLock<DemoCompany> = LazyLock::new(|| generate(&DemoSpec::default()));
static V18: LazyLock<DemoCompany> = LazyLock::new(|| {
    generate(&DemoSpec {
        version: DemoVersion::V18,
        ..DemoSpec::default()
    })
});
static V19: LazyLock<DemoCompany> = LazyLock::new(|| {
    generate(&DemoSpec {
        version: DemoVersion::V19,
        ..DemoSpec::default()
    })
});

fn all_versions() -> [&'static DemoCompany; 3] {
    [&V17, &V18, &V19]
}

fn table<'a>(ds: &'a Dataset, model: &str) -> &'a Table {
    ds.table(model)
        .unwrap_or_else(|| panic!("no table {model}"))
}

fn value<'a>(ds: &'a Dataset, model: &str, id: i64, field: &str) -> &'a Value {
    let t = table(ds, model);
    let record = t.get(id).unwrap_or_else(|| panic!("{model} {id} missing"));
    t.value(record, field)
        .unwrap_or_else(|| panic!("{model} has no {field}"))
}

fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or(0.0) * 100.0).round() as i64
}

fn money(v: &Value) -> Decimal {
    Decimal::new(cents(v), 2)
}

/// Ids of `model` matching a domain written as Odoo JSON.
fn search(ds: &Dataset, model: &str, domain: Value) -> Vec<i64> {
    let domain = Domain::parse(&domain).expect("valid domain");
    table(ds, model)
        .records()
        .iter()
        .filter(|r| {
            ds.view(model, r.id)
                .is_some_and(|view| matches(&domain, &view))
        })
        .map(|r| r.id)
        .collect()
}

fn link_id(v: &Value) -> Option<i64> {
    v.as_array().and_then(|a| a.first()).and_then(Value::as_i64)
}

fn records_equal(a: &Dataset, b: &Dataset) -> bool {
    a.server_version == b.server_version
        && a.tables.len() == b.tables.len()
        && a.tables
            .iter()
            .all(|(name, t)| b.table(name).is_some_and(|u| t.records() == u.records()))
}

#[test]
fn same_spec_gives_the_same_company_and_another_seed_a_different_one() {
    let again = generate(&DemoSpec::default());
    assert!(records_equal(&V17.dataset, &again.dataset));
    assert_eq!(V17.truth, again.truth);
    let other = generate(&DemoSpec {
        seed: 7,
        ..DemoSpec::default()
    });
    assert!(!records_equal(&V17.dataset, &other.dataset));
    let partners = |c: &DemoCompany| table(&c.dataset, "res.partner").records().to_vec();
    assert_ne!(partners(&V17), partners(&other));
}

#[test]
fn server_versions_follow_the_spec() {
    assert_eq!(V17.dataset.server_version, "17.0");
    assert_eq!(V18.dataset.server_version, "18.0");
    assert_eq!(V19.dataset.server_version, "19.0");
}

/// Every many2one names an existing record of its comodel by that record's
/// display name; every x2many id exists; every selection value is allowed.
#[test]
fn links_point_at_existing_records_with_their_display_names() {
    for company in all_versions() {
        let ds = &company.dataset;
        for (model, t) in &ds.tables {
            for (i, field) in t.def.fields.iter().enumerate() {
                for record in t.records() {
                    let v = &record.values[i];
                    match &field.ty {
                        FieldType::Many2one(comodel) if v != &Value::Bool(false) => {
                            let target = table(ds, comodel);
                            let id = link_id(v)
                                .unwrap_or_else(|| panic!("{model}.{} = {v}", field.name));
                            let linked = target.get(id).unwrap_or_else(|| {
                                panic!(
                                    "{model} {}: {} -> {comodel} {id} missing",
                                    record.id, field.name
                                )
                            });
                            let display = target.value(linked, target.def.rec_name).unwrap();
                            assert_eq!(
                                v.get(1),
                                Some(display),
                                "{model} {} {} display name",
                                record.id,
                                field.name
                            );
                        }
                        FieldType::One2many { comodel, .. } | FieldType::Many2many(comodel) => {
                            let target = table(ds, comodel);
                            for id in v.as_array().unwrap() {
                                let id = id.as_i64().unwrap();
                                assert!(
                                    target.get(id).is_some(),
                                    "{model}.{} -> {comodel} {id}",
                                    field.name
                                );
                            }
                        }
                        FieldType::Selection(options) if v != &Value::Bool(false) => {
                            let s = v.as_str().unwrap();
                            assert!(
                                options.iter().any(|(key, _)| *key == s),
                                "{model}.{} = {s}",
                                field.name
                            );
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

fn lines_by_move(ds: &Dataset) -> HashMap<i64, Vec<&Record>> {
    let lines = table(ds, "account.move.line");
    let col = lines.position("move_id").unwrap();
    let mut by_move: HashMap<i64, Vec<&Record>> = HashMap::new();
    for line in lines.records() {
        by_move
            .entry(link_id(&line.values[col]).unwrap())
            .or_default()
            .push(line);
    }
    by_move
}

#[test]
fn moves_balance_and_their_totals_match_their_lines() {
    let ds = &V17.dataset;
    let moves = table(ds, "account.move");
    let lines = table(ds, "account.move.line");
    let by_move = lines_by_move(ds);
    let f = |name: &str| moves.position(name).unwrap();
    let l = |name: &str| lines.position(name).unwrap();
    let mut invoices = 0;
    for m in moves.records() {
        let items = &by_move[&m.id];
        let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
        let listed: Vec<i64> = m.values[f("line_ids")]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(ids, listed, "move {} line_ids", m.id);
        let sum: i64 = items.iter().map(|r| cents(&r.values[l("balance")])).sum();
        assert_eq!(sum, 0, "move {} is unbalanced", m.id);
        for r in items {
            let (debit, credit) = (cents(&r.values[l("debit")]), cents(&r.values[l("credit")]));
            assert_eq!(debit - credit, cents(&r.values[l("balance")]));
        }
        let total = cents(&m.values[f("amount_total")]);
        let residual = cents(&m.values[f("amount_residual")]);
        assert!(
            residual.abs() <= total.abs(),
            "move {}: residual {residual} > total {total}",
            m.id
        );
        let state = m.values[f("payment_state")].as_str().unwrap();
        if matches!(state, "paid" | "in_payment") {
            assert_eq!(residual, 0, "paid move {} has a residual", m.id);
            assert_eq!(cents(&m.values[f("amount_residual_signed")]), 0);
        }
        let kind = m.values[f("move_type")].as_str().unwrap();
        if kind == "entry" {
            continue;
        }
        invoices += 1;
        let term: Vec<&&Record> = items
            .iter()
            .filter(|r| r.values[l("display_type")] == json!("payment_term"))
            .collect();
        assert_eq!(term.len(), 1, "move {}", m.id);
        assert_eq!(
            cents(&m.values[f("amount_total_signed")]),
            cents(&term[0].values[l("balance")])
        );
        assert_eq!(
            cents(&m.values[f("amount_residual_signed")]),
            cents(&term[0].values[l("amount_residual")])
        );
        let untaxed: i64 = items
            .iter()
            .filter(|r| r.values[l("display_type")] == json!("product"))
            .map(|r| -cents(&r.values[l("balance")]))
            .sum();
        assert_eq!(
            cents(&m.values[f("amount_untaxed_signed")]),
            untaxed,
            "move {}",
            m.id
        );
        let sign = if matches!(kind, "out_invoice" | "in_refund") {
            1
        } else {
            -1
        };
        assert_eq!(
            cents(&m.values[f("amount_total_signed")]).signum(),
            sign,
            "move {} {kind}",
            m.id
        );
        if m.values[f("currency_id")] == m.values[f("company_currency_id")] {
            assert_eq!(cents(&m.values[f("amount_total_signed")]), sign * total);
        }
    }
    assert!(invoices > 150, "only {invoices} invoices checked");
}

#[test]
fn paid_invoices_have_a_partial_reconcile_dated_on_payment() {
    let ds = &V17.dataset;
    let partials = table(ds, "account.partial.reconcile");
    let debit = partials.position("debit_move_id").unwrap();
    let credit = partials.position("credit_move_id").unwrap();
    let reconciled: BTreeSet<i64> = partials
        .records()
        .iter()
        .flat_map(|p| {
            [
                link_id(&p.values[debit]).unwrap(),
                link_id(&p.values[credit]).unwrap(),
            ]
        })
        .collect();
    let paid = search(
        ds,
        "account.move",
        json!([
            ["state", "=", "posted"],
            ["payment_state", "in", ["paid", "in_payment", "partial"]]
        ]),
    );
    assert!(paid.len() > 100);
    let by_move = lines_by_move(ds);
    let lines = table(ds, "account.move.line");
    let display = lines.position("display_type").unwrap();
    for id in paid {
        let term = by_move[&id]
            .iter()
            .find(|r| r.values[display] == json!("payment_term"))
            .unwrap();
        assert!(
            reconciled.contains(&term.id),
            "move {id} paid without a partial reconcile"
        );
    }
}

#[test]
fn versions_differ_where_the_spec_says() {
    let field_names = |c: &DemoCompany, model: &str| -> BTreeSet<&'static str> {
        table(&c.dataset, model)
            .def
            .fields
            .iter()
            .map(|f| f.name)
            .collect()
    };
    // Storable products.
    let storable_17 = search(
        &V17.dataset,
        "product.product",
        json!([["type", "=", "product"]]),
    );
    assert!(!storable_17.is_empty());
    assert!(!field_names(&V17, "product.product").contains("is_storable"));
    for c in [&*V18, &*V19] {
        assert!(
            search(
                &c.dataset,
                "product.product",
                json!([["type", "=", "product"]])
            )
            .is_empty()
        );
        let storable = search(
            &c.dataset,
            "product.product",
            json!([["type", "=", "consu"], ["is_storable", "=", true]]),
        );
        assert_eq!(storable, storable_17);
    }
    // Payment states.
    let states = |c: &DemoCompany| -> BTreeSet<String> {
        let t = table(&c.dataset, "account.payment");
        let col = t.position("state").unwrap();
        t.records()
            .iter()
            .map(|r| r.values[col].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(states(&V17), BTreeSet::from(["posted".to_owned()]));
    assert_eq!(states(&V18), BTreeSet::from(["paid".to_owned()]));
    // Lock dates.
    let lock = V17.truth.month_end.lock_date.unwrap().to_string();
    assert_eq!(
        value(&V17.dataset, "res.company", 1, "period_lock_date"),
        &json!(lock)
    );
    assert!(!field_names(&V17, "res.company").contains("sale_lock_date"));
    for c in [&*V18, &*V19] {
        for field in [
            "sale_lock_date",
            "purchase_lock_date",
            "fiscalyear_lock_date",
        ] {
            assert_eq!(value(&c.dataset, "res.company", 1, field), &json!(lock));
        }
        assert_eq!(
            value(&c.dataset, "res.company", 1, "hard_lock_date"),
            &json!(false)
        );
        assert!(!field_names(c, "res.company").contains("period_lock_date"));
    }
    // Partner mobile.
    assert!(field_names(&V17, "res.partner").contains("mobile"));
    assert!(field_names(&V18, "res.partner").contains("mobile"));
    assert!(!field_names(&V19, "res.partner").contains("mobile"));
    assert!(
        !search(
            &V17.dataset,
            "res.partner",
            json!([["mobile", "!=", false]])
        )
        .is_empty()
    );
    // Payment memo.
    assert!(field_names(&V17, "account.payment").contains("ref"));
    assert!(field_names(&V18, "account.payment").contains("memo"));
}

#[test]
fn accounting_needs_an_accounting_group_and_the_salesperson_has_none() {
    let ds = &V17.dataset;
    let truth = &V17.truth;
    let sales = ds.user(truth.users.sales).unwrap();
    let accountant = ds.user(truth.users.accountant).unwrap();
    for model in [
        "account.move",
        "account.move.line",
        "account.payment",
        "account.bank.statement.line",
    ] {
        let def = &table(ds, model).def;
        assert!(!def.read_groups.is_empty(), "{model}");
        assert!(!sales.in_any(def.read_groups), "salesperson reads {model}");
        assert!(
            accountant.in_any(def.read_groups),
            "accountant cannot read {model}"
        );
    }
    assert!(sales.groups.contains(groups::SALE_SALESMAN));
    assert!(!sales.groups.iter().any(|g| g.starts_with("account.")));
    let credit_limit = table(ds, "res.partner").field("credit_limit").unwrap();
    assert!(!sales.in_any(credit_limit.groups));
    let password = table(ds, "res.users").field("password").unwrap();
    assert_eq!(password.groups, groups::ADMIN);
    let admin = ds.user_by_login("admin@harbourline.example").unwrap();
    assert_eq!(admin.uid, 2);
    assert!(admin.groups.contains(groups::ACCOUNT_MANAGER));
    for user in &ds.users {
        assert!(user.login.contains('@') && !user.api_key.is_empty());
    }
}

fn period_end(period: &str) -> NaiveDate {
    let first = NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").unwrap();
    first + chrono::Months::new(1) - Days::new(1)
}

/// Spec 1.3: in the example month exactly the planted items are open, and
/// the checks that would add penalties are clean.
#[test]
fn closing_example_month_holds_exactly_the_planted_items() {
    for c in all_versions() {
        let (ds, ex) = (&c.dataset, &c.truth.closing_example);
        let end = period_end(&ex.period);
        let start = format!("{}-01", ex.period);
        let end_s = end.to_string();
        let next = (end + Days::new(1)).to_string();
        let bank = search(
            ds,
            "account.bank.statement.line",
            json!([["date", "<=", end_s], ["is_reconciled", "=", false]]),
        );
        assert_eq!(bank, ex.bank_unreconciled);
        assert_eq!(bank.len(), 12);
        let carried = search(
            ds,
            "account.bank.statement.line",
            json!([["date", "<", start], ["is_reconciled", "=", false]]),
        );
        assert_eq!(carried.len(), 4);
        let drafts = search(
            ds,
            "account.move",
            json!([["state", "=", "draft"], ["date", "<=", end_s]]),
        );
        assert_eq!(drafts, ex.draft_entries);
        let orders = search(
            ds,
            "sale.order",
            json!([
                ["state", "=", "sale"],
                ["invoice_status", "=", "to invoice"],
                ["date_order", "<", next]
            ]),
        );
        assert_eq!(orders, ex.uninvoiced_orders);
        assert_eq!(
            (ex.readiness, ex.risk_level, ex.total_items),
            (65, "high", 19)
        );
        // Checks that must stay clean in that month.
        let untaxed = search(
            ds,
            "account.move",
            json!([
                ["state", "=", "posted"],
                [
                    "move_type",
                    "in",
                    ["out_invoice", "out_refund", "in_invoice", "in_refund"]
                ],
                ["date", ">=", start],
                ["date", "<=", end_s],
                ["amount_tax", "=", 0]
            ]),
        );
        assert_eq!(untaxed, Vec::<i64>::new());
        let manual = search(
            ds,
            "account.move",
            json!([
                ["state", "=", "posted"],
                ["move_type", "=", "entry"],
                ["journal_id.type", "=", "general"],
                ["date", ">=", start],
                ["date", "<=", end_s]
            ]),
        );
        assert_eq!(manual, Vec::<i64>::new());
        let to_invoice: BTreeSet<i64> = search(
            ds,
            "sale.order",
            json!([["invoice_status", "=", "to invoice"]]),
        )
        .into_iter()
        .collect();
        let deliveries = search(
            ds,
            "stock.picking",
            json!([
                ["picking_type_code", "=", "outgoing"],
                ["state", "=", "done"],
                ["date_done", ">=", start],
                ["date_done", "<=", end_s],
                ["sale_id", "!=", false]
            ]),
        );
        let pickings = table(ds, "stock.picking");
        let sale = pickings.position("sale_id").unwrap();
        for id in deliveries {
            let order = link_id(&pickings.get(id).unwrap().values[sale]).unwrap();
            assert!(
                !to_invoice.contains(&order),
                "delivery {id} of an order to invoice"
            );
        }
        let receipts = search(
            ds,
            "stock.picking",
            json!([
                ["picking_type_code", "=", "incoming"],
                ["state", "=", "done"],
                ["date_done", ">=", start],
                ["date_done", "<=", end_s],
                ["purchase_id.invoice_status", "=", "to invoice"]
            ]),
        );
        assert_eq!(receipts, Vec::<i64>::new());
        let depreciation = search(
            ds,
            "account.move",
            json!([
                ["state", "=", "draft"],
                ["move_type", "=", "entry"],
                ["date", ">=", start],
                ["date", "<=", end_s],
                ["ref", "ilike", "depreciation"]
            ]),
        );
        assert_eq!(depreciation, Vec::<i64>::new());
    }
}

#[test]
fn month_end_problems_are_where_the_truth_says() {
    let (ds, me) = (&V17.dataset, &V17.truth.month_end);
    let today = DemoSpec::default().today;
    assert_eq!(me.period, "2026-02");
    let stale_before = format!("{} 23:59:59", today - Days::new(30));
    let stale = search(
        ds,
        "account.move",
        json!([
            ["state", "=", "draft"],
            ["create_date", "<=", stale_before],
            ["date", ">=", "2026-02-01"],
            ["date", "<=", "2026-02-28"]
        ]),
    );
    for id in &me.stale_drafts {
        assert!(stale.contains(id), "stale draft {id}");
    }
    let lock = me.lock_date.unwrap().to_string();
    for id in &me.drafts_before_lock_date {
        assert_eq!(value(ds, "account.move", *id, "state"), "draft");
        assert!(value(ds, "account.move", *id, "date").as_str().unwrap() <= lock.as_str());
    }
    for id in &me.unreconciled_bank_lines {
        assert_eq!(
            value(ds, "account.bank.statement.line", *id, "is_reconciled"),
            &json!(false)
        );
        assert!(
            value(ds, "account.bank.statement.line", *id, "date")
                .as_str()
                .unwrap()
                .starts_with("2026-02")
        );
    }
    for id in &me.missing_due_dates {
        assert_eq!(
            value(ds, "account.move", *id, "invoice_date_due"),
            &json!(false)
        );
        assert_eq!(value(ds, "account.move", *id, "state"), "posted");
    }
    let overdue = search(
        ds,
        "account.move",
        json!([
            ["move_type", "=", "in_invoice"],
            ["state", "=", "posted"],
            ["payment_state", "in", ["not_paid", "partial"]],
            ["invoice_date_due", "<", today.to_string()]
        ]),
    );
    for id in &me.overdue_payables {
        assert!(overdue.contains(id));
    }
    for id in &me.invoices_without_tax {
        assert_eq!(
            money(value(ds, "account.move", *id, "amount_tax")),
            Decimal::ZERO
        );
        assert!(
            search(
                ds,
                "account.move.line",
                json!([
                    ["move_id", "=", id],
                    ["display_type", "=", "product"],
                    ["tax_ids", "!=", false]
                ])
            )
            .is_empty()
        );
    }
    for id in &me.zero_rated_invoices {
        assert_eq!(
            money(value(ds, "account.move", *id, "amount_tax")),
            Decimal::ZERO
        );
    }
    for id in &me.manual_entries {
        assert_eq!(value(ds, "account.move", *id, "move_type"), "entry");
        assert_eq!(value(ds, "account.move", *id, "state"), "posted");
    }
    for id in &me.depreciation_drafts {
        assert!(
            value(ds, "account.move", *id, "ref")
                .as_str()
                .unwrap()
                .contains("Depreciation")
        );
    }
    assert!(me.stale_drafts.len() + me.missing_due_dates.len() + me.overdue_payables.len() >= 6);
}

/// Σ of open receivables plus confirmed orders left to invoice.
fn exposure(ds: &Dataset, partner: i64) -> Decimal {
    let open = search(
        ds,
        "account.move",
        json!([
            ["commercial_partner_id", "=", partner],
            ["move_type", "in", ["out_invoice", "out_refund"]],
            ["state", "=", "posted"],
            ["payment_state", "in", ["not_paid", "partial"]]
        ]),
    );
    let orders = search(
        ds,
        "sale.order",
        json!([["partner_id", "child_of", partner], ["state", "=", "sale"]]),
    );
    open.iter()
        .map(|id| money(value(ds, "account.move", *id, "amount_residual_signed")))
        .sum::<Decimal>()
        + orders
            .iter()
            .map(|id| money(value(ds, "sale.order", *id, "amount_to_invoice")))
            .sum::<Decimal>()
}

#[test]
fn credit_examples_have_the_stated_exposure() {
    for c in all_versions() {
        let ds = &c.dataset;
        assert_eq!(c.truth.credit_examples.len(), 5);
        for ex in &c.truth.credit_examples {
            if let Some(expected) = ex.exposure {
                assert_eq!(exposure(ds, ex.partner_id), expected, "{}", ex.label);
            }
            if let Some(limit) = ex.credit_limit {
                assert_eq!(
                    money(value(ds, "res.partner", ex.partner_id, "credit_limit")),
                    limit
                );
            }
        }
        let first = &c.truth.credit_examples[0];
        let invoices = search(
            ds,
            "account.move",
            json!([
                ["partner_id", "=", first.partner_id],
                ["move_type", "=", "out_invoice"]
            ]),
        );
        assert_eq!(invoices.len(), 16);
        for id in invoices {
            assert_eq!(value(ds, "account.move", id, "payment_state"), "paid");
        }
        // Open 8,000 of which 5,000 is past due.
        let curlew = &c.truth.credit_examples[4];
        let today = DemoSpec::default().today.to_string();
        let overdue = search(
            ds,
            "account.move",
            json!([
                ["partner_id", "=", curlew.partner_id],
                ["invoice_date_due", "<", today],
                ["payment_state", "=", "not_paid"]
            ]),
        );
        let overdue: Decimal = overdue
            .iter()
            .map(|id| money(value(ds, "account.move", *id, "amount_residual_signed")))
            .sum();
        assert_eq!(overdue, Decimal::new(5_000, 0));
    }
}

#[test]
fn bank_examples_pair_the_stated_lines_and_items() {
    let ds = &V17.dataset;
    let expected = [
        ("INV/2026/0042", "1500.0", "INV/2026/0042"),
        ("PMT INV-2026-042", "1500.0", "INV/2026/0042"),
        ("PMT-99", "1000.3", "INV/99"),
        ("Subscription Payment Feb", "200.0", "INV/SUB/022"),
        ("Incoming transfer", "1500.0", ""),
        ("Transfer 7781", "1000.0", ""),
    ];
    let examples = &V17.truth.bank_examples;
    assert_eq!(examples.len(), expected.len());
    for (ex, (label, amount, name)) in examples.iter().zip(expected) {
        let line = |f| value(ds, "account.bank.statement.line", ex.statement_line_id, f);
        assert_eq!(line("payment_ref"), label);
        assert_eq!(line("amount").to_string(), amount);
        assert_eq!(line("is_reconciled"), &json!(false));
        if !name.is_empty() {
            assert_eq!(value(ds, "account.move", ex.move_id, "name"), name);
        }
        assert_eq!(
            link_id(value(ds, "account.move.line", ex.move_line_id, "move_id")),
            Some(ex.move_id)
        );
    }
    let bill_residual = money(value(
        ds,
        "account.move.line",
        examples[4].move_line_id,
        "amount_residual",
    ));
    assert_eq!(bill_residual, Decimal::new(-1_500, 0));
    let residual = money(value(
        ds,
        "account.move.line",
        examples[5].move_line_id,
        "amount_residual",
    ));
    assert_eq!(residual, Decimal::new(1_050, 0));
    assert_eq!(
        link_id(value(
            ds,
            "account.bank.statement.line",
            examples[0].statement_line_id,
            "partner_id"
        )),
        link_id(value(ds, "account.move", examples[0].move_id, "partner_id"))
    );
}

#[test]
fn duplicates_are_planted_as_recorded() {
    let ds = &V17.dataset;
    let truth = &V17.truth;
    let partners = table(ds, "res.partner");
    assert!(
        truth.partner_duplicates.len() >= 10,
        "{}",
        truth.partner_duplicates.len()
    );
    for group in &truth.partner_duplicates {
        assert!(group.ids.len() >= 2 && group.ids.contains(&group.original));
        for id in &group.ids {
            assert!(partners.get(*id).is_some());
        }
    }
    let emails: Vec<&Value> = truth
        .partner_duplicates
        .iter()
        .flat_map(|g| {
            g.ids
                .iter()
                .map(|id| value(ds, "res.partner", *id, "email"))
        })
        .collect();
    assert!(emails.iter().any(|e| e.as_str().is_some()));
    let names: Vec<String> = truth
        .dedup_examples
        .iter()
        .flat_map(|p| [p.left, p.right])
        .map(|id| {
            value(ds, "res.partner", id, "name")
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names[..4],
        [
            "Al Failakawi Trading Co.",
            "Al-Failakawi Trading Company",
            "Acme Trading",
            "Acme Holdings"
        ]
    );
    let vat = |id| value(ds, "res.partner", id, "vat");
    let conflict = &truth.dedup_examples[3];
    assert_ne!(vat(conflict.left), vat(conflict.right));
    let switchboard = &truth.dedup_examples[4];
    assert_eq!(
        value(ds, "res.partner", switchboard.left, "phone"),
        value(ds, "res.partner", switchboard.right, "phone")
    );
    assert!(!truth.lead_duplicates.is_empty());
    for group in &truth.lead_duplicates {
        let email = |id| {
            value(ds, "crm.lead", id, "email_from")
                .as_str()
                .unwrap()
                .to_lowercase()
        };
        assert_eq!(email(group.ids[0]), email(group.ids[1]));
    }
    assert!(!truth.product_duplicates.is_empty());
    for group in &truth.product_duplicates {
        let [a, b] = [group.ids[0], group.ids[1]];
        let same = |f| {
            value(ds, "product.product", a, f) == value(ds, "product.product", b, f)
                && value(ds, "product.product", a, f) != &json!(false)
        };
        assert!(same("default_code") || same("barcode"));
    }
}

#[test]
fn random_partners_do_not_share_names_emails_or_vats_outside_groups() {
    let ds = &V17.dataset;
    let in_groups: BTreeSet<i64> = V17
        .truth
        .partner_duplicates
        .iter()
        .flat_map(|g| g.ids.iter().copied())
        .collect();
    let first_random = V17
        .truth
        .partner_duplicates
        .iter()
        .map(|g| g.original)
        .min()
        .unwrap();
    let partners = table(ds, "res.partner");
    let mut seen: HashMap<(usize, String), i64> = HashMap::new();
    for (col, field) in ["name", "email", "vat"].iter().enumerate() {
        let i = partners.position(field).unwrap();
        for r in partners
            .records()
            .iter()
            .filter(|r| r.id >= first_random && !in_groups.contains(&r.id))
        {
            if let Some(text) = r.values[i].as_str() {
                if *field == "name"
                    && !r.values[partners.position("is_company").unwrap()]
                        .as_bool()
                        .unwrap()
                {
                    continue;
                }
                if let Some(other) = seen.insert((col, text.to_lowercase()), r.id) {
                    panic!("partners {other} and {} share {field} {text}", r.id);
                }
            }
        }
    }
}

#[test]
fn forecast_examples_are_in_the_books() {
    let ds = &V17.dataset;
    let f = &V17.truth.forecast;
    let totals: Vec<Decimal> = f
        .recurring_bills
        .iter()
        .map(|id| money(value(ds, "account.move", *id, "amount_total_signed")))
        .collect();
    assert_eq!(
        totals,
        [
            Decimal::new(-4_900, 0),
            Decimal::new(-5_000, 0),
            Decimal::new(-5_100, 0)
        ]
    );
    let days: BTreeSet<String> = f
        .recurring_bills
        .iter()
        .map(|id| {
            value(ds, "account.move", *id, "invoice_date")
                .as_str()
                .unwrap()[8..]
                .to_owned()
        })
        .collect();
    assert_eq!(days.len(), 1, "same day of the month");
    assert_eq!(
        money(value(ds, "crm.lead", f.pipeline_half, "expected_revenue")),
        Decimal::new(100_000, 0)
    );
    assert_eq!(
        value(ds, "crm.lead", f.pipeline_eighty, "probability"),
        &json!(80.0)
    );
}

#[test]
fn planted_ids_do_not_depend_on_seed_or_size() {
    let small = generate(&DemoSpec {
        seed: 9,
        partners: 40,
        ..DemoSpec::default()
    });
    assert_eq!(small.truth.bank_examples, V17.truth.bank_examples);
    assert_eq!(small.truth.credit_examples, V17.truth.credit_examples);
    assert_eq!(small.truth.closing_example, V17.truth.closing_example);
}

#[test]
fn tiny_and_empty_companies_generate() {
    for partners in [0, 1, 5] {
        let c = generate(&DemoSpec {
            partners,
            ..DemoSpec::default()
        });
        assert_eq!(c.truth.closing_example.bank_unreconciled.len(), 12);
        assert!(table(&c.dataset, "res.partner").len() >= 30 + partners);
    }
}

#[test]
fn documents_scale_with_partners() {
    let count = |c: &DemoCompany, m: &str| table(&c.dataset, m).len();
    let big = generate(&DemoSpec {
        partners: 3_000,
        ..DemoSpec::default()
    });
    let invoices = search(
        &big.dataset,
        "account.move",
        json!([["move_type", "=", "out_invoice"]]),
    )
    .len();
    // About one invoice per customer company (half the partners), one
    // sales order per 2.5 customers, one lead per four partners, a bank
    // line per paid invoice.
    assert!(invoices > 1_000, "{invoices} invoices for 3,000 partners");
    let orders = count(&big, "sale.order");
    assert!(orders > 400, "{orders} sales orders");
    let leads = count(&big, "crm.lead");
    assert!(leads >= 750, "{leads} leads");
    let bank = count(&big, "account.bank.statement.line");
    assert!(bank > 900, "{bank} bank lines");
}
