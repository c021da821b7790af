//! Leaf values: how each simple type of the schema is written, and read back with the domain's
//! constructors. Reading errors carry the element path; they never echo an AVS number or a name.
//!
//! Lexical rules (the XSD patterns say the same): numbers, codes, dates, ids and booleans may
//! have XML white space around them (XSD collapses it for these types) and are written without;
//! numbers are plain digits (no sign); dates are `YYYY-MM-DD` with a year from 0001 to 9999, no
//! time zone; `messageDate` is `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds). Strings (the
//! reference, names, free texts) are taken exactly as they stand.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc};

use super::error::{DtXmlError, clip};
use super::limits::{first_illegal_char, is_xml_space};
use super::path::At;
use crate::domain::collection::ClosingMonth;
use crate::domain::splitting::FIRST_YEAR;
use crate::domain::{
    AvsNumber, FundNumber, KeyCode, MessageId, ParticipantId, PersonName, Reference, Sex, StateCode,
};

/// A value error at `at`; the message is clipped.
pub(crate) fn invalid(at: &At, message: impl ToString) -> DtXmlError {
    DtXmlError::Value {
        path: at.text(),
        message: clip(&message.to_string(), 200),
    }
}

/// A value the schema cannot carry.
pub(crate) fn not_writable(at: &At, reason: impl ToString) -> DtXmlError {
    DtXmlError::NotWritable {
        path: at.text(),
        reason: reason.to_string(),
    }
}

/// The value of a token-like type, without surrounding white space.
fn token(text: &str) -> &str {
    text.trim_matches(is_xml_space)
}

/// 1 to `max_digits` ASCII digits. `what` names the value in the error, which quotes at most a
/// few characters of the input.
pub(crate) fn unsigned(
    text: &str,
    at: &At,
    max_digits: usize,
    what: &str,
) -> Result<u64, DtXmlError> {
    let t = token(text);
    if (1..=max_digits).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        t.parse()
            .map_err(|_| invalid(at, format!("{what} is too large")))
    } else {
        Err(invalid(
            at,
            format!(
                "{what} is a number of 1 to {max_digits} digits, not {:?}",
                clip(t, 12)
            ),
        ))
    }
}

/// A small number: 1 to `max_digits` (at most 4) ASCII digits.
pub(crate) fn small(text: &str, at: &At, max_digits: usize, what: &str) -> Result<u16, DtXmlError> {
    let value = unsigned(text, at, max_digits.min(4), what)?;
    u16::try_from(value).map_err(|_| invalid(at, format!("{what} is too large")))
}

/// eCH-0044 `vn`: the 13-digit AVS number, checked (N. 1201, 1202, annex 8).
pub(crate) fn vn(text: &str, at: &At) -> Result<AvsNumber, DtXmlError> {
    let t = token(text);
    if t.len() != 13 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            at,
            format!(
                "an AVS number (vn) has 13 digits, this one has {} characters{}",
                t.chars().count(),
                if t.bytes().all(|b| b.is_ascii_digit()) {
                    ""
                } else {
                    " and not only digits"
                }
            ),
        ));
    }
    let value: u64 = t
        .parse()
        .map_err(|_| invalid(at, "an AVS number (vn) has 13 digits"))?;
    AvsNumber::from_digits(value).map_err(|e| invalid(at, e))
}

pub(crate) fn write_vn(n: AvsNumber) -> String {
    n.digits()
}

/// a. The fund and agency as eCH `deliveryOffice` (N. 3104).
pub(crate) fn fund(office: &str, branch: &str, at: &At) -> Result<FundNumber, DtXmlError> {
    let office_at = at.child("officeIdentifier");
    let fund = small(office, &office_at, 3, "a fund number")?;
    let agency = small(branch, &at.child("branch"), 3, "an agency number")?;
    FundNumber::new(fund, agency).map_err(|e| invalid(&office_at, e))
}

/// h. The key code (annex 1; retired codes of annex 4 are refused with their reason).
pub(crate) fn key_code(text: &str, at: &At) -> Result<KeyCode, DtXmlError> {
    let code = small(text, at, 2, "a key code")?;
    // Old RCI keys (annex 4, figure 1) are sent only for benefits fixed under the old law.
    KeyCode::from_register(i64::from(code)).map_err(|e| invalid(at, e))
}

