//! Content models and the checker that holds a document to them while it streams by.
//!
//! The models in [`super::grammar`] mirror the XSDs in `schemas/`: every element's children form
//! a fixed sequence of particles, each particle one element name (or a choice between names)
//! with a minimum and maximum count. Checking this while streaming gives every structural error
//! an element path (`content/announcement[3]`) before serde sees the document.

use super::error::{DtXmlError, clip};
use super::path::At;

/// Unbounded `maxOccurs`.
pub(crate) const UNBOUNDED: u32 = u32::MAX;

/// One particle of a sequence: an element (or a choice between elements) and how often it
/// occurs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Particle {
    pub names: &'static [&'static str],
    pub min: u32,
    pub max: u32,
}

impl Particle {
    fn label(&self) -> String {
        self.names.join("|")
    }
}

/// What an element may contain.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Content {
    /// Child elements in this sequence, and white space between them.
    Elements(&'static [Particle]),
    /// Text only (a leaf).
    Text,
    /// Nothing at all (e.g. `<insuredPerson/>`).
    Empty,
}

/// The content models of one message kind.
#[derive(Debug)]
pub(crate) struct Grammar {
    /// The local name of the root element.
    pub root: &'static str,
    /// The namespace every element must be in.
    pub namespace: &'static str,
    /// The content of an element by its local name; names not listed are leaves.
    pub model: fn(&str) -> Content,
}

/// An open element. Its path is built only for an error, from the frames below it: checking a
/// valid document allocates nothing per element.
struct Frame {
    /// The local name as the grammar spells it (the root's is not part of any path).
    name: &'static str,
    /// Its number among its siblings of the same particle, when that particle repeats.
    number: Option<usize>,
    content: Content,
    /// The particle of the last child, and how many children matched it.
    particle: usize,
    count: u32,
}

/// Follows the element tree of a document and checks it against a [`Grammar`].
pub(crate) struct Checker {
    grammar: &'static Grammar,
    stack: Vec<Frame>,
}

impl Checker {
    pub fn new(grammar: &'static Grammar) -> Self {
        Checker {
            grammar,
            stack: Vec::new(),
        }
    }

