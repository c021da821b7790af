//! The `arcgw` command line (docs/api.md): a thin layer that reads arguments and input, calls the
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
    /// Who runs the command, as the audit log records it (default: ARCGW_OPERATOR, SUDO_USER,
    /// USER or LOGNAME). Commands that change data or write the audit log refuse to run when
    /// nobody is named.
    #[arg(long, global = true, value_name = "NAME")]
    operator: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate announcements (JSON) against the directives; exit 0 valid, 1 invalid, 2 unreadable.
    Validate(validate::Args),
    /// Print arcgw's DT XML of one transmission holding the given valid announcements.
    ///
    /// The format is arcgw's own (schemas/arc-*.xsd, in the style of the ZAS's DT messages):
    /// the ZAS's content schemas are not public, so this is not the official schema.
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
    /// sedex receipts: those that matched no transmission.
    #[command(subcommand)]
    Receipts(transmission::ReceiptCommand),
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
    /// The JSON report of docs/api.md.
    Json,
}

/// The status `arcgw` exits with, per docs/api.md.
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

impl Command {
    /// Whether the command changes data or writes the audit log: it needs a known operator.
    fn is_audited(&self) -> bool {
        matches!(
            self,
            Command::Token(_)
                | Command::User(_)
                | Command::Audit(_)
                | Command::Transmission(_)
                | Command::Acknowledgements(_)
                | Command::Receipts(_)
                | Command::Backup(_)
                | Command::Restore(_)
                | Command::Purge(_)
                | Command::Letter(_)
        )
    }
}

/// Runs the command line; the binary's `main` is this call.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    daemon::set_operator(cli.operator);
    // Annex 2.5: an audited command is attributed to a person, never to `unknown`.
    if cli.command.is_audited() && daemon::operator().is_none() {
        eprintln!(
            "arcgw: who runs this command is unknown (none of ARCGW_OPERATOR, SUDO_USER, USER, \
             LOGNAME is set): pass --operator NAME; the audit log records every change under \
             the operator's name (annex 2.5)"
        );
        return Status::Invalid.into();
    }
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
        Command::Receipts(command) => transmission::run_receipts(command),
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
