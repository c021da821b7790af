//! Letters to the ZAS (N. 3401–3403, 3301): per fund and day, one letter to the ZAS's ARC
//! control office listing the announcements still pending, in the fund's language (Italian,
//! German or French), as text and as PDF; and the print of a transmitted announcement as it was
//! sent. Pure: the callers (API, CLI) read the store and pass what the letter is made of.
//!
//! - `language`: [`Language`] and its dates.
//! - `wording`: the words of each language, one table each.
//! - `layout`: lines that fit the page (wrapping at [`WIDTH`]).
//! - `compose`: the letter of a fund and day.
//! - `print`: a transmitted announcement as sent (N. 3403).
//! - `pdf`: a document as an A4 PDF.
//! - `config`: `[letters]` of the configuration.

mod compose;
mod config;
mod language;
mod layout;
mod pdf;
mod print;
mod wording;

pub use compose::{LetterContent, compose_letter};
pub use config::LettersConfig;
pub use language::{Language, UnknownLanguage};
pub use layout::{Document, WIDTH, wrap};
pub use pdf::render_pdf;
pub use print::{SentAnnouncement, compose_print};
