use pretty_assertions::assert_eq;

use super::*;

fn found(count: u64, amount: Option<i64>) -> Outcome {
    Outcome::Found(Facts {
        item_count: count,
        amount: amount.map(Decimal::from),
        ..Facts::default()
    })
}

/// Every check clean except `open`, which get the outcomes given.
fn checks(open: &[(CheckKey, Outcome)]) -> Vec<Check> {
    CheckKey::ALL
        .into_iter()
        .map(|key| {
            let outcome = open
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, o)| o.clone())
                .unwrap_or_else(|| match key {
                    CheckKey::FinalReview => Outcome::Manual("review".into()),
                    _ => found(0, None),
                });
            Check::new(key, outcome)
        })
        .collect()
}

#[test]
fn the_spec_example_scores_65_high_and_five_hours() {
    let result = checks(&[
        (CheckKey::BankUnreconciled, found(12, Some(4_000))),
        (CheckKey::UninvoicedOrders, found(3, Some(5_700))),
        (CheckKey::DraftEntries, found(4, Some(2_000))),
    ]);
    let assessment = assess(&result, &Scoring::default());
    assert_eq!(
        assessment,
        Assessment {
            readiness: 65,
            risk_level: RiskLevel::High,
            total_items: 19,
            estimated_hours: Decimal::new(50, 1),
        }
    );
    assert_eq!(assessment.estimated_hours.to_string(), "5.0");
    let narrative = template_narrative(&result, &assessment);
    assert_eq!(
        narrative.summary,
        "3 checks need attention; readiness 65/100"
    );
    assert_eq!(
        narrative.priority_actions,
        ["uninvoiced_orders", "bank_unreconciled", "draft_entries"]
    );
}

#[test]
fn statuses_follow_the_outcome() {
    let result = checks(&[
        (
            CheckKey::IntercompanyMismatch,
            Outcome::NotApplicable("one company".into()),
        ),
        (CheckKey::ManualEntries, Outcome::Failed("odoo down".into())),
    ]);
    let status = |key: CheckKey| result.iter().find(|c| c.key == key).unwrap().status;
    assert_eq!(status(CheckKey::BankUnreconciled), Status::Ok);
    assert_eq!(
        status(CheckKey::IntercompanyMismatch),
        Status::NotApplicable
    );
    assert_eq!(status(CheckKey::ManualEntries), Status::Error);
    assert_eq!(status(CheckKey::FinalReview), Status::Manual);
    let orders: Vec<u8> = result.iter().map(|c| c.order).collect();
    assert_eq!(orders, (1..=10).collect::<Vec<u8>>());
}

#[test]
fn an_error_costs_ten_points_and_adds_no_items() {
    let result = checks(&[(CheckKey::ManualEntries, Outcome::Failed("x".into()))]);
    let assessment = assess(&result, &Scoring::default());
    assert_eq!((assessment.readiness, assessment.total_items), (90, 0));
    assert_eq!(assessment.risk_level, RiskLevel::Low);
    assert_eq!(assessment.estimated_hours.to_string(), "1.0");
}

#[test]
fn a_low_severity_check_costs_nothing_but_counts_its_items() {
    let result = checks(&[(CheckKey::ManualEntries, found(7, Some(10)))]);
    let assessment = assess(&result, &Scoring::default());
    assert_eq!(assessment.readiness, 100);
    assert_eq!(assessment.total_items, 7);
    // 7 × 0.25 = 1.75 → 2.0 (nearest half hour)
    assert_eq!(assessment.estimated_hours.to_string(), "2.0");
}

#[test]
fn risk_bands_change_exactly_at_their_boundaries() {
    let scoring = Scoring::default();
    let band = |penalty: u32| {
        let scoring = Scoring {
            penalty_low: penalty,
            ..scoring.clone()
        };
        let result = checks(&[(CheckKey::ManualEntries, found(1, None))]);
        let a = assess(&result, &scoring);
        (a.readiness, a.risk_level)
    };
    assert_eq!(band(10), (90, RiskLevel::Low));
    assert_eq!(band(11), (89, RiskLevel::Medium));
    assert_eq!(band(30), (70, RiskLevel::Medium));
    assert_eq!(band(31), (69, RiskLevel::High));
    assert_eq!(band(50), (50, RiskLevel::High));
    assert_eq!(band(51), (49, RiskLevel::Critical));
    // Clamped at 0, never negative.
    assert_eq!(band(250), (0, RiskLevel::Critical));
}

#[test]
fn effort_is_at_least_one_hour_and_rounds_halves_up() {
    let hours = |items: u64| {
        let result = checks(&[(CheckKey::ManualEntries, found(items, None))]);
        assess(&result, &Scoring::default())
            .estimated_hours
            .to_string()
    };
    assert_eq!(hours(0), "1.0");
    assert_eq!(hours(1), "1.0");
    assert_eq!(hours(5), "1.5"); // 1.25 is a tie between 1.0 and 1.5: up
    assert_eq!(hours(6), "1.5");
    assert_eq!(hours(19), "5.0");
    assert_eq!(hours(21), "5.5"); // 5.25 → 5.5
}

#[test]
fn every_check_in_attention_gives_readiness_15_critical() {
    let open: Vec<(CheckKey, Outcome)> = CheckKey::ALL[..9]
        .iter()
        .map(|key| (*key, found(1, None)))
        .collect();
    let assessment = assess(&checks(&open), &Scoring::default());
    // 100 − (2 × 20 + 3 × 10 + 3 × 5 + 0) = 15
    assert_eq!(assessment.readiness, 15);
    assert_eq!(assessment.risk_level, RiskLevel::Critical);
}

#[test]
fn priorities_order_by_severity_then_amount() {
    let result = checks(&[
        (CheckKey::BankUnreconciled, found(1, Some(100))),
        (CheckKey::InvoicesWithoutTax, found(1, Some(900))),
        (CheckKey::ReceiptsWithoutBills, found(1, Some(5))),
        (CheckKey::UninvoicedOrders, found(1, Some(50))),
    ]);
    let keys: Vec<&str> = priorities(&result).iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "uninvoiced_orders",
            "receipts_without_bills",
            "invoices_without_tax",
            "bank_unreconciled"
        ]
    );
}

#[test]
fn keys_round_trip_and_amounts_display_with_separators() {
    for key in CheckKey::ALL {
        assert_eq!(CheckKey::parse(key.as_str()), Some(key));
    }
    assert_eq!(CheckKey::parse("bank"), None);
    assert_eq!(
        display_amount(Decimal::new(123_456_785, 3), 2),
        "123,456.79"
    );
    assert_eq!(display_amount(Decimal::new(-1_000_005, 3), 2), "-1,000.01");
    assert_eq!(display_amount(Decimal::ZERO, 2), "0.00");
}
