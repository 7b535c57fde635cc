//! `odoo-agent migrate`.

use agent::config::{Config, DatabaseConfig};
use agent::store::{PostgresStore, SqliteStore, Store};
use anyhow::Context;
use secrecy::ExposeSecret;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let (store, target): (Box<dyn Store>, String) = match &config.database {
        DatabaseConfig::Sqlite { path } => (
            Box::new(
                SqliteStore::open(path)
                    .await
                    .context("opening the SQLite database")?,
            ),
            format!("SQLite database {}", path.display()),
        ),
        DatabaseConfig::Postgres { url } => (
            Box::new(
                PostgresStore::connect(url.expose_secret(), 2)
                    .await
                    .context("connecting to PostgreSQL")?,
            ),
            "PostgreSQL database (DATABASE_URL)".to_owned(),
        ),
    };
    store.migrate().await.context("applying migrations")?;
    tracing::info!(backend = store.backend(), "migrations applied");
    #[allow(clippy::print_stdout)]
    {
        println!("migrations applied to the {target}");
    }
    Ok(())
}
