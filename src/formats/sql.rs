//! SQL dumps — mysqldump, PostgreSQL plain `pg_dump` (COPY blocks, `--inserts`,
//! `--column-inserts`), SQLite `.dump`: one cell per literal value, `field` = `table.column`,
//! `record` = row.
//!
//! **Shape.** A streaming tokenizer over the shared restart [`Window`] (whitespace, `--`, `#` and
//! `/* */` comments, `'…'` strings, `"…"`/`` `…` `` identifiers, `$tag$…$tag$` bodies, words,
//! numbers, punctuation) feeds a small statement state machine. Only the current token is ever
//! buffered, so an extended INSERT of a million rows on one line, or a 10 GB dump, is scanned in
//! bounded memory; a string literal that never ends is an error when the input ends (or a
//! [`FormatError::Limit`] past [`MAX_TOKEN`]), never a hang.
//!
//! * `CREATE TABLE t (col …, …)` records the column names of `t` (constraint lines skipped).
//! * `INSERT|REPLACE [OR …|IGNORE] INTO t [(cols)] VALUES (…), (…)`: each tuple is a record;
//!   every string or number literal in it is a cell named by the INSERT's column list, else the
//!   CREATE TABLE's, else `t.column N`.
//! * `COPY t (cols) FROM stdin;` switches to line mode until `\.`: each line is a record of
//!   tab-separated values, `\N` is NULL.
//! * Any other statement: its string literals are still scanned, without a field.
//!
//! Table names are the last part of a qualified name (`public.customers` → `customers`). A
//! column name holding a dot is quoted in the field (`customers["a.b"]`, see [`super::push_key`]).
//! Backslash escapes in `'…'` strings are MySQL's dialect: they are turned on when the dump shows
//! it is MySQL (a `MySQL dump`/`MariaDB dump` header comment, a backtick, a `/*!` comment);
//! otherwise strings are standard SQL (`''` only) and `E'…'` strings take escapes. Escaped
//! values are decoded length-preservingly (as in `json`), so columns stay exact.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::BufRead;

use super::window::{MAX_TOKEN, Window};
use super::{Cell, CellSink, Format, FormatError, FormatStats};

/// Column names remembered over all tables (bounds memory on hostile dumps).
const MAX_REMEMBERED_COLUMNS: usize = 1 << 16;

/// The SQL dump format.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sql;

impl Format for Sql {
    fn name(&self) -> &'static str {
        "sql"
    }

    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        let mut w = Window::new(input, MAX_TOKEN);
        Parser::default().run(&mut w, sink)
    }
}

/// Words that start a table constraint (not a column) inside `CREATE TABLE (…)`.
pub(crate) const CONSTRAINT: &[&str] = &[
    "primary",
    "key",
    "unique",
    "constraint",
    "foreign",
    "index",
    "check",
    "fulltext",
    "spatial",
    "exclude",
    "like",
    "period",
];

