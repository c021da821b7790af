//! What the benchmarks share: a fresh PostgreSQL schema of their own for a run, migrated, and
//! dropped at the end.
#![allow(dead_code)]

use std::str::FromStr;

use arcgw::store::Store;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// A schema made for one run on the server of `ARCGW_TEST_PG_URL`.
pub struct BenchSchema {
    url: String,
    name: String,
    /// Connections into the schema (its `search_path`).
    pub options: PgConnectOptions,
}

impl BenchSchema {
    /// Creates the schema and returns it with a migrated store in it.
    pub async fn create(url: &str) -> (BenchSchema, Store) {
        let name = format!("arcgw_bench_{}", uuid::Uuid::new_v4().simple());
        // The name is made of a fixed start and hexadecimal digits only.
        execute(url, format!("CREATE SCHEMA {name}")).await;
        let options = PgConnectOptions::from_str(url)
            .expect("ARCGW_TEST_PG_URL is a PostgreSQL URL")
            .options([("search_path", name.as_str())]);
        let store = Store::connect_postgres(options.clone())
            .await
            .expect("connect to PostgreSQL");
        store.migrate().await.expect("migrate PostgreSQL");
        let schema = BenchSchema {
            url: url.to_string(),
            name,
            options,
        };
        (schema, store)
    }

    /// Drops the schema and all in it.
    pub async fn drop_all(self) {
        execute(
            &self.url,
            format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        )
        .await;
    }
}

async fn execute(url: &str, sql: String) {
    let mut conn = PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("create or drop the benchmark schema");
    let _ = conn.close().await;
}
