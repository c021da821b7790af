//! The 13-digit AVS number (N. 1201, 1202, annex 8; security baseline, draft art. 4).

use std::fmt;
use std::str::FromStr;

/// A 13-digit Swiss AVS number whose country prefix and check digit are right.
///
/// It cannot hold an invalid value: the only ways to make one are [`AvsNumber::parse`] and
/// [`AvsNumber::from_digits`], which both check the number (security baseline, draft art. 4).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AvsNumber(u64);

/// Why a text is not an AVS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvsNumberError {
    #[error("the AVS number is empty")]
    Empty,
    #[error("the AVS number may hold only digits and dots, found {found:?} at position {position}")]
    BadCharacter { found: char, position: usize },
    #[error("dots may only stand as in 756.1234.5678.97")]
    MisplacedDots,
    #[error("an AVS number has 13 digits, this one has {digits}")]
    WrongLength { digits: usize },
    #[error("an AVS number starts with 756 (Switzerland), this one with {prefix}")]
    NotSwiss { prefix: String },
    #[error("check digit is {expected}, not {found}")]
    CheckDigit { expected: u8, found: u8 },
}

impl AvsNumber {
    /// The lowest and highest value of eCH-0044 `vn`.
    pub const MIN: u64 = 7_560_000_000_001;
    pub const MAX: u64 = 7_569_999_999_999;

    /// Parses `7561234567897` or `756.1234.5678.97` (surrounding white space is ignored).
    pub fn parse(text: &str) -> Result<Self, AvsNumberError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AvsNumberError::Empty);
        }
        if let Some((position, found)) = text
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_digit() && *c != '.')
        {
            return Err(AvsNumberError::BadCharacter { found, position });
        }
        let digits: Vec<u8> = text
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        if digits.len() != 13 {
            return Err(AvsNumberError::WrongLength {
                digits: digits.len(),
            });
        }
        if text.contains('.') && !has_printed_dots(text) {
            return Err(AvsNumberError::MisplacedDots);
        }
        let digits: [u8; 13] = digits.try_into().expect("length checked above");
        Self::from_digit_array(digits)
    }

    /// Makes an AVS number from its 13-digit integer value (as in eCH-0044 `vn`).
    pub fn from_digits(value: u64) -> Result<Self, AvsNumberError> {
        let text = value.to_string();
        if text.len() != 13 {
            return Err(AvsNumberError::WrongLength { digits: text.len() });
        }
        Self::parse(&text)
    }

    fn from_digit_array(digits: [u8; 13]) -> Result<Self, AvsNumberError> {
        // N. 1201: the first three digits are the country code of Switzerland.
        if digits[..3] != [7, 5, 6] {
            return Err(AvsNumberError::NotSwiss {
                prefix: digits[..3].iter().map(|d| char::from(b'0' + d)).collect(),
            });
        }
        // Annex 8: the check digit.
        let expected = check_digit(&digits[..12]);
        if digits[12] != expected {
            return Err(AvsNumberError::CheckDigit {
                expected,
                found: digits[12],
            });
        }
        Ok(AvsNumber(
            digits.iter().fold(0u64, |n, d| n * 10 + u64::from(*d)),
        ))
    }

    /// The 13 digits as an integer (eCH-0044 `vn`).
    pub fn value(self) -> u64 {
        self.0
    }

    /// The 13 digits without dots.
    pub fn digits(self) -> String {
        self.0.to_string()
    }
}

/// Annex 8: weight the first 12 digits 3,1,3,1,… from the right; the check digit brings the sum to
/// the next multiple of 10 (0 when it already is one).
pub fn check_digit(first_twelve: &[u8]) -> u8 {
    let sum: u32 = first_twelve
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Dots, when present, stand exactly as in `756.1234.5678.97`.
fn has_printed_dots(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 16
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(i, 3 | 8 | 13) == (*b == b'.'))
}

impl fmt::Display for AvsNumber {
    /// Prints `756.1234.5678.97`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}.{}.{}.{}", &d[..3], &d[3..7], &d[7..11], &d[11..])
    }
}

impl fmt::Debug for AvsNumber {
    /// Never prints the number: debug output ends up in logs (N. 2102; security baseline, draft
    /// art. 7).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AvsNumber(756.****.****.**)")
    }
}

impl FromStr for AvsNumber {
    type Err = AvsNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_8_example() {
        assert_eq!(check_digit(&[7, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 7);
        let n = AvsNumber::parse("756.1234.5678.97").unwrap();
        assert_eq!(n.to_string(), "756.1234.5678.97");
        assert_eq!(n.value(), 7561234567897);
        assert_eq!(AvsNumber::parse("7561234567897").unwrap(), n);
    }

    #[test]
    fn known_numbers() {
        for ok in ["756.9217.0769.85", "756.3047.5009.62"] {
            AvsNumber::parse(ok).unwrap();
        }
    }

    #[test]
    fn sum_already_multiple_of_ten_gives_zero() {
        // 756000000006?: 7+15+6+0…+6*3=46 … find a number whose sum is a multiple of 10.
        let first: [u8; 12] = [7, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 4];
        assert_eq!(check_digit(&first), 0, "7+15+6+4*3=40");
        AvsNumber::parse("7560000000040").unwrap();
    }

    #[test]
    fn errors_name_the_reason() {
        assert_eq!(
            AvsNumber::parse("756.1234.5678.93"),
            Err(AvsNumberError::CheckDigit {
                expected: 7,
                found: 3
            })
        );
        assert_eq!(
            AvsNumber::parse("757.1234.5678.97"),
            Err(AvsNumberError::NotSwiss {
                prefix: "757".into()
            })
        );
        assert_eq!(
            AvsNumber::parse("756.1234.5678.9"),
            Err(AvsNumberError::WrongLength { digits: 12 })
        );
        assert_eq!(
            AvsNumber::parse("7561.234.5678.97"),
            Err(AvsNumberError::MisplacedDots)
        );
        assert_eq!(
            AvsNumber::parse("756-1234"),
            Err(AvsNumberError::BadCharacter {
                found: '-',
                position: 3
            })
        );
        assert_eq!(AvsNumber::parse("  "), Err(AvsNumberError::Empty));
        assert_eq!(
            AvsNumber::check_error_message("756.1234.5678.93"),
            "check digit is 7, not 3"
        );
    }

    #[test]
    fn debug_hides_the_number() {
        let n = AvsNumber::parse("756.1234.5678.97").unwrap();
        assert!(!format!("{n:?}").contains("1234"));
    }

    impl AvsNumber {
        fn check_error_message(text: &str) -> String {
            AvsNumber::parse(text).unwrap_err().to_string()
        }
    }
}
