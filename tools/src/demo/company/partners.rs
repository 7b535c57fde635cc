//! Partners: random companies with their contacts in eight countries, and
//! near-duplicates planted among them (about 5 % of the random partners,
//! 15 % of the clusters triples), recorded in [`Truth`](super::Truth).
//!
//! Random names come from a bijection of the partner's index onto word
//! combinations, so no two random companies share a name; e-mails, phones
//! and VAT numbers derive from the same index and never repeat either.

use rand::Rng;
use serde_json::Value;

use super::builder::{Builder, Link};
use super::rows::{put, text_opt};
use super::truth::{DuplicateGroup, Mutation};
use super::words::{self, COUNTRIES, CountryInfo};

/// The fields of a partner to create; the rest stays unset.
#[derive(Debug, Default, Clone)]
pub(crate) struct PartnerFields {
    pub name: String,
    pub is_company: bool,
    pub parent: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub vat: Option<String>,
    pub street: Option<String>,
    pub city: Option<&'static str>,
    pub zip: Option<String>,
    pub country: Option<Link>,
    pub customer_rank: i64,
    pub supplier_rank: i64,
    /// Euro cents; 0 means no limit.
    pub credit_limit: i64,
    pub reference: Option<String>,
    pub salesperson: Option<Link>,
    pub archived: bool,
    /// Days before today the record was created.
    pub age_days: i64,
}

/// Share of the random partners that are planted copies of another.
const DUPLICATE_SHARE: f64 = 0.05;

/// Country weights in percent, parallel to [`COUNTRIES`].
const COUNTRY_WEIGHTS: [u32; 8] = [30, 20, 12, 10, 10, 10, 5, 3];

/// Word lists split once per generation.
pub(crate) struct Words {
    pub first: Vec<&'static str>,
    pub second: Vec<&'static str>,
    pub trade: Vec<&'static str>,
    pub given: Vec<&'static str>,
    pub family: Vec<&'static str>,
    pub streets: Vec<&'static str>,
}

impl Words {
    pub(crate) fn new() -> Self {
        Self {
            first: words::split(words::COMPANY_FIRST),
            second: words::split(words::COMPANY_SECOND),
            trade: words::split(words::COMPANY_TRADE),
            given: words::split(words::FIRST_NAMES),
            family: words::split(words::LAST_NAMES),
            streets: words::split(words::STREETS),
        }
    }

    /// The `n`-th company name core (without legal form), distinct for
    /// distinct `n` below [`Words::company_space`].
    pub(crate) fn company(&self, n: usize) -> [&'static str; 3] {
        let (a, b, c) = (self.first.len(), self.second.len(), self.trade.len());
        let k = permute(n, a * b * c);
        [
            self.first[k % a],
            self.second[(k / a) % b],
            self.trade[(k / (a * b)) % c],
        ]
    }

    pub(crate) fn company_space(&self) -> usize {
        self.first.len() * self.second.len() * self.trade.len()
    }

    /// The `n`-th person name; names repeat after [`Words::person_space`].
    pub(crate) fn person(&self, n: usize) -> [&'static str; 2] {
        let (a, b) = (self.given.len(), self.family.len());
        let k = permute(n % (a * b), a * b);
        [self.given[k % a], self.family[k / a % b]]
    }

    pub(crate) fn person_space(&self) -> usize {
        self.given.len() * self.family.len()
    }
}

