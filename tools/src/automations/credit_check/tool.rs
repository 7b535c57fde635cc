//! `CreditCheck`: the `credit_check` tool. Checks the arguments, reads the
//! context and the facts from Odoo as the asking user, runs the pure
//! assessment and wraps the result in the envelope of spec 0.1.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{Months, Utc};
use rust_decimal::Decimal;
use serde_json::Value;

use super::args::{CreditCheckArgs, PartnerKey, Request, Target, check};
use super::compute::{Assessment, LimitFacts, PartnerFacts, Verdict, assess};
use super::config::{CreditCheckConfig, CreditConfigError};
use super::output::{
    CreditData, HoldAction, HoldFacts, Link, OrderInput, PartnerCredit, PartnerRef,
    PortfolioCredit, PortfolioRow, display_money, partner_summary, portfolio_summary,
};
use super::read::{
    Customers, LedgerRequest, PartnerFields, PartnerRecord, customers_with_receivables,
    rate_history, rate_on, read_company_limit, read_ledgers, read_partners,
};
use crate::automations::context::currency_places;
use crate::automations::events::{
    EventKind, EventSeverity, ProductEvent, ProductEvents, record_all,
};
use crate::automations::{ContextRequest, Envelope, RunContext, TRUNCATED, Warning, read_context};
use crate::builtin::Clock;
use crate::exports::{Cell, Column, ExportError, ExportFormat, Table};
use crate::odoo::Domain;
use crate::odoo_client::{OdooClient, OdooConnector};
use crate::{OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

/// Semver of the algorithm; bump whenever the numbers would change.
pub const TOOL_VERSION: &str = "1.0.0";

/// The models the tool reads.
const ACCESS: &[OdooAccess] = &[
    OdooAccess::read("res.partner"),
    OdooAccess::read("res.company"),
    OdooAccess::read("res.currency"),
    OdooAccess::read("res.currency.rate"),
    OdooAccess::read("account.move"),
    OdooAccess::read("account.move.line"),
    OdooAccess::read("account.partial.reconcile"),
    OdooAccess::read("sale.order"),
];

/// Most candidates a name search lists.
const NAME_CANDIDATES: u32 = 10;

/// Scores customers' credit risk and decides on new orders.
pub struct CreditCheck {
    config: CreditCheckConfig,
    connector: Arc<dyn OdooConnector>,
    /// "Now": the system clock, fixed in evals and tests.
    clock: Clock,
    /// Where a blocked order is recorded for the CFO digest.
    events: Option<Arc<dyn ProductEvents>>,
}

impl CreditCheck {
    /// Fails when the configuration cannot score (weights not summing to 1, ..).
    pub fn new(
        config: CreditCheckConfig,
        connector: Arc<dyn OdooConnector>,
    ) -> Result<Self, CreditConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            connector,
            clock: Arc::new(Utc::now),
            events: None,
        })
    }

    /// The spec's defaults (checked by a unit test), with links to
    /// `odoo_base_url`.
    pub fn with_defaults(odoo_base_url: url::Url, connector: Arc<dyn OdooConnector>) -> Self {
        Self {
            config: CreditCheckConfig::new(odoo_base_url),
            connector,
            clock: Arc::new(Utc::now),
            events: None,
        }
    }

    /// The same tool reading "now" from `clock` (fixed in evals and tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Records each blocked order of a single-customer check in `events`,
    /// once per customer and day (spec 7.2 `anomalies`).
    pub fn with_events(mut self, events: Arc<dyn ProductEvents>) -> Self {
        self.events = Some(events);
        self
    }
}

impl Tool for CreditCheck {
    const NAME: &'static str = "credit_check";
    const KIND: ToolKind = ToolKind::Read;
    type Args = CreditCheckArgs;
    type Output = Envelope<CreditData>;

