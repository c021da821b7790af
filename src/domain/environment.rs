//! The ZAS environments (seeds/000, USNTools): acceptance (ABN), where a fund tests with test
//! data, and production (PROD). Each has its own endpoint and certificates, and nothing sent to
//! one counts for the other.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A ZAS environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// Acceptance ("Abnahme"): test data, sent with the test-delivery flag.
    Abn,
    /// Production: the announcements that count, whose deadlines are watched (N. 3401).
    Prod,
}

/// Text that names no environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ZAS environment {0:?}: abn or prod")]
pub struct UnknownEnvironment(pub String);

impl Environment {
    pub const ALL: [Environment; 2] = [Environment::Prod, Environment::Abn];

    /// The name used in the database, the configuration, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Abn => "abn",
            Environment::Prod => "prod",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Environment::Abn => "ABN (acceptance, test data)",
            Environment::Prod => "PROD (production)",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Environment {
    type Err = UnknownEnvironment;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEnvironment(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_others_are_refused() {
        for environment in Environment::ALL {
            assert_eq!(environment.as_str().parse(), Ok(environment));
        }
        assert_eq!(
            "PROD".parse::<Environment>().unwrap_err().to_string(),
            "unknown ZAS environment \"PROD\": abn or prod"
        );
    }
}