/// A bijection of `0..m` that scatters neighbours (multiplication by a
/// number coprime with `m`).
fn permute(n: usize, m: usize) -> usize {
    if m == 0 {
        return 0;
    }
    let mut stride = 7_919 % m;
    while stride == 0 || gcd(stride, m) != 1 {
        stride += 1;
    }
    (n % m * stride + 13) % m
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The random trading partners, for the document generators.
#[derive(Debug, Default)]
pub(crate) struct Pools {
    /// Customer companies with their contacts.
    pub customers: Vec<(i64, Vec<i64>)>,
    pub vendors: Vec<i64>,
}

impl Pools {
    fn add(&mut self, fields: &PartnerFields, id: i64, contacts: Vec<i64>) {
        self.add_ranks(fields.customer_rank, fields.supplier_rank, id, contacts);
    }

    fn add_ranks(&mut self, customer: i64, supplier: i64, id: i64, contacts: Vec<i64>) {
        if customer > 0 {
            self.customers.push((id, contacts));
        }
        if supplier > 0 {
            self.vendors.push(id);
        }
    }
}

/// One random company's identity, kept to plant copies of it.
#[derive(Debug, Clone)]
struct Identity {
    id: i64,
    fields: PartnerFields,
    legal_form: Option<&'static str>,
    core: String,
}

impl Builder {
    /// Stores a partner and returns its id; display names and commercial
    /// entities are kept for many2one values.
    pub(crate) fn push_partner_record(&mut self, p: PartnerFields) -> i64 {
        let parent_name = p.parent.map(|id| self.partner_name(id).to_owned());
        let complete = match &parent_name {
            Some(parent) => {
                let mut s = String::with_capacity(parent.len() + 2 + p.name.len());
                s.push_str(parent);
                s.push_str(", ");
                s.push_str(&p.name);
                s
            }
            None => p.name.clone(),
        };
        let commercial = match p.parent {
            Some(parent) if !p.is_company => self.commercial_of(parent),
            _ => 0,
        };
        let created = self.cal.at(
            self.dates.today - chrono::Days::new(p.age_days.max(0) as u64),
            9,
            30,
        );
        let t = &mut self.t.partner;
        let [
            name,
            complete_col,
            is_company,
            company_type,
            parent,
            commercial_col,
            reference,
            vat,
            email,
            phone,
            mobile,
            street,
            city,
            zip,
            country,
            customer_rank,
            supplier_rank,
            credit_limit,
            use_limit,
            user,
            active,
            create_date,
            write_date,
        ] = self.cc.partners;
        let r = t.push_blank();
        let id = r.id;
        put(r, name, Value::String(p.name));
        put(r, complete_col, Value::from(complete.as_str()));
        put(r, is_company, p.is_company.into());
        put(
            r,
            company_type,
            (if p.is_company { "company" } else { "person" }).into(),
        );
        if let (Some(parent_id), Some(parent_name)) = (p.parent, &parent_name) {
            put(r, parent, super::rows::m2o(parent_id, parent_name));
        }
        let commercial = if commercial == 0 { id } else { commercial };
        let commercial_name = if commercial == id {
            complete.as_str()
        } else {
            self.partner_names
                .get(commercial as usize)
                .map_or("", String::as_str)
        };
        put(
            r,
            commercial_col,
            super::rows::m2o(commercial, commercial_name),
        );
        put(r, reference, text_opt(p.reference.as_deref()));
        put(r, vat, text_opt(p.vat.as_deref()));
        put(r, email, text_opt(p.email.as_deref()));
        put(r, phone, text_opt(p.phone.as_deref()));
        put(r, mobile, text_opt(p.mobile.as_deref()));
        put(r, street, text_opt(p.street.as_deref()));
        put(r, city, text_opt(p.city));
        put(r, zip, text_opt(p.zip.as_deref()));
        put(
            r,
            country,
            p.country.map_or(Value::Bool(false), Link::value),
        );
        put(r, customer_rank, p.customer_rank.into());
        put(r, supplier_rank, p.supplier_rank.into());
        put(r, credit_limit, super::rows::money(p.credit_limit));
        put(r, use_limit, (p.credit_limit > 0).into());
        put(
            r,
            user,
            p.salesperson.map_or(Value::Bool(false), Link::value),
        );
        put(r, active, (!p.archived).into());
        put(r, create_date, created.clone());
        put(r, write_date, created);
        self.partner_names.push(complete);
        self.commercial.push(commercial);
        if let Some(parent_id) = p.parent {
            self.add_child(parent_id, id);
        }
        id
    }

    fn add_child(&mut self, parent: i64, child: i64) {
        let children = self.cc.child_ids;
        if let Some(Value::Array(list)) = self
            .t
            .partner
            .get_mut(parent)
            .and_then(|r| r.values.get_mut(children))
        {
            list.push(Value::from(child));
        }
    }

    /// `count` random partners: companies, each followed by 0–2 contacts,
    /// then planted copies of about 5 % of them.
    pub(crate) fn random_partners(&mut self, words: &Words, count: usize) -> Pools {
        let copies_target = (count as f64 * DUPLICATE_SHARE) as usize;
        let originals_target = count - copies_target;
        let mut created = Vec::with_capacity(count);
        let mut identities = Vec::new();
        let mut pools = Pools::default();
        let mut company_n = 0usize;
        let mut person_n = 0usize;
        while created.len() < originals_target {
            let identity = self.random_company(words, company_n);
            company_n += 1;
            created.push(identity.id);
            let contacts = match self.rng.random_range(0..100) {
                0..55 => 0,
                55..85 => 1,
                _ => 2,
            };
            let mut people = Vec::new();
            for _ in 0..contacts {
                if created.len() >= originals_target {
                    break;
                }
                let id = self.random_contact(words, &identity, person_n);
                person_n += 1;
                created.push(id);
                people.push(id);
            }
            pools.add(&identity.fields, identity.id, people);
            identities.push(identity);
        }
        let mut copies = 0;
        let mut cluster = 0usize;
        while copies < copies_target && !identities.is_empty() {
            let pick = permute(cluster, identities.len());
            cluster += 1;
            let original = identities[pick].clone();
            let size = if self.rng.random_bool(0.15) && copies + 2 <= copies_target {
                2
            } else {
                1
            };
            let mut group = DuplicateGroup {
                original: original.id,
                ids: vec![original.id],
                mutations: Vec::new(),
            };
            for _ in 0..size {
                let (fields, mutations) = self.mutate(&original);
                let (customer_rank, supplier_rank) = (fields.customer_rank, fields.supplier_rank);
                let id = self.push_partner_record(fields);
                pools.add_ranks(customer_rank, supplier_rank, id, Vec::new());
                created.push(id);
                group.ids.push(id);
                group.mutations.push((id, mutations));
                copies += 1;
            }
            group.ids.sort_unstable();
            self.truth.partner_duplicates.push(group);
            if cluster > identities.len() {
                break;
            }
        }
        pools
    }

    fn country(&mut self) -> (usize, &'static CountryInfo) {
        let roll = self.rng.random_range(0..100);
        let mut acc = 0;
        for (i, w) in COUNTRY_WEIGHTS.iter().enumerate() {
            acc += w;
            if roll < acc {
                return (i, &COUNTRIES[i]);
            }
        }
        (0, &COUNTRIES[0])
    }

    fn random_company(&mut self, words: &Words, n: usize) -> Identity {
        let [a, b, c] = words.company(n);
        let mut core = String::with_capacity(32);
        core.push_str(a);
        core.push(' ');
        core.push_str(b);
        core.push(' ');
        core.push_str(c);
        if n >= words.company_space() {
            core.push_str(&format!(" {}", n / words.company_space() + 1));
        }
        let (ci, country) = self.country();
        let legal_form = if self.rng.random_bool(0.8) {
            Some(country.legal_forms[self.rng.random_range(0..country.legal_forms.len())])
        } else {
            None
        };
        let name = match legal_form {
            Some(form) => format!("{core} {form}"),
            None => core.clone(),
        };
        let domain = domain_of(&core, country.tld, n, words.company_space());
        let email = self.rng.random_bool(0.9).then(|| {
            let mailbox =
                words::ROLE_MAILBOXES[self.rng.random_range(0..words::ROLE_MAILBOXES.len())];
            format!("{mailbox}@{domain}")
        });
        let phone = self
            .rng
            .random_bool(0.85)
            .then(|| phone_of(country, n as u64, 0));
        let vat = (country.vat_digits > 0 && self.rng.random_bool(0.55))
            .then(|| vat_of(country, n as u64));
        let roll = self.rng.random_range(0..100);
        let (customer_rank, supplier_rank) = match roll {
            0..72 => (self.rng.random_range(1..20), 0),
            72..92 => (0, self.rng.random_range(1..10)),
            _ => (self.rng.random_range(1..5), self.rng.random_range(1..5)),
        };
        let credit_limit = if customer_rank > 0 && self.rng.random_bool(0.2) {
            self.rng.random_range(2..40) * 5_000_00
        } else {
            0
        };
        let fields = PartnerFields {
            name,
            is_company: true,
            email,
            phone,
            vat,
            street: Some(street_of(words, country, &mut self.rng)),
            city: Some(country.cities[self.rng.random_range(0..country.cities.len())]),
            zip: zip_of(country, &mut self.rng),
            country: self.countries.get(ci).copied(),
            customer_rank,
            supplier_rank,
            credit_limit,
            reference: (customer_rank > 0 && self.rng.random_bool(0.3))
                .then(|| format!("C{:06}", n + 1)),
            salesperson: (customer_rank > 0 && self.rng.random_bool(0.5))
                .then_some(self.refs.salesman),
            archived: self.rng.random_bool(0.02),
            age_days: self.rng.random_range(400..1_500),
            ..PartnerFields::default()
        };
        let id = self.push_partner_record(fields.clone());
        Identity {
            id,
            fields,
            legal_form,
            core,
        }
    }

    fn random_contact(&mut self, words: &Words, company: &Identity, n: usize) -> i64 {
        let [given, family] = words.person(n);
        let name = format!("{given} {family}");
        let domain = company
            .fields
            .email
            .as_deref()
            .and_then(|e| e.split_once('@'))
            .map(|(_, d)| d.to_owned());
        let email = domain.map(|d| {
            let mut e = String::with_capacity(given.len() + family.len() + d.len() + 2);
            e.push_str(&given.to_lowercase());
            e.push('.');
            e.push_str(&family.to_lowercase());
            if n >= words.person_space() {
                e.push_str(&(n / words.person_space()).to_string());
            }
            e.push('@');
            e.push_str(&d);
            e
        });
        let ci = company
            .fields
            .country
            .and_then(|c| self.countries.iter().position(|l| l.id == c.id))
            .unwrap_or(0);
        let country = &COUNTRIES[ci];
        // A third of the contacts answer on the company switchboard.
        let phone = if self.rng.random_bool(0.3) {
            company.fields.phone.clone()
        } else {
            self.rng
                .random_bool(0.7)
                .then(|| phone_of(country, n as u64, 1))
        };
        let mobile = self
            .rng
            .random_bool(0.3)
            .then(|| phone_of(country, n as u64, 2));
        self.push_partner_record(PartnerFields {
            name,
            parent: Some(company.id),
            email,
            phone,
            mobile,
            city: company.fields.city,
            country: company.fields.country,
            age_days: company.fields.age_days - 10,
            ..PartnerFields::default()
        })
    }

    /// A near-duplicate of `original`: its name changed one way, its
    /// e-mail, phone and VAT kept, reformatted or dropped, keeping at
    /// least one piece of contact evidence.
    fn mutate(&mut self, original: &Identity) -> (PartnerFields, Vec<Mutation>) {
        let mut f = original.fields.clone();
        f.archived = false;
        f.reference = None;
        f.age_days = self.rng.random_range(5..300);
        let mut kinds = Vec::new();
        let name_kind = match self.rng.random_range(0..5) {
            0 => Mutation::NameTypo,
            1 => Mutation::NameCase,
            2 => Mutation::NameSuffix,
            3 => Mutation::NameSwap,
            _ => Mutation::NameSpaces,
        };
        f.name = match name_kind {
            Mutation::NameTypo => typo(&original.fields.name, &mut self.rng),
            Mutation::NameCase => original.fields.name.to_uppercase(),
            Mutation::NameSuffix => match original.legal_form {
                Some(_) => original.core.clone(),
                None => format!("{} Ltd", original.core),
            },
            Mutation::NameSwap => swap_first_words(&original.fields.name),
            _ => original.fields.name.replacen(' ', "  ", 1),
        };
        kinds.push(name_kind);
        let mut evidence = false;
        match self.rng.random_range(0..4) {
            0 if f.email.is_some() => {
                kinds.push(Mutation::EmailSame);
                evidence = true;
            }
            1 if f.email.is_some() => {
                f.email = f.email.map(|e| e.to_uppercase());
                kinds.push(Mutation::EmailCase);
                evidence = true;
            }
            _ => {
                f.email = None;
                kinds.push(Mutation::EmailMissing);
            }
        }
        match self.rng.random_range(0..3) {
            0 if f.phone.is_some() => {
                kinds.push(Mutation::PhoneSame);
                evidence = true;
            }
            1 if f.phone.is_some() => {
                f.phone = f
                    .phone
                    .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect());
                kinds.push(Mutation::PhoneReformat);
                evidence = true;
            }
            _ => {
                f.phone = None;
                kinds.push(Mutation::PhoneMissing);
            }
        }
        match self.rng.random_range(0..3) {
            0 if f.vat.is_some() => {
                kinds.push(Mutation::VatSame);
                evidence = true;
            }
            1 if f.vat.is_some() => {
                f.vat = f.vat.map(|v| {
                    let (prefix, digits) = v.split_at(2.min(v.len()));
                    format!("{prefix} {digits}")
                });
                kinds.push(Mutation::VatReformat);
                evidence = true;
            }
            _ => {
                f.vat = None;
                kinds.push(Mutation::VatMissing);
            }
        }
        if let (false, Some(email)) = (evidence, &original.fields.email) {
            f.email = Some(email.clone());
            kinds.retain(|k| *k != Mutation::EmailMissing);
            kinds.push(Mutation::EmailSame);
        }
        (f, kinds)
    }
}