/// b. The fund's reference (N. 3105), exactly as it stands: under the rules it was stored with
/// ([`Reference::stored`]), since the ZAS quotes back what the gateway sent.
pub(crate) fn reference(text: &str, at: &At) -> Result<Reference, DtXmlError> {
    Reference::stored(text).map_err(|e| invalid(at, e))
}

/// d. The official name (N. 3107–3110): the writer writes only fitted names, so a name that
/// has to be shortened is refused, and so is one not written the way fitting leaves it (single
/// spaces, none around; no `firstNames` element for `NN`). Read as the ZAS writes it
/// ([`PersonName::stored`]): a name of its register is not refused for its letters.
pub(crate) fn name(surname: &str, given: Option<&str>, at: &At) -> Result<PersonName, DtXmlError> {
    let (name, shortening) =
        PersonName::stored(surname, given.unwrap_or("")).map_err(|e| invalid(at, e))?;
    if !shortening.is_none() {
        return Err(invalid(
            at,
            "surname and given names are longer than 40 positions: the sender must shorten them (N. 3108)",
        ));
    }
    if name.surname() != surname || name.given_names() != given {
        return Err(invalid(
            at,
            "names are written with single spaces between words and none around them, and a person without given names has no firstNames element (N. 3110)",
        ));
    }
    Ok(name)
}

/// e. Sex: 1 male, 2 female (N. 3111).
pub(crate) fn sex(text: &str, at: &At) -> Result<Sex, DtXmlError> {
    let code = small(text, at, 1, "the sex")?;
    Sex::new(i64::from(code))
        .ok_or_else(|| invalid(at, "the sex is 1 (male) or 2 (female) (N. 3111)"))
}

/// g. The country of origin (N. 3113).
pub(crate) fn state_code(text: &str, at: &At) -> Result<StateCode, DtXmlError> {
    let code = small(text, at, 3, "a state code")?;
    StateCode::new(i64::from(code)).map_err(|e| invalid(at, e))
}

/// Exactly `n` ASCII digits.
fn digits(text: &str, n: usize) -> Option<u32> {
    (text.len() == n && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// `YYYY` from 0001 to 9999.
fn parse_year(text: &str) -> Option<i32> {
    digits(text, 4)
        .filter(|y| *y >= 1)
        .and_then(|y| i32::try_from(y).ok())
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    let (year, rest) = text.split_once('-')?;
    let (month, day) = rest.split_once('-')?;
    NaiveDate::from_ymd_opt(parse_year(year)?, digits(month, 2)?, digits(day, 2)?)
}

/// xs:date without time zone: `YYYY-MM-DD`.
pub(crate) fn date(text: &str, at: &At) -> Result<NaiveDate, DtXmlError> {
    let t = token(text);
    parse_date(t).ok_or_else(|| {
        invalid(
            at,
            format!(
                "a date is written YYYY-MM-DD (a day of the calendar, year 0001 to 9999), not {:?}",
                clip(t, 12)
            ),
        )
    })
}

fn writable_year(year: i32, at: &At) -> Result<(), DtXmlError> {
    if (1..=9999).contains(&year) {
        Ok(())
    } else {
        Err(not_writable(
            at,
            format!("the year {year} is outside 0001–9999"),
        ))
    }
}

pub(crate) fn write_date(date: NaiveDate, at: &At) -> Result<String, DtXmlError> {
    writable_year(date.year(), at)?;
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month(),
        date.day()
    ))
}

/// xs:gYear: `YYYY` (a birth year, N. 3112).
pub(crate) fn year(text: &str, at: &At) -> Result<i32, DtXmlError> {
    let t = token(text);
    parse_year(t).ok_or_else(|| {
        invalid(
            at,
            format!(
                "a year is written YYYY (0001 to 9999), not {:?}",
                clip(t, 12)
            ),
        )
    })
}

pub(crate) fn write_year(year: i32, at: &At) -> Result<String, DtXmlError> {
    writable_year(year, at)?;
    Ok(format!("{year:04}"))
}

