//! Delimited text (CSV, TSV, PSV, semicolon): one cell per field value, `field` = header name,
//! `record` = row.
//!
//! **Why not the `csv` crate.** Every finding must carry the true line and column of its value
//! in the decoded text. The `csv` crate hands out *unescaped* field values and only the start
//! position of each record, so the column of the third field of a row whose first field is a
//! quoted, multi-line value with `""` escapes cannot be recovered; and `csv-core` silently
//! accepts an unterminated quote at end of input (the rest of the file becomes one field),
//! where this scanner must report the input as malformed. So this module splits fields itself
//! (RFC 4180: `"` quotes, `""` escapes, quoted delimiters and newlines, `\n` or `\r\n` records),
//! with `memchr` jumps, over the shared restart [`Window`].
//!
//! A cell's text is the raw slice of the decoded input — for a quoted field, the bytes *inside*
//! the quotes, with `""` left doubled — so every offset inside a cell maps one-to-one onto the
//! input and lines/columns stay exact. Nothing is copied per cell.
//!
//! **Streaming.** Cells are emitted field by field, so a row with a million columns never has
//! to be held whole; only one field must fit in the window. A row longer than
//! [`MAX_RECORD`] or a field longer than [`MAX_TOKEN`] is a [`FormatError::Limit`]; an
//! unterminated quote is [`FormatError::Malformed`] with the line where the quote opened.
//!
//! **Dialect.** The delimiter is chosen by [`sniff`] (the candidate whose field count is the
//! same on ≥ 90 % of the first records); the header is detected from the first records of the
//! input: a first row of distinct, non-empty, name-like values over data that differs in kind
//! (digits or `@` under a digit-free name) is a header. Without a header, fields are named
//! `column N` (1-based). Header cells are also scanned as data (field `None`), so a wrongly
//! detected header loses no values. Records are numbered from 1 counting the header row, so
//! `record` is the row number a spreadsheet would show.

use std::fmt::Write as _;
use std::io::BufRead;

use super::window::{MAX_TOKEN, Window};
use super::{Cell, CellSink, Format, FormatError, FormatStats};

/// Largest row, in bytes.
pub const MAX_RECORD: u64 = 64 << 20;
/// Header names kept; later columns are named `column N`.
const MAX_NAMED_COLUMNS: usize = 1 << 16;
/// Records looked at to choose a delimiter or detect a header.
const SAMPLE_RECORDS: usize = 50;

/// A delimited-text format with a fixed delimiter.
#[derive(Debug, Clone, Copy)]
pub struct Csv {
    delim: u8,
    name: &'static str,
}

/// Comma-separated.
pub static COMMA: Csv = Csv {
    delim: b',',
    name: "csv",
};
/// Tab-separated.
pub static TAB: Csv = Csv {
    delim: b'\t',
    name: "tsv",
};
/// Semicolon-separated (European spreadsheet exports).
pub static SEMICOLON: Csv = Csv {
    delim: b';',
    name: "csv",
};
/// Pipe-separated.
pub static PIPE: Csv = Csv {
    delim: b'|',
    name: "psv",
};

const CANDIDATES: [&Csv; 4] = [&COMMA, &TAB, &SEMICOLON, &PIPE];

impl Csv {
    /// The field delimiter.
    pub fn delimiter(&self) -> u8 {
        self.delim
    }
}

/// One field found by [`split`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    /// Value text (inside the quotes if quoted).
    start: usize,
    end: usize,
    /// Where the next field or record starts.
    next: usize,
    /// The field ended its record.
    last: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Split {
    Field(Field),
    /// The field runs past the end of the buffer.
    NeedMore,
    /// End of input inside a quoted field.
    Unterminated,
}

