//! Formats: decoded text → [`Cell`]s, each with its field and record.
//!
//! A format parses one input's decoded text (a [`BufRead`] over what `decode` produced) and
//! pushes cells into a [`CellSink`]. It never sees detectors, and detectors never see formats:
//! the scan glue (`scan`) connects the two. One file per format; [`sniff`] picks one from the
//! content first and the file name second, so a wrong extension does not fool it.
//!
//! Every format must stream: memory is bounded by its own buffers, never by the input's size.

pub mod csv;
pub mod document;
pub mod json;
pub mod kv;
pub mod mail;
pub mod msg;
pub mod ods;
pub mod ole2;
pub mod parquet;
pub mod pdf;
pub mod sql;
pub mod table;
pub mod text;
pub mod window;

use std::io::{self, BufRead};
use std::ops::Range;

use thiserror::Error;

/// A span of decoded text, with where it sits and what it is.
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    /// The text (decoded bytes; UTF-8 except for invalid sequences passed through).
    pub text: &'a [u8],
    /// 1-based line of `text[0]` in the decoded input.
    pub line: u64,
    /// 1-based byte column of `text[0]`.
    pub column: u64,
    /// Column / key path / `table.column`, if the format knows one.
    pub field: Option<&'a str>,
    /// Record id (row, object, tuple) unique within the input; `None` means each line of the
    /// text is its own record (plain text).
    pub record: Option<u64>,
    /// Only findings starting in this range of `text` belong to this cell; the rest is overlap
    /// shared with a neighbouring cell (see `text`'s chunking).
    pub accept: Range<usize>,
}

/// Receives cells from a format.
pub trait CellSink {
    /// One cell. Called in input order.
    fn cell(&mut self, cell: &Cell<'_>);

    /// The block of decoded text that the cells which follow are cut from, where they are
    /// slices of it (a format may still pass a cell held elsewhere, such as an unescaped
    /// value). A format that reads in blocks calls this after every refill, before the cells
    /// of the new block: the detectors then search the whole block once for what each cell
    /// would have been searched for (see `detect::engine::block`). The default ignores it.
    fn block(&mut self, _block: &[u8]) {}
}

/// What a format reports when it finishes an input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FormatStats {
    /// Records seen (rows, objects, tuples, or lines).
    pub records: u64,
}

