//! arcgw's integration tests: one test crate (`cargo test --test it`), one module per area,
//! the helpers they share in [`support`]. Every test runs in this one process, on threads of
//! their own: a test changes nothing process-wide (no environment variables, no working
//! directory, no fixed ports or paths); what must differ per process (a failpoint, a memory
//! measure, signals) happens in a child `arcgw` process (`support::proc`).
//!
//! One area: `cargo test --test it e2e::`.

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