/// Whether `head` looks like an SQL dump: its first statement starts with an SQL keyword and it
/// has a dump header comment or a `CREATE TABLE` / `INSERT INTO` / `COPY` statement.
pub fn sniff(head: &[u8]) -> bool {
    const FIRST: &[&str] = &[
        "set ", "create ", "insert ", "copy ", "drop ", "begin", "pragma ", "lock ", "alter ",
        "start ", "replace ", "unlock ", "commit", "select ", "/*!",
    ];
    // Not `use `: Rust and C++ sources start with `use …;` / `using …;`, and a mysqldump that
    // says `USE db` also carries its `-- MySQL dump` header or CREATE/INSERT statements first.
    const STRONG: &[&str] = &[
        "create table",
        "insert into",
        "insert ignore into",
        "replace into",
        "-- mysql dump",
        "-- mariadb dump",
        "-- postgresql database dump",
    ];
    let mut first_seen = false;
    let mut strong = false;
    let mut in_block = false;
    for raw in head.split(|&b| b == b'\n').take(2000) {
        let line = raw.trim_ascii();
        let lower_prefix = |n: usize| -> String {
            String::from_utf8_lossy(&line[..line.len().min(n)]).to_ascii_lowercase()
        };
        if in_block {
            in_block = memchr::memmem::find(line, b"*/").is_none();
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let p = lower_prefix(32);
        if line.starts_with(b"--") {
            strong |= STRONG.iter().any(|s| p.starts_with(s));
            continue;
        }
        if line.starts_with(b"/*") && !line.starts_with(b"/*!") {
            in_block = memchr::memmem::find(line, b"*/").is_none();
            continue;
        }
        if !first_seen {
            if !FIRST.iter().any(|k| p.starts_with(k)) {
                return false;
            }
            first_seen = true;
        }
        strong |= STRONG.iter().any(|s| p.starts_with(s))
            || p.starts_with("copy ")
                && memchr::memmem::find(&line.to_ascii_lowercase(), b"from stdin").is_some();
        if strong {
            return true;
        }
    }
    first_seen && strong
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Number,
    /// A string literal; `start..end` is its content. `esc`: backslash escapes apply.
    Str {
        esc: bool,
    },
    /// A quoted identifier; `start..end` is its content.
    Ident,
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: Kind,
    /// Content range (inside quotes for strings and identifiers).
    start: usize,
    end: usize,
    /// Where the next token scan starts.
    next: usize,
}

enum Next {
    Tok(Tok),
    NeedMore,
    /// End of input inside a token; the message says which.
    Unterminated(&'static str),
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum St {
    #[default]
    Start,
    Skip,
    CreatePre,
    CreateName,
    CreateAfterName,
    CreateCols {
        depth: u32,
        want_name: bool,
    },
    InsertPre,
    InsertName,
    InsertAfterName,
    InsertCols,
    InsertValues,
    Tuple {
        depth: u32,
        col: usize,
    },
    CopyName,
    CopyAfterName,
    CopyCols,
    CopyRest {
        stdin: bool,
        from: bool,
    },
    /// Skipping to the end of the `COPY … ;` line, then data.
    CopyLineEnd,
    CopyData,
}

#[derive(Default)]
struct Parser {
    st: St,
    mysql: bool,
    /// Columns per table.
    tables: HashMap<String, Vec<String>>,
    remembered: usize,
    /// Current statement's table.
    table: String,
    /// Current statement's explicit column list.
    cols: Vec<String>,
    ncols: usize,
    /// `table.column` names for the current INSERT/COPY, and the key they were built for.
    fields: Vec<String>,
    fields_key: String,
    key: String,
    /// Scratch for unescaped text and `table.column N` names.
    text: Vec<u8>,
    name: String,
    record: u64,
    /// Line where the current INSERT row started.
    row_line: u64,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn malformed(line: u64, message: &str) -> FormatError {
    FormatError::Malformed {
        format: "sql",
        line,
        message: message.into(),
    }
}

/// Scans the next token at or after `pos`, skipping whitespace and comments.
fn next_token(buf: &[u8], mut pos: usize, eof: bool, mysql: &mut bool) -> (Next, usize) {
    let len = buf.len();
    loop {
        while pos < len && buf[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return (if eof { Next::End } else { Next::NeedMore }, pos);
        }
        let b = buf[pos];
        let b1 = buf.get(pos + 1).copied();
        if b1.is_none() && !eof && matches!(b, b'-' | b'/' | b'E' | b'e' | b'$') {
            return (Next::NeedMore, pos);
        }
        if (b == b'-' && b1 == Some(b'-')) || (b == b'#' && *mysql) {
            match memchr::memchr(b'\n', &buf[pos..]) {
                Some(k) => {
                    let c = &buf[pos..pos + k];
                    if memchr::memmem::find(c, b"MySQL dump").is_some()
                        || memchr::memmem::find(c, b"MariaDB dump").is_some()
                    {
                        *mysql = true;
                    }
                    pos += k + 1;
                    continue;
                }
                None if eof => return (Next::End, len),
                None => return (Next::NeedMore, pos),
            }
        }
        if b == b'/' && b1 == Some(b'*') {
            if buf.get(pos + 2) == Some(&b'!') {
                *mysql = true;
            }
            match memchr::memmem::find(&buf[pos + 2..], b"*/") {
                Some(k) => {
                    pos += 2 + k + 2;
                    continue;
                }
                None if eof => return (Next::Unterminated("comment is never closed"), pos),
                None => return (Next::NeedMore, pos),
            }
        }
        let tok = |kind, start, end, next| {
            (
                Next::Tok(Tok {
                    kind,
                    start,
                    end,
                    next,
                }),
                pos,
            )
        };
        return match b {
            b'\'' => match quoted(buf, pos, b'\'', *mysql, eof) {
                Some(Ok(e)) => tok(Kind::Str { esc: *mysql }, pos + 1, e, e + 1),
                Some(Err(m)) => (Next::Unterminated(m), pos),
                None => (Next::NeedMore, pos),
            },
            b'E' | b'e' if b1 == Some(b'\'') => match quoted(buf, pos + 1, b'\'', true, eof) {
                Some(Ok(e)) => tok(Kind::Str { esc: true }, pos + 2, e, e + 1),
                Some(Err(m)) => (Next::Unterminated(m), pos),
                None => (Next::NeedMore, pos),
            },
            b'"' | b'`' => {
                if b == b'`' {
                    *mysql = true;
                }
                match quoted(buf, pos, b, false, eof) {
                    Some(Ok(e)) => tok(Kind::Ident, pos + 1, e, e + 1),
                    Some(Err(_)) => (Next::Unterminated("quoted identifier is never closed"), pos),
                    None => (Next::NeedMore, pos),
                }
            }
            b'$' => match dollar(buf, pos, eof) {
                Some(Ok((s, e, n))) => tok(Kind::Str { esc: false }, s, e, n),
                Some(Err(())) => tok(Kind::Punct(b'$'), pos, pos + 1, pos + 1),
                None => (Next::NeedMore, pos),
            },
            b'0'..=b'9' => word_end(buf, pos, eof)
                .map_or((Next::NeedMore, pos), |e| tok(Kind::Number, pos, e, e)),
            b'.' if b1.is_some_and(|c| c.is_ascii_digit()) => word_end(buf, pos + 1, eof)
                .map_or((Next::NeedMore, pos), |e| tok(Kind::Number, pos, e, e)),
            _ if is_word(b) => word_end(buf, pos, eof)
                .map_or((Next::NeedMore, pos), |e| tok(Kind::Word, pos, e, e)),
            _ => tok(Kind::Punct(b), pos, pos + 1, pos + 1),
        };
    }
}

fn word_end(buf: &[u8], s: usize, eof: bool) -> Option<usize> {
    match buf[s..].iter().position(|&b| !(is_word(b) || b == b'.')) {
        Some(k) => Some(s + k),
        None if eof => Some(buf.len()),
        None => None,
    }
}

/// End (index of the closing quote) of a quoted token opening at `buf[s]`; `None` = need more.
fn quoted(
    buf: &[u8],
    s: usize,
    q: u8,
    esc: bool,
    eof: bool,
) -> Option<Result<usize, &'static str>> {
    let mut i = s + 1;
    loop {
        let found = if esc {
            memchr::memchr2(q, b'\\', &buf[i..])
        } else {
            memchr::memchr(q, &buf[i..])
        };
        let Some(k) = found else {
            return if eof {
                Some(Err("string literal is never closed"))
            } else {
                None
            };
        };
        let p = i + k;
        if buf[p] == b'\\' {
            if p + 1 >= buf.len() {
                return if eof {
                    Some(Err("string literal is never closed"))
                } else {
                    None
                };
            }
            i = p + 2;
            continue;
        }
        match buf.get(p + 1) {
            Some(&c) if c == q => i = p + 2,
            None if !eof => return None,
            _ => return Some(Ok(p)),
        }
    }
}

/// A `$tag$ … $tag$` string at `buf[s]`: content range and next index. `Err` = not one.
fn dollar(buf: &[u8], s: usize, eof: bool) -> Option<Result<(usize, usize, usize), ()>> {
    let tag_len = match buf[s + 1..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
    {
        Some(k) => k,
        None => return if eof { Some(Err(())) } else { None },
    };
    if buf[s + 1 + tag_len] != b'$' || buf.get(s + 1).is_some_and(u8::is_ascii_digit) {
        return Some(Err(()));
    }
    let tag = &buf[s..s + tag_len + 2];
    let body = s + tag.len();
    match memchr::memmem::find(&buf[body..], tag) {
        Some(k) => Some(Ok((body, body + k, body + k + tag.len()))),
        None if eof => Some(Err(())),
        None => None,
    }
}

/// Decodes SQL string escapes (`''`, and backslash escapes when `esc`) without changing the
/// text's length: `\n` → two spaces, `\'` / `''` → ` '`.
fn unescape_same_len(raw: &[u8], esc: bool, q: u8, out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        if esc && b == b'\\' && i + 1 < raw.len() {
            let c = raw[i + 1];
            out.push(b' ');
            out.push(if c.is_ascii_punctuation() { c } else { b' ' });
            i += 2;
        } else if b == q && raw.get(i + 1) == Some(&q) {
            out.extend_from_slice(&[b' ', q]);
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
}

fn lower_eq(t: &[u8], kw: &str) -> bool {
    t.eq_ignore_ascii_case(kw.as_bytes())
}

impl Parser {
    fn ident(buf: &[u8], t: &Tok) -> Option<String> {
        match t.kind {
            Kind::Word | Kind::Ident => {
                let raw = &buf[t.start..t.end];
                // A qualified name written as one word (`public.t`): its last part.
                let raw = match (t.kind, memchr::memrchr(b'.', raw)) {
                    (Kind::Word, Some(p)) => &raw[p + 1..],
                    _ => raw,
                };
                Some(String::from_utf8_lossy(&raw[..raw.len().min(256)]).into_owned())
            }
            _ => None,
        }
    }

    /// Builds `fields` for the current INSERT/COPY (reused while the table and columns repeat).
    fn prepare_fields(&mut self) {
        self.key.clear();
        self.key.push_str(&self.table);
        for c in &self.cols[..self.ncols] {
            self.key.push('\0');
            self.key.push_str(c);
        }
        if self.key == self.fields_key && !self.fields.is_empty() {
            return;
        }
        self.fields_key.clone_from(&self.key);
        self.fields.clear();
        let names: &[String] = if self.ncols > 0 {
            &self.cols[..self.ncols]
        } else {
            self.tables.get(&self.table).map_or(&[], Vec::as_slice)
        };
        for c in names {
            let mut f = self.table.clone();
            super::push_key(&mut f, c);
            self.fields.push(f);
        }
    }

    fn push_col(&mut self, name: String) {
        if self.ncols < self.cols.len() {
            self.cols[self.ncols] = name;
        } else {
            self.cols.push(name);
        }
        self.ncols += 1;
    }

    fn run(
        &mut self,
        w: &mut Window<'_>,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        let mut pos = 0usize;
        loop {
            if self.st == St::CopyLineEnd || self.st == St::CopyData {
                match memchr::memchr(b'\n', &w.buf[pos..]) {
                    None if !w.at_eof() => {
                        w.refill_into(sink, pos, "COPY data line")?;
                        pos = 0;
                        continue;
                    }
                    found => {
                        let end = found.map_or(w.buf.len(), |k| pos + k);
                        if self.st == St::CopyLineEnd {
                            self.st = St::CopyData;
                        } else {
                            let line = &w.buf[pos..end];
                            let line = line.strip_suffix(b"\r").unwrap_or(line);
                            if line == b"\\." {
                                self.st = St::Start;
                            } else if found.is_none() && line.is_empty() {
                                return Err(malformed(
                                    self.row_line,
                                    "COPY statement's data is never terminated by a \\. line",
                                ));
                            } else {
                                self.copy_line(w, sink, pos, pos + line.len());
                            }
                        }
                        pos = (end + 1).min(w.buf.len());
                        if found.is_none() && self.st == St::CopyData {
                            return Err(malformed(
                                self.row_line,
                                "COPY statement's data is never terminated by a \\. line",
                            ));
                        }
                        continue;
                    }
                }
            }
            let (next, at) = next_token(&w.buf, pos, w.at_eof(), &mut self.mysql);
            let t = match next {
                Next::Tok(t) => t,
                Next::NeedMore => {
                    w.refill_into(sink, at, "SQL token")?;
                    pos = 0;
                    continue;
                }
                Next::Unterminated(m) => return Err(malformed(w.line_at(at), m)),
                Next::End => {
                    return match self.st {
                        St::Tuple { .. } => Err(malformed(
                            self.row_line,
                            "input ends inside the INSERT row starting here (missing ')' or quote)",
                        )),
                        St::CreateCols { .. } => Err(malformed(
                            w.line_at(at),
                            "input ends inside a CREATE TABLE column list",
                        )),
                        _ => Ok(FormatStats {
                            records: self.record,
                        }),
                    };
                }
            };
            pos = t.next;
            self.step(w, sink, t);
        }
    }

    fn copy_line(&mut self, w: &mut Window<'_>, sink: &mut dyn CellSink, start: usize, end: usize) {
        self.record += 1;
        let mut s = start;
        let mut col = 0;
        while s <= end {
            let e = memchr::memchr(b'\t', &w.buf[s..end]).map_or(end, |k| s + k);
            if e > s && &w.buf[s..e] != b"\\N" {
                let (line, column) = w.line_col(s);
                let esc = w.buf[s..e].contains(&b'\\');
                if esc {
                    unescape_same_len(&w.buf[s..e], true, 0, &mut self.text);
                }
                let text: &[u8] = if esc { &self.text } else { &w.buf[s..e] };
                let field = if col < self.fields.len() {
                    self.fields[col].as_str()
                } else {
                    self.name.clear();
                    let _ = write!(self.name, "{}.column {}", self.table, col + 1);
                    self.name.as_str()
                };
                sink.cell(&Cell {
                    text,
                    line,
                    column,
                    field: Some(field),
                    record: Some(self.record),
                    accept: 0..text.len(),
                });
            }
            col += 1;
            s = e + 1;
        }
    }

    fn emit(&mut self, w: &mut Window<'_>, sink: &mut dyn CellSink, t: &Tok, col: Option<usize>) {
        if t.end <= t.start {
            return;
        }
        let (line, column) = w.line_col(t.start);
        let raw = &w.buf[t.start..t.end];
        let esc = matches!(t.kind, Kind::Str { esc: true }) && raw.contains(&b'\\');
        let text: &[u8] = if esc || (matches!(t.kind, Kind::Str { .. }) && raw.contains(&b'\'')) {
            unescape_same_len(raw, esc, b'\'', &mut self.text);
            &self.text
        } else {
            raw
        };
        let (field, record) = match col {
            Some(c) => {
                let f: &str = if c < self.fields.len() {
                    &self.fields[c]
                } else {
                    self.name.clear();
                    let _ = write!(self.name, "{}.column {}", self.table, c + 1);
                    &self.name
                };
                (Some(f), Some(self.record))
            }
            None => (None, None),
        };
        sink.cell(&Cell {
            text,
            line,
            column,
            field,
            record,
            accept: 0..text.len(),
        });
    }

    /// Advances the statement state machine by one token.
    fn step(&mut self, w: &mut Window<'_>, sink: &mut dyn CellSink, t: Tok) {
        let word = |kw: &str| t.kind == Kind::Word && lower_eq(&w.buf[t.start..t.end], kw);
        let semi = t.kind == Kind::Punct(b';');
        if semi && !matches!(self.st, St::Tuple { .. } | St::CopyRest { .. }) {
            self.st = St::Start;
            return;
        }
        self.st = match self.st {
            St::Start => {
                if word("create") {
                    St::CreatePre
                } else if word("insert") || word("replace") {
                    St::InsertPre
                } else if word("copy") {
                    self.table.clear();
                    self.row_line = w.line_at(t.start);
                    St::CopyName
                } else {
                    return self.skip(w, sink, t);
                }
            }
            St::Skip => return self.skip(w, sink, t),
            St::CreatePre => {
                if word("table") {
                    St::CreateName
                } else if [
                    "temporary",
                    "temp",
                    "unlogged",
                    "global",
                    "local",
                    "or",
                    "replace",
                ]
                .iter()
                .any(|k| word(k))
                {
                    St::CreatePre
                } else {
                    return self.skip(w, sink, t);
                }
            }
            St::CreateName | St::InsertName | St::CopyName => {
                if ["if", "not", "exists", "only"].iter().any(|k| word(k)) {
                    self.st
                } else if let Some(name) = Self::ident(&w.buf, &t) {
                    self.table = name;
                    self.ncols = 0;
                    match self.st {
                        St::CreateName => St::CreateAfterName,
                        St::InsertName => St::InsertAfterName,
                        _ => St::CopyAfterName,
                    }
                } else {
                    return self.skip(w, sink, t);
                }
            }
            St::CreateAfterName => match t.kind {
                Kind::Punct(b'.') => St::CreateName,
                Kind::Punct(b'(') => St::CreateCols {
                    depth: 1,
                    want_name: true,
                },
                _ => return self.skip(w, sink, t),
            },
            St::CreateCols { depth, want_name } => match t.kind {
                Kind::Punct(b'(') => St::CreateCols {
                    depth: depth + 1,
                    want_name,
                },
                Kind::Punct(b')') if depth == 1 => {
                    self.finish_create();
                    St::Skip
                }
                Kind::Punct(b')') => St::CreateCols {
                    depth: depth - 1,
                    want_name,
                },
                Kind::Punct(b',') if depth == 1 => St::CreateCols {
                    depth,
                    want_name: true,
                },
                Kind::Word | Kind::Ident if want_name && depth == 1 => {
                    let is_constraint = t.kind == Kind::Word && CONSTRAINT.iter().any(|k| word(k));
                    if !is_constraint && let Some(name) = Self::ident(&w.buf, &t) {
                        self.push_col(name);
                    }
                    St::CreateCols {
                        depth,
                        want_name: false,
                    }
                }
                _ => self.st,
            },
            St::InsertPre => {
                if word("into") {
                    St::InsertName
                } else if [
                    "ignore",
                    "or",
                    "replace",
                    "rollback",
                    "abort",
                    "fail",
                    "low_priority",
                    "delayed",
                    "high_priority",
                ]
                .iter()
                .any(|k| word(k))
                {
                    St::InsertPre
                } else {
                    return self.skip(w, sink, t);
                }
            }
            St::InsertAfterName | St::CopyAfterName => {
                let copy = self.st == St::CopyAfterName;
                match t.kind {
                    Kind::Punct(b'.') if copy => St::CopyName,
                    Kind::Punct(b'.') => St::InsertName,
                    Kind::Punct(b'(') if copy => St::CopyCols,
                    Kind::Punct(b'(') => St::InsertCols,
                    _ if !copy && (word("values") || word("value")) => {
                        self.prepare_fields();
                        St::InsertValues
                    }
                    _ if copy && word("from") => {
                        self.prepare_fields();
                        St::CopyRest {
                            stdin: false,
                            from: true,
                        }
                    }
                    // `AS alias`, `SELECT …`, `DEFAULT VALUES`, `TO stdout`: not row data.
                    _ => return self.skip(w, sink, t),
                }
            }
            St::InsertCols | St::CopyCols => match t.kind {
                Kind::Punct(b')') => {
                    if self.st == St::CopyCols {
                        St::CopyAfterName
                    } else {
                        St::InsertAfterName
                    }
                }
                Kind::Word | Kind::Ident => {
                    if let Some(name) = Self::ident(&w.buf, &t) {
                        self.push_col(name);
                    }
                    self.st
                }
                _ => self.st,
            },
            St::InsertValues => match t.kind {
                Kind::Punct(b'(') => {
                    self.record += 1;
                    self.row_line = w.line_at(t.start);
                    St::Tuple { depth: 1, col: 0 }
                }
                Kind::Punct(b',') => St::InsertValues,
                _ => return self.skip(w, sink, t),
            },
            St::Tuple { depth, col } => match t.kind {
                Kind::Punct(b'(') => St::Tuple {
                    depth: depth + 1,
                    col,
                },
                Kind::Punct(b')') if depth == 1 => St::InsertValues,
                Kind::Punct(b')') => St::Tuple {
                    depth: depth - 1,
                    col,
                },
                Kind::Punct(b',') if depth == 1 => St::Tuple {
                    depth,
                    col: col + 1,
                },
                Kind::Str { .. } | Kind::Number => {
                    self.emit(w, sink, &t, Some(col));
                    self.st
                }
                _ => self.st,
            },
            St::CopyRest { stdin, from } => {
                if semi {
                    if stdin { St::CopyLineEnd } else { St::Start }
                } else {
                    St::CopyRest {
                        stdin: stdin || (from && word("stdin")),
                        from: false,
                    }
                }
            }
            St::CopyLineEnd | St::CopyData => self.st,
        };
    }

    /// An unknown statement (or the rest of one): scan its strings without a field.
    fn skip(&mut self, w: &mut Window<'_>, sink: &mut dyn CellSink, t: Tok) {
        if matches!(t.kind, Kind::Str { .. }) {
            self.emit(w, sink, &t, None);
        }
        self.st = St::Skip;
    }

    fn finish_create(&mut self) {
        let cols: Vec<String> = self.cols[..self.ncols].to_vec();
        if self.remembered + cols.len() > MAX_REMEMBERED_COLUMNS {
            return;
        }
        self.remembered += cols.len();
        self.tables.insert(self.table.clone(), cols);
        self.ncols = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::formats::test_sink::Collect;

    fn run(text: &str) -> Result<(Collect, FormatStats), FormatError> {
        let mut sink = Collect::default();
        let stats = Sql.scan(&mut text.as_bytes(), &mut sink)?;
        Ok((sink, stats))
    }

    const MYSQL: &str = "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8 */;\nCREATE TABLE `customers` (\n  `id` int NOT NULL,\n  `email` varchar(255) DEFAULT NULL,\n  `phone` varchar(20),\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\nINSERT INTO `customers` VALUES (1,'a@example.com','0491 570 156'),(2,'O\\'Neil b@example.com',NULL);\nINSERT INTO `customers` (`phone`, `id`) VALUES ('0491 570 157', 3);\n";

    #[test]
    fn mysqldump_extended_insert() {
        let (c, stats) = run(MYSQL).unwrap();
        let table: &[(&str, u64, u64, &str, u64)] = &[
            ("a@example.com", 9, 36, "customers.email", 1),
            ("0491 570 156", 9, 52, "customers.phone", 1),
            ("O 'Neil b@example.com", 9, 71, "customers.email", 2),
            ("0491 570 157", 10, 50, "customers.phone", 3),
            ("3", 10, 65, "customers.id", 3),
        ];
        for (text, line, col, field, rec) in table {
            let r = c.find(text);
            assert_eq!(
                (r.1, r.2, r.3.as_deref(), r.4),
                (*line, *col, Some(*field), Some(*rec)),
                "{text}"
            );
        }
        assert_eq!(stats.records, 3);
    }

    #[test]
    fn pg_dump_copy_and_inserts() {
        let dump = "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;\nCREATE TABLE public.people (\n    id integer NOT NULL,\n    email text,\n    dob date\n);\nCOPY public.people (id, email, dob) FROM stdin;\n1\tc@example.com\t1980-02-03\n2\t\\N\tline\\nbreak\n\\.\nINSERT INTO public.people (id, email, dob) VALUES (3, 'it''s d@example.com', '1990-01-01');\nINSERT INTO public.people VALUES (4, E'x\\ty@example.com', NULL);\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nCOMMENT ON TABLE people IS 'z@example.com';\n";
        let (c, stats) = run(dump).unwrap();
        let r = c.find("c@example.com");
        assert_eq!(
            (r.1, r.2, r.3.as_deref(), r.4),
            (11, 3, Some("people.email"), Some(1))
        );
        assert_eq!(c.find("1980-02-03").3.as_deref(), Some("people.dob"));
        assert_eq!(c.find("line  break").3.as_deref(), Some("people.dob"));
        let r = c.find("it 's d@example.com");
        assert_eq!(
            (r.1, r.2, r.3.as_deref(), r.4),
            (14, 56, Some("people.email"), Some(3))
        );
        assert_eq!(
            c.find("x  y@example.com").3.as_deref(),
            Some("people.email")
        );
        assert_eq!(c.find("z@example.com").3, None);
        assert_eq!(stats.records, 4);
    }

    #[test]
    fn sqlite_dump() {
        let dump = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE users(id INTEGER PRIMARY KEY, \"e mail\" TEXT, card TEXT);\nINSERT INTO users VALUES(1,'e@example.com','4111111111111111');\nINSERT INTO \"users\" VALUES(2,'f@example.com',4111111111111111);\nCOMMIT;\n";
        let (c, _) = run(dump).unwrap();
        assert_eq!(c.find("e@example.com").3.as_deref(), Some("users.e mail"));
        let r = c.find("4111111111111111");
        assert_eq!(r.3.as_deref(), Some("users.card"));
        assert_eq!(c.0.iter().filter(|r| r.0 == "4111111111111111").count(), 2);
    }

    #[test]
    fn broken_dumps_are_errors_with_lines() {
        let table: &[(&str, u64)] = &[
            (
                "INSERT INTO t VALUES (1,'abc);\nINSERT INTO t VALUES (2,'x');\nINSERT INTO t VALUES (3,'y\n",
                1,
            ),
            ("INSERT INTO t VALUES (1,'a'\n", 1),
            ("COPY t (a) FROM stdin;\n1\n2\n", 1),
            ("CREATE TABLE t (\n a int,\n", 3),
            ("/* never closed\n", 1),
        ];
        for (dump, line) in table {
            match run(dump) {
                Err(FormatError::Malformed { line: l, .. }) => assert_eq!(l, *line, "{dump:?}"),
                other => panic!("{dump:?}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn long_extended_insert_streams() {
        let mut dump = String::from("INSERT INTO t (e) VALUES ");
        for i in 0..60_000 {
            dump.push_str(&format!("('u{i}@example.com'),"));
        }
        dump.push_str("('last@example.com');\n");
        let (c, stats) = run(&dump).unwrap();
        assert_eq!(stats.records, 60_001);
        let r = c.find("last@example.com");
        assert_eq!((r.1, r.2 as usize, r.4), (1, dump.len() - 19, Some(60_001)));
    }

    #[test]
    fn sniff_table() {
        let table: &[(&str, bool)] = &[
            (
                "-- MySQL dump 10.13\n\n/*!40101 SET x */;\nCREATE TABLE `a` (`b` int);\n",
                true,
            ),
            ("--\n-- PostgreSQL database dump\n--\n\nSET x = 1;\n", true),
            (
                "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a);\n",
                true,
            ),
            ("INSERT INTO t VALUES (1);\n", true),
            ("Run this:\nINSERT INTO t VALUES (1);\n", false),
            ("select 1;\n", false),
            ("hello\n", false),
        ];
        for (head, want) in table {
            assert_eq!(sniff(head.as_bytes()), *want, "{head:?}");
        }
    }
}
