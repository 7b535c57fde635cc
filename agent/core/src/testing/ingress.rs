//! A reply sink that records what it is asked to deliver, and can be told
//! to fail, for ingress and channel tests.

#![allow(clippy::panic)]

use std::sync::Mutex;

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::ingress::{InboundMessage, Reply, ReplySink};
use crate::schedule::DeliveryError;

/// Records deliveries as (conversation key, reply text); fails the first
/// `failures` deliveries.
#[derive(Default)]
pub struct RecordingSink {
    delivered: Mutex<Vec<(String, Reply)>>,
    working: Mutex<Vec<String>>,
    failures: Mutex<u32>,
    changed: Notify,
}

impl RecordingSink {
    pub fn failing(failures: u32) -> Self {
        Self {
            failures: Mutex::new(failures),
            ..Self::default()
        }
    }

    /// (conversation key, reply) of every successful delivery, in order.
    pub fn delivered(&self) -> Vec<(String, Reply)> {
        self.delivered.lock().map(|d| d.clone()).unwrap_or_default()
    }

    /// Conversation keys of every "working" status shown.
    pub fn working(&self) -> Vec<String> {
        self.working.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// Resolves once `count` deliveries succeeded; panics after 30 s, so a
    /// lost message fails its test instead of hanging it.
    pub async fn wait_for(&self, count: usize) {
        let wait = async {
            loop {
                let changed = self.changed.notified();
                if self.delivered().len() >= count {
                    return;
                }
                changed.await;
            }
        };
        if tokio::time::timeout(std::time::Duration::from_secs(30), wait)
            .await
            .is_err()
        {
            panic!(
                "expected {count} deliveries within 30 s, got {:?}",
                self.delivered()
            );
        }
    }
}

#[async_trait]
impl ReplySink for RecordingSink {
    async fn working(&self, message: &InboundMessage) -> Result<(), DeliveryError> {
        if let Ok(mut working) = self.working.lock() {
            working.push(message.conversation_key.clone());
        }
        Ok(())
    }

    async fn deliver(&self, message: &InboundMessage, reply: &Reply) -> Result<(), DeliveryError> {
        if let Ok(mut failures) = self.failures.lock()
            && *failures > 0
        {
            *failures -= 1;
            return Err(DeliveryError::Failed {
                channel: message.channel.clone(),
                message: "the platform answered 503".to_owned(),
            });
        }
        if let Ok(mut delivered) = self.delivered.lock() {
            delivered.push((message.conversation_key.clone(), reply.clone()));
        }
        self.changed.notify_waiters();
        Ok(())
    }
}
