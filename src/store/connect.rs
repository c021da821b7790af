//! Opening the database named by a URL, with the settings the gateway relies on.

use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Store;
use super::error::StoreError;

/// How long a SQLite connection waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const SQLITE_CONNECTIONS: u32 = 8;
/// How many rows a SQLite connection's thread hands over before it waits for them to be read
/// (sqlx: 50). A statement of the engine returns a row per announcement of its batch (1 000
/// by default); with 50 the thread stopped twenty times a batch, holding the write lock, until
/// the task reading them was scheduled again. Rows are small (a few columns): the most a
/// connection holds unread stays a few megabytes.
const SQLITE_ROWS_HANDED_OVER: usize = 8192;
const POSTGRES_CONNECTIONS: u32 = 10;

/// Creates a missing SQLite file readable and writable by its owner only (mode 0600): it holds
/// AVS numbers (security baseline, draft art. 7). SQLite gives its `-wal` and `-shm` files the
/// main file's mode. An existing file is left as it is.
fn create_private(path: &Path) -> Result<(), StoreError> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateFile {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// What every SQLite connection of the gateway has, on a file or in memory: a busy timeout
/// (writers queue), foreign keys enforced, and rows handed over a batch at a time.
fn with_every_connection(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
        .row_buffer_size(SQLITE_ROWS_HANDED_OVER)
}

impl Store {
    /// Opens `sqlite://PATH` (the file is created when missing; `sqlite::memory:` for a
    /// throw-away database) or `postgres://…`. Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => {
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let options = SqliteConnectOptions::from_str(url)?;
                if in_memory {
                    Self::connect_sqlite_in_memory(options).await
                } else {
                    Self::connect_sqlite(options).await
                }
            }
            "postgres" | "postgresql" => {
                Self::connect_postgres(PgConnectOptions::from_str(url)?).await
            }
            other => Err(StoreError::UnsupportedUrl {
                scheme: other.chars().take(20).collect(),
            }),
        }
    }

    /// Opens a SQLite file with the gateway's settings: created when missing, write-ahead log
    /// (readers never wait for the writer), `synchronous = FULL` (a committed announcement
    /// survives a power cut), a busy timeout (writers queue), foreign keys enforced, and rows
    /// handed over a batch at a time ([`SQLITE_ROWS_HANDED_OVER`]).
    pub async fn connect_sqlite(options: SqliteConnectOptions) -> Result<Store, StoreError> {
        create_private(options.get_filename())?;
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(SQLITE_CONNECTIONS)
            // A connection to a local file does not go stale: no ping (a round trip to the
            // connection's worker thread) before each use.
            .test_before_acquire(false)
            .connect_with(with_every_connection(options))
            .await?;
        Ok(Store::Sqlite(pool))
    }

    /// Each connection of an in-memory SQLite database is a database of its own: keep exactly
    /// one, for ever.
    async fn connect_sqlite_in_memory(options: SqliteConnectOptions) -> Result<Store, StoreError> {
        let options = options.journal_mode(SqliteJournalMode::Memory);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(with_every_connection(options))
            .await?;
        Ok(Store::Sqlite(pool))
    }

    /// Opens a PostgreSQL pool. Set the schema, if not the default, in `options`
    /// (`.options([("search_path", "…")])`).
    pub async fn connect_postgres(options: PgConnectOptions) -> Result<Store, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(POSTGRES_CONNECTIONS)
            .connect_with(options.application_name("arcgw"))
            .await?;
        Ok(Store::Postgres(pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn other_schemes_are_refused_without_echoing_the_url() {
        let err = Store::connect("mysql://user:secret@host/db")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnsupportedUrl { ref scheme } if scheme == "mysql"));
        assert!(!err.to_string().contains("secret"));
    }

    #[tokio::test]
    async fn in_memory_sqlite_keeps_its_data() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        assert!(store.readiness().await.is_ready());
    }
}
