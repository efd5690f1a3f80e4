//! SQL dumps (pg_dump plain format, mysqldump, SQLite `.dump`): values replaced inside their
//! literals; dropped columns removed from COPY column lists, INSERT column lists and every row,
//! so the dump still loads.
//!
//! The dump is re-tokenised here with the lexical rules of [`crate::formats::sql`] (comments,
//! `'…'` with `''` — and backslash escapes when the dump is MySQL's — `E'…'`, quoted
//! identifiers, `$tag$` bodies), and statements are recognised just far enough:
//!
//! * `CREATE TABLE t (…)` — each column's name (and how it was spelled), its declared type
//!   (read by [`SqlType::parse`]), and whether it is `NOT NULL` (or in the `PRIMARY KEY`) and
//!   has a `DEFAULT` are remembered. The statement itself is kept: a dropped column stays in
//!   the schema and loads as NULL (or its default).
//! * `COPY t (cols) FROM stdin;` + tab-separated lines up to `\.` — a dropped column is removed
//!   from the list and from every line; `null` writes `\N`.
//! * `INSERT|REPLACE … INTO t [(cols)] VALUES (…), …` — a dropped column is removed from every
//!   tuple and from the column list; an INSERT without one (`pg_dump --inserts`) gets the
//!   remembered CREATE TABLE columns written out, minus the dropped ones, so the values still
//!   line up (unknown table: the value becomes NULL instead). `null` writes `NULL`; a number
//!   holding a masked or tokenised value becomes a string literal.
//! * Anything else: its literals are spliced, nothing else changes.
//!
//! # Typed columns: every value written is one the column accepts
//!
//! A mask (`****-**-**`), a token (`tok_…`) or a bare year is not a `date`, a number, a UUID
//! or a boolean: PostgreSQL (and MySQL in strict mode) would refuse the row and the dump would
//! no longer load. So a redacted value in a column the CREATE TABLE declared with a type other
//! than text is written by this rule, the first that fits winning (COPY rows and INSERT tuples
//! alike; checks by [`SqlType::accepts`] on the value as the server sees it, escapes undone):
//!
//! 1. the action's output, when the type accepts it (text types always do);
//! 2. for a character type with a length (`varchar(n)`, `char(n)`), the output cut to `n`
//!    characters (a cut token is still the same for equal values);
//! 3. the generalised value in the type's form: a date of birth generalised to its year is
//!    written `YYYY-01-01` in a `date` / `timestamp` / `datetime` column, an IPv4 address
//!    generalised to `a.b.c.x` is written `a.b.c.0/24` in an `inet` column;
//! 4. NULL, when the column allows it (no `NOT NULL`, not in the primary key);
//! 5. else the type's placeholder ([`SqlType::placeholder`]: `1900-01-01`, `0`, `false`, the
//!    nil UUID, `00:00:00`, `0.0.0.0`, `{}`, …).
//!
//! `null` in a NOT NULL column writes the placeholder (empty text for text columns), and
//! `drop` of a NOT NULL column without a default keeps the column and writes its placeholder
//! in every row (removing it would make every row fail). Each of these substitutions is
//! counted per column in the receipt's notes (column and type names, never values). Text
//! columns, unknown tables and types this module does not know (domains, enums, user types)
//! get the action's output as it is. Verification checks the result independently with
//! [`type_check`] (see [`super::verify`]).
//!
//! Fields are `table.column` with the table's last name part, as the scanner names them.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use super::sqltype::{Base, SqlType};
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

/// One column of a `CREATE TABLE`.
#[derive(Debug, Clone)]
struct Col {
    /// Name (last part), as the scanner names fields.
    name: String,
    /// Spelling as written (quoted identifiers keep their quotes).
    spelling: String,
    /// Declared type.
    ty: SqlType,
    /// `NOT NULL`, or in the primary key.
    not_null: bool,
    /// Has a default (`DEFAULT`, `serial`, `AUTO_INCREMENT`, identity): a row without it loads.
    default: bool,
}

impl Col {
    /// Whether a row may leave this column out of its column list.
    fn removable(&self) -> bool {
        !self.not_null || self.default
    }
}

/// How one statement's values map onto the table's columns.
#[derive(Default)]
struct Layout {
    /// `table` (last name part).
    table: String,
    /// The table's CREATE TABLE columns, if it was seen.
    def: Option<Rc<Vec<Col>>>,
    /// Per value position: its column in `def`.
    map: Vec<Option<usize>>,
    /// Per value position: dropped, and removed from the statement.
    removed: Vec<bool>,
    /// Per value position: dropped but not removable (NOT NULL without a default): every value
    /// is written as the column's blank instead.
    blank: Vec<bool>,
    /// Check mode: per value position, its column's entry in `Rewriter::check` (typed or NOT
    /// NULL columns only).
    slots: Vec<Option<usize>>,
}

impl Layout {
    fn col(&self, pos: usize) -> Option<&Col> {
        let i = (*self.map.get(pos)?)?;
        self.def.as_ref()?.get(i)
    }
}

