//! The Odoo reads behind `find_duplicates`: the records of one entity in a
//! complete id-paged scan with a stated cap, and the facts the master
//! choice and the proposals need, each a grouped read (`read_group`) over
//! the group members rather than a loop over records.

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;

use serde_json::Value;

use super::args::DedupFilters;
use super::profile::{DedupRecord, Entity};
use super::records::{LeadRecord, PartnerRecord, ProductRecord, RecordError};
use crate::ToolError;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, DomainError, many2one};
use crate::odoo_client::{OdooClient, OdooError};

/// Records per page of a scan (spec 0.2).
const PAGE: NonZeroU32 = NonZeroU32::MIN.saturating_add(999);
/// Ids per `read` call and per `in` domain of a grouped read.
const CHUNK: usize = 1000;

/// The warning code when a fact could not be read (no right, no module).
pub(crate) const FACTS_INCOMPLETE: &str = "FACTS_INCOMPLETE";

/// A record type the tool reads from Odoo.
pub(crate) trait OdooRecord: DedupRecord + Clone + Send + Sized {
    /// The fields read; `mobile` only where the server has it (gone in 19).
    fn fields(has_mobile: bool) -> Vec<&'static str>;
    fn parse(row: &Value) -> Result<Self, RecordError>;
}

impl OdooRecord for PartnerRecord {
    fn fields(has_mobile: bool) -> Vec<&'static str> {
        let mut fields = vec![
            "name",
            "email",
            "phone",
            "vat",
            "is_company",
            "parent_id",
            "commercial_partner_id",
            "company_id",
            "street",
            "zip",
            "city",
            "country_id",
            "customer_rank",
            "supplier_rank",
            "active",
            "create_date",
        ];
        if has_mobile {
            fields.push("mobile");
        }
        fields
    }

    fn parse(row: &Value) -> Result<Self, RecordError> {
        Self::from_json(row)
    }
}

impl OdooRecord for LeadRecord {
    fn fields(_: bool) -> Vec<&'static str> {
        vec![
            "name",
            "contact_name",
            "partner_name",
            "email_from",
            "phone",
            "partner_id",
            "type",
            "stage_id",
            "user_id",
            "company_id",
            "active",
            "create_date",
        ]
    }

    fn parse(row: &Value) -> Result<Self, RecordError> {
        Self::from_json(row)
    }
}

impl OdooRecord for ProductRecord {
    fn fields(_: bool) -> Vec<&'static str> {
        vec![
            "name",
            "default_code",
            "barcode",
            "product_tmpl_id",
            "categ_id",
            "company_id",
            "active",
        ]
    }

    fn parse(row: &Value) -> Result<Self, RecordError> {
        Self::from_json(row)
    }
}

/// What a scan is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    pub entity: Entity,
    pub company_id: i64,
    pub filters: DedupFilters,
    pub max_records: usize,
}

/// The records read and what went wrong on the way.
#[derive(Debug)]
pub(crate) struct Scanned<R> {
    pub records: Vec<R>,
    pub warnings: Vec<Warning>,
}

/// Every record of the entity in the company (and shared between
/// companies) that the filters keep, in id order, up to `max_records`.
pub(crate) async fn scan<R: OdooRecord>(
    client: &OdooClient,
    scope: &Scope,
) -> Result<Scanned<R>, ToolError> {
    let model = scope.entity.model();
    let has_mobile = scope.entity == Entity::Partner && client.has_field(model, "mobile").await?;
    let fields = R::fields(has_mobile);
    let domain = scope_domain(scope)?;
    let scan = client
        .scan(model, &domain, &fields, PAGE, scope.max_records)
        .await?;
    let mut warnings = Vec::new();
    if scan.truncated {
        warnings.push(Warning::new(
            TRUNCATED,
            format!(
                "read the first {} of {} {model} records (by id); records after them were not \
                 compared: raise max_records or narrow the filters",
                scan.records.len(),
                scan.total
            ),
        ));
    }
    let records = scan
        .records
        .iter()
        .map(|row| R::parse(row).map_err(internal))
        .collect::<Result<Vec<R>, ToolError>>()?;
    Ok(Scanned { records, warnings })
}

