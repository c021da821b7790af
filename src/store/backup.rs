//! Backup and restore (N. 2102; security baseline, draft annex 2.6: a recovery plan for data loss,
//! with regular restore exercises; the drill is in docs/operations.md "Backup and restore").
//!
//! - SQLite: `VACUUM INTO` writes a consistent copy while the service runs (one read
//!   transaction); the copy is then opened read-only and checked (integrity, migrations
//!   current). A restore copies the backup the same way into the configured file, which must be
//!   missing or hold no table, then compares every table's row count with the backup.
//! - PostgreSQL: `pg_dump --format=custom` of the schema the gateway uses, checked with
//!   `pg_restore --list`; a restore runs `pg_restore --single-transaction --exit-on-error` into
//!   a database whose schema of that name is missing or holds no table. Both tools must be on
//!   the `PATH`; the password of the URL is handed over in `PGPASSWORD`, never on the command
//!   line.
//!
//! A backup holds the AVS numbers: it is kept encrypted and access-controlled like the database
//! itself, and a purge (`purge.rs`) does not reach it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Row as _};

use super::Store;
use super::error::StoreError;
use super::readiness::Readiness;

/// What can stop a backup or a restore. No variant holds a password or a database value.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} exists already: a backup never overwrites a file; choose a new name")]
    Exists { path: String },
    #[error(
        "the database to restore into is not empty ({tables} tables{schema}): restore only into \
         an empty database (a new SQLite file, or a PostgreSQL schema without tables)"
    )]
    NotEmpty { tables: i64, schema: String },
    #[error(
        "the database is not ready for a backup ({0:?}): start `arcgw serve` once to migrate it"
    )]
    NotCurrent(Readiness),
    #[error("{path} is not a backup of this arcgw version: {problem}")]
    NotABackup { path: String, problem: String },
    #[error("{tool} could not be started ({source}); install the PostgreSQL client tools")]
    ToolMissing {
        tool: &'static str,
        source: std::io::Error,
    },
    #[error("{tool} failed ({status}): {stderr}")]
    ToolFailed {
        tool: &'static str,
        status: String,
        stderr: String,
    },
    #[error(
        "after the restore, table {table} holds {restored} rows but the backup {backed_up}: the \
         restore is not to be used"
    )]
    Mismatch {
        table: String,
        backed_up: i64,
        restored: i64,
    },
    #[error(
        "the restored schema {schema:?} is not the one the database URL uses; set its \
         search_path to {schema:?}"
    )]
    OtherSchema { schema: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

/// The rows of every table of a backup or of a restored database, by table name.
pub type TableCounts = BTreeMap<String, i64>;

/// Writes a backup of the database at `url` to the new file `path` and checks it; returns the
/// row counts of the backup.
pub async fn backup(url: &str, path: &Path) -> Result<TableCounts, BackupError> {
    if path.exists() {
        return Err(BackupError::Exists {
            path: path.display().to_string(),
        });
    }
    let store = Store::connect(url).await?;
    let result = async {
        let readiness = store.readiness().await;
        if !readiness.is_ready() {
            return Err(BackupError::NotCurrent(readiness));
        }
        match &store {
            Store::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path_text(path)?)
                    .execute(pool)
                    .await?;
                let copy = open_sqlite_backup(path).await?;
                let counts = check_sqlite_copy(&copy, path).await;
                copy.close().await;
                counts
            }
            Store::Postgres(_) => {
                let schema = current_schema(&store)
                    .await?
                    .ok_or_else(|| BackupError::NotCurrent(Readiness::Unreachable))?;
                run_tool(
                    "pg_dump",
                    url,
                    &[
                        "--format=custom".into(),
                        "--no-owner".into(),
                        "--no-privileges".into(),
                        format!("--schema={schema}"),
                        format!("--file={}", path_text(path)?),
                    ],
                )
                .await?;
                pg_backup_schema(path).await?;
                table_counts(&store).await
            }
        }
    }
    .await;
    store.close().await;
    result
}

