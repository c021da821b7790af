//! Every rule the validator enforces, one case at least each: a valid announcement is broken in
//! one place and the report must name the field and the rule. Removing any rule fails a case.

use arcgw::validate::{Destination, Intake, Report, validate_values};
use chrono::NaiveDate;
use serde_json::{Value, json};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The fund number of the Swiss compensation fund in these tests' configuration.
const SWISS_FUND: u16 = 25;

fn report(values: Vec<Value>, destination: Destination) -> Report {
    let intake = Intake::new(today(), destination).with_swiss_fund(Some(SWISS_FUND));
    validate_values(&values, &intake).report
}

fn rci_81() -> Value {
    json!({"fund": "066.000", "reference": "R-81", "key": 81, "avs_number": "756.1234.5678.97",
           "rci": {"beneficiary": "insured", "closing": "2026-12", "order_date": "2026-11-20",
                   "domicile": {"code": 1, "from": "1985-01-01", "to": "2026-12-31"}}})
}

fn certificate_21() -> Value {
    json!({"fund": "066.000", "reference": "R-21", "key": 21, "avs_number": "756.5260.1815.91",
           "person": {"surname": "Brunner", "given_names": "Anton Hugo", "sex": 1,
                      "birth_date": "1963-04-12", "country": 100}})
}

fn splitting_95() -> Value {
    json!({"fund": "066.000", "reference": "R-95", "key": 95, "avs_number": "756.5432.3194.87",
           "splitting": {"spouse_avs_number": "756.9217.0769.85",
                         "years": [{"year": 1996}, {"year": 1997, "special": 4}]}})
}

fn revocation_99() -> Value {
    json!({"fund": "066.000", "reference": "R-99", "key": 99, "avs_number": "756.1234.5678.97",
           "rci": {"closing": "2026-12"}})
}

fn extracts(key: u8) -> Value {
    json!({"fund": "066.000", "reference": format!("R-{key}"), "key": key,
           "avs_number": "756.1234.5678.97"})
}

fn convention_94() -> Value {
    json!({"fund": "025.000", "reference": "R-94", "key": 94, "avs_number": "756.1234.5678.97",
           "rci": {"domicile": {"code": 3}}})
}

fn revocation_96() -> Value {
    json!({"fund": "066.000", "reference": "R-96", "key": 96, "avs_number": "756.5432.3194.87",
           "splitting": {"spouse_avs_number": "756.9217.0769.85"}})
}

fn old_law_73() -> Value {
    json!({"fund": "066.000", "reference": "R-73", "key": 73, "avs_number": "756.1234.5678.97",
           "rci": {"beneficiary": "insured", "closing": "2026-10", "order_date": "2026-11-20",
                   "domicile": {"code": 2}, "old_law": true}})
}

fn account_61() -> Value {
    json!({"fund": "066.000", "reference": "R-61", "key": 61, "avs_number": "756.1860.9139.07"})
}

/// Sets `path` (dotted; array indices as numbers) in `value`; `Value::Null` removes it.
fn with(mut value: Value, path: &str, new: Value) -> Value {
    let parts: Vec<&str> = path.split('.').collect();
    let mut cursor = &mut value;
    for part in &parts[..parts.len() - 1] {
        cursor = match part.parse::<usize>() {
            Ok(i) => &mut cursor[i],
            Err(_) => &mut cursor[*part],
        };
    }
    let last = parts[parts.len() - 1];
    let map = cursor.as_object_mut().expect("parent is an object");
    if new.is_null() {
        map.remove(last);
    } else {
        map.insert(last.to_string(), new);
    }
    value
}

#[track_caller]
fn assert_error(value: Value, field: &str, rule: &str) {
    let r = report(vec![value], Destination::Queue);
    assert!(!r.valid, "expected an error on {field} ({rule})");
    assert!(
        r.errors
            .iter()
            .any(|e| e.field == field && e.rule.reference() == rule),
        "expected an error on {field} ({rule}); got {:#?}",
        r.errors
    );
}

/// An error on `field` under `rule` whose message says `words`.
#[track_caller]
fn assert_message(r: &Report, field: &str, rule: &str, words: &str) {
    let e = r
        .errors
        .iter()
        .find(|e| e.field == field && e.rule.reference() == rule)
        .unwrap_or_else(|| panic!("expected an error on {field} ({rule}); got {:#?}", r.errors));
    assert!(e.message.contains(words), "{}", e.message);
}

