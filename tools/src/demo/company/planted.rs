//! The spec's worked examples as concrete records (sections 1.3, 2.7, 3.6,
//! 4.5, 5.7) and the month-end problems of the last closed month. Every
//! planted record is created before the random ones, so its id depends
//! only on the version, not on the seed or the size.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

use super::accounting::{
    InvoiceSpec, LineRecord, LineSpec, MoveKind, MoveRecord, MoveState, Posted, Settlement, TaxRule,
};
use super::bank::StatementLine;
use super::builder::{Builder, Dates, Link};
use super::leads::{LeadFields, Outcome};
use super::orders::OrderSpec;
use super::partners::PartnerFields;
use super::truth::{BankExample, ClosingExample, CreditExample, PairExample};

/// Decimal from cents.
fn dec(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// The untaxed amount whose 21 % tax brings the total to `total` cents
/// (exactly where one exists; else the nearest, and the invoice adjusts its
/// tax by a cent).
pub(crate) fn untaxed_for(total: i64) -> i64 {
    let guess = total * 100 / 121;
    (guess - 3..=guess + 3)
        .find(|u| u + (u * 21 + 50) / 100 == total)
        .unwrap_or(guess)
}

impl Builder {
    /// Plants everything; `product` is any product for order lines.
    pub(crate) fn planted(&mut self, product: i64) {
        self.dedup_examples();
        self.credit_examples(product);
        self.bank_examples();
        self.forecast_examples();
        self.closing_example(product);
        self.month_end_problems();
    }

    pub(crate) fn company_partner(
        &mut self,
        name: &str,
        country: usize,
        email: Option<&str>,
        customer: bool,
    ) -> i64 {
        let country = self.countries.get(country).copied();
        self.push_partner_record(PartnerFields {
            name: name.to_owned(),
            is_company: true,
            email: email.map(str::to_owned),
            country,
            customer_rank: i64::from(customer),
            supplier_rank: i64::from(!customer),
            age_days: 900,
            ..PartnerFields::default()
        })
    }

    /// A posted EUR invoice of exactly `total` cents (21 % tax included).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn simple_invoice(
        &mut self,
        kind: MoveKind,
        partner: i64,
        date: NaiveDate,
        due: Option<NaiveDate>,
        total: i64,
        settlement: Settlement,
        name: Option<&str>,
    ) -> Posted {
        let line = LineSpec {
            product: 0,
            quantity: 1,
            price_cents: untaxed_for(total),
        };
        self.invoice(&InvoiceSpec {
            kind,
            partner,
            date,
            due,
            state: MoveState::Posted,
            settlement,
            currency: self.refs.eur,
            lines: &[line],
            tax: TaxRule::Standard,
            reference: None,
            name,
            total: Some(total),
            created_before: 0,
        })
    }

    fn dedup_examples(&mut self) {
        let kw = 7;
        let gb = 4;
        let de = 1;
        let mut pairs = Vec::new();
        let a = self.company_partner("Al Failakawi Trading Co.", kw, None, true);
        let b = self.company_partner("Al-Failakawi Trading Company", kw, None, true);
        pairs.push(PairExample {
            label: "legal form and punctuation only",
            left: a,
            right: b,
            score: Some(Decimal::new(85, 2)),
            duplicate: true,
        });
        let a = self.company_partner("Acme Trading", gb, None, true);
        let b = self.company_partner("Acme Holdings", gb, None, true);
        pairs.push(PairExample {
            label: "similar names, nothing else",
            left: a,
            right: b,
            score: Some(Decimal::new(61, 2)),
            duplicate: false,
        });
        let person = |name: &str, email: &str, phone: Option<&str>| PartnerFields {
            name: name.to_owned(),
            email: Some(email.to_owned()),
            phone: phone.map(str::to_owned),
            customer_rank: 1,
            age_days: 500,
            ..PartnerFields::default()
        };
        let a = self.push_partner_record(person(
            "John Smith",
            "john.smith@northwind-traders.example",
            Some("+44 20 7946 0011"),
        ));
        let b = self.push_partner_record(person(
            "J. Smith",
            "john.smith@northwind-traders.example",
            None,
        ));
        pairs.push(PairExample {
            label: "same non-generic e-mail, initial",
            left: a,
            right: b,
            score: Some(Decimal::new(95, 2)),
            duplicate: true,
        });
        let nord = |email: &str, vat: &str| PartnerFields {
            name: "Nordlicht Solutions GmbH".to_owned(),
            is_company: true,
            email: Some(email.to_owned()),
            vat: Some(vat.to_owned()),
            country: self.countries.get(de).copied(),
            customer_rank: 1,
            age_days: 700,
            ..PartnerFields::default()
        };
        let first = nord("anna.weiss@nordlicht-solutions.example", "DE811111119");
        let second = nord("buchhaltung@nordlicht-gruppe.example", "DE822222228");
        let a = self.push_partner_record(first);
        let b = self.push_partner_record(second);
        pairs.push(PairExample {
            label: "same name, different e-mails and VATs",
            left: a,
            right: b,
            score: Some(Decimal::new(40, 2)),
            duplicate: false,
        });
        let a = self.push_partner_record(person(
            "John Smith",
            "john@harbor-logistics.example",
            Some("+44 20 7946 0000"),
        ));
        let b = self.push_partner_record(person(
            "Mary Jones",
            "mary@harbor-logistics.example",
            Some("+44 20 7946 0000"),
        ));
        pairs.push(PairExample {
            label: "shared switchboard and mail domain",
            left: a,
            right: b,
            score: None,
            duplicate: false,
        });
        self.truth.dedup_examples = pairs;
    }

    fn credit_examples(&mut self, product: i64) {
        let today = self.dates.today;
        let ago = |days: u64| today - Days::new(days);
        let on_time = Settlement::Paid;
        let mut examples = Vec::new();

        // 16 invoices paid on time, the first 400 days ago, 15 in the last year.
        let p = self.company_partner(
            "Tern Analytics B.V.",
            0,
            Some("finance@tern-analytics.example"),
            true,
        );
        let mut dates = vec![ago(400)];
        dates.extend((0..15).map(|k| ago(350 - k * 20)));
        for date in dates {
            let due = date + Days::new(30);
            self.simple_invoice(
                MoveKind::OutInvoice,
                p,
                date,
                Some(due),
                200_000,
                on_time(due - Days::new(1)),
                None,
            );
        }
        examples.push(CreditExample {
            label: "15 invoices paid on time, first 400 days ago, nothing open",
            partner_id: p,
            score: Some(Decimal::new(9000, 2)),
            band: Some("low"),
            exposure: Some(Decimal::ZERO),
            verdict: Some("allow"),
            ..CreditExample::default()
        });

        // Limit 100,000, exposure 20,000, band low.
        let p = self.company_partner(
            "Plover Instruments B.V.",
            0,
            Some("ap@plover-instruments.example"),
            true,
        );
        self.set_credit_limit(p, 100_000_00);
        let mut dates = vec![ago(400)];
        dates.extend((0..10).map(|k| ago(330 - k * 27)));
        for date in dates {
            let due = date + Days::new(30);
            self.simple_invoice(
                MoveKind::OutInvoice,
                p,
                date,
                Some(due),
                150_000,
                on_time(due - Days::new(2)),
                None,
            );
        }
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(10),
            Some(today + Days::new(20)),
            20_000_00,
            Settlement::Open,
            None,
        );
        examples.push(CreditExample {
            label: "limit 100,000, exposure 20,000, order 5,000, band low",
            partner_id: p,
            order_amount: dec(5_000_00),
            score: Some(Decimal::new(9000, 2)),
            band: Some("low"),
            exposure: Some(dec(20_000_00)),
            credit_limit: Some(dec(100_000_00)),
            verdict: Some("allow"),
            remaining_credit: Some(dec(75_000_00)),
            ..CreditExample::default()
        });

        // Limit 50,000, exposure 48,000, band normal: P 50, V 50, O 100, A 65.
        let p = self.company_partner(
            "Avocet Marine Supplies Ltd",
            4,
            Some("accounts@avocet-marine.example"),
            true,
        );
        self.set_credit_limit(p, 50_000_00);
        for (days, late) in [(200, true), (150, false), (100, true), (60, false)] {
            let date = ago(days);
            let due = date + Days::new(30);
            let paid = if late { due + Days::new(20) } else { due };
            self.simple_invoice(
                MoveKind::OutInvoice,
                p,
                date,
                Some(due),
                300_000,
                Settlement::Paid(paid),
                None,
            );
        }
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(12),
            Some(ago(12) + Days::new(30)),
            30_000_00,
            Settlement::Open,
            None,
        );
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(5),
            Some(ago(5) + Days::new(30)),
            18_000_00,
            Settlement::Open,
            None,
        );
        examples.push(CreditExample {
            label: "limit 50,000, exposure 48,000, order 5,000, band normal",
            partner_id: p,
            order_amount: dec(5_000_00),
            score: Some(Decimal::new(6475, 2)),
            band: Some("normal"),
            exposure: Some(dec(48_000_00)),
            credit_limit: Some(dec(50_000_00)),
            verdict: Some("block"),
            over_limit_by: Some(dec(3_000_00)),
            ..CreditExample::default()
        });

        // Exposure 5,000 + 2,000 + order 3,000 − refund 1,000 = 9,000.
        let p = self.company_partner(
            "Godwit Interiors SARL",
            2,
            Some("compta@godwit-interiors.example"),
            true,
        );
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(20),
            Some(ago(20) + Days::new(30)),
            5_000_00,
            Settlement::Open,
            None,
        );
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(25),
            Some(ago(25) + Days::new(30)),
            6_000_00,
            Settlement::Partial(ago(5), 4_000_00),
            None,
        );
        self.simple_invoice(
            MoveKind::OutRefund,
            p,
            ago(3),
            Some(ago(3)),
            1_000_00,
            Settlement::Open,
            None,
        );
        self.sale_order(&OrderSpec {
            partner: p,
            date: ago(3),
            state: "sale",
            invoice_status: "to invoice",
            lines: vec![(product, 1, untaxed_for(3_000_00), 0)],
            picking: None,
        });
        examples.push(CreditExample {
            label: "open 5,000 + partial residual 2,000 + order 3,000 − open refund 1,000",
            partner_id: p,
            exposure: Some(dec(9_000_00)),
            ..CreditExample::default()
        });

        // Open 8,000 of which 5,000 past due: O = 37.5.
        let p = self.company_partner(
            "Curlew Foods GmbH",
            1,
            Some("buchhaltung@curlew-foods.example"),
            true,
        );
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(60),
            Some(ago(30)),
            5_000_00,
            Settlement::Open,
            None,
        );
        self.simple_invoice(
            MoveKind::OutInvoice,
            p,
            ago(5),
            Some(today + Days::new(25)),
            3_000_00,
            Settlement::Open,
            None,
        );
        examples.push(CreditExample {
            label: "open 8,000 of which 5,000 past due",
            partner_id: p,
            exposure: Some(dec(8_000_00)),
            overdue_ratio: Some(Decimal::new(375, 1)),
            ..CreditExample::default()
        });
        self.truth.credit_examples = examples;
    }

    fn set_credit_limit(&mut self, partner: i64, cents: i64) {
        let [limit, switch] = super::rows::cols(
            &self.t.partner,
            ["credit_limit", "use_partner_credit_limit"],
        );
        if let Some(r) = self.t.partner.get_mut(partner) {
            super::rows::put(r, limit, super::rows::money(cents));
            super::rows::put(r, switch, true.into());
        }
    }

    /// An open line in the EUR bank journal.
    fn open_line(&mut self, day: NaiveDate, label: &str, partner: Option<i64>, cents: i64) -> i64 {
        let (journal, account) = self.eur_bank();
        let receivable = self.refs.receivable;
        self.statement_line(StatementLine {
            day,
            journal,
            bank_account: account,
            counter_account: receivable,
            label,
            partner,
            amount: cents,
            amount_eur: cents,
            foreign: None,
            reconciled: false,
        })
        .id
    }

    fn bank_examples(&mut self) {
        let today = self.dates.today;
        let year = today.year();
        let day = self.dates.close_start.max(today - Days::new(10));
        let due = today + Days::new(10);
        let mut examples = Vec::new();

        let acme = self.company_partner("Acme Corp", 5, Some("ap@acme-corp.example"), true);
        let name = format!("INV/{year}/0042");
        let invoice = self.simple_invoice(
            MoveKind::OutInvoice,
            acme,
            today - Days::new(20),
            Some(due),
            1_500_00,
            Settlement::Open,
            Some(&name),
        );
        let line = self.open_line(day, &name, Some(acme), 1_500_00);
        examples.push(BankExample {
            label: "reference, amount and partner equal",
            statement_line_id: line,
            move_id: invoice.move_id,
            move_line_id: invoice.term_line,
            confidence: Some(Decimal::new(90, 2)),
            match_type: "exact",
            needs_rule: false,
        });
        let line = self.open_line(day, &format!("PMT INV-{year}-042"), None, 1_500_00);
        examples.push(BankExample {
            label: "digit signature of the reference, amount equal",
            statement_line_id: line,
            move_id: invoice.move_id,
            move_line_id: invoice.term_line,
            confidence: Some(Decimal::new(70, 2)),
            match_type: "fuzzy",
            needs_rule: false,
        });

        let dunlin = self.company_partner(
            "Dunlin Textiles BV",
            0,
            Some("ap@dunlin-textiles.example"),
            true,
        );
        let invoice = self.simple_invoice(
            MoveKind::OutInvoice,
            dunlin,
            today - Days::new(25),
            Some(due),
            1_000_00,
            Settlement::Open,
            Some("INV/99"),
        );
        let line = self.open_line(day, "PMT-99", None, 1_000_30);
        examples.push(BankExample {
            label: "rounding difference, digit run too short",
            statement_line_id: line,
            move_id: invoice.move_id,
            move_line_id: invoice.term_line,
            confidence: Some(Decimal::new(30, 2)),
            match_type: "fuzzy",
            needs_rule: false,
        });

        let saas = self.company_partner("SaaS Corp", 5, Some("billing@saas-corp.example"), true);
        let invoice = self.simple_invoice(
            MoveKind::OutInvoice,
            saas,
            today - Days::new(15),
            Some(due),
            200_00,
            Settlement::Open,
            Some("INV/SUB/022"),
        );
        let line = self.open_line(day, "Subscription Payment Feb", Some(saas), 200_00);
        examples.push(BankExample {
            label: "learned rule, amount and partner equal",
            statement_line_id: line,
            move_id: invoice.move_id,
            move_line_id: invoice.term_line,
            confidence: Some(Decimal::new(60, 2)),
            match_type: "learned",
            needs_rule: true,
        });

        let kittiwake = self.company_partner(
            "Kittiwake Freight BV",
            0,
            Some("invoices@kittiwake-freight.example"),
            false,
        );
        let bill = self.simple_invoice(
            MoveKind::InInvoice,
            kittiwake,
            today - Days::new(18),
            Some(due),
            1_500_00,
            Settlement::Open,
            None,
        );
        let line = self.open_line(day, "Incoming transfer", None, 1_500_00);
        examples.push(BankExample {
            label: "money in against a vendor bill",
            statement_line_id: line,
            move_id: bill.move_id,
            move_line_id: bill.term_line,
            confidence: None,
            match_type: "incompatible",
            needs_rule: false,
        });

        let whimbrel = self.company_partner(
            "Whimbrel Design Studio",
            0,
            Some("studio@whimbrel-design.example"),
            true,
        );
        let invoice = self.simple_invoice(
            MoveKind::OutInvoice,
            whimbrel,
            today - Days::new(22),
            Some(due),
            1_050_00,
            Settlement::Open,
            None,
        );
        let line = self.open_line(day, "Transfer 7781", None, 1_000_00);
        examples.push(BankExample {
            label: "amount 4.8 % off, nothing else",
            statement_line_id: line,
            move_id: invoice.move_id,
            move_line_id: invoice.term_line,
            confidence: Some(Decimal::new(786, 4)),
            match_type: "none",
            needs_rule: false,
        });
        self.truth.bank_examples = examples;
    }

    fn forecast_examples(&mut self) {
        let month = self.dates.today.with_day(5).unwrap_or(self.dates.today);
        let vendor = self.company_partner(
            "Fulmar Cloud Hosting BV",
            0,
            Some("billing@fulmar-cloud.example"),
            false,
        );
        let mut bills = Vec::new();
        for (k, total) in [(3, 4_900_00), (2, 5_000_00), (1, 5_100_00)] {
            let date = month - Months::new(k);
            let due = date + Days::new(14);
            let settlement = if due <= self.dates.today {
                Settlement::Paid(due)
            } else {
                Settlement::Open
            };
            bills.push(
                self.simple_invoice(
                    MoveKind::InInvoice,
                    vendor,
                    date,
                    Some(due),
                    total,
                    settlement,
                    None,
                )
                .move_id,
            );
        }
        let irregular = self.company_partner(
            "Gannet Print Services",
            0,
            Some("accounts@gannet-print.example"),
            false,
        );
        for (days, total) in [(100, 500_00), (40, 50_000_00)] {
            let date = self.dates.today - Days::new(days);
            let due = date + Days::new(30);
            self.simple_invoice(
                MoveKind::InInvoice,
                irregular,
                date,
                Some(due),
                total,
                Settlement::Paid(due.min(self.dates.today)),
                None,
            );
        }
        let today = self.dates.today;
        let lead = |name: &str, cents: i64, probability: f64| LeadFields {
            name: name.to_owned(),
            opportunity: true,
            partner_name: Some(name.to_owned()),
            expected: cents,
            probability,
            stage: 3,
            outcome: Outcome::Pending,
            deadline: Some(today + Days::new(30)),
            created: today - Days::new(40),
            ..LeadFields::default()
        };
        let half = lead("Shearwater Hotels framework deal", 100_000_00, 50.0);
        let eighty = lead("Petrel Schools refit", 10_000_00, 80.0);
        let half = self.push_lead(&half);
        let eighty = self.push_lead(&eighty);
        let f = &mut self.truth.forecast;
        f.recurring_vendor = vendor;
        f.recurring_bills = bills;
        f.irregular_vendor = irregular;
        f.pipeline_half = half;
        f.pipeline_eighty = eighty;
    }

    /// Spec 1.3: in the example month exactly 12 open bank lines (4 carried
    /// over), 4 drafts and 3 confirmed orders to invoice; nothing else.
    fn closing_example(&mut self, product: i64) {
        let d = self.dates;
        let customer = self.company_partner(
            "Sanderling Retail B.V.",
            0,
            Some("ap@sanderling-retail.example"),
            true,
        );
        let vendor = self.company_partner(
            "Turnstone Office Supplies",
            0,
            Some("sales@turnstone-office.example"),
            false,
        );
        let mut bank = Vec::new();
        for k in 0..12_u64 {
            let day = if k < 4 {
                d.example_start - Days::new(3 + k * 9)
            } else {
                d.example_start + Days::new((k - 4) * 3)
            };
            let label = format!("Unidentified transfer {}", 4_410 + k);
            let partner = (k % 3 == 0).then_some(customer);
            let cents = if k % 4 == 3 {
                -(12_000 + k as i64 * 1_111)
            } else {
                25_000 + k as i64 * 3_217
            };
            bank.push(self.open_line(day.min(d.example_end), &label, partner, cents));
        }
        let mut drafts = Vec::new();
        let before_lock = d.lock_date - Days::new(10);
        for (kind, partner, date) in [
            (MoveKind::OutInvoice, customer, before_lock),
            (
                MoveKind::OutInvoice,
                customer,
                d.example_start + Days::new(4),
            ),
            (MoveKind::InInvoice, vendor, d.example_start + Days::new(9)),
        ] {
            let due = Some(date + Days::new(30));
            drafts.push(self.problem_invoice(
                kind,
                partner,
                date,
                due,
                MoveState::Draft,
                TaxRule::Standard,
                5,
            ));
        }
        let misc = self.misc_entry(
            d.example_start + Days::new(14),
            "Accrual adjustment",
            MoveState::Draft,
            self.refs.expense,
            self.refs.equity,
            780_00,
        );
        drafts.push(misc);
        self.truth.month_end.drafts_before_lock_date.push(drafts[0]);
        let mut orders = Vec::new();
        for k in 0..3_u64 {
            let order = self.sale_order(&OrderSpec {
                partner: customer,
                date: d.example_start + Days::new(2 + k * 6),
                state: "sale",
                invoice_status: "to invoice",
                lines: vec![(product, 1 + k as i64, 950_00, 0)],
                picking: None,
            });
            orders.push(order.id);
        }
        self.truth.closing_example = ClosingExample {
            period: Dates::period(d.example_start),
            bank_unreconciled: bank,
            draft_entries: drafts,
            uninvoiced_orders: orders,
            readiness: 65,
            risk_level: "high",
            total_items: 19,
            estimated_hours: Decimal::new(50, 1),
        };
    }

    /// Problems of the last closed month (the period before today's).
    fn month_end_problems(&mut self) {
        let d = self.dates;
        let c = d.close_start;
        let customer = self.company_partner(
            "Redshank Hospitality BV",
            0,
            Some("finance@redshank.example"),
            true,
        );
        let vendor = self.company_partner(
            "Oystercatcher Utilities",
            0,
            Some("billing@oystercatcher.example"),
            false,
        );
        let me = self;
        for k in 0..2 {
            let date = c + Days::new(2 + k);
            let due = Some(date + Days::new(30));
            let id = me.problem_invoice(
                MoveKind::OutInvoice,
                customer,
                date,
                due,
                MoveState::Draft,
                TaxRule::Standard,
                10,
            );
            me.truth.month_end.stale_drafts.push(id);
        }
        for k in 0..2 {
            let date = c + Days::new(6 + k);
            let id = me.problem_invoice(
                MoveKind::OutInvoice,
                customer,
                date,
                None,
                MoveState::Posted,
                TaxRule::Standard,
                0,
            );
            me.truth.month_end.missing_due_dates.push(id);
        }
        for k in 0..2_u64 {
            let date = c - Days::new(40 + k * 7);
            let due = Some(date + Days::new(30));
            let id = me.problem_invoice(
                MoveKind::InInvoice,
                vendor,
                date,
                due,
                MoveState::Posted,
                TaxRule::Standard,
                0,
            );
            me.truth.month_end.overdue_payables.push(id);
        }
        let date = c + Days::new(10);
        let due = Some(date + Days::new(30));
        let id = me.problem_invoice(
            MoveKind::OutInvoice,
            customer,
            date,
            due,
            MoveState::Posted,
            TaxRule::Untaxed,
            0,
        );
        me.truth.month_end.invoices_without_tax.push(id);
        let id = me.problem_invoice(
            MoveKind::OutInvoice,
            customer,
            date,
            due,
            MoveState::Posted,
            TaxRule::ZeroRated,
            0,
        );
        me.truth.month_end.zero_rated_invoices.push(id);
        for k in 0..3_u64 {
            let day = c + Days::new(3 + k * 5);
            let id = me.open_line(
                day,
                &format!("Card settlement {}", 8_820 + k),
                None,
                1_234_00 + k as i64 * 100,
            );
            me.truth.month_end.unreconciled_bank_lines.push(id);
        }
        let refs = me.refs;
        let id = me.misc_entry(
            c + Days::new(12),
            "Accrued rent adjustment",
            MoveState::Posted,
            refs.expense,
            refs.equity,
            2_400_00,
        );
        me.truth.month_end.manual_entries.push(id);
        let id = me.misc_entry(
            d.close_end,
            "Depreciation office equipment",
            MoveState::Draft,
            refs.depreciation,
            refs.accumulated_depreciation,
            350_00,
        );
        me.truth.month_end.depreciation_drafts.push(id);
        me.truth.month_end.period = Dates::period(c);
    }

    /// An open EUR invoice or bill of 720.00 untaxed, for the closing problems.
    #[allow(clippy::too_many_arguments)]
    fn problem_invoice(
        &mut self,
        kind: MoveKind,
        partner: i64,
        date: NaiveDate,
        due: Option<NaiveDate>,
        state: MoveState,
        tax: TaxRule,
        created_before: i64,
    ) -> i64 {
        let lines = [LineSpec {
            product: 0,
            quantity: 3,
            price_cents: 240_00,
        }];
        self.invoice(&InvoiceSpec {
            kind,
            partner,
            date,
            due,
            state,
            settlement: Settlement::Open,
            currency: self.refs.eur,
            lines: &lines,
            tax,
            reference: None,
            name: None,
            total: None,
            created_before,
        })
        .move_id
    }

    /// A two-line entry in the miscellaneous journal.
    pub(crate) fn misc_entry(
        &mut self,
        day: NaiveDate,
        label: &str,
        state: MoveState,
        debit: Link,
        credit: Link,
        cents: i64,
    ) -> i64 {
        let refs = self.refs;
        let name = if state == MoveState::Draft {
            "/".to_owned()
        } else {
            self.next_name("MISC", day)
        };
        let move_id = self.t.moves.next_id();
        let first = self.t.lines.next_id();
        self.write_move(MoveRecord {
            name: &name,
            kind: "entry",
            state,
            partner: 0,
            journal: refs.misc_journal,
            currency: refs.eur,
            date: day,
            invoice_date: None,
            due: None,
            reference: Some(label),
            untaxed: (0, 0),
            tax: (0, 0),
            total: (cents, cents),
            residual: (0, 0),
            payment_state: "not_paid",
            line_ids: &[first, first + 1],
            product_lines: &[],
            created: day - Days::new(5),
            statement_line: 0,
            payment: 0,
        });
        let date = self.cal.date(day);
        let parent_state = if state == MoveState::Draft {
            "draft"
        } else {
            "posted"
        };
        for (account, balance) in [(debit, cents), (credit, -cents)] {
            self.write_line(LineRecord {
                move_id,
                move_name: &name,
                label,
                date: date.clone(),
                maturity: None,
                account,
                partner: None,
                journal: refs.misc_journal,
                currency: refs.eur,
                balance,
                amount_currency: balance,
                residual: 0,
                residual_currency: 0,
                reconciled: false,
                parent_state,
                display_type: "",
                tax: None,
                product: None,
                quantity: 0,
                price_cents: 0,
            });
        }
        move_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untaxed_for_reaches_the_total_when_21_percent_allows_it() {
        for total in [1_500_00, 5_000_00, 4_900_00, 5_100_00, 1_050_00, 200_00] {
            let u = untaxed_for(total);
            assert_eq!(u + (u * 21 + 50) / 100, total, "{total}");
        }
        // 20,000.00 is not reachable: the nearest untaxed amount is used and
        // the invoice adjusts its tax by a cent.
        let u = untaxed_for(20_000_00);
        assert!((u + (u * 21 + 50) / 100 - 20_000_00).abs() <= 1);
    }
}
