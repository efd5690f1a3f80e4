//! Live databases: each sampled table becomes one input of a table format, scanned by the
//! same engine as a dump (see [`crate::input::db`] for connecting and sampling).
//!
//! The input of a table is named `<url>!<schema>.<table>`, where `<url>` is the database URL
//! without its password ([`DbUrl::display`]): the database is a folder of tables, as an
//! archive is of members. Each sampled row is a record (`line` = `record` = its 1-based place
//! in the sample) and each value a [`Cell`] at column 1 whose field is
//! `schema.table.column`, so header matching, column classification, validators,
//! fingerprints, exposure and the redaction plan work as for a dump. A JSON column's values,
//! and a text column's values that start with `{` or `[`, are scanned as JSON, their key paths
//! under the column (`public.users.profile.contact.email`); a value that does not parse as
//! JSON is scanned as text.
//!
//! Failures are errors of their input, and the scan goes on (exit 2): a URL that does not
//! parse or a database that cannot be reached or logged in to is one error input named by the
//! URL; a table that cannot be read (permission denied, timeout) is an error for that table;
//! a column whose values are not UTF-8 text is an error for its table, whose other columns are
//! still scanned; a connection lost mid-table ends that table with an error, and every table
//! after it is listed as not read. Messages never hold the password.

use std::sync::Arc;

use crate::detect::Scratch;
use crate::formats::{Cell, CellSink, Format, FormatError, FormatStats};
use crate::input::db::{self, ColumnClass, DbError, DbOptions, DbUrl, Rows, Table};
use crate::scan::{InputReport, Scanner, Status};

/// Scans the database at `arg` (a URL), handing each table's report to `add` when it is done.
pub fn scan_url(
    scanner: &Scanner,
    arg: &str,
    opts: &DbOptions,
    scratch: &mut Scratch,
    add: &mut dyn FnMut(InputReport),
) {
    let url = match DbUrl::parse(arg) {
        Ok(u) => u,
        Err(e) => {
            add(error(unparsed_display(arg), e.to_string()));
            return;
        }
    };
    let display = url.display();
    let mut session = match db::open(&url, opts) {
        Ok(s) => s,
        Err(e) => {
            add(error(display, e.to_string()));
            return;
        }
    };
    let tables = match session.tables() {
        Ok(t) => t,
        Err(e) => {
            add(error(display, url.scrub_error(e).to_string()));
            return;
        }
    };
    let format = url.engine.name();
    let mut lost: Option<String> = None;
    for table in &tables {
        let path = format!("{display}!{}", table.qualified());
        if let Some(after) = &lost {
            add(error(
                path,
                format!("not read: the connection was lost while reading {after}"),
            ));
            continue;
        }
        let fields: Vec<String> = table
            .columns
            .iter()
            .map(|c| format!("{}.{}", table.qualified(), c.name))
            .collect();
        let mut sample = None;
        let mut failure = None;
        let mut unreadable: Vec<usize> = Vec::new();
        let mut bytes = 0u64;
        let mut report = scanner.scan_cells(
            Arc::from(path.as_str()),
            format,
            0,
            &mut |sink| {
                let mut adapter = ToCells {
                    sink,
                    table,
                    fields: &fields,
                    row: 0,
                    bad: vec![false; fields.len()],
                    bytes: 0,
                };
                let got = session.sample(table, &mut adapter);
                bytes = adapter.bytes;
                unreadable = (0..fields.len()).filter(|&j| adapter.bad[j]).collect();
                match got {
                    Ok(s) => {
                        let records = s.sampled_rows;
                        sample = Some(s);
                        Ok(FormatStats { records })
                    }
                    Err(e) => {
                        let e = url.scrub_error(e);
                        failure = Some(e.clone());
                        Err(FormatError::Unreadable {
                            format,
                            message: match e {
                                DbError::Table { message, .. } => message,
                                other => other.to_string(),
                            },
                        })
                    }
                }
            },
            scratch,
        );
        report.bytes = bytes;
        report.sample = sample.map(Box::new);
        if !unreadable.is_empty() && report.status == Status::Scanned {
            let cols: Vec<String> = unreadable
                .iter()
                .map(|&j| {
                    let c = &table.columns[j];
                    format!("{} ({})", fields[j], c.data_type)
                })
                .collect();
            report.status = Status::Error(format!(
                "column{} {} cannot be read as text (not valid UTF-8); not scanned, the other \
                 columns were",
                if cols.len() == 1 { "" } else { "s" },
                cols.join(", ")
            ));
        }
        add(report);
        if failure.is_some() && session.lost() {
            lost = Some(table.qualified());
        }
    }
}

