//! The Odoo reads behind `credit_check`: every total is a grouped read or
//! a count computed by Odoo, grouped by commercial partner, so one customer
//! and a whole portfolio cost the same number of calls. Only two facts are
//! read record by record, in id-paged scans with a stated cap: the payment
//! dates of paid invoices (on time is a comparison of two dates per
//! invoice, which no grouped read computes) and the amount still to invoice
//! of open sales orders (`amount_to_invoice` is not stored, so Odoo cannot
//! sum it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroU32;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde_json::Value;

use super::compute::{PaidInvoice, PartnerFacts};
use crate::ToolError;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, DomainError, date, many2one, money, text};
use crate::odoo_client::{Aggregate, AggregateFunction, Group, OdooClient, OdooError};

/// Records per page of a scan (spec 0.2).
const PAGE: NonZeroU32 = NonZeroU32::MIN.saturating_add(999);
/// Ids per `read` call.
const READ_CHUNK: usize = 1000;
/// Rates read per foreign currency.
const MAX_RATES: u32 = 5000;

/// The warning code when sales orders may not be read.
pub(crate) const ORDERS_DENIED: &str = "ODOO_ACCESS_DENIED";

/// Whose ledgers to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Customers {
    /// One commercial partner.
    One(i64),
    /// Every customer of the company.
    All,
}

/// What the reads are about.
#[derive(Debug, Clone)]
pub(crate) struct LedgerRequest {
    pub company_id: i64,
    pub company_currency: String,
    pub as_of: NaiveDate,
    /// First invoice date of the payment history.
    pub lookback_start: NaiveDate,
    /// First invoice date that counts as order volume.
    pub volume_start: NaiveDate,
    pub customers: Customers,
    pub max_paid_invoices: usize,
    pub max_open_orders: usize,
}

/// The facts per commercial partner id (those without any document are
/// absent) and what went wrong on the way.
#[derive(Debug, Default)]
pub(crate) struct Ledgers {
    pub facts: BTreeMap<i64, PartnerFacts>,
    pub warnings: Vec<Warning>,
}

impl Ledgers {
    fn entry(&mut self, partner: i64) -> &mut PartnerFacts {
        self.facts.entry(partner).or_default()
    }
}

/// One `res.partner` as the tool needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PartnerRecord {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub commercial_id: i64,
    pub created: Option<NaiveDate>,
    pub credit_limit: Option<Decimal>,
    pub use_partner_credit_limit: Option<bool>,
    /// `sale_warn` (`no-message`, `warning`, `block`) where the field exists.
    pub sale_warn: Option<String>,
}

/// Which optional partner fields this server has and the user may read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PartnerFields {
    pub credit_limit: bool,
    pub use_partner_credit_limit: bool,
    pub sale_warn: bool,
}

impl PartnerFields {
    pub(crate) async fn probe(client: &OdooClient) -> Result<Self, ToolError> {
        Ok(Self {
            credit_limit: client.has_field("res.partner", "credit_limit").await?,
            use_partner_credit_limit: client
                .has_field("res.partner", "use_partner_credit_limit")
                .await?,
            sale_warn: client.has_field("res.partner", "sale_warn").await?,
        })
    }

    fn names(self) -> Vec<&'static str> {
        let mut fields = vec!["name", "active", "commercial_partner_id", "create_date"];
        for (present, name) in [
            (self.credit_limit, "credit_limit"),
            (self.use_partner_credit_limit, "use_partner_credit_limit"),
            (self.sale_warn, "sale_warn"),
        ] {
            if present {
                fields.push(name);
            }
        }
        fields
    }
}

/// Reads partners by id, archived ones included, a chunk per call.
pub(crate) async fn read_partners(
    client: &OdooClient,
    ids: &[i64],
    fields: PartnerFields,
) -> Result<Vec<PartnerRecord>, ToolError> {
    let names = fields.names();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(READ_CHUNK) {
        for record in client.read("res.partner", chunk, &names).await? {
            out.push(partner_record(&record)?);
        }
    }
    Ok(out)
}

