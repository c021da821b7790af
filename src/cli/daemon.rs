//! The commands that run against the service's configuration and database: `serve`, `token`
//! and `audit`. Each loads the configuration (one-line error and exit 1 when it is wrong) and
//! runs on a tokio runtime.

use std::future::Future;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use super::Status;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::serve::{ServeError, open_store};
use crate::store::{AuditOutcome, NewAuditEvent, Store};

/// An audit event of an operator acting through the command line (annex 2.5).
pub fn operator_event(action: &str, target: String, details: serde_json::Value) -> NewAuditEvent {
    // The person behind sudo, else the account running the command.
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    NewAuditEvent {
        at: SystemClock.now(),
        actor: format!("operator:{user}@cli"),
        action: action.to_string(),
        target: Some(target),
        outcome: AuditOutcome::Success,
        remote_addr: None,
        details,
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
