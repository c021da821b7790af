//! The content models of the message kinds: the element structure of
//! `schemas/arc-transmission-1.xsd`, `schemas/arc-acknowledgement-1.xsd`,
//! `schemas/arc-closing-order-1.xsd`, `schemas/arc-ci-complement-1.xsd` and
//! `schemas/arc-splitting-notice-1.xsd`, as a table the
//! streaming [`Checker`](super::structure::Checker) follows. Keep the two in step: the tests
//! validate every written document with the XSDs and read it back through these tables.

use super::path::ROOT;
use super::schema::{
    ACKNOWLEDGEMENT_NAMESPACE, CI_COMPLEMENT_NAMESPACE, CLOSING_ORDER_NAMESPACE,
    SPLITTING_NOTICE_NAMESPACE, TRANSMISSION_NAMESPACE,
};
use super::structure::{Content, Grammar, Particle, UNBOUNDED};

/// A particle: one of `names`, from `min` to `max` times.
const fn p(names: &'static [&'static str], min: u32, max: u32) -> Particle {
    Particle { names, min, max }
}

/// Exactly once.
const fn req(names: &'static [&'static str]) -> Particle {
    p(names, 1, 1)
}

/// At most once.
const fn opt(names: &'static [&'static str]) -> Particle {
    p(names, 0, 1)
}

const MESSAGE: &[Particle] = &[req(&["header"]), req(&["content"])];

/// eCH-0058 style header.
const HEADER: &[Particle] = &[
    req(&["senderId"]),
    req(&["recipientId"]),
    req(&["messageId"]),
    opt(&["referenceMessageId"]),
    req(&["messageType"]),
    req(&["subMessageType"]),
    req(&["sendingApplication"]),
    req(&["messageDate"]),
    req(&["action"]),
    req(&["testDeliveryFlag"]),
    req(&["responseExpected"]),
];

const SENDING_APPLICATION: &[Particle] = &[
    req(&["manufacturer"]),
    req(&["product"]),
    req(&["productVersion"]),
];

/// eCH `deliveryOffice`, also the shape of `accountFund`.
const DELIVERY_OFFICE: &[Particle] = &[req(&["officeIdentifier"]), req(&["branch"])];

/// eCH-0044 `datePartiallyKnown`, with the two precisions of N. 3112.
const DATE_OF_BIRTH: &[Particle] = &[req(&["yearMonthDay", "year"])];

const TRANSMISSION_CONTENT: &[Particle] = &[
    p(&["announcement"], 0, UNBOUNDED),
    req(&["numberOfAnnouncements"]),
];

const ANNOUNCEMENT: &[Particle] = &[
    req(&["deliveryOffice"]),
    req(&["reference"]),
    req(&["keyCode"]),
    opt(&["vn"]),
    opt(&[
        "person",
        "collection",
        "domicile",
        "splitting",
        "splittingRevocation",
        "collectionRevocation",
        "order",
    ]),
];

const PERSON: &[Particle] = &[
    req(&["officialName"]),
    opt(&["firstNames"]),
    req(&["sex"]),
    req(&["dateOfBirth"]),
    req(&["countryOfOrigin"]),
];

const COLLECTION: &[Particle] = &[
    req(&["beneficiary"]),
    req(&["closingMonth"]),
    req(&["orderDate"]),
    req(&["domicile"]),
];

const BENEFICIARY: &[Particle] = &[req(&["insuredPerson", "otherPerson"])];

const OTHER_PERSON: &[Particle] = &[req(&["vn"])];

/// `from` and `to` go together and only with code 1: checked when converting (XSD 1.0 cannot
/// say it either).
const DOMICILE: &[Particle] = &[req(&["code"]), opt(&["from"]), opt(&["to"])];

/// Keys 92–94, 97–99 as written before the annex 9 correction (minor version 0 only).
const ORDER: &[Particle] = &[req(&["orderDate"])];

/// Key 96: the spouse's number only (annex 9 row 9; minor version 1).
const SPLITTING_REVOCATION: &[Particle] = &[req(&["spouseVn"])];

/// Key 99: the closing month of the RCI revoked (annex 9 row 4; minor version 1).
const COLLECTION_REVOCATION: &[Particle] = &[req(&["closingMonth"])];

