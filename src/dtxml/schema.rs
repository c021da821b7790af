//! The fixed values of this project's own DT XML schema (`schemas/README.md`): namespaces,
//! version, message types and the header values each message kind carries.
//!
//! The namespaces are the project's own (`urn:arcgw:…`): the official ZAS schemas are not public,
//! and this schema must not pretend to be one of them (DOMAIN.md, "How the real exchange looks").

use crate::domain::{FieldSet, KeyCode};

/// Namespace of the transmission (major version 1).
pub const TRANSMISSION_NAMESPACE: &str = "urn:arcgw:xmlns:arc-transmission:1";

/// Namespace of the acknowledgement (major version 1).
pub const ACKNOWLEDGEMENT_NAMESPACE: &str = "urn:arcgw:xmlns:arc-acknowledgement:1";

/// Namespace of the closing-and-transmission order (major version 1; N. 2707–2713).
pub const CLOSING_ORDER_NAMESPACE: &str = "urn:arcgw:xmlns:arc-closing-order:1";

/// Namespace of the CI complement (major version 1; N. 2105).
pub const CI_COMPLEMENT_NAMESPACE: &str = "urn:arcgw:xmlns:arc-ci-complement:1";

/// Namespace of the splitting notice (major version 1; N. 2602).
pub const SPLITTING_NOTICE_NAMESPACE: &str = "urn:arcgw:xmlns:arc-splitting-notice:1";

/// The latest minor version (`schemas/README.md`, "Versions"). The writer puts on the root the
/// lowest minor version that describes the document (see [`minor_version_of`]), so that a
/// transmission written before minor version 1 is written again byte for byte. The reader
/// accepts any minor version: a minor version only adds optional elements or values, and
/// elements it does not know are refused anyway.
pub const MINOR_VERSION: u16 = 1;

/// Minor version 1 (annex 9 read correctly) added the particulars `domicile` (94),
/// `splittingRevocation` (96) and `collectionRevocation` (99), the announcement of 92, 93, 97,
/// 98 without particulars, and the old RCI keys 73, 83, 77, 91 (annex 1, footnote). `true`
/// when an announcement of `key` with `fields` needs it.
pub(crate) fn needs_minor_version_1(key: KeyCode, fields: FieldSet) -> bool {
    key.is_old_law() || (key.fields_before().is_some() && fields == key.fields())
}

/// The minor version of a document whose announcements (or entries) are `uses`.
pub(crate) fn minor_version_of(mut uses: impl Iterator<Item = (KeyCode, FieldSet)>) -> u16 {
    if uses.any(|(key, fields)| needs_minor_version_1(key, fields)) {
        MINOR_VERSION
    } else {
        0
    }
}

/// eCH-0058 `messageType` of every kind: this project's own number for ARC exchange.
pub const MESSAGE_TYPE: &str = "2011";

/// The header values that tell the message kinds apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageKind {
    /// Root namespace.
    pub namespace: &'static str,
    /// eCH-0058 `subMessageType`.
    pub sub_message_type: &'static str,
    /// eCH-0058 `action`: `1` new message, `6` response.
    pub action: &'static str,
    /// eCH-0058 `responseExpected`.
    pub response_expected: bool,
}

/// An ARC transmission from a fund to the ZAS (N. 3103): a new message that expects an
/// acknowledgement.
pub const TRANSMISSION: MessageKind = MessageKind {
    namespace: TRANSMISSION_NAMESPACE,
    sub_message_type: "000101",
    action: "1",
    response_expected: true,
};

/// The ZAS's acknowledgement (N. 3201): a response that expects none.
pub const ACKNOWLEDGEMENT: MessageKind = MessageKind {
    namespace: ACKNOWLEDGEMENT_NAMESPACE,
    sub_message_type: "000201",
    action: "6",
    response_expected: false,
};

/// The ZAS's closing-and-transmission order (N. 2707): a new message that expects no answer in
/// this exchange (the mandated fund answers by transmitting the CI to the ordering fund).
pub const CLOSING_ORDER: MessageKind = MessageKind {
    namespace: CLOSING_ORDER_NAMESPACE,
    sub_message_type: "000301",
    action: "1",
    response_expected: false,
};

/// The ZAS's CI complement (N. 2105): a new message; the fund answers by changing its register.
pub const CI_COMPLEMENT: MessageKind = MessageKind {
    namespace: CI_COMPLEMENT_NAMESPACE,
    sub_message_type: "000401",
    action: "1",
    response_expected: false,
};

/// The ZAS's splitting notice (N. 2602): a new message; the fund answers by transmitting the
/// CI entries to the ordering fund (N. 2603), not in this exchange.
pub const SPLITTING_NOTICE: MessageKind = MessageKind {
    namespace: SPLITTING_NOTICE_NAMESPACE,
    sub_message_type: "000501",
    action: "1",
    response_expected: false,
};

/// eCH-0058 `sendingApplication` written by arcgw.
pub const MANUFACTURER: &str = "arcgw";
pub const PRODUCT: &str = "arcgw";
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest `manufacturer`, `product` and `productVersion` the schema allows.
pub const MAX_MANUFACTURER: usize = 50;
pub const MAX_PRODUCT: usize = 30;
pub const MAX_PRODUCT_VERSION: usize = 30;
