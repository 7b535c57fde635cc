//! Random invoices, refunds and vendor bills with their payments, and the
//! open bank lines that wait for reconciliation.
//!
//! Ratios: each customer company gets 0–2 invoices (about 1), 4 % of
//! them followed by a refund; each vendor 1–2 bills, or a monthly series
//! of 3–6 when the vendor bills a subscription (10 %). Customers pay on time (60 %),
//! late (30 %) or leave invoices open (10 %). Drafts, open bank lines and
//! other month-end problems of random documents all lie after the closing
//! example month, so that month's answer stays exactly as planted.

use chrono::{Days, NaiveDate};
use rand::Rng;

use super::accounting::{InvoiceSpec, LineSpec, MoveKind, MoveState, Settlement, TaxRule};
use super::bank::StatementLine;
use super::builder::{Builder, HISTORY_DAYS, Link};
use super::partners::Pools;
use super::products::Catalogue;

/// Invoices per customer company: uniform in `0..=INVOICES_MAX`.
const INVOICES_MAX: u32 = 2;
/// Share of vendors billing a monthly subscription.
const SUBSCRIPTION_SHARE: f64 = 0.1;
/// Months of a subscription: uniform in `3..=SUBSCRIPTION_MONTHS_MAX`.
const SUBSCRIPTION_MONTHS_MAX: u32 = 6;
/// Bills of other vendors: uniform in `1..=BILLS_MAX`.
const BILLS_MAX: u32 = 2;

/// Payment terms in days.
const TERMS: [u64; 7] = [0, 15, 30, 30, 30, 45, 60];

/// An open customer invoice, candidate for a bank line waiting to be matched.
struct OpenInvoice {
    partner: i64,
    move_id: i64,
    /// Still due, in the invoice currency and in euro, cents.
    residual: i64,
    residual_eur: i64,
    usd: bool,
}

impl Builder {
    /// Customer invoices and refunds with their bank settlements, then
    /// the open bank lines waiting to be matched with some of them.
    pub(crate) fn customer_documents(&mut self, pools: &Pools, catalogue: &Catalogue) {
        let mut open = Vec::new();
        for (company, contacts) in &pools.customers {
            self.customer_invoices(*company, contacts, catalogue, &mut open);
        }
        self.open_bank_lines(&open);
    }

    /// Vendor bills and credit notes with their payments.
    pub(crate) fn vendor_documents(&mut self, pools: &Pools, catalogue: &Catalogue) {
        for vendor in &pools.vendors {
            self.vendor_bills(*vendor, catalogue);
        }
    }

    fn lines(&mut self, catalogue: &Catalogue, buf: &mut Vec<LineSpec>) {
        buf.clear();
        let count = if self.rng.random_bool(0.7) { 1 } else { 2 };
        for _ in 0..count {
            let product = if catalogue.all.is_empty() {
                0
            } else {
                catalogue.all[self.rng.random_range(0..catalogue.all.len())]
            };
            buf.push(LineSpec {
                product,
                quantity: self.rng.random_range(1..20),
                price_cents: catalogue.price(product),
            });
        }
    }

