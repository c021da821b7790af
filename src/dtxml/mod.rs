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
//!    namespaces of all elements, attributes), with element paths in its errors — on the
//!    guard's events, in the same streaming pass, its error given only once the guard has
//!    passed the whole document (so the guard's refusals come first, as if it ran alone);
//! 3. serde into private data-transfer types;
//! 4. conversion to the domain types through their constructors, with element paths in the
//!    errors (`content/announcement[3]/vn: check digit is 7, not 3`).
//!
//! Writing converts the domain types to the data-transfer types and serialises them; it fails
//! only for values the schema cannot carry (see [`DtXmlError::NotWritable`]).

mod acknowledgement;
mod ci_complement;
mod closing_order;
mod codec;
mod document;
mod error;
mod fields;
mod grammar;
mod header;
mod item;
mod lexical;
mod limits;
mod path;
mod schema;
mod shape;
mod shared;
mod splitting_notice;
mod structure;
mod transmission;

pub(crate) use error::clip;
pub use error::{DtXmlError, Position};
pub use fields::{XmlField, announcement_fields};
use limits::Checked;
pub use limits::ReadLimits;
pub(crate) use limits::{first_illegal_char, is_xml_char, is_xml_space, strict_reader};
pub use schema::{
    ACKNOWLEDGEMENT_NAMESPACE, CI_COMPLEMENT_NAMESPACE, CLOSING_ORDER_NAMESPACE, MESSAGE_TYPE,
    MINOR_VERSION, SPLITTING_NOTICE_NAMESPACE, TRANSMISSION_NAMESPACE,
};

use crate::domain::{Acknowledgement, CiComplement, ClosingOrder, SplittingNotice, Transmission};

/// A message from the ZAS, of any kind the feed (and the sedex inbox) carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZasMessage {
    Acknowledgement(Acknowledgement),
    ClosingOrder(ClosingOrder),
    CiComplement(CiComplement),
    SplittingNotice(SplittingNotice),
}

/// The kinds of message the ZAS sends: over sedex each is a message type of its own, in the
/// feed the root element's namespace tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ZasKind {
    /// The acknowledgement (N. 3201).
    Acknowledgement,
    /// A closing-and-transmission order (N. 2707).
    ClosingOrder,
    /// A CI complement (N. 2105).
    CiComplement,
    /// A splitting notice (N. 2602).
    SplittingNotice,
}

impl ZasKind {
    /// Every kind; the acknowledgement last (the kind a document in no known namespace is read
    /// as, for its error).
    pub const ALL: [ZasKind; 4] = [
        ZasKind::ClosingOrder,
        ZasKind::CiComplement,
        ZasKind::SplittingNotice,
        ZasKind::Acknowledgement,
    ];

    /// What it is called in messages to people.
    pub fn label(self) -> &'static str {
        match self {
            ZasKind::Acknowledgement => "acknowledgement",
            ZasKind::ClosingOrder => "closing order",
            ZasKind::CiComplement => "CI complement",
            ZasKind::SplittingNotice => "splitting notice",
        }
    }

    /// Reads `xml` as a message of this kind, refusing hostile or invalid input with a precise
    /// error (one in another kind's namespace included).
    pub fn read(self, xml: &[u8], limits: &ReadLimits) -> Result<ZasMessage, DtXmlError> {
        self.read_checked(&Checked::new(xml, limits)?)
    }

    /// [`ZasKind::read`] of a document whose bytes the guard has passed.
    fn read_checked(self, doc: &Checked<'_>) -> Result<ZasMessage, DtXmlError> {
        match self {
            ZasKind::Acknowledgement => acknowledgement_of(doc).map(ZasMessage::Acknowledgement),
            ZasKind::ClosingOrder => {
                item::read::<closing_order::ContentDto>(doc).map(ZasMessage::ClosingOrder)
            }
            ZasKind::CiComplement => {
                item::read::<ci_complement::ContentDto>(doc).map(ZasMessage::CiComplement)
            }
            ZasKind::SplittingNotice => {
                item::read::<splitting_notice::ContentDto>(doc).map(ZasMessage::SplittingNotice)
            }
        }
    }
}

/// eCH-0058 `subMessageType` of a transmission.
pub const TRANSMISSION_SUB_MESSAGE_TYPE: &str = schema::TRANSMISSION.sub_message_type;

