//! The `find_duplicates` tool against the fake Odoo serving the demo
//! company: accuracy on the planted duplicates at the default threshold,
//! the company and parent guards end to end, record and check modes,
//! dismissed groups, the proposals' shape, bad arguments and versions.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tools::automations::Envelope;
use tools::automations::events::{EventKind, EventSeverity, MemoryEvents, ProductEvents};
use tools::automations::find_duplicates::{
    FindDuplicates, FindDuplicatesArgs, FindDuplicatesConfig, FindDuplicatesData, PairQuality,
};
use tools::demo::{DemoSpec, DemoVersion, FakeOdoo, Truth, generate};
use tools::odoo_client::{OdooClient, OdooConnector, OdooError};
use tools::proposals::{
    DEFAULT_EXPIRY, DismissedDuplicates, DuplicateKind, MemoryDismissals, Precondition,
    ProposalAction,
};
use tools::{CallOrigin, Identity, IdentityId, Role, Tool, ToolCtx, ToolError};

use crate::automations::demo_client_with;

const ADMIN: &str = "admin@harbourline.example";
const BASE: &str = "https://harbourline.odoo.example";

/// Hands the one connected client to every identity.
struct Fixed(Arc<OdooClient>);

#[async_trait]
impl OdooConnector for Fixed {
    async fn client_for(&self, _identity: &Identity) -> Result<Arc<OdooClient>, OdooError> {
        Ok(Arc::clone(&self.0))
    }
}

struct Setup {
    fake: FakeOdoo,
    tool: FindDuplicates,
    truth: Truth,
    dismissals: Arc<MemoryDismissals>,
    /// Where the tool records the groups it finds.
    events: Arc<MemoryEvents>,
}

fn tool_for(client: OdooClient, dismissals: &Arc<MemoryDismissals>) -> FindDuplicates {
    let store: Arc<dyn DismissedDuplicates> = Arc::clone(dismissals) as _;
    FindDuplicates::new(
        FindDuplicatesConfig::new(BASE.parse().unwrap()),
        Arc::new(Fixed(Arc::new(client))),
        store,
    )
}

async fn setup(version: DemoVersion) -> Setup {
    let spec = DemoSpec {
        version,
        ..DemoSpec::default()
    };
    let (fake, client, truth) = demo_client_with(&spec, ADMIN).await;
    let dismissals = Arc::new(MemoryDismissals::default());
    let events = Arc::new(MemoryEvents::default());
    Setup {
        tool: tool_for(client, &dismissals).with_events(events.clone()),
        fake,
        truth,
        dismissals,
        events,
    }
}

fn ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(60),
        cancel: CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

async fn run(
    tool: &FindDuplicates,
    args: Value,
) -> Result<Envelope<FindDuplicatesData>, ToolError> {
    let args: FindDuplicatesArgs = serde_json::from_value(args).unwrap();
    tool.call(&ctx(), args).await
}

fn groups(envelope: &Envelope<FindDuplicatesData>) -> Vec<Vec<i64>> {
    envelope
        .data
        .result
        .groups
        .iter()
        .flatten()
        .map(|g| g.members.iter().map(|m| m.id).collect())
        .collect()
}

/// The planted partner duplicates plus the worked examples the spec calls
/// duplicates.
fn partner_truth(truth: &Truth) -> Vec<Vec<i64>> {
    let mut clusters: Vec<Vec<i64>> = truth
        .partner_duplicates
        .iter()
        .map(|g| g.ids.clone())
        .collect();
    clusters.extend(
        truth
            .dedup_examples
            .iter()
            .filter(|e| e.duplicate)
            .map(|e| vec![e.left, e.right]),
    );
    clusters
}

fn quality_line(what: &str, q: &PairQuality) -> String {
    format!(
        "{what}: precision {:.3} recall {:.3} ({} predicted, {} true, {} correct)",
        q.precision, q.recall, q.predicted_pairs, q.true_pairs, q.correct_pairs
    )
}

