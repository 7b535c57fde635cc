//! The `ProductEvents` contract on every store: an event is stored once per
//! (company, kind, key), listed newest first within its window and
//! company, at most the limit asked, with its text intact.

#![allow(clippy::unwrap_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use pretty_assertions::assert_eq;
use tools::automations::events::{EventKind, EventSeverity, ProductEvent, ProductEvents};

use crate::every_store::{Stores, on_every_store};

on_every_store!(events_are_recorded_once_and_listed_newest_first_in_their_window);

fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 16, 6, 0, 0).unwrap() + Duration::minutes(minutes)
}

fn event(company: i64, kind: EventKind, key: &str, minutes: i64) -> ProductEvent {
    ProductEvent {
        company_id: company,
        kind,
        key: key.to_owned(),
        severity: EventSeverity::Medium,
        description: format!("Ünïcode & <text> for {key}"),
        source: "test".to_owned(),
        occurred_at: at(minutes) + Duration::microseconds(123),
    }
}

async fn events_are_recorded_once_and_listed_newest_first_in_their_window(stores: Stores) {
    let log = stores.fresh::<dyn ProductEvents>().await;
    let group = event(1, EventKind::DuplicateGroup, "res.partner/7,9", 10);
    assert!(log.record_event(&group).await.unwrap());
    let mut again = event(1, EventKind::DuplicateGroup, "res.partner/7,9", 50);
    again.description = "found again".to_owned();
    assert!(
        !log.record_event(&again).await.unwrap(),
        "a known group is not new"
    );
    for e in [
        event(1, EventKind::CreditBlocked, "res.partner/7,9", 20),
        event(1, EventKind::ClosingAttention, "2026-02/x", 30),
        event(1, EventKind::CreditBlocked, "old", -10),
        event(2, EventKind::CreditBlocked, "other company", 25),
    ] {
        assert!(log.record_event(&e).await.unwrap());
    }
    let listed = log.events_between(1, at(0), at(60), 10).await.unwrap();
    assert_eq!(
        listed,
        vec![
            event(1, EventKind::ClosingAttention, "2026-02/x", 30),
            event(1, EventKind::CreditBlocked, "res.partner/7,9", 20),
            group,
        ]
    );
    let two = log.events_between(1, at(0), at(60), 2).await.unwrap();
    assert_eq!(two.len(), 2);
    let window = log.events_between(1, at(-10), at(20), 10).await.unwrap();
    let keys: Vec<&str> = window.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["res.partner/7,9", "old"],
        "from inclusive, to exclusive"
    );
    assert_eq!(
        log.events_between(2, at(0), at(60), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}
