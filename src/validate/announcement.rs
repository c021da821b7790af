//! Validating one announcement: every field against its rule, then the fields against the key
//! (annex 9), then the rules that tie fields together.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::calendar::{CalendarError, parse_iso_date};
use crate::domain::avs_number::AvsNumberError;
use crate::domain::collection::is_too_far_ahead;
use crate::domain::splitting::FIRST_YEAR;
use crate::domain::{
    Announcement, AvsNumber, Beneficiary, BirthDate, ClosingMonth, CollectionOrder, Domicile,
    FieldSet, FundNumber, KeyCode, KeyCodeError, Particulars, Person, PersonName, Reference, Sex,
    SpecialKey, SplitYear, SplittingOrder, StateCode,
};

use super::fields::{Findings, Object};
use super::report::Rule;

const FIELDS: &[&str] = &[
    "fund",
    "reference",
    "key",
    "avs_number",
    "person",
    "rci",
    "splitting",
];
const PERSON_FIELDS: &[&str] = &["surname", "given_names", "sex", "birth_date", "country"];
const RCI_FIELDS: [&str; 4] = ["beneficiary", "closing", "order_date", "domicile"];
const DOMICILE_FIELDS: &[&str] = &["code", "from", "to"];
const SPLITTING_FIELDS: &[&str] = &["spouse_avs_number", "years"];
const YEAR_FIELDS: &[&str] = &["year", "special"];

/// Reads one announcement; `None` when it has an error (all of them are in `findings`).
pub(crate) fn read(
    value: &Value,
    today: NaiveDate,
    findings: &mut Findings,
) -> Option<Announcement> {
    let top = Object::open(value, "", FIELDS, findings)?;
    let errors_before = findings.error_count();

    let fund = top
        .string("fund", Rule::FundNumber, findings)
        .and_then(|s| report(FundNumber::parse(s), "fund", Rule::FundNumber, findings));
    top.require(
        "fund",
        Rule::FundNumber,
        "(the fund and agency number NNN.NNN)",
        findings,
    );
    let reference = top
        .string("reference", Rule::Reference, findings)
        .and_then(|s| report(Reference::new(s), "reference", Rule::Reference, findings));
    top.require(
        "reference",
        Rule::Reference,
        "(the fund's own reference)",
        findings,
    );
    let key = top
        .integer("key", Rule::KeyCode, findings)
        .and_then(|code| match KeyCode::new(code) {
            Ok(key) => Some(key),
            Err(e @ KeyCodeError::Retired { .. }) => {
                findings.error("key", Rule::RetiredKey, e.to_string());
                None
            }
            Err(e) => {
                findings.error("key", Rule::KeyCode, e.to_string());
                None
            }
        });
    top.require(
        "key",
        Rule::KeyCode,
        "(the ARC key code of annex 1)",
        findings,
    );
    let avs_number = top
        .string("avs_number", Rule::AvsFormat, findings)
        .and_then(|s| avs(s, "avs_number", findings));

    let person = top.get("person").and_then(|v| person(v, today, findings));
    let rci = top.get("rci").and_then(|v| rci(v, today, findings));
    let splitting = top
        .get("splitting")
        .and_then(|v| splitting(v, today, findings));

    let key = key?;
    let particulars = particulars(
        key,
        &top,
        Parts {
            avs_number,
            person,
            rci,
            splitting,
        },
        findings,
    );
    if key.corrects_personal_data() {
        findings.warn(
            "key",
            Rule::PersonalDataCorrection,
            "the ZAS accepts corrections of personal data only for persons not yet in UPI or whose record did not come from Infostar, SIMIC, VERA or Ordipro",
        );
    }
    let (fund, reference, particulars) = (fund?, reference?, particulars?);
    if findings.error_count() > errors_before {
        return None;
    }
    Announcement::new(fund, reference, key, particulars).ok()
}

/// Turns a domain error into a finding on `field`.
fn report<T, E: std::fmt::Display>(
    result: Result<T, E>,
    field: &str,
    rule: Rule,
    findings: &mut Findings,
) -> Option<T> {
    result
        .map_err(|e| findings.error(field, rule, e.to_string()))
        .ok()
}

/// An AVS number, with the rule that its particular error breaks (N. 1201 or 1202).
fn avs(text: &str, field: &str, findings: &mut Findings) -> Option<AvsNumber> {
    match AvsNumber::parse(text) {
        Ok(n) => Some(n),
        Err(e) => {
            let rule = match e {
                AvsNumberError::CheckDigit { .. } => Rule::AvsCheckDigit,
                _ => Rule::AvsFormat,
            };
            findings.error(field, rule, e.to_string());
            None
        }
    }
}

