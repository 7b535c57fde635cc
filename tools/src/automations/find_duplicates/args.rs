//! The arguments of `find_duplicates` as the model sends them, and their
//! checks (spec 4.1): every refusal names the argument and the accepted
//! range or values (`INVALID_ARGUMENT`).

use schemars::JsonSchema;
use serde::Deserialize;

use super::config::DedupConfig;
use super::profile::Entity;
use crate::ToolError;

/// Accepted `threshold` range (spec 4.1).
const THRESHOLD: (f64, f64) = (0.50, 1.00);
/// Accepted `max_records` range (spec 4.1).
pub const MAX_RECORDS: u32 = 500_000;
/// Accepted `max_groups` range (spec 4.1).
pub const MAX_GROUPS: u32 = 1000;

/// Arguments of `find_duplicates`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindDuplicatesArgs {
    /// What to search: "partner" (customers, vendors, contacts), "lead"
    /// (CRM leads and opportunities) or "product" (product variants).
    /// Example: "partner"
    pub entity: DedupEntity,
    /// Score from which two records count as duplicates, 0.50 to 1.00.
    /// Default 0.80. Lower finds more, with more false alarms. Example: 0.85
    #[serde(default)]
    #[schemars(range(min = 0.5, max = 1.0))]
    pub threshold: Option<f64>,
    /// Narrows the records searched. customers_only, suppliers_only and
    /// companies_only apply to partners only; include_archived to every
    /// entity. All false by default.
    #[serde(default)]
    pub filters: Option<DedupFilters>,
    /// Most records read, 1 to 500000. Default 50000; a larger set is cut
    /// with a warning. Example: 20000
    #[serde(default)]
    #[schemars(range(min = 1, max = 500000))]
    pub max_records: Option<u32>,
    /// Group mode only: most groups returned, strongest first, 1 to 1000.
    /// Default 100. Example: 20
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000))]
    pub max_groups: Option<u32>,
    /// "Check" mode: the field values of a record about to be created; the
    /// answer lists existing records it duplicates. Give at least one of
    /// name, email, phone, vat (partners), code or barcode (products).
    /// Example: {"name": "Acme Corp", "email": "ap@acme.example"}
    #[serde(default)]
    pub candidate: Option<DedupCandidate>,
    /// "Record" mode: the Odoo id of an existing record whose duplicates
    /// are wanted. Example: 42
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub record_id: Option<i64>,
    /// Odoo id of the company to search in; records shared between
    /// companies are included. Default the user's current company. Example: 1
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub company_id: Option<i64>,
}

/// The entity searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DedupEntity {
    Partner,
    Lead,
    Product,
}

impl DedupEntity {
    pub fn entity(self) -> Entity {
        match self {
            Self::Partner => Entity::Partner,
            Self::Lead => Entity::Lead,
            Self::Product => Entity::Product,
        }
    }
}

/// Which records are searched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupFilters {
    /// Partners with at least one sale (customer rank above 0).
    #[serde(default)]
    pub customers_only: bool,
    /// Partners with at least one purchase (supplier rank above 0).
    #[serde(default)]
    pub suppliers_only: bool,
    /// Company partners only, no individual contacts.
    #[serde(default)]
    pub companies_only: bool,
    /// Archived records too.
    #[serde(default)]
    pub include_archived: bool,
}

/// A record about to be created (check mode).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DedupCandidate {
    /// Partner or product name; for a lead the contact's name.
    /// Example: "Jane Roe"
    #[serde(default)]
    pub name: Option<String>,
    /// Leads only: the company the contact works for. Example: "Acme Corp"
    #[serde(default)]
    pub company_name: Option<String>,
    /// Partners and leads. Example: "jane@acme.example"
    #[serde(default)]
    pub email: Option<String>,
    /// Partners and leads, any format. Example: "+31 20 123 4567"
    #[serde(default)]
    pub phone: Option<String>,
    /// Partners only: tax id. Example: "NL123456789B01"
    #[serde(default)]
    pub vat: Option<String>,
    /// Products only: internal reference. Example: "FURN-0001"
    #[serde(default)]
    pub code: Option<String>,
    /// Products only. Example: "4006381333931"
    #[serde(default)]
    pub barcode: Option<String>,
}

/// The arguments once checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    pub entity: Entity,
    pub mode: RequestMode,
    pub threshold: f64,
    pub filters: DedupFilters,
    pub max_records: usize,
    pub max_groups: usize,
    pub company_id: Option<i64>,
}

/// How the search was asked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RequestMode {
    Group,
    Record(i64),
    Check(DedupCandidate),
}

