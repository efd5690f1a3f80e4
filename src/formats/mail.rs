//! Mail: RFC 5322 messages (`.eml`, or any input whose first lines are a mail header block) and
//! mailboxes (`.mbox`: messages after `From ` separator lines), decoded with `mail-parser`.
//!
//! A message becomes two things (the container walk, `scan::unpack`, drives both):
//!
//! * **Its text**, read by the key/value format in its email mode ([`super::kv::EMAIL`]) over a
//!   *view* of the message: the header block, then every body part a reader sees
//!   (`text/plain`, and `text/html` with the tags dropped when there is no plain alternative),
//!   decoded from base64 / quoted-printable and from its charset. A header holding RFC 2047
//!   encoded words (`=?utf-8?Q?…?=`) is given decoded, on one line. Header fields are the
//!   header names (`From`, `To`, `Subject`, display names in `From.name` …, see `kv`).
//! * **Its attachments**, decoded, each an input of its own (`note.eml!attachment/x.csv`),
//!   scanned like a member of an archive: a zip, a CSV or another message (message/rfc822,
//!   nested to the archive depth cap).
//!
//! **Positions.** `line` is a line of the message itself: headers and bodies stored as they
//! read (7bit/8bit UTF-8 or ASCII text) keep their exact line and column; in a decoded body
//! (base64, quoted-printable, another charset, HTML) it is the body's first line in the message
//! plus the line within the decoded text, and the column is the decoded line's. In an mbox,
//! lines count from the message's first header (the `From ` line is not part of the message).
//!
//! **Caps.** A message is held in memory to be parsed: one larger than [`MESSAGE_CAP`] is an
//! error for that message (an mbox goes on with the next one). Bad MIME (truncated base64, an
//! unknown charset, a missing boundary) is decoded best-effort by `mail-parser`, which never
//! panics; a message with no header block at all is an error. Errors never quote the message.

use std::io::{self, BufRead, Read};

use mail_parser::decoders::html::html_to_text;
use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::kv::EMAIL;
use super::{Cell, CellSink, Format, FormatError, FormatStats};

/// Largest message (raw bytes) read into memory to be parsed.
pub const MESSAGE_CAP: u64 = 64 << 20;

/// A mail input's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mail {
    /// One message (`.eml`).
    Message,
    /// A mailbox of messages, each after a `From ` line.
    Mbox,
}

impl Mail {
    /// Format name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Mail::Message => "email",
            Mail::Mbox => "mbox",
        }
    }
}

/// The mail kind of an input from its first bytes (`head`, up to a few hundred) and display
/// path: an mbox if it starts with a `From ` line followed by a header; one message if the
/// key/value format would read it as an email (its first lines are headers, at least two of
/// them well-known mail headers, or the file is `.eml` and starts with a header).
pub fn sniff(path: &str, head: &[u8]) -> Option<Mail> {
    if let Some(rest) = head.strip_prefix(b"From ") {
        let nl = memchr::memchr(b'\n', rest)?;
        let next = &rest[nl + 1..];
        let key = next.iter().position(|&b| b == b':').map(|k| &next[..k])?;
        let token = !key.is_empty() && key.iter().all(|&b| b.is_ascii_graphic());
        return token.then_some(Mail::Mbox);
    }
    let ext = super::extension(path);
    let is_email = super::kv::sniff(&ext, head).is_some_and(|f| std::ptr::eq(f, &EMAIL));
    // A first header that only mail has: the head may hold no second header when the first is
    // a long `Received:` or `DKIM-Signature:` line.
    let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mail_only = first.iter().position(|&b| b == b':').is_some_and(|k| {
        MAIL_ONLY
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(&first[..k]))
    });
    (is_email || mail_only).then_some(Mail::Message)
}

/// Header names that start a stored message and nothing else (lower case).
const MAIL_ONLY: &[&str] = &[
    "arc-seal",
    "authentication-results",
    "delivered-to",
    "dkim-signature",
    "message-id",
    "mime-version",
    "received",
    "return-path",
    "x-original-to",
];

/// One attachment: its name (the file name it declares, else `part-N`) and decoded bytes.
pub struct Attachment<'a> {
    /// File name as declared by the message (not sanitised: it is only ever a display name).
    pub name: String,
    /// Decoded content.
    pub data: &'a [u8],
}

/// A parsed message: the view its text is read from, and its attachments.
pub struct Parsed<'a> {
    message: Message<'a>,
    view: Vec<u8>,
    /// 1-based message line of each view line.
    lines: Vec<u64>,
}

