//! Names that are values: field paths and input names that carry personal data.
//!
//! A JSON map keyed by email address (`{"users":{"jane@example.com":{"phone":…}}}`) makes the
//! key path — the cell's field — `users["jane@example.com"].phone`. Reported as is, every
//! finding beneath that key, every column summary and every baseline entry would carry the
//! raw address: the report would become the breach. So the scan glue shows a field by a
//! *display name* in which each part that is itself a value becomes a placeholder:
//! `users.{email}.phone`. The same placeholder for every key also makes the field one field
//! across records, so column classification and exposure aggregate it.
//!
//! ## Placeholder vocabulary
//!
//! | placeholder            | replaces                                                          |
//! |------------------------|-------------------------------------------------------------------|
//! | `{<kind>}`             | text a detector fires on (at any confidence), named by its kind: `{email}`, `{phone}`, `{date_of_birth}`, `{credit_card}`, `{iban}`, `{national_id}`, `{ip_address}`, `{passport_number}`, `{loyalty_number}`, `{person_name}`, `{street_address}` |
//! | `{email}`              | also email-shaped text no detector accepted (`jane@localhost`)    |
//! | `{uuid}`               | a UUID (`8-4-4-4-12` hex digits) no detector claimed              |
//! | `{hash}`               | a run of 16 or more hex digits holding a decimal digit            |
//! | `{id}`                 | a run of digits (optionally `+`-led, groups split by `-`, space, `.` or `/`) with 6 or more digits |
//!
//! Overlapping or touching parts merge into one placeholder, named by the detector when one
//! fired there, so no digit of a value is left beside its placeholder. A quoted key
//! (`["…"]`, see [`crate::formats::push_key`]) that is nothing but a value is written bare:
//! `users.{email}.phone`, not `users["{email}"].phone`.
//!
//! ## Cost
//!
//! Every value a detector knows holds a digit or an `@` except an obfuscated email address
//! (`jane at example dot com`), so a name without either ([`may_hold_value`], one pass over
//! a few bytes) is used as it is: ordinary field names cost nothing more. Other names are
//! looked up in [`FieldNames`], which runs the detectors once per distinct name (and once per
//! distinct quoted key, so the paths under one map key share its answer).
//!
//! ## Input names
//!
//! A file or archive member named after a person (`exports/jane@example.com.csv`) leaks the
//! same way through the input's display path. [`Engine::mask_name`] masks each value a
//! detector finds in a name with [`mask`] — the masking of findings, so a path shows its shape
//! (`exports/j***@e**********.csv`: the email detector reads `csv` as the address's top-level
//! domain) and stays a valid glob for the file. It depends only on the name and the detectors,
//! never on `--reveal` or a key, so a baseline, a cache or a diff meets the same path on every
//! run.

use std::sync::Arc;

use foldhash::HashMap;

use super::engine::{Engine, Hit, Scratch};
pub use super::placeholder::{HASH, ID, UUID, strip_placeholders};
use crate::finding::{Kind, mask};

/// Shortest run of hex digits taken for a hash.
pub const MIN_HASH: usize = 16;
/// Fewest digits in a run taken for an id.
pub const MIN_ID_DIGITS: usize = 6;

/// Shortest part of a name read alone (see [`Engine::detected_spans`]).
const MIN_PART: usize = 6;

/// Distinct names a [`FieldNames`] remembers before it starts over (bounds its memory on a
/// hostile input with millions of distinct keys).
const MAX_CACHED: usize = 4096;
/// Bytes of names a [`FieldNames`] remembers before it starts over: a path 512 keys deep can
/// be 128 KiB long.
const MAX_CACHED_BYTES: usize = 1 << 20;
/// Whether `name` may hold a value: it has an ASCII digit or an `@`. Names without either are
/// used as they are (see the module docs).
pub fn may_hold_value(name: &[u8]) -> bool {
    name.iter().any(|&b| b.is_ascii_digit() || b == b'@')
}