/// The company's credit-limit feature and default, where the fields exist.
pub(crate) async fn read_company_limit(
    client: &OdooClient,
    company_id: i64,
) -> Result<(Option<bool>, Option<Decimal>), ToolError> {
    let enabled = client
        .has_field("res.company", "account_use_credit_limit")
        .await?;
    let default = client
        .has_field("res.company", "account_default_credit_limit")
        .await?;
    let mut fields = Vec::new();
    if enabled {
        fields.push("account_use_credit_limit");
    }
    if default {
        fields.push("account_default_credit_limit");
    }
    if fields.is_empty() {
        return Ok((None, None));
    }
    let record = client
        .read("res.company", &[company_id], &fields)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::NotFound(format!("res.company {company_id} does not exist")))?;
    let enabled = enabled.then(|| record["account_use_credit_limit"].as_bool() == Some(true));
    let default = if default {
        money(
            "account_default_credit_limit",
            &record["account_default_credit_limit"],
        )
        .map_err(internal)?
    } else {
        None
    };
    Ok((enabled, default))
}

/// Partners with a positive balance of open receivable lines: the
/// portfolio (spec 3.7), by a grouped read without any cap.
pub(crate) async fn customers_with_receivables(
    client: &OdooClient,
    company_id: i64,
) -> Result<Vec<i64>, ToolError> {
    let domain = Domain::and(vec![
        company(company_id)?,
        leaf(Domain::eq("parent_state", "posted"))?,
        leaf(Domain::eq("account_id.account_type", "asset_receivable"))?,
        leaf(Domain::eq("reconciled", false))?,
        leaf(Domain::is_set("partner_id"))?,
    ]);
    let groups = client
        .read_group(
            "account.move.line",
            domain.to_value(),
            &["partner_id"],
            &[Aggregate::sum("amount_residual")],
            None,
        )
        .await?;
    let mut ids = Vec::new();
    for group in &groups {
        let residual = sum(group, "amount_residual")?;
        if let Some(id) = key_id(group, "partner_id")?
            && residual > Decimal::ZERO
        {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Reads every fact of spec 3.2 for `request.customers`.
pub(crate) async fn read_ledgers(
    client: &OdooClient,
    request: &LedgerRequest,
) -> Result<Ledgers, ToolError> {
    let mut ledgers = Ledgers::default();
    open_items(client, request, &mut ledgers).await?;
    past_due(client, request, &mut ledgers).await?;
    invoice_counts(client, request, &mut ledgers).await?;
    first_invoices(client, request, &mut ledgers).await?;
    payment_dates(client, request, &mut ledgers).await?;
    open_orders(client, request, &mut ledgers).await?;
    Ok(ledgers)
}

const INVOICE: &str = "out_invoice";
const REFUND: &str = "out_refund";
const OPEN_STATES: [&str; 2] = ["not_paid", "partial"];
const PAID_STATES: [&str; 2] = ["paid", "in_payment"];

/// Posted customer documents of the company (and of the one customer).
fn customer_moves(request: &LedgerRequest, types: &[&str]) -> Result<Domain, ToolError> {
    let mut terms = vec![
        company(request.company_id)?,
        leaf(Domain::eq("state", "posted"))?,
        leaf(Domain::is_in("move_type", types.iter().copied()))?,
    ];
    if let Customers::One(id) = request.customers {
        terms.push(leaf(Domain::eq("commercial_partner_id", id))?);
    }
    Ok(Domain::and(terms))
}

/// `T` per customer: open invoices and open refunds, and the oldest due date.
async fn open_items(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let domain = Domain::and(vec![
        customer_moves(request, &[INVOICE, REFUND])?,
        leaf(Domain::is_in("payment_state", OPEN_STATES))?,
    ]);
    let oldest = Aggregate {
        field: "invoice_date_due".to_owned(),
        function: AggregateFunction::Min,
    };
    let groups = client
        .read_group(
            "account.move",
            domain.to_value(),
            &["commercial_partner_id", "move_type"],
            &[Aggregate::sum("amount_residual_signed"), oldest.clone()],
            None,
        )
        .await?;
    for group in &groups {
        let Some(partner) = key_id(group, "commercial_partner_id")? else {
            continue;
        };
        let residual = sum(group, "amount_residual_signed")?;
        let kind = group.keys.get("move_type").and_then(Value::as_str);
        let facts = ledgers.entry(partner);
        if kind == Some(INVOICE) {
            facts.open.invoices += residual;
            let spec = oldest.spec();
            facts.open.oldest_due = date(&spec, &group.aggregates[&spec]).map_err(internal)?;
        } else {
            facts.open.refunds += residual;
        }
    }
    Ok(())
}

/// Open invoice residual per customer in each past-due bucket, one grouped
/// read per bucket (no date labels to parse).
async fn past_due(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let day = |n: u64| request.as_of - Days::new(n);
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    // (due on or after, due before) for 1–30, 31–60, 61–90, > 90 days.
    let ranges = [
        (Some(day(30)), day(0)),
        (Some(day(60)), day(30)),
        (Some(day(90)), day(60)),
        (None, day(90)),
    ];
    for (bucket, (from, before)) in ranges.into_iter().enumerate() {
        let mut terms = vec![
            customer_moves(request, &[INVOICE])?,
            leaf(Domain::is_in("payment_state", OPEN_STATES))?,
            leaf(Domain::lt("invoice_date_due", iso(before)))?,
        ];
        if let Some(from) = from {
            terms.push(leaf(Domain::ge("invoice_date_due", iso(from)))?);
        }
        let groups = client
            .read_group(
                "account.move",
                Domain::and(terms).to_value(),
                &["commercial_partner_id"],
                &[Aggregate::sum("amount_residual_signed")],
                None,
            )
            .await?;
        for group in &groups {
            let Some(partner) = key_id(group, "commercial_partner_id")? else {
                continue;
            };
            let residual = sum(group, "amount_residual_signed")?;
            let buckets = &mut ledgers.entry(partner).open.past_due;
            let slot = match bucket {
                0 => &mut buckets.days_1_30,
                1 => &mut buckets.days_31_60,
                2 => &mut buckets.days_61_90,
                _ => &mut buckets.over_90,
            };
            *slot += residual;
        }
    }
    Ok(())
}

/// Invoices in the lookback (all, and paid) and in the volume window.
async fn invoice_counts(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let as_of = iso(request.as_of);
    let lookback = Domain::and(vec![
        customer_moves(request, &[INVOICE])?,
        leaf(Domain::ge("invoice_date", iso(request.lookback_start)))?,
        leaf(Domain::le("invoice_date", as_of.clone()))?,
    ]);
    let groups = client
        .read_group(
            "account.move",
            lookback.to_value(),
            &["commercial_partner_id", "payment_state"],
            &[],
            None,
        )
        .await?;
    for group in &groups {
        let Some(partner) = key_id(group, "commercial_partner_id")? else {
            continue;
        };
        let state = group.keys.get("payment_state").and_then(Value::as_str);
        let payments = &mut ledgers.entry(partner).payments;
        payments.invoices += group.count;
        if state.is_some_and(|s| PAID_STATES.contains(&s)) {
            payments.paid += group.count;
        }
    }
    let recent = Domain::and(vec![
        customer_moves(request, &[INVOICE])?,
        leaf(Domain::ge("invoice_date", iso(request.volume_start)))?,
        leaf(Domain::le("invoice_date", as_of))?,
    ]);
    let groups = client
        .read_group(
            "account.move",
            recent.to_value(),
            &["commercial_partner_id"],
            &[],
            None,
        )
        .await?;
    for group in &groups {
        if let Some(partner) = key_id(group, "commercial_partner_id")? {
            ledgers.entry(partner).recent_invoices += group.count;
        }
    }
    Ok(())
}

/// The first posted customer invoice per customer.
async fn first_invoices(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let first = Aggregate {
        field: "invoice_date".to_owned(),
        function: AggregateFunction::Min,
    };
    let domain = Domain::and(vec![
        customer_moves(request, &[INVOICE])?,
        leaf(Domain::le("invoice_date", iso(request.as_of)))?,
    ]);
    let groups = client
        .read_group(
            "account.move",
            domain.to_value(),
            &["commercial_partner_id"],
            std::slice::from_ref(&first),
            None,
        )
        .await?;
    let spec = first.spec();
    for group in &groups {
        if let Some(partner) = key_id(group, "commercial_partner_id")? {
            ledgers.entry(partner).first_invoice =
                date(&spec, &group.aggregates[&spec]).map_err(internal)?;
        }
    }
    Ok(())
}

/// Due date and payment date of each paid invoice in the lookback. The
/// payment date is the latest `max_date` of the partial reconciliations of
/// the invoice's receivable line (its debit side), read as one grouped read.
async fn payment_dates(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let window = |prefix: &str| -> Result<Vec<Domain>, ToolError> {
        let field = |name: &str| format!("{prefix}{name}");
        let mut terms = vec![
            leaf(Domain::eq(&field("move_type"), INVOICE))?,
            leaf(Domain::eq(&field("state"), "posted"))?,
            leaf(Domain::is_in(&field("payment_state"), PAID_STATES))?,
            leaf(Domain::ge(
                &field("invoice_date"),
                iso(request.lookback_start),
            ))?,
            leaf(Domain::le(&field("invoice_date"), iso(request.as_of)))?,
        ];
        if let Customers::One(id) = request.customers {
            terms.push(leaf(Domain::eq(&field("commercial_partner_id"), id))?);
        }
        Ok(terms)
    };
    let mut invoices = window("")?;
    invoices.push(company(request.company_id)?);
    let scan = client
        .scan(
            "account.move",
            &Domain::and(invoices),
            &["commercial_partner_id", "invoice_date_due", "line_ids"],
            PAGE,
            request.max_paid_invoices,
        )
        .await?;
    if scan.truncated {
        ledgers.warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "payment dates were read for the first {} paid invoices only; the others \
                 count as paid with an unknown date",
                request.max_paid_invoices
            ),
        ));
    }
    let mut partials = window("debit_move_id.move_id.")?;
    partials.push(company(request.company_id)?);
    let latest = Aggregate {
        field: "max_date".to_owned(),
        function: AggregateFunction::Max,
    };
    let groups = client
        .read_group(
            "account.partial.reconcile",
            Domain::and(partials).to_value(),
            &["debit_move_id"],
            std::slice::from_ref(&latest),
            None,
        )
        .await?;
    let spec = latest.spec();
    let mut paid_on: HashMap<i64, NaiveDate> = HashMap::new();
    for group in &groups {
        let Some(line) = key_id(group, "debit_move_id")? else {
            continue;
        };
        if let Some(day) = date(&spec, &group.aggregates[&spec]).map_err(internal)? {
            paid_on.insert(line, day);
        }
    }
    for record in &scan.records {
        let partner = many2one("commercial_partner_id", &record["commercial_partner_id"])
            .map_err(internal)?;
        let Some(partner) = partner else { continue };
        let due = date("invoice_date_due", &record["invoice_date_due"]).map_err(internal)?;
        let lines = ids("line_ids", &record["line_ids"])?;
        let paid = lines
            .iter()
            .filter_map(|line| paid_on.get(line))
            .max()
            .copied();
        ledgers
            .entry(partner.id)
            .payments
            .paid_dates
            .push(PaidInvoice { due, paid_on: paid });
    }
    Ok(())
}

