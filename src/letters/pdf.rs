//! A document as an A4 PDF: its lines in 10-point Courier, one of the PDF's standard fonts
//! (nothing embedded; WinAnsi covers Italian, German and French), as many pages as needed.
//! Courier is monospaced, so a line of [`WIDTH`] characters fits the page by construction.

use printpdf::{
    BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};

use super::layout::{Document, WIDTH};

const PAGE_WIDTH_MM: f32 = 210.0;
const PAGE_HEIGHT_MM: f32 = 297.0;
const LEFT_MM: f32 = 25.0;
const TOP_MM: f32 = 25.0;
const BOTTOM_MM: f32 = 20.0;
const FONT_SIZE_PT: f32 = 10.0;
const LINE_HEIGHT_PT: f32 = 13.0;
/// A Courier character is 0.6 of the font size wide.
const CHAR_WIDTH_PT: f32 = 0.6 * FONT_SIZE_PT;
const PT_PER_MM: f32 = 72.0 / 25.4;

// A line of WIDTH characters ends at least 15 mm before the page's edge.
const _: () = assert!(
    LEFT_MM * PT_PER_MM + WIDTH as f32 * CHAR_WIDTH_PT < (PAGE_WIDTH_MM - 15.0) * PT_PER_MM
);

/// Lines per page.
fn lines_per_page() -> usize {
    let usable = (PAGE_HEIGHT_MM - TOP_MM - BOTTOM_MM) * PT_PER_MM;
    (usable / LINE_HEIGHT_PT) as usize
}

/// The PDF of `doc`.
pub fn render_pdf(doc: &Document) -> Vec<u8> {
    let pages = doc
        .lines
        .chunks(lines_per_page())
        .map(page)
        .collect::<Vec<_>>();
    let pages = if pages.is_empty() {
        vec![page(&[])]
    } else {
        pages
    };
    let mut pdf = PdfDocument::new(&doc.title);
    pdf.with_pages(pages);
    pdf.save(&PdfSaveOptions::default(), &mut Vec::new())
}

fn page(lines: &[String]) -> PdfPage {
    let top_pt = (PAGE_HEIGHT_MM - TOP_MM) * PT_PER_MM;
    let mut ops = Vec::with_capacity(lines.len() * 5);
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // Each line in its own text object: `Td` moves relative to the line before it within
        // one, and a fresh one starts from the page's origin.
        ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(BuiltinFont::Courier),
                size: Pt(FONT_SIZE_PT),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Mm(LEFT_MM).into(),
                    y: Pt(top_pt - i as f32 * LINE_HEIGHT_PT),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(line.clone())],
            },
            Op::EndTextSection,
        ]);
    }
    PdfPage::new(Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM), ops)
}

/// Whether the PDF's font prints `c`: WinAnsi (CP1252) holds ASCII, Latin-1 and some
/// typographic punctuation; any other character would come out as `?`.
pub fn prints(c: char) -> bool {
    matches!(c as u32, 0x20..=0x7E | 0xA0..=0xFF) || "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_prints_latin_letters_and_quotes_only() {
        assert!("àéèìòù äöüß çœ «» „“ ’ € – …".chars().all(prints));
        assert!(!"\n\u{0}\u{7f}\u{85}ął中😀\u{202e}".chars().any(prints));
    }

    #[test]
    fn a_page_holds_fifty_lines() {
        assert!(lines_per_page() >= 50);
    }

    #[test]
    fn documents_render_as_pdf_empty_or_not() {
        let mut doc = Document::new("test");
        for i in 0..(lines_per_page() * 2 + 3) {
            doc.paragraph(&format!("line {i} äöü éèà «»"));
        }
        for doc in [doc, Document::new("empty")] {
            let pdf = render_pdf(&doc);
            assert!(pdf.starts_with(b"%PDF-"));
            assert!(pdf.windows(5).any(|w| w == b"%%EOF"));
        }
    }
}