#[track_caller]
fn assert_warning(value: Value, field: &str, rule: &str) {
    let r = report(vec![value], Destination::Queue);
    assert!(
        r.valid,
        "expected valid with a warning, got {:#?}",
        r.errors
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.field == field && w.rule.reference() == rule),
        "expected a warning on {field} ({rule}); got {:#?}",
        r.warnings
    );
}

#[test]
fn the_bases_are_valid() {
    for base in [
        rci_81(),
        certificate_21(),
        splitting_95(),
        revocation_99(),
        account_61(),
        extracts(92),
        extracts(93),
        extracts(97),
        extracts(98),
        convention_94(),
        revocation_96(),
        old_law_73(),
    ] {
        let r = report(vec![base], Destination::OneTransmission);
        assert!(r.valid && r.errors.is_empty(), "{:#?}", r.errors);
    }
}

#[test]
fn input_format() {
    assert_error(
        with(rci_81(), "colour", json!("blue")),
        "colour",
        "input format",
    );
    assert_error(
        with(rci_81(), "rci.extra", json!(1)),
        "rci.extra",
        "input format",
    );
    assert_error(with(rci_81(), "key", json!("81")), "key", "N. 3114");
    assert_error(
        with(certificate_21(), "person", json!("Brunner")),
        "person",
        "input format",
    );
    let r = report(vec![json!(5)], Destination::Queue);
    assert_eq!(r.errors[0].rule.reference(), "input format");
    assert!(r.errors[0].message.contains("must be a JSON object"));
}

#[test]
fn fund_number_n_3104() {
    assert_error(with(rci_81(), "fund", json!("66.000")), "fund", "N. 3104");
    assert_error(with(rci_81(), "fund", json!("000.000")), "fund", "N. 3104");
    assert_error(with(rci_81(), "fund", Value::Null), "fund", "N. 3104");
}

#[test]
fn reference_n_3105() {
    assert_error(
        with(rci_81(), "reference", json!("x".repeat(21))),
        "reference",
        "N. 3105",
    );
    assert_error(
        with(rci_81(), "reference", json!("")),
        "reference",
        "N. 3105",
    );
    assert_error(
        with(rci_81(), "reference", json!("a\nb")),
        "reference",
        "N. 3105",
    );
    assert_error(
        with(rci_81(), "reference", Value::Null),
        "reference",
        "N. 3105",
    );
    // An AVS number with other separators (a reference is never an AVS number, however written).
    assert_error(
        with(rci_81(), "reference", json!("756/1234/5678/97")),
        "reference",
        "N. 3105",
    );
}

#[test]
fn avs_number_n_1201_1202() {
    assert_error(
        with(rci_81(), "avs_number", json!("756.1234.5678.93")),
        "avs_number",
        "N. 1202",
    );
    assert_error(
        with(rci_81(), "avs_number", json!("757.1234.5678.97")),
        "avs_number",
        "N. 1201",
    );
    assert_error(
        with(rci_81(), "avs_number", json!("756.1234.5678")),
        "avs_number",
        "N. 1201",
    );
    assert_error(
        with(rci_81(), "avs_number", json!(7561234567897u64)),
        "avs_number",
        "N. 1201",
    );
    let r = report(
        vec![with(rci_81(), "avs_number", json!("756.1234.5678.93"))],
        Destination::Queue,
    );
    assert_eq!(r.errors[0].message, "check digit is 7, not 3");
}

#[test]
fn key_code_n_3114_and_annex_4() {
    assert_error(with(rci_81(), "key", json!(12)), "key", "N. 3114");
    assert_error(with(rci_81(), "key", json!(100)), "key", "N. 3114");
    assert_error(with(rci_81(), "key", json!(1.5)), "key", "N. 3114");
    assert_error(with(rci_81(), "key", Value::Null), "key", "N. 3114");
    for retired in [
        73, 83, 77, 91, 22, 26, 42, 44, 62, 64, 66, 84, 86, 36, 46, 68,
    ] {
        assert_error(with(rci_81(), "key", json!(retired)), "key", "annex 4");
    }
}