/// Splits the field starting at `buf[pos]` (`pos < buf.len()`).
fn split(buf: &[u8], pos: usize, delim: u8, eof: bool) -> Split {
    let len = buf.len();
    if buf[pos] == b'"' {
        let mut i = pos + 1;
        let close = loop {
            match memchr::memchr(b'"', &buf[i..]) {
                None => {
                    return if eof {
                        Split::Unterminated
                    } else {
                        Split::NeedMore
                    };
                }
                Some(k) => {
                    let q = i + k;
                    if q + 1 == len && !eof {
                        return Split::NeedMore;
                    }
                    if q + 1 < len && buf[q + 1] == b'"' {
                        i = q + 2;
                        continue;
                    }
                    break q;
                }
            }
        };
        let after = close + 1;
        if after == len {
            return Split::Field(Field {
                start: pos + 1,
                end: close,
                next: len,
                last: true,
            });
        }
        match buf[after] {
            b if b == delim => Split::Field(Field {
                start: pos + 1,
                end: close,
                next: after + 1,
                last: false,
            }),
            b'\n' => Split::Field(Field {
                start: pos + 1,
                end: close,
                next: after + 1,
                last: true,
            }),
            b'\r' if after + 1 == len && !eof => Split::NeedMore,
            b'\r' if after + 1 == len || buf[after + 1] == b'\n' => Split::Field(Field {
                start: pos + 1,
                end: close,
                next: (after + 2).min(len),
                last: true,
            }),
            // Text after the closing quote (`"a"b,`): lenient, the value runs on to the
            // delimiter, so nothing is skipped.
            _ => match unquoted(buf, after, delim, eof) {
                Split::Field(f) => Split::Field(Field {
                    start: pos + 1,
                    ..f
                }),
                other => other,
            },
        }
    } else {
        unquoted(buf, pos, delim, eof)
    }
}

fn unquoted(buf: &[u8], pos: usize, delim: u8, eof: bool) -> Split {
    match memchr::memchr2(delim, b'\n', &buf[pos..]) {
        Some(k) => {
            let p = pos + k;
            if buf[p] == delim {
                Split::Field(Field {
                    start: pos,
                    end: p,
                    next: p + 1,
                    last: false,
                })
            } else {
                let end = if p > pos && buf[p - 1] == b'\r' {
                    p - 1
                } else {
                    p
                };
                Split::Field(Field {
                    start: pos,
                    end,
                    next: p + 1,
                    last: true,
                })
            }
        }
        None if eof => {
            let end = if buf.len() > pos && buf[buf.len() - 1] == b'\r' {
                buf.len() - 1
            } else {
                buf.len()
            };
            Split::Field(Field {
                start: pos,
                end,
                next: buf.len(),
                last: true,
            })
        }
        None => Split::NeedMore,
    }
}

/// Complete records at the start of `buf`, as field ranges (for sniffing and header detection).
fn sample(buf: &[u8], delim: u8, eof: bool, max: usize) -> Vec<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut pos = 0;
    while pos < buf.len() && out.len() < max {
        match split(buf, pos, delim, eof) {
            Split::Field(f) => {
                if cur.len() < 4096 {
                    cur.push((f.start, f.end));
                }
                pos = f.next;
                if f.last {
                    out.push(std::mem::take(&mut cur));
                }
            }
            Split::NeedMore | Split::Unterminated => break,
        }
    }
    out
}

/// The delimited format `head` (the first decoded block of an input) is written in, if any:
/// the delimiter whose field count (≥ 2) is the same on at least 90 % of the first records,
/// over at least 2 records (3 when that count is 2). Ties go to the higher field count.
pub fn sniff(head: &[u8]) -> Option<&'static Csv> {
    // A short head is (almost certainly) the whole input, so its last line counts.
    let eof = head.len() < 16 << 10;
    let mut best: Option<(&'static Csv, usize)> = None;
    for c in CANDIDATES {
        let recs = sample(head, c.delim, eof, SAMPLE_RECORDS);
        let Some(m) = mode(recs.iter().map(Vec::len)) else {
            continue;
        };
        let need = if m == 2 { 3 } else { 2 };
        let agree = recs.iter().filter(|r| r.len() == m).count();
        if m < 2 || recs.len() < need || agree * 10 < recs.len() * 9 {
            continue;
        }
        // A delimiter that mostly *ends* lines is a statement terminator (`pub const X: u32 = 1;`,
        // `a = 1;`), not a field separator: code is not a two-column table.
        let trailing_empty = recs
            .iter()
            .filter(|r| {
                r.last()
                    .is_some_and(|&(s, e)| head[s..e].trim_ascii().is_empty())
            })
            .count();
        if trailing_empty * 2 > recs.len() {
            continue;
        }
        if best.is_none_or(|(_, bm)| m > bm) {
            best = Some((c, m));
        }
    }
    best.map(|(c, _)| c)
}

