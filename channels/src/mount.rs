//! Mounting the configured chat channels: each channel whose settings are
//! present contributes its webhook routes, its reply sink and any
//! background connection (Socket Mode, long polling).

use axum::Router;
use thiserror::Error;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use agent::Runtime;
use agent::config::{ChannelsConfig, Identities};
use agent::ingress::{Ingress, Sinks};

/// What every channel is built from.
#[derive(Clone)]
pub struct ChannelContext {
    pub runtime: Runtime,
    /// Where verified messages are stored before the platform is answered.
    pub ingress: Ingress,
    /// Who each platform user is.
    pub identities: Identities,
    /// Fires at shutdown; background connections stop on it.
    pub cancel: CancellationToken,
}

/// The mounted channels.
#[derive(Default)]
pub struct Mounted {
    /// Webhook routes, to merge into the server's router.
    pub router: Router,
    /// Each channel's outbound half, for the ingress workers.
    pub sinks: Sinks,
    /// Names of the mounted channels, for `/health`.
    pub names: Vec<&'static str>,
    /// Background connections (Socket Mode, long polling).
    pub tasks: JoinSet<()>,
}

/// A configured channel could not be set up.
#[derive(Debug, Error)]
#[error("channel {channel}: {message}")]
pub struct MountError {
    pub channel: &'static str,
    pub message: String,
}

/// Mounts every channel `config` has settings for.
pub async fn mount(config: &ChannelsConfig, ctx: &ChannelContext) -> Result<Mounted, MountError> {
    let mut mounted = Mounted::default();
    // Each channel adds its routes, sink and tasks when configured.
    if let Some(telegram) = &config.telegram {
        crate::telegram::mount(telegram, ctx, &mut mounted).await?;
    }
    if let Some(whatsapp) = &config.whatsapp {
        crate::whatsapp::mount(whatsapp, ctx, &mut mounted)?;
    }
    if let Some(discuss) = &config.discuss {
        crate::discuss::mount(discuss, ctx, &mut mounted)?;
    }
    if let Some(slack) = &config.slack {
        crate::slack::mount(slack, ctx, &mut mounted);
    }
    Ok(mounted)
}
