//! The product catalogue (one template per variant), with about 3 % of
//! the products planted as duplicates sharing a code or a barcode.

use rand::Rng;
use serde_json::Value;

use super::builder::Builder;
use super::rows::{cols, m2o, money, put, text_opt};
use super::truth::{DuplicateGroup, Mutation};
use super::words;

/// A product to create.
#[derive(Debug, Clone)]
pub(crate) struct ProductFields {
    pub name: String,
    pub code: Option<String>,
    pub barcode: Option<String>,
    /// `product.category` id: 2 furniture, 3 hardware, 4 electronics, 5 services.
    pub category: i64,
    pub kind: ProductKind,
    pub list_cents: i64,
    pub cost_cents: i64,
    pub on_hand: i64,
}

/// What Odoo tracks of a product; written per version (0.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProductKind {
    Storable,
    Consumable,
    Service,
}

/// The catalogue: ids of products that can be sold, and of storable ones.
#[derive(Debug, Default)]
pub(crate) struct Catalogue {
    pub all: Vec<i64>,
    pub storable: Vec<i64>,
    /// List price per id (cents), indexed by id.
    pub prices: Vec<i64>,
}

impl Catalogue {
    pub(crate) fn price(&self, id: i64) -> i64 {
        self.prices.get(id as usize).copied().unwrap_or(10_000)
    }
}

const CATEGORIES: [(i64, &str); 4] = [
    (2, "All / Furniture"),
    (3, "All / Hardware"),
    (4, "All / Electronics"),
    (5, "All / Services"),
];

impl Builder {
    /// `count` random products plus planted duplicates of about 3 %.
    pub(crate) fn products(&mut self, count: usize) -> Catalogue {
        let adjectives = words::split(words::PRODUCT_ADJECTIVES);
        let nouns = words::split(words::PRODUCT_NOUNS);
        let mut catalogue = Catalogue {
            prices: vec![0],
            ..Catalogue::default()
        };
        let mut made = Vec::with_capacity(count);
        for n in 0..count {
            let adjective = adjectives[n % adjectives.len()];
            let noun = nouns[(n / adjectives.len()) % nouns.len()];
            let series = n / (adjectives.len() * nouns.len());
            let name = if series == 0 {
                format!("{adjective} {noun}")
            } else {
                format!("{adjective} {noun} Series {}", series + 1)
            };
            let roll = self.rng.random_range(0..100);
            let kind = match roll {
                0..60 => ProductKind::Storable,
                60..85 => ProductKind::Consumable,
                _ => ProductKind::Service,
            };
            let category = match kind {
                ProductKind::Service => 5,
                _ => 2 + (n % 3) as i64,
            };
            let list_cents = self.rng.random_range(5..2_000) * 100 - 1;
            let on_hand = match kind {
                ProductKind::Storable if self.rng.random_bool(0.08) => 0,
                ProductKind::Storable => self.rng.random_range(1..500),
                _ => 0,
            };
            let fields = ProductFields {
                name,
                code: Some(format!("P{:05}", n + 1)),
                barcode: (kind != ProductKind::Service).then(|| ean13(n as u64)),
                category,
                kind,
                list_cents,
                cost_cents: list_cents * self.rng.random_range(40..75) / 100,
                on_hand,
            };
            let id = self.push_product(&fields, &mut catalogue);
            made.push((id, fields));
        }
        let copies = (count * 3 / 100).max(1).min(made.len());
        for k in 0..copies {
            let (original, fields) = made[(k * 37 + 5) % made.len()].clone();
            let mut copy = fields.clone();
            let kind = if k % 2 == 0 || copy.barcode.is_none() {
                copy.barcode = None;
                copy.name = copy.name.to_lowercase();
                Mutation::CodeSame
            } else {
                copy.code = None;
                copy.name = format!("{} ", copy.name)
                    .replacen(' ', "-", 1)
                    .trim_end()
                    .to_owned();
                Mutation::BarcodeSame
            };
            copy.on_hand = 0;
            let id = self.push_product(&copy, &mut catalogue);
            self.truth.product_duplicates.push(DuplicateGroup {
                original,
                ids: vec![original, id],
                mutations: vec![(id, vec![kind])],
            });
        }
        catalogue
    }

