//! The `ProposalStore` contract on every store: memory, SQLite and
//! PostgreSQL (a fresh database per test). Each status change is a
//! conditional update, so racing approvals move a proposal on once.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use agent::proposals::{AuditEvent, Decision, NewProposal, ProposalStatus, ProposalStore};
use agent::store::{StoreError, ThreadId, TurnId};
use chrono::{Duration, SubsecRound, Utc};
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use serde_json::json;
use tools::proposals::{DuplicateKind, Precondition, Proposal, ProposalAction};
use tools::{IdentityId, Role};
use uuid::Uuid;

use crate::every_store::{Stores, on_every_store};

on_every_store!(
    proposals_round_trip_with_their_turn_and_a_created_audit_entry,
    a_repeated_proposal_id_conflicts_and_stores_nothing,
    two_racing_approvals_claim_a_proposal_once,
    an_expired_proposal_can_only_be_expired,
    a_rejected_proposal_stays_rejected_with_its_reason,
    advance_moves_only_from_the_expected_status_and_keeps_the_outcome,
    unknown_proposals_are_not_found,
    dismissed_groups_are_kept_as_pairs_per_kind,
);

fn anna() -> IdentityId {
    IdentityId("anna".to_owned())
}

/// A credit-limit proposal on partner `partner`, expiring in `ttl`.
pub(crate) fn credit_limit(partner: i64, ttl: Duration) -> Proposal {
    let mut proposal = Proposal::new(
        ProposalAction::SetCreditLimit {
            partner_id: partner,
            new_limit: Decimal::new(1_250_050, 2),
        },
        format!("Credit limit of partner {partner}: 10000.00 -> 12500.50"),
        vec![Precondition::FieldEquals {
            model: "res.partner".to_owned(),
            id: partner,
            field: "credit_limit".to_owned(),
            expected: json!(10000.0),
            description: "credit limit unchanged".to_owned(),
        }],
        Role::Finance,
        Utc::now(),
    );
    proposal.expires_at = (Utc::now() + ttl).trunc_subsecs(6);
    proposal
}

fn new(proposal: Proposal, turn: Option<TurnId>) -> NewProposal {
    NewProposal {
        proposal,
        thread_id: turn.map(|_| ThreadId::new()),
        turn_id: turn,
        created_by: anna(),
        company_id: None,
    }
}

async fn proposals_round_trip_with_their_turn_and_a_created_audit_entry(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let turn = TurnId::new();
    let first = credit_limit(7, Duration::hours(24));
    let mut merge = Proposal::new(
        ProposalAction::MergePartners {
            master_id: 7,
            duplicate_ids: vec![9, 12],
        },
        "Merge 9 and 12 into 7",
        vec![Precondition::CountEquals {
            model: "res.partner".to_owned(),
            domain: json!([["id", "in", [7, 9, 12]]]),
            expected: 3,
            description: "all three contacts still exist".to_owned(),
        }],
        Role::Admin,
        Utc::now(),
    );
    // Stores keep microseconds.
    merge.expires_at = merge.expires_at.trunc_subsecs(6);
    let other_turn = credit_limit(8, Duration::hours(1));
    store
        .insert_proposals(vec![
            new(first.clone(), Some(turn)),
            new(merge.clone(), Some(turn)),
        ])
        .await
        .unwrap();
    store
        .insert_proposals(vec![new(other_turn, Some(TurnId::new()))])
        .await
        .unwrap();

    let stored = store.proposal(first.proposal_id).await.unwrap().unwrap();
    assert_eq!(stored.proposal, first);
    assert_eq!(stored.status, ProposalStatus::Pending);
    assert_eq!(stored.turn_id, Some(turn));
    assert_eq!(stored.created_by, anna());
    assert_eq!(
        (stored.outcome, stored.decided_by, stored.reason),
        (None, None, None)
    );

    let of_turn: Vec<Proposal> = store
        .proposals_of_turn(turn)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.proposal)
        .collect();
    assert_eq!(of_turn, vec![first.clone(), merge]);

    let trail = store.audit_trail(first.proposal_id).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].event, AuditEvent::Created);
    assert_eq!(trail[0].identity_id, anna());
    assert_eq!(trail[0].detail["action"], "set_credit_limit");
}

async fn a_repeated_proposal_id_conflicts_and_stores_nothing(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let taken = credit_limit(7, Duration::hours(24));
    store
        .insert_proposals(vec![new(taken.clone(), None)])
        .await
        .unwrap();
    let fresh = credit_limit(8, Duration::hours(24));
    let err = store
        .insert_proposals(vec![new(fresh.clone(), None), new(taken, None)])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert_eq!(store.proposal(fresh.proposal_id).await.unwrap(), None);
}

async fn two_racing_approvals_claim_a_proposal_once(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let proposal = credit_limit(7, Duration::hours(24));
    let id = proposal.proposal_id;
    store
        .insert_proposals(vec![new(proposal, None)])
        .await
        .unwrap();
    let approve = |who: &str| {
        let store = Arc::clone(&store);
        let by = IdentityId(who.to_owned());
        tokio::spawn(async move { store.decide(id, Decision::Approve { by }, Utc::now()).await })
    };
    let (a, b) = (approve("anna"), approve("bert"));
    let won: Vec<bool> = vec![a.await.unwrap().unwrap(), b.await.unwrap().unwrap()];
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    let stored = store.proposal(id).await.unwrap().unwrap();
    assert_eq!(stored.status, ProposalStatus::Approved);
    let winner = if won[0] { "anna" } else { "bert" };
    assert_eq!(stored.decided_by, Some(IdentityId(winner.to_owned())));
    assert!(stored.decided_at.is_some());
    // Nobody can decide it again.
    let again = Decision::Reject {
        by: anna(),
        reason: "too late".to_owned(),
    };
    assert!(!store.decide(id, again, Utc::now()).await.unwrap());
}

