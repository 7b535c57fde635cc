//! The closing checklist (spec 1.5) on memory, SQLite and PostgreSQL: the
//! same rules through `Closings` on every store, then `closing_checklist`
//! scanning the demo company.

use std::sync::Arc;

use agent::closing::{
    ClosingChecklist, ClosingChecklistArgs, ClosingError, ClosingStatus, ClosingStatuses,
    ClosingStore, Closings, HumanStatus, MemoryClosings, Scan, StepChange, StepState,
    turned_to_attention,
};
use agent::config::Config;
use agent::odoo::OdooBackend;
use chrono::{Datelike, TimeZone, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::json;
use tools::automations::CompanyRef;
use tools::automations::month_end_closing_scan::{
    CheckKey, ClosingData, ClosingScanConfig, MonthEndClosingScan,
};
use tools::{CallOrigin, Identity, Tool, ToolCtx};

macro_rules! closing_suite {
    ($backend:ident, $make:expr) => {
        mod $backend {
            closing_suite!(@tests $make;
                starting_twice_returns_the_same_closing_with_one_step_per_check,
                a_rescan_refreshes_counts_and_never_reopens_a_step_done_by_a_person,
                a_step_with_items_is_done_only_with_a_note,
                an_unknown_step_is_refused_naming_the_valid_keys,
                only_a_person_completes_the_final_review_and_a_completed_closing_waits_for_reopen,
                marking_a_step_open_again_records_who_did_it,
                concurrent_changes_to_one_closing_are_all_kept,
                a_missing_closing_is_not_found,
                closings_are_kept_per_company_and_period,
                a_rescan_names_the_checks_that_turned_to_attention,
            );
        }
    };
    (@tests $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store: std::sync::Arc<dyn agent::closing::ClosingStore> = $make().await;
                super::$name(store.as_ref()).await;
            }
        )*
    };
}

async fn memory() -> Arc<dyn ClosingStore> {
    Arc::new(MemoryClosings::default())
}

async fn sqlite() -> Arc<dyn ClosingStore> {
    Arc::new(agent::testing::sqlite_store().await)
}

async fn postgres() -> Arc<dyn ClosingStore> {
    Arc::new(agent::testing::postgres_store().await)
}

closing_suite!(memory, super::memory);
closing_suite!(sqlite, super::sqlite);
closing_suite!(postgres, super::postgres);

fn company(id: i64) -> CompanyRef {
    agent::testing::closing_company(id)
}

fn scan_data(period: &str, items: &[(CheckKey, u64)]) -> ClosingData {
    agent::testing::closing_scan(period, items)
}

async fn record(
    store: &dyn ClosingStore,
    company_id: i64,
    data: &ClosingData,
) -> (agent::closing::Closing, bool) {
    let company = company(company_id);
    let scan = Scan {
        company: &company,
        data,
        data_json: serde_json::to_value(data).unwrap(),
        by: "slack:U1",
        at: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap(),
    };
    Closings::new(store).record_scan(&scan).await.unwrap()
}

fn change(key: &str, status: HumanStatus, note: Option<&str>, by: &str) -> StepChange {
    StepChange {
        key: key.to_owned(),
        status,
        note: note.map(str::to_owned),
        by: by.to_owned(),
    }
}

fn states(closing: &agent::closing::Closing) -> Vec<(&'static str, StepState, u64)> {
    closing
        .steps
        .iter()
        .map(|s| (s.key.as_str(), s.state, s.item_count))
        .collect()
}

const FEB: &str = "2026-02";