    fn description(&self) -> &'static str {
        "Scores a customer's credit risk (0-100, band low/normal/elevated/high/critical) from \
         payment history, order volume, overdue share and relationship age, computes the \
         exposure (open invoices minus open credit notes plus confirmed orders not yet \
         invoiced) against the credit limit, and says whether a new order of order_amount \
         should be allowed, warned or blocked, with the reasons. Use mode \"portfolio\" for \
         the riskiest customers and every blocked one. Read-only: it never changes Odoo."
    }

    fn access(&self) -> &'static [OdooAccess] {
        ACCESS
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let request = check(Self::NAME, args, &self.config)?;
        let client = self.connector.client_for(&ctx.identity).await?;
        let now = (self.clock)();
        let run = read_context(
            &client,
            ContextRequest {
                company_id: request.company_id,
                as_of: request.as_of,
                zone: None,
            },
            now,
        )
        .await?;
        let today = now.with_timezone(&run.zone).date_naive();
        if run.today > today {
            return Err(invalid(
                "as_of",
                &format!("must not be after today ({today}), got {}", run.today),
            ));
        }
        let run = Run {
            tool: self,
            client: &client,
            request: &request,
            places: currency_places(&client, &run.envelope.company.currency).await?,
            context: run,
        };
        match &request.target {
            Target::Partner(key) => run.partner(key).await,
            Target::Portfolio { top, export } => run.portfolio(*top, *export).await,
        }
    }
}

/// One call's state once the context is known.
struct Run<'a> {
    tool: &'a CreditCheck,
    client: &'a OdooClient,
    request: &'a Request,
    context: RunContext,
    /// Decimal places of the company currency.
    places: u32,
}

