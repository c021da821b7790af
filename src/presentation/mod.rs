//! How the gateway presents what it holds to the outside, the same in the fund API and on the
//! operators' pages: an announcement in the JSON of docs/api.md, what the ZAS answered about it,
//! its next deadline, the letters about it and documents as text or PDF; and account management
//! as a signed-in person is offered it. `api` and `web` both use this module and never each
//! other.

pub mod accounts;
pub mod acknowledgement;
pub mod announcement;
pub mod deadline;
pub mod documents;
pub mod letters;
