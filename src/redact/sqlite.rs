//! SQLite database files: a redacted copy made with SQL, so it is still a working database.
//!
//! This module owns rewriting databases (detected, as in the scanner, by the 16-byte SQLite
//! header). The source is opened read-only and `immutable` (as the scanner opens it: no lock,
//! no journal, nothing written) and copied with `VACUUM INTO` to a temp file **in DST's
//! directory** (so the final rename is atomic); the source is never opened for writing.
//! In the copy:
//!
//! 1. Every value of every table the scanner reads (`sqlite_master` tables except SQLite's
//!    own) is scanned with the engine exactly as `scan` sees it — field `table.column`,
//!    integers and reals as decimal text, UTF-8 blobs as text — and the rules pick each value's
//!    action; [`super::action::replacement`] builds the replacement. A changed cell is written
//!    with `UPDATE … WHERE rowid = ?` (as text: SQLite columns are dynamically typed). `null`
//!    writes NULL (an empty string in a `NOT NULL` column, noted). `generalise` of a date of
//!    birth in a column declared DATE/TIME writes `YYYY-01-01`, so it stays a date.
//! 2. `drop` removes the column with `ALTER TABLE … DROP COLUMN`. SQLite refuses that for
//!    columns that are keys, indexed, UNIQUE, or used by a view, CHECK or foreign key; such a
//!    column is set to NULL instead and the receipt says so.
//! 3. Triggers are removed while rows change (an audit trigger would otherwise copy old values
//!    into another table) and restored after; a trigger that used a dropped column cannot be
//!    restored and is noted. `sqlite_stat3`/`sqlite_stat4` samples (raw key values) are
//!    emptied. `secure_delete` is on and the journal is kept in memory, and finally `VACUUM`
//!    rebuilds the file, so the old values are not left in free pages or a journal.
//! 4. The temp file gets the source's permission bits and is renamed over DST.
//!
//! Not redacted (the input is reported, nothing written): virtual tables (FTS, R*Tree: their
//! shadow tables cannot be updated row by row), `WITHOUT ROWID` tables, a change that breaks a
//! constraint (two values masked alike in a UNIQUE column: use `tokenise` there). Content only in
//! an uncommitted `-wal` file beside the source is not seen, as in the scanner.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags};
use thiserror::Error;

use super::{Action, Applied, FileOutcome, FileStatus, Redacted, Redactor, action};
use crate::detect::{Hit, Scratch};
use crate::finding::Kind;

/// Why a database was not redacted. Messages come from SQLite (they describe the schema and
/// the file, never row values) or name a table.
#[derive(Debug, Error)]
pub enum SqliteError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A temp file could not be made or read.
    #[error("sqlite: temp file: {0}")]
    Io(#[from] std::io::Error),
    /// The database has something this module does not rewrite.
    #[error("sqlite: {0}")]
    Unsupported(String),
}

/// Counts and notes of one database.
#[derive(Debug, Default)]
struct Stats {
    applied: Applied,
    dropped: usize,
    notes: Vec<String>,
}

/// Redacts the database file at `path` into `out` (see the module docs), filling `o`.
pub(super) fn redact_file(
    r: &Redactor<'_>,
    path: &Path,
    rel: &str,
    out: &Path,
    mode: u32,
    scratch: &mut Scratch,
    mut o: FileOutcome,
) -> FileOutcome {
    o.format = Some("sqlite");
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let made = std::fs::create_dir_all(dir).and_then(|_| {
        tempfile::Builder::new()
            .prefix(".piiscan-redact-")
            .suffix(".tmp")
            .tempfile_in(dir)
    });
    let tmp = match made {
        Ok(t) => t,
        Err(e) => return super::fail(o, format!("cannot write the copy: {e}")),
    };
    let stats = match redact_db(r, path, tmp.path(), rel, scratch) {
        Ok(s) => s,
        Err(e) => return super::fail(o, e.to_string()),
    };
    let finish = || -> std::io::Result<Vec<u8>> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut bytes = Vec::new();
        std::fs::File::open(tmp.path())?.read_to_end(&mut bytes)?;
        tmp.as_file().sync_all()?;
        Ok(bytes)
    };
    let bytes = match finish() {
        Ok(b) => b,
        Err(e) => return super::fail(o, format!("cannot write the copy: {e}")),
    };
    if let Err(e) = tmp.persist(out) {
        return super::fail(o, format!("cannot write the copy: {}", e.error));
    }
    o.output_sha256 = Some(super::sha256_hex(&bytes));
    o.applied = stats.applied;
    o.dropped_fields = stats.dropped;
    o.notes = stats.notes;
    o.status = FileStatus::Redacted;
    o
}

