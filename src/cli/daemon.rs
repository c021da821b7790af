//! The commands that run against the service's configuration and database: `serve`, `token`
//! and `audit`. Each loads the configuration (one-line error and exit 1 when it is wrong) and
//! runs on a tokio runtime.

use std::future::Future;
use std::path::PathBuf;
use std::sync::OnceLock;

use clap::Args as ClapArgs;

use super::Status;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::serve::{ServeError, open_store};
use crate::store::{AuditOutcome, NewAuditEvent, Store};

/// `--operator NAME` of the command line, when given.
static OPERATOR: OnceLock<String> = OnceLock::new();

/// Keeps `--operator NAME` for [`operator`].
pub fn set_operator(name: Option<String>) {
    if let Some(name) = name {
        let _ = OPERATOR.set(name);
    }
}

/// Who runs the command, for the audit (annex 2.5: every change is attributed to a person):
/// `--operator NAME`, else `ARCGW_OPERATOR`, else the person behind sudo (`SUDO_USER`), else
/// the account running it (`USER`, `LOGNAME`). `None` when none names anybody: the commands
/// that change data or write the audit then refuse to run (`cli::run`).
pub fn operator() -> Option<String> {
    let from_env = || {
        ["ARCGW_OPERATOR", "SUDO_USER", "USER", "LOGNAME"]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().and_then(known))
    };
    OPERATOR.get().cloned().and_then(known).or_else(from_env)
}

/// A name that names somebody: 1 to 64 characters, no control characters, not `unknown`.
fn known(name: String) -> Option<String> {
    let name = name.trim().to_string();
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && !name.chars().any(char::is_control)
        && name != "unknown";
    ok.then_some(name)
}

/// An audit event of an operator acting through the command line (annex 2.5). `cli::run` has
/// refused the command already when the operator is unknown.
pub fn operator_event(action: &str, target: String, details: serde_json::Value) -> NewAuditEvent {
    let user = operator().unwrap_or_else(|| "unknown".into());
    NewAuditEvent {
        at: SystemClock.now(),
        actor: format!("operator:{user}@cli"),
        action: action.to_string(),
        target: Some(target),
        outcome: AuditOutcome::Success,
        remote_addr: None,
        details,
        // The operator's commands are system events (tokens, backups, transmissions).
        funds: Vec::new(),
    }
}

/// `--config FILE`, shared by the commands that need the configuration.
#[derive(Debug, ClapArgs)]
pub struct ConfigArg {
    /// The configuration file (default: config/arcgw.toml when present); ARCGW_* variables
    /// override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ConfigArg {
    pub fn load(&self, command: &str) -> Result<Config, Status> {
        Config::from_environment(self.config.as_deref()).map_err(|e| {
            eprintln!("arcgw {command}: {e}");
            Status::Invalid
        })
    }
}

/// Runs `work` on a fresh runtime; its error is printed as one line, exit 1.
pub fn block_on<F>(command: &str, work: F) -> Status
where
    F: Future<Output = Result<(), ServeError>>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcgw {command}: cannot start the runtime: {e}");
            return Status::Invalid;
        }
    };
    match runtime.block_on(work) {
        Ok(()) => Status::Ok,
        Err(e) => {
            eprintln!("arcgw {command}: {e}");
            Status::Invalid
        }
    }
}

/// Loads the configuration, opens the store, and runs `work` with it.
pub fn with_store<F, Fut>(command: &str, config: &ConfigArg, work: F) -> Status
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = Result<(), ServeError>>,
{
    let config = match config.load(command) {
        Ok(c) => c,
        Err(status) => return status,
    };
    block_on(command, async move {
        let store = open_store(&config).await?;
        let result = work(store.clone()).await;
        store.close().await;
        result
    })
}

/// `arcgw serve`.
pub fn serve(config: ConfigArg) -> Status {
    let config = match config.load("serve") {
        Ok(c) => c,
        Err(status) => return status,
    };
    crate::telemetry::init(&config.log);
    block_on("serve", crate::serve::serve(config))
}
