use pretty_assertions::assert_eq;

use super::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn day(n: u64) -> NaiveDate {
    as_of() + Days::new(n)
}

fn ago(n: u64) -> NaiveDate {
    as_of() - Days::new(n)
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

fn partner(id: i64) -> Option<PartnerRef> {
    Some(PartnerRef {
        id,
        name: format!("Partner {id}"),
    })
}

fn doc(id: i64, partner_id: i64, amount: i64, due: Option<NaiveDate>) -> OpenDocument {
    OpenDocument {
        reference: RecordRef::new("account.move", id, format!("MOVE/{id}")),
        partner: partner(partner_id),
        amount: dec(amount),
        due,
    }
}

fn assumptions(horizon_days: u32) -> Assumptions {
    Assumptions {
        as_of: as_of(),
        horizon_days,
        payment_lag_days: 30,
        overdue_lag_days: 7,
        doubtful_factor: Decimal::ONE,
        doubtful_after_days: 90,
        max_lateness_days: 60,
        recurring_overlap_days: 10,
        include_pipeline: true,
        include_recurring: true,
    }
}

fn params(horizon_days: u32) -> ProjectionParams {
    ProjectionParams {
        as_of: as_of(),
        horizon_days,
        band_width: Decimal::new(15, 2),
        threshold: Decimal::ZERO,
        granularity: Granularity::Day,
    }
}

fn balance_on(projection: &Projection, n: u64) -> Decimal {
    projection
        .days
        .iter()
        .find(|d| d.date == day(n))
        .unwrap()
        .balance
}

#[test]
fn worked_example_receivable_and_payable_over_thirty_days() {
    let snapshot = Snapshot {
        opening_balance: dec(100_000),
        receivables: vec![doc(1, 10, 5_000, Some(day(5)))],
        payables: vec![doc(2, 20, -3_000, Some(day(10)))],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(30));
    let p = project(snapshot.opening_balance, &flows.items, &params(30));
    assert_eq!(balance_on(&p, 4), dec(100_000));
    assert_eq!(balance_on(&p, 5), dec(105_000));
    assert_eq!(balance_on(&p, 10), dec(102_000));
    assert_eq!(balance_on(&p, 30), dec(102_000));
    let last = p.points.last().unwrap();
    assert_eq!(last.date, day(30));
    // u_30 = 0.15 × 30/30 × max(102,000, 8,000) = 15,300.
    assert_eq!(last.high - last.balance, dec(15_300));
    assert_eq!(last.low, dec(102_000 - 15_300));
    assert_eq!(p.points.len(), 30);
    assert_eq!(p.gaps.first, None);
    assert_eq!(p.gaps.min_balance, dec(100_000));
    assert_eq!(p.gaps.min_date, day(1));
    assert_eq!(p.totals.receivables, dec(5_000));
    assert_eq!(p.totals.payables, dec(-3_000));
    assert_eq!(p.end_balance, dec(102_000));
}

#[test]
fn worked_example_a_payable_larger_than_the_balance_is_a_gap() {
    let snapshot = Snapshot {
        opening_balance: dec(1_000),
        payables: vec![doc(2, 20, -5_000, Some(day(3)))],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(30));
    let p = project(snapshot.opening_balance, &flows.items, &params(30));
    assert_eq!(balance_on(&p, 3), dec(-4_000));
    assert_eq!(p.gaps.first, Some(day(3)));
    assert_eq!(p.gaps.dates.len(), 28, "day 3 to day 30");
    assert_eq!(p.gaps.min_balance, dec(-4_000));
    assert_eq!(p.gaps.min_date, day(3));
}

#[test]
fn worked_example_pipeline_is_weighted_by_probability() {
    let lead = |id: i64, revenue: i64, probability: i64| Opportunity {
        reference: RecordRef::new("crm.lead", id, "Deal"),
        partner: None,
        expected_revenue: dec(revenue),
        probability: dec(probability),
        deadline: Some(day(30)),
    };
    let snapshot = Snapshot {
        opportunities: vec![
            lead(1, 100_000, 50),
            lead(2, 10_000, 80),
            // Won and lost deals are not pipeline.
            lead(3, 7_000, 100),
            lead(4, 7_000, 0),
        ],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(90));
    let amounts: Vec<(i64, Decimal, NaiveDate)> = flows
        .items
        .iter()
        .map(|i| (i.reference.as_ref().unwrap().id, i.amount, i.expected_date))
        .collect();
    assert_eq!(
        amounts,
        [(1, dec(50_000), day(60)), (2, dec(8_000), day(60))],
        "deadline + 30 days' payment lag"
    );
}

#[test]
fn pipeline_without_a_deadline_or_past_it_counts_from_as_of() {
    let lead = |id: i64, deadline: Option<NaiveDate>| Opportunity {
        reference: RecordRef::new("crm.lead", id, "Deal"),
        partner: None,
        expected_revenue: dec(1_000),
        probability: dec(10),
        deadline,
    };
    let snapshot = Snapshot {
        opportunities: vec![lead(1, None), lead(2, Some(ago(20)))],
        ..Snapshot::default()
    };
    let mut a = assumptions(120);
    a.payment_lag_days = 15;
    let flows = flow_items(&snapshot, &a);
    let dates: Vec<NaiveDate> = flows.items.iter().map(|i| i.expected_date).collect();
    assert_eq!(dates, [day(75), day(15)]);
    a.include_pipeline = false;
    assert!(flow_items(&snapshot, &a).items.is_empty());
}

#[test]
fn overdue_receivables_are_expected_after_the_overdue_lag_not_dropped() {
    let snapshot = Snapshot {
        receivables: vec![
            doc(1, 10, 2_000, Some(ago(20))),
            doc(2, 10, 3_000, Some(ago(120))),
            doc(3, 11, 500, None),
        ],
        ..Snapshot::default()
    };
    let mut a = assumptions(90);
    a.doubtful_factor = Decimal::new(25, 2);
    let flows = flow_items(&snapshot, &a);
    let got: Vec<(Decimal, NaiveDate, NaiveDate)> = flows
        .items
        .iter()
        .map(|i| (i.amount, i.original_date, i.expected_date))
        .collect();
    assert_eq!(
        got,
        [
            (dec(2_000), ago(20), day(7)),
            // More than 90 days overdue: 25 % kept.
            (dec(750), ago(120), day(7)),
            // No due date: as_of + 30.
            (dec(500), day(30), day(30)),
        ]
    );
    assert_eq!(flows.overdue.receivables, dec(2_750));
    assert_eq!(flows.overdue.doubtful_excluded, dec(2_250));
}

#[test]
fn a_customers_median_lateness_moves_its_receivables_clamped_to_sixty_days() {
    let mut days_late = BTreeMap::new();
    days_late.insert(10, vec![4, 12, 10, -3]);
    days_late.insert(11, vec![200]);
    days_late.insert(12, vec![-15]);
    let snapshot = Snapshot {
        receivables: vec![
            doc(1, 10, 100, Some(day(5))),
            doc(2, 11, 100, Some(day(5))),
            doc(3, 12, 100, Some(day(5))),
            // Late enough that the lateness puts it past as_of: not overdue.
            doc(4, 10, 100, Some(ago(3))),
        ],
        days_late,
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(90));
    let dates: Vec<NaiveDate> = flows.items.iter().map(|i| i.expected_date).collect();
    // Median of −3, 4, 10, 12 is 7; 200 clamps to 60; early payers to 0.
    assert_eq!(dates, [day(12), day(65), day(5), day(4)]);
    assert_eq!(flows.overdue.receivables, Decimal::ZERO);
}

#[test]
fn overdue_payables_fall_on_the_next_day() {
    let snapshot = Snapshot {
        payables: vec![
            doc(1, 20, -700, Some(ago(5))),
            doc(2, 20, -300, Some(as_of())),
        ],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(30));
    assert!(flows.items.iter().all(|i| i.expected_date == day(1)));
    assert_eq!(flows.overdue.payables, dec(-1_000));
}

#[test]
fn recurring_occurrences_skip_those_an_open_bill_covers() {
    let vendor = PartnerRef {
        id: 30,
        name: "Fulmar".into(),
    };
    let bill = |id: i64, date: NaiveDate, total: i64| VendorBill {
        reference: RecordRef::new("account.move", id, format!("BILL/{id}")),
        vendor: vendor.clone(),
        bill_date: date,
        due: Some(date + Days::new(14)),
        total: dec(total),
    };
    let month = |m: u32| NaiveDate::from_ymd_opt(2026, m, 5).unwrap();
    let snapshot = Snapshot {
        vendor_bills: vec![
            bill(1, NaiveDate::from_ymd_opt(2025, 12, 5).unwrap(), 4_900),
            bill(2, month(1), 5_000),
            bill(3, month(2), 5_100),
        ],
        // The April bill is already in the books, due 8 days after the
        // occurrence: that occurrence is not counted twice.
        payables: vec![doc(
            9,
            30,
            -5_050,
            Some(NaiveDate::from_ymd_opt(2026, 4, 27).unwrap()),
        )],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(90));
    let recurring: Vec<(Decimal, NaiveDate)> = flows
        .items
        .iter()
        .filter(|i| i.source == Source::Recurring)
        .map(|i| (i.amount, i.expected_date))
        .collect();
    assert_eq!(
        recurring,
        [
            (dec(-5_000), NaiveDate::from_ymd_opt(2026, 3, 19).unwrap()),
            (dec(-5_000), NaiveDate::from_ymd_opt(2026, 5, 19).unwrap()),
        ]
    );
    assert_eq!(flows.recurring.len(), 1);
    assert_eq!(flows.recurring[0].occurrences, 2);
    assert_eq!(flows.recurring[0].skipped, 1);
    let mut a = assumptions(90);
    a.include_recurring = false;
    assert!(
        flow_items(&snapshot, &a)
            .items
            .iter()
            .all(|i| i.source != Source::Recurring)
    );
}

#[test]
fn orders_are_expected_after_the_payment_lag_from_their_date_or_as_of() {
    let order = |id: i64, amount: i64, date: NaiveDate| OpenOrder {
        reference: RecordRef::new("sale.order", id, format!("S{id}")),
        partner: partner(10),
        amount: dec(amount),
        date,
    };
    let snapshot = Snapshot {
        sales_orders: vec![order(1, 1_000, ago(10)), order(2, 2_000, day(10))],
        purchase_orders: vec![order(3, -400, day(2))],
        ..Snapshot::default()
    };
    let mut a = assumptions(90);
    a.payment_lag_days = 20;
    let flows = flow_items(&snapshot, &a);
    let got: Vec<(Source, NaiveDate)> = flows
        .items
        .iter()
        .map(|i| (i.source, i.expected_date))
        .collect();
    assert_eq!(
        got,
        [
            (Source::SalesOrder, day(20)),
            (Source::SalesOrder, day(30)),
            (Source::PurchaseOrder, day(22)),
        ]
    );
    let p = project(Decimal::ZERO, &flows.items, &params(90));
    assert_eq!(p.totals.orders, dec(2_600));
}

#[test]
fn items_beyond_the_horizon_are_counted_apart() {
    let snapshot = Snapshot {
        opening_balance: dec(10),
        receivables: vec![
            doc(1, 10, 100, Some(day(31))),
            doc(2, 10, 50, Some(day(30))),
        ],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(30));
    let p = project(snapshot.opening_balance, &flows.items, &params(30));
    assert_eq!(
        p.beyond_horizon,
        Beyond {
            count: 1,
            amount: dec(100)
        }
    );
    assert_eq!(p.end_balance, dec(60));
}

#[test]
fn the_band_grows_with_time_and_uses_gross_flow_near_zero() {
    // Balance 0 after +1,000 and −1,000 on day 1: the band is not zero.
    let snapshot = Snapshot {
        receivables: vec![doc(1, 10, 1_000, Some(day(1)))],
        payables: vec![doc(2, 20, -1_000, Some(day(1)))],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(10));
    let mut pp = params(10);
    pp.band_width = Decimal::new(1, 1);
    let p = project(Decimal::ZERO, &flows.items, &pp);
    // u_1 = 0.1 × 1/10 × 2,000 = 20; u_10 = 0.1 × 2,000 = 200.
    assert_eq!(p.days[0].high, dec(20));
    assert_eq!(p.days[0].low, dec(-20));
    assert_eq!(p.days[9].high, dec(200));
}

#[test]
fn weekly_points_end_on_sunday_and_sum_their_days() {
    // 2026-03-16 is a Monday: days 1–6 end on Sunday 2026-03-22.
    let snapshot = Snapshot {
        opening_balance: dec(100),
        receivables: vec![
            doc(1, 10, 10, Some(day(1))),
            doc(2, 10, 20, Some(day(6))),
            doc(3, 10, 40, Some(day(7))),
            doc(4, 10, 80, Some(day(14))),
        ],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(14));
    let mut pp = params(14);
    pp.granularity = Granularity::Week;
    let p = project(snapshot.opening_balance, &flows.items, &pp);
    let got: Vec<(NaiveDate, Decimal, Decimal)> = p
        .points
        .iter()
        .map(|pt| (pt.date, pt.flow.receivables, pt.balance))
        .collect();
    assert_eq!(
        got,
        [
            (day(6), dec(30), dec(130)),
            (day(13), dec(40), dec(170)),
            // The horizon ends on a Monday: a partial last week.
            (day(14), dec(80), dec(250)),
        ]
    );
    assert_eq!(p.days.len(), 14);
}

#[test]
fn a_threshold_above_zero_marks_low_days_as_gaps() {
    let snapshot = Snapshot {
        opening_balance: dec(5_000),
        payables: vec![doc(1, 20, -2_000, Some(day(2)))],
        receivables: vec![doc(2, 10, 4_000, Some(day(4)))],
        ..Snapshot::default()
    };
    let flows = flow_items(&snapshot, &assumptions(7));
    let mut pp = params(7);
    pp.threshold = dec(4_000);
    let p = project(snapshot.opening_balance, &flows.items, &pp);
    assert_eq!(p.gaps.dates, [day(2), day(3)]);
    assert_eq!(p.gaps.first, Some(day(2)));
}

#[test]
fn medians_round_halves_away_from_zero() {
    assert_eq!(median_days(&[]), None);
    assert_eq!(median_days(&[3]), Some(3));
    assert_eq!(median_days(&[1, 2]), Some(2));
    assert_eq!(median_days(&[-1, -2]), Some(-2));
    assert_eq!(median_days(&[9, 1, 5]), Some(5));
}
