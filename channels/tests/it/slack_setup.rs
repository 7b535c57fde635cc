//! What the Slack tests beyond the Events API share: people with and
//! without the finance role, a demo company that knows them, the channel
//! settings pointing at the fake, signed posts, and stored proposals.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use chrono::Utc;
use secrecy::SecretString;
use uuid::Uuid;

use agent::config::{ChannelsConfig, Identities, SlackConfig};
use agent::odoo::OdooBackend;
use agent::proposals::{NewProposal, ProposalStore};
use channels::slack::signature::signature_header;
use tools::proposals::{Proposal, ProposalAction};
use tools::{IdentityId, Role};

use crate::channel_server::only;
use crate::slack_fake::FakeSlack;

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const APP_TOKEN: &str = "xapp-1-A1-test";

/// Anita (finance) is matched by her profile's e-mail, Bob (sales) by his
/// Slack user id.
pub const PEOPLE: &str = r#"
[[identity]]
id = "anna"
name = "Anita Verbeek"
odoo_login = "accountant@harbourline.example"
roles = ["finance"]
email = "anita@example.com"

[[identity]]
id = "bob"
name = "Bob Janssen"
odoo_login = "sales@harbourline.example"
roles = ["sales"]
slack_user = "UBOB"
"#;

pub fn people() -> Identities {
    Identities::parse(PEOPLE).unwrap()
}

/// The demo company (40 partners), its users mapped to [`PEOPLE`] so that
/// approvals run as the approver's Odoo user.
pub async fn odoo() -> Arc<OdooBackend> {
    crate::channel_server::demo_odoo_for(Some(PEOPLE)).await
}

/// Slack alone, pointing at `fake`: signed HTTP routes when `signed`,
/// Socket Mode when `socket`.
pub fn slack_only(fake: &FakeSlack, signed: bool, socket: bool) -> ChannelsConfig {
    only(|c| {
        c.slack = Some(SlackConfig {
            bot_token: SecretString::from("xoxb-test-token"),
            signing_secret: signed.then(|| SecretString::from(SECRET)),
            app_token: socket.then(|| SecretString::from(APP_TOKEN)),
            api_url: fake.url.clone(),
        });
    })
}

/// Posts `body` as Slack would, signed `age` seconds ago.
pub async fn post_signed(url: &str, content_type: &str, body: &str, age: i64) -> reqwest::Response {
    let at = Utc::now().timestamp() - age;
    let signature = signature_header(&SecretString::from(SECRET), at, body.as_bytes());
    reqwest::Client::new()
        .post(url)
        .header("x-slack-request-timestamp", at.to_string())
        .header("x-slack-signature", signature)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// A form body, encoded as Slack sends it.
pub fn form(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// Stores a pending finance proposal raising partner 1's credit limit.
pub async fn propose(store: &Arc<dyn ProposalStore>) -> Uuid {
    let proposal = Proposal::new(
        ProposalAction::SetCreditLimit {
            partner_id: 1,
            new_limit: rust_decimal::Decimal::new(12_500, 0),
        },
        "res.partner 1\n  credit_limit: 0.00 -> 12500.00",
        vec![],
        Role::Finance,
        Utc::now(),
    );
    let id = proposal.proposal_id;
    store
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
