//! Approving proposals end to end against the fake Odoo, on every store:
//! one execution per proposal even when two approvals race, only for an
//! identity holding the role, never after expiry or rejection, never when a
//! precondition changed, and Odoo's own merge wizards with their limits and
//! their refusals kept verbatim.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use agent::proposals::{
    ApprovalError, Approvals, AuditEvent, NewProposal, ProposalStatus, ProposalStore,
    StoredProposal,
};
use chrono::{NaiveDate, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::automations::bank_reconciliation::{LearnedRules, MemoryRules};
use tools::demo::{
    Dataset, DemoSpec, DemoVersion, FakeOdoo, FieldDef, FieldType, RecordedCall, Table, generate,
};
use tools::odoo_client::{OdooClientConfig, OdooCredentials, OdooDirectory, ProtocolChoice};
use tools::proposals::{DuplicateKind, LockDateField, Precondition, Proposal, ProposalAction};
use tools::{Identity, IdentityId, Role};

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    approval_sets_the_credit_limit_once_and_audits_every_step,
    two_concurrent_approvals_execute_once,
    an_identity_without_the_role_changes_nothing,
    an_expired_proposal_is_expired_not_executed,
    a_rejected_proposal_stays_rejected_and_needs_a_reason,
    a_changed_precondition_blocks_the_execution,
    an_odoo_refusal_is_stored_verbatim,
    contacts_merge_through_the_wizard_master_plus_two_per_run,
    leads_merge_only_into_the_record_odoo_keeps,
    products_are_archived_and_groups_dismissed,
);

/// The fake Odoo, the approval service and the identities that use it.
struct World {
    fake: FakeOdoo,
    store: Arc<dyn ProposalStore>,
    approvals: Approvals,
}

/// Finance (Odoo accountant), sales (Odoo salesman) and the local operator
/// (admin role, Odoo administrator).
fn anna() -> Identity {
    Identity {
        id: IdentityId("anna".to_owned()),
        display_name: "Anita Verbeek".to_owned(),
        roles: vec![Role::Finance],
    }
}

fn sam() -> Identity {
    Identity {
        id: IdentityId("sam".to_owned()),
        display_name: "Sam Okoro".to_owned(),
        roles: vec![Role::Sales],
    }
}

async fn world(stores: Stores, version: DemoVersion) -> World {
    world_with(stores, version, |_| {}).await
}

async fn world_with(
    stores: Stores,
    version: DemoVersion,
    adapt: impl FnOnce(&mut Dataset),
) -> World {
    agent::init_crypto();
    let mut dataset = generate(&DemoSpec {
        seed: 7,
        partners: 40,
        version,
        today: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap(),
    })
    .dataset;
    adapt(&mut dataset);
    let key = |login: &str| dataset.user_by_login(login).unwrap().api_key.clone();
    let credentials = |login: &str| OdooCredentials {
        login: login.to_owned(),
        api_key: SecretString::from(key(login)),
    };
    let base = OdooClientConfig {
        url: "http://127.0.0.1:1/".parse().unwrap(),
        db: dataset.db.clone(),
        login: "admin@harbourline.example".to_owned(),
        api_key: SecretString::from(key("admin@harbourline.example")),
        timeout: Duration::from_secs(10),
        max_concurrent_calls: NonZeroUsize::new(4).unwrap(),
        protocol: ProtocolChoice::Auto,
    };
    let anna_odoo = credentials("accountant@harbourline.example");
    let sam_odoo = credentials("sales@harbourline.example");
    let fake = FakeOdoo::start(dataset).await.unwrap();
    let connector = OdooDirectory::new(OdooClientConfig {
        url: fake.url(),
        ..base
    })
    .with_identity(anna().id, anna_odoo)
    .with_identity(sam().id, sam_odoo);
    let store = stores.fresh::<dyn ProposalStore>().await;
    let approvals = Approvals::new(Arc::clone(&store), Arc::new(connector));
    World {
        fake,
        store,
        approvals,
    }
}

impl World {
    fn value(&self, model: &str, id: i64, field: &str) -> Option<Value> {
        self.fake.with_dataset(|d| {
            let table = d.table(model)?;
            table.value(table.get(id)?, field).cloned()
        })
    }

    fn calls(&self, model: &str, method: &str) -> Vec<RecordedCall> {
        self.fake
            .calls()
            .into_iter()
            .filter(|c| c.model == model && c.method == method)
            .collect()
    }