/// o. A year to split: not before 1948, the first year of AVS contributions (N. 3119).
pub(crate) fn split_year(text: &str, at: &At) -> Result<i32, DtXmlError> {
    let year = year(text, at)?;
    if year < FIRST_YEAR {
        return Err(invalid(
            at,
            format!("a year to split is {FIRST_YEAR} or later, not {year} (N. 3119)"),
        ));
    }
    Ok(year)
}

pub(crate) fn write_split_year(year: i32, at: &At) -> Result<String, DtXmlError> {
    if year < FIRST_YEAR {
        return Err(not_writable(
            at,
            format!("a year to split is {FIRST_YEAR} or later, not {year} (N. 3119)"),
        ));
    }
    write_year(year, at)
}

/// l. The closing month, xs:gYearMonth `YYYY-MM` (N. 3116).
pub(crate) fn year_month(text: &str, at: &At) -> Result<ClosingMonth, DtXmlError> {
    let t = token(text);
    t.split_once('-')
        .and_then(|(y, m)| ClosingMonth::new(i32::try_from(digits(y, 4)?).ok()?, digits(m, 2)?))
        .ok_or_else(|| {
            invalid(
                at,
                format!(
                    "a closing month is written YYYY-MM, from 1948-01 to 9999-12, not {:?} (N. 3116)",
                    clip(t, 12)
                ),
            )
        })
}

pub(crate) fn write_year_month(month: ClosingMonth) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

/// `messageDate`: xs:dateTime in UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn date_time(text: &str, at: &At) -> Result<DateTime<Utc>, DtXmlError> {
    let t = token(text);
    let parsed = t
        .strip_suffix('Z')
        .and_then(|t| t.split_once('T'))
        .and_then(|(day, time)| {
            let mut parts = time.split(':');
            let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let time = NaiveTime::from_hms_opt(digits(h, 2)?, digits(m, 2)?, digits(s, 2)?)?;
            Some(parse_date(day)?.and_time(time).and_utc())
        });
    parsed.ok_or_else(|| {
        invalid(
            at,
            format!(
                "the message date is written YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds), not {:?}",
                clip(t, 30)
            ),
        )
    })
}

/// Whole seconds: the fraction is dropped (the domain's `MessageHeader::message_date`).
pub(crate) fn write_date_time(time: DateTime<Utc>, at: &At) -> Result<String, DtXmlError> {
    writable_year(time.year(), at)?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        // A leap second (second 59 with a fraction of 1 s or more) is written as second 59.
        time.second().min(59)
    ))
}

/// xs:boolean, written `true` or `false` only.
pub(crate) fn boolean(text: &str, at: &At) -> Result<bool, DtXmlError> {
    match token(text) {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(invalid(
            at,
            format!("expected true or false, not {:?}", clip(other, 12)),
        )),
    }
}

pub(crate) fn write_boolean(value: bool) -> String {
    value.to_string()
}

/// A value fixed by the schema for this message kind.
pub(crate) fn fixed(text: &str, at: &At, expected: &str) -> Result<(), DtXmlError> {
    let t = token(text);
    if t == expected {
        Ok(())
    } else {
        Err(invalid(
            at,
            format!("expected {expected:?}, found {:?}", clip(t, 20)),
        ))
    }
}

/// An xs:token of 1 to `max` characters (after collapsing white space).
pub(crate) fn bounded_token(text: &str, at: &At, max: usize) -> Result<(), DtXmlError> {
    let length = text
        .split(is_xml_space)
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().count() + 1)
        .sum::<usize>();
    let length = length.saturating_sub(1);
    if (1..=max).contains(&length) {
        Ok(())
    } else {
        Err(invalid(
            at,
            format!("expected 1 to {max} characters, found {length}"),
        ))
    }
}

/// A sedex message id (eCH-0090): 1 to 36 letters, digits and '-'.
pub(crate) fn message_id(text: &str, at: &At) -> Result<MessageId, DtXmlError> {
    MessageId::new(token(text)).map_err(|e| invalid(at, e))
}

/// A sedex participant id: `T?[1-9]-[0-9A-Z]+-[0-9]+`.
pub(crate) fn participant_id(text: &str, at: &At) -> Result<ParticipantId, DtXmlError> {
    ParticipantId::new(token(text)).map_err(|e| invalid(at, e))
}

