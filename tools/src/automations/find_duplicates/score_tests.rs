//! The rules and worked examples of spec 4.5.

use super::*;
use crate::automations::find_duplicates::normalize::{self, Normalizer};
use crate::automations::find_duplicates::profile::Profile;

#[derive(Default)]
struct P<'a> {
    name: Option<&'a str>,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    vat: Option<&'a str>,
    code: Option<&'a str>,
    barcode: Option<&'a str>,
}

fn profile(id: i64, fields: P<'_>) -> Profile {
    let n = Normalizer::new(&DedupConfig::spec());
    Profile {
        id,
        name: fields.name.and_then(|v| n.name(v)),
        email: fields.email.and_then(|v| n.email(v)),
        phones: fields
            .phone
            .and_then(normalize::phone)
            .into_iter()
            .collect(),
        vat: fields.vat.and_then(normalize::code),
        code: fields.code.and_then(normalize::code),
        barcode: fields.barcode.and_then(normalize::code),
        ..Profile::default()
    }
}

fn score(entity: Entity, a: P<'_>, b: P<'_>) -> f64 {
    let config = DedupConfig::spec();
    Scorer::new(entity, &config)
        .score(&profile(1, a), &profile(2, b))
        .score
}

fn partners(a: P<'_>, b: P<'_>) -> f64 {
    score(Entity::Partner, a, b)
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.01,
        "expected {expected}, got {actual}"
    );
}

#[test]
fn names_only_are_discounted() {
    // "Al Failakawi Trading Co." / "Al-Failakawi Trading Company" → 0.85, a duplicate.
    let s = partners(
        P {
            name: Some("Al Failakawi Trading Co."),
            ..P::default()
        },
        P {
            name: Some("Al-Failakawi Trading Company"),
            ..P::default()
        },
    );
    close(s, 0.85);
    assert!(s >= DedupConfig::spec().threshold);
    // "Acme Trading" / "Acme Holdings" (0.72) → 0.61, not a duplicate.
    let s = partners(
        P {
            name: Some("Acme Trading"),
            ..P::default()
        },
        P {
            name: Some("Acme Holdings"),
            ..P::default()
        },
    );
    close(s, 0.61);
}

#[test]
fn same_personal_email_lifts_to_strong_floor() {
    let s = partners(
        P {
            name: Some("John Smith"),
            email: Some("john.smith@acme.com"),
            ..P::default()
        },
        P {
            name: Some("J. Smith"),
            email: Some("John.Smith@acme.com"),
            ..P::default()
        },
    );
    close(s, 0.95);
}

#[test]
fn a_role_address_is_not_strong_evidence() {
    let s = partners(
        P {
            name: Some("Acme Trading"),
            email: Some("info@acme.com"),
            ..P::default()
        },
        P {
            name: Some("Acme Holdings"),
            email: Some("info@acme.com"),
            ..P::default()
        },
    );
    // (0.35 × 0.72 + 0.30 × 1) / 0.65, no lift.
    close(s, (0.35 * 0.72 + 0.30) / 0.65);
    assert!(s < 0.95);
}

#[test]
fn conflicting_vat_caps_the_score() {
    let base = |vat| P {
        name: Some("Blue Ridge Machinery GmbH"),
        email: None,
        vat,
        ..P::default()
    };
    // Same name, different e-mails, different VATs → 0.40, not a duplicate.
    let s = partners(
        P {
            email: Some("anna@blueridge.de"),
            ..base(Some("DE111111111"))
        },
        P {
            email: Some("ben@blueridge-group.de"),
            ..base(Some("DE222222222"))
        },
    );
    close(s, 0.40);
    // Conflicting VAT lowers even a pair whose other fields agree fully.
    let agree = partners(
        P {
            email: Some("anna@blueridge.de"),
            ..base(Some("DE111111111"))
        },
        P {
            email: Some("anna@blueridge.de"),
            ..base(Some("DE222222222"))
        },
    );
    let without_vat = partners(
        P {
            email: Some("anna@blueridge.de"),
            ..base(None)
        },
        P {
            email: Some("anna@blueridge.de"),
            ..base(None)
        },
    );
    close(without_vat, 1.0);
    close(agree, 0.40);
    // Equal VAT in another format is strong evidence.
    let same_vat = partners(base(Some("DE 111.111.111")), base(Some("de111111111")));
    close(same_vat, 1.0);
}

