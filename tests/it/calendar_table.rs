//! The ZAS calendar against tables of known dates, 2024–2030.
//!
//! The expected dates were worked out independently of the code (Easter Sundays from published
//! tables, the other holidays by the rules, working-day counts by hand or by a separate script).

use std::sync::LazyLock;

use arcgw::calendar::{
    CalendarConfig, CalendarError, Closure, HolidayRule, MAX_WORKING_DAYS, ZasCalendar,
    easter_sunday, parse_iso_date,
};
use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;

/// One calendar for the property tests (building one takes a few milliseconds).
static GENEVA: LazyLock<ZasCalendar> = LazyLock::new(ZasCalendar::geneva);

fn date(text: &str) -> NaiveDate {
    text.parse().expect("test date")
}

/// Easter Sunday of known years.
const EASTER: [(i32, &str); 7] = [
    (2024, "2024-03-31"),
    (2025, "2025-04-20"),
    (2026, "2026-04-05"),
    (2027, "2027-03-28"),
    (2028, "2028-04-16"),
    (2029, "2029-04-01"),
    (2030, "2030-04-21"),
];

/// The Geneva holidays of 2024–2030, in calendar order:
/// New Year, Good Friday, Easter Monday, Ascension, Whit Monday, National Day, Jeûne genevois,
/// Christmas, Restoration.
const HOLIDAYS: [(i32, [&str; 9]); 7] = [
    (
        2024,
        [
            "2024-01-01",
            "2024-03-29",
            "2024-04-01",
            "2024-05-09",
            "2024-05-20",
            "2024-08-01",
            "2024-09-05",
            "2024-12-25",
            "2024-12-31",
        ],
    ),
    (
        2025,
        [
            "2025-01-01",
            "2025-04-18",
            "2025-04-21",
            "2025-05-29",
            "2025-06-09",
            "2025-08-01",
            "2025-09-11",
            "2025-12-25",
            "2025-12-31",
        ],
    ),
    (
        2026,
        [
            "2026-01-01",
            "2026-04-03",
            "2026-04-06",
            "2026-05-14",
            "2026-05-25",
            "2026-08-01",
            "2026-09-10",
            "2026-12-25",
            "2026-12-31",
        ],
    ),
    (
        2027,
        [
            "2027-01-01",
            "2027-03-26",
            "2027-03-29",
            "2027-05-06",
            "2027-05-17",
            "2027-08-01",
            "2027-09-09",
            "2027-12-25",
            "2027-12-31",
        ],
    ),
    (
        2028,
        [
            "2028-01-01",
            "2028-04-14",
            "2028-04-17",
            "2028-05-25",
            "2028-06-05",
            "2028-08-01",
            "2028-09-07",
            "2028-12-25",
            "2028-12-31",
        ],
    ),
    (
        2029,
        [
            "2029-01-01",
            "2029-03-30",
            "2029-04-02",
            "2029-05-10",
            "2029-05-21",
            "2029-08-01",
            "2029-09-06",
            "2029-12-25",
            "2029-12-31",
        ],
    ),
    (
        2030,
        [
            "2030-01-01",
            "2030-04-19",
            "2030-04-22",
            "2030-05-30",
            "2030-06-10",
            "2030-08-01",
            "2030-09-05",
            "2030-12-25",
            "2030-12-31",
        ],
    ),
];

/// ZAS working days per year (Monday–Friday minus the holidays above that fall on weekdays).
const WORKING_DAYS_PER_YEAR: [(i32, i64); 7] = [
    (2024, 253),
    (2025, 252),
    (2026, 253),
    (2027, 254),
    (2028, 253),
    (2029, 252),
    (2030, 252),
];

