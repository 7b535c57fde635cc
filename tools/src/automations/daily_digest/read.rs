//! The digest's figures from Odoo (spec 7.2): counts and totals from
//! grouped reads and `search_count`, listed records from `search_read`
//! with an explicit order and limit, so no figure is the sum of a page.

use chrono::{Days, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::Value;
use url::Url;

use super::compute::{CfoFigures, SalesFigures, Tally, WarehouseFigures};
use super::output::{Link, TopItem};
use crate::ToolError;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, date, many2one, money, text};
use crate::odoo_client::{Aggregate, OdooClient};

/// Records listed per figure.
pub(crate) const TOP: u32 = 10;
/// Page size and cap of the reordering-rule scan (spec 0.2 full scans).
const PAGE: u32 = 1000;
const MAX_RULES: usize = 20_000;
/// Picking states still to be processed (spec 7.2).
const OPEN_PICKING: [&str; 3] = ["confirmed", "waiting", "assigned"];

const MOVE: &str = "account.move";
const LEAD: &str = "crm.lead";
const ACTIVITY: &str = "mail.activity";
const PRODUCT: &str = "product.product";
const ORDERPOINT: &str = "stock.warehouse.orderpoint";
const PICKING: &str = "stock.picking";

/// One digest's reads: the company, the day `D` and its zone.
pub(crate) struct Reader<'a> {
    pub client: &'a OdooClient,
    pub base: &'a Url,
    pub company_id: i64,
    pub day: NaiveDate,
    pub zone: Tz,
    pub warnings: Vec<Warning>,
}