/// Checks everything that needs no Odoo call.
pub(crate) fn check(
    tool: &str,
    args: FindDuplicatesArgs,
    defaults: &DedupConfig,
    default_max_records: u32,
) -> Result<Request, ToolError> {
    let invalid = |field: &str, message: &str| ToolError::InvalidArgs {
        tool: tool.to_owned(),
        message: format!("field `{field}`: {message}"),
    };
    let entity = args.entity.entity();
    let threshold = args.threshold.unwrap_or(defaults.threshold);
    if !(THRESHOLD.0..=THRESHOLD.1).contains(&threshold) {
        return Err(invalid(
            "threshold",
            &format!("must be between 0.50 and 1.00, got {threshold}"),
        ));
    }
    let max_records = args.max_records.unwrap_or(default_max_records);
    if !(1..=MAX_RECORDS).contains(&max_records) {
        return Err(invalid(
            "max_records",
            &format!("must be between 1 and {MAX_RECORDS}, got {max_records}"),
        ));
    }
    if let Some(groups) = args.max_groups
        && !(1..=MAX_GROUPS).contains(&groups)
    {
        return Err(invalid(
            "max_groups",
            &format!("must be between 1 and {MAX_GROUPS}, got {groups}"),
        ));
    }
    if let Some(id) = args.company_id.filter(|id| *id < 1) {
        return Err(invalid(
            "company_id",
            &format!("must be a positive id, got {id}"),
        ));
    }
    let filters = args.filters.unwrap_or_default();
    if entity != Entity::Partner {
        for (field, given) in [
            ("filters.customers_only", filters.customers_only),
            ("filters.suppliers_only", filters.suppliers_only),
            ("filters.companies_only", filters.companies_only),
        ] {
            if given {
                return Err(invalid(field, "applies to entity \"partner\" only"));
            }
        }
    }
    let mode = match (args.record_id, args.candidate) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "candidate",
                "give either record_id (record mode) or candidate (check mode), not both",
            ));
        }
        (Some(id), None) if id < 1 => {
            return Err(invalid(
                "record_id",
                &format!("must be a positive id, got {id}"),
            ));
        }
        (Some(id), None) => RequestMode::Record(id),
        (None, Some(candidate)) => RequestMode::Check(check_candidate(entity, candidate, invalid)?),
        (None, None) => RequestMode::Group,
    };
    if args.max_groups.is_some() && mode != RequestMode::Group {
        return Err(invalid(
            "max_groups",
            "applies to group mode only; omit it with record_id or candidate",
        ));
    }
    Ok(Request {
        entity,
        mode,
        threshold,
        filters,
        max_records: max_records as usize,
        max_groups: args
            .max_groups
            .map_or(defaults.max_groups, |groups| groups as usize),
        company_id: args.company_id,
    })
}

/// Trims the candidate's values and refuses fields the entity lacks and
/// an empty candidate.
fn check_candidate(
    entity: Entity,
    candidate: DedupCandidate,
    invalid: impl Fn(&str, &str) -> ToolError,
) -> Result<DedupCandidate, ToolError> {
    let clean =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let candidate = DedupCandidate {
        name: clean(candidate.name),
        company_name: clean(candidate.company_name),
        email: clean(candidate.email),
        phone: clean(candidate.phone),
        vat: clean(candidate.vat),
        code: clean(candidate.code),
        barcode: clean(candidate.barcode),
    };
    let allowed: &[&str] = match entity {
        Entity::Partner => &["name", "email", "phone", "vat"],
        Entity::Lead => &["name", "company_name", "email", "phone"],
        Entity::Product => &["name", "code", "barcode"],
    };
    let given = [
        ("name", candidate.name.is_some()),
        ("company_name", candidate.company_name.is_some()),
        ("email", candidate.email.is_some()),
        ("phone", candidate.phone.is_some()),
        ("vat", candidate.vat.is_some()),
        ("code", candidate.code.is_some()),
        ("barcode", candidate.barcode.is_some()),
    ];
    for (field, present) in given {
        if present && !allowed.contains(&field) {
            return Err(invalid(
                &format!("candidate.{field}"),
                &format!(
                    "does not apply to this entity; accepted fields: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    if !given.iter().any(|(_, present)| *present) {
        return Err(invalid(
            "candidate",
            &format!("needs at least one of {}", allowed.join(", ")),
        ));
    }
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(value: serde_json::Value) -> Result<Request, ToolError> {
        let args: FindDuplicatesArgs = serde_json::from_value(value).unwrap();
        check("find_duplicates", args, &DedupConfig::spec(), 50_000)
    }

    fn message(value: serde_json::Value) -> String {
        match run(value) {
            Err(ToolError::InvalidArgs { message, .. }) => message,
            other => panic!("expected InvalidArgs, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_group_mode_at_the_spec_threshold() {
        let request = run(json!({"entity": "partner"})).unwrap();
        assert_eq!(request.mode, RequestMode::Group);
        assert_eq!(request.threshold, 0.80);
        assert_eq!(request.max_records, 50_000);
        assert_eq!(request.max_groups, 100);
        assert_eq!(request.filters, DedupFilters::default());
    }

    #[test]
    fn each_refusal_names_its_argument() {
        assert!(message(json!({"entity": "partner", "threshold": 0.4})).contains("`threshold`"));
        assert!(message(json!({"entity": "partner", "max_records": 0})).contains("`max_records`"));
        assert!(
            message(json!({"entity": "partner", "max_records": 500_001}))
                .contains("between 1 and 500000")
        );
        assert!(message(json!({"entity": "lead", "max_groups": 1001})).contains("`max_groups`"));
        assert!(
            message(json!({"entity": "lead", "filters": {"customers_only": true}}))
                .contains("`filters.customers_only`")
        );
        assert!(
            message(json!({"entity": "partner", "record_id": 3, "candidate": {"name": "x"}}))
                .contains("`candidate`")
        );
        assert!(message(json!({"entity": "partner", "record_id": -3})).contains("`record_id`"));
        assert!(
            message(json!({"entity": "product", "candidate": {"vat": "NL1"}}))
                .contains("`candidate.vat`")
        );
        assert!(
            message(json!({"entity": "partner", "candidate": {"name": "  "}}))
                .contains("needs at least one of name, email, phone, vat")
        );
        assert!(
            message(json!({"entity": "partner", "record_id": 3, "max_groups": 5}))
                .contains("group mode only")
        );
    }

    #[test]
    fn candidates_are_trimmed() {
        let request = run(json!({"entity": "product", "candidate": {"code": " A-1 "}})).unwrap();
        assert_eq!(
            request.mode,
            RequestMode::Check(DedupCandidate {
                code: Some("A-1".to_owned()),
                ..DedupCandidate::default()
            })
        );
    }
}
