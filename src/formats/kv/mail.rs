//! Mail headers for the key/value format: which headers hold mailboxes and which hold message
//! identifiers, and the display names inside a mailbox list (see the parent module's docs).

use super::{CellSink, emit};

/// Header fields holding message or body-part identifiers (`<…@…>`, never a mailbox), lower case.
pub(super) const ID_HEADERS: &[&str] = &[
    "content-id",
    "in-reply-to",
    "message-id",
    "references",
    "resent-message-id",
];

/// Header fields holding mailboxes, whose display names are names (lower case).
const ADDRESS_HEADERS: &[&str] = &[
    "bcc",
    "cc",
    "disposition-notification-to",
    "from",
    "mail-followup-to",
    "mail-reply-to",
    "reply-to",
    "resent-bcc",
    "resent-cc",
    "resent-from",
    "resent-reply-to",
    "resent-sender",
    "resent-to",
    "sender",
    "to",
];

/// Pushes the value `line[vs..ve]` of header or key `key`: whole, or — for an address header —
/// with each mailbox's display name as a cell of its own in field `<key>.name`.
pub(super) fn emit_value(
    sink: &mut dyn CellSink,
    line: &[u8],
    at: (u64, u64),
    (vs, ve): (usize, usize),
    key: &str,
) {
    if !ADDRESS_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(key)) {
        emit(sink, line, at, (vs, ve), Some(key));
        return;
    }
    let names = display_names(&line[vs..ve]);
    if names.is_empty() {
        emit(sink, line, at, (vs, ve), Some(key));
        return;
    }
    let name_field = format!("{key}.name");
    let mut from = vs;
    for (s, e) in names {
        emit(sink, line, at, (from, vs + s), Some(key));
        emit(sink, line, at, (vs + s, vs + e), Some(&name_field));
        from = vs + e;
    }
    emit(sink, line, at, (from, ve), Some(key));
}

/// The display names of the mailboxes in an address header's value (RFC 5322 `mailbox-list`,
/// leniently): for `Jane Smith <j@x>, "Smith, Bob" <b@x>, c@x (Cat Jones)` the ranges of
/// `Jane Smith`, `Smith, Bob` (inside the quotes) and `Cat Jones` (inside the comment).
fn display_names(v: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let trimmed = |s: usize, e: usize| {
        let t = &v[s..e];
        let lead = t.len() - t.trim_ascii_start().len();
        let tail = t.len() - t.trim_ascii_end().len();
        (s + lead, (e - tail).max(s + lead))
    };
    let mut finish = |seg: usize, angle: Option<usize>, comment: Option<(usize, usize)>| {
        let (s, e) = match (angle, comment) {
            (Some(lt), _) => trimmed(seg, lt),
            (None, Some((cs, ce))) => trimmed(cs, ce),
            (None, None) => return,
        };
        let (s, e) = if e >= s + 2 && v[s] == b'"' && v[e - 1] == b'"' {
            trimmed(s + 1, e - 1)
        } else {
            (s, e)
        };
        if e > s {
            out.push((s, e));
        }
    };
    let (mut seg, mut i) = (0, 0);
    let mut angle: Option<usize> = None;
    let mut comment: Option<(usize, usize)> = None;
    let mut in_angle = false;
    while i < v.len() {
        match v[i] {
            b'"' if !in_angle => {
                i += 1;
                while i < v.len() && v[i] != b'"' {
                    i += if v[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' if !in_angle => {
                let cs = i + 1;
                let mut depth = 1;
                while depth > 0 && i + 1 < v.len() {
                    i += 1;
                    match v[i] {
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        b'\\' => i += 1,
                        _ => {}
                    }
                }
                let ce = if depth == 0 { i } else { v.len() };
                if angle.is_none() && comment.is_none() {
                    comment = Some((cs, ce.min(v.len())));
                }
            }
            b'<' if !in_angle => {
                angle.get_or_insert(i);
                in_angle = true;
            }
            b'>' if in_angle => in_angle = false,
            b',' if !in_angle => {
                finish(seg, angle.take(), comment.take());
                seg = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    finish(seg, angle, comment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_of_mailboxes() {
        let table: &[(&str, &[&str])] = &[
            ("Jane Smith <jane@example.com>", &["Jane Smith"]),
            ("\"Smith, Jane\" <jane@example.com>", &["Smith, Jane"]),
            (
                "Jane Smith <j@example.com>, \"Doe, Bob\" <b@example.com>, c@example.com",
                &["Jane Smith", "Doe, Bob"],
            ),
            ("c@example.com (Cat Jones)", &["Cat Jones"]),
            ("<jane@example.com>", &[]),
            ("jane@example.com, bob@example.com", &[]),
            (
                "\"a \\\" quote, and a comma\" <q@example.com>",
                &["a \\\" quote, and a comma"],
            ),
            ("Jane <unterminated@example.com", &["Jane"]),
            ("", &[]),
        ];
        for (value, want) in table {
            let got: Vec<&str> = display_names(value.as_bytes())
                .into_iter()
                .map(|(s, e)| &value[s..e])
                .collect();
            assert_eq!(got, *want, "{value}");
        }
    }
}
