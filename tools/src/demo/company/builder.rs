//! The generator's working state: every table being filled, the random
//! source, the calendar of the history, and the ids and display names of
//! the fixed records (company, currencies, accounts, journals, users) that
//! documents link to.

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::accounting_models as acc;
use super::models;
use super::rows::{Calendar, Col, cols, m2o, push_number};
use super::spec::DemoSpec;
use super::truth::Truth;
use crate::demo::{Dataset, DemoUser, Table};

/// Days of history before today.
pub(crate) const HISTORY_DAYS: i64 = 760;

/// A link target: id and display name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    pub id: i64,
    pub name: &'static str,
}

impl Link {
    pub(crate) fn value(self) -> Value {
        m2o(self.id, self.name)
    }
}

/// Every table of the company, filled in id order.
pub(crate) struct Tables {
    pub company: Table,
    pub currency: Table,
    pub rate: Table,
    pub country: Table,
    pub partner: Table,
    pub users: Table,
    pub category: Table,
    pub template: Table,
    pub product: Table,
    pub account: Table,
    pub tax: Table,
    pub journal: Table,
    pub moves: Table,
    pub lines: Table,
    pub partials: Table,
    pub payments: Table,
    pub statement_lines: Table,
    pub sale_orders: Table,
    pub sale_lines: Table,
    pub purchase_orders: Table,
    pub purchase_lines: Table,
    pub stages: Table,
    pub leads: Table,
    pub pickings: Table,
    pub channels: Table,
    pub messages: Table,
    pub attachments: Table,
    pub activities: Table,
    pub orderpoints: Table,
}

impl Tables {
    fn new(spec: &DemoSpec) -> Self {
        let v = spec.version;
        Self {
            company: Table::new(models::res_company(v)),
            currency: Table::new(models::res_currency()),
            rate: Table::new(models::res_currency_rate()),
            country: Table::new(models::res_country()),
            partner: Table::new(models::res_partner(v)),
            users: Table::new(models::res_users()),
            category: Table::new(models::product_category()),
            template: Table::new(models::product_template(v)),
            product: Table::new(models::product_product(v)),
            account: Table::new(acc::account_account(v)),
            tax: Table::new(acc::account_tax()),
            journal: Table::new(acc::account_journal()),
            moves: Table::new(acc::account_move()),
            lines: Table::new(acc::account_move_line()),
            partials: Table::new(acc::account_partial_reconcile()),
            payments: Table::new(acc::account_payment(v)),
            statement_lines: Table::new(acc::account_bank_statement_line()),
            sale_orders: Table::new(models::sale_order()),
            sale_lines: Table::new(models::sale_order_line()),
            purchase_orders: Table::new(models::purchase_order()),
            purchase_lines: Table::new(models::purchase_order_line()),
            stages: Table::new(models::crm_stage()),
            leads: Table::new(models::crm_lead()),
            pickings: Table::new(models::stock_picking()),
            channels: Table::new(models::discuss_channel()),
            messages: Table::new(models::mail_message()),
            attachments: Table::new(models::ir_attachment()),
            activities: Table::new(models::mail_activity()),
            orderpoints: Table::new(models::stock_warehouse_orderpoint()),
        }
    }

    fn into_dataset(self, dataset: &mut Dataset) {
        for table in [
            self.company,
            self.currency,
            self.rate,
            self.country,
            self.partner,
            self.users,
            self.category,
            self.template,
            self.product,
            self.account,
            self.tax,
            self.journal,
            self.moves,
            self.lines,
            self.partials,
            self.payments,
            self.statement_lines,
            self.sale_orders,
            self.sale_lines,
            self.purchase_orders,
            self.purchase_lines,
            self.stages,
            self.leads,
            self.pickings,
            self.channels,
            self.messages,
            self.attachments,
            self.activities,
            self.orderpoints,
        ] {
            dataset.insert_table(table);
        }
    }
}

/// Column positions of the tables written per record, resolved once: a
/// field-name lookup per value would dominate generation time.
pub(crate) struct ColCache {
    pub move_name: Col,
    pub child_ids: Col,
    pub lines: [Col; 25],
    pub moves: [Col; 29],
    pub payments: [Col; 20],
    pub partials: [Col; 6],
    pub statement_lines: [Col; 16],
    pub leads: [Col; 20],
    pub pickings: [Col; 12],
    pub purchase_orders: [Col; 15],
    pub purchase_lines: [Col; 10],
    pub sale_orders: [Col; 16],
    pub sale_lines: [Col; 13],
    pub partners: [Col; 23],
}

