//! The plan against this Odoo (spec 6.2 steps 1-2): the dataset's model
//! (its reporting view, or the base model with a warning when the view's
//! module is absent), every field checked with `fields_get`, filter values
//! checked against the field's type and names of records resolved with a
//! name search; then the default filter and company scope as a domain.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::catalog::{BaseFilter, CompanyScope, DimSource, MeasureSource, Source};
use super::plan::{Agg, CheckedPlan, FilterField, FilterOp, Granularity, invalid};
use crate::ToolError;
use crate::automations::Warning;
use crate::odoo::{Domain, Op, many2one};
use crate::odoo_client::{OdooClient, OdooError};

/// The warning code when a reporting view is absent and its base model is
/// read instead.
pub const FALLBACK: &str = "REPORTING_VIEW_MISSING";
/// Candidates a name search lists.
const NAME_CANDIDATES: u32 = 10;

/// A measure as Odoo computes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measure {
    pub source: MeasureSource,
    pub agg: Agg,
}

/// A dimension as Odoo groups it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Dimension {
    /// Grouped by `field`; `selection` holds the labels of a selection field.
    Field {
        field: &'static str,
        selection: Vec<(String, String)>,
    },
    /// Grouped by `field:granularity`.
    Date {
        spec: String,
        granularity: Granularity,
    },
    DueBucket,
    PartnerType,
}

