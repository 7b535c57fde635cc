//! Word lists the random names and addresses are built from. Random names
//! never use the words of the worked examples (Acme, Failakawi, Smith, ..),
//! so a planted example cannot collide with a random record.

/// First half of a company name.
pub(crate) const COMPANY_FIRST: &str = "Blue Silver Golden Red Green Black White Iron Copper Granite \
    North South East West Upper Lower Grand Royal Prime Summit Pioneer Liberty Eagle Falcon \
    Cedar Maple Oak Pine Willow Birch Aspen Harbor River Lake Ocean Coastal Valley Canyon \
    Prairie Meadow Sunrise Sunset Evergreen Crystal Diamond Emerald Sapphire Atlas Orion \
    Vertex Apex Nova Stellar Quantum Bright Clear Swift Noble Crown Anchor Beacon Compass";

/// Second half of a company name (surnames and places).
pub(crate) const COMPANY_SECOND: &str = "Ridge Stone Brook Field Wood Hill Point Gate Bridge Bay \
    Jensen Parsons Lynn Nunez McCall Harper Keller Moreau Laurent Fischer Weber Becker Schulz \
    Rossi Bianchi Conti Garcia Lopez Navarro Silva Costa Pereira Novak Kowalski Nowak Horvath \
    Larsen Berg Lindqvist Dubois Lefevre Girard Visser Jansen Bakker Peeters Maes Wouters \
    Okafor Mensah Tanaka Sato Kim Park Chen Wang Patel Shah Khan Haddad Nasser Saleh";

/// Third word of a company name: what it does.
pub(crate) const COMPANY_TRADE: &str = "Machinery Logistics Foods Farms Packaging Staffing \
    Textiles Chemicals Electronics Robotics Software Consulting Construction Plastics Metals \
    Furniture Printing Media Pharma Medical Dental Optics Energy Solar Marine Aviation \
    Automotive Tools Hardware Supplies Labs Analytics Interiors Outfitters Beverages Bakery \
    Imports Exports Engineering Ceramics";

pub(crate) const FIRST_NAMES: &str = "James Mary Robert Patricia Michael Jennifer William Linda \
    David Elizabeth Richard Barbara Joseph Susan Thomas Jessica Charles Sarah Christopher Karen \
    Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Paul Emily \
    Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy \
    Stephanie Ronald Rebecca Edward Sharon Jason Laura Jeffrey Cynthia Ryan Amy Jacob Kathleen \
    Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin \
    Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel Helen Gregory Debra \
    Alexander Rachel Frank Carolyn Patrick Janet Raymond Maria Jack Olivia Dennis Heather Jerry \
    Diane Tyler Julie Aaron Joyce Lukas Lea Jonas Hannah Felix Lena Maximilian Sophie Luca \
    Giulia Marco Chiara Pierre Camille Louis Chloe Hugo Manon Sven Ingrid Lars Astrid Pieter \
    Sanne Joost Femke Tariq Layla Omar Yasmin Kenji Yuki Hiro Aiko Raj Priya Arjun Ananya";

pub(crate) const LAST_NAMES: &str = "Day Parks Medrano Lawrence Johnson Williams Brown Jones \
    Miller Davis Rodriguez Martinez Hernandez Gonzalez Wilson Anderson Taylor Moore Jackson \
    Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young \
    Allen King Wright Scott Torres Nguyen Hill Flores Adams Nelson Baker Hall Rivera Campbell \
    Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Cruz Edwards Collins Reyes Stewart \
    Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly \
    Howard Ramos Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz \
    Hughes Price Alvarez Castillo Sanders Myers Long Ross Foster Jimenez Powell Jenkins Perry \
    Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher Vasquez Simmons Romero Jordan \
    Patterson Alexander Hamilton Graham Reynolds Griffin Wallace West Cole Hayes Bryant Gibson \
    Ellis Stevens Murray Ford Marshall Owens McDonald Harrison Kennedy Wells Schmidt Wagner \
    Hoffmann Schaefer Koch Richter Klein Wolf Neumann Schwarz Zimmermann Braun Hofmann Hartmann \
    Lange Werner Krause Meier Lehmann Bernard Petit Durand Leroy Roux Fournier Mercier Blanc \
    Guerin Muller Bonnet Ricci Marino Greco Bruno Gallo Ferrari Romano Colombo Esposito";

/// Street names (the word before the street type).
pub(crate) const STREETS: &str = "Main Oak Pine Maple Cedar Elm Lake Hill Park Washington \
    Church Mill Station Market Bridge Garden Harbour Castle School Victoria King Queen River \
    Forest Meadow Orchard Spring Chapel Beacon";

