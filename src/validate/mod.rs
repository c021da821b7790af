//! Validation: the announcement JSON of docs/api.md in, typed [`Announcement`]s and a [`Report`]
//! out. Every problem is reported at once, each with the announcement's index, the field, the
//! rule of the directives and a message for the fund's clerk.

mod announcement;
mod batch;
mod fields;
pub mod input;
pub mod report;
mod stream;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::Announcement;

pub use batch::Destination;
pub use input::{DEFAULT_MAX_BYTES, InputError};
pub use report::{Finding, MAX_LISTED, Report, Rule};

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

/// Reads and validates announcement JSON, as of `intake`. Each announcement is validated as soon as it is read and
/// its JSON dropped (memory stays near the size of the input, whatever its shape).
pub fn validate_json(
    bytes: &[u8],
    max_bytes: usize,
    intake: &Intake,
) -> Result<Validated, InputError> {
    let mut found = Found::default();
    stream::each_announcement(bytes, max_bytes, &mut |value| found.add(&value, intake))?;
    Ok(found.finish(intake.destination))
}

/// Validates announcements already read as JSON values, one per announcement. The report lists
/// the first [`MAX_LISTED`] errors and warnings and counts the others, so that its size is
/// bounded whatever the input.
pub fn validate_values(values: &[Value], intake: &Intake) -> Validated {
    let mut found = Found::default();
    for value in values {
        found.add(value, intake);
    }
    found.finish(intake.destination)
}

/// The announcements read so far, and their findings: at most [`MAX_LISTED`] of each kind
/// kept.
#[derive(Default)]
struct Found {
    read: Vec<(usize, Announcement)>,
    count: usize,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
    omitted: (usize, usize),
}

impl Found {
    /// Reads the next announcement.
    fn add(&mut self, value: &Value, intake: &Intake) {
        let index = self.count;
        self.count += 1;
        let mut findings = self.next(index);
        if let Some(a) = announcement::read(value, intake, &mut findings) {
            self.read.push((index, a));
        }
        self.keep(findings);
    }

    /// Checks the rules over the whole input, and reports.
    fn finish(mut self, destination: Destination) -> Validated {
        let mut findings = self.next(0);
        let refs: Vec<(usize, &Announcement)> = self.read.iter().map(|(i, a)| (*i, a)).collect();
        batch::check(&refs, destination, &mut findings);
        self.keep(findings);
        let report = Report::new(self.errors, self.warnings, self.omitted);
        let announcements = if report.valid {
            self.read.into_iter().map(|(_, a)| a).collect()
        } else {
            Vec::new()
        };
        Validated {
            announcements,
            report,
            count: self.count,
        }
    }

    /// The findings of announcement `index`, with the room left.
    fn next(&self, index: usize) -> fields::Findings {
        let room = (
            MAX_LISTED.saturating_sub(self.errors.len()),
            MAX_LISTED.saturating_sub(self.warnings.len()),
        );
        fields::Findings::within(index, room)
    }

    fn keep(&mut self, mut findings: fields::Findings) {
        self.errors.append(&mut findings.errors);
        self.warnings.append(&mut findings.warnings);
        self.omitted.0 += findings.omitted.0;
        self.omitted.1 += findings.omitted.1;
    }
}