#[test]
fn shared_switchboard_is_not_enough_with_different_names() {
    let s = partners(
        P {
            name: Some("John Smith"),
            email: Some("john@acme-trading.com"),
            phone: Some("+1 555 123 4567"),
            ..P::default()
        },
        P {
            name: Some("Mary Jones"),
            email: Some("mary@acme-trading.com"),
            phone: Some("+1 (555) 123-4567"),
            ..P::default()
        },
    );
    assert!(s < 0.80, "{s}");
    assert!(s > 0.55, "{s}");
}

#[test]
fn a_missing_field_does_not_count_a_mismatching_one_does() {
    let a = P {
        name: Some("Pioneer Frye Finance"),
        phone: Some("947.809.3763"),
        ..P::default()
    };
    // The other record has no phone: only names are comparable.
    close(
        partners(
            P {
                name: Some("Pioneer Frye Finance"),
                phone: Some("947.809.3763"),
                ..P::default()
            },
            P {
                name: Some("Pioneer Frye Finance Inc."),
                ..P::default()
            },
        ),
        0.85,
    );
    // A different phone counts against the pair.
    close(
        partners(
            a,
            P {
                name: Some("Pioneer Frye Finance Inc."),
                phone: Some("+1 212 555 0000"),
                ..P::default()
            },
        ),
        0.35 / 0.55,
    );
    close(partners(P::default(), P::default()), 0.0);
}

#[test]
fn products_match_on_codes_alone_and_conflicting_codes_cap() {
    let s = score(
        Entity::Product,
        P {
            name: Some("Office Desk"),
            barcode: Some("5901234123457"),
            ..P::default()
        },
        P {
            name: Some("Chair"),
            barcode: Some("5901234123457"),
            ..P::default()
        },
    );
    close(s, 0.95);
    let s = score(
        Entity::Product,
        P {
            name: Some("Office Desk"),
            code: Some("FURN-001"),
            barcode: Some("5901234123457"),
            ..P::default()
        },
        P {
            name: Some("Office Desk"),
            code: Some("FURN-002"),
            barcode: Some("5901234123457"),
            ..P::default()
        },
    );
    // Same barcode lifts to 0.95, the conflicting code caps at 0.60.
    close(s, 0.60);
    let s = score(
        Entity::Product,
        P {
            name: Some("Office Desk"),
            barcode: Some("1"),
            ..P::default()
        },
        P {
            name: Some("Office Desk"),
            barcode: Some("2"),
            ..P::default()
        },
    );
    close(s, 0.40);
}

#[test]
fn parents_and_other_companies_are_never_compared() {
    let mut parent = profile(
        1,
        P {
            name: Some("Acme"),
            ..P::default()
        },
    );
    let mut child = profile(
        2,
        P {
            name: Some("Acme"),
            ..P::default()
        },
    );
    child.parent = Some(1);
    assert!(Scorer::never_compared(&parent, &child));
    assert!(Scorer::never_compared(&child, &parent));
    child.parent = None;
    assert!(!Scorer::never_compared(&parent, &child));
    parent.company = Some(1);
    child.company = Some(2);
    assert!(Scorer::never_compared(&parent, &child));
    // A record shared between companies may match either.
    child.company = None;
    assert!(!Scorer::never_compared(&parent, &child));
}

#[test]
fn evidence_lists_compared_fields_only() {
    let config = DedupConfig::spec();
    let result = Scorer::new(Entity::Partner, &config).score(
        &profile(
            1,
            P {
                name: Some("Acme"),
                email: Some("a@acme.com"),
                ..P::default()
            },
        ),
        &profile(
            2,
            P {
                name: Some("Acme"),
                phone: Some("5551234567"),
                ..P::default()
            },
        ),
    );
    assert_eq!(
        serde_json::to_value(result.evidence).unwrap(),
        serde_json::json!({"name": 1.0})
    );
}
