//! The fund and agency number `NNN.NNN` (N. 3104).

use std::fmt;
use std::str::FromStr;

/// A fund number (1–999) with its agency (0–999), printed `066.000`.
///
/// In the XML it is the eCH `deliveryOffice`: `officeIdentifier` and `branch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FundNumber {
    fund: u16,
    agency: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundNumberError {
    #[error("a fund number is written NNN.NNN (fund and agency, three digits each), not {0:?}")]
    Format(String),
    #[error("fund number 000 does not exist: funds are numbered 001 to 999")]
    ZeroFund,
}

impl FundNumber {
    pub fn new(fund: u16, agency: u16) -> Result<Self, FundNumberError> {
        if fund == 0 {
            return Err(FundNumberError::ZeroFund);
        }
        if fund > 999 || agency > 999 {
            return Err(FundNumberError::Format(format!("{fund}.{agency}")));
        }
        Ok(FundNumber { fund, agency })
    }

    pub fn parse(text: &str) -> Result<Self, FundNumberError> {
        let bad = || FundNumberError::Format(text.to_string());
        let (fund, agency) = text.split_once('.').ok_or_else(bad)?;
        let three_digits = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit());
        if !three_digits(fund) || !three_digits(agency) {
            return Err(bad());
        }
        Self::new(
            fund.parse().map_err(|_| bad())?,
            agency.parse().map_err(|_| bad())?,
        )
    }

    /// The fund (eCH `officeIdentifier`, 1–999).
    pub fn fund(self) -> u16 {
        self.fund
    }

    /// The agency (eCH `branch`, 0–999).
    pub fn agency(self) -> u16 {
        self.agency
    }
}

impl fmt::Display for FundNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}.{:03}", self.fund, self.agency)
    }
}

impl FromStr for FundNumber {
    type Err = FundNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let f = FundNumber::parse("066.000").unwrap();
        assert_eq!((f.fund(), f.agency()), (66, 0));
        assert_eq!(f.to_string(), "066.000");
        assert_eq!(FundNumber::new(1, 999).unwrap().to_string(), "001.999");
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "66.000", "066000", "066.0000", "06a.000", "", "066.", "+66.000",
        ] {
            assert!(
                matches!(FundNumber::parse(bad), Err(FundNumberError::Format(_))),
                "{bad}"
            );
        }
        assert_eq!(FundNumber::parse("000.001"), Err(FundNumberError::ZeroFund));
        assert!(FundNumber::new(1000, 0).is_err());
    }
}
