//! Passwords under annex 2.3 of the security baseline (seeds/002, "Prescrizioni minime di sicurezza",
//! point 3): at least 8 characters (a); at least two of upper case, lower case, digits and
//! special characters (b); not trivial: not the user id, surname, given name or birth date (b);
//! changed at once when compromised (c: the account management replaces it).
//!
//! "Not trivial" names the user id, surname, given name and birth date, "etc.": common and
//! guessable passwords (`Password1`, `aaaaaaaa1`) are trivial too. They are found with the
//! zxcvbn estimator (the `zxcvbn` crate: dictionaries of common passwords, English words and
//! names, keyboard patterns, repeats, sequences, dates, l33t and capitals), given the account's
//! own words and [`COMMON_WORDS`], the German, French and Italian words its English dictionaries
//! miss. A password needs an estimate of at least 10^10 guesses ([`MIN_SCORE`]): random
//! characters need about ten of them, words a few unrelated ones.
//!
//! A [`Password`] holds a password that passed these rules; its `Debug` hides it.

use std::fmt;

use super::account::{Holder, Login};

/// Annex 2.3 a: at least 8 characters.
pub const MIN_CHARS: usize = 8;
/// An upper bound, so that hashing stays bounded (not a rule of the annex).
pub const MAX_CHARS: usize = 128;
/// Annex 2.3 b: at least two of the four kinds of characters.
pub const MIN_KINDS: usize = 2;
/// Names shorter than this are not looked for inside a password ("Li" is in too many words).
const SHORTEST_WORD: usize = 3;
/// zxcvbn's score 3: about 10^10 guesses or more ("safely unguessable" for an offline attack
/// on a slow hash such as argon2).
pub const MIN_SCORE: u8 = 3;

/// Words common in German, French and Italian passwords that zxcvbn's English-centred
/// dictionaries do not hold; given to it as dictionary words.
pub const COMMON_WORDS: &[&str] = &[
    // German
    "passwort",
    "kennwort",
    "geheim",
    "hallo",
    "sommer",
    "winter",
    "fruehling",
    "herbst",
    "schatz",
    "liebe",
    "sonne",
    "mausi",
    "fussball",
    "schweiz",
    "zuerich",
    "zürich",
    "willkommen",
    "ausgleichskasse",
    "kasse",
    "ahv",
    "anmelden",
    "benutzer",
    // French
    "motdepasse",
    "mot de passe",
    "bonjour",
    "soleil",
    "amour",
    "chocolat",
    "suisse",
    "genève",
    "geneve",
    "bienvenue",
    "caisse",
    "avs",
    "utilisateur",
    "coucou",
    "doudou",
    "loulou",
    // Italian
    "parola",
    "parolachiave",
    "ciao",
    "amore",
    "sole",
    "estate",
    "svizzera",
    "ticino",
    "lugano",
    "benvenuto",
    "cassa",
    "utente",
    "tesoro",
    "calcio",
    "juventus",
    // the service
    "arcgw",
    "zas",
    "usntools",
];

/// The rule of annex 2.3 a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("password: at least {MIN_CHARS} characters (annex 2.3 a)")]
    TooShort,
    #[error("password: at most {MAX_CHARS} characters")]
    TooLong,
    #[error(
        "password: at least {MIN_KINDS} of upper case, lower case, digits and special characters \
         (annex 2.3 b)"
    )]
    TooFewKinds,
    #[error("password: must not contain the user id (annex 2.3 b)")]
    ContainsLogin,
    #[error("password: must not contain the surname (annex 2.3 b)")]
    ContainsSurname,
    #[error("password: must not contain the given name (annex 2.3 b)")]
    ContainsGivenName,
    #[error("password: must not contain the birth date (annex 2.3 b)")]
    ContainsBirthDate,
    #[error("password: the new password must differ from the current one (annex 2.3 c)")]
    Unchanged,
    /// Annex 2.3 b, "etc.": a common or guessable password.
    #[error(
        "password: too easy to guess ({0}); passwords such as Password1, Passwort1 or \
         aaaaaaaa1 are tried first by anyone guessing: use a longer one, e.g. several unrelated \
         words (annex 2.3 b: not trivial)"
    )]
    Guessable(Guessable),
}

