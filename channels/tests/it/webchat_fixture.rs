//! The web chat's fixture: a server on the demo company whose model answers
//! by keyword, with tools that return a proposal and a file, so one page
//! can show every kind of event.
//!
//! Helpers panic on failure: a test cannot go on without its fixture.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use futures::{StreamExt, stream};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Notify;

use agent::config::Config;
use agent::odoo::OdooBackend;
use agent::provider::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, MessageRole, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};
use tools::proposals::{Precondition, Proposal, ProposalAction};
use tools::{OdooAccess, Role, Summarize, Tool, ToolCtx, ToolError, ToolKind, ToolRegistry};

use crate::support::{Setup, TestServer};

/// The partner the offered credit limit is for: the demo company's own.
pub const PARTNER: i64 = 1;
/// Its credit limit in the demo company, as Odoo's `read` returns it.
pub const LIMIT_BEFORE: f64 = 0.0;

/// Rows of the exported file; the markup must arrive as text.
pub const EXPORT_CSV: &str = "partner,amount\n<b>Harbourline</b>,1200.00\n";
pub const EXPORT_NAME: &str = "overdue <2026>.csv";

/// An answer in the Markdown models write, with a link the page must not
/// make clickable.
pub const MARKDOWN: &str = "## Overdue\n\n| Customer | Amount |\n|---|---:|\n| **Harbourline** | 1,200.00 |\n| <i>Nordwind</i> | 80.00 |\n\n- see [the invoice](https://harbourline.odoo.example/odoo/action-1)\n- not [this](javascript:alert(1))";

/// Lets a held answer go on; see [`WebChatModel`].
#[derive(Default)]
pub struct Hold {
    release: Notify,
}

impl Hold {
    pub fn release(&self) {
        self.release.notify_one();
    }
}

/// Answers by the last message, like a model would:
/// - a tool result: "The result is <summary>." in two text deltas;
/// - "calculate <expr>": a `calculate` call;
/// - "propose <amount>": an `offer_credit_limit` call for [`PARTNER`];
/// - "export": an `export_text` call writing [`EXPORT_CSV`];
/// - "slowly": "Part one, " then, once the hold is released, "part two.";
/// - "markdown": [`MARKDOWN`];
/// - anything else: "You said: <text> (<n> earlier messages)", word by word.
pub struct WebChatModel {
    pub hold: Arc<Hold>,
}

#[async_trait]
impl Provider for WebChatModel {
    fn name(&self) -> &str {
        "webchat-fake"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        let last = request.messages.last().expect("a request has messages");
        assert_eq!(last.role, MessageRole::User);
        let tool_result = last.content.iter().find_map(|block| match block {
            ContentBlock::ToolResult { content, .. } => Some(content.clone()),
            ContentBlock::Text { .. } | ContentBlock::ToolUse { .. } => None,
        });
        if let Some(content) = tool_result {
            let content: Value = serde_json::from_str(&content).expect("tool results are JSON");
            let summary = content["summary"]
                .as_str()
                .or_else(|| content["error"]["message"].as_str())
                .unwrap_or("unknown")
                .to_owned();
            return Ok(answer(vec![
                "The result is ".to_owned(),
                format!("{summary}."),
            ]));
        }
        let text = last.text();
        if let Some(expression) = text.strip_prefix("calculate ") {
            return Ok(call("calculate", json!({ "expression": expression })));
        }
        if let Some(amount) = text.strip_prefix("propose ") {
            return Ok(call("offer_credit_limit", json!({ "new_limit": amount })));
        }
        if text == "export" {
            return Ok(call(
                "export_text",
                json!({ "file_name": EXPORT_NAME, "text": EXPORT_CSV }),
            ));
        }
        if text == "markdown" {
            return Ok(answer(vec![MARKDOWN.to_owned()]));
        }
        if text == "slowly" {
            let hold = Arc::clone(&self.hold);
            let first = stream::iter([Ok(delta("Part one, "))]);
            let rest = stream::once(async move {
                hold.release.notified().await;
                stream::iter([delta("part two."), usage(), done(StopReason::EndTurn)].map(Ok))
            })
            .flatten();
            return Ok(Box::pin(first.chain(rest)));
        }
        let earlier = request.messages.len() - 1;
        let reply = format!("You said: {text} ({earlier} earlier messages)");
        Ok(answer(
            reply.split_inclusive(' ').map(str::to_owned).collect(),
        ))
    }
}

