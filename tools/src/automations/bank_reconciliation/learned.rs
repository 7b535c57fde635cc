//! Where learned rules (spec 2.8) are kept: per company and journal, with
//! when each was learned and how often it has contributed to a suggestion
//! since. The tool reads them on every run and counts their uses; a
//! person's confirmed match adds one through [`LearnedRules::learn`].

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::records::{BankLine, OpenItem};
use super::rules::LearnedRule;
use crate::ToolError;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub company_id: i64,
    pub journal_id: i64,
    pub rule: LearnedRule,
    pub created_at: DateTime<Utc>,
    /// Suggestions the rule's bonus contributed to.
    pub use_count: u64,
}

/// The learned rules of the product database.
#[async_trait]
pub trait LearnedRules: Send + Sync {
    /// Every rule of `journal_id` in `company_id`, oldest first.
    async fn rules(&self, company_id: i64, journal_id: i64) -> Result<Vec<StoredRule>, ToolError>;

    /// Records that a person confirmed `line` settles `item`: a new rule,
    /// or the existing rule with the same patterns (confirming twice does
    /// not make two rules). `None` when every pattern would be empty or
    /// only digits (spec 2.8).
    async fn learn(
        &self,
        company_id: i64,
        journal_id: i64,
        line: &BankLine,
        item: &OpenItem,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredRule>, ToolError>;

    /// Adds `uses[rule id]` to each rule's `use_count`: the suggestions of
    /// one run its bonus contributed to. Ids of other journals are ignored.
    async fn record_uses(
        &self,
        company_id: i64,
        journal_id: i64,
        uses: &BTreeMap<i64, u64>,
        now: DateTime<Utc>,
    ) -> Result<(), ToolError>;
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
    async fn rules(&self, company_id: i64, journal_id: i64) -> Result<Vec<StoredRule>, ToolError> {
        Ok(self
            .lock()?
            .iter()
            .filter(|stored| stored.company_id == company_id && stored.journal_id == journal_id)
            .cloned()
            .collect())
    }

    async fn learn(
        &self,
        company_id: i64,
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
            stored.company_id == company_id
                && stored.journal_id == journal_id
                && stored.rule.same_patterns(&rule)
        };
        if let Some(stored) = rules.iter().find(|s| same(s)) {
            return Ok(Some(stored.clone()));
        }
        let stored = StoredRule {
            company_id,
            journal_id,
            rule,
            created_at: now,
            use_count: 0,
        };
        rules.push(stored.clone());
        Ok(Some(stored))
    }

    async fn record_uses(
        &self,
        company_id: i64,
        journal_id: i64,
        uses: &BTreeMap<i64, u64>,
        _now: DateTime<Utc>,
    ) -> Result<(), ToolError> {
        for stored in self.lock()?.iter_mut() {
            if stored.company_id == company_id && stored.journal_id == journal_id {
                stored.use_count += uses.get(&stored.rule.id).copied().unwrap_or(0);
            }
        }
        Ok(())
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
    async fn a_second_confirmation_keeps_one_rule_and_uses_are_counted() {
        let store = MemoryRules::default();
        let now = Utc::now();
        let first = store
            .learn(1, 3, &line("Subscription Payment Feb 2026"), &item(), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.use_count, 0);
        assert_eq!(
            first.rule.bank_text.as_deref(),
            Some("subscription payment feb #")
        );
        let again = store
            .learn(1, 3, &line("Subscription Payment Feb 2027"), &item(), now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.rule.id, first.rule.id);
        store
            .record_uses(1, 3, &BTreeMap::from([(first.rule.id, 2)]), now)
            .await
            .unwrap();
        // Another company's journal 3 is another journal.
        store
            .record_uses(2, 3, &BTreeMap::from([(first.rule.id, 5)]), now)
            .await
            .unwrap();
        let rules = store.rules(1, 3).await.unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].use_count, 2);
        assert!(store.rules(1, 4).await.unwrap().is_empty());
        assert!(store.rules(2, 3).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_confirmation_of_digits_only_stores_nothing() {
        let store = MemoryRules::default();
        let mut digits = item();
        digits.partner = None;
        digits.move_name = Some("2026/0042".to_owned());
        let mut bare = line("2026 0042");
        bare.partner = None;
        let learned = store.learn(1, 3, &bare, &digits, Utc::now()).await.unwrap();
        assert_eq!(learned, None);
        assert!(store.rules(1, 3).await.unwrap().is_empty());
    }
}
