//! Small example companies for `cash_flow_forecast` (spec 5.7): each holds
//! only the documents of one worked example, with its own bank account and
//! journals, so the forecast's answer is exactly the spec's. They are
//! created after every other record, so no id of the main company moves;
//! their partners belong to them, so nothing of theirs appears in the main
//! company's scans; and they are archived, so searches of `res.company`
//! still find the main company alone.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde_json::Value;

use super::accounting::{LineRecord, MoveKind, MoveState, Settlement};
use super::builder::{Builder, Link, Refs};
use super::leads::{LeadFields, Outcome};
use super::orders::OrderSpec;
use super::partners::PartnerFields;
use super::rows::{cols, ids, m2o, put};
use super::truth::{ForecastCompanies, ScheduleExample};

impl Builder {
    /// Creates the example companies and records them in the truth.
    pub(crate) fn forecast_companies(&mut self, product: i64) {
        let today = self.dates.today;
        let day = |n: u64| today + Days::new(n);
        let ago = |n: u64| today - Days::new(n);
        let main = self.refs;

        // B0 100,000; receivable 5,000 due as_of+5; payable 3,000 due as_of+10.
        let receivable_and_payable = self.example_company("Alder Cash Example B.V.", |b| {
            b.opening_entry(100_000_00, ago(30));
            let customer = b.own_partner("Osprey Marine Supplies", true);
            let vendor = b.own_partner("Heron Packaging Works", false);
            b.open(MoveKind::OutInvoice, customer, ago(25), day(5), 5_000_00);
            b.open(MoveKind::InInvoice, vendor, ago(20), day(10), 3_000_00);
        });

        // B0 1,000; payable 5,000 due as_of+3.
        let cash_gap = self.example_company("Birch Cash Example B.V.", |b| {
            b.opening_entry(1_000_00, ago(30));
            let vendor = b.own_partner("Egret Steel Trading", false);
            b.open(MoveKind::InInvoice, vendor, ago(27), day(3), 5_000_00);
        });

        // A 10,000 receivable expected at day 5, to be delayed by 30 days.
        let mut delayed = 0;
        let delayed_receivable = self.example_company("Cedar Cash Example B.V.", |b| {
            b.opening_entry(20_000_00, ago(30));
            delayed = b.own_partner("Grebe Optics Retail", true);
            b.open(MoveKind::OutInvoice, delayed, ago(25), day(5), 10_000_00);
        });

        // Pipeline 100,000 at 50 % and 10,000 at 80 %; bills 4,900 / 5,000
        // / 5,100 a month apart (recurring) and 500 / 50,000 (not).
        let mut recurring_vendor = 0;
        let mut irregular_vendor = 0;
        let pipeline_and_recurring = self.example_company("Dogwood Cash Example B.V.", |b| {
            b.opening_entry(200_000_00, ago(300));
            let lead = |name: &str, cents: i64, probability: f64| LeadFields {
                name: name.to_owned(),
                opportunity: true,
                partner_name: Some(name.to_owned()),
                expected: cents,
                probability,
                stage: 3,
                outcome: Outcome::Pending,
                deadline: Some(day(30)),
                created: ago(40),
                ..LeadFields::default()
            };
            b.push_lead(&lead("Smew Harbour terminal fit-out", 100_000_00, 50.0));
            b.push_lead(&lead("Pochard College lab benches", 10_000_00, 80.0));
            recurring_vendor = b.own_partner("Wigeon Data Centres", false);
            let fifth = today.with_day(5).unwrap_or(today);
            for (k, total) in [(3, 4_900_00), (2, 5_000_00), (1, 5_100_00)] {
                let date = fifth - Months::new(k);
                let due = date + Days::new(14);
                let settlement = if due <= today {
                    Settlement::Paid(due)
                } else {
                    Settlement::Open
                };
                b.simple_invoice(
                    MoveKind::InInvoice,
                    recurring_vendor,
                    date,
                    Some(due),
                    total,
                    settlement,
                    None,
                );
            }
            irregular_vendor = b.own_partner("Bittern Signage Studio", false);
            for (days, total) in [(100, 500_00), (40, 50_000_00)] {
                let date = ago(days);
                let due = date + Days::new(30);
                b.simple_invoice(
                    MoveKind::InInvoice,
                    irregular_vendor,
                    date,
                    Some(due),
                    total,
                    Settlement::Paid(due.min(today)),
                    None,
                );
            }
        });

        // The hand-computed schedule: overdue and doubtful receivables, a
        // customer who pays 10 days late, an overdue payable, a weekly
        // vendor whose open bill replaces one occurrence, an opportunity
        // past its deadline and a sales order not yet invoiced.
        let mut schedule = ScheduleExample::default();
        let schedule_company = self.example_company("Elm Cash Example B.V.", |b| {
            b.opening_entry(50_000_00, ago(300));
            let late_payer = b.own_partner("Shelduck Furniture Group", true);
            for (issued, late) in [(200, 4), (150, 10), (100, 12)] {
                let date = ago(issued);
                let due = date + Days::new(30);
                b.simple_invoice(
                    MoveKind::OutInvoice,
                    late_payer,
                    date,
                    Some(due),
                    2_000_00,
                    Settlement::Paid(due + Days::new(late)),
                    None,
                );
            }
            b.open(MoveKind::OutInvoice, late_payer, ago(24), day(6), 8_000_00);
            let overdue = b.own_partner("Goldeneye Kitchens", true);
            b.open(MoveKind::OutInvoice, overdue, ago(50), ago(20), 3_000_00);
            let doubtful = b.own_partner("Merganser Boatyard", true);
            b.open(MoveKind::OutInvoice, doubtful, ago(150), ago(120), 2_000_00);
            let freight = b.own_partner("Teal Freight Forwarding", false);
            b.open(MoveKind::InInvoice, freight, ago(35), ago(5), 1_500_00);
            let rent = b.own_partner("Pintail Property Rentals", false);
            b.open(MoveKind::InInvoice, rent, ago(10), day(20), 2_500_00);
            let weekly = b.own_partner("Scaup Cleaning Services", false);
            for (issued, total) in [(21, 1_000_00), (14, 1_100_00)] {
                let date = ago(issued);
                b.simple_invoice(
                    MoveKind::InInvoice,
                    weekly,
                    date,
                    Some(date + Days::new(7)),
                    total,
                    Settlement::Paid(date + Days::new(7)),
                    None,
                );
            }
            b.open(MoveKind::InInvoice, weekly, ago(7), today, 1_200_00);
            let prospect = b.own_partner("Gadwall Hotels", true);
            let lead = b.push_lead(&LeadFields {
                name: "Gadwall Hotels linen contract".to_owned(),
                opportunity: true,
                partner: Some(prospect),
                expected: 20_000_00,
                probability: 25.0,
                stage: 2,
                outcome: Outcome::Pending,
                deadline: Some(ago(5)),
                created: ago(60),
                ..LeadFields::default()
            });
            // 1 × 4,000.00 untaxed, nothing invoiced: 4,840.00 to invoice.
            let order = b.sale_order(&OrderSpec {
                partner: prospect,
                date: ago(3),
                state: "sale",
                invoice_status: "to invoice",
                lines: vec![(product, 1, 4_000_00, 0)],
                picking: None,
            });
            schedule.late_payer = late_payer;
            schedule.overdue_customer = overdue;
            schedule.doubtful_customer = doubtful;
            schedule.overdue_vendor = freight;
            schedule.vendor = rent;
            schedule.weekly_vendor = weekly;
            schedule.lead = lead;
            schedule.order = order.id;
        });
        schedule.company_id = schedule_company;
        self.refs = main;
        self.truth.forecast.companies = ForecastCompanies {
            receivable_and_payable,
            cash_gap,
            delayed_receivable,
            delayed_customer: delayed,
            pipeline_and_recurring,
            recurring_vendor,
            irregular_vendor,
            schedule,
        };
    }