    /// The namespace every element of the document must be in.
    pub fn namespace(&self) -> &'static str {
        self.grammar.namespace
    }

    /// The path of the open element (none when the stack is empty).
    fn open_path(&self) -> Option<At> {
        let (_root, below) = self.stack.split_first()?;
        Some(
            below
                .iter()
                .fold(At::root(), |path, f| path.join(f.name, f.number)),
        )
    }

    /// The path of the element being read (`message` for the root).
    pub fn path(&self) -> String {
        self.open_path()
            .map_or_else(|| self.grammar.root.to_string(), |path| path.text())
    }

    /// The path a child named `name` would have: for errors found before [`Checker::start`].
    pub fn child_path(&self, name: &str) -> String {
        match self.open_path() {
            None => self.grammar.root.to_string(),
            Some(path) => path.child(&clip(name, 40)).text(),
        }
    }

    /// An element starts. The root's name is checked by the caller.
    pub fn start(&mut self, name: &str) -> Result<(), DtXmlError> {
        let Some(parent) = self.stack.last() else {
            self.stack.push(Frame {
                name: self.grammar.root,
                number: None,
                content: (self.grammar.model)(name),
                particle: 0,
                count: 0,
            });
            return Ok(());
        };
        let Content::Elements(particles) = parent.content else {
            return Err(DtXmlError::UnknownElement {
                path: self.path(),
                name: clip(name, 40),
            });
        };
        // The grammar's own spelling of the name where a particle knows it (kept, with its
        // `'static` lifetime, instead of the input's).
        let spelling = |p: &Particle| p.names.iter().copied().find(|n| *n == name);
        let (index, count, name) = if parent.count > 0
            && let Some(known) = particles.get(parent.particle).and_then(spelling)
        {
            // Another occurrence of the current particle.
            let particle = particles[parent.particle];
            if parent.count >= particle.max {
                return Err(DtXmlError::TooMany {
                    path: self.path(),
                    name: particle.label(),
                    max: particle.max,
                });
            }
            (parent.particle, parent.count + 1, known)
        } else {
            // A later particle: everything skipped must be optional.
            let from = if parent.count > 0 {
                parent.particle + 1
            } else {
                parent.particle
            };
            if parent.count > 0 && parent.count < particles[parent.particle].min {
                return Err(DtXmlError::MissingElement {
                    path: self.path(),
                    name: particles[parent.particle].label(),
                });
            }
            let Some((offset, known)) = particles[from..]
                .iter()
                .enumerate()
                .find_map(|(offset, p)| Some((offset, spelling(p)?)))
            else {
                return Err(match particles[..from].iter().rev().find_map(spelling) {
                    Some(_) => DtXmlError::MisplacedElement {
                        path: self.path(),
                        name: clip(name, 40),
                        before: particles
                            .get(parent.particle)
                            .map_or_else(String::new, Particle::label),
                    },
                    None => DtXmlError::UnknownElement {
                        path: self.path(),
                        name: clip(name, 40),
                    },
                });
            };
            let target = from + offset;
            if let Some(missing) = particles[from..target].iter().find(|p| p.min > 0) {
                return Err(DtXmlError::MissingElement {
                    path: self.path(),
                    name: missing.label(),
                });
            }
            (target, 1, known)
        };
        let particle = particles[index];
        let number = (particle.max > 1).then_some(count as usize);
        if let Some(parent) = self.stack.last_mut() {
            parent.particle = index;
            parent.count = count;
        }
        self.stack.push(Frame {
            name,
            number,
            content: (self.grammar.model)(name),
            particle: 0,
            count: 0,
        });
        Ok(())
    }

    /// Text (or a reference, or CDATA) in the current element; `blank` when it is white space
    /// only.
    pub fn text(&self, blank: bool) -> Result<(), DtXmlError> {
        match self.stack.last() {
            Some(Frame {
                content: Content::Text,
                ..
            }) => Ok(()),
            Some(_) if !blank => Err(DtXmlError::UnexpectedText { path: self.path() }),
            _ => Ok(()),
        }
    }

    /// The current element ends: its required children must all have been there.
    pub fn end(&mut self) -> Result<(), DtXmlError> {
        let Some(frame) = self.stack.last() else {
            return Ok(());
        };
        if let Content::Elements(particles) = frame.content {
            let from = if frame.count >= particles.get(frame.particle).map_or(0, |p| p.min) {
                frame.particle + usize::from(frame.count > 0)
            } else {
                frame.particle
            };
            if let Some(missing) = particles[from.min(particles.len())..]
                .iter()
                .find(|p| p.min > 0)
            {
                return Err(DtXmlError::MissingElement {
                    path: self.path(),
                    name: missing.label(),
                });
            }
        }
        self.stack.pop();
        Ok(())
    }

    /// How deep the checker is (1 inside the root).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &[Particle] = &[
        Particle {
            names: &["a"],
            min: 1,
            max: 1,
        },
        Particle {
            names: &["b"],
            min: 0,
            max: 3,
        },
        Particle {
            names: &["c", "d"],
            min: 0,
            max: 1,
        },
        Particle {
            names: &["e"],
            min: 1,
            max: 1,
        },
    ];

    fn model(name: &str) -> Content {
        match name {
            "r" => Content::Elements(ROOT),
            "d" => Content::Empty,
            _ => Content::Text,
        }
    }

    static G: Grammar = Grammar {
        root: "r",
        namespace: "urn:test",
        model,
    };

    fn run(children: &[&str]) -> Result<(), DtXmlError> {
        let mut c = Checker::new(&G);
        c.start("r")?;
        for child in children {
            c.start(child)?;
            c.end()?;
        }
        c.end()
    }

    #[test]
    fn sequences() {
        run(&["a", "e"]).unwrap();
        run(&["a", "b", "b", "b", "d", "e"]).unwrap();
        run(&["a", "c", "e"]).unwrap();
        assert!(matches!(run(&["e"]), Err(DtXmlError::MissingElement { name, .. }) if name == "a"));
        assert!(matches!(run(&["a"]), Err(DtXmlError::MissingElement { name, .. }) if name == "e"));
        assert!(matches!(run(&[]), Err(DtXmlError::MissingElement { name, .. }) if name == "a"));
        assert!(matches!(
            run(&["a", "b", "b", "b", "b", "e"]),
            Err(DtXmlError::TooMany { max: 3, .. })
        ));
        assert!(matches!(
            run(&["a", "c", "d", "e"]),
            Err(DtXmlError::TooMany { max: 1, .. })
        ));
        assert!(matches!(
            run(&["a", "c", "b", "e"]),
            Err(DtXmlError::MisplacedElement { .. })
        ));
        assert!(matches!(
            run(&["a", "x", "e"]),
            Err(DtXmlError::UnknownElement { name, .. }) if name == "x"
        ));
        assert!(matches!(
            run(&["a", "a", "e"]),
            Err(DtXmlError::TooMany { .. })
        ));
    }

    #[test]
    fn paths_number_repeated_elements() {
        let mut c = Checker::new(&G);
        c.start("r").unwrap();
        c.start("a").unwrap();
        assert_eq!(c.path(), "a");
        c.end().unwrap();
        c.start("b").unwrap();
        c.end().unwrap();
        c.start("b").unwrap();
        assert_eq!(c.path(), "b[2]");
        assert!(
            matches!(c.start("x"), Err(DtXmlError::UnknownElement { path, .. }) if path == "b[2]")
        );
    }

    #[test]
    fn text_and_empty_content() {
        let mut c = Checker::new(&G);
        c.start("r").unwrap();
        assert!(c.text(true).is_ok());
        assert!(matches!(
            c.text(false),
            Err(DtXmlError::UnexpectedText { .. })
        ));
        c.start("a").unwrap();
        assert!(c.text(false).is_ok());
        c.end().unwrap();
        c.start("d").unwrap();
        assert!(matches!(
            c.text(false),
            Err(DtXmlError::UnexpectedText { .. })
        ));
    }
}
