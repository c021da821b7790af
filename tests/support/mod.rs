//! Helpers shared by the integration tests: `mod support;` in a test file.
//!
//! - [`strategies`]: proptest strategies for valid domain values (announcements of every key,
//!   transmissions, acknowledgements with every result).
//! - [`xmllint`]: validates documents against the XSDs in `schemas/` with `xmllint`.

#![allow(dead_code)]

pub mod strategies;
pub mod xmllint;
