//! The JSON body of a letter about an announcement (N. 2703, 3301), read field by field so that
//! every refusal names the field and the rule:
//!
//! ```json
//! {"language": "it", "format": "pdf", "open_accounts": [{"fund": "067.000", "avs_number": "756…"}]}
//! {"language": "de", "format": "text", "fields": [7, 12], "text": "…"}
//! ```
//!
//! Not UTF-8, not JSON or not an object: 400 `unreadable`. A field that breaks a rule or is
//! unknown: 422 `invalid_field`. The size is bounded by `[http] max_body_bytes` (413).

use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::error::ApiError;
use crate::letters::{Language, LetterKind, LetterRequest};
use crate::presentation::documents::DocumentFormat;

/// The body of `POST /api/v1/announcements/{id}/letters/open-accounts` (N. 2703); arcgw's own
/// format.
#[derive(ToSchema)]
#[allow(dead_code)] // The OpenAPI schema only: the body is read by `read_letter_body`.
pub struct OpenAccountsBody {
    /// `it`, `de` or `fr`; default: the fund's language in the configuration.
    language: Option<String>,
    /// `text` (default) or `pdf`.
    format: Option<String>,
    /// 1 to 20 CIs still open for the person after the RCI, each once.
    open_accounts: Vec<OpenAccountBody>,
}

/// A CI still open.
#[derive(ToSchema)]
#[allow(dead_code)] // The OpenAPI schema only: the body is read by `read_letter_body`.
pub struct OpenAccountBody {
    /// The fund and agency that keeps it, `NNN.NNN` (N. 3104).
    fund: String,
    /// The AVS number it is kept under, when known (13 digits from 756, dots optional; checked
    /// as N. 1201, 1202 say).
    avs_number: Option<String>,
}

/// The body of `POST /api/v1/announcements/{id}/letters/correction` (N. 3301); arcgw's own
/// format.
#[derive(ToSchema)]
#[allow(dead_code)] // The OpenAPI schema only: the body is read by `read_letter_body`.
pub struct CorrectionBody {
    /// `it`, `de` or `fr`; default: the fund's language in the configuration.
    language: Option<String>,
    /// `text` (default) or `pdf`.
    format: Option<String>,
    /// The numbers of the fields found wrong (annex 9): up to 20 distinct, 1–255.
    fields: Option<Vec<i64>>,
    /// What is wrong or incomplete: 1 to 2000 characters of the Latin alphabet (the letter's
    /// font), line breaks allowed.
    text: String,
}

/// What a letter's body asks for.
#[derive(Debug)]
pub struct LetterOrder {
    pub request: LetterRequest,
    /// `None`: the fund's configured language.
    pub language: Option<Language>,
    pub format: DocumentFormat,
}

fn invalid(field: &str, rule: impl std::fmt::Display) -> ApiError {
    ApiError::LetterField(format!("{field}: {rule}"))
}

/// Reads the body of a letter of `kind`.
pub fn read_letter_body(kind: LetterKind, body: &[u8]) -> Result<LetterOrder, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::Unreadable(format!(
            "body: not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::Unreadable(format!("body: not JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(ApiError::Unreadable(
            "body: a JSON object is required".into(),
        ));
    };
    let known: &[&str] = match kind {
        LetterKind::OpenAccounts => &["language", "format", "open_accounts"],
        LetterKind::Correction => &["language", "format", "fields", "text"],
    };
    only_known(&object, "", known)?;
    let language = optional_string(&object, "language", "language")?
        .map(|l| l.parse::<Language>().map_err(|e| invalid("language", e)))
        .transpose()?;
    let format = optional_string(&object, "format", "format")?
        .map(|f| {
            f.parse::<DocumentFormat>()
                .map_err(|e| invalid("format", e))
        })
        .transpose()?
        .unwrap_or_default();
    let request = match kind {
        LetterKind::OpenAccounts => open_accounts(&object)?,
        LetterKind::Correction => correction(&object)?,
    };
    Ok(LetterOrder {
        request,
        language,
        format,
    })
}

fn open_accounts(object: &Map<String, Value>) -> Result<LetterRequest, ApiError> {
    let Some(items) = object.get("open_accounts") else {
        return Err(invalid(
            "open_accounts",
            "required: the CIs still open (N. 2703)",
        ));
    };
    let Value::Array(items) = items else {
        return Err(invalid("open_accounts", "an array is required"));
    };
    let mut accounts = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("open_accounts[{i}]");
        let Value::Object(item) = item else {
            return Err(invalid(
                &at,
                "an object {\"fund\", \"avs_number\"} is required",
            ));
        };
        only_known(item, &format!("{at}."), &["fund", "avs_number"])?;
        let fund = optional_string(item, "fund", &format!("{at}.fund"))?
            .ok_or_else(|| invalid(&format!("{at}.fund"), "required: NNN.NNN (N. 3104)"))?;
        let avs_number = optional_string(item, "avs_number", &format!("{at}.avs_number"))?;
        accounts.push((fund.to_string(), avs_number.map(str::to_string)));
    }
    LetterRequest::open_accounts(&accounts).map_err(|e| ApiError::LetterField(e.to_string()))
}

