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

/// What validation needs besides the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Intake {
    /// Dates the checks against the future (birth dates, order dates, split years).
    pub today: NaiveDate,
    pub destination: Destination,
    /// The fund number (1–999) of the Swiss compensation fund, the only one that announces key
    /// 94 (N. 2521, annex 1); from the configuration, `None` when it is not set (then 94 is
    /// refused, saying so).
    pub swiss_fund: Option<u16>,
}

impl Intake {
    /// Validation as of `today` for `destination`, without the Swiss fund's number.
    pub fn new(today: NaiveDate, destination: Destination) -> Self {
        Intake {
            today,
            destination,
            swiss_fund: None,
        }
    }

    /// The same, knowing the Swiss compensation fund's number.
    pub fn with_swiss_fund(self, swiss_fund: Option<u16>) -> Self {
        Intake { swiss_fund, ..self }
    }
}

/// Reads and validates announcement JSON.
pub fn validate_json(
    bytes: &[u8],
    max_bytes: usize,
    intake: &Intake,
) -> Result<Validated, InputError> {
    let values = input::read(bytes, max_bytes)?;
    Ok(validate_values(&values, intake))
}

/// Validates announcements already read as JSON values, one per announcement.
pub fn validate_values(values: &[Value], intake: &Intake) -> Validated {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut read = Vec::with_capacity(values.len());
    for (index, value) in values.iter().enumerate() {
        let mut findings = fields::Findings::new(index);
        if let Some(a) = announcement::read(value, intake, &mut findings) {
            read.push((index, a));
        }
        errors.append(&mut findings.errors);
        warnings.append(&mut findings.warnings);
    }
    let mut findings = fields::Findings::new(0);
    let refs: Vec<(usize, &Announcement)> = read.iter().map(|(i, a)| (*i, a)).collect();
    batch::check(&refs, intake.destination, &mut findings);
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
