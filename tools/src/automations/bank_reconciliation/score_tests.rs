//! The pair score on the spec's worked examples (2.7) and each rule of 2.3–2.4.

use std::str::FromStr;

use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;

use super::*;
use crate::automations::bank_reconciliation::rules::{LearnedRule, PreparedRule};
use crate::odoo::Ref;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn partner(id: i64, name: &str) -> Option<Ref> {
    Some(Ref {
        id,
        name: Some(name.into()),
    })
}

pub(super) fn line(label: &str, amount: &str, partner: Option<Ref>) -> BankLine {
    BankLine {
        id: 1,
        date: NaiveDate::from_ymd_opt(2026, 3, 2),
        label: label.into(),
        commercial_partner_id: partner.as_ref().map(|p| p.id),
        partner,
        partner_name: None,
        amount: dec(amount),
    }
}

pub(super) fn item(name: &str, residual: &str, partner: Option<Ref>) -> OpenItem {
    OpenItem {
        id: 10,
        move_id: 10,
        move_name: Some(name.into()),
        move_ref: None,
        payment_reference: None,
        commercial_partner_id: partner.as_ref().map(|p| p.id),
        partner,
        date: NaiveDate::from_ymd_opt(2026, 2, 1),
        due_date: NaiveDate::from_ymd_opt(2026, 3, 1),
        residual: dec(residual),
    }
}

fn score(line: &BankLine, item: &OpenItem, rules: &[LearnedRule]) -> PairScore {
    let config = ReconcileConfig::default();
    let rules: Vec<PreparedRule> = rules.iter().filter_map(PreparedRule::new).collect();
    score_pair(
        &PreparedLine::new(line),
        &PreparedItem::new(item),
        &rules,
        &config,
    )
}

#[test]
fn worked_example_1_exact_reference_amount_and_partner() {
    let acme = partner(7, "Acme Corp");
    let s = score(
        &line("INV/2026/0042", "1500.00", acme.clone()),
        &item("INV/2026/0042", "1500.00", acme),
        &[],
    );
    assert_eq!(
        s.breakdown(),
        Breakdown {
            reference: 0.40,
            amount: 0.35,
            partner: 0.15,
            learned: 0.0
        }
    );
    assert_eq!(s.confidence, 0.90);
    assert_eq!(
        match_type(s.confidence, &s.breakdown(), &ReconcileConfig::default()),
        MatchType::Exact
    );
    assert_eq!(
        s.reasons(&ReconcileConfig::default()),
        vec![
            Reason::RefExact,
            Reason::RefContained,
            Reason::RefDigits,
            Reason::AmountExact,
            Reason::PartnerSame
        ]
    );
}

#[test]
fn worked_example_2_short_digit_run_leaves_only_the_amount() {
    let s = score(
        &line("PMT-99", "1000.30", None),
        &item("INV/99", "1000.00", partner(3, "Beta")),
        &[],
    );
    assert_eq!(s.reference.score, 0.0);
    assert!(!s.reference.digits);
    assert_eq!(s.amount.kind, AmountMatch::Rounding { d: dec("0.30") });
    assert_eq!(s.confidence, 0.30);
    assert_eq!(
        match_type(s.confidence, &s.breakdown(), &ReconcileConfig::default()),
        MatchType::Fuzzy
    );
}

#[test]
fn worked_example_3_learned_rule_adds_its_bonus() {
    let saas = partner(9, "SaaS Corp");
    let rule = LearnedRule {
        id: 4,
        bank_text: Some("subscription payment jan".into()),
        bank_partner: None,
        entry_ref: Some("inv sub #".into()),
        entry_partner: Some("saas corp".into()),
    };
    // "feb" against the stored "jan": token-sort R = 87.5 ≥ 80.
    let s = score(
        &line("Subscription Payment Feb", "200.00", saas.clone()),
        &item("INV/SUB/022", "200.00", saas),
        &[rule],
    );
    assert_eq!(
        s.breakdown(),
        Breakdown {
            reference: 0.0,
            amount: 0.35,
            partner: 0.15,
            learned: 0.10
        }
    );
    assert_eq!(s.confidence, 0.60);
    assert_eq!(s.learned_rule, Some(4));
    assert_eq!(
        match_type(s.confidence, &s.breakdown(), &ReconcileConfig::default()),
        MatchType::Learned
    );
}

#[test]
fn worked_example_4_incompatible_signs_are_not_scored() {
    assert!(!compatible(dec("1500.00"), dec("-1500.00")));
    assert!(!compatible(dec("-1500.00"), dec("1500.00")));
    assert!(compatible(dec("-20"), dec("-1500.00")));
    assert!(!compatible(dec("0"), dec("10")));
    assert!(!compatible(dec("10"), dec("0")));
}

#[test]
fn worked_example_5_five_percent_off_is_below_the_threshold() {
    let config = ReconcileConfig::default();
    let amount = amount_score(dec("1000.00"), dec("1050.00"), &config);
    assert!(
        matches!(amount.kind, AmountMatch::Near { .. }),
        "{amount:?}"
    );
    assert_eq!(amount.kind.p().unwrap().round_dp(4), dec("0.0476"));
    assert_eq!(amount.score, 0.078571);
    let s = score(&line("", "1000.00", None), &item("X", "1050.00", None), &[]);
    assert!(s.confidence < config.min_confidence);
    assert_eq!(
        match_type(s.confidence, &s.breakdown(), &config),
        MatchType::None
    );
}

