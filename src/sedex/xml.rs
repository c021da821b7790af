//! Reading and writing the two eCH-0090 documents, the envelope and the receipt. Both are flat:
//! a root with a `version` attribute and a fixed sequence of leaf elements. The reader is a
//! hostile-input guard and a sequence check in one streaming pass: it refuses input over the
//! size limit, bytes that are not UTF-8, an XML declaration other than 1.0 in UTF-8, any
//! `<!DOCTYPE …>` (no DTD, so no entity can be declared or expanded), entity references other
//! than the five predefined ones, processing instructions, any element it does not know (the
//! error names it), elements out of order or repeated, a missing element, nested elements,
//! attributes other than `version`, namespace declarations and `xsi:schemaLocation`, and a
//! namespace other than eCH-0090 version 2 or 1.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use quick_xml::NsReader;
use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::error::EnvelopeError;
use crate::domain::ParticipantId;
pub(crate) use crate::dtxml::clip;
use crate::dtxml::{first_illegal_char, is_xml_char, is_xml_space, strict_reader};

/// The namespace of eCH-0090 version 2 (written, and read).
pub const NAMESPACE_V2: &str = "http://www.ech.ch/xmlns/eCH-0090/2";
/// The namespace of eCH-0090 version 1 (read only: older sedex clients write it).
pub const NAMESPACE_V1: &str = "http://www.ech.ch/xmlns/eCH-0090/1";
/// The largest envelope or receipt read: both are well under a kilobyte.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// Unbounded `maxOccurs`.
pub(crate) const UNBOUNDED: u32 = u32::MAX;

/// The version of eCH-0090 a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

impl Version {
    /// The value of the root's `version` attribute.
    fn attribute(self) -> &'static str {
        match self {
            Version::V1 => "1.0",
            Version::V2 => "2.0",
        }
    }
}

/// One element of the sequence and how often it occurs.
pub(crate) struct Slot {
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
}

impl Slot {
    /// Exactly once.
    pub const fn one(name: &'static str) -> Slot {
        Slot {
            name,
            min: 1,
            max: 1,
        }
    }

    /// At most once.
    pub const fn optional(name: &'static str) -> Slot {
        Slot {
            name,
            min: 0,
            max: 1,
        }
    }

    /// At least once.
    pub const fn many(name: &'static str) -> Slot {
        Slot {
            name,
            min: 1,
            max: UNBOUNDED,
        }
    }
}

/// A document kind: the root's name and the sequence of its leaves.
pub(crate) struct Layout {
    pub root: &'static str,
    pub slots: &'static [Slot],
}

/// The leaves of a document that passed the reader, in document order.
pub(crate) struct Fields {
    root: &'static str,
    values: Vec<(&'static str, String)>,
}

impl Fields {
    /// The value of an element the layout requires exactly once.
    pub fn one(&self, name: &'static str) -> &str {
        self.optional(name).unwrap_or_default()
    }

    pub fn optional(&self, name: &'static str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &'static str) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// An error about the value of `element`.
    pub fn invalid(&self, element: &'static str, message: impl ToString) -> EnvelopeError {
        EnvelopeError::Value {
            document: self.root,
            element,
            message: clip(&message.to_string(), 200),
        }
    }

    /// A token-like value without the white space XSD collapses.
    fn token(&self, name: &'static str) -> &str {
        self.one(name).trim_matches(is_xml_space)
    }

    /// An unsigned number of 1 to `digits` digits.
    pub fn number(&self, name: &'static str, digits: usize) -> Result<u64, EnvelopeError> {
        let t = self.token(name);
        if (1..=digits).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().map_err(|_| self.invalid(name, "too large"))
        } else {
            Err(self.invalid(
                name,
                format!("a number of 1 to {digits} digits, not {:?}", clip(t, 20)),
            ))
        }
    }

    pub fn participant(
        &self,
        name: &'static str,
        text: &str,
    ) -> Result<ParticipantId, EnvelopeError> {
        ParticipantId::new(text.trim_matches(is_xml_space)).map_err(|e| self.invalid(name, e))
    }