fn correction(object: &Map<String, Value>) -> Result<LetterRequest, ApiError> {
    let fields = match object.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_i64().ok_or_else(|| {
                    invalid(
                        &format!("fields[{i}]"),
                        "a field number is required: 1 to 255 (annex 9)",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("fields", "an array of field numbers is required")),
    };
    let text = optional_string(object, "text", "text")?.ok_or_else(|| {
        invalid(
            "text",
            "required: which data of the ZAS are wrong or incomplete (N. 3301)",
        )
    })?;
    LetterRequest::correction(&fields, text).map_err(|e| ApiError::LetterField(e.to_string()))
}

/// Refuses a key of `object` not in `known`; `prefix` goes before its name.
fn only_known(object: &Map<String, Value>, prefix: &str, known: &[&str]) -> Result<(), ApiError> {
    match object.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(invalid(
            &format!("{prefix}{key}"),
            format!("unknown field; expected {}", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// The string `key` of `object`; `None` when absent or null; `field` names it in a refusal.
fn optional_string<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<Option<&'a str>, ApiError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "a string is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(kind: LetterKind, body: &[u8]) -> (&'static str, String) {
        let e = read_letter_body(kind, body).unwrap_err();
        let code = match e {
            ApiError::Unreadable(_) => "unreadable",
            ApiError::LetterField(_) => "invalid_field",
            _ => "other",
        };
        (code, e.to_string())
    }

    #[test]
    fn bodies_are_read_field_by_field() {
        let order = read_letter_body(
            LetterKind::OpenAccounts,
            br#"{"language":"de","format":"pdf","open_accounts":[{"fund":"067.000"},{"fund":"066.000","avs_number":"756.1234.5678.97"}]}"#,
        )
        .unwrap();
        assert_eq!(order.language, Some(Language::De));
        assert_eq!(order.format, DocumentFormat::Pdf);
        assert_eq!(order.request.kind(), LetterKind::OpenAccounts);
        let order = read_letter_body(LetterKind::Correction, br#"{"text":"Nome errato"}"#).unwrap();
        assert_eq!((order.language, order.format), (None, DocumentFormat::Text));
    }

    #[test]
    fn every_refusal_names_its_field() {
        use LetterKind::*;
        for (kind, body, code, start) in [
            (
                Correction,
                &b"{\"text\":\"\xff\"}"[..],
                "unreadable",
                "body: not UTF-8",
            ),
            (Correction, b"[1]", "unreadable", "body: a JSON object"),
            (Correction, b"{", "unreadable", "body: not JSON"),
            (
                Correction,
                br#"{"text":"x","colour":1}"#,
                "invalid_field",
                "colour: unknown field",
            ),
            (
                Correction,
                br#"{"text":"x","language":"en"}"#,
                "invalid_field",
                "language: unknown language",
            ),
            (
                Correction,
                br#"{"text":"x","format":"docx"}"#,
                "invalid_field",
                "format: unknown format",
            ),
            (
                Correction,
                br#"{"text":5}"#,
                "invalid_field",
                "text: a string is required",
            ),
            (Correction, br#"{}"#, "invalid_field", "text: required"),
            (
                Correction,
                br#"{"text":"x","fields":[7,"a"]}"#,
                "invalid_field",
                "fields[1]: a field number",
            ),
            (
                Correction,
                br#"{"text":"x","fields":[7,300]}"#,
                "invalid_field",
                "fields[1]: 300 is not",
            ),
            (
                OpenAccounts,
                br#"{}"#,
                "invalid_field",
                "open_accounts: required",
            ),
            (
                OpenAccounts,
                br#"{"open_accounts":[]}"#,
                "invalid_field",
                "open_accounts: at least one",
            ),
            (
                OpenAccounts,
                br#"{"open_accounts":[1]}"#,
                "invalid_field",
                "open_accounts[0]: an object",
            ),
            (
                OpenAccounts,
                br#"{"open_accounts":[{"avs_number":null}]}"#,
                "invalid_field",
                "open_accounts[0].fund: required",
            ),
            (
                OpenAccounts,
                br#"{"open_accounts":[{"fund":"066.000","x":1}]}"#,
                "invalid_field",
                "open_accounts[0].x: unknown field",
            ),
            (
                OpenAccounts,
                br#"{"open_accounts":[{"fund":"066.000","avs_number":"756"}]}"#,
                "invalid_field",
                "open_accounts[0].avs_number: ",
            ),
            (
                OpenAccounts,
                br#"{"text":"x","open_accounts":[{"fund":"066.000"}]}"#,
                "invalid_field",
                "text: unknown field",
            ),
        ] {
            let (got_code, message) = refusal(kind, body);
            assert_eq!(got_code, code, "{message}");
            assert!(
                message.starts_with(start),
                "{message:?} does not start with {start:?}"
            );
        }
    }
}
