//! Table files that are not text: SQLite databases (`rusqlite`, bundled SQLite) and spreadsheets
//! (xlsx/xlsm/xlsb/xls/ods via `calamine`). They are detected by `unpack` from their bytes (the
//! SQLite header, a zip holding `[Content_Types].xml` + `xl/` or an OpenDocument spreadsheet
//! `mimetype`, an OLE2 file that calamine opens as xls) and read from a file: the input itself,
//! or a spooled copy for archive members and stdin (anonymous for workbooks; a named 0600 file in a
//! private temp dir, removed when done, for SQLite, which opens databases by name).
//!
//! Every value becomes one [`Cell`] at column 1 of its row (so a finding's `column` is its
//! 1-based byte offset inside the value), with:
//!
//! * **SQLite** — `field` = `table.column`, `line` = the row's 1-based position in
//!   `SELECT * FROM "table"` (rowid order for ordinary tables), every table in `sqlite_master`
//!   except SQLite's own `sqlite_*` tables (views are skipped: their rows live in tables).
//!   Integers and reals as their decimal text; text as stored; blobs only if valid UTF-8; NULL
//!   skipped. Rows are streamed: memory is one row, and a single value over [`VALUE_CAP`] is an
//!   error for the input. The database is opened read-only and `immutable` (no locks, no journal
//!   or WAL files consulted), so content only in an uncommitted `-wal` file beside it is not seen.
//! * **Spreadsheets** — `field` = `sheet.header` (the dot, as in `table.column`, lets header
//!   matching see the header), where the header is the first non-empty row of the sheet's used
//!   range when every cell in it is text; otherwise, and for empty header cells, the column
//!   letter (`Sheet1.C`). `line` = the 1-based spreadsheet row as Excel shows it. The header row
//!   itself is scanned with no field. calamine loads a whole sheet into memory, so workbooks are
//!   capped: a zip workbook whose members declare more than [`WORKBOOK_CAP`] bytes uncompressed,
//!   or an xls file larger than that, is an error for its input.
//!
//! For both, `record` is the row's 1-based ordinal across the whole input (so rows of different
//! tables or sheets never share a record id). Errors never quote values.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use calamine::{Data, Reader, Sheets};

use super::{Cell, CellSink, FormatError, FormatStats};

/// Largest single value (SQLite text/blob) scanned; larger is an error for the input.
pub const VALUE_CAP: usize = 64 << 20;
/// Largest workbook read into memory (declared uncompressed size of a zip workbook's members,
/// or the size of an xls file).
pub const WORKBOOK_CAP: u64 = 256 << 20;

/// The first 16 bytes of every SQLite 3 database file.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// The first 8 bytes of an OLE2 compound file (xls, and also doc, msg, encrypted OOXML...).
pub const OLE2_MAGIC: &[u8; 8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The kind of a zip-based workbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipBook {
    /// Office Open XML (xlsx, xlsm).
    Xlsx,
    /// Binary Office Open XML (xlsb).
    Xlsb,
    /// OpenDocument spreadsheet.
    Ods,
}

impl ZipBook {
    /// Format name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ZipBook::Xlsx => "xlsx",
            ZipBook::Xlsb => "xlsb",
            ZipBook::Ods => "ods",
        }
    }
}

/// The spreadsheet kind of an open zip, if it is one.
pub fn zip_book<R: std::io::Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<ZipBook> {
    if zip.index_for_name("[Content_Types].xml").is_some() {
        if zip.index_for_name("xl/workbook.xml").is_some() {
            return Some(ZipBook::Xlsx);
        }
        if zip.index_for_name("xl/workbook.bin").is_some() {
            return Some(ZipBook::Xlsb);
        }
        return None;
    }
    let mut mime = Vec::new();
    let entry = zip.by_name("mimetype").ok()?;
    std::io::Read::read_to_end(&mut std::io::Read::take(entry, 128), &mut mime).ok()?;
    (mime.trim_ascii() == b"application/vnd.oasis.opendocument.spreadsheet").then_some(ZipBook::Ods)
}

/// Declared uncompressed bytes of all members of `zip`.
pub fn zip_declared_size<R: std::io::Read + Seek>(zip: &mut zip::ZipArchive<R>) -> u64 {
    (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|e| e.size()))
        .fold(0u64, u64::saturating_add)
}

/// An open workbook.
pub type Workbook = Sheets<BufReader<File>>;