    pub(crate) fn push_product(&mut self, p: &ProductFields, catalogue: &mut Catalogue) -> i64 {
        let version = self.spec.version;
        let (category_id, category_name) = CATEGORIES
            .iter()
            .copied()
            .find(|(id, _)| *id == p.category)
            .unwrap_or(CATEGORIES[0]);
        let (type_code, storable) = match (p.kind, version.is_18_or_later()) {
            (ProductKind::Storable, false) => ("product", false),
            (ProductKind::Storable, true) => ("consu", true),
            (ProductKind::Consumable, _) => ("consu", false),
            (ProductKind::Service, _) => ("service", false),
        };
        let created = self.cal.at(self.dates.start, 9, 0);
        let mut template_id = 0;
        for table in [&mut self.t.template, &mut self.t.product] {
            let [
                name,
                code,
                barcode,
                categ,
                list_price,
                standard_price,
                sale_ok,
                purchase_ok,
                company_col,
                active,
                ty,
                is_storable,
                template,
                qty,
                virtual_qty,
                create_date,
                write_date,
            ] = cols(
                table,
                [
                    "name",
                    "default_code",
                    "barcode",
                    "categ_id",
                    "list_price",
                    "standard_price",
                    "sale_ok",
                    "purchase_ok",
                    "company_id",
                    "active",
                    "type",
                    "is_storable",
                    "product_tmpl_id",
                    "qty_available",
                    "virtual_available",
                    "create_date",
                    "write_date",
                ],
            );
            let r = table.push_blank();
            put(r, name, Value::from(p.name.as_str()));
            put(r, code, text_opt(p.code.as_deref()));
            put(r, barcode, text_opt(p.barcode.as_deref()));
            put(r, categ, m2o(category_id, category_name));
            put(r, list_price, money(p.list_cents));
            put(r, standard_price, money(p.cost_cents));
            put(r, sale_ok, true.into());
            put(r, purchase_ok, (p.kind != ProductKind::Service).into());
            // Products are shared between companies (company_id unset).
            put(r, company_col, Value::Bool(false));
            put(r, active, true.into());
            put(r, ty, type_code.into());
            put(r, is_storable, storable.into());
            put(r, template, m2o(template_id, &p.name));
            put(r, qty, Value::from(p.on_hand as f64));
            put(r, virtual_qty, Value::from(p.on_hand as f64));
            put(r, create_date, created.clone());
            put(r, write_date, created.clone());
            template_id = r.id;
        }
        let id = template_id;
        self.product_names.resize(id as usize + 1, String::new());
        if let Some(slot) = self.product_names.get_mut(id as usize) {
            p.name.clone_into(slot);
        }
        catalogue.prices.resize(id as usize + 1, 0);
        if let Some(slot) = catalogue.prices.get_mut(id as usize) {
            *slot = p.list_cents;
        }
        catalogue.all.push(id);
        if p.kind == ProductKind::Storable {
            catalogue.storable.push(id);
        }
        id
    }
}

/// A valid EAN-13 barcode, distinct per `n`.
fn ean13(n: u64) -> String {
    let body = 871_000_000_000 + n * 7 % 999_999_999;
    let digits: Vec<u64> = format!("{body:012}")
        .bytes()
        .map(|b| u64::from(b - b'0'))
        .collect();
    let sum: u64 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
        .sum();
    format!("{body:012}{}", (10 - sum % 10) % 10)
}

impl Builder {
    /// The service sold in the planted orders, created before the random
    /// catalogue so its id is fixed.
    pub(crate) fn fixed_product(&mut self) -> i64 {
        let mut catalogue = Catalogue::default();
        self.push_product(
            &ProductFields {
                name: "Installation Service".to_owned(),
                code: Some("SRV-INST".to_owned()),
                barcode: None,
                category: 5,
                kind: ProductKind::Service,
                list_cents: 950_00,
                cost_cents: 400_00,
                on_hand: 0,
            },
            &mut catalogue,
        )
    }
}
