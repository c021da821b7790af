//! The ZAS's splitting notice (N. 2602): the confirmation of a divorce-splitting order and its
//! notice to the funds involved go as for an RCI (N. 2704 ff.): the ZAS tells each fund that
//! keeps a CI of a spouse of the splitting ordered by the ordering fund, with the data of the
//! order (N. 3119: the spouse's number and the years to split, with their special keys). Those
//! funds then transmit the CI entries of both spouses to the ordering fund (N. 2603).

use std::fmt;

use super::avs_number::AvsNumber;
use super::fund_number::FundNumber;
use super::message::MessageHeader;
use super::splitting::SplittingOrder;

/// A splitting notice refused by its constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplittingNoticeError {
    #[error(
        "the spouse's AVS number is the insured person's own: a splitting is between two spouses (N. 2601, 3119)"
    )]
    SameSpouse,
}

/// The two spouses of a splitting: the insured person the order was given for, and the order's
/// block o with the other spouse's number and the years (N. 3119). The two numbers differ.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Spouses {
    insured: AvsNumber,
    order: SplittingOrder,
}

impl Spouses {
    pub fn new(insured: AvsNumber, order: SplittingOrder) -> Result<Self, SplittingNoticeError> {
        if insured == order.spouse() {
            return Err(SplittingNoticeError::SameSpouse);
        }
        Ok(Spouses { insured, order })
    }

    /// The insured person the splitting order was given for (one order per spouse, N. 2601).
    pub fn insured(&self) -> AvsNumber {
        self.insured
    }

    /// The other spouse's number and the years to split (N. 3119, 2613).
    pub fn order(&self) -> &SplittingOrder {
        &self.order
    }
}

impl fmt::Debug for Spouses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spouses")
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}

/// A splitting notice, as the ZAS sends it to one fund involved.
#[derive(Clone, PartialEq, Eq)]
pub struct SplittingNotice {
    /// The message id identifies the notice: a repeated message is the same notice.
    pub header: MessageHeader,
    /// The fund involved: it keeps a CI of a spouse, or is the ordering fund itself (as N. 2709
    /// for the RCI).
    pub fund: FundNumber,
    /// The fund that gave the splitting order (N. 2601) and receives the CI entries (N. 2603).
    pub ordering_fund: FundNumber,
    pub spouses: Spouses,
}

impl fmt::Debug for SplittingNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplittingNotice")
            .field("message_id", &self.header.message_id)
            .field("fund", &self.fund)
            .field("ordering_fund", &self.ordering_fund)
            .field("spouses", &self.spouses)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SplitYear;

    #[test]
    fn the_spouses_are_two_people() {
        let one = AvsNumber::parse("756.1234.5678.97").unwrap();
        let other = AvsNumber::parse("756.3047.5009.62").unwrap();
        let years = vec![SplitYear {
            year: 1990,
            special: None,
        }];
        let order = SplittingOrder::new(other, years.clone()).unwrap();
        let spouses = Spouses::new(one, order.clone()).unwrap();
        assert_eq!((spouses.insured(), spouses.order()), (one, &order));
        assert!(!format!("{spouses:?}").contains("756"));
        let same = SplittingOrder::new(one, years).unwrap();
        assert_eq!(
            Spouses::new(one, same),
            Err(SplittingNoticeError::SameSpouse)
        );
    }
}
