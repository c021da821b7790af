//! Crash points for the crash-safety tests: `ARCGW_FAILPOINT=<name>` makes the process abort
//! (as a SIGKILL would stop it) when it reaches the point of that name. Unset, it does nothing.

use std::sync::OnceLock;

/// The point between "the ZAS has the transmission" and "the gateway has recorded it".
pub const AFTER_SEND: &str = "after_send";

/// sedex: between the payload and the envelope of a hand-over in the outbox.
pub const AFTER_PAYLOAD: &str = "sedex_after_payload";

/// sedex: between storing an inbox message and moving its files to arcgw's `processed`.
pub const AFTER_INBOX_STORE: &str = "sedex_after_inbox_store";

/// Aborts the process at `name` when `ARCGW_FAILPOINT` names it.
pub fn hit(name: &str) {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("ARCGW_FAILPOINT").ok());
    if armed.as_deref() == Some(name) {
        eprintln!("arcgw: failpoint {name}: aborting");
        std::process::abort();
    }
}