impl Run<'_> {
    async fn partner(&self, key: &PartnerKey) -> Result<Envelope<CreditData>, ToolError> {
        let mut warnings = Vec::new();
        let fields = PartnerFields::probe(self.client).await?;
        let asked = self.resolve(key, fields).await?;
        let commercial = if asked.commercial_id == asked.id {
            asked.clone()
        } else {
            warnings.push(Warning::new(
                "COMMERCIAL_ENTITY",
                format!(
                    "{} (id {}) is a contact of {}; the commercial entity (id {}) is evaluated",
                    asked.name, asked.id, asked.commercial_id, asked.commercial_id
                ),
            ));
            self.read_one(asked.commercial_id, fields).await?
        };
        if !commercial.active {
            warnings.push(Warning::new(
                "ARCHIVED_PARTNER",
                format!("{} (id {}) is archived", commercial.name, commercial.id),
            ));
        }
        let order_amount = self.order_in_company_currency().await?;
        let company_limit = read_company_limit(self.client, self.company_id()).await?;
        let mut ledgers = read_ledgers(
            self.client,
            &self.ledger_request(Customers::One(commercial.id))?,
        )
        .await?;
        warnings.append(&mut ledgers.warnings);
        let facts = ledgers.facts.remove(&commercial.id).unwrap_or_default();
        let facts = with_partner(facts, &commercial, company_limit);
        let assessment = assess(
            &facts,
            order_amount,
            self.context.today,
            &self.tool.config.scoring,
        );
        let hold = hold_facts(&commercial, &assessment, fields);
        let base = &self.tool.config.odoo_base_url;
        let mut links = vec![Link::new(base, "res.partner", commercial.id)];
        if asked.id != commercial.id {
            links.push(Link::new(base, "res.partner", asked.id));
        }
        let currency = self.context.envelope.company.currency.clone();
        let data = PartnerCredit {
            partner: PartnerRef {
                id: asked.id,
                name: asked.name.clone(),
                commercial_id: commercial.id,
                commercial_name: commercial.name.clone(),
                active: commercial.active,
            },
            as_of: self.context.today,
            lookback_months: self.request.lookback_months,
            order_input: OrderInput {
                amount: self.request.order_amount,
                currency: self
                    .request
                    .order_currency
                    .clone()
                    .unwrap_or_else(|| currency.clone()),
            },
            currency,
            assessment,
            hold,
            links,
        };
        let summary = partner_summary(&data, self.places);
        if let (Some(events), Verdict::Block) = (&self.tool.events, data.assessment.verdict) {
            record_all(events.as_ref(), &[self.blocked_event(&data)]).await;
        }
        Ok(self.envelope(CreditData::Partner(Box::new(data)), warnings, &summary))
    }

    async fn portfolio(
        &self,
        top: u32,
        export: Option<ExportFormat>,
    ) -> Result<Envelope<CreditData>, ToolError> {
        let mut warnings = Vec::new();
        let fields = PartnerFields::probe(self.client).await?;
        let with_receivables = customers_with_receivables(self.client, self.company_id()).await?;
        let mut partners: BTreeMap<i64, PartnerRecord> = BTreeMap::new();
        for record in read_partners(self.client, &with_receivables, fields).await? {
            partners.insert(record.id, record);
        }
        let commercial: BTreeSet<i64> = partners.values().map(|p| p.commercial_id).collect();
        let missing: Vec<i64> = commercial
            .iter()
            .copied()
            .filter(|id| !partners.contains_key(id))
            .collect();
        for record in read_partners(self.client, &missing, fields).await? {
            partners.insert(record.id, record);
        }
        let company_limit = read_company_limit(self.client, self.company_id()).await?;
        let mut ledgers = read_ledgers(self.client, &self.ledger_request(Customers::All)?).await?;
        warnings.append(&mut ledgers.warnings);
        let base = &self.tool.config.odoo_base_url;
        let mut rows = Vec::with_capacity(commercial.len());
        for id in &commercial {
            let Some(partner) = partners.get(id) else {
                continue;
            };
            let facts = ledgers.facts.remove(id).unwrap_or_default();
            let facts = with_partner(facts, partner, company_limit);
            let assessment = assess(
                &facts,
                Decimal::ZERO,
                self.context.today,
                &self.tool.config.scoring,
            );
            rows.push(PortfolioRow {
                partner_id: partner.id,
                name: partner.name.clone(),
                score: assessment.score,
                band: assessment.band,
                exposure: assessment.exposure.total,
                overdue_amount: assessment.overdue.amount,
                max_days_overdue: assessment.overdue.max_days,
                credit_limit: assessment.credit_limit,
                limit_source: assessment.limit_source,
                verdict: assessment.verdict,
                hold_recommended: assessment.hold_recommended,
                reasons: assessment.reasons.iter().map(|r| r.code).collect(),
                hold: hold_facts(partner, &assessment, fields),
                link: Link::new(base, "res.partner", partner.id),
            });
        }
        // Lowest score first; ties by larger exposure, then id, so the
        // order never depends on how Odoo listed the groups.
        rows.sort_by(|a, b| {
            a.score
                .cmp(&b.score)
                .then(b.exposure.cmp(&a.exposure))
                .then(a.partner_id.cmp(&b.partner_id))
        });
        let blocked_all: Vec<&PortfolioRow> = rows
            .iter()
            .filter(|r| r.verdict == Verdict::Block)
            .collect();
        let cap = self.tool.config.max_blocked_listed;
        if blocked_all.len() > cap {
            warnings.push(Warning::new(
                TRUNCATED,
                format!(
                    "{} customers are blocked; the first {cap} by score are listed",
                    blocked_all.len()
                ),
            ));
        }
        let data = PortfolioCredit {
            as_of: self.context.today,
            lookback_months: self.request.lookback_months,
            currency: self.context.envelope.company.currency.clone(),
            evaluated: rows.len(),
            blocked_count: blocked_all.len(),
            blocked: blocked_all.into_iter().take(cap).cloned().collect(),
            lowest: rows.iter().take(top as usize).cloned().collect(),
        };
        let files = match export {
            Some(format) => vec![
                portfolio_table(&rows, &data, self.places, self.context.envelope.as_of)
                    .map_err(internal)?
                    .to_attachment(format, &format!("credit portfolio {}", data.as_of))
                    .map_err(internal)?,
            ],
            None => Vec::new(),
        };
        let mut summary = portfolio_summary(&data, self.places);
        if let Some(file) = files.first() {
            summary = format!(
                "{summary} File {} lists all {} customers.",
                file.file_name, data.evaluated
            );
        }
        Ok(self
            .envelope(CreditData::Portfolio(data), warnings, &summary)
            .with_attachments(files))
    }

    /// The partner named by id, or the one customer a name fits.
    async fn resolve(
        &self,
        key: &PartnerKey,
        fields: PartnerFields,
    ) -> Result<PartnerRecord, ToolError> {
        let name = match key {
            PartnerKey::Id(id) => return self.read_one(*id, fields).await,
            PartnerKey::Name(name) => name,
        };
        let shared = Domain::is_in(
            "company_id",
            [Value::from(self.company_id()), Value::Bool(false)],
        )
        .map_err(internal)?;
        let hits = self
            .client
            .name_search("res.partner", name, shared.to_value(), NAME_CANDIDATES)
            .await?;
        let ids: Vec<i64> = hits.iter().map(|r| r.id).collect();
        let found = read_partners(self.client, &ids, fields).await?;
        // Contacts of one company are one customer; an exact name wins.
        let exact: Vec<&PartnerRecord> = found
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name))
            .collect();
        let pool: Vec<&PartnerRecord> = if exact.is_empty() {
            found.iter().collect()
        } else {
            exact
        };
        let entities: BTreeSet<i64> = pool.iter().map(|p| p.commercial_id).collect();
        match entities.len() {
            0 => Err(ToolError::NotFound(format!(
                "no customer named like {name:?}; check the spelling or give partner_id"
            ))),
            1 => {
                let id = entities.into_iter().next().unwrap_or_default();
                match pool.iter().find(|p| p.id == id) {
                    Some(partner) => Ok((*partner).clone()),
                    None => Ok(pool[0].clone()),
                }
            }
            _ => {
                let listed: Vec<String> = pool
                    .iter()
                    .map(|p| format!("{} (partner_id {})", p.name, p.id))
                    .collect();
                let more = if hits.len() as u32 >= NAME_CANDIDATES {
                    " (and possibly more)"
                } else {
                    ""
                };
                Err(ToolError::NeedsClarification(format!(
                    "{name:?} fits {} customers{more}: {}; ask which one and call again with \
                     partner_id",
                    entities_count(&pool),
                    listed.join(", ")
                )))
            }
        }
    }

    async fn read_one(&self, id: i64, fields: PartnerFields) -> Result<PartnerRecord, ToolError> {
        read_partners(self.client, &[id], fields)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ToolError::NotFound(format!("res.partner with id {id} does not exist")))
    }

    /// `order_amount` in company currency at the rate of `as_of`.
    async fn order_in_company_currency(&self) -> Result<Decimal, ToolError> {
        let company = &self.context.envelope.company.currency;
        let amount = self.request.order_amount;
        let Some(code) = self
            .request
            .order_currency
            .as_ref()
            .filter(|code| *code != company)
        else {
            return Ok(amount);
        };
        let domain = Domain::and(vec![
            Domain::eq("name", code.as_str()).map_err(internal)?,
            Domain::eq("active", true).map_err(internal)?,
        ]);
        let found = self
            .client
            .search_read(
                "res.currency",
                domain.to_value(),
                &["name"],
                None,
                Some(1),
                None,
            )
            .await?;
        let Some(currency) = found.first().and_then(|c| c["id"].as_i64()) else {
            return Err(invalid(
                "order_currency",
                &format!("{code} is not an active currency in this Odoo"),
            ));
        };
        let history =
            rate_history(self.client, self.company_id(), currency, self.context.today).await?;
        let rate = rate_on(&history, self.context.today).ok_or_else(|| {
            invalid(
                "order_currency",
                &format!(
                    "{code} has no exchange rate on or before {}",
                    self.context.today
                ),
            )
        })?;
        Ok(amount / rate)
    }

    fn ledger_request(&self, customers: Customers) -> Result<LedgerRequest, ToolError> {
        let as_of = self.context.today;
        let back = |months: u32| {
            as_of
                .checked_sub_months(Months::new(months))
                .ok_or_else(|| internal(format!("{as_of} minus {months} months")))
        };
        Ok(LedgerRequest {
            company_id: self.company_id(),
            company_currency: self.context.envelope.company.currency.clone(),
            as_of,
            lookback_start: back(self.request.lookback_months)?,
            volume_start: back(self.tool.config.scoring.volume_months)?,
            customers,
            max_paid_invoices: self.tool.config.max_paid_invoices,
            max_open_orders: self.tool.config.max_open_orders,
        })
    }

    fn company_id(&self) -> i64 {
        self.context.envelope.company.id
    }

    /// `Acme: credit check blocked an order of 5,000.00 EUR (exposure
    /// 12,000.00 EUR, limit 10,000.00 EUR, score 41.5)`.
    fn blocked_event(&self, data: &PartnerCredit) -> ProductEvent {
        let money = |v: Decimal| format!("{} {}", display_money(v, self.places), data.currency);
        let a = &data.assessment;
        let limit = a
            .credit_limit
            .map_or_else(|| "no limit".to_owned(), |l| format!("limit {}", money(l)));
        ProductEvent {
            company_id: self.company_id(),
            kind: EventKind::CreditBlocked,
            key: format!("res.partner/{}/{}", data.partner.commercial_id, data.as_of),
            severity: EventSeverity::High,
            description: format!(
                "{}: credit check blocked an order of {} (exposure {}, {limit}, score {})",
                data.partner.commercial_name,
                money(a.order.amount),
                money(a.exposure.total),
                a.score.round_dp(1)
            ),
            source: CreditCheck::NAME.to_owned(),
            occurred_at: self.context.envelope.as_of,
        }
    }

    fn envelope(
        &self,
        data: CreditData,
        warnings: Vec<Warning>,
        summary: &str,
    ) -> Envelope<CreditData> {
        Envelope::new(
            CreditCheck::NAME,
            TOOL_VERSION,
            self.context.envelope.clone(),
            data,
            warnings,
            summary,
        )
    }
}

