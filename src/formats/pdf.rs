//! PDF: the text of every page, read with `lopdf` (cargo feature `pdf`; without it a PDF is
//! listed as skipped with the reason).
//!
//! `lopdf` decompresses content streams (FlateDecode and the other standard filters, each page's
//! decompressed content capped at [`PAGE_CAP`]) and maps glyphs to text through the font's
//! encoding or its ToUnicode map. Each line of a page's text is a cell with `field` = `page N`
//! (1-based), `line` = the line within the whole document (pages in order), and is its own
//! record. An encrypted PDF is opened with the empty user password (what a viewer does without
//! asking); one that needs a password is an error for that file. A PDF whose pages hold no text
//! at all is listed as skipped: "no text layer (scanned image)" when it holds images, else as
//! blank or damaged ([`NO_CONTENT`]). The file is
//! held in memory, up to [`PDF_CAP`] bytes (a larger one is an error), and the pages' content
//! together is capped at [`DOC_CONTENT_CAP`] decompressed bytes, checked before any page is
//! parsed (a file over it is an error naming the page where the budget ran out): text
//! extraction's time is linear in that content, and `lopdf` does not descend into form
//! XObjects, so nesting adds no work. Errors never quote text.

use super::{Cell, CellSink, FormatError, FormatStats};

/// Largest PDF read (bytes).
pub const PDF_CAP: u64 = 256 << 20;
/// Largest decompressed content of one page (bytes).
pub const PAGE_CAP: usize = 64 << 20;
/// Largest decompressed content of all pages together (bytes): the per-file bound on text
/// extraction's work. Counted in bytes, not wall-clock, so a file's outcome does not depend on
/// the machine. Many pages may share one content stream, so without it a small file could make
/// the parser read [`PAGE_CAP`] bytes once per page.
pub const DOC_CONTENT_CAP: usize = 256 << 20;
/// Why a PDF is not read in a build without the `pdf` feature.
pub const NOT_COMPILED: &str = "PDF support not compiled in (cargo feature `pdf`)";
/// Why a PDF with no text but with images is skipped.
pub const NO_TEXT: &str = "no text layer (scanned image)";
/// Why a PDF with neither text nor images is skipped (blank, or its content lost to damage).
pub const NO_CONTENT: &str = "no text and no images (blank, or damaged: content missing)";

/// Why a PDF whose pages hold no text is skipped: [`NO_TEXT`] when it holds an image (a scan),
/// else [`NO_CONTENT`] — a file cut off before its content streams must not pass for a scan.
pub fn no_text_reason(raw: &[u8]) -> &'static str {
    if memchr::memmem::find(raw, b"/Image").is_some() {
        NO_TEXT
    } else {
        NO_CONTENT
    }
}

/// Whether `head` starts a PDF: `%PDF-` in its first 16 bytes (after a BOM or the few bytes of
/// junk some writers leave; readers accept it further in, but a text that quotes `%PDF-` is
/// not a PDF).
pub fn sniff(head: &[u8]) -> bool {
    memchr::memmem::find(&head[..head.len().min(16)], b"%PDF-").is_some()
}

/// The text of each page, in order. `Err` when the file is not a readable PDF.
#[cfg(feature = "pdf")]
pub fn pages(raw: &[u8]) -> Result<Vec<String>, FormatError> {
    let unreadable = |message: String| FormatError::Unreadable {
        format: "pdf",
        message,
    };
    let doc = lopdf::Document::load_mem_with_options(raw, lopdf::LoadOptions::with_password(""))
        .map_err(|e| {
            if raw_is_encrypted(raw) {
                unreadable("encrypted PDF that needs a password: not read".into())
            } else {
                unreadable(format!("not a readable PDF: {}", short(&e.to_string())))
            }
        })?;
    if doc.is_encrypted() {
        return Err(unreadable(
            "encrypted PDF that needs a password: not read".into(),
        ));
    }
    let pages = doc.get_pages();
    // First pass: the pages' decompressed content summed against the file's budget, before any
    // of it is parsed — a file over it stops here, having only inflated (cheap) and never
    // tokenised (the costly part) more than the budget.
    let mut left = DOC_CONTENT_CAP;
    for (&n, &id) in &pages {
        let over = || {
            unreadable(format!(
                "page {n}: the pages' content passes {} MiB (per-file cap): not read",
                DOC_CONTENT_CAP >> 20
            ))
        };
        let limit = left.min(PAGE_CAP);
        match doc.get_page_content_with_limit(id, limit) {
            Ok(content) => left = left.checked_sub(content.len()).ok_or_else(over)?,
            Err(_) if limit < PAGE_CAP => return Err(over()),
            // A page over PAGE_CAP on its own (or damaged) is reported by the extraction below.
            Err(_) => {}
        }
    }
    let mut out = Vec::new();
    for &n in pages.keys() {
        let text = doc
            .extract_text_with_limit(&[n], PAGE_CAP)
            .map_err(|e| unreadable(format!("page {n}: {}", short(&e.to_string()))))?;
        out.push(text);
    }
    if out.is_empty() {
        // A cut-off file loads with its page tree gone: that is damage, not a scan.
        return Err(unreadable(
            "no pages found (truncated or damaged PDF)".into(),
        ));
    }
    Ok(out)
}

/// Whether the trailer names an `/Encrypt` dictionary (to say why a load failed).
#[cfg(feature = "pdf")]
fn raw_is_encrypted(raw: &[u8]) -> bool {
    memchr::memmem::find(raw, b"/Encrypt").is_some()
}

/// A library message cut short: it may quote a token of the file, never much of it.
#[cfg(feature = "pdf")]
fn short(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Whether the pages hold no text at all.
pub fn no_text(pages: &[String]) -> bool {
    pages.iter().all(|p| p.trim().is_empty())
}

/// Pushes each page's lines as cells (see the module docs).
pub fn emit(pages: &[String], sink: &mut dyn CellSink) -> Result<FormatStats, FormatError> {
    let mut line = 0u64;
    let mut field = String::new();
    for (i, page) in pages.iter().enumerate() {
        field.clear();
        field.push_str("page ");
        field.push_str(&(i + 1).to_string());
        for l in page.lines() {
            line += 1;
            let text = l.as_bytes();
            if text.trim_ascii().is_empty() {
                continue;
            }
            sink.cell(&Cell {
                text,
                line,
                column: 1,
                field: Some(&field),
                record: Some(line),
                accept: 0..text.len(),
            });
        }
    }
    Ok(FormatStats { records: line })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_sink::Collect;

    #[test]
    fn lines_count_across_pages_and_fields_name_pages() {
        let pages = vec!["a\nb\n".to_string(), "\n".to_string(), "c".to_string()];
        let mut c = Collect::default();
        let stats = emit(&pages, &mut c).unwrap();
        assert_eq!(stats.records, 4);
        let got: Vec<(&str, u64, Option<&str>)> =
            c.0.iter()
                .map(|r| (r.0.as_str(), r.1, r.3.as_deref()))
                .collect();
        assert_eq!(
            got,
            [
                ("a", 1, Some("page 1")),
                ("b", 2, Some("page 1")),
                ("c", 4, Some("page 3"))
            ]
        );
        assert!(no_text(&["".into(), " \n".into()]));
        assert!(!no_text(&pages));
    }

    #[test]
    fn sniff_pdf() {
        assert!(sniff(b"%PDF-1.7\n%\xe2\xe3"));
        assert!(sniff(b"\xef\xbb\xbf%PDF-1.4"));
        assert!(!sniff(b"notes about the %PDF-1.7 header"));
        assert!(!sniff(b"%PDF"));
    }
}
