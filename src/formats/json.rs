//! JSON documents of any size and NDJSON: one cell per string value, number and object key;
//! `field` = key path, `record` = the innermost object of a list that holds the value (see
//! **Records**).
//!
//! **Streaming, not a DOM.** A multi-gigabyte array on one line must scan in bounded memory,
//! so this is a small pull tokenizer over the shared restart [`Window`] driving an explicit
//! container stack — no recursion, so 100 000-deep nesting cannot overflow the thread's stack;
//! nesting beyond [`MAX_DEPTH`] is a [`FormatError::Limit`]. Only the current token must fit in
//! memory (a string over [`MAX_TOKEN`] is a limit error).
//!
//! **Fields.** The key path is one reused `String`: entering an object value appends `.key`,
//! entering an array appends `[]`, leaving truncates; so `{"customer":{"contact":{"email":…}}}`
//! gives `customer.contact.email` and `{"items":[{"sku":…}]}` gives `items[].sku`; a key holding a
//! dot is quoted (`users["jane@example.com"].phone`, see [`super::push_key`]). The brackets of
//! a top-level array are not part of the path: its elements are the records. An object key is
//! itself scanned (maps keyed by email address exist), with its parent object's path as field.
//!
//! **Text and positions.** A cell's text is the raw slice between the quotes when the string
//! has no escapes. With escapes it is a copy decoded *length-preservingly*: `\n`, `\t`, … become
//! two spaces, `\"` becomes ` "`, `\u00e9` becomes `é` padded with spaces to six bytes. Every
//! offset inside the cell therefore still maps onto the input, so lines and columns stay exact
//! while a detector sees words separated where the JSON had an escaped newline. (An escape that
//! hides an ASCII character inside a value, `a\u0040b.com`, is not reassembled.) Numbers are
//! cells too: phone and card numbers are often stored as JSON numbers.
//!
//! **Records.** A record is what one person's data shares, so that exposure can link a customer's
//! email to their phone without linking two customers. Exports wrap their records in every
//! shape — a bare array, NDJSON, `{"customers":[…]}`, `{"data":{"users":[…]}}`, pages of
//! results, maps keyed by id — so the rule is structural, applied at every depth:
//!
//! * **An element of a list that is itself an object or a list is a record** (a customer, an
//!   order, a row of a `values` grid). Values belong to the *innermost* such element around
//!   them: in `{"orders":[{"customer":{…},"items":[{…}]}]}` the customer's values belong to
//!   the order (the `customer` object is not a list element), and each item is a record of its
//!   own — an item that names a gift recipient names another person, and a record that merged
//!   its order's buyer with every recipient would merge strangers. Pages of results
//!   (`[{"page":1,"data":[…]}]`) and groups (`{"regions":[{"customers":[…]}]}`) therefore give
//!   one record per customer, not per page or region.
//! * **Scalars in a list belong to the record around the list** (`{"id":1,"phones":["…","…"]}`
//!   is one person with two phones) — except at the top level, where each element of a bare
//!   array is a record, as each NDJSON line is.
//! * **A list under a key naming one person's attributes is not a list of records**:
//!   `emails`, `phoneNumbers`, `addresses`, `telecom`, `identifier`, `name` … (see
//!   [`ATTRIBUTE_LISTS`]), as SCIM users and FHIR patients hold them. Their elements stay in the
//!   person's record, so a patient's phone, identifier and birth date still make one person and
//!   one identity kit.
//! * **A member of a map keyed by id is a record**: an object or list under a key that is a
//!   value rather than a name (an email address, four or more digits: `{"users":{"u10234":{…}}}`,
//!   Firebase-style exports, maps keyed by email). The key cell belongs to that record.
//! * **Everything else belongs to its top-level value** — the wrapper's own members
//!   (`{"exported_by":…,"customers":[…]}`) are one record of context, separate from the records
//!   it holds. A top-level value is counted as a record only if it holds a value of its own or
//!   no record at all, so `{"customers":[50 objects]}` has 50 records, as the bare array does.
//!
//! The rule can still read one person as two (an order's shipping contact nested in a list
//! under a key not in [`ATTRIBUTE_LISTS`]) — the over-count direction, which a breach
//! notification can live with — and exposure does not trust it blindly: a record holding more
//! distinct linking values than one person plausibly has is read as a list of people (see
//! `exposure`).
//!
//! The same parser reads NDJSON and concatenated JSON: top-level values may follow each other,
//! separated by whitespace. JSONC, as editors write it (VS Code settings, tsconfig), is accepted:
//! `//` and `/* */` comments are skipped like whitespace and a trailing comma may close an object
//! or array. Anything else — a bad token, a missing comma, end of input inside a value — is
//! [`FormatError::Malformed`] with the line.

