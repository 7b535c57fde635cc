//! `suggest` end to end on small hand-made books: global assignment,
//! splits, partial payments, output shape and determinism.

use std::str::FromStr;

use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;

use super::*;
use crate::automations::bank_reconciliation::{
    MatchType, OpenItem, Reason, ReconcileConfig, SuggestionKind,
};
use crate::odoo::Ref;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn day(d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 3, d)
}

fn partner(id: i64) -> Option<Ref> {
    Some(Ref {
        id,
        name: Some(format!("Partner {id}")),
    })
}

fn line(id: i64, label: &str, amount: &str, partner_id: Option<i64>) -> BankLine {
    BankLine {
        id,
        date: day(10),
        label: label.into(),
        partner: partner_id.and_then(partner),
        commercial_partner_id: partner_id,
        partner_name: None,
        amount: dec(amount),
    }
}

fn item(id: i64, name: &str, residual: &str, partner_id: i64, due: u32) -> OpenItem {
    OpenItem {
        id,
        move_id: id,
        move_name: Some(name.into()),
        move_ref: None,
        payment_reference: None,
        partner: partner(partner_id),
        commercial_partner_id: Some(partner_id),
        date: day(due),
        due_date: day(due),
        residual: dec(residual),
    }
}

fn matches(result: &ReconcileResult) -> Vec<(i64, Vec<i64>)> {
    result
        .suggestions
        .iter()
        .map(|s| {
            (
                s.line.id,
                s.candidates.iter().map(|c| c.move_line_id).collect(),
            )
        })
        .collect()
}

#[test]
fn assignment_is_global_not_first_come() {
    // Line 1 comes first and likes item 10 a little (amount only); line 2
    // pays item 10 exactly by reference. Greedy in line order would give
    // item 10 to line 1.
    let lines = [
        line(1, "Transfer", "500.00", None),
        line(2, "INV/2026/0010", "500.00", Some(3)),
    ];
    let items = [
        item(10, "INV/2026/0010", "500.00", 3, 1),
        item(11, "INV/2026/0011", "500.40", 4, 1),
    ];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    assert_eq!(matches(&outcome.result), vec![(1, vec![11]), (2, vec![10])]);
    let second = &outcome.result.suggestions[1];
    assert_eq!(second.confidence, 0.90);
    assert_eq!(second.match_type, MatchType::Exact);
    assert_eq!(outcome.result.counts.auto_matchable, 1);
    assert_eq!(outcome.result.counts.needs_review, 1);
}

#[test]
fn one_payment_for_two_invoices_is_a_split() {
    let lines = [line(1, "Payment March", "300.00", Some(5))];
    let items = [
        item(20, "INV/2026/0020", "100.00", 5, 1),
        item(21, "INV/2026/0021", "200.00", 5, 2),
        item(22, "INV/2026/0022", "999.00", 5, 3),
        item(23, "INV/2026/0023", "300.00", 6, 3),
    ];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    let suggestion = &outcome.result.suggestions[0];
    assert_eq!(suggestion.kind, SuggestionKind::Split);
    assert_eq!(matches(&outcome.result), vec![(1, vec![20, 21])]);
    // amount 0.35 + partner 0.15 + best member reference 0.
    assert_eq!(suggestion.confidence, 0.50);
    assert_eq!(
        suggestion.reasons,
        vec![Reason::AmountExact, Reason::PartnerSame]
    );
    // The other partner's exact amount scores 0.35 alone and is the runner-up.
    assert_eq!(suggestion.alternatives[0].move_line_ids, vec![23]);
    assert_eq!(outcome.stats.split_options, 1);

    let no_splits = ReconcileConfig {
        allow_splits: false,
        ..ReconcileConfig::default()
    };
    let outcome = suggest(&lines, &items, &[], &no_splits);
    assert_eq!(matches(&outcome.result), vec![(1, vec![23])]);
}

#[test]
fn split_prefers_fewer_items_then_older_due_dates() {
    let lines = [line(1, "Payment", "300.00", Some(5))];
    let items = [
        item(30, "A1", "100.00", 5, 5),
        item(31, "A2", "100.00", 5, 6),
        item(32, "A3", "100.00", 5, 7),
        item(33, "B1", "150.00", 5, 9),
        item(34, "B2", "150.00", 5, 8),
    ];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    assert_eq!(matches(&outcome.result), vec![(1, vec![34, 33])]);
    let items = [
        item(30, "A1", "100.00", 5, 5),
        item(31, "A2", "200.00", 5, 9),
        item(32, "A3", "200.00", 5, 2),
    ];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    assert_eq!(matches(&outcome.result), vec![(1, vec![32, 30])]);
}

#[test]
fn larger_item_with_reference_and_partner_is_a_partial_payment() {
    let lines = [line(1, "BILL/2026/00300", "-500.00", Some(8))];
    let items = [
        item(40, "BILL/2026/00300", "-1000.00", 8, 1),
        item(41, "BILL/2026/00301", "-500.00", 9, 1),
    ];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    let suggestion = &outcome.result.suggestions[0];
    assert_eq!(matches(&outcome.result), vec![(1, vec![40])]);
    assert_eq!(suggestion.kind, SuggestionKind::Partial);
    assert_eq!(suggestion.residual_after, Some(dec("-500.00")));
    assert_eq!(suggestion.confidence, 0.55);

    // Under the spec's literal reference rule the neighbouring bill's
    // near-identical number (R = 93.3 → 0.37) plus its exact amount wins.
    let mut spec = ReconcileConfig::default();
    spec.reference.fuzzy_needs_digits = false;
    let outcome = suggest(&lines, &items, &[], &spec);
    assert_eq!(matches(&outcome.result), vec![(1, vec![41])]);
}

#[test]
fn lines_below_min_confidence_are_unmatched() {
    let lines = [
        line(1, "Fee", "1000.00", None),
        line(2, "Rent", "-80.00", None),
    ];
    let items = [item(50, "INV/2026/0050", "1050.00", 3, 1)];
    let outcome = suggest(&lines, &items, &[], &ReconcileConfig::default());
    assert!(outcome.result.suggestions.is_empty());
    assert_eq!(outcome.result.unmatched_line_ids, vec![1, 2]);
    assert_eq!(outcome.result.counts.unmatched, 2);
    assert_eq!(outcome.stats.pairs_scored, 1);
}

#[test]
fn result_does_not_depend_on_input_order_or_workers() {
    let mut lines: Vec<BankLine> = (0..40)
        .map(|n| {
            line(
                100 + n,
                &format!("INV/2026/{:04}", n % 13),
                &format!("{}.00", 100 + n % 7),
                Some(n % 5),
            )
        })
        .collect();
    let mut items: Vec<OpenItem> = (0..40)
        .map(|n| {
            item(
                200 + n,
                &format!("INV/2026/{:04}", n % 11),
                &format!("{}.00", 100 + n % 9),
                n % 5,
                1 + (n % 20) as u32,
            )
        })
        .collect();
    let config = ReconcileConfig::default();
    let first = suggest(&lines, &items, &[], &config);
    assert!(
        first.result.counts.suggested > 10,
        "{:?}",
        first.result.counts
    );
    lines.reverse();
    items.reverse();
    let one_worker = ReconcileConfig {
        workers: 1,
        ..ReconcileConfig::default()
    };
    let reversed = suggest(&lines, &items, &[], &one_worker);
    assert_eq!(reversed.result.counts, first.result.counts);
    assert_eq!(matches(&reversed.result), matches(&first.result));
    assert_eq!(reversed.stats, first.stats);
}
