//! The public holidays of the canton of Geneva, as a table of named rules.
//!
//! Each rule gives the date of one holiday in any year of the calendar: a fixed day of the year,
//! a day counted from Easter Sunday, or the Jeûne genevois (the Thursday after the first Sunday
//! of September). The rules are applied to every year alike; historical changes are ignored.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, NaiveDate, Weekday};

use super::error::CalendarError;
use super::range::{FIRST_YEAR, LAST_YEAR};

/// One named holiday rule of the Geneva calendar. The configuration lists them by [`key`](Self::key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HolidayRule {
    /// 1 January.
    NewYear,
    /// Easter Sunday − 2 days.
    GoodFriday,
    /// Easter Sunday + 1 day.
    EasterMonday,
    /// Easter Sunday + 39 days (a Thursday).
    Ascension,
    /// Easter Sunday + 50 days.
    WhitMonday,
    /// 1 August.
    NationalDay,
    /// The Thursday after the first Sunday of September.
    JeuneGenevois,
    /// 25 December.
    Christmas,
    /// 31 December.
    Restoration,
}

/// How a rule finds its day in a given year.
#[derive(Debug, Clone, Copy)]
enum When {
    /// The same month and day every year.
    Fixed { month: u32, day: u32 },
    /// A number of days after (or, when negative, before) Easter Sunday.
    FromEaster { days: i8 },
    /// The Thursday after the first Sunday of September.
    ThursdayAfterFirstSundayOfSeptember,
}

/// One row of the rule table.
struct RuleRow {
    rule: HolidayRule,
    key: &'static str,
    name: &'static str,
    french_name: &'static str,
    when: When,
}

/// The rule table, in calendar order. The single source of every rule's names and date.
const RULES: [RuleRow; HolidayRule::COUNT] = [
    RuleRow {
        rule: HolidayRule::NewYear,
        key: "new_year",
        name: "New Year",
        french_name: "Nouvel An",
        when: When::Fixed { month: 1, day: 1 },
    },
    RuleRow {
        rule: HolidayRule::GoodFriday,
        key: "good_friday",
        name: "Good Friday",
        french_name: "Vendredi saint",
        when: When::FromEaster { days: -2 },
    },
    RuleRow {
        rule: HolidayRule::EasterMonday,
        key: "easter_monday",
        name: "Easter Monday",
        french_name: "Lundi de Pâques",
        when: When::FromEaster { days: 1 },
    },
    RuleRow {
        rule: HolidayRule::Ascension,
        key: "ascension",
        name: "Ascension",
        french_name: "Ascension",
        when: When::FromEaster { days: 39 },
    },
    RuleRow {
        rule: HolidayRule::WhitMonday,
        key: "whit_monday",
        name: "Whit Monday",
        french_name: "Lundi de Pentecôte",
        when: When::FromEaster { days: 50 },
    },
    RuleRow {
        rule: HolidayRule::NationalDay,
        key: "national_day",
        name: "Swiss National Day",
        french_name: "Fête nationale",
        when: When::Fixed { month: 8, day: 1 },
    },
    RuleRow {
        rule: HolidayRule::JeuneGenevois,
        key: "jeune_genevois",
        name: "Geneva Fast",
        french_name: "Jeûne genevois",
        when: When::ThursdayAfterFirstSundayOfSeptember,
    },
    RuleRow {
        rule: HolidayRule::Christmas,
        key: "christmas",
        name: "Christmas",
        french_name: "Noël",
        when: When::Fixed { month: 12, day: 25 },
    },
    RuleRow {
        rule: HolidayRule::Restoration,
        key: "restoration",
        name: "Restoration of the Republic",
        french_name: "Restauration de la République",
        when: When::Fixed { month: 12, day: 31 },
    },
];

impl HolidayRule {
    /// How many rules there are.
    pub const COUNT: usize = 9;

    /// Every rule, in calendar order (the default set of the Geneva calendar).
    pub const ALL: [HolidayRule; HolidayRule::COUNT] = [
        HolidayRule::NewYear,
        HolidayRule::GoodFriday,
        HolidayRule::EasterMonday,
        HolidayRule::Ascension,
        HolidayRule::WhitMonday,
        HolidayRule::NationalDay,
        HolidayRule::JeuneGenevois,
        HolidayRule::Christmas,
        HolidayRule::Restoration,
    ];

