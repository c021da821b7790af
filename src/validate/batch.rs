//! Rules over a whole input: each announcement once (a rule of the system: the fund's own
//! reference is its key, N. 3105), and revocations apart from new
//! orders for the same person (N. 3102).

use std::collections::HashMap;

use crate::domain::Announcement;

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
    // N. 3102: a revocation (99, 96) and a new order it would revoke, for the same person.
    for &(r_index, revocation) in announcements
        .iter()
        .filter(|(_, a)| a.key().is_revocation())
    {
        for &(index, order) in announcements {
            let same_person =
                order.avs_number().is_some() && order.avs_number() == revocation.avs_number();
            if !(same_person && revocation.key().revokes(order.key())) {
                continue;
            }
            let message = format!(
                "key {} for the same person as the revocation (key {}) #{r_index}: they may not be in the same transmission",
                order.key(),
                revocation.key()
            );
            findings.index = index;
            match destination {
                Destination::Queue => findings.warn("key", Rule::SeparateTransmissions, format!("{message}; arcgw sends the revocation first and this order in a later transmission")),
                Destination::OneTransmission => findings.error("key", Rule::SeparateTransmissions, message),
            }
        }
    }
}
