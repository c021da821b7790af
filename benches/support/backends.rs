//! Runs a measurement once on each back end of the tests (`tests/it/support/db.rs`): a fresh
//! SQLite file always, a fresh PostgreSQL schema when `ARCGW_TEST_PG_URL` is set (else skipped,
//! and said so). For the benchmarks that include the tests' helpers as `it` (`support/it.rs`).

use std::future::Future;
use std::sync::{Arc, Mutex};

use arcgw::store::Backend;

use crate::it::db::{self, TestDb};

/// What `measure` returned on each back end, with the back end.
pub async fn on_each_backend<T, F, Fut>(measure: F) -> Vec<(Backend, T)>
where
    T: Send + 'static,
    F: Fn(TestDb, Backend) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let results = Arc::new(Mutex::new(Vec::new()));
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let results = results.clone();
        let measure = &measure;
        db::run(backend, move |db| {
            let measured = measure(db, backend);
            async move {
                let value = measured.await;
                results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((backend, value));
            }
        })
        .await;
    }
    std::mem::take(&mut *results.lock().unwrap_or_else(|p| p.into_inner()))
}
