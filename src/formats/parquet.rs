//! Parquet files, read with the `parquet` crate's record API (no Arrow), when piiscan is built
//! with the `parquet` cargo feature. Without the feature, `unpack` still recognises a Parquet
//! file and lists it as skipped with [`NOT_COMPILED`], so it is never silently passed over.
//!
//! Recognition is by content: the file starts with the magic [`MAGIC`] (`PAR1`) and its first
//! block holds a NUL byte (every real Parquet file does: page headers and length prefixes are
//! binary), so a text file that merely begins with the letters `PAR1` stays text. The footer
//! (which must end with `PAR1` too) is checked by the `parquet` crate; a truncated file fails
//! there, as an error for its input.
//!
//! Every non-null leaf value becomes one [`Cell`](super::Cell) at column 1 (so a finding's
//! `column` is its 1-based byte offset inside the value), with:
//!
//! * `field` = the column path: the top-level column name, nested groups joined with `.`
//!   (`customer.contact.email`), list elements as `name[]` (as in the JSON format:
//!   `contacts[].phone`), map keys and values as `name.key` / `name.value`;
//! * `line` = `record` = the row's 1-based number in the file (row groups follow each other,
//!   so the third row of the second 1000-row group is row 1003), like a SQLite table's row.
//!
//! Strings as stored; byte arrays only if valid UTF-8; integers, decimals and floats as decimal
//! text; dates as `YYYY-MM-DD` and timestamps as `YYYY-MM-DD HH:MM:SS` (UTC) so a date of birth
//! column is seen as one; booleans, times of day and nulls are skipped (they hold no PII).
//!
//! Memory: row groups are read one after another and, inside one, pages are read from the file
//! as rows are decoded, so memory is about one page per column plus one row. A row group whose
//! metadata declares more than [`ROW_GROUP_CAP`] bytes uncompressed, a single value over
//! [`VALUE_CAP`](super::table::VALUE_CAP) and nesting deeper than [`MAX_DEPTH`] are errors
//! for the input (caps are reported, never silent). Errors never quote values: the `parquet`
//! crate's messages are replaced by what kind of failure it was.

/// The first (and last) four bytes of every Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Largest uncompressed size a row group may declare; larger is an error for the input.
pub const ROW_GROUP_CAP: u64 = 256 << 20;

/// Deepest nesting of groups, lists and maps followed inside one row.
pub const MAX_DEPTH: usize = 64;

/// The skip reason for a Parquet file when piiscan is built without the `parquet` feature.
pub const NOT_COMPILED: &str = "Parquet file: Parquet support is not compiled into this piiscan \
     (build with `cargo build --features parquet`); not scanned";

/// Whether `head` (the first block of an input) is the start of a Parquet file: the magic,
/// then binary content.
pub fn sniff(head: &[u8]) -> bool {
    head.starts_with(MAGIC) && memchr::memchr(0, head).is_some()
}

#[cfg(feature = "parquet")]
pub use reader::scan;

#[cfg(feature = "parquet")]
mod reader {
    use std::fs::File;

    use parquet::errors::ParquetError;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::{MAX_DEPTH, ROW_GROUP_CAP};
    use crate::formats::table::VALUE_CAP;
    use crate::formats::{Cell, CellSink, FormatError, FormatStats};

