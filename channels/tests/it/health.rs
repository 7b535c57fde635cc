//! `GET /health`.

use std::sync::Arc;

use agent::ingress::{Enqueued, IngressJob, JobId, NewJob, Reply, TurnQueue};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use pretty_assertions::assert_eq;
use serde_json::json;

use agent::closing::{Closing, ClosingStore};
use agent::store::{
    AttachmentId, AttachmentRecord, AttachmentStore, CompletedTurn, NewAttachment, NewThread,
    Store, StoreError, StoredAttachment, StoredMessage, ThreadId, ThreadRecord, ToolCallRecord,
    TurnId, TurnRecord,
};

use crate::support::{Setup, TestServer, json_response};

#[tokio::test]
async fn health_reports_every_dependency_and_the_version_without_a_key() {
    let server = TestServer::start(Setup::default()).await;

    let response = server
        .client
        .get(server.url("/health"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        (
            200,
            json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "channels": [],
                "database": {"backend": "sqlite", "ok": true},
                "provider": {"name": "scripted", "model": "test-model", "live": true},
                "odoo": {"mode": "none"},
            })
        )
    );
}

#[tokio::test]
async fn health_is_503_with_the_same_shape_when_the_database_is_down() {
    let server = TestServer::start(Setup {
        store: Some(Arc::new(DownStore)),
        ..Setup::default()
    })
    .await;

    let response = server
        .client
        .get(server.url("/health"))
        .send()
        .await
        .unwrap();

    assert_eq!(
        json_response(response).await,
        (
            503,
            json!({
                "status": "degraded",
                "version": env!("CARGO_PKG_VERSION"),
                "channels": [],
                "database": {"backend": "sqlite", "ok": false, "error": "corrupt"},
                "provider": {"name": "scripted", "model": "test-model", "live": true},
                "odoo": {"mode": "none"},
            })
        )
    );
}

/// A store whose database never answers.
struct DownStore;

fn down() -> StoreError {
    StoreError::Corrupt("the test database is down".to_owned())
}

#[async_trait]
impl Store for DownStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
    async fn migrate(&self) -> Result<(), StoreError> {
        Err(down())
    }
    async fn ping(&self) -> Result<(), StoreError> {
        Err(down())
    }
    async fn create_thread(&self, _new: NewThread) -> Result<ThreadRecord, StoreError> {
        Err(down())
    }
    async fn thread(&self, _id: ThreadId) -> Result<Option<ThreadRecord>, StoreError> {
        Err(down())
    }
    async fn messages(&self, _id: ThreadId) -> Result<Vec<StoredMessage>, StoreError> {
        Err(down())
    }
    async fn record_turn(&self, _turn: CompletedTurn) -> Result<(), StoreError> {
        Err(down())
    }
    async fn turns(&self, _id: ThreadId) -> Result<Vec<TurnRecord>, StoreError> {
        Err(down())
    }
    async fn tool_calls(&self, _turn: TurnId) -> Result<Vec<ToolCallRecord>, StoreError> {
        Err(down())
    }
    fn attachments(&self) -> &dyn AttachmentStore {
        self
    }
    fn closings(&self) -> &dyn ClosingStore {
        self
    }
    fn ingress(&self) -> &dyn TurnQueue {
        self
    }
}

#[async_trait]
impl TurnQueue for DownStore {
    async fn enqueue(
        &self,
        _job: NewJob,
        _seen_after: DateTime<Utc>,
    ) -> Result<Enqueued, StoreError> {
        Err(down())
    }
    async fn claim(&self, _now: DateTime<Utc>) -> Result<Option<IngressJob>, StoreError> {
        Err(down())
    }
    async fn answered(&self, _id: JobId, _reply: &Reply) -> Result<(), StoreError> {
        Err(down())
    }
    async fn complete(&self, _id: JobId) -> Result<(), StoreError> {
        Err(down())
    }
    async fn release(
        &self,
        _id: JobId,
        _error: &str,
        _retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Err(down())
    }
    async fn fail(&self, _id: JobId, _error: &str) -> Result<(), StoreError> {
        Err(down())
    }
    async fn requeue_running(&self, _claimed_before: DateTime<Utc>) -> Result<u64, StoreError> {
        Err(down())
    }
    async fn purge(&self, _before: DateTime<Utc>) -> Result<u64, StoreError> {
        Err(down())
    }
    async fn job(&self, _id: JobId) -> Result<Option<IngressJob>, StoreError> {
        Err(down())
    }
}

#[async_trait]
impl ClosingStore for DownStore {
    async fn closing(
        &self,
        _company_id: i64,
        _period: &str,
    ) -> Result<Option<Closing>, StoreError> {
        Err(down())
    }
    async fn save_closing(
        &self,
        _closing: &Closing,
        _expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        Err(down())
    }
}

#[async_trait]
impl AttachmentStore for DownStore {
    async fn save_attachment(&self, _new: NewAttachment) -> Result<AttachmentRecord, StoreError> {
        Err(down())
    }
    async fn attachment(&self, _id: AttachmentId) -> Result<Option<StoredAttachment>, StoreError> {
        Err(down())
    }
    async fn turn_attachments(&self, _turn: TurnId) -> Result<Vec<AttachmentRecord>, StoreError> {
        Err(down())
    }
}
