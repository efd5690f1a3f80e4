//! Key/value text — logfmt logs (`key=value`), `Key: value` lines (tickets, forms), email
//! messages (`.eml`: RFC 5322 headers, folded continuation lines, then a body) and YAML: a
//! value's key becomes its cell's `field`; record = line (YAML: see below).
//!
//! This is a separate format, chosen by [`sniff`] only for inputs that *are* mostly key/value
//! lines (or YAML by name), so the plain-text format keeps its megabyte block scan for everything
//! else. It reads line by line over the shared restart [`Window`] and splits each line into cells
//! that do not overlap — the text before and between pairs (field `None`) and each pair's value
//! (field = key) — so every byte is scanned exactly once and nothing is reported twice. A
//! `Key: value` line whose value holds another `Word: ` stays whole, as free text: where one
//! value ends and the next key begins would be a guess, and the detectors read its words as
//! context instead. Cells are raw slices of the input; lines and columns are exact. A line
//! longer than [`MAX_TOKEN`] is a [`FormatError::Limit`].
//!
//! **Mailboxes.** In an address header (`From`, `To`, `Cc`, `Reply-To` …; folded lines
//! included) the display name of each mailbox is a cell of its own, with field `<Header>.name`
//! (`From: Jane Smith <jane@example.com>` → `Jane Smith` in `From.name`, which the name detector
//! reads as a name field; `"Smith, Jane" <…>` → `Smith, Jane`; the old `jane@… (Jane Smith)`
//! comment form too). The address stays in the header's own field. An identifier header
//! (`Message-ID`, `References`, `In-Reply-To`, `Content-ID`) stays one cell *with* its name, so
//! the email validator sees what the `<…@…>` after it is.
//!
//! **YAML** (`.yaml`/`.yml`, or a `%YAML` directive; not CI workflows, Kubernetes manifests
//! and other configuration files whose `name:` keys name jobs and resources — they are read as
//! before) is read by indentation, without a YAML parser: each `key: value` gets the path of the keys above it, as JSON paths are written
//! (`customer:` / `  contact:` / `    email: x` → `customer.contact.email`; a sequence adds
//! `[]`: `customers[].email`, `emails[]`). Quotes around a value are not part of its cell; a
//! block scalar (`note: |`) is its key's field for all its lines; a trailing `# comment`,
//! comment lines and anything not a key or an item (flow collections, multi-line plain
//! scalars) are free text. Record = the innermost sequence item (`- …`) holding the line, else
//! the document (`---` starts a new one). Nesting deeper than [`MAX_YAML_DEPTH`] is a
//! [`FormatError::Limit`].

use std::io::BufRead;

mod mail;
mod yaml;

use super::window::{MAX_TOKEN, Window};
use super::{Cell, CellSink, Format, FormatError, FormatStats};
use mail::{ID_HEADERS, emit_value};
pub use yaml::MAX_YAML_DEPTH;
use yaml::Yaml;

/// The key/value format.
#[derive(Debug, Clone, Copy)]
pub struct Kv {
    name: &'static str,
    mode: Mode,
}

/// Which kind of key/value text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `key=value` / `Key: value` lines.
    Lines,
    /// Starts with an RFC 5322 header block.
    Email,
    /// Keys by indentation.
    Yaml,
}

/// Logs and forms of `key=value` / `Key: value` lines.
pub static KV: Kv = Kv {
    name: "kv",
    mode: Mode::Lines,
};
/// An email message (headers, then body).
pub static EMAIL: Kv = Kv {
    name: "email",
    mode: Mode::Email,
};
/// YAML documents.
pub static YAML: Kv = Kv {
    name: "yaml",
    mode: Mode::Yaml,
};

const MAIL_HEADERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "delivered-to",
    "reply-to",
    "content-type",
];

