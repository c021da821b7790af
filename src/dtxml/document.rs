//! The root element `message` of each of arcgw's DT XML documents: the namespace of its kind,
//! its `minorVersion`, the header and a content, which is all that differs between the kinds
//! (the transmission, the acknowledgement and the one-item messages of [`super::item`]).

use serde::{Deserialize, Serialize};

use super::error::DtXmlError;
use super::header::HeaderDto;
use super::path::At;
use super::schema::MessageKind;
use crate::domain::MessageHeader;

/// The root element `message` around the content `C`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "message")]
pub(crate) struct MessageDoc<C> {
    /// Written as the default namespace; on reading the guard has checked the namespace and
    /// this field is ignored.
    #[serde(rename = "@xmlns", default)]
    xmlns: String,
    /// Checked by the shape pass on reading.
    #[serde(rename = "@minorVersion", default)]
    minor_version: String,
    pub(super) header: HeaderDto,
    pub(super) content: C,
}

impl<C> MessageDoc<C> {
    /// A document of `kind` in `minor_version`: `header` around `content`.
    pub(super) fn new(
        kind: &MessageKind,
        minor_version: u16,
        header: &MessageHeader,
        content: C,
    ) -> Result<Self, DtXmlError> {
        Ok(MessageDoc {
            xmlns: kind.namespace.to_string(),
            minor_version: minor_version.to_string(),
            header: HeaderDto::from_domain(header, kind)?,
            content,
        })
    }
}

/// The path of the content, below which the errors of what it holds are named.
pub(crate) fn content_at() -> At {
    At::root().child("content")
}
