//! Formats: decoded text → [`Cell`]s, each with its field and record.
//!
//! A format parses one input's decoded text (a [`BufRead`] over what `decode` produced) and
//! pushes cells into a [`CellSink`]. It never sees detectors, and detectors never see formats:
//! the scan glue (`scan`) connects the two. One file per format; [`sniff`] picks one from the
//! content first and the file name second, so a wrong extension does not fool it.
//!
//! Every format must stream: memory is bounded by its own buffers, never by the input's size.

pub mod text;

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

/// Picks the format for an input from its first decoded bytes and its display path.
pub fn sniff(_path: &str, _head: &[u8]) -> &'static dyn Format {
    &text::Text
}
