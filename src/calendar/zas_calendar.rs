//! The ZAS calendar: which days are working days, and why the others are not.

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use super::closure::Closure;
use super::config::{CalendarConfig, ClosingDay};
use super::day_cache::{CACHE_FIRST_YEAR, CACHE_LAST_YEAR, DayCache};
use super::error::CalendarError;
use super::holidays::{HolidayRule, RuleSet, YearHolidays};
use super::range::in_range;

/// The working days of the ZAS: Monday to Friday, without the configured public holidays of
/// Geneva and the configured extra closing days.
///
/// Immutable once built; `Send + Sync`, so share one behind an `Arc`. The working days of
/// 1980–2139 are precomputed into a bit map (about 7 KiB), so that
/// [`is_working_day`](Self::is_working_day) and the counting functions neither compute nor
/// allocate in the common case; other years are computed from the rules on the fly. The calendar
/// covers the years 1583–9999 (see [`FIRST_DATE`](super::FIRST_DATE)); days outside are never
/// working days.
#[derive(Clone)]
pub struct ZasCalendar {
    rules: RuleSet,
    /// Sorted by date, no date twice.
    closing_days: Vec<ClosingDay>,
    cache: DayCache,
}

impl ZasCalendar {
    /// The Geneva calendar: all holiday rules, no extra closing days
    /// (the same as `CalendarConfig::geneva().build()`).
    pub fn geneva() -> Self {
        ZasCalendar::from_parts(RuleSet::all(), Vec::new())
    }

    /// Builds the calendar of `config`; refuses a rule listed twice, a closing day listed twice
    /// and a closing day outside the calendar's range.
    pub fn new(config: &CalendarConfig) -> Result<Self, CalendarError> {
        let mut rules = RuleSet::default();
        for rule in &config.holidays {
            if !rules.insert(*rule) {
                return Err(CalendarError::DuplicateHoliday { rule: *rule });
            }
        }
        let mut closing_days = config.closing_days.clone();
        if let Some(day) = closing_days.iter().find(|day| !in_range(day.date)) {
            return Err(CalendarError::DateOutOfRange { date: day.date });
        }
        closing_days.sort_by_key(|day| day.date);
        if let Some(pair) = closing_days
            .windows(2)
            .find(|pair| pair[0].date == pair[1].date)
        {
            return Err(CalendarError::DuplicateClosingDay { date: pair[0].date });
        }
        Ok(ZasCalendar::from_parts(rules, closing_days))
    }

    /// Builds the calendar and its cache from checked parts.
    fn from_parts(rules: RuleSet, closing_days: Vec<ClosingDay>) -> Self {
        let mut cache = DayCache::empty();
        for year in CACHE_FIRST_YEAR..=CACHE_LAST_YEAR {
            let holidays = YearHolidays::compute(rules, year);
            let days = NaiveDate::from_ymd_opt(year, 1, 1)
                .into_iter()
                .flat_map(|first| first.iter_days())
                .take_while(|day| day.year() == year);
            for day in days {
                if closure_on(day, &holidays, &closing_days).is_none() {
                    cache.set_working(day);
                }
            }
        }
        ZasCalendar {
            rules,
            closing_days,
            cache,
        }
    }

    /// The holiday rules in force, in calendar order.
    pub fn holiday_rules(&self) -> impl Iterator<Item = HolidayRule> + use<> {
        self.rules.iter()
    }

    /// The extra closing days, by date.
    pub fn closing_days(&self) -> &[ClosingDay] {
        &self.closing_days
    }

    /// Whether the ZAS works on `date`. Never allocates; one bit test for 1980–2139.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.cache.is_working(date.num_days_from_ce()) {
            Some(working) => working,
            None => self.closure(date).is_none(),
        }
    }

    /// Why the ZAS does not work on `date`, or `None` on a working day. A holiday is reported
    /// before a closing day before the weekend.
    pub fn closure(&self, date: NaiveDate) -> Option<Closure<'_>> {
        if !in_range(date) {
            return Some(Closure::OutsideCalendar);
        }
        self.closure_with(date, &YearHolidays::compute(self.rules, date.year()))
    }

    /// [`closure`](Self::closure) with the holidays of `date`'s year already computed.
    pub(crate) fn closure_with(
        &self,
        date: NaiveDate,
        holidays: &YearHolidays,
    ) -> Option<Closure<'_>> {
        closure_on(date, holidays, &self.closing_days)
    }

    /// Whether the day with `num_days_from_ce` number `day` is a working day, if the bit map
    /// covers it.
    pub(crate) fn cached_working(&self, day: i32) -> Option<bool> {
        self.cache.is_working(day)
    }

    /// The holidays of `year` under the rules in force.
    pub(crate) fn year_holidays(&self, year: i32) -> YearHolidays {
        YearHolidays::compute(self.rules, year)
    }

    /// The public holidays of `year` under the rules in force, by date, with their English
    /// names (closing days are not included). Empty outside the calendar's years.
    pub fn holidays_in(&self, year: i32) -> Vec<(NaiveDate, &'static str)> {
        self.holiday_rules_in(year)
            .into_iter()
            .map(|(date, rule)| (date, rule.name()))
            .collect()
    }

    /// The public holidays of `year` under the rules in force, by date, with their rules (for
    /// the French names).
    pub fn holiday_rules_in(&self, year: i32) -> Vec<(NaiveDate, HolidayRule)> {
        YearHolidays::compute(self.rules, year).as_slice().to_vec()
    }
}

