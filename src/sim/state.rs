//! What the simulator remembers, in memory behind one mutex: the message ids received, the
//! repeats, the POST attempts counted for the faults, and the acknowledgement queue.

use std::collections::{HashMap, HashSet};

use super::acknowledgements::AckQueue;
use crate::domain::{MessageId, ParticipantId};

#[derive(Debug)]
pub(crate) struct SimState {
    received: HashSet<MessageId>,
    /// In order of receipt.
    received_order: Vec<MessageId>,
    /// One element per POST answered 201.
    duplicates: Vec<MessageId>,
    /// POSTs per message id, for `http_500` and `slow` with `times`.
    attempts: HashMap<MessageId, u32>,
    /// Announcements accepted so far: what the `max_entries` bound counts.
    held: usize,
    pub queue: AckQueue,
}

impl SimState {
    pub fn new(participant_id: ParticipantId) -> Self {
        SimState {
            received: HashSet::new(),
            received_order: Vec::new(),
            duplicates: Vec::new(),
            attempts: HashMap::new(),
            held: 0,
            queue: AckQueue::new(participant_id),
        }
    }

    pub fn was_received(&self, id: &MessageId) -> bool {
        self.received.contains(id)
    }

    pub fn record_duplicate(&mut self, id: &MessageId) {
        self.duplicates.push(id.clone());
    }

    /// Records a new message id with its announcements.
    pub fn record(&mut self, id: &MessageId, announcements: usize) {
        self.received.insert(id.clone());
        self.received_order.push(id.clone());
        self.held += announcements;
    }

    /// Whether `more` announcements would take the simulator over `max`.
    pub fn would_exceed(&self, more: usize, max: usize) -> bool {
        self.held.saturating_add(more) > max
    }

    /// Counts one more POST of `id` and returns its number (from 1); `None` when `max`
    /// message ids are already counted (the bound of the simulator).
    pub fn count_attempt(&mut self, id: &MessageId, max: usize) -> Option<u32> {
        if let Some(n) = self.attempts.get_mut(id) {
            *n = n.saturating_add(1);
            return Some(*n);
        }
        if self.attempts.len() >= max {
            return None;
        }
        self.attempts.insert(id.clone(), 1);
        Some(1)
    }

    pub fn received_message_ids(&self) -> Vec<MessageId> {
        self.received_order.clone()
    }

    pub fn duplicates(&self) -> Vec<MessageId> {
        self.duplicates.clone()
    }

    pub fn transmissions_processed(&self) -> usize {
        self.received_order.len()
    }
}