async fn starting_twice_returns_the_same_closing_with_one_step_per_check(store: &dyn ClosingStore) {
    let data = scan_data(FEB, &[(CheckKey::BankUnreconciled, 12)]);

    let (first, started) = record(store, 1, &data).await;
    let (again, refreshed) = record(store, 1, &data).await;

    assert!(started && refreshed);
    use StepState::{Open, Resolved};
    assert_eq!(
        states(&first),
        [
            ("bank_unreconciled", Open, 12),
            ("draft_entries", Resolved, 0),
            ("unbilled_deliveries", Resolved, 0),
            ("receipts_without_bills", Resolved, 0),
            ("uninvoiced_orders", Resolved, 0),
            ("unposted_depreciation", Resolved, 0),
            ("invoices_without_tax", Resolved, 0),
            ("intercompany_mismatch", Resolved, 0),
            ("manual_entries", Resolved, 0),
            ("final_review", Open, 0),
        ]
    );
    assert_eq!((first.version, again.version), (1, 2));
    assert_eq!(again.created_at, first.created_at);
    assert_eq!(states(&again), states(&first));
    assert_eq!(again.scan, serde_json::to_value(&data).unwrap());
    assert_eq!(
        (again.status, again.readiness, again.scanned_by.as_str()),
        (ClosingStatus::Open, 65, "slack:U1")
    );
    let read = Closings::new(store).get(1, FEB).await.unwrap();
    assert_eq!(read, again);
}

async fn a_rescan_refreshes_counts_and_never_reopens_a_step_done_by_a_person(
    store: &dyn ClosingStore,
) {
    let closings = Closings::new(store);
    let before = scan_data(
        FEB,
        &[(CheckKey::BankUnreconciled, 3), (CheckKey::DraftEntries, 4)],
    );
    record(store, 1, &before).await;
    let marked = closings
        .change_step(
            1,
            FEB,
            &change(
                "draft_entries",
                HumanStatus::Done,
                Some("accruals, posted on the 3rd"),
                "slack:U7",
            ),
        )
        .await
        .unwrap();
    let done = marked.steps[1].clone();

    // The bank lines got reconciled, the drafts grew, new orders appeared.
    let after = scan_data(
        FEB,
        &[(CheckKey::DraftEntries, 5), (CheckKey::UninvoicedOrders, 2)],
    );
    let (rescanned, refreshed) = record(store, 1, &after).await;

    assert!(refreshed);
    let step = |key: &str| {
        rescanned
            .steps
            .iter()
            .find(|s| s.key.as_str() == key)
            .unwrap()
            .clone()
    };
    assert_eq!(step("bank_unreconciled").state, StepState::Resolved);
    assert_eq!(
        (
            step("uninvoiced_orders").state,
            step("uninvoiced_orders").item_count
        ),
        (StepState::Open, 2)
    );
    let draft = step("draft_entries");
    assert_eq!(
        (draft.state, draft.item_count, draft.amount),
        (StepState::Done, 5, Some(Decimal::from(500)))
    );
    assert_eq!(
        (&draft.changed_by, draft.changed_at, &draft.note),
        (&done.changed_by, done.changed_at, &done.note)
    );
    assert_eq!(draft.changed_by.as_deref(), Some("slack:U7"));
}

async fn a_step_with_items_is_done_only_with_a_note(store: &dyn ClosingStore) {
    let closings = Closings::new(store);
    record(store, 1, &scan_data(FEB, &[(CheckKey::ManualEntries, 2)])).await;

    for note in [None, Some("   ")] {
        let err = closings
            .change_step(
                1,
                FEB,
                &change("manual_entries", HumanStatus::Done, note, "slack:U1"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ClosingError::NoteRequired { key, items: 2 } if key == "manual_entries"),
            "{err:?}"
        );
    }
    // A resolved step (no items) may be confirmed without a note.
    let closing = closings
        .change_step(
            1,
            FEB,
            &change("draft_entries", HumanStatus::Done, None, "slack:U1"),
        )
        .await
        .unwrap();
    assert_eq!(closing.steps[1].state, StepState::Done);
    let closing = closings
        .change_step(
            1,
            FEB,
            &change(
                "manual_entries",
                HumanStatus::Done,
                Some(" reviewed with the controller "),
                "slack:U1",
            ),
        )
        .await
        .unwrap();
    let step = &closing.steps[8];
    assert_eq!(
        (step.state, step.note.as_deref()),
        (StepState::Done, Some("reviewed with the controller"))
    );
}