/// Confirmed sales orders with a part still to invoice, in company currency.
async fn open_orders(
    client: &OdooClient,
    request: &LedgerRequest,
    ledgers: &mut Ledgers,
) -> Result<(), ToolError> {
    let readable = match client.has_model("sale.order").await {
        Ok(present) => present,
        // An accountant without sales rights still gets the ledger side,
        // with the gap stated rather than a failed check.
        Err(OdooError::AccessDenied { .. }) => {
            ledgers.warnings.push(Warning::new(
                ORDERS_DENIED,
                "this user may not read sales orders (sale.order): confirmed orders not yet                  invoiced are missing from the exposure and the verdict may be too lenient",
            ));
            return Ok(());
        }
        Err(err) => return Err(err.into()),
    };
    if !readable {
        ledgers.warnings.push(Warning::new(
            "MODULE_MISSING",
            "Sales is not installed: confirmed orders are not part of the exposure",
        ));
        return Ok(());
    }
    let stored_total = client.has_field("sale.order", "amount_to_invoice").await?;
    let domain = orders_domain(request, "")?;
    let mut fields = vec!["partner_id", "currency_id", "date_order"];
    if stored_total {
        fields.push("amount_to_invoice");
    } else {
        fields.extend(["amount_untaxed", "amount_tax"]);
    }
    let scan = client
        .scan(
            "sale.order",
            &domain,
            &fields,
            PAGE,
            request.max_open_orders,
        )
        .await?;
    if scan.truncated {
        ledgers.warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "only the first {} open sales orders were read; exposure may be higher",
                request.max_open_orders
            ),
        ));
    }
    let untaxed_to_invoice = if stored_total {
        HashMap::new()
    } else {
        line_amounts_to_invoice(client, request).await?
    };
    let mut orders = Vec::new();
    for record in &scan.records {
        let id = record["id"].as_i64().unwrap_or_default();
        let amount = if stored_total {
            money("amount_to_invoice", &record["amount_to_invoice"]).map_err(internal)?
        } else {
            // Σ line untaxed to invoice × (1 + tax / untaxed) (spec 3.2).
            let untaxed = money("amount_untaxed", &record["amount_untaxed"]).map_err(internal)?;
            let tax = money("amount_tax", &record["amount_tax"]).map_err(internal)?;
            let open = untaxed_to_invoice.get(&id).copied().unwrap_or_default();
            match (untaxed, tax) {
                (Some(u), Some(t)) if !u.is_zero() => Some(open * (Decimal::ONE + t / u)),
                _ => Some(open),
            }
        }
        .unwrap_or_default();
        if amount <= Decimal::ZERO {
            continue;
        }
        let partner = many2one("partner_id", &record["partner_id"]).map_err(internal)?;
        let currency = many2one("currency_id", &record["currency_id"]).map_err(internal)?;
        let day = text("date_order", &record["date_order"])
            .map_err(internal)?
            .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
        if let Some(partner) = partner {
            orders.push(OpenOrder {
                id,
                partner: partner.id,
                currency: currency.and_then(|c| c.name.map(|n| (c.id, n))),
                day,
                amount,
            });
        }
    }
    let converted = to_company_currency(client, request, orders, &mut ledgers.warnings).await?;
    let commercial = match request.customers {
        Customers::One(_) => HashMap::new(),
        Customers::All => {
            let ids: Vec<i64> = converted
                .iter()
                .map(|o| o.partner)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            commercial_ids(client, &ids).await?
        }
    };
    for order in converted {
        let partner = match request.customers {
            Customers::One(id) => id,
            Customers::All => commercial
                .get(&order.partner)
                .copied()
                .unwrap_or(order.partner),
        };
        let facts = &mut ledgers.entry(partner).orders;
        facts.uninvoiced += order.amount;
        facts.count += 1;
    }
    Ok(())
}

