//! Telegram: webhook (`POST /telegram/webhook`, when a secret token is
//! set) or long polling, MarkdownV2 answers, documents, and inline-keyboard
//! buttons for proposals.

mod api;
mod ingress;
mod poll;
mod render;
mod sink;
mod wire;

use std::sync::Arc;

use agent::config::TelegramConfig;
use serde_json::json;

use crate::{ChannelContext, MountError, Mounted};
pub use render::{MESSAGE_LIMIT, escape, escape_code, messages};
pub use sink::{TelegramSink, proposal_message};

/// The channel's name in jobs, sinks and `/health`.
pub const CHANNEL: &str = "telegram";

/// Adds Telegram to `mounted`: asks the Bot API who the bot is (its
/// username is needed to see mentions in groups), then mounts the webhook
/// or starts long polling.
pub async fn mount(
    config: &TelegramConfig,
    ctx: &ChannelContext,
    mounted: &mut Mounted,
) -> Result<(), MountError> {
    let error = |message: String| MountError {
        channel: CHANNEL,
        message,
    };
    let api = api::Api::new(config.api_url.clone(), config.bot_token.clone());
    if api.bot_id().is_none() {
        return Err(error(
            "TELEGRAM_BOT_TOKEN is not a bot token (expected `<bot id>:<secret>`)".to_owned(),
        ));
    }
    let me: wire::Me = api
        .call("getMe", &json!({}))
        .await
        .map_err(|err| error(err.to_string()))?;
    let bot = ingress::Bot {
        id: me.id,
        username: me.username.unwrap_or_default(),
    };
    let telegram = Arc::new(ingress::Telegram {
        ctx: ctx.clone(),
        api,
        bot,
        secret: config.webhook_secret.clone(),
    });
    let sink = Arc::new(sink::TelegramSink::new(config, ctx.runtime.clone()));
    mounted.sinks = std::mem::take(&mut mounted.sinks).with(CHANNEL, sink);
    mounted.names.push(CHANNEL);
    if config.webhook_secret.is_some() {
        mounted.router = std::mem::take(&mut mounted.router).merge(ingress::router(telegram));
    } else {
        mounted.tasks.spawn(poll::run(telegram));
    }
    Ok(())
}