/// The key/value format `head` is written in, if any: YAML by its extension or a `%YAML`
/// directive, unless it is a well-known configuration file (`yaml::is_config`: CI workflows,
/// Kubernetes manifests, …, read as before); an email if its first lines are headers
/// including at least two well-known ones (or the file is `.eml` and starts with a header);
/// key/value if at least 60 % of the first 50 non-empty lines (and at least 3) hold a
/// `Key: value` line or two `key=value` pairs.
pub fn sniff(ext: &str, head: &[u8]) -> Option<&'static Kv> {
    if (matches!(ext, "yaml" | "yml") || head.starts_with(b"%YAML")) && !yaml::is_config(head) {
        return Some(&YAML);
    }
    let mut lines = head.split(|&b| b == b'\n').map(<[u8]>::trim_ascii_end);
    if let Some(first) = lines.clone().next()
        && colon_key(first).is_some()
    {
        let known = lines
            .clone()
            .take(40)
            .take_while(|l| !l.is_empty())
            .filter_map(|l| colon_key(l).map(|(k, _)| k))
            .filter(|k| {
                MAIL_HEADERS
                    .iter()
                    .any(|h| h.as_bytes().eq_ignore_ascii_case(k))
            })
            .count();
        if known >= 2 || ext == "eml" {
            return Some(&EMAIL);
        }
    }
    let (mut n, mut kv) = (0, 0);
    for l in lines
        .by_ref()
        .filter(|l| !l.trim_ascii().is_empty())
        .take(50)
    {
        n += 1;
        if !is_code(l) && (colon_key(l).is_some() || pairs(l).nth(1).is_some()) {
            kv += 1;
        }
    }
    (kv >= 3 && kv * 10 >= n * 6).then_some(&KV)
}

/// A line that ends a statement or opens a block (`pub const X: u32 = 1;`, `int a=1, b=2;`,
/// `fn f(x: u8) {`) is code, whatever pairs it seems to hold: a form's or a log's values do not
/// end that way.
fn is_code(line: &[u8]) -> bool {
    matches!(line.trim_ascii_end().last(), Some(b';' | b'{'))
}

/// `Key: value` at the start of a line: the key and where the value starts.
fn colon_key(line: &[u8]) -> Option<(&[u8], usize)> {
    let end = line
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b' ')))?;
    let key = line[..end].trim_ascii_end();
    if line[end] != b':'
        || key.is_empty()
        || key.len() > 64
        || !key[0].is_ascii_alphabetic()
        || key.iter().filter(|&&b| b == b' ').count() > 3
    {
        return None;
    }
    let mut v = end + 1;
    while v < line.len() && matches!(line[v], b' ' | b'\t') {
        v += 1;
    }
    if !(v > end + 1 || v == line.len()) || second_key(&line[v..]) {
        return None;
    }
    Some((key, v))
}

/// Whether a value holds another `Word: ` (`email: a DOB: b`): such a line's keys and values
/// cannot be told apart, so it stays free text and the detectors use its words as context.
fn second_key(value: &[u8]) -> bool {
    memchr::memchr_iter(b':', value).any(|p| {
        p > 0
            && value[p - 1].is_ascii_alphabetic()
            && matches!(value.get(p + 1), Some(b' ' | b'\t'))
    })
}

/// `key=value` pairs of a line: (key range, value range), value inside quotes if quoted.
fn pairs(line: &[u8]) -> impl Iterator<Item = ((usize, usize), (usize, usize))> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < line.len() {
            while i < line.len() && line[i].is_ascii_whitespace() {
                i += 1;
            }
            let ks = i;
            while i < line.len()
                && (line[i].is_ascii_alphanumeric() || matches!(line[i], b'_' | b'.' | b'-'))
            {
                i += 1;
            }
            if i > ks && i < line.len() && line[i] == b'=' && line[ks].is_ascii_alphabetic() {
                let key = (ks, i);
                i += 1;
                let value = if line.get(i) == Some(&b'"') {
                    let vs = i + 1;
                    let mut j = vs;
                    while j < line.len() && line[j] != b'"' {
                        j += if line[j] == b'\\' { 2 } else { 1 };
                    }
                    let ve = j.min(line.len());
                    i = (j + 1).min(line.len());
                    (vs, ve)
                } else {
                    let vs = i;
                    while i < line.len() && !line[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    (vs, i)
                };
                return Some((key, value));
            }
            // Not a pair: skip this token.
            while i < line.len() && !line[i].is_ascii_whitespace() {
                i += 1;
            }
        }
        None
    })
}

