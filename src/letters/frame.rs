//! What every letter to the ZAS's ARC control office has around its body: the fund's sender
//! lines, the address of N. 3402, the date, the subject, the salutation and the opening
//! paragraph; then the thanks, the greeting and the signature. The letters of N. 3401, 2703 and
//! 3301 differ only in their words ([`LetterWords`]) and their body.

use chrono::NaiveDate;

use super::language::Language;
use super::layout::Document;
use super::wording::{LetterWords, Wording};
use crate::domain::FundNumber;

/// Who writes and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letterhead {
    pub fund: FundNumber,
    /// The letter's date.
    pub day: NaiveDate,
    /// The fund's own name and address, line by line; empty: "<compensation fund> <number>".
    pub sender: Vec<String>,
}

/// The letter of `head` in `language` saying `words`, with `body` between the opening
/// paragraph and the thanks.
pub(super) fn write_letter(
    head: &Letterhead,
    language: Language,
    words: fn(&'static Wording) -> &'static LetterWords,
    body: impl FnOnce(&mut Document, &Wording),
) -> Document {
    let w = Wording::of(language);
    let words = words(w);
    let mut doc = Document::new(format!("{} — {}", words.subject, head.fund));
    let sender = if head.sender.is_empty() {
        vec![format!("{} {}", w.fund, head.fund)]
    } else {
        head.sender.clone()
    };
    for line in &sender {
        doc.paragraph(line);
    }
    doc.blank();
    // N. 3402: the ZAS's ARC control office.
    for line in w.recipient {
        doc.paragraph(line);
    }
    doc.blank();
    doc.paragraph(&language.long_date(head.day));
    doc.blank();
    doc.paragraph(words.subject);
    doc.blank();
    doc.paragraph(w.salutation);
    doc.blank();
    doc.paragraph(words.intro);
    body(&mut doc, w);
    doc.blank();
    doc.paragraph(words.thanks);
    doc.blank();
    doc.paragraph(w.greeting);
    doc.blank();
    doc.paragraph(&sender[0]);
    doc
}
