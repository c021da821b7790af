//! The integration tests' helpers (`tests/it/support/`) that the benchmarks of the real binary
//! share with them: a database of each back end, `arcgw serve` as a child process, signing in as
//! a browser does. A benchmark uses part of each; the tests use the rest.

#[allow(
    dead_code,
    unused_imports,
    unused_macros,
    reason = "the tests use the rest"
)]
#[path = "../../tests/it/support/db.rs"]
pub mod db;
#[allow(dead_code, reason = "the tests use the rest")]
#[path = "../../tests/it/support/proc.rs"]
pub mod proc;
#[allow(dead_code, reason = "the tests use the rest")]
#[path = "../../tests/it/support/web/mod.rs"]
pub mod web;