/// How a database URL given on the command line is named in reports: without its password
/// (for the report's roots).
pub fn display_arg(arg: &str) -> String {
    DbUrl::parse(arg).map_or_else(|_| unparsed_display(arg), |u| u.display())
}

fn error(path: String, why: String) -> InputReport {
    InputReport::not_scanned(Arc::from(path), Status::Error(why))
}

/// A name for a URL that did not parse, without what may be its password: the user info
/// (between `//` and the last `@`) is replaced by `***`.
fn unparsed_display(arg: &str) -> String {
    if let Some((scheme, rest)) = arg.split_once("//")
        && let Some((_, host)) = rest.rsplit_once('@')
    {
        return format!("{scheme}//***@{host}");
    }
    arg.to_string()
}

/// Turns sampled rows into cells.
struct ToCells<'a, 's> {
    sink: &'a mut dyn CellSink,
    table: &'s Table,
    fields: &'s [String],
    row: u64,
    /// Columns found not to be UTF-8: reported, and not read further.
    bad: Vec<bool>,
    bytes: u64,
}

impl Rows for ToCells<'_, '_> {
    fn row(&mut self, values: &[Option<&[u8]>]) {
        self.row += 1;
        let line = self.row;
        for (j, v) in values.iter().enumerate() {
            let (Some(v), Some(field)) = (v, self.fields.get(j)) else {
                continue;
            };
            self.bytes += v.len() as u64;
            if self.bad[j] || v.is_empty() {
                continue;
            }
            if std::str::from_utf8(v).is_err() {
                self.bad[j] = true;
                continue;
            }
            // JSON in a text column too (MariaDB's JSON is a LONGTEXT; applications keep
            // JSON in text columns): a value that starts like a document is tried as JSON.
            let class = self.table.columns.get(j).map(|c| c.class);
            let json_like = class == Some(ColumnClass::Json)
                || (class == Some(ColumnClass::Text)
                    && v.iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|b| matches!(b, b'{' | b'[')));
            if json_like && json_cells(v, field, line, self.sink) {
                continue;
            }
            self.sink.cell(&Cell {
                text: v,
                line,
                column: 1,
                field: Some(field),
                record: Some(line),
                accept: 0..v.len(),
            });
        }
    }
}

/// Scans a JSON value as JSON, its cells re-homed in the row (`line`) under `field`; false
/// (nothing pushed) if it does not parse, so the caller scans it as text.
fn json_cells(v: &[u8], field: &str, line: u64, sink: &mut dyn CellSink) -> bool {
    struct Under<'a> {
        cells: Vec<(Vec<u8>, u64, String, std::ops::Range<usize>)>,
        field: &'a str,
    }
    impl CellSink for Under<'_> {
        fn cell(&mut self, c: &Cell<'_>) {
            let field = match c.field {
                Some(f) if f.starts_with('[') => format!("{}{f}", self.field),
                Some(f) => format!("{}.{f}", self.field),
                None => self.field.to_string(),
            };
            self.cells
                .push((c.text.to_vec(), c.column, field, c.accept.clone()));
        }
    }
    // Cells are held until the value parses whole, so a bad value is scanned once, as text.
    let mut under = Under {
        cells: Vec::new(),
        field,
    };
    let mut r = v;
    if crate::formats::json::JSON.scan(&mut r, &mut under).is_err() {
        return false;
    }
    for (text, column, field, accept) in &under.cells {
        sink.cell(&Cell {
            text,
            line,
            column: *column,
            field: Some(field),
            record: Some(line),
            accept: accept.clone(),
        });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unparsed_url_hides_its_user_info() {
        assert_eq!(
            unparsed_display("postgres://u:se@cret@h:99999/d"),
            "postgres://***@h:99999/d"
        );
        assert_eq!(unparsed_display("sqlite:"), "sqlite:");
    }
}