/// Parses one raw message. `None` when it has no header block.
pub fn parse(raw: &[u8]) -> Option<Parsed<'_>> {
    let message = MessageParser::default().parse(raw)?;
    if message.parts.is_empty() || message.parts[0].headers.is_empty() {
        return None;
    }
    let mut view = View::new(raw);
    view.headers(&message);
    // Bodies in message order: the text bodies, and inline text parts with no file name (a
    // `multipart/related` part with a `Content-ID`), which a reader sees as text too.
    let mut bodies: Vec<&MessagePart<'_>> = message
        .text_body
        .iter()
        .chain(message.attachments.iter().filter(|&&id| {
            message
                .parts
                .get(id as usize)
                .is_some_and(|p| is_text_body(p))
        }))
        .filter_map(|&id| message.parts.get(id as usize))
        .collect();
    bodies.sort_by_key(|p| p.offset_body);
    for part in bodies {
        let start = part.offset_body as usize;
        match &part.body {
            PartType::Text(t) => {
                let verbatim = matches!(part.encoding, mail_parser::Encoding::None)
                    && raw
                        .get(start..)
                        .is_some_and(|r| r.starts_with(t.as_bytes()));
                if verbatim {
                    view.verbatim(start, start + t.len());
                } else {
                    view.decoded(start, t);
                }
            }
            PartType::Html(h) => view.decoded(start, &html_to_text(h)),
            _ => {}
        }
    }
    Some(Parsed {
        view: view.out,
        lines: view.lines,
        message,
    })
}

impl<'a> Parsed<'a> {
    /// Pushes the message's cells (header block and bodies) into `sink`.
    pub fn scan(&self, sink: &mut dyn CellSink) -> Result<FormatStats, FormatError> {
        let mut remap = Remap {
            inner: sink,
            lines: &self.lines,
        };
        EMAIL.scan(&mut io::Cursor::new(&self.view[..]), &mut remap)
    }

    /// The attachments, in message order. A nested message's bytes are its raw text, to be read
    /// as a message again.
    pub fn attachments(&self) -> Vec<Attachment<'_>> {
        let mut out = Vec::new();
        for (n, &id) in self.message.attachments.iter().enumerate() {
            let Some(part) = self.message.parts.get(id as usize) else {
                continue;
            };
            if is_text_body(part) {
                continue;
            }
            let name = match part.attachment_name() {
                Some(s) if !s.trim().is_empty() => s.to_string(),
                _ if part.is_message() => format!("part-{}.eml", n + 1),
                _ => format!("part-{}", n + 1),
            };
            let data: &[u8] = match &part.body {
                PartType::Message(m) => m.raw_message(),
                _ => part.contents(),
            };
            out.push(Attachment { name, data });
        }
        out
    }
}

/// An inline text part with no file name: read as a body, not as an attachment.
fn is_text_body(part: &MessagePart<'_>) -> bool {
    part.is_text() && part.attachment_name().is_none()
}

/// The text a message is read as, with the message line of each of its lines.
struct View<'r> {
    raw: &'r [u8],
    out: Vec<u8>,
    lines: Vec<u64>,
    /// Line number of `raw[line_at.0]` is `line_at.1` (a cursor: offsets only grow).
    line_at: (usize, u64),
}

impl<'r> View<'r> {
    fn new(raw: &'r [u8]) -> Self {
        View {
            raw,
            out: Vec::new(),
            lines: Vec::new(),
            line_at: (0, 1),
        }
    }

    /// 1-based line of `raw[off]`. Linear overall: offsets are asked in increasing order (an
    /// offset before the cursor counts from the start again, which well-formed input never does).
    fn line_of(&mut self, off: usize) -> u64 {
        let off = off.min(self.raw.len());
        if off < self.line_at.0 {
            self.line_at = (0, 1);
        }
        let (from, line) = self.line_at;
        let n = memchr::memchr_iter(b'\n', &self.raw[from..off]).count() as u64;
        self.line_at = (off, line + n);
        line + n
    }