fn delta(text: &str) -> ChatEvent {
    ChatEvent::TextDelta {
        text: text.to_owned(),
    }
}

fn usage() -> ChatEvent {
    ChatEvent::Usage {
        usage: Usage {
            input_tokens: 50,
            output_tokens: 10,
            ..Usage::default()
        },
    }
}

fn done(stop_reason: StopReason) -> ChatEvent {
    ChatEvent::Done { stop_reason }
}

fn answer(deltas: Vec<String>) -> ChatStream {
    let events = deltas
        .into_iter()
        .map(|text| ChatEvent::TextDelta { text })
        .chain([usage(), done(StopReason::EndTurn)])
        .map(Ok);
    Box::pin(stream::iter(events))
}

fn call(name: &str, arguments: Value) -> ChatStream {
    let events = [
        ChatEvent::ToolCall {
            call: ToolCall {
                id: format!("call_{name}"),
                name: name.to_owned(),
                arguments: arguments.to_string(),
            },
        },
        usage(),
        done(StopReason::ToolUse),
    ];
    Box::pin(stream::iter(events.map(Ok)))
}

/// Stands in for `credit_check`: offers a new credit limit for [`PARTNER`],
/// guarded by the limit it has in the demo company.
pub struct OfferCreditLimit;

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferArgs {
    /// The new limit in company currency. Example: "12500"
    new_limit: String,
}

#[derive(Serialize)]
pub struct Offer {
    #[serde(skip)]
    proposal: Proposal,
}

impl Summarize for Offer {
    fn summary(&self) -> String {
        "a higher credit limit awaits approval".to_owned()
    }

    fn proposals(&self) -> Vec<Proposal> {
        vec![self.proposal.clone()]
    }
}

impl Tool for OfferCreditLimit {
    const NAME: &'static str = "offer_credit_limit";
    const KIND: ToolKind = ToolKind::Read;
    type Args = OfferArgs;
    type Output = Offer;

    fn description(&self) -> &'static str {
        "offers a new credit limit for the company's own partner"
    }

    fn access(&self) -> &'static [OdooAccess] {
        &[]
    }

    async fn call(&self, _ctx: &ToolCtx, args: OfferArgs) -> Result<Offer, ToolError> {
        let new_limit: Decimal = args.new_limit.parse().map_err(|_| ToolError::InvalidArgs {
            tool: Self::NAME.to_owned(),
            message: format!("`{}` is not an amount", args.new_limit),
        })?;
        Ok(Offer {
            proposal: Proposal::new(
                ProposalAction::SetCreditLimit {
                    partner_id: PARTNER,
                    new_limit,
                },
                format!("Credit limit of <Harbourline>: {LIMIT_BEFORE:.2} -> {new_limit:.2}"),
                vec![Precondition::FieldEquals {
                    model: "res.partner".to_owned(),
                    id: PARTNER,
                    field: "credit_limit".to_owned(),
                    expected: json!(LIMIT_BEFORE),
                    description: "credit limit unchanged".to_owned(),
                }],
                Role::Finance,
                Utc::now(),
            ),
        })
    }
}

/// A server on the demo company acting as its administrator, with the
/// keyword model and the calculator, the offer and the file export.
pub async fn webchat_server(setup: Setup) -> (TestServer, Arc<Hold>) {
    agent::init_crypto();
    let env = [
        ("ODOO_AGENT_DEMO_PARTNERS", "40"),
        ("ODOO_AGENT_DEMO_LOGIN", "admin@harbourline.example"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let config = Config::load(None, env.to_vec()).unwrap();
    let odoo = Arc::new(OdooBackend::from_config(&config).await.unwrap());
    let store = Arc::new(agent::testing::sqlite_store().await);
    let hold = Arc::new(Hold::default());
    let provider = Arc::new(WebChatModel {
        hold: Arc::clone(&hold),
    });
    let tools = ToolRegistry::builder()
        .register(tools::builtin::Calculate)
        .register(OfferCreditLimit)
        .register(tools::attachment::ExportText)
        .build()
        .unwrap();
    let runtime = agent::testing::runtime_with_odoo_tools(provider, store, odoo, tools);
    (TestServer::start_with(setup, runtime).await, hold)
}
