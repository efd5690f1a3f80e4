//! Office documents read as text: Word (`docx`), PowerPoint (`pptx`) and OpenDocument text and
//! presentations (`odt`, `odp`).
//!
//! Each is a zip of XML parts. The parts that hold what a reader sees are streamed with
//! `quick-xml` (constant memory apart from one paragraph or table cell):
//!
//! * **Paragraphs** become cells with no field; `line` is the paragraph's 1-based ordinal in the
//!   document (body, then headers, footers, footnotes and comments for Word; slides in order, then
//!   speaker notes, for PowerPoint), and each paragraph is its own record.
//! * **Tables** are tables: the first row is the header, and each later cell's field is its
//!   column's header text, so a "DOB" column in a Word table is read as dates of birth, and the
//!   cells of one row share a record. The header cells are scanned as text too.
//!
//! Deleted text kept by tracked changes (`w:delText`) is text a reader can recover, so it is
//! read. A paragraph longer than [`PARA_CAP`] is passed on in pieces of that size (a value cut by
//! a piece boundary can be missed; no real paragraph is that long). The parts' declared sizes are
//! capped before anything is read (as for workbooks). Errors never quote the document's text.

use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};

use super::{Cell, CellSink, FormatError, FormatStats};

/// Longest paragraph or table cell passed on whole (bytes).
pub const PARA_CAP: usize = 1 << 20;

/// The kind of a zip-based document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// Word (Office Open XML).
    Docx,
    /// PowerPoint (Office Open XML).
    Pptx,
    /// OpenDocument text.
    Odt,
    /// OpenDocument presentation.
    Odp,
}

impl Document {
    /// Format name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Document::Docx => "docx",
            Document::Pptx => "pptx",
            Document::Odt => "odt",
            Document::Odp => "odp",
        }
    }
}

/// The document kind of an open zip, if it is one (workbooks are told apart first, by
/// [`super::table::zip_book`]).
pub fn zip_document<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<Document> {
    if zip.index_for_name("[Content_Types].xml").is_some() {
        if zip.index_for_name("word/document.xml").is_some() {
            return Some(Document::Docx);
        }
        if zip.index_for_name("ppt/presentation.xml").is_some() {
            return Some(Document::Pptx);
        }
        return None;
    }
    let mut mime = Vec::new();
    let entry = zip.by_name("mimetype").ok()?;
    entry.take(128).read_to_end(&mut mime).ok()?;
    match mime.trim_ascii() {
        b"application/vnd.oasis.opendocument.text" => Some(Document::Odt),
        b"application/vnd.oasis.opendocument.presentation" => Some(Document::Odp),
        _ => None,
    }
}

/// The parts of `zip` that hold a `kind` document's text, in reading order.
pub fn text_parts<R: Read + Seek>(kind: Document, zip: &zip::ZipArchive<R>) -> Vec<String> {
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    // `slide10.xml` after `slide9.xml`: by the number in the name, then the name.
    let numbered = |prefix: &str| {
        let mut v: Vec<(u64, String)> = names
            .iter()
            .filter_map(|n| {
                let rest = n.strip_prefix(prefix)?.strip_suffix(".xml")?;
                let num = rest.parse::<u64>().unwrap_or(u64::MAX);
                Some((num, n.clone()))
            })
            .collect();
        v.sort();
        v.into_iter().map(|(_, n)| n)
    };
    match kind {
        Document::Docx => {
            let mut parts = vec!["word/document.xml".to_string()];
            for prefix in ["word/header", "word/footer"] {
                parts.extend(numbered(prefix));
            }
            for name in [
                "word/footnotes.xml",
                "word/endnotes.xml",
                "word/comments.xml",
            ] {
                if names.iter().any(|n| n == name) {
                    parts.push(name.to_string());
                }
            }
            parts
        }
        Document::Pptx => numbered("ppt/slides/slide")
            .chain(numbered("ppt/notesSlides/notesSlide"))
            .collect(),
        // Headers and footers of OpenDocument text live in the styles.
        Document::Odt | Document::Odp => ["content.xml", "styles.xml"]
            .into_iter()
            .filter(|n| names.iter().any(|m| m == n))
            .map(str::to_string)
            .collect(),
    }
}