/// What a typed cell gets (see the module docs).
enum Fit {
    /// The redacted text fits: splice the values (a number literal becomes a string unless
    /// the text is still a number).
    Keep(String),
    /// Write this text instead of the whole value.
    Write(String),
    /// Write NULL.
    Null,
}

/// Substitutions counted for the receipt's notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sub {
    Null,
    Placeholder,
    NullToPlaceholder,
    Truncated(u32),
    Blanked,
}

/// How a literal's content is escaped.
#[derive(Debug, Clone, Copy)]
enum Esc {
    /// A COPY text-format field.
    Copy,
    /// A `'…'` string: `''`, plus backslash escapes when `true` (MySQL, `E'…'`).
    Str(bool),
    /// Raw (numbers, `$tag$` bodies).
    Raw,
}

/// Per column of a dump (by `table.column`): its type and the values it holds that the type
/// does not accept (NULL in a NOT NULL column included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnCheck {
    /// The column's type ([`SqlType::name`]).
    pub sql_type: String,
    /// Values checked.
    pub checked: u64,
    /// Values the type does not accept.
    pub bad: u64,
    /// Byte offsets of the first (up to 10) of them.
    pub first_bad: Vec<usize>,
}

struct Rewriter<'a> {
    lx: Lexer<'a>,
    an: &'a Analysis,
    by_cell: HashMap<usize, Vec<&'a Value>>,
    /// Table → its CREATE TABLE columns.
    tables: HashMap<String, Rc<Vec<Col>>>,
    out: Vec<Edit>,
    /// (`table.column`, type, placeholder, substitution) → values.
    subs: BTreeMap<(String, String, &'static str, Sub), u64>,
    /// Check mode ([`type_check`]): per column (`table.column`), what it holds.
    check: Option<Vec<(String, ColumnCheck)>>,
    /// Check mode: `table.column` → its index in `check`.
    check_index: HashMap<String, usize>,
    /// (`table.column`, text) of the generalised values written in their type's form.
    forms: BTreeSet<(String, String)>,
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

    /// The layout of a statement on `table` with these value positions (`None`: the CREATE
    /// TABLE's columns, in order).
    fn layout(&mut self, table: String, names: Option<Vec<String>>) -> Layout {
        let def = self.tables.get(&table).cloned();
        let (names, map): (Vec<String>, Vec<Option<usize>>) = match names {
            Some(n) => {
                let map = n
                    .iter()
                    .map(|n| {
                        def.as_ref()
                            .and_then(|d| d.iter().position(|c| &c.name == n))
                    })
                    .collect();
                (n, map)
            }
            // No column list: the CREATE TABLE's columns, in order.
            None => def
                .as_ref()
                .map(|d| {
                    d.iter()
                        .enumerate()
                        .map(|(i, c)| (c.name.clone(), Some(i)))
                        .unzip()
                })
                .unwrap_or_default(),
        };
        let mut l = Layout {
            table,
            def,
            map,
            removed: Vec::new(),
            blank: Vec::new(),
            slots: Vec::new(),
        };
        for (pos, n) in names.iter().enumerate() {
            let dropped = self.dropped(&l.table, n);
            let removable = l.col(pos).is_none_or(Col::removable);
            l.removed.push(dropped && removable);
            l.blank.push(dropped && !removable);
        }
        self.slots(&mut l);
        l
    }

    /// Check mode: the slots of a layout's columns (see [`Layout::slots`]).
    fn slots(&mut self, l: &mut Layout) {
        let Some(check) = self.check.as_mut() else {
            return;
        };
        for pos in 0..l.map.len() {
            let slot = l
                .col(pos)
                .filter(|c| c.ty.checked() || c.not_null)
                .map(|c| {
                    let key = format!("{}.{}", l.table, c.name);
                    *self.check_index.entry(key.clone()).or_insert_with(|| {
                        check.push((
                            key,
                            ColumnCheck {
                                sql_type: c.ty.name(),
                                ..ColumnCheck::default()
                            },
                        ));
                        check.len() - 1
                    })
                });
            l.slots.push(slot);
        }
    }

    fn count(&mut self, table: &str, col: &Col, sub: Sub) {
        *self
            .subs
            .entry((
                format!("{table}.{}", col.name),
                col.ty.name(),
                col.ty.placeholder(),
                sub,
            ))
            .or_default() += 1;
    }

    /// The blank for a dropped column that could not be removed: NULL, or its placeholder.
    fn blank(&mut self, table: &str, col: Option<&Col>) -> Fit {
        match col {
            Some(c) if c.not_null => {
                self.count(table, c, Sub::Blanked);
                Fit::Write(c.ty.placeholder().to_string())
            }
            _ => Fit::Null,
        }
    }

    /// What a cell of `col` holding `vals` gets (see the module docs). `content` is the cell's
    /// text as written (escaped), starting at byte `at`.
    fn fit(
        &mut self,
        table: &str,
        col: &Col,
        vals: &[&Value],
        (content, at, esc): (&[u8], usize, Esc),
    ) -> Fit {
        let whole_null = vals
            .iter()
            .any(|v| matches!(v.action, Action::Null | Action::Drop) && v.whole());
        if whole_null {
            if !col.not_null {
                return Fit::Null;
            }
            self.count(table, col, Sub::NullToPlaceholder);
            return Fit::Write(col.ty.placeholder().to_string());
        }
        // Text takes any value: only a number literal needs the text back (see `literal`).
        if !col.ty.checked() && !matches!(col.ty.base, Base::Chars(_)) && !matches!(esc, Esc::Raw) {
            return Fit::Keep(String::new());
        }
        let local: Vec<Edit> = vals
            .iter()
            .filter(|v| v.start >= at && v.end <= at + content.len())
            .map(|v| Edit {
                start: v.start - at,
                end: v.end - at,
                text: v.replacement.clone().into_bytes(),
            })
            .collect();
        let new = unescape(&super::apply(content, local), esc).into_owned();
        if col.ty.accepts(&new) {
            return Fit::Keep(new);
        }
        if let Base::Chars(n) = col.ty.base
            && !col.ty.array
        {
            self.count(table, col, Sub::Truncated(n));
            return Fit::Write(new.chars().take(n as usize).collect());
        }
        if let Some(form) = vals
            .iter()
            .filter(|v| v.action == Action::Generalise)
            .find_map(|v| col.ty.generalised_form(&v.replacement))
        {
            self.forms
                .insert((format!("{table}.{}", col.name), form.clone()));
            return Fit::Write(form);
        }
        if col.not_null {
            self.count(table, col, Sub::Placeholder);
            Fit::Write(col.ty.placeholder().to_string())
        } else {
            self.count(table, col, Sub::Null);
            Fit::Null
        }
    }

    /// Check mode: records one value (`None`: NULL) of the column at `pos`; `value` is only
    /// called for a typed column.
    fn observe<'v>(
        &mut self,
        layout: &Layout,
        pos: usize,
        value: Option<impl FnOnce() -> Cow<'v, str>>,
        at: usize,
    ) {
        let (Some(check), Some(&Some(slot)), Some(col)) =
            (self.check.as_mut(), layout.slots.get(pos), layout.col(pos))
        else {
            return;
        };
        let ok = match value {
            None => !col.not_null,
            Some(_) if !col.ty.checked() => true,
            Some(v) => col.ty.accepts(&v()),
        };
        let Some((_, c)) = check.get_mut(slot) else {
            return;
        };
        c.checked += 1;
        if !ok {
            c.bad += 1;
            if c.first_bad.len() < 10 {
                c.first_bad.push(at);
            }
        }
    }

    /// Edits for a literal token of an INSERT tuple (`col`: its column, when the token is the
    /// value itself, at the tuple's top level) or of any other statement.
    fn literal(&mut self, tok: &Tok, in_insert: bool, col: Option<(&str, &Col)>) {
        if !matches!(tok.k, K::Str | K::Number) {
            return;
        }
        let Some(vals) = self.by_cell.get(&tok.start).cloned() else {
            return;
        };
        if let Some((table, col)) = col {
            let esc = match tok.k {
                K::Number => Esc::Raw,
                // `E'…'` (content starts two bytes in) and MySQL strings take backslashes.
                _ if tok.start == tok.t0 + 2 || self.lx.mysql => Esc::Str(true),
                _ if self.lx.t[tok.t0] == b'$' => Esc::Raw,
                _ => Esc::Str(false),
            };
            let content = &self.lx.t[tok.start..tok.end];
            let text = match self.fit(table, col, &vals, (content, tok.start, esc)) {
                Fit::Null => b"NULL".to_vec(),
                Fit::Write(t) => quote(&t, self.lx.mysql),
                Fit::Keep(t) if tok.k == K::Number => {
                    if super::sqltype::is_number(&t) {
                        t.into_bytes()
                    } else {
                        quote(&t, self.lx.mysql)
                    }
                }
                Fit::Keep(_) => return,
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
        // The items between top-level commas: column definitions and table constraints.
        let mut items: Vec<Vec<Tok>> = vec![Vec::new()];
        let mut depth = 1usize;
        while let Some(t) = self.lx.next()? {
            match t.k {
                K::Punct(b'(') => depth += 1,
                K::Punct(b')') if depth == 1 => break,
                K::Punct(b')') => depth -= 1,
                K::Punct(b',') if depth == 1 => {
                    items.push(Vec::new());
                    continue;
                }
                _ => {}
            }
            if let Some(item) = items.last_mut()
                && item.len() < MAX_ITEM_TOKENS
            {
                item.push(t);
            }
        }
        let mut cols: Vec<Col> = Vec::new();
        let mut primary: Vec<String> = Vec::new();
        for item in &items {
            match column_def(self.lx.t, item, self.lx.mysql) {
                Some(c) => cols.push(c),
                None => primary.extend(primary_key(self.lx.t, item)),
            }
        }
        for c in &mut cols {
            c.not_null |= primary.contains(&c.name);
        }
        self.tables.insert(table, Rc::new(cols));
        let next = self.lx.next()?;
        self.skip_statement(next)
    }

    fn copy(&mut self) -> Result<(), RedactError> {
        let Some((table, after)) = self.name()? else {
            return Ok(());
        };
        let mut names = None;
        let mut tok = after;
        let mut list_items = Vec::new();
        if let Some(t) = tok
            && t.k == K::Punct(b'(')
        {
            let list = self.col_list()?;
            list_items = list.iter().map(|c| (c.2, c.3)).collect();
            names = Some(list.into_iter().map(|c| c.0).collect());
            tok = self.lx.next()?;
        }
        let layout = self.layout(table, names);
        if !list_items.is_empty() {
            let items: Vec<(usize, usize, bool)> = list_items
                .iter()
                .zip(&layout.removed)
                .map(|(&(s, e), &r)| (s, e, r))
                .collect();
            self.out.extend(remove_items(&items));
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
                let removed = layout.removed.get(col).copied().unwrap_or(false);
                items.push((s, e, removed));
                if !removed {
                    self.copy_field(&layout, col, s, e);
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

    /// Edits (and checks) for the kept COPY field `s..e` at position `pos`.
    fn copy_field(&mut self, layout: &Layout, pos: usize, s: usize, e: usize) {
        let t = self.lx.t;
        let col = layout.col(pos);
        let fit = if layout.blank.get(pos).copied().unwrap_or(false) {
            Some(self.blank(&layout.table, col))
        } else {
            match (self.by_cell.get(&s).cloned(), col) {
                (Some(vals), Some(c)) => {
                    Some(self.fit(&layout.table, c, &vals, (&t[s..e], s, Esc::Copy)))
                }
                (Some(vals), None)
                    if vals
                        .iter()
                        .any(|v| matches!(v.action, Action::Null | Action::Drop) && v.end == e) =>
                {
                    Some(Fit::Null)
                }
                _ => None,
            }
        };
        let text = match fit {
            Some(Fit::Null) => b"\\N".to_vec(),
            Some(Fit::Write(w)) => escape_copy(&w).into_bytes(),
            Some(Fit::Keep(_)) | None => {
                if self.check.is_some() {
                    let field = &t[s..e];
                    let v = (field != b"\\N").then_some(|| unescape(field, Esc::Copy));
                    self.observe(layout, pos, v, s);
                }
                return;
            }
        };
        self.out.push(Edit {
            start: s,
            end: e,
            text,
        });
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
        let mut names = None;
        let mut list_items = Vec::new();
        if let Some(t) = tok
            && t.k == K::Punct(b'(')
        {
            let list = self.col_list()?;
            list_items = list.iter().map(|c| (c.2, c.3)).collect();
            names = Some(list.into_iter().map(|c| c.0).collect());
            tok = self.lx.next()?;
        }
        let has_list = names.is_some();
        let layout = self.layout(table, names);
        if has_list {
            let items: Vec<(usize, usize, bool)> = list_items
                .iter()
                .zip(&layout.removed)
                .map(|(&(s, e), &r)| (s, e, r))
                .collect();
            self.out.extend(remove_items(&items));
        }
        // No column list: write one (the CREATE TABLE's columns minus the removed ones).
        if layout.removed.iter().any(|&d| d)
            && !has_list
            && let (Some(def), Some(t)) = (&layout.def, tok)
        {
            let kept: Vec<&str> = def
                .iter()
                .zip(&layout.removed)
                .filter(|(_, d)| !**d)
                .map(|(c, _)| c.spelling.as_str())
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
                K::Punct(b'(') => self.tuple(&layout)?,
                K::Punct(b',') => {}
                K::Punct(b';') => return Ok(()),
                _ => return self.skip_statement(Some(t)),
            }
        }
    }

    /// One `( … )` tuple after its `(`.
    fn tuple(&mut self, layout: &Layout) -> Result<(), RedactError> {
        // Per value: (start, end, removed), its first token and how many tokens it has.
        let mut items: Vec<(usize, usize, bool)> = Vec::new();
        let mut firsts: Vec<(Tok, Option<Tok>, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut cur: Option<(usize, usize)> = None;
        let mut first: Option<(Tok, Option<Tok>, usize)> = None;
        let mut col = 0usize;
        let removed = |col: usize| layout.removed.get(col).copied().unwrap_or(false);
        loop {
            let Some(t) = self.lx.next()? else {
                return Err(err("tuple is never closed"));
            };
            match t.k {
                K::Punct(b')') | K::Punct(b',') if depth == 0 => {
                    if let (Some((s, e)), Some(f)) = (cur.take(), first.take()) {
                        items.push((s, e, removed(col)));
                        firsts.push(f);
                    }
                    if t.k == K::Punct(b')') {
                        break;
                    }
                    col += 1;
                    continue;
                }
                K::Punct(b'(') => depth += 1,
                K::Punct(b')') => depth -= 1,
                _ => {}
            }
            cur = Some(cur.map_or((t.t0, t.next), |(s, _)| (s, t.next)));
            first = Some(match first {
                None => (t, None, 1),
                Some((a, None, n)) => (a, Some(t), n + 1),
                Some((a, b, n)) => (a, b, n + 1),
            });
            // A blanked column's values are replaced whole below.
            if layout.blank.get(col).copied().unwrap_or(false) {
                continue;
            }
            let typed = if depth == 0 && !removed(col) {
                layout.col(col)
            } else {
                None
            };
            self.literal(&t, true, typed.map(|c| (layout.table.as_str(), c)));
        }
        if self.check.is_some() {
            for (pos, (a, b, n)) in firsts.iter().enumerate() {
                if layout.slots.get(pos).is_some_and(Option::is_some)
                    && let Some(v) = self.item_value(a, b.as_ref(), *n)
                {
                    self.observe(layout, pos, v.map(|v| move || Cow::Owned(v)), a.t0);
                }
            }
        }
        for (pos, &(s, e, _)) in items.iter().enumerate() {
            if layout.blank.get(pos).copied().unwrap_or(false) {
                let text = match self.blank(&layout.table, layout.col(pos)) {
                    Fit::Write(w) => quote(&w, self.lx.mysql),
                    _ => b"NULL".to_vec(),
                };
                self.out.push(Edit {
                    start: s,
                    end: e,
                    text,
                });
            }
        }
        // Without a known column list, a removed column cannot be taken out: NULL it instead.
        if items.len() == layout.removed.len() {
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

    /// The value of a tuple item for the type check: `Some(None)` for NULL, `Some(Some(text))`
    /// for a literal (with an optional sign), `None` for an expression (not checked).
    fn item_value(&self, a: &Tok, b: Option<&Tok>, n: usize) -> Option<Option<String>> {
        let t = self.lx.t;
        match (n, a.k, b.map(|b| b.k)) {
            (1, K::Word, _) if word(t, a, "null") => Some(None),
            (1, K::Number, _) => Some(Some(
                String::from_utf8_lossy(&t[a.start..a.end]).into_owned(),
            )),
            (1, K::Str, _) => {
                let esc = if a.start == a.t0 + 2 || self.lx.mysql {
                    Esc::Str(true)
                } else if t[a.t0] == b'$' {
                    Esc::Raw
                } else {
                    Esc::Str(false)
                };
                Some(Some(unescape(&t[a.start..a.end], esc).into_owned()))
            }
            (2, K::Punct(sign @ (b'-' | b'+')), Some(K::Number)) => {
                let b = b?;
                Some(Some(format!(
                    "{}{}",
                    sign as char,
                    String::from_utf8_lossy(&t[b.start..b.end])
                )))
            }
            _ => None,
        }
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
                    self.literal(&t, false, None);
                    tok = self.lx.next()?;
                }
            }
        }
        Ok(())
    }

    /// The receipt's notes for the substitutions made (column and type names only).
    fn notes(&self) -> Vec<String> {
        self.subs
            .iter()
            .map(|((col, ty, placeholder, sub), n)| {
                let ph = |_: &str| format!("'{placeholder}'");
                match sub {
                    Sub::Null => format!(
                        "{col} ({ty}): {n} redacted value(s) the type does not accept written as NULL"
                    ),
                    Sub::Placeholder => format!(
                        "{col} ({ty}, NOT NULL): {n} redacted value(s) the type does not accept written as {}",
                        ph(ty)
                    ),
                    Sub::NullToPlaceholder => format!(
                        "{col} ({ty}, NOT NULL): {n} value(s) to null written as {} instead",
                        ph(ty)
                    ),
                    Sub::Truncated(len) => format!(
                        "{col} ({ty}): {n} redacted value(s) cut to {len} characters to fit"
                    ),
                    Sub::Blanked => format!(
                        "{col} ({ty}) is NOT NULL without a default, so it was kept, not dropped: {n} value(s) written as {}",
                        ph(ty)
                    ),
                }
            })
            .collect()
    }
}

/// Longest column definition kept (tokens): a type and its constraints are short; a hostile
/// `DEFAULT` expression is not kept whole.
const MAX_ITEM_TOKENS: usize = 256;

/// Words that end a column's type and start its constraints.
const COLUMN_CONSTRAINT: &[&str] = &[
    "not",
    "null",
    "default",
    "primary",
    "unique",
    "references",
    "check",
    "constraint",
    "collate",
    "generated",
    "auto_increment",
    "comment",
    "on",
    "as",
    "identity",
    "unsigned",
    "signed",
    "zerofill",
    "charset",
];

/// A column definition (`name type [constraints]`), or `None` for a table constraint.
fn column_def(t: &[u8], item: &[Tok], mysql: bool) -> Option<Col> {
    let (first, rest) = item.split_first()?;
    if !matches!(first.k, K::Word | K::Ident) {
        return None;
    }
    if first.k == K::Word
        && crate::formats::sql::CONSTRAINT
            .iter()
            .any(|k| word(t, first, k))
    {
        return None;
    }
    let text = |tok: &Tok| String::from_utf8_lossy(&t[tok.t0..tok.next]).into_owned();
    let mut ty = String::new();
    let mut depth = 0usize;
    let mut in_type = true;
    let (mut not_null, mut default) = (false, false);
    let mut prev_not = false;
    for (i, tok) in rest.iter().enumerate() {
        match tok.k {
            K::Punct(b'(') => depth += 1,
            K::Punct(b')') => depth = depth.saturating_sub(1),
            _ => {}
        }
        let kw = |k: &str| depth == 0 && word(t, tok, k);
        // `character` starts a type (`character varying`) but ends one (`CHARACTER SET`).
        if in_type && (COLUMN_CONSTRAINT.iter().any(|k| kw(k)) || (i > 0 && kw("character"))) {
            in_type = false;
        }
        if in_type {
            if !ty.is_empty() && matches!(tok.k, K::Word | K::Ident) {
                ty.push(' ');
            }
            ty.push_str(&text(tok));
            continue;
        }
        if depth == 0 {
            not_null |= prev_not && kw("null");
            not_null |= kw("primary");
            default |= kw("default") || kw("auto_increment") || kw("generated") || kw("identity");
            prev_not = kw("not");
        }
    }
    let sql_type = SqlType::parse(&ty, mysql);
    let serial = ty.to_ascii_lowercase().contains("serial");
    Some(Col {
        name: name_of(t, first),
        spelling: text(first),
        ty: sql_type,
        not_null,
        default: default || serial,
    })
}

/// The columns of a table-level `[CONSTRAINT name] PRIMARY KEY (a, b)`.
fn primary_key(t: &[u8], item: &[Tok]) -> Vec<String> {
    let Some(p) = item.iter().position(|tok| word(t, tok, "primary")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut inside = false;
    for tok in &item[p + 1..] {
        match tok.k {
            K::Punct(b'(') if !inside => inside = true,
            K::Punct(b')') if inside => break,
            K::Word | K::Ident if inside => out.push(name_of(t, tok)),
            _ => {}
        }
    }
    out
}

/// A literal's content as the server reads it (see [`Esc`]); borrowed when nothing is
/// escaped (the common case, and the type check reads every typed value).
fn unescape(content: &[u8], esc: Esc) -> Cow<'_, str> {
    let s = String::from_utf8_lossy(content);
    let backslash = match esc {
        Esc::Raw => return s,
        Esc::Copy => true,
        Esc::Str(b) => b,
    };
    let quote = matches!(esc, Esc::Str(_));
    let escaped = (backslash && s.contains('\\')) || (quote && s.contains('\''));
    if !escaped {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\'' if matches!(esc, Esc::Str(_)) => {
                out.push('\'');
                if it.peek() == Some(&'\'') {
                    it.next();
                }
            }
            '\\' if backslash => match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('v') => out.push('\u{b}'),
                Some('0') if matches!(esc, Esc::Str(_)) => out.push('\0'),
                Some('Z') => out.push('\u{1a}'),
                Some(d @ '0'..='7') => {
                    let mut v = d.to_digit(8).unwrap_or(0);
                    for _ in 0..2 {
                        match it.peek().and_then(|c| c.to_digit(8)) {
                            Some(x) => {
                                v = v * 8 + x;
                                it.next();
                            }
                            None => break,
                        }
                    }
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                }
                Some(o) => out.push(o),
                None => {}
            },
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text for a COPY field (placeholders and generalised forms need nothing; a cut value may).
fn escape_copy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A string literal holding `s`.
fn quote(s: &str, mysql: bool) -> Vec<u8> {
    let mut out = String::with_capacity(s.len() + 2);
    let backslash = s.contains('\\');
    if backslash && !mysql {
        out.push('E');
    }
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out.into_bytes()
}

/// What [`edits`] plans for a dump.
#[derive(Debug, Default)]
pub struct Planned {
    /// The edits.
    pub edits: Vec<Edit>,
    /// The receipt's notes (column and type names, counts).
    pub notes: Vec<String>,
    /// (`table.column`, text) of each distinct generalised value written in its type's form
    /// (`1985-01-01`, `203.0.113.0/24`): the scanner may still see a date or an address there,
    /// and verification must know it is the redaction's own output.
    pub forms: Vec<(String, String)>,
}

/// Edits for an SQL dump, the notes for the receipt and the forms written (see the module
/// docs and [`Planned`]).
pub fn edits(text: &[u8], an: &Analysis) -> Result<Planned, RedactError> {
    let mut by_cell: HashMap<usize, Vec<&Value>> = HashMap::new();
    for v in &an.values {
        by_cell.entry(v.cell.0).or_default().push(v);
    }
    let mut r = rewriter(text, an, by_cell, false);
    r.run()?;
    let notes = r.notes();
    // Structural edits first: for equal ranges the first pushed wins (see `apply`).
    let mut out = r.out;
    out.extend(an.values.iter().map(Value::edit));
    Ok(Planned {
        edits: out,
        notes,
        forms: r.forms.into_iter().collect(),
    })
}

fn rewriter<'a>(
    text: &'a [u8],
    an: &'a Analysis,
    by_cell: HashMap<usize, Vec<&'a Value>>,
    check: bool,
) -> Rewriter<'a> {
    let mysql = memchr::memmem::find(text, b"MySQL dump").is_some()
        || memchr::memmem::find(text, b"MariaDB dump").is_some()
        || memchr::memchr(b'`', text).is_some()
        || memchr::memmem::find(text, b"/*!").is_some();
    Rewriter {
        lx: Lexer {
            t: text,
            i: 0,
            mysql,
        },
        an,
        by_cell,
        tables: HashMap::new(),
        out: Vec::new(),
        subs: BTreeMap::new(),
        check: check.then(Vec::new),
        check_index: HashMap::new(),
        forms: BTreeSet::new(),
    }
}

/// The static type check of a dump: per `table.column` the CREATE TABLE typed (or declared
/// NOT NULL), the values its COPY rows and INSERT tuples hold that the type does not accept
/// (NULL in a NOT NULL column included). Values given as expressions (`'…'::date`, function
/// calls) are not checked. One pass, memory per column.
pub fn type_check(text: &[u8]) -> Result<HashMap<String, ColumnCheck>, RedactError> {
    let an = Analysis::default();
    let mut r = rewriter(text, &an, HashMap::new(), true);
    r.run()?;
    Ok(r.check.unwrap_or_default().into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::apply;
    use crate::redact::test_util::{self, value};

    fn run(text: &str, vals: Vec<Value>, dropped: &[&str]) -> String {
        let an = test_util::analysis(vals, dropped);
        String::from_utf8(apply(
            text.as_bytes(),
            edits(text.as_bytes(), &an).unwrap().edits,
        ))
        .unwrap()
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

    /// Every action on every typed column gives a value the column accepts: NULL where it
    /// may be NULL, else a placeholder; the copy passes the type check the source passed.
    #[test]
    fn typed_columns_get_values_their_type_accepts() {
        let text = "CREATE TABLE public.t (
    id integer NOT NULL,
    born date,
    born_nn date NOT NULL,
    seen timestamp with time zone,
    phone bigint,
    phone_nn bigint NOT NULL,
    ref uuid NOT NULL,
    code character varying(8),
    email text NOT NULL,
    note text,
    PRIMARY KEY (id)
);
COPY public.t (id, born, born_nn, seen, phone, phone_nn, ref, code, email, note) FROM stdin;
1\t1985-03-12\t1986-04-13\t2024-01-05 10:11:12+00\t61491570156\t61491570157\t123e4567-e89b-12d3-a456-426614174000\tA1B2C3D4\ta@x.com\tcall 0412
\\.
INSERT INTO public.t VALUES (2, '1987-05-14', '1988-06-15', '2024-01-06 10:11:12+00', 61491570158, 61491570159, '223e4567-e89b-12d3-a456-426614174000', 'B1B2C3D4', 'b@x.com', NULL);
";
        assert!(
            type_check(text.as_bytes())
                .unwrap()
                .values()
                .all(|c| c.bad == 0)
        );
        for action in Action::ALL {
            let rep = match action {
                Action::Mask => "****-**-**",
                Action::Tokenise => "tok_0123456789abcdef",
                Action::Generalise => "1985",
                Action::Drop | Action::Null => "",
            };
            let vals: Vec<Value> = [
                "1985-03-12",
                "1986-04-13",
                "2024-01-05 10:11:12+00",
                "61491570156",
                "61491570157",
                "123e4567-e89b-12d3-a456-426614174000",
                "A1B2C3D4",
                "a@x.com",
                "1987-05-14",
                "1988-06-15",
                "2024-01-06 10:11:12+00",
                "61491570158",
                "61491570159",
                "223e4567-e89b-12d3-a456-426614174000",
                "B1B2C3D4",
                "b@x.com",
            ]
            .iter()
            .map(|n| value(text, n, action, rep))
            .collect();
            let an = test_util::analysis(vals, &[]);
            let Planned {
                edits: e,
                notes,
                forms,
            } = edits(text.as_bytes(), &an).unwrap();
            let out = String::from_utf8(apply(text.as_bytes(), e)).unwrap();
            if action == Action::Generalise {
                assert!(
                    forms.contains(&("t.born".into(), "1985-01-01".into())),
                    "{forms:?}"
                );
            } else {
                assert!(forms.is_empty(), "{action}: {forms:?}");
            }
            let check = type_check(out.as_bytes()).unwrap();
            for (col, c) in &check {
                assert_eq!(c.bad, 0, "{action}: {col} ({}) in\n{out}", c.sql_type);
            }
            for n in &notes {
                assert!(!n.contains("x.com") && !n.contains("1985-03"), "{n}");
            }
            let row = out.lines().find(|l| l.starts_with("1\t")).unwrap();
            let f: Vec<&str> = row.split('\t').collect();
            let ins = out.lines().find(|l| l.starts_with("INSERT")).unwrap();
            match action {
                Action::Mask | Action::Tokenise => {
                    assert_eq!(
                        &f[1..7],
                        [
                            "\\N",
                            "1900-01-01",
                            "\\N",
                            "\\N",
                            "0",
                            "00000000-0000-0000-0000-000000000000"
                        ],
                        "{action}"
                    );
                    assert!(ins.contains("(2, NULL, '1900-01-01', NULL, NULL, '0', '00000000-0000-0000-0000-000000000000', "), "{ins}");
                    assert!(
                        notes
                            .iter()
                            .any(|n| n.contains("t.born (date): 2 redacted value(s)")
                                && n.contains("NULL")),
                        "{notes:?}"
                    );
                    assert!(
                        notes
                            .iter()
                            .any(|n| n.contains("t.born_nn (date, NOT NULL)")
                                && n.contains("'1900-01-01'")),
                        "{notes:?}"
                    );
                }
                Action::Generalise => {
                    // A generalised year keeps its date form, NOT NULL or not.
                    assert_eq!(&f[1..3], ["1985-01-01", "1985-01-01"]);
                    assert!(
                        ins.contains("(2, '1985-01-01', '1985-01-01', '1985-01-01', 1985, "),
                        "{ins}"
                    );
                }
                Action::Drop | Action::Null => {
                    assert_eq!(
                        &f[1..9],
                        [
                            "\\N",
                            "1900-01-01",
                            "\\N",
                            "\\N",
                            "0",
                            "00000000-0000-0000-0000-000000000000",
                            "\\N",
                            ""
                        ]
                    );
                    assert!(
                        notes.iter().any(|n| n.contains(
                            "t.email (text, NOT NULL): 2 value(s) to null written as ''"
                        )),
                        "{notes:?}"
                    );
                }
            }
            if action == Action::Tokenise {
                // varchar(8): the token cut to 8 characters (equal values still equal).
                assert_eq!(f[7], "tok_0123");
                assert_eq!(f[8], "tok_0123456789abcdef", "text keeps the whole token");
            }
        }
    }

    /// `drop` removes a nullable column (or one with a default); a NOT NULL column without a
    /// default is kept with its placeholder in every row, and a note says so.
    #[test]
    fn dropping_a_not_null_column_keeps_it_with_placeholders() {
        let text = "CREATE TABLE `c` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `email` varchar(64) NOT NULL,
  `dob` date NOT NULL,
  `phone` varchar(20) DEFAULT NULL,
  `mobile` varchar(20) NOT NULL DEFAULT '',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
INSERT INTO `c` VALUES (1,'a@x.com','1985-03-12','0412','0413'),(2,'b@x.com','1986-04-13','0414','0415');
";
        let an = test_util::analysis(Vec::new(), &["c.email", "c.dob", "c.phone", "c.mobile"]);
        let Planned {
            edits: e, notes, ..
        } = edits(text.as_bytes(), &an).unwrap();
        let out = String::from_utf8(apply(text.as_bytes(), e)).unwrap();
        assert!(
            out.contains("INSERT INTO `c` (`id`, `email`, `dob`) VALUES (1,'','1900-01-01'),(2,'','1900-01-01');"),
            "{out}"
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("c.dob (date) is NOT NULL without a default, so it was kept")),
            "{notes:?}"
        );
        assert!(
            type_check(out.as_bytes())
                .unwrap()
                .values()
                .all(|c| c.bad == 0)
        );
    }

    /// The type check counts values a typed column does not accept, NULL in NOT NULL columns
    /// included, and skips expressions.
    #[test]
    fn type_check_counts_what_would_not_load() {
        let text = "CREATE TABLE t (id int NOT NULL, d date, n numeric, u uuid, s text NOT NULL, x text);
COPY t (id, d, n, u, s, x) FROM stdin;
1\t****-**-**\t12.5\t\\N\t\\N\tfree
2\t1985-01-01\t*1\tnot-a-uuid\tok\t\\N
\\.
INSERT INTO t VALUES (3, '1985-13-40', -4, '123e4567-e89b-12d3-a456-426614174000', 'ok', NULL), (4, '1985-01-01'::date, 1e5, NULL, NULL, 'x');
";
        let c = type_check(text.as_bytes()).unwrap();
        let bad = |col: &str| c.get(col).map_or(0, |c| c.bad);
        assert_eq!(bad("t.id"), 0);
        assert_eq!(
            bad("t.d"),
            2,
            "mask in COPY, month 13 in INSERT; the cast is not checked"
        );
        assert_eq!(bad("t.n"), 1);
        assert_eq!(bad("t.u"), 1);
        assert_eq!(bad("t.s"), 2, "NULL in a NOT NULL text column");
        assert!(!c.contains_key("t.x"), "nullable text is not checked");
        assert_eq!(c["t.d"].sql_type, "date");
    }

    #[test]
    fn literals_are_read_as_the_server_reads_them() {
        let table: &[(&[u8], Esc, &str)] = &[
            (b"a\\tb\\\\c\\101", Esc::Copy, "a\tb\\cA"),
            (b"plain", Esc::Copy, "plain"),
            (b"it''s", Esc::Str(false), "it's"),
            (b"a\\'b\\n", Esc::Str(true), "a'b\n"),
            (b"a\\nb", Esc::Str(false), "a\\nb"),
            (b"1985-03-12", Esc::Raw, "1985-03-12"),
        ];
        for (raw, esc, want) in table {
            assert_eq!(unescape(raw, *esc), *want, "{esc:?}");
        }
        assert!(matches!(unescape(b"plain", Esc::Copy), Cow::Borrowed(_)));
    }
}