    /// A company with its own bank account and journals; `fill` runs with
    /// the builder's references pointing at it. Returns the company id.
    fn example_company(&mut self, name: &'static str, fill: impl FnOnce(&mut Self)) -> i64 {
        let main = self.refs;
        let partner = self.push_partner_record(PartnerFields {
            name: name.to_owned(),
            is_company: true,
            age_days: 900,
            ..PartnerFields::default()
        });
        let t = &mut self.t.company;
        let [name_col, currency, partner_col, active] =
            cols(t, ["name", "currency_id", "partner_id", "active"]);
        let r = t.push_blank();
        put(r, name_col, name.into());
        // Archived: readable by id (a forecast names it with company_id),
        // outside every search, so the main company's users still see one
        // company (the closing scan's intercompany check stays not
        // applicable).
        put(r, active, false.into());
        put(r, currency, main.eur.value());
        put(r, partner_col, m2o(partner, name));
        let company = Link { id: r.id, name };
        self.belongs_to(partner, company);
        let t = &mut self.t.account;
        let [
            code,
            account_name,
            account_type,
            reconcile,
            company_id,
            company_ids,
        ] = cols(
            t,
            [
                "code",
                "name",
                "account_type",
                "reconcile",
                "company_id",
                "company_ids",
            ],
        );
        let r = t.push_blank();
        put(r, code, "110100".into());
        put(r, account_name, "Bank".into());
        put(r, account_type, "asset_cash".into());
        put(r, reconcile, false.into());
        put(r, company_id, company.value());
        put(r, company_ids, ids(&[company.id]));
        let bank_account = Link {
            id: r.id,
            name: "Bank",
        };
        let mut journals = Vec::new();
        for (journal, code, kind, account) in [
            ("Customer Invoices", "INV", "sale", main.income),
            ("Vendor Bills", "BILL", "purchase", main.expense),
            ("Bank", "BNK1", "bank", bank_account),
            ("Miscellaneous Operations", "MISC", "general", main.equity),
        ] {
            journals.push(self.journal(company, journal, code, kind, account));
        }
        self.refs = Refs {
            company,
            sale_journal: journals[0],
            purchase_journal: journals[1],
            bank_journal: journals[2],
            bank_eur_account: bank_account,
            misc_journal: journals[3],
            ..main
        };
        fill(self);
        self.refs = main;
        company.id
    }