    /// The header block: raw lines, except a header with encoded words, given decoded on one
    /// line; then the blank line that ends it.
    fn headers(&mut self, message: &Message<'_>) {
        let mut end = 0;
        for h in &message.parts[0].headers {
            let (field, start, stop) = (
                h.offset_field as usize,
                h.offset_start as usize,
                (h.offset_end as usize).min(self.raw.len()),
            );
            if field >= stop || start > stop {
                continue;
            }
            end = end.max(stop);
            let line = self.line_of(field);
            let value = &self.raw[start..stop];
            if memchr::memmem::find(value, b"=?").is_some() {
                let mut text = String::new();
                text.push_str(h.name.as_str());
                text.push_str(": ");
                render(&h.value, &mut text);
                self.push_line(text.as_bytes(), line);
            } else {
                self.verbatim_lines(field, stop, line);
            }
        }
        let line = self.line_of(end);
        self.push_line(b"", line);
    }

    /// Raw text `raw[start..end]`, line for line.
    fn verbatim(&mut self, start: usize, end: usize) {
        let line = self.line_of(start);
        self.verbatim_lines(start, end.min(self.raw.len()), line);
    }

    fn verbatim_lines(&mut self, start: usize, end: usize, mut line: u64) {
        if start >= end {
            return;
        }
        for l in self.raw[start..end].split_inclusive(|&b| b == b'\n') {
            let l = l.strip_suffix(b"\n").unwrap_or(l);
            self.push_line(l, line);
            line += 1;
        }
    }

    /// Decoded body text: its lines counted from the body's first line in the message.
    fn decoded(&mut self, start: usize, text: &str) {
        let first = self.line_of(start);
        for (k, l) in text.lines().enumerate() {
            self.push_line(l.as_bytes(), first + k as u64);
        }
    }

    fn push_line(&mut self, l: &[u8], line: u64) {
        // A lone `\n` in decoded header text must not start a new view line.
        self.out
            .extend(l.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
        self.out.push(b'\n');
        self.lines.push(line);
    }
}

/// A header value as text: mailboxes as `Name <address>` (quoted when the name holds a comma,
/// so the key/value format finds the display name), text as is.
fn render(value: &HeaderValue<'_>, out: &mut String) {
    match value {
        HeaderValue::Text(t) => out.push_str(t),
        HeaderValue::TextList(l) => out.push_str(&l.join(", ")),
        HeaderValue::Address(a) => render_address(a, out),
        _ => {}
    }
}

fn render_address(a: &Address<'_>, out: &mut String) {
    for (i, addr) in a.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let email = addr.address.as_deref().unwrap_or("");
        match addr.name.as_deref() {
            Some(n) if n.contains([',', '<', '"']) => {
                out.push('"');
                out.push_str(&n.replace('"', "'"));
                out.push_str("\" ");
            }
            Some(n) => {
                out.push_str(n);
                out.push(' ');
            }
            None => {}
        }
        out.push('<');
        out.push_str(email);
        out.push('>');
    }
}

/// Maps the view's line numbers to the message's; the record stays the view line, unique.
struct Remap<'a, 'b> {
    inner: &'a mut dyn CellSink,
    lines: &'b [u64],
}

impl CellSink for Remap<'_, '_> {
    fn cell(&mut self, cell: &Cell<'_>) {
        let mut c = cell.clone();
        if let Some(&line) = usize::try_from(cell.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .and_then(|l| self.lines.get(l))
        {
            c.line = line;
        }
        self.inner.cell(&c);
    }
}

/// Reads an mbox's messages one at a time, each bounded by a cap: `From ` at the start of a
/// line starts a message (the line itself is dropped; `>From ` quoting in bodies is left as is).
pub struct Mbox<R> {
    reader: R,
    cap: u64,
    /// The `From ` line of the next message was read (and dropped) already.
    pending: bool,
    done: bool,
}

/// One message of an mbox, or why it was not read.
pub enum Next {
    /// The message's raw bytes.
    Message(Vec<u8>),
    /// Larger than the cap: skipped to the next `From ` line.
    TooLarge,
    /// Reading failed; the mailbox ends here.
    Failed(io::Error),
}

impl<R: BufRead> Mbox<R> {
    /// A reader of `reader`'s messages, each of at most `cap` bytes (plus one line's read).
    pub fn new(reader: R, cap: u64) -> Self {
        Mbox {
            reader,
            cap,
            pending: false,
            done: false,
        }
    }

