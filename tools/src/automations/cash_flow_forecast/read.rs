//! The Odoo reads behind `cash_flow_forecast`, made once per call into a
//! [`Snapshot`]: the opening balance as one grouped read (no row cap), and
//! the dated documents in id-paged scans with a stated cap (each item has
//! its own date, so no grouped read gives them; a cap hit is a `TRUNCATED`
//! warning, never a silent cut).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroU32;

use chrono::{Months, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::Value;

use super::compute::{
    OpenDocument, OpenOrder, Opportunity, PartnerRef, RecordRef, Snapshot, VendorBill,
};
use super::config::ForecastConfig;
use crate::ToolError;
use crate::automations::credit_check::{rate_history, rate_on};
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, DomainError, date, datetime, many2one, money, text};
use crate::odoo_client::{Aggregate, AggregateFunction, OdooClient, OdooError};

/// Records per page of a scan (spec 0.2).
const PAGE: NonZeroU32 = NonZeroU32::MIN.saturating_add(999);
const OPEN_STATES: [&str; 2] = ["not_paid", "partial"];
const PAID_STATES: [&str; 2] = ["paid", "in_payment"];

/// What to read.
#[derive(Debug, Clone)]
pub(crate) struct ReadRequest<'a> {
    pub company_id: i64,
    pub company_currency: &'a str,
    pub as_of: NaiveDate,
    pub zone: Tz,
    pub journal_ids: Option<&'a [i64]>,
    pub include_pipeline: bool,
    pub include_recurring: bool,
    pub config: &'a ForecastConfig,
}

/// A bank or cash journal of the company.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Journal {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub account: Option<i64>,
}

/// The snapshot, the journals behind its opening balance, and what went
/// wrong on the way.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub snapshot: Snapshot,
    pub journals: Vec<Journal>,
    pub warnings: Vec<Warning>,
}

/// Reads everything the forecast needs.
pub(crate) async fn read_snapshot(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    tool: &str,
) -> Result<Read, ToolError> {
    let mut read = Read {
        journals: journals(client, request, tool).await?,
        ..Read::default()
    };
    if read.journals.is_empty() {
        read.warnings.push(Warning::new(
            "NO_BANK_JOURNAL",
            "the company has no bank or cash journal: the opening balance is 0",
        ));
    } else {
        read.snapshot.opening_balance = opening_balance(client, request, &read.journals).await?;
    }
    read.snapshot.receivables = open_documents(client, request, Side::Customer, &mut read).await?;
    read.snapshot.payables = open_documents(client, request, Side::Vendor, &mut read).await?;
    if !read.snapshot.receivables.is_empty() {
        read.snapshot.days_late = days_late(client, request, &mut read.warnings).await?;
    }
    if request.include_pipeline {
        read.snapshot.opportunities = opportunities(client, request, &mut read.warnings).await?;
    }
    if request.include_recurring {
        read.snapshot.vendor_bills = vendor_bills(client, request, &mut read.warnings).await?;
    }
    read.snapshot.sales_orders = sales_orders(client, request, &mut read.warnings).await?;
    read.snapshot.purchase_orders = purchase_orders(client, request, &mut read.warnings).await?;
    Ok(read)
}

/// The balance that closed `request.as_of` over every bank and cash
/// journal of the company (spec 5.2 on that day): what accuracy tracking
/// compares predictions with (spec 5.8).
pub(crate) async fn closing_balance(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    tool: &str,
) -> Result<Decimal, ToolError> {
    let journals = journals(client, request, tool).await?;
    opening_balance(client, request, &journals).await
}