    fn journal(
        &mut self,
        company: Link,
        name: &'static str,
        code: &str,
        kind: &str,
        account: Link,
    ) -> Link {
        let suspense_account = self.refs.suspense;
        let t = &mut self.t.journal;
        let [
            name_col,
            code_col,
            ty,
            currency,
            default_account,
            suspense,
            company_col,
            active,
        ] = cols(
            t,
            [
                "name",
                "code",
                "type",
                "currency_id",
                "default_account_id",
                "suspense_account_id",
                "company_id",
                "active",
            ],
        );
        let r = t.push_blank();
        put(r, name_col, name.into());
        put(r, code_col, code.into());
        put(r, ty, kind.into());
        put(r, currency, Value::Bool(false));
        put(r, default_account, account.value());
        if kind == "bank" {
            put(r, suspense, suspense_account.value());
        }
        put(r, company_col, company.value());
        put(r, active, true.into());
        Link { id: r.id, name }
    }

    /// A customer or vendor of the current example company.
    fn own_partner(&mut self, name: &str, customer: bool) -> i64 {
        let id = self.push_partner_record(PartnerFields {
            name: name.to_owned(),
            is_company: true,
            customer_rank: i64::from(customer),
            supplier_rank: i64::from(!customer),
            age_days: 900,
            ..PartnerFields::default()
        });
        self.belongs_to(id, self.refs.company);
        id
    }

    fn belongs_to(&mut self, partner: i64, company: Link) {
        let [company_col] = cols(&self.t.partner, ["company_id"]);
        if let Some(p) = self.t.partner.get_mut(partner) {
            put(p, company_col, company.value());
        }
    }

    /// A posted, unpaid invoice or bill of `total` cents, tax included.
    fn open(&mut self, kind: MoveKind, partner: i64, date: NaiveDate, due: NaiveDate, total: i64) {
        self.simple_invoice(
            kind,
            partner,
            date,
            Some(due),
            total,
            Settlement::Open,
            None,
        );
    }

    /// Money paid into the bank account from equity on `date`.
    fn opening_entry(&mut self, cents: i64, date: NaiveDate) {
        let refs = self.refs;
        let name = self.next_name("MISC", date);
        let move_id = self.t.moves.next_id();
        let first = self.t.lines.next_id();
        self.write_move(super::accounting::MoveRecord {
            name: &name,
            kind: "entry",
            state: MoveState::Posted,
            partner: 0,
            journal: refs.misc_journal,
            currency: refs.eur,
            date,
            invoice_date: None,
            due: None,
            reference: Some("Opening balance"),
            untaxed: (0, 0),
            tax: (0, 0),
            total: (cents, cents),
            residual: (0, 0),
            payment_state: "not_paid",
            line_ids: &[first, first + 1],
            product_lines: &[],
            created: date,
            statement_line: 0,
            payment: 0,
        });
        let day = self.cal.date(date);
        for (account, balance) in [(refs.bank_eur_account, cents), (refs.equity, -cents)] {
            self.write_line(LineRecord {
                move_id,
                move_name: &name,
                label: "Opening balance",
                date: day.clone(),
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
                parent_state: "posted",
                display_type: "",
                tax: None,
                product: None,
                quantity: 0,
                price_cents: 0,
            });
        }
    }
}
