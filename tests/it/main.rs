//! arcgw's integration tests: one test crate (`cargo test --test it`), a module per area, the
//! helpers they share in [`support`]; one area runs with `cargo test --test it e2e::`.
//!
//! Every test runs in this one process, on a thread of its own, next to tests of every other
//! module. So a test changes nothing process-wide: no environment variable (`std::env::set_var`),
//! no working directory, no fixed port (bind `127.0.0.1:0`) and no fixed path (a temporary
//! directory of its own, screenshots under a name of their own); a database of its own
//! (`support::db`). What is per process runs in a child `arcgw` process (`support::proc`): a
//! failpoint (`ARCGW_FAILPOINT`, read once per process), a signal, a measure of memory
//! (`/proc/<pid>/status` of the child). What stays shared in this process by design: the
//! password hashes of the in-process stores take turns on the library's hashing threads (one per
//! core but one), and rustls's crypto provider is installed once (`install_crypto_provider`).

mod support;

mod accounts;
mod alerts;
mod api;
mod browser_login;
mod calendar_table;
mod cli;
mod closing_order_xml;
mod closing_orders;
mod crash;
mod dashboard;
mod deploy_files;
mod dtxml_hostile;
mod dtxml_roundtrip;
mod e2e;
mod environments;
mod feed_hostile;
mod injection;
mod instances;
mod kept_rows;
mod letters;
mod limits;
mod login_memory;
mod operator_tasks;
mod ops;
mod reminders;
mod sedex_crash;
mod sedex_fund;
mod sedex_schema;
mod sessions;
mod sim;
mod store;
mod store_transmission;
mod user_cli;
mod validate_rules;
mod zas_notice_xml;
mod zas_notices;