/// The company's bank and cash journals, or the requested ones after
/// checking each is one of them.
async fn journals(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    tool: &str,
) -> Result<Vec<Journal>, ToolError> {
    let domain = Domain::and(vec![
        company(request.company_id)?,
        leaf(Domain::is_in("type", ["bank", "cash"]))?,
    ]);
    let records = client
        .search_read(
            "account.journal",
            domain.to_value(),
            &["name", "type", "default_account_id"],
            Some("id asc"),
            None,
            None,
        )
        .await?;
    let mut found = Vec::with_capacity(records.len());
    for record in &records {
        found.push(Journal {
            id: id_of(record)?,
            name: text("name", &record["name"])
                .map_err(internal)?
                .unwrap_or_default(),
            kind: text("type", &record["type"])
                .map_err(internal)?
                .unwrap_or_default(),
            account: many2one("default_account_id", &record["default_account_id"])
                .map_err(internal)?
                .map(|r| r.id),
        });
    }
    let Some(wanted) = request.journal_ids else {
        return Ok(found);
    };
    let known: BTreeSet<i64> = found.iter().map(|j| j.id).collect();
    if let Some(bad) = wanted.iter().find(|id| !known.contains(id)) {
        let listed: Vec<String> = found
            .iter()
            .map(|j| format!("{} ({})", j.id, j.name))
            .collect();
        return Err(ToolError::InvalidArgs {
            tool: tool.to_owned(),
            message: format!(
                "field `journal_ids`: {bad} is not a bank or cash journal of company {}; \
                 accepted: {}",
                request.company_id,
                if listed.is_empty() {
                    "none".to_owned()
                } else {
                    listed.join(", ")
                }
            ),
        });
    }
    Ok(found
        .into_iter()
        .filter(|j| wanted.contains(&j.id))
        .collect())
}

/// `B0`: Σ balance of posted journal items on the journals' default
/// accounts dated on or before as_of, summed by Odoo.
async fn opening_balance(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    journals: &[Journal],
) -> Result<Decimal, ToolError> {
    let accounts: BTreeSet<i64> = journals.iter().filter_map(|j| j.account).collect();
    if accounts.is_empty() {
        return Ok(Decimal::ZERO);
    }
    let domain = Domain::and(vec![
        company(request.company_id)?,
        leaf(Domain::eq("parent_state", "posted"))?,
        leaf(Domain::is_in("account_id", accounts))?,
        leaf(Domain::le("date", iso(request.as_of)))?,
    ]);
    let groups = client
        .read_group(
            "account.move.line",
            domain.to_value(),
            &["account_id"],
            &[Aggregate::sum("balance")],
            None,
        )
        .await?;
    let spec = Aggregate::sum("balance").spec();
    let mut total = Decimal::ZERO;
    for group in &groups {
        let value = group.aggregates.get(&spec).unwrap_or(&Value::Null);
        total += money(&spec, value).map_err(internal)?.unwrap_or_default();
    }
    Ok(total)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Customer,
    Vendor,
}

/// Posted open invoices and refunds of one side, residual signed in
/// company currency.
async fn open_documents(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    side: Side,
    read: &mut Read,
) -> Result<Vec<OpenDocument>, ToolError> {
    let (types, what) = match side {
        Side::Customer => (
            ["out_invoice", "out_refund"],
            "open customer invoices and refunds",
        ),
        Side::Vendor => (["in_invoice", "in_refund"], "open vendor bills and refunds"),
    };
    let domain = Domain::and(vec![
        company(request.company_id)?,
        leaf(Domain::eq("state", "posted"))?,
        leaf(Domain::is_in("move_type", types))?,
        leaf(Domain::is_in("payment_state", OPEN_STATES))?,
    ]);
    let records = scan(
        client,
        "account.move",
        &domain,
        &[
            "name",
            "commercial_partner_id",
            "amount_residual_signed",
            "invoice_date_due",
        ],
        request.config.max_records,
        what,
        &mut read.warnings,
    )
    .await?;
    let mut out = Vec::with_capacity(records.len());
    for record in &records {
        let id = id_of(record)?;
        out.push(OpenDocument {
            reference: RecordRef::new("account.move", id, name_of(record)?),
            partner: partner_of(record, "commercial_partner_id")?,
            amount: money("amount_residual_signed", &record["amount_residual_signed"])
                .map_err(internal)?
                .unwrap_or_default(),
            due: date("invoice_date_due", &record["invoice_date_due"]).map_err(internal)?,
        });
    }
    Ok(out)
}