const SPLITTING: &[Particle] = &[req(&["spouseVn"]), p(&["splitYear"], 1, UNBOUNDED)];

const SPLIT_YEAR: &[Particle] = &[req(&["calendarYear"]), opt(&["specialKey"])];

fn transmission_model(name: &str) -> Content {
    match name {
        ROOT => Content::Elements(MESSAGE),
        "header" => Content::Elements(HEADER),
        "sendingApplication" => Content::Elements(SENDING_APPLICATION),
        "content" => Content::Elements(TRANSMISSION_CONTENT),
        "announcement" => Content::Elements(ANNOUNCEMENT),
        "deliveryOffice" => Content::Elements(DELIVERY_OFFICE),
        "person" => Content::Elements(PERSON),
        "dateOfBirth" => Content::Elements(DATE_OF_BIRTH),
        "collection" => Content::Elements(COLLECTION),
        "beneficiary" => Content::Elements(BENEFICIARY),
        "insuredPerson" => Content::Empty,
        "otherPerson" => Content::Elements(OTHER_PERSON),
        "domicile" => Content::Elements(DOMICILE),
        "order" => Content::Elements(ORDER),
        "splitting" => Content::Elements(SPLITTING),
        "splittingRevocation" => Content::Elements(SPLITTING_REVOCATION),
        "collectionRevocation" => Content::Elements(COLLECTION_REVOCATION),
        "splitYear" => Content::Elements(SPLIT_YEAR),
        _ => Content::Text,
    }
}

/// The transmission (root `message` in `urn:arcgw:xmlns:arc-transmission:1`).
pub(crate) static TRANSMISSION: Grammar = Grammar {
    root: ROOT,
    namespace: TRANSMISSION_NAMESPACE,
    model: transmission_model,
};

const ACKNOWLEDGEMENT_CONTENT: &[Particle] = &[
    req(&["acknowledgementDate"]),
    p(&["entry"], 0, UNBOUNDED),
    req(&["numberOfEntries"]),
];

/// At most three observations and three wrong fields per entry (DOMAIN.md, "Acknowledgement
/// entries").
const ENTRY: &[Particle] = &[
    req(&["deliveryOffice"]),
    req(&["reference"]),
    req(&["keyCode"]),
    opt(&["vn"]),
    opt(&["messageId"]),
    req(&["processingCode"]),
    p(&["observation"], 0, 3),
    p(&["wrongField"], 0, 3),
    opt(&["invitationToInvestigate"]),
    opt(&[
        "certificate",
        "accountOpening",
        "collectionConfirmation",
        "splittingConfirmation",
    ]),
];

const OBSERVATION: &[Particle] = &[req(&["code"]), opt(&["text"])];

const CERTIFICATE: &[Particle] = &[
    req(&["vn"]),
    req(&["officialName"]),
    opt(&["firstNames"]),
    req(&["sex"]),
    req(&["dateOfBirth"]),
    req(&["countryOfOrigin"]),
    req(&["issueDate"]),
];

const ACCOUNT_OPENING: &[Particle] = &[req(&["vn"]), req(&["deliveryOffice"])];

const COLLECTION_CONFIRMATION: &[Particle] = &[
    req(&["vn"]),
    p(&["accountFund"], 0, UNBOUNDED),
    p(&["otherVn"], 0, UNBOUNDED),
];

const SPLITTING_CONFIRMATION: &[Particle] = &[
    req(&["vn"]),
    req(&["spouseVn"]),
    p(&["accountFund"], 0, UNBOUNDED),
];

fn acknowledgement_model(name: &str) -> Content {
    match name {
        ROOT => Content::Elements(MESSAGE),
        "header" => Content::Elements(HEADER),
        "sendingApplication" => Content::Elements(SENDING_APPLICATION),
        "content" => Content::Elements(ACKNOWLEDGEMENT_CONTENT),
        "entry" => Content::Elements(ENTRY),
        "deliveryOffice" | "accountFund" => Content::Elements(DELIVERY_OFFICE),
        "observation" => Content::Elements(OBSERVATION),
        "certificate" => Content::Elements(CERTIFICATE),
        "dateOfBirth" => Content::Elements(DATE_OF_BIRTH),
        "accountOpening" => Content::Elements(ACCOUNT_OPENING),
        "collectionConfirmation" => Content::Elements(COLLECTION_CONFIRMATION),
        "splittingConfirmation" => Content::Elements(SPLITTING_CONFIRMATION),
        _ => Content::Text,
    }
}

