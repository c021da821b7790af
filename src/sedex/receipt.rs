//! The sedex client's receipt (`receipts/`): what became of one message sent, by status code.

use chrono::{DateTime, Utc};

use super::envelope::{self, MessageClass};
use super::error::EnvelopeError;
use super::id::SedexMessageId;
use super::xml::{self, Layout, Slot};
use crate::domain::ParticipantId;

/// A receipt for one message (eCH-0090 version 2; version 1 is read too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SedexReceipt {
    pub event_date: DateTime<Utc>,
    pub status_code: u16,
    pub status_info: String,
    /// The message the receipt is about.
    pub message_id: SedexMessageId,
    pub message_type: u32,
    pub message_class: MessageClass,
    pub sender_id: ParticipantId,
    pub recipient_id: ParticipantId,
}

static RECEIPT: Layout = Layout {
    root: "receipt",
    slots: &[
        Slot::one("eventDate"),
        Slot::one("statusCode"),
        Slot::one("statusInfo"),
        Slot::one("messageId"),
        Slot::one("messageType"),
        Slot::one("messageClass"),
        Slot::one("senderId"),
        Slot::one("recipientId"),
    ],
};

/// The longest `statusInfo` kept (characters); a longer one is cut.
pub const MAX_STATUS_INFO: usize = 1000;

impl SedexReceipt {
    /// What the status code means for the message.
    pub fn status(&self) -> ReceiptStatus {
        ReceiptStatus::of(self.status_code)
    }

    /// The receipt as eCH-0090 version 2 XML (UTF-8, with its declaration).
    pub fn to_xml(&self) -> String {
        xml::write(
            RECEIPT.root,
            &[
                ("eventDate", xml::write_date_time(&self.event_date)),
                ("statusCode", self.status_code.to_string()),
                ("statusInfo", self.status_info.clone()),
                ("messageId", self.message_id.to_string()),
                ("messageType", self.message_type.to_string()),
                ("messageClass", self.message_class.code().to_string()),
                ("senderId", self.sender_id.to_string()),
                ("recipientId", self.recipient_id.to_string()),
            ],
        )
    }

    /// Reads a receipt, refusing hostile or invalid input with an error naming the element.
    pub fn read(bytes: &[u8]) -> Result<SedexReceipt, EnvelopeError> {
        let fields = xml::read(bytes, &RECEIPT)?;
        let code = fields.number("statusCode", 3)?;
        let status_code = u16::try_from(code)
            .ok()
            .filter(|c| (100..=999).contains(c))
            .ok_or_else(|| fields.invalid("statusCode", "a code from 100 to 999"))?;
        Ok(SedexReceipt {
            event_date: fields.date_time("eventDate")?,
            status_code,
            status_info: xml::clip(fields.one("statusInfo"), MAX_STATUS_INFO),
            message_id: envelope::message_id(&fields, "messageId", fields.one("messageId"))?,
            message_type: envelope::message_type(&fields)?,
            message_class: envelope::message_class(&fields)?,
            sender_id: fields.participant("senderId", fields.one("senderId"))?,
            recipient_id: fields.participant("recipientId", fields.one("recipientId"))?,
        })
    }
}

/// What a status code means for the sender (the table of sedex's status codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptStatus {
    /// 100: correctly transmitted.
    Delivered,
    /// 601: sent, not yet received by the recipient: wait for 100 or an error.
    SentAwaitingDelivery,
    /// 701: the message expires soon, the recipient has not fetched it: a warning.
    ExpiresSoon,
    /// 201: a message with this id was taken earlier: delivered under that sending.
    Duplicate,
    /// 200–399 but 201: refused; sending the same again does not help.
    Refused,
    /// 400–599: the client's network, hub, directory, logging or authorisation service, or
    /// the adapter, failed: retry later.
    Retry,
    /// A code the table does not know: kept for an operator.
    Unknown,
}

impl ReceiptStatus {
    pub fn of(code: u16) -> ReceiptStatus {
        match code {
            100 => ReceiptStatus::Delivered,
            601 => ReceiptStatus::SentAwaitingDelivery,
            701 => ReceiptStatus::ExpiresSoon,
            201 => ReceiptStatus::Duplicate,
            200..=399 => ReceiptStatus::Refused,
            400..=599 => ReceiptStatus::Retry,
            _ => ReceiptStatus::Unknown,
        }
    }

    /// `true` once the message has reached the recipient (or did under an earlier sending).
    pub fn is_delivered(self) -> bool {
        matches!(self, ReceiptStatus::Delivered | ReceiptStatus::Duplicate)
    }
}

/// The meaning of a status code, as sedex's table gives it (for operators and logs).
pub fn meaning(code: u16) -> &'static str {
    table_meaning(code).unwrap_or(match ReceiptStatus::of(code) {
        ReceiptStatus::Refused => "refused (code not in sedex's table)",
        ReceiptStatus::Retry => "transport or adapter error (code not in sedex's table)",
        _ => "unknown status code",
    })
}

