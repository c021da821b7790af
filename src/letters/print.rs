//! The print of a transmitted announcement as it was sent (N. 3403): the transmission's header
//! and every field of the announcement as it stands in the XML, written again byte for byte.
//! Pure: the caller re-renders the transmission and picks the fields.

use chrono::{DateTime, Utc};

use super::language::Language;
use super::layout::Document;
use super::wording::Wording;
use crate::domain::{FundNumber, Reference};
use crate::dtxml::XmlField;

/// A transmitted announcement: the header of its transmission and its fields in the XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentAnnouncement {
    pub fund: FundNumber,
    pub reference: Reference,
    pub message_id: String,
    pub message_date: DateTime<Utc>,
    /// When the ZAS took the transmission.
    pub sent_at: Option<DateTime<Utc>>,
    pub sender_id: String,
    pub recipient_id: String,
    pub fields: Vec<XmlField>,
}

/// The print of `sent` in `language`; the fields keep the XML's element names.
pub fn compose_print(sent: &SentAnnouncement, language: Language) -> Document {
    let w = Wording::of(language);
    let mut doc = Document::new(format!("{} — {}", w.print_title, sent.reference));
    doc.paragraph(w.print_title);
    doc.blank();
    let header = [
        (w.fund, sent.fund.to_string()),
        (w.reference, sent.reference.to_string()),
        (w.message_id, sent.message_id.clone()),
        (w.message_date, swiss_time(language, sent.message_date)),
        (
            w.sent_at,
            sent.sent_at
                .map_or_else(String::new, |at| swiss_time(language, at)),
        ),
        (w.sender_id, sent.sender_id.clone()),
        (w.recipient_id, sent.recipient_id.clone()),
    ];
    let column = header
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    for (label, value) in &header {
        doc.labelled(label, column, value);
    }
    doc.blank();
    doc.paragraph(w.fields);
    let fields = with_nn(&sent.fields);
    // Paths longer than this stand on a line of their own, the value below.
    const LONGEST_PATH_IN_COLUMN: usize = 40;
    let column = fields
        .iter()
        .map(|f| f.path.chars().count())
        .filter(|n| *n <= LONGEST_PATH_IN_COLUMN)
        .max()
        .unwrap_or(0)
        + 2;
    for field in &fields {
        if field.path.chars().count() + 2 > column {
            doc.paragraph(&field.path);
            doc.labelled("", column, &field.value);
        } else {
            doc.labelled(&field.path, column, &field.value);
        }
    }
    doc
}

/// The path of the surname and of the given names in the XML.
const SURNAME: &str = "person/officialName";
const GIVEN_NAMES: &str = "person/firstNames";

/// N. 3110: "Per tutte le persone senza nome di battesimo, si deve indicare NN al posto dello
/// stesso." The XML carries a person without given names as a `person` without `firstNames`
/// (ARCHITECTURE.md "Decisions"); on paper `NN` stands in their place, after the surname.
fn with_nn(fields: &[XmlField]) -> Vec<XmlField> {
    let mut out = fields.to_vec();
    if !fields.iter().any(|f| f.path == GIVEN_NAMES)
        && let Some(at) = fields.iter().position(|f| f.path == SURNAME)
    {
        out.insert(
            at + 1,
            XmlField {
                path: GIVEN_NAMES.into(),
                value: crate::domain::NO_GIVEN_NAME.into(),
            },
        );
    }
    out
}

/// A time as a Geneva date and hour, with its zone (CET or CEST).
fn swiss_time(language: Language, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Zurich);
    format!(
        "{}, {}",
        language.long_date(local.date_naive()),
        local.format("%H:%M:%S %Z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::letters::layout::WIDTH;

    fn sent() -> SentAnnouncement {
        let field = |path: &str, value: &str| XmlField {
            path: path.into(),
            value: value.into(),
        };
        SentAnnouncement {
            fund: FundNumber::parse("066.000").unwrap(),
            reference: Reference::new("K-2026-000122").unwrap(),
            message_id: "0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70".into(),
            message_date: DateTime::parse_from_rfc3339("2026-11-23T16:00:00Z")
                .unwrap()
                .to_utc(),
            sent_at: None,
            sender_id: "T7-066000-1".into(),
            recipient_id: "T6-ZAS-1".into(),
            fields: vec![
                field("reference", "K-2026-000122"),
                field("vn", "7561234567897"),
                field("person/officialName", "Brunner"),
                field(&"deep/".repeat(12), "x"),
            ],
        }
    }

    #[test]
    fn the_print_shows_the_header_and_every_field() {
        let doc = compose_print(&sent(), Language::De);
        let text = doc.text();
        for expected in [
            "ARC-Meldung, wie sie der ZAS übermittelt wurde (Rz. 3403)",
            "0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70",
            "23. November 2026, 17:00:00 CET",
            "vn                   7561234567897",
            "person/officialName  Brunner",
        ] {
            assert!(text.contains(expected), "{expected:?} missing in\n{text}");
        }
        assert!(doc.lines.iter().all(|l| l.chars().count() <= WIDTH));
    }

    #[test]
    fn a_person_without_given_names_prints_nn() {
        // N. 3110: no firstNames element was sent; the print says NN in its place.
        let text = compose_print(&sent(), Language::It).text();
        let lines: Vec<&str> = text.lines().collect();
        let surname = lines
            .iter()
            .position(|l| l.starts_with("person/officialName"))
            .unwrap();
        assert_eq!(lines[surname + 1], "person/firstNames    NN");
        // Given names that were sent are printed as they are, once.
        let mut named = sent();
        named.fields.insert(
            3,
            XmlField {
                path: GIVEN_NAMES.into(),
                value: "Anton".into(),
            },
        );
        let text = compose_print(&named, Language::It).text();
        assert!(text.contains("person/firstNames    Anton"), "{text}");
        assert!(!text.contains(" NN"), "{text}");
    }
}
