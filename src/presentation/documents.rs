//! What the letter and print endpoints share: the `format` and `language` query, and the answer
//! as plain text or PDF.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use std::str::FromStr;

use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::domain::FundNumber;
use crate::letters::{Document, Language, LettersConfig, render_pdf};

/// How a document is answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocumentFormat {
    /// `text/plain; charset=utf-8`.
    #[default]
    Text,
    /// `application/pdf`, A4.
    Pdf,
}

impl DocumentFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentFormat::Text => "text",
            DocumentFormat::Pdf => "pdf",
        }
    }
}

/// The query of a letter or print.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    /// `text` (default) or `pdf`.
    #[param(value_type = Option<String>)]
    pub format: Option<DocumentFormat>,
    /// `it`, `de` or `fr`; default: the fund's language in the configuration.
    #[param(value_type = Option<String>)]
    pub language: Option<Language>,
}

impl DocumentQuery {
    /// The language asked for, or else the one configured for `fund`.
    pub fn language_for(&self, letters: &LettersConfig, fund: FundNumber) -> Language {
        self.language.unwrap_or_else(|| letters.language_of(fund))
    }
}

impl FromStr for DocumentFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "text" => Ok(DocumentFormat::Text),
            "pdf" => Ok(DocumentFormat::Pdf),
            other => Err(format!("unknown format {other:?}: text or pdf")),
        }
    }
}

/// `doc` as text or PDF; `name` (without extension) names the PDF file.
pub fn document_response(doc: &Document, format: DocumentFormat, name: &str) -> Response {
    match format {
        DocumentFormat::Text => (
            [(CONTENT_TYPE, "text/plain; charset=utf-8".to_string())],
            doc.text(),
        )
            .into_response(),
        DocumentFormat::Pdf => (
            [
                (CONTENT_TYPE, "application/pdf".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}.pdf\""),
                ),
            ],
            render_pdf(doc),
        )
            .into_response(),
    }
}

/// `doc` as a text or PDF file to save (`name.txt`, `name.pdf`): what a page's form answers.
pub fn document_download(doc: &Document, format: DocumentFormat, name: &str) -> Response {
    let mut response = document_response(doc, format, name);
    let extension = match format {
        DocumentFormat::Text => "txt",
        DocumentFormat::Pdf => "pdf",
    };
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    if let Ok(value) = disposition.parse() {
        response.headers_mut().insert(CONTENT_DISPOSITION, value);
    }
    response
}
