//! Reading a command's input: a file, or standard input for `-`, never more than a limit.

use std::io::Read;
use std::path::PathBuf;

use clap::Args as ClapArgs;

use crate::validate::DEFAULT_MAX_BYTES;

/// Where announcements come from.
#[derive(Debug, ClapArgs)]
pub struct Source {
    /// A JSON file of announcements, or `-` for standard input.
    #[arg(default_value = "-")]
    pub file: PathBuf,
    /// The largest input read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
    /// The fund number of the Swiss compensation fund, the only one that announces key 94
    /// (N. 2521); without it key 94 is refused.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=999))]
    pub swiss_fund: Option<u16>,
}

impl Source {
    pub fn name(&self) -> String {
        if self.is_stdin() {
            "standard input".into()
        } else {
            self.file.display().to_string()
        }
    }

    fn is_stdin(&self) -> bool {
        self.file.as_os_str() == "-"
    }

    /// Reads at most `max_bytes + 1` bytes, so that an oversize input is recognised without
    /// reading all of it.
    pub fn read(&self) -> Result<Vec<u8>, String> {
        let limit = self.max_bytes as u64 + 1;
        let mut bytes = Vec::new();
        let result = if self.is_stdin() {
            std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
        } else {
            std::fs::File::open(&self.file).and_then(|f| f.take(limit).read_to_end(&mut bytes))
        };
        result.map_err(|e| format!("{}: {e}", self.name()))?;
        Ok(bytes)
    }
}
