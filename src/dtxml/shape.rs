//! The shape check: it holds every element and attribute to the schema's content models
//! ([`super::grammar`]) and gives each error its element path, on the events of the
//! [guard](super::limits)'s streaming pass (one pass over the document, not two), its first
//! error reported once the guard has passed the whole document.
//!
//! Attributes: namespace declarations anywhere; on the root `minorVersion` (required) and
//! `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation` (ignored); nothing else.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::BytesStart;
use quick_xml::name::ResolveResult;

use super::error::{DtXmlError, clip};
use super::limits::is_xml_space;
use super::path::At;
use super::structure::{Checker, Grammar};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// An element's namespace, held against the grammar's: only another one is kept as text, for
/// its error.
pub(crate) enum ElementNamespace {
    Expected,
    Other(Option<String>),
}

impl ElementNamespace {
    pub fn of(namespace: Option<&str>, grammar: &Grammar) -> Self {
        if namespace == Some(grammar.namespace) {
            ElementNamespace::Expected
        } else {
            ElementNamespace::Other(namespace.map(str::to_string))
        }
    }

    /// The namespace found, clipped for an error; `None` when it is missing.
    pub fn found(&self) -> Option<String> {
        match self {
            ElementNamespace::Expected => None,
            ElementNamespace::Other(found) => found.as_deref().map(|ns| clip(ns, 80)),
        }
    }
}

/// The shape check of one document, fed the events of the guard's pass. It keeps its first
/// error until the guard has read the whole document ([`Shape::finish`]): whatever the guard
/// refuses is refused first, as if the guard had run alone before it.
pub(crate) struct Shape {
    checker: Checker,
    error: Option<DtXmlError>,
}

impl Shape {
    pub fn new(grammar: &'static Grammar) -> Self {
        Shape {
            checker: Checker::new(grammar),
            error: None,
        }
    }

    fn keep(&mut self, checked: Result<(), DtXmlError>) {
        if let Err(e) = checked {
            self.error = Some(e);
        }
    }

    /// An element starts; `empty` when it is also its end (`<a/>`).
    pub fn start(
        &mut self,
        reader: &NsReader<&[u8]>,
        namespace: &ElementNamespace,
        start: &BytesStart<'_>,
        empty: bool,
    ) {
        if self.error.is_none() {
            let checked = self.element(reader, namespace, start, empty);
            self.keep(checked);
        }
    }

    fn element(
        &mut self,
        reader: &NsReader<&[u8]>,
        namespace: &ElementNamespace,
        start: &BytesStart<'_>,
        empty: bool,
    ) -> Result<(), DtXmlError> {
        let local = start.local_name();
        let local = local.as_ref();
        if self.checker.depth() > 0 && !matches!(namespace, ElementNamespace::Expected) {
            return Err(DtXmlError::WrongNamespace {
                path: self.checker.child_path(local),
                expected: self.checker.namespace(),
                found: namespace.found(),
            });
        }
        let is_root = self.checker.depth() == 0;
        self.checker.start(local)?;
        attributes(reader, &self.checker, start, is_root)?;
        if empty {
            self.checker.end()?;
        }
        Ok(())
    }

    /// The current element ends.
    pub fn end(&mut self) {
        if self.error.is_none() {
            let checked = self.checker.end();
            self.keep(checked);
        }
    }

    /// Text, CDATA or a reference; `blank` when it is white space only.
    pub fn text(&mut self, blank: bool) {
        if self.error.is_none() {
            let checked = self.checker.text(blank);
            self.keep(checked);
        }
    }

    /// The document has been read to its end: the first error found, if any.
    pub fn finish(self) -> Result<(), DtXmlError> {
        self.error.map_or(Ok(()), Err)
    }
}

/// The attributes of one element.
fn attributes(
    reader: &NsReader<&[u8]>,
    checker: &Checker,
    start: &BytesStart<'_>,
    is_root: bool,
) -> Result<(), DtXmlError> {
    let mut minor_version = None;
    for attribute in start.attributes().flatten() {
        if attribute.key.as_namespace_binding().is_some() {
            continue;
        }
        let (namespace, local) = reader.resolver().resolve_attribute(attribute.key);
        let local = local.as_ref();
        match namespace {
            ResolveResult::Unbound if is_root && local == "minorVersion" => {
                minor_version = Some(
                    attribute
                        .normalized_value(XmlVersion::Explicit1_0)
                        .map(std::borrow::Cow::into_owned)
                        .unwrap_or_default(),
                );
            }
            ResolveResult::Bound(ns)
                if is_root
                    && ns.as_ref() == XSI
                    && matches!(local, "schemaLocation" | "noNamespaceSchemaLocation") => {}
            _ => {
                return Err(DtXmlError::UnexpectedAttribute {
                    path: checker.path(),
                    name: clip(attribute.key.as_ref(), 40),
                });
            }
        }
    }
    if !is_root {
        return Ok(());
    }
    let Some(minor) = minor_version else {
        return Err(DtXmlError::MissingAttribute {
            path: checker.path(),
            name: "minorVersion",
        });
    };
    let trimmed = minor.trim_matches(is_xml_space);
    let ok = (1..=5).contains(&trimmed.len())
        && trimmed.bytes().all(|b| b.is_ascii_digit())
        && trimmed.parse::<u16>().is_ok();
    if ok {
        Ok(())
    } else {
        Err(DtXmlError::Value {
            path: format!("{}/@minorVersion", At::root()),
            message: format!(
                "the minor version is a number from 0 to 65535, not {:?}",
                clip(&minor, 20)
            ),
        })
    }
}
