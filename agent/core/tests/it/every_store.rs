//! One test, every backend: a rule of a store (schedules, proposals,
//! digest history, learned reconciliation rules, forecasts, product
//! events) is written once and run on memory, SQLite and PostgreSQL (a
//! fresh database each time), so the backends cannot drift apart.

use std::sync::Arc;

use agent::proposals::{MemoryProposals, ProposalStore};
use agent::schedule::{MemorySchedules, ScheduleStore};
use agent::store::{PostgresStore, SqliteStore};
use tools::automations::bank_reconciliation::{LearnedRules, MemoryRules};
use tools::automations::cash_flow_forecast::{ForecastHistory, MemoryForecastHistory};
use tools::automations::daily_digest::{DigestHistory, MemoryDigestHistory};
use tools::automations::events::{MemoryEvents, ProductEvents};

/// The backend one run of a test uses.
#[derive(Clone, Copy)]
pub enum Stores {
    Memory,
    Sqlite,
    Postgres,
}

/// A store trait that every backend implements.
pub trait OnEveryBackend {
    fn memory() -> Arc<Self>;
    fn sqlite(store: SqliteStore) -> Arc<Self>;
    fn postgres(store: PostgresStore) -> Arc<Self>;
}

impl Stores {
    /// A fresh, migrated store of this backend.
    pub async fn fresh<T: OnEveryBackend + ?Sized>(self) -> Arc<T> {
        match self {
            Self::Memory => T::memory(),
            Self::Sqlite => T::sqlite(agent::testing::sqlite_store().await),
            Self::Postgres => T::postgres(agent::testing::postgres_store().await),
        }
    }
}

macro_rules! backends_of {
    ($store:ty, $memory:expr) => {
        impl OnEveryBackend for $store {
            fn memory() -> Arc<Self> {
                Arc::new($memory)
            }
            fn sqlite(store: SqliteStore) -> Arc<Self> {
                Arc::new(store)
            }
            fn postgres(store: PostgresStore) -> Arc<Self> {
                Arc::new(store)
            }
        }
    };
}

backends_of!(dyn ScheduleStore, MemorySchedules::default());
backends_of!(dyn ProposalStore, MemoryProposals::default());
backends_of!(dyn DigestHistory, MemoryDigestHistory::new());
backends_of!(dyn LearnedRules, MemoryRules::default());
backends_of!(dyn ForecastHistory, MemoryForecastHistory::new());
backends_of!(dyn ProductEvents, MemoryEvents::default());

/// Turns `async fn name(stores: Stores)` tests into one `#[tokio::test]`
/// per backend, in modules `memory`, `sqlite` and `postgres`.
macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test] async fn $name() { super::$name(super::Stores::Memory).await; })*
        }
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(super::Stores::Sqlite).await; })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(super::Stores::Postgres).await; })*
        }
    };
}
pub(crate) use on_every_store;
