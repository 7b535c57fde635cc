//! Scenario tests of the whole computation: groups, guards, modes and
//! determinism.

use pretty_assertions::assert_eq;

use super::*;
use crate::odoo::Ref;

fn partner(id: i64, name: &str, email: Option<&str>, phone: Option<&str>) -> PartnerRecord {
    PartnerRecord {
        id,
        name: Some(name.into()),
        email: email.map(Into::into),
        phone: phone.map(Into::into),
        active: true,
        ..PartnerRecord::default()
    }
}

fn company(id: i64) -> Option<Ref> {
    Some(Ref { id, name: None })
}

fn group_ids(result: &DedupResult) -> Vec<Vec<i64>> {
    result
        .data
        .groups
        .iter()
        .flatten()
        .map(|g| g.members.iter().map(|m| m.id).collect())
        .collect()
}

fn config() -> DedupConfig {
    DedupConfig {
        threads: 2,
        ..DedupConfig::spec()
    }
}

fn sample() -> Vec<PartnerRecord> {
    vec![
        partner(
            1,
            "Blue Ridge Machinery GmbH",
            Some("anna.berg@blueridge.de"),
            Some("+49 89 60951157"),
        ),
        partner(
            2,
            "Blue Ridge Machinery",
            Some("Anna.Berg@blueridge.de"),
            None,
        ),
        partner(
            3,
            "Sigma Jensen Farms",
            Some("contact@sigmajensen.de"),
            Some("+498977761699"),
        ),
        partner(
            4,
            "Lynn Machinery",
            Some("office@lynnmachinery.com"),
            Some("(501) 971-5372"),
        ),
        partner(5, "Lynn Machinery Inc.", None, Some("+1 501 971 5372")),
        partner(6, "Pamela Day", Some("pameladay@gmail.com"), None),
        partner(7, "Acme Holdings", None, None),
    ]
}

#[test]
fn finds_groups_with_evidence_and_master() {
    let result = find_groups(&sample(), &config(), &DismissedPairs::default());
    assert_eq!(group_ids(&result), vec![vec![1, 2], vec![4, 5]]);
    let groups = result.data.groups.as_ref().unwrap();
    let first = &groups[0];
    assert_eq!(first.pairs.len(), 1);
    assert_eq!((first.pairs[0].a, first.pairs[0].b), (1, 2));
    assert!((first.group_score - 1.0).abs() < 1e-9);
    assert!(!first.chained);
    // Both have no documents and no VAT; record 1 has more fields filled.
    assert_eq!(
        first.master,
        Master {
            id: 1,
            reason: MasterReason::MoreFilledFields
        }
    );
    assert_eq!(result.data.redundant_records, 2);
    assert_eq!(result.data.records_scanned, 7);
    assert!(result.data.pairs_compared >= 2);
    assert!(!result.truncated);
    let json = serde_json::to_value(&result.data).unwrap();
    assert_eq!(
        json["groups"][0]["members"][0]["email"],
        "anna.berg@blueridge.de"
    );
    assert_eq!(json["groups"][0]["pairs"][0]["evidence"]["email"], 1.0);
    assert_eq!(json["mode"], "group");
    assert_eq!(json["model"], "res.partner");
}

#[test]
fn output_is_the_same_for_any_order_and_thread_count() {
    let records = sample();
    let expected = find_groups(&records, &config(), &DismissedPairs::default());
    let mut reversed = records;
    reversed.reverse();
    for threads in [1, 2, 3] {
        let config = DedupConfig {
            threads,
            ..config()
        };
        let result = find_groups(&reversed, &config, &DismissedPairs::default());
        assert_eq!(result.data, expected.data);
    }
}

#[test]
fn a_contact_is_never_grouped_with_its_parent() {
    let mut records = vec![
        partner(1, "Lynn Machinery", Some("office@lynnmachinery.com"), None),
        partner(2, "Lynn Machinery", Some("office@lynnmachinery.com"), None),
    ];
    records[1].parent_id = Some(Ref { id: 1, name: None });
    let result = find_groups(&records, &config(), &DismissedPairs::default());
    assert_eq!(group_ids(&result), Vec::<Vec<i64>>::new());
    // Not even through a third record that matches both.
    records.push(partner(
        3,
        "Lynn Machinery",
        Some("office@lynnmachinery.com"),
        None,
    ));
    let result = find_groups(&records, &config(), &DismissedPairs::default());
    let groups = group_ids(&result);
    assert_eq!(groups.len(), 1);
    assert!(
        groups[0] == vec![1, 3] || groups[0] == vec![2, 3],
        "{groups:?}"
    );
}

#[test]
fn records_of_different_companies_are_never_grouped() {
    let mut records = vec![
        partner(1, "Lynn Machinery", Some("office@lynnmachinery.com"), None),
        partner(2, "Lynn Machinery", Some("office@lynnmachinery.com"), None),
        partner(3, "Lynn Machinery", Some("office@lynnmachinery.com"), None),
    ];
    records[0].company_id = company(1);
    records[1].company_id = company(2);
    // Record 3 is shared between companies: it may join one of them only.
    let result = find_groups(&records, &config(), &DismissedPairs::default());
    assert_eq!(group_ids(&result), vec![vec![1, 3]]);
}

