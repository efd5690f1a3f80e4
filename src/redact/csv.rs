//! Delimited text: values replaced in their fields; dropped columns removed from the header and
//! every row.
//!
//! The text is split into records and fields here with the same RFC 4180 rules as
//! [`crate::formats::csv`] (`"` quotes, `""` escapes, quoted delimiters and newlines, `\n` or
//! `\r\n` records, text after a closing quote runs on to the delimiter). A column's name is the
//! field its cells were scanned under (a cell's start is its field's value start), so a column
//! is dropped by name whether the file has a header or not, and the header cell goes with it.
//!
//! A record with a dropped column is rebuilt from its kept fields (each byte-for-byte, with its
//! own value edits applied) joined by the delimiter; its line ending is untouched. A `null`
//! covering a whole field empties it, quotes included; any other replacement is spliced inside
//! the field (replacements carry no quote, and no delimiter an unquoted field did not have).

use std::collections::BTreeSet;

use super::{Action, Analysis, Edit, RedactError, apply};

/// One field: the raw span (with quotes, without delimiter / line ending) and the value span.
#[derive(Debug, Clone, Copy)]
struct Field {
    raw: (usize, usize),
    inner: (usize, usize),
}

/// Calls `f` with each record's fields.
fn for_each_record(text: &[u8], delim: u8, mut f: impl FnMut(&[Field])) -> Result<(), RedactError> {
    let mut fields = Vec::new();
    let mut pos = 0usize;
    let len = text.len();
    while pos < len {
        let (field, next, last) = if text[pos] == b'"' {
            let mut i = pos + 1;
            let close = loop {
                match memchr::memchr(b'"', &text[i..]) {
                    None => {
                        return Err(RedactError::Structure {
                            format: "csv",
                            message: "quoted field is never closed".into(),
                        });
                    }
                    Some(k) if i + k + 1 < len && text[i + k + 1] == b'"' => i += k + 2,
                    Some(k) => break i + k,
                }
            };
            let after = close + 1;
            if after >= len || text[after] == delim || text[after] == b'\n' {
                let last = after >= len || text[after] == b'\n';
                (
                    Field {
                        raw: (pos, after),
                        inner: (pos + 1, close),
                    },
                    (after + 1).min(len),
                    last,
                )
            } else if text[after] == b'\r' && (after + 1 == len || text[after + 1] == b'\n') {
                (
                    Field {
                        raw: (pos, after),
                        inner: (pos + 1, close),
                    },
                    (after + 2).min(len),
                    true,
                )
            } else {
                let (end, next, last) = unquoted(text, after, delim);
                (
                    Field {
                        raw: (pos, end),
                        inner: (pos + 1, end),
                    },
                    next,
                    last,
                )
            }
        } else {
            let (end, next, last) = unquoted(text, pos, delim);
            (
                Field {
                    raw: (pos, end),
                    inner: (pos, end),
                },
                next,
                last,
            )
        };
        fields.push(field);
        pos = next;
        if last || pos >= len {
            f(&fields);
            fields.clear();
        }
    }
    if !fields.is_empty() {
        f(&fields);
    }
    Ok(())
}

/// End of an unquoted value at `pos` (before `\r\n`), where the next field starts, and whether
/// the record ends.
fn unquoted(text: &[u8], pos: usize, delim: u8) -> (usize, usize, bool) {
    match memchr::memchr2(delim, b'\n', &text[pos..]) {
        Some(k) if text[pos + k] == delim => (pos + k, pos + k + 1, false),
        Some(k) => {
            let p = pos + k;
            let end = if p > pos && text[p - 1] == b'\r' {
                p - 1
            } else {
                p
            };
            (end, p + 1, true)
        }
        None => {
            let end = if text.last() == Some(&b'\r') && text.len() > pos {
                text.len() - 1
            } else {
                text.len()
            };
            (end, text.len(), true)
        }
    }
}

