//! What the channel remembers between requests, in memory: when each
//! person last wrote (the 24-hour customer-service window) and the ids of
//! button presses and other non-text messages already handled (they are
//! answered directly, not through the durable ingress, so a re-sent
//! webhook must not answer them twice).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// WhatsApp allows free-form messages to a person only within 24 hours of
/// their last message; after that only an approved template.
pub const SERVICE_WINDOW: Duration = Duration::hours(24);

/// People remembered before the ones whose window has closed are forgotten.
const PEOPLE_KEPT: usize = 10_000;

/// When each WhatsApp id last wrote to us.
#[derive(Default)]
pub struct LastInbound(Mutex<HashMap<String, DateTime<Utc>>>);

impl LastInbound {
    /// Notes a message `wa_id` sent at `at`.
    pub fn saw(&self, wa_id: &str, at: DateTime<Utc>) {
        let Ok(mut seen) = self.0.lock() else {
            return;
        };
        if seen.len() >= PEOPLE_KEPT {
            // Entries past the window decide nothing any more.
            let open_since = Utc::now() - SERVICE_WINDOW;
            seen.retain(|_, last| *last > open_since);
        }
        let last = seen.entry(wa_id.to_owned()).or_insert(at);
        if at > *last {
            *last = at;
        }
    }

    /// The later of `stored` (the message being answered) and any newer
    /// message seen from `wa_id` since.
    pub fn latest(&self, wa_id: &str, stored: DateTime<Utc>) -> DateTime<Utc> {
        self.0
            .lock()
            .ok()
            .and_then(|seen| seen.get(wa_id).copied())
            .map_or(stored, |seen| seen.max(stored))
    }
}

/// Message ids handled lately, oldest forgotten first.
pub struct RecentIds {
    ids: Mutex<(HashSet<String>, VecDeque<String>)>,
    capacity: usize,
}

impl RecentIds {
    pub fn new(capacity: usize) -> Self {
        Self {
            ids: Mutex::new((HashSet::new(), VecDeque::new())),
            capacity: capacity.max(1),
        }
    }

    /// `true` the first time `id` is offered, `false` for a repeat.
    pub fn first(&self, id: &str) -> bool {
        let Ok(mut guard) = self.ids.lock() else {
            return true;
        };
        let (set, order) = &mut *guard;
        if !set.insert(id.to_owned()) {
            return false;
        }
        order.push_back(id.to_owned());
        if order.len() > self.capacity
            && let Some(oldest) = order.pop_front()
        {
            set.remove(&oldest);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_message_counts_and_repeats_are_recognised() {
        let last = LastInbound::default();
        let now = Utc::now();
        assert_eq!(last.latest("31612345678", now), now);
        last.saw("31612345678", now - Duration::hours(30));
        last.saw("31612345678", now - Duration::hours(2));
        last.saw("31612345678", now - Duration::hours(26));
        assert_eq!(
            last.latest("31612345678", now - Duration::hours(40)),
            now - Duration::hours(2)
        );
        let recent = RecentIds::new(2);
        assert!(recent.first("a"));
        assert!(!recent.first("a"));
        assert!(recent.first("b"));
        assert!(recent.first("c"));
        // `a` was pushed out by the capacity.
        assert!(recent.first("a"));
    }
}