/// One record by id, archived or not, whatever the filters say; `None`
/// when it does not exist or the user may not see it.
pub(crate) async fn read_one<R: OdooRecord>(
    client: &OdooClient,
    entity: Entity,
    id: i64,
) -> Result<Option<R>, ToolError> {
    let model = entity.model();
    let has_mobile = entity == Entity::Partner && client.has_field(model, "mobile").await?;
    let mut fields = R::fields(has_mobile);
    fields.push("id");
    let rows = client.read(model, &[id], &fields).await?;
    rows.first()
        .map(|row| R::parse(row).map_err(internal))
        .transpose()
}

/// The domain of spec 0.2's company scope plus the filters.
fn scope_domain(scope: &Scope) -> Result<Domain, ToolError> {
    let mut terms = vec![leaf(Domain::is_in(
        "company_id",
        [Value::from(scope.company_id), Value::Bool(false)],
    ))?];
    if scope.filters.include_archived {
        terms.push(leaf(Domain::is_in("active", [true, false]))?);
    }
    if scope.filters.customers_only {
        terms.push(leaf(Domain::gt("customer_rank", 0))?);
    }
    if scope.filters.suppliers_only {
        terms.push(leaf(Domain::gt("supplier_rank", 0))?);
    }
    if scope.filters.companies_only {
        terms.push(leaf(Domain::eq("is_company", true))?);
    }
    Ok(Domain::and(terms))
}

/// Whether CRM is installed (`crm.lead` exists).
pub(crate) async fn has_crm(client: &OdooClient) -> Result<bool, ToolError> {
    Ok(client.has_model(LeadRecord::MODEL).await?)
}

/// Sets each lead's stage sequence from `crm.stage`, one read for all
/// stages in use.
pub(crate) async fn stage_sequences(
    client: &OdooClient,
    leads: &mut [&mut LeadRecord],
) -> Result<(), ToolError> {
    let stages: BTreeSet<i64> = leads
        .iter()
        .filter_map(|l| l.stage_id.as_ref().map(|s| s.id))
        .collect();
    let stages: Vec<i64> = stages.into_iter().collect();
    let mut sequence = HashMap::new();
    for chunk in stages.chunks(CHUNK) {
        for row in client.read("crm.stage", chunk, &["sequence"]).await? {
            if let (Some(id), Some(seq)) = (row["id"].as_i64(), row["sequence"].as_i64()) {
                sequence.insert(id, seq);
            }
        }
    }
    for lead in leads.iter_mut() {
        lead.stage_sequence = lead
            .stage_id
            .as_ref()
            .and_then(|s| sequence.get(&s.id).copied());
    }
    Ok(())
}

/// Counts per record id of documents pointing at it, added up over
/// several models; a model the user may not read or that is not installed
/// is left out with a warning.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub by_id: HashMap<i64, u64>,
    pub warnings: Vec<Warning>,
}

/// One source of linked documents: `model` records whose `field` points
/// at the counted record, within `extra`.
pub(crate) struct Source {
    pub model: &'static str,
    pub field: &'static str,
    pub extra: Vec<Domain>,
    /// What the warning calls the documents when they cannot be counted.
    pub what: &'static str,
}

/// The documents linked to each of `ids` (spec 4.7: invoices, sales and
/// purchase orders and leads of a partner; stock moves and order lines of
/// a product), one grouped read per source and chunk of ids.
pub(crate) async fn linked_documents(
    client: &OdooClient,
    ids: &[i64],
    sources: Vec<Source>,
) -> Result<Counts, ToolError> {
    let mut counts = Counts::default();
    if ids.is_empty() {
        return Ok(counts);
    }
    for source in sources {
        match count_by(client, source.model, source.field, ids, &source.extra).await? {
            Some(found) => {
                for (id, n) in found {
                    *counts.by_id.entry(id).or_default() += n;
                }
            }
            None => counts.warnings.push(Warning::new(
                FACTS_INCOMPLETE,
                format!(
                    "{} ({}) could not be counted for the master choice: the model is missing \
                     or not readable by this user",
                    source.what, source.model
                ),
            )),
        }
    }
    Ok(counts)
}

