//! The schema, changed only by migrations (`migrations/sqlite`, `migrations/postgres`), which
//! are compiled in and kept equivalent.

use sqlx::migrate::Migrator;

use super::Store;
use super::error::StoreError;

static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Brings the schema up to date. Safe to run from several instances at once: PostgreSQL
    /// takes an advisory lock, SQLite the write lock.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => SQLITE.run(pool).await?,
            Store::Postgres(pool) => POSTGRES.run(pool).await?,
        }
        // The part of migration 0012 that SQLite cannot do in SQL.
        self.hash_stored_idempotency_keys().await
    }

    /// The migrations compiled into this binary for this back end.
    pub(crate) fn migrator(&self) -> &'static Migrator {
        match self {
            Store::Sqlite(_) => &SQLITE,
            Store::Postgres(_) => &POSTGRES,
        }
    }
}
