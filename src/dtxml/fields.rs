//! The fields of one announcement in a transmission's XML, as they stand there: element path
//! and text of every leaf, in document order. For printing what was announced (N. 3403) from
//! the XML written again byte for byte, so that the print shows exactly what was sent.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use super::error::{DtXmlError, Position, clip};

/// One leaf element: its path below `announcement` (`person/officialName`) and its text (empty
/// for an empty element such as `insuredPerson`).
#[derive(Clone, PartialEq, Eq)]
pub struct XmlField {
    pub path: String,
    pub value: String,
}

impl std::fmt::Debug for XmlField {
    /// The value may be an AVS number or a name: debug output shows the path only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "XmlField({}: …)", self.path)
    }
}

/// The leaf fields of the `content/announcement` whose `reference` is `reference`, or `None`
/// when the transmission holds no such announcement.
pub fn announcement_fields(
    xml: &str,
    reference: &str,
) -> Result<Option<Vec<XmlField>>, DtXmlError> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    // The open elements below the root; `fields` collects while inside an announcement.
    let mut open: Vec<String> = Vec::new();
    let mut fields: Vec<XmlField> = Vec::new();
    let mut text = String::new();
    let mut leaf = false;
    loop {
        let offset = reader.buffer_position();
        let event = reader.read_event().map_err(|e| DtXmlError::Malformed {
            at: Position::in_text(xml, usize::try_from(offset).unwrap_or(usize::MAX)),
            message: clip(&e.to_string(), 200),
        })?;
        match event {
            Event::Start(start) => {
                open.push(start.local_name().as_ref().to_string());
                text.clear();
                leaf = true;
            }
            Event::Empty(start) => {
                if in_announcement(&open) {
                    let name = start.local_name().as_ref().to_string();
                    fields.push(field(&open, &name, String::new()));
                }
                leaf = false;
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name: &str = &r;
                if let Some(c) = r.resolve_char_ref().ok().flatten() {
                    text.push(c);
                } else if let Some(s) = resolve_predefined_entity(name) {
                    text.push_str(s);
                }
            }
            Event::End(_) => {
                let name = open.pop().unwrap_or_default();
                if leaf && in_announcement(&open) {
                    fields.push(field(&open, &name, std::mem::take(&mut text)));
                } else if name == "announcement" && open.len() == 2 {
                    let found = fields
                        .iter()
                        .any(|f| f.path == "reference" && f.value == reference);
                    if found {
                        return Ok(Some(fields));
                    }
                    fields.clear();
                }
                leaf = false;
            }
            Event::Eof => return Ok(None),
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
}

/// Whether the open elements are `message/content/announcement/…`.
fn in_announcement(open: &[String]) -> bool {
    open.len() >= 3 && open[1] == "content" && open[2] == "announcement"
}

fn field(open: &[String], name: &str, value: String) -> XmlField {
    let mut path: Vec<&str> = open[3..].iter().map(String::as_str).collect();
    path.push(name);
    XmlField {
        path: path.join("/"),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../tests/fixtures/transmission-example.xml");

    fn pairs(fields: &[XmlField]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|f| (f.path.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn the_fields_of_one_announcement_in_document_order() {
        let fields = announcement_fields(EXAMPLE, "K-2026-000123")
            .unwrap()
            .unwrap();
        assert_eq!(
            pairs(&fields),
            [
                ("deliveryOffice/officeIdentifier", "66"),
                ("deliveryOffice/branch", "1"),
                ("reference", "K-2026-000123"),
                ("keyCode", "81"),
                ("vn", "7561234567897"),
                ("collection/beneficiary/insuredPerson", ""),
                ("collection/closingMonth", "2026-12"),
                ("collection/orderDate", "2026-11-23"),
                ("collection/domicile/code", "1"),
                ("collection/domicile/from", "1985-01-01"),
                ("collection/domicile/to", "2026-12-31"),
            ]
        );
    }

    /// The print shows what annex 9 gives 94, 96 and 99 (as corrected): the domicile, the spouse's
    /// number, the closing month of the RCI revoked; 97 its number and key only.
    #[test]
    fn the_field_sets_of_group_4_as_printed() {
        let fields = |reference| {
            pairs(&announcement_fields(EXAMPLE, reference).unwrap().unwrap())
                .into_iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
        };
        let f = fields("K-2026-000126");
        assert_eq!(f[f.len() - 2..], ["keyCode=97", "vn=7563047500962"]);
        assert!(fields("K-2026-000128").contains(&"domicile/code=3".to_string()));
        assert!(
            fields("K-2026-000129")
                .contains(&"splittingRevocation/spouseVn=7569217076985".to_string())
        );
        assert!(
            fields("K-2026-000130")
                .contains(&"collectionRevocation/closingMonth=2026-10".to_string())
        );
    }

    #[test]
    fn escaped_text_is_read_back_and_absent_references_are_none() {
        let xml = EXAMPLE.replace("Keller-Dubois", "Keller &amp; D&#252;bois");
        let fields = announcement_fields(&xml, "K-2026-000121").unwrap().unwrap();
        assert!(pairs(&fields).contains(&("person/officialName", "Keller & Dübois")));
        assert_eq!(announcement_fields(EXAMPLE, "K-0000").unwrap(), None);
    }
}
