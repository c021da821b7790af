//! The schema, changed only by migrations (`migrations/sqlite`, `migrations/postgres`), which
//! are compiled in and kept equivalent.

use std::borrow::Cow;
use std::sync::LazyLock;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use super::Store;
use super::error::StoreError;

/// A migration file, embedded by `build.rs`.
struct MigrationFile {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

static SQLITE: LazyLock<Migrator> = LazyLock::new(|| migrator(SQLITE_FILES));
static POSTGRES: LazyLock<Migrator> = LazyLock::new(|| migrator(POSTGRES_FILES));

/// The migrator of `files`, as `sqlx::migrate!` makes it: the checksum of each is the SHA-384
/// of its text, so a database migrated by an earlier build is recognised.
fn migrator(files: &'static [MigrationFile]) -> Migrator {
    Migrator::with_migrations(
        files
            .iter()
            .map(|file| {
                Migration::new(
                    file.version,
                    Cow::Borrowed(file.description),
                    MigrationType::Simple,
                    file.sql.into_sql_str(),
                    file.sql.starts_with("-- no-transaction"),
                )
            })
            .collect(),
    )
}

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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use sqlx::migrate::Migrator;

    use super::{POSTGRES, SQLITE};

    /// What sqlx records of a migration in `_sqlx_migrations` and compares on every start.
    fn recorded(migrator: &Migrator) -> Vec<(i64, String, Vec<u8>, bool)> {
        migrator
            .iter()
            .map(|m| {
                let description = m.description.to_string();
                (m.version, description, m.checksum.to_vec(), m.no_tx)
            })
            .collect()
    }

    /// The embedded migrations are the folder's as sqlx reads them (the way `sqlx::migrate!`
    /// did): same versions, descriptions, checksums and transaction mode, so a database
    /// migrated by an earlier build starts, and one migrated by this build stays readable.
    #[tokio::test]
    async fn the_embedded_migrations_are_the_folders_as_sqlx_reads_them() {
        for (embedded, folder) in [(&*SQLITE, "sqlite"), (&*POSTGRES, "postgres")] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(folder);
            let read = Migrator::new(path).await.expect("the folder reads");
            assert!(read.iter().count() >= 21, "{folder}: migrations found");
            assert_eq!(recorded(embedded), recorded(&read), "{folder}");
        }
    }
}
