//! The company, version, clock and time zone an automation reports under,
//! read from Odoo once per call.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::envelope::{CompanyRef, EnvelopeContext};
use crate::ToolError;
use crate::odoo::{many2one, text};
use crate::odoo_client::OdooClient;

/// Where an automation stands: the envelope's shared fields plus "today"
/// in the company's zone (spec 0.4).
#[derive(Debug, Clone, PartialEq)]
pub struct RunContext {
    pub envelope: EnvelopeContext,
    pub zone: Tz,
    pub today: NaiveDate,
}

/// What the caller may fix instead of reading it from Odoo.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContextRequest {
    /// The company to report on; the user's current company when `None`.
    pub company_id: Option<i64>,
    /// "Today" for the computation (the `as_of` input); the current date in
    /// the zone when `None`.
    pub as_of: Option<NaiveDate>,
    /// The zone; the user's Odoo time zone, else UTC, when `None`.
    pub zone: Option<Tz>,
}

/// Reads the user's company and time zone, then the company's name and
/// currency.
pub async fn read_context(
    client: &OdooClient,
    request: ContextRequest,
    now: DateTime<Utc>,
) -> Result<RunContext, ToolError> {
    let user = first(
        client
            .read("res.users", &[client.uid()], &["company_id"])
            .await?,
        "res.users",
        client.uid(),
    )?;
    let company_id = match request.company_id {
        Some(id) => id,
        None => many2one("company_id", &user["company_id"])
            .map_err(internal)?
            .map(|r| r.id)
            .ok_or_else(|| ToolError::NotFound("the user has no current company".to_owned()))?,
    };
    let company = first(
        client
            .read("res.company", &[company_id], &["name", "currency_id"])
            .await?,
        "res.company",
        company_id,
    )?;
    let name = text("name", &company["name"])
        .map_err(internal)?
        .unwrap_or_default();
    // A currency's display name is its ISO code.
    let currency = many2one("currency_id", &company["currency_id"])
        .map_err(internal)?
        .and_then(|r| r.name)
        .unwrap_or_default();
    let zone = match request.zone {
        Some(zone) => zone,
        None => {
            // `context_get` gives the user's zone on every version without
            // needing read access to user preferences.
            let context = client.user_context().await?;
            text("tz", &context["tz"])
                .map_err(internal)?
                .and_then(|name| name.parse().ok())
                .unwrap_or(Tz::UTC)
        }
    };
    let today = request
        .as_of
        .unwrap_or_else(|| now.with_timezone(&zone).date_naive());
    Ok(RunContext {
        envelope: EnvelopeContext {
            company: CompanyRef {
                id: company_id,
                name,
                currency,
            },
            odoo_version: client.version().raw.clone(),
            as_of: now,
            timezone: zone.name().to_owned(),
        },
        zone,
        today,
    })
}

fn first(records: Vec<Value>, model: &str, id: i64) -> Result<Value, ToolError> {
    records
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::NotFound(format!("{model} {id} does not exist")))
}

fn internal(err: impl std::fmt::Display) -> ToolError {
    ToolError::Internal(err.to_string())
}

/// Decimal places of the company currency (2 when Odoo does not say), so
/// amounts are rounded as Odoo rounds them.
pub(crate) async fn currency_places(client: &OdooClient, code: &str) -> Result<u32, ToolError> {
    let domain = crate::odoo::Domain::and(vec![
        crate::odoo::Domain::eq("name", code).map_err(internal)?,
        crate::odoo::Domain::is_in("active", [true, false]).map_err(internal)?,
    ]);
    let found = client
        .search_read(
            "res.currency",
            domain.to_value(),
            &["decimal_places"],
            None,
            Some(1),
            None,
        )
        .await?;
    Ok(found
        .first()
        .and_then(|c| c["decimal_places"].as_u64())
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(2))
}
