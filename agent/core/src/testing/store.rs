//! Fresh, migrated stores for tests.

#![allow(clippy::panic, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::sync::OnceCell;
use url::Url;
use uuid::Uuid;

use crate::store::{PostgresStore, SqliteStore, Store};

/// Connections per test database: enough for the concurrency tests, few
/// enough that a hundred tests in parallel stay under the server's
/// `max_connections`.
const TEST_POOL_SIZE: u32 = 5;

/// Prefix of every database the tests create.
const TEST_DB_PREFIX: &str = "odoo_agent_test_";

/// Test databases older than this are dropped by the next test process; no
/// test runs that long, so none is in use.
const STALE_AFTER: Duration = Duration::from_secs(3600);

static CLEANED: OnceCell<()> = OnceCell::const_new();

/// A migrated, private in-memory SQLite store.
pub async fn sqlite_store() -> SqliteStore {
    let store = SqliteStore::in_memory()
        .await
        .expect("open an in-memory sqlite database");
    store.migrate().await.expect("migrate the sqlite database");
    store
}

/// A migrated store on a fresh PostgreSQL database of its own on the server
/// named by `DATABASE_URL` (see [`postgres_url`]).
pub async fn postgres_store() -> PostgresStore {
    postgres_store_at(&postgres_url().await).await
}

/// A migrated store on the database at `url`.
pub async fn postgres_store_at(url: &str) -> PostgresStore {
    let store = PostgresStore::connect(url, TEST_POOL_SIZE)
        .await
        .unwrap_or_else(|err| panic!("connect to the test database: {err}"));
    store.migrate().await.expect("migrate the test database");
    store
}

/// Creates an empty database on the server named by `DATABASE_URL` and
/// returns its URL, for tests that connect more than once.
pub async fn postgres_url() -> String {
    let Ok(server) = std::env::var("DATABASE_URL") else {
        panic!(
            "DATABASE_URL is not set: run docker/test.sh, which starts PostgreSQL and exports it"
        )
    };
    fresh_postgres_database(&server).await
}

/// Creates an empty database `odoo_agent_test_<unix seconds>_<uuid>` on the
/// server at `server_url` and returns its URL. The first call of a process
/// also drops the test databases that earlier runs left behind.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    let mut admin = PgConnection::connect(server_url)
        .await
        .unwrap_or_else(|err| panic!("connect to the PostgreSQL server of DATABASE_URL: {err}"));
    CLEANED
        .get_or_init(|| drop_stale_databases(server_url))
        .await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = format!("{TEST_DB_PREFIX}{now}_{}", Uuid::new_v4().simple());
    // The name is ours (letters, digits, underscores), so formatting it into
    // the statement is safe; `create database` takes no bind parameters.
    sqlx::query(AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|err| panic!("create database {name}: {err}"));
    admin.close().await.expect("close the admin connection");
    let mut url =
        Url::parse(server_url).unwrap_or_else(|err| panic!("DATABASE_URL is not a URL: {err}"));
    url.set_path(&name);
    url.into()
}

/// Drops test databases created more than [`STALE_AFTER`] ago (and those of
/// the older naming without a timestamp), so the test cluster does not grow
/// without bound.
async fn drop_stale_databases(server_url: &str) {
    let Ok(mut admin) = PgConnection::connect(server_url).await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar(
        "select datname from pg_database where datname like 'odoo\\_agent\\_test\\_%'",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap_or_default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for name in names {
        let created = name
            .strip_prefix(TEST_DB_PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(secs, _)| secs.parse::<u64>().ok());
        let stale = created.is_none_or(|secs| now.saturating_sub(secs) > STALE_AFTER.as_secs());
        if stale {
            // `with (force)` ends connections a crashed run left open.
            let _ = sqlx::query(AssertSqlSafe(format!(
                "drop database if exists {name} with (force)"
            )))
            .execute(&mut admin)
            .await;
        }
    }
    let _ = admin.close().await;
}
