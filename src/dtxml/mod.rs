//! DT XML: writing transmissions to the ZAS and reading them back, writing and reading the
//! ZAS's acknowledgements (N. 3103, 3201–3203) and closing-and-transmission orders (N. 2707–2713),
//! in this project's own schema (`schemas/arc-transmission-1.xsd`,
//! `schemas/arc-acknowledgement-1.xsd`, `schemas/arc-closing-order-1.xsd`, described in
//! `schemas/README.md`; the ZAS's content schemas are not public).
//!
//! Reading runs in four steps, each refusing what it must before the next sees the input:
//! 1. the hostile-input guard (size, UTF-8, XML characters, declaration, DOCTYPE, entities,
//!    processing instructions, depth, root name and namespace, well-formedness), limited by
//!    [`ReadLimits`];
//! 2. the shape check against the schema's content models (element names, order and counts,
//!    namespaces of all elements, attributes), with element paths in its errors;
//! 3. serde into private data-transfer types;
//! 4. conversion to the domain types through their constructors, with element paths in the
//!    errors (`content/announcement[3]/vn: check digit is 7, not 3`).
//!
//! Writing converts the domain types to the data-transfer types and serialises them; it fails
//! only for values the schema cannot carry (see [`DtXmlError::NotWritable`]).

mod acknowledgement;
mod closing_order;
mod codec;
mod error;
mod fields;
mod grammar;
mod header;
mod lexical;
mod limits;
mod path;
mod schema;
mod shape;
mod shared;
mod structure;
mod transmission;

pub(crate) use error::clip;
pub use error::{DtXmlError, Position};
pub use fields::{XmlField, announcement_fields};
pub use limits::ReadLimits;
pub(crate) use limits::{is_xml_char, is_xml_space, strict_reader};
pub use schema::{
    ACKNOWLEDGEMENT_NAMESPACE, CLOSING_ORDER_NAMESPACE, MESSAGE_TYPE, MINOR_VERSION,
    TRANSMISSION_NAMESPACE,
};

use crate::domain::{Acknowledgement, ClosingOrder, Transmission};

/// A message from the ZAS, of either kind the feed carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZasMessage {
    Acknowledgement(Acknowledgement),
    ClosingOrder(ClosingOrder),
}

/// eCH-0058 `subMessageType` of a transmission.
pub const TRANSMISSION_SUB_MESSAGE_TYPE: &str = schema::TRANSMISSION.sub_message_type;

/// eCH-0058 `subMessageType` of an acknowledgement.
pub const ACKNOWLEDGEMENT_SUB_MESSAGE_TYPE: &str = schema::ACKNOWLEDGEMENT.sub_message_type;

/// eCH-0058 `subMessageType` of a closing-and-transmission order.
pub const CLOSING_ORDER_SUB_MESSAGE_TYPE: &str = schema::CLOSING_ORDER.sub_message_type;

/// Writes a transmission as a DT XML document (UTF-8, with its XML declaration). The message
/// date is written to the second.
pub fn write_transmission(t: &Transmission) -> Result<String, DtXmlError> {
    codec::serialise(&transmission::TransmissionDoc::from_domain(t)?)
}

/// Writes an acknowledgement as a DT XML document (UTF-8, with its XML declaration).
pub fn write_acknowledgement(a: &Acknowledgement) -> Result<String, DtXmlError> {
    codec::serialise(&acknowledgement::AcknowledgementDoc::from_domain(a)?)
}

/// Reads a transmission, refusing hostile or invalid input with a precise error.
pub fn read_transmission(xml: &[u8], limits: &ReadLimits) -> Result<Transmission, DtXmlError> {
    let text = limits::guard(xml, limits, &grammar::TRANSMISSION)?;
    shape::check(text, &grammar::TRANSMISSION)?;
    codec::deserialise::<transmission::TransmissionDoc>(text)?.to_domain()
}

/// Reads an acknowledgement, refusing hostile or invalid input with a precise error.
pub fn read_acknowledgement(
    xml: &[u8],
    limits: &ReadLimits,
) -> Result<Acknowledgement, DtXmlError> {
    let text = limits::guard(xml, limits, &grammar::ACKNOWLEDGEMENT)?;
    shape::check(text, &grammar::ACKNOWLEDGEMENT)?;
    codec::deserialise::<acknowledgement::AcknowledgementDoc>(text)?.to_domain()
}

/// Writes a closing-and-transmission order (the simulator's side of the exchange).
pub fn write_closing_order(o: &ClosingOrder) -> Result<String, DtXmlError> {
    codec::serialise(&closing_order::ClosingOrderDoc::from_domain(o)?)
}

/// Reads a closing-and-transmission order, refusing hostile or invalid input with a precise
/// error.
pub fn read_closing_order(xml: &[u8], limits: &ReadLimits) -> Result<ClosingOrder, DtXmlError> {
    let text = limits::guard(xml, limits, &grammar::CLOSING_ORDER)?;
    shape::check(text, &grammar::CLOSING_ORDER)?;
    codec::deserialise::<closing_order::ClosingOrderDoc>(text)?.to_domain()
}

/// Reads a message from the ZAS whose kind its root element's namespace decides: a closing
/// order (`urn:arcgw:xmlns:arc-closing-order:1`), else an acknowledgement. Hostile input is
/// refused by the same guard as for each kind alone; a document in neither namespace gets the
/// acknowledgement reader's error.
pub fn read_zas_message(xml: &[u8], limits: &ReadLimits) -> Result<ZasMessage, DtXmlError> {
    match read_closing_order(xml, limits) {
        Err(DtXmlError::WrongNamespace { .. } | DtXmlError::WrongRoot { .. }) => {
            read_acknowledgement(xml, limits).map(ZasMessage::Acknowledgement)
        }
        read => read.map(ZasMessage::ClosingOrder),
    }
}
