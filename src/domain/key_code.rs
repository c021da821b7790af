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
    /// The AVS number only (also 92, 93, 97, 98: annex 9 rows 5, 7a–c).
    Account,
    /// The AVS number and the RCI block k–n.
    Collection,
    /// 94: the AVS number and the domicile n only (annex 9 row 6; N. 2522 refers to N. 2712).
    Domicile,
    /// 95: the AVS number and the splitting block o (annex 9 row 8).
    Splitting,
    /// 96: the AVS number and the spouse's number only (annex 9 row 9: record 05 field 3).
    SplittingRevocation,
    /// 99: the AVS number and the closing date l of the RCI it revokes (annex 9 row 4: record 04
    /// field 6, the field of l in row 3; N. 2720: two RCIs of a person differ by closing date).
    CollectionRevocation,
    /// Before the annex 9 correction (a misreading of annex 9): the AVS number and an order date m, for 92–94
    /// and 97–99. Only read back from what was stored or sent then, never made anew.
    Order,
}

/// What a key code means.
#[derive(Debug)]
pub struct KeyInfo {
    pub code: u8,
    pub group: KeyGroup,
    /// `true` for the "with CI" column of annex 1: the fund also opens an individual account.
    pub with_account: bool,
    pub fields: FieldSet,
    /// The field set announcements of this key had before the annex 9 correction, still
    /// read back from the store and from XML sent then (92–94, 97–99: the order date; 96: the
    /// whole splitting block).
    pub fields_before: Option<FieldSet>,
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
        fields_before: None,
        reason,
    }
}

/// A key of group 4 whose field set the annex 9 correction changed: `before` is the set it had.
const fn corrected(code: u8, fields: FieldSet, before: FieldSet, reason: &'static str) -> KeyInfo {
    KeyInfo {
        fields_before: Some(before),
        ..key(code, Other, false, fields, reason)
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
    corrected(
        92,
        P::Account,
        P::Order,
        "collect CI extracts for an anticipated pension calculation",
    ),
    corrected(
        93,
        P::Account,
        P::Order,
        "collect CI copies without employer",
    ),
    corrected(
        94,
        P::Domicile,
        P::Order,
        "collect CI copies for international conventions (for the Swiss compensation fund)",
    ),
    key(95, Other, false, P::Splitting, "splitting order"),
    corrected(
        96,
        P::SplittingRevocation,
        P::Splitting,
        "revocation of a splitting order",
    ),
    corrected(
        97,
        P::Account,
        P::Order,
        "collect CI extracts for the insured person",
    ),
    corrected(
        98,
        P::Account,
        P::Order,
        "collect CI extracts with employer",
    ),
    corrected(
        99,
        P::CollectionRevocation,
        P::Order,
        "revocation of an RCI order",
    ),
];

/// Annex 4 figure 1: the RCI keys of 1972–1996, which stay valid for RCIs of benefits still
/// fixed under the old law (annex 1, footnote to group 3). Made only by [`KeyCode::old_law`].
static OLD_LAW_KEYS: [KeyInfo; 4] = [
    key(
        73,
        AccountCollection,
        false,
        P::Collection,
        "RCI (old law) for an old-age pension of an insured person not yet of retirement age",
    ),
    key(
        83,
        AccountCollection,
        true,
        P::Collection,
        "RCI (old law) for an old-age pension of an insured person not yet of retirement age",
    ),
    key(
        77,
        AccountCollection,
        false,
        P::Collection,
        "RCI (old law) for an invalidity pension of the husband, since deceased",
    ),
    key(
        91,
        AccountCollection,
        false,
        P::Collection,
        "RCI (old law) for the divorced or unmarried mother, for orphans' or children's pensions",
    ),
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
    /// `old_law` was given for a key that is not one of the old RCI keys of annex 4 figure 1.
    #[error(
        "key {code} is not an old RCI key: only 73, 83, 77 and 91 (annex 4, figure 1) are kept for benefits still fixed under the old law (annex 1, footnote)"
    )]
    NotOldLaw { code: i64 },
}

