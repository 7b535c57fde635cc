//! The fixed part of the company: the company itself, currencies and their
//! rates, countries, users, chart of accounts, taxes, journals, CRM stages,
//! product categories and chat channels.

use std::collections::BTreeSet;

use chrono::{Datelike, Months};
use rand::Rng;
use serde_json::Value;

use super::builder::{Builder, Link};
use super::groups;
use super::partners::PartnerFields;
use super::rows::{cols, ids, m2o, money, put};
use super::words::COUNTRIES;
use crate::demo::DemoUser;

/// The demo company's name.
pub const COMPANY_NAME: &str = "Harbourline Supplies B.V.";

/// The demo users: login, display name, API key, groups.
const USERS: &[(&str, &str, &str, &[&str])] = &[
    (
        "admin@harbourline.example",
        "Mitchell Admin",
        "demo-key-admin",
        &[
            groups::USER,
            groups::ERP_MANAGER,
            groups::SYSTEM,
            groups::ACCOUNT_INVOICE,
            groups::ACCOUNT_READONLY,
            groups::ACCOUNT_USER,
            groups::ACCOUNT_MANAGER,
            groups::SALE_SALESMAN,
            groups::SALE_MANAGER,
            groups::PURCHASE_USER,
            groups::STOCK_USER,
            groups::STOCK_MANAGER,
        ],
    ),
    (
        "accountant@harbourline.example",
        "Anita Verbeek",
        "demo-key-accountant",
        &[
            groups::USER,
            groups::ACCOUNT_INVOICE,
            groups::ACCOUNT_READONLY,
            groups::ACCOUNT_USER,
            groups::ACCOUNT_MANAGER,
        ],
    ),
    (
        "sales@harbourline.example",
        "Sam Okoro",
        "demo-key-sales",
        &[groups::USER, groups::SALE_SALESMAN],
    ),
    (
        "warehouse@harbourline.example",
        "Wim de Wit",
        "demo-key-warehouse",
        &[groups::USER, groups::STOCK_USER, groups::PURCHASE_USER],
    ),
];

impl Builder {
    /// Creates every fixed record, in an order that keeps their ids stable
    /// across sizes and seeds.
    pub(crate) fn base(&mut self) {
        self.currencies();
        self.countries();
        self.company();
        self.rates();
        self.users();
        self.chart_of_accounts();
        self.taxes();
        self.journals();
        self.crm_stages();
        self.categories();
        self.channels();
    }

    fn currencies(&mut self) {
        let t = &mut self.t.currency;
        let [name, symbol, rate, places, rounding, active, position] = cols(
            t,
            [
                "name",
                "symbol",
                "rate",
                "decimal_places",
                "rounding",
                "active",
                "position",
            ],
        );
        let mut links = Vec::new();
        for (code, sym, current, pos, live) in [
            ("EUR", "€", 1.0, "after", true),
            ("USD", "$", 1.08, "before", true),
            ("GBP", "£", 0.85, "before", true),
            ("KWD", "KD", 0.33, "after", false),
        ] {
            let r = t.push_blank();
            put(r, name, code.into());
            put(r, symbol, sym.into());
            put(r, rate, current.into());
            put(r, places, Value::from(if code == "KWD" { 3 } else { 2 }));
            put(
                r,
                rounding,
                Value::from(if code == "KWD" { 0.001 } else { 0.01 }),
            );
            put(r, active, live.into());
            put(r, position, pos.into());
            links.push(Link {
                id: r.id,
                name: code,
            });
        }
        self.refs.eur = links[0];
        self.refs.usd = links[1];
        self.refs.gbp = links[2];
    }

