//! SQL dumps (pg_dump plain format, mysqldump, SQLite `.dump`): values replaced inside their
//! literals; dropped columns removed from COPY column lists, INSERT column lists and every row,
//! so the dump still loads.
//!
//! The dump is re-tokenised here with the lexical rules of [`crate::formats::sql`] (comments,
//! `'…'` with `''` — and backslash escapes when the dump is MySQL's — `E'…'`, quoted
//! identifiers, `$tag$` bodies), and statements are recognised just far enough:
//!
//! * `CREATE TABLE t (…)` — the column names (and how they were spelled) are remembered. The
//!   statement itself is kept: a dropped column stays in the schema and loads as NULL.
//! * `COPY t (cols) FROM stdin;` + tab-separated lines up to `\.` — a dropped column is removed
//!   from the list and from every line; `null` writes `\N`.
//! * `INSERT|REPLACE … INTO t [(cols)] VALUES (…), …` — a dropped column is removed from every
//!   tuple and from the column list; an INSERT without one (`pg_dump --inserts`) gets the
//!   remembered CREATE TABLE columns written out, minus the dropped ones, so the values still
//!   line up (unknown table: the value becomes NULL instead). `null` writes `NULL`; a number
//!   holding a masked or tokenised value becomes a string literal.
//! * Anything else: its literals are spliced, nothing else changes.
//!
//! * Typed dates: `generalise` of a date of birth gives a bare year, which PostgreSQL will not
//!   load into a column the CREATE TABLE declared `date`, `timestamp[tz]` or `datetime`. In such
//!   a column (COPY rows and INSERT tuples) the value is written as `YYYY-01-01` instead (or
//!   NULL if it had no year). CSV and JSON keep the bare year.
//!
//! Fields are `table.column` with the table's last name part, as the scanner names them.

use std::collections::{HashMap, HashSet};

use super::{Action, Analysis, Edit, RedactError, Value, remove_items};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Word,
    Ident,
    /// A string literal: `start` is after the opening quote.
    Str,
    Number,
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    k: K,
    /// Token start (the opening quote / `E` for strings).
    t0: usize,
    /// Content start (after the quote for strings and identifiers).
    start: usize,
    /// Content end.
    end: usize,
    /// Token end.
    next: usize,
}

fn err(message: &str) -> RedactError {
    RedactError::Structure {
        format: "sql",
        message: message.into(),
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

struct Lexer<'a> {
    t: &'a [u8],
    i: usize,
    mysql: bool,
}

impl Lexer<'_> {
    /// End (index of the closing quote) of a quoted token opening at `s`.
    fn quoted(&self, s: usize, q: u8, esc: bool) -> Result<usize, RedactError> {
        let t = self.t;
        let mut i = s + 1;
        loop {
            let found = if esc {
                memchr::memchr2(q, b'\\', &t[i.min(t.len())..])
            } else {
                memchr::memchr(q, &t[i.min(t.len())..])
            };
            let Some(k) = found else {
                return Err(err("string literal is never closed"));
            };
            let p = i + k;
            if t[p] == b'\\' {
                i = p + 2;
                continue;
            }
            if t.get(p + 1) == Some(&q) {
                i = p + 2;
            } else {
                return Ok(p);
            }
        }
    }

    fn next(&mut self) -> Result<Option<Tok>, RedactError> {
        let t = self.t;
        loop {
            while self.i < t.len() && t[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            let Some(&b) = t.get(self.i) else {
                return Ok(None);
            };
            let b1 = t.get(self.i + 1).copied();
            if (b == b'-' && b1 == Some(b'-')) || (b == b'#' && self.mysql) {
                self.i = memchr::memchr(b'\n', &t[self.i..]).map_or(t.len(), |k| self.i + k + 1);
                continue;
            }
            if b == b'/' && b1 == Some(b'*') {
                self.i = memchr::memmem::find(&t[self.i + 2..], b"*/")
                    .map_or(t.len(), |k| self.i + 2 + k + 2);
                continue;
            }
            let s = self.i;
            let tok = |k, start, end, next| Tok {
                k,
                t0: s,
                start,
                end,
                next,
            };
            let tok = match b {
                b'\'' => {
                    let e = self.quoted(s, b'\'', self.mysql)?;
                    tok(K::Str, s + 1, e, e + 1)
                }
                b'E' | b'e' if b1 == Some(b'\'') => {
                    let e = self.quoted(s + 1, b'\'', true)?;
                    tok(K::Str, s + 2, e, e + 1)
                }
                b'"' | b'`' => {
                    let e = self.quoted(s, b, false)?;
                    tok(K::Ident, s + 1, e, e + 1)
                }
                b'$' => match dollar(t, s) {
                    Some((cs, ce, n)) => tok(K::Str, cs, ce, n),
                    None => tok(K::Punct(b'$'), s, s + 1, s + 1),
                },
                _ if is_word(b) || (b == b'.' && b1.is_some_and(|c| c.is_ascii_digit())) => {
                    let from = if b == b'.' { s + 1 } else { s };
                    let e = from
                        + t[from..]
                            .iter()
                            .position(|&c| !(is_word(c) || c == b'.'))
                            .unwrap_or(t.len() - from);
                    let k = if b.is_ascii_digit() || b == b'.' {
                        K::Number
                    } else {
                        K::Word
                    };
                    tok(k, s, e, e)
                }
                _ => tok(K::Punct(b), s, s + 1, s + 1),
            };
            self.i = tok.next;
            return Ok(Some(tok));
        }
    }
}

/// A `$tag$ … $tag$` string at `s`: content range and next index.
fn dollar(t: &[u8], s: usize) -> Option<(usize, usize, usize)> {
    let tag_len = t[s + 1..]
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))?;
    if t[s + 1 + tag_len] != b'$' || t.get(s + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let tag = &t[s..s + tag_len + 2];
    let body = s + tag.len();
    memchr::memmem::find(&t[body..], tag).map(|k| (body, body + k, body + k + tag.len()))
}

