use chrono::Days;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::super::compute::{Granularity, PartnerRef, ProjectionParams, RecordRef, project};
use super::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn day(n: u64) -> NaiveDate {
    as_of() + Days::new(n)
}

fn item(source: Source, id: i64, partner: i64, amount: i64, on: u64) -> FlowItem {
    FlowItem {
        source,
        reference: Some(RecordRef::new("account.move", id, format!("DOC/{id}"))),
        partner: Some(PartnerRef {
            id: partner,
            name: format!("Partner {partner}"),
        }),
        amount: Decimal::from(amount),
        original_date: day(on),
        expected_date: day(on),
        probability: Decimal::ONE_HUNDRED,
        label: None,
    }
}

fn parse(value: serde_json::Value) -> Result<Vec<Adjustment>, ToolError> {
    let args: Vec<AdjustmentArg> = serde_json::from_value(value).unwrap();
    check_adjustments("cash_flow_forecast", args)
}

fn params() -> ProjectionParams {
    ProjectionParams {
        as_of: as_of(),
        horizon_days: 30,
        band_width: Decimal::new(15, 2),
        threshold: Decimal::ZERO,
        granularity: Granularity::Day,
    }
}

#[test]
fn worked_example_delaying_a_customer_past_the_horizon() {
    let items = [item(Source::Receivable, 1, 10, 10_000, 5)];
    let adjustments =
        parse(json!([{"kind": "delay_customer", "partner_id": 10, "days": 30}])).unwrap();
    let (changed, unmatched) = apply(&items, &adjustments, as_of());
    assert!(unmatched.is_empty());
    let base = project(Decimal::from(1_000), &items, &params());
    let scenario = project(Decimal::from(1_000), &changed, &params());
    assert_eq!(
        scenario.end_balance - base.end_balance,
        Decimal::from(-10_000)
    );
    assert_eq!(scenario.beyond_horizon.count, 1);
    // The base is untouched: the scenario works on a copy.
    assert_eq!(items[0].expected_date, day(5));
}

#[test]
fn each_adjustment_changes_only_what_it_names() {
    let items = vec![
        item(Source::Receivable, 1, 10, 1_000, 5),
        item(Source::Receivable, 2, 11, 2_000, 5),
        item(Source::Payable, 3, 20, -400, 8),
        item(Source::Payable, 4, 21, -600, 8),
        item(Source::Pipeline, 5, 10, 800, 40),
        item(Source::Pipeline, 6, 10, 900, 40),
        item(Source::Recurring, 7, 20, -100, 9),
        item(Source::Recurring, 8, 21, -200, 9),
    ];
    let cases = [
        (
            json!({"kind": "delay_customer", "partner_id": 11, "days": -3}),
            vec![(2, Decimal::from(2_000), day(2))],
        ),
        (
            json!({"kind": "delay_vendor", "partner_id": 20, "days": 7}),
            vec![(3, Decimal::from(-400), day(15))],
        ),
        (
            json!({"kind": "scale_receivables", "percent": 25}),
            vec![
                (1, Decimal::from(750), day(5)),
                (2, Decimal::from(1_500), day(5)),
            ],
        ),
        (
            json!({"kind": "scale_payables", "percent": 50}),
            vec![
                (3, Decimal::from(-600), day(8)),
                (4, Decimal::from(-900), day(8)),
            ],
        ),
        (
            json!({"kind": "scale_recurring", "multiplier": 2, "partner_id": 21}),
            vec![(8, Decimal::from(-400), day(9))],
        ),
        (
            json!({"kind": "scale_recurring", "multiplier": 0.5}),
            vec![
                (7, Decimal::from(-50), day(9)),
                (8, Decimal::from(-100), day(9)),
            ],
        ),
    ];
    for (adjustment, expected) in cases {
        let adjustments = parse(json!([adjustment.clone()])).unwrap();
        let (changed, unmatched) = apply(&items, &adjustments, as_of());
        assert!(unmatched.is_empty(), "{adjustment}");
        let differing: Vec<(i64, Decimal, NaiveDate)> = changed
            .iter()
            .zip(&items)
            .filter(|(after, before)| after != before)
            .map(|(after, _)| {
                (
                    after.reference.as_ref().unwrap().id,
                    after.amount,
                    after.expected_date,
                )
            })
            .collect();
        assert_eq!(differing, expected, "{adjustment}");
    }
}

