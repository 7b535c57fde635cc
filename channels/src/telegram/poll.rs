//! Long polling, for bots without a webhook secret: `getUpdates` in a loop,
//! the offset advanced past an update only once it is stored, so a crash
//! or a store error means Telegram hands it out again.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::ingress::Telegram;
use super::wire::Update;

/// How long Telegram holds a `getUpdates` call open when there is nothing.
const LONG_POLL: Duration = Duration::from_secs(30);
/// Pause after a failed call before trying again.
const BACKOFF: Duration = Duration::from_secs(2);

/// Runs until `telegram.ctx.cancel` fires.
pub async fn run(telegram: Arc<Telegram>) {
    let cancel = telegram.ctx.cancel.clone();
    let mut offset: Option<i64> = None;
    loop {
        let body = json!({
            "offset": offset,
            "timeout": LONG_POLL.as_secs(),
            "allowed_updates": ["message", "callback_query"],
        });
        let call = telegram
            .api
            .call_waiting::<Vec<Update>>("getUpdates", &body, LONG_POLL);
        let updates = tokio::select! {
            () = cancel.cancelled() => return,
            updates = call => updates,
        };
        let updates = match updates {
            Ok(updates) => updates,
            Err(err) => {
                tracing::warn!(error = %err, "telegram: getUpdates failed");
                if pause(&cancel).await {
                    return;
                }
                continue;
            }
        };
        for update in updates {
            let id = update.update_id;
            match telegram.handle(update).await {
                Ok(_) => offset = Some(id + 1),
                Err(err) => {
                    // Not acknowledged: the next call gets it again.
                    tracing::error!(error = %err, "telegram: could not store an update");
                    if pause(&cancel).await {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

/// Waits out the backoff; `true` when shutting down.
async fn pause(cancel: &tokio_util::sync::CancellationToken) -> bool {
    tokio::select! {
        () = cancel.cancelled() => true,
        () = tokio::time::sleep(BACKOFF) => false,
    }
}
