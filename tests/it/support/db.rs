//! The back ends the store suite runs on: SQLite always (a file of its own in a temporary
//! directory per test), PostgreSQL when `ARCGW_TEST_PG_URL` is set (a schema of its own per
//! test, named at random and dropped at the end, so tests run in parallel).

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use arcgw::store::{Backend, Store};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row as _};

/// The environment variable naming the PostgreSQL server of the tests.
pub const PG_URL: &str = "ARCGW_TEST_PG_URL";

/// A migrated store of one test, and the means to open more pools on the same database.
pub struct TestDb {
    pub store: Store,
    place: Place,
}

#[derive(Clone)]
enum Place {
    Sqlite {
        dir: Arc<tempfile::TempDir>,
        path: PathBuf,
    },
    Postgres {
        url: String,
        schema: String,
        /// Every schema made for the test, dropped at its end.
        schemas: Arc<Mutex<Vec<String>>>,
    },
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// The URL of this test's database, for an `arcgw` process (`ARCGW_DATABASE_URL`).
    pub fn url(&self) -> String {
        match &self.place {
            Place::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Place::Postgres { url, schema, .. } => {
                let joiner = if url.contains('?') { '&' } else { '?' };
                format!("{url}{joiner}options=-c%20search_path%3D{schema}")
            }
        }
    }

    /// Another pool on the same database, as a second instance of the gateway would open.
    pub async fn another_store(&self) -> Store {
        match &self.place {
            Place::Sqlite { path, .. } => sqlite_store(path).await,
            Place::Postgres { url, schema, .. } => pg_store(url, schema).await,
        }
    }

    /// A store on a new, empty database (not migrated).
    pub async fn empty_store(&self) -> Store {
        match &self.place {
            Place::Sqlite { dir, .. } => {
                sqlite_store(&dir.path().join(format!("{}.sqlite", uuid::Uuid::new_v4()))).await
            }
            Place::Postgres { url, schemas, .. } => {
                let schema = create_schema(url).await;
                schemas.lock().expect("not poisoned").push(schema.clone());
                pg_store(url, &schema).await
            }
        }
    }
}

async fn sqlite_store(path: &std::path::Path) -> Store {
    Store::connect_sqlite(SqliteConnectOptions::new().filename(path))
        .await
        .expect("open the SQLite file")
}

async fn pg_store(url: &str, schema: &str) -> Store {
    let options = PgConnectOptions::from_str(url)
        .expect("ARCGW_TEST_PG_URL is a PostgreSQL URL")
        .options([("search_path", schema)]);
    Store::connect_postgres(options)
        .await
        .expect("connect to PostgreSQL")
}

async fn create_schema(url: &str) -> String {
    let schema = format!("arcgw_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    // The name is made of a fixed start and hexadecimal digits only.
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
    let _ = conn.close().await;
    schema
}

async fn drop_schemas(url: &str, schemas: &[String]) {
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    for schema in schemas {
        sqlx::query(AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&mut conn)
        .await
        .expect("drop the test schema");
    }
    let _ = conn.close().await;
}

/// Runs `test` on a freshly migrated store of `backend`, then removes the database, also when
/// the test fails. A PostgreSQL test without `ARCGW_TEST_PG_URL` is skipped (and says so).
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let place = match backend {
        Backend::Sqlite => {
            let dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
            let path = dir.path().join("arcgw.sqlite");
            Place::Sqlite { dir, path }
        }
        Backend::Postgres => {
            let Ok(url) = std::env::var(PG_URL) else {
                eprintln!("skipped: {PG_URL} is not set");
                return;
            };
            let schema = create_schema(&url).await;
            Place::Postgres {
                url,
                schemas: Arc::new(Mutex::new(vec![schema.clone()])),
                schema,
            }
        }
    };
    let store = match &place {
        Place::Sqlite { path, .. } => sqlite_store(path).await,
        Place::Postgres { url, schema, .. } => pg_store(url, schema).await,
    };
    store.migrate().await.expect("migrate");
    let db = TestDb {
        store: store.clone(),
        place: place.clone(),
    };
    let outcome = tokio::spawn(test(db)).await;
    store.close().await;
    if let Place::Postgres { url, schemas, .. } = &place {
        let schemas = schemas.lock().expect("not poisoned").clone();
        drop_schemas(url, &schemas).await;
    }
    drop(place);
    if let Err(failure) = outcome {
        match failure.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(other) => panic!("the test did not finish: {other}"),
        }
    }
}