/// Confirmed, not fully invoiced orders of the company (and of the one
/// customer, contacts included), on `sale.order` or through `prefix`.
fn orders_domain(request: &LedgerRequest, prefix: &str) -> Result<Domain, ToolError> {
    let field = |name: &str| format!("{prefix}{name}");
    let mut terms = vec![
        leaf(Domain::is_in(&field("company_id"), [request.company_id]))?,
        leaf(Domain::eq(&field("state"), "sale"))?,
        leaf(Domain::ne(&field("invoice_status"), "invoiced"))?,
    ];
    if let Customers::One(id) = request.customers {
        terms.push(leaf(Domain::child_of(&field("partner_id"), id))?);
    }
    Ok(Domain::and(terms))
}

/// An order's amount still to invoice, in its own currency until converted.
#[derive(Debug, Clone)]
struct OpenOrder {
    id: i64,
    partner: i64,
    /// (id, ISO code) of the order currency.
    currency: Option<(i64, String)>,
    day: Option<NaiveDate>,
    amount: Decimal,
}

/// Σ `untaxed_amount_to_invoice` of the lines per order, for servers
/// without `amount_to_invoice`.
async fn line_amounts_to_invoice(
    client: &OdooClient,
    request: &LedgerRequest,
) -> Result<HashMap<i64, Decimal>, ToolError> {
    let terms = vec![orders_domain(request, "order_id.")?];
    let groups = client
        .read_group(
            "sale.order.line",
            Domain::and(terms).to_value(),
            &["order_id"],
            &[Aggregate::sum("untaxed_amount_to_invoice")],
            None,
        )
        .await?;
    let mut out = HashMap::new();
    for group in &groups {
        if let Some(order) = key_id(group, "order_id")? {
            out.insert(order, sum(group, "untaxed_amount_to_invoice")?);
        }
    }
    Ok(out)
}

