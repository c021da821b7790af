//! The hostile-input guard: a streaming pre-pass over a document with quick-xml's [`NsReader`],
//! before the schema's shape is checked and long before serde sees it.
//!
//! In this order it refuses: input over the size limit; bytes that are not UTF-8; characters
//! XML 1.0 does not allow; an XML declaration other than version 1.0 in UTF-8; any
//! `<!DOCTYPE …>` (so no entity expansion — billion laughs — and no external entity — XXE — can
//! ever be attempted, although quick-xml expands neither); entity references other than the
//! five predefined ones (character references are fine), in text and in attribute values;
//! processing instructions (none is needed in this exchange, and some, like `xml-stylesheet`,
//! make other tools fetch things); nesting deeper than the limit; a root element of another
//! name or outside the expected namespace (resolved properly, prefixed or default); and
//! anything not well-formed, including a truncated document.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::escape::EscapeError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::error::{DtXmlError, Position, clip};
use super::path::ROOT;
use super::structure::Grammar;

/// How much a reader accepts, configurable by its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest document in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (the root is level 1; the messages of this schema need 7).
    pub max_depth: usize,
}

impl ReadLimits {
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;
    pub const DEFAULT_MAX_DEPTH: usize = 32;
}

impl Default for ReadLimits {
    /// 64 MiB and 32 levels.
    fn default() -> Self {
        ReadLimits {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_depth: Self::DEFAULT_MAX_DEPTH,
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const PREDEFINED: [&str; 5] = ["lt", "gt", "amp", "apos", "quot"];

/// The characters XML 1.0 allows (production `Char`).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// XML white space (production `S`).
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(is_xml_space)
}

/// A namespace-resolving reader of `text` that checks comments and end names, refuses a
/// dangling `&` and unmatched end tags, and keeps text as it stands (also the sedex reader's).
pub(crate) fn strict_reader(text: &str) -> NsReader<&[u8]> {
    let mut reader = NsReader::from_str(text);
    let config = reader.config_mut();
    config.check_comments = true;
    config.check_end_names = true;
    config.allow_dangling_amp = false;
    config.allow_unmatched_ends = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
    reader
}

/// The path of open elements as in other errors: relative to the root, `message` for the root.
fn below_root(open: &[String]) -> String {
    match open.get(1..) {
        Some(rest) if !rest.is_empty() => rest.join("/"),
        _ => ROOT.to_string(),
    }
}

/// Runs the guard; on success returns the document as text (without a byte-order mark), ready
/// for the shape check and serde. Byte offsets in errors count from the start of the input.
pub(crate) fn guard<'a>(
    xml: &'a [u8],
    limits: &ReadLimits,
    grammar: &'static Grammar,
) -> Result<&'a str, DtXmlError> {
    if xml.len() > limits.max_bytes {
        return Err(DtXmlError::TooLarge {
            size: xml.len(),
            limit: limits.max_bytes,
        });
    }
    let bom = if xml.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let text = std::str::from_utf8(&xml[bom..]).map_err(|e| DtXmlError::NotUtf8 {
        offset: bom + e.valid_up_to(),
    })?;
    let guard = Guard {
        text,
        bom,
        limits,
        grammar,
    };
    if let Some((offset, c)) = text.char_indices().find(|(_, c)| !is_xml_char(*c)) {
        return Err(DtXmlError::IllegalCharacter {
            at: guard.at(offset as u64),
            code: u32::from(c),
        });
    }
    guard.run()?;
    Ok(text)
}

struct Guard<'a> {
    text: &'a str,
    bom: usize,
    limits: &'a ReadLimits,
    grammar: &'static Grammar,
}

/// Where the document stands relative to its root element.
#[derive(PartialEq, Eq)]
enum Phase {
    Prolog,
    InRoot,
    AfterRoot,
}

