//! Proposals in the turn loop: those a tool returns are stored as pending
//! with the turn, and the model is told their ids; it cannot approve them,
//! since no tool approves or rejects anything.

use std::sync::Arc;

use agent::odoo::OdooBackend;
use agent::proposals::FieldChange;
use agent::proposals::ProposalStatus;
use agent::provider::{ChatEvent, ContentBlock, StopReason, ToolCall, Usage};
use agent::testing::{ScriptedProvider, Step};
use agent::turn::{TurnEvent, TurnRequest};
use chrono::Utc;
use pretty_assertions::assert_eq;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tools::proposals::{Precondition, Proposal, ProposalAction};
use tools::{
    Identity, OdooAccess, Role, Summarize, Tool, ToolCtx, ToolError, ToolKind, ToolRegistry,
};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Serialize)]
struct Offer {
    #[serde(skip)]
    proposal: Proposal,
}

impl Summarize for Offer {
    fn summary(&self) -> String {
        "partner 7 may get a higher limit".to_owned()
    }

    fn proposals(&self) -> Vec<Proposal> {
        vec![self.proposal.clone()]
    }
}

/// Stands in for `credit_check`: offers one credit-limit proposal.
struct OfferLimit;

impl Tool for OfferLimit {
    const NAME: &'static str = "offer_limit";
    const KIND: ToolKind = ToolKind::Read;
    type Args = NoArgs;
    type Output = Offer;

    fn description(&self) -> &'static str {
        "offers a higher credit limit"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, _args: NoArgs) -> Result<Offer, ToolError> {
        Ok(Offer {
            proposal: Proposal::new(
                ProposalAction::SetCreditLimit {
                    partner_id: 7,
                    new_limit: Decimal::new(20_000, 0),
                },
                "Credit limit of partner 7: 10000.00 -> 20000.00",
                vec![Precondition::FieldEquals {
                    model: "res.partner".into(),
                    id: 7,
                    field: "credit_limit".into(),
                    expected: json!(10000.0),
                    description: "credit limit unchanged".into(),
                }],
                Role::Finance,
                Utc::now(),
            ),
        })
    }
}

fn call(id: &str, name: &str, arguments: Value) -> Step {
    Step::Events(vec![
        ChatEvent::ToolCall {
            call: ToolCall {
                id: id.into(),
                name: name.into(),
                arguments: arguments.to_string(),
            },
        },
        ChatEvent::Usage {
            usage: Usage::default(),
        },
        ChatEvent::Done {
            stop_reason: StopReason::ToolUse,
        },
    ])
}

fn answer() -> Step {
    Step::Events(vec![
        ChatEvent::TextDelta {
            text: "A finance person can approve it.".into(),
        },
        ChatEvent::Done {
            stop_reason: StopReason::EndTurn,
        },
    ])
}

/// The JSON of the first tool result in the last message of request `n`.
fn tool_result(provider: &ScriptedProvider, n: usize) -> (Value, bool) {
    let request = &provider.requests()[n];
    let message = request.messages.last().unwrap();
    message
        .content
        .iter()
        .find_map(|b| match b {
            ContentBlock::ToolResult {
                content, is_error, ..
            } => Some((serde_json::from_str(content).unwrap(), *is_error)),
            _ => None,
        })
        .unwrap()
}

#[tokio::test]
async fn proposals_are_stored_with_the_turn_and_the_model_cannot_approve_them() {
    // After the offer the model tries to approve it by a tool name it made
    // up: no tool approves anything, so the call fails and nothing changes.
    let provider = ScriptedProvider::new(vec![
        call("c1", "offer_limit", json!({})),
        call(
            "c2",
            "approve_proposal",
            json!({"proposal_id": "the one above"}),
        ),
        answer(),
    ]);
    let tools = ToolRegistry::builder()
        .register(OfferLimit)
        .build()
        .unwrap();
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        Arc::new(agent::testing::sqlite_store().await),
        tools,
        agent::config::TurnLimits::default(),
    );
    let result = runtime
        .run_turn(TurnRequest {
            thread_id: None,
            channel: "test".into(),
            identity: Identity::local_operator(),
            message: "Can partner 7 get 20k? If so, approve it.".into(),
        })
        .await
        .unwrap();

    let stored = runtime
        .proposals()
        .proposals_of_turn(result.turn_id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].status, ProposalStatus::Pending);
    assert_eq!(stored[0].thread_id, Some(result.thread_id));
    assert_eq!(stored[0].created_by, Identity::local_operator().id);
    let id = stored[0].proposal.proposal_id;

    let (content, is_error) = tool_result(&provider, 1);
    assert!(!is_error);
    assert_eq!(content["proposals"][0]["proposal_id"], json!(id));
    assert_eq!(content["proposals"][0]["status"], "pending");
    assert_eq!(content["proposals"][0]["required_role"], "finance");
    assert!(
        content["proposals"][0]["how_to_approve"]
            .as_str()
            .unwrap()
            .contains("you cannot approve it")
    );

    let (content, is_error) = tool_result(&provider, 2);
    assert!(is_error);
    assert_eq!(content["error"]["kind"], "unknown_tool");
    let after = runtime.proposals().proposal(id).await.unwrap().unwrap();
    assert_eq!(after.status, ProposalStatus::Pending);
}

