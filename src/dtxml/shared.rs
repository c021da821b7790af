//! Data-transfer types both message kinds use: the eCH `deliveryOffice` and the eCH-0044
//! partially known date of birth, with their conversions.

use serde::{Deserialize, Serialize};

use super::error::DtXmlError;
use super::lexical;
use super::path::At;
use crate::domain::{BirthDate, FundNumber};

/// a. The fund (`officeIdentifier`, 1–999) and agency (`branch`, 0–999), N. 3104.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryOfficeDto {
    pub office_identifier: String,
    pub branch: String,
}

impl DeliveryOfficeDto {
    pub fn from_domain(fund: FundNumber) -> Self {
        DeliveryOfficeDto {
            office_identifier: fund.fund().to_string(),
            branch: fund.agency().to_string(),
        }
    }

    pub fn to_domain(&self, at: &At) -> Result<FundNumber, DtXmlError> {
        lexical::fund(&self.office_identifier, &self.branch, at)
    }
}

/// f. The birth date, eCH-0044 `datePartiallyKnown` style: the full day, or only the year when
/// that is all that is known (N. 3112).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DateOfBirthDto {
    #[serde(rename = "$value")]
    pub precision: DatePrecisionDto,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum DatePrecisionDto {
    YearMonthDay(String),
    Year(String),
}

impl DateOfBirthDto {
    pub fn from_domain(date: BirthDate, at: &At) -> Result<Self, DtXmlError> {
        Ok(DateOfBirthDto {
            precision: match date {
                BirthDate::Day(day) => DatePrecisionDto::YearMonthDay(lexical::write_date(
                    day,
                    &at.child("yearMonthDay"),
                )?),
                BirthDate::Year(year) => {
                    DatePrecisionDto::Year(lexical::write_year(year, &at.child("year"))?)
                }
            },
        })
    }

    pub fn to_domain(&self, at: &At) -> Result<BirthDate, DtXmlError> {
        Ok(match &self.precision {
            DatePrecisionDto::YearMonthDay(text) => {
                BirthDate::Day(lexical::date(text, &at.child("yearMonthDay"))?)
            }
            DatePrecisionDto::Year(text) => {
                BirthDate::Year(lexical::year(text, &at.child("year"))?)
            }
        })
    }
}

/// The trailer check of the legacy lots: the declared count (`element`, text at `at`) must be
/// the number of items actually in the content.
pub(crate) fn check_count(
    declared: &str,
    at: &At,
    element: &'static str,
    what: &'static str,
    actual: usize,
) -> Result<(), DtXmlError> {
    let declared = lexical::unsigned(declared, at, 10, what)?;
    if usize::try_from(declared) != Ok(actual) {
        return Err(DtXmlError::CountMismatch {
            element,
            declared,
            actual,
        });
    }
    Ok(())
}