/// A format could not parse its input. Messages never quote the input's text.
#[derive(Debug, Error)]
pub enum FormatError {
    /// Reading failed.
    #[error("read error: {0}")]
    Io(#[from] io::Error),
    /// The input is not valid for the format; `line` says where.
    #[error("malformed {format} at line {line}: {message}")]
    Malformed {
        /// Format name.
        format: &'static str,
        /// 1-based line.
        line: u64,
        /// What is wrong (no input text).
        message: String,
    },
    /// A binary table file (SQLite database, workbook) could not be read; no line applies.
    #[error("unreadable {format}: {message}")]
    Unreadable {
        /// Format name.
        format: &'static str,
        /// What is wrong (no input text).
        message: String,
    },
    /// A resource cap was hit (record size, nesting depth...).
    #[error("{0}")]
    Limit(String),
}

/// A parser for one input format.
pub trait Format: Sync {
    /// Short name used in reports (`text`, `csv`, `json`, ...).
    fn name(&self) -> &'static str;
    /// Parses `input` and pushes its cells into `sink`.
    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError>;
}

/// Picks the format for an input from its first decoded block (`head`, up to 64 KiB) and its
/// display path. Content decides first, so a wrong extension cannot fool it: JSON if the head
/// starts with `{`/`[` and parses (NDJSON if it holds several top-level values), an SQL dump if
/// its first statement is SQL and it has a dump header or a CREATE TABLE / INSERT / COPY,
/// delimited text if one delimiter splits the first records consistently, key/value text (an
/// email, logfmt, `Key: value` lines) if most lines are pairs. Only when the content
/// is not conclusive does the extension decide (`.csv`/`.tsv`/`.psv`, `.json`/`.ndjson`/`.jsonl`
/// starting with `{`/`[`, `.sql`); anything else is plain text. Source code (an extension in
/// [`SOURCE_CODE`]) is never read as delimited or key/value text: its `name: Type,` and
/// `pub const X: u32 = 1;` lines are declarations, and a table of `0, // '\x00'` rows is an
/// array, not records — their "keys" would be reported as field names.
pub fn sniff(path: &str, head: &[u8]) -> &'static dyn Format {
    if let Some(f) = json::sniff(head) {
        return f;
    }
    if sql::sniff(head) {
        return &sql::Sql;
    }
    let ext = extension(path);
    if SOURCE_CODE.contains(&ext.as_str()) {
        return &text::Text;
    }
    if let Some(f) = csv::sniff(head) {
        return f;
    }
    if let Some(f) = kv::sniff(&ext, head) {
        return f;
    }
    if let Some(f) = csv::by_extension(&ext, head) {
        return f;
    }
    let starts_json = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['));
    match ext.as_str() {
        "json" | "geojson" if starts_json => &json::JSON,
        "ndjson" | "jsonl" if starts_json => &json::NDJSON,
        "sql" => &sql::Sql,
        _ => &text::Text,
    }
}

/// Extensions of programming languages' source files (lower case), read as plain text.
pub const SOURCE_CODE: &[&str] = &[
    "c", "cc", "cpp", "cxx", "h", "hh", "hpp", "hxx", "m", "mm", "rs", "go", "java", "kt", "kts",
    "scala", "groovy", "swift", "cs", "fs", "vb", "js", "mjs", "cjs", "jsx", "ts", "tsx", "py",
    "pyi", "rb", "php", "pl", "pm", "lua", "sh", "bash", "zsh", "ps1", "r", "dart", "zig", "hs",
    "ml", "ex", "exs", "erl", "clj", "el", "jl", "nim", "v", "sol", "proto",
];

/// Appends one key to a field path: `.key` (no dot at the start), or `["key"]` when the key
/// holds a `.` itself, so that a path splits back into its keys: `{"users":{"jane@example.com":
/// {"phone":…}}}` gives `users["jane@example.com"].phone`, never `users.jane@example.com.phone`,
/// whose keys no one could tell apart. The scan glue relies on this to find the keys that are
/// values and show them as placeholders (`users.{email}.phone`, see `detect::names`).
pub fn push_key(path: &mut String, key: &str) {
    if key.contains('.') {
        path.push_str("[\"");
        path.push_str(key);
        path.push_str("\"]");
    } else {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    }
}

/// Lower-cased extension of the last component of a display path (`a.zip!d/b.CSV` → `csv`).
fn extension(path: &str) -> String {
    let name = path.rsplit(['/', '\\', '!']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_content_first_extension_second() {
        let table: &[(&str, &str, &str)] = &[
            (
                "notes.txt",
                "id,email,dob\n1,a@example.com,1980-01-01\n2,b@example.com,1981-02-02\n",
                "csv",
            ),
            ("data.csv", "[{\"email\": \"a@example.com\"}]", "json"),
            ("x.log", "{\"a\":1}\n{\"a\":2}\n", "ndjson"),
            (
                "dump.txt",
                "-- MySQL dump 10.13\nCREATE TABLE `t` (`a` int);\n",
                "sql",
            ),
            (
                "a.tsv",
                "name\tphone\nAnn\t0491 570 156\nBob\t0491 570 157\n",
                "tsv",
            ),
            ("single.csv", "email\na@example.com\n", "csv"),
            ("bad.json", "{\"a\": nope", "json"),
            ("bad.json", "hello", "text"),
            ("q.sql", "garbage", "sql"),
            ("readme.md", "Hello, world.\nSome prose.\n", "text"),
            ("a.zip!dir/B.CSV", "x\n", "csv"),
            ("log.txt", "[2024-01-01] started, ok\n", "text"),
            (
                "app.log",
                "ts=1 level=info user=a\nts=2 level=warn user=b\nts=3 level=info user=c\n",
                "kv",
            ),
            (
                "msg.eml",
                "From: a@example.com\nSubject: x\n\nhi\n",
                "email",
            ),
            // Source code is text, whatever its lines look like; JSON and SQL still by content.
            (
                "ioctl.rs",
                "pub saddr: __be32,\npub daddr: __be32,\npub spi: __be32,\n",
                "text",
            ),
            (
                "freq.rs",
                "    0, // '\\x00'\n    1, // '\\x01'\n    2, // '\\x02'\n",
                "text",
            ),
            ("gen.PY", "a=1 b=2\na=3 b=4\nc=5 d=6\n", "text"),
            ("data.js", "[{\"email\": \"a@example.com\"}]", "json"),
            (
                "same.txt",
                "pub saddr: __be32,\npub daddr: __be32,\npub spi: __be32,\n",
                "kv",
            ),
        ];
        for (path, head, want) in table {
            assert_eq!(
                sniff(path, head.as_bytes()).name(),
                *want,
                "{path}: {head:?}"
            );
        }
    }
}

/// A sink that records every cell, for the formats' table tests.
#[cfg(test)]
pub(crate) mod test_sink {
    use super::{Cell, CellSink};

    /// (text, line, column, field, record) of one cell.
    pub type Row = (String, u64, u64, Option<String>, Option<u64>);

    /// Collects cells as [`Row`]s.
    #[derive(Default)]
    pub struct Collect(pub Vec<Row>);

    impl Collect {
        /// The first cell whose text is `text`.
        pub fn find(&self, text: &str) -> &Row {
            self.0
                .iter()
                .find(|r| r.0 == text)
                .unwrap_or_else(|| panic!("no cell {text:?} in {:?}", self.0))
        }
    }

    impl CellSink for Collect {
        fn cell(&mut self, c: &Cell<'_>) {
            self.0.push((
                String::from_utf8_lossy(c.text).into_owned(),
                c.line,
                c.column,
                c.field.map(str::to_string),
                c.record,
            ));
        }
    }
}
