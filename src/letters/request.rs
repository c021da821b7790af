//! What a clerk asks a letter about one announcement to say, checked before anything is written:
//! for N. 2703 the CIs still open (the fund keeping each and, optionally, the AVS number it is
//! kept under); for N. 3301 the numbers of the fields found wrong (annex 9) and a text saying
//! what is wrong. Every refusal names the field and the rule.

use serde_json::{Value, json};

use super::about::LetterKind;
use super::pdf::prints;
use crate::domain::{AvsNumber, FundNumber};

/// The most CIs one N. 2703 letter lists.
pub const MAX_OPEN_ACCOUNTS: usize = 20;
/// The most field numbers one N. 3301 letter cites.
pub const MAX_FIELDS: usize = 20;
/// The most characters of the text of an N. 3301 letter: about a page.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A field of a letter's request that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct FieldError {
    /// As in the JSON body: `open_accounts[1].fund`, `fields[0]`, `text`.
    pub field: String,
    pub rule: String,
}

fn refuse<T>(field: impl Into<String>, rule: impl Into<String>) -> Result<T, FieldError> {
    Err(FieldError {
        field: field.into(),
        rule: rule.into(),
    })
}

/// A CI still open for the person after an RCI (N. 2703).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenAccount {
    /// The fund (and agency) that keeps it.
    pub fund: FundNumber,
    /// The AVS number it is kept under, when the clerk knows it (e.g. another number of the
    /// same person).
    pub avs_number: Option<AvsNumber>,
}

/// Which letter about one announcement, and what it says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LetterRequest {
    /// N. 2703: between 1 and [`MAX_OPEN_ACCOUNTS`] CIs, each once.
    OpenAccounts(Vec<OpenAccount>),
    /// N. 3301: at most [`MAX_FIELDS`] distinct field numbers (1–255) and a text of 1 to
    /// [`MAX_TEXT_CHARS`] printable characters.
    Correction { fields: Vec<u8>, text: String },
}