use std::io::BufRead;

use super::window::{MAX_TOKEN, Window};
use super::{Cell, CellSink, Format, FormatError, FormatStats};

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 512;
/// Bytes of one key kept in the field path.
const MAX_KEY_IN_PATH: usize = 256;

/// Keys whose list holds one person's attributes, not records (compared lower-case, without
/// `_`, `-` or other punctuation, so `phone_numbers` and `phoneNumbers` match): SCIM's
/// `emails`/`phoneNumbers`/`addresses`/`ims`, FHIR's `telecom`/`identifier`/`name`/`address`,
/// schema.org's `contactPoint`. Sorted (a test checks), for the binary search.
pub const ATTRIBUTE_LISTS: &[&str] = &[
    "address",
    "addresses",
    "contactpoint",
    "contactpoints",
    "email",
    "emailaddress",
    "emailaddresses",
    "emails",
    "identifier",
    "identifiers",
    "ims",
    "mobile",
    "mobiles",
    "name",
    "names",
    "phone",
    "phonenumber",
    "phonenumbers",
    "phones",
    "postaladdress",
    "postaladdresses",
    "telecom",
    "telephone",
    "telephones",
];

/// Whether a list under `key` holds one person's attributes (see [`ATTRIBUTE_LISTS`]).
fn is_attribute_list(key: &[u8]) -> bool {
    let mut norm = [0u8; 24];
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            if n == norm.len() {
                return false;
            }
            norm[n] = b.to_ascii_lowercase();
            n += 1;
        }
    }
    ATTRIBUTE_LISTS
        .binary_search_by(|k| k.as_bytes().cmp(&norm[..n]))
        .is_ok()
}

/// Whether an object key is a value rather than a name — an email address, or four or more
/// digits (numeric ids, phone numbers, UUIDs, dates) — so that its member is a record of a map
/// keyed by id.
fn is_id_like(key: &[u8]) -> bool {
    key.contains(&b'@') || key.iter().filter(|b| b.is_ascii_digit()).count() >= 4
}

/// The JSON / NDJSON format (one parser; two names for reports).
#[derive(Debug, Clone, Copy)]
pub struct Json {
    name: &'static str,
}

/// A JSON document (one top-level value).
pub static JSON: Json = Json { name: "json" };
/// Newline-delimited JSON (several top-level values).
pub static NDJSON: Json = Json { name: "ndjson" };

impl Format for Json {
    fn name(&self) -> &'static str {
        self.name
    }

    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        let mut w = Window::new(input, MAX_TOKEN);
        parse(&mut w, sink, MAX_DEPTH).map(|o| FormatStats { records: o.records })
    }
}

/// Whether `head` (an input's first decoded block) is JSON: it starts with `{` or `[` and
/// parses up to its end (a head cut mid-value is fine). NDJSON if it holds several top-level
/// values.
pub fn sniff(head: &[u8]) -> Option<&'static Json> {
    let first = head.iter().position(|b| !b.is_ascii_whitespace())?;
    if !matches!(head[first], b'{' | b'[') {
        return None;
    }
    let mut r = head;
    let mut w = Window::new(&mut r, MAX_TOKEN);
    let mut out = Outcome::default();
    match parse_into(&mut w, &mut NullSink, MAX_DEPTH, &mut out) {
        Ok(()) => {}
        Err(FormatError::Limit(_)) => {}
        Err(_) if out.ended_early => {}
        Err(_) => return None,
    }
    Some(if out.top_values >= 2 { &NDJSON } else { &JSON })
}

struct NullSink;

