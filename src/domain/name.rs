//! The official name: "Surname, Given names" in at most 40 positions (N. 3107, 3108, 3110).
//!
//! # How long names are shortened (N. 3108)
//! The name is counted as it is written to the register: surname, a comma, a space, the given
//! names separated by single spaces; each character is one position. When that is longer than 40:
//! 1. given names are abbreviated to their initial and a dot, from the **last** to the second
//!    (`Anton Hugo Maria` → `Anton Hugo M.` → `Anton H. M.`), stopping as soon as the name fits;
//!    a hyphenated given name keeps its hyphen (`Jean-Pierre` → `J.-P.`);
//! 2. then the first given name is abbreviated as well;
//! 3. then abbreviated given names are left out from the last one on, keeping at least the first;
//! 4. the surname itself is never shortened (its spelling is the civil register's): a surname so
//!    long that even `Surname, X.` does not fit is refused.
//!
//! A person without a given name is written `NN` (N. 3110).

use std::fmt;

pub const MAX_POSITIONS: usize = 40;
/// Written in place of the given names of a person who has none (N. 3110).
pub const NO_GIVEN_NAME: &str = "NN";

/// A surname and given names that together fit in 40 positions, made only by [`PersonName::fit`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonName {
    surname: String,
    /// `None` when the person has no given name (sent as `NN`).
    given_names: Option<String>,
}

/// What fitting did to the given names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shortening {
    pub abbreviated: usize,
    pub left_out: usize,
}

impl Shortening {
    pub fn is_none(self) -> bool {
        self == Shortening::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the surname is missing")]
    MissingSurname,
    #[error("{part} may hold letters, spaces, hyphens, apostrophes and dots only, not {found:?}")]
    BadCharacter { part: &'static str, found: char },
    #[error(
        "the surname has {positions} positions: with a comma and one initial it cannot fit in 40 positions, and it may not be shortened"
    )]
    SurnameTooLong { positions: usize },
}

fn allowed(c: char) -> bool {
    c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.')
}

