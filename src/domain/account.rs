//! The parts of a person's account (USNTools, seeds/000 C.1): a user id, the person's names and
//! e-mail address, and the birth date a password must not contain (annex 2.3). Each is checked
//! once, at the edge; a value of these types is valid.

use std::fmt;

use chrono::NaiveDate;

/// Why a part of an account was refused; names the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountFieldError {
    #[error(
        "login: 2 to 64 characters, lower-case letters, digits, '.', '-' or '_', starting with a \
         letter"
    )]
    Login,
    #[error("{field}: 1 to 100 characters without control characters")]
    Name { field: &'static str },
    #[error("email: one '@' between a local part and a domain, no spaces, at most 254 characters")]
    Email,
    #[error("birth_date: a date YYYY-MM-DD")]
    BirthDate,
}

/// A user id, as typed at login: personal and not transferable.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    pub fn parse(text: &str) -> Result<Login, AccountFieldError> {
        let ok = (2..=64).contains(&text.len())
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        ok.then(|| Login(text.to_string()))
            .ok_or(AccountFieldError::Login)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Login({})", self.0)
    }
}

/// The person behind an account: names, e-mail, and (optionally) the birth date.
#[derive(Clone, PartialEq, Eq)]
pub struct Holder {
    pub surname: String,
    pub given_name: String,
    pub email: String,
    pub birth_date: Option<NaiveDate>,
}

impl fmt::Debug for Holder {
    /// Personal data stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Holder(…)")
    }
}

impl Holder {
    /// Checks each field; `birth_date` is `YYYY-MM-DD` or empty.
    pub fn parse(
        surname: &str,
        given_name: &str,
        email: &str,
        birth_date: &str,
    ) -> Result<Holder, AccountFieldError> {
        let birth_date = match birth_date.trim() {
            "" => None,
            text => Some(
                NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| AccountFieldError::BirthDate)?,
            ),
        };
        Ok(Holder {
            surname: name("surname", surname)?,
            given_name: name("given_name", given_name)?,
            email: email_address(email)?,
            birth_date,
        })
    }

    /// "Given name Surname", for page headers.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }
}

fn name(field: &'static str, text: &str) -> Result<String, AccountFieldError> {
    let text = text.trim();
    let ok = (1..=100).contains(&text.chars().count()) && !text.chars().any(char::is_control);
    ok.then(|| text.to_string())
        .ok_or(AccountFieldError::Name { field })
}

fn email_address(text: &str) -> Result<String, AccountFieldError> {
    let text = text.trim();
    let ok = text.len() <= 254
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(text.split_once('@'), Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    ok.then(|| text.to_string()).ok_or(AccountFieldError::Email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins() {
        assert!(Login::parse("mrossi").is_ok());
        assert!(Login::parse("m.rossi-2_b").is_ok());
        for bad in [
            "",
            "m",
            "Mrossi",
            "1rossi",
            "m rossi",
            "m'rossi",
            &"a".repeat(65),
        ] {
            assert_eq!(Login::parse(bad), Err(AccountFieldError::Login), "{bad}");
        }
    }

    #[test]
    fn holders() {
        let h = Holder::parse(" Rossi ", "Maria", "maria.rossi@cassa.ch", "1980-04-02").unwrap();
        assert_eq!(h.display_name(), "Maria Rossi");
        assert_eq!(h.birth_date, NaiveDate::from_ymd_opt(1980, 4, 2));
        assert!(!format!("{h:?}").contains("Rossi"));
        assert_eq!(
            Holder::parse("", "Maria", "m@c.ch", ""),
            Err(AccountFieldError::Name { field: "surname" })
        );
        for bad in ["m", "m@", "@c.ch", "m@c", "m c@c.ch", "m@@c.ch", "m@c.ch."] {
            assert_eq!(
                Holder::parse("R", "M", bad, ""),
                Err(AccountFieldError::Email),
                "{bad}"
            );
        }
        assert_eq!(
            Holder::parse("R", "M", "m@c.ch", "02.04.1980"),
            Err(AccountFieldError::BirthDate)
        );
    }
}
