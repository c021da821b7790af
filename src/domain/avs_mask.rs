//! Finding and masking what looks like an AVS number in free text (security baseline, draft art. 3:
//! the AVS number is stored in one place only). Used where text is stored or logged.

use std::borrow::Cow;

pub const MASK: &str = "756.****.****.**";

/// Masks everything that looks like an AVS number: `756` and ten more digits, each digit
/// optionally preceded by one `.`, ` ` or `-` (`7561234567897`, `756.1234.5678.97`). Errs on
/// the side of masking: neither the check digit nor the surroundings are looked at.
pub fn mask(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match avs_like_at(bytes, i) {
            Some(end) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..i]);
                out.push_str(MASK);
                copied = end;
                i = end;
            }
            None => i += 1,
        }
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The end of an AVS-looking number starting at `start`.
fn avs_like_at(bytes: &[u8], start: usize) -> Option<usize> {
    if !bytes[start..].starts_with(b"756") {
        return None;
    }
    let mut digits = 3;
    let mut i = start + 3;
    while digits < 13 {
        match bytes.get(i) {
            Some(b) if b.is_ascii_digit() => i += 1,
            Some(b'.' | b' ' | b'-') if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 2,
            _ => return None,
        }
        digits += 1;
    }
    Some(i)
}

/// Whether `text` holds anything that looks like an AVS number.
pub fn contains_avs_number(text: &str) -> bool {
    matches!(mask(text), Cow::Owned(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avs_numbers_are_found_in_any_writing_and_756_alone_is_not_one() {
        for text in [
            "7561234567897",
            "person 756.1234.5678.97 moved",
            "756 1234 5678 97",
            "756-1234-5678-97",
        ] {
            assert!(contains_avs_number(text), "{text}");
        }
        // A random alert id that happens to hold "756" (a test once took it for an AVS
        // number and failed now and then).
        for text in ["15303eb7-17c8-4238-939d-b9c37568f33b", "756", "75612345678"] {
            assert!(!contains_avs_number(text), "{text}");
        }
    }
}
