//! Delivering an answer that takes several sends: the text in parts, each
//! file (read from the store by [`stored_file`]), each proposal card. When
//! one send fails, the ingress retries the job with the same reply;
//! [`SentParts`] remembers how many sends of that reply went through, so
//! the retry continues with the one that failed instead of repeating what
//! the person already has. The count lives in memory: after a restart the
//! whole answer is sent again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use agent::Runtime;
use agent::ingress::{InboundMessage, ProposalCard, Reply};
use agent::schedule::DeliveryError;
use agent::store::StoredAttachment;
use agent::turn::AttachmentView;

/// One send of an answer, in the order they go out.
pub enum Part<'a> {
    Text(String),
    Document(&'a AttachmentView),
    Card(&'a ProposalCard),
}

/// The sends of `reply`: its text already cut into `texts` by the channel,
/// then its files, then its proposal cards.
pub fn parts(texts: Vec<String>, reply: &Reply) -> Vec<Part<'_>> {
    texts
        .into_iter()
        .map(Part::Text)
        .chain(reply.attachments.iter().map(Part::Document))
        .chain(reply.proposals.iter().map(Part::Card))
        .collect()
}

/// The bytes of a file an answer attaches, read from the store for
/// `channel` to upload. A read error is worth retrying; a file no longer
/// stored is reported as such.
pub async fn stored_file(
    runtime: &Runtime,
    channel: &str,
    file: &AttachmentView,
) -> Result<StoredAttachment, DeliveryError> {
    let failed = |message: String| DeliveryError::Failed {
        channel: channel.to_owned(),
        message,
    };
    runtime
        .store()
        .attachments()
        .attachment(file.id)
        .await
        .map_err(|err| failed(format!("attachment {}: {err}", file.file_name)))?
        .ok_or_else(|| failed(format!("attachment {} is no longer stored", file.file_name)))
}

/// Sends already done for answers whose delivery failed part-way, with
/// whatever else the channel needs to continue (`S`: the thread a Slack
/// command's answer started).
pub struct SentParts<S = ()>(Mutex<HashMap<String, (usize, S)>>);

impl<S> Default for SentParts<S> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<S: Clone> SentParts<S> {
    /// How many sends of `reply` went through before an earlier attempt
    /// failed, and the state it left; `None`: start from the first.
    pub fn resume(&self, message: &InboundMessage, reply: &Reply) -> Option<(usize, S)> {
        let key = key(message, reply);
        self.0.lock().ok().and_then(|map| map.get(&key).cloned())
    }

    /// A send failed after `done` sends of `reply` went through.
    pub fn stopped(&self, message: &InboundMessage, reply: &Reply, done: usize, state: S) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key(message, reply), (done, state));
        }
    }

    /// `reply` is delivered: a later delivery of it starts from the first.
    pub fn finished(&self, message: &InboundMessage, reply: &Reply) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&key(message, reply));
        }
    }
}

impl SentParts {
    /// Sends `parts` in order with `send` (given each part's index in the
    /// whole answer), skipping those an earlier attempt of the same reply
    /// delivered. Stops at the first failure and remembers where.
    pub async fn send_rest<'a, F, Fut>(
        &self,
        message: &InboundMessage,
        reply: &Reply,
        parts: Vec<Part<'a>>,
        mut send: F,
    ) -> Result<(), DeliveryError>
    where
        F: FnMut(usize, Part<'a>) -> Fut,
        Fut: Future<Output = Result<(), DeliveryError>>,
    {
        let already = self.resume(message, reply).map_or(0, |(done, ())| done);
        for (index, part) in parts.into_iter().enumerate().skip(already) {
            if let Err(err) = send(index, part).await {
                self.stopped(message, reply, index, ());
                return Err(err);
            }
        }
        self.finished(message, reply);
        Ok(())
    }
}

/// One reply to one message: the question (its conversation and route) and
/// the answer's turn, so two answers never share a count.
fn key(message: &InboundMessage, reply: &Reply) -> String {
    let turn = reply
        .turn_id
        .map(|t| t.0.to_string())
        .unwrap_or_else(|| "refusal".to_owned());
    format!("{}|{}|{turn}", message.conversation_key, message.route)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use agent::config::{ChannelUser, Platform};
    use agent::ingress::Sender;
    use agent::store::ThreadId;
    use serde_json::json;

    use super::*;

    fn message() -> InboundMessage {
        InboundMessage {
            channel: "test".to_owned(),
            conversation_key: "test:1".to_owned(),
            user: ChannelUser {
                platform: Platform::Telegram,
                user_id: "1".to_owned(),
                email: None,
                display_name: None,
            },
            sender: Sender::Refused,
            text: "hello".to_owned(),
            route: json!({"chat": 1}),
            received_at: chrono::Utc::now(),
        }
    }

    fn failed() -> DeliveryError {
        DeliveryError::Failed {
            channel: "test".to_owned(),
            message: "the second part bounced".to_owned(),
        }
    }

    #[tokio::test]
    async fn a_retry_sends_only_what_did_not_go_out() {
        let reply = Reply::refusal(ThreadId(uuid::Uuid::nil()), "Test");
        let texts = || vec!["one".to_owned(), "two".to_owned(), "three".to_owned()];
        let sent = SentParts::default();
        let log = StdMutex::new(Vec::new());
        let message = message();
        let attempt = |fail_at: Option<usize>| {
            let (sent, log, message, reply) = (&sent, &log, &message, &reply);
            async move {
                sent.send_rest(
                    message,
                    reply,
                    parts(texts(), reply),
                    |index, part| async move {
                        if Some(index) == fail_at {
                            return Err(failed());
                        }
                        if let Part::Text(text) = part {
                            log.lock().unwrap().push(text);
                        }
                        Ok(())
                    },
                )
                .await
            }
        };
        assert!(attempt(Some(1)).await.is_err());
        assert_eq!(*log.lock().unwrap(), ["one"]);
        attempt(None).await.unwrap();
        assert_eq!(*log.lock().unwrap(), ["one", "two", "three"]);
        // Delivered: the count is gone, so another delivery of the same
        // reply (a new attempt from the start) sends everything.
        attempt(None).await.unwrap();
        assert_eq!(log.lock().unwrap().len(), 6);
    }
}
