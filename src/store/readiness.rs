//! Whether the store can serve: the database answers and its schema is the one this binary
//! was built for (for `GET /readyz`).

use std::collections::HashMap;

use sqlx::migrate::{AppliedMigration, Migrate, MigrateError};

use super::Store;

/// The answer of [`Store::readiness`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// The database answers and every migration of this binary is applied, unchanged.
    Ready,
    /// The database does not answer.
    Unreachable,
    /// Migrations of this binary are not applied yet.
    MigrationsPending { applied: usize, known: usize },
    /// Migration `version` differs from this binary's: applied with other content, failed
    /// half-way, or unknown to this (older) binary.
    MigrationsMismatch { version: i64 },
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        *self == Readiness::Ready
    }
}

impl Store {
    /// Checks that the database answers and that its migrations are current. Writes nothing.
    pub async fn readiness(&self) -> Readiness {
        let migrator = self.migrator();
        let table = migrator.table_name.as_ref();
        let applied = match self {
            Store::Sqlite(pool) => match pool.acquire().await {
                Ok(mut conn) => applied_migrations(&mut *conn, table).await,
                Err(_) => return Readiness::Unreachable,
            },
            Store::Postgres(pool) => match pool.acquire().await {
                Ok(mut conn) => applied_migrations(&mut *conn, table).await,
                Err(_) => return Readiness::Unreachable,
            },
        };
        let Some((applied, dirty)) = applied else {
            return Readiness::Unreachable;
        };
        if let Some(version) = dirty {
            return Readiness::MigrationsMismatch { version };
        }
        let applied: HashMap<i64, AppliedMigration> =
            applied.into_iter().map(|m| (m.version, m)).collect();
        let known: Vec<_> = migrator
            .iter()
            .filter(|m| m.migration_type.is_up_migration())
            .collect();
        if let Some(unknown) = applied.keys().find(|v| !migrator.version_exists(**v)) {
            return Readiness::MigrationsMismatch { version: *unknown };
        }
        let mut present = 0;
        for migration in &known {
            if let Some(done) = applied.get(&migration.version) {
                if done.checksum != migration.checksum {
                    return Readiness::MigrationsMismatch {
                        version: migration.version,
                    };
                }
                present += 1;
            }
        }
        if present == known.len() {
            Readiness::Ready
        } else {
            Readiness::MigrationsPending {
                applied: present,
                known: known.len(),
            }
        }
    }
}

/// The applied migrations and the version of one that failed half-way; an empty list when the
/// migrations table does not exist yet; `None` when the database does not answer.
async fn applied_migrations<C: Migrate + sqlx::Connection>(
    conn: &mut C,
    table: &str,
) -> Option<(Vec<AppliedMigration>, Option<i64>)> {
    conn.ping().await.ok()?;
    match conn.list_applied_migrations(table).await {
        Ok(applied) => {
            let dirty = conn.dirty_version(table).await.ok().flatten();
            Some((applied, dirty))
        }
        // The table is missing: nothing migrated yet.
        Err(MigrateError::Execute(_)) => Some((Vec::new(), None)),
        Err(_) => None,
    }
}