#[test]
fn fields_of_each_key_annex_9() {
    // Personal data only with the certificate keys.
    assert_error(
        with(account_61(), "person", certificate_21()["person"].clone()),
        "person",
        "annex 9",
    );
    assert_error(
        with(certificate_21(), "person", Value::Null),
        "person",
        "annex 9",
    );
    // The AVS number is required except for the certificate keys.
    assert_error(
        with(account_61(), "avs_number", Value::Null),
        "avs_number",
        "annex 9",
    );
    let no_number = with(certificate_21(), "avs_number", Value::Null);
    assert!(
        report(vec![no_number], Destination::Queue).valid,
        "21 without a number: the ZAS assigns one"
    );
    // The RCI block with the RCI keys, complete.
    assert_error(with(rci_81(), "rci", Value::Null), "rci", "annex 9");
    assert_error(
        with(rci_81(), "rci.domicile", Value::Null),
        "rci.domicile",
        "annex 9",
    );
    assert_error(
        with(rci_81(), "splitting", splitting_95()["splitting"].clone()),
        "splitting",
        "annex 9",
    );
    // 92, 93, 97, 98: the AVS number and the key only (annex 9 rows 5, 7a–c).
    for key in [92, 93, 97, 98] {
        assert_error(
            with(extracts(key), "rci", json!({"order_date": "2026-11-20"})),
            "rci",
            "annex 9",
        );
        assert_error(
            with(extracts(key), "avs_number", Value::Null),
            "avs_number",
            "annex 9",
        );
    }
    // 94: the domicile only (annex 9 row 6; N. 2522 refers to N. 2712).
    assert_error(
        with(convention_94(), "rci.order_date", json!("2026-11-20")),
        "rci.order_date",
        "annex 9",
    );
    assert_error(
        with(convention_94(), "rci.domicile", Value::Null),
        "rci.domicile",
        "annex 9",
    );
    assert_error(with(convention_94(), "rci", Value::Null), "rci", "annex 9");
    assert!(
        report(
            vec![with(
                convention_94(),
                "rci.domicile",
                json!({"code": 1, "from": "1990-01-01", "to": "2020-06-30"})
            )],
            Destination::Queue
        )
        .valid
    );
    // 99: the closing date of the RCI it revokes only (annex 9 row 4; N. 2720).
    assert_error(
        with(revocation_99(), "rci.beneficiary", json!("insured")),
        "rci.beneficiary",
        "annex 9",
    );
    assert_error(
        with(revocation_99(), "rci.order_date", json!("2026-11-20")),
        "rci.order_date",
        "annex 9",
    );
    assert_error(
        with(revocation_99(), "rci.closing", Value::Null),
        "rci.closing",
        "annex 9",
    );
    // 96: the spouse's number only (annex 9 row 9).
    assert_error(
        with(revocation_96(), "splitting.years", json!([{"year": 1996}])),
        "splitting.years",
        "annex 9",
    );
    assert_error(
        with(revocation_96(), "splitting.spouse_avs_number", Value::Null),
        "splitting.spouse_avs_number",
        "N. 3119",
    );
    assert_error(
        with(revocation_96(), "splitting", Value::Null),
        "splitting",
        "annex 9",
    );
    // The splitting block with 95 and 96.
    assert_error(
        with(splitting_95(), "splitting", Value::Null),
        "splitting",
        "annex 9",
    );
    assert_error(
        with(splitting_95(), "rci", json!({"order_date": "2026-11-20"})),
        "rci",
        "annex 9",
    );
    assert_error(
        with(splitting_95(), "splitting.years", Value::Null),
        "splitting.years",
        "annex 9",
    );
}

#[test]
fn key_94_swiss_fund_only_n_2521() {
    // From another fund: refused with the reason.
    let r = report(
        vec![with(convention_94(), "fund", json!("066.000"))],
        Destination::Queue,
    );
    assert_message(&r, "key", "N. 2521", "Swiss compensation fund (fund 025)");
    // Without the setting: refused, saying which setting is missing.
    let intake = Intake::new(today(), Destination::Queue);
    let r = validate_values(&[convention_94()], &intake).report;
    assert_message(&r, "key", "N. 2521", "swiss_compensation_fund");
    // Only 94 is bound to the Swiss fund.
    let intake = Intake::new(today(), Destination::Queue);
    assert!(validate_values(&[extracts(93)], &intake).report.valid);
}

