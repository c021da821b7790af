//! Why a configuration cannot be used; each prints as one line.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration {}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("unknown environment variable {var} (known: {known})")]
    UnknownEnv { var: String, known: String },
    #[error("configuration {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}
