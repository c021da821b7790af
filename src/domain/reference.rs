//! The fund's internal reference (N. 3105).

use std::fmt;

/// The fund's own reference of an announcement: 1 to 20 printable ASCII characters, no leading or
/// trailing space. With the fund number it identifies the announcement (acknowledgements are
/// matched on it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference(String);

pub const MAX_LENGTH: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("the reference is empty")]
    Empty,
    #[error("the reference has {0} characters, at most 20 are allowed")]
    TooLong(usize),
    #[error("the reference may hold printable ASCII characters only, not {0:?}")]
    BadCharacter(char),
    #[error("the reference may not start or end with a space")]
    Padded,
    /// Security baseline (ordinance draft, art. 3) and N. 2102: the AVS number is stored in one
    /// place only, not in a reference.
    #[error(
        "the reference holds 13 digits starting 756 once every other character is left out, which \
         reads as an AVS number whatever separates the digits: the number belongs in avs_number \
         only (security baseline, ordinance draft art. 3; N. 2102)"
    )]
    LooksLikeAvsNumber,
}

impl Reference {
    /// A reference a fund submits: [`Reference::stored`]'s rules, and no AVS number whatever
    /// separates its digits.
    pub fn new(text: &str) -> Result<Self, ReferenceError> {
        let reference = Reference::stored(text)?;
        if hides_avs_number(text) {
            return Err(ReferenceError::LooksLikeAvsNumber);
        }
        Ok(reference)
    }

    /// A reference as the gateway stored it, or as the ZAS quotes it back: the rules that held
    /// when it was submitted — printable ASCII, 1 to 20 characters, no padding, no AVS number in
    /// its usual forms. A reference stored before the refusal of AVS numbers written with other
    /// separators is read, answered and printed as it was: nothing stored is lost.
    pub fn stored(text: &str) -> Result<Self, ReferenceError> {
        if text.is_empty() {
            return Err(ReferenceError::Empty);
        }
        if let Some(c) = text.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(ReferenceError::BadCharacter(c));
        }
        if text.len() > MAX_LENGTH {
            return Err(ReferenceError::TooLong(text.len()));
        }
        if text.trim() != text {
            return Err(ReferenceError::Padded);
        }
        if super::avs_mask::contains_avs_number(text) {
            return Err(ReferenceError::LooksLikeAvsNumber);
        }
        Ok(Reference(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether the digits of `text`, every other character left out, hold a run of 13 starting
/// `756`: an AVS number written with any separators (`756/1234/5678/97`, `(756)1234567897`).
/// Security baseline (ordinance draft, art. 3), N. 2102.
fn hides_avs_number(text: &str) -> bool {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_digit).collect();
    digits.windows(13).any(|run| run.starts_with(b"756"))
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_reference_is_read_under_the_rules_it_was_stored_with() {
        assert_eq!(
            Reference::new("756/1234/5678/97"),
            Err(ReferenceError::LooksLikeAvsNumber)
        );
        assert_eq!(
            Reference::stored("756/1234/5678/97").unwrap().as_str(),
            "756/1234/5678/97"
        );
        assert_eq!(
            Reference::stored("756.1234.5678.97"),
            Err(ReferenceError::LooksLikeAvsNumber)
        );
    }

    #[test]
    fn rules() {
        assert!(Reference::new("K-2026-000123").is_ok());
        assert!(Reference::new("12345678901234567890").is_ok());
        assert_eq!(Reference::new(""), Err(ReferenceError::Empty));
        assert_eq!(
            Reference::new("123456789012345678901"),
            Err(ReferenceError::TooLong(21))
        );
        assert_eq!(
            Reference::new("a\tb"),
            Err(ReferenceError::BadCharacter('\t'))
        );
        assert_eq!(
            Reference::new("Zürich"),
            Err(ReferenceError::BadCharacter('ü'))
        );
        assert_eq!(Reference::new(" K1"), Err(ReferenceError::Padded));
        for number in ["7561234567897", "756.1234.5678.97", "756 1234 5678 97"] {
            assert_eq!(
                Reference::new(number),
                Err(ReferenceError::LooksLikeAvsNumber),
                "{number}"
            );
        }
        assert_eq!(
            Reference::new("K-7561234567897"),
            Err(ReferenceError::LooksLikeAvsNumber)
        );
        assert!(
            Reference::new("K-756123456789").is_ok(),
            "12 digits are no AVS number"
        );
    }

    /// Any separators between the digits.
    #[test]
    fn avs_numbers_with_other_separators_are_refused() {
        for number in [
            "756/1234/5678/97",
            "756_1234_5678_97",
            "756:1234:5678:97",
            "756,1234,5678,97",
            "756|1234|5678|97",
            "756..1234.5678.97",
            "756. 1234.5678.97",
            "(756)1234567897",
            "756 / 1234567897",
            "A756B1234C5678D97",
        ] {
            let refused = Reference::new(number);
            assert_eq!(refused, Err(ReferenceError::LooksLikeAvsNumber), "{number}");
            assert!(
                refused
                    .unwrap_err()
                    .to_string()
                    .contains("13 digits starting 756"),
                "the message says why"
            );
        }
        assert!(Reference::new("K/756/1234/5678").is_ok(), "11 digits");
        assert!(
            Reference::new("1234-756-0000").is_ok(),
            "756 not at the start of 13"
        );
    }
}
