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
//!
//! # The characters of a name
//! Names arrive in Unicode normalisation form C (NFC, composed): `Mu` + U+0308 is read as `Mü`,
//! so the same name is always stored and sent the same way. A part that is given must hold at
//! least one letter. The letters allowed are the Latin ones with their diacritics, in the style of
//! the "Latin-1 + Latin Extended-A" repertoire that Swiss person registers use:
//! - Basic Latin `A`–`Z`, `a`–`z`;
//! - Latin-1 Supplement U+00C0–U+00FF without `×` (U+00D7) and `÷` (U+00F7): `ÀÉÖØßàçèñöü…`;
//! - Latin Extended-A U+0100–U+017F: `ĆČĐŁŃŒŠŸŽćčđłńœšž…`;
//! - from Latin Extended-B the Romanian `Ș ș Ț ț` (U+0218–U+021B), which have no other spelling;
//!
//! and the punctuation names use: space, hyphen `-`, apostrophe `'` and `’` (U+2019), dot `.`.
//! Everything else is refused with the character named (`U+3164`): digits, look-alikes from
//! other scripts (Cyrillic `а`), compatibility forms (fullwidth `Ｍ`, the ligature `ﬀ`, the
//! numeral `Ⅻ`), invisible fillers, combining marks that compose with nothing.
//!
//! Source: eCH-0044 (version 4) types official names only as `xs:token` of at most 100
//! characters and names no character set; the Federal Council decided on 12 May 2021 that all
//! Swiss person registers use one character set of the European Latin letters from 2024 (the one
//! of the migration information system). This set is the Latin-letter core of that repertoire
//! (comparable to the German String.Latin / DIN SPEC 91379 letters), narrowed to what the
//! directives' 40-position name of N. 3108 can carry; letters outside it are refused rather than
//! transcribed, so that the clerk decides the spelling.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

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

/// The part of a name a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamePart {
    Surname,
    GivenNames,
}

impl NamePart {
    /// The field of an announcement's `person` that holds this part.
    pub fn field(self) -> &'static str {
        match self {
            NamePart::Surname => "surname",
            NamePart::GivenNames => "given_names",
        }
    }
}

impl fmt::Display for NamePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NamePart::Surname => "the surname",
            NamePart::GivenNames => "the given names",
        })
    }
}

/// A character as the messages name it: `'Ｍ' (U+FF2D)`, or `U+3164` alone when invisible.
struct Named(char);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        if c.is_alphanumeric() || c.is_ascii_punctuation() || c.is_ascii_graphic() {
            write!(f, "'{c}' (U+{:04X})", u32::from(c))
        } else {
            write!(f, "U+{:04X}", u32::from(c))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the surname is missing")]
    MissingSurname,
    #[error(
        "{part} may hold Latin letters (with their diacritics), spaces, hyphens, apostrophes and \
         dots only, not {}", Named(*found)
    )]
    BadCharacter { part: NamePart, found: char },
    #[error("{part} must hold at least one letter")]
    NoLetter { part: NamePart },
    #[error(
        "the surname has {positions} positions: with a comma and one initial it cannot fit in 40 positions, and it may not be shortened"
    )]
    SurnameTooLong { positions: usize },
}

impl NameError {
    /// The field the problem is in (`surname` or `given_names`).
    pub fn field(&self) -> &'static str {
        match self {
            NameError::BadCharacter { part, .. } | NameError::NoLetter { part } => part.field(),
            NameError::MissingSurname | NameError::SurnameTooLong { .. } => {
                NamePart::Surname.field()
            }
        }
    }
}

/// A letter of the set in the module's docs.
fn is_name_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{C0}'..='\u{FF}') && !matches!(c, '\u{D7}' | '\u{F7}')
        || matches!(c, '\u{100}'..='\u{17F}' | '\u{218}'..='\u{21B}')
}

fn allowed(c: char) -> bool {
    is_name_letter(c) || matches!(c, ' ' | '-' | '\'' | '’' | '.')
}

/// Which rules a name is read under.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Submitted by a fund: composed (NFC), the letters of the module's docs.
    Intake,
    /// Stored by the gateway, or sent by the ZAS: taken as it is (its XML is written again byte
    /// for byte, N. 3403), any letter (the rule names were stored under before the character
    /// set), so that nothing stored is lost and no answer of the ZAS is refused for a name.
    Stored,
}