/// `n` working days after `start`, on the Geneva calendar.
const ADDITIONS: [(&str, u32, &str); 12] = [
    // The Christmas example: 23, 24, 28, 29, 30 Dec, 4, 5 Jan.
    ("2026-12-22", 7, "2027-01-05"),
    // A still-being-processed acknowledgement dated Thursday 25 March 2027, + 15 working days
    // (N. 3401). By hand: Fri 26 (Good Friday), Sat 27, Sun 28, Mon 29 (Easter Monday) skipped;
    // Tue 30 (1), Wed 31 (2), Thu 1 Apr (3), Fri 2 (4); Mon 5 (5) – Fri 9 (9);
    // Mon 12 (10) – Fri 16 (14); Mon 19 April (15).
    ("2027-03-25", 15, "2027-04-19"),
    // 7 working days (N. 3401) over Ascension 2027: Fri 30 Apr (1), Mon 3 (2), Tue 4 (3),
    // Wed 5 (4), Thu 6 skipped, Fri 7 (5), Mon 10 (6), Tue 11 (7).
    ("2027-04-29", 7, "2027-05-11"),
    // Over Whit Monday 2027: Fri 14 (1), Mon 17 skipped, Tue 18 (2), Wed 19 (3).
    ("2027-05-13", 3, "2027-05-19"),
    // Over the Jeûne genevois 2026: Wed 9 (1), Thu 10 skipped, Fri 11 (2).
    ("2026-09-08", 2, "2026-09-11"),
    // National Day 2025 is a Friday: Thu 31 Jul (1), Fri 1 Aug skipped, Mon 4 (2).
    ("2025-07-30", 2, "2025-08-04"),
    // Easter 2024: Thu 28 Mar (1), Good Friday 29, weekend, Easter Monday 1 Apr, Tue 2 (2).
    ("2024-03-27", 2, "2024-04-02"),
    // From a Saturday, the Monday is the first working day.
    ("2026-05-09", 1, "2026-05-11"),
    // From a holiday (Christmas 2026, Friday): Mon 28 is the first.
    ("2026-12-25", 1, "2026-12-28"),
    // Zero working days: the start, even on a Sunday.
    ("2026-12-27", 0, "2026-12-27"),
    // A whole year: 253 working days after 31.12.2025 is the last working day of 2026 (30 Dec).
    ("2025-12-31", 253, "2026-12-30"),
    // Restoration 2029 is a Monday: Fri 28 Dec (1), Mon 31 and Tue 1 Jan skipped, Wed 2 (2).
    ("2029-12-27", 2, "2030-01-02"),
];

#[test]
fn easter_sundays() {
    for (year, day) in EASTER {
        let easter = easter_sunday(year).expect("year in range");
        assert_eq!(easter, date(day), "{year}");
        assert_eq!(easter.weekday(), Weekday::Sun);
    }
}

#[test]
fn geneva_holidays_2024_to_2030() {
    let calendar = ZasCalendar::geneva();
    for (year, days) in HOLIDAYS {
        let expected: Vec<(NaiveDate, HolidayRule)> = days
            .iter()
            .zip(HolidayRule::ALL)
            .map(|(day, rule)| (date(day), rule))
            .collect();
        assert_eq!(calendar.holiday_rules_in(year), expected, "{year}");
        for (day, rule) in expected {
            assert_eq!(calendar.closure(day), Some(Closure::Holiday(rule)), "{day}");
            assert!(!calendar.is_working_day(day), "{day}");
        }
    }
}

#[test]
fn holidays_2026_and_2027_by_name() {
    let calendar = ZasCalendar::geneva();
    let names = |year| -> Vec<(String, &'static str)> {
        calendar
            .holidays_in(year)
            .into_iter()
            .map(|(day, name)| (day.to_string(), name))
            .collect()
    };
    let owned = |list: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
        list.iter()
            .map(|(day, name)| ((*day).to_owned(), *name))
            .collect()
    };
    assert_eq!(
        names(2026),
        owned(&[
            ("2026-01-01", "New Year"),
            ("2026-04-03", "Good Friday"),
            ("2026-04-06", "Easter Monday"),
            ("2026-05-14", "Ascension"),
            ("2026-05-25", "Whit Monday"),
            ("2026-08-01", "Swiss National Day"),
            ("2026-09-10", "Geneva Fast"),
            ("2026-12-25", "Christmas"),
            ("2026-12-31", "Restoration of the Republic"),
        ])
    );
    assert_eq!(
        names(2027),
        owned(&[
            ("2027-01-01", "New Year"),
            ("2027-03-26", "Good Friday"),
            ("2027-03-29", "Easter Monday"),
            ("2027-05-06", "Ascension"),
            ("2027-05-17", "Whit Monday"),
            ("2027-08-01", "Swiss National Day"),
            ("2027-09-09", "Geneva Fast"),
            ("2027-12-25", "Christmas"),
            ("2027-12-31", "Restoration of the Republic"),
        ])
    );
    let french: Vec<&str> = calendar
        .holiday_rules_in(2027)
        .into_iter()
        .map(|(_, rule)| rule.french_name())
        .collect();
    assert!(french.contains(&"Jeûne genevois"));
    assert!(french.contains(&"Restauration de la République"));
}

#[test]
fn working_days_per_year() {
    let calendar = ZasCalendar::geneva();
    for (year, count) in WORKING_DAYS_PER_YEAR {
        let before = date(&format!("{}-12-31", year - 1));
        let last = date(&format!("{year}-12-31"));
        assert_eq!(calendar.working_days_between(before, last), count, "{year}");
        assert_eq!(
            calendar.working_days_between(last, before),
            -count,
            "{year}"
        );
    }
}

