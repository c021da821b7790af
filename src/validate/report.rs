//! The validation report: errors and warnings, each naming the announcement, the field and the
//! rule of the directives it enforces.

use serde::Serialize;
use std::fmt;

/// A rule of the directives (or of the security baseline, or of the system, or of the input format)
/// that a check enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The JSON shape of docs/api.md: types, required and unknown fields.
    InputFormat,
    /// N. 1201: 13 digits starting with 756.
    AvsFormat,
    /// N. 1202 and annex 8: the check digit.
    AvsCheckDigit,
    /// A rule of the system, not of the directives: each announcement is announced once, the
    /// fund's own reference (N. 3105) with the fund being its key in an environment. (N. 2104
    /// is about CI entries.)
    UniqueReference,
    /// N. 2521, annex 1: key 94 for the Swiss compensation fund only.
    SwissFundOnly,
    /// N. 2601, 2704: one order per person; the spouse is another person.
    OneOrderPerPerson,
    /// N. 2613: the special keys 4 and 5 of split years.
    SplitSpecialKey,
    /// N. 2701: an RCI is not ordered more than six months ahead.
    SixMonthsAhead,
    /// N. 2720: a revocation (99) names the RCI it revokes by its closing date.
    RevokedRci,
    /// N. 3101: corrections of personal data are accepted for some persons only.
    PersonalDataCorrection,
    /// N. 3102: a revocation and a new order for the same person go in separate transmissions.
    SeparateTransmissions,
    /// N. 3104: the fund/agency number.
    FundNumber,
    /// N. 3105: the fund's internal reference.
    Reference,
    /// N. 3107, 3108: the official name in 40 positions.
    Name,
    /// N. 3111: the sex.
    Sex,
    /// N. 3112: the birth date.
    BirthDate,
    /// N. 3113: the country of origin.
    Country,
    /// N. 3114 and annex 1: a key code in force.
    KeyCode,
    /// Annex 4: key codes no longer in force.
    RetiredKey,
    /// N. 3115: the beneficiary of the RCI.
    Beneficiary,
    /// N. 3116: the closing date of the CI.
    ClosingDate,
    /// N. 3117: the order date.
    OrderDate,
    /// N. 3118, 2712: the domicile in Switzerland.
    Domicile,
    /// N. 3119: the splitting block.
    Splitting,
    /// Annex 9: which fields a key needs.
    FieldsOfKey,
}

impl Rule {
    /// The reference as the directives write it.
    pub fn reference(self) -> &'static str {
        match self {
            Rule::InputFormat => "input format",
            Rule::AvsFormat => "N. 1201",
            Rule::AvsCheckDigit => "N. 1202",
            Rule::UniqueReference => "system rule (N. 3105)",
            Rule::SwissFundOnly => "N. 2521",
            Rule::OneOrderPerPerson => "N. 2601",
            Rule::SplitSpecialKey => "N. 2613",
            Rule::SixMonthsAhead => "N. 2701",
            Rule::RevokedRci => "N. 2720",
            Rule::PersonalDataCorrection => "N. 3101",
            Rule::SeparateTransmissions => "N. 3102",
            Rule::FundNumber => "N. 3104",
            Rule::Reference => "N. 3105",
            Rule::Name => "N. 3108",
            Rule::Sex => "N. 3111",
            Rule::BirthDate => "N. 3112",
            Rule::Country => "N. 3113",
            Rule::KeyCode => "N. 3114",
            Rule::RetiredKey => "annex 4",
            Rule::Beneficiary => "N. 3115",
            Rule::ClosingDate => "N. 3116",
            Rule::OrderDate => "N. 3117",
            Rule::Domicile => "N. 3118",
            Rule::Splitting => "N. 3119",
            Rule::FieldsOfKey => "annex 9",
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.reference())
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reference())
    }
}

/// One error or warning about one announcement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The announcement's position in the input, from 0.
    pub index: usize,
    /// A dotted path such as `person.birth_date` or `splitting.years.2.special`.
    pub field: String,
    pub rule: Rule,
    /// What is wrong, in words a fund's clerk understands.
    pub message: String,
}

/// The most errors a report lists, and apart the most warnings: the first found, in input
/// order; the others are only counted (`errors_omitted`, `warnings_omitted`), so that the answer
/// to a hostile input stays small.
pub const MAX_LISTED: usize = 1000;

/// The outcome of validating an input: valid when there is no error (warnings do not count).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub valid: bool,
    /// The first [`MAX_LISTED`] errors.
    pub errors: Vec<Finding>,
    /// The first [`MAX_LISTED`] warnings.
    pub warnings: Vec<Finding>,
    /// Errors found beyond those listed (written only when there are some: the report of
    /// docs/api.md stays as it was).
    #[serde(skip_serializing_if = "is_zero")]
    pub errors_omitted: usize,
    /// Warnings found beyond those listed (written only when there are some).
    #[serde(skip_serializing_if = "is_zero")]
    pub warnings_omitted: usize,
}

pub(crate) fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    /// The report of `errors` and `warnings` (each at most [`MAX_LISTED`]) and of `omitted`
    /// further errors and warnings.
    pub(crate) fn new(
        mut errors: Vec<Finding>,
        mut warnings: Vec<Finding>,
        omitted: (usize, usize),
    ) -> Self {
        errors.sort_by_key(|f| f.index);
        warnings.sort_by_key(|f| f.index);
        Report {
            valid: errors.is_empty() && omitted.0 == 0,
            errors,
            warnings,
            errors_omitted: omitted.0,
            warnings_omitted: omitted.1,
        }
    }

    /// How many errors were found, listed or not.
    pub fn error_count(&self) -> usize {
        self.errors.len() + self.errors_omitted
    }
}

impl fmt::Display for Finding {
    /// `#0 avs_number: check digit is 7, not 3 (N. 1202)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {}: {} ({})",
            self.index, self.field, self.message, self.rule
        )
    }
}