/// The facts completed with what the partner record says.
fn with_partner(
    mut facts: PartnerFacts,
    partner: &PartnerRecord,
    company: (Option<bool>, Option<Decimal>),
) -> PartnerFacts {
    facts.created = partner.created;
    facts.limit = LimitFacts {
        partner_limit: partner.credit_limit,
        partner_switch: partner.use_partner_credit_limit,
        company_enabled: company.0,
        company_default: company.1,
    };
    facts
}

fn hold_facts(
    partner: &PartnerRecord,
    assessment: &Assessment,
    fields: PartnerFields,
) -> HoldFacts {
    let blocked = partner.sale_warn.as_deref() == Some("block");
    HoldFacts {
        partner_id: partner.id,
        partner_name: partner.name.clone(),
        current_credit_limit: partner.credit_limit,
        use_partner_credit_limit: partner.use_partner_credit_limit,
        sale_warn: partner.sale_warn.clone(),
        sales_warning_available: fields.sale_warn,
        currently_blocked: blocked,
        suggested_action: HoldAction::suggest(assessment.hold_recommended, blocked),
    }
}

fn entities_count(pool: &[&PartnerRecord]) -> usize {
    pool.iter()
        .map(|p| p.commercial_id)
        .collect::<BTreeSet<_>>()
        .len()
}