/// Redacts a database held in memory (an archive member) through a private temp dir (0700,
/// removed when done) and returns the new database's bytes.
pub fn redact_bytes(
    r: &Redactor<'_>,
    raw: &[u8],
    rel: &str,
    scratch: &mut Scratch,
) -> Result<Redacted, SqliteError> {
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("in.db");
    let dst = dir.path().join("out.db");
    std::fs::write(&src, raw)?;
    std::fs::File::create(&dst)?;
    let stats = redact_db(r, &src, &dst, rel, scratch)?;
    let bytes = std::fs::read(&dst)?;
    Ok(Redacted {
        bytes,
        format: "sqlite",
        encoding: None,
        applied: stats.applied,
        dropped_fields: stats.dropped,
        notes: stats.notes,
        type_errors: Vec::new(),
        generated: Default::default(),
    })
}

/// `"name"` with inner quotes doubled.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An SQLite URI naming `path`, opened immutable (read-only, no locks, no journal).
fn immutable_uri(path: &Path) -> String {
    // URI syntax: only `?` and `#` (and `%`) would be misread in a file name.
    let name = path
        .to_string_lossy()
        .replace('%', "%25")
        .replace('?', "%3f")
        .replace('#', "%23");
    format!("file:{name}?immutable=1")
}

/// Whether a declared column type holds dates (`DATE`, `DATETIME`, `TIMESTAMP`, `TIME`).
fn is_date_type(decl: &str) -> bool {
    let d = decl.to_ascii_uppercase();
    d.contains("DATE") || d.contains("TIME")
}

/// One column of a table as `SELECT *` returns it.
struct Column {
    name: String,
    field: String,
    /// Generated columns cannot be updated (they follow the columns they are made from).
    generated: bool,
    not_null: bool,
    date: bool,
}

fn columns(db: &Connection, table: &str) -> Result<Vec<Column>, SqliteError> {
    let mut stmt = db.prepare(&format!("PRAGMA table_xinfo({})", ident(table)))?;
    let rows = stmt.query_map([], |row| {
        let name: String = row.get(1)?;
        let decl: String = row.get::<_, Option<String>>(2)?.unwrap_or_default();
        let not_null: bool = row.get(3)?;
        let hidden: i64 = row.get(6)?;
        Ok((name, decl, not_null, hidden))
    })?;
    let mut out = Vec::new();
    for c in rows {
        let (name, decl, not_null, hidden) = c?;
        // hidden: 1 = hidden column of a virtual table (not in SELECT *), 2/3 = generated.
        if hidden == 1 {
            continue;
        }
        out.push(Column {
            field: format!("{table}.{name}"),
            name,
            generated: hidden >= 2,
            not_null,
            date: is_date_type(&decl),
        });
    }
    Ok(out)
}

/// The new value of one cell, or `None` to leave it.
enum Change {
    Null,
    Text(String),
}