/// Why the ZAS is closed on `date`, given the holidays of its year and the closing days (sorted
/// by date): a holiday before a closing day before the weekend.
fn closure_on<'a>(
    date: NaiveDate,
    holidays: &YearHolidays,
    closing_days: &'a [ClosingDay],
) -> Option<Closure<'a>> {
    if let Some(rule) = holidays.find(date) {
        return Some(Closure::Holiday(rule));
    }
    if let Ok(index) = closing_days.binary_search_by_key(&date, |day| day.date) {
        let reason = closing_days
            .get(index)
            .map_or("", |day| day.reason.as_str());
        return Some(Closure::ClosingDay(reason));
    }
    match date.weekday() {
        day @ (Weekday::Sat | Weekday::Sun) => Some(Closure::Weekend(day)),
        _ => None,
    }
}

impl Default for ZasCalendar {
    /// [`ZasCalendar::geneva`].
    fn default() -> Self {
        ZasCalendar::geneva()
    }
}

impl fmt::Debug for ZasCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZasCalendar")
            .field("holidays", &self.rules.iter().collect::<Vec<_>>())
            .field("closing_days", &self.closing_days)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn is_send_sync() {
        fn check<T: Send + Sync + 'static>() {}
        check::<ZasCalendar>();
        check::<std::sync::Arc<ZasCalendar>>();
    }

    #[test]
    fn cache_agrees_with_rules() {
        let calendar = CalendarConfig::geneva()
            .with_closing_day(date("2026-12-24"), "ZAS closed")
            .with_closing_day(date("2000-06-02"), "Bridge day")
            .build()
            .expect("valid");
        for day in calendar.cache.days() {
            assert_eq!(
                calendar.cache.is_working(day.num_days_from_ce()),
                Some(calendar.closure(day).is_none()),
                "{day}"
            );
        }
    }

    #[test]
    fn closures() {
        let calendar = ZasCalendar::geneva();
        assert_eq!(calendar.closure(date("2026-12-22")), None);
        assert_eq!(
            calendar.closure(date("2026-12-26")),
            Some(Closure::Weekend(Weekday::Sat))
        );
        assert_eq!(
            calendar.closure(date("2026-12-25")),
            Some(Closure::Holiday(HolidayRule::Christmas))
        );
        // 1 August 2026 is a Saturday: the holiday is reported.
        assert_eq!(
            calendar.closure(date("2026-08-01")),
            Some(Closure::Holiday(HolidayRule::NationalDay))
        );
        assert_eq!(
            calendar.closure(date("1582-12-31")),
            Some(Closure::OutsideCalendar)
        );
        assert!(!calendar.is_working_day(NaiveDate::MIN));
        assert!(!calendar.is_working_day(NaiveDate::MAX));
    }

    #[test]
    fn outside_the_cache_uses_the_rules() {
        let calendar = ZasCalendar::geneva();
        // 2200: Easter 6 April, Good Friday 4 April (Friday).
        assert!(!calendar.is_working_day(date("2200-04-04")));
        assert!(calendar.is_working_day(date("2200-04-03")));
        assert!(!calendar.is_working_day(date("1900-12-25")));
        assert!(calendar.is_working_day(date("1900-12-24")));
    }

    #[test]
    fn closing_day_reason() {
        let calendar = CalendarConfig::geneva()
            .with_closing_day(date("2026-12-24"), "ZAS closed")
            .build()
            .expect("valid");
        assert_eq!(
            calendar.closure(date("2026-12-24")),
            Some(Closure::ClosingDay("ZAS closed"))
        );
        assert!(!calendar.is_working_day(date("2026-12-24")));
        assert!(ZasCalendar::geneva().is_working_day(date("2026-12-24")));
    }

    #[test]
    fn configuration_errors() {
        let twice = CalendarConfig::geneva().with_holidays([
            HolidayRule::Christmas,
            HolidayRule::NewYear,
            HolidayRule::Christmas,
        ]);
        assert_eq!(
            twice.build().expect_err("duplicate"),
            CalendarError::DuplicateHoliday {
                rule: HolidayRule::Christmas
            }
        );
        let day = date("2026-12-24");
        let twice = CalendarConfig::geneva()
            .with_closing_day(day, "a")
            .with_closing_day(date("2026-01-02"), "b")
            .with_closing_day(day, "c");
        assert_eq!(
            twice.build().expect_err("duplicate"),
            CalendarError::DuplicateClosingDay { date: day }
        );
        let far = date("1500-01-03");
        assert_eq!(
            CalendarConfig::geneva()
                .with_closing_day(far, "x")
                .build()
                .expect_err("out of range"),
            CalendarError::DateOutOfRange { date: far }
        );
    }

    #[test]
    fn holidays_in_2026() {
        let holidays = ZasCalendar::geneva().holidays_in(2026);
        assert_eq!(holidays.len(), 9);
        assert_eq!(holidays[0], (date("2026-01-01"), "New Year"));
        assert_eq!(
            holidays[8],
            (date("2026-12-31"), "Restoration of the Republic")
        );
        assert!(ZasCalendar::geneva().holidays_in(1000).is_empty());
    }

    #[test]
    fn debug_is_short() {
        let text = format!("{:?}", ZasCalendar::geneva());
        assert!(text.len() < 300, "{text}");
        assert!(text.contains("JeuneGenevois"));
    }
}
