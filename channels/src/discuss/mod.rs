//! Odoo Discuss: the `odoo_agent_bot` addon (Python, in
//! `channels/discuss/`) sends a signed webhook after a post that mentions
//! the bot or is written to it in a direct chat; the answer is posted back
//! to the same `discuss.channel` through the Odoo client, as the server's
//! Odoo user (the bot's, in a real installation). A post `approve <id>` or
//! `reject <id> <reason>` decides a proposal instead of asking a question.

mod command;
mod render;
mod sink;
mod webhook;

use std::sync::Arc;

use axum::Router;
use axum::routing::post;

pub use render::render_html;
pub use sink::DiscussSink;
pub use webhook::{DiscussEvent, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};

use crate::{ChannelContext, MountError, Mounted};
use agent::config::DiscussConfig;
use agent::schedule::DiscussOutbound;

/// The channel name of Discuss jobs and of its sink.
pub const CHANNEL: &str = "discuss";

/// Adds `POST /discuss/webhook` and the Discuss sink to `mounted`.
pub fn mount(
    config: &DiscussConfig,
    ctx: &ChannelContext,
    mounted: &mut Mounted,
) -> Result<(), MountError> {
    let Some(odoo) = ctx.runtime.odoo() else {
        return Err(MountError {
            channel: CHANNEL,
            message: "Discuss answers through Odoo, and no Odoo is connected".to_owned(),
        });
    };
    let state = Arc::new(webhook::WebhookState {
        secret: config.webhook_secret.clone(),
        ctx: ctx.clone(),
        outbound: DiscussOutbound::new(Arc::clone(&odoo.connector)),
    });
    let router = Router::new()
        .route("/discuss/webhook", post(webhook::receive))
        .with_state(state);
    mounted.router = std::mem::take(&mut mounted.router).merge(router);
    let sink = DiscussSink::new(Arc::clone(&odoo.connector), ctx.runtime.clone());
    mounted.sinks = std::mem::take(&mut mounted.sinks).with(CHANNEL, Arc::new(sink));
    mounted.names.push(CHANNEL);
    Ok(())
}