/// A part of a name to replace: byte range and placeholder (or, for input names, the kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    /// The detector's kind, if one fired here (wins over a shape when spans merge).
    kind: Option<Kind>,
    /// The placeholder name.
    name: &'static str,
}

/// Appends the value-shaped parts of `text` (see the module docs) to `out`, in order. One
/// pass: each byte is looked at a bounded number of times.
fn shape_spans(text: &[u8], out: &mut Vec<Span>) {
    let shape = |start, end, name| Span {
        start,
        end,
        kind: None,
        name,
    };
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'@' {
            if let Some((s, e)) = email_around(text, i) {
                out.push(shape(s, e, Kind::Email.as_str()));
                i = e;
                continue;
            }
            i += 1;
            continue;
        }
        if !text[i].is_ascii_alphanumeric() && text[i] != b'+' {
            i += 1;
            continue;
        }
        // A token: alphanumerics and dashes (a UUID's groups are one token).
        let start = i;
        let mut end = i + usize::from(text[i] == b'+');
        while end < text.len() && (text[end].is_ascii_alphanumeric() || text[end] == b'-') {
            end += 1;
        }
        if is_uuid(&text[start..end]) {
            out.push(shape(start, end, UUID));
            i = end;
            continue;
        }
        // Hex runs (at the start of a word: the token's, or after a dash) and digit groups
        // inside the token. A digit group may run on past the token (`12 34 56`).
        let mut j = start;
        let mut furthest = end;
        while j < end {
            let starts_word = j == start || text[j - 1] == b'-';
            if starts_word {
                let hex_end = j + text[j..end]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                let ends_word = hex_end == end || text[hex_end] == b'-';
                if hex_end - j >= MIN_HASH
                    && ends_word
                    && text[j..hex_end].iter().any(u8::is_ascii_digit)
                {
                    out.push(shape(j, hex_end, HASH));
                    j = hex_end;
                    continue;
                }
            }
            let plus_digit = text[j] == b'+' && text.get(j + 1).is_some_and(u8::is_ascii_digit);
            if text[j].is_ascii_digit() || plus_digit {
                let (g_end, digits) = digit_group(text, j);
                if digits >= MIN_ID_DIGITS {
                    out.push(shape(j, g_end, ID));
                }
                furthest = furthest.max(g_end);
                j = g_end;
                continue;
            }
            j += 1;
        }
        i = furthest;
    }
}

/// The email-shaped text around the `@` at `text[at]` — an alphanumeric on each side, then
/// as far as an address's characters go — whether or not the email detector accepts it
/// (`jane@localhost`). `@timestamp` and `@type` have nothing before the `@`: not emails.
fn email_around(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let before = text[..at].last().is_some_and(u8::is_ascii_alphanumeric);
    let after = text.get(at + 1).is_some_and(u8::is_ascii_alphanumeric);
    if !before || !after {
        return None;
    }
    let local = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let domain = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
    let s = at - text[..at].iter().rev().take_while(|b| local(b)).count();
    let e = at + 1 + text[at + 1..].iter().take_while(|b| domain(b)).count();
    Some((s, e))
}