    async fn propose(&self, proposal: Proposal) -> uuid::Uuid {
        let id = proposal.proposal_id;
        self.store
            .insert_proposals(vec![NewProposal {
                proposal,
                thread_id: None,
                turn_id: None,
                created_by: IdentityId("model".to_owned()),
                company_id: None,
            }])
            .await
            .unwrap();
        id
    }

    async fn status(&self, id: uuid::Uuid) -> ProposalStatus {
        self.store.proposal(id).await.unwrap().unwrap().status
    }

    async fn events(&self, id: uuid::Uuid) -> Vec<AuditEvent> {
        self.store
            .audit_trail(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    /// Top-level customers no user is linked to, smallest ids first.
    fn free_partners(&self, n: usize) -> Vec<i64> {
        self.fake.with_dataset(|d| {
            let users: Vec<i64> = d
                .table("res.users")
                .map(|t| {
                    t.records()
                        .iter()
                        .filter_map(|u| t.value(u, "partner_id")?.get(0)?.as_i64())
                        .collect()
                })
                .unwrap_or_default();
            let partners = d.table("res.partner").unwrap();
            partners
                .records()
                .iter()
                .filter(|r| partners.value(r, "parent_id") == Some(&Value::Bool(false)))
                .map(|r| r.id)
                .filter(|id| !users.contains(id))
                .take(n)
                .collect()
        })
    }
}

/// A finance proposal raising partner `partner`'s credit limit from what
/// the fake holds now to 12 500.50.
fn credit_limit(world: &World, partner: i64) -> Proposal {
    let current = world.value("res.partner", partner, "credit_limit").unwrap();
    Proposal::new(
        ProposalAction::SetCreditLimit {
            partner_id: partner,
            new_limit: Decimal::new(1_250_050, 2),
        },
        format!("Credit limit of partner {partner}: {current} -> 12500.50"),
        vec![Precondition::FieldEquals {
            model: "res.partner".to_owned(),
            id: partner,
            field: "credit_limit".to_owned(),
            expected: current,
            description: "credit limit unchanged".to_owned(),
        }],
        Role::Finance,
        Utc::now(),
    )
}

async fn approval_sets_the_credit_limit_once_and_audits_every_step(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let partner = world.free_partners(1)[0];
    let id = world.propose(credit_limit(&world, partner)).await;

    let done = world.approvals.approve(id, &anna()).await.unwrap();
    assert_eq!(done.status, ProposalStatus::Executed);
    assert_eq!(done.decided_by, Some(anna().id));
    assert_eq!(done.outcome.as_ref().unwrap()["odoo"], json!(true));
    assert_eq!(
        world.value("res.partner", partner, "credit_limit"),
        Some(json!(12500.5))
    );
    // Written as the approving person's Odoo user, the accountant.
    let writes = world.calls("res.partner", "write");
    let accountant = world.fake.with_dataset(|d| {
        d.user_by_login("accountant@harbourline.example")
            .unwrap()
            .uid
    });
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].uid, Some(accountant));

    let again = world.approvals.approve(id, &anna()).await.unwrap_err();
    assert!(
        matches!(
            again,
            ApprovalError::AlreadyDecided {
                status: ProposalStatus::Executed,
                ..
            }
        ),
        "{again}"
    );
    assert_eq!(world.calls("res.partner", "write").len(), 1);
    assert_eq!(
        world.events(id).await,
        vec![
            AuditEvent::Created,
            AuditEvent::Approved,
            AuditEvent::Executed
        ]
    );
}

async fn two_concurrent_approvals_execute_once(stores: Stores) {
    let world = Arc::new(world(stores, DemoVersion::V18).await);
    let partner = world.free_partners(1)[0];
    let id = world.propose(credit_limit(&world, partner)).await;
    let approve = |identity: Identity| {
        let world = Arc::clone(&world);
        tokio::spawn(async move { world.approvals.approve(id, &identity).await })
    };
    let first = approve(anna());
    let second = approve(Identity::local_operator());
    let results = [first.await.unwrap(), second.await.unwrap()];
    let executed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(executed, 1, "{results:?}");
    let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert!(
        matches!(loser, ApprovalError::AlreadyDecided { .. }),
        "{loser}"
    );
    assert_eq!(world.calls("res.partner", "write").len(), 1);
    assert_eq!(world.status(id).await, ProposalStatus::Executed);
}