/// Why a password is guessable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guessable {
    /// It is, or is built on, one of the common words or passwords (or a name of the account).
    CommonWord,
    /// A repeat, a sequence, a keyboard pattern or a date.
    Pattern,
    /// zxcvbn's estimate is below [`MIN_SCORE`].
    Estimate { score: u8 },
}

impl fmt::Display for Guessable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guessable::CommonWord => f.write_str("it is built on a common word or password"),
            Guessable::Pattern => {
                f.write_str("it is built on a repeat, a sequence, a keyboard pattern or a date")
            }
            Guessable::Estimate { score } => write!(
                f,
                "an estimate of fewer than 10^10 guesses: strength {score} of 4, at least \
                 {MIN_SCORE} needed"
            ),
        }
    }
}

/// Refuses a password zxcvbn finds guessable, given the account's own words.
fn not_guessable(text: &str, own_words: &[&str]) -> Result<(), PasswordError> {
    let mut inputs: Vec<&str> = own_words.to_vec();
    inputs.extend_from_slice(COMMON_WORDS);
    let estimate = zxcvbn::zxcvbn(text, &inputs);
    let score = u8::from(estimate.score());
    if score >= MIN_SCORE {
        return Ok(());
    }
    use zxcvbn::matching::patterns::MatchPattern;
    let dictionary = estimate
        .sequence()
        .iter()
        .any(|m| matches!(m.pattern, MatchPattern::Dictionary(_)));
    let reason = if dictionary {
        Guessable::CommonWord
    } else if estimate
        .sequence()
        .iter()
        .any(|m| !matches!(m.pattern, MatchPattern::BruteForce))
    {
        Guessable::Pattern
    } else {
        Guessable::Estimate { score }
    };
    Err(PasswordError::Guessable(reason))
}

