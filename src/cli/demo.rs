//! `arcgw demo`: the main job on the embedded default (see `crate::demo`); exit 0 when every
//! announcement reached its expected state, 1 otherwise.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use super::Status;
use crate::engine::TransportKind;

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Keep the SQLite file and the certificates here (default: a temporary directory, removed
    /// at the end).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep the simulator and the gateway running after the table, until Ctrl-C.
    #[arg(long)]
    serve: bool,
    /// Where the gateway's HTTP API listens.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// How the gateway reaches the simulated ZAS: `sedex` (files in a sedex interface
    /// directory, as funds do; the default) or `https` (arcgw's own protocol, mutual TLS).
    #[arg(long, default_value = "sedex", value_parser = transport)]
    transport: TransportKind,
}

fn transport(text: &str) -> Result<TransportKind, String> {
    match text {
        "sedex" => Ok(TransportKind::Sedex),
        "https" => Ok(TransportKind::Https),
        other => Err(format!("sedex or https, not {other:?}")),
    }
}

pub fn run(args: Args) -> Status {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("arcgw demo: cannot start the runtime: {e}");
            return Status::Invalid;
        }
    };
    let outcome = runtime.block_on(async {
        let (dir, _temporary) = crate::demo::data_dir(args.data_dir)?;
        crate::demo::run(&dir, args.listen, args.serve, args.transport).await
    });
    match outcome {
        Ok(true) => Status::Ok,
        Ok(false) => Status::Invalid,
        Err(e) => {
            eprintln!("arcgw demo: {e}");
            Status::Invalid
        }
    }
}