/// Every evaluated customer, lowest score first, as an export table.
fn portfolio_table(
    rows: &[PortfolioRow],
    data: &PortfolioCredit,
    places: u32,
    generated_at: chrono::DateTime<Utc>,
) -> Result<Table, ExportError> {
    let currency = data.currency.as_str();
    let mut table = Table::new(
        &format!("Credit portfolio on {}", data.as_of),
        generated_at,
        vec![
            Column::text("customer", "Customer"),
            Column::integer("partner_id", "Partner id"),
            Column::number("score", "Score", 0),
            Column::text("band", "Band"),
            Column::text("verdict", "Verdict"),
            Column::money("exposure", "Exposure", currency, places),
            Column::money("overdue_amount", "Overdue", currency, places),
            Column::integer("max_days_overdue", "Max days overdue"),
            Column::money("credit_limit", "Credit limit", currency, places),
            Column::text("hold_recommended", "Hold recommended"),
            Column::text("reasons", "Reasons"),
        ],
    )
    .with_note(format!(
        "{} customers with open receivables, amounts in {currency}",
        data.evaluated
    ));
    for row in rows {
        let cells = vec![
            Cell::Text(row.name.clone()),
            Cell::Integer(row.partner_id),
            Cell::Decimal(row.score),
            Cell::Text(row.band.as_str().to_owned()),
            Cell::Text(row.verdict.as_str().to_owned()),
            Cell::Decimal(row.exposure),
            Cell::Decimal(row.overdue_amount),
            Cell::Integer(row.max_days_overdue),
            row.credit_limit.map_or(Cell::Empty, Cell::Decimal),
            Cell::Text(if row.hold_recommended { "yes" } else { "no" }.to_owned()),
            Cell::Text(row.reasons.join(", ")),
        ];
        table.push(cells)?;
    }
    Ok(table)
}

fn invalid(field: &str, message: &str) -> ToolError {
    ToolError::InvalidArgs {
        tool: CreditCheck::NAME.to_owned(),
        message: format!("field `{field}`: {message}"),
    }
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
