//! A transmission's DT XML written again from what is stored, byte for byte as it was sent,
//! checked against the SHA-256 stored when it was built: for every resend (same message id,
//! same content) and to print what was announced (N. 3403).

use super::EngineError;
use crate::digest::sha256_hex;
use crate::domain::Transmission;
use crate::dtxml::write_transmission;
use crate::store::{Store, TransmissionRecord};

/// The transmission and its XML; [`EngineError::ContentChanged`] when the XML would differ from
/// what was stored.
pub async fn transmission_xml(
    store: &Store,
    id: i64,
) -> Result<(TransmissionRecord, String), EngineError> {
    let (record, announcements) = store.transmission_content(id).await?;
    let xml = write_transmission(&Transmission {
        header: record.header.clone(),
        announcements,
    })?;
    if sha256_hex(xml.as_bytes()) != record.xml_sha256 {
        return Err(EngineError::ContentChanged {
            message_id: record.header.message_id.to_string(),
        });
    }
    Ok((record, xml))
}
