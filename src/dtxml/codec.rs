//! The serde step: data-transfer types to XML text and back, with quick-xml.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{DtXmlError, clip};

/// The XML declaration every written document starts with (quick-xml does not write one).
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Writes `dto` as an indented document with its declaration.
pub(crate) fn serialise<T: Serialize>(dto: &T) -> Result<String, DtXmlError> {
    let mut out = String::from(DECLARATION);
    let mut serializer = quick_xml::se::Serializer::new(&mut out);
    serializer.indent(' ', 2);
    dto.serialize(serializer)
        .map_err(|e| DtXmlError::Serialise {
            message: clip(&e.to_string(), 200),
        })?;
    out.push('\n');
    Ok(out)
}

/// Reads a document that the guard and the shape check have passed.
pub(crate) fn deserialise<T: DeserializeOwned>(text: &str) -> Result<T, DtXmlError> {
    quick_xml::de::from_str(text).map_err(|e| DtXmlError::Structure {
        message: clip(&e.to_string(), 200),
    })
}