async fn planted_partners_are_found(version: DemoVersion) {
    let setup = setup(version).await;
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.odoo_version, version.server_version());
    assert!(!envelope.truncated, "{:?}", envelope.warnings);
    let quality = PairQuality::measure(&groups(&envelope), &partner_truth(&setup.truth));
    let line = quality_line("partners", &quality);
    assert!(quality.precision >= 0.95, "{line}");
    assert!(quality.recall >= 0.95, "{line}");
    assert!(envelope.summary.chars().count() <= 600);
    // Every cited record has a link.
    let linked: BTreeSet<i64> = envelope.data.links.iter().map(|l| l.id).collect();
    for group in groups(&envelope) {
        for id in group {
            assert!(linked.contains(&id), "no link for {id}");
        }
    }
    let link = &envelope.data.links[0];
    assert_eq!(
        link.url,
        format!("{BASE}/web#id={}&model=res.partner&view_type=form", link.id)
    );
}

#[tokio::test]
async fn planted_partner_duplicates_reach_095_precision_and_recall_on_odoo_17() {
    planted_partners_are_found(DemoVersion::V17).await;
}

#[tokio::test]
async fn planted_partner_duplicates_reach_095_precision_and_recall_on_odoo_19() {
    // 19 has no `mobile`: the tool must not ask for it.
    planted_partners_are_found(DemoVersion::V19).await;
}

