//! `arcgw avs check NUMBER`: exit 0 valid, 1 invalid, with the reason.

use clap::Subcommand;

use super::Status;
use crate::domain::AvsNumber;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an AVS number (dots optional): country prefix and check digit (annex 8).
    Check {
        /// The number, e.g. 756.1234.5678.97 or 7561234567897.
        number: String,
    },
}

pub fn run(command: Command) -> Status {
    match command {
        Command::Check { number } => match AvsNumber::parse(&number) {
            Ok(n) => {
                println!("{n}: valid");
                Status::Ok
            }
            Err(e) => {
                println!("{}: invalid: {e}", number.trim());
                Status::Invalid
            }
        },
    }
}