#[test]
fn worked_example_6_digit_signature_lifts_a_fuzzy_reference() {
    let s = score(
        &line("PMT INV-2026-042", "1500.00", None),
        &item("INV/2026/0042", "1500.00", None),
        &[],
    );
    assert!(
        (s.reference.ratio - 82.76).abs() < 0.01,
        "{}",
        s.reference.ratio
    );
    assert!(s.reference.digits);
    assert!(!s.reference.contained);
    assert_eq!(s.reference.score, 0.35);
    assert_eq!(s.confidence, 0.70);
    assert_eq!(
        match_type(s.confidence, &s.breakdown(), &ReconcileConfig::default()),
        MatchType::Fuzzy
    );
    // Without the signature the fuzzy part alone gives 0.31.
    let fuzzy = 0.25 + 0.15 * (s.reference.ratio - 70.0) / 30.0;
    assert_eq!((fuzzy * 100.0).round() / 100.0, 0.31);
    let other = score(
        &line("PMT INV-2026-042", "1500.00", None),
        &item("INV/2026/0043", "1500.00", None),
        &[],
    );
    assert!(!other.reference.digits);
    assert!(other.reference.score < 0.35);
}

#[test]
fn reference_takes_the_best_of_all_keys() {
    let mut open = item("INV/2026/0001", "50", None);
    open.move_ref = Some("PO-77812".into());
    let s = score(&line("Payment PO-77812 thanks", "999", None), &open, &[]);
    assert_eq!(s.reference.score, 0.35);
    assert!(s.reference.contained);
}

#[test]
fn raw_character_containment_does_not_count() {
    let s = score(
        &line("inv20260042", "1", None),
        &item("inv2026004", "500", None),
        &[],
    );
    assert!(!s.reference.contained && !s.reference.digits);
}

#[test]
fn amount_bands_follow_the_spec() {
    let config = ReconcileConfig::default();
    let band = |a: &str, r: &str| amount_score(dec(a), dec(r), &config).score;
    assert_eq!(band("100.00", "100.009"), 0.35);
    assert_eq!(band("100.00", "-100.50"), 0.30);
    assert_eq!(band("1000.00", "1019.00"), 0.28);
    assert_eq!(band("1000.00", "1100.00"), 0.013636);
    assert_eq!(band("1000.00", "1111.12"), 0.0);
    assert_eq!(band("1000.00", "1050.00"), 0.078571);
    let reasons = |a: &str, r: &str| amount_reason(&amount_score(dec(a), dec(r), &config));
    assert_eq!(
        reasons("1000.00", "1019.00"),
        Some(Reason::AmountPct { p: dec("0.0186") })
    );
    assert_eq!(
        reasons("1000.00", "1050.00"),
        Some(Reason::AmountNear { p: dec("0.0476") })
    );
    assert_eq!(
        reasons("100.00", "100.30"),
        Some(Reason::AmountRounding { d: dec("0.30") })
    );
    assert_eq!(reasons("1", "2"), None);
}

#[test]
fn partner_ids_decide_when_both_sides_have_one() {
    let same = score(
        &line("x", "1", partner(1, "Acme")),
        &item("y", "1", partner(1, "ACME Corporation")),
        &[],
    );
    assert_eq!(same.partner, 0.15);
    let other = score(
        &line("x", "1", partner(1, "Acme")),
        &item("y", "1", partner(2, "Acme")),
        &[],
    );
    assert_eq!(other.partner, 0.0);
}

#[test]
fn bank_partner_name_is_compared_when_no_partner_is_set() {
    let mut bank = line("x", "1", None);
    bank.partner_name = Some("ACME corp".into());
    assert_eq!(
        score(&bank, &item("y", "1", partner(2, "Acme Corp")), &[]).partner,
        0.15
    );
    bank.partner_name = Some("Acme Corp Ltd".into());
    let weak = score(&bank, &item("y", "1", partner(2, "Acme Corp")), &[]);
    assert_eq!(weak.partner, 0.08);
    assert!(
        matches!(weak.partner_match, PartnerMatch::Name { ratio } if (ratio - 81.8).abs() < 0.1)
    );
    bank.partner_name = Some("Zeta".into());
    assert_eq!(
        score(&bank, &item("y", "1", partner(2, "Acme Corp")), &[]).partner,
        0.0
    );
}

#[test]
fn match_types_follow_their_thresholds() {
    let config = ReconcileConfig::default();
    let b = |reference, amount, partner, learned| Breakdown {
        reference,
        amount,
        partner,
        learned,
    };
    assert_eq!(
        match_type(0.90, &b(0.40, 0.35, 0.15, 0.0), &config),
        MatchType::Exact
    );
    assert_eq!(
        match_type(0.60, &b(0.0, 0.35, 0.15, 0.10), &config),
        MatchType::Learned
    );
    assert_eq!(
        match_type(0.45, &b(0.0, 0.20, 0.15, 0.10), &config),
        MatchType::Partial
    );
    assert_eq!(
        match_type(0.40, &b(0.25, 0.0, 0.15, 0.0), &config),
        MatchType::Fuzzy
    );
    assert_eq!(
        match_type(0.33, &b(0.10, 0.0, 0.15, 0.08), &config),
        MatchType::Partial
    );
    assert_eq!(
        match_type(0.20, &b(0.0, 0.05, 0.15, 0.0), &config),
        MatchType::None
    );
}
