//! Why the simulator cannot start or stopped.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::config::ConfigError;
use crate::calendar::CalendarError;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("calendar: {0}")]
    Calendar(#[from] CalendarError),
    /// The certificate, key or client CA cannot be used.
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// A folder of the sedex front end cannot be created.
    #[error("sedex folder {path}: {source}")]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the server stopped: {0}")]
    Serve(String),
}