    /// The next message, `None` at the end.
    pub fn next_message(&mut self) -> Option<Next> {
        if self.done {
            return None;
        }
        let mut msg = Vec::new();
        let mut too_large = false;
        let mut at_line_start = true;
        // A separator follows a blank line (or starts the input): a body line starting with
        // `From ` that a writer failed to quote as `>From ` is then still body text.
        let mut after_blank = true;
        let mut in_message = std::mem::take(&mut self.pending);
        loop {
            let start = msg.len();
            // Each read takes at most what is left under the cap (at least 1 KiB, so that a
            // separator line is always seen whole enough), so a line without end cannot grow
            // the buffer much past the cap.
            let room = (self.cap + 1).saturating_sub(start as u64).max(1024);
            let n = match (&mut self.reader).take(room).read_until(b'\n', &mut msg) {
                Ok(n) => n,
                Err(e) => {
                    self.done = true;
                    return Some(Next::Failed(e));
                }
            };
            if n == 0 {
                self.done = true;
                break;
            }
            let (line_start, blank_before) = (at_line_start, after_blank);
            at_line_start = msg.last() == Some(&b'\n');
            after_blank = line_start && at_line_start && msg[start..].trim_ascii().is_empty();
            if line_start && blank_before && msg[start..].starts_with(b"From ") {
                msg.truncate(start);
                // The rest of an overlong separator line is dropped too.
                while !at_line_start {
                    let mut rest = Vec::new();
                    match (&mut self.reader)
                        .take(64 << 10)
                        .read_until(b'\n', &mut rest)
                    {
                        Ok(0) | Err(_) => at_line_start = true,
                        Ok(_) => at_line_start = rest.last() == Some(&b'\n'),
                    }
                }
                after_blank = false;
                if in_message {
                    self.pending = true;
                    break;
                }
                in_message = true;
                continue;
            }
            if !in_message && msg.trim_ascii().is_empty() {
                // Blank lines before the first `From ` line.
                msg.clear();
                continue;
            }
            in_message = true;
            if msg.len() as u64 > self.cap {
                too_large = true;
                msg.clear();
            }
        }
        if too_large {
            Some(Next::TooLarge)
        } else if in_message {
            Some(Next::Message(msg))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_sink::Collect;

    fn cells(raw: &str) -> Collect {
        let p = parse(raw.as_bytes()).expect("a message");
        let mut sink = Collect::default();
        p.scan(&mut sink).unwrap();
        sink
    }

    #[test]
    fn sniff_mail_by_content_and_name() {
        let table: &[(&str, &str, Option<Mail>)] = &[
            (
                "a.eml",
                "From: a@example.com\nSubject: x\n\nhi\n",
                Some(Mail::Message),
            ),
            (
                "x.txt",
                "From: a@example.com\nTo: b@example.com\n\nhi\n",
                Some(Mail::Message),
            ),
            ("a.eml", "X-Foo: 1\n\nbody", Some(Mail::Message)),
            ("x.txt", "X-Foo: 1\n\nbody", None),
            (
                "inbox",
                "From jane@example.com Mon Jan  1 00:00:00 2024\nFrom: jane@example.com\n",
                Some(Mail::Mbox),
            ),
            ("notes.txt", "From here on, we go.\nIt was fine.\n", None),
            ("notes.txt", "From the top\n", None),
            ("a.csv", "id,email\n1,a@example.com\n", None),
            ("a.mbox", "", None),
            (
                "x",
                "Received: from mx.example.com (mx.example.com [192.0.2.1]) by",
                Some(Mail::Message),
            ),
            ("x", "Subject: hello", None),
        ];
        for (path, head, want) in table {
            assert_eq!(sniff(path, head.as_bytes()), *want, "{path}: {head:?}");
        }
    }

    #[test]
    fn plain_message_keeps_lines_and_columns() {
        let raw = "From: Jane Smith <jane@example.com>\r\nTo: bob@example.com,\r\n  cat@example.com\r\nSubject: hi\r\n\r\nCall 0491 570 156\r\nbye\r\n";
        let c = cells(raw);
        assert_eq!(c.find(" <jane@example.com>").1, 1);
        assert_eq!(c.find("Jane Smith").3.as_deref(), Some("From.name"));
        let cat = c.find("  cat@example.com");
        assert_eq!((cat.1, cat.2, cat.3.as_deref()), (3, 1, Some("To")));
        let body = c.find("Call 0491 570 156");
        assert_eq!((body.1, body.2, body.3.as_deref()), (6, 1, None));
    }

    #[test]
    fn encoded_bodies_and_headers_are_decoded() {
        let raw = "From: =?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <jorg@example.com>\n\
            Subject: =?utf-8?B?RE9CIDE5ODQtMDMtMTI=?=\n\
            MIME-Version: 1.0\n\
            Content-Type: multipart/mixed; boundary=\"b1\"\n\
            \n\
            --b1\n\
            Content-Type: text/plain; charset=iso-8859-1\n\
            Content-Transfer-Encoding: quoted-printable\n\
            \n\
            Gr=FC=DFe, call 0491 570 =\n\
            156 today\n\
            --b1\n\
            Content-Type: text/csv; name=\"p.csv\"\n\
            Content-Disposition: attachment; filename=\"p.csv\"\n\
            Content-Transfer-Encoding: base64\n\
            \n\
            bmFtZSxkb2IKQW5uLDE5ODQtMDMtMTIK\n\
            --b1--\n";
        let p = parse(raw.as_bytes()).unwrap();
        let mut c = Collect::default();
        p.scan(&mut c).unwrap();
        let name = c.find("Jörg Müller");
        assert_eq!((name.1, name.3.as_deref()), (1, Some("From.name")));
        let subject = c.find("DOB 1984-03-12");
        assert_eq!((subject.1, subject.3.as_deref()), (2, Some("Subject")));
        // The QP body (soft line break joined, Latin-1 decoded) starts at line 10.
        let body = c.find("Grüße, call 0491 570 156 today");
        assert_eq!(body.1, 10);
        let att = p.attachments();
        assert_eq!(att.len(), 1);
        assert_eq!(att[0].name, "p.csv");
        assert_eq!(att[0].data, b"name,dob\nAnn,1984-03-12\n");
    }

    #[test]
    fn html_only_body_is_text() {
        let raw = "From: a@example.com\nContent-Type: text/html\n\n<html><body><p>Mail <b>zed@example.org</b></p></body></html>\n";
        let c = cells(raw);
        assert!(
            c.0.iter()
                .any(|r| r.0.contains("zed@example.org") && !r.0.contains('<')),
            "{:?}",
            c.0
        );
    }

    #[test]
    fn hostile_messages_do_not_panic() {
        let long = format!(
            "From: a@example.com\nSubject: {}\n\nbody\n",
            "x".repeat(10 << 20)
        );
        let inputs: Vec<String> = vec![
            "From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\nno boundary here\n"
                .into(),
            "From: a@example.com\nContent-Type: text/plain; charset=no-such-charset\n\nhello\n"
                .into(),
            "From: a@example.com\nContent-Transfer-Encoding: base64\n\naGVsbG8gd29y\n=\n".into(),
            long,
            "From: a@example.com\nContent-Type: message/rfc822\n\nFrom: b@example.com\n\nin\n"
                .into(),
        ];
        for raw in &inputs {
            if let Some(p) = parse(raw.as_bytes()) {
                let mut c = Collect::default();
                let _ = p.scan(&mut c);
                let _ = p.attachments();
            }
        }
        assert!(parse(b"no headers at all").is_none() || parse(b"").is_none());
    }

    fn split(mbox: &str, cap: u64) -> Vec<Result<String, &'static str>> {
        let mut m = Mbox::new(mbox.as_bytes(), cap);
        let mut out = Vec::new();
        while let Some(n) = m.next_message() {
            out.push(match n {
                Next::Message(b) => Ok(String::from_utf8(b).unwrap()),
                Next::TooLarge => Err("too large"),
                Next::Failed(_) => Err("failed"),
            });
        }
        out
    }

    #[test]
    fn mbox_splits_on_from_lines_with_a_cap() {
        let mbox = "From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\n\nHi,\nFrom the top\n>From quoted\n\nFrom b@example.com Tue Jan  2 00:00:00 2024\nFrom: b@example.com\n\n".to_string()
            + &"y".repeat(5000)
            + "\n\nFrom c@example.com Wed\nFrom: c@example.com\n\nlast";
        let got = split(&mbox, 1 << 20);
        assert_eq!(got.len(), 3, "{got:?}");
        // "From the top" inside a body is not after a blank line: body text, not a separator.
        assert_eq!(
            got[0].as_deref(),
            Ok("From: a@example.com\n\nHi,\nFrom the top\n>From quoted\n\n")
        );
        let small = split(&mbox, 2048);
        assert_eq!(small.iter().filter(|m| m.is_err()).count(), 1, "{small:?}");
        assert_eq!(
            small.last().unwrap().as_deref(),
            Ok("From: c@example.com\n\nlast")
        );
        assert!(split("", 1024).is_empty());
        assert!(split("\n\n", 1024).is_empty());
    }
}
