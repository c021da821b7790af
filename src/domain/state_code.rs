//! State codes for the country of origin (N. 3113; BFS list 318.106.11).
//!
//! Source of the list: Swiss Federal Statistical Office (BFS), "Staaten- und Gebietsverzeichnis",
//! 2024 edition, Open Government Data Switzerland. Shipped in `config/reference/state-codes.csv`
//! and compiled in.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

const LIST: &str = include_str!("../../config/reference/state-codes.csv");

/// A 3-digit state code of the BFS list, or 998 (stateless) or 999 (unknown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateCode(u16);

/// One state of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub code: u16,
    pub iso2: String,
    pub name_de: String,
    pub name_fr: String,
    pub name_it: String,
    pub name_en: String,
    /// `false` for a state that no longer exists (e.g. Yugoslavia).
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateCodeError {
    #[error(
        "{0} is not a state code of the BFS list (318.106.11), nor 998 stateless or 999 unknown"
    )]
    Unknown(i64),
}

pub const SWITZERLAND: u16 = 100;
pub const STATELESS: u16 = 998;
pub const UNKNOWN: u16 = 999;

fn states() -> &'static HashMap<u16, State> {
    static STATES: OnceLock<HashMap<u16, State>> = OnceLock::new();
    STATES.get_or_init(|| parse_list(LIST))
}

/// Splits one CSV line, honouring double quotes (names such as "Bonaire, Saint Eustatius und Saba").
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

fn parse_list(text: &str) -> HashMap<u16, State> {
    text.lines()
        .skip(1)
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty())
        .map(|line| {
            let f = csv_fields(line);
            assert_eq!(f.len(), 9, "state-codes.csv: bad line {line:?}");
            let code = f[0].parse().expect("state-codes.csv: zas_code is a number");
            (
                code,
                State {
                    code,
                    iso2: f[2].clone(),
                    name_de: f[4].clone(),
                    name_fr: f[5].clone(),
                    name_it: f[6].clone(),
                    name_en: f[7].clone(),
                    current: f[8] == "J",
                },
            )
        })
        .collect()
}

impl StateCode {
    pub fn new(code: i64) -> Result<Self, StateCodeError> {
        match u16::try_from(code) {
            Ok(c @ (STATELESS | UNKNOWN)) => Ok(StateCode(c)),
            Ok(c) if states().contains_key(&c) => Ok(StateCode(c)),
            _ => Err(StateCodeError::Unknown(code)),
        }
    }

    pub fn code(self) -> u16 {
        self.0
    }

    /// The state of the list; `None` for 998 and 999.
    pub fn state(self) -> Option<&'static State> {
        states().get(&self.0)
    }

    /// A state that no longer exists: still accepted, since a person's origin does not change
    /// when a state ends, but worth a warning.
    pub fn is_historic(self) -> bool {
        self.state().is_some_and(|s| !s.current)
    }

    /// The English name, or "stateless" / "unknown".
    pub fn name(self) -> &'static str {
        match self.0 {
            STATELESS => "stateless",
            UNKNOWN => "unknown",
            _ => &self.state().expect("checked at construction").name_en,
        }
    }
}

impl fmt::Display for StateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_complete() {
        assert_eq!(states().len(), 294);
        assert_eq!(states().values().filter(|s| !s.current).count(), 22);
        assert_eq!(StateCode::new(100).unwrap().name(), "Switzerland");
        assert_eq!(StateCode::new(207).unwrap().name(), "Germany");
        assert_eq!(
            StateCode::new(218).unwrap().state().unwrap().name_it,
            "Italia"
        );
        assert_eq!(
            StateCode::new(486).unwrap().state().unwrap().name_de,
            "Bonaire, Saint Eustatius und Saba"
        );
    }

    #[test]
    fn special_codes_and_history() {
        assert_eq!(StateCode::new(998).unwrap().name(), "stateless");
        assert_eq!(StateCode::new(999).unwrap().name(), "unknown");
        assert!(StateCode::new(220).unwrap().is_historic(), "Yugoslavia");
        assert!(!StateCode::new(100).unwrap().is_historic());
    }

    #[test]
    fn unknown_codes() {
        for code in [0, 1, 99, 101, 997, 1000, -100, 8100] {
            assert_eq!(StateCode::new(code), Err(StateCodeError::Unknown(code)));
        }
    }
}