/// Restores the backup `path` into the empty database at `url`, then checks the result and
/// brings its migrations up to date; returns the row counts of the restored database.
pub async fn restore(url: &str, path: &Path) -> Result<TableCounts, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Io {
            path: path.display().to_string(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    if url.starts_with("sqlite:") {
        restore_sqlite(url, path).await
    } else {
        restore_postgres(url, path).await
    }
}

async fn restore_sqlite(url: &str, path: &Path) -> Result<TableCounts, BackupError> {
    let target = SqliteConnectOptions::from_str(url)
        .map_err(StoreError::Database)?
        .get_filename()
        .to_path_buf();
    let source = open_sqlite_backup(path).await?;
    let result = async {
        let backed_up = check_sqlite_copy(&source, path).await?;
        if std::fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
            let existing = Store::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(SqliteConnectOptions::new().filename(&target))
                    .await?,
            );
            let tables = table_counts(&existing).await.map(|t| t.len());
            existing.close().await;
            let tables = tables?;
            if tables > 0 {
                return Err(BackupError::NotEmpty {
                    tables: tables as i64,
                    schema: String::new(),
                });
            }
        }
        // Holds no table: the file (and its log) is replaced by the copy.
        for suffix in ["", "-wal", "-shm"] {
            let mut file = target.clone().into_os_string();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(BackupError::Io {
                        path: PathBuf::from(file).display().to_string(),
                        source: e,
                    });
                }
                _ => {}
            }
        }
        if let Store::Sqlite(pool) = &source {
            sqlx::query("VACUUM INTO $1")
                .bind(path_text(&target)?)
                .execute(pool)
                .await?;
        }
        Ok(backed_up)
    }
    .await;
    source.close().await;
    let backed_up = result?;
    verify_restored(url, &backed_up).await
}

async fn restore_postgres(url: &str, path: &Path) -> Result<TableCounts, BackupError> {
    let schema = pg_backup_schema(path).await?;
    let target = Store::connect(url).await?;
    let checked = async {
        let row = super::sql::Row::Postgres(match &target {
            Store::Postgres(pool) => {
                sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = $1) AS tables, \
                     (SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1) AS present",
                )
                .bind(&schema)
                .fetch_one(pool)
                .await?
            }
            Store::Sqlite(_) => unreachable!("a postgres: URL opens PostgreSQL"),
        });
        let tables = row.int("tables").map_err(StoreError::Database)?;
        if tables > 0 {
            return Err(BackupError::NotEmpty {
                tables,
                schema: format!(" in schema {schema}"),
            });
        }
        Ok(row.int("present").map_err(StoreError::Database)? > 0)
    }
    .await;
    target.close().await;
    let schema_present = checked?;
    let mut args = vec![
        "--exit-on-error".to_string(),
        "--single-transaction".into(),
        "--no-owner".into(),
        "--no-privileges".into(),
    ];
    // An existing empty schema (always so for `public`) is kept: its creation is left out.
    let list_file =
        std::env::temp_dir().join(format!("arcgw-restore-{}.list", uuid::Uuid::new_v4()));
    if schema_present {
        let list = pg_restore_list(path).await?;
        let keep: String = list
            .lines()
            .filter(|line| {
                !line.contains(&format!(" SCHEMA - {schema} "))
                    && !line.contains(&format!(" COMMENT - SCHEMA {schema} "))
            })
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&list_file, keep).map_err(|source| BackupError::Io {
            path: list_file.display().to_string(),
            source,
        })?;
        args.push(format!("--use-list={}", path_text(&list_file)?));
    }
    args.push(path_text(path)?.to_string());
    let restored = run_tool("pg_restore", url, &args).await;
    if schema_present {
        let _ = std::fs::remove_file(&list_file);
    }
    restored?;
    let store = Store::connect(url).await?;
    let used = current_schema(&store).await;
    store.close().await;
    if used?.as_deref() != Some(schema.as_str()) {
        return Err(BackupError::OtherSchema { schema });
    }
    verify_restored(url, &BTreeMap::new()).await
}

/// Opens the restored database, checks its tables against `backed_up` (when known), and
/// migrates it to this binary's schema.
async fn verify_restored(url: &str, backed_up: &TableCounts) -> Result<TableCounts, BackupError> {
    let store = Store::connect(url).await?;
    let result = async {
        let restored = table_counts(&store).await?;
        for (table, rows) in backed_up {
            let found = restored.get(table).copied().unwrap_or(-1);
            if found != *rows {
                return Err(BackupError::Mismatch {
                    table: table.clone(),
                    backed_up: *rows,
                    restored: found,
                });
            }
        }
        store.migrate().await?;
        Ok(restored)
    }
    .await;
    store.close().await;
    result
}

/// A backup file opened read-only; it is never written.
async fn open_sqlite_backup(path: &Path) -> Result<Store, BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    Ok(Store::Sqlite(
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?,
    ))
}

/// Checks a SQLite copy: intact, and its migrations those of this binary.
async fn check_sqlite_copy(copy: &Store, path: &Path) -> Result<TableCounts, BackupError> {
    let not_a_backup = |problem: String| BackupError::NotABackup {
        path: path.display().to_string(),
        problem,
    };
    if let Store::Sqlite(pool) = copy {
        let integrity: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .map_err(|e| not_a_backup(e.to_string()))?
            .get(0);
        if integrity != "ok" {
            return Err(not_a_backup(format!("integrity check: {integrity}")));
        }
    }
    let readiness = copy.readiness().await;
    if !readiness.is_ready() {
        return Err(not_a_backup(format!("{readiness:?}")));
    }
    table_counts(copy).await
}

