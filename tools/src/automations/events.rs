//! Events the product records where they happen, for the CFO digest's
//! `anomalies` (spec 7.2): a credit check that blocked an order, a
//! duplicate group found for the first time, a closing check that turned
//! to attention on a rescan. Each event has a key; recording one whose
//! (company, kind, key) is already stored does nothing, so a group found
//! again, or a block repeated the same day, is reported once.
//!
//! The log lives in the product database (the agent implements
//! [`ProductEvents`] on both backends); [`MemoryEvents`] keeps it in memory.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `credit_check` answered `block` for a customer's order.
    CreditBlocked,
    /// `find_duplicates` found a group nobody dismissed and no earlier run
    /// reported.
    DuplicateGroup,
    /// A rescan of a month's closing found work on a check that was clean.
    ClosingAttention,
}

impl EventKind {
    /// The stable name stored with the event.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreditBlocked => "credit_blocked",
            Self::DuplicateGroup => "duplicate_group",
            Self::ClosingAttention => "closing_attention",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::CreditBlocked,
            Self::DuplicateGroup,
            Self::ClosingAttention,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// How much an event matters, most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSeverity {
    High,
    Medium,
    Low,
}

impl EventSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::High, Self::Medium, Self::Low]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductEvent {
    pub company_id: i64,
    pub kind: EventKind,
    /// Identifies the event within its kind, so it is recorded once:
    /// `partner/42/2026-03-16`, `res.partner/7,9`, `2026-02/draft_entries/…`.
    pub key: String,
    pub severity: EventSeverity,
    /// One line for people, with the figures that matter.
    pub description: String,
    /// The tool that saw it.
    pub source: String,
    pub occurred_at: DateTime<Utc>,
}

/// Why the log could not be read or written; the tool's answer is not
/// affected, the digest says so in a warning.
#[derive(Debug, thiserror::Error)]
#[error("product event log unavailable: {0}")]
pub struct EventLogError(pub String);

/// The product's event log.
#[async_trait]
pub trait ProductEvents: Send + Sync {
    /// Stores `event` unless one with its (company, kind, key) is stored;
    /// true when it was new.
    async fn record_event(&self, event: &ProductEvent) -> Result<bool, EventLogError>;

    /// The company's events that occurred in `[from, to)`, newest first, at
    /// most `limit`.
    async fn events_between(
        &self,
        company_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ProductEvent>, EventLogError>;
}

/// Records each event and logs a failure: the tool that saw the event has
/// answered already and must not fail because the log is down.
pub async fn record_all(events: &dyn ProductEvents, recorded: &[ProductEvent]) {
    for event in recorded {
        if let Err(err) = events.record_event(event).await {
            tracing::warn!(error = %err, kind = event.kind.as_str(), "cannot record event");
        }
    }
}

/// The log in memory: tests and tools without a product database.
#[derive(Debug, Default)]
pub struct MemoryEvents {
    events: Mutex<BTreeMap<(i64, EventKind, String), ProductEvent>>,
}

#[async_trait]
impl ProductEvents for MemoryEvents {
    async fn record_event(&self, event: &ProductEvent) -> Result<bool, EventLogError> {
        let mut events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (event.company_id, event.kind, event.key.clone());
        if events.contains_key(&key) {
            return Ok(false);
        }
        events.insert(key, event.clone());
        Ok(true)
    }

    async fn events_between(
        &self,
        company_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ProductEvent>, EventLogError> {
        let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let mut found: Vec<ProductEvent> = events
            .values()
            .filter(|e| e.company_id == company_id && e.occurred_at >= from && e.occurred_at < to)
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            b.occurred_at
                .cmp(&a.occurred_at)
                .then(a.kind.as_str().cmp(b.kind.as_str()))
                .then(a.key.cmp(&b.key))
        });
        found.truncate(limit as usize);
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn event(kind: EventKind, key: &str, minute: u32) -> ProductEvent {
        ProductEvent {
            company_id: 1,
            kind,
            key: key.to_owned(),
            severity: EventSeverity::Low,
            description: key.to_owned(),
            source: "test".to_owned(),
            occurred_at: Utc.with_ymd_and_hms(2026, 3, 16, 8, minute, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn an_event_is_recorded_once_and_listed_newest_first_within_the_window() {
        let log = MemoryEvents::default();
        assert!(
            log.record_event(&event(EventKind::DuplicateGroup, "a", 1))
                .await
                .unwrap()
        );
        assert!(
            !log.record_event(&event(EventKind::DuplicateGroup, "a", 5))
                .await
                .unwrap()
        );
        assert!(
            log.record_event(&event(EventKind::CreditBlocked, "a", 2))
                .await
                .unwrap()
        );
        assert!(
            log.record_event(&event(EventKind::CreditBlocked, "b", 9))
                .await
                .unwrap()
        );
        let from = Utc.with_ymd_and_hms(2026, 3, 16, 8, 2, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 3, 16, 8, 30, 0).unwrap();
        let keys: Vec<(EventKind, String)> = log
            .events_between(1, from, to, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.kind, e.key))
            .collect();
        assert_eq!(
            keys,
            [
                (EventKind::CreditBlocked, "b".to_owned()),
                (EventKind::CreditBlocked, "a".to_owned())
            ]
        );
        assert_eq!(log.events_between(1, from, to, 1).await.unwrap().len(), 1);
        assert!(
            log.events_between(2, from, to, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn names_round_trip() {
        for kind in [
            EventKind::CreditBlocked,
            EventKind::DuplicateGroup,
            EventKind::ClosingAttention,
        ] {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        for severity in [
            EventSeverity::High,
            EventSeverity::Medium,
            EventSeverity::Low,
        ] {
            assert_eq!(EventSeverity::parse(severity.as_str()), Some(severity));
        }
        assert_eq!(EventKind::parse("other"), None);
    }
}