#[test]
fn additions() {
    let calendar = ZasCalendar::geneva();
    for (start, n, expected) in ADDITIONS {
        let (start, expected) = (date(start), date(expected));
        assert_eq!(
            calendar.add_working_days(start, n),
            Ok(expected),
            "{start} + {n}"
        );
        assert_eq!(
            calendar.working_days_between(start, expected),
            i64::from(n),
            "{start} + {n}"
        );
    }
}

#[test]
fn acknowledgement_in_progress_reminder() {
    // N. 3401: 15 working days from the acknowledgement date; the deadline ends on 19.04.2027,
    // and the reminder is due from 20.04.2027 on.
    let calendar = ZasCalendar::geneva();
    let acknowledged = date("2027-03-25");
    assert_eq!(
        calendar.deadline_passed(acknowledged, 15, date("2027-04-19")),
        Ok(false)
    );
    assert_eq!(
        calendar.deadline_passed(acknowledged, 15, date("2027-04-20")),
        Ok(true)
    );
    let explanation = calendar.explain_add(acknowledged, 15).expect("in range");
    let text = explanation.to_string();
    assert!(
        text.starts_with("15 ZAS working days after Thu 25.03.2027 is Mon 19.04.2027: "),
        "{text}"
    );
    assert!(
        text.contains(
            "skipped 26.03 (Good Friday), 27.03–28.03 (weekend), 29.03 (Easter Monday), "
        ),
        "{text}"
    );
}

#[test]
fn counts_between_dates() {
    let calendar = ZasCalendar::geneva();
    let cases = [
        // Thu 24 Dec 2026 → Mon 28 Dec: only the Monday counts.
        ("2026-12-24", "2026-12-28", 1),
        // A closed stretch: Christmas to the Sunday.
        ("2026-12-24", "2026-12-27", 0),
        // Same day.
        ("2027-03-25", "2027-03-25", 0),
        // Easter 2027 week: Fri 26 – Mon 29 closed, Tue 30 – Thu 1 count.
        ("2027-03-25", "2027-04-01", 3),
        // Backwards.
        ("2027-04-19", "2027-03-25", -15),
        // 2024–2030 together: the per-year counts added up.
        (
            "2023-12-31",
            "2030-12-31",
            253 + 252 + 253 + 254 + 253 + 252 + 252,
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(
            calendar.working_days_between(date(from), date(to)),
            expected,
            "{from} → {to}"
        );
    }
}

#[test]
fn closing_days_from_config() {
    // The same structure as the TOML `[calendar]` table.
    let config: CalendarConfig = serde_json::from_str(
        r#"{
            "holidays": ["new_year", "good_friday", "easter_monday", "ascension", "whit_monday",
                         "national_day", "jeune_genevois", "christmas", "restoration"],
            "closing_days": [
                {"date": "2026-12-24", "reason": "ZAS closed"},
                {"date": "2027-05-07", "reason": "Bridge day"}
            ]
        }"#,
    )
    .expect("valid config");
    let calendar = config.build().expect("valid calendar");
    assert_eq!(
        calendar.closure(date("2026-12-24")),
        Some(Closure::ClosingDay("ZAS closed"))
    );
    // 23 (1), 24 closed, 25–27, 28 (2), 29 (3), 30 (4), 31–3 Jan, 4 (5), 5 (6), 6 (7).
    assert_eq!(
        calendar.add_working_days(date("2026-12-22"), 7),
        Ok(date("2027-01-06"))
    );
    // Ascension Thursday and the bridge Friday: Wed 5 May → Mon 10 May is 1 working day.
    assert_eq!(
        calendar.working_days_between(date("2027-05-05"), date("2027-05-10")),
        1
    );
    assert_eq!(
        calendar.working_days_between(date("2026-12-31"), date("2027-12-31")),
        253
    );
    assert!(ZasCalendar::geneva().is_working_day(date("2027-05-07")));
}

#[test]
fn config_without_a_holiday() {
    let config: CalendarConfig = serde_json::from_str(
        r#"{"holidays": ["new_year", "good_friday", "easter_monday", "ascension",
                         "whit_monday", "national_day", "jeune_genevois", "christmas"]}"#,
    )
    .expect("valid config");
    let calendar = config.build().expect("valid calendar");
    assert!(calendar.is_working_day(date("2026-12-31")));
    assert_eq!(calendar.holidays_in(2026).len(), 8);
    // 23 (1), 24 (2), 28 (3), 29 (4), 30 (5), 31 (6), 4 Jan (7).
    assert_eq!(
        calendar.add_working_days(date("2026-12-22"), 7),
        Ok(date("2027-01-04"))
    );
    let same = CalendarConfig::geneva()
        .without_holiday(HolidayRule::Restoration)
        .build()
        .expect("valid calendar");
    assert_eq!(same.holidays_in(2026), calendar.holidays_in(2026));
}

