//! What can go wrong when reading or writing a DT XML message.
//!
//! Every variant says where (a byte position, or an element path such as
//! `content/announcement[3]/vn`) and why. No variant ever echoes an AVS number or a name: values
//! taken from the input are clipped, and the domain's own error messages name only the rule.

use std::fmt;

/// A place in the input text: byte offset, and line and column (both from 1, columns counted in
/// characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text's length).
    pub(crate) fn in_text(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            offset,
            line: before.bytes().filter(|b| *b == b'\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.offset
        )
    }
}

/// An error of the DT XML reader or writer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DtXmlError {
    /// The input is larger than [`ReadLimits::max_bytes`](super::ReadLimits).
    #[error("the document has {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },

    /// The input is not UTF-8 (the only encoding accepted).
    #[error("the document is not UTF-8: invalid byte sequence at byte {offset}")]
    NotUtf8 { offset: usize },

    /// A character XML 1.0 does not allow (a control character, U+FFFE, U+FFFF), written
    /// directly or as a character reference.
    #[error("{at}: character U+{code:04X} is not allowed in XML 1.0")]
    IllegalCharacter { at: Position, code: u32 },

    /// The XML declaration names another version than 1.0 or another encoding than UTF-8.
    #[error("{at}: only XML 1.0 in UTF-8 is accepted, the declaration says {found}")]
    Declaration { at: Position, found: String },

    /// A `<!DOCTYPE …>`: refused outright, so that no entity expansion (billion laughs) or external
    /// entity (XXE) can ever be attempted.
    #[error(
        "{at}: a document type declaration (<!DOCTYPE …>) was found: DTDs and entity declarations are not accepted"
    )]
    Doctype { at: Position },

    /// A reference to an entity other than the five predefined ones (`&lt;` `&gt;` `&amp;`
    /// `&apos;` `&quot;`); character references (`&#…;`) are accepted.
    #[error(
        "{at}: entity reference &{name}; refused: only &lt; &gt; &amp; &apos; &quot; and character references are accepted"
    )]
    Entity { at: Position, name: String },

    /// A processing instruction: none is accepted besides the XML declaration.
    #[error(
        "{at}: processing instruction <?{target} …?> refused: only the XML declaration is accepted"
    )]
    ProcessingInstruction { at: Position, target: String },

    /// Elements nest deeper than [`ReadLimits::max_depth`](super::ReadLimits).
    #[error("{path}: elements nest deeper than the limit of {limit} levels")]
    TooDeep { path: String, limit: usize },

    /// The root element has another name than the one expected.
    #[error("the root element is <{found}>, expected <{expected}>")]
    WrongRoot {
        expected: &'static str,
        found: String,
    },

    /// An element (the root or any other) in another namespace, or in none.
    #[error("{path}: the namespace is {}, expected {expected}", found.as_deref().map_or_else(|| "missing".to_string(), |ns| format!("{ns:?}")))]
    WrongNamespace {
        path: String,
        expected: &'static str,
        found: Option<String>,
    },

    /// Not well-formed XML (quick-xml's message), or text or a second element outside the root.
    #[error("{at}: malformed XML: {message}")]
    Malformed { at: Position, message: String },

    /// The input ends before the root element is closed.
    #[error("the document ends inside {path}: it is truncated")]
    Truncated { path: String },

    /// An element the schema does not have at this place.
    #[error("{path}: unknown element <{name}>")]
    UnknownElement { path: String, name: String },

    /// An element the schema has here, but not in this order (the schema's order is fixed).
    #[error("{path}: element <{name}> is out of order: it must come before <{before}>")]
    MisplacedElement {
        path: String,
        name: String,
        before: String,
    },

    /// A required element is missing.
    #[error("{path}: element <{name}> is missing")]
    MissingElement { path: String, name: String },

    /// An element repeated more often than allowed (e.g. a fourth observation).
    #[error("{path}: at most {max} <{name}> element(s) allowed here")]
    TooMany {
        path: String,
        name: String,
        max: u32,
    },

    /// Text where the schema allows only elements.
    #[error("{path}: text is not allowed here, only elements")]
    UnexpectedText { path: String },

    /// An attribute the schema does not have.
    #[error("{path}: attribute {name} is not allowed")]
    UnexpectedAttribute { path: String, name: String },

    /// A required attribute is missing.
    #[error("{path}: attribute {name} is missing")]
    MissingAttribute { path: String, name: &'static str },

    /// A value that breaks a rule of the schema or of the directives.
    #[error("{path}: {message}")]
    Value { path: String, message: String },

    /// The declared number of announcements or entries is not the number present (like the
    /// trailer of the legacy lots).
    #[error("{element} says {declared}, but the document holds {actual}")]
    CountMismatch {
        element: &'static str,
        declared: u64,
        actual: usize,
    },

    /// The document passed every check above but still does not fit the data model (a gap
    /// between the reader's structure table and its data-transfer types; should not happen).
    #[error("the document does not fit the data model: {message}")]
    Structure { message: String },

    /// A domain value the schema cannot carry (e.g. a year outside 0001–9999, or a character XML
    /// 1.0 does not allow in a free text).
    #[error("{path}: cannot be written: {reason}")]
    NotWritable { path: String, reason: String },

    /// quick-xml's serialiser failed (should not happen for the types of this module).
    #[error("writing the XML failed: {message}")]
    Serialise { message: String },
}

/// At most `max` characters of an input-derived text, for error messages.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let mut clipped = String::new();
    push_clipped(&mut clipped, text, max);
    clipped
}

/// Appends at most `max` characters of `text` to `into`, as [`clip`] gives them.
pub(crate) fn push_clipped(into: &mut String, text: &str, max: usize) {
    match text.char_indices().nth(max) {
        None => into.push_str(text),
        Some((end, _)) => {
            into.push_str(&text[..end]);
            into.push('…');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncdé\nf";
        assert_eq!(
            Position::in_text(text, 0),
            Position {
                offset: 0,
                line: 1,
                column: 1
            }
        );
        let p = Position::in_text(text, text.find('f').unwrap());
        assert_eq!((p.line, p.column), (3, 1));
        let p = Position::in_text(text, 7);
        assert_eq!((p.line, p.column), (2, 4), "é is one column");
        assert_eq!(Position::in_text(text, 999).offset, text.len());
    }

    #[test]
    fn clipping() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("éèêë", 3), "éèê…");
        assert_eq!(clip("", 0), "");
        assert_eq!(clip("a", 0), "…");
    }

    #[test]
    fn namespace_message() {
        let e = DtXmlError::WrongNamespace {
            path: "message".into(),
            expected: "urn:x",
            found: None,
        };
        assert_eq!(
            e.to_string(),
            "message: the namespace is missing, expected urn:x"
        );
    }
}