/// A password that keeps the rules of annex 2.3 for one account.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    /// Checks `text` against annex 2.3 for the account of `login` held by `holder`.
    pub fn check(text: &str, login: &Login, holder: &Holder) -> Result<Password, PasswordError> {
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if kinds(text) < MIN_KINDS {
            return Err(PasswordError::TooFewKinds);
        }
        let folded = text.to_lowercase();
        let contains = |word: &str| {
            let word = word.to_lowercase();
            word.chars().count() >= SHORTEST_WORD && folded.contains(&word)
        };
        if contains(login.as_str()) {
            return Err(PasswordError::ContainsLogin);
        }
        if words(&holder.surname).any(contains) {
            return Err(PasswordError::ContainsSurname);
        }
        if words(&holder.given_name).any(contains) {
            return Err(PasswordError::ContainsGivenName);
        }
        if let Some(date) = holder.birth_date {
            let forms = [
                "%Y%m%d", "%d%m%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%y", "%d.%m.%y",
            ];
            if forms
                .iter()
                .any(|f| text.contains(&date.format(f).to_string()))
            {
                return Err(PasswordError::ContainsBirthDate);
            }
        }
        let email = holder.email.split('@').next().unwrap_or("");
        not_guessable(
            text,
            &[login.as_str(), &holder.surname, &holder.given_name, email],
        )?;
        Ok(Password(text.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A name and, for names of several words ("De Luca", "Anna-Maria"), each word.
fn words(name: &str) -> impl Iterator<Item = &str> {
    std::iter::once(name).chain(
        name.split([' ', '-', '\''])
            .filter(|w| w.len() < name.len()),
    )
}

/// How many of the four kinds of annex 2.3 b occur in `text`.
fn kinds(text: &str) -> usize {
    let has = |f: fn(&char) -> bool| usize::from(text.chars().any(|c| f(&c)));
    has(|c| c.is_uppercase())
        + has(|c| c.is_lowercase())
        + has(|c| c.is_ascii_digit())
        + has(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn rossi() -> (Login, Holder) {
        let mut holder = Holder::parse("De Luca", "Maria", "m@c.ch", "").unwrap();
        holder.birth_date = NaiveDate::from_ymd_opt(1980, 4, 2);
        (Login::parse("mdeluca").unwrap(), holder)
    }

    fn check(text: &str) -> Result<Password, PasswordError> {
        let (login, holder) = rossi();
        Password::check(text, &login, &holder)
    }

    #[test]
    fn at_least_eight_characters() {
        assert_eq!(check("Ab3$efg"), Err(PasswordError::TooShort));
        // Eight characters keep the length rule; random ones need about ten to be hard enough
        // to guess (zxcvbn: 10^8 guesses for eight).
        assert_ne!(check("Qx7$vT2k"), Err(PasswordError::TooShort));
        assert!(check("Qx7$vT2k9#").is_ok());
        assert_eq!(check(&"aB".repeat(65)), Err(PasswordError::TooLong));
    }

    #[test]
    fn at_least_two_kinds() {
        assert_eq!(check("abcdefghij"), Err(PasswordError::TooFewKinds));
        assert_eq!(check("ABCDEFGHIJ"), Err(PasswordError::TooFewKinds));
        assert_eq!(check("1234567890"), Err(PasswordError::TooFewKinds));
        assert_eq!(check("!?%&/()=+*"), Err(PasswordError::TooFewKinds));
        assert!(check("tqvzkwmd47").is_ok());
        assert!(check("TQVZKWMD!?").is_ok());
        assert!(check("tqvzkwmd!?é").is_ok());
    }

    #[test]
    fn not_the_user_id() {
        assert_eq!(check("xxMDeLuca9"), Err(PasswordError::ContainsLogin));
    }

    #[test]
    fn not_the_surname() {
        assert_eq!(check("Luca-2024!"), Err(PasswordError::ContainsSurname));
        assert_eq!(check("xdeluca_x9"), Err(PasswordError::ContainsSurname));
        assert_eq!(check("de luca 2024"), Err(PasswordError::ContainsSurname));
    }

    #[test]
    fn not_the_given_name() {
        assert_eq!(check("MARIA-2024"), Err(PasswordError::ContainsGivenName));
    }

    #[test]
    fn not_the_birth_date() {
        for date in ["19800402", "02041980", "02.04.1980", "1980-04-02", "020480"] {
            assert_eq!(
                check(&format!("Xy{date}")),
                Err(PasswordError::ContainsBirthDate),
                "{date}"
            );
        }
        assert!(check("Xy1980qvzk!w").is_ok(), "the year alone is allowed");
    }

    #[test]
    fn debug_hides_the_password() {
        assert_eq!(
            format!("{:?}", check("Gletscher-Fahrrad-42").unwrap()),
            "Password(…)"
        );
    }

    /// The baseline's "etc.": common and guessable passwords.
    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for text in [
            "Password1",
            "password1",
            "Passwort1",
            "aaaaaaaa1",
            "Aaaaaaaaaa",
            "Motdepasse1",
            "Parola2024!",
            "Qwertz123",
            "12345678a",
            "Sommer2024",
        ] {
            let refused = check(text);
            assert!(
                matches!(refused, Err(PasswordError::Guessable(_))),
                "{text}: {refused:?}"
            );
            let message = refused.unwrap_err().to_string();
            assert!(message.contains("too easy to guess"), "{message}");
        }
        for strong in [
            "Gletscher-Fahrrad-42",
            "vT9#kQ2m!xLp",
            "Nuovo-Segreto-7",
            "Sicuro-2026!",
        ] {
            assert!(check(strong).is_ok(), "{strong}");
        }
    }
}