/// Personal data d–g (N. 3107–3113).
fn person(value: &Value, today: NaiveDate, findings: &mut Findings) -> Option<Person> {
    let o = Object::open(value, "person", PERSON_FIELDS, findings)?;
    let surname = o.string("surname", Rule::Name, findings);
    o.require("surname", Rule::Name, "(the official surname)", findings);
    let given = o.string("given_names", Rule::Name, findings).unwrap_or("");
    let name = surname.and_then(|s| match PersonName::fit(s, given) {
        Ok((name, shortening)) => {
            if !shortening.is_none() {
                findings.warn(
                    "person.given_names",
                    Rule::Name,
                    format!(
                        "longer than 40 positions: sent as \"{name}\" ({} given names abbreviated, {} left out)",
                        shortening.abbreviated, shortening.left_out
                    ),
                );
            }
            Some(name)
        }
        Err(e) => {
            findings.error(&format!("person.{}", e.field()), Rule::Name, e.to_string());
            None
        }
    });
    let sex = o.integer("sex", Rule::Sex, findings).and_then(|code| {
        let sex = Sex::new(code);
        if sex.is_none() {
            findings.error(
                "person.sex",
                Rule::Sex,
                format!("1 (male) or 2 (female), not {code}"),
            );
        }
        sex
    });
    o.require("sex", Rule::Sex, "(1 male, 2 female)", findings);
    let birth_date = o
        .string("birth_date", Rule::BirthDate, findings)
        .and_then(|text| birth_date(text, today, findings));
    o.require(
        "birth_date",
        Rule::BirthDate,
        "(YYYY-MM-DD, or YYYY when only the year is known)",
        findings,
    );
    let country = o.integer("country", Rule::Country, findings).and_then(|code| {
        let country = report(StateCode::new(code), "person.country", Rule::Country, findings)?;
        if country.is_historic() {
            findings.warn(
                "person.country",
                Rule::Country,
                format!("{country} ({}) is a state that no longer exists; accepted as the country of origin", country.name()),
            );
        }
        Some(country)
    });
    o.require(
        "country",
        Rule::Country,
        "(the state code, 100 for Switzerland)",
        findings,
    );
    Some(Person {
        name: name?,
        sex: sex?,
        birth_date: birth_date?,
        country: country?,
    })
}

/// N. 3112: `YYYY-MM-DD`, or `YYYY` when only the year is known; a real date, not in the future.
fn birth_date(text: &str, today: NaiveDate, findings: &mut Findings) -> Option<BirthDate> {
    const FIELD: &str = "person.birth_date";
    let date = if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
        BirthDate::Year(text.parse().ok()?)
    } else {
        match parse_iso_date(text) {
            Ok(d) => BirthDate::Day(d),
            Err(CalendarError::NotIsoDate { .. }) => {
                findings.error(
                    FIELD,
                    Rule::BirthDate,
                    format!(
                        "expected YYYY-MM-DD, or YYYY when only the year is known, found {text:?}"
                    ),
                );
                return None;
            }
            Err(e) => {
                findings.error(FIELD, Rule::BirthDate, e.to_string());
                return None;
            }
        }
    };
    if !date.is_plausible(today) {
        findings.error(
            FIELD,
            Rule::BirthDate,
            format!("{date} is in the future or before 1870"),
        );
        return None;
    }
    Some(date)
}

/// The RCI block k–n as given; each part `None` when absent or wrong.
#[derive(Default)]
struct RciParts {
    beneficiary: Option<Beneficiary>,
    closing: Option<ClosingMonth>,
    order_date: Option<NaiveDate>,
    domicile: Option<Domicile>,
    /// Which of the four fields were present, in the order of [`RCI_FIELDS`].
    present: [bool; 4],
}

fn rci(value: &Value, today: NaiveDate, findings: &mut Findings) -> Option<RciParts> {
    let o = Object::open(value, "rci", &RCI_FIELDS, findings)?;
    let mut parts = RciParts {
        present: RCI_FIELDS.map(|f| o.has(f)),
        ..RciParts::default()
    };
    parts.beneficiary = o
        .string("beneficiary", Rule::Beneficiary, findings)
        .and_then(|text| match text {
            "insured" => Some(Beneficiary::Insured),
            number => avs(number, "rci.beneficiary", findings).map(Beneficiary::Other),
        });
    parts.closing = o
        .string("closing", Rule::ClosingDate, findings)
        .and_then(|text| {
            let month = text
                .split_once('-')
                .filter(|(y, m)| y.len() == 4 && m.len() == 2)
                .and_then(|(y, m)| ClosingMonth::new(y.parse().ok()?, m.parse().ok()?));
            if month.is_none() {
                findings.error(
                    "rci.closing",
                    Rule::ClosingDate,
                    format!("expected a month YYYY-MM from 1948 on, found {text:?}"),
                );
            }
            month
        });
    parts.order_date = o
        .date("order_date", Rule::OrderDate, findings)
        .and_then(|date| {
            if date > today {
                findings.error(
                    "rci.order_date",
                    Rule::OrderDate,
                    format!(
                        "{date} is in the future: the order date is the day the fund gave the order"
                    ),
                );
                return None;
            }
            Some(date)
        });
    parts.domicile = o.get("domicile").and_then(|v| domicile(v, findings));
    Some(parts)
}