/// A free text (an observation's text, the ZAS's instructions): written as it is, when XML 1.0
/// can carry every character of it.
pub(crate) fn write_text(text: &str, at: &At) -> Result<String, DtXmlError> {
    match first_illegal_char(text) {
        None => Ok(text.to_string()),
        Some((_, c)) => Err(not_writable(
            at,
            format!(
                "character U+{:04X} cannot be carried by XML 1.0",
                u32::from(c)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> At {
        At::root().child("x")
    }

    #[test]
    fn numbers() {
        assert_eq!(unsigned(" 66\n", &at(), 3, "n").unwrap(), 66);
        assert_eq!(unsigned("066", &at(), 3, "n").unwrap(), 66);
        for bad in ["", "+66", "-1", "1234", "6 6", "0x1"] {
            assert!(unsigned(bad, &at(), 3, "n").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn vn_errors_do_not_echo_the_number() {
        let e = vn("7561234567893", &at()).unwrap_err();
        assert_eq!(e.to_string(), "x: check digit is 7, not 3");
        let e = vn("75612345678", &at()).unwrap_err();
        assert!(!e.to_string().contains("75612345678"), "{e}");
        assert_eq!(
            vn(" 7561234567897 ", &at()).unwrap().value(),
            7_561_234_567_897
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date("2026-11-23", &at()).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        for bad in [
            "2026-02-30",
            "0000-01-01",
            "26-11-23",
            "2026-11-23Z",
            "+2026-11-23",
            "2026-1-23",
        ] {
            assert!(date(bad, &at()).is_err(), "{bad}");
        }
        let d = NaiveDate::from_ymd_opt(987, 1, 2).unwrap();
        assert_eq!(write_date(d, &at()).unwrap(), "0987-01-02");
        assert!(write_date(NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(), &at()).is_err());
        assert!(year("0000", &at()).is_err());
        assert_eq!(year("1963", &at()).unwrap(), 1963);
        assert!(split_year("1947", &at()).is_err());
    }

    #[test]
    fn date_times() {
        let t = date_time("2026-11-23T16:00:00Z", &at()).unwrap();
        assert_eq!(write_date_time(t, &at()).unwrap(), "2026-11-23T16:00:00Z");
        for bad in [
            "2026-11-23T16:00:00",
            "2026-11-23T16:00:00.5Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T16:00:60Z",
            "2026-11-23T16:00:00+01:00",
        ] {
            assert!(date_time(bad, &at()).is_err(), "{bad}");
        }
    }

    #[test]
    fn closing_months() {
        let m = year_month("2026-12", &at()).unwrap();
        assert_eq!(write_year_month(m), "2026-12");
        assert!(year_month("1947-12", &at()).is_err());
        assert!(year_month("2026-13", &at()).is_err());
    }

    #[test]
    fn names_must_be_written_fitted() {
        let n = name("Brunner", Some("Anton Hugo"), &at()).unwrap();
        assert_eq!(n.to_string(), "Brunner, Anton Hugo");
        assert_eq!(name("Brunner", None, &at()).unwrap().given_names(), None);
        assert!(name("Brunner", Some("NN"), &at()).is_err());
        assert!(name("Brunner", Some(""), &at()).is_err());
        assert!(name(" Brunner", None, &at()).is_err());
        assert!(name("Brunner", Some("Anton  Hugo"), &at()).is_err());
        let e = name(
            "Schwarzenbach-Hofstetter-Aebi",
            Some("Anton Hugo Maria"),
            &at(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("40 positions"), "{e}");
        assert!(!e.to_string().contains("Schwarzenbach"), "{e}");
    }

    #[test]
    fn tokens() {
        assert!(bounded_token(" arcgw ", &at(), 5).is_ok());
        assert!(bounded_token("a  b", &at(), 3).is_ok());
        assert!(bounded_token("", &at(), 3).is_err());
        assert!(bounded_token("abcd", &at(), 3).is_err());
        assert!(fixed(" 2011 ", &at(), "2011").is_ok());
        assert!(fixed("2012", &at(), "2011").is_err());
    }

    #[test]
    fn free_text() {
        assert_eq!(write_text(" a\r\n<b> ", &at()).unwrap(), " a\r\n<b> ");
        assert!(matches!(
            write_text("a\u{0}", &at()),
            Err(DtXmlError::NotWritable { .. })
        ));
    }
}
