//! A precomputed bit map of the working days of a window of years, so that the common case of
//! [`ZasCalendar::is_working_day`](super::ZasCalendar::is_working_day) is one bit test.

use chrono::{Datelike, NaiveDate};

/// The first year held in the cache.
pub(crate) const CACHE_FIRST_YEAR: i32 = 1980;
/// The last year held in the cache. Days outside the window are computed from the rules.
pub(crate) const CACHE_LAST_YEAR: i32 = 2139;

/// One bit per day of [`CACHE_FIRST_YEAR`]–[`CACHE_LAST_YEAR`], set for a working day.
#[derive(Clone)]
pub(crate) struct DayCache {
    /// `num_days_from_ce` of the first day of the window.
    first_day: i32,
    /// Number of days in the window.
    len: i32,
    /// The bits, day `first_day + i` at bit `i % 64` of word `i / 64`.
    words: Box<[u64]>,
}

impl DayCache {
    /// A cache of the window with no working day set yet.
    pub(crate) fn empty() -> Self {
        let first_day = day_number(CACHE_FIRST_YEAR, 1, 1);
        let len = day_number(CACHE_LAST_YEAR + 1, 1, 1) - first_day;
        let words = len.unsigned_abs().div_ceil(64) as usize;
        DayCache {
            first_day,
            len,
            words: vec![0; words].into_boxed_slice(),
        }
    }

    /// The days of the window, first to last (for tests).
    #[cfg(test)]
    pub(crate) fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let (first, len) = (self.first_day, self.len);
        (first..first + len).filter_map(NaiveDate::from_num_days_from_ce_opt)
    }

    /// Marks `date` as a working day (ignored outside the window).
    pub(crate) fn set_working(&mut self, date: NaiveDate) {
        if let Some(index) = self.index(date.num_days_from_ce()) {
            self.words[index / 64] |= 1 << (index % 64);
        }
    }

    /// Whether the day with `num_days_from_ce` number `day` is a working day, or `None` when it
    /// lies outside the window.
    pub(crate) fn is_working(&self, day: i32) -> Option<bool> {
        let index = self.index(day)?;
        Some(self.words[index / 64] & (1 << (index % 64)) != 0)
    }

    fn index(&self, day: i32) -> Option<usize> {
        let offset = day.checked_sub(self.first_day)?;
        (0..self.len)
            .contains(&offset)
            .then_some(offset.unsigned_abs() as usize)
    }
}

/// `num_days_from_ce` of a date known to exist.
fn day_number(year: i32, month: u32, day: u32) -> i32 {
    NaiveDate::from_ymd_opt(year, month, day).map_or(0, |date| date.num_days_from_ce())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_covers_the_years() {
        let cache = DayCache::empty();
        let first = cache.days().next().expect("non-empty");
        let last = cache.days().last().expect("non-empty");
        assert_eq!(first.to_string(), "1980-01-01");
        assert_eq!(last.to_string(), "2139-12-31");
        assert_eq!(cache.is_working(first.num_days_from_ce()), Some(false));
        assert_eq!(cache.is_working(first.num_days_from_ce() - 1), None);
        assert_eq!(cache.is_working(last.num_days_from_ce() + 1), None);
        assert_eq!(cache.is_working(i32::MIN), None);
    }

    #[test]
    fn set_and_read() {
        let mut cache = DayCache::empty();
        let day = NaiveDate::from_ymd_opt(2026, 12, 23).expect("date");
        cache.set_working(day);
        assert_eq!(cache.is_working(day.num_days_from_ce()), Some(true));
        assert_eq!(cache.is_working(day.num_days_from_ce() + 1), Some(false));
        // Outside the window: ignored, no panic.
        cache.set_working(NaiveDate::MAX);
        cache.set_working(NaiveDate::MIN);
    }
}
