use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use super::*;

fn d(result: Result<Domain, DomainError>) -> Domain {
    result.expect("valid term")
}

#[test]
fn leaf_serialises_as_a_one_term_list() {
    assert_eq!(
        d(Domain::eq("state", "posted")).to_value(),
        json!([["state", "=", "posted"]])
    );
}

#[test]
fn and_of_three_terms_writes_two_leading_operators() {
    let domain = Domain::and(vec![
        d(Domain::eq("state", "posted")),
        d(Domain::gt("amount_residual", 0)),
        d(Domain::is_in("move_type", ["out_invoice", "out_refund"])),
    ]);
    assert_eq!(
        domain.to_value(),
        json!([
            "&",
            "&",
            ["state", "=", "posted"],
            ["amount_residual", ">", 0],
            ["move_type", "in", ["out_invoice", "out_refund"]]
        ])
    );
}

#[test]
fn nested_and_or_writes_odoo_prefix_notation() {
    let domain = Domain::and(vec![
        d(Domain::eq("state", "posted")),
        Domain::or(vec![
            d(Domain::eq("partner_id.country_id.code", "BE")),
            d(Domain::gt("amount_residual", 0)),
        ]),
    ]);
    assert_eq!(
        domain.to_value(),
        json!([
            "&",
            ["state", "=", "posted"],
            "|",
            ["partner_id.country_id.code", "=", "BE"],
            ["amount_residual", ">", 0]
        ])
    );
}

#[test]
fn not_writes_a_bang_before_its_operand() {
    let domain = Domain::not(Domain::or(vec![
        d(Domain::is_unset("email")),
        d(Domain::ilike("email", "@example.com")),
    ]));
    assert_eq!(
        domain.to_value(),
        json!([
            "!",
            "|",
            ["email", "=", false],
            ["email", "ilike", "@example.com"]
        ])
    );
}

#[test]
fn every_helper_spells_its_operator_as_odoo_does() {
    let domain = Domain::and(vec![
        d(Domain::ne("a", 1)),
        d(Domain::lt("b", 2)),
        d(Domain::le("c", "2024-01-31")),
        d(Domain::ge("d", 1.5)),
        d(Domain::not_in("e", [json!(1), json!(false)])),
        d(Domain::like("f", "x")),
        d(Domain::eq_like("g", "INV/%")),
        d(Domain::eq_ilike("h", "inv/_")),
        d(Domain::child_of("parent_id", 7)),
        d(Domain::is_set("i")),
        d(Domain::leaf("j", Op::NotILike, "spam")),
        d(Domain::leaf("k", Op::NotLike, "Spam")),
    ]);
    let Value::Array(items) = domain.to_value() else {
        panic!("domain is a list")
    };
    let terms: Vec<Value> = items.into_iter().filter(Value::is_array).collect();
    assert_eq!(
        terms,
        vec![
            json!(["a", "!=", 1]),
            json!(["b", "<", 2]),
            json!(["c", "<=", "2024-01-31"]),
            json!(["d", ">=", 1.5]),
            json!(["e", "not in", [1, false]]),
            json!(["f", "like", "x"]),
            json!(["g", "=like", "INV/%"]),
            json!(["h", "=ilike", "inv/_"]),
            json!(["parent_id", "child_of", 7]),
            json!(["i", "!=", false]),
            json!(["j", "not ilike", "spam"]),
            json!(["k", "not like", "Spam"]),
        ]
    );
}

#[test]
fn empty_and_is_the_empty_domain_and_empty_or_matches_nothing() {
    assert_eq!(Domain::and(vec![]).to_value(), json!([]));
    assert_eq!(Domain::all().to_value(), json!([]));
    assert_eq!(Domain::or(vec![]).to_value(), json!([["id", "in", []]]));
    assert_eq!(Domain::or(vec![]), Domain::none());
}

#[test]
fn one_term_combinations_are_the_term_alone() {
    let term = d(Domain::eq("active", true));
    assert_eq!(Domain::and(vec![term.clone()]), term);
    assert_eq!(Domain::or(vec![term.clone()]), term);
}