async fn an_expired_proposal_can_only_be_expired(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let proposal = credit_limit(7, Duration::hours(1));
    let id = proposal.proposal_id;
    let after = proposal.expires_at + Duration::seconds(1);
    let before = proposal.expires_at - Duration::seconds(1);
    store
        .insert_proposals(vec![new(proposal, None)])
        .await
        .unwrap();
    assert!(!store.decide(id, Decision::Expire, before).await.unwrap());
    assert!(
        !store
            .decide(id, Decision::Approve { by: anna() }, after)
            .await
            .unwrap()
    );
    let reject = Decision::Reject {
        by: anna(),
        reason: "no".to_owned(),
    };
    assert!(!store.decide(id, reject, after).await.unwrap());
    assert_eq!(
        store.proposal(id).await.unwrap().unwrap().status,
        ProposalStatus::Pending
    );
    assert!(store.decide(id, Decision::Expire, after).await.unwrap());
    let stored = store.proposal(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.decided_by),
        (ProposalStatus::Expired, None)
    );
}

async fn a_rejected_proposal_stays_rejected_with_its_reason(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let proposal = credit_limit(7, Duration::hours(24));
    let id = proposal.proposal_id;
    store
        .insert_proposals(vec![new(proposal, None)])
        .await
        .unwrap();
    let reject = Decision::Reject {
        by: IdentityId("bert".to_owned()),
        reason: "the customer pays late".to_owned(),
    };
    assert!(store.decide(id, reject, Utc::now()).await.unwrap());
    assert!(
        !store
            .decide(id, Decision::Approve { by: anna() }, Utc::now())
            .await
            .unwrap()
    );
    let stored = store.proposal(id).await.unwrap().unwrap();
    assert_eq!(stored.status, ProposalStatus::Rejected);
    assert_eq!(stored.decided_by, Some(IdentityId("bert".to_owned())));
    assert_eq!(stored.reason.as_deref(), Some("the customer pays late"));
}

async fn advance_moves_only_from_the_expected_status_and_keeps_the_outcome(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let proposal = credit_limit(7, Duration::hours(24));
    let id = proposal.proposal_id;
    store
        .insert_proposals(vec![new(proposal, None)])
        .await
        .unwrap();
    use ProposalStatus::{Approved, Executed, Executing, Pending};
    assert!(!store.advance(id, Approved, Executing, None).await.unwrap());
    assert!(
        store
            .decide(id, Decision::Approve { by: anna() }, Utc::now())
            .await
            .unwrap()
    );
    assert!(store.advance(id, Approved, Executing, None).await.unwrap());
    let outcome = json!({"odoo": true});
    assert!(
        store
            .advance(id, Executing, Executed, Some(outcome.clone()))
            .await
            .unwrap()
    );
    assert!(!store.advance(id, Executing, Executed, None).await.unwrap());
    assert!(!store.advance(id, Pending, Approved, None).await.unwrap());
    let stored = store.proposal(id).await.unwrap().unwrap();
    assert_eq!((stored.status, stored.outcome), (Executed, Some(outcome)));
}

async fn unknown_proposals_are_not_found(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    let id = Uuid::new_v4();
    assert_eq!(store.proposal(id).await.unwrap(), None);
    let err = store
        .decide(id, Decision::Approve { by: anna() }, Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let err = store
        .advance(
            id,
            ProposalStatus::Approved,
            ProposalStatus::Executing,
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    let entry = agent::proposals::AuditEntry {
        proposal_id: id,
        event: AuditEvent::Denied,
        identity_id: anna(),
        detail: json!({}),
        at: Utc::now(),
    };
    let err = store.audit(entry).await.unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

async fn dismissed_groups_are_kept_as_pairs_per_kind(stores: Stores) {
    let store = stores.fresh::<dyn ProposalStore>().await;
    store
        .dismiss(DuplicateKind::Partners, &[12, 7, 9], &anna())
        .await
        .unwrap();
    // Dismissing an overlapping group again adds only the new pairs.
    store
        .dismiss(DuplicateKind::Partners, &[9, 12, 30], &anna())
        .await
        .unwrap();
    store
        .dismiss(DuplicateKind::Leads, &[3, 4], &anna())
        .await
        .unwrap();
    assert_eq!(
        store
            .dismissed_pairs(DuplicateKind::Partners)
            .await
            .unwrap(),
        vec![(7, 9), (7, 12), (9, 12), (9, 30), (12, 30)]
    );
    assert_eq!(
        store.dismissed_pairs(DuplicateKind::Leads).await.unwrap(),
        vec![(3, 4)]
    );
    assert!(
        store
            .dismissed_pairs(DuplicateKind::Products)
            .await
            .unwrap()
            .is_empty()
    );
}