/// The meaning of a code of sedex's table.
fn table_meaning(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "message correctly transmitted",
        200 => "invalid envelope syntax",
        201 => "duplicate message id",
        202 => "no payload found",
        203 => "message too old to send",
        204 => "message expired",
        300 => "unknown sender id",
        301 => "unknown recipient id",
        302 => "unknown physical sender id",
        303 => "invalid message type",
        304 => "invalid message class",
        310 => "not allowed to send",
        311 => "not allowed to receive",
        312 => "user certificate not valid",
        313 => "other recipients not allowed",
        330 => "message size exceeds limit",
        400 => "network error",
        401 => "OSCI hub not reachable",
        402 => "directory not reachable",
        403 => "logging service not reachable",
        404 => "authorisation service not reachable",
        500 => "adapter internal error",
        501 => "error during receiving",
        601 => "message successfully sent, not yet received by the recipient",
        701 => "message expires soon",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn example(code: u16) -> SedexReceipt {
        SedexReceipt {
            event_date: Utc.with_ymd_and_hms(2026, 12, 5, 10, 1, 2).unwrap(),
            status_code: code,
            status_info: "Message successfully transmitted <&>".to_string(),
            message_id: SedexMessageId::new("0f8e2a9c-3b1d-4c55-9a1e-2f3c4d5e6f70").unwrap(),
            message_type: 2011,
            message_class: MessageClass::Message,
            sender_id: ParticipantId::new("T7-066000-1").unwrap(),
            recipient_id: ParticipantId::new("T6-ZAS-1").unwrap(),
        }
    }

    #[test]
    fn round_trip() {
        for code in [100, 201, 310, 401, 601, 701] {
            let r = example(code);
            assert_eq!(SedexReceipt::read(r.to_xml().as_bytes()).unwrap(), r);
        }
    }

    #[test]
    fn every_code_of_the_table_is_classified() {
        use ReceiptStatus::*;
        let table: &[(u16, ReceiptStatus)] = &[
            (100, Delivered),
            (200, Refused),
            (201, Duplicate),
            (202, Refused),
            (203, Refused),
            (204, Refused),
            (300, Refused),
            (301, Refused),
            (302, Refused),
            (303, Refused),
            (304, Refused),
            (310, Refused),
            (311, Refused),
            (312, Refused),
            (313, Refused),
            (330, Refused),
            (400, Retry),
            (401, Retry),
            (402, Retry),
            (403, Retry),
            (404, Retry),
            (500, Retry),
            (501, Retry),
            (601, SentAwaitingDelivery),
            (701, ExpiresSoon),
        ];
        for (code, status) in table {
            assert_eq!(ReceiptStatus::of(*code), *status, "{code}");
            assert!(!meaning(*code).contains("not in sedex's table"), "{code}");
        }
        assert_eq!(ReceiptStatus::of(999), Unknown);
        assert_eq!(ReceiptStatus::of(602), Unknown);
        assert!(Delivered.is_delivered() && Duplicate.is_delivered());
        assert!(!SentAwaitingDelivery.is_delivered());
    }

    #[test]
    fn reads_a_client_receipt_with_local_time_and_fraction() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<receipt xmlns="http://www.ech.ch/xmlns/eCH-0090/2" version="2.0">
<eventDate>2018-04-25T15:54:50.892+02:00</eventDate>
<statusCode>313</statusCode>
<statusInfo>Other recipients not allowed</statusInfo>
<messageId>62fdee70d9ea77646f6e8686a3f9332e</messageId>
<messageType>1055</messageType>
<messageClass>0</messageClass>
<senderId>1-351-1</senderId>
<recipientId>3-CH-1</recipientId>
</receipt>"#;
        let r = SedexReceipt::read(xml.as_bytes()).unwrap();
        assert_eq!(r.status_code, 313);
        assert_eq!(r.status(), ReceiptStatus::Refused);
        assert_eq!(r.message_type, 1055);
    }

    #[test]
    fn refuses_bad_receipts_naming_the_element() {
        let xml = example(100).to_xml();
        let e = SedexReceipt::read(xml.replace(">100<", ">42<").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("`statusCode`"), "{e}");
        let e = SedexReceipt::read(
            xml.replace("<statusInfo>", "<note/><statusInfo>")
                .as_bytes(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`note`"), "{e}");
        let e = SedexReceipt::read(
            xml.replace(
                "<recipientId>T6-ZAS-1</recipientId>",
                "<recipientId>T6-ZAS-1</recipientId><recipientId>T6-ZAS-1</recipientId>",
            )
            .as_bytes(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("`recipientId`"), "{e}");
        let envelope = super::super::envelope::tests::example().to_xml();
        assert!(matches!(
            SedexReceipt::read(envelope.as_bytes()),
            Err(EnvelopeError::WrongRoot { .. })
        ));
    }
}