/// The delimited format for a file whose extension says it is delimited but whose content was
/// not conclusive (one column, or a malformed first rows): the delimiter most frequent on the
/// first line, else the extension's.
pub fn by_extension(ext: &str, head: &[u8]) -> Option<&'static Csv> {
    let default: &'static Csv = match ext {
        "csv" => &COMMA,
        "tsv" | "tab" => &TAB,
        "psv" => &PIPE,
        _ => return None,
    };
    let first = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    let best = CANDIDATES
        .iter()
        .map(|c| (c, memchr::memchr_iter(c.delim, first).count()))
        .max_by_key(|&(_, n)| n);
    Some(match best {
        Some((c, n)) if n > 0 => c,
        _ => default,
    })
}

fn mode(counts: impl Iterator<Item = usize>) -> Option<usize> {
    let mut v: Vec<usize> = counts.collect();
    v.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for chunk in v.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| chunk.len() > n) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    best.map(|(m, _)| m)
}

/// Whether `t` holds a letter of any script: `氏名`, `Straße` and `전화번호` are names as much as
/// `name` is. ASCII first (most headers), then the decoded text (invalid UTF-8 is no letter).
fn has_letter(t: &[u8]) -> bool {
    t.iter().any(u8::is_ascii_alphabetic)
        || (!t.is_ascii()
            && String::from_utf8_lossy(t)
                .chars()
                .any(|c| c.is_alphabetic() && c != char::REPLACEMENT_CHARACTER))
}

/// Whether the first sampled record is a header (see the module docs).
fn has_header(buf: &[u8], recs: &[Vec<(usize, usize)>]) -> bool {
    let Some(first) = recs.first() else {
        return false;
    };
    let cell = |r: (usize, usize)| buf[r.0..r.1].trim_ascii();
    let name_like = |t: &[u8]| {
        !t.is_empty()
            && t.len() <= 64
            && has_letter(t)
            && !t.contains(&b'@')
            && t.iter().filter(|b| b.is_ascii_digit()).count() * 2 < t.len()
    };
    if !first.iter().all(|&r| name_like(cell(r))) {
        return false;
    }
    for (i, &a) in first.iter().enumerate() {
        if first[..i].iter().any(|&b| cell(a) == cell(b)) {
            return false;
        }
    }
    if recs.len() == 1 {
        return true;
    }
    let kind = |t: &[u8]| (t.iter().any(u8::is_ascii_digit), t.contains(&b'@'));
    first.iter().enumerate().any(|(col, &h)| {
        let (hd, _) = kind(cell(h));
        recs[1..].iter().any(|r| {
            r.get(col).is_some_and(|&d| {
                let (dd, da) = kind(cell(d));
                (dd && !hd) || da
            })
        })
    })
}

impl Format for Csv {
    fn name(&self) -> &'static str {
        self.name
    }

    fn scan(
        &self,
        input: &mut dyn BufRead,
        sink: &mut dyn CellSink,
    ) -> Result<FormatStats, FormatError> {
        scan_with(input, sink, self.delim, MAX_RECORD)
    }
}

