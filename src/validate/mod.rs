//! Validation: the announcement JSON of CONTRACT.md in, typed [`Announcement`]s and a [`Report`]
//! out. Every problem is reported at once, each with the announcement's index, the field, the
//! rule of the directives and a message for the fund's clerk.

mod announcement;
mod batch;
mod fields;
pub mod input;
pub mod report;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::Announcement;

pub use batch::Destination;
pub use input::{DEFAULT_MAX_BYTES, InputError};
pub use report::{Finding, Report, Rule};

/// The outcome of validating an input.
#[derive(Debug)]
pub struct Validated {
    /// The announcements, in input order, when the input is valid; empty otherwise.
    pub announcements: Vec<Announcement>,
    pub report: Report,
    /// How many announcements the input held, valid or not.
    pub count: usize,
}

/// Reads and validates announcement JSON. `today` dates the checks against the future (birth
/// dates, order dates, split years).
pub fn validate_json(
    bytes: &[u8],
    max_bytes: usize,
    today: NaiveDate,
    destination: Destination,
) -> Result<Validated, InputError> {
    let values = input::read(bytes, max_bytes)?;
    Ok(validate_values(&values, today, destination))
}

/// Validates announcements already read as JSON values, one per announcement.
pub fn validate_values(values: &[Value], today: NaiveDate, destination: Destination) -> Validated {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut read = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let mut findings = fields::Findings::new(index);
        if let Some(a) = announcement::read(value, today, &mut findings) {
            read.push((index, a));
        }
        errors.append(&mut findings.errors);
        warnings.append(&mut findings.warnings);
    }
    let mut findings = fields::Findings::new(0);
    let refs: Vec<(usize, &Announcement)> = read.iter().map(|(i, a)| (*i, a)).collect();
    batch::check(&refs, destination, &mut findings);
    errors.append(&mut findings.errors);
    warnings.append(&mut findings.warnings);
    let report = Report::new(errors, warnings);
    let announcements = if report.valid {
        read.into_iter().map(|(_, a)| a).collect()
    } else {
        Vec::new()
    };
    Validated {
        announcements,
        report,
        count: values.len(),
    }
}
