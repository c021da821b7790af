//! `arcgw zas-sim [--config FILE]`: runs the ZAS simulator on the system clock until SIGTERM or
//! SIGINT: the HTTPS front end, and the sedex front end when the configuration has a `[sedex]`
//! section. A configuration that cannot be used is one line on standard error and exit 1.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args as ClapArgs;

use super::Status;
use crate::clock::SystemClock;
use crate::config::LogConfig;
use crate::sim::{SimConfig, SimError};

/// The simulator's configuration file.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The simulator's configuration (TOML; PEM paths relative to it).
    #[arg(long, value_name = "FILE", default_value = "config/zas-sim.toml")]
    pub config: PathBuf,
}

pub fn run(args: Args) -> Status {
    let config = match SimConfig::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("arcgw zas-sim: {e}");
            return Status::Invalid;
        }
    };
    crate::pki::install_crypto_provider();
    crate::telemetry::init(&LogConfig::default());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcgw zas-sim: cannot start the runtime: {e}");
            return Status::Invalid;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => Status::Ok,
        Err(e) => {
            eprintln!("arcgw zas-sim: {e}");
            Status::Invalid
        }
    }
}

async fn serve(config: SimConfig) -> Result<(), SimError> {
    let handle = crate::sim::start(config, Arc::new(SystemClock)).await?;
    println!("arcgw zas-sim: listening on {}", handle.url());
    if let Some(folders) = handle.sedex_folders() {
        let [outbox, inbox, receipts, processed] = folders.named().map(|(_, p)| p.display());
        println!(
            "arcgw zas-sim: sedex client of outbox {outbox}, inbox {inbox}, receipts {receipts}, processed {processed}"
        );
    }
    handle.run_until(stop_signal()).await
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
