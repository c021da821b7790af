//! arcgw: the gateway between Swiss AVS compensation funds and the ZAS for ARC announcements.
//!
//! The flow runs one way: intake → [`validate`] → store → transmit → acknowledge → deadlines →
//! alerts. See `ARCHITECTURE.md` for the map.

pub mod calendar;
pub mod domain;
pub mod validate;