fn word(t: &[u8], tok: &Tok, kw: &str) -> bool {
    tok.k == K::Word && t[tok.start..tok.end].eq_ignore_ascii_case(kw.as_bytes())
}

/// The table name (last part) of a name token.
fn name_of(t: &[u8], tok: &Tok) -> String {
    let raw = &t[tok.start..tok.end];
    let raw = match (tok.k, memchr::memrchr(b'.', raw)) {
        (K::Word, Some(p)) => &raw[p + 1..],
        _ => raw,
    };
    String::from_utf8_lossy(&raw[..raw.len().min(256)]).into_owned()
}

struct Rewriter<'a> {
    lx: Lexer<'a>,
    an: &'a Analysis,
    by_cell: HashMap<usize, Vec<&'a Value>>,
    /// Table → (column name, spelling as written, declared as a date/time type).
    tables: HashMap<String, Vec<(String, String, bool)>>,
    out: Vec<Edit>,
}

impl Rewriter<'_> {
    fn dropped(&self, table: &str, col: &str) -> bool {
        !self.an.dropped.is_empty() && self.an.dropped.contains(format!("{table}.{col}").as_str())
    }

    /// Reads a (possibly qualified) name: its last part, and the token after it.
    fn name(&mut self) -> Result<Option<(String, Option<Tok>)>, RedactError> {
        let Some(mut tok) = self.lx.next()? else {
            return Ok(None);
        };
        loop {
            if !matches!(tok.k, K::Word | K::Ident) {
                return Ok(None);
            }
            let name = name_of(self.lx.t, &tok);
            let after = self.lx.next()?;
            match after {
                Some(a) if a.k == K::Punct(b'.') => match self.lx.next()? {
                    Some(n) => tok = n,
                    None => return Ok(None),
                },
                _ => return Ok(Some((name, after))),
            }
        }
    }

    /// Reads `a, b, c)` after a `(`: each column's name, spelling and span.
    fn col_list(&mut self) -> Result<Vec<(String, String, usize, usize)>, RedactError> {
        let mut cols = Vec::new();
        while let Some(tok) = self.lx.next()? {
            match tok.k {
                K::Punct(b')') => break,
                K::Punct(b',') => {}
                K::Word | K::Ident => cols.push((
                    name_of(self.lx.t, &tok),
                    String::from_utf8_lossy(&self.lx.t[tok.t0..tok.next]).into_owned(),
                    tok.t0,
                    tok.next,
                )),
                _ => return Err(err("unexpected token in a column list")),
            }
        }
        Ok(cols)
    }

    /// Skips to the end of the statement (`;` outside parentheses, or end of input).
    fn skip_statement(&mut self, mut tok: Option<Tok>) -> Result<(), RedactError> {
        while let Some(t) = tok {
            if t.k == K::Punct(b';') {
                return Ok(());
            }
            tok = self.lx.next()?;
        }
        Ok(())
    }

    /// Whether `col` of `table` was declared with a date/time type.
    fn date_col(&self, table: &str, col: &str) -> bool {
        self.tables
            .get(table)
            .is_some_and(|cols| cols.iter().any(|c| c.0 == col && c.2))
    }

    /// Edits for a literal token that needs more than a splice. `date`: the literal goes into a
    /// column declared as a date/time type.
    fn literal(&mut self, tok: &Tok, in_insert: bool, date: bool) {
        if !matches!(tok.k, K::Str | K::Number) {
            return;
        }
        let Some(vals) = self.by_cell.get(&tok.start) else {
            return;
        };
        if date && let Some(d) = typed_date(vals) {
            // The whole literal becomes `'YYYY-01-01'` (or NULL): a bare year, or a date with a
            // masked part, would not load into a DATE/TIMESTAMP column.
            let text = match d {
                Some(d) => format!("'{d}'").into_bytes(),
                None => b"NULL".to_vec(),
            };
            self.out.push(Edit {
                start: tok.t0,
                end: tok.next,
                text,
            });
            return;
        }
        let whole_null = vals
            .iter()
            .any(|v| matches!(v.action, Action::Null | Action::Drop) && v.whole());
        if whole_null && in_insert {
            self.out.push(Edit {
                start: tok.t0,
                end: tok.next,
                text: b"NULL".to_vec(),
            });
        } else if tok.k == K::Number {
            let local: Vec<Edit> = vals
                .iter()
                .map(|v| Edit {
                    start: v.start - tok.start,
                    end: v.end - tok.start,
                    text: v.replacement.clone().into_bytes(),
                })
                .collect();
            let mut s = vec![b'\''];
            s.extend(super::apply(&self.lx.t[tok.start..tok.end], local));
            s.push(b'\'');
            self.out.push(Edit {
                start: tok.t0,
                end: tok.next,
                text: s,
            });
        }
    }

    fn create(&mut self) -> Result<(), RedactError> {
        // CREATE [TEMPORARY|UNLOGGED|…] TABLE [IF NOT EXISTS] name (
        let mut tok = self.lx.next()?;
        while let Some(t) = tok {
            if word(self.lx.t, &t, "table") {
                break;
            }
            if t.k != K::Word || t.k == K::Punct(b';') {
                return self.skip_statement(Some(t));
            }
            tok = self.lx.next()?;
        }
        let mut name = self.name()?;
        while let Some((n, Some(t))) = &name {
            if ["if", "not", "exists"].contains(&n.to_ascii_lowercase().as_str())
                && t.k != K::Punct(b'(')
            {
                // `IF NOT EXISTS name`: the "name" read was a keyword.
                self.lx.i = t.t0;
                name = self.name()?;
            } else {
                break;
            }
        }
        let Some((table, Some(open))) = name else {
            return Ok(());
        };
        if open.k != K::Punct(b'(') {
            return self.skip_statement(Some(open));
        }
        use crate::formats::sql::CONSTRAINT;
        let mut cols: Vec<(String, String, bool)> = Vec::new();
        let (mut depth, mut want, mut want_type) = (1usize, true, false);
        while let Some(t) = self.lx.next()? {
            match t.k {
                K::Punct(b'(') => depth += 1,
                K::Punct(b')') if depth == 1 => break,
                K::Punct(b')') => depth -= 1,
                K::Punct(b',') if depth == 1 => (want, want_type) = (true, false),
                K::Word | K::Ident if want && depth == 1 => {
                    want = false;
                    if !(t.k == K::Word && CONSTRAINT.iter().any(|k| word(self.lx.t, &t, k))) {
                        cols.push((
                            name_of(self.lx.t, &t),
                            String::from_utf8_lossy(&self.lx.t[t.t0..t.next]).into_owned(),
                            false,
                        ));
                        want_type = true;
                    }
                }
                K::Word | K::Ident if want_type && depth == 1 => {
                    want_type = false;
                    // The type's first word (`date`, `timestamp [with time zone]`,
                    // `pg_catalog.date`, `datetime`): a date/time column.
                    let ty = name_of(self.lx.t, &t).to_ascii_lowercase();
                    if let Some(c) = cols.last_mut() {
                        c.2 = matches!(
                            ty.as_str(),
                            "date" | "timestamp" | "timestamptz" | "datetime"
                        );
                    }
                }
                _ => {}
            }
        }
        self.tables.insert(table, cols);
        let next = self.lx.next()?;
        self.skip_statement(next)
    }

    fn copy(&mut self) -> Result<(), RedactError> {
        let Some((table, after)) = self.name()? else {
            return Ok(());
        };
        let mut cols: Vec<String> = Vec::new();
        let mut tok = after;
        if let Some(t) = tok
            && t.k == K::Punct(b'(')
        {
            let list = self.col_list()?;
            let items: Vec<(usize, usize, bool)> = list
                .iter()
                .map(|(n, _, s, e)| (*s, *e, self.dropped(&table, n)))
                .collect();
            self.out.extend(remove_items(&items));
            cols = list.into_iter().map(|c| c.0).collect();
            tok = self.lx.next()?;
        } else if let Some(known) = self.tables.get(&table) {
            cols = known.iter().map(|c| c.0.clone()).collect();
        }
        // FROM stdin … ;
        let mut from_stdin = false;
        while let Some(t) = tok {
            if t.k == K::Punct(b';') {
                break;
            }
            from_stdin |= word(self.lx.t, &t, "stdin");
            tok = self.lx.next()?;
        }
        if !from_stdin {
            return Ok(());
        }
        let dropped: HashSet<usize> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| self.dropped(&table, c))
            .map(|(i, _)| i)
            .collect();
        let dates: HashSet<usize> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| self.date_col(&table, c))
            .map(|(i, _)| i)
            .collect();
        let t = self.lx.t;
        // Data starts on the line after the `;`.
        let mut pos = memchr::memchr(b'\n', &t[self.lx.i..]).map_or(t.len(), |k| self.lx.i + k + 1);
        while pos < t.len() {
            let nl = memchr::memchr(b'\n', &t[pos..]).map_or(t.len(), |k| pos + k);
            let end = if nl > pos && t[nl - 1] == b'\r' {
                nl - 1
            } else {
                nl
            };
            let line = &t[pos..end];
            if line == b"\\." {
                pos = nl + 1;
                break;
            }
            let mut items = Vec::new();
            let mut s = pos;
            let mut col = 0;
            loop {
                let e = memchr::memchr(b'\t', &t[s..end]).map_or(end, |k| s + k);
                items.push((s, e, dropped.contains(&col)));
                let vals = self.by_cell.get(&s);
                let typed = vals
                    .filter(|_| dates.contains(&col) && !dropped.contains(&col))
                    .and_then(|v| typed_date(v));
                if let Some(d) = typed {
                    // A date column keeps a date (see `typed_date`).
                    self.out.push(Edit {
                        start: s,
                        end: e,
                        text: d.map_or_else(|| b"\\N".to_vec(), String::into_bytes),
                    });
                } else if let Some(vals) = vals
                    && !dropped.contains(&col)
                    && vals
                        .iter()
                        .any(|v| matches!(v.action, Action::Null | Action::Drop) && v.end == e)
                {
                    self.out.push(Edit {
                        start: s,
                        end: e,
                        text: b"\\N".to_vec(),
                    });
                }
                col += 1;
                if e >= end {
                    break;
                }
                s = e + 1;
            }
            self.out.extend(remove_items(&items));
            pos = nl + 1;
        }
        self.lx.i = pos.min(t.len());
        Ok(())
    }

    fn insert(&mut self) -> Result<(), RedactError> {
        // INSERT [IGNORE | OR word] INTO name [(cols)] VALUES (…), …
        let mut tok = self.lx.next()?;
        while let Some(t) = tok {
            if word(self.lx.t, &t, "into") {
                break;
            }
            if t.k == K::Punct(b';') {
                return Ok(());
            }
            tok = self.lx.next()?;
        }
        let Some((table, after)) = self.name()? else {
            return Ok(());
        };
        let mut tok = after;
        let mut cols: Vec<String> = Vec::new();
        let mut has_list = false;
        if let Some(t) = tok
            && t.k == K::Punct(b'(')
        {
            has_list = true;
            let list = self.col_list()?;
            let items: Vec<(usize, usize, bool)> = list
                .iter()
                .map(|(n, _, s, e)| (*s, *e, self.dropped(&table, n)))
                .collect();
            self.out.extend(remove_items(&items));
            cols = list.into_iter().map(|c| c.0).collect();
            tok = self.lx.next()?;
        } else if let Some(known) = self.tables.get(&table) {
            cols = known.iter().map(|c| c.0.clone()).collect();
        }
        let dropped: Vec<bool> = cols.iter().map(|c| self.dropped(&table, c)).collect();
        let dates: Vec<bool> = cols.iter().map(|c| self.date_col(&table, c)).collect();
        let any_dropped = dropped.iter().any(|&d| d);
        // No column list: write one (the CREATE TABLE's columns minus the dropped ones).
        if any_dropped
            && !has_list
            && let (Some(known), Some(t)) = (self.tables.get(&table), tok)
        {
            let kept: Vec<&str> = known
                .iter()
                .zip(&dropped)
                .filter(|(_, d)| !**d)
                .map(|(c, _)| c.1.as_str())
                .collect();
            self.out.push(Edit {
                start: t.t0,
                end: t.t0,
                text: format!("({}) ", kept.join(", ")).into_bytes(),
            });
        }
        let Some(t) = tok else { return Ok(()) };
        if !word(self.lx.t, &t, "values") {
            return self.skip_statement(Some(t));
        }
        // Tuples.
        loop {
            let Some(t) = self.lx.next()? else {
                return Ok(());
            };
            match t.k {
                K::Punct(b'(') => self.tuple(&dropped, &dates)?,
                K::Punct(b',') => {}
                K::Punct(b';') => return Ok(()),
                _ => return self.skip_statement(Some(t)),
            }
        }
    }

    /// One `( … )` tuple after its `(`.
    fn tuple(&mut self, dropped: &[bool], dates: &[bool]) -> Result<(), RedactError> {
        let mut items: Vec<(usize, usize, bool)> = Vec::new();
        let mut depth = 0usize;
        let mut cur: Option<(usize, usize)> = None;
        let mut col = 0usize;
        loop {
            let Some(t) = self.lx.next()? else {
                return Err(err("tuple is never closed"));
            };
            match t.k {
                K::Punct(b')') if depth == 0 => {
                    if let Some((s, e)) = cur {
                        items.push((s, e, dropped.get(col).copied().unwrap_or(false)));
                    }
                    break;
                }
                K::Punct(b',') if depth == 0 => {
                    if let Some((s, e)) = cur.take() {
                        items.push((s, e, dropped.get(col).copied().unwrap_or(false)));
                    }
                    col += 1;
                    continue;
                }
                K::Punct(b'(') => depth += 1,
                K::Punct(b')') => depth -= 1,
                _ => {}
            }
            cur = Some(cur.map_or((t.t0, t.next), |(s, _)| (s, t.next)));
            self.literal(
                &t,
                true,
                depth == 0 && dates.get(col).copied().unwrap_or(false),
            );
        }
        // Without a known column list, a dropped column cannot be removed: NULL it instead.
        if items.len() == dropped.len() {
            self.out.extend(remove_items(&items));
        } else {
            for (s, e, d) in items {
                if d {
                    self.out.push(Edit {
                        start: s,
                        end: e,
                        text: b"NULL".to_vec(),
                    });
                }
            }
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), RedactError> {
        while let Some(t) = self.lx.next()? {
            if word(self.lx.t, &t, "copy") {
                self.copy()?;
            } else if word(self.lx.t, &t, "insert") || word(self.lx.t, &t, "replace") {
                self.insert()?;
            } else if word(self.lx.t, &t, "create") {
                self.create()?;
            } else {
                let mut tok = Some(t);
                while let Some(t) = tok {
                    if t.k == K::Punct(b';') {
                        break;
                    }
                    self.literal(&t, false, false);
                    tok = self.lx.next()?;
                }
            }
        }
        Ok(())
    }
}