/// Scans every text part of the `kind` document in `zip` into `sink`.
pub fn scan<R: Read + Seek>(
    kind: Document,
    zip: &mut zip::ZipArchive<R>,
    sink: &mut dyn CellSink,
) -> Result<FormatStats, FormatError> {
    let parts = text_parts(kind, zip);
    if parts.is_empty() {
        return Err(unreadable(kind, "no text part".into()));
    }
    let mut state = Reading::new(kind);
    for name in parts {
        let part = zip
            .by_name(&name)
            .map_err(|e| unreadable(kind, format!("{name}: {e}")))?;
        state
            .part(BufReader::new(part), sink)
            .map_err(|e| match e {
                PartError::Xml(pos) => {
                    unreadable(kind, format!("{name}: malformed XML near byte {pos}"))
                }
                PartError::Io(e) => FormatError::Io(e),
            })?;
    }
    Ok(FormatStats {
        records: state.records,
    })
}

fn unreadable(kind: Document, message: String) -> FormatError {
    FormatError::Unreadable {
        format: kind.name(),
        message,
    }
}

enum PartError {
    /// Not well-formed at this byte offset of the part.
    Xml(u64),
    Io(std::io::Error),
}

/// A table being read: its header and where the reader is in it.
#[derive(Default)]
struct Table {
    header: Vec<String>,
    row: u64,
    col: usize,
    /// The record id of the current row.
    record: u64,
}

/// What is known across the parts of one document.
struct Reading {
    kind: Document,
    /// Text of the paragraph or table cell being read.
    buf: String,
    /// Paragraph ordinal (`line` of the cells).
    line: u64,
    /// Line of the first paragraph in `buf`.
    buf_line: u64,
    records: u64,
    tables: Vec<Table>,
    /// Inside an element whose character data is text (`w:t`, `a:t`; any text in OpenDocument
    /// paragraphs).
    text_depth: u32,
}

impl Reading {
    fn new(kind: Document) -> Self {
        Reading {
            kind,
            buf: String::new(),
            line: 0,
            buf_line: 1,
            records: 0,
            tables: Vec::new(),
            text_depth: 0,
        }
    }

    fn open_doc(&self) -> bool {
        matches!(self.kind, Document::Odt | Document::Odp)
    }

