//! The ZAS's messages of one item each — the closing-and-transmission order, the CI complement
//! and the splitting notice: a root `message` with its `minorVersion`, the header and a content
//! holding the item. What differs between them is the content ([`ItemContent`]); reading and
//! writing the document around it is done here once.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::codec;
use super::document::MessageDoc;
use super::error::DtXmlError;
use super::limits::Checked;
use super::schema::MessageKind;
use super::structure::Grammar;
use crate::domain::MessageHeader;

/// The content of a one-item message: its kind's header values and content model, and the
/// conversions to and from its domain type.
pub(crate) trait ItemContent: Serialize + DeserializeOwned {
    type Item;
    /// The header values of the kind (namespace, subMessageType, …).
    const KIND: &'static MessageKind;
    /// The content models of the kind, mirroring its XSD.
    const GRAMMAR: &'static Grammar;
    /// The content of `item`; fails only for values the schema cannot carry.
    fn from_item(item: &Self::Item) -> Result<Self, DtXmlError>;
    /// The item, through the domain's constructors, with element paths in the errors.
    fn to_item(&self, header: MessageHeader) -> Result<Self::Item, DtXmlError>;
}

/// Writes `item`, with its `header`, as a document of its kind (minor version 0).
pub(crate) fn write<C: ItemContent>(
    header: &MessageHeader,
    item: &C::Item,
) -> Result<String, DtXmlError> {
    codec::serialise(&MessageDoc::new(C::KIND, 0, header, C::from_item(item)?)?)
}

/// Reads a document of the kind of `C`, whose bytes the guard has passed, in the four steps of
/// [`super`]: the rest of the guard, the shape check, serde, the domain's constructors.
pub(crate) fn read<C: ItemContent>(doc: &Checked<'_>) -> Result<C::Item, DtXmlError> {
    let text = doc.guard(C::GRAMMAR)?;
    let doc = codec::deserialise::<MessageDoc<C>>(text)?;
    let header = doc.header.to_domain(C::KIND)?;
    doc.content.to_item(header)
}