/// Defines each named `async fn(TestDb)` as two tests, `sqlite::NAME` and `postgres::NAME`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::support::db::run(arcgw::store::Backend::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::support::db::run(arcgw::store::Backend::Postgres, super::$name).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_backends;

/// Defines each named `async fn(TestDb)` as a test of SQLite alone, in a module `$module`: for
/// what only SQLite does.
macro_rules! on_sqlite {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::support::db::run(arcgw::store::Backend::Sqlite, super::$name).await;
                }
            )*
        }
    };
}
pub(crate) use on_sqlite;

/// A valid AVS number made from a serial number: `756`, nine digits of `n`, the check digit.
pub fn avs(n: u64) -> arcgw::domain::AvsNumber {
    let first: Vec<u8> = format!("756{n:09}").bytes().map(|b| b - b'0').collect();
    arcgw::domain::AvsNumber::parse(&format!(
        "756{n:09}{}",
        arcgw::domain::avs_number::check_digit(&first)
    ))
    .expect("a valid AVS number")
}

/// [`avs`] as its 13 digits, as a fund's system sends it.
pub fn avs_digits(n: u64) -> String {
    avs(n).digits()
}

/// The audit log's events of `action`, newest first (at most 1 000).
pub async fn audit_events(store: &Store, action: &str) -> Vec<arcgw::store::AuditEvent> {
    store
        .query_audit(&arcgw::store::AuditQuery {
            action: Some(action.into()),
            limit: 1000,
            ..arcgw::store::AuditQuery::default()
        })
        .await
        .unwrap()
}

// Direct SQL, for what the store's interface does not show (the AVS-number scans).

pub async fn count(store: &arcgw::store::Store, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store {
        arcgw::store::Store::Sqlite(pool) => sqlx::query(sql)
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>(0),
        arcgw::store::Store::Postgres(pool) => sqlx::query(sql)
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>(0),
    }
}

/// The first column of every row of `sql`, as text.
pub async fn texts(store: &arcgw::store::Store, sql: &'static str) -> Vec<String> {
    match store {
        arcgw::store::Store::Sqlite(pool) => sqlx::query(sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect(),
        arcgw::store::Store::Postgres(pool) => sqlx::query(sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect(),
    }
}

/// Brings `store` (an [`TestDb::empty_store`]) to migration `version` of this tree's
/// migrations, then runs `rows` (the data of a database written before the later ones).
pub async fn migrated_to(store: &arcgw::store::Store, version: i64, rows: &[&'static str]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(match store.backend() {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    });
    let migrations = sqlx::migrate::Migrator::new(dir).await.unwrap();
    match store {
        Store::Sqlite(pool) => migrations.run_to(version, pool).await.unwrap(),
        Store::Postgres(pool) => migrations.run_to(version, pool).await.unwrap(),
    }
    for sql in rows {
        execute(store, sql).await.unwrap();
    }
}

/// Runs one statement; the database's refusal is the error.
pub async fn execute(store: &arcgw::store::Store, sql: &str) -> Result<u64, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match store {
        arcgw::store::Store::Sqlite(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
        arcgw::store::Store::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()),
    }
}

/// Every (table, column) of the database.
pub async fn columns(store: &arcgw::store::Store) -> Vec<(String, String)> {
    match store {
        arcgw::store::Store::Sqlite(pool) => sqlx::query(
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect(),
        arcgw::store::Store::Postgres(pool) => sqlx::query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() ORDER BY 1, 2",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect(),
    }
}

/// How many values of `table.column`, read as text, contain `needle`.
pub async fn occurrences(
    store: &arcgw::store::Store,
    table: &str,
    column: &str,
    needle: &str,
) -> i64 {
    // Table and column names come from the database's own catalogue.
    let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1");
    let pattern = format!("%{needle}%");
    match store {
        arcgw::store::Store::Sqlite(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(pattern)
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>(0),
        arcgw::store::Store::Postgres(pool) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(pattern)
            .fetch_one(pool)
            .await
            .unwrap()
            .get::<i64, _>(0),
    }
}
