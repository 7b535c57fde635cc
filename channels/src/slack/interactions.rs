//! `POST /slack/interactions`: Approve / Reject pressed on a proposal card.
//!
//! Slack wants its 200 within three seconds, and an approval runs Odoo
//! writes, so the press is acknowledged at once and decided in a task: the
//! presser is resolved like a message's sender, the proposal decided with
//! [`crate::decide`] (which executes it at most once), and the card updated
//! with `chat.update` on the card's own message: the outcome instead of the
//! buttons once decided, or why the presser may not decide. Presses on one
//! proposal are handled one after the other, so the last update shows the
//! final state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use slack_morphism::prelude::{
    SlackApiChatUpdateRequest, SlackChannelId, SlackInteractionActionContainer,
    SlackInteractionActionInfo, SlackInteractionBlockActionsEvent, SlackInteractionEvent,
    SlackMessageContent, SlackTs,
};
use uuid::Uuid;

use agent::ingress::ProposalCard;
use agent::proposals::ProposalStatus;

use super::SlackChannel;
use super::card::{self, APPROVE_ACTION, CardState, REJECT_ACTION};
use crate::decide::{Choice, decide, settled_text};

/// The reason recorded when a proposal is rejected with the button, which
/// has no text field.
const REJECT_REASON: &str = "Rejected in Slack";

pub(super) async fn interactions(
    State(channel): State<Arc<SlackChannel>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = channel.refuse_unsigned(&headers, &body) {
        return refused;
    }
    let payload = super::form_object(&body)["payload"]
        .as_str()
        .map(str::to_owned);
    let Some(payload) = payload else {
        return (StatusCode::BAD_REQUEST, "the form has no payload field").into_response();
    };
    match serde_json::from_str::<SlackInteractionEvent>(&payload) {
        Ok(event) => {
            channel.on_interaction(event);
            StatusCode::OK.into_response()
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            format!("not a Slack interaction: {error}"),
        )
            .into_response(),
    }
}

/// One lock per proposal being decided.
#[derive(Default)]
pub(super) struct Deciding(Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>);

impl Deciding {
    fn lock_of(&self, id: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        match self.0.lock() {
            Ok(mut map) => Arc::clone(map.entry(id).or_default()),
            // A poisoned map only loses the ordering of updates.
            Err(_) => Arc::default(),
        }
    }

    /// Forgets the lock of `id` once nobody holds or waits for it.
    fn release(&self, id: Uuid) {
        if let Ok(mut map) = self.0.lock()
            && map
                .get(&id)
                .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&id);
        }
    }
}

/// A press on a card: who, what, and which message shows the card.
struct Press {
    user: String,
    proposal: Uuid,
    choice: Choice,
    channel: String,
    ts: String,
}

impl SlackChannel {
    /// Starts deciding each proposal button pressed in `event`, and returns
    /// at once: the acknowledgement never waits for Odoo.
    pub(super) fn on_interaction(self: &Arc<Self>, event: SlackInteractionEvent) {
        let SlackInteractionEvent::BlockActions(event) = event else {
            return;
        };
        for press in presses(&event) {
            let channel = Arc::clone(self);
            tokio::spawn(async move { channel.decide_press(press).await });
        }
    }

    async fn decide_press(&self, press: Press) {
        let lock = self.deciding.lock_of(press.proposal);
        {
            let _one_at_a_time = lock.lock().await;
            let user = self.channel_user(&press.user).await;
            let decided = decide(&self.ctx, &user, press.proposal, press.choice.clone()).await;
            match self.ctx.runtime.proposals().proposal(press.proposal).await {
                Ok(Some(stored)) => {
                    let card = ProposalCard::from(&stored);
                    if stored.status == ProposalStatus::Pending {
                        let refused = CardState::Refused {
                            user: &press.user,
                            reason: &decided.text,
                        };
                        self.update_card(&press, &card, refused).await;
                    } else {
                        // Shown from the stored decision, so that a card
                        // pressed after it was decided elsewhere (another
                        // press, the web chat) catches up too.
                        let outcome = settled_text(&self.ctx, &stored);
                        self.update_card(&press, &card, CardState::Decided(&outcome))
                            .await;
                    }
                }
                Ok(None) => {
                    tracing::info!(proposal = %press.proposal, "slack: a pressed proposal is gone");
                }
                Err(error) => {
                    tracing::warn!(%error, proposal = %press.proposal, "slack: could not read a pressed proposal");
                }
            }
        }
        drop(lock);
        self.deciding.release(press.proposal);
    }

    async fn update_card(&self, press: &Press, card: &ProposalCard, state: CardState<'_>) {
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(press.channel.clone()),
            SlackMessageContent::new()
                .with_text(card::fallback(card, state))
                .with_blocks(card::blocks(card, state)),
            SlackTs(press.ts.clone()),
        );
        if let Err(error) = self.api.update(&request).await {
            tracing::warn!(%error, proposal = %press.proposal, "slack: could not update a proposal card");
        }
    }
}

/// The proposal buttons pressed in `event`, with the card's message.
fn presses(event: &SlackInteractionBlockActionsEvent) -> Vec<Press> {
    let Some(user) = &event.user else {
        return Vec::new();
    };
    let SlackInteractionActionContainer::Message(container) = &event.container else {
        return Vec::new();
    };
    let Some(channel) = container
        .channel_id
        .as_ref()
        .or(event.channel.as_ref().map(|c| &c.id))
    else {
        return Vec::new();
    };
    event
        .actions
        .iter()
        .flatten()
        .filter_map(|action| {
            let (choice, proposal) = pressed(action)?;
            Some(Press {
                user: user.id.0.clone(),
                proposal,
                choice,
                channel: channel.0.clone(),
                ts: container.message_ts.0.clone(),
            })
        })
        .collect()
}

/// Which of the card's buttons `action` is, and on which proposal.
fn pressed(action: &SlackInteractionActionInfo) -> Option<(Choice, Uuid)> {
    let proposal = action.value.as_deref()?.parse().ok()?;
    let choice = match action.action_id.0.as_str() {
        APPROVE_ACTION => Choice::Approve,
        REJECT_ACTION => Choice::Reject {
            reason: REJECT_REASON.to_owned(),
        },
        _ => return None,
    };
    Some((choice, proposal))
}