#[tokio::test]
async fn planted_products_reach_095_precision_and_recall() {
    let setup = setup(DemoVersion::V18).await;
    let envelope = run(
        &setup.tool,
        json!({"entity": "product", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let clusters: Vec<Vec<i64>> = setup
        .truth
        .product_duplicates
        .iter()
        .map(|g| g.ids.clone())
        .collect();
    let quality = PairQuality::measure(&groups(&envelope), &clusters);
    let line = quality_line("products", &quality);
    assert!(quality.precision >= 0.95, "{line}");
    assert!(quality.recall >= 0.95, "{line}");
}

/// The planted lead copies are found and nothing else: each customer has
/// at most one linked lead, so no two leads share a company name with
/// nothing else to compare (which spec 4.5 scores 0.85, a duplicate).
#[tokio::test]
async fn planted_leads_reach_095_precision_and_recall() {
    let setup = setup(DemoVersion::V18).await;
    let envelope = run(&setup.tool, json!({"entity": "lead", "max_groups": 1000}))
        .await
        .unwrap();
    let clusters: Vec<Vec<i64>> = setup
        .truth
        .lead_duplicates
        .iter()
        .map(|g| g.ids.clone())
        .collect();
    assert!(!clusters.is_empty());
    let quality = PairQuality::measure(&groups(&envelope), &clusters);
    let line = quality_line("leads", &quality);
    assert!(quality.precision >= 0.95, "{line}");
    assert!(quality.recall >= 0.95, "{line}");
}

/// Two leads of one customer with nothing but the company name to compare
/// are a duplicate by spec 4.5 (names only: 0.85 x 1.0 = 0.85, at or above
/// 0.80), which is why the demo gives each customer one linked lead.
#[tokio::test]
async fn two_leads_of_one_customer_with_only_the_company_name_score_085() {
    let setup = setup(DemoVersion::V18).await;
    let (first, second) = setup.fake.with_dataset_mut(|ds| {
        let leads = ds.table_mut("crm.lead").unwrap();
        let linked = leads
            .records()
            .iter()
            .find(|r| {
                leads.value(r, "partner_id").unwrap() != &json!(false)
                    && leads.value(r, "active").unwrap() == &json!(true)
            })
            .unwrap()
            .clone();
        let mut copy = linked.clone();
        copy.id = leads.next_id();
        copy.values[0] = json!(copy.id);
        let id = copy.id;
        leads.push(copy).unwrap();
        (linked.id, id)
    });
    let envelope = run(&setup.tool, json!({"entity": "lead", "max_groups": 1000}))
        .await
        .unwrap();
    let group = envelope
        .data
        .result
        .groups
        .as_ref()
        .unwrap()
        .iter()
        .find(|g| g.members.iter().any(|m| m.id == first))
        .unwrap();
    let ids: BTreeSet<i64> = group.members.iter().map(|m| m.id).collect();
    assert_eq!(ids, BTreeSet::from([first, second]));
    assert_eq!(group.pairs[0].score, 0.85);
}

/// Adds a second company, and copies of `original`: one in each company
/// and one as a contact of the original itself. Returns (copy in company
/// 1, copy in company 2, child copy).
fn plant_guard_records(fake: &FakeOdoo, original: i64, company: i64) -> (i64, i64, i64) {
    fake.with_dataset_mut(|ds| {
        let companies = ds.table_mut("res.company").unwrap();
        let template = companies.get(company).unwrap().clone();
        let mut other = companies.blank(companies.next_id());
        other.values = template.values;
        other.values[0] = json!(other.id);
        other.id = other.values[0].as_i64().unwrap();
        let other_id = other.id;
        companies
            .set(&mut other, "name", json!("Harbourline Trading Ltd"))
            .unwrap();
        companies.push(other).unwrap();

        let partners = ds.table_mut("res.partner").unwrap();
        let source = partners.get(original).unwrap().clone();
        let name = partners
            .value(&source, "name")
            .and_then(Value::as_str)
            .unwrap()
            .to_owned();
        let mut copy = |company: Option<(i64, &str)>, parent: Option<i64>| {
            let id = partners.next_id();
            let mut record = source.clone();
            record.id = id;
            record.values[0] = json!(id);
            let company = company.map_or(json!(false), |(id, name)| json!([id, name]));
            partners.set(&mut record, "company_id", company).unwrap();
            if let Some(parent) = parent {
                partners
                    .set(&mut record, "parent_id", json!([parent, name.clone()]))
                    .unwrap();
                partners
                    .set(&mut record, "is_company", json!(false))
                    .unwrap();
            }
            partners.push(record).unwrap();
            id
        };
        let first = copy(Some((company, "Harbourline Supplies B.V.")), None);
        let second = copy(Some((other_id, "Harbourline Trading Ltd")), None);
        let child = copy(None, Some(original));
        (first, second, child)
    })
}

#[tokio::test]
async fn no_group_spans_two_companies_or_holds_a_contact_and_its_parent() {
    let setup = setup(DemoVersion::V17).await;
    let original = setup.truth.partner_duplicates[0].original;
    let (first, second, child) = plant_guard_records(&setup.fake, original, setup.truth.company_id);
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let found = groups(&envelope);
    let with_original = found.iter().find(|g| g.contains(&original)).unwrap();
    assert!(with_original.contains(&first), "{with_original:?}");
    // The other company's copy is outside the company scope.
    assert!(found.iter().all(|g| !g.contains(&second)));
    // A contact is never grouped with its own parent.
    assert!(
        found
            .iter()
            .all(|g| !(g.contains(&child) && g.contains(&original)))
    );
    // Across the whole result: no member together with its parent, no two companies.
    let parents: HashMap<i64, (Option<i64>, Option<i64>)> = setup.fake.with_dataset(|ds| {
        let partners = ds.table("res.partner").unwrap();
        partners
            .records()
            .iter()
            .map(|r| {
                let id_of = |f: &str| partners.value(r, f).and_then(|v| v[0].as_i64());
                (r.id, (id_of("parent_id"), id_of("company_id")))
            })
            .collect()
    });
    for group in &found {
        let companies: BTreeSet<i64> = group.iter().filter_map(|id| parents[id].1).collect();
        assert!(companies.len() <= 1, "{group:?}");
        for id in group {
            if let Some(parent) = parents[id].0 {
                assert!(
                    !group.contains(&parent),
                    "{id} with its parent in {group:?}"
                );
            }
        }
    }
    // Record mode on the other company's copy: shared records may match,
    // records of company 1 never.
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "record_id": second}),
    )
    .await
    .unwrap();
    let matches: Vec<i64> = envelope
        .data
        .result
        .matches
        .unwrap()
        .iter()
        .map(|m| m.record.id)
        .collect();
    assert!(!matches.contains(&first), "{matches:?}");
    assert!(matches.contains(&original), "{matches:?}");
}

