//! Element paths for error messages: `content/announcement[3]/vn`, relative to the root
//! element `message`; repeatable elements carry their number (from 1).

use std::fmt;

/// The root element of both message kinds, shown for the empty path.
pub(crate) const ROOT: &str = "message";

/// An element path relative to the root; empty for the root itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct At(String);

impl At {
    /// The root element.
    pub fn root() -> At {
        At(String::new())
    }

    /// A child element that occurs at most once.
    pub fn child(&self, name: &str) -> At {
        self.join(name, None)
    }

    /// The `index`-th (from 0) occurrence of a repeatable child element, shown as `name[index+1]`.
    pub fn item(&self, name: &str, index: usize) -> At {
        self.join(name, Some(index.saturating_add(1)))
    }

    /// A child element, numbered when `number` (from 1) is given.
    pub fn join(&self, name: &str, number: Option<usize>) -> At {
        let mut path = self.0.clone();
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(name);
        if let Some(n) = number {
            path.push('[');
            path.push_str(&n.to_string());
            path.push(']');
        }
        At(path)
    }

    /// The path as shown in errors.
    pub fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str(ROOT)
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let root = At::root();
        assert_eq!(root.text(), "message");
        let vn = root.child("content").item("announcement", 2).child("vn");
        assert_eq!(vn.text(), "content/announcement[3]/vn");
    }
}