    /// Monthly USD and GBP rates (units per euro) drifting around 1.08 and 0.85.
    fn rates(&mut self) {
        let first = self.dates.start.with_day(1).unwrap_or(self.dates.start);
        let months = (self.dates.today.year() - first.year()) * 12
            + self.dates.today.month() as i32
            - first.month() as i32
            + 1;
        let (mut usd, mut gbp) = (1.08_f64, 0.85_f64);
        for _ in 0..months.max(1) {
            usd = (usd + self.rng.random_range(-0.02..0.02)).clamp(1.0, 1.18);
            gbp = (gbp + self.rng.random_range(-0.01..0.01)).clamp(0.80, 0.90);
            self.usd_rates.push((usd * 10_000.0).round() / 10_000.0);
            self.gbp_rates.push((gbp * 10_000.0).round() / 10_000.0);
        }
        let company = self.refs.company.value();
        let t = &mut self.t.rate;
        let [name, rate, inverse, currency, company_col] = cols(
            t,
            [
                "name",
                "rate",
                "inverse_company_rate",
                "currency_id",
                "company_id",
            ],
        );
        for (link, rates) in [
            (self.refs.usd, &self.usd_rates),
            (self.refs.gbp, &self.gbp_rates),
        ] {
            for (i, &value) in rates.iter().enumerate() {
                let day = first + Months::new(i as u32);
                let r = t.push_blank();
                put(r, name, self.cal.date(day));
                put(r, rate, value.into());
                put(r, inverse, Value::from(((1.0 / value) * 1e6).round() / 1e6));
                put(r, currency, link.value());
                put(r, company_col, company.clone());
            }
        }
    }

    fn countries(&mut self) {
        let t = &mut self.t.country;
        let [name, code, phone_code, currency] =
            cols(t, ["name", "code", "phone_code", "currency_id"]);
        for c in COUNTRIES {
            let r = t.push_blank();
            put(r, name, c.name.into());
            put(r, code, c.code.into());
            put(r, phone_code, c.phone_code.into());
            let cur = match c.currency {
                "USD" => Some(self.refs.usd),
                "GBP" => Some(self.refs.gbp),
                "EUR" => Some(self.refs.eur),
                _ => None,
            };
            put(r, currency, cur.map_or(Value::Bool(false), Link::value));
            self.countries.push(Link {
                id: r.id,
                name: c.name,
            });
        }
    }

    /// The company and its partner (partner id 1).
    fn company(&mut self) {
        let nl = self.countries[0];
        let partner = self.push_partner_record(PartnerFields {
            name: COMPANY_NAME.to_owned(),
            is_company: true,
            parent: None,
            email: Some("info@harbourline.example".to_owned()),
            phone: Some("+31 10 200 3000".to_owned()),
            vat: Some("NL859123456B01".to_owned()),
            street: Some("Waalhaven 12".to_owned()),
            city: Some("Rotterdam"),
            zip: Some("3089".to_owned()),
            country: Some(nl),
            ..PartnerFields::default()
        });
        let t = &mut self.t.company;
        let [
            name,
            currency,
            partner_col,
            country,
            email,
            phone,
            vat,
            street,
            city,
            zip,
            last_day,
            last_month,
            use_limit,
            default_limit,
            period,
            fiscal,
            tax,
            sale,
            purchase,
        ] = cols(
            t,
            [
                "name",
                "currency_id",
                "partner_id",
                "country_id",
                "email",
                "phone",
                "vat",
                "street",
                "city",
                "zip",
                "fiscalyear_last_day",
                "fiscalyear_last_month",
                "account_use_credit_limit",
                "account_default_credit_limit",
                "period_lock_date",
                "fiscalyear_lock_date",
                "tax_lock_date",
                "sale_lock_date",
                "purchase_lock_date",
            ],
        );
        let lock = self.cal.date(self.dates.lock_date);
        let [active] = cols(t, ["active"]);
        let r = t.push_blank();
        put(r, name, COMPANY_NAME.into());
        put(r, active, true.into());
        put(r, currency, self.refs.eur.value());
        put(r, partner_col, m2o(partner, COMPANY_NAME));
        put(r, country, nl.value());
        put(r, email, "info@harbourline.example".into());
        put(r, phone, "+31 10 200 3000".into());
        put(r, vat, "NL859123456B01".into());
        put(r, street, "Waalhaven 12".into());
        put(r, city, "Rotterdam".into());
        put(r, zip, "3089".into());
        put(r, last_day, 31.into());
        put(r, last_month, "12".into());
        put(r, use_limit, true.into());
        put(r, default_limit, money(0));
        // Every lock-date field the version has, except the irreversible
        // hard lock (18+), which stays unset.
        for col in [period, fiscal, tax, sale, purchase] {
            put(r, col, lock.clone());
        }
        self.refs.company = Link {
            id: r.id,
            name: COMPANY_NAME,
        };
        self.truth.company_id = r.id;
        self.truth.company_partner_id = partner;
        self.truth.month_end.lock_date = Some(self.dates.lock_date);
        // The company was created after its partner: point the partner at it.
        let company = self.refs.company.value();
        let [company_col] = cols(&self.t.partner, ["company_id"]);
        if let Some(p) = self.t.partner.get_mut(partner) {
            put(p, company_col, company);
        }
    }

