//! WhatsApp Cloud API: the webhook (`GET` subscription check and signed
//! `POST` notifications on `/whatsapp/webhook`), answers through
//! `/{phone-number-id}/messages` in WhatsApp's formatting, documents
//! uploaded to `/media`, reply buttons for proposals, and the 24-hour
//! customer-service window respected.

mod api;
mod ingress;
mod render;
mod seen;
mod sink;
mod wire;

use std::sync::Arc;

use agent::config::WhatsappConfig;

use crate::{ChannelContext, MountError, Mounted};
pub use api::REENGAGEMENT_REQUIRED;
pub use ingress::{SIGNATURE_HEADER, TEXT_ONLY, signature_header};
pub use render::{MESSAGE_LIMIT, messages};
pub use seen::SERVICE_WINDOW;
pub use sink::{BODY_LIMIT, WhatsappSink, proposal_message};

/// The channel's name in jobs, sinks and `/health`.
pub const CHANNEL: &str = "whatsapp";

/// Button presses and media messages remembered to answer a re-sent
/// webhook once.
const ANSWERED_KEPT: usize = 4096;

/// Adds WhatsApp to `mounted`: the webhook routes and the sink.
pub fn mount(
    config: &WhatsappConfig,
    ctx: &ChannelContext,
    mounted: &mut Mounted,
) -> Result<(), MountError> {
    let phone = config.phone_number_id.as_str();
    if phone.is_empty() || !phone.chars().all(|c| c.is_ascii_digit()) {
        return Err(MountError {
            channel: CHANNEL,
            message: "WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number id".to_owned(),
        });
    }
    let last_inbound = Arc::new(seen::LastInbound::default());
    let whatsapp = Arc::new(ingress::Whatsapp {
        ctx: ctx.clone(),
        api: api::Api::new(
            config.api_url.clone(),
            phone.to_owned(),
            config.access_token.clone(),
        ),
        phone_number_id: phone.to_owned(),
        app_secret: config.app_secret.clone(),
        verify_token: config.verify_token.clone(),
        last_inbound: Arc::clone(&last_inbound),
        answered: seen::RecentIds::new(ANSWERED_KEPT),
    });
    let sink = Arc::new(sink::WhatsappSink::sharing(
        config,
        ctx.runtime.clone(),
        last_inbound,
    ));
    mounted.sinks = std::mem::take(&mut mounted.sinks).with(CHANNEL, sink);
    mounted.names.push(CHANNEL);
    mounted.router = std::mem::take(&mut mounted.router).merge(ingress::router(whatsapp));
    Ok(())
}
