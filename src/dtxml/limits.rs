//! The hostile-input guard: a streaming pass over a document with quick-xml's [`NsReader`],
//! long before serde sees it. The shape check ([`super::shape`]) follows the same events; its
//! error is given only when the guard has passed the whole document.
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

use super::error::{DtXmlError, Position, clip, push_clipped};
use super::path::ROOT;
use super::shape::{ElementNamespace, Shape};
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

/// The first character of `text` that XML 1.0 does not allow, with its byte offset. A run of
/// ASCII is checked byte by byte (only the controls other than tab, line feed and carriage
/// return are refused there); only the other characters are decoded.
pub(crate) fn first_illegal_char(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut offset = 0;
    loop {
        // Past the run of allowed ASCII, `offset` is a character's first byte.
        offset += bytes[offset..]
            .iter()
            .position(|&b| !b.is_ascii() || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')))?;
        let c = text[offset..].chars().next()?;
        if !is_xml_char(c) {
            return Some((offset, c));
        }
        offset += c.len_utf8();
    }
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

/// The local names of the open elements (each clipped), for the depth limit and the paths of
/// errors: one buffer, `root/child/…`, reused from element to element.
#[derive(Default)]
struct OpenElements {
    path: String,
    /// Where each open element's name starts in `path` (its `/` before it, but the root's).
    starts: Vec<usize>,
}

impl OpenElements {
    fn len(&self) -> usize {
        self.starts.len()
    }

    fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn push(&mut self, local: &str) {
        self.starts.push(self.path.len());
        if self.starts.len() > 1 {
            self.path.push('/');
        }
        push_clipped(&mut self.path, local, 40);
    }

    fn pop(&mut self) {
        if let Some(start) = self.starts.pop() {
            self.path.truncate(start);
        }
    }

    /// The path as in other errors: relative to the root, `message` for the root.
    fn below_root(&self) -> String {
        match self.starts.get(1) {
            Some(&slash) => self.path[slash + 1..].to_string(),
            None => ROOT.to_string(),
        }
    }
}

/// A document whose bytes the guard has passed: within the size limit, UTF-8 (a byte-order mark
/// set aside) and only characters XML 1.0 allows. [`Checked::guard`] then runs the rest of the
/// guard and the shape check for one grammar: a message from the ZAS is tried against each
/// kind's root in turn, its bytes checked once. Byte offsets in errors count from the start of
/// the input.
pub(crate) struct Checked<'a> {
    text: &'a str,
    bom: usize,
    limits: ReadLimits,
}

impl<'a> Checked<'a> {
    pub(crate) fn new(xml: &'a [u8], limits: &ReadLimits) -> Result<Self, DtXmlError> {
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
        if let Some((offset, c)) = first_illegal_char(text) {
            return Err(DtXmlError::IllegalCharacter {
                at: position(text, bom, offset),
                code: u32::from(c),
            });
        }
        Ok(Checked {
            text,
            bom,
            limits: *limits,
        })
    }

    /// The rest of the guard, with `grammar`'s root, and the shape check against `grammar`, in
    /// one pass; on success the document as text (without a byte-order mark), ready for serde.
    pub(crate) fn guard(&self, grammar: &'static Grammar) -> Result<&'a str, DtXmlError> {
        Guard {
            text: self.text,
            bom: self.bom,
            limits: &self.limits,
            grammar,
        }
        .run()?;
        Ok(self.text)
    }
}

/// The position of byte `offset` of `text`, counted from the start of the input (`bom` bytes
/// before `text`).
fn position(text: &str, bom: usize, offset: usize) -> Position {
    let mut position = Position::in_text(text, offset);
    position.offset += bom;
    position
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
        position(
            self.text,
            self.bom,
            usize::try_from(offset).unwrap_or(usize::MAX),
        )
    }

    fn malformed(&self, offset: u64, message: impl ToString) -> DtXmlError {
        DtXmlError::Malformed {
            at: self.at(offset),
            message: clip(&message.to_string(), 200),
        }
    }

    fn run(&self) -> Result<(), DtXmlError> {
        let mut reader = strict_reader(self.text);

        let mut open = OpenElements::default();
        let mut shape = Shape::new(self.grammar);
        let mut phase = Phase::Prolog;
        let mut first = true;
        loop {
            let offset = reader.buffer_position();
            let (namespace, event) = match reader.read_resolved_event() {
                Ok((ResolveResult::Bound(ns), event)) => {
                    (ElementNamespace::of(Some(ns.as_ref()), self.grammar), event)
                }
                Ok((ResolveResult::Unbound, event)) => {
                    (ElementNamespace::of(None, self.grammar), event)
                }
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
                    let local = start.local_name();
                    let local = local.as_ref();
                    if open.len() >= self.limits.max_depth {
                        open.push(local);
                        return Err(DtXmlError::TooDeep {
                            path: open.below_root(),
                            limit: self.limits.max_depth,
                        });
                    }
                    if phase == Phase::Prolog {
                        self.root(start, local, &namespace)?;
                        phase = Phase::InRoot;
                    }
                    self.attributes(start, offset)?;
                    let empty = matches!(event, Event::Empty(_));
                    shape.start(&reader, &namespace, start, empty);
                    if !empty {
                        open.push(local);
                    } else if open.is_empty() {
                        phase = Phase::AfterRoot;
                    }
                }
                Event::End(_) => {
                    shape.end();
                    open.pop();
                    if open.is_empty() {
                        phase = Phase::AfterRoot;
                    }
                }
                Event::Text(text) => self.text(&mut shape, &phase, is_blank(&text), offset)?,
                Event::CData(data) => self.text(&mut shape, &phase, is_blank(&data), offset)?,
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
                    self.text(&mut shape, &phase, blank, offset)?;
                }
                Event::Comment(_) => {}
                Event::Eof => {
                    return match phase {
                        Phase::Prolog => {
                            Err(self.malformed(offset, "the document has no root element"))
                        }
                        Phase::InRoot => Err(DtXmlError::Truncated {
                            path: open.below_root(),
                        }),
                        Phase::AfterRoot => shape.finish(),
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
        namespace: &ElementNamespace,
    ) -> Result<(), DtXmlError> {
        if local != self.grammar.root {
            return Err(DtXmlError::WrongRoot {
                expected: self.grammar.root,
                found: clip(start.name().as_ref(), 40),
            });
        }
        if !matches!(namespace, ElementNamespace::Expected) {
            return Err(DtXmlError::WrongNamespace {
                path: ROOT.to_string(),
                expected: self.grammar.namespace,
                found: namespace.found(),
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

    /// Text, CDATA or a reference outside the root may only be white space; inside, the shape
    /// check looks at it.
    fn text(
        &self,
        shape: &mut Shape,
        phase: &Phase,
        blank: bool,
        offset: u64,
    ) -> Result<(), DtXmlError> {
        if *phase == Phase::InRoot {
            shape.text(blank);
            Ok(())
        } else if blank {
            Ok(())
        } else {
            Err(self.malformed(offset, "text outside the root element"))
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The production `Char` checked character by character: what the fast scan must agree with.
    fn first_by_chars(text: &str) -> Option<(usize, char)> {
        text.char_indices().find(|(_, c)| !is_xml_char(*c))
    }

    #[test]
    fn the_scan_finds_each_kind_of_illegal_character_where_it_stands() {
        for (text, expected) in [
            ("", None),
            ("<a>plain ASCII\t\r\n</a>", None),
            ("DEL \u{7F} is allowed", None),
            ("é, ü, 😀 and \u{FFFD}", None),
            ("a\u{0}b", Some((1, '\u{0}'))),
            ("ab\u{1F}", Some((2, '\u{1F}'))),
            ("é\u{B}", Some((2, '\u{B}'))),
            ("éè\u{FFFE}x", Some((4, '\u{FFFE}'))),
            ("\u{FFFF}", Some((0, '\u{FFFF}'))),
            ("ok 😀 then \u{C}", Some((13, '\u{C}'))),
        ] {
            assert_eq!(first_illegal_char(text), expected, "{text:?}");
            assert_eq!(first_by_chars(text), expected, "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn the_scan_agrees_with_the_production_char(text in "(?s).{0,64}", ascii in "[\\x00-\\x7f]{0,64}") {
            prop_assert_eq!(first_illegal_char(&text), first_by_chars(&text));
            prop_assert_eq!(first_illegal_char(&ascii), first_by_chars(&ascii));
            let mixed = format!("{ascii}{text}{ascii}");
            prop_assert_eq!(first_illegal_char(&mixed), first_by_chars(&mixed));
        }
    }

    #[test]
    fn open_elements_give_the_path_below_the_root() {
        let mut open = OpenElements::default();
        assert_eq!(open.below_root(), "message");
        open.push("message");
        assert_eq!(open.below_root(), "message");
        open.push("content");
        open.push("entry");
        assert_eq!(open.below_root(), "content/entry");
        open.pop();
        open.push(&"x".repeat(50));
        assert_eq!(
            open.below_root(),
            format!("content/{}…", "x".repeat(40)),
            "a name clipped as in other errors"
        );
        open.pop();
        open.pop();
        assert_eq!(open.below_root(), "message");
        open.pop();
        assert!(open.is_empty());
        open.pop();
        assert_eq!(open.len(), 0, "a pop too many leaves it empty");
    }
}
