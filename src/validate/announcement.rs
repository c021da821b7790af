//! Validating one announcement: every field against its rule, then the fields against the key
//! (annex 9), then the rules that tie fields together.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::calendar::{CalendarError, parse_iso_date};
use crate::domain::avs_number::AvsNumberError;
use crate::domain::collection::{closing_months_for, is_too_far_ahead, ordered_too_early};
use crate::domain::splitting::FIRST_YEAR;
use crate::domain::{
    Announcement, AvsNumber, Beneficiary, BirthDate, ClosingMonth, CollectionOrder, Domicile,
    FieldSet, FundNumber, KeyCode, KeyCodeError, Particulars, Person, PersonName, Reference, Sex,
    SpecialKey, SplitYear, SplittingOrder, StateCode,
};

use super::Intake;
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
const RCI_FIELDS: [&str; 6] = [
    "beneficiary",
    "closing",
    "order_date",
    "domicile",
    "event",
    "old_law",
];
/// The fields of the RCI block k–n that an RCI (71, 75, 79, 81, 85) must have.
const RCI_REQUIRED: [&str; 4] = ["beneficiary", "closing", "order_date", "domicile"];
const DOMICILE_FIELDS: &[&str] = &["code", "from", "to"];
const SPLITTING_FIELDS: &[&str] = &["spouse_avs_number", "years"];
const YEAR_FIELDS: &[&str] = &["year", "special"];