#[test]
fn combinators_simplify_like_odoo_and_or() {
    let a = d(Domain::eq("a", 1));
    let b = d(Domain::eq("b", 2));
    let c = d(Domain::eq("c", 3));
    let ab = Domain::and(vec![a.clone(), b.clone()]);
    assert_eq!(
        Domain::and(vec![ab, Domain::all(), c.clone()]),
        Domain::and(vec![a.clone(), b.clone(), c.clone()])
    );
    assert_eq!(Domain::or(vec![a.clone(), Domain::all()]), Domain::all());
    assert_eq!(Domain::or(vec![Domain::none(), b.clone()]), b);
    assert_eq!(Domain::and(vec![a, Domain::none()]), Domain::none());
    assert_eq!(Domain::not(Domain::not(c.clone())), c);
    assert_eq!(Domain::not(Domain::all()), Domain::none());
}

#[test]
fn serialize_gives_the_same_json_as_to_value() {
    let domain = Domain::or(vec![d(Domain::eq("a", 1)), d(Domain::ilike("b", "x"))]);
    assert_eq!(
        serde_json::to_value(&domain).expect("serialises"),
        domain.to_value()
    );
}

#[test]
fn built_domains_round_trip_through_parse() {
    let domains = vec![
        Domain::all(),
        Domain::none(),
        d(Domain::eq("x", false)),
        Domain::and(vec![
            d(Domain::eq("a", 1)),
            d(Domain::eq("b", 2)),
            Domain::not(d(Domain::child_of("parent_id", 3))),
        ]),
        Domain::or(vec![
            Domain::and(vec![d(Domain::eq("a", 1)), d(Domain::eq("b", 2))]),
            d(Domain::is_in("c", [json!(false), json!(4)])),
            Domain::not(Domain::or(vec![
                d(Domain::lt("d", 1)),
                d(Domain::gt("d", 9)),
            ])),
        ]),
    ];
    for domain in domains {
        let value = domain.to_value();
        assert_eq!(Domain::parse(&value), Ok(domain.clone()), "{value}");
        let back: Domain = serde_json::from_value(value).expect("deserialises");
        assert_eq!(back, domain);
    }
}

#[test]
fn parse_keeps_the_shape_of_right_nested_operators() {
    let value = json!(["&", ["a", "=", 1], "&", ["b", "=", 2], ["c", "=", 3]]);
    assert_eq!(Domain::parse(&value).expect("parses").to_value(), value);
    let value = json!(["|", "!", ["a", "=", 1], "&", ["b", "=", 2], ["c", "=", 3]]);
    assert_eq!(Domain::parse(&value).expect("parses").to_value(), value);
}

#[test]
fn parse_adds_the_implicit_and_between_top_level_terms() {
    let value = json!([
        ["a", "=", 1],
        "|",
        ["b", "=", 2],
        ["c", "=", 3],
        ["d", "=", 4]
    ]);
    assert_eq!(
        Domain::parse(&value).expect("parses").to_value(),
        json!([
            "&",
            "&",
            ["a", "=", 1],
            "|",
            ["b", "=", 2],
            ["c", "=", 3],
            ["d", "=", 4]
        ])
    );
}

#[test]
fn parse_reads_operators_as_odoo_does() {
    let value = json!([["a", "<>", 1], ["b", "ILIKE", "x"], [1, "=", 1]]);
    assert_eq!(
        Domain::parse(&value).expect("parses").to_value(),
        json!(["&", ["a", "!=", 1], ["b", "ilike", "x"]])
    );
    assert_eq!(Domain::parse(&json!([[0, "=", 1]])), Ok(Domain::none()));
}

fn err(result: Result<Domain, DomainError>) -> DomainError {
    result.expect_err("domain is rejected")
}

#[test]
fn empty_field_is_rejected() {
    let error = err(Domain::eq("", 1));
    assert_eq!(error, DomainError::EmptyField { op: "=" });
    assert_eq!(error.kind(), "domain_empty_field");
}

