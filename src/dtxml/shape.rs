//! The shape check: a second streaming pass, over a document the [guard](super::limits) has
//! passed, that holds every element and attribute to the schema's content models
//! ([`super::grammar`]) and gives each error its element path.
//!
//! Attributes: namespace declarations anywhere; on the root `minorVersion` (required) and
//! `xsi:schemaLocation` / `xsi:noNamespaceSchemaLocation` (ignored); nothing else.

use quick_xml::NsReader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::error::{DtXmlError, clip};
use super::limits::{is_blank, is_xml_space};
use super::path::At;
use super::structure::{Checker, Grammar};

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Checks the shape of `text`, which the guard has found well-formed.
pub(crate) fn check(text: &str, grammar: &'static Grammar) -> Result<(), DtXmlError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut checker = Checker::new(grammar);
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (Some(ns.as_ref().to_string()), event),
            Ok((_, event)) => (None, event),
            Err(e) => {
                // The guard has read the same text without error.
                return Err(DtXmlError::Structure {
                    message: clip(&e.to_string(), 200),
                });
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let local = start.local_name().as_ref().to_string();
                if checker.depth() > 0 && namespace.as_deref() != Some(grammar.namespace) {
                    return Err(DtXmlError::WrongNamespace {
                        path: checker.child_path(&local),
                        expected: grammar.namespace,
                        found: namespace.map(|ns| clip(&ns, 80)),
                    });
                }
                let is_root = checker.depth() == 0;
                checker.start(&local)?;
                attributes(&reader, &checker, start, is_root)?;
                if matches!(event, Event::Empty(_)) {
                    checker.end()?;
                }
            }
            Event::End(_) => checker.end()?,
            Event::Text(text) => {
                checker.text(is_blank(&text))?;
            }
            Event::CData(data) => {
                checker.text(is_blank(&data))?;
            }
            Event::GeneralRef(reference) => {
                let blank = reference
                    .resolve_char_ref()
                    .ok()
                    .flatten()
                    .is_some_and(is_xml_space);
                checker.text(blank)?;
            }
            Event::Eof => return Ok(()),
            Event::Decl(_) | Event::DocType(_) | Event::PI(_) | Event::Comment(_) => {}
        }
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
