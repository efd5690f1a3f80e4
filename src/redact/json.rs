//! JSON and NDJSON: values replaced inside their strings; dropped keys removed from every
//! object; `null` written as `null`.
//!
//! The text is re-tokenised here with a small recursive-descent walker (depth capped like the
//! scanner's, [`crate::formats::json::MAX_DEPTH`]) that builds key paths exactly as
//! [`crate::formats::json`] does (`customer.contact.email`, `items[].sku`, no brackets for a
//! top-level array), so a field named in a rule or found by the scan is the same path here.
//! Nothing is re-serialised: every byte outside an edit is the input's, so key order,
//! whitespace and number spelling are kept.
//!
//! * A member whose path is dropped, or whose *key* is a value to drop or null (maps keyed by
//!   email address), is removed with its separating comma. An array element whose path is
//!   dropped becomes `null` (removing it would shift positions other fields may depend on).
//! * A `null` covering a whole string or number writes `null`.
//! * A number holding a value (a phone stored as a number) becomes a string: a mask or token is
//!   not a number.
//! * Anything else is spliced inside the string. The result is checked with `serde_json`
//!   ([`validate`]); an input whose copy would not parse is not written.

use std::collections::HashMap;

use super::{Action, Analysis, Edit, RedactError, Value, apply};
use crate::formats::json::{MAX_DEPTH, push_key};

fn err(message: &str) -> RedactError {
    RedactError::Structure {
        format: "json",
        message: message.into(),
    }
}

struct Walker<'a> {
    t: &'a [u8],
    i: usize,
    path: String,
    an: &'a Analysis,
    by_cell: HashMap<usize, Vec<&'a Value>>,
    out: Vec<Edit>,
    scratch: Vec<u8>,
}

fn nulls(v: &Value) -> bool {
    matches!(v.action, Action::Null | Action::Drop)
}

impl Walker<'_> {
    fn ws(&mut self) {
        while self.i < self.t.len() && matches!(self.t[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    /// End (one past the closing quote) of the string starting at `self.i`, and whether it has
    /// escapes.
    fn string_end(&self) -> Result<(usize, bool), RedactError> {
        let mut j = self.i + 1;
        let mut esc = false;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.t[j.min(self.t.len())..]) {
                None => return Err(err("string is never closed")),
                Some(k) if self.t[j + k] == b'\\' => {
                    esc = true;
                    j += k + 2;
                }
                Some(k) => return Ok((j + k + 1, esc)),
            }
        }
    }

    fn value(&mut self, depth: usize, top_array: bool) -> Result<(), RedactError> {
        self.ws();
        let Some(&b) = self.t.get(self.i) else {
            return Err(err("expected a value at end of input"));
        };
        let dropped = !self.path.is_empty() && self.an.dropped.contains(self.path.as_str());
        let start = self.i;
        match b {
            b'{' | b'[' => {
                if depth >= MAX_DEPTH {
                    return Err(err("nesting too deep"));
                }
                if b == b'{' {
                    self.object(depth + 1)?;
                } else {
                    self.array(depth + 1, top_array)?;
                }
            }
            b'"' => {
                let (end, _) = self.string_end()?;
                self.i = end;
                self.scalar(start, end, start + 1, end - 1, true);
            }
            _ => {
                let end = start
                    + self.t[start..]
                        .iter()
                        .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'a'..=b'z'))
                        .unwrap_or(self.t.len() - start);
                if end == start {
                    return Err(err("expected a JSON value"));
                }
                self.i = end;
                self.scalar(start, end, start, end, false);
            }
        }
        // A dropped path that is an array element (members are removed by `object`).
        if dropped && self.path.ends_with("[]") {
            self.out.push(Edit {
                start,
                end: self.i,
                text: b"null".to_vec(),
            });
        }
        Ok(())
    }

    /// Edits for one string or number token `tok` whose cell is `cell`.
    fn scalar(&mut self, tok0: usize, tok1: usize, cell0: usize, cell1: usize, string: bool) {
        let Some(vals) = self.by_cell.get(&cell0) else {
            return;
        };
        if vals.iter().any(|v| nulls(v) && v.whole()) {
            self.out.push(Edit {
                start: tok0,
                end: tok1,
                text: b"null".to_vec(),
            });
            return;
        }
        let local: Vec<Edit> = vals
            .iter()
            .map(|v| Edit {
                start: v.start - cell0,
                end: v.end - cell0,
                text: v.replacement.clone().into_bytes(),
            })
            .collect();
        if string {
            self.out.extend(vals.iter().map(|v| v.edit()));
        } else {
            let mut s = vec![b'"'];
            s.extend(apply(&self.t[cell0..cell1], local));
            s.push(b'"');
            self.out.push(Edit {
                start: tok0,
                end: tok1,
                text: s,
            });
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), RedactError> {
        self.i += 1; // '{'
        let base = self.path.len();
        // (member start, member end, removed)
        let mut members: Vec<(usize, usize, bool)> = Vec::new();
        loop {
            self.ws();
            match self.t.get(self.i) {
                Some(b'}') if members.is_empty() => break,
                Some(b'"') => {}
                _ => return Err(err("expected a string object key")),
            }
            let k0 = self.i;
            let (k1, _) = self.string_end()?;
            self.i = k1;
            let mut remove = false;
            if let Some(vals) = self.by_cell.get(&(k0 + 1)) {
                if vals.iter().any(|v| nulls(v)) {
                    remove = true;
                } else {
                    self.out.extend(vals.iter().map(|v| v.edit()));
                }
            }
            self.path.truncate(base);
            // The scanner's own function: a path here must be the path a scan reported.
            push_key(&mut self.path, &self.t[k0 + 1..k1 - 1], &mut self.scratch);
            remove |= self.an.dropped.contains(self.path.as_str());
            self.ws();
            if self.t.get(self.i) != Some(&b':') {
                return Err(err("expected ':' after object key"));
            }
            self.i += 1;
            self.value(depth, false)?;
            members.push((k0, self.i, remove));
            self.path.truncate(base);
            self.ws();
            match self.t.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => break,
                _ => return Err(err("expected ',' or '}' after object member")),
            }
        }
        self.i += 1; // '}'
        self.remove_members(&members);
        Ok(())
    }

    /// Removes members marked for removal with their commas (see the module docs).
    fn remove_members(&mut self, m: &[(usize, usize, bool)]) {
        self.out.extend(super::remove_items(m));
    }

    fn array(&mut self, depth: usize, top: bool) -> Result<(), RedactError> {
        self.i += 1; // '['
        let restore = self.path.len();
        if !top {
            self.path.push_str("[]");
        }
        self.ws();
        if self.t.get(self.i) == Some(&b']') {
            self.i += 1;
            self.path.truncate(restore);
            return Ok(());
        }
        loop {
            self.value(depth, false)?;
            self.ws();
            match self.t.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => break,
                _ => return Err(err("expected ',' or ']' after array element")),
            }
        }
        self.i += 1;
        self.path.truncate(restore);
        Ok(())
    }
}