/// `blueridgemachinery.de`: the core's letters, lowercased, plus the TLD.
fn domain_of(core: &str, tld: &str, n: usize, space: usize) -> String {
    let mut d = String::with_capacity(core.len() + tld.len() + 4);
    for ch in core.chars().filter(char::is_ascii_alphanumeric) {
        d.push(ch.to_ascii_lowercase());
    }
    if n >= space {
        d.push_str(&(n / space).to_string());
    }
    d.push('.');
    d.push_str(tld);
    d
}

/// A phone number unique per (`n`, `kind`), written the country's way.
fn phone_of(country: &CountryInfo, n: u64, kind: u64) -> String {
    // Seven distinct subscriber digits per n and kind.
    let subscriber = (n * 3 + kind) * 7_919 % 9_000_000 + 1_000_000;
    let area = 10 + (n * 37 + kind) % 80;
    match country.code {
        "US" => format!(
            "+1 ({area}{}) {}-{}",
            n % 10,
            subscriber / 10_000 % 1000,
            subscriber % 10_000
        ),
        "GB" => format!("+44 {area}{} {subscriber}", n % 10),
        "KW" => format!("+965 {subscriber}"),
        _ => format!(
            "+{} {area} {} {}",
            country.phone_code,
            subscriber / 10_000,
            subscriber % 10_000
        ),
    }
}

