//! A transmission: the announcements that leave for the ZAS in one DT XML message (N. 3102, 3103).

use super::announcement::Announcement;
use super::message::MessageHeader;

/// One DT XML message to the ZAS. The announcements keep their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmission {
    pub header: MessageHeader,
    pub announcements: Vec<Announcement>,
}