    fn customer_invoices(
        &mut self,
        company: i64,
        contacts: &[i64],
        catalogue: &Catalogue,
        open: &mut Vec<OpenInvoice>,
    ) {
        let count = self.rng.random_range(0..=INVOICES_MAX);
        let behaviour = self.rng.random_range(0..100);
        let usd_customer = self.rng.random_bool(0.06);
        let mut buf = Vec::with_capacity(3);
        for _ in 0..count {
            let partner = if !contacts.is_empty() && self.rng.random_bool(0.2) {
                contacts[self.rng.random_range(0..contacts.len())]
            } else {
                company
            };
            let date = self.days_ago(0, HISTORY_DAYS - 30);
            let due = date + Days::new(TERMS[self.rng.random_range(0..TERMS.len())]);
            let recent = date > self.dates.example_end;
            let state = if recent
                && (self.dates.today - date).num_days() < 30
                && self.rng.random_bool(0.06)
            {
                MoveState::Draft
            } else if self.rng.random_bool(0.015) {
                MoveState::Cancel
            } else {
                MoveState::Posted
            };
            let delay: i64 = match behaviour {
                0..60 => self.rng.random_range(-5..=2),
                60..90 => self.rng.random_range(3..=40),
                _ => self.rng.random_range(20..=120),
            };
            let pay_day = due + chrono::Duration::days(delay);
            let settlement =
                if pay_day > self.dates.today || (behaviour >= 90 && self.rng.random_bool(0.5)) {
                    Settlement::Open
                } else if self.rng.random_bool(0.08) {
                    Settlement::Partial(pay_day, 0)
                } else {
                    Settlement::Paid(pay_day.max(date))
                };
            self.lines(catalogue, &mut buf);
            let currency = if usd_customer {
                self.refs.usd
            } else {
                self.refs.eur
            };
            let settlement = match settlement {
                Settlement::Partial(day, _) => {
                    let total: i64 =
                        buf.iter().map(|l| l.quantity * l.price_cents).sum::<i64>() * 121 / 100;
                    Settlement::Partial(
                        day.max(date),
                        (total * self.rng.random_range(20..70) / 100).max(1),
                    )
                }
                other => other,
            };
            let reference = if self.rng.random_bool(0.3) {
                Some(format!("PO{}", self.rng.random_range(10_000..99_999)))
            } else {
                None
            };
            let created_before = self.rng.random_range(0..3);
            let posted = self.invoice(&InvoiceSpec {
                kind: MoveKind::OutInvoice,
                partner,
                date,
                due: Some(due),
                state,
                settlement,
                currency,
                lines: &buf,
                tax: TaxRule::Standard,
                reference: reference.as_deref(),
                name: None,
                total: None,
                created_before,
            });
            if state == MoveState::Posted
                && settlement != Settlement::Open
                && self.rng.random_bool(0.04)
            {
                self.refund(partner, date, currency, &buf);
            }
            if state == MoveState::Posted
                && matches!(settlement, Settlement::Open | Settlement::Partial(..))
                && date > self.dates.example_end
            {
                let (residual, residual_eur) = match settlement {
                    Settlement::Partial(_, paid) => (
                        posted.total - paid,
                        posted.total_eur - self.to_eur(currency.id, paid, date),
                    ),
                    _ => (posted.total, posted.total_eur),
                };
                open.push(OpenInvoice {
                    partner,
                    move_id: posted.move_id,
                    residual,
                    residual_eur,
                    usd: usd_customer,
                });
            }
        }
    }

    /// A credit note for part of an invoice, a few days later; half stay open.
    fn refund(&mut self, partner: i64, date: NaiveDate, currency: Link, lines: &[LineSpec]) {
        let day = (date + Days::new(self.rng.random_range(3..20))).min(self.dates.today);
        let first = lines.first().copied().map(|mut l| {
            l.quantity = 1;
            l
        });
        let Some(line) = first else { return };
        let settlement = if self.rng.random_bool(0.5) {
            Settlement::Open
        } else {
            Settlement::Paid((day + Days::new(5)).min(self.dates.today))
        };
        self.invoice(&InvoiceSpec {
            kind: MoveKind::OutRefund,
            partner,
            date: day,
            due: Some(day),
            state: MoveState::Posted,
            settlement,
            currency,
            lines: &[line],
            tax: TaxRule::Standard,
            reference: None,
            name: None,
            total: None,
            created_before: 0,
        });
    }

    fn vendor_bills(&mut self, vendor: i64, catalogue: &Catalogue) {
        let monthly = self.rng.random_bool(SUBSCRIPTION_SHARE);
        let mut buf = Vec::with_capacity(3);
        if monthly {
            // A subscription: the same amount (±2 %) on the same day each month.
            let months = self.rng.random_range(3..=SUBSCRIPTION_MONTHS_MAX);
            let base = self.rng.random_range(200..8_000) * 100;
            let first = self.dates.today - chrono::Months::new(months);
            for k in 0..months {
                let date = first + chrono::Months::new(k) + Days::new(1);
                let price = base + base * self.rng.random_range(-2..=2) / 100;
                buf.clear();
                buf.push(LineSpec {
                    product: 0,
                    quantity: 1,
                    price_cents: price,
                });
                self.bill(vendor, date, &buf);
            }
        } else {
            for _ in 0..self.rng.random_range(1..=BILLS_MAX) {
                let date = self.days_ago(0, HISTORY_DAYS - 30);
                self.lines(catalogue, &mut buf);
                for line in &mut buf {
                    line.price_cents = line.price_cents * 6 / 10;
                }
                self.bill(vendor, date, &buf);
            }
        }
    }

