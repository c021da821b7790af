//! `arcgw validate [FILE|-]`: exit 0 all valid, 1 some invalid, 2 input unreadable / not JSON.

use chrono::NaiveDate;
use clap::Args as ClapArgs;

use super::input::Source;
use super::{Format, Status, today};
use crate::validate::{Destination, Intake, Validated, validate_json};

#[derive(Debug, ClapArgs)]
pub struct Args {
    #[command(flatten)]
    pub source: Source,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Validate as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_parser = super::workdays::date_arg)]
    pub today: Option<NaiveDate>,
}

/// Reads and validates the source; on unreadable input prints why and returns `Err(2)`.
pub(super) fn read_and_validate(
    source: &Source,
    today: NaiveDate,
    destination: Destination,
    command: &str,
) -> Result<Validated, Status> {
    let unreadable = |message: String| {
        eprintln!("arcgw {command}: {message}");
        Status::Unreadable
    };
    let bytes = source.read().map_err(unreadable)?;
    let intake = Intake::new(today, destination).with_swiss_fund(source.swiss_fund);
    validate_json(&bytes, source.max_bytes, &intake)
        .map_err(|e| unreadable(format!("{}: {e}", source.name())))
}

pub fn run(args: Args) -> Status {
    let validated = match read_and_validate(
        &args.source,
        today(args.today),
        Destination::Queue,
        "validate",
    ) {
        Ok(v) => v,
        Err(status) => return status,
    };
    let report = &validated.report;
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(report).expect("a report serialises")
        ),
        Format::Text => print!("{}", text(&args.source.name(), &validated)),
    }
    if report.valid {
        Status::Ok
    } else {
        Status::Invalid
    }
}

/// The report as lines a clerk reads: one per finding, then a summary.
pub(super) fn text(name: &str, validated: &Validated) -> String {
    let report = &validated.report;
    let announcements = validated.count;
    let mut out = String::new();
    for e in &report.errors {
        out.push_str(&format!("error   {e}\n"));
    }
    for w in &report.warnings {
        out.push_str(&format!("warning {w}\n"));
    }
    for (omitted, what) in [
        (report.errors_omitted, "errors"),
        (report.warnings_omitted, "warnings"),
    ] {
        if omitted > 0 {
            out.push_str(&format!("…       {omitted} more {what}, not listed\n"));
        }
    }
    let invalid: std::collections::BTreeSet<usize> =
        report.errors.iter().map(|e| e.index).collect();
    let verdict = if report.valid {
        "valid".to_string()
    } else if report.errors_omitted > 0 {
        format!("at least {} invalid", invalid.len())
    } else {
        format!("{} invalid", invalid.len())
    };
    let (errors, warnings) = (
        report.error_count(),
        report.warnings.len() + report.warnings_omitted,
    );
    out.push_str(&format!(
        "{name}: {announcements} announcement{}, {verdict}, {} error{}, {} warning{}\n",
        plural(announcements),
        errors,
        plural(errors),
        warnings,
        plural(warnings),
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
