//! The records compared, read from rows in the shape of Odoo's
//! `search_read` (`false` for no value, a many2one as `[id, name]` or an
//! id). A field missing from the row reads as no value, so a wrapper may
//! leave out fields its Odoo version lacks (`mobile` on 19).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::odoo::{Ref, ValueError, datetime, many2one, text};

/// A row that cannot be read as a record.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    /// The row is not a JSON object.
    #[error("{model} row is not an object")]
    NotAnObject { model: &'static str },
    /// The row has no integer `id`.
    #[error("{model} row without an integer id")]
    MissingId { model: &'static str },
    /// A field has an unexpected shape.
    #[error("{model} {id}: {source}")]
    Field {
        model: &'static str,
        id: i64,
        source: ValueError,
    },
}

/// A `res.partner` row (spec 4.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartnerRecord {
    pub id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Absent on Odoo 19, where only `phone` exists.
    pub mobile: Option<String>,
    pub vat: Option<String>,
    pub is_company: bool,
    pub parent_id: Option<Ref>,
    pub commercial_partner_id: Option<Ref>,
    pub company_id: Option<Ref>,
    pub street: Option<String>,
    pub zip: Option<String>,
    pub city: Option<String>,
    pub country_id: Option<Ref>,
    pub customer_rank: i64,
    pub supplier_rank: i64,
    pub active: bool,
    pub create_date: Option<DateTime<Utc>>,
    /// Invoices, sales orders, purchase orders and leads pointing at the
    /// partner; counted by the wrapper with grouped reads, 0 when unknown.
    pub linked_documents: u64,
}

/// A `crm.lead` row, lead or opportunity (spec 4.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadRecord {
    pub id: i64,
    pub name: Option<String>,
    pub contact_name: Option<String>,
    pub partner_name: Option<String>,
    pub email_from: Option<String>,
    pub phone: Option<String>,
    pub partner_id: Option<Ref>,
    /// `lead` or `opportunity`.
    pub lead_type: Option<String>,
    pub stage_id: Option<Ref>,
    /// The stage's `sequence`, read by the wrapper from `crm.stage`; a
    /// higher sequence is a later stage.
    pub stage_sequence: Option<i64>,
    pub user_id: Option<Ref>,
    pub company_id: Option<Ref>,
    pub active: bool,
    pub create_date: Option<DateTime<Utc>>,
}

/// A `product.product` row: codes and barcodes live on variants.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProductRecord {
    pub id: i64,
    pub name: Option<String>,
    pub default_code: Option<String>,
    pub barcode: Option<String>,
    pub product_tmpl_id: Option<Ref>,
    pub categ_id: Option<Ref>,
    pub company_id: Option<Ref>,
    pub active: bool,
    /// Stock moves and order lines of the variant, counted by the wrapper;
    /// 0 when unknown.
    pub linked_documents: u64,
}

impl PartnerRecord {
    pub const MODEL: &'static str = "res.partner";

    /// Reads one `search_read` row.
    pub fn from_json(row: &Value) -> Result<Self, RecordError> {
        let row = Row::new(Self::MODEL, row)?;
        Ok(Self {
            id: row.id,
            name: row.text("name")?,
            email: row.text("email")?,
            phone: row.text("phone")?,
            mobile: row.text("mobile")?,
            vat: row.text("vat")?,
            is_company: row.boolean("is_company")?,
            parent_id: row.many2one("parent_id")?,
            commercial_partner_id: row.many2one("commercial_partner_id")?,
            company_id: row.many2one("company_id")?,
            street: row.text("street")?,
            zip: row.text("zip")?,
            city: row.text("city")?,
            country_id: row.many2one("country_id")?,
            customer_rank: row.integer("customer_rank")?,
            supplier_rank: row.integer("supplier_rank")?,
            active: row.active()?,
            create_date: row.datetime("create_date")?,
            linked_documents: 0,
        })
    }
}

impl LeadRecord {
    pub const MODEL: &'static str = "crm.lead";

    /// Reads one `search_read` row.
    pub fn from_json(row: &Value) -> Result<Self, RecordError> {
        let row = Row::new(Self::MODEL, row)?;
        Ok(Self {
            id: row.id,
            name: row.text("name")?,
            contact_name: row.text("contact_name")?,
            partner_name: row.text("partner_name")?,
            email_from: row.text("email_from")?,
            phone: row.text("phone")?,
            partner_id: row.many2one("partner_id")?,
            lead_type: row.text("type")?,
            stage_id: row.many2one("stage_id")?,
            stage_sequence: None,
            user_id: row.many2one("user_id")?,
            company_id: row.many2one("company_id")?,
            active: row.active()?,
            create_date: row.datetime("create_date")?,
        })
    }

    /// An opportunity rather than a lead.
    pub fn is_opportunity(&self) -> bool {
        self.lead_type.as_deref() == Some("opportunity")
    }
}

impl ProductRecord {
    pub const MODEL: &'static str = "product.product";

