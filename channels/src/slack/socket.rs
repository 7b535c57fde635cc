//! Socket Mode: for installations without a public URL. The app-level
//! token opens a WebSocket (`apps.connections.open`) over which Slack sends
//! the same events, interactions and commands as over HTTP, each in an
//! envelope the app acknowledges by its `envelope_id`.
//!
//! Envelopes go through the same code as the HTTP routes, without a
//! signature (the socket itself is authenticated). An event or command is
//! acknowledged only once its job is stored, so if storing fails Slack
//! delivers it again. Slack asks the app to reconnect with a `disconnect`
//! message (connections are refreshed every few hours); a connection that
//! fails is retried with a growing delay, and shutdown closes it.

use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::prelude::{SlackCommandEvent, SlackInteractionEvent, SlackPushEventCallback};
use tokio_tungstenite::tungstenite::Message;

use super::{ApiError, SlackApi, SlackChannel};

/// The first delay before reconnecting after a failure; doubled after each
/// failure in a row, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Why a connection ended.
#[derive(Debug, thiserror::Error)]
enum SocketError {
    #[error(transparent)]
    Open(#[from] ApiError),
    #[error("slack socket mode: {0}")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("slack socket mode: the connection was closed")]
    Closed,
}

/// How a connection ended without failing.
enum Ended {
    /// Slack asked for a new connection.
    Disconnect,
    /// Shutdown.
    Cancelled,
}

/// Keeps a Socket Mode connection open until shutdown. `app` holds the
/// app-level token.
pub(super) async fn run(channel: Arc<SlackChannel>, app: SlackApi) {
    let cancel = channel.ctx.cancel.clone();
    let mut backoff = FIRST_BACKOFF;
    loop {
        match connection(&channel, &app).await {
            Ok(Ended::Cancelled) => return,
            Ok(Ended::Disconnect) => {
                tracing::debug!("slack socket mode: reconnecting as asked");
                backoff = FIRST_BACKOFF;
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, retry_in = ?backoff, "slack socket mode: connection lost");
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// One connection, from opening to its end.
async fn connection(channel: &Arc<SlackChannel>, app: &SlackApi) -> Result<Ended, SocketError> {
    let cancel = channel.ctx.cancel.clone();
    let url = tokio::select! {
        () = cancel.cancelled() => return Ok(Ended::Cancelled),
        url = app.open_connection() => url?,
    };
    let (mut socket, _) = tokio::select! {
        () = cancel.cancelled() => return Ok(Ended::Cancelled),
        connected = tokio_tungstenite::connect_async(url.as_str()) => connected?,
    };
    loop {
        let frame = tokio::select! {
            () = cancel.cancelled() => {
                // Best effort: the server drops the connection anyway.
                let _ = socket.close(None).await;
                return Ok(Ended::Cancelled);
            }
            frame = socket.next() => frame,
        };
        let text = match frame {
            None | Some(Ok(Message::Close(_))) => return Err(SocketError::Closed),
            Some(Err(error)) => return Err(error.into()),
            Some(Ok(Message::Text(text))) => text,
            // Pings are answered by tungstenite itself.
            Some(Ok(_)) => continue,
        };
        match channel.on_envelope(text.as_str()).await {
            Handled::Ack(ack) => socket.send(Message::text(ack.to_string())).await?,
            Handled::Nothing => {}
            Handled::Reconnect => return Ok(Ended::Disconnect),
        }
    }
}

/// What to do after an envelope.
enum Handled {
    /// Send this acknowledgement.
    Ack(Value),
    /// Nothing to acknowledge (`hello`), or the job could not be stored, so
    /// Slack must deliver the envelope again.
    Nothing,
    Reconnect,
}

/// A Socket Mode message as Slack sends it. slack-morphism keeps its own
/// envelope models private, so the envelope is read here and its payload
/// with slack-morphism's event, interaction and command models.
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Value,
    /// Why a `disconnect` was sent.
    reason: Option<String>,
}

impl SlackChannel {
    async fn on_envelope(self: &Arc<Self>, text: &str) -> Handled {
        let envelope: Envelope = match serde_json::from_str(text) {
            Ok(envelope) => envelope,
            Err(error) => {
                tracing::warn!(%error, "slack socket mode: unreadable message");
                return Handled::Nothing;
            }
        };
        let Some(id) = envelope.envelope_id.clone() else {
            return match envelope.kind.as_str() {
                "hello" => {
                    tracing::info!("slack socket mode: connected");
                    Handled::Nothing
                }
                "disconnect" => {
                    let reason = envelope.reason.unwrap_or_default();
                    tracing::info!(%reason, "slack socket mode: reconnection asked");
                    Handled::Reconnect
                }
                _ => Handled::Nothing,
            };
        };
        let ack = json!({ "envelope_id": id });
        match self.on_payload(&envelope).await {
            Ok(None) => Handled::Ack(ack),
            Ok(Some(payload)) => Handled::Ack(json!({ "envelope_id": id, "payload": payload })),
            Err(Unhandled::Store(error)) => {
                tracing::error!(%error, kind = %envelope.kind, "slack socket mode: could not store");
                Handled::Nothing
            }
            // Acknowledged all the same, or Slack would send it again and
            // again.
            Err(Unhandled::Unreadable(error)) => {
                tracing::warn!(%error, kind = %envelope.kind, "slack socket mode: unreadable payload");
                Handled::Ack(ack)
            }
        }
    }

    /// Hands the envelope's payload to the code the HTTP routes use;
    /// returns the acknowledgement's payload, if any.
    async fn on_payload(self: &Arc<Self>, envelope: &Envelope) -> Result<Option<Value>, Unhandled> {
        let payload = envelope.payload.clone();
        match envelope.kind.as_str() {
            "events_api" => {
                let callback: SlackPushEventCallback = serde_json::from_value(payload)?;
                self.on_callback(&callback).await?;
                Ok(None)
            }
            "interactive" => {
                let event: SlackInteractionEvent = serde_json::from_value(payload)?;
                self.on_interaction(event);
                Ok(None)
            }
            "slash_commands" => {
                let command: SlackCommandEvent = serde_json::from_value(payload)?;
                Ok(Some(self.on_command(&command).await?))
            }
            _ => Ok(None),
        }
    }
}

/// Why an envelope was not handled.
#[derive(Debug, thiserror::Error)]
enum Unhandled {
    #[error(transparent)]
    Unreadable(#[from] serde_json::Error),
    #[error(transparent)]
    Store(#[from] agent::store::StoreError),
}
