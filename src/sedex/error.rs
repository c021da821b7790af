//! What can be wrong with an eCH-0090 document (an envelope or a receipt) arcgw reads. Every
//! variant names the document and, where there is one, the element; values quoted from the
//! input are clipped.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the {document} has {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        document: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("the {document} is not UTF-8: invalid byte sequence at byte {offset}")]
    NotUtf8 {
        document: &'static str,
        offset: usize,
    },
    #[error("the {document} holds character U+{code:04X}, which XML 1.0 does not allow")]
    IllegalCharacter { document: &'static str, code: u32 },
    #[error("the {document} is not well-formed XML: {message}")]
    Malformed {
        document: &'static str,
        message: String,
    },
    #[error(
        "the {document} has a document type declaration (<!DOCTYPE …>): DTDs and entity declarations are not accepted"
    )]
    Doctype { document: &'static str },
    #[error("the {document} has a processing instruction: none is accepted")]
    ProcessingInstruction { document: &'static str },
    #[error(
        "the {document} refers to entity &{name};: only &lt; &gt; &amp; &apos; &quot; and character references are accepted"
    )]
    Entity {
        document: &'static str,
        name: String,
    },
    #[error("the root element is `{found}`, not `{expected}`")]
    WrongRoot {
        expected: &'static str,
        found: String,
    },
    #[error(
        "element `{element}` of the {document} is in namespace {found:?}, not eCH-0090 version 2 (http://www.ech.ch/xmlns/eCH-0090/2) or 1"
    )]
    WrongNamespace {
        document: &'static str,
        element: String,
        found: Option<String>,
    },
    #[error("the {document}'s version attribute is {found:?}, not \"{expected}\"")]
    Version {
        document: &'static str,
        expected: &'static str,
        found: Option<String>,
    },
    #[error("the {document} has an attribute `{element}` that is not accepted")]
    UnexpectedAttribute {
        document: &'static str,
        element: String,
    },
    #[error("the {document} has an element `{element}` that arcgw does not accept there")]
    UnknownElement {
        document: &'static str,
        element: String,
    },
    #[error(
        "in the {document}, element `{element}` stands out of the standard's order or occurs more often than allowed"
    )]
    Misplaced {
        document: &'static str,
        element: &'static str,
    },
    #[error("the {document} has no `{element}` element, which is required")]
    Missing {
        document: &'static str,
        element: &'static str,
    },
    #[error(
        "in the {document}, element `{element}` holds an element `{child}`: it holds only text"
    )]
    NotALeaf {
        document: &'static str,
        element: &'static str,
        child: String,
    },
    #[error("in the {document}, `{element}`: {message}")]
    Value {
        document: &'static str,
        element: &'static str,
        message: String,
    },
}
