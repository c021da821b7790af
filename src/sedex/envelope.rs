//! The eCH-0090 envelope: what the sedex client needs to route a message (`envl_<id>.xml`).

use chrono::{DateTime, Utc};

use super::error::EnvelopeError;
use super::id::SedexMessageId;
use super::xml::{self, Fields, Layout, Slot};
use crate::domain::ParticipantId;

/// eCH-0090 `messageClass`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageClass {
    Message = 0,
    Response = 1,
    Receipt = 2,
    Error = 3,
}

impl MessageClass {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(MessageClass::Message),
            1 => Some(MessageClass::Response),
            2 => Some(MessageClass::Receipt),
            3 => Some(MessageClass::Error),
            _ => None,
        }
    }
}

/// A message's envelope (eCH-0090 version 2; version 1 is read too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub message_id: SedexMessageId,
    /// Assigned per message kind by the sedex operator (for arcgw: configured).
    pub message_type: u32,
    pub message_class: MessageClass,
    /// The message this one answers.
    pub reference_message_id: Option<SedexMessageId>,
    pub sender_id: ParticipantId,
    /// At least one.
    pub recipient_ids: Vec<ParticipantId>,
    pub event_date: DateTime<Utc>,
    /// Written to the second.
    pub message_date: DateTime<Utc>,
}

/// The envelope's elements in the standard's order. The optional `loopback` and `testData` of
/// the standard are not used by arcgw and refused on reading as unknown elements.
static ENVELOPE: Layout = Layout {
    root: "envelope",
    slots: &[
        Slot::one("messageId"),
        Slot::one("messageType"),
        Slot::one("messageClass"),
        Slot::optional("referenceMessageId"),
        Slot::one("senderId"),
        Slot::many("recipientId"),
        Slot::one("eventDate"),
        Slot::one("messageDate"),
    ],
};

/// Digits of a message type (`xs:int`, non-negative).
pub(crate) const MESSAGE_TYPE_DIGITS: usize = 9;

impl Envelope {
    /// The envelope as eCH-0090 version 2 XML (UTF-8, with its declaration).
    pub fn to_xml(&self) -> String {
        let mut leaves = vec![
            ("messageId", self.message_id.to_string()),
            ("messageType", self.message_type.to_string()),
            ("messageClass", self.message_class.code().to_string()),
        ];
        if let Some(reference) = &self.reference_message_id {
            leaves.push(("referenceMessageId", reference.to_string()));
        }
        leaves.push(("senderId", self.sender_id.to_string()));
        for recipient in &self.recipient_ids {
            leaves.push(("recipientId", recipient.to_string()));
        }
        leaves.push(("eventDate", xml::write_date_time(&self.event_date)));
        leaves.push(("messageDate", xml::write_date_time(&self.message_date)));
        xml::write(ENVELOPE.root, &leaves)
    }