/// A VAT number unique per `n`, with the country's prefix and length.
fn vat_of(country: &CountryInfo, n: u64) -> String {
    let modulus = 10_u64.pow(country.vat_digits.min(18));
    let body = (n * 104_729 + 1_000_003) % modulus;
    let width = country.vat_digits as usize;
    match country.code {
        "NL" => format!("NL{body:0width$}B01"),
        "GB" => format!("GB{body:0width$}"),
        code => format!("{code}{body:0width$}"),
    }
}

fn street_of(words: &Words, country: &CountryInfo, rng: &mut impl Rng) -> String {
    let word = words.streets[rng.random_range(0..words.streets.len())];
    let number = rng.random_range(1..240);
    match (country.number_after, country.street_type) {
        (true, "Via") => format!("Via {word} {number}"),
        (true, suffix) => format!("{word}{suffix} {number}"),
        (false, "rue") => format!("{number} rue {word}"),
        (false, kind) => format!("{number} {word} {kind}"),
    }
}

fn zip_of(country: &CountryInfo, rng: &mut impl Rng) -> Option<String> {
    match country.zip_digits {
        0 => Some(format!(
            "SW{} {}AB",
            rng.random_range(1..20),
            rng.random_range(1..9)
        )),
        4 => Some(format!("{}", rng.random_range(1000..9999))),
        _ => Some(format!("{:05}", rng.random_range(1000..99999))),
    }
}

