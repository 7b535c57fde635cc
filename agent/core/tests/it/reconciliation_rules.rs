//! The `LearnedRules` contract (spec 2.8) on every store: memory, SQLite
//! and PostgreSQL (a fresh database per test). Rules are kept per company
//! and journal with their patterns normalised and digits as `#`; the same
//! match confirmed again is the same rule; uses add up; a match with
//! nothing but digits teaches nothing.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use tools::automations::bank_reconciliation::{BankLine, LearnedRule, LearnedRules, OpenItem};
use tools::odoo::Ref;

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    rules_are_kept_per_company_and_journal_and_uses_add_up,
    a_match_of_only_digits_teaches_nothing,
);

fn partner(name: &str) -> Option<Ref> {
    Some(Ref {
        id: 7,
        name: Some(name.to_owned()),
    })
}

fn line(label: &str, partner_name: Option<&str>) -> BankLine {
    BankLine {
        id: 1,
        date: None,
        label: label.to_owned(),
        partner: partner_name.and_then(partner),
        commercial_partner_id: None,
        partner_name: None,
        amount: Decimal::from(200),
    }
}

fn item(name: &str, partner_name: Option<&str>) -> OpenItem {
    OpenItem {
        id: 9,
        move_id: 9,
        move_name: Some(name.to_owned()),
        move_ref: None,
        payment_reference: None,
        partner: partner_name.and_then(partner),
        commercial_partner_id: None,
        date: None,
        due_date: None,
        residual: Decimal::from(200),
    }
}

async fn rules_are_kept_per_company_and_journal_and_uses_add_up(stores: Stores) {
    let rules = stores.fresh::<dyn LearnedRules>().await;
    let now = Utc::now().trunc_subsecs(6);
    let saas = Some("SaaS Corp");
    let first = rules
        .learn(
            1,
            3,
            &line("Subscription Payment Feb 2026", saas),
            &item("INV/SUB/022", saas),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.rule,
        LearnedRule {
            id: first.rule.id,
            bank_text: Some("subscription payment feb #".to_owned()),
            bank_partner: Some("saas corp".to_owned()),
            entry_ref: Some("inv sub #".to_owned()),
            entry_partner: Some("saas corp".to_owned()),
        }
    );
    assert_eq!(
        (first.company_id, first.journal_id, first.use_count),
        (1, 3, 0)
    );
    assert_eq!(first.created_at, now);
    // Next year's text has the same patterns: the same rule.
    let again = rules
        .learn(
            1,
            3,
            &line("Subscription Payment Feb 2027", saas),
            &item("INV/SUB/122", saas),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.rule.id, first.rule.id);
    // The same match in another journal or company is another rule; a rule
    // without a partner keeps that pattern empty.
    let other_journal = rules
        .learn(
            1,
            4,
            &line("Rent March", None),
            &item("BILL/0003", None),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other_journal.rule.bank_partner, None);
    let other_company = rules
        .learn(
            2,
            3,
            &line("Subscription Payment Feb 2026", saas),
            &item("INV/SUB/022", saas),
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_ne!(other_company.rule.id, first.rule.id);

    rules
        .record_uses(1, 3, &BTreeMap::from([(first.rule.id, 2)]), now)
        .await
        .unwrap();
    rules
        .record_uses(1, 3, &BTreeMap::from([(first.rule.id, 1)]), now)
        .await
        .unwrap();
    // A rule id of another journal is not counted from this one.
    rules
        .record_uses(1, 3, &BTreeMap::from([(other_journal.rule.id, 5)]), now)
        .await
        .unwrap();
    let of = |company, journal| {
        let rules = &rules;
        async move { rules.rules(company, journal).await.unwrap() }
    };
    let journal_3 = of(1, 3).await;
    assert_eq!(journal_3.len(), 1);
    assert_eq!(journal_3[0].rule, first.rule);
    assert_eq!(journal_3[0].use_count, 3);
    assert_eq!(journal_3[0].created_at, now);
    let journal_4 = of(1, 4).await;
    assert_eq!(journal_4.len(), 1);
    assert_eq!(journal_4[0].use_count, 0);
    assert_eq!(of(2, 3).await.len(), 1);
    assert_eq!(of(2, 3).await[0].use_count, 0);
    assert!(of(3, 3).await.is_empty());
}

async fn a_match_of_only_digits_teaches_nothing(stores: Stores) {
    let rules = stores.fresh::<dyn LearnedRules>().await;
    let learned = rules
        .learn(
            1,
            3,
            &line("2026-0042 / 17", None),
            &item("2026/0042", None),
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(learned, None);
    assert!(rules.rules(1, 3).await.unwrap().is_empty());
}
