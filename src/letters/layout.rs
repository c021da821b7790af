//! Lines of a document that fit the page: words wrapped at [`WIDTH`] characters, labelled
//! values in a column. The text and the PDF print the same lines, so both fit.

/// The most characters a line holds: 78 fit an A4 page in 10-point Courier with margins.
pub const WIDTH: usize = 78;

/// Glues two words: they are never put on two lines.
const NO_BREAK: char = '\u{a0}';

/// A document as lines of at most [`WIDTH`] characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    /// The PDF's title.
    pub title: String,
    pub lines: Vec<String>,
}

impl std::fmt::Debug for Document {
    /// A letter holds AVS numbers: debug output (which may reach a log) shows its size only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Document({} lines)", self.lines.len())
    }
}

impl Document {
    pub fn new(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            lines: Vec::new(),
        }
    }

    /// The document as plain text, one line each, ending with a newline.
    pub fn text(&self) -> String {
        let mut text = self.lines.join("\n");
        text.push('\n');
        text
    }

    pub fn blank(&mut self) {
        self.lines.push(String::new());
    }

    /// `text` wrapped at the page's width.
    pub fn paragraph(&mut self, text: &str) {
        self.lines.extend(wrap(text, WIDTH));
    }

    /// `value` after `label`, the label padded to `column` characters, continuation lines
    /// indented to the value's column.
    pub fn labelled(&mut self, label: &str, column: usize, value: &str) {
        let indent = " ".repeat(column);
        let width = WIDTH.saturating_sub(column).max(1);
        for (i, line) in wrap(value, width).into_iter().enumerate() {
            if i == 0 {
                let padding = column.saturating_sub(label.chars().count());
                let line = format!("{label}{}{line}", " ".repeat(padding));
                self.lines.push(line.trim_end().to_string());
            } else {
                self.lines.push(format!("{indent}{line}"));
            }
        }
    }

    /// Entries of labelled values, numbered `1.`, `2.`, … when `numbered`, each after a blank
    /// line; every value in one column, after the longest label of all entries.
    pub fn entries(&mut self, entries: &[Vec<(&str, String)>], numbered: bool) {
        let number_width = if numbered {
            entries.len().to_string().len() + 2
        } else {
            0
        };
        let column = number_width
            + entries
                .iter()
                .flatten()
                .map(|(label, _)| label.chars().count())
                .max()
                .unwrap_or(0)
            + 2;
        for (i, entry) in entries.iter().enumerate() {
            self.blank();
            for (j, (label, value)) in entry.iter().enumerate() {
                let number = if numbered && j == 0 {
                    format!("{}.", i + 1)
                } else {
                    String::new()
                };
                self.labelled(&format!("{number:<number_width$}{label}"), column, value);
            }
        }
    }
}

/// `text` in lines of at most `width` characters, broken between words; a word longer than a
/// line is cut. A no-break space (U+00A0) keeps two words on one line (`N.\u{a0}3401`) and is
/// printed as a space. Empty text gives one empty line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_chars = 0;
    for word in text
        .split(|c: char| c.is_whitespace() && c != NO_BREAK)
        .filter(|w| !w.is_empty())
    {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if line_chars > 0 {
                lines.push(std::mem::take(&mut line));
                line_chars = 0;
            }
            lines.push(word.drain(..width).collect());
        }
        let needed = if line_chars == 0 {
            word.len()
        } else {
            line_chars + 1 + word.len()
        };
        if needed > width {
            lines.push(std::mem::take(&mut line));
            line_chars = 0;
        }
        if line_chars > 0 {
            line.push(' ');
            line_chars += 1;
        }
        line.extend(word.iter().map(|&c| if c == NO_BREAK { ' ' } else { c }));
        line_chars += word.len();
    }
    if line_chars > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_wrap_and_long_words_are_cut() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("abcdefghij x", 4), ["abcd", "efgh", "ij x"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("één twee", 3), ["één", "twe", "e"]);
        assert_eq!(wrap("see N.\u{a0}3401", 9), ["see", "N. 3401"]);
    }

    #[test]
    fn labelled_values_keep_their_column() {
        let mut d = Document::new("t");
        d.labelled("Key", 6, &"word ".repeat(30));
        assert!(d.lines[0].starts_with("Key   word"));
        assert!(d.lines[1].starts_with("      word"));
        assert!(d.lines.iter().all(|l| l.chars().count() <= WIDTH));
    }

    proptest! {
        #[test]
        fn every_line_fits_and_no_word_is_lost(text in "[a-zà-ü ]{0,400}", width in 1usize..90) {
            let lines = wrap(&text, width);
            prop_assert!(lines.iter().all(|l| l.chars().count() <= width));
            let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
            let original: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(joined, original);
        }
    }
}
