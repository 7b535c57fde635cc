//! The comparable form of a record: what the score and the blocking keys
//! look at, the same shape for partners, leads and products.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::normalize::{self, NormEmail, NormName, Normalizer};
use super::records::{LeadRecord, PartnerRecord, ProductRecord};

/// What kind of record is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Partner,
    Lead,
    Product,
}

impl Entity {
    /// The Odoo model read for the entity.
    pub fn model(self) -> &'static str {
        match self {
            Entity::Partner => PartnerRecord::MODEL,
            Entity::Lead => LeadRecord::MODEL,
            Entity::Product => ProductRecord::MODEL,
        }
    }
}

/// Normalised compared values of one record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    pub id: i64,
    /// `company_id`; `None` is a record shared between companies.
    pub company: Option<i64>,
    /// `parent_id` (partners only).
    pub parent: Option<i64>,
    /// Partner name, lead contact name or product name.
    pub name: Option<NormName>,
    /// Lead company name.
    pub org_name: Option<NormName>,
    pub email: Option<NormEmail>,
    /// Every phone number of the record (partners: phone and mobile).
    pub phones: Vec<String>,
    pub vat: Option<String>,
    pub code: Option<String>,
    pub barcode: Option<String>,
}

impl Profile {
    /// How many compared fields have a value.
    pub fn filled_fields(&self) -> usize {
        [
            self.name.is_some(),
            self.org_name.is_some(),
            self.email.is_some(),
            !self.phones.is_empty(),
            self.vat.is_some(),
            self.code.is_some(),
            self.barcode.is_some(),
        ]
        .into_iter()
        .filter(|filled| *filled)
        .count()
    }
}

/// The facts the master choice ranks by (spec 4.7), in its order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MasterFacts {
    /// Linked documents (partners, products); for leads 1 for an
    /// opportunity and 0 for a lead.
    pub linked_documents: u64,
    /// Lead stage sequence: later wins among leads of the same type.
    pub stage_sequence: Option<i64>,
    /// A company record or a record with a VAT number.
    pub company_or_vat: bool,
    pub create_date: Option<DateTime<Utc>>,
}

/// A record the duplicate search can compare.
pub trait DedupRecord: Sync {
    const ENTITY: Entity;

    fn id(&self) -> i64;
    /// The name shown for the record.
    fn display_name(&self) -> Option<&str>;
    fn profile(&self, normalizer: &Normalizer) -> Profile;
    fn master_facts(&self) -> MasterFacts;
    /// The compared fields as written in Odoo, shown with each member.
    fn key_fields(&self) -> BTreeMap<&'static str, String>;
}

fn put(fields: &mut BTreeMap<&'static str, String>, key: &'static str, value: &Option<String>) {
    if let Some(value) = value {
        fields.insert(key, value.clone());
    }
}

fn phones(values: &[&Option<String>]) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .filter_map(|value| value.as_deref().and_then(normalize::phone))
        .collect();
    out.dedup();
    out
}

impl DedupRecord for PartnerRecord {
    const ENTITY: Entity = Entity::Partner;

    fn id(&self) -> i64 {
        self.id
    }

    fn display_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn profile(&self, normalizer: &Normalizer) -> Profile {
        Profile {
            id: self.id,
            company: self.company_id.as_ref().map(|c| c.id),
            parent: self.parent_id.as_ref().map(|p| p.id),
            name: self.name.as_deref().and_then(|n| normalizer.name(n)),
            email: self.email.as_deref().and_then(|e| normalizer.email(e)),
            phones: phones(&[&self.phone, &self.mobile]),
            vat: self.vat.as_deref().and_then(normalize::code),
            ..Profile::default()
        }
    }

    fn master_facts(&self) -> MasterFacts {
        MasterFacts {
            linked_documents: self.linked_documents,
            stage_sequence: None,
            company_or_vat: self.is_company || self.vat.is_some(),
            create_date: self.create_date,
        }
    }

    fn key_fields(&self) -> BTreeMap<&'static str, String> {
        let mut fields = BTreeMap::new();
        put(&mut fields, "email", &self.email);
        put(&mut fields, "phone", &self.phone);
        put(&mut fields, "mobile", &self.mobile);
        put(&mut fields, "vat", &self.vat);
        fields
    }
}

impl DedupRecord for LeadRecord {
    const ENTITY: Entity = Entity::Lead;

    fn id(&self) -> i64 {
        self.id
    }

    fn display_name(&self) -> Option<&str> {
        self.name.as_deref().or(self.contact_name.as_deref())
    }

    fn profile(&self, normalizer: &Normalizer) -> Profile {
        Profile {
            id: self.id,
            company: self.company_id.as_ref().map(|c| c.id),
            name: self
                .contact_name
                .as_deref()
                .and_then(|n| normalizer.name(n)),
            org_name: self
                .partner_name
                .as_deref()
                .and_then(|n| normalizer.name(n)),
            email: self.email_from.as_deref().and_then(|e| normalizer.email(e)),
            phones: phones(&[&self.phone]),
            ..Profile::default()
        }
    }

    fn master_facts(&self) -> MasterFacts {
        MasterFacts {
            linked_documents: u64::from(self.is_opportunity()),
            stage_sequence: self.stage_sequence,
            company_or_vat: false,
            create_date: self.create_date,
        }
    }

    fn key_fields(&self) -> BTreeMap<&'static str, String> {
        let mut fields = BTreeMap::new();
        put(&mut fields, "contact_name", &self.contact_name);
        put(&mut fields, "partner_name", &self.partner_name);
        put(&mut fields, "email_from", &self.email_from);
        put(&mut fields, "phone", &self.phone);
        fields
    }
}

impl DedupRecord for ProductRecord {
    const ENTITY: Entity = Entity::Product;

    fn id(&self) -> i64 {
        self.id
    }

    fn display_name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    fn profile(&self, normalizer: &Normalizer) -> Profile {
        Profile {
            id: self.id,
            company: self.company_id.as_ref().map(|c| c.id),
            name: self.name.as_deref().and_then(|n| normalizer.name(n)),
            code: self.default_code.as_deref().and_then(normalize::code),
            barcode: self.barcode.as_deref().and_then(normalize::code),
            ..Profile::default()
        }
    }

    fn master_facts(&self) -> MasterFacts {
        MasterFacts {
            linked_documents: self.linked_documents,
            ..MasterFacts::default()
        }
    }

    fn key_fields(&self) -> BTreeMap<&'static str, String> {
        let mut fields = BTreeMap::new();
        put(&mut fields, "default_code", &self.default_code);
        put(&mut fields, "barcode", &self.barcode);
        if let Some(template) = &self.product_tmpl_id {
            fields.insert("product_tmpl_id", template.id.to_string());
        }
        fields
    }
}