/// For a value in a column declared DATE/TIMESTAMP: `Some(Some("YYYY-01-01"))` when a date of
/// birth in it is generalised (a bare year would not load), `Some(None)` (write NULL) when it
/// has no year to keep, `None` when no generalised date of birth is there.
fn typed_date(vals: &[&Value]) -> Option<Option<String>> {
    vals.iter()
        .find(|v| v.action == Action::Generalise && v.kind == crate::finding::Kind::DateOfBirth)
        .map(|v| super::action::year_date(&v.replacement))
}

/// Edits for an SQL dump (see the module docs).
pub fn edits(text: &[u8], an: &Analysis) -> Result<Vec<Edit>, RedactError> {
    let mysql = memchr::memmem::find(text, b"MySQL dump").is_some()
        || memchr::memmem::find(text, b"MariaDB dump").is_some()
        || memchr::memchr(b'`', text).is_some()
        || memchr::memmem::find(text, b"/*!").is_some();
    let mut by_cell: HashMap<usize, Vec<&Value>> = HashMap::new();
    for v in &an.values {
        by_cell.entry(v.cell.0).or_default().push(v);
    }
    let mut r = Rewriter {
        lx: Lexer {
            t: text,
            i: 0,
            mysql,
        },
        an,
        by_cell,
        tables: HashMap::new(),
        out: Vec::new(),
    };
    r.run()?;
    // Structural edits first: for equal ranges the first pushed wins (see `apply`).
    let mut out = r.out;
    out.extend(an.values.iter().map(Value::edit));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::apply;
    use crate::redact::test_util::{self, value};

    fn run(text: &str, vals: Vec<Value>, dropped: &[&str]) -> String {
        let an = test_util::analysis(vals, dropped);
        String::from_utf8(apply(text.as_bytes(), edits(text.as_bytes(), &an).unwrap())).unwrap()
    }

    #[test]
    fn copy_block_drops_a_column_and_nulls() {
        let text = "CREATE TABLE public.c (\n    id integer,\n    email text,\n    phone text\n);\n\nCOPY public.c (id, email, phone) FROM stdin;\n1\ta@x.com\t0412\n2\t\\N\t0413\n\\.\n\nSELECT 1;\n";
        let vals = vec![
            value(text, "a@x.com", Action::Drop, ""),
            value(text, "0412", Action::Null, ""),
            value(text, "0413", Action::Mask, "**13"),
        ];
        assert_eq!(
            run(text, vals, &["c.email"]),
            "CREATE TABLE public.c (\n    id integer,\n    email text,\n    phone text\n);\n\nCOPY public.c (id, phone) FROM stdin;\n1\t\\N\n2\t**13\n\\.\n\nSELECT 1;\n"
        );
    }

    #[test]
    fn generalised_dates_in_date_columns_stay_dates() {
        let dob = |text: &str, needle: &str| {
            let mut v = value(text, needle, Action::Generalise, &needle[..4]);
            v.kind = crate::finding::Kind::DateOfBirth;
            v
        };
        let text = "CREATE TABLE p (id int, dob date, born_note text);
COPY p (id, dob, born_note) FROM stdin;
1	1985-03-12	1986-04-13
\\.
INSERT INTO p VALUES (2, '1987-05-14', '1988-06-15');
";
        let vals = vec![
            dob(text, "1985-03-12"),
            dob(text, "1986-04-13"),
            dob(text, "1987-05-14"),
            dob(text, "1988-06-15"),
        ];
        assert_eq!(
            run(text, vals, &[]),
            "CREATE TABLE p (id int, dob date, born_note text);
COPY p (id, dob, born_note) FROM stdin;
1	1985-01-01	1986
\\.
INSERT INTO p VALUES (2, '1987-01-01', '1988');
"
        );
    }

    #[test]
    fn inserts_with_and_without_column_lists() {
        let text = "CREATE TABLE c (id int, \"email\" text, phone text);\nINSERT INTO public.c VALUES (1, 'a@x.com', 61412345678), (2, 'it''s', NULL);\nINSERT INTO c (id, email, phone) VALUES (3, 'b@x.com', 'x');\n";
        let vals = vec![
            value(text, "a@x.com", Action::Drop, ""),
            value(text, "61412345678", Action::Mask, "*******5678"),
            value(text, "b@x.com", Action::Drop, ""),
        ];
        assert_eq!(
            run(text, vals, &["c.email"]),
            "CREATE TABLE c (id int, \"email\" text, phone text);\nINSERT INTO public.c (id, phone) VALUES (1, '*******5678'), (2, NULL);\nINSERT INTO c (id, phone) VALUES (3, 'x');\n"
        );
        let text = "INSERT INTO c (id, email) VALUES (1, 'a@x.com');\n";
        let vals = vec![value(text, "a@x.com", Action::Null, "")];
        assert_eq!(
            run(text, vals, &[]),
            "INSERT INTO c (id, email) VALUES (1, NULL);\n"
        );
    }
}