impl CellSink for NullSink {
    fn cell(&mut self, _: &Cell<'_>) {}
}

#[derive(Debug, Default)]
struct Outcome {
    records: u64,
    top_values: u64,
    /// The error was the input ending inside a value.
    ended_early: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    FirstValueOrEnd,
    FirstKeyOrEnd,
    Key,
    Colon,
    CommaOrEnd,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    obj: bool,
    /// Path length to restore when the container closes.
    restore: usize,
    /// Path length where this container's keys / `[]` end.
    base: usize,
    /// The record of the values directly inside (unused for a top-level array, whose scalar
    /// elements are records of their own).
    record: u64,
    /// Lists: whether an element that is an object or a list starts a record (false for
    /// attribute lists).
    elements_are_records: bool,
}

/// The top-level value being read, counted as a record only if it holds a value of its own
/// or no record at all (a wrapper is not a record: see the module docs).
#[derive(Debug, Default, Clone, Copy)]
struct Top {
    record: u64,
    /// A scalar directly in the top-level record was read.
    own_value: bool,
    /// A record was started inside it.
    holds_records: bool,
}

/// An id-like object key whose cell waits for its value: an object or list value makes the
/// member a record, and the key cell belongs to it.
#[derive(Debug, Default)]
struct PendingKey {
    text: Vec<u8>,
    line: u64,
    column: u64,
    /// Path length of the key's field (the parent object's path).
    field_len: usize,
}

fn parse(
    w: &mut Window<'_>,
    sink: &mut dyn CellSink,
    max_depth: usize,
) -> Result<Outcome, FormatError> {
    let mut out = Outcome::default();
    parse_into(w, sink, max_depth, &mut out)?;
    Ok(out)
}

fn malformed(line: u64, message: &str) -> FormatError {
    FormatError::Malformed {
        format: "json",
        line,
        message: message.into(),
    }
}

/// What a token scan found.
enum Tok {
    /// Token ends at this index (exclusive); for strings, whether it had escapes.
    End(usize, bool),
    NeedMore,
}

/// Scans a string whose opening quote is at `buf[s]`.
fn string_end(buf: &[u8], s: usize) -> Tok {
    let mut i = s + 1;
    let mut esc = false;
    loop {
        match memchr::memchr2(b'"', b'\\', &buf[i..]) {
            None => return Tok::NeedMore,
            Some(k) => {
                let p = i + k;
                if buf[p] == b'"' {
                    return Tok::End(p + 1, esc);
                }
                esc = true;
                if p + 1 >= buf.len() {
                    return Tok::NeedMore;
                }
                i = p + 2;
            }
        }
    }
}

fn number_end(buf: &[u8], s: usize, eof: bool) -> Tok {
    match buf[s..]
        .iter()
        .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        Some(k) => Tok::End(s + k, false),
        None if eof => Tok::End(buf.len(), false),
        None => Tok::NeedMore,
    }
}

/// Decodes JSON string escapes without changing the text's length (see the module docs).
pub(crate) fn unescape_same_len(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        let Some(k) = memchr::memchr(b'\\', &raw[i..]) else {
            out.extend_from_slice(&raw[i..]);
            break;
        };
        out.extend_from_slice(&raw[i..i + k]);
        i += k;
        match raw.get(i + 1) {
            None => {
                out.push(b'\\');
                i += 1;
            }
            Some(b'u') => {
                let (ch, used) = unicode_escape(&raw[i..]);
                let mut tmp = [0u8; 4];
                let enc: &[u8] = match ch {
                    Some(c) if !c.is_control() => c.encode_utf8(&mut tmp).as_bytes(),
                    _ => b"",
                };
                out.extend_from_slice(enc);
                out.resize(out.len() + used - enc.len(), b' ');
                i += used;
            }
            Some(&c) => {
                out.push(b' ');
                out.push(if matches!(c, b'"' | b'\\' | b'/') {
                    c
                } else {
                    b' '
                });
                i += 2;
            }
        }
    }
}

/// Decodes `\uXXXX` (and a following low surrogate) at the start of `s`: the char, if valid,
/// and the bytes used (at least 2).
fn unicode_escape(s: &[u8]) -> (Option<char>, usize) {
    let hex = |b: &[u8]| -> Option<u32> {
        let t = std::str::from_utf8(b).ok()?;
        u32::from_str_radix(t, 16).ok()
    };
    let Some(hi) = s.get(2..6).and_then(hex) else {
        return (None, 2);
    };
    if (0xD800..0xDC00).contains(&hi) {
        if s.get(6..8) == Some(b"\\u")
            && let Some(lo) = s.get(8..12).and_then(hex)
            && (0xDC00..0xE000).contains(&lo)
        {
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return (char::from_u32(c), 12);
        }
        return (Some(char::REPLACEMENT_CHARACTER), 6);
    }
    (
        Some(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER)),
        6,
    )
}

/// Appends the key `raw` (as written between its quotes) to `path` ([`super::push_key`]).
pub fn push_key(path: &mut String, raw: &[u8], scratch: &mut Vec<u8>) {
    let key: &[u8] = if raw.contains(&b'\\') {
        unescape_same_len(raw, scratch);
        scratch.trim_ascii()
    } else {
        raw
    };
    let key = &key[..key.len().min(MAX_KEY_IN_PATH)];
    super::push_key(path, &String::from_utf8_lossy(key));
}

