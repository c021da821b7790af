//! The roles of the ZAS's USNTools (seeds/000): who may do what in an institution's accounts.

use std::fmt;
use std::str::FromStr;

/// A person's role within the funds their account is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The responsible person of the institution (RUSN).
    Responsible,
    /// A substitute of the responsible person.
    Substitute,
    /// A delegate: manages accounts, but not the ZAS connection settings and certificates.
    Delegate,
    /// A clerk: works with announcements, manages no accounts.
    Clerk,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Responsible,
        Role::Substitute,
        Role::Delegate,
        Role::Clerk,
    ];

    /// The name used in the database, the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Responsible => "responsible",
            Role::Substitute => "substitute",
            Role::Delegate => "delegate",
            Role::Clerk => "clerk",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Role {
    /// As [`Role::as_str`].
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A role name that is none of [`Role::ALL`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?}: expected responsible, substitute, delegate or clerk")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reads_back_from_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("admin".parse::<Role>().is_err());
    }
}
