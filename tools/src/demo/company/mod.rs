//! The demo company: a deterministic synthetic business, "Harbourline
//! Supplies B.V.", a Dutch wholesaler keeping its books in euro, generated
//! into a [`Dataset`] by [`generate`] together with the [`Truth`] of what
//! was planted in it.
//!
//! # Layout
//!
//! Fixed records come first, so their ids never change (uid 2 is the
//! administrator; partner 1 is the company):
//!
//! - `res.company` 1 (EUR; lock dates of the version set to the end of the
//!   month three months before today), `res.currency` EUR/USD/GBP (+ an
//!   inactive KWD), monthly `res.currency.rate` for USD and GBP over the
//!   history, eight `res.country` records.
//! - `res.users`: OdooBot (1, inactive), the administrator (2), an
//!   accountant (3), a salesperson without any accounting group (4) and a
//!   warehouse user (5), each with an e-mail login and an API key
//!   ([`DemoUser`](crate::demo::DemoUser)).
//! - A small chart of accounts, three taxes (21 % sales, 0 % sales, 21 %
//!   purchases), journals INV, BILL, BNK1 (EUR), BNK2 (USD) and MISC, four
//!   CRM stages, product categories, four chat channels.
//!
//! Then the planted records (ids depend only on the version and today):
//! the partner pairs of spec 4.5, the customers of the credit examples
//! (3.6) with their invoices and order, the bank lines and candidates of
//! 2.7, the recurring and irregular vendors and two opportunities of 5.7,
//! the closing example of 1.3 (in the month two months before today) and
//! the month-end problems of the last closed month.
//!
//! Then the random part, scaled by [`DemoSpec::partners`] (`n`):
//!
//! | what | how many |
//! |---|---|
//! | products | 30 + n / 25, 3 % planted duplicates |
//! | partners | n: ~62 % companies, ~38 % their contacts; 5 % planted near-duplicates |
//! | customer invoices | 0–2 per customer company (≈ 1), 1–2 product lines, 4 % refunded, ~70 % paid |
//! | vendor bills | 1–2 per vendor, or a monthly series of 3–6 for 10 % of vendors; 3 % credited |
//! | payments | a reconciled bank line per paid customer invoice, an `account.payment` per paid bill, each with its entry and `account.partial.reconcile` |
//! | open bank lines | about a third of the recent open invoices |
//! | sales / purchase orders | one for 40 % of customers / vendors, 1–2 lines each, a picking when confirmed |
//! | leads | n / 4 (+ 5 % duplicates of the prospects) |
//!
//! That is about 10 records per partner (per partner: 4.4 journal items,
//! 1.65 moves, 0.77 partial reconciles, 0.48 bank lines, 0.3 payments,
//! 0.5 order lines, 0.28 orders, 0.23 pickings, 0.26 leads): 99,000 records
//! at 10,000 partners and 986,000 (1.5 GB) at 100,000. Every kind of
//! document and every planted example is there at any size; the ratios
//! were halved from an earlier 17 per partner to generate 100,000
//! partners in about two seconds.
//!
//! After partners and products, the customer side runs on the calling
//! thread and the vendor side, orders and leads on a second one, each with
//! its own random stream derived from the seed (see `areas`), so the
//! company is the same on every run.
//!
//! With [`generate_with_forecast_companies`], five small example companies of
//! the forecast (spec 5.7) come last, each with its own bank account and
//! journals and only the documents of one worked example (see `forecast`
//! and [`ForecastCompanies`]). They are archived, so searches of
//! `res.company` find the main company alone, and their partners belong to
//! them.
//!
//! Random documents respect the closing example: every draft, open bank
//! line and order still to invoice that is random lies after the example
//! month, so the example's answer is exact at any size and seed.

// Amounts in cents are grouped as money reads: 1_500_00 is 1,500.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod accounting;
mod accounting_models;
mod areas;
mod bank;
mod base;
mod builder;
mod digest;
mod documents;
mod forecast;
pub mod groups;
mod leads;
mod models;
mod orders;
mod partners;
mod planted;
mod products;
mod reports;
mod rows;
mod spec;
mod truth;
mod words;

pub use base::COMPANY_NAME;
pub use reports::add_sale_report;

/// Partners per random lead.
const LEADS_PER: usize = 4;
pub use spec::{DemoSpec, DemoVersion};
pub use truth::{
    BankExample, ClosingExample, CreditExample, DigestExamples, DuplicateGroup, ForecastCompanies,
    ForecastExamples, MonthEnd, Mutation, PairExample, ScheduleExample, Truth, UserIds,
};

use crate::demo::Dataset;

/// A generated company and what was planted in it.
#[derive(Debug, Clone)]
pub struct DemoCompany {
    pub dataset: Dataset,
    pub truth: Truth,
}

/// Generates the demo company described by `spec`; the same spec gives the
/// same company on every machine.
pub fn generate(spec: &DemoSpec) -> DemoCompany {
    build(spec, Extras::None)
}

/// [`generate`] plus the forecast's example companies (spec 5.7; see
/// [`ForecastCompanies`]). Apart so that a figure summed over a whole table
/// rather than one company still sees the main company alone.
pub fn generate_with_forecast_companies(spec: &DemoSpec) -> DemoCompany {
    build(spec, Extras::ForecastCompanies)
}

/// What comes after the main company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extras {
    None,
    ForecastCompanies,
}

fn build(spec: &DemoSpec, extras: Extras) -> DemoCompany {
    let mut b = builder::Builder::new(spec);
    b.base();
    let fixed_product = b.fixed_product();
    b.opening_and_fees();
    b.planted(fixed_product);
    let catalogue = b.products(30 + spec.partners / 25);
    let words = partners::Words::new();
    let pools = b.random_partners(&words, spec.partners);
    // The customer side here, the vendor side, orders and leads on a
    // second thread (see `areas`).
    let mut side = b.sibling(1);
    b.swap_order_tables(&mut side);
    let joined = std::thread::scope(|scope| {
        let vendor_side = scope.spawn(|| {
            side.vendor_documents(&pools, &catalogue);
            side.random_orders(&pools, &catalogue);
            side.random_leads(&words, &pools, spec.partners / LEADS_PER);
            side
        });
        b.customer_documents(&pools, &catalogue);
        vendor_side.join()
    });
    match joined {
        Ok(side) => b.absorb(side),
        Err(panic) => std::panic::resume_unwind(panic),
    }
    b.chatter();
    b.digest_examples(&catalogue);
    // Last, so that no id of the main company depends on them.
    match extras {
        Extras::None => {}
        Extras::ForecastCompanies => b.forecast_companies(fixed_product),
    }
    let (dataset, truth) = b.finish();
    DemoCompany { dataset, truth }
}
