//! Reads of the sales, purchase and stock checks: deliveries not invoiced,
//! receipts without bills, confirmed orders still to invoice.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde_json::Value;

use super::{ReadError, Reader, group_ref, id_of, item, label, sum_of};
use crate::automations::month_end_closing_scan::compute::{CheckKey, Facts, Item, Outcome};
use crate::automations::month_end_closing_scan::period::odoo_datetime;
use crate::odoo::{Domain, Ref, datetime, many2one, money};
use crate::odoo_client::Aggregate;

const PICKING: &str = "stock.picking";
const SALE: &str = "sale.order";
const SALE_LINE: &str = "sale.order.line";
const PURCHASE: &str = "purchase.order";
const PURCHASE_LINE: &str = "purchase.order.line";
const TO_INVOICE: &str = "to invoice";

impl Reader<'_> {
    /// Check 3: deliveries done in the period whose sales order is still
    /// `to invoice` (the order's state is read through the link, so no
    /// per-picking call is made).
    pub(super) async fn unbilled_deliveries(&self) -> Result<Outcome, ReadError> {
        let key = CheckKey::UnbilledDeliveries;
        if !self.client.has_field(PICKING, "sale_id").await? {
            return Ok(Outcome::NotApplicable(
                "no link between deliveries and sales orders (Inventory or Sales is not \
                 installed)"
                    .to_owned(),
            ));
        }
        let domain = Domain::and(vec![
            self.in_company()?,
            Domain::eq("picking_type_code", "outgoing")?,
            Domain::eq("state", "done")?,
            self.datetime_in_period("date_done")?,
            Domain::is_set("sale_id")?,
            Domain::eq("sale_id.invoice_status", TO_INVOICE)?,
        ]);
        let (groups, listed) = tokio::try_join!(
            async {
                Ok::<_, ReadError>(
                    self.client
                        .read_group(PICKING, domain.to_value(), &["sale_id"], &[], None)
                        .await?,
                )
            },
            self.list(
                PICKING,
                &domain,
                &["name", "date_done", "partner_id", "sale_id"],
                "date_done asc, id asc",
            ),
        )?;
        let mut orders = Vec::new();
        let mut pickings = 0;
        for group in &groups {
            pickings += group.count;
            if let Some(order) = group_ref(group, "sale_id")? {
                orders.push(order.id);
            }
        }
        let lines = Domain::is_in("order_id", orders.clone())?;
        let amount = self.sale_lines_total(key, &lines).await?;
        let mut items = Vec::new();
        for picking in &listed {
            let mut entry = self.picking_item(picking)?;
            if let Some(order) = many2one("sale_id", &picking["sale_id"])? {
                entry
                    .flags
                    .push(format!("order {}", order.name.unwrap_or_default()));
            }
            items.push(entry);
        }
        Ok(Outcome::Found(Facts {
            item_count: pickings,
            amount,
            items,
            counts: BTreeMap::from([("orders".to_owned(), orders.len() as u64)]),
            notes: vec!["amount: the uninvoiced untaxed part of the distinct orders".to_owned()],
        }))
    }

    /// Check 4: purchase orders still `to invoice` with a receipt done in the
    /// period, found through the receipt's purchase link. The amount is what
    /// was received and not billed, at the order's unit prices.
    pub(super) async fn receipts_without_bills(&self) -> Result<Outcome, ReadError> {
        let key = CheckKey::ReceiptsWithoutBills;
        if !self.client.has_field(PICKING, "purchase_id").await? {
            return Ok(Outcome::NotApplicable(
                "no link between receipts and purchase orders (Inventory or Purchase is not \
                 installed)"
                    .to_owned(),
            ));
        }
        let domain = Domain::and(vec![
            self.in_company()?,
            Domain::eq("picking_type_code", "incoming")?,
            Domain::eq("state", "done")?,
            self.datetime_in_period("date_done")?,
            Domain::is_set("purchase_id")?,
            Domain::eq("purchase_id.invoice_status", TO_INVOICE)?,
        ]);
        let groups = self
            .client
            .read_group(PICKING, domain.to_value(), &["purchase_id"], &[], None)
            .await?;
        let mut orders = Vec::new();
        let mut receipts = 0;
        for group in &groups {
            receipts += group.count;
            if let Some(order) = group_ref(group, "purchase_id")? {
                orders.push(order.id);
            }
        }
        let of_orders = Domain::is_in("order_id", orders.clone())?;
        let listed_domain = Domain::is_in("id", orders.clone())?;
        let (lines, listed) = tokio::try_join!(
            self.scan_all(
                key,
                PURCHASE_LINE,
                &of_orders,
                &[
                    "order_id",
                    "qty_received",
                    "qty_invoiced",
                    "price_unit",
                    "currency_id"
                ],
            ),
            self.list(
                PURCHASE,
                &listed_domain,
                &["name", "partner_id", "date_order", "currency_id"],
                "date_order asc, id asc",
            ),
        )?;
        // Per order, in its own currency.
        let mut per_order: HashMap<i64, (Decimal, Option<Ref>)> = HashMap::new();
        for line in &lines {
            let Some(order) = many2one("order_id", &line["order_id"])? else {
                continue;
            };
            let qty = |field: &str| money(field, &line[field]).map(Option::unwrap_or_default);
            let open = (qty("qty_received")? - qty("qty_invoiced")?).max(Decimal::ZERO);
            let value = open * qty("price_unit")?;
            let entry = per_order.entry(order.id).or_insert((
                Decimal::ZERO,
                many2one("currency_id", &line["currency_id"])?,
            ));
            entry.0 += value;
        }
        let mut amount = Decimal::ZERO;
        let mut converted: HashMap<i64, Decimal> = HashMap::new();
        let mut ids: Vec<&i64> = per_order.keys().collect();
        ids.sort();
        for id in ids {
            let (value, currency) = &per_order[id];
            if let Some(company) = self
                .to_company_currency(key, *value, currency.as_ref())
                .await?
            {
                amount += company;
                converted.insert(*id, company);
            }
        }
        let mut items = Vec::new();
        for order in &listed {
            let id = id_of(order);
            let mut entry = item(
                self,
                PURCHASE,
                id,
                label(order, &["name"], format!("order {id}"))?,
            );
            entry.partner = many2one("partner_id", &order["partner_id"])?;
            entry.date = self.local_date(order, "date_order")?;
            entry.amount = converted.get(&id).copied();
            items.push(entry);
        }
        Ok(Outcome::Found(Facts {
            item_count: orders.len() as u64,
            amount: Some(amount),
            items,
            counts: BTreeMap::from([("receipts".to_owned(), receipts)]),
            notes: Vec::new(),
        }))
    }

    /// Check 5: confirmed sales orders up to the period end still to
    /// invoice; the amount is the uninvoiced untaxed part of their lines.
    pub(super) async fn uninvoiced_orders(&self) -> Result<Outcome, ReadError> {
        let key = CheckKey::UninvoicedOrders;
        let before_end = odoo_datetime(self.period.end_utc_exclusive(self.zone));
        let orders = Domain::and(vec![
            self.in_company()?,
            Domain::eq("state", "sale")?,
            Domain::eq("invoice_status", TO_INVOICE)?,
            Domain::lt("date_order", before_end.as_str())?,
        ]);
        let lines = Domain::and(vec![
            self.in_company()?,
            Domain::eq("order_id.state", "sale")?,
            Domain::eq("order_id.invoice_status", TO_INVOICE)?,
            Domain::lt("order_id.date_order", before_end.as_str())?,
        ]);
        let (count, amount, listed) = tokio::try_join!(
            async { Ok::<_, ReadError>(self.client.search_count(SALE, orders.to_value()).await?) },
            self.sale_lines_total(key, &lines),
            self.list(
                SALE,
                &orders,
                &["name", "partner_id", "date_order"],
                "date_order asc, id asc",
            ),
        )?;
        // The listed orders' own amounts, in one grouped read.
        let listed_ids: Vec<i64> = listed.iter().map(id_of).collect();
        let per_order = self
            .client
            .read_group(
                SALE_LINE,
                Domain::is_in("order_id", listed_ids)?.to_value(),
                &["order_id", "currency_id"],
                &[Aggregate::sum("untaxed_amount_to_invoice")],
                None,
            )
            .await?;
        let mut amounts: HashMap<i64, Decimal> = HashMap::new();
        for group in &per_order {
            let Some(order) = group_ref(group, "order_id")? else {
                continue;
            };
            let currency = group_ref(group, "currency_id")?;
            let value = sum_of(group, "untaxed_amount_to_invoice")?;
            if let Some(company) = self
                .to_company_currency(key, value, currency.as_ref())
                .await?
            {
                *amounts.entry(order.id).or_default() += company;
            }
        }
        let mut items = Vec::new();
        for order in &listed {
            let id = id_of(order);
            let mut entry = item(
                self,
                SALE,
                id,
                label(order, &["name"], format!("order {id}"))?,
            );
            entry.partner = many2one("partner_id", &order["partner_id"])?;
            entry.date = self.local_date(order, "date_order")?;
            entry.amount = amounts.get(&id).copied();
            if entry.date.is_some_and(|d| d < self.period.start) {
                entry.flags.push("before_period".to_owned());
            }
            items.push(entry);
        }
        Ok(Outcome::Found(Facts {
            item_count: count,
            amount,
            items,
            counts: BTreeMap::new(),
            notes: Vec::new(),
        }))
    }

    /// Σ `untaxed_amount_to_invoice` of the sales lines matching `domain`,
    /// per currency from Odoo, converted into company currency.
    async fn sale_lines_total(
        &self,
        key: CheckKey,
        domain: &Domain,
    ) -> Result<Option<Decimal>, ReadError> {
        let groups = self
            .client
            .read_group(
                SALE_LINE,
                domain.to_value(),
                &["currency_id"],
                &[Aggregate::sum("untaxed_amount_to_invoice")],
                None,
            )
            .await?;
        let mut total = Decimal::ZERO;
        for group in &groups {
            let currency = group_ref(group, "currency_id")?;
            let value = sum_of(group, "untaxed_amount_to_invoice")?;
            if let Some(company) = self
                .to_company_currency(key, value, currency.as_ref())
                .await?
            {
                total += company;
            }
        }
        Ok(Some(total))
    }

    fn picking_item(&self, picking: &Value) -> Result<Item, ReadError> {
        let id = id_of(picking);
        let mut entry = item(
            self,
            PICKING,
            id,
            label(picking, &["name"], format!("transfer {id}"))?,
        );
        entry.partner = many2one("partner_id", &picking["partner_id"])?;
        entry.date = self.local_date(picking, "date_done")?;
        Ok(entry)
    }

    /// The calendar day of a UTC datetime field in the company zone.
    fn local_date(
        &self,
        record: &Value,
        field: &str,
    ) -> Result<Option<chrono::NaiveDate>, ReadError> {
        Ok(datetime(field, &record[field])?.map(|at| at.with_timezone(&self.zone).date_naive()))
    }
}