    /// Reads an envelope, refusing hostile or invalid input with an error naming the element.
    pub fn read(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        let fields = xml::read(bytes, &ENVELOPE)?;
        let recipient_ids = fields
            .all("recipientId")
            .map(|r| fields.participant("recipientId", r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Envelope {
            message_id: message_id(&fields, "messageId", fields.one("messageId"))?,
            message_type: message_type(&fields)?,
            message_class: message_class(&fields)?,
            reference_message_id: fields
                .optional("referenceMessageId")
                .map(|r| message_id(&fields, "referenceMessageId", r))
                .transpose()?,
            sender_id: fields.participant("senderId", fields.one("senderId"))?,
            recipient_ids,
            event_date: fields.date_time("eventDate")?,
            message_date: fields.date_time("messageDate")?,
        })
    }
}

pub(crate) fn message_id(
    fields: &Fields,
    element: &'static str,
    text: &str,
) -> Result<SedexMessageId, EnvelopeError> {
    SedexMessageId::new(text.trim()).map_err(|e| fields.invalid(element, e))
}

pub(crate) fn message_type(fields: &Fields) -> Result<u32, EnvelopeError> {
    let n = fields.number("messageType", MESSAGE_TYPE_DIGITS)?;
    u32::try_from(n).map_err(|_| fields.invalid("messageType", "too large"))
}

pub(crate) fn message_class(fields: &Fields) -> Result<MessageClass, EnvelopeError> {
    let n = fields.number("messageClass", 1)?;
    MessageClass::from_code(n).ok_or_else(|| {
        fields.invalid(
            "messageClass",
            format!("0 (message), 1 (response), 2 (receipt) or 3 (error), not {n}"),
        )
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn example() -> Envelope {
        Envelope {
            message_id: SedexMessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").unwrap(),
            message_type: 2011,
            message_class: MessageClass::Message,
            reference_message_id: None,
            sender_id: ParticipantId::new("T7-066000-1").unwrap(),
            recipient_ids: vec![ParticipantId::new("T6-ZAS-1").unwrap()],
            event_date: Utc.with_ymd_and_hms(2026, 12, 5, 9, 30, 0).unwrap(),
            message_date: Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 1).unwrap(),
        }
    }

    #[test]
    fn round_trip() {
        let mut e = example();
        assert_eq!(Envelope::read(e.to_xml().as_bytes()).unwrap(), e);
        e.reference_message_id = Some(SedexMessageId::new("ref_1.a").unwrap());
        e.message_class = MessageClass::Response;
        e.recipient_ids
            .push(ParticipantId::new("1-066000-1").unwrap());
        assert_eq!(Envelope::read(e.to_xml().as_bytes()).unwrap(), e);
    }

    #[test]
    fn writes_the_standards_order() {
        let xml = example().to_xml();
        let order = [
            "<envelope xmlns=\"http://www.ech.ch/xmlns/eCH-0090/2\" version=\"2.0\">",
            "<messageId>",
            "<messageType>2011<",
            "<messageClass>0<",
            "<senderId>T7-066000-1<",
            "<recipientId>T6-ZAS-1<",
            "<eventDate>2026-12-05T09:30:00Z<",
            "<messageDate>2026-12-05T10:00:01Z<",
        ];
        let positions: Vec<usize> = order.iter().map(|s| xml.find(s).expect(s)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{xml}");
    }

    const V1: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<eCH-0090:envelope version="1.0" xmlns:eCH-0090="http://www.ech.ch/xmlns/eCH-0090/1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.ech.ch/xmlns/eCH-0090/1 eCH-0090-1-0.xsd">
  <eCH-0090:messageId>62fdee70d9ea77646f6e8686a3f9332e</eCH-0090:messageId>
  <eCH-0090:messageType>99</eCH-0090:messageType>
  <eCH-0090:messageClass>0</eCH-0090:messageClass>
  <eCH-0090:senderId>1-351-1</eCH-0090:senderId>
  <eCH-0090:recipientId>3-CH-1</eCH-0090:recipientId>
  <eCH-0090:eventDate>2007-01-01T00:00:00</eCH-0090:eventDate>
  <eCH-0090:messageDate>2007-09-06T14:13:51</eCH-0090:messageDate>
</eCH-0090:envelope>"#;

    #[test]
    fn reads_version_1_with_prefixes_and_local_times() {
        let e = Envelope::read(V1.as_bytes()).unwrap();
        assert_eq!(e.message_type, 99);
        assert_eq!(e.sender_id.as_str(), "1-351-1");
        assert_eq!(e.recipient_ids.len(), 1);
        assert_eq!(
            xml::write_date_time(&e.message_date),
            "2007-09-06T12:13:51Z"
        );
    }

    fn refused(xml: &str) -> String {
        Envelope::read(xml.as_bytes()).unwrap_err().to_string()
    }

    fn replace(from: &str, to: &str) -> String {
        let xml = example().to_xml();
        assert!(xml.contains(from), "{from}");
        xml.replacen(from, to, 1)
    }

    #[test]
    fn refuses_unknown_elements_by_name() {
        let e = refused(&replace(
            "<eventDate>",
            "<loopback authorise=\"true\"/><eventDate>",
        ));
        assert!(e.contains("`loopback`"), "{e}");
        let e = refused(&replace("<senderId>", "<sender>x</sender><senderId>"));
        assert!(e.contains("`sender`"), "{e}");
    }

    #[test]
    fn refuses_order_counts_and_missing() {
        let xml = example().to_xml();
        let swapped = xml.replace("<messageType>2011</messageType>", "").replace(
            "<messageClass>0</messageClass>",
            "<messageClass>0</messageClass><messageType>2011</messageType>",
        );
        assert!(refused(&swapped).contains("`messageType`"));
        assert!(
            refused(&replace(
                "<senderId>",
                "<senderId>T7-066000-1</senderId><senderId>"
            ))
            .contains("`senderId`")
        );
        let e = refused(&xml.replace("<recipientId>T6-ZAS-1</recipientId>", ""));
        assert!(e.contains("no `recipientId`"), "{e}");
        let e = refused(&xml.replace("<messageDate>2026-12-05T10:00:01Z</messageDate>", ""));
        assert!(e.contains("no `messageDate`"), "{e}");
    }

    #[test]
    fn refuses_hostile_input() {
        let doctype = format!(
            "<?xml version=\"1.0\"?><!DOCTYPE envelope [<!ENTITY x \"y\">]>{}",
            example().to_xml().split_once("?>\n").unwrap().1
        );
        assert!(refused(&doctype).contains("DOCTYPE"));
        assert!(refused(&replace("T7-066000-1", "&x;")).contains("&x;"));
        assert!(
            refused(&replace("<messageId>", "<?evil?><messageId>"))
                .contains("processing instruction")
        );
        let big = replace(
            "<messageId>",
            &format!("<!--{}--><messageId>", "a".repeat(xml::MAX_DOCUMENT_BYTES)),
        );
        assert!(refused(&big).contains("more than the limit"));
        assert!(Envelope::read(b"\xff\xfe<envelope/>").is_err());
        assert!(
            refused(&replace("</envelope>", "")).contains("not closed")
                || refused(&replace("</envelope>", "")).contains("well-formed")
        );
        let nested = replace(
            "<messageType>2011</messageType>",
            "<messageType><b>2011</b></messageType>",
        );
        assert!(refused(&nested).contains("`b`"));
        assert!(refused(&replace("version=\"2.0\"", "version=\"3.0\"")).contains("version"));
        assert!(refused(&replace("eCH-0090/2", "eCH-0090/3")).contains("namespace"));
        assert!(refused(&replace("<messageId>", "<messageId a=\"1\">")).contains("attribute"));
        assert!(
            refused(&replace("<envelope ", "<receipt ").replace("</envelope>", "</receipt>"))
                .contains("root")
        );
    }

    #[test]
    fn refuses_bad_values_naming_the_element() {
        let e = refused(&replace("<messageClass>0<", "<messageClass>4<"));
        assert!(e.contains("`messageClass`"), "{e}");
        let e = refused(&replace("0f8e2a9c-3b1d", "../../etc"));
        assert!(e.contains("`messageId`"), "{e}");
        let e = refused(&replace("T7-066000-1", "nobody"));
        assert!(e.contains("`senderId`"), "{e}");
        let e = refused(&replace("2026-12-05T09:30:00Z", "yesterday"));
        assert!(e.contains("`eventDate`"), "{e}");
        let e = refused(&replace("2011", "-1"));
        assert!(e.contains("`messageType`"), "{e}");
    }
}