#[test]
fn remove_opportunity_drops_exactly_that_lead() {
    let items = vec![
        item(Source::Pipeline, 5, 10, 800, 40),
        item(Source::Pipeline, 6, 10, 900, 40),
        // A receivable with the same id is not an opportunity.
        item(Source::Receivable, 6, 10, 50, 3),
    ];
    let adjustments = parse(json!([{"kind": "remove_opportunity", "lead_id": 6}])).unwrap();
    let (changed, _) = apply(&items, &adjustments, as_of());
    assert_eq!(changed, vec![items[0].clone(), items[2].clone()]);
}

#[test]
fn one_off_items_are_added_on_their_date() {
    let adjustments = parse(json!([{"kind": "one_off", "date": "2026-03-20",
        "amount": -2500.5, "label": "Tax payment"}]))
    .unwrap();
    let (changed, _) = apply(&[], &adjustments, as_of());
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].source, Source::Adjustment);
    assert_eq!(changed[0].amount, Decimal::new(-25005, 1));
    assert_eq!(changed[0].expected_date, day(4));
    assert_eq!(changed[0].label.as_deref(), Some("Tax payment"));
    assert!(check_dates("t", &adjustments, as_of()).is_ok());
    let err = check_dates("t", &adjustments, day(4))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`scenario[0].date`"), "{err}");
}

#[test]
fn a_delay_never_moves_cash_before_the_day_after_as_of() {
    let items = [item(Source::Receivable, 1, 10, 100, 5)];
    let adjustments =
        parse(json!([{"kind": "delay_customer", "partner_id": 10, "days": -30}])).unwrap();
    let (changed, _) = apply(&items, &adjustments, as_of());
    assert_eq!(changed[0].expected_date, day(1));
}

#[test]
fn adjustments_matching_nothing_are_reported() {
    let items = [item(Source::Receivable, 1, 10, 100, 5)];
    let adjustments = parse(json!([
        {"kind": "delay_customer", "partner_id": 10, "days": 1},
        {"kind": "delay_vendor", "partner_id": 10, "days": 1},
        {"kind": "remove_opportunity", "lead_id": 1}
    ]))
    .unwrap();
    let (_, unmatched) = apply(&items, &adjustments, as_of());
    assert_eq!(unmatched, [1, 2]);
}

#[test]
fn out_of_range_parameters_are_refused_naming_the_parameter() {
    for (adjustment, field, range) in [
        (
            json!({"kind": "delay_customer", "partner_id": 1, "days": 366}),
            "scenario[0].days",
            "-365 and 365",
        ),
        (
            json!({"kind": "delay_vendor", "partner_id": 0, "days": 1}),
            "scenario[0].partner_id",
            "positive",
        ),
        (
            json!({"kind": "scale_receivables", "percent": 101}),
            "scenario[0].percent",
            "0 and 100",
        ),
        (
            json!({"kind": "scale_payables", "percent": 501}),
            "scenario[0].percent",
            "0 and 500",
        ),
        (
            json!({"kind": "scale_recurring", "multiplier": -1}),
            "scenario[0].multiplier",
            "0 and 10",
        ),
        (
            json!({"kind": "remove_opportunity", "lead_id": -4}),
            "scenario[0].lead_id",
            "positive",
        ),
        (
            json!({"kind": "one_off", "date": "tomorrow", "amount": 1, "label": "x"}),
            "scenario[0].date",
            "YYYY-MM-DD",
        ),
        (
            json!({"kind": "one_off", "date": "2026-04-01", "amount": 1, "label": " "}),
            "scenario[0].label",
            "1 to 200",
        ),
    ] {
        let err = parse(json!([adjustment])).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
        let message = err.to_string();
        assert!(message.contains(&format!("`{field}`")), "{message}");
        assert!(message.contains(range), "{message}");
    }
    assert!(parse(json!([{"kind": "scale_payables", "percent": 500}])).is_ok());
}

#[test]
fn unknown_kinds_and_fields_do_not_parse() {
    let unknown: Result<Vec<AdjustmentArg>, _> =
        serde_json::from_value(json!([{"kind": "delay_everyone", "days": 3}]));
    assert!(unknown.is_err());
    let extra: Result<Vec<AdjustmentArg>, _> = serde_json::from_value(
        json!([{"kind": "remove_opportunity", "lead_id": 3, "name": "Big deal"}]),
    );
    assert!(extra.is_err());
}