/// Orders converted at the company's rate of their date (spec 0.3); those
/// without a rate are left out with a `CURRENCY_CONVERSION` warning.
async fn to_company_currency(
    client: &OdooClient,
    request: &LedgerRequest,
    orders: Vec<OpenOrder>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<OpenOrder>, ToolError> {
    let foreign: BTreeMap<i64, String> = orders
        .iter()
        .filter_map(|o| o.currency.clone())
        .filter(|(_, code)| *code != request.company_currency)
        .collect();
    let mut rates = HashMap::new();
    for &currency in foreign.keys() {
        rates.insert(
            currency,
            rate_history(client, request.company_id, currency, request.as_of).await?,
        );
    }
    let mut out = Vec::with_capacity(orders.len());
    let mut missing = Vec::new();
    for mut order in orders {
        match &order.currency {
            Some((id, code)) if *code != request.company_currency => {
                let rate = order
                    .day
                    .and_then(|day| rate_on(rates.get(id).map_or(&[][..], Vec::as_slice), day));
                match rate {
                    Some(rate) => {
                        order.amount /= rate;
                        out.push(order);
                    }
                    None => missing.push(format!("sale.order {} ({code})", order.id)),
                }
            }
            _ => out.push(order),
        }
    }
    if !missing.is_empty() {
        warnings.push(Warning::new(
            "CURRENCY_CONVERSION",
            format!(
                "no exchange rate on the order date; left out of the exposure: {}",
                missing.join(", ")
            ),
        ));
    }
    Ok(out)
}

/// Rates of `currency` (units per company currency unit) up to `until`,
/// newest first.
pub(crate) async fn rate_history(
    client: &OdooClient,
    company_id: i64,
    currency: i64,
    until: NaiveDate,
) -> Result<Vec<(NaiveDate, Decimal)>, ToolError> {
    let domain = Domain::and(vec![
        leaf(Domain::eq("currency_id", currency))?,
        leaf(Domain::is_in(
            "company_id",
            [Value::from(company_id), Value::Bool(false)],
        ))?,
        leaf(Domain::le("name", iso(until)))?,
    ]);
    let records = client
        .search_read(
            "res.currency.rate",
            domain.to_value(),
            &["name", "rate"],
            Some("name desc"),
            Some(MAX_RATES),
            None,
        )
        .await?;
    let mut out = Vec::with_capacity(records.len());
    for record in &records {
        let day = date("name", &record["name"]).map_err(internal)?;
        let rate = money("rate", &record["rate"]).map_err(internal)?;
        if let (Some(day), Some(rate)) = (day, rate.filter(|r| *r > Decimal::ZERO)) {
            out.push((day, rate));
        }
    }
    Ok(out)
}

/// The rate valid on `day`: the newest one dated on or before it.
pub(crate) fn rate_on(history: &[(NaiveDate, Decimal)], day: NaiveDate) -> Option<Decimal> {
    history
        .iter()
        .filter(|(from, _)| *from <= day)
        .max_by_key(|(from, _)| *from)
        .map(|(_, rate)| *rate)
}

/// The commercial partner of each of `ids`.
async fn commercial_ids(client: &OdooClient, ids: &[i64]) -> Result<HashMap<i64, i64>, ToolError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(READ_CHUNK) {
        for record in client
            .read("res.partner", chunk, &["commercial_partner_id"])
            .await?
        {
            let id = record["id"].as_i64().unwrap_or_default();
            let commercial = many2one("commercial_partner_id", &record["commercial_partner_id"])
                .map_err(internal)?
                .map_or(id, |r| r.id);
            out.insert(id, commercial);
        }
    }
    Ok(out)
}

