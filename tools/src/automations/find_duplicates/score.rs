//! The score of a pair of records (spec 4.5): a weighted mean over the
//! fields both records have, so that a mismatching field lowers it; a
//! discount when only names can be compared; a floor for strong evidence
//! and caps for conflicting identifiers.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::config::{DedupConfig, FieldWeights};
use super::profile::{Entity, Profile};
use super::similarity;

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    OrgName,
    Email,
    Phone,
    Vat,
    Code,
    Barcode,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::OrgName,
        Field::Email,
        Field::Phone,
        Field::Vat,
        Field::Code,
        Field::Barcode,
    ];

    /// The key of the field in the evidence object.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::OrgName => "company_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Vat => "vat",
            Field::Code => "code",
            Field::Barcode => "barcode",
        }
    }

    fn weight(self, weights: &FieldWeights) -> f64 {
        match self {
            Field::Name => weights.name,
            Field::OrgName => weights.org_name,
            Field::Email => weights.email,
            Field::Phone => weights.phone,
            Field::Vat => weights.vat,
            Field::Code => weights.code,
            Field::Barcode => weights.barcode,
        }
    }

    fn is_name(self) -> bool {
        matches!(self, Field::Name | Field::OrgName)
    }
}

/// The similarity of each field both records have; serialised as
/// `{field: s}`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Evidence([Option<f64>; 7]);

impl Evidence {
    pub fn get(&self, field: Field) -> Option<f64> {
        self.0[field as usize]
    }

    fn set(&mut self, field: Field, similarity: f64) {
        self.0[field as usize] = Some(similarity);
    }

    /// The compared fields with their similarity, in field order.
    pub fn iter(&self) -> impl Iterator<Item = (Field, f64)> + '_ {
        Field::ALL
            .into_iter()
            .filter_map(|field| self.get(field).map(|s| (field, s)))
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (field, similarity) in self.iter() {
            map.serialize_entry(field.key(), &similarity)?;
        }
        map.end()
    }
}

/// The score of a pair and how it came about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    pub score: f64,
    pub evidence: Evidence,
}

/// Scores pairs of one entity.
#[derive(Debug, Clone)]
pub struct Scorer<'a> {
    config: &'a DedupConfig,
    weights: FieldWeights,
    entity: Entity,
}

impl<'a> Scorer<'a> {
    pub fn new(entity: Entity, config: &'a DedupConfig) -> Self {
        Self {
            config,
            weights: *config.weights.of(entity),
            entity,
        }
    }

    /// Whether spec 4.5 step 6 forbids comparing the pair: a record and
    /// its own parent, or records of two different companies. (Dismissed
    /// pairs are checked by the caller, who holds them.)
    pub fn never_compared(a: &Profile, b: &Profile) -> bool {
        let parent_child = a.parent == Some(b.id) || b.parent == Some(a.id);
        let other_company = matches!((a.company, b.company), (Some(x), Some(y)) if x != y);
        parent_child || other_company
    }

    /// The score of a pair, steps 1 to 5 of spec 4.5.
    pub fn score(&self, a: &Profile, b: &Profile) -> PairScore {
        let evidence = self.evidence(a, b);
        let (mut total, mut weight, mut names_only) = (0.0, 0.0, true);
        for (field, s) in evidence.iter() {
            let w = field.weight(&self.weights);
            total += w * s;
            weight += w;
            names_only &= field.is_name();
        }
        if weight <= 0.0 {
            return PairScore {
                score: 0.0,
                evidence,
            };
        }
        let mut score = total / weight;
        if names_only {
            score *= self.config.names_only_factor;
        }
        if self.strong_evidence(a, b, &evidence) {
            score = score.max(self.config.strong_floor);
        }
        score = score.min(self.conflict_cap(a, b));
        PairScore { score, evidence }
    }

    fn evidence(&self, a: &Profile, b: &Profile) -> Evidence {
        let w = &self.weights;
        let mut evidence = Evidence::default();
        if w.name > 0.0
            && let (Some(x), Some(y)) = (&a.name, &b.name)
        {
            evidence.set(Field::Name, similarity::name(x, y));
        }
        if w.org_name > 0.0
            && let (Some(x), Some(y)) = (&a.org_name, &b.org_name)
        {
            evidence.set(Field::OrgName, similarity::name(x, y));
        }
        if w.email > 0.0
            && let (Some(x), Some(y)) = (&a.email, &b.email)
            && let Some(s) = similarity::email_or_ignored(x, y, self.config.email_ignore_below)
        {
            evidence.set(Field::Email, s);
        }
        if w.phone > 0.0
            && let Some(s) = similarity::phones(&a.phones, &b.phones)
        {
            evidence.set(Field::Phone, s);
        }
        let exact = |x: &Option<String>, y: &Option<String>| match (x, y) {
            (Some(x), Some(y)) => Some(similarity::exact(x, y)),
            _ => None,
        };
        for (field, weight, x, y) in [
            (Field::Vat, w.vat, &a.vat, &b.vat),
            (Field::Code, w.code, &a.code, &b.code),
            (Field::Barcode, w.barcode, &a.barcode, &b.barcode),
        ] {
            if weight > 0.0
                && let Some(s) = exact(x, y)
            {
                evidence.set(field, s);
            }
        }
        evidence
    }

    /// Step 4: equal non-generic e-mail, VAT, phone of at least 8 digits,
    /// code or barcode — for partners and leads only with comparable names
    /// at least `strong_min_name_similarity` alike.
    fn strong_evidence(&self, a: &Profile, b: &Profile, evidence: &Evidence) -> bool {
        let equal =
            |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x == y);
        let identifiers = equal(&a.code, &b.code) || equal(&a.barcode, &b.barcode);
        match self.entity {
            Entity::Product => identifiers,
            Entity::Partner | Entity::Lead => {
                let email = matches!((&a.email, &b.email), (Some(x), Some(y)) if x.address == y.address && !x.generic);
                let phone = a
                    .phones
                    .iter()
                    .any(|p| p.len() >= 8 && b.phones.contains(p));
                let strong = email || phone || equal(&a.vat, &b.vat) || identifiers;
                let names_agree = evidence
                    .get(Field::Name)
                    .is_none_or(|s| s >= self.config.strong_min_name_similarity);
                strong && names_agree
            }
        }
    }

    /// Step 5: different VATs or barcodes cap the score low, different
    /// internal references less so.
    fn conflict_cap(&self, a: &Profile, b: &Profile) -> f64 {
        let differ =
            |x: &Option<String>, y: &Option<String>| matches!((x, y), (Some(x), Some(y)) if x != y);
        let caps = &self.config.caps;
        let mut cap: f64 = 1.0;
        if differ(&a.vat, &b.vat) {
            cap = cap.min(caps.different_vat);
        }
        if differ(&a.barcode, &b.barcode) {
            cap = cap.min(caps.different_barcode);
        }
        if differ(&a.code, &b.code) {
            cap = cap.min(caps.different_code);
        }
        cap
    }
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
