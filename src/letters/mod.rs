//! Letters to the ZAS (N. 3401–3403, 2703, 3301): per fund and day, one letter to the ZAS's ARC
//! control office listing the announcements still pending (N. 3401); about one announcement,
//! the CIs still open after an RCI (N. 2703) or the data of the ZAS found wrong or incomplete
//! (N. 3301); each in the fund's language (Italian, German or French), as text and as PDF; and
//! the print of a transmitted announcement as it was sent. Pure: the callers (API, dashboard,
//! CLI) read the store and pass what the letter is made of.
//!
//! - `language`: [`Language`] and its dates.
//! - `wording`: the words of each language, one table each.
//! - `layout`: lines that fit the page (wrapping at [`WIDTH`]).
//! - `frame`: what every letter has around its body (sender, N. 3402 address, date, …).
//! - `compose`: the letter of a fund and day (N. 3401).
//! - `about`: the letters about one announcement (N. 2703, 3301) and when each is allowed.
//! - `request`: what a clerk asks those letters to say, checked.
//! - `print`: a transmitted announcement as sent (N. 3403).
//! - `pdf`: a document as an A4 PDF.
//! - `config`: `[letters]` of the configuration.

mod about;
mod compose;
mod config;
mod frame;
mod language;
mod layout;
mod mandate;
mod pdf;
mod print;
mod request;
mod wording;

pub use about::{CitedAnnouncement, LetterKind, NotAllowed, compose_about};
pub use compose::{LetterContent, compose_letter};
pub use config::LettersConfig;
pub use frame::Letterhead;
pub use language::{Language, UnknownLanguage};
pub use layout::{Document, WIDTH, wrap};
pub use mandate::mandate;
pub use pdf::render_pdf;
pub use print::{SentAnnouncement, compose_print};
pub use request::{
    FieldError, LetterRequest, MAX_FIELDS, MAX_OPEN_ACCOUNTS, MAX_TEXT_CHARS, OpenAccount,
};