/// The plan bound to one model of this Odoo.
#[derive(Debug, Clone)]
pub(crate) struct Bound {
    pub source: &'static Source,
    pub measures: Vec<Measure>,
    pub dimensions: Vec<Dimension>,
    /// Default filter, company scope and the plan's filters.
    pub domain: Domain,
    /// The date field and whether it holds datetimes (cut in the zone).
    pub date_field: Option<(&'static str, bool)>,
    /// The filters as people read them.
    pub filter_texts: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// Binds `plan` to the dataset's model on this server.
pub(crate) async fn bind(
    tool: &str,
    client: &OdooClient,
    plan: &CheckedPlan,
    company_id: i64,
) -> Result<Bound, ToolError> {
    let def = plan.def;
    let mut warnings = Vec::new();
    let source = if client.has_model(def.primary.model).await? {
        &def.primary
    } else if let Some(fallback) = def.fallback.as_ref().filter(|_| true) {
        if !client.has_model(fallback.model).await? {
            return Err(missing(client, fallback.model));
        }
        warnings.push(Warning::new(
            FALLBACK,
            format!(
                "{} is not installed; {} figures are read from {} instead",
                def.primary.model, def.label, fallback.model
            ),
        ));
        fallback
    } else {
        return Err(missing(client, def.primary.model));
    };
    let fields = client.fields_get(source.model).await?;
    let unavailable = |name: &str, path: &str| {
        let view = if std::ptr::eq(source, &def.primary) {
            String::new()
        } else {
            format!(" ({} is not installed)", def.primary.model)
        };
        invalid(
            tool,
            path,
            &format!(
                "{name} is not available from {}{view} in this Odoo",
                source.model
            ),
        )
    };

    let mut measures = Vec::new();
    for (i, (key, agg)) in plan.measures.iter().enumerate() {
        let path = format!("plan.measures[{i}].field");
        let found = source
            .measure(*key)
            .filter(|m| match m {
                MeasureSource::Field { name, .. } => fields.get(*name).is_some(),
                MeasureSource::Count => true,
            })
            .ok_or_else(|| unavailable(key.as_str(), &path))?;
        if source.aggregation == super::catalog::Aggregation::Scan
            && !matches!(agg, Agg::Sum | Agg::Count)
        {
            return Err(invalid(
                tool,
                &format!("plan.measures[{i}].agg"),
                &format!("{} is summed here; use agg \"sum\"", key.as_str()),
            ));
        }
        measures.push(Measure {
            source: found,
            agg: *agg,
        });
    }

    let date_field = match source.date_field {
        Some(path) => Some((
            path,
            field_type(client, source.model, path).await? == "datetime",
        )),
        None => None,
    };
    let mut dimensions = Vec::new();
    for (i, (key, granularity)) in plan.dimensions.iter().enumerate() {
        let path = format!("plan.dimensions[{i}].field");
        let dimension = match source.dimension(*key) {
            Some(DimSource::Field(field)) if field == "id" || fields.get(field).is_some() => {
                Dimension::Field {
                    field,
                    selection: selection(&fields[field]),
                }
            }
            Some(DimSource::Date) if source.date_groupable => Dimension::Date {
                spec: format!(
                    "{}:{}",
                    source.date_field.unwrap_or_default(),
                    granularity.unwrap_or(Granularity::Month).as_str()
                ),
                granularity: granularity.unwrap_or(Granularity::Month),
            },
            Some(DimSource::DueBucket) => Dimension::DueBucket,
            Some(DimSource::PartnerType) => Dimension::PartnerType,
            _ => return Err(unavailable(key.as_str(), &path)),
        };
        dimensions.push(dimension);
    }

    let mut parts = vec![base_domain(client, source, company_id).await?];
    let mut filter_texts = Vec::new();
    for (i, filter) in plan.filters.iter().enumerate() {
        let path = format!("plan.filters[{i}]");
        let field = match filter.field {
            FilterField::Dimension(key) => match source.dimension(key) {
                Some(DimSource::Field(field)) => field,
                Some(DimSource::Date) => source.date_field.unwrap_or_default(),
                _ => return Err(unavailable(key.as_str(), &format!("{path}.field"))),
            },
            FilterField::Measure(key) => match source.measure(key) {
                Some(MeasureSource::Field { name, .. }) => name,
                _ => return Err(unavailable(key.as_str(), &format!("{path}.field"))),
            },
        };
        let ty = field_type(client, source.model, field).await?;
        if ty.is_empty() {
            return Err(unavailable(filter.field.as_str(), &format!("{path}.field")));
        }
        let (domain, text) =
            filter_domain(tool, client, &fields, field, &ty, filter, &path).await?;
        parts.push(domain);
        filter_texts.push(text);
    }
    Ok(Bound {
        source,
        measures,
        dimensions,
        domain: Domain::and(parts),
        date_field,
        filter_texts,
        warnings,
    })
}

/// The type of `path` on `model` (`many2one`, `date`, ..), following a
/// dotted path; empty when a field is missing.
async fn field_type(client: &OdooClient, model: &str, path: &str) -> Result<String, ToolError> {
    let mut model = model.to_owned();
    let mut parts = path.split('.').peekable();
    while let Some(name) = parts.next() {
        if name == "id" {
            return Ok("integer".to_owned());
        }
        let fields = client.fields_get(&model).await?;
        let Some(field) = fields.get(name) else {
            return Ok(String::new());
        };
        let ty = field["type"].as_str().unwrap_or_default().to_owned();
        if parts.peek().is_none() {
            return Ok(ty);
        }
        match field["relation"].as_str() {
            Some(relation) => model = relation.to_owned(),
            None => return Ok(String::new()),
        }
    }
    Ok(String::new())
}

/// The `(value, label)` pairs of a selection field.
fn selection(field: &Value) -> Vec<(String, String)> {
    field["selection"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|pair| {
                    Some((
                        pair.get(0)?.as_str()?.to_owned(),
                        pair.get(1)?.as_str()?.to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One filter as a domain term and as text.
#[allow(clippy::too_many_arguments)]
async fn filter_domain(
    tool: &str,
    client: &OdooClient,
    fields: &Value,
    field: &str,
    ty: &str,
    filter: &super::plan::FilterSpec,
    path: &str,
) -> Result<(Domain, String), ToolError> {
    let value_path = format!("{path}.value");
    let bad = |message: String| invalid(tool, &value_path, &message);
    let items: Vec<&Value> = match &filter.value {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let op = filter.op;
    let ordered = matches!(
        op,
        FilterOp::Gt | FilterOp::Ge | FilterOp::Lt | FilterOp::Le
    );
    let (values, shown): (Vec<Value>, Vec<String>) = match ty {
        "many2one" => {
            if ordered {
                return Err(invalid(
                    tool,
                    &format!("{path}.op"),
                    &format!(
                        "{} compares records by name or id: use =, !=, in, not in or ilike",
                        filter.field.as_str()
                    ),
                ));
            }
            let relation = fields
                .get(field)
                .and_then(|f| f["relation"].as_str())
                .unwrap_or_default()
                .to_owned();
            let mut ids = Vec::new();
            let mut shown = Vec::new();
            for item in items {
                match item {
                    Value::Number(n)
                        if n.as_i64().is_some_and(|id| id > 0) && op != FilterOp::Ilike =>
                    {
                        let id = n.as_i64().unwrap_or_default();
                        ids.push(json!(id));
                        shown.push(format!("id {id}"));
                    }
                    Value::String(text) if op == FilterOp::Ilike => {
                        ids.push(json!(text));
                        shown.push(format!("{text:?}"));
                    }
                    Value::String(name) => {
                        let found =
                            resolve_name(client, &relation, name, filter.field.as_str()).await?;
                        ids.push(json!(found.0));
                        shown.push(found.1);
                    }
                    other => {
                        return Err(bad(format!(
                            "expected a name or a positive id of {relation}, got {other}"
                        )));
                    }
                }
            }
            (ids, shown)
        }
        "selection" => {
            let allowed = selection(&fields[field]);
            let mut values = Vec::new();
            for item in items {
                let text = item.as_str().unwrap_or_default();
                let hit = allowed
                    .iter()
                    .find(|(value, label)| value == text || label.eq_ignore_ascii_case(text));
                let Some((value, label)) = hit else {
                    return Err(bad(format!(
                        "{item} is not a value of {}; allowed: {}",
                        filter.field.as_str(),
                        allowed
                            .iter()
                            .map(|(v, _)| v.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                values.push((json!(value), label.clone()));
            }
            values.into_iter().unzip()
        }
        "date" | "datetime" => {
            let mut values = Vec::new();
            for item in items {
                let day = item
                    .as_str()
                    .and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
                    .ok_or_else(|| bad(format!("expected a date YYYY-MM-DD, got {item}")))?;
                values.push((json!(day.to_string()), day.to_string()));
            }
            values.into_iter().unzip()
        }
        "integer" | "float" | "monetary" => {
            let mut values = Vec::new();
            for item in items {
                let Value::Number(n) = item else {
                    return Err(bad(format!("expected a number, got {item}")));
                };
                values.push((Value::Number(n.clone()), n.to_string()));
            }
            values.into_iter().unzip()
        }
        _ => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok((json!(text), format!("{text:?}"))),
                other => Err(bad(format!("expected text, got {other}"))),
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .unzip(),
    };
    if op == FilterOp::Ilike && !matches!(ty, "many2one" | "char" | "text" | "selection") {
        return Err(invalid(
            tool,
            &format!("{path}.op"),
            "ilike applies to names and text only",
        ));
    }
    let odoo_op = match op {
        FilterOp::Eq => Op::Eq,
        FilterOp::Ne => Op::Ne,
        FilterOp::Gt => Op::Gt,
        FilterOp::Ge => Op::Ge,
        FilterOp::Lt => Op::Lt,
        FilterOp::Le => Op::Le,
        FilterOp::In => Op::In,
        FilterOp::NotIn => Op::NotIn,
        FilterOp::Ilike => Op::ILike,
    };
    let value = match op {
        FilterOp::In | FilterOp::NotIn => Value::Array(values),
        _ => values.into_iter().next().unwrap_or(Value::Null),
    };
    let domain = Domain::leaf(field, odoo_op, value).map_err(|err| bad(err.to_string()))?;
    let text = format!(
        "{} {} {}",
        filter.field.as_str(),
        op.as_str(),
        shown.join(", ")
    );
    Ok((domain, text))
}

/// The one record of `relation` named like `name`: an exact name wins over
/// partial matches; several candidates need the user to choose.
async fn resolve_name(
    client: &OdooClient,
    relation: &str,
    name: &str,
    what: &str,
) -> Result<(i64, String), ToolError> {
    let hits = client
        .name_search(relation, name, json!([]), NAME_CANDIDATES)
        .await?;
    let label = |id: i64, n: &Option<String>| n.clone().unwrap_or_else(|| format!("id {id}"));
    let exact: Vec<_> = hits
        .iter()
        .filter(|r| {
            r.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .collect();
    let pool: Vec<_> = if exact.is_empty() {
        hits.iter().collect()
    } else {
        exact
    };
    match pool.as_slice() {
        [] => Err(ToolError::NotFound(format!(
            "no {what} named like {name:?}; check the spelling or give its id"
        ))),
        [one] => Ok((one.id, label(one.id, &one.name))),
        many => Err(ToolError::NeedsClarification(format!(
            "{name:?} fits {} {what} records: {}; ask which one and give its id",
            many.len(),
            many.iter()
                .map(|r| format!("{} (id {})", label(r.id, &r.name), r.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The dataset's default filter and company scope (spec 6.3, 0.2).
async fn base_domain(
    client: &OdooClient,
    source: &Source,
    company_id: i64,
) -> Result<Domain, ToolError> {
    let d = |r: Result<Domain, crate::odoo::DomainError>| r.map_err(internal);
    let company = match source.scope {
        CompanyScope::Company => d(Domain::eq("company_id", company_id))?,
        CompanyScope::Shared => d(Domain::is_in(
            "company_id",
            [Value::from(company_id), Value::Bool(false)],
        ))?,
    };
    let base = match source.base {
        BaseFilter::ConfirmedSale(field) => d(Domain::eq(field, "sale"))?,
        BaseFilter::ConfirmedPurchase(field) => d(Domain::is_in(field, ["purchase", "done"]))?,
        BaseFilter::PostedCustomerDocuments => Domain::and(vec![
            d(Domain::eq("state", "posted"))?,
            d(Domain::is_in("move_type", ["out_invoice", "out_refund"]))?,
        ]),
        BaseFilter::OpenCustomerInvoices => Domain::and(vec![
            d(Domain::eq("state", "posted"))?,
            d(Domain::eq("move_type", "out_invoice"))?,
            d(Domain::is_in("payment_state", ["not_paid", "partial"]))?,
        ]),
        BaseFilter::Opportunities => d(Domain::eq("type", "opportunity"))?,
        BaseFilter::None => Domain::all(),
        BaseFilter::StockTracked => {
            // Spec 0.5: `type = 'product'` up to 17, `is_storable` from 18.
            let tracked = if client.has_field(source.model, "is_storable").await? {
                d(Domain::eq("is_storable", true))?
            } else {
                d(Domain::eq("type", "product"))?
            };
            Domain::and(vec![tracked, d(Domain::eq("active", true))?])
        }
        BaseFilter::Active => d(Domain::eq("active", true))?,
    };
    Ok(Domain::and(vec![base, company]))
}

/// The error of a model whose module is not installed (`MODULE_MISSING`).
fn missing(client: &OdooClient, model: &str) -> ToolError {
    ToolError::Odoo(OdooError::MissingModelOrField {
        model: model.to_owned(),
        method: "fields_get".to_owned(),
        what: format!("model {model} does not exist; its module is not installed"),
        server_version: client.version().raw.clone(),
    })
}

pub(crate) fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}

/// A many2one group key as `(id, name)`.
pub(crate) fn ref_of(value: &Value) -> Option<(i64, String)> {
    let r = many2one("group", value).ok().flatten()?;
    Some((r.id, r.name.unwrap_or_else(|| format!("id {}", r.id))))
}