impl ColCache {
    fn new(t: &Tables) -> Self {
        Self {
            move_name: t.moves.position("name").unwrap_or(super::rows::ABSENT),
            child_ids: t
                .partner
                .position("child_ids")
                .unwrap_or(super::rows::ABSENT),
            lines: cols(&t.lines, super::accounting::LINES_FIELDS),
            moves: cols(&t.moves, super::accounting::MOVES_FIELDS),
            payments: cols(&t.payments, super::accounting::PAYMENTS_FIELDS),
            partials: cols(&t.partials, super::accounting::PARTIALS_FIELDS),
            statement_lines: cols(&t.statement_lines, super::bank::STATEMENT_LINES_FIELDS),
            leads: cols(&t.leads, super::leads::LEADS_FIELDS),
            pickings: cols(&t.pickings, super::orders::PICKINGS_FIELDS),
            purchase_orders: cols(&t.purchase_orders, super::orders::PURCHASE_ORDERS_FIELDS),
            purchase_lines: cols(&t.purchase_lines, super::orders::PURCHASE_LINES_FIELDS),
            sale_orders: cols(&t.sale_orders, super::orders::SALE_ORDERS_FIELDS),
            sale_lines: cols(&t.sale_lines, super::orders::SALE_LINES_FIELDS),
            partners: cols(&t.partner, super::partners::PARTNERS_FIELDS),
        }
    }
}

/// Ids of the fixed records documents link to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refs {
    pub company: Link,
    pub eur: Link,
    pub usd: Link,
    pub gbp: Link,
    pub receivable: Link,
    pub payable: Link,
    pub bank_eur_account: Link,
    pub bank_usd_account: Link,
    pub suspense: Link,
    pub income: Link,
    pub expense: Link,
    pub tax_payable: Link,
    pub tax_receivable: Link,
    pub equity: Link,
    pub depreciation: Link,
    pub accumulated_depreciation: Link,
    pub bank_fees: Link,
    pub sale_journal: Link,
    pub purchase_journal: Link,
    pub bank_journal: Link,
    pub usd_bank_journal: Link,
    pub misc_journal: Link,
    pub sale_tax: Link,
    pub sale_tax_zero: Link,
    pub purchase_tax: Link,
    pub admin: Link,
    pub accountant: Link,
    pub salesman: Link,
    pub warehouse: Link,
}

/// Key dates, all derived from `today`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dates {
    pub today: NaiveDate,
    /// First day of generated history.
    pub start: NaiveDate,
    /// The month before today's: where the month-end problems are planted.
    pub close_start: NaiveDate,
    pub close_end: NaiveDate,
    /// Two months before today's: the month of the closing worked example
    /// (spec 1.3); random open items all lie after its end.
    pub example_start: NaiveDate,
    pub example_end: NaiveDate,
    /// The company lock date: the last day of the month before the example month.
    pub lock_date: NaiveDate,
}

impl Dates {
    fn new(today: NaiveDate) -> Self {
        let month_start = today.with_day(1).unwrap_or(today);
        let close_start = month_start - Months::new(1);
        let example_start = month_start - Months::new(2);
        Self {
            today,
            start: today - chrono::Days::new(HISTORY_DAYS as u64),
            close_start,
            close_end: month_start.pred_opt().unwrap_or(month_start),
            example_start,
            example_end: close_start.pred_opt().unwrap_or(close_start),
            lock_date: example_start.pred_opt().unwrap_or(example_start),
        }
    }

    /// `YYYY-MM` of a day.
    pub(crate) fn period(day: NaiveDate) -> String {
        day.format("%Y-%m").to_string()
    }
}

