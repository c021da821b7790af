//! The `arcgw` command line (CONTRACT.md): a thin layer that reads arguments and input, calls the
//! library and turns outcomes into text and exit statuses.

mod audit;
mod avs;
mod backup;
mod daemon;
mod demo;
mod input;
mod letter;
mod plans;
mod purge;
mod reminders;
mod render;
mod token;
mod transmission;
mod user;
mod validate;
mod workdays;
mod zas_sim;

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

/// Exchanges ARC announcements between Swiss AVS compensation funds and the ZAS.
#[derive(Debug, Parser)]
#[command(name = "arcgw", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate announcements (JSON) against the directives; exit 0 valid, 1 invalid, 2 unreadable.
    Validate(validate::Args),
    /// Print the DT XML of one transmission holding the given valid announcements.
    Render(render::Args),
    /// AVS numbers.
    #[command(subcommand)]
    Avs(avs::Command),
    /// ZAS working days (Geneva calendar).
    #[command(subcommand)]
    Workdays(workdays::Command),
    /// Run the daemon: HTTP API for the funds, operators' endpoints.
    Serve(daemon::ConfigArg),
    /// The funds' API tokens.
    #[command(subcommand)]
    Token(token::Command),
    /// People's accounts: create (the first responsible one too), list, block, unblock,
    /// reset-password, compromised, remove.
    #[command(subcommand)]
    User(user::Command),
    /// Read and export the audit log.
    Audit(audit::Args),
    /// Transmissions to the ZAS: list, show (or print as sent), resume a failed one.
    #[command(subcommand)]
    Transmission(transmission::Command),
    /// Acknowledgements of the ZAS: entries that matched no announcement.
    #[command(subcommand)]
    Acknowledgements(transmission::AcknowledgementCommand),
    /// The whole path on loopback: simulator, gateway, submissions, states (the main job).
    Demo(demo::Args),
    /// The ZAS simulator (TLS server) used by tests and the demo.
    ZasSim(zas_sim::Args),
    /// Back up the database into a new file and check the copy (annex 2.6).
    Backup(backup::Args),
    /// Restore a backup into an empty database and check it (annex 2.6).
    Restore(backup::Args),
    /// Remove the persons' data of announcements closed longer than the retention (annex 2.7).
    Purge(purge::Args),
    /// Reminders of N. 3401: the announcements a fund must write to the ZAS about.
    #[command(subcommand)]
    Reminders(reminders::Command),
    /// The letter of a fund and day to the ZAS's ARC control office (N. 3401, 3402).
    Letter(letter::Args),
    /// The query plans of the engine's hot statements on this database, checked (exit 1 when
    /// one reads a whole table or its bound rows again per row).
    Plans(plans::Args),
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Readable text.
    #[default]
    Text,
    /// The JSON report of CONTRACT.md.
    Json,
}

/// The status `arcgw` exits with, per CONTRACT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok = 0,
    Invalid = 1,
    Unreadable = 2,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// The date validation counts as today: `--today`, or today in Geneva.
fn today(given: Option<NaiveDate>) -> NaiveDate {
    use crate::clock::{Clock, SystemClock};
    given.unwrap_or_else(|| SystemClock.today())
}

/// Runs the command line; the binary's `main` is this call.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Render(args) => render::run(args),
        Command::Avs(command) => avs::run(command),
        Command::Workdays(command) => workdays::run(command),
        Command::Serve(config) => daemon::serve(config),
        Command::Token(command) => token::run(command),
        Command::User(command) => user::run(command),
        Command::Audit(args) => audit::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Transmission(command) => transmission::run(command),
        Command::Acknowledgements(command) => transmission::run_acknowledgements(command),
        Command::ZasSim(args) => zas_sim::run(args),
        Command::Backup(args) => backup::run_backup(args),
        Command::Restore(args) => backup::run_restore(args),
        Command::Purge(args) => purge::run(args),
        Command::Reminders(command) => reminders::run(command),
        Command::Letter(args) => letter::run(args),
        Command::Plans(args) => plans::run(args),
    };
    status.into()
}
