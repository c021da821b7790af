//! `arcgw demo`: the main job on the embedded default (see `crate::demo`); exit 0 when every
//! announcement reached its expected state, 1 otherwise.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use super::Status;

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
        crate::demo::run(&dir, args.listen, args.serve).await
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
