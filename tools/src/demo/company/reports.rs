//! Odoo's reporting views that the demo company can add on request:
//! `sale.report` (one row per sales order line, amounts in company
//! currency, with the order's date, customer, salesperson and state and
//! the product's category and customer's country). Without it the demo
//! behaves like an Odoo whose reporting view is not installed, so both
//! paths of a report can be tested.

use serde_json::Value;

use super::groups;
use super::models::{f, model};
use crate::demo::{Dataset, FieldType, Table, TableError};

use FieldType::{Datetime, Float, Integer, Many2one};

/// Adds `sale.report`, computed from the sales orders, their lines, the
/// products and the customers already in `dataset`.
pub fn add_sale_report(dataset: &mut Dataset) -> Result<(), TableError> {
    let def = model(
        "sale.report",
        "Sales Analysis Report",
        "name",
        "date desc",
        vec![
            f("name", "Order Reference", FieldType::Char),
            f("date", "Order Date", Datetime),
            f("order_id", "Order #", Many2one("sale.order")),
            f("product_id", "Product Variant", Many2one("product.product")),
            f("categ_id", "Product Category", Many2one("product.category")),
            f("partner_id", "Customer", Many2one("res.partner")),
            f("user_id", "Salesperson", Many2one("res.users")),
            f("country_id", "Customer Country", Many2one("res.country")),
            f("company_id", "Company", Many2one("res.company")),
            f("product_uom_qty", "Qty Ordered", Float),
            f("price_subtotal", "Untaxed Total", Float),
            f(
                "state",
                "Status",
                FieldType::Selection(&[
                    ("draft", "Draft Quotation"),
                    ("sent", "Quotation Sent"),
                    ("sale", "Sales Order"),
                    ("cancel", "Cancelled"),
                ]),
            ),
            f("nbr", "# of Lines", Integer),
        ],
        groups::SALES,
        groups::SALES,
    );
    let mut report = Table::new(def);
    let missing = |model: &str| TableError::UnknownModel(model.to_owned());
    let lines = dataset
        .table("sale.order.line")
        .ok_or_else(|| missing("sale.order.line"))?;
    let orders = dataset
        .table("sale.order")
        .ok_or_else(|| missing("sale.order"))?;
    let products = dataset
        .table("product.product")
        .ok_or_else(|| missing("product.product"))?;
    let partners = dataset
        .table("res.partner")
        .ok_or_else(|| missing("res.partner"))?;
    let id_of = |value: Option<&Value>| value.and_then(|v| v.get(0)).and_then(Value::as_i64);
    let mut next = 1;
    for line in lines.records() {
        let Some(order) = id_of(lines.value(line, "order_id")).and_then(|id| orders.get(id)) else {
            continue;
        };
        let product = id_of(lines.value(line, "product_id")).and_then(|id| products.get(id));
        let partner_value = orders
            .value(order, "partner_id")
            .cloned()
            .unwrap_or(Value::Bool(false));
        let partner = id_of(Some(&partner_value)).and_then(|id| partners.get(id));
        let field = |table: &Table, record: &crate::demo::Record, name: &str| {
            table
                .value(record, name)
                .cloned()
                .unwrap_or(Value::Bool(false))
        };
        let mut row = report.blank(next);
        next += 1;
        for (name, value) in [
            ("name", field(orders, order, "name")),
            ("date", field(orders, order, "date_order")),
            ("order_id", field(lines, line, "order_id")),
            ("product_id", field(lines, line, "product_id")),
            (
                "categ_id",
                product.map_or(Value::Bool(false), |p| field(products, p, "categ_id")),
            ),
            ("partner_id", partner_value.clone()),
            ("user_id", field(orders, order, "user_id")),
            (
                "country_id",
                partner.map_or(Value::Bool(false), |p| field(partners, p, "country_id")),
            ),
            ("company_id", field(orders, order, "company_id")),
            ("product_uom_qty", field(lines, line, "product_uom_qty")),
            // Every demo order is in the company currency (EUR).
            ("price_subtotal", field(lines, line, "price_subtotal")),
            ("state", field(orders, order, "state")),
            ("nbr", Value::from(1)),
        ] {
            report.set(&mut row, name, value)?;
        }
        report.push(row)?;
    }
    dataset.insert_table(report);
    Ok(())
}