#[test]
fn old_law_rci_keys_annex_1_footnote_annex_4() {
    // 73, 83, 77, 91 with "old_law": true are RCIs of benefits fixed under the old law.
    for key in [73, 83, 77, 91] {
        let v = with(old_law_73(), "key", json!(key));
        let r = report(vec![v.clone()], Destination::Queue);
        assert!(r.valid, "{key}: {:#?}", r.errors);
        // Without it, the refusal of annex 4 stays and names the exception.
        let without = with(v, "rci.old_law", Value::Null);
        let r = report(vec![without], Destination::Queue);
        assert_message(&r, "key", "annex 4", "old_law");
    }
    assert_error(
        with(old_law_73(), "rci.old_law", json!(false)),
        "key",
        "annex 4",
    );
    // Only the old RCI keys: not a key in force, not another retired key.
    assert_error(
        with(rci_81(), "rci.old_law", json!(true)),
        "rci.old_law",
        "annex 4",
    );
    assert_error(with(old_law_73(), "key", json!(84)), "key", "annex 4");
    assert_error(
        with(old_law_73(), "rci.old_law", json!("yes")),
        "rci.old_law",
        "annex 4",
    );
    // The RCI block stays complete.
    assert_error(
        with(old_law_73(), "rci.domicile", Value::Null),
        "rci.domicile",
        "annex 9",
    );
    // A revocation is no old RCI key.
    assert_error(
        with(revocation_99(), "rci.old_law", json!(true)),
        "rci.old_law",
        "annex 4",
    );
}

#[test]
fn name_n_3108_3110() {
    assert_error(
        with(certificate_21(), "person.surname", Value::Null),
        "person.surname",
        "N. 3108",
    );
    assert_error(
        with(certificate_21(), "person.surname", json!("Brunner2")),
        "person.surname",
        "N. 3108",
    );
    // Each error names the field it is in, and the character set a name is refused for.
    assert_error(
        with(certificate_21(), "person.given_names", json!("Anton9")),
        "person.given_names",
        "N. 3108",
    );
    assert_error(
        with(certificate_21(), "person.surname", json!("Hoﬀmann")),
        "person.surname",
        "N. 3108",
    );
    assert_error(
        with(
            certificate_21(),
            "person.surname",
            json!("Abcdefghijklmnopqrstuvwxyzabcdefghijkl"),
        ),
        "person.surname",
        "N. 3108",
    );
    assert_warning(
        with(
            certificate_21(),
            "person.given_names",
            json!("Anna Maria Theresia Luise Josephine"),
        ),
        "person.given_names",
        "N. 3108",
    );
    let nn = with(certificate_21(), "person.given_names", json!(""));
    assert!(
        report(vec![nn], Destination::Queue).valid,
        "no given name is sent as NN"
    );
}

#[test]
fn sex_n_3111() {
    assert_error(
        with(certificate_21(), "person.sex", json!(3)),
        "person.sex",
        "N. 3111",
    );
    assert_error(
        with(certificate_21(), "person.sex", json!("M")),
        "person.sex",
        "N. 3111",
    );
    assert_error(
        with(certificate_21(), "person.sex", Value::Null),
        "person.sex",
        "N. 3111",
    );
}

#[test]
fn birth_date_n_3112() {
    assert_error(
        with(certificate_21(), "person.birth_date", json!("1963-02-30")),
        "person.birth_date",
        "N. 3112",
    );
    assert_error(
        with(certificate_21(), "person.birth_date", json!("12.04.1963")),
        "person.birth_date",
        "N. 3112",
    );
    assert_error(
        with(certificate_21(), "person.birth_date", json!("2026-11-24")),
        "person.birth_date",
        "N. 3112",
    );
    assert_error(
        with(certificate_21(), "person.birth_date", json!("1850")),
        "person.birth_date",
        "N. 3112",
    );
    let year_only = with(certificate_21(), "person.birth_date", json!("1963"));
    assert!(report(vec![year_only], Destination::Queue).valid);
}