/// The row count of every table of the database (the gateway's schema on PostgreSQL).
pub(crate) async fn table_counts(store: &Store) -> Result<TableCounts, BackupError> {
    let names: Vec<String> = match store {
        Store::Sqlite(pool) => sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect(),
        Store::Postgres(pool) => sqlx::query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect(),
    };
    let mut counts = TableCounts::new();
    for name in names {
        // The name comes from the database's own catalogue and is quoted.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let rows: i64 = match store {
            Store::Sqlite(pool) => sqlx::query(AssertSqlSafe(sql))
                .fetch_one(pool)
                .await?
                .get(0),
            Store::Postgres(pool) => sqlx::query(AssertSqlSafe(sql))
                .fetch_one(pool)
                .await?
                .get(0),
        };
        counts.insert(name, rows);
    }
    Ok(counts)
}

async fn current_schema(store: &Store) -> Result<Option<String>, BackupError> {
    match store {
        Store::Postgres(pool) => Ok(sqlx::query("SELECT current_schema()::text")
            .fetch_one(pool)
            .await?
            .get(0)),
        Store::Sqlite(_) => Ok(None),
    }
}

/// The schema a PostgreSQL backup holds, read from its table of contents.
async fn pg_backup_schema(path: &Path) -> Result<String, BackupError> {
    let list = pg_restore_list(path).await?;
    list.lines()
        .find_map(|line| {
            let (_, rest) = line.split_once(" SCHEMA - ")?;
            rest.split_whitespace().next().map(str::to_string)
        })
        .ok_or_else(|| BackupError::NotABackup {
            path: path.display().to_string(),
            problem: "no schema in its table of contents".into(),
        })
}

async fn pg_restore_list(path: &Path) -> Result<String, BackupError> {
    let output = tokio::process::Command::new("pg_restore")
        .arg("--list")
        .arg(path)
        .output()
        .await
        .map_err(|source| BackupError::ToolMissing {
            tool: "pg_restore",
            source,
        })?;
    if !output.status.success() {
        return Err(BackupError::NotABackup {
            path: path.display().to_string(),
            problem: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `pg_dump` or `pg_restore` on the database of `url`; the password goes in `PGPASSWORD`.
async fn run_tool(tool: &'static str, url: &str, args: &[String]) -> Result<(), BackupError> {
    let (dbname, password) = split_password(url)?;
    let mut command = tokio::process::Command::new(tool);
    command.args(args).arg(format!("--dbname={dbname}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .map_err(|source| BackupError::ToolMissing { tool, source })?;
    if !output.status.success() {
        return Err(BackupError::ToolFailed {
            tool,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        });
    }
    Ok(())
}

/// The URL without its password (for the command line), and the password.
fn split_password(url: &str) -> Result<(String, Option<String>), BackupError> {
    // Parsed by sqlx first: a URL it refuses is refused here too, without echoing it.
    PgConnectOptions::from_str(url).map_err(StoreError::Database)?;
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok((url.to_string(), None));
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return Ok((url.to_string(), None));
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return Ok((url.to_string(), None));
    };
    Ok((
        format!("{scheme}://{user}@{host}{tail}"),
        Some(percent_decode(password)),
    ))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn path_text(path: &Path) -> Result<&str, BackupError> {
    path.to_str().ok_or_else(|| BackupError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not UTF-8"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url() {
        let (url, password) =
            split_password("postgres://arcgw:s%40cret@db.example:5432/arcgw?sslmode=require")
                .unwrap();
        assert_eq!(
            url,
            "postgres://arcgw@db.example:5432/arcgw?sslmode=require"
        );
        assert_eq!(password.as_deref(), Some("s@cret"));
        let (url, password) = split_password("postgres://postgres@127.0.0.1/test").unwrap();
        assert_eq!(url, "postgres://postgres@127.0.0.1/test");
        assert_eq!(password, None);
    }

    #[tokio::test]
    async fn a_backup_never_overwrites_a_file() {
        let dir = std::env::temp_dir().join(format!("arcgw-backup-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let existing = dir.join("exists.sqlite");
        std::fs::write(&existing, b"keep me").unwrap();
        let url = format!("sqlite://{}", dir.join("db.sqlite").display());
        let err = backup(&url, &existing).await.unwrap_err();
        assert!(matches!(err, BackupError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
