//! The payload of a sedex message: the message XML as it is (`data_<id>.xml`) or in a ZIP
//! archive holding that one XML file (`data_<id>.zip`). Reading is bounded: a ZIP with more
//! than one entry, a directory or encrypted entry, or an entry that inflates beyond the limit
//! (a zip bomb) is refused without inflating more than the limit.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// How a payload is packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayloadFormat {
    /// The bare XML file.
    Xml,
    /// A ZIP archive holding the XML file (deflated), the usual form on sedex.
    #[default]
    Zip,
}

/// The name of the XML file inside a ZIP payload arcgw writes.
pub const ZIP_ENTRY_NAME: &str = "message.xml";

impl PayloadFormat {
    /// The file name extension (`data_<id>.<extension>`).
    pub fn extension(self) -> &'static str {
        match self {
            PayloadFormat::Xml => "xml",
            PayloadFormat::Zip => "zip",
        }
    }

    /// The format a payload file's extension stands for.
    pub fn from_extension(extension: &str) -> Option<PayloadFormat> {
        match extension.to_ascii_lowercase().as_str() {
            "xml" => Some(PayloadFormat::Xml),
            "zip" => Some(PayloadFormat::Zip),
            _ => None,
        }
    }

    /// The payload file's bytes for `xml`.
    pub fn pack(self, xml: &[u8]) -> Result<Vec<u8>, PayloadError> {
        match self {
            PayloadFormat::Xml => Ok(xml.to_vec()),
            PayloadFormat::Zip => {
                let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(xml.len() / 4)));
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Deflated)
                    .unix_permissions(0o600);
                writer
                    .start_file(ZIP_ENTRY_NAME, options)
                    .map_err(|e| PayloadError::Zip(e.to_string()))?;
                writer
                    .write_all(xml)
                    .map_err(|e| PayloadError::Zip(e.to_string()))?;
                let cursor = writer
                    .finish()
                    .map_err(|e| PayloadError::Zip(e.to_string()))?;
                Ok(cursor.into_inner())
            }
        }
    }

    /// The XML of a payload file, at most `max_xml_bytes`.
    pub fn unpack(self, bytes: &[u8], max_xml_bytes: usize) -> Result<Vec<u8>, PayloadError> {
        match self {
            PayloadFormat::Xml => {
                if bytes.len() > max_xml_bytes {
                    return Err(PayloadError::TooLarge {
                        limit: max_xml_bytes,
                    });
                }
                Ok(bytes.to_vec())
            }
            PayloadFormat::Zip => unzip_one(bytes, max_xml_bytes),
        }
    }
}

fn unzip_one(bytes: &[u8], limit: usize) -> Result<Vec<u8>, PayloadError> {
    let mut archive =
        ZipArchive::new(Cursor::new(bytes)).map_err(|e| PayloadError::Zip(e.to_string()))?;
    if archive.len() != 1 {
        return Err(PayloadError::Entries {
            count: archive.len(),
        });
    }
    let entry = archive
        .by_index(0)
        .map_err(|e| PayloadError::Zip(e.to_string()))?;
    if entry.is_dir() {
        return Err(PayloadError::Entries { count: 0 });
    }
    // The declared size may lie: it only refuses early; the read below is bounded regardless.
    if entry.size() > limit as u64 {
        return Err(PayloadError::TooLarge { limit });
    }
    let mut xml = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0).min(limit));
    entry
        .take(limit as u64 + 1)
        .read_to_end(&mut xml)
        .map_err(|e| PayloadError::Zip(e.to_string()))?;
    if xml.len() > limit {
        return Err(PayloadError::TooLarge { limit });
    }
    Ok(xml)
}

/// Why a payload cannot be packed or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the payload's XML is larger than {limit} bytes: not read")]
    TooLarge { limit: usize },
    #[error("the payload ZIP holds {count} files: it must hold exactly one XML file")]
    Entries { count: usize },
    #[error("the payload ZIP is not readable: {0}")]
    Zip(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<message>hello</message>\n";

    #[test]
    fn both_formats_round_trip() {
        for format in [PayloadFormat::Xml, PayloadFormat::Zip] {
            let packed = format.pack(XML).unwrap();
            assert_eq!(format.unpack(&packed, XML.len()).unwrap(), XML);
            assert_eq!(
                PayloadFormat::from_extension(format.extension()),
                Some(format)
            );
        }
        assert_eq!(
            PayloadFormat::from_extension("ZIP"),
            Some(PayloadFormat::Zip)
        );
        assert_eq!(PayloadFormat::from_extension("gz"), None);
        let zip = PayloadFormat::Zip.pack(XML).unwrap();
        assert!(zip.starts_with(b"PK\x03\x04"));
    }

    #[test]
    fn refuses_more_than_the_limit() {
        for format in [PayloadFormat::Xml, PayloadFormat::Zip] {
            let packed = format.pack(XML).unwrap();
            assert_eq!(
                format.unpack(&packed, XML.len() - 1),
                Err(PayloadError::TooLarge {
                    limit: XML.len() - 1
                })
            );
        }
    }

    #[test]
    fn refuses_a_zip_bomb_without_inflating_it() {
        // 64 MiB of zeros deflate to about 64 KiB.
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let bomb = PayloadFormat::Zip.pack(&zeros).unwrap();
        assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
        assert_eq!(
            PayloadFormat::Zip.unpack(&bomb, 1024 * 1024),
            Err(PayloadError::TooLarge { limit: 1024 * 1024 })
        );
    }

    #[test]
    fn refuses_two_entries_none_and_garbage() {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for name in ["a.xml", "b.xml"] {
            writer
                .start_file(name, SimpleFileOptions::default())
                .unwrap();
            writer.write_all(XML).unwrap();
        }
        let two = writer.finish().unwrap().into_inner();
        assert_eq!(
            PayloadFormat::Zip.unpack(&two, 1000),
            Err(PayloadError::Entries { count: 2 })
        );
        let empty = ZipWriter::new(Cursor::new(Vec::new()))
            .finish()
            .unwrap()
            .into_inner();
        assert_eq!(
            PayloadFormat::Zip.unpack(&empty, 1000),
            Err(PayloadError::Entries { count: 0 })
        );
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .add_directory("d/", SimpleFileOptions::default())
            .unwrap();
        let dir = writer.finish().unwrap().into_inner();
        assert_eq!(
            PayloadFormat::Zip.unpack(&dir, 1000),
            Err(PayloadError::Entries { count: 0 })
        );
        assert!(matches!(
            PayloadFormat::Zip.unpack(b"not a zip", 1000),
            Err(PayloadError::Zip(_))
        ));
        assert!(matches!(
            PayloadFormat::Zip.unpack(&[], 1000),
            Err(PayloadError::Zip(_))
        ));
    }
}