impl LetterRequest {
    /// The N. 2703 request of `accounts`, each a fund number and an optional AVS number as
    /// typed.
    pub fn open_accounts(accounts: &[(String, Option<String>)]) -> Result<Self, FieldError> {
        if accounts.is_empty() {
            return refuse(
                "open_accounts",
                "at least one CI still open is required (N. 2703)",
            );
        }
        if accounts.len() > MAX_OPEN_ACCOUNTS {
            return refuse(
                "open_accounts",
                format!(
                    "{} CIs, at most {MAX_OPEN_ACCOUNTS} in one letter",
                    accounts.len()
                ),
            );
        }
        let mut parsed: Vec<OpenAccount> = Vec::with_capacity(accounts.len());
        for (i, (fund, avs_number)) in accounts.iter().enumerate() {
            let at = |name: &str| format!("open_accounts[{i}].{name}");
            let fund = match FundNumber::parse(fund.trim()) {
                Ok(fund) => fund,
                Err(e) => return refuse(at("fund"), format!("{e} (N. 3104)")),
            };
            let avs_number = match avs_number.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => match AvsNumber::parse(text) {
                    Ok(n) => Some(n),
                    Err(e) => return refuse(at("avs_number"), format!("{e} (N. 1201, 1202)")),
                },
            };
            let account = OpenAccount { fund, avs_number };
            if let Some(first) = parsed.iter().position(|a| *a == account) {
                return refuse(at("fund"), format!("the same CI as open_accounts[{first}]"));
            }
            parsed.push(account);
        }
        Ok(LetterRequest::OpenAccounts(parsed))
    }

    /// The N. 3301 request citing the field numbers `fields` and saying `text`.
    pub fn correction(fields: &[i64], text: &str) -> Result<Self, FieldError> {
        if fields.len() > MAX_FIELDS {
            return refuse(
                "fields",
                format!("{} field numbers, at most {MAX_FIELDS}", fields.len()),
            );
        }
        let mut numbers: Vec<u8> = Vec::with_capacity(fields.len());
        for (i, &number) in fields.iter().enumerate() {
            let at = format!("fields[{i}]");
            let Some(number) = u8::try_from(number).ok().filter(|n| *n >= 1) else {
                return refuse(
                    at,
                    format!("{number} is not a field number: 1 to 255 (annex 9)"),
                );
            };
            if numbers.contains(&number) {
                return refuse(at, format!("field {number} is cited twice"));
            }
            numbers.push(number);
        }
        let text = text.trim();
        if text.is_empty() {
            return refuse(
                "text",
                "say which data of the ZAS are wrong or incomplete (N. 3301)",
            );
        }
        let count = text.chars().count();
        if count > MAX_TEXT_CHARS {
            return refuse(
                "text",
                format!("{count} characters, at most {MAX_TEXT_CHARS}"),
            );
        }
        if let Some((position, c)) = text
            .chars()
            .enumerate()
            .find(|(_, c)| !(prints(*c) || matches!(c, '\n' | '\r' | '\t')))
        {
            return refuse(
                "text",
                format!(
                    "character {} (U+{:04X}) cannot be printed in the letter: letters, digits \
                     and punctuation of the Latin alphabet and line breaks only",
                    position + 1,
                    c as u32
                ),
            );
        }
        Ok(LetterRequest::Correction {
            fields: numbers,
            text: text.to_string(),
        })
    }

    /// Which letter it asks for.
    pub fn kind(&self) -> LetterKind {
        match self {
            LetterRequest::OpenAccounts(_) => LetterKind::OpenAccounts,
            LetterRequest::Correction { .. } => LetterKind::Correction,
        }
    }

    /// What the audit log keeps of the request: counts, never an AVS number or the text.
    pub fn audit_details(&self) -> Value {
        match self {
            LetterRequest::OpenAccounts(accounts) => json!({
                "open_accounts": accounts.len(),
                "with_avs_number": accounts.iter().filter(|a| a.avs_number.is_some()).count(),
            }),
            LetterRequest::Correction { fields, text } => {
                json!({"fields": fields, "text_chars": text.chars().count()})
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(fund: &str, avs: Option<&str>) -> (String, Option<String>) {
        (fund.to_string(), avs.map(str::to_string))
    }

    #[test]
    fn open_accounts_are_checked_field_by_field() {
        let ok = LetterRequest::open_accounts(&[
            account("066.000", None),
            account(" 067.001 ", Some("756.1234.5678.97")),
        ])
        .unwrap();
        let LetterRequest::OpenAccounts(accounts) = ok else {
            panic!()
        };
        assert_eq!(accounts[1].fund.to_string(), "067.001");
        assert!(accounts[1].avs_number.is_some() && accounts[0].avs_number.is_none());
        let e = |accounts: &[(String, Option<String>)]| {
            LetterRequest::open_accounts(accounts)
                .unwrap_err()
                .to_string()
        };
        assert!(e(&[]).starts_with("open_accounts: at least one"));
        assert!(e(&[account("66", None)]).starts_with("open_accounts[0].fund: "));
        let bad_avs = e(&[account("066.000", Some("756.1234.5678.98"))]);
        assert!(
            bad_avs.starts_with("open_accounts[0].avs_number: "),
            "{bad_avs}"
        );
        assert!(bad_avs.contains("N. 1201, 1202"), "{bad_avs}");
        assert_eq!(
            e(&[account("066.000", None), account("066.000", Some(" "))]),
            "open_accounts[1].fund: the same CI as open_accounts[0]"
        );
        let many = vec![account("066.000", None); MAX_OPEN_ACCOUNTS + 1];
        assert_eq!(e(&many), "open_accounts: 21 CIs, at most 20 in one letter");
    }

    #[test]
    fn corrections_cite_field_numbers_and_a_bounded_printable_text() {
        let ok = LetterRequest::correction(&[7, 12], "  Il cognome è «Rossi-Bianchi».\n").unwrap();
        assert_eq!(
            ok,
            LetterRequest::Correction {
                fields: vec![7, 12],
                text: "Il cognome è «Rossi-Bianchi».".into()
            }
        );
        let e = |fields: &[i64], text: &str| {
            LetterRequest::correction(fields, text)
                .unwrap_err()
                .to_string()
        };
        assert!(e(&[0], "x").starts_with("fields[0]: 0 is not a field number"));
        assert!(e(&[7, 256], "x").starts_with("fields[1]: 256 is not a field number"));
        assert_eq!(e(&[7, 7], "x"), "fields[1]: field 7 is cited twice");
        assert!(e(&[1; 21], "x").starts_with("fields: 21 field numbers"));
        assert!(e(&[], " \n ").starts_with("text: say which data"));
        assert_eq!(
            e(&[], &"x".repeat(MAX_TEXT_CHARS + 1)),
            "text: 2001 characters, at most 2000"
        );
        assert!(e(&[], "ok\u{0}").starts_with("text: character 3 (U+0000) cannot be printed"));
        assert!(e(&[], "中").contains("U+4E2D"));
        assert!(LetterRequest::correction(&[], &"x".repeat(MAX_TEXT_CHARS)).is_ok());
    }

    #[test]
    fn the_audit_keeps_counts_only() {
        let r =
            LetterRequest::open_accounts(&[account("066.000", Some("756.1234.5678.97"))]).unwrap();
        let details = r.audit_details().to_string();
        assert!(!details.contains("1234"), "{details}");
        let r = LetterRequest::correction(&[3], "secret").unwrap();
        assert!(!r.audit_details().to_string().contains("secret"));
    }
}