/// The generator state.
pub(crate) struct Builder {
    pub spec: DemoSpec,
    pub rng: StdRng,
    pub cal: Calendar,
    pub dates: Dates,
    pub t: Tables,
    pub cc: ColCache,
    pub refs: Refs,
    pub truth: Truth,
    /// `complete_name` of every partner, indexed by id.
    pub partner_names: Vec<String>,
    /// `commercial_partner_id` of every partner, indexed by id.
    pub commercial: Vec<i64>,
    /// Units of USD and GBP per euro at the start of each month of the history.
    pub usd_rates: Vec<f64>,
    pub gbp_rates: Vec<f64>,
    /// `display_name` of every product variant, indexed by id.
    pub product_names: Vec<String>,
    /// `res.country` links, parallel to [`COUNTRIES`](super::words::COUNTRIES).
    pub countries: Vec<Link>,
    /// The users who may log in.
    pub demo_users: Vec<DemoUser>,
    /// Next number per sequence prefix and year.
    pub(crate) sequences: HashMap<(&'static str, i32), u32>,
}

/// Random sequences start here, so a worked-example name such as
/// `INV/2026/0042` never shares its digits with a random document.
const FIRST_SEQUENCE_NUMBER: u32 = 101;

impl Builder {
    pub(crate) fn new(spec: &DemoSpec) -> Self {
        let dates = Dates::new(spec.today);
        let placeholder = Link { id: 0, name: "" };
        let tables = Tables::new(spec);
        Self {
            cc: ColCache::new(&tables),
            spec: spec.clone(),
            rng: StdRng::seed_from_u64(spec.seed),
            cal: Calendar::new(
                dates.start - chrono::Days::new(400),
                dates.today + chrono::Days::new(400),
            ),
            dates,
            t: tables,
            refs: Refs {
                company: placeholder,
                eur: placeholder,
                usd: placeholder,
                gbp: placeholder,
                receivable: placeholder,
                payable: placeholder,
                bank_eur_account: placeholder,
                bank_usd_account: placeholder,
                suspense: placeholder,
                income: placeholder,
                expense: placeholder,
                tax_payable: placeholder,
                tax_receivable: placeholder,
                equity: placeholder,
                depreciation: placeholder,
                accumulated_depreciation: placeholder,
                bank_fees: placeholder,
                sale_journal: placeholder,
                purchase_journal: placeholder,
                bank_journal: placeholder,
                usd_bank_journal: placeholder,
                misc_journal: placeholder,
                sale_tax: placeholder,
                sale_tax_zero: placeholder,
                purchase_tax: placeholder,
                admin: placeholder,
                accountant: placeholder,
                salesman: placeholder,
                warehouse: placeholder,
            },
            truth: Truth::default(),
            partner_names: vec![String::new()],
            commercial: vec![0],
            usd_rates: Vec::new(),
            gbp_rates: Vec::new(),
            product_names: vec![String::new()],
            countries: Vec::new(),
            demo_users: Vec::new(),
            sequences: HashMap::new(),
        }
    }

    /// A many2one value for partner `id`.
    pub(crate) fn partner(&self, id: i64) -> Value {
        m2o(id, self.partner_name(id))
    }

    pub(crate) fn partner_name(&self, id: i64) -> &str {
        self.partner_names
            .get(id as usize)
            .map_or("", String::as_str)
    }

    pub(crate) fn commercial_of(&self, id: i64) -> i64 {
        self.commercial.get(id as usize).copied().unwrap_or(id)
    }

    /// The next document number, e.g. `INV/2026/00101`.
    pub(crate) fn next_name(&mut self, prefix: &'static str, day: NaiveDate) -> String {
        let n = self
            .sequences
            .entry((prefix, day.year()))
            .or_insert(FIRST_SEQUENCE_NUMBER);
        // Sized up front: `format!` grows its buffer twice per name.
        let mut name = String::with_capacity(prefix.len() + 12);
        name.push_str(prefix);
        name.push('/');
        push_number(&mut name, day.year().max(0) as u32, 4);
        name.push('/');
        push_number(&mut name, *n, 5);
        *n += 1;
        name
    }

    /// The next number of a sequence without year, e.g. `S00101`.
    pub(crate) fn next_name_plain(&mut self, prefix: &'static str) -> String {
        let n = self
            .sequences
            .entry((prefix, 0))
            .or_insert(FIRST_SEQUENCE_NUMBER);
        let mut name = String::with_capacity(prefix.len() + 6);
        name.push_str(prefix);
        push_number(&mut name, *n, 5);
        *n += 1;
        name
    }

    /// A day `lo..=hi` days before today.
    pub(crate) fn days_ago(&mut self, lo: i64, hi: i64) -> NaiveDate {
        let back = self.rng.random_range(lo..=hi.max(lo));
        self.dates.today - chrono::Days::new(back.max(0) as u64)
    }

    /// Units of `currency` per euro on `day` (the month's rate).
    pub(crate) fn rate(&self, currency: i64, day: NaiveDate) -> f64 {
        let rates = if currency == self.refs.usd.id {
            &self.usd_rates
        } else if currency == self.refs.gbp.id {
            &self.gbp_rates
        } else {
            return 1.0;
        };
        let months = (day.year() - self.dates.start.year()) * 12 + day.month() as i32
            - self.dates.start.month() as i32;
        let index = months.clamp(0, rates.len() as i32 - 1).max(0) as usize;
        rates.get(index).copied().unwrap_or(1.0)
    }

    /// Converts cents of `currency` into euro cents at `day`'s rate.
    pub(crate) fn to_eur(&self, currency: i64, cents: i64, day: NaiveDate) -> i64 {
        let rate = self.rate(currency, day);
        (cents as f64 / rate).round() as i64
    }

    pub(crate) fn finish(self) -> (Dataset, Truth) {
        let mut dataset = Dataset {
            server_version: self.spec.version.server_version().to_owned(),
            db: "demo".to_owned(),
            ..Dataset::default()
        };
        self.t.into_dataset(&mut dataset);
        dataset.users = self.demo_users;
        (dataset, self.truth)
    }
}