    /// Reads one `search_read` row.
    pub fn from_json(row: &Value) -> Result<Self, RecordError> {
        let row = Row::new(Self::MODEL, row)?;
        Ok(Self {
            id: row.id,
            name: row.text("name")?,
            default_code: row.text("default_code")?,
            barcode: row.text("barcode")?,
            product_tmpl_id: row.many2one("product_tmpl_id")?,
            categ_id: row.many2one("categ_id")?,
            company_id: row.many2one("company_id")?,
            active: row.active()?,
            linked_documents: 0,
        })
    }
}

/// One row being read, with its model and id for error messages.
struct Row<'a> {
    model: &'static str,
    id: i64,
    fields: &'a Map<String, Value>,
}

const UNSET: Value = Value::Bool(false);

impl<'a> Row<'a> {
    fn new(model: &'static str, row: &'a Value) -> Result<Self, RecordError> {
        let fields = row.as_object().ok_or(RecordError::NotAnObject { model })?;
        let id = fields
            .get("id")
            .and_then(Value::as_i64)
            .ok_or(RecordError::MissingId { model })?;
        Ok(Self { model, id, fields })
    }

    fn value(&self, field: &str) -> &Value {
        self.fields.get(field).unwrap_or(&UNSET)
    }

    fn wrap(&self, source: ValueError) -> RecordError {
        RecordError::Field {
            model: self.model,
            id: self.id,
            source,
        }
    }

    fn text(&self, field: &str) -> Result<Option<String>, RecordError> {
        text(field, self.value(field)).map_err(|err| self.wrap(err))
    }

    fn many2one(&self, field: &str) -> Result<Option<Ref>, RecordError> {
        many2one(field, self.value(field)).map_err(|err| self.wrap(err))
    }

    fn datetime(&self, field: &str) -> Result<Option<DateTime<Utc>>, RecordError> {
        datetime(field, self.value(field)).map_err(|err| self.wrap(err))
    }

    fn boolean(&self, field: &str) -> Result<bool, RecordError> {
        match self.value(field) {
            Value::Bool(flag) => Ok(*flag),
            Value::Null => Ok(false),
            other => Err(self.mismatch(field, "true or false", other)),
        }
    }

    /// `active` defaults to true: a row read without the field was found by
    /// a domain that only matches active records.
    fn active(&self) -> Result<bool, RecordError> {
        match self.fields.get("active") {
            None => Ok(true),
            Some(_) => self.boolean("active"),
        }
    }

    fn integer(&self, field: &str) -> Result<i64, RecordError> {
        match self.value(field) {
            Value::Bool(false) | Value::Null => Ok(0),
            value => value
                .as_i64()
                .ok_or_else(|| self.mismatch(field, "an integer", value)),
        }
    }

    fn mismatch(&self, field: &str, expected: &'static str, value: &Value) -> RecordError {
        let mut found = value.to_string();
        found.truncate(60);
        self.wrap(ValueError {
            field: field.to_owned(),
            expected,
            found,
        })
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn partner_reads_search_read_shape() {
        let row = json!({
            "id": 2, "name": "Sigma Jensen Farms", "email": "contact@sigma.de",
            "phone": "+498977761699", "mobile": false, "vat": "DE758803963",
            "is_company": true, "parent_id": false, "company_id": [1, "My Company"],
            "country_id": [57, "Germany"], "customer_rank": 0, "supplier_rank": 4,
            "active": true, "create_date": "2024-01-02 03:04:05"
        });
        let partner = PartnerRecord::from_json(&row).unwrap();
        assert_eq!(partner.id, 2);
        assert_eq!(partner.mobile, None);
        assert_eq!(partner.vat.as_deref(), Some("DE758803963"));
        assert_eq!(partner.company_id.map(|c| c.id), Some(1));
        assert_eq!(partner.parent_id, None);
        assert_eq!(partner.supplier_rank, 4);
        assert!(partner.is_company && partner.active);
        assert!(partner.create_date.is_some());
    }

    #[test]
    fn missing_fields_are_no_value_and_bad_shapes_are_errors() {
        let partner = PartnerRecord::from_json(&json!({"id": 9, "name": "X"})).unwrap();
        assert_eq!(partner.email, None);
        assert!(partner.active);
        let err = PartnerRecord::from_json(&json!({"id": 9, "email": 3})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "res.partner 9: field email: expected a string or false, got 3"
        );
        assert_eq!(
            PartnerRecord::from_json(&json!({"name": "X"})).unwrap_err(),
            RecordError::MissingId {
                model: "res.partner"
            }
        );
    }

    #[test]
    fn lead_and_product_read_their_fields() {
        let lead = LeadRecord::from_json(&json!({
            "id": 4, "name": "Website", "contact_name": "Jane Roe", "type": "opportunity",
            "stage_id": [3, "Proposition"], "email_from": "jane@roe.com", "active": false
        }))
        .unwrap();
        assert!(lead.is_opportunity() && !lead.active);
        assert_eq!(lead.stage_id.map(|s| s.id), Some(3));
        let product = ProductRecord::from_json(&json!({
            "id": 5, "name": "Desk", "default_code": "FURN-001", "barcode": false,
            "product_tmpl_id": [5, "Desk"]
        }))
        .unwrap();
        assert_eq!(product.default_code.as_deref(), Some("FURN-001"));
        assert_eq!(product.barcode, None);
    }
}