/// The sources of spec 4.7 for partners.
pub(crate) fn partner_sources(company_id: i64) -> Result<Vec<Source>, ToolError> {
    let company = || leaf(Domain::eq("company_id", company_id));
    Ok(vec![
        Source {
            model: "account.move",
            field: "partner_id",
            extra: vec![
                company()?,
                leaf(Domain::is_in(
                    "move_type",
                    ["out_invoice", "out_refund", "in_invoice", "in_refund"],
                ))?,
            ],
            what: "invoices and bills",
        },
        Source {
            model: "sale.order",
            field: "partner_id",
            extra: vec![company()?],
            what: "sales orders",
        },
        Source {
            model: "purchase.order",
            field: "partner_id",
            extra: vec![company()?],
            what: "purchase orders",
        },
        Source {
            model: "crm.lead",
            field: "partner_id",
            extra: vec![leaf(Domain::is_in("active", [true, false]))?],
            what: "leads",
        },
    ])
}

/// The sources of spec 4.7 for products.
pub(crate) fn product_sources() -> Vec<Source> {
    vec![
        Source {
            model: "stock.move",
            field: "product_id",
            extra: Vec::new(),
            what: "stock moves",
        },
        Source {
            model: "sale.order.line",
            field: "product_id",
            extra: Vec::new(),
            what: "sales order lines",
        },
        Source {
            model: "purchase.order.line",
            field: "product_id",
            extra: Vec::new(),
            what: "purchase order lines",
        },
    ]
}

/// `search_count` per value of `field` among `ids`, by grouped reads;
/// `None` when the model is missing or the user may not read it.
pub(crate) async fn count_by(
    client: &OdooClient,
    model: &str,
    field: &str,
    ids: &[i64],
    extra: &[Domain],
) -> Result<Option<HashMap<i64, u64>>, ToolError> {
    if !client.has_model(model).await? {
        return Ok(None);
    }
    let mut counts = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut terms = vec![leaf(Domain::is_in(field, chunk.iter().copied()))?];
        terms.extend(extra.iter().cloned());
        let groups = match client
            .read_group(model, Domain::and(terms).to_value(), &[field], &[], None)
            .await
        {
            Ok(groups) => groups,
            Err(OdooError::AccessDenied { .. } | OdooError::MissingModelOrField { .. }) => {
                return Ok(None);
            }
            Err(err) => return Err(err.into()),
        };
        for group in groups {
            let key =
                many2one(field, group.keys.get(field).unwrap_or(&Value::Null)).map_err(internal)?;
            if let Some(key) = key {
                *counts.entry(key.id).or_default() += group.count;
            }
        }
    }
    Ok(Some(counts))
}

/// `qty_available` of each product, where the field exists and may be read.
pub(crate) async fn on_hand(
    client: &OdooClient,
    ids: &[i64],
) -> Result<Option<HashMap<i64, f64>>, ToolError> {
    if ids.is_empty()
        || !client
            .has_field(ProductRecord::MODEL, "qty_available")
            .await?
    {
        return Ok(None);
    }
    let mut quantities = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = match client
            .read(ProductRecord::MODEL, chunk, &["qty_available"])
            .await
        {
            Ok(rows) => rows,
            Err(OdooError::AccessDenied { .. }) => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        for row in rows {
            if let Some(id) = row["id"].as_i64() {
                quantities.insert(id, row["qty_available"].as_f64().unwrap_or(0.0));
            }
        }
    }
    Ok(Some(quantities))
}

/// States of an order that is still open: quotations and confirmed orders
/// (cancelled ones are not; "done" no longer exists from 17, spec 0.5).
pub(crate) const OPEN_SALE_STATES: [&str; 3] = ["draft", "sent", "sale"];
pub(crate) const OPEN_PURCHASE_STATES: [&str; 4] = ["draft", "sent", "to approve", "purchase"];

/// The domain of open order lines of a model (`sale.order.line` or
/// `purchase.order.line`).
pub(crate) fn open_lines(model: &str) -> Result<Domain, ToolError> {
    let states: &[&str] = if model == "sale.order.line" {
        &OPEN_SALE_STATES
    } else {
        &OPEN_PURCHASE_STATES
    };
    leaf(Domain::is_in("order_id.state", states.iter().copied()))
}

pub(crate) fn leaf(result: Result<Domain, DomainError>) -> Result<Domain, ToolError> {
    result.map_err(internal)
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}
