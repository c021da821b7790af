//! Helpers shared by the integration tests (`crate::support::…` in a test module).
//!
//! - [`db`]: the back ends a test runs on (SQLite, PostgreSQL with `ARCGW_TEST_PG_URL`) and
//!   `on_both_backends!`; direct SQL for what the store's interface does not show.
//! - [`engine`]: an engine that reaches no ZAS, or one on a transport of the test's.
//! - [`flow`]: announcements driven through the store as the engine would drive them.
//! - [`proc`]: the real `arcgw` binary as a child process.
//! - [`smtp`]: a small SMTP server on loopback.
//! - [`store_data`]: the announcements of the store's tests, of every field set.
//! - [`strategies`]: proptest strategies for valid domain values (announcements of every key,
//!   transmissions, acknowledgements with every result).
//! - [`web`]: the web application over real HTTP, signing in as a browser does, and
//!   [`web::webdriver`] for headless Chromium.
//! - [`webhook`]: a webhook receiver on loopback.
//! - [`xmllint`]: validates documents against the XSDs in `schemas/` with `xmllint`.
//! - [`zas`]: the ZAS's messages of their own (closing orders, CI complements, splitting
//!   notices): feeds, a sedex inbox, the fund API.

pub mod db;
pub mod engine;
pub mod flow;
pub mod proc;
pub mod smtp;
pub mod store_data;
pub mod strategies;
pub mod web;
pub mod webhook;
pub mod xmllint;
pub mod zas;
