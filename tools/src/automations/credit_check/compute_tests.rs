//! The worked examples of spec 3.6 as test vectors, plus the boundaries
//! of every step, band and verdict.

use pretty_assertions::assert_eq;

use super::*;

fn d(value: i64) -> Decimal {
    Decimal::from(value)
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

const AS_OF: &str = "2026-03-16";

fn as_of() -> NaiveDate {
    day(AS_OF)
}

fn ago(days: u64) -> NaiveDate {
    as_of() - Days::new(days)
}

/// `n` invoices paid the day before they fell due.
fn paid_on_time(n: u64) -> PaymentFacts {
    PaymentFacts {
        invoices: n,
        paid: n,
        paid_dates: (0..n)
            .map(|k| PaidInvoice {
                due: Some(ago(10 + k)),
                paid_on: Some(ago(11 + k)),
            })
            .collect(),
    }
}

/// A customer with a healthy history: P 100, V 65, O 100, A 80 (score 90).
fn healthy() -> PartnerFacts {
    PartnerFacts {
        payments: paid_on_time(15),
        recent_invoices: 15,
        first_invoice: Some(ago(400)),
        ..PartnerFacts::default()
    }
}

fn with_limit(mut facts: PartnerFacts, limit: i64) -> PartnerFacts {
    facts.limit = LimitFacts {
        partner_limit: Some(d(limit)),
        partner_switch: Some(true),
        ..LimitFacts::default()
    };
    facts
}

fn with_open(mut facts: PartnerFacts, open: i64) -> PartnerFacts {
    facts.open.invoices = d(open);
    facts
}

fn assess_default(facts: &PartnerFacts, order: i64) -> Assessment {
    assess(facts, d(order), as_of(), &ScoringConfig::default())
}

#[test]
fn example_1_fifteen_invoices_paid_on_time_score_90_low() {
    let result = assess_default(&healthy(), 0);
    let c = &result.components;
    assert_eq!(
        (
            c.payment_history.value,
            c.order_volume.value,
            c.overdue_ratio.value,
            c.relationship_age.value
        ),
        (d(100), d(65), d(100), d(80))
    );
    assert_eq!(result.score, Decimal::new(9000, 2));
    assert_eq!(result.score.to_string(), "90.00");
    assert_eq!(result.band, Band::Low);
    assert_eq!(result.exposure.total, Decimal::ZERO);
    assert_eq!(result.verdict, Verdict::Allow);
    assert_eq!(result.limit_source, LimitSource::None);
    assert_eq!(result.remaining_credit, None);
}

#[test]
fn example_2_limit_100000_exposure_20000_order_5000_allows_75000_remaining() {
    let facts = with_limit(with_open(healthy(), 20_000), 100_000);
    let result = assess_default(&facts, 5_000);
    assert_eq!(result.band, Band::Low);
    assert_eq!(result.exposure.total, d(20_000));
    assert_eq!(result.order.new_exposure, d(25_000));
    assert_eq!(result.verdict, Verdict::Allow);
    assert_eq!(result.remaining_credit, Some(d(75_000)));
    assert_eq!(result.over_limit_by, None);
    assert_eq!(result.credit_limit, Some(d(100_000)));
    assert_eq!(result.limit_source, LimitSource::Partner);
}

/// Avocet in the demo company: 4 paid of which 2 on time (P 50), 6
/// invoices in the year (V 50), nothing past due (O 100), first invoice
/// 200 days ago (A 65): 20 + 10 + 25 + 9.75 = 64.75, normal.
fn avocet() -> PartnerFacts {
    let paid = |due: NaiveDate, late: bool| PaidInvoice {
        due: Some(due),
        paid_on: Some(if late { due + Days::new(20) } else { due }),
    };
    PartnerFacts {
        payments: PaymentFacts {
            invoices: 6,
            paid: 4,
            paid_dates: vec![
                paid(ago(170), true),
                paid(ago(120), false),
                paid(ago(70), true),
                paid(ago(30), false),
            ],
        },
        recent_invoices: 6,
        first_invoice: Some(ago(200)),
        open: OpenItems {
            invoices: d(48_000),
            oldest_due: Some(as_of() + Days::new(18)),
            ..OpenItems::default()
        },
        limit: LimitFacts {
            partner_limit: Some(d(50_000)),
            partner_switch: Some(true),
            ..LimitFacts::default()
        },
        ..PartnerFacts::default()
    }
}

#[test]
fn example_3_limit_50000_exposure_48000_order_5000_blocks_over_by_3000() {
    let result = assess_default(&avocet(), 5_000);
    assert_eq!(result.score, Decimal::new(6475, 2));
    assert_eq!(result.band, Band::Normal);
    assert_eq!(result.exposure.total, d(48_000));
    assert!(!result.hold_recommended);
    assert_eq!(result.verdict, Verdict::Block);
    assert_eq!(result.over_limit_by, Some(d(3_000)));
    assert_eq!(result.remaining_credit, None);
    assert_eq!(result.reasons[0].code, "ORDER_OVER_LIMIT");
    assert_eq!(result.overdue.max_days, 0);
}

#[test]
fn example_4_exposure_counts_partials_orders_and_refunds() {
    let mut facts = PartnerFacts {
        open: OpenItems {
            invoices: d(5_000) + d(2_000),
            ..OpenItems::default()
        },
        orders: OrderFacts {
            uninvoiced: d(3_000),
            count: 1,
        },
        ..PartnerFacts::default()
    };
    assert_eq!(assess_default(&facts, 0).exposure.total, d(10_000));
    facts.open.refunds = d(-1_000);
    let result = assess_default(&facts, 0);
    assert_eq!(
        result.exposure,
        Exposure {
            open_items: d(6_000),
            uninvoiced_orders: d(3_000),
            total: d(9_000),
        }
    );
}

#[test]
fn example_5_open_8000_with_5000_past_due_gives_overdue_ratio_37_5() {
    let facts = PartnerFacts {
        open: OpenItems {
            invoices: d(8_000),
            past_due: PastDue {
                days_1_30: d(5_000),
                ..PastDue::default()
            },
            oldest_due: Some(ago(30)),
            ..OpenItems::default()
        },
        ..PartnerFacts::default()
    };
    let result = assess_default(&facts, 0);
    assert_eq!(result.components.overdue_ratio.value, Decimal::new(375, 1));
    assert_eq!(result.overdue.amount, d(5_000));
    assert_eq!(result.overdue.max_days, 30);
    assert_eq!(result.overdue.buckets.not_due, d(3_000));
    assert_eq!(result.reasons.last().unwrap().code, "OVERDUE_ITEMS");
}

#[test]
fn a_customer_without_history_scores_from_the_defaults() {
    // P 50 (no invoices), V 30 (n = 0), O 100 (nothing open), A 50 (no date):
    // 20 + 6 + 25 + 7.5 = 58.5 → elevated.
    let result = assess_default(&PartnerFacts::default(), 0);
    assert_eq!(result.score, Decimal::new(5850, 2));
    assert_eq!(result.band, Band::Elevated);
    assert_eq!(
        result.components.relationship_age.inputs.start_source,
        "unknown"
    );
}

#[test]
fn invoices_but_none_paid_score_30_and_unknown_dates_count_half() {
    let none_paid = PaymentFacts {
        invoices: 3,
        paid: 0,
        paid_dates: vec![],
    };
    let config = ScoringConfig::default();
    assert_eq!(payment_history(&none_paid, &config).value, d(30));
    let mixed = PaymentFacts {
        invoices: 4,
        paid: 4,
        paid_dates: vec![
            PaidInvoice {
                due: Some(ago(10)),
                paid_on: Some(ago(10)),
            },
            PaidInvoice {
                due: None,
                paid_on: Some(ago(5)),
            },
            PaidInvoice {
                due: Some(ago(10)),
                paid_on: Some(ago(9)),
            },
        ],
    };
    // 1 on time, 1 unknown (0.5), 1 late, 1 not read (0.5): 2 / 4 = 50.
    let p = payment_history(&mixed, &config);
    assert_eq!(p.value, d(50));
    assert_eq!(p.inputs.unknown_dates, 2);
    assert_eq!(p.inputs.on_time, d(2));
}

#[test]
fn grace_days_move_the_on_time_boundary() {
    let late_by_3 = PaymentFacts {
        invoices: 1,
        paid: 1,
        paid_dates: vec![PaidInvoice {
            due: Some(ago(10)),
            paid_on: Some(ago(7)),
        }],
    };
    let mut config = ScoringConfig::default();
    assert_eq!(payment_history(&late_by_3, &config).value, d(0));
    config.grace_days = 3;
    assert_eq!(payment_history(&late_by_3, &config).value, d(100));
    config.grace_days = 2;
    assert_eq!(payment_history(&late_by_3, &config).value, d(0));
}

#[test]
fn volume_and_age_steps_at_their_boundaries() {
    let config = ScoringConfig::default();
    let volume = |invoices: u64, orders: u64| {
        let facts = PartnerFacts {
            recent_invoices: invoices,
            orders: OrderFacts {
                uninvoiced: d(1),
                count: orders,
            },
            ..PartnerFacts::default()
        };
        order_volume(&facts, &config).value
    };
    assert_eq!(volume(0, 0), d(30));
    assert_eq!(volume(0, 1), d(35));
    assert_eq!(volume(4, 0), d(35));
    assert_eq!(volume(4, 1), d(50));
    assert_eq!(volume(19, 0), d(65));
    assert_eq!(volume(20, 0), d(80));
    assert_eq!(volume(49, 0), d(80));
    assert_eq!(volume(49, 1), d(95));

    let age = |days: u64| {
        let facts = PartnerFacts {
            first_invoice: Some(ago(days)),
            created: Some(ago(5_000)),
            ..PartnerFacts::default()
        };
        relationship_age(&facts, as_of(), &config).value
    };
    assert_eq!(age(730), d(95));
    assert_eq!(age(729), d(80));
    assert_eq!(age(365), d(80));
    assert_eq!(age(364), d(65));
    assert_eq!(age(180), d(65));
    assert_eq!(age(179), d(50));
    assert_eq!(age(90), d(50));
    assert_eq!(age(89), d(30));
    let created_only = PartnerFacts {
        created: Some(ago(800)),
        ..PartnerFacts::default()
    };
    let a = relationship_age(&created_only, as_of(), &config);
    assert_eq!((a.value, a.inputs.start_source), (d(95), "partner_created"));
}

#[test]
fn bands_start_at_their_threshold() {
    let config = ScoringConfig::default();
    let cases = [
        ("80", Band::Low),
        ("79.99", Band::Normal),
        ("60", Band::Normal),
        ("59.99", Band::Elevated),
        ("40", Band::Elevated),
        ("39.99", Band::High),
        ("20", Band::High),
        ("19.99", Band::Critical),
        ("0", Band::Critical),
    ];
    for (score, expected) in cases {
        let score: Decimal = score.parse().unwrap();
        assert_eq!(band(score, &config), expected, "{score}");
    }
}

#[test]
fn the_score_is_rounded_half_away_from_zero() {
    // P = 100 × 2/3 → 66.666…; 0.40 × 66.666… + 6 + 25 + 7.5 = 65.1666… → 65.17.
    let facts = PartnerFacts {
        payments: PaymentFacts {
            invoices: 3,
            paid: 3,
            paid_dates: vec![
                PaidInvoice {
                    due: Some(ago(10)),
                    paid_on: Some(ago(10)),
                },
                PaidInvoice {
                    due: Some(ago(10)),
                    paid_on: Some(ago(10)),
                },
                PaidInvoice {
                    due: Some(ago(10)),
                    paid_on: Some(ago(1)),
                },
            ],
        },
        ..PartnerFacts::default()
    };
    let result = assess_default(&facts, 0);
    assert_eq!(
        result.components.payment_history.value,
        Decimal::new(6667, 2)
    );
    assert_eq!(result.score, Decimal::new(6517, 2));
    assert_eq!(round2(Decimal::new(12345, 3)), Decimal::new(1235, 2));
    assert_eq!(round2(Decimal::new(-12345, 3)), Decimal::new(-1235, 2));
}

#[test]
fn warn_starts_at_ninety_percent_of_the_limit() {
    let facts = with_limit(with_open(healthy(), 80_000), 100_000);
    let at = |order: i64| assess_default(&facts, order);
    assert_eq!(at(9_999).verdict, Verdict::Allow);
    assert_eq!(at(9_999).remaining_credit, Some(d(10_001)));
    assert_eq!(at(10_000).verdict, Verdict::Warn);
    assert_eq!(at(10_000).remaining_credit, Some(d(10_000)));
    assert_eq!(at(20_000).verdict, Verdict::Warn);
    assert_eq!(at(20_000).remaining_credit, Some(d(0)));
    let over = at(20_001);
    assert_eq!(over.verdict, Verdict::Block);
    assert_eq!(over.over_limit_by, Some(d(1)));
}

#[test]
fn a_high_risk_band_blocks_even_without_a_limit() {
    // P 0 (all late), V 30, O 0 (all past due), A 30: 6 + 4.5 = 10.5 → critical.
    let facts = PartnerFacts {
        payments: PaymentFacts {
            invoices: 1,
            paid: 1,
            paid_dates: vec![PaidInvoice {
                due: Some(ago(60)),
                paid_on: Some(ago(1)),
            }],
        },
        open: OpenItems {
            invoices: d(1_000),
            past_due: PastDue {
                over_90: d(1_000),
                ..PastDue::default()
            },
            oldest_due: Some(ago(120)),
            ..OpenItems::default()
        },
        first_invoice: Some(ago(30)),
        ..PartnerFacts::default()
    };
    let result = assess_default(&facts, 0);
    assert_eq!(result.score, Decimal::new(1050, 2));
    assert_eq!(result.band, Band::Critical);
    assert!(result.hold_recommended);
    assert_eq!(result.verdict, Verdict::Block);
    assert_eq!(result.reasons[0].code, "RISK_BAND");
    assert_eq!(result.overdue.max_days, 120);
    assert_eq!(result.over_limit_by, None);
}

#[test]
fn exposure_already_over_the_limit_recommends_a_hold() {
    let facts = with_limit(with_open(healthy(), 120_000), 100_000);
    let result = assess_default(&facts, 0);
    assert!(result.hold_recommended);
    assert_eq!(result.verdict, Verdict::Block);
    assert_eq!(result.reasons[0].code, "EXPOSURE_OVER_LIMIT");
    assert_eq!(result.over_limit_by, Some(d(20_000)));
}

#[test]
fn zero_limits_mean_no_limit_and_the_company_default_needs_its_switch() {
    let none = LimitFacts {
        partner_limit: Some(d(0)),
        partner_switch: Some(true),
        company_enabled: Some(false),
        company_default: Some(d(10_000)),
    };
    assert_eq!(credit_limit(&none), (None, LimitSource::None));
    let company = LimitFacts {
        company_enabled: Some(true),
        ..none
    };
    assert_eq!(
        credit_limit(&company),
        (Some(d(10_000)), LimitSource::Company)
    );
    let switched_off = LimitFacts {
        partner_limit: Some(d(500)),
        partner_switch: Some(false),
        ..company
    };
    assert_eq!(
        credit_limit(&switched_off),
        (Some(d(10_000)), LimitSource::Company)
    );
    // Where the switch does not exist, a positive partner limit applies.
    let no_switch = LimitFacts {
        partner_limit: Some(d(500)),
        partner_switch: None,
        ..LimitFacts::default()
    };
    assert_eq!(
        credit_limit(&no_switch),
        (Some(d(500)), LimitSource::Partner)
    );
}

#[test]
fn open_refunds_larger_than_invoices_make_the_overdue_ratio_100() {
    let facts = PartnerFacts {
        open: OpenItems {
            invoices: d(500),
            refunds: d(-800),
            past_due: PastDue {
                days_31_60: d(500),
                ..PastDue::default()
            },
            oldest_due: Some(ago(40)),
        },
        ..PartnerFacts::default()
    };
    let result = assess_default(&facts, 0);
    assert_eq!(result.components.overdue_ratio.value, d(100));
    assert_eq!(result.exposure.total, d(-300));
}