/// Opens a zip workbook of kind `kind` from `file` (read from its start).
pub fn open_zip_book(kind: ZipBook, mut file: File) -> Result<Workbook, FormatError> {
    if kind == ZipBook::Ods {
        file.seek(SeekFrom::Start(0))?;
        super::ods::check(BufReader::new(&mut file))
            .map_err(|why| unreadable(kind.name(), why.to_string()))?;
    }
    file.seek(SeekFrom::Start(0))?;
    let rs = BufReader::new(file);
    let book = match kind {
        ZipBook::Xlsx => calamine::Xlsx::new(rs).map(Sheets::Xlsx).map_err(drop),
        ZipBook::Xlsb => calamine::Xlsb::new(rs).map(Sheets::Xlsb).map_err(drop),
        ZipBook::Ods => calamine::Ods::new(rs).map(Sheets::Ods).map_err(drop),
    };
    // calamine's messages may quote cell text (parse errors), so they are not passed on.
    book.map_err(|_| {
        unreadable(
            kind.name(),
            "cannot open workbook (corrupt, encrypted or unsupported)".into(),
        )
    })
}

/// What an OLE2 file turned out to be.
pub enum Ole2 {
    /// An xls workbook.
    Xls(Box<Workbook>),
    /// A password-protected xls: an error for the input.
    Encrypted,
    /// Not a workbook calamine reads (a `.doc`, `.msg`, ...): scanned like any other file.
    Other,
    /// A compound file whose sector chains do not end (damaged or hostile): an error for the
    /// input, never handed to calamine (see [`super::ole2`]).
    Unsound(super::ole2::Unsound),
}

/// Tries `file` (an OLE2 compound file) as an xls workbook.
pub fn open_ole2(mut file: File) -> Ole2 {
    let len = file.metadata().map_or(0, |m| m.len());
    if let Err(why) = super::ole2::chains_are_sound(&mut file, len)
        .and_then(|()| super::ole2::dimensions_are_sane(BufReader::new(&mut file)))
    {
        return Ole2::Unsound(why);
    }
    if file.seek(SeekFrom::Start(0)).is_err() {
        return Ole2::Other;
    }
    match calamine::Xls::new(BufReader::new(file)) {
        Ok(x) => Ole2::Xls(Box::new(Sheets::Xls(x))),
        Err(calamine::XlsError::Password) => Ole2::Encrypted,
        Err(_) => Ole2::Other,
    }
}

fn unreadable(format: &'static str, message: String) -> FormatError {
    FormatError::Unreadable { format, message }
}

/// Column letters for a 0-based column index (`0` → `A`, `27` → `AB`).
fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Pushes every non-empty cell of every sheet of `book` into `sink`.
pub fn scan_workbook(
    format: &'static str,
    book: &mut Workbook,
    sink: &mut dyn CellSink,
) -> Result<FormatStats, FormatError> {
    let mut record = 0u64;
    let mut text = String::new();
    for sheet in book.sheet_names() {
        grid_is_sane(book, &sheet)
            .map_err(|why| unreadable(format, format!("sheet {sheet:?}: {why}")))?;
        let range = book.worksheet_range(&sheet).map_err(|_| {
            unreadable(
                format,
                format!("sheet {sheet:?} cannot be read (corrupt or unsupported)"),
            )
        })?;
        let Some((row0, col0)) = range.start() else {
            continue;
        };
        let mut rows = range.rows().peekable();
        let header_is_text = rows.peek().is_some_and(|r| {
            r.iter().any(|c| !matches!(c, Data::Empty))
                && r.iter().all(|c| matches!(c, Data::Empty | Data::String(_)))
        });
        let width = rows.peek().map_or(0, |r| r.len());
        let fields: Vec<String> = (0..width)
            .map(|i| {
                let header = match rows.peek().and_then(|r| r.get(i)) {
                    Some(Data::String(s)) if header_is_text && !s.trim().is_empty() => {
                        s.trim().to_string()
                    }
                    _ => column_letters(col0 + i as u32),
                };
                format!("{sheet}.{header}")
            })
            .collect();
        for (i, row) in rows.enumerate() {
            record += 1;
            let line = u64::from(row0) + i as u64 + 1;
            let field = |j: usize| (!(header_is_text && i == 0)).then(|| fields[j].as_str());
            for (j, value) in row.iter().enumerate() {
                if matches!(value, Data::Empty) {
                    continue;
                }
                text.clear();
                std::fmt::Write::write_fmt(&mut text, format_args!("{value}"))
                    .map_err(|_| unreadable(format, "unprintable value".into()))?;
                sink.cell(&Cell {
                    text: text.as_bytes(),
                    line,
                    column: 1,
                    field: field(j),
                    record: Some(record),
                    accept: 0..text.len(),
                });
            }
        }
    }
    Ok(FormatStats { records: record })
}

