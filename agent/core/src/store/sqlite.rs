//! Stub, being implemented.

use async_trait::async_trait;

use super::{
    CompletedTurn, NewThread, Result, Store, StoreError, StoredMessage, ThreadId, ThreadRecord,
    ToolCallRecord, TurnId, TurnRecord,
};

pub struct SqliteStore;

fn stub() -> StoreError {
    StoreError::Corrupt("stub".into())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
    async fn migrate(&self) -> Result<()> {
        Err(stub())
    }
    async fn ping(&self) -> Result<()> {
        Err(stub())
    }
    async fn create_thread(&self, _new: NewThread) -> Result<ThreadRecord> {
        Err(stub())
    }
    async fn thread(&self, _id: ThreadId) -> Result<Option<ThreadRecord>> {
        Err(stub())
    }
    async fn messages(&self, _id: ThreadId) -> Result<Vec<StoredMessage>> {
        Err(stub())
    }
    async fn record_turn(&self, _turn: CompletedTurn) -> Result<()> {
        Err(stub())
    }
    async fn turns(&self, _id: ThreadId) -> Result<Vec<TurnRecord>> {
        Err(stub())
    }
    async fn tool_calls(&self, _turn: TurnId) -> Result<Vec<ToolCallRecord>> {
        Err(stub())
    }
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) the database file.
    pub async fn open(_path: &std::path::Path) -> Result<Self> {
        Err(stub())
    }
    /// A private in-memory database (tests, benchmarks).
    pub async fn in_memory() -> Result<Self> {
        Err(stub())
    }
}
