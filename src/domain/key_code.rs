//! ARC key codes: annex 1 (in force) and annex 4 (no longer in force).

use std::fmt;

/// An ARC key code in force (annex 1, N. 3114). Cannot hold a retired or unknown code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyCode(u8);

/// The four groups of annex 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyGroup {
    /// 1. Issue of an insurance certificate (CA), with or without opening an individual account (CI).
    CertificateIssue,
    /// 2. Opening of a CI without issuing a CA.
    AccountOpening,
    /// 3. Collection of the CIs (RCI).
    AccountCollection,
    /// 4. Other announcements: extracts, copies, splitting, revocations.
    Other,
}

/// Which particulars an announcement with this key carries (this project's reading of annex 9,
/// see DOMAIN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSet {
    /// Personal data d–g required; the AVS number optional (the ZAS assigns one when absent).
    Certificate,
    /// The AVS number only.
    Account,
    /// The AVS number and the RCI block k–n.
    Collection,
    /// The AVS number and the order date m.
    Order,
    /// The AVS number and the splitting block o.
    Splitting,
}

/// What a key code means.
#[derive(Debug)]
pub struct KeyInfo {
    pub code: u8,
    pub group: KeyGroup,
    /// `true` for the "with CI" column of annex 1: the fund also opens an individual account.
    pub with_account: bool,
    pub fields: FieldSet,
    pub reason: &'static str,
}

const fn key(
    code: u8,
    group: KeyGroup,
    with_account: bool,
    fields: FieldSet,
    reason: &'static str,
) -> KeyInfo {
    KeyInfo {
        code,
        group,
        with_account,
        fields,
        reason,
    }
}

use FieldSet as P;
use KeyGroup::*;

/// Annex 1, row by row.
static KEYS: [KeyInfo; 28] = [
    key(
        11,
        CertificateIssue,
        false,
        P::Certificate,
        "start of contribution liability, first request of care credits, or splitting for a person without a CA",
    ),
    key(
        21,
        CertificateIssue,
        true,
        P::Certificate,
        "start of contribution liability, first request of care credits, or splitting for a person without a CA",
    ),
    key(
        13,
        CertificateIssue,
        false,
        P::Certificate,
        "benefit request by a person not liable to contribute",
    ),
    key(
        15,
        CertificateIssue,
        false,
        P::Certificate,
        "change or correction of personal data",
    ),
    key(
        25,
        CertificateIssue,
        true,
        P::Certificate,
        "change or correction of personal data",
    ),
    key(
        19,
        CertificateIssue,
        false,
        P::Certificate,
        "number for a person neither liable to contribute nor receiving benefits",
    ),
    key(
        31,
        CertificateIssue,
        false,
        P::Certificate,
        "CA lost or worn",
    ),
    key(
        41,
        CertificateIssue,
        true,
        P::Certificate,
        "CA lost or worn",
    ),
    key(
        33,
        CertificateIssue,
        false,
        P::Account,
        "several CAs with different numbers for one person",
    ),
    key(
        43,
        CertificateIssue,
        true,
        P::Account,
        "several CAs with different numbers for one person",
    ),
    key(
        35,
        CertificateIssue,
        false,
        P::Certificate,
        "no CA before an RCI",
    ),
    key(
        61,
        AccountOpening,
        true,
        P::Account,
        "CI opened, CA presented",
    ),
    key(
        63,
        AccountOpening,
        true,
        P::Account,
        "CI opened without a CA or for technical reasons",
    ),
    key(
        65,
        AccountOpening,
        true,
        P::Account,
        "CI opened on a closing-and-transmission order, or for the spouse on a splitting order",
    ),
    key(
        67,
        AccountOpening,
        true,
        P::Account,
        "CI opened for a person of retirement age",
    ),
    key(
        71,
        AccountCollection,
        false,
        P::Collection,
        "RCI for an old-age or survivors' pension",
    ),
    key(
        81,
        AccountCollection,
        true,
        P::Collection,
        "RCI for an old-age or survivors' pension",
    ),
    key(
        75,
        AccountCollection,
        false,
        P::Collection,
        "RCI for an invalidity pension before retirement age",
    ),
    key(
        85,
        AccountCollection,
        true,
        P::Collection,
        "RCI for an invalidity pension before retirement age",
    ),
    key(
        79,
        AccountCollection,
        false,
        P::Collection,
        "RCI for a refund or transfer of contributions",
    ),
    key(
        92,
        Other,
        false,
        P::Order,
        "collect CI extracts for an anticipated pension calculation",
    ),
    key(
        93,
        Other,
        false,
        P::Order,
        "collect CI copies without employer",
    ),
    key(
        94,
        Other,
        false,
        P::Order,
        "collect CI copies for international conventions",
    ),
    key(95, Other, false, P::Splitting, "splitting order"),
    key(
        96,
        Other,
        false,
        P::Splitting,
        "revocation of a splitting order",
    ),
    key(
        97,
        Other,
        false,
        P::Order,
        "collect CI extracts for the insured person",
    ),
    key(
        98,
        Other,
        false,
        P::Order,
        "collect CI extracts with employer",
    ),
    key(99, Other, false, P::Order, "revocation of an RCI order"),
];