#[test]
fn country_n_3113() {
    assert_error(
        with(certificate_21(), "person.country", json!(1234)),
        "person.country",
        "N. 3113",
    );
    assert_error(
        with(certificate_21(), "person.country", json!(101)),
        "person.country",
        "N. 3113",
    );
    assert_warning(
        with(certificate_21(), "person.country", json!(220)),
        "person.country",
        "N. 3113",
    );
    for special in [998, 999] {
        assert!(
            report(
                vec![with(certificate_21(), "person.country", json!(special))],
                Destination::Queue
            )
            .valid
        );
    }
}

#[test]
fn beneficiary_n_3115() {
    assert_error(
        with(rci_81(), "rci.beneficiary", json!("756.1234.5678.97")),
        "rci.beneficiary",
        "N. 3115",
    );
    assert_error(
        with(rci_81(), "rci.beneficiary", json!("756.1234.5678.90")),
        "rci.beneficiary",
        "N. 1202",
    );
    let other = with(rci_81(), "rci.beneficiary", json!("756.9935.1819.09"));
    assert!(report(vec![other], Destination::Queue).valid);
}

#[test]
fn closing_date_n_3116() {
    assert_error(
        with(rci_81(), "rci.closing", json!("2026-13")),
        "rci.closing",
        "N. 3116",
    );
    assert_error(
        with(rci_81(), "rci.closing", json!("12.26")),
        "rci.closing",
        "N. 3116",
    );
}

#[test]
fn six_months_ahead_n_2701() {
    // With the month of the insured event: not more than 6 months before it.
    let with_event = |event: &str, closing: &str| {
        with(
            with(rci_81(), "rci.event", json!(event)),
            "rci.closing",
            json!(closing),
        )
    };
    assert_error(
        with_event("2027-06", "2027-05"),
        "rci.order_date",
        "N. 2701",
    );
    assert!(report(vec![with_event("2027-05", "2027-04")], Destination::Queue).valid);
    assert!(report(vec![with_event("2027-05", "2026-12")], Destination::Queue).valid);
    // Without it, the proxy (closing month at most six months after the order date) is a
    // warning that says what could not be checked.
    let far = with(rci_81(), "rci.closing", json!("2027-06"));
    assert_warning(far.clone(), "rci.closing", "N. 2701");
    let r = report(vec![far], Destination::Queue);
    assert!(r.warnings.iter().any(|w| w.message.contains("rci.event")));
    assert!(
        report(
            vec![with(rci_81(), "rci.closing", json!("2027-05"))],
            Destination::Queue
        )
        .warnings
        .is_empty()
    );
    assert_error(
        with(rci_81(), "rci.event", json!("2027")),
        "rci.event",
        "N. 2701",
    );
}

#[test]
fn closing_month_against_the_event_n_3116() {
    let rci = |key: u8, event: &str, closing: &str| {
        let v = with(rci_81(), "key", json!(key));
        let v = with(v, "rci.event", json!(event));
        with(v, "rci.closing", json!(closing))
    };
    // A pension: December of the year before the event, or the month before it.
    assert!(report(vec![rci(81, "2027-03", "2026-12")], Destination::Queue).valid);
    assert!(report(vec![rci(75, "2027-03", "2027-02")], Destination::Queue).valid);
    assert_error(rci(81, "2027-03", "2027-03"), "rci.closing", "N. 3116");
    assert_error(rci(71, "2027-03", "2026-11"), "rci.closing", "N. 3116");
    // A refund or transfer of contributions (79): the month of departure, the event as given.
    assert!(report(vec![rci(79, "2026-09", "2026-09")], Destination::Queue).valid);
    assert_error(rci(79, "2026-09", "2026-08"), "rci.closing", "N. 3116");
}

#[test]
fn order_date_n_3117() {
    assert_error(
        with(rci_81(), "rci.order_date", json!("2026-11-24")),
        "rci.order_date",
        "N. 3117",
    );
    assert_error(
        with(revocation_99(), "rci.order_date", json!("2026-02-30")),
        "rci.order_date",
        "N. 3117",
    );
}