    fn bill(&mut self, vendor: i64, date: NaiveDate, lines: &[LineSpec]) {
        let due = date + Days::new(30);
        let recent = date > self.dates.example_end;
        let state =
            if recent && (self.dates.today - date).num_days() < 20 && self.rng.random_bool(0.08) {
                MoveState::Draft
            } else {
                MoveState::Posted
            };
        let pay_day = due + chrono::Duration::days(self.rng.random_range(-10..=5));
        let settlement = if pay_day > self.dates.today || self.rng.random_bool(0.04) {
            Settlement::Open
        } else {
            Settlement::Paid(pay_day.max(date))
        };
        let reference = format!("F{}", self.rng.random_range(100_000..999_999));
        let created_before = -self.rng.random_range(0..4);
        let refunded = state == MoveState::Posted && self.rng.random_bool(0.03);
        self.invoice(&InvoiceSpec {
            kind: MoveKind::InInvoice,
            partner: vendor,
            date,
            due: Some(due),
            state,
            settlement,
            currency: self.refs.eur,
            lines,
            tax: TaxRule::Standard,
            reference: Some(&reference),
            name: None,
            total: None,
            created_before,
        });
        // A vendor credit note for part of the bill (damaged goods).
        if let (true, Some(first)) = (refunded, lines.first()) {
            let day = (date + Days::new(7)).min(self.dates.today);
            let line = LineSpec {
                quantity: 1,
                ..*first
            };
            self.invoice(&InvoiceSpec {
                kind: MoveKind::InRefund,
                partner: vendor,
                date: day,
                due: Some(day + Days::new(30)),
                state: MoveState::Posted,
                settlement: if day + Days::new(30) <= self.dates.today {
                    Settlement::Paid(day + Days::new(30))
                } else {
                    Settlement::Open
                },
                currency: self.refs.eur,
                lines: &[line],
                tax: TaxRule::Standard,
                reference: None,
                name: None,
                total: None,
                created_before: 0,
            });
        }
    }

    /// Unreconciled bank lines paying about a third of the recent open
    /// invoices: by number, by customer reference or by partner only, the
    /// exact amount or short of a fee, some in dollars on the euro account.
    fn open_bank_lines(&mut self, open: &[OpenInvoice]) {
        let (journal, account) = self.eur_bank();
        let refs = self.refs;
        for item in open {
            if !self.rng.random_bool(0.35) {
                continue;
            }
            let name = self.move_name(item.move_id);
            let (residual, residual_eur) = (item.residual, item.residual_eur);
            let day = self.days_ago(
                0,
                (self.dates.today - self.dates.example_end).num_days() - 1,
            );
            let label = match self.rng.random_range(0..4) {
                0 => name.clone(),
                1 => format!("Payment {name} thank you"),
                2 => format!("Transfer {}", self.partner_name(item.partner)),
                _ => format!("Remittance {}", self.rng.random_range(100_000..999_999)),
            };
            let fee = if self.rng.random_bool(0.15) {
                self.rng.random_range(100..1_500)
            } else {
                0
            };
            let partner = self.rng.random_bool(0.7).then_some(item.partner);
            let (amount, foreign) = if item.usd {
                (residual_eur - fee, Some((refs.usd, residual)))
            } else {
                (residual_eur - fee, None)
            };
            self.statement_line(StatementLine {
                day,
                journal,
                bank_account: account,
                counter_account: refs.receivable,
                label: &label,
                partner,
                amount,
                amount_eur: amount,
                foreign,
                reconciled: false,
            });
        }
    }

    /// The number of a move.
    pub(crate) fn move_name(&self, id: i64) -> String {
        let name = self.cc.move_name;
        self.t
            .moves
            .get(id)
            .and_then(|r| r.values.get(name))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }
}