/// Collapses white space and checks the characters; at intake it first composes (NFC).
fn normalise(part: NamePart, text: &str, source: Source) -> Result<String, NameError> {
    if source == Source::Stored {
        let permitted = |c: char| c.is_alphabetic() || allowed(c) || c.is_whitespace();
        if let Some(found) = text.chars().find(|c| !permitted(*c)) {
            return Err(NameError::BadCharacter { part, found });
        }
        return Ok(text.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    let text: String = text.nfc().collect();
    if let Some(found) = text
        .chars()
        .find(|c| !allowed(*c) && !c.is_ascii_whitespace())
    {
        return Err(NameError::BadCharacter { part, found });
    }
    let text = text.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
    if !text.is_empty() && !text.chars().any(is_name_letter) {
        return Err(NameError::NoLetter { part });
    }
    Ok(text)
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
    /// Fits a surname and given names a fund submits into 40 positions by the rules in the
    /// module's docs.
    pub fn fit(surname: &str, given_names: &str) -> Result<(PersonName, Shortening), NameError> {
        PersonName::fit_from(surname, given_names, Source::Intake)
    }

    /// The same for a name the gateway stored or the ZAS sent (see `Source::Stored`).
    pub fn stored(surname: &str, given_names: &str) -> Result<(PersonName, Shortening), NameError> {
        PersonName::fit_from(surname, given_names, Source::Stored)
    }

    fn fit_from(
        surname: &str,
        given_names: &str,
        source: Source,
    ) -> Result<(PersonName, Shortening), NameError> {
        let surname = normalise(NamePart::Surname, surname, source)?;
        if surname.is_empty() {
            return Err(NameError::MissingSurname);
        }
        let given = normalise(NamePart::GivenNames, given_names, source)?;
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

    #[test]
    fn a_stored_name_is_read_under_the_rules_it_was_stored_with() {
        // Accepted before the character set: still read, exactly as stored.
        for surname in ["Иванов", "Ｍüller", "..."] {
            assert!(PersonName::fit(surname, "Anna").is_err(), "{surname}");
            let (name, _) = PersonName::stored(surname, "Anna").unwrap();
            assert_eq!(name.surname(), surname);
        }
        assert!(PersonName::stored("Muster", "Anna9").is_err());
    }

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
                part: NamePart::Surname,
                found: '3'
            })
        );
        assert_eq!(PersonName::fit("   ", "A"), Err(NameError::MissingSurname));
    }

    /// The error names the field it is in.
    #[test]
    fn errors_name_their_field() {
        let e = PersonName::fit("Brunner", "Anton9").unwrap_err();
        assert_eq!(e.field(), "given_names");
        assert_eq!(
            PersonName::fit("Brunner9", "Anton").unwrap_err().field(),
            "surname"
        );
        assert_eq!(PersonName::fit("", "Anton").unwrap_err().field(), "surname");
    }

    /// NFC at the edge, at least one letter, Latin letters only.
    #[test]
    fn the_character_set_of_names() {
        let nfd = "Mu\u{308}ller";
        let (name, _) = PersonName::fit(nfd, "Zoe\u{308}").unwrap();
        assert_eq!(name.surname(), "Müller");
        assert_eq!(name.given_names(), Some("Zoë"));
        for ok in [
            "Ćosić",
            "Łukasz",
            "Dvořák",
            "Œuvray",
            "Roșu",
            "Ørsted",
            "d’Alembert",
            "St. Gallen",
        ] {
            assert!(PersonName::fit(ok, "Anna").is_ok(), "{ok}");
        }
        for no_letter in ["...", "'''", "- -", "’"] {
            assert_eq!(
                PersonName::fit(no_letter, "Anna"),
                Err(NameError::NoLetter {
                    part: NamePart::Surname
                }),
                "{no_letter}"
            );
        }
        assert_eq!(
            PersonName::fit("Brunner", ".").unwrap_err(),
            NameError::NoLetter {
                part: NamePart::GivenNames
            }
        );
        for (surname, found) in [
            ("\u{3164}", '\u{3164}'),
            ("Ｍüller", 'Ｍ'),
            ("Hoﬀmann", 'ﬀ'),
            ("Ⅻ", 'Ⅻ'),
            ("Мüller", 'М'),
            ("Pаolo", 'а'),
            ("Müller\u{A0}Meier", '\u{A0}'),
            ("q\u{308}", '\u{308}'),
            ("Brunner×", '×'),
        ] {
            let e = PersonName::fit(surname, "Anna").unwrap_err();
            assert_eq!(
                e,
                NameError::BadCharacter {
                    part: NamePart::Surname,
                    found
                },
                "{surname}"
            );
            let code = format!("U+{:04X}", u32::from(found));
            assert!(e.to_string().contains(&code), "{e}");
        }
    }
}
