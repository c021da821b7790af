//! The message header, after eCH-0058: who sends to whom, the message id, the message kind, the
//! sending application, the date, and whether it is a test delivery.

use serde::{Deserialize, Serialize};

use super::error::DtXmlError;
use super::lexical;
use super::path::At;
use super::schema::{
    MANUFACTURER, MAX_MANUFACTURER, MAX_PRODUCT, MAX_PRODUCT_VERSION, MESSAGE_TYPE, MessageKind,
    PRODUCT, PRODUCT_VERSION,
};
use crate::domain::MessageHeader;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HeaderDto {
    pub sender_id: String,
    pub recipient_id: String,
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_message_id: Option<String>,
    pub message_type: String,
    pub sub_message_type: String,
    pub sending_application: SendingApplicationDto,
    pub message_date: String,
    pub action: String,
    pub test_delivery_flag: String,
    pub response_expected: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SendingApplicationDto {
    pub manufacturer: String,
    pub product: String,
    pub product_version: String,
}

impl HeaderDto {
    pub fn from_domain(header: &MessageHeader, kind: &MessageKind) -> Result<Self, DtXmlError> {
        let at = At::root().child("header");
        Ok(HeaderDto {
            sender_id: header.sender_id.as_str().to_string(),
            recipient_id: header.recipient_id.as_str().to_string(),
            message_id: header.message_id.as_str().to_string(),
            reference_message_id: header
                .reference_message_id
                .as_ref()
                .map(|id| id.as_str().to_string()),
            message_type: MESSAGE_TYPE.to_string(),
            sub_message_type: kind.sub_message_type.to_string(),
            sending_application: SendingApplicationDto {
                manufacturer: MANUFACTURER.to_string(),
                product: PRODUCT.to_string(),
                product_version: PRODUCT_VERSION.to_string(),
            },
            message_date: lexical::write_date_time(header.message_date, &at.child("messageDate"))?,
            action: kind.action.to_string(),
            test_delivery_flag: lexical::write_boolean(header.test_delivery),
            response_expected: lexical::write_boolean(kind.response_expected),
        })
    }

    /// The header of a message of `kind`; the message type, sub-type, action and
    /// `responseExpected` must be those of the kind.
    pub fn to_domain(&self, kind: &MessageKind) -> Result<MessageHeader, DtXmlError> {
        let at = At::root().child("header");
        lexical::fixed(&self.message_type, &at.child("messageType"), MESSAGE_TYPE)?;
        lexical::fixed(
            &self.sub_message_type,
            &at.child("subMessageType"),
            kind.sub_message_type,
        )?;
        lexical::fixed(&self.action, &at.child("action"), kind.action)?;
        let response_at = at.child("responseExpected");
        if lexical::boolean(&self.response_expected, &response_at)? != kind.response_expected {
            return Err(lexical::invalid(
                &response_at,
                format!("expected {}", kind.response_expected),
            ));
        }
        let application = at.child("sendingApplication");
        let app = &self.sending_application;
        lexical::bounded_token(
            &app.manufacturer,
            &application.child("manufacturer"),
            MAX_MANUFACTURER,
        )?;
        lexical::bounded_token(&app.product, &application.child("product"), MAX_PRODUCT)?;
        lexical::bounded_token(
            &app.product_version,
            &application.child("productVersion"),
            MAX_PRODUCT_VERSION,
        )?;
        Ok(MessageHeader {
            sender_id: lexical::participant_id(&self.sender_id, &at.child("senderId"))?,
            recipient_id: lexical::participant_id(&self.recipient_id, &at.child("recipientId"))?,
            message_id: lexical::message_id(&self.message_id, &at.child("messageId"))?,
            reference_message_id: self
                .reference_message_id
                .as_deref()
                .map(|id| lexical::message_id(id, &at.child("referenceMessageId")))
                .transpose()?,
            message_date: lexical::date_time(&self.message_date, &at.child("messageDate"))?,
            test_delivery: lexical::boolean(
                &self.test_delivery_flag,
                &at.child("testDeliveryFlag"),
            )?,
        })
    }
}