/// Collapses white space and checks the characters.
fn normalise(part: &'static str, text: &str) -> Result<String, NameError> {
    if let Some(found) = text.chars().find(|c| !allowed(*c) && !c.is_whitespace()) {
        return Err(NameError::BadCharacter { part, found });
    }
    Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `Hugo` → `H.`, `Jean-Pierre` → `J.-P.`.
fn initial(given: &str) -> String {
    given
        .split('-')
        .map(|part| match part.chars().next() {
            Some(c) => format!("{c}."),
            None => String::new(),
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn positions(surname: &str, given: &[String]) -> usize {
    let given_len = if given.is_empty() {
        NO_GIVEN_NAME.len()
    } else {
        given.iter().map(|g| g.chars().count()).sum::<usize>() + given.len() - 1
    };
    surname.chars().count() + 2 + given_len
}

impl PersonName {
    /// Fits a surname and given names into 40 positions by the rules in the module's docs.
    pub fn fit(surname: &str, given_names: &str) -> Result<(PersonName, Shortening), NameError> {
        let surname = normalise("the surname", surname)?;
        if surname.is_empty() {
            return Err(NameError::MissingSurname);
        }
        let given = normalise("the given names", given_names)?;
        let mut given: Vec<String> = given
            .split(' ')
            .filter(|g| !g.is_empty())
            .map(String::from)
            .collect();
        if given.len() == 1 && given[0] == NO_GIVEN_NAME {
            given.clear();
        }
        let mut shortening = Shortening::default();
        let fits = |g: &[String]| positions(&surname, g) <= MAX_POSITIONS;
        // Steps 1 and 2: abbreviate from the last given name to the first.
        for i in (0..given.len()).rev() {
            if fits(&given) {
                break;
            }
            let short = initial(&given[i]);
            if short != given[i] {
                given[i] = short;
                shortening.abbreviated += 1;
            }
        }
        // Step 3: leave out trailing given names, keeping the first.
        while !fits(&given) && given.len() > 1 {
            given.pop();
            shortening.left_out += 1;
        }
        if !fits(&given) {
            return Err(NameError::SurnameTooLong {
                positions: surname.chars().count(),
            });
        }
        let given_names = (!given.is_empty()).then(|| given.join(" "));
        Ok((
            PersonName {
                surname,
                given_names,
            },
            shortening,
        ))
    }

    pub fn surname(&self) -> &str {
        &self.surname
    }

    /// The given names as sent: `None` is written `NN`.
    pub fn given_names(&self) -> Option<&str> {
        self.given_names.as_deref()
    }

    /// The given names or `NN`.
    pub fn given_names_or_nn(&self) -> &str {
        self.given_names.as_deref().unwrap_or(NO_GIVEN_NAME)
    }
}

impl fmt::Display for PersonName {
    /// `Brunner, Anton Hugo` or `Brunner, NN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.surname, self.given_names_or_nn())
    }
}

impl fmt::Debug for PersonName {
    /// Personal data stays out of debug output (it ends up in logs).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted(surname: &str, given: &str) -> (String, Shortening) {
        let (name, s) = PersonName::fit(surname, given).unwrap();
        (name.to_string(), s)
    }

    #[test]
    fn short_names_are_kept() {
        assert_eq!(fitted("Brunner", "Anton Hugo").0, "Brunner, Anton Hugo");
        assert!(fitted("Brunner", "Anton Hugo").1.is_none());
        assert_eq!(
            fitted("  Brunner ", " Anton   Hugo ").0,
            "Brunner, Anton Hugo"
        );
    }

    #[test]
    fn no_given_name_is_nn() {
        assert_eq!(fitted("Brunner", "").0, "Brunner, NN");
        assert_eq!(fitted("Brunner", "NN").0, "Brunner, NN");
        assert_eq!(
            PersonName::fit("Brunner", "").unwrap().0.given_names(),
            None
        );
    }

    #[test]
    fn exactly_forty_positions_fit() {
        // 20 + 2 + 18 = 40
        let (name, s) = fitted("Abcdefghijabcdefghij", "Abcdefgh Abcdefghi");
        assert_eq!(name.chars().count(), 40);
        assert!(s.is_none());
    }

    #[test]
    fn trailing_given_names_are_abbreviated_first() {
        let (name, s) = fitted("von Wattenwyl-Steiger", "Anna Maria Theresia Luise");
        assert!(name.chars().count() <= 40, "{name}");
        assert_eq!(name, "von Wattenwyl-Steiger, Anna Maria T. L.");
        assert_eq!(s.abbreviated, 2);
    }

    #[test]
    fn hyphenated_given_names_keep_the_hyphen() {
        let (name, _) = fitted("Aebischer-Hofstetterberger", "Marie-Claire Jean-Pierre");
        assert_eq!(name, "Aebischer-Hofstetterberger, M.-C. J.-P.");
    }

    #[test]
    fn given_names_are_left_out_last() {
        let (name, s) = fitted(
            "Schwarzenbach-Hofstetter-Aebi",
            "Anton Hugo Maria Peter Paul",
        );
        assert_eq!(name, "Schwarzenbach-Hofstetter-Aebi, A. H. M.");
        assert_eq!(
            s,
            Shortening {
                abbreviated: 5,
                left_out: 2
            }
        );
    }

    #[test]
    fn a_surname_that_cannot_fit_is_refused() {
        let long = "Abcdefghijklmnopqrstuvwxyzabcdefghijkl";
        assert_eq!(
            PersonName::fit(long, "Anton"),
            Err(NameError::SurnameTooLong { positions: 38 })
        );
    }

    #[test]
    fn characters() {
        assert!(PersonName::fit("O'Neil", "Zoë").is_ok());
        assert!(PersonName::fit("Müller", "Jean-Luc").is_ok());
        assert_eq!(
            PersonName::fit("Brunner3", "A"),
            Err(NameError::BadCharacter {
                part: "the surname",
                found: '3'
            })
        );
        assert_eq!(PersonName::fit("   ", "A"), Err(NameError::MissingSurname));
    }
}