/// Edits for a JSON or NDJSON input (see the module docs).
pub fn edits(text: &[u8], an: &Analysis) -> Result<Vec<Edit>, RedactError> {
    let mut by_cell: HashMap<usize, Vec<&Value>> = HashMap::new();
    for v in &an.values {
        by_cell.entry(v.cell.0).or_default().push(v);
    }
    let mut w = Walker {
        t: text,
        i: 0,
        path: String::new(),
        an,
        by_cell,
        out: Vec::new(),
        scratch: Vec::new(),
    };
    loop {
        w.ws();
        if w.i >= text.len() {
            break;
        }
        // Top-level values: the brackets of a top-level array are not part of the path.
        w.path.clear();
        w.value(0, true)?;
    }
    Ok(w.out)
}

/// Checks that `text` is one or more JSON values separated by whitespace.
pub fn validate(text: &[u8]) -> Result<(), RedactError> {
    let mut it = serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
    for v in it.by_ref() {
        if let Err(e) = v {
            return Err(RedactError::Structure {
                format: "json",
                message: format!(
                    "the redacted copy would not parse (line {}, column {}); not written",
                    e.line(),
                    e.column()
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::test_util::{self, value};

    fn run(text: &str, vals: Vec<Value>, dropped: &[&str]) -> String {
        let an = test_util::analysis(vals, dropped);
        let out = apply(text.as_bytes(), edits(text.as_bytes(), &an).unwrap());
        validate(&out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn dropped_keys_leave_valid_json() {
        let text =
            r#"[{"id":1,"email":"a@x.com","c":{"email":"b@x.com","p":2}},{"email":"c@x.com"}]"#;
        assert_eq!(
            run(text, vec![], &["email", "c.email"]),
            r#"[{"id":1,"c":{"p":2}},{}]"#
        );
        let text = "{\"a\": 1,\n \"b\": 2,\n \"c\": 3}\n{\"b\":[1,2]}\n";
        assert_eq!(run(text, vec![], &["b", "c"]), "{\"a\": 1}\n{}\n");
        assert_eq!(
            run(text, vec![], &["a"]),
            "{\"b\": 2,\n \"c\": 3}\n{\"b\":[1,2]}\n"
        );
        assert_eq!(
            run(text, vec![], &["b[]"]),
            "{\"a\": 1,\n \"b\": 2,\n \"c\": 3}\n{\"b\":[null,null]}\n"
        );
    }

    #[test]
    fn null_numbers_and_keys() {
        let text = r#"{"e":"a@x.com","p":61412345678,"m":{"k@x.com":1},"n":"x a@y.com"}"#;
        let vals = vec![
            value(text, "a@x.com", Action::Null, ""),
            value(text, "61412345678", Action::Mask, "*******5678"),
            value(text, "k@x.com", Action::Drop, ""),
            Value {
                cell: (text.find("x a@y").unwrap(), text.find("x a@y").unwrap() + 9),
                ..value(text, "a@y.com", Action::Tokenise, "tok_1")
            },
        ];
        assert_eq!(
            run(text, vals, &[]),
            r#"{"e":null,"p":"*******5678","m":{},"n":"x tok_1"}"#
        );
    }
}