#[test]
fn domicile_n_3118() {
    assert_error(
        with(rci_81(), "rci.domicile", json!({"code": 4})),
        "rci.domicile.code",
        "N. 3118",
    );
    assert_error(
        with(
            rci_81(),
            "rci.domicile",
            json!({"code": 1, "from": "1985-01-01"}),
        ),
        "rci.domicile.to",
        "N. 3118",
    );
    assert_error(
        with(
            rci_81(),
            "rci.domicile",
            json!({"code": 2, "from": "1985-01-01"}),
        ),
        "rci.domicile.from",
        "N. 3118",
    );
    assert_error(
        with(
            rci_81(),
            "rci.domicile",
            json!({"code": 1, "from": "1999-01-01", "to": "1985-01-01"}),
        ),
        "rci.domicile.to",
        "N. 3118",
    );
}

#[test]
fn splitting_n_3119_2613_2601() {
    assert_error(
        with(splitting_95(), "splitting.years", json!([])),
        "splitting.years",
        "N. 3119",
    );
    assert_error(
        with(
            splitting_95(),
            "splitting.years",
            json!([{"year": 1996}, {"year": 1996}]),
        ),
        "splitting.years.1.year",
        "N. 3119",
    );
    assert_error(
        with(splitting_95(), "splitting.years", json!([{"year": 1900}])),
        "splitting.years.0.year",
        "N. 3119",
    );
    assert_error(
        with(splitting_95(), "splitting.years", json!([{"year": 2027}])),
        "splitting.years.0.year",
        "N. 3119",
    );
    assert_error(
        with(splitting_95(), "splitting.spouse_avs_number", Value::Null),
        "splitting.spouse_avs_number",
        "N. 3119",
    );
    assert_error(
        with(splitting_95(), "splitting.years.0.special", json!(6)),
        "splitting.years.0.special",
        "N. 2613",
    );
    assert_error(
        with(
            splitting_95(),
            "splitting.spouse_avs_number",
            json!("756.5432.3194.87"),
        ),
        "splitting.spouse_avs_number",
        "N. 2601",
    );
}

#[test]
fn personal_data_correction_n_3101() {
    assert_warning(with(certificate_21(), "key", json!(25)), "key", "N. 3101");
    assert_warning(with(certificate_21(), "key", json!(15)), "key", "N. 3101");
}

#[test]
fn announced_once_system_rule_n_3105() {
    let r = report(
        vec![rci_81(), certificate_21(), rci_81()],
        Destination::Queue,
    );
    assert!(!r.valid);
    let e = &r.errors[0];
    assert_eq!(
        (e.index, e.field.as_str(), e.rule.reference()),
        (2, "reference", "system rule (N. 3105)")
    );
    assert!(e.message.contains("#0"), "{}", e.message);
    // Another fund may use the same reference.
    let other_fund = with(rci_81(), "fund", json!("067.000"));
    assert!(report(vec![rci_81(), other_fund], Destination::Queue).valid);
}

#[test]
fn separate_transmissions_n_3102() {
    // 99 revokes an RCI of the same person: a warning in the queue, an error in one transmission.
    let r = report(vec![revocation_99(), rci_81()], Destination::Queue);
    assert!(r.valid);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.index == 1 && w.rule.reference() == "N. 3102"),
        "{:#?}",
        r.warnings
    );
    let r = report(
        vec![revocation_99(), rci_81()],
        Destination::OneTransmission,
    );
    assert!(!r.valid);
    assert!(
        r.errors
            .iter()
            .any(|e| e.index == 1 && e.rule.reference() == "N. 3102")
    );
    // 96 and 95 for the same person.
    let revoke = revocation_96();
    let r = report(
        vec![revoke.clone(), splitting_95()],
        Destination::OneTransmission,
    );
    assert!(
        r.errors
            .iter()
            .any(|e| e.index == 1 && e.rule.reference() == "N. 3102")
    );
    // Another person: no conflict.
    let other = with(rci_81(), "avs_number", json!("756.6281.9482.17"));
    assert!(report(vec![revocation_99(), other], Destination::OneTransmission).valid);
    // A revocation does not conflict with an order it cannot revoke.
    assert!(
        report(
            vec![
                revoke,
                with(rci_81(), "avs_number", json!("756.5432.3194.87"))
            ],
            Destination::OneTransmission
        )
        .valid
    );
}

