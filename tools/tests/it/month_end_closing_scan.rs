//! `month_end_closing_scan` against the fake Odoo serving the demo company:
//! the planted month-end problems and the spec's worked example (1.3) are
//! found exactly, on every version, with a bounded number of calls.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::json;
use tools::automations::month_end_closing_scan::{
    CheckKey, ClosingData, ClosingScanConfig, MonthEndClosingScan, MonthEndClosingScanArgs,
    RiskLevel, Status,
};
use tools::automations::{Envelope, MAX_SUMMARY_CHARS, TRUNCATED};
use tools::demo::{DemoSpec, DemoVersion, Failure, FakeOdoo, Matcher, Truth};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::{CallOrigin, Identity, Tool, ToolCtx, ToolError};

use super::automations::demo_client_with;

const ADMIN: &str = "admin@harbourline.example";
const ACCOUNTANT: &str = "accountant@harbourline.example";
const SALES: &str = "sales@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";
const VERSIONS: [DemoVersion; 3] = [DemoVersion::V17, DemoVersion::V18, DemoVersion::V19];

/// Hands the one client to every identity.
struct OneClient(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for OneClient {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

/// The demo company of `partners` partners on `version`, the scan tool
/// acting as `login` with "now" on the demo's today (2026-03-16).
async fn scanner(
    version: DemoVersion,
    partners: usize,
    login: &str,
) -> (FakeOdoo, MonthEndClosingScan, Truth) {
    let spec = DemoSpec {
        partners,
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, login).await;
    let config = ClosingScanConfig::new(BASE.parse().unwrap());
    let now = Utc.with_ymd_and_hms(2026, 3, 16, 10, 0, 0).unwrap();
    let tool = MonthEndClosingScan::with_clock(
        config,
        Arc::new(OneClient(Arc::new(client))),
        Arc::new(move || now),
    );
    fake.clear_calls();
    (fake, tool, truth)
}

fn args(value: serde_json::Value) -> MonthEndClosingScanArgs {
    serde_json::from_value(value).unwrap()
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        cancel: tokio_util::sync::CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn scan(
    tool: &MonthEndClosingScan,
    value: serde_json::Value,
) -> Result<Envelope<ClosingData>, ToolError> {
    tool.call(&ctx(), args(value)).await
}

fn check(
    result: &Envelope<ClosingData>,
    key: CheckKey,
) -> &tools::automations::month_end_closing_scan::Check {
    result.data.checks.iter().find(|c| c.key == key).unwrap()
}

fn ids(result: &Envelope<ClosingData>, key: CheckKey) -> BTreeSet<i64> {
    check(result, key).items.iter().map(|i| i.id).collect()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

fn flagged(result: &Envelope<ClosingData>, key: CheckKey, flag: &str) -> BTreeSet<i64> {
    check(result, key)
        .items
        .iter()
        .filter(|i| i.flags.iter().any(|f| f == flag))
        .map(|i| i.id)
        .collect()
}

#[tokio::test]
async fn the_spec_example_month_scores_65_high_on_every_version() {
    for version in VERSIONS {
        let (_fake, tool, truth) = scanner(version, 20, ADMIN).await;
        let example = &truth.closing_example;
        let result = scan(
            &tool,
            json!({"period": example.period, "detail_limit": 200}),
        )
        .await
        .unwrap();
        let label = format!("{version:?}");
        assert_eq!(
            ids(&result, CheckKey::BankUnreconciled),
            set(&example.bank_unreconciled),
            "{label}"
        );
        assert_eq!(
            ids(&result, CheckKey::DraftEntries),
            set(&example.draft_entries),
            "{label}"
        );
        assert_eq!(
            ids(&result, CheckKey::UninvoicedOrders),
            set(&example.uninvoiced_orders),
            "{label}"
        );
        let bank = check(&result, CheckKey::BankUnreconciled);
        assert_eq!(
            (bank.counts["in_period"], bank.counts["carried_over"]),
            (8, 4),
            "{label}"
        );
        // Σ |amount| of the twelve lines planted for the example.
        assert_eq!(bank.amount, Some(dec("4290.96")), "{label}");
        assert!(
            bank.notes[0].contains("12 open lines, 4,290.96"),
            "{:?}",
            bank.notes
        );
        for key in [
            CheckKey::UnbilledDeliveries,
            CheckKey::ReceiptsWithoutBills,
            CheckKey::UnpostedDepreciation,
            CheckKey::InvoicesWithoutTax,
            CheckKey::ManualEntries,
        ] {
            let c = check(&result, key);
            assert_eq!((c.status, c.item_count), (Status::Ok, 0), "{label} {key:?}");
        }
        assert_eq!(
            check(&result, CheckKey::IntercompanyMismatch).status,
            Status::NotApplicable
        );
        assert_eq!(check(&result, CheckKey::FinalReview).status, Status::Manual);
        assert_eq!(result.data.readiness, example.readiness, "{label}");
        assert_eq!(result.data.risk_level, RiskLevel::High, "{label}");
        assert_eq!(example.risk_level, "high");
        assert_eq!(
            result.data.total_items as usize, example.total_items,
            "{label}"
        );
        assert_eq!(
            result.data.estimated_hours, example.estimated_hours,
            "{label}"
        );
        assert!(!result.truncated, "{label}: {:?}", result.warnings);
        // Three orders of 1, 2 and 3 × 950.00 untaxed, nothing invoiced.
        assert_eq!(
            check(&result, CheckKey::UninvoicedOrders).amount,
            Some(dec("5700.00")),
            "{label}"
        );
        assert!(result.summary.starts_with(&format!(
            "Closing {}: 3 checks need attention; readiness 65/100",
            example.period
        )));
        assert!(result.summary.chars().count() <= MAX_SUMMARY_CHARS);
        let narrative = result.data.narrative.as_ref().unwrap();
        assert_eq!(
            narrative.priority_actions,
            ["uninvoiced_orders", "bank_unreconciled", "draft_entries"]
        );
    }
}

#[tokio::test]
async fn the_last_closed_month_reports_every_planted_problem_and_nothing_else() {
    for version in VERSIONS {
        // No random partners, so no random documents: only what was planted.
        let (_fake, tool, truth) = scanner(version, 0, ADMIN).await;
        let me = &truth.month_end;
        let example = &truth.closing_example;
        let result = scan(&tool, json!({"period": me.period, "detail_limit": 200}))
            .await
            .unwrap();
        let label = format!("{version:?}");
        assert_eq!(result.data.lock_date, me.lock_date, "{label}");

        // Open bank lines: the period's plus the example month's, carried over.
        let mut bank = set(&me.unreconciled_bank_lines);
        bank.extend(&example.bank_unreconciled);
        assert_eq!(ids(&result, CheckKey::BankUnreconciled), bank, "{label}");
        assert_eq!(
            flagged(&result, CheckKey::BankUnreconciled, "carried_over"),
            set(&example.bank_unreconciled),
            "{label}"
        );
        // Bank lines of 1,234.00, 1,235.00 and 1,236.00 in the period.
        let bank_check = check(&result, CheckKey::BankUnreconciled);
        assert_eq!(bank_check.counts["in_period"], 3, "{label}");
        assert_eq!(
            bank_check.amount,
            Some(dec("4290.96") + dec("3705.00")),
            "{label}"
        );

        // Drafts: every draft dated up to the period end.
        let mut drafts = set(&me.stale_drafts);
        drafts.extend(&me.depreciation_drafts);
        drafts.extend(&example.draft_entries);
        assert_eq!(ids(&result, CheckKey::DraftEntries), drafts, "{label}");
        let mut stale = set(&me.stale_drafts);
        stale.extend(&example.draft_entries);
        assert_eq!(
            flagged(&result, CheckKey::DraftEntries, "stale"),
            stale,
            "{label}"
        );
        assert_eq!(
            flagged(&result, CheckKey::DraftEntries, "before_lock_date"),
            set(&me.drafts_before_lock_date),
            "{label}"
        );
        let draft_check = check(&result, CheckKey::DraftEntries);
        assert_eq!(
            draft_check.counts["stale_count"],
            stale.len() as u64,
            "{label}"
        );

        assert_eq!(
            ids(&result, CheckKey::UninvoicedOrders),
            set(&example.uninvoiced_orders),
            "{label}"
        );
        assert_eq!(
            ids(&result, CheckKey::InvoicesWithoutTax),
            set(&me.invoices_without_tax),
            "{label}"
        );
        let tax = check(&result, CheckKey::InvoicesWithoutTax);
        assert_eq!(
            tax.counts["zero_rated"],
            me.zero_rated_invoices.len() as u64
        );
        assert!(tax.counts["invoices_checked"] >= 4, "{label}");
        assert_eq!(
            ids(&result, CheckKey::ManualEntries),
            set(&me.manual_entries),
            "{label}"
        );
        assert_eq!(
            check(&result, CheckKey::ManualEntries).amount,
            Some(dec("2400.00"))
        );
        assert_eq!(
            ids(&result, CheckKey::UnpostedDepreciation),
            set(&me.depreciation_drafts),
            "{label}"
        );
        assert!(check(&result, CheckKey::UnpostedDepreciation).notes[0].starts_with("heuristic"));
        for key in [CheckKey::UnbilledDeliveries, CheckKey::ReceiptsWithoutBills] {
            assert_eq!(check(&result, key).status, Status::Ok, "{label} {key:?}");
        }
        // Counts agree with the lists: nothing beyond what was planted.
        for c in &result.data.checks {
            assert_eq!(c.item_count, c.items.len() as u64, "{label} {:?}", c.key);
        }
        let first = &check(&result, CheckKey::ManualEntries).items[0];
        assert_eq!(
            first.link,
            format!(
                "{BASE}/web#id={}&model=account.move&view_type=form",
                first.id
            )
        );
    }
}

#[tokio::test]
async fn long_lists_are_cut_with_a_warning_stating_the_total() {
    let (_fake, tool, truth) = scanner(DemoVersion::V17, 20, ADMIN).await;
    let example = &truth.closing_example;
    let result = scan(&tool, json!({"period": example.period, "detail_limit": 5}))
        .await
        .unwrap();
    let bank = check(&result, CheckKey::BankUnreconciled);
    assert_eq!((bank.item_count, bank.items.len()), (12, 5));
    // Ordered by date: the oldest carried-over lines first.
    assert!(bank.items.windows(2).all(|w| w[0].date <= w[1].date));
    assert!(result.truncated);
    let warning = result
        .warnings
        .iter()
        .find(|w| w.code == TRUNCATED && w.message.starts_with("bank_unreconciled"))
        .unwrap();
    assert!(warning.message.contains("5 of 12"), "{}", warning.message);
    // The readiness does not depend on how much is listed.
    assert_eq!(result.data.readiness, 65);
}

#[tokio::test]
async fn a_user_without_accounting_rights_is_denied_naming_the_model() {
    let (_fake, tool, truth) = scanner(DemoVersion::V17, 20, SALES).await;
    let err = scan(&tool, json!({"period": truth.month_end.period}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ODOO_ACCESS_DENIED", "{err}");
    assert!(err.to_string().contains("account."), "{err}");
}

#[tokio::test]
async fn an_accountant_without_sales_rights_gets_those_checks_in_error_only() {
    let (_fake, tool, truth) = scanner(DemoVersion::V18, 20, ACCOUNTANT).await;
    let example = &truth.closing_example;
    let result = scan(&tool, json!({"period": example.period}))
        .await
        .unwrap();
    let orders = check(&result, CheckKey::UninvoicedOrders);
    assert_eq!(orders.status, Status::Error);
    let message = orders.error.as_deref().unwrap();
    assert!(message.starts_with("ODOO_ACCESS_DENIED"), "{message}");
    assert!(message.contains("sale.order"), "{message}");
    assert_eq!(
        ids(&result, CheckKey::BankUnreconciled),
        set(&example.bank_unreconciled)
    );
    assert_eq!(
        check(&result, CheckKey::DraftEntries).status,
        Status::Attention
    );
}

#[tokio::test]
async fn bad_arguments_are_refused_before_any_odoo_call() {
    let (fake, tool, _) = scanner(DemoVersion::V17, 0, ADMIN).await;
    for (value, field) in [
        (json!({"period": "2026-13"}), "period"),
        (json!({"period": "26-01"}), "period"),
        (json!({"period": "2026-04"}), "period"),
        (
            json!({"period": "2026-01", "stale_after_days": 0}),
            "stale_after_days",
        ),
        (
            json!({"period": "2026-01", "detail_limit": 201}),
            "detail_limit",
        ),
        (json!({"period": "2026-01", "checks": ["bank"]}), "checks"),
    ] {
        let err = scan(&tool, value.clone()).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{value}: {err}");
        assert!(err.to_string().contains(field), "{value}: {err}");
    }
    let err = scan(&tool, json!({"period": "2026-13"})).await.unwrap_err();
    assert!(err.to_string().contains("YYYY-MM"), "{err}");
    let err = scan(&tool, json!({"period": "2026-01", "checks": ["bank"]}))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("bank_unreconciled"), "{err}");
    assert_eq!(fake.calls().len(), 0);
}

#[tokio::test]
async fn a_subset_of_checks_runs_only_those() {
    let (_fake, tool, truth) = scanner(DemoVersion::V19, 20, ADMIN).await;
    let result = scan(
        &tool,
        json!({"period": truth.closing_example.period, "checks": ["draft_entries", "bank_unreconciled"]}),
    )
    .await
    .unwrap();
    let keys: Vec<CheckKey> = result.data.checks.iter().map(|c| c.key).collect();
    assert_eq!(keys, [CheckKey::BankUnreconciled, CheckKey::DraftEntries]);
    assert_eq!(result.data.readiness, 85);
}

/// Calls per scan, after the client connected.
async fn calls_for(partners: usize) -> usize {
    let (fake, tool, truth) = scanner(DemoVersion::V17, partners, ADMIN).await;
    scan(&tool, json!({"period": truth.month_end.period}))
        .await
        .unwrap();
    let calls = fake.calls();
    let mut by: std::collections::BTreeMap<String, usize> = Default::default();
    for c in &calls {
        *by.entry(format!("{}/{}", c.model, c.method)).or_default() += 1;
    }
    std::fs::write(
        format!("/tmp/closing_calls_{partners}.txt"),
        format!("{by:#?}"),
    )
    .unwrap();
    calls.len()
}

#[tokio::test]
async fn odoo_calls_do_not_grow_with_the_company() {
    let small = calls_for(20).await;
    let large = calls_for(600).await;
    assert_eq!(small, large);
    // 3 for the context, 2 for the company, 30 for the ten checks.
    assert!(small <= 36, "{small} calls");
}

#[tokio::test]
async fn the_tool_registers_with_a_schema_the_model_can_read() {
    let (_fake, tool, _) = scanner(DemoVersion::V17, 0, ADMIN).await;
    let registry = tools::ToolRegistry::builder()
        .register(tool)
        .build()
        .unwrap();
    let specs = registry.specs();
    let spec = specs
        .iter()
        .find(|s| s.name == "month_end_closing_scan")
        .unwrap();
    assert_eq!(spec.input_schema["required"], json!(["period"]));
    let schema = spec.input_schema.to_string();
    assert!(schema.contains("YYYY-MM"), "{schema}");
    assert!(!schema.contains("$ref"), "{schema}");
}

#[tokio::test]
async fn without_sales_purchase_and_inventory_those_checks_do_not_apply() {
    let (fake, tool, truth) = scanner(DemoVersion::V18, 20, ADMIN).await;
    fake.with_dataset_mut(|dataset| {
        for model in [
            "sale.order",
            "sale.order.line",
            "purchase.order",
            "purchase.order.line",
            "stock.picking",
        ] {
            dataset.tables.remove(model);
        }
    });
    let result = scan(&tool, json!({"period": truth.closing_example.period}))
        .await
        .unwrap();
    for key in [
        CheckKey::UnbilledDeliveries,
        CheckKey::ReceiptsWithoutBills,
        CheckKey::UninvoicedOrders,
    ] {
        assert_eq!(check(&result, key).status, Status::NotApplicable, "{key:?}");
    }
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.code == "MODULE_MISSING" && w.message.contains("sale.order"))
    );
    // Bank lines (high, 10) and drafts (medium, 5) remain.
    assert_eq!(result.data.readiness, 85);
}

#[tokio::test]
async fn a_failing_check_reports_an_error_and_the_others_still_run() {
    let (fake, tool, truth) = scanner(DemoVersion::V17, 20, ADMIN).await;
    // Three 503s: the first try and both retries of the read.
    fake.inject(
        Matcher::call("purchase.order.line", "search_read"),
        Failure::Status(503),
        3,
    );
    let example = &truth.closing_example;
    let result = scan(&tool, json!({"period": example.period}))
        .await
        .unwrap();
    let receipts = check(&result, CheckKey::ReceiptsWithoutBills);
    assert_eq!(receipts.status, Status::Error);
    let message = receipts.error.as_deref().unwrap();
    assert!(message.starts_with("ODOO_UNAVAILABLE"), "{message}");
    assert_eq!(
        ids(&result, CheckKey::BankUnreconciled),
        set(&example.bank_unreconciled)
    );
    // 65 for the example, minus 10 for a check that could not run.
    assert_eq!(result.data.readiness, 55);
    assert!(
        result
            .summary
            .contains("could not check: receipts_without_bills")
    );
}

#[tokio::test]
async fn the_checklist_can_be_attached_as_an_xlsx_file() {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use tools::Summarize;

    let (_fake, tool, truth) = scanner(DemoVersion::V17, 20, ADMIN).await;
    let example = &truth.closing_example;
    let result = scan(
        &tool,
        json!({"period": example.period, "detail_limit": 200, "export": "xlsx"}),
    )
    .await
    .unwrap();
    let files = result.attachments();
    assert_eq!(files.len(), 1);
    let name = format!(
        "closing_checklist_{}.xlsx",
        example.period.replace('-', "_")
    );
    assert_eq!(files[0].file_name, name);
    assert!(result.summary.contains(&name), "{}", result.summary);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(&files[0].bytes)).unwrap();
    let range = book.worksheet_range("Report").unwrap();
    // Title, two notes, a blank row, the header, then the rows.
    assert_eq!(range.get_value((4, 1)), Some(&Data::String("Check".into())));
    let listed: usize = result
        .data
        .checks
        .iter()
        .map(|c| c.items.len().max(1))
        .sum();
    assert_eq!(range.height(), 5 + listed);
    // Every draft entry of the example is a row of the draft check.
    let draft = check(&result, CheckKey::DraftEntries);
    let rows_of_draft = (5..range.height() as u32)
        .filter(|row| range.get_value((*row, 1)) == Some(&Data::String(draft.label.clone())))
        .count();
    assert_eq!(rows_of_draft, example.draft_entries.len());
    // Without export nothing is attached.
    let plain = scan(&tool, json!({"period": example.period}))
        .await
        .unwrap();
    assert!(plain.attachments().is_empty());
}