/// Edits for a delimited input (see the module docs).
pub fn edits(text: &[u8], delim: u8, an: &Analysis) -> Result<Vec<Edit>, RedactError> {
    // Pass 1: which column indices are dropped.
    let mut dropped: BTreeSet<usize> = BTreeSet::new();
    if !an.dropped.is_empty() {
        for_each_record(text, delim, |fields| {
            for (i, f) in fields.iter().enumerate() {
                if let Some(name) = an.field_at(f.inner.0)
                    && an.dropped.contains(name)
                {
                    dropped.insert(i);
                }
            }
        })?;
    }
    // Pass 2: per record, splice values or rebuild the record without dropped columns.
    let mut out = Vec::new();
    let mut vi = 0usize;
    let values = &an.values;
    for_each_record(text, delim, |fields| {
        let (Some(first), Some(last)) = (fields.first(), fields.last()) else {
            return;
        };
        let span = (first.raw.0, last.raw.1);
        while vi < values.len() && values[vi].start < span.0 {
            vi += 1;
        }
        let from = vi;
        while vi < values.len() && values[vi].start < span.1 {
            vi += 1;
        }
        let field_edits = |f: &Field| -> Vec<Edit> {
            values[from..vi]
                .iter()
                .filter(|v| v.start >= f.inner.0 && v.end <= f.inner.1)
                .map(|v| {
                    if matches!(v.action, Action::Null | Action::Drop)
                        && (v.start, v.end) == f.inner
                    {
                        Edit {
                            start: f.raw.0,
                            end: f.raw.1,
                            text: Vec::new(),
                        }
                    } else {
                        v.edit()
                    }
                })
                .collect()
        };
        let drops_here = fields.iter().enumerate().any(|(i, _)| dropped.contains(&i));
        if !drops_here {
            for f in fields {
                out.extend(field_edits(f));
            }
            return;
        }
        let mut rebuilt = Vec::with_capacity(span.1 - span.0);
        let mut first_kept = true;
        for (i, f) in fields.iter().enumerate() {
            if dropped.contains(&i) {
                continue;
            }
            if !first_kept {
                rebuilt.push(delim);
            }
            first_kept = false;
            let local: Vec<Edit> = field_edits(f)
                .into_iter()
                .map(|e| Edit {
                    start: e.start - f.raw.0,
                    end: e.end - f.raw.0,
                    text: e.text,
                })
                .collect();
            rebuilt.extend(apply(&text[f.raw.0..f.raw.1], local));
        }
        out.push(Edit {
            start: span.0,
            end: span.1,
            text: rebuilt,
        });
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::finding::Kind;
    use crate::redact::Value;

    fn value(text: &str, needle: &str, field: &str, action: Action, rep: &str) -> Value {
        let start = text.find(needle).unwrap();
        Value {
            start,
            end: start + needle.len(),
            cell: (start, start + needle.len()),
            kind: Kind::Email,
            field: Some(Arc::from(field)),
            action,
            replacement: rep.into(),
        }
    }

    #[test]
    fn drop_removes_the_column_everywhere_and_nulls_empty_fields() {
        let text = "id,email,note,phone\r\n1,\"a@x.com\",\"hi, \"\"there\"\"\",0412\r\n2,b@x.com,,0413\r\n";
        let mut an = Analysis::default();
        for (needle, field) in [("a@x.com", "email"), ("hi,", "note"), ("b@x.com", "email")] {
            an.cells
                .push((text.find(needle).unwrap(), Arc::from(field)));
        }
        an.cells
            .push((text.find("0412").unwrap(), Arc::from("phone")));
        an.cells.sort_by_key(|c| c.0);
        an.dropped.insert(Arc::from("email"));
        an.values
            .push(value(text, "a@x.com", "email", Action::Drop, ""));
        an.values
            .push(value(text, "0412", "phone", Action::Null, ""));
        an.values
            .push(value(text, "b@x.com", "email", Action::Drop, ""));
        let out = apply(text.as_bytes(), edits(text.as_bytes(), b',', &an).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,note,phone\r\n1,\"hi, \"\"there\"\"\",\r\n2,,0413\r\n"
        );
    }

    #[test]
    fn values_are_spliced_inside_quotes() {
        let text = "email,x\n\"a@x.com\",1\n";
        let mut an = Analysis::default();
        an.values
            .push(value(text, "a@x.com", "email", Action::Tokenise, "tok_1"));
        let out = apply(text.as_bytes(), edits(text.as_bytes(), b',', &an).unwrap());
        assert_eq!(out, b"email,x\n\"tok_1\",1\n");
    }
}