/// eCH-0058 `subMessageType` of an acknowledgement.
pub const ACKNOWLEDGEMENT_SUB_MESSAGE_TYPE: &str = schema::ACKNOWLEDGEMENT.sub_message_type;

/// eCH-0058 `subMessageType` of a closing-and-transmission order.
pub const CLOSING_ORDER_SUB_MESSAGE_TYPE: &str = schema::CLOSING_ORDER.sub_message_type;

/// eCH-0058 `subMessageType` of a CI complement.
pub const CI_COMPLEMENT_SUB_MESSAGE_TYPE: &str = schema::CI_COMPLEMENT.sub_message_type;

/// eCH-0058 `subMessageType` of a splitting notice.
pub const SPLITTING_NOTICE_SUB_MESSAGE_TYPE: &str = schema::SPLITTING_NOTICE.sub_message_type;

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
    let text = Checked::new(xml, limits)?.guard(&grammar::TRANSMISSION)?;
    codec::deserialise::<transmission::TransmissionDoc>(text)?.to_domain()
}

/// Reads an acknowledgement, refusing hostile or invalid input with a precise error.
pub fn read_acknowledgement(
    xml: &[u8],
    limits: &ReadLimits,
) -> Result<Acknowledgement, DtXmlError> {
    acknowledgement_of(&Checked::new(xml, limits)?)
}

fn acknowledgement_of(doc: &Checked<'_>) -> Result<Acknowledgement, DtXmlError> {
    let text = doc.guard(&grammar::ACKNOWLEDGEMENT)?;
    codec::deserialise::<acknowledgement::AcknowledgementDoc>(text)?.to_domain()
}

/// Writes a closing-and-transmission order (the simulator's side of the exchange).
pub fn write_closing_order(o: &ClosingOrder) -> Result<String, DtXmlError> {
    item::write::<closing_order::ContentDto>(&o.header, o)
}

/// Reads a closing-and-transmission order, refusing hostile or invalid input with a precise
/// error.
pub fn read_closing_order(xml: &[u8], limits: &ReadLimits) -> Result<ClosingOrder, DtXmlError> {
    item::read::<closing_order::ContentDto>(&Checked::new(xml, limits)?)
}

/// Writes a CI complement (the simulator's side of the exchange).
pub fn write_ci_complement(c: &CiComplement) -> Result<String, DtXmlError> {
    item::write::<ci_complement::ContentDto>(&c.header, c)
}

/// Reads a CI complement, refusing hostile or invalid input with a precise error.
pub fn read_ci_complement(xml: &[u8], limits: &ReadLimits) -> Result<CiComplement, DtXmlError> {
    item::read::<ci_complement::ContentDto>(&Checked::new(xml, limits)?)
}

/// Writes a splitting notice (the simulator's side of the exchange).
pub fn write_splitting_notice(n: &SplittingNotice) -> Result<String, DtXmlError> {
    item::write::<splitting_notice::ContentDto>(&n.header, n)
}

/// Reads a splitting notice, refusing hostile or invalid input with a precise error.
pub fn read_splitting_notice(
    xml: &[u8],
    limits: &ReadLimits,
) -> Result<SplittingNotice, DtXmlError> {
    item::read::<splitting_notice::ContentDto>(&Checked::new(xml, limits)?)
}

/// Reads a message from the ZAS whose kind its root element's namespace decides
/// ([`ZasKind::ALL`]: `urn:arcgw:xmlns:arc-closing-order:1`, `…:arc-ci-complement:1`,
/// `…:arc-splitting-notice:1`, else an acknowledgement). Hostile input is refused by the same
/// guard as for each kind alone (a root in another namespace is refused at its start tag); a
/// document in no known namespace gets the acknowledgement reader's error. Its bytes (size,
/// UTF-8, characters) are checked once, not once per kind tried.
pub fn read_zas_message(xml: &[u8], limits: &ReadLimits) -> Result<ZasMessage, DtXmlError> {
    let doc = Checked::new(xml, limits)?;
    let (last, others) = ZasKind::ALL
        .split_last()
        .unwrap_or((&ZasKind::Acknowledgement, &[]));
    for kind in others {
        match kind.read_checked(&doc) {
            Err(DtXmlError::WrongNamespace { .. } | DtXmlError::WrongRoot { .. }) => {}
            read => return read,
        }
    }
    last.read_checked(&doc)
}