impl Reader<'_> {
    /// `None` with a `MODULE_MISSING` warning when `model` is not installed.
    async fn require(&mut self, model: &str, section: &str) -> Result<bool, ToolError> {
        if self.client.has_model(model).await? {
            return Ok(true);
        }
        self.warnings.push(Warning::new(
            "MODULE_MISSING",
            format!("{model} is not installed; the {section} figures are left out"),
        ));
        Ok(false)
    }

    pub(crate) async fn cfo(&mut self) -> Result<Option<CfoFigures>, ToolError> {
        if !self.require(MOVE, "receivable and payable").await? {
            return Ok(None);
        }
        let day = date_value(self.day);
        let receivables = self.open_invoices("out_invoice")?;
        let overdue_receivables =
            Domain::and(vec![receivables, lt("invoice_date_due", day.clone())?]);
        let bills = self.open_invoices("in_invoice")?;
        let overdue_payables =
            Domain::and(vec![bills.clone(), lt("invoice_date_due", day.clone())?]);
        let week = date_value(self.day + Days::new(7));
        let due_7d = Domain::and(vec![
            bills.clone(),
            Domain::ge("invoice_date_due", day).map_err(internal)?,
            lt("invoice_date_due", week)?,
        ]);
        const RESIDUAL: &str = "amount_residual_signed";
        let (cash_position, cash_journals) = self.cash_position().await?;
        Ok(Some(CfoFigures {
            overdue_receivables: self.tally(MOVE, &overdue_receivables, RESIDUAL).await?,
            top_receivables: self
                .invoices(&overdue_receivables, "amount_residual_signed desc, id asc")
                .await?,
            open_payables: self.tally(MOVE, &bills, RESIDUAL).await?,
            overdue_payables: self.tally(MOVE, &overdue_payables, RESIDUAL).await?,
            // Bills are negative: the largest owed comes first ascending.
            top_overdue_payables: self
                .invoices(&overdue_payables, "amount_residual_signed asc, id asc")
                .await?,
            payables_due_7d: self.tally(MOVE, &due_7d, RESIDUAL).await?,
            cash_position,
            cash_journals,
            company: Some(Link::new(self.base, "res.company", self.company_id)),
            pending_approvals: None,
            approval_targets: Vec::new(),
            cash_forecast: None,
            close_status: Vec::new(),
        }))
    }

    pub(crate) async fn sales(&mut self) -> Result<Option<SalesFigures>, ToolError> {
        if !self.require(LEAD, "sales").await? {
            return Ok(None);
        }
        let won_status = self.client.has_field(LEAD, "won_status").await?;
        let opportunities = Domain::and(vec![
            self.company()?,
            eq("type", "opportunity")?,
            eq("active", true)?,
        ]);
        let not_won = if won_status {
            Domain::ne("won_status", "won").map_err(internal)?
        } else {
            lt("probability", 100)?
        };
        let pipeline = Domain::and(vec![opportunities.clone(), not_won]);
        let day = date_value(self.day);
        let at_risk = Domain::and(vec![pipeline.clone(), lt("date_deadline", day.clone())?]);
        let since = self.utc_start(self.day - Days::new(7));
        let won = if won_status {
            eq("won_status", "won")?
        } else {
            Domain::and(vec![eq("probability", 100)?, eq("stage_id.is_won", true)?])
        };
        let won_7d = Domain::and(vec![
            opportunities,
            won,
            Domain::ge("date_closed", since.clone()).map_err(internal)?,
        ]);
        // Lost deals are archived: the search names `active` to see them.
        let lost_7d = Domain::and(vec![
            self.company()?,
            eq("active", false)?,
            eq("probability", 0)?,
            Domain::ge("date_closed", since).map_err(internal)?,
        ]);
        let revenue = "expected_revenue";
        let mut figures = SalesFigures {
            pipeline: self.tally(LEAD, &pipeline, revenue).await?,
            pipeline_weighted: self.weighted(&pipeline).await?,
            at_risk: self.tally(LEAD, &at_risk, revenue).await?,
            top_at_risk: self
                .leads(&at_risk, "expected_revenue desc, id asc")
                .await?,
            won_7d: self.tally(LEAD, &won_7d, revenue).await?,
            lost_7d: self.tally(LEAD, &lost_7d, revenue).await?,
            top_lost: self
                .leads(&lost_7d, "expected_revenue desc, id asc")
                .await?,
            ..SalesFigures::default()
        };
        if self.require(ACTIVITY, "overdue activity").await? {
            self.activities(&mut figures).await?;
        }
        Ok(Some(figures))
    }

    pub(crate) async fn warehouse(&mut self) -> Result<Option<WarehouseFigures>, ToolError> {
        if !self.require(PICKING, "warehouse").await? {
            return Ok(None);
        }
        let mut figures = WarehouseFigures::default();
        let storable = if self.client.has_field(PRODUCT, "is_storable").await? {
            eq("is_storable", true)?
        } else {
            eq("type", "product")?
        };
        let out_of_stock = Domain::and(vec![
            storable,
            eq("active", true)?,
            Domain::le("qty_available", 0).map_err(internal)?,
            self.shared_company()?,
        ]);
        figures.out_of_stock = self
            .client
            .search_count(PRODUCT, out_of_stock.to_value())
            .await?;
        figures.top_out_of_stock = self
            .client
            .search_read(
                PRODUCT,
                out_of_stock.to_value(),
                &["display_name", "name", "default_code"],
                Some("default_code asc, id asc"),
                Some(TOP),
                None,
            )
            .await?
            .iter()
            .map(|r| self.item(PRODUCT, r, "name"))
            .collect::<Result<_, _>>()?;
        if self.require(ORDERPOINT, "reordering").await? {
            self.reordering(&mut figures).await?;
        }
        let start = self.utc_start(self.day);
        let end = self.utc_start(self.day + Days::new(1));
        let open = |code: &str| -> Result<Domain, ToolError> {
            Ok(Domain::and(vec![
                self.company()?,
                eq("picking_type_code", code)?,
                Domain::is_in("state", OPEN_PICKING).map_err(internal)?,
            ]))
        };
        let deliveries = open("outgoing")?;
        let today = Domain::and(vec![
            deliveries.clone(),
            Domain::ge("scheduled_date", start.clone()).map_err(internal)?,
            lt("scheduled_date", end)?,
        ]);
        let late = |domain: Domain| -> Result<Domain, ToolError> {
            Ok(Domain::and(vec![
                domain,
                lt("scheduled_date", start.clone())?,
            ]))
        };
        let late_deliveries = late(deliveries)?;
        let receipts = open("incoming")?;
        let late_receipts = late(receipts.clone())?;
        figures.deliveries_today = self.count(PICKING, &today).await?;
        figures.deliveries_late = self.count(PICKING, &late_deliveries).await?;
        figures.oldest_late_deliveries = self.pickings(&late_deliveries).await?;
        figures.receipts_pending = self.count(PICKING, &receipts).await?;
        figures.receipts_late = self.count(PICKING, &late_receipts).await?;
        figures.oldest_late_receipts = self.pickings(&late_receipts).await?;
        Ok(Some(figures))
    }

    /// Posted invoices of `move_type` still (partly) unpaid.
    fn open_invoices(&self, move_type: &str) -> Result<Domain, ToolError> {
        Ok(Domain::and(vec![
            self.company()?,
            eq("state", "posted")?,
            eq("move_type", move_type)?,
            Domain::is_in("payment_state", ["not_paid", "partial"]).map_err(internal)?,
        ]))
    }

    async fn invoices(&self, domain: &Domain, order: &str) -> Result<Vec<TopItem>, ToolError> {
        let records = self
            .client
            .search_read(
                MOVE,
                domain.to_value(),
                &[
                    "name",
                    "partner_id",
                    "invoice_date_due",
                    "amount_residual_signed",
                ],
                Some(order),
                Some(TOP),
                None,
            )
            .await?;
        records
            .iter()
            .map(|r| {
                let mut item = self.item(MOVE, r, "name")?;
                item.amount = money("amount_residual_signed", &r["amount_residual_signed"])
                    .map_err(internal)?;
                item.date = date("invoice_date_due", &r["invoice_date_due"]).map_err(internal)?;
                item.days_overdue = item.date.map(|due| (self.day - due).num_days());
                item.partner = many2one("partner_id", &r["partner_id"])
                    .map_err(internal)?
                    .and_then(|p| p.name);
                Ok(item)
            })
            .collect()
    }

    async fn leads(&self, domain: &Domain, order: &str) -> Result<Vec<TopItem>, ToolError> {
        let records = self
            .client
            .search_read(
                LEAD,
                domain.to_value(),
                &["name", "partner_id", "expected_revenue", "date_deadline"],
                Some(order),
                Some(TOP),
                None,
            )
            .await?;
        records
            .iter()
            .map(|r| {
                let mut item = self.item(LEAD, r, "name")?;
                item.amount =
                    money("expected_revenue", &r["expected_revenue"]).map_err(internal)?;
                item.date = date("date_deadline", &r["date_deadline"]).map_err(internal)?;
                item.days_overdue = item
                    .date
                    .map(|d| (self.day - d).num_days())
                    .filter(|days| *days > 0);
                item.partner = many2one("partner_id", &r["partner_id"])
                    .map_err(internal)?
                    .and_then(|p| p.name);
                Ok(item)
            })
            .collect()
    }

    /// Overdue activities on opportunities: the total, per salesperson,
    /// and the opportunities of the oldest ones.
    async fn activities(&self, figures: &mut SalesFigures) -> Result<(), ToolError> {
        let overdue = Domain::and(vec![
            eq("res_model", LEAD)?,
            lt("date_deadline", date_value(self.day))?,
        ]);
        let groups = self
            .client
            .read_group(ACTIVITY, overdue.to_value(), &["user_id"], &[], None)
            .await?;
        let mut per_user = Vec::new();
        for group in &groups {
            let user = many2one("user_id", group.keys.get("user_id").unwrap_or(&Value::Null))
                .map_err(internal)?;
            let name = match user {
                Some(user) => user.name.unwrap_or_else(|| format!("user {}", user.id)),
                None => "Unassigned".to_owned(),
            };
            figures.overdue_activities += group.count;
            per_user.push((name, group.count));
        }
        per_user.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        figures.activities_by_user = per_user;
        let oldest = self
            .client
            .search_read(
                ACTIVITY,
                overdue.to_value(),
                &["res_id", "summary", "date_deadline"],
                Some("date_deadline asc, id asc"),
                Some(TOP),
                None,
            )
            .await?;
        for r in &oldest {
            let Some(lead) = r["res_id"].as_i64() else {
                continue;
            };
            let due = date("date_deadline", &r["date_deadline"]).map_err(internal)?;
            figures.activity_leads.push(TopItem {
                name: text("summary", &r["summary"])
                    .map_err(internal)?
                    .unwrap_or_else(|| "Activity".to_owned()),
                amount: None,
                date: due,
                days_overdue: due.map(|d| (self.day - d).num_days()),
                partner: None,
                link: Link::new(self.base, LEAD, lead),
            });
        }
        Ok(())
    }

    /// Reordering rules whose forecast is below their minimum. The
    /// forecast is computed by Odoo and cannot be searched on, so the
    /// company's active rules are scanned by id pages up to a cap.
    async fn reordering(&mut self, figures: &mut WarehouseFigures) -> Result<(), ToolError> {
        let mut below = Vec::new();
        let mut last_id = 0_i64;
        let mut scanned = 0_usize;
        loop {
            let page = Domain::and(vec![
                self.company()?,
                Domain::gt("id", last_id).map_err(internal)?,
            ]);
            let records = self
                .client
                .search_read(
                    ORDERPOINT,
                    page.to_value(),
                    &["name", "product_id", "product_min_qty", "qty_forecast"],
                    Some("id asc"),
                    Some(PAGE),
                    None,
                )
                .await?;
            let full = records.len() as u32 == PAGE;
            for r in &records {
                last_id = r["id"].as_i64().unwrap_or(last_id);
                let min = money("product_min_qty", &r["product_min_qty"])
                    .map_err(internal)?
                    .unwrap_or_default();
                let forecast = money("qty_forecast", &r["qty_forecast"])
                    .map_err(internal)?
                    .unwrap_or_default();
                if forecast < min {
                    let product = many2one("product_id", &r["product_id"])
                        .map_err(internal)?
                        .and_then(|p| p.name);
                    let mut item = self.item(ORDERPOINT, r, "name")?;
                    item.name = product.unwrap_or(item.name);
                    item.amount = Some(min - forecast);
                    below.push(item);
                }
            }
            scanned += records.len();
            if !full {
                break;
            }
            if scanned >= MAX_RULES {
                self.warnings.push(Warning::new(
                    TRUNCATED,
                    format!("only the first {MAX_RULES} reordering rules were checked"),
                ));
                break;
            }
        }
        figures.below_reorder = below.len() as u64;
        below.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.link.id.cmp(&b.link.id)));
        below.truncate(TOP as usize);
        figures.top_below_reorder = below;
        Ok(())
    }

    async fn pickings(&self, domain: &Domain) -> Result<Vec<TopItem>, ToolError> {
        let records = self
            .client
            .search_read(
                PICKING,
                domain.to_value(),
                &["name", "partner_id", "scheduled_date"],
                Some("scheduled_date asc, id asc"),
                Some(TOP),
                None,
            )
            .await?;
        records
            .iter()
            .map(|r| {
                let mut item = self.item(PICKING, r, "name")?;
                let scheduled = crate::odoo::datetime("scheduled_date", &r["scheduled_date"])
                    .map_err(internal)?
                    .map(|at| at.with_timezone(&self.zone).date_naive());
                item.date = scheduled;
                item.days_overdue = scheduled.map(|d| (self.day - d).num_days());
                item.partner = many2one("partner_id", &r["partner_id"])
                    .map_err(internal)?
                    .and_then(|p| p.name);
                Ok(item)
            })
            .collect()
    }

    /// Bank and cash balance as in spec 5.2: Σ `balance` of posted journal
    /// items on the bank and cash journals' default accounts up to `D`,
    /// with links to those journals.
    async fn cash_position(&self) -> Result<(Decimal, Vec<Link>), ToolError> {
        let journals = self
            .client
            .search_read(
                "account.journal",
                Domain::and(vec![
                    self.company()?,
                    Domain::is_in("type", ["bank", "cash"]).map_err(internal)?,
                ])
                .to_value(),
                &["default_account_id"],
                Some("id asc"),
                None,
                None,
            )
            .await?;
        let links = journals
            .iter()
            .filter_map(|j| j["id"].as_i64())
            .map(|id| Link::new(self.base, "account.journal", id))
            .collect();
        let mut accounts = Vec::new();
        for journal in &journals {
            if let Some(account) =
                many2one("default_account_id", &journal["default_account_id"]).map_err(internal)?
            {
                accounts.push(account.id);
            }
        }
        if accounts.is_empty() {
            return Ok((Decimal::ZERO, links));
        }
        let lines = Domain::and(vec![
            self.company()?,
            Domain::is_in("account_id", accounts).map_err(internal)?,
            eq("parent_state", "posted")?,
            Domain::le("date", date_value(self.day)).map_err(internal)?,
        ]);
        let total = self
            .tally("account.move.line", &lines, "balance")
            .await?
            .total;
        Ok((total, links))
    }

    /// Σ expected revenue × probability / 100, from one grouped read by
    /// probability.
    async fn weighted(&self, pipeline: &Domain) -> Result<Decimal, ToolError> {
        let groups = self
            .client
            .read_group(
                LEAD,
                pipeline.to_value(),
                &["probability"],
                &[Aggregate::sum("expected_revenue")],
                None,
            )
            .await?;
        let mut total = Decimal::ZERO;
        for group in &groups {
            let probability = money(
                "probability",
                group.keys.get("probability").unwrap_or(&Value::Null),
            )
            .map_err(internal)?
            .unwrap_or_default();
            let revenue = money(
                "expected_revenue",
                group
                    .aggregates
                    .get("expected_revenue:sum")
                    .unwrap_or(&Value::Null),
            )
            .map_err(internal)?
            .unwrap_or_default();
            total += revenue * probability / Decimal::ONE_HUNDRED;
        }
        Ok(total)
    }

    /// Count and Σ `field` of `domain`, one grouped read.
    async fn tally(&self, model: &str, domain: &Domain, field: &str) -> Result<Tally, ToolError> {
        let aggregate = Aggregate::sum(field);
        let groups = self
            .client
            .read_group(
                model,
                domain.to_value(),
                &[],
                std::slice::from_ref(&aggregate),
                None,
            )
            .await?;
        let Some(group) = groups.into_iter().next() else {
            return Ok(Tally::default());
        };
        let total = money(
            field,
            group
                .aggregates
                .get(&aggregate.spec())
                .unwrap_or(&Value::Null),
        )
        .map_err(internal)?
        .unwrap_or_default();
        Ok(Tally {
            count: group.count,
            total,
        })
    }

    async fn count(&self, model: &str, domain: &Domain) -> Result<u64, ToolError> {
        Ok(self.client.search_count(model, domain.to_value()).await?)
    }

    fn item(&self, model: &str, record: &Value, name_field: &str) -> Result<TopItem, ToolError> {
        let id = record["id"]
            .as_i64()
            .ok_or_else(|| internal(format!("{model} record without an id")))?;
        let name = text(name_field, &record[name_field])
            .map_err(internal)?
            .unwrap_or_else(|| format!("{model} {id}"));
        Ok(TopItem {
            name,
            amount: None,
            date: None,
            days_overdue: None,
            partner: None,
            link: Link::new(self.base, model, id),
        })
    }

    fn company(&self) -> Result<Domain, ToolError> {
        eq("company_id", self.company_id)
    }

    /// Products may be shared between companies (company unset).
    fn shared_company(&self) -> Result<Domain, ToolError> {
        Domain::is_in(
            "company_id",
            [Value::from(self.company_id), Value::Bool(false)],
        )
        .map_err(internal)
    }

    /// Midnight of `day` in the zone, in UTC as Odoo stores datetimes.
    fn utc_start(&self, day: NaiveDate) -> Value {
        let local = day.and_time(NaiveTime::MIN);
        let at = self
            .zone
            .from_local_datetime(&local)
            .earliest()
            .map_or_else(|| local.and_utc(), |at| at.with_timezone(&Utc));
        Value::from(at.format("%Y-%m-%d %H:%M:%S").to_string())
    }
}

fn date_value(day: NaiveDate) -> Value {
    Value::from(day.format("%Y-%m-%d").to_string())
}

fn eq(field: &str, value: impl Into<Value>) -> Result<Domain, ToolError> {
    Domain::eq(field, value).map_err(internal)
}

fn lt(field: &str, value: impl Into<Value>) -> Result<Domain, ToolError> {
    Domain::lt(field, value).map_err(internal)
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