    fn users(&mut self) {
        let company_partner = self.truth.company_partner_id;
        let mut links = Vec::new();
        for (i, (login, display, key, user_groups)) in USERS.iter().enumerate() {
            let partner = self.push_partner_record(PartnerFields {
                name: (*display).to_owned(),
                parent: Some(company_partner),
                email: Some((*login).to_owned()),
                phone: Some(format!("+31 10 200 30{:02}", i + 1)),
                ..PartnerFields::default()
            });
            let partner_value = self.partner(partner);
            let company = self.refs.company.value();
            let t = &mut self.t.users;
            // uid 1 is Odoo's superuser; the demo users start at 2 as in Odoo.
            if t.is_empty() {
                let [name, login_col, active, share] =
                    cols(t, ["name", "login", "active", "share"]);
                let r = t.push_blank();
                put(r, name, "OdooBot".into());
                put(r, login_col, "__system__".into());
                put(r, active, false.into());
                put(r, share, false.into());
            }
            let [
                name,
                login_col,
                partner_col,
                company_col,
                email,
                active,
                share,
            ] = cols(
                t,
                [
                    "name",
                    "login",
                    "partner_id",
                    "company_id",
                    "email",
                    "active",
                    "share",
                ],
            );
            let r = t.push_blank();
            put(r, name, (*display).into());
            put(r, login_col, (*login).into());
            put(r, partner_col, partner_value);
            put(r, company_col, company);
            put(r, email, (*login).into());
            put(r, active, true.into());
            put(r, share, false.into());
            links.push(Link {
                id: r.id,
                name: display,
            });
            self.demo_users.push(DemoUser {
                uid: r.id,
                login: (*login).to_owned(),
                api_key: (*key).to_owned(),
                name: (*display).to_owned(),
                groups: user_groups
                    .iter()
                    .map(|g| (*g).to_owned())
                    .collect::<BTreeSet<_>>(),
            });
        }
        self.refs.admin = links[0];
        self.refs.accountant = links[1];
        self.refs.salesman = links[2];
        self.refs.warehouse = links[3];
        self.truth.users.admin = links[0].id;
        self.truth.users.accountant = links[1].id;
        self.truth.users.sales = links[2].id;
        self.truth.users.warehouse = links[3].id;
    }

