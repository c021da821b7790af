//! The ZAS simulator (`arcgw zas-sim`): the ZAS behind two front ends, so that the gateway's
//! transports are exercised for real — in tests and in `arcgw demo` (in process, on a given
//! [`Clock`](crate::clock::Clock)) or as a command:
//! - HTTPS: a TLS server requiring client certificates from a configured CA, speaking the wire
//!   protocol the gateway's HTTPS transport is written against (below);
//! - sedex ([`SimConfig::sedex`], the `[sedex]` section of `zas-sim.toml`): it plays the fund's
//!   sedex client and the ZAS on the fund's interface directory — complete pairs taken from
//!   `outbox/` and moved to `processed/`, receipts into `receipts/`, acknowledgements into
//!   `inbox/` as eCH-0090 envelope + payload; see [`sedex`](self::sedex) for the details.
//!
//! What the ZAS decides is decided once, whichever front end a transmission came by: the same
//! reading, duplicate check (receipt 201), scenarios and acknowledgement queue. The HTTPS
//! faults (`http_500`, `reset`, `slow`) act on the HTTPS front end only, the sedex faults
//! ([`ReceiptFault`], [`InboxFault`]) on the sedex front end only; `malformed_ack` and
//! `duplicate_ack` on both.
//!
//! Wire protocol of the HTTPS front end (with a client certificate):
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
//!
//! In process: [`start`] with a [`SimConfig`] whose `sedex` is
//! `Some(SedexSimConfig::below(interface_dir))` runs both front ends; [`SimHandle::sedex_folders`]
//! names the folders. [`start_stepped`] leaves the sedex front end's rounds to the caller
//! ([`SimHandle::sedex_round`]), for tests on a manual clock.

mod acknowledgements;
mod closing_orders;
mod config;
mod error;
mod follow_ups;
mod intake;
mod receipt;
pub mod results;
mod routes;
mod scenario;
pub mod sedex;
mod server;
mod state;
mod tls;
mod zas;

pub use acknowledgements::IssuedAcknowledgement;
pub use config::{
    ConfigError, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ENTRIES,
    DEFAULT_PARTICIPANT_ID, SimConfig, TlsMaterial,
};
pub use error::SimError;
pub use follow_ups::Notice;
pub use receipt::{
    ADAPTER_ERROR, DUPLICATE, EXPIRED, HUB_UNREACHABLE, INVALID_ENVELOPE, NO_PAYLOAD, Receipt,
    SENT, TOO_LARGE, TRANSMITTED, UNKNOWN_SENDER,
};
pub use routes::{AcknowledgementPage, DEFAULT_PAGE, MAX_PAGE, MESSAGE_ID_HEADER};
pub use scenario::{
    DEFAULT_INVESTIGATION, InboxFault, Matcher, Outcome, REFUSED_RECEIPTS, ReceiptFault, Rule,
    ScenarioError, Scenarios,
};
pub use sedex::{SedexSimConfig, on_one_interface_directory};
pub use server::{SimHandle, start, start_stepped};
