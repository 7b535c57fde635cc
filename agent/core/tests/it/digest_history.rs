//! The `DigestHistory` contract on every store: memory, SQLite and
//! PostgreSQL (a fresh database per test). The previous digest is the
//! latest earlier one of the same company and role; a rerun replaces its
//! day; values come back exact.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use tools::automations::daily_digest::{DigestHistory, DigestRole, StoredDigest};

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    previous_is_the_latest_earlier_digest_of_the_company_and_role,
    a_rerun_replaces_its_day_and_values_stay_exact,
);

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn digest(date: NaiveDate, values: &[(&str, &str)]) -> StoredDigest {
    StoredDigest {
        date,
        values: values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.parse::<Decimal>().unwrap()))
            .collect::<BTreeMap<_, _>>(),
    }
}

async fn previous_is_the_latest_earlier_digest_of_the_company_and_role(stores: Stores) {
    let history = stores.fresh::<dyn DigestHistory>().await;
    let cfo = DigestRole::Cfo;
    for (company, role, date, value) in [
        (1, cfo, day(9), "9"),
        (1, cfo, day(12), "12"),
        (1, cfo, day(16), "16"),
        (2, cfo, day(15), "215"),
        (1, DigestRole::SalesManager, day(15), "115"),
    ] {
        history
            .record(company, role, digest(date, &[("x", value)]))
            .await
            .unwrap();
    }
    assert_eq!(
        history.previous(1, cfo, day(16)).await.unwrap(),
        Some(digest(day(12), &[("x", "12")]))
    );
    assert_eq!(
        history.previous(1, cfo, day(30)).await.unwrap(),
        Some(digest(day(16), &[("x", "16")]))
    );
    assert_eq!(history.previous(1, cfo, day(9)).await.unwrap(), None);
    assert_eq!(
        history.previous(2, cfo, day(16)).await.unwrap(),
        Some(digest(day(15), &[("x", "215")]))
    );
    assert_eq!(
        history.previous(3, cfo, day(16)).await.unwrap(),
        None,
        "another company starts afresh"
    );
    assert_eq!(
        history
            .previous(1, DigestRole::WarehouseManager, day(16))
            .await
            .unwrap(),
        None
    );
}

async fn a_rerun_replaces_its_day_and_values_stay_exact(stores: Stores) {
    let history = stores.fresh::<dyn DigestHistory>().await;
    let role = DigestRole::WarehouseManager;
    let first = digest(day(10), &[("out_of_stock", "4"), ("total", "12345.67")]);
    history.record(1, role, first).await.unwrap();
    let rerun = digest(
        day(10),
        &[
            ("out_of_stock", "5"),
            ("total", "-0.10"),
            ("big", "123456789012.345678"),
        ],
    );
    history.record(1, role, rerun.clone()).await.unwrap();
    assert_eq!(
        history.previous(1, role, day(11)).await.unwrap(),
        Some(rerun)
    );
}

/// The runtime keeps digest figures in its database: a digest after a
/// restart still compares with the one before it.
#[tokio::test]
async fn the_runtime_keeps_digest_figures_across_restarts() {
    use tokio_util::sync::CancellationToken;
    use tools::{CallOrigin, Identity, ToolCtx};

    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("agent.db").display());
    let config = agent::config::Config::load(
        None,
        vec![
            ("DATABASE_URL".to_owned(), database),
            ("ODOO_AGENT_DEMO_PARTNERS".to_owned(), "10".to_owned()),
        ],
    )
    .unwrap();
    let digest = |runtime: agent::Runtime, args: serde_json::Value| async move {
        let ctx = ToolCtx {
            identity: Identity::local_operator(),
            deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(60),
            cancel: CancellationToken::new(),
            origin: CallOrigin::Model,
        };
        runtime
            .tools()
            .dispatch(
                &ctx,
                "c1",
                "daily_digest",
                &args.to_string(),
                std::time::Duration::from_secs(60),
            )
            .await
            .result
            .unwrap()
            .output
    };
    let first = agent::Runtime::from_config(&config).await.unwrap();
    let before = digest(
        first,
        serde_json::json!({"role": "cfo", "date": "2026-01-05"}),
    )
    .await;
    let metrics = before["data"]["metrics"].as_array().unwrap();
    assert!(metrics.iter().all(|m| m.get("previous").is_none()));

    let restarted = agent::Runtime::from_config(&config).await.unwrap();
    let after = digest(
        restarted,
        serde_json::json!({"role": "cfo", "date": "2026-01-12"}),
    )
    .await;
    let previous: Vec<&serde_json::Value> = after["data"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["previous"])
        .collect();
    let values: Vec<&serde_json::Value> = metrics.iter().map(|m| &m["value"]).collect();
    assert_eq!(previous, values);
}

/// Proposals still pending and unexpired are what the CFO digest reports,
/// per company: those of another company are left out, those stored
/// without a company count for every company.
async fn pending_approvals_counts_unexpired_pending_proposals(
    store: std::sync::Arc<dyn agent::proposals::ProposalStore>,
    approvals: std::sync::Arc<dyn tools::automations::daily_digest::PendingApprovals>,
) {
    use agent::proposals::NewProposal;
    use chrono::{Duration, Utc};

    let before = Utc::now();
    let new = |partner: i64, ttl: Duration, company: Option<i64>| NewProposal {
        proposal: crate::proposal_store::credit_limit(partner, ttl),
        thread_id: None,
        turn_id: None,
        created_by: tools::IdentityId("anna".to_owned()),
        company_id: company,
    };
    store
        .insert_proposals(vec![
            new(7, Duration::hours(24), Some(1)),
            new(8, Duration::hours(2), Some(1)),
            new(9, Duration::hours(-1), Some(1)),
            new(10, Duration::hours(24), Some(2)),
            new(11, Duration::hours(24), None),
        ])
        .await
        .unwrap();
    let pending = approvals.pending_approvals(1, Utc::now()).await.unwrap();
    assert_eq!(
        pending.count, 3,
        "company 1's two unexpired ones and the one without a company"
    );
    let oldest = pending.oldest_created_at.unwrap();
    assert!(oldest >= before - Duration::seconds(1) && oldest <= Utc::now());
    // The records they would change, for the digest's links (stored in
    // one batch, so their order among themselves is not asserted).
    let mut targets = pending.targets.clone();
    targets.sort();
    let partner = |id: i64| ("res.partner".to_owned(), id);
    assert_eq!(targets, [partner(7), partner(8), partner(11)]);
    // Three hours later the two-hour one has expired too.
    let later = approvals
        .pending_approvals(1, Utc::now() + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(later.count, 2);
    let other = approvals.pending_approvals(2, Utc::now()).await.unwrap();
    assert_eq!(
        other.count, 2,
        "company 2's own and the one without a company"
    );
    assert_eq!(
        approvals
            .pending_approvals(3, Utc::now())
            .await
            .unwrap()
            .count,
        1
    );
}

#[tokio::test]
async fn pending_approvals_on_sqlite() {
    let store = std::sync::Arc::new(agent::testing::sqlite_store().await);
    pending_approvals_counts_unexpired_pending_proposals(store.clone(), store).await;
}

#[tokio::test]
async fn pending_approvals_on_postgres() {
    let store = std::sync::Arc::new(agent::testing::postgres_store().await);
    pending_approvals_counts_unexpired_pending_proposals(store.clone(), store).await;
}