    /// What kind of failure a `parquet` error was, without its message (which may quote data).
    fn describe(e: &ParquetError) -> &'static str {
        match e {
            ParquetError::EOF(_) | ParquetError::NeedMoreData(_) => {
                "unexpected end of data (truncated or corrupt)"
            }
            ParquetError::NYI(_) => "uses a feature the parquet reader does not support",
            _ => "corrupt, encrypted or unsupported",
        }
    }

    fn unreadable(what: String) -> FormatError {
        FormatError::Unreadable {
            format: "parquet",
            message: what,
        }
    }

    /// Pushes every non-null leaf value of every row of the Parquet file `file` into `sink`.
    pub fn scan(file: File, sink: &mut dyn CellSink) -> Result<FormatStats, FormatError> {
        let reader = SerializedFileReader::new(file)
            .map_err(|e| unreadable(format!("cannot open file: {}", describe(&e))))?;
        let mut walk = Walk {
            sink,
            path: String::new(),
            text: String::new(),
            row: 0,
        };
        for g in 0..reader.num_row_groups() {
            let declared = reader.metadata().row_group(g).total_byte_size();
            if u64::try_from(declared).map_or(true, |d| d > ROW_GROUP_CAP) {
                return Err(FormatError::Limit(format!(
                    "Parquet row group {} declares more than {ROW_GROUP_CAP} bytes uncompressed \
                     (row group cap hit)",
                    g + 1
                )));
            }
            let group = reader.get_row_group(g).map_err(|e| {
                unreadable(format!(
                    "row group {} cannot be read: {}",
                    g + 1,
                    describe(&e)
                ))
            })?;
            let rows = group.get_row_iter(None).map_err(|e| {
                unreadable(format!(
                    "row group {} cannot be read: {}",
                    g + 1,
                    describe(&e)
                ))
            })?;
            for row in rows {
                let row = row.map_err(|e| {
                    unreadable(format!(
                        "row {} cannot be read: {}",
                        walk.row + 1,
                        describe(&e)
                    ))
                })?;
                walk.row += 1;
                for (name, value) in row.get_column_iter() {
                    walk.path.clear();
                    walk.path.push_str(name);
                    walk.field(value, 0)?;
                }
            }
        }
        Ok(FormatStats { records: walk.row })
    }

    /// The state of one file's walk: the current column path and a reused text buffer.
    struct Walk<'s> {
        sink: &'s mut dyn CellSink,
        path: String,
        text: String,
        row: u64,
    }

    impl Walk<'_> {
        /// Emits `value` (found at `self.path`) and, for groups, lists and maps, what they hold.
        fn field(&mut self, value: &Field, depth: usize) -> Result<(), FormatError> {
            use std::fmt::Write;
            if depth > MAX_DEPTH {
                return Err(FormatError::Limit(format!(
                    "Parquet value nested deeper than {MAX_DEPTH} levels at row {} (depth cap hit)",
                    self.row
                )));
            }
            self.text.clear();
            // Writing into a String cannot fail; the results are ignored for that reason.
            match value {
                Field::Null | Field::Bool(_) | Field::TimeMillis(_) | Field::TimeMicros(_) => {
                    return Ok(());
                }
                Field::Str(s) => return self.emit_bytes(s.as_bytes()),
                Field::Bytes(b) => match std::str::from_utf8(b.data()) {
                    Ok(s) => return self.emit_bytes(s.as_bytes()),
                    Err(_) => return Ok(()),
                },
                Field::Date(days) => {
                    let (y, m, d) = civil_from_days(i64::from(*days));
                    let _ = write!(self.text, "{y:04}-{m:02}-{d:02}");
                }
                Field::TimestampMillis(ms) => self.timestamp(ms.div_euclid(1000)),
                Field::TimestampMicros(us) => self.timestamp(us.div_euclid(1_000_000)),
                Field::Group(row) => {
                    let len = self.path.len();
                    for (name, v) in row.get_column_iter() {
                        self.path.truncate(len);
                        self.path.push('.');
                        self.path.push_str(name);
                        self.field(v, depth + 1)?;
                    }
                    self.path.truncate(len);
                    return Ok(());
                }
                Field::ListInternal(list) => {
                    let len = self.path.len();
                    self.path.push_str("[]");
                    for v in list.elements() {
                        self.field(v, depth + 1)?;
                    }
                    self.path.truncate(len);
                    return Ok(());
                }
                Field::MapInternal(map) => {
                    let len = self.path.len();
                    for (k, v) in map.entries() {
                        for (suffix, x) in [(".key", k), (".value", v)] {
                            self.path.truncate(len);
                            self.path.push_str(suffix);
                            self.field(x, depth + 1)?;
                        }
                    }
                    self.path.truncate(len);
                    return Ok(());
                }
                // Numbers (and anything a newer parquet crate adds) as the crate prints them.
                other => {
                    let _ = write!(self.text, "{other}");
                }
            }
            let text = std::mem::take(&mut self.text);
            let r = self.emit_bytes(text.as_bytes());
            self.text = text;
            r
        }

        fn timestamp(&mut self, secs: i64) {
            use std::fmt::Write;
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            let _ = write!(
                self.text,
                "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            );
        }

        fn emit_bytes(&mut self, text: &[u8]) -> Result<(), FormatError> {
            if text.is_empty() {
                return Ok(());
            }
            if text.len() > VALUE_CAP {
                return Err(FormatError::Limit(format!(
                    "value in {} at row {} larger than {VALUE_CAP} bytes (value cap hit)",
                    self.path, self.row
                )));
            }
            self.sink.cell(&Cell {
                text,
                line: self.row,
                column: 1,
                field: Some(&self.path),
                record: Some(self.row),
                accept: 0..text.len(),
            });
            Ok(())
        }
    }

    /// The proleptic Gregorian (year, month, day) of `days` since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`). Total for every `i32` day count, unlike the `parquet` crate's own
    /// date printing, which panics on dates chrono cannot represent.
    pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_needs_magic_and_binary() {
        assert!(sniff(b"PAR1\x15\x00\x15"));
        assert!(!sniff(b"PAR1 is the first word of this note\n"));
        assert!(!sniff(b"\x00PAR1"));
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn civil_dates() {
        use reader::civil_from_days;
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(3754), (1980, 4, 12));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        // Extremes do not panic.
        let _ = civil_from_days(i64::from(i32::MIN));
        let _ = civil_from_days(i64::from(i32::MAX));
    }
}