/// Pushes `line[s..e]` as a cell (unless it is blank) at line `lno`, record `record`.
fn emit(
    sink: &mut dyn CellSink,
    line: &[u8],
    (lno, record): (u64, u64),
    (s, e): (usize, usize),
    field: Option<&str>,
) {
    let text = &line[s..e];
    if !text.trim_ascii().is_empty() {
        sink.cell(&Cell {
            text,
            line: lno,
            column: s as u64 + 1,
            field,
            record: Some(record),
            accept: 0..text.len(),
        });
    }
}

impl Format for Kv {
    fn name(&self) -> &'static str {
        self.name
    }

    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        let mut w = Window::new(input, MAX_TOKEN);
        let mut headers = self.mode == Mode::Email;
        let mut yaml = Yaml::default();
        let mut last_key = String::new();
        let mut lines = 0u64;
        let mut pos = 0usize;
        loop {
            let nl = memchr::memchr(b'\n', &w.buf[pos..]);
            if nl.is_none() && !w.at_eof() {
                w.refill_into(sink, pos, "line")?;
                pos = 0;
                continue;
            }
            let end = nl.map_or(w.buf.len(), |k| pos + k);
            if nl.is_none() && end == pos {
                break;
            }
            lines += 1;
            let mut line_end = end;
            if line_end > pos && w.buf[line_end - 1] == b'\r' {
                line_end -= 1;
            }
            let (lno, _) = w.line_col(pos);
            let line = &w.buf[pos..line_end];
            let at = (lno, lno);
            if self.mode == Mode::Yaml {
                yaml.line(sink, line, lno)?;
            } else if headers && line.is_empty() {
                headers = false;
            } else if headers && matches!(line.first(), Some(b' ' | b'\t')) {
                // A folded header line continues the previous header's value.
                if last_key.is_empty() {
                    emit(sink, line, at, (0, line.len()), None);
                } else {
                    emit_value(sink, line, at, (0, line.len()), &last_key);
                }
            } else if let Some((key, v)) = colon_key(line) {
                let key = std::str::from_utf8(key).unwrap_or("");
                if headers {
                    last_key.clear();
                    last_key.push_str(key);
                }
                if ID_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(key)) {
                    // One cell with its header name, which tells the email validator that the
                    // `<…@…>` after it is a message identifier, not an address.
                    emit(sink, line, at, (0, line.len()), Some(key));
                } else {
                    emit(sink, line, at, (0, v), None);
                    emit_value(sink, line, at, (v, line.len()), key);
                }
            } else {
                let mut free = 0;
                for ((ks, ke), (vs, ve)) in pairs(line) {
                    let key = std::str::from_utf8(&line[ks..ke]).unwrap_or("");
                    emit(sink, line, at, (free, vs), None);
                    emit(sink, line, at, (vs, ve), Some(key));
                    free = ve;
                }
                emit(sink, line, at, (free, line.len()), None);
            }
            pos = (end + 1).min(w.buf.len());
            if nl.is_none() {
                break;
            }
        }
        let records = if self.mode == Mode::Yaml {
            yaml.records
        } else {
            lines
        };
        Ok(FormatStats { records })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = (String, u64, u64, Option<String>);

    #[derive(Default)]
    struct Collect(Vec<Row>);

    impl CellSink for Collect {
        fn cell(&mut self, c: &Cell<'_>) {
            self.0.push((
                String::from_utf8_lossy(c.text).into_owned(),
                c.line,
                c.column,
                c.field.map(str::to_string),
            ));
        }
    }

    fn run(f: &Kv, text: &str) -> Collect {
        let mut sink = Collect::default();
        f.scan(&mut text.as_bytes(), &mut sink).unwrap();
        sink
    }

    #[test]
    fn logfmt_values_get_their_keys() {
        let c = run(
            &KV,
            "ts=2024-01-01 level=info msg=\"signup ok\" email=a@example.com\nplain words here\n",
        );
        let want: &[(&str, u64, u64, Option<&str>)] = &[
            ("2024-01-01", 1, 4, Some("ts")),
            (" level=", 1, 14, None),
            ("info", 1, 21, Some("level")),
            ("signup ok", 1, 31, Some("msg")),
            ("a@example.com", 1, 48, Some("email")),
            ("plain words here", 2, 1, None),
        ];
        for (text, line, col, field) in want {
            let r = c.0.iter().find(|r| r.0 == *text).unwrap();
            assert_eq!((r.1, r.2, r.3.as_deref()), (*line, *col, *field), "{text}");
        }
    }

    #[test]
    fn email_headers_fold_and_body_keys() {
        let c = run(
            &EMAIL,
            "From: Ann <ann@example.com>\r\nTo: bob@example.com,\r\n  cat@example.com\r\nSubject: hi\r\n\r\nPhone: 0491 570 156\r\nSee you.\r\n",
        );
        let get = |t: &str| c.0.iter().find(|r| r.0 == t).unwrap().clone();
        assert_eq!(get("Ann").3.as_deref(), Some("From.name"));
        assert_eq!(get(" <ann@example.com>").3.as_deref(), Some("From"));
        assert_eq!(get("  cat@example.com").3.as_deref(), Some("To"));
        assert_eq!(
            get("0491 570 156"),
            ("0491 570 156".into(), 6, 8, Some("Phone".into()))
        );
        assert_eq!(get("See you.").3, None);
    }

    #[test]
    fn address_headers_give_display_names_a_name_field() {
        let c = run(
            &EMAIL,
            "From: Jane Smith <jane@example.com>\nTo: \"Smith, Bob\" <bob@example.com>,\n  Cat Jones <cat@example.com>\nSubject: Jane Smith <x@example.com>\nMessage-ID: <a1@mail.example.com>\n\nbody\n",
        );
        let want: &[(&str, u64, u64, Option<&str>)] = &[
            ("Jane Smith", 1, 7, Some("From.name")),
            (" <jane@example.com>", 1, 17, Some("From")),
            ("Smith, Bob", 2, 6, Some("To.name")),
            ("Cat Jones", 3, 3, Some("To.name")),
            (" <cat@example.com>", 3, 12, Some("To")),
            // Not an address header: the value stays whole.
            ("Jane Smith <x@example.com>", 4, 10, Some("Subject")),
            // An identifier header: whole, with its name.
            (
                "Message-ID: <a1@mail.example.com>",
                5,
                1,
                Some("Message-ID"),
            ),
        ];
        for (text, line, col, field) in want {
            let r =
                c.0.iter()
                    .find(|r| r.0 == *text)
                    .unwrap_or_else(|| panic!("{text}: {:?}", c.0));
            assert_eq!((r.1, r.2, r.3.as_deref()), (*line, *col, *field), "{text}");
        }
    }

    #[test]
    fn sniff_table() {
        let table: &[(&str, &str, Option<&str>)] = &[
            (
                "",
                "Return-Path: <a@example.com>\nFrom: a\nTo: b\n\nbody",
                Some("email"),
            ),
            ("eml", "X-Foo: 1\n\nbody", Some("email")),
            ("yaml", "customer:\n  email: a@example.com\n", Some("yaml")),
            ("yml", "- a\n- b\n", Some("yaml")),
            ("", "%YAML 1.2\n---\na: 1\n", Some("yaml")),
            // A CI workflow: read as before (here: not key/value, so plain text).
            (
                "yml",
                "name: CI\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: x\n    steps:\n      - uses: a\n",
                None,
            ),
            ("", "a=1 b=2\na=3 b=4\nc=5 d=6\n", Some("kv")),
            (
                "",
                "Name: Ann\nPhone: 0491 570 156\nDOB: 1980-01-01\n",
                Some("kv"),
            ),
            ("", "Dear Ann,\nThanks for your note.\nBye\n", None),
            ("", "x=1 only one pair\nno\nno\n", None),
            (
                "",
                "email: a DOB: b\nemail: c DOB: d\nemail: e DOB: f\n",
                None,
            ),
            // Code: statements and blocks, not pairs.
            (
                "",
                "pub const A: u32 = 1;\npub const B: u32 = 2;\npub const C: &[u8; 2] = b\"x\";\n",
                None,
            ),
            ("", "int a=1, b=2;\nint c=3, d=4;\nint e=5, f=6;\n", None),
            (
                "",
                "Name: Ann;\nfn f(x: u8) {\nPhone: 0491 570 156\nDOB: 1980-01-01\nCity: X\n",
                Some("kv"),
            ),
        ];
        for (ext, head, want) in table {
            assert_eq!(
                sniff(ext, head.as_bytes()).map(|k| k.name),
                *want,
                "{head:?}"
            );
        }
    }
}