fn parse_into(
    w: &mut Window<'_>,
    sink: &mut dyn CellSink,
    max_depth: usize,
    out: &mut Outcome,
) -> Result<(), FormatError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut path = String::new();
    let mut scratch: Vec<u8> = Vec::new();
    let mut keybuf: Vec<u8> = Vec::new();
    let mut expect = Expect::Value;
    // Record ids in the order records start (a nested record's id is above its parent's).
    let mut record = 0u64;
    let mut top = Top::default();
    let mut pending: Option<PendingKey> = None;
    let mut pending_buf: Vec<u8> = Vec::new();
    let mut pos = 0usize;
    loop {
        while pos < w.buf.len() && matches!(w.buf[pos], b' ' | b'\t' | b'\n' | b'\r') {
            pos += 1;
        }
        if pos >= w.buf.len() {
            if w.refill_into(sink, pos, "JSON token")? {
                pos = 0;
                continue;
            }
            break;
        }
        let b = w.buf[pos];
        let eof = w.at_eof();
        // JSONC comments (VS Code settings, tsconfig.json, …) are skipped like whitespace:
        // a repository scan must not report every commented settings file as malformed.
        if b == b'/' {
            let end = match w.buf.get(pos + 1) {
                Some(b'/') => memchr::memchr(b'\n', &w.buf[pos..]).map(|k| pos + k + 1),
                Some(b'*') => {
                    memchr::memmem::find(&w.buf[pos + 2..], b"*/").map(|k| pos + 2 + k + 2)
                }
                Some(_) => return Err(malformed(w.line_at(pos), "unexpected '/'")),
                None => None,
            };
            match end {
                Some(e) => pos = e,
                None if !eof => {
                    if w.refill_into(sink, pos, "JSON comment")? {
                        pos = 0;
                    }
                }
                // A `//` comment may end the file; an open `/*` may not.
                None if w.buf.get(pos + 1) == Some(&b'/') => pos = w.buf.len(),
                None => return Err(malformed(w.line_at(pos), "comment is never closed")),
            }
            continue;
        }
        match expect {
            Expect::Colon => {
                if b != b':' {
                    return Err(malformed(w.line_at(pos), "expected ':' after object key"));
                }
                pos += 1;
                expect = Expect::Value;
            }
            Expect::CommaOrEnd => {
                let Some(cur) = stack.last().copied() else {
                    expect = Expect::Value;
                    continue;
                };
                match b {
                    b',' => {
                        expect = if cur.obj { Expect::Key } else { Expect::Value };
                        pos += 1;
                    }
                    b'}' if cur.obj => {
                        pop(&mut stack, &mut path, &mut expect, &mut top, out);
                        pos += 1;
                    }
                    b']' if !cur.obj => {
                        pop(&mut stack, &mut path, &mut expect, &mut top, out);
                        pos += 1;
                    }
                    _ => {
                        return Err(malformed(
                            w.line_at(pos),
                            if cur.obj {
                                "expected ',' or '}' after object member"
                            } else {
                                "expected ',' or ']' after array element"
                            },
                        ));
                    }
                }
            }
            Expect::FirstKeyOrEnd | Expect::Key => {
                // `Key` follows a comma: `}` there is a JSONC trailing comma (`{"a": 1,}`).
                if b == b'}' {
                    pop(&mut stack, &mut path, &mut expect, &mut top, out);
                    pos += 1;
                    continue;
                }
                if b != b'"' {
                    return Err(malformed(w.line_at(pos), "expected a string object key"));
                }
                let (end, esc) = match string_end(&w.buf, pos) {
                    Tok::End(e, esc) => (e, esc),
                    Tok::NeedMore => {
                        if !w.refill_into(sink, pos, "JSON object key")? {
                            out.ended_early = true;
                            return Err(malformed(w.line_at(0), "object key is never closed"));
                        }
                        pos = 0;
                        continue;
                    }
                };
                let (base, rec) = stack.last().map_or((0, 0), |f| (f.base, f.record));
                path.truncate(base);
                if end - 1 > pos + 1 {
                    let id_like = is_id_like(&w.buf[pos + 1..end - 1]);
                    let (line, column) = w.line_col(pos + 1);
                    let text: &[u8] = if esc {
                        unescape_same_len(&w.buf[pos + 1..end - 1], &mut scratch);
                        &scratch
                    } else {
                        &w.buf[pos + 1..end - 1]
                    };
                    if id_like {
                        // Its record depends on its value (see `PendingKey`).
                        pending_buf.clear();
                        pending_buf.extend_from_slice(text);
                        pending = Some(PendingKey {
                            text: std::mem::take(&mut pending_buf),
                            line,
                            column,
                            field_len: base,
                        });
                    } else {
                        sink.cell(&Cell {
                            text,
                            line,
                            column,
                            field: (base > 0).then_some(path.as_str()),
                            record: Some(rec),
                            accept: 0..text.len(),
                        });
                    }
                }
                push_key(&mut path, &w.buf[pos + 1..end - 1], &mut keybuf);
                pos = end;
                expect = Expect::Colon;
            }
            Expect::Value | Expect::FirstValueOrEnd => {
                // `]` after a comma inside an array is a JSONC trailing comma (`[1, 2,]`); after
                // `:` (top frame an object) it stays an error.
                if b == b']'
                    && (expect == Expect::FirstValueOrEnd || stack.last().is_some_and(|f| !f.obj))
                {
                    pop(&mut stack, &mut path, &mut expect, &mut top, out);
                    pos += 1;
                    continue;
                }
                if !matches!(
                    b,
                    b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
                ) {
                    return Err(malformed(w.line_at(pos), "expected a JSON value"));
                }
                // The record this value belongs to (see the module docs).
                let container = matches!(b, b'{' | b'[');
                let rec = match stack.last() {
                    None => {
                        out.top_values += 1;
                        if b == b'[' {
                            // Not a record: its elements are.
                            0
                        } else {
                            record += 1;
                            if b == b'{' {
                                top = Top {
                                    record,
                                    ..Top::default()
                                };
                            } else {
                                // A top-level scalar is a record (undone if its token is re-read).
                                out.records += 1;
                            }
                            record
                        }
                    }
                    Some(f)
                        if !f.obj && f.elements_are_records && (container || stack.len() == 1) =>
                    {
                        record += 1;
                        out.records += 1;
                        top.holds_records = true;
                        record
                    }
                    Some(f) if f.obj && container && pending.is_some() => {
                        // A member of a map keyed by id.
                        record += 1;
                        out.records += 1;
                        top.holds_records = true;
                        record
                    }
                    Some(f) => f.record,
                };
                if let Some(k) = pending.take() {
                    sink.cell(&Cell {
                        text: &k.text,
                        line: k.line,
                        column: k.column,
                        field: (k.field_len > 0).then_some(&path[..k.field_len]),
                        record: Some(rec),
                        accept: 0..k.text.len(),
                    });
                    pending_buf = k.text;
                }
                if !container && !stack.is_empty() && rec == top.record {
                    top.own_value = true;
                }
                match b {
                    b'{' | b'[' => {
                        if stack.len() >= max_depth {
                            return Err(FormatError::Limit(format!(
                                "JSON nesting deeper than {max_depth} levels at line {}",
                                w.line_at(pos)
                            )));
                        }
                        let restore = path.len();
                        // A list under a key: its key is the path's last segment.
                        let attributes = b == b'['
                            && stack.last().is_some_and(|f| {
                                f.obj && is_attribute_list(&path.as_bytes()[f.base..])
                            });
                        if b == b'[' && !stack.is_empty() {
                            path.push_str("[]");
                        }
                        stack.push(Frame {
                            obj: b == b'{',
                            restore,
                            base: path.len(),
                            record: rec,
                            elements_are_records: !attributes,
                        });
                        expect = if b == b'{' {
                            Expect::FirstKeyOrEnd
                        } else {
                            Expect::FirstValueOrEnd
                        };
                        pos += 1;
                    }
                    b'"' => {
                        let (end, esc) = match string_end(&w.buf, pos) {
                            Tok::End(e, esc) => (e, esc),
                            Tok::NeedMore => {
                                if !w.refill_into(sink, pos, "JSON string")? {
                                    out.ended_early = true;
                                    return Err(malformed(w.line_at(0), "string is never closed"));
                                }
                                pos = 0;
                                undo_record(&mut stack, &mut record, out);
                                continue;
                            }
                        };
                        if end - 1 > pos + 1 {
                            let (line, column) = w.line_col(pos + 1);
                            let text: &[u8] = if esc {
                                unescape_same_len(&w.buf[pos + 1..end - 1], &mut scratch);
                                &scratch
                            } else {
                                &w.buf[pos + 1..end - 1]
                            };
                            sink.cell(&Cell {
                                text,
                                line,
                                column,
                                field: (!path.is_empty()).then_some(path.as_str()),
                                record: Some(rec),
                                accept: 0..text.len(),
                            });
                        }
                        pos = end;
                        expect = Expect::CommaOrEnd;
                    }
                    b'-' | b'0'..=b'9' => {
                        let end = match number_end(&w.buf, pos, eof) {
                            Tok::End(e, _) => e,
                            Tok::NeedMore => {
                                w.refill_into(sink, pos, "JSON number")?;
                                pos = 0;
                                undo_record(&mut stack, &mut record, out);
                                continue;
                            }
                        };
                        let (line, column) = w.line_col(pos);
                        sink.cell(&Cell {
                            text: &w.buf[pos..end],
                            line,
                            column,
                            field: (!path.is_empty()).then_some(path.as_str()),
                            record: Some(rec),
                            accept: 0..end - pos,
                        });
                        pos = end;
                        expect = Expect::CommaOrEnd;
                    }
                    _ => {
                        let lit: &[u8] = match b {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        let have = &w.buf[pos..w.buf.len().min(pos + lit.len())];
                        if have.len() < lit.len() && lit.starts_with(have) {
                            if !eof {
                                w.refill_into(sink, pos, "JSON literal")?;
                                pos = 0;
                                undo_record(&mut stack, &mut record, out);
                                continue;
                            }
                            out.ended_early = true;
                            return Err(malformed(w.line_at(pos), "input ends inside a literal"));
                        }
                        if have != lit {
                            return Err(malformed(w.line_at(pos), "expected a JSON value"));
                        }
                        pos += lit.len();
                        expect = Expect::CommaOrEnd;
                    }
                }
            }
        }
        if expect == Expect::CommaOrEnd && stack.is_empty() {
            expect = Expect::Value;
        }
    }
    if !stack.is_empty() || !matches!(expect, Expect::Value) {
        out.ended_early = true;
        let line = w.line_at(w.buf.len());
        return Err(malformed(
            line,
            "input ends inside an object or array (truncated?)",
        ));
    }
    Ok(())
}