/// Days late of each paid customer invoice of the look-back, per customer:
/// the latest reconciliation date of the invoice's receivable line minus
/// its due date.
async fn days_late(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<BTreeMap<i64, Vec<i64>>, ToolError> {
    let start = request
        .as_of
        .checked_sub_months(Months::new(request.config.lateness_months))
        .unwrap_or(request.as_of);
    let window = |prefix: &str| -> Result<Vec<Domain>, ToolError> {
        let field = |name: &str| format!("{prefix}{name}");
        Ok(vec![
            leaf(Domain::is_in(&field("company_id"), [request.company_id]))?,
            leaf(Domain::eq(&field("move_type"), "out_invoice"))?,
            leaf(Domain::eq(&field("state"), "posted"))?,
            leaf(Domain::is_in(&field("payment_state"), PAID_STATES))?,
            leaf(Domain::gt(&field("invoice_date"), iso(start)))?,
            leaf(Domain::le(&field("invoice_date"), iso(request.as_of)))?,
        ])
    };
    let records = scan(
        client,
        "account.move",
        &Domain::and(window("")?),
        &["commercial_partner_id", "invoice_date_due", "line_ids"],
        request.config.max_records,
        "paid customer invoices of the payment history",
        warnings,
    )
    .await?;
    let latest = Aggregate {
        field: "max_date".to_owned(),
        function: AggregateFunction::Max,
    };
    let groups = client
        .read_group(
            "account.partial.reconcile",
            Domain::and(window("debit_move_id.move_id.")?).to_value(),
            &["debit_move_id"],
            std::slice::from_ref(&latest),
            None,
        )
        .await?;
    let spec = latest.spec();
    let mut paid_on: HashMap<i64, NaiveDate> = HashMap::new();
    for group in &groups {
        let line = many2one(
            "debit_move_id",
            group.keys.get("debit_move_id").unwrap_or(&Value::Null),
        )
        .map_err(internal)?;
        let day =
            date(&spec, group.aggregates.get(&spec).unwrap_or(&Value::Null)).map_err(internal)?;
        if let (Some(line), Some(day)) = (line, day) {
            paid_on.insert(line.id, day);
        }
    }
    let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for record in &records {
        let Some(partner) = partner_of(record, "commercial_partner_id")? else {
            continue;
        };
        let Some(due) = date("invoice_date_due", &record["invoice_date_due"]).map_err(internal)?
        else {
            continue;
        };
        let lines = match &record["line_ids"] {
            Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
            _ => Vec::new(),
        };
        let paid = lines.iter().filter_map(|l| paid_on.get(l)).max().copied();
        if let Some(paid) = paid {
            out.entry(partner.id)
                .or_default()
                .push((paid - due).num_days());
        }
    }
    Ok(out)
}

/// Open opportunities with a probability strictly between 0 and 100.
async fn opportunities(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Opportunity>, ToolError> {
    if !readable(
        client,
        "crm.lead",
        "CRM",
        "the pipeline is skipped",
        warnings,
    )
    .await?
    {
        return Ok(Vec::new());
    }
    let domain = Domain::and(vec![
        leaf(Domain::is_in(
            "company_id",
            [Value::from(request.company_id), Value::Bool(false)],
        ))?,
        leaf(Domain::eq("type", "opportunity"))?,
        leaf(Domain::eq("active", true))?,
        leaf(Domain::gt("probability", 0))?,
        leaf(Domain::lt("probability", 100))?,
    ]);
    let records = scan(
        client,
        "crm.lead",
        &domain,
        &[
            "name",
            "partner_id",
            "expected_revenue",
            "probability",
            "date_deadline",
        ],
        request.config.max_records,
        "open opportunities",
        warnings,
    )
    .await?;
    let mut out = Vec::with_capacity(records.len());
    for record in &records {
        out.push(Opportunity {
            reference: RecordRef::new("crm.lead", id_of(record)?, name_of(record)?),
            partner: partner_of(record, "partner_id")?,
            expected_revenue: money("expected_revenue", &record["expected_revenue"])
                .map_err(internal)?
                .unwrap_or_default(),
            probability: money("probability", &record["probability"])
                .map_err(internal)?
                .unwrap_or_default(),
            deadline: date("date_deadline", &record["date_deadline"]).map_err(internal)?,
        });
    }
    Ok(out)
}

/// Posted vendor bills of the recurring window.
async fn vendor_bills(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<VendorBill>, ToolError> {
    let start = request.as_of - chrono::Days::new(request.config.recurring_window_days);
    let domain = Domain::and(vec![
        company(request.company_id)?,
        leaf(Domain::eq("state", "posted"))?,
        leaf(Domain::eq("move_type", "in_invoice"))?,
        leaf(Domain::gt("invoice_date", iso(start)))?,
        leaf(Domain::le("invoice_date", iso(request.as_of)))?,
    ]);
    let records = scan(
        client,
        "account.move",
        &domain,
        &[
            "name",
            "commercial_partner_id",
            "invoice_date",
            "invoice_date_due",
            "amount_total_signed",
        ],
        request.config.max_records,
        "vendor bills of the recurring window",
        warnings,
    )
    .await?;
    let mut out = Vec::with_capacity(records.len());
    for record in &records {
        let (Some(vendor), Some(bill_date)) = (
            partner_of(record, "commercial_partner_id")?,
            date("invoice_date", &record["invoice_date"]).map_err(internal)?,
        ) else {
            continue;
        };
        out.push(VendorBill {
            reference: RecordRef::new("account.move", id_of(record)?, name_of(record)?),
            vendor,
            bill_date,
            due: date("invoice_date_due", &record["invoice_date_due"]).map_err(internal)?,
            total: money("amount_total_signed", &record["amount_total_signed"])
                .map_err(internal)?
                .unwrap_or_default()
                .abs(),
        });
    }
    Ok(out)
}

/// Confirmed sales orders with an amount still to invoice, converted at
/// the rate of the order date.
async fn sales_orders(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<OpenOrder>, ToolError> {
    if !readable(
        client,
        "sale.order",
        "Sales",
        "orders not yet invoiced are left out",
        warnings,
    )
    .await?
    {
        return Ok(Vec::new());
    }
    if !client.has_field("sale.order", "amount_to_invoice").await? {
        warnings.push(Warning::new(
            "MODULE_MISSING",
            "sale.order has no amount_to_invoice on this server: sales orders not yet invoiced \
             are left out",
        ));
        return Ok(Vec::new());
    }
    let domain = Domain::and(vec![
        company(request.company_id)?,
        leaf(Domain::eq("state", "sale"))?,
        leaf(Domain::ne("invoice_status", "invoiced"))?,
    ]);
    let records = scan(
        client,
        "sale.order",
        &domain,
        &[
            "name",
            "partner_id",
            "date_order",
            "currency_id",
            "amount_to_invoice",
        ],
        request.config.max_records,
        "confirmed sales orders not yet invoiced",
        warnings,
    )
    .await?;
    let mut orders = Vec::with_capacity(records.len());
    for record in &records {
        let amount = money("amount_to_invoice", &record["amount_to_invoice"])
            .map_err(internal)?
            .unwrap_or_default();
        if amount <= Decimal::ZERO {
            continue;
        }
        orders.push(raw_order(
            record,
            "sale.order",
            "date_order",
            amount,
            request.zone,
        )?);
    }
    convert(client, request, orders, warnings).await
}

/// Confirmed purchase orders with a quantity not yet billed: Σ (ordered −
/// billed) × unit price of the lines, plus the order's tax share.
async fn purchase_orders(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<OpenOrder>, ToolError> {
    if !readable(
        client,
        "purchase.order",
        "Purchase",
        "orders not yet billed are left out",
        warnings,
    )
    .await?
    {
        return Ok(Vec::new());
    }
    let open = |prefix: &str| -> Result<Domain, ToolError> {
        let field = |name: &str| format!("{prefix}{name}");
        Ok(Domain::and(vec![
            leaf(Domain::is_in(&field("company_id"), [request.company_id]))?,
            leaf(Domain::is_in(&field("state"), ["purchase", "done"]))?,
            leaf(Domain::ne(&field("invoice_status"), "invoiced"))?,
        ]))
    };
    let records = scan(
        client,
        "purchase.order",
        &open("")?,
        &[
            "name",
            "partner_id",
            "date_planned",
            "date_order",
            "currency_id",
            "amount_untaxed",
            "amount_tax",
        ],
        request.config.max_records,
        "confirmed purchase orders not yet billed",
        warnings,
    )
    .await?;
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let lines = scan(
        client,
        "purchase.order.line",
        &open("order_id.")?,
        &["order_id", "product_qty", "qty_invoiced", "price_unit"],
        request.config.max_records,
        "lines of purchase orders not yet billed",
        warnings,
    )
    .await?;
    let mut to_bill: HashMap<i64, Decimal> = HashMap::new();
    for line in &lines {
        let Some(order) = many2one("order_id", &line["order_id"]).map_err(internal)? else {
            continue;
        };
        let number = |field: &str| -> Result<Decimal, ToolError> {
            Ok(money(field, &line[field])
                .map_err(internal)?
                .unwrap_or_default())
        };
        let open_qty = (number("product_qty")? - number("qty_invoiced")?).max(Decimal::ZERO);
        *to_bill.entry(order.id).or_default() += open_qty * number("price_unit")?;
    }
    let mut orders = Vec::with_capacity(records.len());
    for record in &records {
        let id = id_of(record)?;
        let untaxed_open = to_bill.get(&id).copied().unwrap_or_default();
        if untaxed_open <= Decimal::ZERO {
            continue;
        }
        let untaxed = money("amount_untaxed", &record["amount_untaxed"]).map_err(internal)?;
        let tax = money("amount_tax", &record["amount_tax"]).map_err(internal)?;
        let amount = match (untaxed, tax) {
            (Some(u), Some(t)) if !u.is_zero() => untaxed_open * (Decimal::ONE + t / u),
            _ => untaxed_open,
        };
        let day_field = if record["date_planned"].is_string() {
            "date_planned"
        } else {
            "date_order"
        };
        orders.push(raw_order(
            record,
            "purchase.order",
            day_field,
            -amount,
            request.zone,
        )?);
    }
    convert(client, request, orders, warnings).await
}

/// An order in its own currency until [`convert`].
struct RawOrder {
    order: OpenOrder,
    currency: Option<(i64, String)>,
}

fn raw_order(
    record: &Value,
    model: &str,
    day_field: &str,
    amount: Decimal,
    zone: Tz,
) -> Result<RawOrder, ToolError> {
    let day = datetime(day_field, &record[day_field])
        .map_err(internal)?
        .map(|at| at.with_timezone(&zone).date_naive())
        .ok_or_else(|| internal(format!("order {} without {day_field}", record["id"])))?;
    let currency = many2one("currency_id", &record["currency_id"])
        .map_err(internal)?
        .and_then(|c| c.name.map(|n| (c.id, n)));
    Ok(RawOrder {
        order: OpenOrder {
            reference: RecordRef::new(model, id_of(record)?, name_of(record)?),
            partner: partner_of(record, "partner_id")?,
            amount,
            date: day,
        },
        currency,
    })
}

/// Orders in company currency at the rate of their date (spec 0.3); those
/// without a rate are left out with a `CURRENCY_CONVERSION` warning.
async fn convert(
    client: &OdooClient,
    request: &ReadRequest<'_>,
    orders: Vec<RawOrder>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<OpenOrder>, ToolError> {
    let foreign: BTreeSet<i64> = orders
        .iter()
        .filter_map(|o| o.currency.as_ref())
        .filter(|(_, code)| code != request.company_currency)
        .map(|(id, _)| *id)
        .collect();
    let mut rates = HashMap::new();
    for currency in foreign {
        rates.insert(
            currency,
            rate_history(client, request.company_id, currency, request.as_of).await?,
        );
    }
    let mut out = Vec::with_capacity(orders.len());
    let mut missing = Vec::new();
    for RawOrder {
        mut order,
        currency,
    } in orders
    {
        match currency {
            Some((id, code)) if code != request.company_currency => {
                let history = rates.get(&id).map_or(&[][..], Vec::as_slice);
                match rate_on(history, order.date) {
                    Some(rate) => {
                        order.amount /= rate;
                        out.push(order);
                    }
                    None => missing.push(format!(
                        "{} {} ({code})",
                        order.reference.model, order.reference.name
                    )),
                }
            }
            _ => out.push(order),
        }
    }
    if !missing.is_empty() {
        warnings.push(Warning::new(
            "CURRENCY_CONVERSION",
            format!(
                "no exchange rate on the order date; left out of the forecast: {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Whether `model` is installed and readable; a missing module or a
/// denied read becomes a warning saying what is left out.
async fn readable(
    client: &OdooClient,
    model: &str,
    module: &str,
    consequence: &str,
    warnings: &mut Vec<Warning>,
) -> Result<bool, ToolError> {
    match client.has_model(model).await {
        Ok(true) => Ok(true),
        Ok(false) => {
            warnings.push(Warning::new(
                "MODULE_MISSING",
                format!("{module} is not installed ({model}): {consequence}"),
            ));
            Ok(false)
        }
        Err(OdooError::AccessDenied { .. }) => {
            warnings.push(Warning::new(
                "ODOO_ACCESS_DENIED",
                format!("this user may not read {model}: {consequence}"),
            ));
            Ok(false)
        }
        Err(err) => Err(err.into()),
    }
}

/// A capped scan; a cap hit adds a `TRUNCATED` warning naming `what`.
async fn scan(
    client: &OdooClient,
    model: &str,
    domain: &Domain,
    fields: &[&str],
    cap: usize,
    what: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Value>, ToolError> {
    let scan = match client.scan(model, domain, fields, PAGE, cap).await {
        Ok(scan) => scan,
        Err(OdooError::AccessDenied { .. }) if model != "account.move" => {
            warnings.push(Warning::new(
                "ODOO_ACCESS_DENIED",
                format!("this user may not read {model}: {what} are left out"),
            ));
            return Ok(Vec::new());
        }
        Err(err) => return Err(err.into()),
    };
    if scan.truncated {
        warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "read the first {} of {} {what} ({model}); the forecast leaves the others out",
                scan.records.len(),
                scan.total
            ),
        ));
    }
    Ok(scan.records)
}

fn company(company_id: i64) -> Result<Domain, ToolError> {
    leaf(Domain::is_in("company_id", [company_id]))
}

fn leaf(result: Result<Domain, DomainError>) -> Result<Domain, ToolError> {
    result.map_err(internal)
}

fn iso(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn id_of(record: &Value) -> Result<i64, ToolError> {
    record["id"]
        .as_i64()
        .ok_or_else(|| internal("a record without an id"))
}

fn name_of(record: &Value) -> Result<String, ToolError> {
    Ok(text("name", &record["name"])
        .map_err(internal)?
        .unwrap_or_default())
}

fn partner_of(record: &Value, field: &str) -> Result<Option<PartnerRef>, ToolError> {
    Ok(many2one(field, &record[field])
        .map_err(internal)?
        .map(|r| PartnerRef {
            id: r.id,
            name: r.name.unwrap_or_default(),
        }))
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
