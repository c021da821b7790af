//! Reading the ZAS's messages off the async runtime. The DT XML reader takes milliseconds for an
//! acknowledgement of a thousand entries, all of it in one poll: on a runtime worker it would
//! keep every task queued there waiting — among them, on SQLite, the store's one writer between
//! two statements of a transaction, with the write lock held. So each message is read on a
//! blocking thread, the next one while the one before is taken in.

use std::panic::AssertUnwindSafe;

use tokio::task::JoinHandle;

use crate::digest::sha256_hex;
use crate::dtxml::{DtXmlError, ZasMessage};

/// A message being read on a blocking thread.
pub(super) struct Reading(JoinHandle<Read>);

/// A message read: its XML's SHA-256 (hex) and the message, or why it cannot be read.
pub(super) struct Read {
    pub sha: String,
    pub message: Result<ZasMessage, String>,
}

impl Reading {
    /// Starts reading `xml` with `read` (and taking its SHA-256) on a blocking thread.
    pub(super) fn start(
        xml: Vec<u8>,
        read: impl FnOnce(&[u8]) -> Result<ZasMessage, DtXmlError> + Send + 'static,
    ) -> Reading {
        Reading(tokio::task::spawn_blocking(move || {
            let sha = sha256_hex(&xml);
            // A reader that panics leaves the message unreadable (kept for operators like any
            // other it cannot read), not the job stopped.
            let message = match std::panic::catch_unwind(AssertUnwindSafe(|| read(&xml))) {
                Ok(read) => read.map_err(|e| e.to_string()),
                Err(_) => Err("the DT XML reader failed on it (a defect of arcgw)".to_string()),
            };
            Read { sha, message }
        }))
    }

    /// The message read.
    pub(super) async fn finish(self) -> Read {
        match self.0.await {
            Ok(read) => read,
            // Only when the runtime shuts down, which drops this task too.
            Err(_) => std::future::pending().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtxml::{ReadLimits, read_zas_message};

    #[tokio::test]
    async fn a_message_that_cannot_be_read_says_why_with_its_sha() {
        let xml = b"<not-a-message/>".to_vec();
        let limits = ReadLimits::default();
        let Read { sha, message } =
            Reading::start(xml.clone(), move |xml| read_zas_message(xml, &limits))
                .finish()
                .await;
        assert_eq!(sha, sha256_hex(&xml));
        let why = message.expect_err("not a message of the ZAS");
        assert!(!why.is_empty());
    }

    #[tokio::test]
    async fn a_reader_that_panics_leaves_the_message_unreadable_not_the_job_stopped() {
        let xml = b"<a/>".to_vec();
        let Read { sha, message } = Reading::start(xml.clone(), |_| panic!("a defect"))
            .finish()
            .await;
        assert_eq!(sha, sha256_hex(&xml));
        assert_eq!(
            message.err().as_deref(),
            Some("the DT XML reader failed on it (a defect of arcgw)")
        );
    }
}