#[tokio::test]
async fn record_mode_lists_the_other_members_of_a_planted_group() {
    let setup = setup(DemoVersion::V17).await;
    let planted = &setup.truth.partner_duplicates[1];
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "record_id": planted.original}),
    )
    .await
    .unwrap();
    let data = &envelope.data.result;
    assert!(data.groups.is_none());
    let matches = data.matches.as_ref().unwrap();
    let found: BTreeSet<i64> = matches.iter().map(|m| m.record.id).collect();
    for id in planted.ids.iter().filter(|id| **id != planted.original) {
        assert!(found.contains(id), "{id} missing from {found:?}");
    }
    assert!(matches.iter().all(|m| m.score >= 0.80));
    assert!(!found.contains(&planted.original));
    assert!(envelope.proposals.is_empty());
    let linked: BTreeSet<i64> = envelope.data.links.iter().map(|l| l.id).collect();
    assert_eq!(linked, found);

    let err = run(
        &setup.tool,
        json!({"entity": "partner", "record_id": 999_999}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND", "{err}");
}

#[tokio::test]
async fn check_mode_finds_the_record_a_new_one_would_duplicate() {
    let setup = setup(DemoVersion::V17).await;
    let planted = &setup.truth.partner_duplicates[2];
    let (name, email) = setup.fake.with_dataset(|ds| {
        let partners = ds.table("res.partner").unwrap();
        let record = partners.get(planted.original).unwrap();
        let text = |f: &str| {
            partners
                .value(record, f)
                .unwrap()
                .as_str()
                .map(str::to_owned)
        };
        (text("name").unwrap(), text("email"))
    });
    let mut candidate = json!({"name": name.to_uppercase()});
    if let Some(email) = email {
        candidate["email"] = json!(email);
    }
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "candidate": candidate}),
    )
    .await
    .unwrap();
    let matches = envelope.data.result.matches.unwrap();
    assert!(
        matches.iter().any(|m| m.record.id == planted.original),
        "{matches:?}"
    );
    assert!(
        envelope.summary.contains("the new record"),
        "{}",
        envelope.summary
    );
    // A new name nobody has: no match.
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "candidate": {"name": "Zyxwv Qqqq Unheardof"}}),
    )
    .await
    .unwrap();
    assert_eq!(envelope.data.result.matches.unwrap().len(), 0);
}

#[tokio::test]
async fn a_dismissed_group_is_not_reported_again() {
    let setup = setup(DemoVersion::V17).await;
    let before = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let target = groups(&before)[0].clone();
    setup
        .dismissals
        .dismiss(
            DuplicateKind::Partners,
            &target,
            &IdentityId("anna".to_owned()),
        )
        .await
        .unwrap();
    let after = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    for group in groups(&after) {
        let shared = group.iter().filter(|id| target.contains(id)).count();
        assert!(shared <= 1, "{group:?} still joins {target:?}");
    }
    assert!(after.data.result.dismissed_skipped >= 1);
    assert_eq!(
        after.data.result.groups.as_ref().unwrap().len() + 1,
        before.data.result.groups.as_ref().unwrap().len()
    );
}