/// The end of the digit group starting at `text[at]` (a digit, or `+` and a digit) and the
/// digits it holds: digits, with single separators (`-`, space, `.`, `/`) between them.
fn digit_group(text: &[u8], at: usize) -> (usize, usize) {
    let mut k = at + usize::from(text[at] == b'+');
    let mut end = k;
    let mut digits = 0;
    while k < text.len() {
        if text[k].is_ascii_digit() {
            digits += 1;
            k += 1;
            end = k;
        } else if matches!(text[k], b'-' | b' ' | b'.' | b'/')
            && text.get(k + 1).is_some_and(u8::is_ascii_digit)
        {
            k += 1;
        } else {
            break;
        }
    }
    (end, digits)
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(tok: &[u8]) -> bool {
    tok.len() == 36
        && tok.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Which name a merged span takes: a detector's kind, else the most specific shape.
fn rank(s: &Span) -> u8 {
    match (s.kind, s.name) {
        (Some(_), _) => 4,
        (None, "email") => 3,
        (None, UUID) => 2,
        (None, HASH) => 1,
        _ => 0,
    }
}

/// Sorts `spans` and merges the ones that overlap or touch; the best [`rank`] names it.
fn merge(spans: &mut Vec<Span>) {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match out.last_mut() {
            Some(last) if s.start <= last.end => {
                last.end = last.end.max(s.end);
                if rank(&s) > rank(last) {
                    last.kind = s.kind;
                    last.name = s.name;
                }
            }
            _ => out.push(s),
        }
    }
    *spans = out;
}

/// Splits a field path into its pieces: quoted keys (`["…"]`, see
/// [`crate::formats::push_key`]) and the plain stretches between them. A quoted key ends at
/// the first `"]` followed by `.`, `[` or the end; an unclosed one is plain text.
fn pieces(field: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = field;
    while let Some(open) = rest.find("[\"") {
        let inner = &rest[open + 2..];
        let close = inner
            .match_indices("\"]")
            .find(|(k, _)| matches!(inner.as_bytes().get(k + 2), None | Some(b'.') | Some(b'[')));
        let Some((close, _)) = close else { break };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        out.push((true, &inner[..close]));
        rest = &inner[close + 2..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

impl Engine {
    /// The parts of `text` a detector fires on, at any confidence. Detectors read the whole
    /// text (an email address spans dots) and, where a part of it reads differently alone,
    /// that part too: a separator right before a value hides it from detectors that want a
    /// boundary there (`contacts.+61 491 570 156`, `a.zip!+61491570156`). In a field (`path`
    /// false) the parts are the `.` separated segments; in a path, each `/` or `!` separated
    /// name and its stem (a validator refuses `jane@example.com.txt`: `txt` is a file type,
    /// not a domain).
    fn detected_spans(
        &self,
        text: &str,
        path: bool,
        scratch: &mut Scratch,
        hits: &mut Vec<Hit>,
        out: &mut Vec<Span>,
    ) {
        let mut parts: Vec<(usize, usize)> = vec![(0, text.len())];
        let mut at = 0;
        if path {
            for name in text.split(['/', '!']) {
                parts.push((at, at + name.len()));
                if let Some(dot) = name.rfind('.') {
                    parts.push((at, at + dot));
                }
                at += name.len() + 1;
            }
        } else if text.contains('.') {
            for seg in text.split('.') {
                parts.push((at, at + seg.len()));
                at += seg.len() + 1;
            }
        }
        parts.sort_unstable();
        parts.dedup();
        for (s, e) in parts {
            let part = &text[s..e];
            // A part shorter than the shortest value (`a@b.cd`) is read in the whole text
            // only: `2024/01/02/` costs no detector run per part.
            let whole = e - s == text.len();
            if (!whole && e - s < MIN_PART) || !may_hold_value(part.as_bytes()) {
                continue;
            }
            hits.clear();
            self.scan(part.as_bytes(), None, 0..part.len(), false, scratch, hits);
            for h in hits.iter() {
                let kind = self.specs()[h.detector as usize].kind;
                out.push(Span {
                    start: s + h.start,
                    end: s + h.end,
                    kind: Some(kind),
                    name: kind.as_str(),
                });
            }
        }
    }

    /// `text` (one key, or a plain stretch of a path) with its values replaced by
    /// placeholders; `None` when it holds none.
    fn placeholders(
        &self,
        text: &str,
        scratch: &mut Scratch,
        hits: &mut Vec<Hit>,
    ) -> Option<String> {
        if !may_hold_value(text.as_bytes()) {
            return None;
        }
        let mut spans = Vec::new();
        self.detected_spans(text, false, scratch, hits, &mut spans);
        shape_spans(text.as_bytes(), &mut spans);
        if spans.is_empty() {
            return None;
        }
        merge(&mut spans);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for s in &spans {
            out.push_str(&text[at..s.start]);
            out.push('{');
            out.push_str(s.name);
            out.push('}');
            at = s.end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }

    /// The display name of `field` (see the module docs): `None` when no part of it is a
    /// value. Uncached; the scan uses [`FieldNames`].
    pub fn field_name(&self, field: &str, scratch: &mut Scratch) -> Option<String> {
        let mut hits = Vec::new();
        let mut keys = |key: &str| self.placeholders(key, scratch, &mut hits);
        rename(field, &mut keys)
    }

    /// `name` (a display path or archive member name) with every value a detector finds in
    /// it masked as a finding's value is ([`mask`]); `None` when it holds none. Paths are
    /// masked, never replaced by placeholders, so two files stay two paths.
    pub fn mask_name(&self, name: &str, scratch: &mut Scratch) -> Option<String> {
        if !may_hold_value(name.as_bytes()) {
            return None;
        }
        let (mut hits, mut spans) = (Vec::new(), Vec::new());
        self.detected_spans(name, true, scratch, &mut hits, &mut spans);
        if spans.is_empty() {
            return None;
        }
        merge(&mut spans);
        let mut out = String::with_capacity(name.len());
        let mut at = 0;
        for s in &spans {
            out.push_str(&name[at..s.start]);
            // A merged span always has a kind: only detected spans are here.
            out.push_str(&mask(
                s.kind.unwrap_or(Kind::NationalId),
                &name[s.start..s.end],
            ));
            at = s.end;
        }
        out.push_str(&name[at..]);
        Some(out)
    }
}

/// Rebuilds `field` piece by piece with `key` (a piece's text → its placeholder form, `None`
/// if unchanged); `None` when no piece changed.
fn rename(field: &str, key: &mut dyn FnMut(&str) -> Option<String>) -> Option<String> {
    let mut changed = false;
    let mut out = String::with_capacity(field.len());
    for (quoted, text) in pieces(field) {
        let new = key(text);
        changed |= new.is_some();
        let text = new.as_deref().unwrap_or(text);
        if !quoted {
            out.push_str(text);
        } else if new.is_some() && !text.contains('.') {
            // A key that was a value needs no quotes any more: `users.{email}.phone`.
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(text);
        } else {
            out.push_str("[\"");
            out.push_str(text);
            out.push_str("\"]");
        }
    }
    changed.then_some(out)
}

/// Display names of the fields of one input, made once per distinct name (see the module
/// docs). Bounded: it starts over after 4,096 names or 1 MiB of them.
#[derive(Debug, Default)]
pub struct FieldNames {
    /// Field → its display name (`None`: the name itself).
    fields: HashMap<Box<str>, Option<Arc<str>>>,
    /// Key or plain stretch → its placeholder form (`None`: unchanged), shared by the paths
    /// that hold it.
    pieces: HashMap<Box<str>, Option<Box<str>>>,
    /// Bytes of names held in both maps.
    bytes: usize,
    hits: Vec<Hit>,
}

impl FieldNames {
    /// The display name of `field`, `None` when it is `field` itself. Call it only for names
    /// [`may_hold_value`] says may hold one (the others are always their own name).
    pub fn get(&mut self, engine: &Engine, field: &str, scratch: &mut Scratch) -> Option<Arc<str>> {
        if let Some(n) = self.fields.get(field) {
            return n.clone();
        }
        if self.fields.len() >= MAX_CACHED
            || self.pieces.len() >= MAX_CACHED
            || self.bytes >= MAX_CACHED_BYTES
        {
            self.fields.clear();
            self.pieces.clear();
            self.bytes = 0;
        }
        let (pieces, bytes, hits) = (&mut self.pieces, &mut self.bytes, &mut self.hits);
        let mut key = |text: &str| -> Option<String> {
            if let Some(p) = pieces.get(text) {
                return p.as_deref().map(str::to_string);
            }
            let p = engine.placeholders(text, scratch, hits);
            *bytes += 2 * text.len();
            pieces.insert(text.into(), p.as_deref().map(Box::from));
            p
        };
        let name = rename(field, &mut key).map(|s| Arc::from(s.as_str()));
        self.bytes += 2 * field.len();
        self.fields.insert(field.into(), name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::builtin;

    #[test]
    fn shapes() {
        let cases: &[(&str, &str)] = &[
            ("order_id", "order_id"),
            ("line2", "line2"),
            ("sha256", "sha256"),
            ("12345", "12345"),
            ("123456", "{id}"),
            ("order_1234567", "order_{id}"),
            ("+61 491 570", "{id}"),
            ("2024-01-01", "{id}"),
            ("v1.2.3", "v1.2.3"),
            ("550e8400-e29b-41d4-a716-446655440000", "{uuid}"),
            ("x.550E8400-E29B-41D4-A716-446655440000.y", "x.{uuid}.y"),
            ("d41d8cd98f00b204e9800998ecf8427e", "{hash}"),
            ("sha.d41d8cd98f00b204", "sha.{hash}"),
            // Sixteen hex letters and no digit: a word, not a hash.
            ("deadbeefcafebabe", "deadbeefcafebabe"),
            // A hex run inside a longer word is not a hash.
            ("xd41d8cd98f00b204e", "xd41d8cd98f00b204e"),
            ("sha-d41d8cd98f00b204-x", "sha-{hash}-x"),
            ("a123456b", "a{id}b"),
            ("12 34 56", "{id}"),
            ("12  34 56", "12  34 56"),
            ("jane@localhost", "{email}"),
            ("a.jane_doe@host-1.b", "{email}"),
            ("@timestamp", "@timestamp"),
            ("meta.@type", "meta.@type"),
            ("user123456@example.com", "{email}"),
        ];
        for (text, want) in cases {
            let mut spans = Vec::new();
            shape_spans(text.as_bytes(), &mut spans);
            merge(&mut spans);
            let mut got = String::new();
            let mut at = 0;
            for s in &spans {
                got.push_str(&text[at..s.start]);
                got.push_str(&format!("{{{}}}", s.name));
                at = s.end;
            }
            got.push_str(&text[at..]);
            assert_eq!(&got, want, "{text:?}");
        }
    }

    /// Hostile names take time linear in their length (a quadratic scan of these 200 KB
    /// names would not finish in the test's lifetime) and keep no value beside a placeholder.
    #[test]
    fn hostile_names_are_linear() {
        let n = 100_000;
        let braces = "{".repeat(2 * n) + "}";
        assert_eq!(strip_placeholders(&braces), braces);
        let ids = "{id}x".repeat(n);
        assert_eq!(strip_placeholders(&ids), "x".repeat(n));
        let mut spans = Vec::new();
        shape_spans("a@".repeat(n).as_bytes(), &mut spans);
        assert!(!spans.is_empty());
        spans.clear();
        let digits = "1-".repeat(n);
        shape_spans(digits.as_bytes(), &mut spans);
        merge(&mut spans);
        assert_eq!(spans.len(), 1);
        assert_eq!((spans[0].start, spans[0].end), (0, 2 * n - 1));
        let quoted = "[\"a.b\"]".repeat(n / 4) + &"[\"".repeat(n / 4);
        assert!(pieces(&quoted).len() >= n / 4);
    }

    #[test]
    fn pieces_split_quoted_keys() {
        let cases: &[(&str, &[(bool, &str)])] = &[
            ("a.b", &[(false, "a.b")]),
            ("[\"a.b\"]", &[(true, "a.b")]),
            (
                "x[\"a.b\"].c",
                &[(false, "x"), (true, "a.b"), (false, ".c")],
            ),
            (
                "x[\"a.b\"][][\"c.d\"]",
                &[(false, "x"), (true, "a.b"), (false, "[]"), (true, "c.d")],
            ),
            // `"]` inside a key that is not followed by `.`, `[` or the end does not close it.
            (
                "x[\"a\"]b.c\"].d",
                &[(false, "x"), (true, "a\"]b.c"), (false, ".d")],
            ),
            // Unclosed: plain.
            ("x[\"a.b", &[(false, "x[\"a.b")]),
            ("", &[]),
        ];
        for (field, want) in cases {
            assert_eq!(pieces(field), *want, "{field:?}");
        }
    }

    #[test]
    fn placeholders_are_stripped_for_reading() {
        let cases = [
            ("users.{email}.phone", "users..phone"),
            ("phones.{email}", "phones."),
            ("order_{id}", "order_"),
            ("{template}.x", "{template}.x"),
            ("a{b", "a{b"),
            ("plain", "plain"),
            ("{uuid}{hash}", ""),
        ];
        for (field, want) in cases {
            assert_eq!(strip_placeholders(field), want, "{field:?}");
        }
    }

    /// Table test of the display name: keys of every kind become placeholders; ordinary
    /// names, and parts of a name that hold no value, are kept.
    #[test]
    fn field_names() {
        let engine = builtin::test_engine();
        let mut scratch = Scratch::default();
        let cases: &[(&str, Option<&str>)] = &[
            ("email", None),
            ("customer.phone", None),
            ("address_line2", None),
            ("items[].sku", None),
            (
                "users[\"jane@example.com\"].phone",
                Some("users.{email}.phone"),
            ),
            ("[\"jane@example.com\"]", Some("{email}")),
            ("[\"jane.doe@example.co.uk\"].name", Some("{email}.name")),
            ("jane@example.com", Some("{email}")),
            ("customers[\"jane@example.com\"]", Some("customers.{email}")),
            ("contacts.+61 491 570 156", Some("contacts.{phone}")),
            (
                "cards.4111111111111111.holder",
                Some("cards.{credit_card}.holder"),
            ),
            ("accounts.GB82WEST12345698765432", Some("accounts.{iban}")),
            (
                "by_id.550e8400-e29b-41d4-a716-446655440000",
                Some("by_id.{uuid}"),
            ),
            ("orders.98765432.total", Some("orders.{id}.total")),
            (
                "sessions.d41d8cd98f00b204e9800998ecf8427e",
                Some("sessions.{hash}"),
            ),
            // A quoted key that keeps a dot around its placeholder stays quoted.
            ("x[\"tel.+61491570156\"]", Some("x[\"tel.{phone}\"]")),
            ("x[\"a.b\"].c", None),
        ];
        for (field, want) in cases {
            let got = engine.field_name(field, &mut scratch);
            assert_eq!(got.as_deref(), *want, "{field:?}");
        }
        // The cached path answers the same.
        let mut names = FieldNames::default();
        for (field, want) in cases {
            let got = names.get(&engine, field, &mut scratch);
            assert_eq!(got.as_deref(), *want, "{field:?} (cached)");
            let again = names.get(&engine, field, &mut scratch);
            assert_eq!(again.as_deref(), *want, "{field:?} (cached twice)");
        }
    }

    #[test]
    fn input_names_are_masked_where_a_detector_fires() {
        let engine = builtin::test_engine();
        let mut scratch = Scratch::default();
        let cases: &[(&str, Option<&str>)] = &[
            ("exports/customers.csv", None),
            ("logs/2024/app.log", None),
            // The email's top-level domain, as a detector reads it, is `csv`: the extension
            // stays.
            (
                "exports/jane@example.com.csv",
                Some("exports/j***@e**********.csv"),
            ),
            ("a.zip!+61491570156/x.csv", Some("a.zip!+*******0156/x.csv")),
            (
                "a.zip!people/alan.turing@example.net.txt",
                Some("a.zip!people/a**********@e******.net.txt"),
            ),
        ];
        for (name, want) in cases {
            assert_eq!(
                engine.mask_name(name, &mut scratch).as_deref(),
                *want,
                "{name:?}"
            );
        }
    }
}