#[test]
fn every_rule_matters() {
    // Dropping any single rule changes the per-year working-day table above.
    let full: Vec<i64> = WORKING_DAYS_PER_YEAR.iter().map(|(_, n)| *n).collect();
    for rule in HolidayRule::ALL {
        let calendar = CalendarConfig::geneva()
            .without_holiday(rule)
            .build()
            .expect("valid calendar");
        let counts: Vec<i64> = WORKING_DAYS_PER_YEAR
            .iter()
            .map(|(year, _)| {
                calendar.working_days_between(
                    date(&format!("{}-12-31", year - 1)),
                    date(&format!("{year}-12-31")),
                )
            })
            .collect();
        assert_ne!(counts, full, "without {rule:?}");
    }
}

#[test]
fn unknown_holiday_name() {
    let error =
        serde_json::from_str::<CalendarConfig>(r#"{"holidays": ["new_year", "boxing_day"]}"#)
            .expect_err("unknown rule");
    assert!(
        error
            .to_string()
            .contains("unknown holiday rule `boxing_day`"),
        "{error}"
    );
    assert_eq!(
        "boxing_day".parse::<HolidayRule>(),
        Err(CalendarError::UnknownHoliday {
            name: "boxing_day".into()
        })
    );
}

#[test]
fn cli_dates() {
    assert_eq!(parse_iso_date("2027-03-25"), Ok(date("2027-03-25")));
    let error = parse_iso_date("2026-02-30").expect_err("no 30 February");
    let text = error.to_string();
    assert!(text.contains("2026-02-30"), "{text}");
    assert!(text.contains("not a calendar date"), "{text}");
}

#[test]
fn absurd_counts_are_refused() {
    let calendar = ZasCalendar::geneva();
    assert_eq!(
        calendar.add_working_days(date("2026-01-01"), 10_000_000),
        Err(CalendarError::TooManyWorkingDays { n: 10_000_000 })
    );
    assert!(calendar.add_working_days(NaiveDate::MAX, 7).is_err());
}

/// A date of the calendar's years up to 9900 (so that MAX_WORKING_DAYS still fits after it).
fn any_date() -> impl Strategy<Value = NaiveDate> {
    let first = date("1583-01-01").num_days_from_ce();
    let last = date("9900-12-31").num_days_from_ce();
    let recent = (
        date("1975-01-01").num_days_from_ce(),
        date("2145-12-31").num_days_from_ce(),
    );
    prop_oneof![
        3 => recent.0..=recent.1,
        1 => first..=last,
    ]
    .prop_map(|day| NaiveDate::from_num_days_from_ce_opt(day).expect("in range"))
}

fn any_count() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..=40, 1 => 0u32..=MAX_WORKING_DAYS]
}

proptest! {
    #[test]
    fn between_inverts_add(start in any_date(), n in any_count()) {
        let calendar = &*GENEVA;
        let end = calendar.add_working_days(start, n).expect("in range");
        prop_assert_eq!(calendar.working_days_between(start, end), i64::from(n));
        prop_assert_eq!(calendar.working_days_between(end, start), -i64::from(n));
        if n >= 1 {
            prop_assert!(end > start);
            prop_assert!(calendar.is_working_day(end));
            prop_assert_eq!(calendar.closure(end), None);
            // The day before the result adds nothing new: exactly n - 1 working days up to it.
            let before = end.pred_opt().expect("in range");
            prop_assert_eq!(calendar.working_days_between(start, before), i64::from(n) - 1);
        } else {
            prop_assert_eq!(end, start);
        }
    }

    #[test]
    fn add_is_additive(start in any_date(), a in 0u32..=30, b in 0u32..=30) {
        let calendar = &*GENEVA;
        let middle = calendar.add_working_days(start, a).expect("in range");
        prop_assert_eq!(
            calendar.add_working_days(middle, b),
            calendar.add_working_days(start, a + b)
        );
    }

    #[test]
    fn deadline_passes_the_day_after(start in any_date(), n in 0u32..=30) {
        let calendar = &*GENEVA;
        let end = calendar.add_working_days(start, n).expect("in range");
        prop_assert_eq!(calendar.deadline_passed(start, n, end), Ok(false));
        let next = end.succ_opt().expect("in range");
        prop_assert_eq!(calendar.deadline_passed(start, n, next), Ok(true));
    }

    #[test]
    fn weekdays_are_working_unless_a_holiday(day in any_date()) {
        let calendar = &*GENEVA;
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let holiday = calendar.holiday_rules_in(day.year()).iter().any(|(d, _)| *d == day);
        prop_assert_eq!(calendar.is_working_day(day), !weekend && !holiday);
    }
}
