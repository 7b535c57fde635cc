//! Sales and purchase orders with their lines and pickings.
//!
//! Ratios: 40 % of customer companies get a sales order and 40 % of
//! vendors a purchase order. Orders still to invoice and pickings not
//! yet done all lie after the closing example month.

use chrono::{Days, NaiveDate};
use rand::Rng;
use serde_json::Value;

use super::builder::{Builder, Link};
use super::partners::Pools;
use super::products::Catalogue;
use super::rows::{ids, m2o, money, put};

/// Share of customers (vendors) with a sales (purchase) order.
const ORDER_SHARE: f64 = 0.4;

/// A sales or purchase order to create.
#[derive(Debug, Clone)]
pub(crate) struct OrderSpec {
    pub partner: i64,
    pub date: NaiveDate,
    /// `sale.order.state` / `purchase.order.state`.
    pub state: &'static str,
    pub invoice_status: &'static str,
    /// (product, quantity, unit price cents, quantity invoiced)
    pub lines: Vec<(i64, i64, i64, i64)>,
    /// Picking state and its day (`date_done` when done, else scheduled).
    pub picking: Option<(&'static str, NaiveDate)>,
}

/// Ids of a created order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub id: i64,
}

impl Builder {
    pub(crate) fn random_orders(&mut self, pools: &Pools, catalogue: &Catalogue) {
        for (customer, _) in &pools.customers {
            if self.rng.random_bool(ORDER_SHARE) {
                let spec = self.random_order_spec(*customer, catalogue, true);
                self.sale_order(&spec);
            }
        }
        for vendor in &pools.vendors {
            if self.rng.random_bool(ORDER_SHARE) {
                let spec = self.random_order_spec(*vendor, catalogue, false);
                self.purchase_order(&spec);
            }
        }
    }

    fn random_order_spec(&mut self, partner: i64, catalogue: &Catalogue, sale: bool) -> OrderSpec {
        let date = self.days_ago(0, super::builder::HISTORY_DAYS - 10);
        let recent = date > self.dates.example_end;
        let roll = self.rng.random_range(0..100);
        let (state, confirmed) = match (sale, roll) {
            (true, 0..8) => ("draft", false),
            (true, 8..14) => ("sent", false),
            (true, 14..18) => ("cancel", false),
            (true, _) => ("sale", true),
            (false, 0..8) => ("draft", false),
            (false, 8..12) => ("cancel", false),
            (false, _) => ("purchase", true),
        };
        let to_invoice = confirmed && recent && self.rng.random_bool(0.4);
        let invoice_status = match (confirmed, to_invoice) {
            (false, _) => "no",
            (true, true) => "to invoice",
            (true, false) => "invoiced",
        };
        let mut lines = Vec::new();
        for _ in 0..self.rng.random_range(1..=2) {
            let pool = if catalogue.storable.is_empty() {
                &catalogue.all
            } else {
                &catalogue.storable
            };
            let Some(&product) = pool.get(self.rng.random_range(0..pool.len().max(1))) else {
                continue;
            };
            let qty = self.rng.random_range(1..30);
            let price =
                catalogue.price(product) * if sale { 1 } else { 6 } / if sale { 1 } else { 10 };
            let invoiced = if invoice_status == "invoiced" { qty } else { 0 };
            lines.push((product, qty, price, invoiced));
        }
        let picking = confirmed.then(|| {
            let scheduled = date + Days::new(self.rng.random_range(1..15));
            if scheduled <= self.dates.example_end
                || (!to_invoice && scheduled < self.dates.today && self.rng.random_bool(0.9))
            {
                ("done", scheduled.min(self.dates.today))
            } else if to_invoice && scheduled <= self.dates.today && self.rng.random_bool(0.5) {
                ("done", scheduled)
            } else {
                let state = ["confirmed", "waiting", "assigned"][self.rng.random_range(0..3)];
                (state, scheduled)
            }
        });
        OrderSpec {
            partner,
            date,
            state,
            invoice_status,
            lines,
            picking,
        }
    }