    fn row(self) -> &'static RuleRow {
        // The table is in declaration order; `table_matches_enum` checks it.
        &RULES[self as usize]
    }

    /// The configuration name, e.g. `jeune_genevois`.
    pub fn key(self) -> &'static str {
        self.row().key
    }

    /// The English name, e.g. "Restoration of the Republic".
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// The French name, e.g. "Restauration de la République".
    pub fn french_name(self) -> &'static str {
        self.row().french_name
    }

    /// The day of this holiday in `year`, or `None` when the year lies outside the calendar
    /// ([`FIRST_YEAR`]–[`LAST_YEAR`]).
    pub fn date_in(self, year: i32) -> Option<NaiveDate> {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return None;
        }
        match self.row().when {
            When::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            When::FromEaster { days } => {
                let easter = easter_sunday(year)?;
                let offset = Days::new(u64::from(days.unsigned_abs()));
                if days < 0 {
                    easter.checked_sub_days(offset)
                } else {
                    easter.checked_add_days(offset)
                }
            }
            When::ThursdayAfterFirstSundayOfSeptember => {
                NaiveDate::from_weekday_of_month_opt(year, 9, Weekday::Sun, 1)?
                    .checked_add_days(Days::new(4))
            }
        }
    }
}

impl fmt::Display for HolidayRule {
    /// Writes the English name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HolidayRule {
    type Err = CalendarError;

    /// Reads a configuration name such as `good_friday`; anything else is
    /// [`CalendarError::UnknownHoliday`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RULES
            .iter()
            .find(|row| row.key == text)
            .map(|row| row.rule)
            .ok_or_else(|| CalendarError::UnknownHoliday { name: text.into() })
    }
}

impl serde::Serialize for HolidayRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl<'de> serde::Deserialize<'de> for HolidayRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The configuration names of all rules, comma-separated (for error messages).
pub(crate) fn known_rule_keys() -> String {
    RULES
        .iter()
        .map(|row| row.key)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Easter Sunday of `year` in the Gregorian calendar, or `None` outside
/// [`FIRST_YEAR`]–[`LAST_YEAR`].
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let easter = computus::gregorian(year).ok()?;
    NaiveDate::from_ymd_opt(easter.year, easter.month, easter.day)
}

/// A set of holiday rules, as a bit mask (copyable, no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RuleSet(u16);

impl RuleSet {
    /// All rules.
    pub(crate) fn all() -> Self {
        HolidayRule::ALL.into_iter().collect()
    }

    pub(crate) fn contains(self, rule: HolidayRule) -> bool {
        self.0 & (1 << rule as u16) != 0
    }

    /// Adds `rule`; returns false when it was already there.
    pub(crate) fn insert(&mut self, rule: HolidayRule) -> bool {
        let fresh = !self.contains(rule);
        self.0 |= 1 << rule as u16;
        fresh
    }

    /// The rules in the set, in calendar order.
    pub(crate) fn iter(self) -> impl Iterator<Item = HolidayRule> {
        HolidayRule::ALL
            .into_iter()
            .filter(move |rule| self.contains(*rule))
    }
}

impl FromIterator<HolidayRule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = HolidayRule>>(rules: I) -> Self {
        let mut set = RuleSet::default();
        for rule in rules {
            set.insert(rule);
        }
        set
    }
}

/// The holidays of one year under a rule set, sorted by date; held on the stack.
#[derive(Debug, Clone, Copy)]
pub(crate) struct YearHolidays {
    days: [(NaiveDate, HolidayRule); HolidayRule::COUNT],
    len: usize,
}

impl YearHolidays {
    /// The holidays of `year` (none when the year lies outside the calendar).
    pub(crate) fn compute(rules: RuleSet, year: i32) -> Self {
        let mut holidays = YearHolidays {
            days: [(NaiveDate::MIN, HolidayRule::NewYear); HolidayRule::COUNT],
            len: 0,
        };
        for rule in rules.iter() {
            if let Some(date) = rule.date_in(year) {
                holidays.days[holidays.len] = (date, rule);
                holidays.len += 1;
            }
        }
        holidays.days[..holidays.len].sort_unstable();
        holidays
    }

    /// The holidays, by date.
    pub(crate) fn as_slice(&self) -> &[(NaiveDate, HolidayRule)] {
        &self.days[..self.len]
    }