impl Guard<'_> {
    fn at(&self, offset: u64) -> Position {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        let mut position = Position::in_text(self.text, offset);
        position.offset += self.bom;
        position
    }

    fn malformed(&self, offset: u64, message: impl ToString) -> DtXmlError {
        DtXmlError::Malformed {
            at: self.at(offset),
            message: clip(&message.to_string(), 200),
        }
    }

    fn run(&self) -> Result<(), DtXmlError> {
        let mut reader = strict_reader(self.text);

        // Local names of the open elements, for the depth limit and truncation errors.
        let mut open: Vec<String> = Vec::new();
        let mut phase = Phase::Prolog;
        let mut first = true;
        loop {
            let offset = reader.buffer_position();
            let (root_namespace, event) = match reader.read_resolved_event() {
                Ok((ResolveResult::Bound(ns), event)) => (Some(ns.as_ref().to_string()), event),
                Ok((ResolveResult::Unbound, event)) => (None, event),
                Ok((ResolveResult::Unknown(prefix), _)) => {
                    return Err(self.malformed(
                        offset,
                        format!("namespace prefix `{}` is not declared", clip(&prefix, 40)),
                    ));
                }
                Err(e) => return Err(self.malformed(reader.error_position(), e)),
            };
            match event {
                Event::Decl(decl) => {
                    if !first {
                        return Err(self.malformed(
                            offset,
                            "the XML declaration must stand at the very start",
                        ));
                    }
                    self.declaration(&decl, offset)?;
                }
                Event::DocType(_) => {
                    return Err(DtXmlError::Doctype {
                        at: self.at(offset),
                    });
                }
                Event::PI(pi) => {
                    return Err(DtXmlError::ProcessingInstruction {
                        at: self.at(offset),
                        target: clip(pi.target(), 40),
                    });
                }
                Event::Start(ref start) | Event::Empty(ref start) => {
                    if phase == Phase::AfterRoot {
                        return Err(self.malformed(offset, "a second root element"));
                    }
                    let local = clip(start.local_name().as_ref(), 40);
                    if open.len() >= self.limits.max_depth {
                        open.push(local);
                        return Err(DtXmlError::TooDeep {
                            path: below_root(&open),
                            limit: self.limits.max_depth,
                        });
                    }
                    if phase == Phase::Prolog {
                        self.root(start, &local, root_namespace)?;
                        phase = Phase::InRoot;
                    }
                    self.attributes(start, offset)?;
                    if matches!(event, Event::Start(_)) {
                        open.push(local);
                    } else if open.is_empty() {
                        phase = Phase::AfterRoot;
                    }
                }
                Event::End(_) => {
                    open.pop();
                    if open.is_empty() {
                        phase = Phase::AfterRoot;
                    }
                }
                Event::Text(text) => self.text(&phase, is_blank(&text), offset)?,
                Event::CData(data) => self.text(&phase, is_blank(&data), offset)?,
                Event::GeneralRef(reference) => {
                    let blank = if let Some(number) = reference.strip_prefix('#') {
                        let c = self.character_reference(number, offset)?;
                        is_xml_space(c)
                    } else if PREDEFINED.contains(&&*reference) {
                        false
                    } else {
                        return Err(DtXmlError::Entity {
                            at: self.at(offset),
                            name: clip(&reference, 40),
                        });
                    };
                    self.text(&phase, blank, offset)?;
                }
                Event::Comment(_) => {}
                Event::Eof => {
                    return match phase {
                        Phase::Prolog => {
                            Err(self.malformed(offset, "the document has no root element"))
                        }
                        Phase::InRoot => Err(DtXmlError::Truncated {
                            path: below_root(&open),
                        }),
                        Phase::AfterRoot => Ok(()),
                    };
                }
            }
            first = false;
        }
    }

    /// Only XML 1.0, only UTF-8.
    fn declaration(
        &self,
        decl: &quick_xml::events::BytesDecl<'_>,
        offset: u64,
    ) -> Result<(), DtXmlError> {
        let version = decl
            .version()
            .map_err(|e| self.malformed(offset, e))?
            .into_owned();
        let encoding = match decl.encoding() {
            None => None,
            Some(e) => Some(e.map_err(|e| self.malformed(offset, e))?.into_owned()),
        };
        let utf8 = encoding
            .as_deref()
            .is_none_or(|e| e.eq_ignore_ascii_case("UTF-8"));
        if version == "1.0" && utf8 {
            return Ok(());
        }
        Err(DtXmlError::Declaration {
            at: self.at(offset),
            found: format!(
                "version {:?}, encoding {:?}",
                clip(&version, 20),
                clip(encoding.as_deref().unwrap_or("(none)"), 20)
            ),
        })
    }

    /// The root element: its name and namespace.
    fn root(
        &self,
        start: &BytesStart<'_>,
        local: &str,
        namespace: Option<String>,
    ) -> Result<(), DtXmlError> {
        if local != self.grammar.root {
            return Err(DtXmlError::WrongRoot {
                expected: self.grammar.root,
                found: clip(start.name().as_ref(), 40),
            });
        }
        if namespace.as_deref() != Some(self.grammar.namespace) {
            return Err(DtXmlError::WrongNamespace {
                path: ROOT.to_string(),
                expected: self.grammar.namespace,
                found: namespace.map(|ns| clip(&ns, 80)),
            });
        }
        Ok(())
    }

    /// Attribute values: well-formed, only predefined entities, only XML characters.
    fn attributes(&self, start: &BytesStart<'_>, offset: u64) -> Result<(), DtXmlError> {
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| self.malformed(offset, e))?;
            let value = attribute
                .normalized_value(XmlVersion::Explicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
                        DtXmlError::Entity {
                            at: self.at(offset),
                            name: clip(&name, 40),
                        }
                    }
                    other => self.malformed(offset, other),
                })?;
            for c in value.chars() {
                self.character(c, offset)?;
            }
        }
        Ok(())
    }

    /// `&#…;` or `&#x…;`: the character must be one XML 1.0 allows.
    fn character_reference(&self, number: &str, offset: u64) -> Result<char, DtXmlError> {
        let (digits, radix) = match number.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        let valid_digits = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        let code = u32::from_str_radix(digits, radix)
            .ok()
            .filter(|_| valid_digits)
            .ok_or_else(|| {
                self.malformed(
                    offset,
                    format!("bad character reference &#{};", clip(number, 12)),
                )
            })?;
        match char::from_u32(code) {
            Some(c) if is_xml_char(c) => Ok(c),
            _ => Err(DtXmlError::IllegalCharacter {
                at: self.at(offset),
                code,
            }),
        }
    }

    fn character(&self, c: char, offset: u64) -> Result<(), DtXmlError> {
        if is_xml_char(c) {
            Ok(())
        } else {
            Err(DtXmlError::IllegalCharacter {
                at: self.at(offset),
                code: u32::from(c),
            })
        }
    }

    /// Text, CDATA or a reference outside the root may only be white space (the shape check
    /// looks at text inside).
    fn text(&self, phase: &Phase, blank: bool, offset: u64) -> Result<(), DtXmlError> {
        if *phase == Phase::InRoot || blank {
            Ok(())
        } else {
            Err(self.malformed(offset, "text outside the root element"))
        }
    }
}
