//! `POST /announcements/{id}/letters/{open-accounts|correction}`: the forms of the announcement
//! page that write a letter to the ZAS's ARC control office (N. 3402) — CIs still open after an
//! RCI (N. 2703) or data of the ZAS wrong or incomplete (N. 3301) — answered as a text or PDF
//! file to save. The page offers each form only where its rule allows; the rule is checked
//! again here. Audited as the API's letters are (the letter holds an AVS number).
//!
//! The form's fields: `csrf`, `language`, `format`; for N. 2703 pairs of `fund` and
//! `avs_number` in order (a pair left empty is skipped); for N. 3301 `fields` (numbers apart by
//! commas or spaces) and `text`.

use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use super::context::{Ctx, PageError};
use crate::letters::{FieldError, Language, LetterKind, LetterRequest};
use crate::presentation::documents::{DocumentFormat, document_download};
use crate::presentation::letters::{letter_about, letter_audit_details, letter_file_name};
use crate::store::{AuditOutcome, StoreError};

/// What a letter's form asks for.
#[derive(Debug)]
struct LetterForm {
    request: LetterRequest,
    language: Language,
    format: DocumentFormat,
}

pub async fn write(ctx: Ctx, Path((id, kind)): Path<(String, String)>, body: Bytes) -> Response {
    let answer = async {
        let kind = LetterKind::ALL
            .into_iter()
            .find(|k| k.slug() == kind)
            .ok_or(PageError::NotFound)?;
        let id: i64 = id
            .parse()
            .map_err(|_| PageError::bad("id", "expected an announcement's number"))?;
        let detail = match ctx.state.store.announcement(id).await {
            Err(StoreError::NotFound { .. }) => return Err(PageError::NotFound),
            other => other?,
        };
        let fund = detail.announcement.announcement.fund();
        let target = Some(format!("announcement:{id}"));
        // N. 2102 (security baseline, draft art. 7): as if it did not exist.
        if !ctx.viewer.may_see(fund) {
            let details = json!({"reason": "another fund"});
            ctx.audit(kind.action(), target, AuditOutcome::Denied, details)
                .await?;
            return Err(PageError::NotFound);
        }
        let form = match read_form(kind, &body, ctx.state.letters.language_of(fund)) {
            Ok(form) => form,
            Err(e) => {
                let details = json!({"reason": e.to_string(), "page": "dashboard"});
                ctx.audit(kind.action(), target, AuditOutcome::Failure, details)
                    .await?;
                return Err(PageError::bad(e.field, e.rule));
            }
        };
        let mut details = letter_audit_details(&form.request, form.language, form.format.as_str());
        details["page"] = json!("dashboard");
        match letter_about(&ctx.state, &detail, &form.request, form.language).await? {
            Err(refusal) => {
                details["reason"] = json!(refusal.to_string());
                ctx.audit(kind.action(), target, AuditOutcome::Failure, details)
                    .await?;
                Err(PageError::Refused(refusal.to_string()))
            }
            Ok(doc) => {
                ctx.audit(kind.action(), target, AuditOutcome::Success, details)
                    .await?;
                Ok(document_download(
                    &doc,
                    form.format,
                    &letter_file_name(kind, id, form.language),
                ))
            }
        }
    };
    ctx.respond(answer.await)
}

/// Reads the URL-encoded form of a letter of `kind`; `language` when the form names none.
fn read_form(kind: LetterKind, body: &[u8], language: Language) -> Result<LetterForm, FieldError> {
    let refuse = |field: &str, rule: String| FieldError {
        field: field.to_string(),
        rule,
    };
    if let Err(e) = std::str::from_utf8(body) {
        return Err(refuse(
            "form",
            format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
        ));
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let one = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let language = match one("language").filter(|l| !l.trim().is_empty()) {
        None => language,
        Some(l) => l
            .parse::<Language>()
            .map_err(|e| refuse("language", e.to_string()))?,
    };
    let format = match one("format").filter(|f| !f.trim().is_empty()) {
        None => DocumentFormat::default(),
        Some(f) => f.parse().map_err(|e| refuse("format", e))?,
    };
    let request = match kind {
        LetterKind::OpenAccounts => {
            let values = |name: &str| {
                pairs
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.trim().to_string())
                    .collect::<Vec<_>>()
            };
            let (funds, numbers) = (values("fund"), values("avs_number"));
            if funds.len() != numbers.len() {
                return Err(refuse(
                    "open_accounts",
                    "each CI is a fund and an AVS number field (the AVS number may be empty)"
                        .into(),
                ));
            }
            let accounts: Vec<(String, Option<String>)> = funds
                .into_iter()
                .zip(numbers)
                .filter(|(fund, number)| !(fund.is_empty() && number.is_empty()))
                .map(|(fund, number)| (fund, Some(number)))
                .collect();
            LetterRequest::open_accounts(&accounts)?
        }
        LetterKind::Correction => {
            let fields = one("fields")
                .unwrap_or_default()
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|n| !n.is_empty())
                .enumerate()
                .map(|(i, n)| {
                    n.parse::<i64>().map_err(|_| {
                        refuse(
                            &format!("fields[{i}]"),
                            format!("{n:?} is not a field number: 1 to 255 (annex 9)"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            LetterRequest::correction(&fields, one("text").unwrap_or_default())?
        }
    };
    Ok(LetterForm {
        request,
        language,
        format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_read_field_by_field() {
        let form = read_form(
            LetterKind::OpenAccounts,
            b"csrf=x&language=de&format=pdf&fund=067.000&avs_number=&fund=&avs_number=&fund=066.001&avs_number=756.1234.5678.97",
            Language::It,
        )
        .unwrap();
        assert_eq!(
            (form.language, form.format),
            (Language::De, DocumentFormat::Pdf)
        );
        let LetterRequest::OpenAccounts(accounts) = form.request else {
            panic!()
        };
        assert_eq!(accounts.len(), 2);
        assert!(accounts[0].avs_number.is_none() && accounts[1].avs_number.is_some());
        let form = read_form(
            LetterKind::Correction,
            b"fields=7%2C+12&text=Nome+sbagliato&language=",
            Language::Fr,
        )
        .unwrap();
        assert_eq!(form.language, Language::Fr);
        assert_eq!(
            form.request,
            LetterRequest::correction(&[7, 12], "Nome sbagliato").unwrap()
        );
        let e = |kind, body: &[u8]| read_form(kind, body, Language::It).unwrap_err().to_string();
        assert!(e(LetterKind::Correction, b"text=x&fields=7+a").starts_with("fields[1]: \"a\""));
        assert!(e(LetterKind::Correction, b"text=\xff").starts_with("form: not UTF-8"));
        // Escaped bytes that are not UTF-8 decode to U+FFFD, which no letter prints.
        assert!(e(LetterKind::Correction, b"text=%FF").contains("(U+FFFD) cannot be printed"));
        assert!(e(LetterKind::Correction, b"text=x&language=en").starts_with("language: "));
        assert!(e(LetterKind::OpenAccounts, b"fund=&avs_number=").starts_with("open_accounts: "));
        assert!(e(LetterKind::OpenAccounts, b"fund=066.000").starts_with("open_accounts: each"));
    }
}
