//! The splitting block o: a divorce-splitting order or its revocation (N. 3119, 2613, 2601).

use std::fmt;

use super::avs_number::AvsNumber;

/// N. 2613: the special key of a split year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpecialKey {
    /// 4: average income split over years in which a spouse drew an invalidity pension.
    InvalidityAverage = 4,
    /// 5: split income already taken into account for a pension.
    AlreadyCounted = 5,
}

impl SpecialKey {
    pub fn new(code: i64) -> Option<Self> {
        match code {
            4 => Some(SpecialKey::InvalidityAverage),
            5 => Some(SpecialKey::AlreadyCounted),
            _ => None,
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// One calendar year to split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SplitYear {
    pub year: i32,
    pub special: Option<SpecialKey>,
}

/// The first year whose income can be split: AVS contributions start in 1948.
pub const FIRST_YEAR: i32 = 1948;

/// The splitting block, required for the keys 95 and 96 (annex 9). Years are distinct and in
/// ascending order.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SplittingOrder {
    spouse: AvsNumber,
    years: Vec<SplitYear>,
}

impl SplittingOrder {
    /// `None` when `years` is empty or holds a year twice.
    pub fn new(spouse: AvsNumber, mut years: Vec<SplitYear>) -> Option<Self> {
        years.sort();
        let distinct = years.windows(2).all(|w| w[0].year != w[1].year);
        (!years.is_empty() && distinct).then_some(SplittingOrder { spouse, years })
    }

    /// The other spouse's 13-digit AVS number.
    pub fn spouse(&self) -> AvsNumber {
        self.spouse
    }

    pub fn years(&self) -> &[SplitYear] {
        &self.years
    }
}

impl fmt::Debug for SplittingOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplittingOrder")
            .field("years", &self.years)
            .finish_non_exhaustive()
    }
}
