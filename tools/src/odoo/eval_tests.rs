use pretty_assertions::assert_eq;
use serde_json::{Map, Value, json};

use super::super::{Domain, matches};
use super::*;
use crate::odoo::scalar::like_match;

/// A tiny store: partners and countries in Odoo's `read` shape.
struct Db {
    partners: Vec<Value>,
    countries: Vec<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Model {
    Partner,
    Country,
}

#[derive(Clone, Copy)]
struct Row<'a> {
    db: &'a Db,
    model: Model,
    values: &'a Value,
}

impl RecordView for Row<'_> {
    fn field(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    fn related(&self, field: &str, id: i64) -> Option<Self> {
        let model = match (self.model, field) {
            (Model::Partner, "parent_id") => Model::Partner,
            (Model::Partner, "country_id") => Model::Country,
            _ => return None,
        };
        self.db.row(model, id)
    }
}

impl Db {
    fn row(&self, model: Model, id: i64) -> Option<Row<'_>> {
        let table = match model {
            Model::Partner => &self.partners,
            Model::Country => &self.countries,
        };
        let values = table.iter().find(|r| r["id"].as_i64() == Some(id))?;
        Some(Row {
            db: self,
            model,
            values,
        })
    }

    fn search(&self, domain: &Domain) -> Vec<i64> {
        self.partners
            .iter()
            .map(|values| Row {
                db: self,
                model: Model::Partner,
                values,
            })
            .filter(|row| matches(domain, row))
            .filter_map(|row| row.values["id"].as_i64())
            .collect()
    }
}

fn db() -> Db {
    #[rustfmt::skip]
    let rows = [
        // id, name, email, country, parent, customer_rank, active, create_date
        json!([1, "ACME Corp", "info@acme.example", [1, "Belgium"], false, 5, true,
            "2024-01-15 09:30:00"]),
        json!([2, "ACME Sales", "sales@acme.example", [1, "Belgium"], [1, "ACME Corp"], 2, true,
            "2024-02-01 00:00:00"]),
        json!([3, "John Doe", "john@acme.example", [1, "Belgium"], [2, "ACME Sales"], 0, true,
            "2024-02-01 12:00:00"]),
        json!([4, "Beta SARL", "contact@beta.example", [2, "France"], false, 3, true,
            "2023-12-31 23:59:59"]),
        json!([5, "Marie Curie", false, [2, "France"], [4, "Beta SARL"], 0, false,
            "2024-03-10 08:00:00"]),
        json!([6, "Gamma Inc", "hello@gamma.example", [3, "United States"], false, 1, true,
            "2024-01-01 00:00:00"]),
        json!([7, "gamma_labs", "labs@gamma.example", false, [6, "Gamma Inc"], false, true,
            "2024-03-01 10:00:00"]),
        json!([8, "Old Contact", false, false, false, 0, false, "2022-06-30 15:00:00"]),
    ];
    let columns = [
        "id",
        "name",
        "email",
        "country_id",
        "parent_id",
        "customer_rank",
        "active",
        "create_date",
    ];
    let partners = rows
        .iter()
        .map(|row| {
            let cells = row.as_array().expect("row is a list");
            let record: Map<String, Value> = columns
                .iter()
                .map(|c| c.to_string())
                .zip(cells.iter().cloned())
                .collect();
            Value::Object(record)
        })
        .collect();
    Db {
        countries: vec![
            json!({"id": 1, "name": "Belgium", "code": "BE"}),
            json!({"id": 2, "name": "France", "code": "FR"}),
            json!({"id": 3, "name": "United States", "code": "US"}),
        ],
        partners,
    }
}