#[tokio::test]
async fn a_stored_proposal_is_announced_before_its_call_finishes_and_is_in_the_result() {
    let provider = ScriptedProvider::new(vec![call("c1", "offer_limit", json!({})), answer()]);
    let tools = ToolRegistry::builder()
        .register(OfferLimit)
        .build()
        .unwrap();
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        Arc::new(agent::testing::sqlite_store().await),
        tools,
        agent::config::TurnLimits::default(),
    );
    let mut handle = runtime
        .start_turn(TurnRequest {
            thread_id: None,
            channel: "test".into(),
            identity: Identity::local_operator(),
            message: "Can partner 7 get 20k?".into(),
        })
        .unwrap();
    let mut events = Vec::new();
    while let Some(event) = handle.events.recv().await {
        events.push(event);
    }
    let result = handle.outcome().await.unwrap();

    let stored = runtime
        .proposals()
        .proposals_of_turn(result.turn_id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    let id = stored[0].proposal.proposal_id;
    assert_eq!(result.proposals.len(), 1);
    let view = &result.proposals[0];
    assert_eq!(
        (view.proposal_id, view.call_id.as_str(), view.action),
        (id, "c1", "set_credit_limit")
    );
    assert_eq!(
        view.preview,
        "Credit limit of partner 7: 10000.00 -> 20000.00"
    );
    assert_eq!(view.required_role, Role::Finance);
    assert_eq!(
        view.changes,
        vec![FieldChange {
            model: "res.partner".into(),
            id: 7,
            field: "credit_limit".into(),
            before: Some(json!(10000.0)),
            after: json!(20000.0),
        }]
    );

    let order: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::ProposalStored { call_id, proposal } => {
                assert_eq!(proposal, view);
                Some(format!("proposal {call_id}"))
            }
            TurnEvent::ToolFinished { call_id, .. } => Some(format!("finished {call_id}")),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["proposal c1", "finished c1"]);
}

#[test]
fn no_tool_of_a_deployment_approves_or_rejects() {
    let registry = agent::odoo_tools(&OdooBackend::offline(), None).unwrap();
    let names: Vec<String> = registry.specs().iter().map(|s| s.name.clone()).collect();
    assert!(names.len() > 5, "{names:?}");
    for name in &names {
        assert!(
            !["approve", "reject", "execute", "decide"]
                .iter()
                .any(|word| name.contains(word)),
            "{name} looks like a tool that decides proposals"
        );
    }
}

#[tokio::test]
async fn a_sales_identity_is_offered_no_finance_tool_and_calling_one_is_not_permitted() {
    let provider = ScriptedProvider::new(vec![
        call("c1", "month_end_closing_scan", json!({"period": "2026-02"})),
        answer(),
    ]);
    let tools = agent::odoo_tools(&OdooBackend::offline(), None).unwrap();
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        Arc::new(agent::testing::sqlite_store().await),
        tools,
        agent::config::TurnLimits::default(),
    );
    let sam = Identity {
        id: tools::IdentityId("sam".to_owned()),
        display_name: "Sam Okoro".to_owned(),
        roles: vec![Role::Sales],
    };
    runtime
        .run_turn(TurnRequest {
            thread_id: None,
            channel: "test".into(),
            identity: sam,
            message: "Is February ready to close?".into(),
        })
        .await
        .unwrap();
    let offered: Vec<String> = provider.requests()[0]
        .tools
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert!(offered.contains(&"credit_check".to_owned()), "{offered:?}");
    for finance_only in ["month_end_closing_scan", "cash_flow_forecast"] {
        assert!(!offered.contains(&finance_only.to_owned()), "{offered:?}");
    }
    let (content, is_error) = tool_result(&provider, 1);
    assert!(is_error);
    assert_eq!(content["error"]["code"], "NOT_PERMITTED");
    assert!(
        content["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("not permitted: month_end_closing_scan is for the finance, admin role(s)")
    );
}