/// n. Domicile: code 1 with its period, 2 or 3 without (N. 3118, 2712).
fn domicile(value: &Value, findings: &mut Findings) -> Option<Domicile> {
    let o = Object::open(value, "rci.domicile", DOMICILE_FIELDS, findings)?;
    let code = o.integer("code", Rule::Domicile, findings);
    o.require(
        "code",
        Rule::Domicile,
        "(1 domiciled in Switzerland from–to, 2 not domiciled, 3 conventions)",
        findings,
    );
    let from = o.date("from", Rule::Domicile, findings);
    let to = o.date("to", Rule::Domicile, findings);
    match code? {
        1 => {
            o.require(
                "from",
                Rule::Domicile,
                "with code 1 (the start of the domicile in Switzerland)",
                findings,
            );
            o.require(
                "to",
                Rule::Domicile,
                "with code 1 (the end of the domicile in Switzerland)",
                findings,
            );
            let (from, to) = (from?, to?);
            if from > to {
                findings.error(
                    "rci.domicile.to",
                    Rule::Domicile,
                    format!("the domicile ends ({to}) before it starts ({from})"),
                );
                return None;
            }
            Some(Domicile::InSwitzerland { from, to })
        }
        code @ (2 | 3) => {
            for field in ["from", "to"] {
                if o.has(field) {
                    findings.error(
                        &o.path_of(field),
                        Rule::Domicile,
                        format!("only code 1 has a period; code {code} has none"),
                    );
                }
            }
            Some(if code == 2 {
                Domicile::NotInSwitzerland
            } else {
                Domicile::Convention
            })
        }
        other => {
            findings.error(
                "rci.domicile.code",
                Rule::Domicile,
                format!("1, 2 or 3, not {other}"),
            );
            None
        }
    }
}

/// o. The splitting block (N. 3119, 2613).
fn splitting(
    value: &Value,
    today: NaiveDate,
    findings: &mut Findings,
) -> Option<(AvsNumber, Vec<SplitYear>)> {
    let o = Object::open(value, "splitting", SPLITTING_FIELDS, findings)?;
    let spouse = o
        .string("spouse_avs_number", Rule::Splitting, findings)
        .and_then(|s| avs(s, "splitting.spouse_avs_number", findings));
    o.require(
        "spouse_avs_number",
        Rule::Splitting,
        "(the spouse's 13-digit AVS number)",
        findings,
    );
    o.require("years", Rule::Splitting, "(the years to split)", findings);
    let years = match o.get("years") {
        None => None,
        Some(Value::Array(items)) if items.is_empty() => {
            findings.error(
                "splitting.years",
                Rule::Splitting,
                "at least one year to split",
            );
            None
        }
        Some(Value::Array(items)) => {
            let errors_before = findings.error_count();
            let mut years = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(y) = split_year(item, &format!("splitting.years.{i}"), today, findings)
                {
                    if years.iter().any(|seen: &SplitYear| seen.year == y.year) {
                        findings.error(
                            &format!("splitting.years.{i}.year"),
                            Rule::Splitting,
                            format!("{} is listed twice", y.year),
                        );
                    }
                    years.push(y);
                }
            }
            (findings.error_count() == errors_before).then_some(years)
        }
        Some(other) => {
            findings.error(
                "splitting.years",
                Rule::InputFormat,
                format!(
                    "expected an array of years, found {}",
                    super::input::json_kind(other)
                ),
            );
            None
        }
    };
    Some((spouse?, years?))
}

fn split_year(
    value: &Value,
    path: &str,
    today: NaiveDate,
    findings: &mut Findings,
) -> Option<SplitYear> {
    let o = Object::open(value, path, YEAR_FIELDS, findings)?;
    o.require("year", Rule::Splitting, "(a calendar year)", findings);
    let year = o.integer("year", Rule::Splitting, findings).and_then(|y| {
        let ok = (i64::from(FIRST_YEAR)..=i64::from(today.year())).contains(&y);
        if !ok {
            findings.error(
                &o.path_of("year"),
                Rule::Splitting,
                format!("{y} is not a year from {FIRST_YEAR} to {}", today.year()),
            );
        }
        ok.then_some(y as i32)
    });
    let special = match o.integer("special", Rule::SplitSpecialKey, findings) {
        None if o.has("special") => return None,
        None => None,
        Some(code) => match SpecialKey::new(code) {
            Some(k) => Some(k),
            None => {
                findings.error(&o.path_of("special"), Rule::SplitSpecialKey, format!("4 (invalidity pension years) or 5 (already counted for a pension), not {code}"));
                return None;
            }
        },
    };
    Some(SplitYear {
        year: year?,
        special,
    })
}