async fn an_identity_without_the_role_changes_nothing(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let partner = world.free_partners(1)[0];
    let id = world.propose(credit_limit(&world, partner)).await;
    let err = world.approvals.approve(id, &sam()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("sam may not decide proposal {id}: it requires the finance role")
    );
    let err = world.approvals.reject(id, &sam(), "no").await.unwrap_err();
    assert_eq!(err.kind(), "not_permitted");
    assert_eq!(world.status(id).await, ProposalStatus::Pending);
    assert!(world.calls("res.partner", "write").is_empty());
    assert_eq!(
        world.events(id).await,
        vec![AuditEvent::Created, AuditEvent::Denied, AuditEvent::Denied]
    );
}

async fn an_expired_proposal_is_expired_not_executed(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let partner = world.free_partners(1)[0];
    let mut proposal = credit_limit(&world, partner);
    proposal.expires_at = Utc::now() - chrono::Duration::minutes(1);
    let id = world.propose(proposal).await;
    let err = world.approvals.approve(id, &anna()).await.unwrap_err();
    assert!(matches!(err, ApprovalError::Expired { .. }), "{err}");
    assert_eq!(world.status(id).await, ProposalStatus::Expired);
    let err = world.approvals.approve(id, &anna()).await.unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::AlreadyDecided {
            status: ProposalStatus::Expired,
            ..
        }
    ));
    assert!(world.calls("res.partner", "write").is_empty());
}

async fn a_rejected_proposal_stays_rejected_and_needs_a_reason(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let partner = world.free_partners(1)[0];
    let id = world.propose(credit_limit(&world, partner)).await;
    let err = world.approvals.reject(id, &anna(), "  ").await.unwrap_err();
    assert!(matches!(err, ApprovalError::InvalidReason(_)), "{err}");
    let rejected = world
        .approvals
        .reject(id, &anna(), "pays late since March")
        .await
        .unwrap();
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("pays late since March"));
    let err = world
        .approvals
        .approve(id, &Identity::local_operator())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApprovalError::AlreadyDecided {
            status: ProposalStatus::Rejected,
            ..
        }
    ));
    assert!(world.calls("res.partner", "write").is_empty());
}