/// Why a number is not a key code in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyCodeError {
    #[error("key {code} is no longer in force ({period}, annex 4){note}")]
    Retired {
        code: u8,
        period: &'static str,
        note: &'static str,
    },
    #[error("{code} is not an ARC key code (annex 1)")]
    Unknown { code: i64 },
}

/// Annex 4: the codes of earlier years, recognised so that they are refused with their reason.
fn retired(code: u8) -> Option<(&'static str, &'static str)> {
    const OLD_LAW: &str = "; annex 1 keeps them only for benefits still fixed under the old law, which arcgw does not send";
    match code {
        73 | 83 | 77 | 91 => Some(("RCI keys of 1972–1996", OLD_LAW)),
        22 | 26 | 42 | 44 | 62 | 64 | 66 | 84 | 86 => Some(("employers' keys of 1972–1987", "")),
        36 | 46 | 68 => Some(("keys of the 2008–2009 number changeover", "")),
        _ => None,
    }
}

impl KeyGroup {
    /// The group as annex 1 titles it.
    pub fn label(self) -> &'static str {
        match self {
            KeyGroup::CertificateIssue => "1 issue of a CA",
            KeyGroup::AccountOpening => "2 opening of a CI",
            KeyGroup::AccountCollection => "3 RCI",
            KeyGroup::Other => "4 other",
        }
    }
}

impl KeyCode {
    /// Every key code in force, in the order of annex 1.
    pub fn all() -> impl Iterator<Item = KeyCode> {
        KEYS.iter().map(|k| KeyCode(k.code))
    }

    pub fn new(code: i64) -> Result<Self, KeyCodeError> {
        let small = u8::try_from(code).map_err(|_| KeyCodeError::Unknown { code })?;
        if let Some((period, note)) = retired(small) {
            return Err(KeyCodeError::Retired {
                code: small,
                period,
                note,
            });
        }
        KEYS.iter()
            .find(|k| k.code == small)
            .map(|k| KeyCode(k.code))
            .ok_or(KeyCodeError::Unknown { code })
    }

    pub fn code(self) -> u8 {
        self.0
    }

    pub fn info(self) -> &'static KeyInfo {
        KEYS.iter()
            .find(|k| k.code == self.0)
            .expect("a KeyCode is always in the table")
    }

    pub fn group(self) -> KeyGroup {
        self.info().group
    }

    pub fn fields(self) -> FieldSet {
        self.info().fields
    }

    /// The key revokes an earlier order (99 an RCI, 96 a splitting order; N. 3102).
    pub fn is_revocation(self) -> bool {
        matches!(self.0, 96 | 99)
    }

    /// Whether this key revokes orders of the other key: 99 revokes the RCI keys 71, 75, 79, 81, 85; 96 revokes 95 (N. 3102).
    pub fn revokes(self, other: KeyCode) -> bool {
        match self.0 {
            99 => other.fields() == FieldSet::Collection,
            96 => other.0 == 95,
            _ => false,
        }
    }

    /// For keys 15 and 25: personal-data corrections are accepted only for some persons (N. 3101).
    pub fn corrects_personal_data(self) -> bool {
        matches!(self.0, 15 | 25)
    }
}

impl fmt::Display for KeyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for KeyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_1_is_complete() {
        let codes: Vec<u8> = KeyCode::all().map(KeyCode::code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                11, 13, 15, 19, 21, 25, 31, 33, 35, 41, 43, 61, 63, 65, 67, 71, 75, 79, 81, 85, 92,
                93, 94, 95, 96, 97, 98, 99
            ]
        );
    }

    #[test]
    fn with_and_without_account_columns() {
        let with: Vec<u8> = KeyCode::all()
            .filter(|k| k.info().with_account)
            .map(KeyCode::code)
            .collect();
        assert_eq!(with, [21, 25, 41, 43, 61, 63, 65, 67, 81, 85]);
    }

    #[test]
    fn groups() {
        let g = |c| KeyCode::new(c).unwrap().group();
        assert_eq!(g(35), KeyGroup::CertificateIssue);
        assert_eq!(g(65), KeyGroup::AccountOpening);
        assert_eq!(g(79), KeyGroup::AccountCollection);
        assert_eq!(g(99), KeyGroup::Other);
    }

    #[test]
    fn annex_4_codes_are_refused_as_retired() {
        for code in [
            73, 83, 77, 91, 22, 26, 42, 44, 62, 64, 66, 84, 86, 36, 46, 68,
        ] {
            let err = KeyCode::new(code).unwrap_err();
            assert!(matches!(err, KeyCodeError::Retired { .. }), "{code}");
            assert!(err.to_string().contains("no longer in force"), "{err}");
        }
    }

    #[test]
    fn unknown_codes() {
        for code in [0, 1, 12, 100, -5, 256, 1_000_000] {
            assert_eq!(KeyCode::new(code), Err(KeyCodeError::Unknown { code }));
        }
    }

    #[test]
    fn revocations() {
        let k = |c| KeyCode::new(c).unwrap();
        assert!(k(99).revokes(k(81)) && k(99).revokes(k(71)) && !k(99).revokes(k(95)));
        assert!(k(96).revokes(k(95)) && !k(96).revokes(k(81)));
    }
}