/// Annex 4: the codes of earlier years, recognised so that they are refused with their reason.
fn retired(code: u8) -> Option<(&'static str, &'static str)> {
    const OLD_LAW: &str = "; annex 1 (footnote) keeps them for RCIs of benefits still fixed under the old law: say so with \"old_law\": true in the rci block";
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

    /// The old RCI keys of annex 4 figure 1 (73, 83, 77, 91), valid only for benefits still
    /// fixed under the old law.
    pub fn old_law_keys() -> impl Iterator<Item = KeyCode> {
        OLD_LAW_KEYS.iter().map(|k| KeyCode(k.code))
    }

    /// One of the old RCI keys 73, 83, 77, 91 (annex 4, figure 1), for an RCI of a benefit still
    /// fixed under the old law (annex 1, footnote): only when the announcement says so.
    pub fn old_law(code: i64) -> Result<Self, KeyCodeError> {
        OLD_LAW_KEYS
            .iter()
            .find(|k| i64::from(k.code) == code)
            .map(|k| KeyCode(k.code))
            .ok_or(KeyCodeError::NotOldLaw { code })
    }

    /// A key code as stored or as written in DT XML: one in force, or an old RCI key (which
    /// was accepted only with the announcement saying the benefit is fixed under the old law).
    pub fn from_register(code: i64) -> Result<Self, KeyCodeError> {
        Self::new(code).or_else(|e| Self::old_law(code).map_err(|_| e))
    }

    pub fn code(self) -> u8 {
        self.0
    }

    pub fn info(self) -> &'static KeyInfo {
        KEYS.iter()
            .chain(&OLD_LAW_KEYS)
            .find(|k| k.code == self.0)
            .expect("a KeyCode is always in the tables")
    }

    /// An old RCI key of annex 4 figure 1, valid for benefits fixed under the old law.
    pub fn is_old_law(self) -> bool {
        OLD_LAW_KEYS.iter().any(|k| k.code == self.0)
    }

    /// The field set announcements of this key had before the annex 9 correction.
    pub fn fields_before(self) -> Option<FieldSet> {
        self.info().fields_before
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
    fn old_law_keys_only_when_asked() {
        for code in [73, 83, 77, 91] {
            let err = KeyCode::new(code).unwrap_err();
            assert!(err.to_string().contains("old_law"), "{err}");
            let key = KeyCode::old_law(code).unwrap();
            assert!(key.is_old_law());
            assert_eq!(key.fields(), FieldSet::Collection);
            assert_eq!(KeyCode::from_register(code), Ok(key));
        }
        assert!(KeyCode::old_law(83).unwrap().info().with_account);
        assert_eq!(
            KeyCode::old_law(81),
            Err(KeyCodeError::NotOldLaw { code: 81 })
        );
        assert!(KeyCode::from_register(22).is_err());
        assert!(!KeyCode::all().any(KeyCode::is_old_law));
    }

    #[test]
    fn annex_9_field_sets_of_group_4() {
        let f = |c| KeyCode::new(c).unwrap().fields();
        for code in [92, 93, 97, 98] {
            assert_eq!(f(code), FieldSet::Account, "{code}");
        }
        assert_eq!(f(94), FieldSet::Domicile);
        assert_eq!(f(95), FieldSet::Splitting);
        assert_eq!(f(96), FieldSet::SplittingRevocation);
        assert_eq!(f(99), FieldSet::CollectionRevocation);
        let before = |c| KeyCode::new(c).unwrap().fields_before();
        assert_eq!(before(99), Some(FieldSet::Order));
        assert_eq!(before(96), Some(FieldSet::Splitting));
        assert_eq!(before(95), None);
    }

    #[test]
    fn revocations() {
        let k = |c| KeyCode::new(c).unwrap();
        assert!(k(99).revokes(k(81)) && k(99).revokes(k(71)) && !k(99).revokes(k(95)));
        assert!(k(99).revokes(KeyCode::old_law(73).unwrap()));
        assert!(k(96).revokes(k(95)) && !k(96).revokes(k(81)));
    }
}