    pub fn date_time(&self, name: &'static str) -> Result<DateTime<Utc>, EnvelopeError> {
        parse_date_time(self.token(name)).ok_or_else(|| {
            self.invalid(
                name,
                format!(
                    "an xs:dateTime such as 2026-12-05T10:00:00Z, not {:?}",
                    clip(self.token(name), 40)
                ),
            )
        })
    }
}

/// `xs:dateTime`: with a time zone (`Z` or `±hh:mm`) it is that instant; without one it is read
/// as Swiss civil time (Europe/Zurich), where sedex clients run.
fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    match chrono_tz::Europe::Zurich.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// Where the reader stands.
struct Reading {
    layout: &'static Layout,
    version: Option<Version>,
    namespace: &'static str,
    /// The slot of the last leaf read, and how many times it occurred.
    cursor: Option<(usize, u32)>,
    /// The leaf being read: its slot and text.
    leaf: Option<(usize, String)>,
    depth: usize,
    done: bool,
    values: Vec<(&'static str, String)>,
}

/// Reads an envelope or a receipt (see the module's description of what is refused).
pub(crate) fn read(bytes: &[u8], layout: &'static Layout) -> Result<Fields, EnvelopeError> {
    let document = layout.root;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(EnvelopeError::TooLarge {
            document,
            size: bytes.len(),
            limit: MAX_DOCUMENT_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| EnvelopeError::NotUtf8 {
        document,
        offset: e.valid_up_to(),
    })?;
    if let Some((_, c)) = first_illegal_char(text) {
        return Err(EnvelopeError::IllegalCharacter {
            document,
            code: u32::from(c),
        });
    }
    let mut reader = strict_reader(text);
    let mut state = Reading {
        layout,
        version: None,
        namespace: NAMESPACE_V2,
        cursor: None,
        leaf: None,
        depth: 0,
        done: false,
        values: Vec::new(),
    };
    let malformed = |message: String| EnvelopeError::Malformed {
        document,
        message: clip(&message, 200),
    };
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (Some(ns.as_ref().to_string()), event),
            Ok((ResolveResult::Unbound, event)) => (None, event),
            Ok((ResolveResult::Unknown(prefix), _)) => {
                return Err(malformed(format!(
                    "namespace prefix `{}` is not declared",
                    clip(&prefix, 40)
                )));
            }
            Err(e) => return Err(malformed(e.to_string())),
        };
        match event {
            Event::Decl(decl) => {
                let version = decl.version().map_err(|e| malformed(e.to_string()))?;
                let utf8 = match decl.encoding() {
                    None => true,
                    Some(Ok(e)) => e.eq_ignore_ascii_case("UTF-8"),
                    Some(Err(e)) => return Err(malformed(e.to_string())),
                };
                if &*version != "1.0" || !utf8 {
                    return Err(malformed("only XML 1.0 in UTF-8 is accepted".to_string()));
                }
            }
            Event::DocType(_) => return Err(EnvelopeError::Doctype { document }),
            Event::PI(_) => return Err(EnvelopeError::ProcessingInstruction { document }),
            Event::Start(ref start) | Event::Empty(ref start) => {
                state.start(&reader, start, namespace)?;
                if matches!(event, Event::Empty(_)) {
                    state.end()?;
                }
            }
            Event::End(_) => state.end()?,
            Event::Text(t) => state.text(&t.xml10_content())?,
            Event::CData(t) => {
                state.text(&t.xml10_content())?;
            }
            Event::GeneralRef(r) => {
                let resolved = if let Some(c) = r.resolve_char_ref().ok().flatten() {
                    if !is_xml_char(c) {
                        return Err(EnvelopeError::IllegalCharacter {
                            document,
                            code: u32::from(c),
                        });
                    }
                    c.to_string()
                } else if let Some(s) = resolve_predefined_entity(&r) {
                    s.to_string()
                } else {
                    return Err(EnvelopeError::Entity {
                        document,
                        name: clip(&r, 40),
                    });
                };
                state.text(&resolved)?;
            }
            Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    state.finish()
}

impl Reading {
    fn document(&self) -> &'static str {
        self.layout.root
    }

    fn start(
        &mut self,
        reader: &NsReader<&[u8]>,
        start: &BytesStart<'_>,
        namespace: Option<String>,
    ) -> Result<(), EnvelopeError> {
        let document = self.document();
        let local = start.local_name().as_ref().to_string();
        match self.depth {
            0 if self.done => {
                return Err(EnvelopeError::Malformed {
                    document,
                    message: "a second root element".to_string(),
                });
            }
            0 => self.root(reader, start, &local, namespace)?,
            1 => {
                if namespace.as_deref() != Some(self.namespace) {
                    return Err(EnvelopeError::WrongNamespace {
                        document,
                        element: clip(&local, 40),
                        found: namespace.map(|ns| clip(&ns, 80)),
                    });
                }
                if start.attributes().next().is_some() {
                    return Err(EnvelopeError::UnexpectedAttribute {
                        document,
                        element: clip(&local, 40),
                    });
                }
                let slot = self.place(&local)?;
                self.leaf = Some((slot, String::new()));
            }
            _ => {
                let parent = self
                    .leaf
                    .as_ref()
                    .map_or("?", |(slot, _)| self.layout.slots[*slot].name);
                return Err(EnvelopeError::NotALeaf {
                    document,
                    element: parent,
                    child: clip(&local, 40),
                });
            }
        }
        self.depth += 1;
        Ok(())
    }

    /// The root: its name, namespace (version 2 or 1) and attributes.
    fn root(
        &mut self,
        reader: &NsReader<&[u8]>,
        start: &BytesStart<'_>,
        local: &str,
        namespace: Option<String>,
    ) -> Result<(), EnvelopeError> {
        let document = self.document();
        if local != document {
            return Err(EnvelopeError::WrongRoot {
                expected: document,
                found: clip(local, 40),
            });
        }
        let version = match namespace.as_deref() {
            Some(NAMESPACE_V2) => Version::V2,
            Some(NAMESPACE_V1) => Version::V1,
            other => {
                return Err(EnvelopeError::WrongNamespace {
                    document,
                    element: document.to_string(),
                    found: other.map(|ns| clip(ns, 80)),
                });
            }
        };
        self.namespace = match version {
            Version::V2 => NAMESPACE_V2,
            Version::V1 => NAMESPACE_V1,
        };
        let mut found_version = None;
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| EnvelopeError::Malformed {
                document,
                message: clip(&e.to_string(), 200),
            })?;
            if attribute.key.as_namespace_binding().is_some() {
                continue;
            }
            let (ns, name) = reader.resolver().resolve_attribute(attribute.key);
            match ns {
                ResolveResult::Unbound if name.as_ref() == "version" => {
                    found_version = Some(attribute.value.trim().to_string());
                }
                ResolveResult::Bound(ns)
                    if ns.as_ref() == XSI && name.as_ref() == "schemaLocation" => {}
                _ => {
                    return Err(EnvelopeError::UnexpectedAttribute {
                        document,
                        element: clip(attribute.key.as_ref(), 40),
                    });
                }
            }
        }
        if found_version.as_deref() != Some(version.attribute()) {
            return Err(EnvelopeError::Version {
                document,
                expected: version.attribute(),
                found: found_version.map(|v| clip(&v, 20)),
            });
        }
        self.version = Some(version);
        Ok(())
    }

    /// The slot of the leaf `local`, checking order and counts.
    fn place(&mut self, local: &str) -> Result<usize, EnvelopeError> {
        let document = self.document();
        let slots = self.layout.slots;
        let Some(index) = slots.iter().position(|s| s.name == local) else {
            return Err(EnvelopeError::UnknownElement {
                document,
                element: clip(local, 40),
            });
        };
        let (from, count) = self.cursor.unwrap_or((0, 0));
        let misplaced = || EnvelopeError::Misplaced {
            document,
            element: slots[index].name,
        };
        if self.cursor.is_some() && index < from {
            return Err(misplaced());
        }
        if self.cursor.is_some() && index == from {
            if count >= slots[index].max {
                return Err(misplaced());
            }
            self.cursor = Some((index, count + 1));
            return Ok(index);
        }
        // Every slot skipped over must be optional.
        let first_skipped = if self.cursor.is_some() { from + 1 } else { 0 };
        if self.cursor.is_some() && count < slots[from].min {
            return Err(EnvelopeError::Missing {
                document,
                element: slots[from].name,
            });
        }
        if let Some(missing) = slots[first_skipped..index].iter().find(|s| s.min > 0) {
            return Err(EnvelopeError::Missing {
                document,
                element: missing.name,
            });
        }
        self.cursor = Some((index, 1));
        Ok(index)
    }

    fn end(&mut self) -> Result<(), EnvelopeError> {
        self.depth = self.depth.saturating_sub(1);
        match self.depth {
            0 => self.done = true,
            _ => {
                if let Some((slot, text)) = self.leaf.take() {
                    self.values.push((self.layout.slots[slot].name, text));
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<(), EnvelopeError> {
        match (&mut self.leaf, self.depth) {
            (Some((_, value)), 2) => {
                value.push_str(text);
                Ok(())
            }
            _ if text.chars().all(is_xml_space) => Ok(()),
            _ => Err(EnvelopeError::Malformed {
                document: self.document(),
                message: "text outside the leaf elements".to_string(),
            }),
        }
    }

    fn finish(self) -> Result<Fields, EnvelopeError> {
        let document = self.document();
        let (Some(_), true) = (self.version, self.done) else {
            return Err(EnvelopeError::Malformed {
                document,
                message: if self.version.is_none() {
                    "the document has no root element".to_string()
                } else {
                    "the document ends before its root element is closed".to_string()
                },
            });
        };
        let slots = self.layout.slots;
        let next = match self.cursor {
            None => 0,
            Some((index, count)) if count < slots[index].min => {
                return Err(EnvelopeError::Missing {
                    document,
                    element: slots[index].name,
                });
            }
            Some((index, _)) => index + 1,
        };
        if let Some(missing) = slots[next..].iter().find(|s| s.min > 0) {
            return Err(EnvelopeError::Missing {
                document,
                element: missing.name,
            });
        }
        Ok(Fields {
            root: document,
            values: self.values,
        })
    }
}

/// Writes a flat eCH-0090 version 2 document: the root `name` with `version="2.0"` and the
/// leaves in the order given (values escaped).
pub(crate) fn write(root: &str, leaves: &[(&str, String)]) -> String {
    let mut xml = String::with_capacity(512);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<{root} xmlns=\"{NAMESPACE_V2}\" version=\"2.0\">\n"
    ));
    for (name, value) in leaves {
        xml.push_str(&format!("  <{name}>{}</{name}>\n", escape(value.as_str())));
    }
    xml.push_str(&format!("</{root}>\n"));
    xml
}

/// `xs:dateTime` as written: UTC, whole seconds.
pub(crate) fn write_date_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_with_and_without_zone() {
        let utc = |s| parse_date_time(s).unwrap().to_rfc3339();
        assert_eq!(utc("2026-12-05T10:00:00Z"), "2026-12-05T10:00:00+00:00");
        assert_eq!(
            utc("2018-04-25T15:54:50.892+02:00"),
            "2018-04-25T13:54:50.892+00:00"
        );
        // Without a zone: Swiss time (CET in winter, CEST in summer).
        assert_eq!(utc("2026-12-05T11:00:00"), "2026-12-05T10:00:00+00:00");
        assert_eq!(utc("2026-07-01T12:00:00"), "2026-07-01T10:00:00+00:00");
        assert!(parse_date_time("2026-12-05").is_none());
        assert!(parse_date_time("yesterday").is_none());
    }
}