/// A value's token had to be re-read after a refill: take back the record it started.
fn undo_record(stack: &mut [Frame], record: &mut u64, out: &mut Outcome) {
    if stack.is_empty() {
        out.top_values -= 1;
        out.records -= 1;
        *record -= 1;
    } else if stack.len() == 1 && !stack[0].obj {
        *record -= 1;
        out.records -= 1;
    }
}

fn pop(
    stack: &mut Vec<Frame>,
    path: &mut String,
    expect: &mut Expect,
    top: &mut Top,
    out: &mut Outcome,
) {
    if let Some(f) = stack.pop() {
        path.truncate(f.restore);
        // A top-level object is a record unless it only wraps records (module docs).
        if stack.is_empty() && f.obj && (top.own_value || !top.holds_records) {
            out.records += 1;
        }
    }
    *expect = if stack.is_empty() {
        Expect::Value
    } else {
        Expect::CommaOrEnd
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::formats::test_sink::Collect;

    fn run(text: &str) -> Result<(Collect, Outcome), FormatError> {
        let mut sink = Collect::default();
        let mut r = text.as_bytes();
        let mut w = Window::new(&mut r, MAX_TOKEN);
        let o = parse(&mut w, &mut sink, MAX_DEPTH)?;
        Ok((sink, o))
    }

    #[test]
    fn key_paths_records_and_positions() {
        let doc = "[\n {\"customer\": {\"contact\": {\"email\": \"a@example.com\"}},\n  \"items\": [{\"sku\": \"X1\"}, {\"sku\": 42}], \"tags\": [\"t\"]},\n {\"phone\": 61491570156}\n]";
        let (c, o) = run(doc).unwrap();
        let table: &[(&str, u64, u64, Option<&str>, u64)] = &[
            ("a@example.com", 2, 38, Some("customer.contact.email"), 1),
            // Each item is a record of its own (module docs: the innermost list element).
            ("X1", 3, 22, Some("items[].sku"), 2),
            ("42", 3, 36, Some("items[].sku"), 3),
            ("t", 3, 52, Some("tags[]"), 1),
            ("61491570156", 4, 12, Some("phone"), 4),
            ("customer", 2, 4, None, 1),
            ("email", 2, 29, Some("customer.contact"), 1),
        ];
        for (text, line, col, field, rec) in table {
            let r = c.find(text);
            assert_eq!(
                (r.1, r.2, r.3.as_deref(), r.4),
                (*line, *col, *field, Some(*rec)),
                "{text}"
            );
        }
        assert_eq!(o.records, 4);
    }

    /// The record of each cell whose text starts with `prefix`, in order.
    fn records_of(c: &Collect, prefix: &str) -> Vec<u64> {
        c.0.iter()
            .filter(|r| r.0.starts_with(prefix))
            .filter_map(|r| r.4)
            .collect()
    }

    /// Record boundaries (module docs, "Records"): (document, cells' record ids by text prefix,
    /// records counted).
    #[test]
    fn records_are_the_innermost_list_elements() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a [u64])], u64);
        let table: &[Case] = &[
            // A wrapper object holds records; it is not one.
            (
                r#"{"customers":[{"e":"a@x.example"},{"e":"b@x.example"},{"e":"c@x.example"}]}"#,
                &[("a@", &[2]), ("b@", &[3]), ("c@", &[4])],
                3,
            ),
            // Deeper wrappers and the wrapper's own values (a record of context, counted).
            (
                r#"{"by":"z@x.example","data":{"users":[{"e":"a@x.example"},{"e":"b@x.example"}]},"n":2}"#,
                &[("z@", &[1]), ("a@", &[2]), ("b@", &[3])],
                3,
            ),
            // Scalars in a list are the record's: one person, two phones.
            (
                r#"[{"id":1,"phones":["0491570156","0491570157"]},{"id":2}]"#,
                &[("0491", &[1, 1]), ("1", &[1]), ("2", &[2])],
                2,
            ),
            // An order: the customer object is the order's; each item is a record.
            (
                r#"{"orders":[{"customer":{"e":"a@x.example"},"items":[{"to":"g@x.example"},{"sku":"s1"}],"ship":{"p":"0491570156"}}]}"#,
                &[("a@", &[2]), ("g@", &[3]), ("s1", &[4]), ("0491", &[2])],
                3,
            ),
            // Pages and groups hold records, at any depth.
            (
                r#"[{"page":1,"data":[{"e":"a@x.example"},{"e":"b@x.example"}]},{"page":2,"data":[{"e":"c@x.example"}]}]"#,
                &[("a@", &[2]), ("b@", &[3]), ("c@", &[5])],
                5,
            ),
            // Attribute lists stay in the person's record (SCIM, FHIR).
            (
                r#"{"Resources":[{"emails":[{"value":"a@x.example"}],"phoneNumbers":[{"value":"0491570156"}],"name":"A"},{"telecom":[{"value":"b@x.example"}],"identifier":[{"value":"X1"}]}]}"#,
                &[("a@", &[2]), ("0491", &[2]), ("b@", &[3]), ("X1", &[3])],
                2,
            ),
            // Maps keyed by id or email: each member is a record, with its key.
            (
                r#"{"users":{"u10234":{"e":"a@x.example"},"jane@x.example":{"p":"0491570156"}},"count":2}"#,
                &[
                    ("u10234", &[2]),
                    ("a@", &[2]),
                    ("jane@", &[3]),
                    ("0491", &[3]),
                ],
                3,
            ),
            // An id-like key with a scalar value stays in its record.
            (
                r#"[{"e":"a@x.example","scores":{"2023":5}}]"#,
                &[("a@", &[1]), ("2023", &[1]), ("5", &[1])],
                1,
            ),
            // Rows of a grid (`values` of a sheet export) are records.
            (
                r#"{"values":[["a@x.example","0491570156"],["b@x.example"]]}"#,
                &[("a@", &[2]), ("0491", &[2]), ("b@", &[3])],
                2,
            ),
            // Bare arrays of scalars and NDJSON: each element or line is a record.
            (
                "[\"a@x.example\",\"b@x.example\"]\n{\"e\":\"c@x.example\"}\n{}",
                &[("a@", &[1]), ("b@", &[2]), ("c@", &[3])],
                4,
            ),
        ];
        for (doc, want, records) in table {
            let (c, o) = run(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
            for (prefix, ids) in *want {
                assert_eq!(records_of(&c, prefix), *ids, "{prefix} in {doc}");
            }
            assert_eq!(o.records, *records, "{doc}");
        }
    }

    #[test]
    fn attribute_list_keys_are_sorted_and_normalised() {
        assert!(ATTRIBUTE_LISTS.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ATTRIBUTE_LISTS
                .iter()
                .all(|k| k.bytes().all(|b| b.is_ascii_lowercase()))
        );
        for (key, want) in [
            ("phoneNumbers", true),
            ("phone_numbers", true),
            ("E-Mails", true),
            ("contacts", false),
            ("customers", false),
            ("a_very_long_key_that_is_not_in_the_list", false),
        ] {
            assert_eq!(is_attribute_list(key.as_bytes()), want, "{key}");
        }
        for (key, want) in [
            ("u10234", true),
            ("jane@x.example", true),
            ("2024-01-01", true),
            ("sha256", false),
            ("address_line_2", false),
        ] {
            assert_eq!(is_id_like(key.as_bytes()), want, "{key}");
        }
    }

    #[test]
    fn ndjson_lines_are_records() {
        let (c, o) = run("{\"e\":\"x@example.com\"}\n\n{\"e\":\"y@example.com\"}\n").unwrap();
        assert_eq!(c.find("y@example.com").4, Some(2));
        assert_eq!(c.find("y@example.com").1, 3);
        assert_eq!(o.top_values, 2);
    }

    #[test]
    fn escapes_keep_length_and_positions() {
        let (c, _) = run(r#"{"n":"a\n0491570156 \u00e9\"x\"", "z": "q@example.com"}"#).unwrap();
        let r = &c.0[1];
        assert_eq!(r.0, "a  0491570156 é     \"x \"");
        assert_eq!(r.0.len(), r#"a\n0491570156 \u00e9\"x\""#.len());
        assert_eq!(c.find("q@example.com").2, 41);
    }

    #[test]
    fn malformed_inputs_are_errors_with_lines() {
        let table: &[(&str, u64)] = &[
            ("{\"a\": 1,\n \"b\" 2}", 2),
            ("[1, 2,\n\n", 3),
            ("{\"a\": \"unterminated\n", 1),
            ("[1 2]", 1),
            ("{\"a\": tru", 1),
            ("{\"a\": nope}", 1),
        ];
        for (doc, line) in table {
            match run(doc) {
                Err(FormatError::Malformed { line: l, .. }) => assert_eq!(l, *line, "{doc:?}"),
                other => panic!("{doc:?}: {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_stack_overflow() {
        let doc = "[".repeat(100_000);
        assert!(matches!(run(&doc), Err(FormatError::Limit(_))));
        let ok = format!("{}{}", "[".repeat(400), "]".repeat(400));
        assert!(run(&ok).is_ok());
    }

    #[test]
    fn tokens_split_across_refills() {
        // Values straddle the window's 256 KiB reads.
        let mut doc = String::from("[");
        for i in 0..40_000 {
            doc.push_str(&format!("{{\"k\":\"v{i}@example.com\",\"n\":{i}}},"));
        }
        doc.push_str("{\"last\":\"end@example.com\"}]");
        let (c, o) = run(&doc).unwrap();
        assert_eq!(o.records, 40_001);
        let r = c.find("end@example.com");
        assert_eq!((r.1, r.2 as usize), (1, doc.len() - 17));
        assert_eq!(r.4, Some(40_001));
        assert_eq!(
            c.0.iter().filter(|r| r.3.as_deref() == Some("n")).count(),
            40_000
        );
    }

    #[test]
    fn sniff_table() {
        let table: &[(&str, Option<&str>)] = &[
            ("{\"a\": 1}", Some("json")),
            ("  [1, 2, {\"b\": [", Some("json")),
            ("{\"a\":1}\n{\"a\":2}\n", Some("ndjson")),
            ("[2024-01-01 10:00] INFO started", None),
            ("[1] Introduction", None),
            ("hello", None),
            ("{\"a\": tr", Some("json")),
        ];
        for (head, want) in table {
            assert_eq!(sniff(head.as_bytes()).map(|j| j.name), *want, "{head:?}");
        }
    }

    #[test]
    fn jsonc_comments_are_skipped() {
        let doc = "// settings\n{\n  /* who */ \"email\": \"a@example.com\", // trailing\n  \"n\": 1\n}\n// end";
        let (c, _) = run(doc).unwrap();
        let row = c.find("a@example.com");
        assert_eq!((row.1, row.2), (3, 23));
        assert_eq!(row.3.as_deref(), Some("email"));
        assert!(run("{\"a\": 1 /* open").is_err());
        // Trailing commas, as VS Code settings write them.
        let (c, _) = run("{\n \"a\": [\"x@example.com\",],\n \"b\": 2,\n}").unwrap();
        assert_eq!(c.find("x@example.com").3.as_deref(), Some("a[]"));
        assert!(run("{\"a\": ]}").is_err());
    }
}
