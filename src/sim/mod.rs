//! The ZAS simulator (`arcgw zas-sim`): a TLS server requiring client certificates from a
//! configured CA, speaking the wire protocol the gateway's transport client is written against,
//! so that mutual TLS, receipts and acknowledgements are exercised for real — in tests and in
//! `arcgw demo` (in process, on a given [`Clock`](crate::clock::Clock)) or as a command.
//!
//! Wire protocol (HTTPS with a client certificate):
//! - `POST /v1/transmissions`, body a DT XML transmission, header `X-Message-Id`: a JSON
//!   [`Receipt`] with a sedex code — 100 transmitted, 201 duplicate message id (not processed
//!   again), 200 invalid envelope (header missing or different, XML refused; HTTP 400), 202 no
//!   payload (HTTP 400), 330 too large (HTTP 413), 310 unknown sender (HTTP 403), 500 adapter
//!   error (HTTP 500; HTTP 503 when the simulator is full).
//! - `GET /v1/acknowledgements?after=N&limit=M` (defaults 0 and 100, at most 1000): an
//!   [`AcknowledgementPage`]; first issues what has come due by the simulator's clock, so
//!   polling moves time-based scenarios forward.
//! - `GET /v1/health`: `ok`.
//!
//! What happens to each announcement is chosen by [`Scenarios`]: see [`Outcome`]; the results
//! sent with dealt-with entries are described in [`results`].
//!
//! State (received message ids, scheduled entries, issued acknowledgements) lives in memory,
//! bounded by [`SimConfig::max_entries`]. Duplicates are recognised by message id alone.

mod acknowledgements;
mod config;
mod error;
mod intake;
mod receipt;
pub mod results;
mod routes;
mod scenario;
mod server;
mod state;
mod tls;

pub use acknowledgements::IssuedAcknowledgement;
pub use config::{
    ConfigError, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ENTRIES,
    DEFAULT_PARTICIPANT_ID, SimConfig, TlsMaterial,
};
pub use error::SimError;
pub use receipt::{
    ADAPTER_ERROR, DUPLICATE, INVALID_ENVELOPE, NO_PAYLOAD, Receipt, TOO_LARGE, TRANSMITTED,
    UNKNOWN_SENDER,
};
pub use routes::{AcknowledgementPage, DEFAULT_PAGE, MAX_PAGE, MESSAGE_ID_HEADER};
pub use scenario::{DEFAULT_INVESTIGATION, Matcher, Outcome, Rule, ScenarioError, Scenarios};
pub use server::{SimHandle, start};