/// The CSV loop with a configurable row cap (tests use small ones).
fn scan_with(
    input: &mut dyn BufRead,
    sink: &mut dyn CellSink,
    delim: u8,
    max_record: u64,
) -> Result<FormatStats, FormatError> {
    let mut w = Window::new(input, MAX_TOKEN);
    // Every cell is a slice of the window: the sink sees each block before its cells.
    w.refill_into(sink, 0, "CSV field")?;
    let recs = sample(&w.buf, delim, w.at_eof(), SAMPLE_RECORDS);
    let mut header = has_header(&w.buf, &recs);
    // The header row is scanned (a wrong guess loses nothing) but is not a data record.
    let had_header = header;
    let mut names: Vec<String> = Vec::new();
    let mut scratch = String::new();
    let (mut record, mut col, mut record_bytes) = (1u64, 0usize, 0u64);
    let mut pos = 0usize;
    loop {
        if pos >= w.buf.len() {
            if !w.refill_into(sink, pos, "CSV field")? {
                break;
            }
            pos = 0;
        }
        let f = match split(&w.buf, pos, delim, w.at_eof()) {
            Split::Field(f) => f,
            Split::NeedMore => {
                w.refill_into(sink, pos, "CSV field")?;
                pos = 0;
                continue;
            }
            Split::Unterminated => {
                return Err(FormatError::Malformed {
                    format: "csv",
                    line: w.line_at(pos),
                    message: "quoted field is never closed (unbalanced quote)".into(),
                });
            }
        };
        record_bytes += (f.next - pos) as u64;
        if record_bytes > max_record {
            return Err(FormatError::Limit(format!(
                "CSV row {record} (ending after line {}) is longer than {} MiB",
                w.line_at(pos),
                max_record >> 20
            )));
        }
        if header && names.len() < MAX_NAMED_COLUMNS {
            let raw = w.buf[f.start..f.end].trim_ascii();
            let mut name = String::from_utf8_lossy(raw).into_owned();
            if name.contains("\"\"") {
                name = name.replace("\"\"", "\"");
            }
            names.push(name);
        }
        if f.end > f.start {
            let (line, column) = w.line_col(f.start);
            let field: Option<&str> = if header {
                None
            } else if let Some(n) = names.get(col).filter(|n| !n.is_empty()) {
                Some(n)
            } else {
                scratch.clear();
                let _ = write!(scratch, "column {}", col + 1);
                Some(&scratch)
            };
            sink.cell(&Cell {
                text: &w.buf[f.start..f.end],
                line,
                column,
                field,
                record: Some(record),
                accept: 0..f.end - f.start,
            });
        }
        pos = f.next;
        col += 1;
        if f.last {
            record += 1;
            col = 0;
            record_bytes = 0;
            header = false;
        }
    }
    Ok(FormatStats {
        records: (record - 1 + u64::from(col > 0)).saturating_sub(u64::from(had_header)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::formats::test_sink::Collect;

    fn run(delim: u8, text: &str) -> Result<Collect, FormatError> {
        let mut sink = Collect::default();
        scan_with(&mut text.as_bytes(), &mut sink, delim, MAX_RECORD)?;
        Ok(sink)
    }

    #[test]
    fn header_names_fields_and_positions_are_exact() {
        let c = run(
            b',',
            "name,email,dob\nAnn,ann@example.com,1980-01-02\n\"Lee, \"\"B\"\"\",lee@example.com,1975-05-06\n",
        )
        .unwrap();
        assert_eq!(
            c.find("ann@example.com"),
            &(
                "ann@example.com".into(),
                2,
                5,
                Some("email".into()),
                Some(2)
            )
        );
        assert_eq!((c.find("1975-05-06").1, c.find("1975-05-06").2), (3, 30));
        assert_eq!(c.find("Lee, \"\"B\"\"").2, 2);
        assert_eq!(c.find("dob").3, None);
        assert_eq!(c.find("dob").4, Some(1));
    }

    #[test]
    fn quoted_newlines_move_later_fields_down() {
        let c = run(
            b'\t',
            "id\tnote\tphone\n1\t\"line one\nline two\"\t0491 570 156\r\n",
        )
        .unwrap();
        let p = c.find("0491 570 156");
        assert_eq!((p.1, p.2, p.3.as_deref()), (3, 11, Some("phone")));
        assert_eq!(c.find("line one\nline two").1, 2);
        assert_eq!(c.find("line one\nline two").2, 4);
    }

    #[test]
    fn headerless_fields_are_numbered_columns() {
        let c = run(b',', "Ann,0491 570 156,x\nBob,0491 570 157,y\n").unwrap();
        assert_eq!(c.find("0491 570 157").3.as_deref(), Some("column 2"));
        assert_eq!(c.find("Ann").3.as_deref(), Some("column 1"));
        assert_eq!(c.find("Bob").4, Some(2));
    }

    /// A header row in any script is a header: its cells name the columns.
    #[test]
    fn headers_in_other_scripts_name_columns() {
        for (head, want) in [
            (
                "氏名\tメールアドレス\t電話番号\t生年月日",
                ["氏名", "メールアドレス", "電話番号", "生年月日"],
            ),
            (
                "이름\t이메일\t전화번호\t생년월일",
                ["이름", "이메일", "전화번호", "생년월일"],
            ),
            (
                "姓名\t电子邮件\t电话\t出生日期",
                ["姓名", "电子邮件", "电话", "出生日期"],
            ),
            (
                "Straße\tE-Mail\tTéléphone\tDoğum Tarihi",
                ["Straße", "E-Mail", "Téléphone", "Doğum Tarihi"],
            ),
        ] {
            let text = format!("{head}\n山田 太郎\ttaro@example.com\t090-1234-5678\t1980-01-02\n");
            let c = run(b'\t', &text).unwrap();
            assert_eq!(
                c.find("taro@example.com").3.as_deref(),
                Some(want[1]),
                "{head}"
            );
            assert_eq!(
                c.find("090-1234-5678").3.as_deref(),
                Some(want[2]),
                "{head}"
            );
            assert_eq!(c.find("1980-01-02").3.as_deref(), Some(want[3]), "{head}");
        }
        // Digits and symbols are still no header, in any script.
        let c = run(b'\t', "１２３\t0491 570 156\n４５６\t0491 570 157\n").unwrap();
        assert_eq!(c.find("0491 570 157").3.as_deref(), Some("column 2"));
    }

    #[test]
    fn unbalanced_quote_is_malformed_with_line() {
        let e = run(b',', "a,b\n1,2\n\"3,4\n5,6\n").err().unwrap();
        match e {
            FormatError::Malformed { line, .. } => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn oversized_row_is_a_limit_error() {
        let mut text = String::from("a,b\n");
        for _ in 0..5000 {
            text.push_str("xxxxxxxxxx,");
        }
        let mut sink = Collect::default();
        let e = scan_with(&mut text.as_bytes(), &mut sink, b',', 1 << 10).unwrap_err();
        assert!(matches!(e, FormatError::Limit(_)));
    }

    #[test]
    fn many_columns_stream() {
        let mut text = String::new();
        for i in 0..200_000 {
            text.push_str(if i == 0 { "v" } else { ",v" });
        }
        text.push('\n');
        let c = run(b',', &text).unwrap();
        assert_eq!(c.0.len(), 200_000);
        assert_eq!(c.0.last().unwrap().3.as_deref(), Some("column 200000"));
    }

    #[test]
    fn sniff_picks_the_consistent_delimiter() {
        let table: &[(&str, Option<u8>)] = &[
            ("a,b,c\n1,2,3\n4,5,6\n", Some(b',')),
            ("a\tb\n1\t2\n3\t4\n", Some(b'\t')),
            ("a;b;c\n1,5;2;3\n4;5;6\n", Some(b';')),
            ("a|b|c\n1|2|3\n", Some(b'|')),
            ("\"x,y\",b\n\"1\n2\",3\n4,5\n", Some(b',')),
            (
                "Hello, world.\nThis is prose, with commas, here.\nAnd more.\n",
                None,
            ),
            ("one line only\n", None),
        ];
        for (text, want) in table {
            assert_eq!(
                sniff(text.as_bytes()).map(Csv::delimiter),
                *want,
                "{text:?}"
            );
        }
    }
}
