//! Crash points for the crash-safety tests: `ARCGW_FAILPOINT=<name>` makes the process abort
//! (as a SIGKILL would stop it) when it reaches the point of that name. Unset, it does nothing.

use std::sync::OnceLock;

/// The point between "the ZAS has the transmission" and "the gateway has recorded it".
pub const AFTER_SEND: &str = "after_send";

/// Aborts the process at `name` when `ARCGW_FAILPOINT` names it.
pub fn hit(name: &str) {
    static ARMED: OnceLock<Option<String>> = OnceLock::new();
    let armed = ARMED.get_or_init(|| std::env::var("ARCGW_FAILPOINT").ok());
    if armed.as_deref() == Some(name) {
        eprintln!("arcgw: failpoint {name}: aborting");
        std::process::abort();
    }
}