#[test]
fn all_violations_are_reported_at_once() {
    let bad = json!({"fund": "66", "reference": "", "key": 81, "avs_number": "756.1234.5678.93",
        "rci": {"beneficiary": "nobody", "closing": "2030-01", "order_date": "2026-11-20", "domicile": {"code": 1}, "event": "2031-01"},
        "colour": 1});
    let r = report(vec![bad, json!({"key": 73})], Destination::Queue);
    let fields: Vec<&str> = r.errors.iter().map(|e| e.field.as_str()).collect();
    for expected in [
        "fund",
        "reference",
        "avs_number",
        "rci.beneficiary",
        "rci.closing",
        "rci.order_date",
        "rci.domicile.from",
        "rci.domicile.to",
        "colour",
        "key",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {fields:?}"
        );
    }
    assert!(r.errors.iter().any(|e| e.index == 1 && e.field == "fund"));
}

#[test]
fn the_shipped_examples_are_valid() {
    let bytes = std::fs::read("config/examples/announcements.json").unwrap();
    let intake = Intake::new(today(), Destination::OneTransmission);
    let v = arcgw::validate::validate_json(&bytes, 1 << 20, &intake).unwrap();
    assert!(v.report.valid, "{:#?}", v.report.errors);
    let groups: std::collections::HashSet<_> =
        v.announcements.iter().map(|a| a.key().group()).collect();
    assert_eq!(groups.len(), 4, "every key group is in the examples");
}

/// `config/examples/more-keys.json`: the RCI with the insured event, an old-law RCI, 96, 92, and
/// 94, which is valid only for the Swiss compensation fund (here fund 025).
#[test]
fn the_shipped_examples_of_more_keys_are_valid() {
    let bytes = std::fs::read("config/examples/more-keys.json").unwrap();
    let intake = Intake::new(today(), Destination::OneTransmission).with_swiss_fund(Some(25));
    let v = arcgw::validate::validate_json(&bytes, 1 << 20, &intake).unwrap();
    assert!(v.report.valid, "{:#?}", v.report.errors);
    assert!(v.report.warnings.is_empty(), "{:#?}", v.report.warnings);
    let intake = Intake::new(today(), Destination::OneTransmission);
    let v = arcgw::validate::validate_json(&bytes, 1 << 20, &intake).unwrap();
    assert_eq!(v.report.errors.len(), 1, "{:#?}", v.report.errors);
}

#[test]
fn n_3102_is_one_finding_per_person_however_many_orders() {
    // A report stays proportional to its input: 1 500 revocations and 1 500 new RCIs of one
    // person once gave 2 250 000 warnings. One per person, on the first order, naming the others.
    let mut values = Vec::new();
    for i in 0..1500 {
        values.push(with(
            revocation_99(),
            "reference",
            json!(format!("R-99-{i}")),
        ));
        values.push(with(rci_81(), "reference", json!(format!("R-81-{i}"))));
    }
    let r = report(values, Destination::Queue);
    assert!(r.valid, "{:?}", r.errors.first());
    let n_3102: Vec<_> = r
        .warnings
        .iter()
        .filter(|w| w.rule.reference() == "N. 3102")
        .collect();
    assert_eq!(n_3102.len(), 1, "one warning for the one person");
    assert_eq!(r.warnings_omitted, 0);
    assert_eq!(n_3102[0].index, 1, "on the person's first RCI");
    assert!(
        n_3102[0].message.contains("#0") && n_3102[0].message.contains("1499 more orders"),
        "{}",
        n_3102[0].message
    );
}

#[test]
fn a_report_lists_the_first_thousand_errors_and_counts_the_rest() {
    // A report stays small: a million `{}` once gave one of 308 MB. Each `{}` lacks fund,
    // reference and key: three errors.
    let values = vec![json!({}); 100_000];
    let r = report(values, Destination::Queue);
    assert!(!r.valid);
    assert_eq!(r.errors.len(), arcgw::validate::MAX_LISTED);
    assert_eq!(r.errors_omitted, 300_000 - arcgw::validate::MAX_LISTED);
    assert_eq!(r.error_count(), 300_000);
    assert_eq!(
        r.errors.last().unwrap().index,
        333,
        "the first ones, in input order"
    );
    // Errors beyond the cap still make the report invalid, even when none is listed.
    let mut values = vec![rci_81(); 1];
    values.extend(std::iter::repeat_n(json!({"fund": 1, "x": 2}), 600));
    let r = report(values, Destination::Queue);
    assert!(!r.valid);
    assert_eq!(r.errors.len() + r.errors_omitted, 600 * 4);
}