#[tokio::test]
async fn proposals_follow_the_merge_features_limits() {
    let setup = setup(DemoVersion::V17).await;
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let found = envelope.data.result.groups.as_ref().unwrap();
    let masters: HashMap<i64, i64> = found
        .iter()
        .flat_map(|g| g.members.iter().map(move |m| (m.id, g.master.id)))
        .collect();
    let (mut merges, mut dismissals) = (0, 0);
    for proposal in &envelope.proposals {
        assert_eq!(proposal.expires_at - envelope.as_of, DEFAULT_EXPIRY);
        match &proposal.action {
            ProposalAction::MergePartners {
                master_id,
                duplicate_ids,
            } => {
                merges += 1;
                assert!((1..=2).contains(&duplicate_ids.len()), "{duplicate_ids:?}");
                for id in duplicate_ids {
                    assert_eq!(masters[id], *master_id);
                }
                assert_eq!(proposal.target.model, "res.partner");
                assert_eq!(proposal.target.ids[0], *master_id);
                let emails = proposal
                    .preconditions
                    .iter()
                    .filter(|p| matches!(p, Precondition::FieldEquals { field, .. } if field == "email"))
                    .count();
                assert_eq!(emails, duplicate_ids.len() + 1);
                assert!(proposal.preconditions.iter().any(|p| matches!(
                    p,
                    Precondition::CountEquals { model, expected: 0, .. } if model == "res.partner"
                )));
                assert!(proposal.preconditions.iter().any(|p| matches!(
                    p,
                    Precondition::CountEquals { model, .. } if model == "res.users"
                )));
                assert!(matches!(proposal.required_role, Role::Sales | Role::Admin));
                assert!(proposal.preview.contains("contact merge"));
            }
            ProposalAction::DismissGroup { kind, ids } => {
                dismissals += 1;
                assert_eq!(*kind, DuplicateKind::Partners);
                assert!(ids.len() >= 2);
                assert!(proposal.preconditions.is_empty());
            }
            other => panic!("unexpected proposal {other:?}"),
        }
    }
    assert_eq!(dismissals, found.len());
    let needed: usize = found
        .iter()
        .map(|g| (g.members.len() - 1).div_ceil(2))
        .sum();
    assert_eq!(merges, needed);

    let envelope = run(
        &setup.tool,
        json!({"entity": "product", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let found = envelope.data.result.groups.as_ref().unwrap();
    let masters: BTreeSet<i64> = found.iter().map(|g| g.master.id).collect();
    for proposal in &envelope.proposals {
        match &proposal.action {
            ProposalAction::ArchiveProducts { ids } => {
                assert!(ids.iter().all(|id| !masters.contains(id)));
                assert_eq!(proposal.required_role, Role::Warehouse);
                assert!(proposal.preconditions.iter().any(|p| matches!(
                    p,
                    Precondition::CountEquals { model, expected: 0, .. } if model == "sale.order.line"
                )));
            }
            ProposalAction::DismissGroup { kind, .. } => {
                assert_eq!(*kind, DuplicateKind::Products)
            }
            other => panic!("unexpected proposal {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_master_is_the_record_with_most_linked_documents() {
    let setup = setup(DemoVersion::V17).await;
    let envelope = run(
        &setup.tool,
        json!({"entity": "partner", "max_groups": 1000}),
    )
    .await
    .unwrap();
    let invoices: HashMap<i64, usize> = setup.fake.with_dataset(|ds| {
        let moves = ds.table("account.move").unwrap();
        let mut counts = HashMap::new();
        for r in moves.records() {
            if let Some(id) = moves.value(r, "partner_id").and_then(|v| v[0].as_i64()) {
                *counts.entry(id).or_default() += 1;
            }
        }
        counts
    });
    let mut checked = 0;
    for group in envelope.data.result.groups.unwrap() {
        let best = group
            .members
            .iter()
            .map(|m| invoices.get(&m.id).copied().unwrap_or(0))
            .max()
            .unwrap();
        let master = invoices.get(&group.master.id).copied().unwrap_or(0);
        if best > 0 && serde_json::to_value(group.master.reason).unwrap() == "most_linked_documents"
        {
            checked += 1;
            assert!(master > 0, "{group:?}");
        }
    }
    assert!(
        checked > 0,
        "no group had a master chosen by linked documents"
    );
    // Grouped reads, not one call per record.
    let grouped = setup
        .fake
        .calls()
        .iter()
        .filter(|c| c.model == "account.move")
        .count();
    assert!(grouped <= 3, "{grouped} calls on account.move");
}

#[tokio::test]
async fn bad_arguments_are_refused_naming_the_argument() {
    let setup = setup(DemoVersion::V17).await;
    for (args, field) in [
        (
            json!({"entity": "partner", "threshold": 0.3}),
            "`threshold`",
        ),
        (
            json!({"entity": "partner", "max_records": 0}),
            "`max_records`",
        ),
        (
            json!({"entity": "partner", "max_groups": 5000}),
            "`max_groups`",
        ),
        (
            json!({"entity": "product", "filters": {"suppliers_only": true}}),
            "`filters.suppliers_only`",
        ),
        (json!({"entity": "partner", "candidate": {}}), "`candidate`"),
        (
            json!({"entity": "lead", "candidate": {"barcode": "123"}}),
            "`candidate.barcode`",
        ),
    ] {
        let err = run(&setup.tool, args.clone()).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{args}");
        assert!(err.to_string().contains(field), "{args}: {err}");
    }
    let unknown: Result<FindDuplicatesArgs, _> =
        serde_json::from_value(json!({"entity": "invoice"}));
    assert!(unknown.unwrap_err().to_string().contains("unknown variant"));
}

#[tokio::test]
async fn leads_without_crm_are_module_missing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut company = generate(&DemoSpec {
        partners: 20,
        ..DemoSpec::default()
    });
    company.dataset.tables.remove("crm.lead");
    let fake = FakeOdoo::start(company.dataset).await.unwrap();
    let client = crate::client_vs_fake::connect(&fake, ADMIN).await;
    let tool = tool_for(client, &Arc::new(MemoryDismissals::default()));
    let err = run(&tool, json!({"entity": "lead"})).await.unwrap_err();
    assert_eq!(err.code(), "MODULE_MISSING", "{err}");
    // Partners still work without CRM: the lead count is left out with a warning.
    let envelope = run(&tool, json!({"entity": "partner"})).await.unwrap();
    assert!(
        envelope
            .warnings
            .iter()
            .any(|w| w.code == "FACTS_INCOMPLETE" && w.message.contains("crm.lead")),
        "{:?}",
        envelope.warnings
    );
}

#[tokio::test]
async fn a_scan_cut_by_max_records_is_truncated_with_a_warning() {
    let setup = setup(DemoVersion::V17).await;
    let envelope = run(&setup.tool, json!({"entity": "partner", "max_records": 50}))
        .await
        .unwrap();
    assert!(envelope.truncated);
    assert_eq!(envelope.data.result.records_scanned, 50);
    assert!(
        envelope
            .warnings
            .iter()
            .any(|w| w.code == "TRUNCATED" && w.message.contains("first 50 of")),
        "{:?}",
        envelope.warnings
    );
    let envelope = run(&setup.tool, json!({"entity": "partner", "max_groups": 1}))
        .await
        .unwrap();
    assert!(envelope.truncated);
    assert_eq!(envelope.data.result.groups.unwrap().len(), 1);
}

/// The groups the log holds, as sorted member ids.
async fn logged_groups(events: &MemoryEvents) -> BTreeSet<Vec<i64>> {
    let now = chrono::Utc::now();
    let day = chrono::Duration::days(1);
    events
        .events_between(1, now - day, now + day, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            assert_eq!(e.kind, EventKind::DuplicateGroup);
            assert_eq!(e.severity, EventSeverity::Low);
            assert_eq!(e.source, "find_duplicates");
            let ids = e.key.strip_prefix("res.partner/").unwrap();
            ids.split(',').map(|id| id.parse().unwrap()).collect()
        })
        .collect()
}

#[tokio::test]
async fn each_new_group_is_recorded_once_and_dismissed_ones_never() {
    let setup = setup(DemoVersion::V17).await;
    let args = json!({"entity": "partner", "max_groups": 1000});
    let first = run(&setup.tool, args.clone()).await.unwrap();
    let found: BTreeSet<Vec<i64>> = groups(&first)
        .into_iter()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    assert!(found.len() > 1);
    assert_eq!(logged_groups(&setup.events).await, found);
    // Found again: known, nothing new.
    run(&setup.tool, args.clone()).await.unwrap();
    assert_eq!(logged_groups(&setup.events).await.len(), found.len());

    // A group people dismissed is never a new group on a fresh log.
    let target = found.iter().next().unwrap().clone();
    setup
        .dismissals
        .dismiss(
            DuplicateKind::Partners,
            &target,
            &IdentityId("anna".to_owned()),
        )
        .await
        .unwrap();
    let fresh = Arc::new(MemoryEvents::default());
    let (_fake, client, _) = demo_client_with(
        &DemoSpec {
            version: DemoVersion::V17,
            ..DemoSpec::default()
        },
        ADMIN,
    )
    .await;
    let tool = tool_for(client, &setup.dismissals).with_events(fresh.clone());
    run(&tool, args).await.unwrap();
    let logged = logged_groups(&fresh).await;
    assert_eq!(logged.len(), found.len() - 1);
    assert!(!logged.contains(&target));
    let one = fresh
        .events_between(
            1,
            chrono::Utc::now() - chrono::Duration::days(1),
            chrono::Utc::now() + chrono::Duration::days(1),
            1,
        )
        .await
        .unwrap();
    assert!(
        one[0]
            .description
            .contains("res.partner records look like duplicates: "),
        "{}",
        one[0].description
    );
}
