//! The fixed values of this project's own DT XML schema (`schemas/README.md`): namespaces,
//! version, message types and the header values each message kind carries.
//!
//! The namespaces are the project's own (`urn:arcgw:…`): the official ZAS schemas are not public,
//! and this schema must not pretend to be one of them (DOMAIN.md, "How the real exchange looks").

/// Namespace of the transmission (major version 1).
pub const TRANSMISSION_NAMESPACE: &str = "urn:arcgw:xmlns:arc-transmission:1";

/// Namespace of the acknowledgement (major version 1).
pub const ACKNOWLEDGEMENT_NAMESPACE: &str = "urn:arcgw:xmlns:arc-acknowledgement:1";

/// The `minorVersion` the writer puts on the root. The reader accepts any minor version: a minor
/// version only adds optional elements, and elements it does not know are refused anyway.
pub const MINOR_VERSION: u16 = 0;

/// eCH-0058 `messageType` of both kinds: this project's own number for ARC exchange.
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

/// eCH-0058 `sendingApplication` written by arcgw.
pub const MANUFACTURER: &str = "arcgw";
pub const PRODUCT: &str = "arcgw";
pub const PRODUCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest `manufacturer`, `product` and `productVersion` the schema allows.
pub const MAX_MANUFACTURER: usize = 50;
pub const MAX_PRODUCT: usize = 30;
pub const MAX_PRODUCT_VERSION: usize = 30;
