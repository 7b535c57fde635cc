//! Where learned rules (spec 2.8) are kept: per journal, with when each was
//! first learned and how often it was confirmed. The tool only reads them;
//! a person's confirmed match adds one through [`LearnedRules::learn`].

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::records::{BankLine, OpenItem};
use super::rules::LearnedRule;
use crate::ToolError;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub journal_id: i64,
    pub rule: LearnedRule,
    pub created_at: DateTime<Utc>,
    /// Confirmations that produced the same patterns.
    pub use_count: u64,
}

/// The learned rules of the product database.
#[async_trait]
pub trait LearnedRules: Send + Sync {
    /// Every rule of `journal_id`.
    async fn rules(&self, journal_id: i64) -> Result<Vec<LearnedRule>, ToolError>;

    /// Records that a person confirmed `line` settles `item`: a new rule,
    /// or one more use of the rule with the same patterns. `None` when
    /// every pattern would be empty or only digits (spec 2.8).
    async fn learn(
        &self,
        journal_id: i64,
        line: &BankLine,
        item: &OpenItem,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredRule>, ToolError>;
}

/// An in-memory [`LearnedRules`] for tests and runs without a product
/// database.
#[derive(Debug, Default)]
pub struct MemoryRules {
    rules: Mutex<Vec<StoredRule>>,
}

impl MemoryRules {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Vec<StoredRule>>, ToolError> {
        self.rules
            .lock()
            .map_err(|_| ToolError::Internal("learned rules poisoned".to_owned()))
    }
}

#[async_trait]
impl LearnedRules for MemoryRules {
    async fn rules(&self, journal_id: i64) -> Result<Vec<LearnedRule>, ToolError> {
        Ok(self
            .lock()?
            .iter()
            .filter(|stored| stored.journal_id == journal_id)
            .map(|stored| stored.rule.clone())
            .collect())
    }

    async fn learn(
        &self,
        journal_id: i64,
        line: &BankLine,
        item: &OpenItem,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredRule>, ToolError> {
        let mut rules = self.lock()?;
        let next_id = rules.iter().map(|s| s.rule.id).max().unwrap_or(0) + 1;
        let Some(rule) = LearnedRule::from_confirmed(next_id, line, item) else {
            return Ok(None);
        };
        let same = |stored: &StoredRule| {
            stored.journal_id == journal_id
                && LearnedRule {
                    id: rule.id,
                    ..stored.rule.clone()
                } == rule
        };
        if let Some(stored) = rules.iter_mut().find(|s| same(s)) {
            stored.use_count += 1;
            return Ok(Some(stored.clone()));
        }
        let stored = StoredRule {
            journal_id,
            rule,
            created_at: now,
            use_count: 1,
        };
        rules.push(stored.clone());
        Ok(Some(stored))
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::odoo::Ref;

    fn line(label: &str) -> BankLine {
        BankLine {
            id: 1,
            date: None,
            label: label.to_owned(),
            partner: Some(Ref {
                id: 5,
                name: Some("SaaS Corp".to_owned()),
            }),
            commercial_partner_id: Some(5),
            partner_name: None,
            amount: Decimal::from(200),
        }
    }

    fn item() -> OpenItem {
        OpenItem {
            id: 9,
            move_id: 8,
            move_name: Some("INV/SUB/022".to_owned()),
            move_ref: None,
            payment_reference: None,
            partner: Some(Ref {
                id: 5,
                name: Some("SaaS Corp".to_owned()),
            }),
            commercial_partner_id: Some(5),
            date: None,
            due_date: None,
            residual: Decimal::from(200),
        }
    }

    #[tokio::test]
    async fn a_second_confirmation_of_the_same_patterns_counts_a_use() {
        let store = MemoryRules::default();
        let now = Utc::now();
        let first = store
            .learn(3, &line("Subscription Payment Feb 2026"), &item(), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.use_count, 1);
        assert_eq!(
            first.rule.bank_text.as_deref(),
            Some("subscription payment feb #")
        );
        let again = store
            .learn(3, &line("Subscription Payment Feb 2027"), &item(), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.rule.id, again.use_count), (first.rule.id, 2));
        assert_eq!(store.rules(3).await.unwrap().len(), 1);
        assert!(store.rules(4).await.unwrap().is_empty());
    }
}