    /// The rule that makes `date` a holiday, if any.
    pub(crate) fn find(&self, date: NaiveDate) -> Option<HolidayRule> {
        self.as_slice()
            .iter()
            .find(|(day, _)| *day == date)
            .map(|(_, rule)| *rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn table_matches_enum() {
        assert_eq!(RULES.len(), HolidayRule::ALL.len());
        for (index, rule) in HolidayRule::ALL.into_iter().enumerate() {
            assert_eq!(RULES[index].rule, rule);
            assert_eq!(rule as usize, index);
        }
    }

    #[test]
    fn keys_round_trip() {
        for rule in HolidayRule::ALL {
            assert_eq!(rule.key().parse::<HolidayRule>(), Ok(rule));
        }
    }

    #[test]
    fn unknown_key_is_refused_by_name() {
        assert_eq!(
            "Christmas".parse::<HolidayRule>(),
            Err(CalendarError::UnknownHoliday {
                name: "Christmas".into()
            })
        );
    }

    #[test]
    fn names() {
        assert_eq!(HolidayRule::JeuneGenevois.french_name(), "Jeûne genevois");
        assert_eq!(
            HolidayRule::Restoration.french_name(),
            "Restauration de la République"
        );
        assert_eq!(
            HolidayRule::Restoration.to_string(),
            "Restoration of the Republic"
        );
    }

    #[test]
    fn easter_sundays() {
        assert_eq!(easter_sunday(2026), Some(date("2026-04-05")));
        assert_eq!(easter_sunday(2027), Some(date("2027-03-28")));
        assert_eq!(easter_sunday(1582), None);
        assert_eq!(easter_sunday(10_000), None);
    }

    #[test]
    fn dates_in_2026() {
        let expect = [
            (HolidayRule::NewYear, "2026-01-01"),
            (HolidayRule::GoodFriday, "2026-04-03"),
            (HolidayRule::EasterMonday, "2026-04-06"),
            (HolidayRule::Ascension, "2026-05-14"),
            (HolidayRule::WhitMonday, "2026-05-25"),
            (HolidayRule::NationalDay, "2026-08-01"),
            (HolidayRule::JeuneGenevois, "2026-09-10"),
            (HolidayRule::Christmas, "2026-12-25"),
            (HolidayRule::Restoration, "2026-12-31"),
        ];
        for (rule, day) in expect {
            assert_eq!(rule.date_in(2026), Some(date(day)), "{rule:?}");
        }
    }

    #[test]
    fn jeune_genevois_is_thursday_5_to_11_september() {
        use chrono::Datelike;
        for year in 1583..=2400 {
            let day = HolidayRule::JeuneGenevois
                .date_in(year)
                .expect("year in range");
            assert_eq!(day.weekday(), Weekday::Thu);
            assert_eq!(day.month(), 9);
            assert!((5..=11).contains(&day.day()), "{day}");
        }
    }

    #[test]
    fn no_dates_outside_calendar() {
        for rule in HolidayRule::ALL {
            assert_eq!(rule.date_in(FIRST_YEAR - 1), None);
            assert_eq!(rule.date_in(LAST_YEAR + 1), None);
            assert!(rule.date_in(LAST_YEAR).is_some());
        }
    }

    #[test]
    fn year_holidays_sorted_and_filtered() {
        let rules: RuleSet = [HolidayRule::Restoration, HolidayRule::NewYear]
            .into_iter()
            .collect();
        let year = YearHolidays::compute(rules, 2027);
        assert_eq!(
            year.as_slice(),
            &[
                (date("2027-01-01"), HolidayRule::NewYear),
                (date("2027-12-31"), HolidayRule::Restoration)
            ]
        );
        assert_eq!(
            year.find(date("2027-12-31")),
            Some(HolidayRule::Restoration)
        );
        assert_eq!(year.find(date("2027-12-25")), None);
    }

    #[test]
    fn rule_set() {
        let mut set = RuleSet::default();
        assert!(set.insert(HolidayRule::Ascension));
        assert!(!set.insert(HolidayRule::Ascension));
        assert!(set.contains(HolidayRule::Ascension));
        assert!(!set.contains(HolidayRule::Christmas));
        assert_eq!(RuleSet::all().iter().count(), HolidayRule::COUNT);
    }
}