/// The parts of an announcement as read, before they are checked against the key.
struct Parts {
    avs_number: Option<AvsNumber>,
    person: Option<Person>,
    rci: Option<RciParts>,
    splitting: Option<(AvsNumber, Vec<SplitYear>)>,
}

/// Annex 9: the key decides which blocks are required and which may not be there.
fn particulars(
    key: KeyCode,
    top: &Object<'_>,
    parts: Parts,
    findings: &mut Findings,
) -> Option<Particulars> {
    let fields = key.fields();
    let needs = |block: &str| match block {
        "avs_number" => fields != FieldSet::Certificate,
        "person" => fields == FieldSet::Certificate,
        "rci" => matches!(fields, FieldSet::Collection | FieldSet::Order),
        "splitting" => fields == FieldSet::Splitting,
        _ => false,
    };
    let mut complete = true;
    for block in ["avs_number", "person", "rci", "splitting"] {
        let has = top.has(block);
        if needs(block) && !has {
            findings.error(
                block,
                Rule::FieldsOfKey,
                format!("required for key {key} ({})", key.info().reason),
            );
            complete = false;
        } else if !needs(block) && has && block != "avs_number" {
            findings.error(
                block,
                Rule::FieldsOfKey,
                format!("key {key} carries no {block} block; {}", hint(key, block)),
            );
            complete = false;
        }
    }
    if !complete {
        return None;
    }
    match fields {
        FieldSet::Certificate => Some(Particulars::Certificate {
            avs_number: parts.avs_number,
            person: parts.person?,
        }),
        FieldSet::Account => Some(Particulars::Account {
            avs_number: parts.avs_number?,
        }),
        FieldSet::Collection => {
            let rci = parts.rci?;
            for (i, field) in RCI_FIELDS.iter().enumerate() {
                if !rci.present[i] {
                    findings.error(
                        &format!("rci.{field}"),
                        Rule::FieldsOfKey,
                        format!("required for key {key} (RCI block k–n)"),
                    );
                }
            }
            if let (Some(Beneficiary::Other(b)), Some(n)) = (rci.beneficiary, parts.avs_number)
                && b == n
            {
                findings.error(
                    "rci.beneficiary",
                    Rule::Beneficiary,
                    "the beneficiary is the insured person: write \"insured\"",
                );
            }
            if let (Some(closing), Some(order_date)) = (rci.closing, rci.order_date)
                && is_too_far_ahead(closing, order_date)
            {
                findings.error("rci.closing", Rule::SixMonthsAhead, format!("closing month {closing} is more than six months after the order date {order_date}: an RCI may not be ordered more than six months ahead"));
            }
            let avs_number = parts.avs_number?;
            let order = CollectionOrder {
                beneficiary: rci.beneficiary?,
                closing: rci.closing?,
                order_date: rci.order_date?,
                domicile: rci.domicile?,
            };
            Some(Particulars::Collection { avs_number, order })
        }
        FieldSet::Order => {
            let rci = parts.rci?;
            for (i, field) in RCI_FIELDS.iter().enumerate() {
                if *field == "order_date" && !rci.present[i] {
                    findings.error(
                        "rci.order_date",
                        Rule::FieldsOfKey,
                        format!("required for key {key}"),
                    );
                } else if *field != "order_date" && rci.present[i] {
                    findings.error(
                        &format!("rci.{field}"),
                        Rule::FieldsOfKey,
                        format!("key {key} carries only the order date"),
                    );
                }
            }
            Some(Particulars::Order {
                avs_number: parts.avs_number?,
                order_date: rci.order_date?,
            })
        }
        FieldSet::Splitting => {
            let avs_number = parts.avs_number?;
            let (spouse, years) = parts.splitting?;
            if spouse == avs_number {
                findings.error("splitting.spouse_avs_number", Rule::OneOrderPerPerson, "the spouse's number is the insured person's own: one order per spouse, each naming the other");
                return None;
            }
            SplittingOrder::new(spouse, years)
                .map(|order| Particulars::Splitting { avs_number, order })
        }
    }
}

/// A hint for a block the key does not carry.
fn hint(key: KeyCode, block: &str) -> &'static str {
    match (block, key.fields()) {
        ("person", _) => "to correct personal data use key 15 or 25 (N. 1303)",
        ("rci", FieldSet::Splitting) => "a splitting order carries the splitting block",
        ("rci", _) => {
            "the RCI block belongs to the keys 71, 75, 79, 81, 85 and the order date to 92–94, 97–99"
        }
        ("splitting", _) => "the splitting block belongs to the keys 95 and 96",
        _ => "leave it out",
    }
}
