//! Helpers for tests of this crate and of the crates built on it: fresh,
//! migrated stores on both backends.
//!
//! Compiled only for tests and with the `testing` feature, which the crate's
//! own dev-dependency on itself turns on for its integration tests. Helpers
//! panic on failure: a test cannot continue without its fixture.
#![allow(clippy::panic, clippy::expect_used)]

use sqlx::{AssertSqlSafe, Connection, PgConnection};
use url::Url;
use uuid::Uuid;

use crate::store::{PostgresStore, SqliteStore, Store};

/// Connections per test database: enough for the concurrency tests, few
/// enough that a hundred tests in parallel stay under the server's
/// `max_connections`.
const TEST_POOL_SIZE: u32 = 5;

/// A migrated, private in-memory SQLite store.
pub async fn sqlite_store() -> SqliteStore {
    let store = SqliteStore::in_memory()
        .await
        .expect("open an in-memory sqlite database");
    store.migrate().await.expect("migrate the sqlite database");
    store
}

/// A migrated store on a fresh PostgreSQL database of its own (see
/// [`postgres_url`]).
pub async fn postgres_store() -> PostgresStore {
    let url = postgres_url().await;
    let store = PostgresStore::connect(&url, TEST_POOL_SIZE)
        .await
        .unwrap_or_else(|err| panic!("connect to the test database {url}: {err}"));
    store.migrate().await.expect("migrate the test database");
    store
}

/// Creates an empty database `odoo_agent_test_<uuid>` on the server named by
/// `DATABASE_URL` and returns its URL, for tests that connect more than once.
///
/// Test databases are left behind: the test cluster is disposable, and
/// dropping a database would have to wait for every pool to close.
pub async fn postgres_url() -> String {
    let Ok(server) = std::env::var("DATABASE_URL") else {
        panic!(
            "DATABASE_URL is not set: run docker/test.sh, which starts PostgreSQL and exports it"
        )
    };
    let name = format!("odoo_agent_test_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&server)
        .await
        .unwrap_or_else(|err| panic!("connect to DATABASE_URL {server}: {err}"));
    // The name is ours (letters, digits, underscores), so formatting it into
    // the statement is safe; `create database` takes no bind parameters.
    sqlx::query(AssertSqlSafe(format!("create database {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|err| panic!("create database {name}: {err}"));
    admin.close().await.expect("close the admin connection");

    let mut url = Url::parse(&server)
        .unwrap_or_else(|err| panic!("DATABASE_URL {server} is not a URL: {err}"));
    url.set_path(&name);
    url.into()
}