    /// Streams one XML part.
    fn part<R: BufRead>(&mut self, r: R, sink: &mut dyn CellSink) -> Result<(), PartError> {
        let mut reader = quick_xml::Reader::from_reader(r);
        let mut xml = Vec::new();
        self.tables.clear();
        self.text_depth = 0;
        loop {
            let event = match reader.read_event_into(&mut xml) {
                Ok(e) => e,
                Err(quick_xml::Error::Io(e)) => {
                    return Err(PartError::Io(std::io::Error::new(e.kind(), e.to_string())));
                }
                Err(_) => return Err(PartError::Xml(reader.buffer_position())),
            };
            match event {
                Event::Start(e) => self.start(&e, false),
                Event::Empty(e) => self.start(&e, true),
                Event::End(e) => {
                    let local = e.local_name();
                    self.end(local.as_ref(), sink);
                }
                Event::Text(t) if self.text_depth > 0 => {
                    // Entity references come as events of their own (below).
                    self.push_text(&t.xml10_content(), sink);
                }
                Event::GeneralRef(r) if self.text_depth > 0 => {
                    let ch = match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    if let Some(c) = ch {
                        self.push_text(c.encode_utf8(&mut [0; 4]), sink);
                    }
                }
                Event::CData(t) if self.text_depth > 0 => self.push_text(&t, sink),
                Event::Eof => break,
                _ => {}
            }
            xml.clear();
        }
        // A part cut short (or with unclosed paragraphs) still passes on what it held.
        self.flush(sink);
        Ok(())
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let name = e.local_name();
        let open = self.open_doc();
        match name.as_ref() {
            "t" | "delText" if !open && !empty => self.text_depth += 1,
            "p" | "h" if open && !empty => self.text_depth += 1,
            "tab" => self.buf.push('\t'),
            "br" | "cr" | "line-break" => self.buf.push('\n'),
            // OpenDocument's run of spaces: `<text:s text:c="3"/>`.
            "s" if open => {
                let n = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "c")
                    .and_then(|a| a.value.trim().parse().ok())
                    .unwrap_or(1usize)
                    .min(64);
                self.buf.extend(std::iter::repeat_n(' ', n));
            }
            "tbl" | "table" if !empty => self.tables.push(Table::default()),
            "tr" | "table-row" if !empty => {
                if let Some(t) = self.tables.last_mut() {
                    t.row += 1;
                    t.col = 0;
                    self.records += 1;
                    t.record = self.records;
                }
            }
            "tc" | "table-cell" | "covered-table-cell" if !empty => self.start_cell(),
            "tc" | "table-cell" | "covered-table-cell" => {
                if let Some(t) = self.tables.last_mut() {
                    t.col += 1;
                }
            }
            _ => {}
        }
    }

    fn start_cell(&mut self) {
        if !self.buf.is_empty() {
            // The enclosing cell's text before a nested table: its own line, not glued to the
            // nested table's first cell (which takes the buffer).
            self.buf.push('\n');
        }
    }

    fn end(&mut self, local: &str, sink: &mut dyn CellSink) {
        let open = self.open_doc();
        match local {
            "t" | "delText" if !open => self.text_depth = self.text_depth.saturating_sub(1),
            "p" | "h" => {
                if open {
                    self.text_depth = self.text_depth.saturating_sub(1);
                }
                self.line += 1;
                if self.in_cell() {
                    // Paragraphs of one table cell are one cell, a line each.
                    self.buf.push('\n');
                } else {
                    self.emit_paragraph(sink);
                }
            }
            "tc" | "table-cell" | "covered-table-cell" => self.end_cell(sink),
            "tbl" | "table" => {
                self.tables.pop();
            }
            _ => {}
        }
    }

    fn in_cell(&self) -> bool {
        !self.tables.is_empty()
    }

    fn push_text(&mut self, mut text: &str, sink: &mut dyn CellSink) {
        // Only a hostile paragraph fills the buffer: it is passed on in pieces of the cap.
        while self.buf.len() + text.len() > PARA_CAP {
            let mut room = PARA_CAP.saturating_sub(self.buf.len());
            while room > 0 && !text.is_char_boundary(room) {
                room -= 1;
            }
            self.buf.push_str(&text[..room]);
            text = &text[room..];
            self.flush(sink);
        }
        self.buf.push_str(text);
    }

    /// A paragraph outside any table: its own record.
    fn emit_paragraph(&mut self, sink: &mut dyn CellSink) {
        if !self.buf.trim().is_empty() {
            self.records += 1;
            sink.cell(&Cell {
                text: self.buf.as_bytes(),
                line: self.buf_line,
                column: 1,
                field: None,
                record: Some(self.records),
                accept: 0..self.buf.len(),
            });
        }
        self.buf.clear();
        self.buf_line = self.line + 1;
    }

    /// A table cell: header text in the first row, a value under it in the others.
    fn end_cell(&mut self, sink: &mut dyn CellSink) {
        let text = std::mem::take(&mut self.buf);
        let value = text.trim_end_matches('\n');
        let Some(t) = self.tables.last_mut() else {
            return;
        };
        let col = t.col;
        t.col += 1;
        if t.row == 1 {
            t.header.push(value.trim().to_string());
        }
        let field = match t.header.get(col) {
            Some(h) if t.row > 1 && !h.is_empty() => Some(h.as_str()),
            _ => None,
        };
        if !value.trim().is_empty() {
            sink.cell(&Cell {
                text: value.as_bytes(),
                line: self.buf_line,
                column: 1,
                field,
                record: Some(t.record),
                accept: 0..value.len(),
            });
        }
        self.buf_line = self.line + 1;
        self.buf = text;
        self.buf.clear();
    }

    /// Passes on whatever text is pending (end of a part, or a paragraph over the cap).
    fn flush(&mut self, sink: &mut dyn CellSink) {
        if self.in_cell() {
            let text = std::mem::take(&mut self.buf);
            if !text.trim().is_empty() {
                let record = self.tables.last().map(|t| t.record);
                sink.cell(&Cell {
                    text: text.as_bytes(),
                    line: self.buf_line,
                    column: 1,
                    field: None,
                    record,
                    accept: 0..text.len(),
                });
            }
            self.buf = text;
            self.buf.clear();
        } else {
            self.emit_paragraph(sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use super::*;
    use crate::formats::test_sink::Collect;

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    /// A zip with the given (name, contents) members.
    fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts: zip::write::SimpleFileOptions = Default::default();
        for (name, body) in members {
            w.start_file(*name, opts).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn read(bytes: Vec<u8>) -> (Option<Document>, Result<FormatStats, String>, Collect) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let kind = zip_document(&mut zip);
        let mut sink = Collect::default();
        let stats = match kind {
            Some(k) => scan(k, &mut zip, &mut sink).map_err(|e| e.to_string()),
            None => Err("not a document".into()),
        };
        (kind, stats, sink)
    }

    fn docx(body: &str) -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            (
                "word/document.xml",
                &format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#),
            ),
        ])
    }

    fn para(text: &str) -> String {
        format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    #[test]
    fn docx_paragraphs_are_cells_with_their_ordinal_as_line() {
        let body = format!(
            "{}{}<w:p><w:r><w:t xml:space=\"preserve\">Call </w:t></w:r><w:r><w:t>0491 570 156</w:t><w:tab/><w:t>x &amp; y</w:t></w:r></w:p>",
            para("Dear Olivia,"),
            para("")
        );
        let (kind, stats, sink) = read(docx(&body));
        assert_eq!(kind, Some(Document::Docx));
        assert_eq!(stats, Ok(FormatStats { records: 2 }));
        let rows = &sink.0;
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].0, "Dear Olivia,");
        assert_eq!(rows[0].1, 1);
        assert_eq!(rows[1].0, "Call 0491 570 156\tx & y");
        assert_eq!(rows[1].1, 3, "the empty paragraph still counts as a line");
        assert_eq!(rows[1].3, None);
    }

    #[test]
    fn docx_table_header_row_names_the_fields_and_rows_share_a_record() {
        let cell = |t: &str| format!("<w:tc>{}</w:tc>", para(t));
        let row = |cells: &[&str]| {
            format!(
                "<w:tr>{}</w:tr>",
                cells.iter().map(|c| cell(c)).collect::<String>()
            )
        };
        let body = format!(
            "{}<w:tbl>{}{}{}</w:tbl>{}",
            para("Passengers"),
            row(&["Name", "DOB"]),
            row(&["Olivia Testperson", "1984-03-12"]),
            row(&["Noah Sampleton", "1990-11-02"]),
            para("End")
        );
        let (_, _, sink) = read(docx(&body));
        let rows = &sink.0;
        let get = |t: &str| {
            rows.iter()
                .find(|r| r.0 == t)
                .unwrap_or_else(|| panic!("{t} missing: {rows:?}"))
        };
        assert_eq!(get("Name").3, None, "header cells are text");
        assert_eq!(get("1984-03-12").3.as_deref(), Some("DOB"));
        assert_eq!(get("Olivia Testperson").3.as_deref(), Some("Name"));
        assert_eq!(get("Olivia Testperson").4, get("1984-03-12").4);
        assert_ne!(get("Noah Sampleton").4, get("1984-03-12").4);
        assert_eq!(get("End").3, None);
        assert!(get("End").1 > get("1990-11-02").1);
    }

    #[test]
    fn deleted_text_headers_and_footers_are_read() {
        let bytes = zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            (
                "word/document.xml",
                &format!(
                    r#"<w:document {W}><w:body><w:p><w:del><w:r><w:delText>olivia@example.com</w:delText></w:r></w:del></w:p></w:body></w:document>"#
                ),
            ),
            (
                "word/footer1.xml",
                &format!(r#"<w:ftr {W}>{}</w:ftr>"#, para("noah@example.com")),
            ),
        ]);
        let (_, _, sink) = read(bytes);
        let texts: Vec<&str> = sink.0.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(texts, ["olivia@example.com", "noah@example.com"]);
    }

    #[test]
    fn pptx_slides_in_numeric_order_then_notes() {
        let slide = |t: &str| {
            format!(
                r#"<p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{t}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
            )
        };
        let bytes = zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            ("ppt/presentation.xml", "<p:presentation/>"),
            ("ppt/slides/slide10.xml", &slide("ten")),
            ("ppt/slides/slide2.xml", &slide("two")),
            ("ppt/notesSlides/notesSlide1.xml", &slide("note")),
        ]);
        let (kind, _, sink) = read(bytes);
        assert_eq!(kind, Some(Document::Pptx));
        let texts: Vec<&str> = sink.0.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(texts, ["two", "ten", "note"]);
    }

    #[test]
    fn odt_text_spaces_and_tables() {
        let content = r#"<office:document-content xmlns:office="o" xmlns:text="t" xmlns:table="tb"><office:body><office:text>
<text:h>Contact</text:h><text:p>Call<text:s text:c="2"/>0491 570 156<text:line-break/>soon</text:p>
<table:table><table:table-row><table:table-cell><text:p>email</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>olivia@example.com</text:p></table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>"#;
        let bytes = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", content),
        ]);
        let (kind, _, sink) = read(bytes);
        assert_eq!(kind, Some(Document::Odt));
        let texts: Vec<&str> = sink.0.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Contact",
                "Call  0491 570 156\nsoon",
                "email",
                "olivia@example.com"
            ]
        );
        assert_eq!(sink.0[3].3.as_deref(), Some("email"));
    }

    #[test]
    fn malformed_xml_is_an_error_that_quotes_nothing_and_keeps_what_came_before() {
        let bytes = docx(&format!(
            "{}<w:p><w:r><w:t>secret</w:x></w:p>",
            para("before")
        ));
        let (_, stats, sink) = read(bytes);
        let err = stats.unwrap_err();
        assert!(err.contains("malformed XML"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert_eq!(sink.0[0].0, "before");
    }

    #[test]
    fn workbooks_and_plain_zips_are_not_documents() {
        let xlsx = zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            ("xl/workbook.xml", "<workbook/>"),
        ]);
        assert_eq!(read(xlsx).0, None);
        assert_eq!(read(zip_of(&[("a.txt", "x")])).0, None);
        let ods = zip_of(&[("mimetype", "application/vnd.oasis.opendocument.spreadsheet")]);
        assert_eq!(read(ods).0, None);
    }

    #[test]
    fn a_hostile_paragraph_is_passed_on_in_bounded_pieces() {
        let long = "a".repeat(PARA_CAP * 2 + 10);
        let (_, _, sink) = read(docx(&para(&long)));
        assert!(sink.0.len() >= 2);
        assert!(sink.0.iter().all(|r| r.0.len() <= PARA_CAP + 16));
        assert_eq!(sink.0.iter().map(|r| r.0.len()).sum::<usize>(), long.len());
    }
}