/// The acknowledgement (root `message` in `urn:arcgw:xmlns:arc-acknowledgement:1`).
pub(crate) static ACKNOWLEDGEMENT: Grammar = Grammar {
    root: ROOT,
    namespace: ACKNOWLEDGEMENT_NAMESPACE,
    model: acknowledgement_model,
};

/// The closing-and-transmission order (N. 2707, 2708, 2712): one order per message.
const CLOSING_ORDER_CONTENT: &[Particle] = &[
    req(&["deliveryOffice"]),
    req(&["orderingFund"]),
    req(&["vn"]),
    req(&["keyCode"]),
    req(&["closingMonth"]),
    req(&["orderDate"]),
    req(&["domicile"]),
];

fn closing_order_model(name: &str) -> Content {
    match name {
        ROOT => Content::Elements(MESSAGE),
        "header" => Content::Elements(HEADER),
        "sendingApplication" => Content::Elements(SENDING_APPLICATION),
        "content" => Content::Elements(CLOSING_ORDER_CONTENT),
        "deliveryOffice" | "orderingFund" => Content::Elements(DELIVERY_OFFICE),
        "domicile" => Content::Elements(DOMICILE),
        _ => Content::Text,
    }
}

/// The closing order (root `message` in `urn:arcgw:xmlns:arc-closing-order:1`).
pub(crate) static CLOSING_ORDER: Grammar = Grammar {
    root: ROOT,
    namespace: CLOSING_ORDER_NAMESPACE,
    model: closing_order_model,
};

/// The CI complement (N. 2105): the new name, the new country of origin, or both. At least one
/// of the two: checked when converting (the XSD says it with a choice).
const CI_COMPLEMENT_CONTENT: &[Particle] = &[
    req(&["deliveryOffice"]),
    req(&["vn"]),
    opt(&["name"]),
    opt(&["countryOfOrigin"]),
    req(&["changeDate"]),
];

const NAME: &[Particle] = &[req(&["officialName"]), opt(&["firstNames"])];

fn ci_complement_model(name: &str) -> Content {
    match name {
        ROOT => Content::Elements(MESSAGE),
        "header" => Content::Elements(HEADER),
        "sendingApplication" => Content::Elements(SENDING_APPLICATION),
        "content" => Content::Elements(CI_COMPLEMENT_CONTENT),
        "deliveryOffice" => Content::Elements(DELIVERY_OFFICE),
        "name" => Content::Elements(NAME),
        _ => Content::Text,
    }
}

/// The CI complement (root `message` in `urn:arcgw:xmlns:arc-ci-complement:1`).
pub(crate) static CI_COMPLEMENT: Grammar = Grammar {
    root: ROOT,
    namespace: CI_COMPLEMENT_NAMESPACE,
    model: ci_complement_model,
};

/// The splitting notice (N. 2602, 3119): one notice per message.
const SPLITTING_NOTICE_CONTENT: &[Particle] = &[
    req(&["deliveryOffice"]),
    req(&["orderingFund"]),
    req(&["vn"]),
    req(&["splitting"]),
];

fn splitting_notice_model(name: &str) -> Content {
    match name {
        ROOT => Content::Elements(MESSAGE),
        "header" => Content::Elements(HEADER),
        "sendingApplication" => Content::Elements(SENDING_APPLICATION),
        "content" => Content::Elements(SPLITTING_NOTICE_CONTENT),
        "deliveryOffice" | "orderingFund" => Content::Elements(DELIVERY_OFFICE),
        "splitting" => Content::Elements(SPLITTING),
        "splitYear" => Content::Elements(SPLIT_YEAR),
        _ => Content::Text,
    }
}

/// The splitting notice (root `message` in `urn:arcgw:xmlns:arc-splitting-notice:1`).
pub(crate) static SPLITTING_NOTICE: Grammar = Grammar {
    root: ROOT,
    namespace: SPLITTING_NOTICE_NAMESPACE,
    model: splitting_notice_model,
};