/// Reads one announcement; `None` when it has an error (all of them are in `findings`).
pub(crate) fn read(
    value: &Value,
    intake: &Intake,
    findings: &mut Findings,
) -> Option<Announcement> {
    let today = intake.today;
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
    let rci = top.get("rci").and_then(|v| rci(v, today, findings));
    let old_law = rci.as_ref().and_then(|r| r.old_law).unwrap_or(false);
    let key = top
        .integer("key", Rule::KeyCode, findings)
        .and_then(|code| key_code(code, old_law, findings));
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
    if key.fields() == FieldSet::Domicile
        && let Some(fund) = fund
    {
        swiss_fund_only(key, fund, intake.swiss_fund, findings);
    }
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

/// h. The key code: one in force (annex 1), or an old RCI key of annex 4 figure 1 when the RCI
/// block says the benefit is still fixed under the old law (annex 1, footnote).
fn key_code(code: i64, old_law: bool, findings: &mut Findings) -> Option<KeyCode> {
    match (KeyCode::new(code), old_law) {
        (Ok(key), false) => Some(key),
        (Ok(_), true) => {
            let e = KeyCode::old_law(code).expect_err("a key in force is no old RCI key");
            findings.error("rci.old_law", Rule::RetiredKey, e.to_string());
            None
        }
        (Err(KeyCodeError::Retired { .. }), true) if KeyCode::old_law(code).is_ok() => {
            KeyCode::old_law(code).ok()
        }
        (Err(e @ KeyCodeError::Retired { .. }), _) => {
            findings.error("key", Rule::RetiredKey, e.to_string());
            None
        }
        (Err(e), _) => {
            findings.error("key", Rule::KeyCode, e.to_string());
            None
        }
    }
}

/// N. 2521, annex 1: key 94 is for the Swiss compensation fund only. Which fund number that is
/// comes from the configuration (`[intake] swiss_compensation_fund`), never from a guess.
fn swiss_fund_only(
    key: KeyCode,
    fund: FundNumber,
    swiss_fund: Option<u16>,
    findings: &mut Findings,
) {
    match swiss_fund {
        None => findings.error(
            "key",
            Rule::SwissFundOnly,
            format!(
                "key {key} is for the Swiss compensation fund only, and this gateway is not told which fund that is: set [intake] swiss_compensation_fund in the configuration"
            ),
        ),
        Some(swiss) if swiss != fund.fund() => findings.error(
            "key",
            Rule::SwissFundOnly,
            format!(
                "key {key} is for the Swiss compensation fund (fund {swiss:03}) only, not fund {fund}"
            ),
        ),
        Some(_) => {}
    }
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
    /// The month of the insured event (N. 2701, 3116); not part of the ARC.
    event: Option<ClosingMonth>,
    /// The benefit is still fixed under the old law (annex 1, footnote).
    old_law: Option<bool>,
    /// Which fields were present, in the order of [`RCI_FIELDS`].
    present: [bool; 6],
}

impl RciParts {
    fn has(&self, field: &str) -> bool {
        RCI_FIELDS
            .iter()
            .position(|f| *f == field)
            .is_some_and(|i| self.present[i])
    }
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
        .and_then(|text| month(text, "rci.closing", Rule::ClosingDate, findings));
    parts.event = o
        .string("event", Rule::SixMonthsAhead, findings)
        .and_then(|text| month(text, "rci.event", Rule::SixMonthsAhead, findings));
    parts.old_law = o.boolean("old_law", Rule::RetiredKey, findings);
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

/// A month `YYYY-MM` from 1948 on.
fn month(text: &str, field: &str, rule: Rule, findings: &mut Findings) -> Option<ClosingMonth> {
    let month = text
        .split_once('-')
        .filter(|(y, m)| y.len() == 4 && m.len() == 2)
        .and_then(|(y, m)| ClosingMonth::new(y.parse().ok()?, m.parse().ok()?));
    if month.is_none() {
        findings.error(
            field,
            rule,
            format!("expected a month YYYY-MM from 1948 on, found {text:?}"),
        );
    }
    month
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

/// The splitting block as given: the spouse's number and, when present, the years.
struct SplittingParts {
    spouse: Option<AvsNumber>,
    years: Option<Vec<SplitYear>>,
    has_years: bool,
}

/// o. The splitting block (N. 3119, 2613); which of its fields the key needs is checked with the
/// key (95: both; 96: the spouse's number only).
fn splitting(value: &Value, today: NaiveDate, findings: &mut Findings) -> Option<SplittingParts> {
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
    Some(SplittingParts {
        spouse,
        years,
        has_years: o.has("years"),
    })
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
    splitting: Option<SplittingParts>,
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
        "rci" => matches!(
            fields,
            FieldSet::Collection | FieldSet::Domicile | FieldSet::CollectionRevocation
        ),
        "splitting" => matches!(fields, FieldSet::Splitting | FieldSet::SplittingRevocation),
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
        FieldSet::Collection => collection(key, parts.avs_number, parts.rci?, findings),
        FieldSet::Domicile => {
            let rci = parts.rci?;
            only_rci_fields(
                key,
                &rci,
                &["domicile"],
                "the domicile (annex 9 row 6; N. 2522 refers to N. 2712)",
                findings,
            );
            Some(Particulars::Domicile {
                avs_number: parts.avs_number?,
                domicile: rci.domicile?,
            })
        }
        FieldSet::CollectionRevocation => {
            let rci = parts.rci?;
            only_rci_fields(
                key,
                &rci,
                &["closing"],
                "the closing date of the RCI it revokes (annex 9 row 4; N. 2720: RCIs of one person differ by closing date)",
                findings,
            );
            Some(Particulars::CollectionRevocation {
                avs_number: parts.avs_number?,
                closing: rci.closing?,
            })
        }
        FieldSet::Splitting => {
            let avs_number = parts.avs_number?;
            let split = parts.splitting?;
            if !split.has_years {
                findings.error(
                    "splitting.years",
                    Rule::FieldsOfKey,
                    format!("required for key {key} (the years to split, annex 9 row 8)"),
                );
            }
            let spouse = other_spouse(avs_number, split.spouse?, findings)?;
            SplittingOrder::new(spouse, split.years?)
                .map(|order| Particulars::Splitting { avs_number, order })
        }
        FieldSet::SplittingRevocation => {
            let avs_number = parts.avs_number?;
            let split = parts.splitting?;
            if split.has_years {
                findings.error(
                    "splitting.years",
                    Rule::FieldsOfKey,
                    format!(
                        "key {key} carries only the spouse's number (annex 9 row 9), not the years"
                    ),
                );
                return None;
            }
            let spouse = other_spouse(avs_number, split.spouse?, findings)?;
            Some(Particulars::SplittingRevocation { avs_number, spouse })
        }
        // No key carries the order date alone since the annex 9 correction (rows 4–7c); only
        // announcements stored or sent before are read with it.
        FieldSet::Order => None,
    }
}

/// The RCI block k–n of an RCI (71, 75, 79, 81, 85; 73, 83, 77, 91 under the old law), with the
/// checks that tie its fields together.
fn collection(
    key: KeyCode,
    avs_number: Option<AvsNumber>,
    rci: RciParts,
    findings: &mut Findings,
) -> Option<Particulars> {
    for field in RCI_REQUIRED {
        if !rci.has(field) {
            findings.error(
                &format!("rci.{field}"),
                Rule::FieldsOfKey,
                format!("required for key {key} (RCI block k–n)"),
            );
        }
    }
    if let (Some(Beneficiary::Other(b)), Some(n)) = (rci.beneficiary, avs_number)
        && b == n
    {
        findings.error(
            "rci.beneficiary",
            Rule::Beneficiary,
            "the beneficiary is the insured person: write \"insured\"",
        );
    }
    match (rci.event, rci.closing, rci.order_date) {
        (Some(event), closing, order_date) => {
            // N. 2701: not more than 6 months in advance of the insured event.
            if let Some(order_date) = order_date
                && ordered_too_early(event, order_date)
            {
                findings.error("rci.order_date", Rule::SixMonthsAhead, format!("the order date {order_date} is more than six months before the insured event ({event}): an RCI cannot be made more than 6 months in advance"));
            }
            // N. 3116: the closing month follows from the event and the key.
            let allowed = closing_months_for(key, event);
            if let Some(closing) = closing
                && !allowed.contains(&closing)
            {
                let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                findings.error("rci.closing", Rule::ClosingDate, format!("for key {key} and an insured event in {event} the closing month is {}, not {closing}", allowed.join(" or ")));
            }
        }
        (None, Some(closing), Some(order_date)) if is_too_far_ahead(closing, order_date) => {
            findings.warn("rci.closing", Rule::SixMonthsAhead, format!("closing month {closing} is more than six months after the order date {order_date}; without rci.event (the month of the insured event) arcgw could not check that the RCI is made at most 6 months before the event (N. 2701), nor the closing month against the event (N. 3116)"));
        }
        (None, _, _) => {}
    }
    let order = CollectionOrder {
        beneficiary: rci.beneficiary?,
        closing: rci.closing?,
        order_date: rci.order_date?,
        domicile: rci.domicile?,
    };
    Some(Particulars::Collection {
        avs_number: avs_number?,
        order,
    })
}

/// The fields of the RCI block a key of group 4 carries: `allowed` required, any other refused.
fn only_rci_fields(
    key: KeyCode,
    rci: &RciParts,
    allowed: &[&str],
    what: &str,
    findings: &mut Findings,
) {
    for field in RCI_FIELDS {
        let wanted = allowed.contains(&field);
        if wanted && !rci.has(field) {
            findings.error(
                &format!("rci.{field}"),
                Rule::FieldsOfKey,
                format!("required for key {key}: it carries {what}"),
            );
        } else if !wanted && rci.has(field) {
            findings.error(
                &format!("rci.{field}"),
                Rule::FieldsOfKey,
                format!("key {key} carries only {what}"),
            );
        }
    }
}

/// N. 2601: an order per spouse, each naming the other.
fn other_spouse(
    avs_number: AvsNumber,
    spouse: AvsNumber,
    findings: &mut Findings,
) -> Option<AvsNumber> {
    if spouse == avs_number {
        findings.error("splitting.spouse_avs_number", Rule::OneOrderPerPerson, "the spouse's number is the insured person's own: one order per spouse, each naming the other");
        return None;
    }
    Some(spouse)
}

/// A hint for a block the key does not carry.
fn hint(key: KeyCode, block: &str) -> &'static str {
    match (block, key.fields()) {
        ("person", _) => "to correct personal data use key 15 or 25 (N. 1303)",
        ("rci", FieldSet::Splitting | FieldSet::SplittingRevocation) => {
            "a splitting order or its revocation carries the splitting block"
        }
        ("rci", FieldSet::Account) if key.group() == crate::domain::KeyGroup::Other => {
            "the keys 92, 93, 97 and 98 carry the AVS number only (annex 9 rows 5, 7a–c)"
        }
        ("rci", _) => {
            "the RCI block belongs to the keys 71, 75, 79, 81, 85, its domicile alone to 94 and its closing date alone to 99"
        }
        ("splitting", _) => "the splitting block belongs to the keys 95 and 96",
        _ => "leave it out",
    }
}