/// Copies the database at `src` into the empty file `dst` and redacts the copy in place.
fn redact_db(
    r: &Redactor<'_>,
    src: &Path,
    dst: &Path,
    rel: &str,
    scratch: &mut Scratch,
) -> Result<Stats, SqliteError> {
    {
        let source = Connection::open_with_flags(
            immutable_uri(src),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        source.execute("VACUUM INTO ?1", [dst.to_string_lossy()])?;
        source.close().map_err(|(_, e)| e)?;
    }
    let mut db = Connection::open_with_flags(
        dst,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // No journal file beside the copy (it would hold old pages); deleted content is zeroed.
    db.pragma_update(None, "journal_mode", "MEMORY")?;
    db.pragma_update(None, "secure_delete", "ON")?;
    db.pragma_update(None, "foreign_keys", "OFF")?;
    let mut stats = Stats::default();
    let schema: Vec<(String, String, String)> = {
        let mut stmt = db.prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master \
             WHERE type IN ('table', 'trigger') ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    if schema.iter().any(|(t, _, sql)| {
        t == "table"
            && sql
                .trim_start()
                .get(..14)
                .is_some_and(|s| s.eq_ignore_ascii_case("create virtual"))
    }) {
        return Err(SqliteError::Unsupported(
            "virtual tables (FTS, R*Tree) are not redacted".into(),
        ));
    }
    let tables: Vec<&str> = schema
        .iter()
        .filter(|(t, n, _)| t == "table" && !n.starts_with("sqlite_"))
        .map(|(_, n, _)| n.as_str())
        .collect();
    let triggers: Vec<&str> = schema
        .iter()
        .filter(|(t, _, _)| t == "trigger")
        .map(|(_, _, sql)| sql.as_str())
        .collect();
    let stat_tables: Vec<&str> = schema
        .iter()
        .filter(|(t, n, _)| t == "table" && matches!(n.as_str(), "sqlite_stat3" | "sqlite_stat4"))
        .map(|(_, n, _)| n.as_str())
        .collect();
    let tx = db.transaction()?;
    for (_, name, _) in schema.iter().filter(|(t, _, _)| t == "trigger") {
        tx.execute_batch(&format!("DROP TRIGGER {}", ident(name)))?;
    }
    let mut hits: Vec<Hit> = Vec::new();
    let mut num = String::new();
    for (n, table) in tables.iter().enumerate() {
        // Messages and notes name a table by its position in the schema: its name comes from
        // the data, and the receipt never holds names taken from the data.
        let which = format!("table #{}", n + 1);
        let cols = columns(&tx, table)?;
        let mut dropped: BTreeSet<usize> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| r.rules.drops_field(rel, &c.field))
            .map(|(i, _)| i)
            .collect();
        let mut changes: Vec<(i64, usize, Change)> = Vec::new();
        {
            let mut stmt = tx
                .prepare(&format!("SELECT rowid, * FROM {}", ident(table)))
                .map_err(|_| {
                    SqliteError::Unsupported(format!(
                        "{which} has no rowid (WITHOUT ROWID tables are not redacted)"
                    ))
                })?;
            if stmt.column_count() != cols.len() + 1 {
                return Err(SqliteError::Unsupported(format!(
                    "{which}: columns do not match its schema"
                )));
            }
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let rowid: i64 = row.get(0)?;
                for (j, col) in cols.iter().enumerate() {
                    if col.generated {
                        continue;
                    }
                    let Some(text) =
                        crate::formats::table::sqlite_value_text(row.get_ref(j + 1)?, &mut num)
                    else {
                        continue;
                    };
                    if text.len() > crate::formats::table::VALUE_CAP {
                        return Err(SqliteError::Unsupported(format!(
                            "a value in {which} is larger than the scanner's value cap"
                        )));
                    }
                    hits.clear();
                    r.engine.scan(
                        text,
                        Some(&col.field),
                        0..text.len(),
                        false,
                        scratch,
                        &mut hits,
                    );
                    let mut edits = Vec::new();
                    let mut null = false;
                    for hit in hits.drain(..) {
                        if hit.confidence < r.min_confidence {
                            continue;
                        }
                        let kind = r.engine.specs()[hit.detector as usize].kind;
                        let Some(act) = r.rules.decide(rel, Some(&col.field), kind) else {
                            continue;
                        };
                        *stats
                            .applied
                            .entry(kind)
                            .or_default()
                            .entry(act)
                            .or_default() += 1;
                        let raw = String::from_utf8_lossy(&text[hit.start..hit.end]);
                        let rep =
                            action::replacement(act, kind, &raw, &hit.normalised, r.fingerprinter);
                        match act {
                            Action::Drop => {
                                dropped.insert(j);
                                null = true;
                            }
                            Action::Null => null = true,
                            Action::Generalise if col.date && kind == Kind::DateOfBirth => {
                                // A date column keeps a date: the year's first day.
                                edits.push(super::Edit {
                                    start: 0,
                                    end: text.len(),
                                    text: action::year_date(&rep)
                                        .map_or_else(Vec::new, String::into_bytes),
                                });
                                null |= action::year_date(&rep).is_none();
                            }
                            _ => edits.push(super::Edit {
                                start: hit.start,
                                end: hit.end,
                                text: rep.into_bytes(),
                            }),
                        }
                    }
                    if edits.is_empty() && !null {
                        continue;
                    }
                    let change = if null {
                        Change::Null
                    } else {
                        let new = super::apply(text, edits);
                        Change::Text(String::from_utf8_lossy(&new).into_owned())
                    };
                    changes.push((rowid, j, change));
                }
            }
        }
        let mut blanked = 0u64;
        for (rowid, j, change) in changes {
            let col = &cols[j];
            let value = match change {
                Change::Null if col.not_null => {
                    blanked += 1;
                    SqlValue::Text(String::new())
                }
                Change::Null => SqlValue::Null,
                Change::Text(t) => SqlValue::Text(t),
            };
            let mut stmt = tx.prepare_cached(&format!(
                "UPDATE {} SET {} = ?1 WHERE rowid = ?2",
                ident(table),
                ident(&col.name)
            ))?;
            stmt.execute(rusqlite::params![value, rowid])?;
        }
        if blanked > 0 {
            stats.notes.push(format!(
                "{which}: {blanked} value(s) in NOT NULL columns set to an empty string instead of NULL"
            ));
        }
        for j in dropped {
            let col = &cols[j];
            let alter = format!(
                "ALTER TABLE {} DROP COLUMN {}",
                ident(table),
                ident(&col.name)
            );
            if tx.execute_batch(&alter).is_ok() {
                stats.dropped += 1;
                continue;
            }
            // SQLite cannot drop keys, indexed, UNIQUE or referenced columns: empty it instead.
            let empty = if col.not_null { "''" } else { "NULL" };
            tx.execute_batch(&format!(
                "UPDATE {} SET {} = {empty}",
                ident(table),
                ident(&col.name)
            ))?;
            stats.notes.push(format!(
                "a dropped column of {which} could not be removed by SQLite (key, index, \
                 constraint or view); its values were set to {empty}"
            ));
        }
    }
    let mut lost = 0;
    for sql in triggers {
        if tx.execute_batch(sql).is_err() {
            lost += 1;
        }
    }
    if lost > 0 {
        stats.notes.push(format!(
            "{lost} trigger(s) referring to dropped columns could not be restored"
        ));
    }
    for t in stat_tables {
        tx.execute_batch(&format!("DELETE FROM {}", ident(t)))?;
    }
    tx.commit()?;
    db.execute_batch("VACUUM")?;
    db.close().map_err(|(_, e)| e)?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_types_and_quoting() {
        for (decl, want) in [
            ("DATE", true),
            ("timestamp with time zone", true),
            ("DATETIME", true),
            ("TEXT", false),
            ("", false),
        ] {
            assert_eq!(is_date_type(decl), want, "{decl}");
        }
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(
            immutable_uri(Path::new("/t/a?b#c%d.db")),
            "file:/t/a%3fb%23c%25d.db?immutable=1"
        );
    }
}
