//! The placeholder vocabulary of display names (`{email}`, `{uuid}`, `{hash}`, `{id}`; see
//! [`super::names`]) and reading a name without its placeholders. Below both the name masking
//! and the field index, which reads a field's words without them.

use std::borrow::Cow;

use crate::finding::Kind;

/// Placeholder for a UUID no detector claimed.
pub const UUID: &str = "uuid";
/// Placeholder for a long run of hex digits (a hash or token).
pub const HASH: &str = "hash";
/// Placeholder for a long run of digits (an id, an account or a number no detector claimed).
pub const ID: &str = "id";

/// Longest placeholder word (`passport_number`).
const MAX_WORD: usize = 15;

/// Whether `word` (without braces) names a placeholder.
fn is_vocabulary(word: &str) -> bool {
    matches!(word, UUID | HASH | ID) || Kind::parse(word).is_some()
}

/// `field` without its placeholders (`users.{email}.phone` → `users..phone`), for reading
/// what the rest of a name says: a placeholder tells what a key *was*, not what the field
/// holds, so `phones.{email}` is read as `phones`, not as an email column.
pub fn strip_placeholders(field: &str) -> Cow<'_, str> {
    if !field.contains('{') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        // Only as far as the longest word: `{{{{…` must not rescan the rest per brace.
        match after.as_bytes()[..after.len().min(MAX_WORD + 1)]
            .iter()
            .position(|&b| b == b'}')
        {
            Some(close) if is_vocabulary(&after[..close]) => {
                out.push_str(&rest[..open]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