/// Swaps two adjacent letters of the longest word.
fn typo(name: &str, rng: &mut impl Rng) -> String {
    let longest = name
        .split(' ')
        .max_by_key(|w| w.len())
        .unwrap_or(name)
        .to_owned();
    let chars: Vec<char> = longest.chars().collect();
    if chars.len() < 4 {
        return format!("{name}.");
    }
    let i = rng.random_range(1..chars.len() - 1);
    let mut swapped = chars.clone();
    swapped.swap(i, i - 1);
    if swapped == chars {
        // Swapping two equal letters changes nothing: drop one instead.
        swapped.remove(i);
    }
    let replaced: String = swapped.into_iter().collect();
    name.replacen(&longest, &replaced, 1)
}

/// "Blue Ridge Machinery" → "Ridge Blue Machinery".
fn swap_first_words(name: &str) -> String {
    let mut parts: Vec<&str> = name.split(' ').collect();
    if parts.len() >= 2 {
        parts.swap(0, 1);
    }
    parts.join(" ")
}

/// The columns written per record, resolved once per table.
pub(crate) const PARTNERS_FIELDS: [&str; 23] = [
    "name",
    "complete_name",
    "is_company",
    "company_type",
    "parent_id",
    "commercial_partner_id",
    "ref",
    "vat",
    "email",
    "phone",
    "mobile",
    "street",
    "city",
    "zip",
    "country_id",
    "customer_rank",
    "supplier_rank",
    "credit_limit",
    "use_partner_credit_limit",
    "user_id",
    "active",
    "create_date",
    "write_date",
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn permute_is_a_bijection() {
        for m in [1, 7, 100, 148_800] {
            let seen: HashSet<usize> = (0..m).map(|n| permute(n, m)).collect();
            assert_eq!(seen.len(), m);
        }
    }

    #[test]
    fn company_names_are_distinct_across_the_name_space() {
        let words = Words::new();
        let names: HashSet<[&str; 3]> = (0..words.company_space())
            .map(|n| words.company(n))
            .collect();
        assert_eq!(names.len(), words.company_space());
    }

    #[test]
    fn a_typo_always_changes_the_name() {
        let mut rng = StdRng::seed_from_u64(1);
        for name in [
            "Blue Ridge Machinery GmbH",
            "Apex Bella Labs",
            "Oak Hill Tools",
        ] {
            for _ in 0..50 {
                assert_ne!(typo(name, &mut rng), name);
            }
        }
        assert_eq!(
            swap_first_words("Blue Ridge Machinery"),
            "Ridge Blue Machinery"
        );
    }

    #[test]
    fn phones_and_vats_follow_country_formats_and_do_not_repeat() {
        let nl = &COUNTRIES[0];
        assert!(phone_of(nl, 5, 0).starts_with("+31 "));
        assert!(vat_of(nl, 5).starts_with("NL") && vat_of(nl, 5).ends_with("B01"));
        let phones: HashSet<String> = (0..50_000).map(|n| phone_of(nl, n, 0)).collect();
        assert_eq!(phones.len(), 50_000);
        let vats: HashSet<String> = (0..50_000).map(|n| vat_of(&COUNTRIES[1], n)).collect();
        assert_eq!(vats.len(), 50_000);
    }
}