async fn a_changed_precondition_blocks_the_execution(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let partner = world.free_partners(1)[0];
    let id = world.propose(credit_limit(&world, partner)).await;
    // Someone changes the limit in Odoo after the proposal was made.
    world.fake.with_dataset_mut(|d| {
        let table = d.table_mut("res.partner").unwrap();
        let mut record = table.get(partner).unwrap().clone();
        table
            .set(&mut record, "credit_limit", json!(777.0))
            .unwrap();
        *table.get_mut(partner).unwrap() = record;
    });
    let err = world.approvals.approve(id, &anna()).await.unwrap_err();
    let ApprovalError::PreconditionsChanged { failed, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(failed[0].description, "credit limit unchanged");
    assert!(
        failed[0].detail.contains("is now 777.0"),
        "{}",
        failed[0].detail
    );
    assert!(
        err.to_string()
            .contains("preconditions changed: credit limit unchanged"),
        "{err}"
    );
    let stored = world.store.proposal(id).await.unwrap().unwrap();
    assert_eq!(stored.status, ProposalStatus::Failed);
    assert_eq!(
        stored.outcome.unwrap()["blocked"][0]["description"],
        "credit limit unchanged"
    );
    assert!(world.calls("res.partner", "write").is_empty());
    assert_eq!(
        world.events(id).await,
        vec![
            AuditEvent::Created,
            AuditEvent::Approved,
            AuditEvent::Blocked
        ]
    );
}

fn merge(master: i64, duplicates: &[i64], role: Role) -> Proposal {
    Proposal::new(
        ProposalAction::MergePartners {
            master_id: master,
            duplicate_ids: duplicates.to_vec(),
        },
        "merge",
        vec![],
        role,
        Utc::now(),
    )
}

async fn an_odoo_refusal_is_stored_verbatim(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    let ids = world.free_partners(2);
    let emails: Vec<Option<Value>> = ids
        .iter()
        .map(|id| world.value("res.partner", *id, "email"))
        .collect();
    assert_ne!(
        emails[0], emails[1],
        "the test needs contacts with different e-mails"
    );
    // A salesman is no Odoo administrator, so the wizard refuses.
    let id = world.propose(merge(ids[0], &ids[1..], Role::Sales)).await;
    let done = world.approvals.approve(id, &sam()).await.unwrap();
    assert_eq!(done.status, ProposalStatus::Failed);
    let outcome = done.outcome.unwrap();
    assert_eq!(
        outcome["error"]["odoo_message"],
        "All contacts must have the same email. Only the Administrator can merge contacts with \
         different emails."
    );
    assert_eq!(outcome["completed"], json!([]));
    assert!(
        world.value("res.partner", ids[1], "id").is_some(),
        "nothing was merged"
    );
    assert_eq!(*world.events(id).await.last().unwrap(), AuditEvent::Failed);
}

async fn contacts_merge_through_the_wizard_master_plus_two_per_run(stores: Stores) {
    let world = world(stores, DemoVersion::V18).await;
    let ids = world.free_partners(5);
    let (master, duplicates) = (ids[0], &ids[1..]);
    let invoices_of = |partner: i64| {
        world.fake.with_dataset(|d| {
            let moves = d.table("account.move").unwrap();
            moves
                .records()
                .iter()
                .filter(|m| {
                    moves
                        .value(m, "partner_id")
                        .and_then(|p| p.get(0)?.as_i64())
                        == Some(partner)
                })
                .count()
        })
    };
    let before: usize = ids.iter().map(|id| invoices_of(*id)).sum();
    let id = world.propose(merge(master, duplicates, Role::Admin)).await;
    let done = world
        .approvals
        .approve(id, &Identity::local_operator())
        .await
        .unwrap();
    assert_eq!(done.status, ProposalStatus::Executed, "{:?}", done.outcome);
    let creates = world.calls("base.partner.merge.automatic.wizard", "create");
    let merged: Vec<Value> = creates
        .iter()
        .map(|c| c.kwargs["vals_list"]["partner_ids"][0][2].clone())
        .collect();
    assert_eq!(
        merged,
        vec![
            json!([master, duplicates[0], duplicates[1]]),
            json!([master, duplicates[2], duplicates[3]]),
        ]
    );
    assert_eq!(
        world
            .calls("base.partner.merge.automatic.wizard", "action_merge")
            .len(),
        2
    );
    for duplicate in duplicates {
        assert_eq!(world.value("res.partner", *duplicate, "id"), None);
    }
    // Every reference moved to the master.
    assert_eq!(invoices_of(master), before);
}

async fn leads_merge_only_into_the_record_odoo_keeps(stores: Stores) {
    let world = world(stores, DemoVersion::V17).await;
    // Two open leads of one stage and type; the older one has the higher
    // probability so Odoo keeps it.
    let (a, b) = world.fake.with_dataset(|d| {
        let leads = d.table("crm.lead").unwrap();
        let ids: Vec<i64> = leads.records().iter().take(2).map(|r| r.id).collect();
        (ids[0], ids[1])
    });
    world.fake.with_dataset_mut(|d| {
        let leads = d.table_mut("crm.lead").unwrap();
        for (id, probability) in [(a, 90.0), (b, 10.0)] {
            let mut record = leads.get(id).unwrap().clone();
            leads
                .set(&mut record, "type", json!("opportunity"))
                .unwrap();
            leads
                .set(&mut record, "probability", json!(probability))
                .unwrap();
            *leads.get_mut(id).unwrap() = record;
        }
        let stage = leads
            .value(leads.get(a).unwrap(), "stage_id")
            .cloned()
            .unwrap();
        let mut record = leads.get(b).unwrap().clone();
        leads.set(&mut record, "stage_id", stage).unwrap();
        *leads.get_mut(b).unwrap() = record;
    });
    let leads = |master: i64, other: i64| {
        Proposal::new(
            ProposalAction::MergeLeads {
                master_id: master,
                duplicate_ids: vec![other],
            },
            "merge leads",
            vec![],
            Role::Sales,
            Utc::now(),
        )
    };
    let wrong = world.propose(leads(b, a)).await;
    let done = world.approvals.approve(wrong, &sam()).await.unwrap();
    assert_eq!(done.status, ProposalStatus::Failed);
    let message = done.outcome.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(&format!("crm.lead {a} and not the proposed master {b}")),
        "{message}"
    );
    assert!(world.calls("crm.merge.opportunity", "create").is_empty());

    let right = world.propose(leads(a, b)).await;
    let done = world.approvals.approve(right, &sam()).await.unwrap();
    assert_eq!(done.status, ProposalStatus::Executed, "{:?}", done.outcome);
    assert_eq!(
        world.calls("crm.merge.opportunity", "action_merge").len(),
        1
    );
    assert!(world.value("crm.lead", a, "id").is_some());
    assert_eq!(world.value("crm.lead", b, "id"), None);
}

