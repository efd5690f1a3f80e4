//! A pre-check of an OpenDocument spreadsheet before it is handed to calamine.
//!
//! ODS compresses runs with `table:number-rows-repeated` and `table:number-columns-repeated`,
//! and calamine materialises every repeated cell (each with a formula string beside it) before
//! trimming: an 823-byte file whose one row of 90 repeated "x" cells repeats a million times took
//! 74 s and 11 GB. calamine caps a sheet at 100 M cells, which is still gigabytes. [`check`]
//! streams `content.xml` (constant memory) and counts, per table, an upper bound of what
//! calamine will build — every non-self-closing cell element times its column repeat (calamine
//! ignores self-closing ones and also drops trailing empty cells, which this does not try to
//! tell), per row element and times the row's repeat count — and refuses a table that does not
//! fit the bound every workbook kind shares (`ole2::grid_fits`: 2 Mi cells, or 16 per cell
//! element written). A real sheet that large is written out cell by cell.

use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::events::Event;

/// calamine's caps (`ods.rs`): columns per row, rows per table.
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;

/// Why an ods workbook was refused (never quotes content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// `content.xml` is missing or not well-formed XML (calamine would fail too).
    #[error("content.xml not readable")]
    Unreadable,
    /// A table's repeated cells expand to a grid far larger than the file.
    #[error("repeated cells expand to a grid too large to load")]
    Expansion,
}

/// Checks the ods workbook (a zip) in `r`.
pub fn check<R: Read + Seek>(r: R) -> Result<(), Refused> {
    let mut zip = zip::ZipArchive::new(r).map_err(|_| Refused::Unreadable)?;
    let content = zip
        .by_name("content.xml")
        .map_err(|_| Refused::Unreadable)?;
    check_content(BufReader::new(content))
}

/// The count for one table, as calamine builds it.
#[derive(Default)]
struct Table {
    /// Cells calamine stores before expanding row repeats.
    stored: u64,
    /// Cells after expanding row repeats.
    expanded: u64,
    /// Cell elements written in the file.
    elements: u64,
    rows: u64,
}

impl Table {
    fn check(&self) -> Result<(), Refused> {
        if !super::ole2::grid_fits(self.stored.max(self.expanded), self.elements) {
            return Err(Refused::Expansion);
        }
        Ok(())
    }
}

fn repeats(e: &quick_xml::events::BytesStart<'_>, name: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse().ok())
        .unwrap_or(1)
}

/// Streams `content.xml` and checks every table.
fn check_content<R: BufRead>(r: R) -> Result<(), Refused> {
    let mut reader = quick_xml::Reader::from_reader(r);
    let mut buf = Vec::new();
    let mut table = Table::default();
    // The row being read: its repeat count and its cells so far.
    let mut row: Option<(u64, u64)> = None;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|_| Refused::Unreadable)?;
        match event {
            Event::Start(e) if e.name().as_ref() == "table:table" => table = Table::default(),
            Event::End(e) if e.name().as_ref() == "table:table" => table.check()?,
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let n = repeats(&e, "table:number-rows-repeated")
                    .min(MAX_ROWS.saturating_sub(table.rows));
                table.rows += n;
                row = Some((n, 0));
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let Some((n, cells)) = row.take() {
                    table.stored = table.stored.saturating_add(cells);
                    table.expanded = table.expanded.saturating_add(n.saturating_mul(cells));
                    table.check()?;
                }
            }
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                table.elements += 1;
                if let Some((_, cells)) = row.as_mut() {
                    // Counted as a value (calamine may find it empty; counting it is the safe side).
                    let n = repeats(&e, "table:number-columns-repeated");
                    *cells = (*cells + n).min(MAX_COLUMNS);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    table.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(tables: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        )
    }

    fn check_str(s: &str) -> Result<(), Refused> {
        check_content(s.as_bytes())
    }

    const X: &str =
        r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;

    #[test]
    fn repeated_rows_of_repeated_cells_are_refused() {
        let bomb = r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="90" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#;
        assert_eq!(check_str(&content(bomb)), Err(Refused::Expansion));
        // One row of 16,384 repeated cells, written 200 times: stored before any row repeat.
        let wide = r#"<table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
        let t = format!(
            r#"<table:table table:name="S">{}</table:table>"#,
            wide.repeat(200)
        );
        assert_eq!(check_str(&content(&t)), Err(Refused::Expansion));
    }

    #[test]
    fn ordinary_sheets_and_trailing_fill_pass() {
        // What LibreOffice writes: real rows, then self-closing fill to the sheet's end.
        let rows: String = (0..3000)
            .map(|_| format!("<table:table-row>{X}{X}{X}<table:table-cell table:number-columns-repeated=\"1021\"/></table:table-row>"))
            .collect();
        let fill = r#"<table:table-row table:number-rows-repeated="1045000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        let t = format!(r#"<table:table table:name="S">{rows}{fill}</table:table>"#);
        assert_eq!(check_str(&content(&t)), Ok(()));
        // A moderately repeated block stays under the free bound.
        let block = format!(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="100" office:value-type="float" office:value="0"/>{X}</table:table-row></table:table>"#
        );
        assert_eq!(check_str(&content(&block)), Ok(()));
    }
}