async fn an_unknown_step_is_refused_naming_the_valid_keys(store: &dyn ClosingStore) {
    record(store, 1, &scan_data(FEB, &[])).await;
    let err = Closings::new(store)
        .change_step(1, FEB, &change("bank", HumanStatus::Done, None, "slack:U1"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown step `bank`; expected one of bank_unreconciled, draft_entries, \
         unbilled_deliveries, receipts_without_bills, uninvoiced_orders, \
         unposted_depreciation, invoices_without_tax, intercompany_mismatch, manual_entries, \
         final_review"
    );
}

async fn only_a_person_completes_the_final_review_and_a_completed_closing_waits_for_reopen(
    store: &dyn ClosingStore,
) {
    let closings = Closings::new(store);
    // A clean month: every check resolved but the final review.
    let (closing, _) = record(store, 1, &scan_data(FEB, &[])).await;
    assert_eq!(closing.status, ClosingStatus::Open);
    let open: Vec<&str> = closing
        .steps
        .iter()
        .filter(|s| s.state == StepState::Open)
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(open, ["final_review"]);

    let completed = closings
        .change_step(
            1,
            FEB,
            &change(
                "final_review",
                HumanStatus::Done,
                Some("P&L and balance sheet reviewed"),
                "slack:U9",
            ),
        )
        .await
        .unwrap();
    assert_eq!(completed.status, ClosingStatus::Completed);
    assert_eq!(completed.completed_by.as_deref(), Some("slack:U9"));
    assert!(completed.completed_at.is_some());

    // A later scan finds new drafts: the completed closing is not touched.
    let late = scan_data(FEB, &[(CheckKey::DraftEntries, 1)]);
    let (unchanged, refreshed) = record(store, 1, &late).await;
    assert!(!refreshed);
    assert_eq!(unchanged, completed);
    let err = closings
        .change_step(
            1,
            FEB,
            &change("draft_entries", HumanStatus::Open, None, "slack:U1"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ClosingError::Completed { .. }), "{err:?}");

    // Reopened explicitly: the review is open again and scans count again.
    let reopened = closings.reopen(1, FEB, "slack:U9").await.unwrap();
    assert_eq!(
        (reopened.status, reopened.completed_by.clone()),
        (ClosingStatus::Open, None)
    );
    let review = reopened.steps.last().unwrap();
    assert_eq!(
        (review.state, review.changed_by.as_deref()),
        (StepState::Open, Some("slack:U9"))
    );
    let (rescanned, refreshed) = record(store, 1, &late).await;
    assert!(refreshed);
    assert_eq!(rescanned.steps[1].state, StepState::Open);
}

async fn marking_a_step_open_again_records_who_did_it(store: &dyn ClosingStore) {
    let closings = Closings::new(store);
    record(
        store,
        1,
        &scan_data(FEB, &[(CheckKey::BankUnreconciled, 1)]),
    )
    .await;
    closings
        .change_step(
            1,
            FEB,
            &change(
                "bank_unreconciled",
                HumanStatus::Done,
                Some("fee, booked"),
                "slack:U1",
            ),
        )
        .await
        .unwrap();

    let undone = closings
        .change_step(
            1,
            FEB,
            &change(
                "bank_unreconciled",
                HumanStatus::Open,
                Some("fee was wrong"),
                "slack:U2",
            ),
        )
        .await
        .unwrap();

    let step = &undone.steps[0];
    assert_eq!(
        (step.state, step.changed_by.as_deref(), step.note.as_deref()),
        (StepState::Open, Some("slack:U2"), Some("fee was wrong"))
    );
}

async fn concurrent_changes_to_one_closing_are_all_kept(store: &dyn ClosingStore) {
    let closings = Closings::new(store);
    let keys = [
        CheckKey::BankUnreconciled,
        CheckKey::DraftEntries,
        CheckKey::UninvoicedOrders,
        CheckKey::ManualEntries,
    ];
    let items: Vec<(CheckKey, u64)> = keys.iter().map(|k| (*k, 1)).collect();
    record(store, 1, &scan_data(FEB, &items)).await;

    let changes: Vec<StepChange> = keys
        .iter()
        .map(|k| change(k.as_str(), HumanStatus::Done, Some("checked"), "slack:U1"))
        .collect();
    let results =
        futures::future::join_all(changes.iter().map(|c| closings.change_step(1, FEB, c))).await;

    for result in results {
        result.unwrap();
    }
    let closing = closings.get(1, FEB).await.unwrap();
    let done: Vec<&str> = closing
        .steps
        .iter()
        .filter(|s| s.state == StepState::Done)
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(
        done,
        [
            "bank_unreconciled",
            "draft_entries",
            "uninvoiced_orders",
            "manual_entries"
        ]
    );
    assert_eq!(closing.version, 5);
}

async fn a_missing_closing_is_not_found(store: &dyn ClosingStore) {
    let closings = Closings::new(store);
    let missing = |err: ClosingError| matches!(err, ClosingError::NotFound { company_id: 1, .. });
    assert!(missing(closings.get(1, FEB).await.unwrap_err()));
    assert!(missing(
        closings
            .change_step(
                1,
                FEB,
                &change("final_review", HumanStatus::Done, None, "slack:U1")
            )
            .await
            .unwrap_err()
    ));
    assert!(missing(
        closings.reopen(1, FEB, "slack:U1").await.unwrap_err()
    ));
}

async fn closings_are_kept_per_company_and_period(store: &dyn ClosingStore) {
    let closings = Closings::new(store);
    record(store, 1, &scan_data(FEB, &[(CheckKey::DraftEntries, 1)])).await;
    record(store, 2, &scan_data(FEB, &[])).await;
    record(store, 1, &scan_data("2026-03", &[])).await;
    closings
        .change_step(
            1,
            FEB,
            &change("draft_entries", HumanStatus::Done, Some("ok"), "slack:U1"),
        )
        .await
        .unwrap();

    for (company_id, period) in [(2, FEB), (1, "2026-03")] {
        let other = closings.get(company_id, period).await.unwrap();
        assert_eq!(other.steps[1].human_status, HumanStatus::Open);
        assert_eq!(other.version, 1);
    }
}

// ------------------------------------------------------- the tool, on demo

/// The demo company behind a fake Odoo, as the admin sees it.
async fn demo_backend() -> OdooBackend {
    agent::init_crypto();
    let config = Config::load(
        None,
        [
            ("ODOO_AGENT_DEMO_PARTNERS".to_owned(), "60".to_owned()),
            (
                "ODOO_AGENT_DEMO_LOGIN".to_owned(),
                "admin@harbourline.example".to_owned(),
            ),
        ],
    )
    .unwrap();
    OdooBackend::from_config(&config).await.unwrap()
}

fn operator_ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        cancel: tokio_util::sync::CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

fn demo_scan(backend: &OdooBackend) -> MonthEndClosingScan {
    MonthEndClosingScan::new(
        ClosingScanConfig::new(backend.base_url.clone()),
        Arc::clone(&backend.connector),
    )
}

#[tokio::test]
async fn closing_checklist_records_the_demo_companys_scan_and_keeps_done_steps_on_rescan() {
    let backend = demo_backend().await;
    // The demo's documents lead up to today; the month before has the
    // planted month-end problems.
    let today = chrono::Local::now().date_naive();
    let period = (today - chrono::Days::new(u64::from(today.day())))
        .format("%Y-%m")
        .to_string();
    let period = period.as_str();
    let scan = || demo_scan(&backend);
    let store = Arc::new(agent::testing::sqlite_store().await);
    let tool = ClosingChecklist::new(scan(), Arc::clone(&store) as Arc<dyn ClosingStore>);
    let ctx = operator_ctx();
    let args =
        || serde_json::from_value::<ClosingChecklistArgs>(json!({"period": period})).unwrap();
    let scan_args = serde_json::from_value(json!({"period": period})).unwrap();

    let first = tool.call(&ctx, args()).await.unwrap();
    let direct = scan().call(&ctx, scan_args).await.unwrap();

    // One step per check of the scan, with its counts.
    let steps: Vec<(CheckKey, u64)> = first
        .data
        .steps
        .iter()
        .map(|s| (s.key, s.item_count))
        .collect();
    let checks: Vec<(CheckKey, u64)> = direct
        .data
        .checks
        .iter()
        .map(|c| (c.key, c.item_count))
        .collect();
    assert_eq!(steps, checks);
    assert_eq!(first.tool, "closing_checklist");
    assert_eq!(first.company, direct.company);
    let stored = Closings::new(store.as_ref())
        .get(first.company.id, period)
        .await
        .unwrap();
    assert_eq!(stored.scanned_by, "local");
    assert!(
        first.summary.starts_with(&format!("Closing {period} (")),
        "{}",
        first.summary
    );

    // A person marks an open step done; the next call keeps it.
    let open = first
        .data
        .steps
        .iter()
        .find(|s| s.state == StepState::Open && s.item_count > 0)
        .unwrap_or_else(|| panic!("the demo month has open issues: {}", first.summary));
    Closings::new(store.as_ref())
        .change_step(
            first.company.id,
            period,
            &change(
                open.key.as_str(),
                HumanStatus::Done,
                Some("handled"),
                "slack:U7",
            ),
        )
        .await
        .unwrap();
    let second = tool.call(&ctx, args()).await.unwrap();
    let kept = second
        .data
        .steps
        .iter()
        .find(|s| s.key == open.key)
        .unwrap();
    assert_eq!(
        (kept.state, kept.done_by.as_deref(), kept.note.as_deref()),
        (StepState::Done, Some("slack:U7"), Some("handled"))
    );
    assert!(second.data.rescanned);
    assert!(
        second
            .summary
            .contains(&format!("done: {} (", open.key.as_str())),
        "{}",
        second.summary
    );
}

#[tokio::test]
async fn a_draft_entry_booked_after_a_clean_scan_is_recorded_as_a_closing_event() {
    use tools::automations::events::{EventKind, EventSeverity, ProductEvents};

    let backend = demo_backend().await;
    // A month long closed in the demo: no drafts are dated in or before it.
    let today = chrono::Local::now().date_naive();
    let in_period = today - chrono::Months::new(5);
    let period = in_period.format("%Y-%m").to_string();
    let store = Arc::new(agent::testing::sqlite_store().await);
    let tool = ClosingChecklist::new(
        demo_scan(&backend),
        Arc::clone(&store) as Arc<dyn ClosingStore>,
    )
    .with_events(Arc::clone(&store) as Arc<dyn ProductEvents>);
    let ctx = operator_ctx();
    let args =
        || serde_json::from_value::<ClosingChecklistArgs>(json!({"period": period})).unwrap();
    let since = Utc::now() - chrono::Duration::minutes(1);

    let first = tool.call(&ctx, args()).await.unwrap();
    let company = first.company.id;
    let drafts = |data: &agent::closing::ChecklistData| {
        let step = data
            .steps
            .iter()
            .find(|s| s.key == CheckKey::DraftEntries)
            .unwrap();
        (step.state, step.item_count)
    };
    assert_eq!(
        drafts(&first.data),
        (StepState::Resolved, 0),
        "{}",
        first.summary
    );
    let none = store
        .events_between(company, since, Utc::now(), 10)
        .await
        .unwrap();
    assert!(
        none.is_empty(),
        "a first scan has nothing to turn from: {none:?}"
    );

    // Someone books a draft entry dated in the month, in Odoo.
    let client = backend
        .connector
        .client_for(&Identity::local_operator())
        .await
        .unwrap();
    let journal = client
        .search_read(
            "account.journal",
            json!([["type", "=", "general"], ["company_id", "=", company]]),
            &["id"],
            Some("id asc"),
            Some(1),
            None,
        )
        .await
        .unwrap()[0]["id"]
        .as_i64()
        .unwrap();
    let currency = client
        .read("res.company", &[company], &["currency_id"])
        .await
        .unwrap()[0]["currency_id"][0]
        .as_i64()
        .unwrap();
    client
        .execute_kw(
            "account.move",
            "create",
            json!([{
                "move_type": "entry",
                "state": "draft",
                "date": in_period.with_day(15).unwrap().to_string(),
                "journal_id": journal,
                "company_id": company,
                "currency_id": currency,
                "ref": "Accrual forgotten in the close",
                "amount_total_signed": 250.0,
            }]),
            json!({}),
        )
        .await
        .unwrap();

    // The rescan finds it, and the event log says so once.
    let second = tool.call(&ctx, args()).await.unwrap();
    assert_eq!(
        drafts(&second.data),
        (StepState::Open, 1),
        "{}",
        second.summary
    );
    let events = store
        .events_between(company, since, Utc::now(), 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.kind, EventKind::ClosingAttention);
    assert_eq!(
        event.severity,
        EventSeverity::Medium,
        "draft_entries is medium"
    );
    assert_eq!(event.source, "closing_checklist");
    assert!(
        event.key.starts_with(&format!("{period}/draft_entries/")),
        "{}",
        event.key
    );
    assert!(
        event
            .description
            .starts_with(&format!("Closing {period}: ")),
        "{}",
        event.description
    );
    // A third scan finding the same draft records nothing new.
    tool.call(&ctx, args()).await.unwrap();
    let again = store
        .events_between(company, since, Utc::now(), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1, "{again:?}");
}

async fn a_rescan_names_the_checks_that_turned_to_attention(store: &dyn ClosingStore) {
    let (first, _) = record(store, 1, &scan_data(FEB, &[(CheckKey::DraftEntries, 2)])).await;
    let (second, _) = record(
        store,
        1,
        &scan_data(
            FEB,
            &[(CheckKey::DraftEntries, 3), (CheckKey::BankUnreconciled, 4)],
        ),
    )
    .await;
    let turned: Vec<&str> = turned_to_attention(&first, &second)
        .iter()
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(
        turned,
        ["bank_unreconciled"],
        "draft entries needed attention before; the final review is manual"
    );
    let (third, _) = record(store, 1, &scan_data(FEB, &[])).await;
    assert!(turned_to_attention(&second, &third).is_empty());
}

#[tokio::test]
async fn the_digest_reads_readiness_and_the_open_checks_of_a_closing() {
    use tools::automations::daily_digest::{CloseStatus, CloseStatuses};

    let store: Arc<dyn ClosingStore> = Arc::new(agent::testing::sqlite_store().await);
    record(
        store.as_ref(),
        1,
        &scan_data(FEB, &[(CheckKey::DraftEntries, 2)]),
    )
    .await;
    Closings::new(store.as_ref())
        .change_step(
            1,
            FEB,
            &change("draft_entries", HumanStatus::Done, Some("posted"), "anna"),
        )
        .await
        .unwrap();
    let statuses = ClosingStatuses(Arc::clone(&store));
    assert_eq!(
        statuses.close_status(1, FEB).await.unwrap(),
        Some(CloseStatus {
            period: FEB.to_owned(),
            status: "open".to_owned(),
            readiness: 65,
            open_checks: vec!["final_review".to_owned()],
        })
    );
    assert_eq!(statuses.close_status(1, "2026-01").await.unwrap(), None);
    assert_eq!(statuses.close_status(2, FEB).await.unwrap(), None);
}