#[test]
fn field_paths_must_be_lowercase_dotted_names() {
    for field in [
        "Name",
        "partner id",
        "partner_id.",
        ".name",
        "a..b",
        "1abc",
        "name'",
    ] {
        assert_eq!(
            err(Domain::eq(field, 1)),
            DomainError::InvalidField {
                field: field.to_owned()
            },
            "{field}"
        );
    }
    for field in [
        "id",
        "x_studio_score",
        "partner_id.country_id.code",
        "_private2",
    ] {
        assert!(Domain::eq(field, 1).is_ok(), "{field}");
    }
}

#[test]
fn null_is_rejected_in_favour_of_false() {
    let error = err(Domain::eq("email", Value::Null));
    assert_eq!(
        error.to_string(),
        "domain term on email uses null; use false for \"not set\""
    );
    assert_eq!(
        err(Domain::is_in("email", [Value::Null])),
        DomainError::NullValue {
            field: "email".to_owned(),
            op: "in"
        }
    );
}

#[test]
fn equality_needs_a_single_value() {
    assert_eq!(
        err(Domain::eq("id", json!([1, 2]))),
        DomainError::ExpectedScalar {
            field: "id".to_owned(),
            op: "="
        }
    );
}

#[test]
fn ordering_needs_a_number_or_a_string() {
    assert_eq!(
        err(Domain::gt("amount", false)),
        DomainError::ExpectedComparable {
            field: "amount".to_owned(),
            op: ">"
        }
    );
}

#[test]
fn in_needs_a_list_of_scalars() {
    assert_eq!(
        err(Domain::leaf("id", Op::In, 5)),
        DomainError::ExpectedList {
            field: "id".to_owned(),
            op: "in"
        }
    );
    assert_eq!(
        err(Domain::not_in("id", [json!([1])])),
        DomainError::ExpectedList {
            field: "id".to_owned(),
            op: "not in"
        }
    );
}

#[test]
fn like_family_needs_a_string() {
    assert_eq!(
        err(Domain::leaf("name", Op::ILike, 3)),
        DomainError::ExpectedString {
            field: "name".to_owned(),
            op: "ilike"
        }
    );
}

#[test]
fn child_of_needs_ids() {
    assert_eq!(
        err(Domain::leaf("parent_id", Op::ChildOf, "ACME")),
        DomainError::ExpectedIds {
            field: "parent_id".to_owned()
        }
    );
    assert!(Domain::leaf("parent_id", Op::ChildOf, json!([1, 2])).is_ok());
}

#[test]
fn parse_rejects_what_is_not_a_domain() {
    assert_eq!(
        Domain::parse(&json!({"state": "posted"})),
        Err(DomainError::NotAList {
            found: r#"{"state":"posted"}"#.to_owned()
        })
    );
    assert_eq!(
        Domain::parse(&json!([["state", "="]])),
        Err(DomainError::BadTerm {
            element: r#"["state","="]"#.to_owned()
        })
    );
    assert_eq!(
        Domain::parse(&json!(["&&", ["a", "=", 1]])),
        Err(DomainError::BadTerm {
            element: r#""&&""#.to_owned()
        })
    );
    assert_eq!(
        Domain::parse(&json!([["a", "=?", 1]])),
        Err(DomainError::UnknownOperator {
            op: "=?".to_owned()
        })
    );
    assert_eq!(
        Domain::parse(&json!(["|", ["a", "=", 1]])),
        Err(DomainError::MissingOperand { op: "|" })
    );
    assert_eq!(
        Domain::parse(&json!(["!"])),
        Err(DomainError::MissingOperand { op: "!" })
    );
}

#[test]
fn parse_checks_terms_like_the_builder() {
    assert_eq!(
        Domain::parse(&json!([["Name", "=", 1]])),
        Err(DomainError::InvalidField {
            field: "Name".to_owned()
        })
    );
    let from_json: Result<Domain, _> = serde_json::from_value(json!([["id", "in", 3]]));
    assert!(from_json.is_err());
}

#[test]
fn every_operator_parses_from_its_own_spelling() {
    for op in Op::ALL {
        assert_eq!(Op::parse(op.as_str()), Some(op));
    }
}
