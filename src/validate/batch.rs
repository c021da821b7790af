//! Rules over a whole input: each announcement once (a rule of the system: the fund's own
//! reference is its key, N. 3105), and revocations apart from new
//! orders for the same person (N. 3102).

use std::collections::HashMap;

use crate::domain::{Announcement, AvsNumber, KeyCode};

use super::fields::Findings;
use super::report::Rule;

/// Whether the announcements are to go in exactly one transmission (`arcgw render`), where the
/// pairs of N. 3102 are errors, or into the queue, where they are warnings: the daemon sends them
/// in successive transmissions, the revocation first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    Queue,
    OneTransmission,
}

/// Checks the batch rules over the announcements that passed on their own, given with their
/// index in the input.
pub(crate) fn check(
    announcements: &[(usize, &Announcement)],
    destination: Destination,
    findings: &mut Findings,
) {
    // Announced once (system rule; N. 3105): the same fund and reference twice is the same
    // announcement announced twice.
    let mut first_seen = HashMap::new();
    for &(index, a) in announcements {
        if let Some(first) = first_seen.insert((a.fund(), a.reference()), index) {
            findings.index = index;
            findings.error(
                "reference",
                Rule::UniqueReference,
                format!(
                    "announcement #{first} has the same fund {} and reference {}: each announcement is announced once",
                    a.fund(),
                    a.reference()
                ),
            );
            first_seen.insert((a.fund(), a.reference()), first);
        }
    }
    // N. 3102: a revocation (99, 96) and a new order it would revoke, for the same person. One
    // finding per person, on the first such order, naming how many more there are: linear in
    // the input, however many revocations and orders one person has.
    let mut revocations: HashMap<AvsNumber, Vec<(usize, KeyCode)>> = HashMap::new();
    for &(index, a) in announcements {
        if let Some(number) = a.avs_number().filter(|_| a.key().is_revocation()) {
            let keys = revocations.entry(number).or_default();
            // The first revocation of each key (99, 96) is enough to name.
            if !keys.iter().any(|(_, key)| *key == a.key()) {
                keys.push((index, a.key()));
            }
        }
    }
    let mut pairs: HashMap<AvsNumber, (Pair, usize)> = HashMap::new();
    let mut persons = Vec::new();
    for &(index, order) in announcements {
        let Some(number) = order.avs_number() else {
            continue;
        };
        let Some(&(r_index, r_key)) = revocations
            .get(&number)
            .and_then(|keys| keys.iter().find(|(_, key)| key.revokes(order.key())))
        else {
            continue;
        };
        pairs
            .entry(number)
            .and_modify(|(_, more)| *more += 1)
            .or_insert_with(|| {
                persons.push(number);
                let pair = Pair {
                    index,
                    key: order.key(),
                    revocation: (r_index, r_key),
                };
                (pair, 0)
            });
    }
    for number in persons {
        let (pair, more) = &pairs[&number];
        let (r_index, r_key) = pair.revocation;
        let (also, these) = match more {
            0 => (String::new(), "this order"),
            n => (
                format!(" (and {n} more orders of this person in this input)"),
                "these orders",
            ),
        };
        let message = format!(
            "key {} for the same person as the revocation (key {r_key}) #{r_index}{also}: they may not be in the same transmission",
            pair.key,
        );
        findings.index = pair.index;
        match destination {
            Destination::Queue => findings.warn("key", Rule::SeparateTransmissions, format!("{message}; arcgw sends the revocation first and {these} in a later transmission")),
            Destination::OneTransmission => findings.error("key", Rule::SeparateTransmissions, message),
        }
    }
}

/// The first order of a person that a revocation of the same input would revoke (N. 3102).
struct Pair {
    index: usize,
    key: KeyCode,
    /// The index and key of the revocation.
    revocation: (usize, KeyCode),
}