/// Each domain as Odoo receives it, and the partner ids Odoo would return.
fn cases() -> Vec<(Value, Vec<i64>)> {
    vec![
        (json!([]), vec![1, 2, 3, 4, 5, 6, 7, 8]),
        (json!([["id", "in", []]]), vec![]),
        // An unset rank is NULL: neither > 0 nor, after `!`, <= 0.
        (json!([["customer_rank", ">", 0]]), vec![1, 2, 4, 6]),
        (json!(["!", ["customer_rank", ">", 0]]), vec![3, 5, 8]),
        // `!= 2` adds `OR IS NULL`; `!= 0` does not (0 is falsy in Python).
        (
            json!([["customer_rank", "!=", 2]]),
            vec![1, 3, 4, 5, 6, 7, 8],
        ),
        (json!([["customer_rank", "!=", 0]]), vec![1, 2, 4, 6]),
        (
            json!([["customer_rank", "in", [0, false]]]),
            vec![3, 5, 7, 8],
        ),
        (json!([["email", "=", false]]), vec![5, 8]),
        (json!([["email", "!=", false]]), vec![1, 2, 3, 4, 6, 7]),
        (json!([["active", "=", false]]), vec![5, 8]),
        (json!([["email", "ilike", "ACME"]]), vec![1, 2, 3]),
        (json!([["email", "not ilike", "acme"]]), vec![4, 5, 6, 7, 8]),
        (
            json!([["email", "ilike", ""]]),
            vec![1, 2, 3, 4, 5, 6, 7, 8],
        ),
        (json!([["name", "like", "Gamma"]]), vec![6]),
        (json!([["name", "=ilike", "acme%"]]), vec![1, 2]),
        (json!([["name", "=like", "gamma\\__%"]]), vec![7]),
        (json!([["email", "=like", "%@gamma.example"]]), vec![6, 7]),
        // `=like` has no negated operator: NOT keeps unset emails out.
        (json!(["!", ["email", "=like", "%acme%"]]), vec![4, 6, 7]),
        (json!([["country_id", "=", 1]]), vec![1, 2, 3]),
        (json!([["country_id", "ilike", "fran"]]), vec![4, 5]),
        (json!([["country_id", "in", [2, false]]]), vec![4, 5, 7, 8]),
        (json!([["country_id", "not in", [1]]]), vec![4, 5, 6, 7, 8]),
        (json!([["country_id", "not in", [1, false]]]), vec![4, 5, 6]),
        (json!([["country_id.code", "=", "BE"]]), vec![1, 2, 3]),
        // A path needs the link set, even for a negative operator.
        (json!([["country_id.code", "!=", "BE"]]), vec![4, 5, 6]),
        (
            json!([["parent_id.country_id.code", "=", "BE"]]),
            vec![2, 3],
        ),
        (json!([["parent_id", "child_of", 1]]), vec![1, 2, 3]),
        (json!([["id", "child_of", [4, 6]]]), vec![4, 5, 6, 7]),
        (
            json!(["!", ["parent_id", "child_of", 1]]),
            vec![4, 5, 6, 7, 8],
        ),
        // A date against a datetime: 00:00:00, or 23:59:59 for `>` and `<=`.
        (
            json!([["create_date", ">=", "2024-02-01"]]),
            vec![2, 3, 5, 7],
        ),
        (json!([["create_date", ">", "2024-02-01"]]), vec![5, 7]),
        (json!([["create_date", "<", "2024-01-01"]]), vec![4, 8]),
        (json!([["create_date", "<=", "2024-01-01"]]), vec![4, 6, 8]),
        (
            json!(["|", ["email", "=", false], ["customer_rank", ">=", 3]]),
            vec![1, 4, 5, 8],
        ),
        (
            json!([
                ["active", "=", true],
                "|",
                ["country_id.code", "=", "FR"],
                ["parent_id", "!=", false]
            ]),
            vec![2, 3, 4, 7],
        ),
        (
            json!(["!", "&", ["country_id", "=", 1], ["customer_rank", ">", 1]]),
            vec![3, 4, 5, 6, 7, 8],
        ),
        (
            json!(["!", "|", ["email", "ilike", "acme"], ["active", "=", false]]),
            vec![4, 6, 7],
        ),
        (
            json!([
                "&",
                "!",
                ["name", "ilike", "corp"],
                "|",
                "!",
                ["active", "=", true],
                ["parent_id.parent_id", "=", 1]
            ]),
            vec![3, 5, 8],
        ),
    ]
}

#[test]
fn domains_select_the_records_odoo_would() {
    let db = db();
    let mut expected = Vec::new();
    let mut actual = Vec::new();
    for (value, ids) in cases() {
        let domain = Domain::parse(&value).expect("case domain parses");
        expected.push((value.to_string(), ids));
        actual.push((value.to_string(), db.search(&domain)));
    }
    assert_eq!(actual, expected);
}

#[test]
fn built_domains_select_the_same_records_as_their_json() {
    let db = db();
    let built = Domain::and(vec![
        Domain::is_set("email").expect("valid"),
        Domain::or(vec![
            Domain::eq("country_id.code", "BE").expect("valid"),
            Domain::not(Domain::child_of("id", 6).expect("valid")),
        ]),
    ]);
    let parsed = Domain::parse(&built.to_value()).expect("parses");
    assert_eq!(db.search(&built), vec![1, 2, 3, 4]);
    assert_eq!(db.search(&parsed), db.search(&built));
}

#[test]
fn a_bare_json_object_is_a_record_without_links() {
    let record: Map<String, Value> =
        serde_json::from_value(json!({"id": 1, "partner_id": [7, "ACME"], "amount": 12.5}))
            .expect("object");
    let eq = |field: &str, value: Value| Domain::eq(field, value).expect("valid");
    assert!(matches(&eq("partner_id", json!(7)), &&record));
    assert!(matches(&eq("partner_id", json!("ACME")), &&record));
    assert!(matches(&eq("missing", json!(false)), &&record));
    assert!(!matches(&eq("partner_id.name", json!("ACME")), &&record));
    assert!(matches(
        &Domain::ge("amount", 12.5).expect("valid"),
        &&record
    ));
}

#[test]
fn a_cycle_in_the_hierarchy_ends_without_a_match() {
    let mut looped = db();
    looped.partners[0]["parent_id"] = json!([3, "John Doe"]);
    let child_of_six = Domain::child_of("id", 6).expect("valid");
    assert_eq!(looped.search(&child_of_six), vec![6, 7]);
}

#[test]
fn like_patterns_follow_sql() {
    let cases = [
        ("INV/2024/0042", "INV/%", false, true),
        ("INV/2024/0042", "inv/%", false, false),
        ("INV/2024/0042", "inv/%", true, true),
        ("INV/2024/0042", "INV/____/%2", false, true),
        ("abc", "a_c", false, true),
        ("ac", "a_c", false, false),
        ("100%", "100\\%", false, true),
        ("1000", "100\\%", false, false),
        ("", "%", false, true),
        ("abcabd", "%ab_", false, true),
        ("Élan", "él%", true, true),
    ];
    for (text, pattern, insensitive, expected) in cases {
        assert_eq!(
            like_match(text, pattern, insensitive),
            expected,
            "{text} {pattern}"
        );
    }
}