fn partner_record(record: &Value) -> Result<PartnerRecord, ToolError> {
    let id = record["id"]
        .as_i64()
        .ok_or_else(|| internal("res.partner record without an id"))?;
    let commercial_id = many2one("commercial_partner_id", &record["commercial_partner_id"])
        .map_err(internal)?
        .map_or(id, |r| r.id);
    let created = text("create_date", &record["create_date"])
        .map_err(internal)?
        .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
    let credit_limit = match record.get("credit_limit") {
        Some(value) => money("credit_limit", value).map_err(internal)?,
        None => None,
    };
    Ok(PartnerRecord {
        id,
        name: text("name", &record["name"])
            .map_err(internal)?
            .unwrap_or_default(),
        active: record["active"].as_bool().unwrap_or(true),
        commercial_id,
        created,
        credit_limit,
        use_partner_credit_limit: record
            .get("use_partner_credit_limit")
            .map(|v| v.as_bool() == Some(true)),
        sale_warn: match record.get("sale_warn") {
            Some(value) => text("sale_warn", value).map_err(internal)?,
            None => None,
        },
    })
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

fn key_id(group: &Group, key: &str) -> Result<Option<i64>, ToolError> {
    let value = group.keys.get(key).unwrap_or(&Value::Null);
    Ok(many2one(key, value).map_err(internal)?.map(|r| r.id))
}

fn sum(group: &Group, field: &str) -> Result<Decimal, ToolError> {
    let spec = Aggregate::sum(field).spec();
    let value = group.aggregates.get(&spec).unwrap_or(&Value::Null);
    Ok(money(&spec, value).map_err(internal)?.unwrap_or_default())
}

fn ids(field: &str, value: &Value) -> Result<Vec<i64>, ToolError> {
    match value {
        Value::Array(items) => Ok(items.iter().filter_map(Value::as_i64).collect()),
        Value::Bool(false) | Value::Null => Ok(Vec::new()),
        other => Err(internal(format!(
            "field {field}: expected a list of ids, got {other}"
        ))),
    }
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_of_a_day_is_the_newest_on_or_before_it() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let history = [
            (day(10), Decimal::new(110, 2)),
            (day(1), Decimal::new(108, 2)),
        ];
        assert_eq!(rate_on(&history, day(9)), Some(Decimal::new(108, 2)));
        assert_eq!(rate_on(&history, day(10)), Some(Decimal::new(110, 2)));
        assert_eq!(rate_on(&history[..1], day(9)), None);
    }
}