async fn products_are_archived_and_groups_dismissed(stores: Stores) {
    let world = world(stores, DemoVersion::V18).await;
    let products: Vec<i64> = world.fake.with_dataset(|d| {
        d.table("product.product")
            .unwrap()
            .records()
            .iter()
            .take(2)
            .map(|r| r.id)
            .collect()
    });
    let archive = Proposal::new(
        ProposalAction::ArchiveProducts {
            ids: products.clone(),
        },
        "archive",
        vec![Precondition::CountEquals {
            model: "product.product".to_owned(),
            domain: json!([["id", "in", products]]),
            expected: 2,
            description: "both products still active".to_owned(),
        }],
        Role::Warehouse,
        Utc::now(),
    );
    let id = world.propose(archive).await;
    let done = world
        .approvals
        .approve(id, &Identity::local_operator())
        .await
        .unwrap();
    assert_eq!(done.status, ProposalStatus::Executed, "{:?}", done.outcome);
    for product in &products {
        assert_eq!(
            world.value("product.product", *product, "active"),
            Some(json!(false))
        );
    }

    let dismiss = Proposal::new(
        ProposalAction::DismissGroup {
            kind: DuplicateKind::Partners,
            ids: vec![12, 7],
        },
        "not duplicates",
        vec![],
        Role::Sales,
        Utc::now(),
    );
    let id = world.propose(dismiss).await;
    let done = world.approvals.approve(id, &sam()).await.unwrap();
    assert_eq!(done.status, ProposalStatus::Executed);
    assert_eq!(
        world
            .store
            .dismissed_pairs(DuplicateKind::Partners)
            .await
            .unwrap(),
        vec![(7, 12)]
    );
}

// ------------------------------------------------ version-specific writes

async fn approve_as_admin(world: &World, action: ProposalAction) -> StoredProposal {
    let proposal = Proposal::new(action, "change", vec![], Role::Finance, Utc::now());
    let id = world.propose(proposal).await;
    world
        .approvals
        .approve(id, &Identity::local_operator())
        .await
        .unwrap()
}

#[tokio::test]
async fn lock_dates_are_written_where_the_version_has_the_field() {
    let date = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    let v18 = world(Stores::Memory, DemoVersion::V18).await;
    let company = v18
        .fake
        .with_dataset(|d| d.table("res.company").unwrap().records()[0].id);
    let done = approve_as_admin(
        &v18,
        ProposalAction::SetLockDate {
            company_id: company,
            field: LockDateField::SaleLockDate,
            date,
        },
    )
    .await;
    assert_eq!(done.status, ProposalStatus::Executed);
    assert_eq!(
        v18.value("res.company", company, "sale_lock_date"),
        Some(json!("2026-02-28"))
    );

    let v17 = world(Stores::Memory, DemoVersion::V17).await;
    let done = approve_as_admin(
        &v17,
        ProposalAction::SetLockDate {
            company_id: company,
            field: LockDateField::SaleLockDate,
            date,
        },
    )
    .await;
    assert_eq!(done.status, ProposalStatus::Failed);
    assert_eq!(
        done.outcome.unwrap()["error"]["message"],
        "res.company has no field sale_lock_date on Odoo 17.0"
    );
    assert!(v17.calls("res.company", "write").is_empty());
}

/// Adds the sale module's partner warning fields to `res.partner`.
fn with_sales_warnings(dataset: &mut Dataset) {
    let old = dataset.tables.remove("res.partner").unwrap();
    let mut def = old.def.clone();
    def.fields.push(FieldDef::new(
        "sale_warn",
        "Sales Warnings",
        FieldType::Selection(&[
            ("no-message", "No Message"),
            ("warning", "Warning"),
            ("block", "Blocking Message"),
        ]),
    ));
    def.fields.push(FieldDef::new(
        "sale_warn_msg",
        "Message for Sales Order",
        FieldType::Text,
    ));
    let mut table = Table::new(def);
    for mut record in old.into_records() {
        let mut values = record.values.into_vec();
        values.extend([json!("no-message"), json!(false)]);
        record.values = values.into_boxed_slice();
        table.push(record).unwrap();
    }
    dataset.insert_table(table);
}