#[test]
fn dismissed_pairs_are_skipped_and_counted() {
    let dismissed = DismissedPairs::new([(2, 1)]);
    let result = find_groups(&sample(), &config(), &dismissed);
    assert_eq!(group_ids(&result), vec![vec![4, 5]]);
    assert_eq!(result.data.dismissed_skipped, 1);
}

#[test]
fn transitive_groups_are_flagged_as_chained() {
    // 1–2 share an e-mail, 2–3 share a phone, 1 and 3 have little in common.
    let records = vec![
        partner(
            1,
            "Robert Miller",
            Some("rob.miller@acme.com"),
            Some("+1 555 000 1111"),
        ),
        partner(
            2,
            "Robert Miller",
            Some("rob.miller@acme.com"),
            Some("+1 555 222 3333"),
        ),
        partner(3, "R. Miller", Some("zz@qqq.xyz"), Some("+1 555 222 3333")),
    ];
    let result = find_groups(&records, &config(), &DismissedPairs::default());
    let groups = result.data.groups.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].pairs.len(), 2);
    assert!(groups[0].chained);
    // Both links rest on strong evidence alone (lifted to 0.95).
    assert!((groups[0].weakest_link - 0.95).abs() < 1e-9);
}

#[test]
fn max_groups_truncates_strongest_first() {
    let config = DedupConfig {
        max_groups: 1,
        ..config()
    };
    let result = find_groups(&sample(), &config, &DismissedPairs::default());
    assert_eq!(group_ids(&result), vec![vec![1, 2]]);
    assert!(result.truncated);
    assert_eq!(result.stats.groups_found, 2);
    assert_eq!(result.data.redundant_records, 2);
}

#[test]
fn oversized_blocks_warn() {
    let records: Vec<PartnerRecord> = (1..=4)
        .map(|id| partner(id, &format!("Machinery {id}"), None, None))
        .collect();
    let config = DedupConfig {
        max_block_size: 3,
        ..config()
    };
    let result = find_groups(&records, &config, &DismissedPairs::default());
    assert_eq!(result.stats.oversized_blocks, 1);
    assert_eq!(result.warnings[0].code, "BLOCK_TOO_LARGE");
    assert!(
        result.warnings[0].message.contains("name:mach"),
        "{}",
        result.warnings[0].message
    );
}

#[test]
fn record_mode_returns_matches_of_one_record() {
    let result = find_record_matches(&sample(), 5, &config(), &DismissedPairs::default()).unwrap();
    let matches = result.data.matches.unwrap();
    assert_eq!(
        matches.iter().map(|m| m.record.id).collect::<Vec<_>>(),
        vec![4]
    );
    assert_eq!(result.data.mode, Mode::Record);
    assert_eq!(
        find_record_matches(&sample(), 99, &config(), &DismissedPairs::default()).unwrap_err(),
        DedupError::UnknownRecord(99)
    );
}

#[test]
fn check_mode_matches_a_record_about_to_be_created() {
    let candidate = partner(
        0,
        "Blue Ridge Machinery Ltd",
        Some("anna.berg@blueridge.de"),
        None,
    );
    let result = check_candidate(&sample(), &candidate, &config()).unwrap();
    let ids: Vec<i64> = result
        .data
        .matches
        .unwrap()
        .iter()
        .map(|m| m.record.id)
        .collect();
    assert_eq!(ids, vec![1, 2]);
    let empty = PartnerRecord {
        id: 0,
        ..PartnerRecord::default()
    };
    assert_eq!(
        check_candidate(&sample(), &empty, &config()).unwrap_err(),
        DedupError::EmptyCandidate
    );
}

#[test]
fn leads_compare_contact_and_company_names() {
    let lead = |id, contact: &str, company: &str, email: &str| LeadRecord {
        id,
        contact_name: Some(contact.into()),
        partner_name: Some(company.into()),
        email_from: Some(email.into()),
        active: true,
        ..LeadRecord::default()
    };
    let mut records = vec![
        lead(1, "Jane Roe", "Roe Consulting", "jane@roeconsulting.com"),
        lead(
            2,
            "Jane Roe",
            "Roe Consulting LLC",
            "JANE@roeconsulting.com",
        ),
        lead(3, "Mark Twain", "Twain Books", "mark@twainbooks.com"),
    ];
    records[1].lead_type = Some("opportunity".into());
    let result = find_groups(&records, &config(), &DismissedPairs::default());
    let groups = result.data.groups.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        groups[0].master,
        Master {
            id: 2,
            reason: MasterReason::OpportunityOverLead
        }
    );
    assert_eq!(result.data.model, "crm.lead");
}
