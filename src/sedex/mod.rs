//! sedex, the federal platform over which Swiss authorities exchange XML messages: the parts
//! of the standard arcgw needs, without store or engine (`../shared/SEDEX.md` has the facts).
//!
//! - [`envelope`]: the eCH-0090 envelope (`envl_<id>.xml`), written in version 2, read in
//!   versions 2 and 1;
//! - [`receipt`]: the sedex client's receipt and what each status code means;
//! - [`folders`]: the interface directory (`outbox/`, `inbox/`, `receipts/`, `processed/`):
//!   atomic writes, listings that never follow a symlink, moves;
//! - [`payload`]: the payload (`data_<id>.xml` or `data_<id>.zip`), read with bounds;
//! - [`SedexMessageId`]: the only source of file names.
//!
//! `schemas/eCH-0090-2.xsd` is the envelope and receipt schema, written from the standard's
//! element list; the tests validate what arcgw writes against it.

pub mod envelope;
pub mod error;
pub mod folders;
pub mod id;
pub mod payload;
pub mod receipt;
mod xml;

pub use envelope::{Envelope, MessageClass};
pub use error::EnvelopeError;
pub use folders::{FileKind, FolderError, Folders, MessageFile};
pub use id::{SedexMessageId, SedexMessageIdError};
pub use payload::{PayloadError, PayloadFormat};
pub use receipt::{ReceiptStatus, SedexReceipt};
pub use xml::{MAX_DOCUMENT_BYTES, NAMESPACE_V1, NAMESPACE_V2};