#[tokio::test]
async fn sales_are_blocked_through_the_partner_warning_only_where_it_exists() {
    let block = |partner| ProposalAction::BlockSales {
        partner_id: partner,
        message: "Overdue 45 days: call finance".to_owned(),
    };
    let without = world(Stores::Memory, DemoVersion::V17).await;
    let partner = without.free_partners(1)[0];
    let done = approve_as_admin(&without, block(partner)).await;
    assert_eq!(done.status, ProposalStatus::Failed);
    let message = done.outcome.unwrap()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.starts_with("sales warnings are unavailable"),
        "{message}"
    );

    let with = world_with(Stores::Memory, DemoVersion::V17, with_sales_warnings).await;
    let done = approve_as_admin(&with, block(partner)).await;
    assert_eq!(done.status, ProposalStatus::Executed, "{:?}", done.outcome);
    assert_eq!(
        with.value("res.partner", partner, "sale_warn"),
        Some(json!("block"))
    );
    assert_eq!(
        with.value("res.partner", partner, "sale_warn_msg"),
        Some(json!("Overdue 45 days: call finance"))
    );
    let done = approve_as_admin(
        &with,
        ProposalAction::UnblockSales {
            partner_id: partner,
        },
    )
    .await;
    assert_eq!(done.status, ProposalStatus::Executed);
    assert_eq!(
        with.value("res.partner", partner, "sale_warn"),
        Some(json!("no-message"))
    );
}

// ------------------------------------------------------ bank matches

/// An approved bank match is a person's confirmation (spec 2.8): the
/// line's journal learns the rule, audited as `learned`, even where no
/// reconciliation executor ships and Odoo is not changed.
#[tokio::test]
async fn an_approved_bank_match_teaches_the_journal_its_rule() {
    let world = world(Stores::Memory, DemoVersion::V18).await;
    let rules = Arc::new(MemoryRules::default());
    let approvals = world
        .approvals
        .clone()
        .with_rules(Arc::clone(&rules) as Arc<dyn LearnedRules>);
    let (line, journal, company, item) = world.fake.with_dataset(|d| {
        let lines = d.table("account.bank.statement.line").unwrap();
        let line = lines
            .records()
            .iter()
            .find(|r| lines.value(r, "payment_ref") == Some(&json!("Subscription Payment Feb")))
            .unwrap();
        let id = |field: &str| lines.value(line, field).unwrap()[0].as_i64().unwrap();
        let moves = d.table("account.move").unwrap();
        let invoice = moves
            .records()
            .iter()
            .find(|r| moves.value(r, "name") == Some(&json!("INV/SUB/022")))
            .unwrap()
            .id;
        let items = d.table("account.move.line").unwrap();
        let item = items
            .records()
            .iter()
            .find(|r| items.value(r, "move_id").unwrap()[0] == json!(invoice))
            .unwrap()
            .id;
        (line.id, id("journal_id"), id("company_id"), item)
    });
    let proposal = Proposal::new(
        ProposalAction::ReconcileStatementLine {
            line_id: line,
            move_line_ids: vec![item],
        },
        "Reconcile the SaaS Corp subscription payment with INV/SUB/022",
        vec![],
        Role::Finance,
        Utc::now(),
    );
    let id = world.propose(proposal).await;
    let done = approvals.approve(id, &anna()).await.unwrap();
    // No executor is verified against this Odoo: nothing is reconciled.
    assert_eq!(done.status, ProposalStatus::Failed);
    assert_eq!(
        world.events(id).await,
        vec![
            AuditEvent::Created,
            AuditEvent::Approved,
            AuditEvent::Learned,
            AuditEvent::Failed
        ]
    );
    let learned = rules.rules(company, journal).await.unwrap();
    assert_eq!(learned.len(), 1, "{learned:?}");
    assert_eq!(
        (
            learned[0].rule.bank_text.as_deref(),
            learned[0].rule.entry_ref.as_deref()
        ),
        (Some("subscription payment feb"), Some("inv sub #"))
    );
    // An approval without the rules store learns nothing and still works.
    let other = world
        .propose(Proposal::new(
            ProposalAction::ReconcileStatementLine {
                line_id: line,
                move_line_ids: vec![item],
            },
            "again",
            vec![],
            Role::Finance,
            Utc::now(),
        ))
        .await;
    world.approvals.approve(other, &anna()).await.unwrap();
    assert!(!world.events(other).await.contains(&AuditEvent::Learned));
}