    pub(crate) fn sale_order(&mut self, spec: &OrderSpec) -> Order {
        let name = self.next_name_plain("S");
        let order_id = self.t.sale_orders.next_id();
        let partner = self.partner(spec.partner);
        let eur = self.refs.eur;
        let company = self.refs.company;
        let salesman = self.refs.salesman;
        let mut line_ids = Vec::with_capacity(spec.lines.len());
        let (mut untaxed, mut to_invoice) = (0, 0);
        for &(product, qty, price, invoiced) in &spec.lines {
            let label = self.product_name(product).to_owned();
            let delivered = match spec.picking {
                Some(("done", _)) => qty,
                _ => 0,
            };
            let subtotal = qty * price;
            let open = (qty - invoiced) * price;
            untaxed += subtotal;
            if spec.invoice_status == "to invoice" {
                to_invoice += open;
            }
            let t = &mut self.t.sale_lines;
            let [
                order,
                order_partner,
                salesman_col,
                product_col,
                name_col,
                quantity,
                delivered_col,
                invoiced_col,
                price_unit,
                subtotal_col,
                uninvoiced,
                currency,
                company_col,
            ] = self.cc.sale_lines;
            let r = t.push_blank();
            put(r, order, m2o(order_id, &name));
            // Stored related fields of the order, as in Odoo.
            put(r, order_partner, partner.clone());
            put(r, salesman_col, salesman.value());
            put(r, product_col, m2o(product, &label));
            put(r, name_col, Value::from(label.as_str()));
            put(r, quantity, Value::from(qty as f64));
            put(r, delivered_col, Value::from(delivered as f64));
            put(r, invoiced_col, Value::from(invoiced as f64));
            put(r, price_unit, money(price));
            put(r, subtotal_col, money(subtotal));
            put(
                r,
                uninvoiced,
                money(if spec.invoice_status == "to invoice" {
                    open
                } else {
                    0
                }),
            );
            put(r, currency, eur.value());
            put(r, company_col, company.value());
            line_ids.push(r.id);
        }
        let tax = (untaxed * 21 + 50) / 100;
        let amount_to_invoice = if spec.invoice_status == "to invoice" {
            to_invoice * 121 / 100
        } else {
            0
        };
        let at = self
            .cal
            .at(spec.date, 9 + (order_id % 8) as u32, (order_id % 60) as u32);
        let locked = spec.invoice_status == "invoiced" && order_id % 3 == 0;
        let t = &mut self.t.sale_orders;
        let [
            name_col,
            partner_col,
            date_order,
            state,
            locked_col,
            invoice_status,
            amount_untaxed,
            amount_tax,
            amount_total,
            amount_to_invoice_col,
            currency,
            user,
            company_col,
            order_line,
            create_date,
            write_date,
        ] = self.cc.sale_orders;
        let r = t.push_blank();
        put(r, name_col, Value::from(name.as_str()));
        put(r, partner_col, partner);
        put(r, date_order, at.clone());
        put(r, state, spec.state.into());
        put(r, locked_col, locked.into());
        put(r, invoice_status, spec.invoice_status.into());
        put(r, amount_untaxed, money(untaxed));
        put(r, amount_tax, money(tax));
        put(r, amount_total, money(untaxed + tax));
        put(r, amount_to_invoice_col, money(amount_to_invoice));
        put(r, currency, eur.value());
        put(r, user, salesman.value());
        put(r, company_col, company.value());
        put(r, order_line, ids(&line_ids));
        put(r, create_date, at.clone());
        put(r, write_date, at);
        if let Some((state, day)) = spec.picking {
            self.picking(
                "outgoing",
                &name,
                state,
                day,
                spec.partner,
                Some(m2o(order_id, &name)),
                None,
            );
        }
        Order { id: order_id }
    }

    pub(crate) fn purchase_order(&mut self, spec: &OrderSpec) -> Order {
        let name = self.next_name_plain("P");
        let order_id = self.t.purchase_orders.next_id();
        let partner = self.partner(spec.partner);
        let eur = self.refs.eur;
        let company = self.refs.company;
        let mut line_ids = Vec::with_capacity(spec.lines.len());
        let mut untaxed = 0;
        for &(product, qty, price, invoiced) in &spec.lines {
            let label = self.product_name(product).to_owned();
            let received = match spec.picking {
                Some(("done", _)) => qty,
                _ => 0,
            };
            untaxed += qty * price;
            let t = &mut self.t.purchase_lines;
            let [
                order,
                product_col,
                name_col,
                quantity,
                received_col,
                invoiced_col,
                price_unit,
                subtotal,
                currency,
                company_col,
            ] = self.cc.purchase_lines;
            let r = t.push_blank();
            put(r, order, m2o(order_id, &name));
            put(r, product_col, m2o(product, &label));
            put(r, name_col, Value::from(label.as_str()));
            put(r, quantity, Value::from(qty as f64));
            put(r, received_col, Value::from(received as f64));
            put(r, invoiced_col, Value::from(invoiced as f64));
            put(r, price_unit, money(price));
            put(r, subtotal, money(qty * price));
            put(r, currency, eur.value());
            put(r, company_col, company.value());
            line_ids.push(r.id);
        }
        let tax = (untaxed * 21 + 50) / 100;
        let at = self
            .cal
            .at(spec.date, 8 + (order_id % 8) as u32, (order_id % 60) as u32);
        let buyer = self.refs.warehouse;
        let t = &mut self.t.purchase_orders;
        let [
            name_col,
            partner_col,
            date_order,
            date_planned,
            state,
            invoice_status,
            amount_untaxed,
            amount_tax,
            amount_total,
            currency,
            user,
            company_col,
            order_line,
            create_date,
            write_date,
        ] = self.cc.purchase_orders;
        let r = t.push_blank();
        put(r, name_col, Value::from(name.as_str()));
        put(r, partner_col, partner);
        put(r, date_order, at.clone());
        put(r, date_planned, at.clone());
        put(r, state, spec.state.into());
        put(r, invoice_status, spec.invoice_status.into());
        put(r, amount_untaxed, money(untaxed));
        put(r, amount_tax, money(tax));
        put(r, amount_total, money(untaxed + tax));
        put(r, currency, eur.value());
        put(r, user, buyer.value());
        put(r, company_col, company.value());
        put(r, order_line, ids(&line_ids));
        put(r, create_date, at.clone());
        put(r, write_date, at);
        if let Some((state, day)) = spec.picking {
            self.picking(
                "incoming",
                &name,
                state,
                day,
                spec.partner,
                None,
                Some(m2o(order_id, &name)),
            );
        }
        Order { id: order_id }
    }