/// calamine turns a sheet into a dense grid spanning its cells: an xlsx of 1.6 KB with cells at
/// A1 and XFD1048576 asked for 17 billion cells and aborted the process (an allocation failure
/// cannot be caught). For xlsx and xlsb, one streaming pass over the sheet's cells (calamine's
/// cell reader, constant memory) measures the grid first, with the same rule as for xls
/// ([`super::ole2`]). xls and ods are checked when opened ([`super::ods`] for the latter).
fn grid_is_sane(book: &mut Workbook, sheet: &str) -> Result<(), super::ole2::Unsound> {
    let mut grid = super::ole2::Grid::default();
    // A sheet the reader cannot read is left to `worksheet_range`, which reports it as before;
    // the cells read until then still count.
    match book {
        Sheets::Xlsx(x) => {
            if let Ok(mut cells) = x.worksheet_cells_reader(sheet) {
                while let Ok(Some(c)) = cells.next_cell() {
                    let (row, col) = c.get_position();
                    grid.add(row, col, col, 1);
                }
            }
        }
        Sheets::Xlsb(x) => {
            // The same loop: the two readers are different types with no common trait.
            if let Ok(mut cells) = x.worksheet_cells_reader(sheet) {
                while let Ok(Some(c)) = cells.next_cell() {
                    let (row, col) = c.get_position();
                    grid.add(row, col, col, 1);
                }
            }
        }
        _ => {}
    }
    grid.check()
}

/// A path under which SQLite can open the already-open `file` (the input itself, or an
/// anonymous spooled copy that has no name).
#[cfg(target_os = "linux")]
fn fd_path(file: &File) -> Result<String, FormatError> {
    use std::os::fd::AsRawFd;
    Ok(format!("/proc/self/fd/{}", file.as_raw_fd()))
}

#[cfg(not(target_os = "linux"))]
fn fd_path(_file: &File) -> Result<String, FormatError> {
    Err(FormatError::Limit(
        "SQLite database files are only read on Linux in this version".into(),
    ))
}

fn sqlite_err(e: rusqlite::Error) -> FormatError {
    // SQLite's messages describe the file ("file is not a database", "database disk image is
    // malformed"), never row contents.
    unreadable("sqlite", e.to_string())
}

/// The text of one SQLite value as the scanner reads it: numbers written out (in `num`), text
/// as is, a blob only if it is UTF-8; `None` for NULL and binary blobs (nothing to scan).
pub fn sqlite_value_text<'a>(
    value: rusqlite::types::ValueRef<'a>,
    num: &'a mut String,
) -> Option<&'a [u8]> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(i) => {
            num.clear();
            num.push_str(&i.to_string());
            Some(num.as_bytes())
        }
        ValueRef::Real(f) => {
            num.clear();
            num.push_str(&f.to_string());
            Some(num.as_bytes())
        }
        ValueRef::Text(t) => Some(t),
        ValueRef::Blob(b) if std::str::from_utf8(b).is_ok() => Some(b),
        ValueRef::Blob(_) => None,
    }
}

/// Pushes every value of every table of the SQLite database in `file` into `sink`. SQLite opens
/// databases by name: `at` is the file's path when it has a private one (a spooled temp file);
/// otherwise the file is opened through `/proc/self/fd`.
pub fn scan_sqlite(
    file: &File,
    at: Option<&Path>,
    sink: &mut dyn CellSink,
) -> Result<FormatStats, FormatError> {
    use rusqlite::OpenFlags;
    let name = match at {
        Some(p) => p.to_string_lossy().into_owned(),
        None => fd_path(file)?,
    };
    // URI syntax: only `?` and `#` (and `%`) would be misread in a file name.
    let name = name
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    let uri = format!("file:{name}?immutable=1");
    let db = rusqlite::Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite_err)?;
    let tables: Vec<String> = {
        let mut stmt = db
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
            )
            .map_err(sqlite_err)?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sqlite_err)?;
        names.collect::<Result<_, _>>().map_err(sqlite_err)?
    };
    let mut record = 0u64;
    let mut num = String::new();
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        let mut stmt = db
            .prepare(&format!("SELECT * FROM \"{quoted}\""))
            .map_err(sqlite_err)?;
        let fields: Vec<String> = stmt
            .column_names()
            .map(|c| format!("{table}.{c}"))
            .collect();
        let mut rows = stmt.query([]).map_err(sqlite_err)?;
        let mut line = 0u64;
        while let Some(row) = rows.next().map_err(sqlite_err)? {
            line += 1;
            record += 1;
            for (j, field) in fields.iter().enumerate() {
                let value = row.get_ref(j).map_err(sqlite_err)?;
                let Some(text) = sqlite_value_text(value, &mut num) else {
                    continue;
                };
                if text.len() > VALUE_CAP {
                    return Err(FormatError::Limit(format!(
                        "value in {field} at row {line} larger than {VALUE_CAP} bytes (value cap hit)"
                    )));
                }
                sink.cell(&Cell {
                    text,
                    line,
                    column: 1,
                    field: Some(field),
                    record: Some(record),
                    accept: 0..text.len(),
                });
            }
        }
    }
    Ok(FormatStats { records: record })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_are_excel_style() {
        for (i, want) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
        ] {
            assert_eq!(column_letters(i), want);
        }
    }
}