    fn chart_of_accounts(&mut self) {
        let company = self.refs.company;
        let t = &mut self.t.account;
        let [code, name, account_type, reconcile, company_id, company_ids] = cols(
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
        let mut links = Vec::new();
        for (c, n, ty, rec) in [
            ("130000", "Account Receivable", "asset_receivable", true),
            ("160000", "Account Payable", "liability_payable", true),
            ("110100", "Bank", "asset_cash", false),
            ("110200", "Bank USD", "asset_cash", false),
            ("110300", "Bank Suspense Account", "asset_current", false),
            ("800000", "Product Sales", "income", false),
            ("700000", "Purchases of Goods", "expense", false),
            ("151000", "VAT Payable", "liability_current", false),
            ("152000", "VAT Receivable", "asset_current", false),
            ("050000", "Share Capital", "equity", false),
            (
                "440000",
                "Depreciation Expense",
                "expense_depreciation",
                false,
            ),
            (
                "021000",
                "Accumulated Depreciation",
                "asset_non_current",
                false,
            ),
            ("462000", "Bank Fees", "expense", false),
        ] {
            let r = t.push_blank();
            put(r, code, c.into());
            put(r, name, n.into());
            put(r, account_type, ty.into());
            put(r, reconcile, rec.into());
            put(r, company_id, company.value());
            put(r, company_ids, ids(&[company.id]));
            links.push(Link { id: r.id, name: n });
        }
        let refs = &mut self.refs;
        refs.receivable = links[0];
        refs.payable = links[1];
        refs.bank_eur_account = links[2];
        refs.bank_usd_account = links[3];
        refs.suspense = links[4];
        refs.income = links[5];
        refs.expense = links[6];
        refs.tax_payable = links[7];
        refs.tax_receivable = links[8];
        refs.equity = links[9];
        refs.depreciation = links[10];
        refs.accumulated_depreciation = links[11];
        refs.bank_fees = links[12];
    }

    fn taxes(&mut self) {
        let company = self.refs.company;
        let t = &mut self.t.tax;
        let [name, amount, amount_type, use_col, company_col, active] = cols(
            t,
            [
                "name",
                "amount",
                "amount_type",
                "type_tax_use",
                "company_id",
                "active",
            ],
        );
        let mut links = Vec::new();
        for (n, pct, usage) in [
            ("21% S", 21.0, "sale"),
            ("0% EU S", 0.0, "sale"),
            ("21% P", 21.0, "purchase"),
        ] {
            let r = t.push_blank();
            put(r, name, n.into());
            put(r, amount, pct.into());
            put(r, amount_type, "percent".into());
            put(r, use_col, usage.into());
            put(r, company_col, company.value());
            put(r, active, true.into());
            links.push(Link { id: r.id, name: n });
        }
        self.refs.sale_tax = links[0];
        self.refs.sale_tax_zero = links[1];
        self.refs.purchase_tax = links[2];
    }

    fn journals(&mut self) {
        let refs = self.refs;
        let t = &mut self.t.journal;
        let [
            name,
            code,
            ty,
            currency,
            default_account,
            suspense,
            company,
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
        let mut links = Vec::new();
        for (n, c, kind, cur, account) in [
            ("Customer Invoices", "INV", "sale", None, refs.income),
            ("Vendor Bills", "BILL", "purchase", None, refs.expense),
            ("Bank", "BNK1", "bank", None, refs.bank_eur_account),
            (
                "Bank USD",
                "BNK2",
                "bank",
                Some(refs.usd),
                refs.bank_usd_account,
            ),
            (
                "Miscellaneous Operations",
                "MISC",
                "general",
                None,
                refs.equity,
            ),
        ] {
            let r = t.push_blank();
            put(r, name, n.into());
            put(r, code, c.into());
            put(r, ty, kind.into());
            put(r, currency, cur.map_or(Value::Bool(false), Link::value));
            put(r, default_account, account.value());
            if kind == "bank" {
                put(r, suspense, refs.suspense.value());
            }
            put(r, company, refs.company.value());
            put(r, active, true.into());
            links.push(Link { id: r.id, name: n });
        }
        self.refs.sale_journal = links[0];
        self.refs.purchase_journal = links[1];
        self.refs.bank_journal = links[2];
        self.refs.usd_bank_journal = links[3];
        self.refs.misc_journal = links[4];
    }

    fn crm_stages(&mut self) {
        let t = &mut self.t.stages;
        let [name, sequence, is_won, fold] = cols(t, ["name", "sequence", "is_won", "fold"]);
        for (i, (n, won)) in [
            ("New", false),
            ("Qualified", false),
            ("Proposition", false),
            ("Won", true),
        ]
        .into_iter()
        .enumerate()
        {
            let r = t.push_blank();
            put(r, name, n.into());
            put(r, sequence, Value::from(i as i64 + 1));
            put(r, is_won, won.into());
            put(r, fold, false.into());
        }
    }

    fn categories(&mut self) {
        let t = &mut self.t.category;
        let [name, complete, parent] = cols(t, ["name", "complete_name", "parent_id"]);
        let r = t.push_blank();
        put(r, name, "All".into());
        put(r, complete, "All".into());
        let all = r.id;
        for (n, full) in [
            ("Furniture", "All / Furniture"),
            ("Hardware", "All / Hardware"),
            ("Electronics", "All / Electronics"),
            ("Services", "All / Services"),
        ] {
            let r = t.push_blank();
            put(r, name, n.into());
            put(r, complete, full.into());
            put(r, parent, m2o(all, "All"));
        }
    }

    fn channels(&mut self) {
        let members = vec![
            self.truth.company_partner_id + 1,
            self.truth.company_partner_id + 2,
        ];
        let t = &mut self.t.channels;
        let [name, ty, description, members_col] = cols(
            t,
            ["name", "channel_type", "description", "channel_member_ids"],
        );
        for (n, d) in [
            ("general", "Company-wide announcements"),
            ("finance", "Month-end closing and payments"),
            ("sales", "Pipeline and customers"),
            ("warehouse", "Deliveries and receipts"),
        ] {
            let r = t.push_blank();
            put(r, name, n.into());
            put(r, ty, "channel".into());
            put(r, description, d.into());
            put(r, members_col, ids(&members));
        }
    }
}