    /// A delivery or receipt; `day` is `date_done` when done, else the
    /// scheduled date.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn picking(
        &mut self,
        code: &'static str,
        origin: &str,
        state: &'static str,
        day: NaiveDate,
        partner: i64,
        sale: Option<Value>,
        purchase: Option<Value>,
    ) -> i64 {
        let prefix = if code == "outgoing" {
            "WH/OUT"
        } else {
            "WH/IN"
        };
        let name = self.next_name(prefix, day);
        let partner = self.partner(partner);
        let company: Link = self.refs.company;
        let id = self.t.pickings.next_id();
        let at = self.cal.at(day, 7 + (id % 10) as u32, (id * 7 % 60) as u32);
        let t = &mut self.t.pickings;
        let [
            name_col,
            code_col,
            state_col,
            partner_col,
            origin_col,
            scheduled,
            done,
            sale_col,
            purchase_col,
            company_col,
            create_date,
            write_date,
        ] = self.cc.pickings;
        let r = t.push_blank();
        put(r, name_col, Value::from(name));
        put(r, code_col, code.into());
        put(r, state_col, state.into());
        put(r, partner_col, partner);
        put(r, origin_col, Value::from(origin));
        put(r, scheduled, at.clone());
        if state == "done" {
            put(r, done, at.clone());
        }
        put(r, sale_col, sale.unwrap_or(Value::Bool(false)));
        put(r, purchase_col, purchase.unwrap_or(Value::Bool(false)));
        put(r, company_col, company.value());
        put(r, create_date, at.clone());
        put(r, write_date, at);
        r.id
    }
}

/// The columns written per record, resolved once per table.
pub(crate) const SALE_LINES_FIELDS: [&str; 13] = [
    "order_id",
    "order_partner_id",
    "salesman_id",
    "product_id",
    "name",
    "product_uom_qty",
    "qty_delivered",
    "qty_invoiced",
    "price_unit",
    "price_subtotal",
    "untaxed_amount_to_invoice",
    "currency_id",
    "company_id",
];

/// The columns written per record, resolved once per table.
pub(crate) const SALE_ORDERS_FIELDS: [&str; 16] = [
    "name",
    "partner_id",
    "date_order",
    "state",
    "locked",
    "invoice_status",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_to_invoice",
    "currency_id",
    "user_id",
    "company_id",
    "order_line",
    "create_date",
    "write_date",
];

/// The columns written per record, resolved once per table.
pub(crate) const PURCHASE_LINES_FIELDS: [&str; 10] = [
    "order_id",
    "product_id",
    "name",
    "product_qty",
    "qty_received",
    "qty_invoiced",
    "price_unit",
    "price_subtotal",
    "currency_id",
    "company_id",
];

/// The columns written per record, resolved once per table.
pub(crate) const PURCHASE_ORDERS_FIELDS: [&str; 15] = [
    "name",
    "partner_id",
    "date_order",
    "date_planned",
    "state",
    "invoice_status",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "currency_id",
    "user_id",
    "company_id",
    "order_line",
    "create_date",
    "write_date",
];

/// The columns written per record, resolved once per table.
pub(crate) const PICKINGS_FIELDS: [&str; 12] = [
    "name",
    "picking_type_code",
    "state",
    "partner_id",
    "origin",
    "scheduled_date",
    "date_done",
    "sale_id",
    "purchase_id",
    "company_id",
    "create_date",
    "write_date",
];