/// One country of the demo: its partners get its phone, VAT, postcode and
/// legal-form conventions.
pub(crate) struct CountryInfo {
    pub name: &'static str,
    pub code: &'static str,
    pub phone_code: i64,
    pub currency: &'static str,
    /// Legal-form suffixes put after company names.
    pub legal_forms: &'static [&'static str],
    pub cities: &'static [&'static str],
    /// How streets are written: `{n}` is the number, `{s}` the street word.
    pub street_type: &'static str,
    /// Whether the house number goes after the street name.
    pub number_after: bool,
    /// Digits in a postcode.
    pub zip_digits: u32,
    /// Digits after the two-letter prefix in a VAT number.
    pub vat_digits: u32,
    /// The e-mail top-level domain.
    pub tld: &'static str,
}

pub(crate) const COUNTRIES: &[CountryInfo] = &[
    CountryInfo {
        name: "Netherlands",
        code: "NL",
        phone_code: 31,
        currency: "EUR",
        legal_forms: &["B.V.", "BV", "N.V."],
        cities: &[
            "Rotterdam",
            "Amsterdam",
            "Utrecht",
            "Eindhoven",
            "Groningen",
        ],
        street_type: "straat",
        number_after: true,
        zip_digits: 4,
        vat_digits: 9,
        tld: "nl",
    },
    CountryInfo {
        name: "Germany",
        code: "DE",
        phone_code: 49,
        currency: "EUR",
        legal_forms: &["GmbH", "AG", "GmbH & Co. KG"],
        cities: &["Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt"],
        street_type: "strasse",
        number_after: true,
        zip_digits: 5,
        vat_digits: 9,
        tld: "de",
    },
    CountryInfo {
        name: "France",
        code: "FR",
        phone_code: 33,
        currency: "EUR",
        legal_forms: &["SARL", "SAS", "SA"],
        cities: &["Paris", "Lyon", "Toulouse", "Marseille", "Lille"],
        street_type: "rue",
        number_after: false,
        zip_digits: 5,
        vat_digits: 11,
        tld: "fr",
    },
    CountryInfo {
        name: "Belgium",
        code: "BE",
        phone_code: 32,
        currency: "EUR",
        legal_forms: &["BV", "NV", "SRL"],
        cities: &["Brussels", "Antwerp", "Ghent", "Liege", "Bruges"],
        street_type: "laan",
        number_after: true,
        zip_digits: 4,
        vat_digits: 10,
        tld: "be",
    },
    CountryInfo {
        name: "United Kingdom",
        code: "GB",
        phone_code: 44,
        currency: "GBP",
        legal_forms: &["Ltd", "Limited", "PLC"],
        cities: &["London", "Manchester", "Leeds", "Bristol", "Glasgow"],
        street_type: "Road",
        number_after: false,
        zip_digits: 0,
        vat_digits: 9,
        tld: "co.uk",
    },
    CountryInfo {
        name: "United States",
        code: "US",
        phone_code: 1,
        currency: "USD",
        legal_forms: &["Inc.", "LLC", "Corp."],
        cities: &["Chicago", "Houston", "Boston", "Denver", "Seattle"],
        street_type: "Street",
        number_after: false,
        zip_digits: 5,
        vat_digits: 0,
        tld: "com",
    },
    CountryInfo {
        name: "Italy",
        code: "IT",
        phone_code: 39,
        currency: "EUR",
        legal_forms: &["S.r.l.", "S.p.A."],
        cities: &["Milan", "Rome", "Turin", "Bologna", "Naples"],
        street_type: "Via",
        number_after: true,
        zip_digits: 5,
        vat_digits: 11,
        tld: "it",
    },
    CountryInfo {
        name: "Kuwait",
        code: "KW",
        phone_code: 965,
        currency: "KWD",
        legal_forms: &["W.L.L.", "Co."],
        cities: &["Kuwait City", "Hawalli", "Salmiya", "Farwaniya"],
        street_type: "Street",
        number_after: false,
        zip_digits: 5,
        vat_digits: 0,
        tld: "com.kw",
    },
];

/// Splits a word list once.
pub(crate) fn split(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// Generic mailbox names, as in spec 4.3.
pub(crate) const ROLE_MAILBOXES: &[&str] =
    &["info", "sales", "contact", "accounts", "billing", "office"];

/// Product nouns and adjectives for the catalogue.
pub(crate) const PRODUCT_ADJECTIVES: &str = "Steel Aluminium Oak Compact Heavy-Duty Portable \
    Industrial Premium Basic Ergonomic Wireless Digital Modular Folding Stackable Insulated \
    Reinforced Recycled Standard Deluxe";
pub(crate) const PRODUCT_NOUNS: &str = "Desk Chair Cabinet Shelf Bracket Hinge Valve Pump \
    Cable Sensor Router Monitor Keyboard Lamp Panel Drill Saw Ladder Crate Pallet Toolbox \
    Hose Filter Fan Heater Scale Printer Label Tape Glove";
