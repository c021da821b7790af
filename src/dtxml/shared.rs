//! Data-transfer types several message kinds use: the eCH `deliveryOffice`, the eCH-0044
//! partially known date of birth, the domicile (n) and the splitting block (o), with their
//! conversions.

use serde::{Deserialize, Serialize};

use super::error::DtXmlError;
use super::lexical;
use super::path::At;
use crate::domain::{BirthDate, Domicile, FundNumber, SpecialKey, SplitYear, SplittingOrder};

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

/// The items `name` of a content (at `content`), each mapped with its own path
/// (`content/name[i]`): written from the domain or read into it, the first fault with its place.
pub(crate) fn each_item<T, U>(
    items: &[T],
    content: &At,
    name: &str,
    map: impl Fn(&T, &At) -> Result<U, DtXmlError>,
) -> Result<Vec<U>, DtXmlError> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| map(item, &content.item(name, i)))
        .collect()
}

/// A content's list read ([`each_item`]), then the trailer check of the legacy lots: the count
/// the content declares (`declared`, the text of its child `element`, which counts `what`)
/// must be the number of items actually in it.
pub(crate) fn read_counted<T, U>(
    items: &[T],
    content: &At,
    name: &str,
    (declared, element, what): (&str, &'static str, &'static str),
    map: impl Fn(&T, &At) -> Result<U, DtXmlError>,
) -> Result<Vec<U>, DtXmlError> {
    let read = each_item(items, content, name, map)?;
    let declared = lexical::unsigned(declared, &content.child(element), 10, what)?;
    if usize::try_from(declared) != Ok(read.len()) {
        return Err(DtXmlError::CountMismatch {
            element,
            declared,
            actual: read.len(),
        });
    }
    Ok(read)
}

/// n. The domicile code, and the period for code 1 (N. 3118).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct DomicileDto {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// n. The domicile code, with the period for code 1.
pub(crate) fn domicile_dto(domicile: Domicile, at: &At) -> Result<DomicileDto, DtXmlError> {
    let (from, to) = match domicile {
        Domicile::InSwitzerland { from, to } => (
            Some(lexical::write_date(from, &at.child("from"))?),
            Some(lexical::write_date(to, &at.child("to"))?),
        ),
        Domicile::NotInSwitzerland | Domicile::Convention => (None, None),
    };
    Ok(DomicileDto {
        code: domicile.code().to_string(),
        from,
        to,
    })
}

/// n. The domicile: code 1 with its period, 2 and 3 without (N. 3118).
pub(crate) fn domicile(dto: &DomicileDto, domicile_at: &At) -> Result<Domicile, DtXmlError> {
    let code = lexical::unsigned(
        &dto.code,
        &domicile_at.child("code"),
        1,
        "the domicile code",
    )?;
    Ok(match (code, &dto.from, &dto.to) {
        (1, Some(from), Some(to)) => Domicile::InSwitzerland {
            from: lexical::date(from, &domicile_at.child("from"))?,
            to: lexical::date(to, &domicile_at.child("to"))?,
        },
        (1, _, _) => {
            return Err(lexical::invalid(
                domicile_at,
                "code 1 (domiciled in Switzerland) needs the period: from and to (N. 3118)",
            ));
        }
        (2, None, None) => Domicile::NotInSwitzerland,
        (3, None, None) => Domicile::Convention,
        (2 | 3, _, _) => {
            return Err(lexical::invalid(
                domicile_at,
                "only code 1 (domiciled in Switzerland) has a period (N. 3118)",
            ));
        }
        _ => {
            return Err(lexical::invalid(
                &domicile_at.child("code"),
                "the domicile code is 1 (in Switzerland), 2 (not in Switzerland) or 3 (conventions with Germany, Finland, Norway) (N. 3118)",
            ));
        }
    })
}

/// o. The splitting block (N. 3119): of the transmission's key 95 and of the splitting notice.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SplittingDto {
    spouse_vn: String,
    #[serde(rename = "splitYear", default)]
    split_years: Vec<SplitYearDto>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SplitYearDto {
    calendar_year: String,
    /// N. 2613: 4 or 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    special_key: Option<String>,
}

pub(crate) fn splitting_dto(order: &SplittingOrder, at: &At) -> Result<SplittingDto, DtXmlError> {
    Ok(SplittingDto {
        spouse_vn: lexical::write_vn(order.spouse()),
        split_years: order
            .years()
            .iter()
            .enumerate()
            .map(|(i, y)| {
                Ok(SplitYearDto {
                    calendar_year: lexical::write_split_year(
                        y.year,
                        &at.item("splitYear", i).child("calendarYear"),
                    )?,
                    special_key: y.special.map(|k| k.code().to_string()),
                })
            })
            .collect::<Result<_, DtXmlError>>()?,
    })
}

/// o. The splitting block: the spouse's number and the years, each once (N. 3119, 2613).
pub(crate) fn splitting(dto: &SplittingDto, at: &At) -> Result<SplittingOrder, DtXmlError> {
    let spouse = lexical::vn(&dto.spouse_vn, &at.child("spouseVn"))?;
    let years = dto
        .split_years
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let year_at = at.item("splitYear", i);
            let special = y
                .special_key
                .as_deref()
                .map(|text| {
                    let key_at = year_at.child("specialKey");
                    let code = lexical::small(text, &key_at, 1, "a special key")?;
                    SpecialKey::new(i64::from(code)).ok_or_else(|| {
                        lexical::invalid(
                            &key_at,
                            "a special key is 4 (invalidity average) or 5 (already counted) (N. 2613)",
                        )
                    })
                })
                .transpose()?;
            Ok(SplitYear {
                year: lexical::split_year(&y.calendar_year, &year_at.child("calendarYear"))?,
                special,
            })
        })
        .collect::<Result<Vec<_>, DtXmlError>>()?;
    SplittingOrder::new(spouse, years).ok_or_else(|| {
        lexical::invalid(
            at,
            "the years to split are at least one, each named once (N. 3119)",
        )
    })
}
