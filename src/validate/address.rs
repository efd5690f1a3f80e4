//! Street addresses: a house number, words, and a street-type word or a postcode.
//!
//! Street types come from `patterns/dict/street_types.txt` (embedded). Postcode shapes cover AU
//! (`NSW 2000`), US (`IL 62704`, ZIP+4), UK (`SW1A 1AA`) and the 5-digit European form that
//! leads the town (`10115 Berlin`, `75002 Paris`).

use std::sync::LazyLock;

// foldhash, not std's SipHash: every address cell looks its words up (see `name`).
use foldhash::HashSet;

use super::{Candidate, Ctx, Verdict};

static STREET_TYPES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/patterns/dict/street_types.txt"
    ))
    .lines()
    .map(str::trim)
    .filter(|l| !l.is_empty() && !l.starts_with('#'))
    .map(str::to_lowercase)
    .collect()
});

/// True when `word` is a street-type word or abbreviation (`Street`, `Rd`, `straße`).
pub fn is_street_type(word: &str) -> bool {
    let w = word.trim_end_matches(['.', ',']);
    // Lower-cased on the stack when ASCII and short (nearly every word of a log line or a
    // column value): this runs once per word of every value with a digit in it.
    let mut buf = [0u8; 32];
    if w.is_ascii() && w.len() <= buf.len() {
        let lower = &mut buf[..w.len()];
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII in, ASCII out: always UTF-8.
        std::str::from_utf8(lower).is_ok_and(street_type_lower)
    } else {
        street_type_lower(&w.to_lowercase())
    }
}

/// [`is_street_type`] of a word already trimmed and lower-cased.
fn street_type_lower(w: &str) -> bool {
    STREET_TYPES.contains(w)
        || [
            "straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "gade", "vej", "gata",
            "gatan", "straat", "laan", "gracht", "veien", "vegen", "katu",
        ]
        .iter()
        .any(|suf| w.len() > suf.len() + 2 && w.ends_with(suf))
}

const AU_STATES: &[&str] = &["nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"];

/// The words of a (trimmed) value: split at spaces, tabs and newlines. By bytes (the
/// separators are ASCII, so every cut is a character boundary): `str::split` with a set of
/// characters decodes each one, and the checks below walk the words several times.
fn words(t: &str) -> Words<'_> {
    Words { t, at: 0 }
}

/// The iterator of [`words`].
#[derive(Clone)]
struct Words<'a> {
    t: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let sep = |c: &u8| matches!(c, b' ' | b'\t' | b'\n');
        let b = self.t.as_bytes();
        let start = self.at + b.get(self.at..)?.iter().position(|c| !sep(c))?;
        let end = b[start..]
            .iter()
            .position(sep)
            .map_or(b.len(), |k| start + k);
        self.at = end;
        self.t.get(start..end)
    }
}

/// True when `words` contain a postcode shape of AU, US, UK or the 5-digit European form.
fn has_postcode<'a>(words: impl Iterator<Item = &'a str>) -> bool {
    let trim = |s: &'a str| s.trim_matches(|c: char| c == ',' || c == '.');
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut words = words.peekable();
    // The word before `a`, untrimmed (does it end with a comma?).
    let mut before: Option<&str> = None;
    while let Some(raw) = words.next() {
        let a = trim(raw);
        let b = words.peek().map_or("", |s| trim(s));
        // AU: state + 4 digits; US: 2-letter state + ZIP or ZIP+4. An ASCII comparison equals
        // comparing `to_lowercase()`: the only non-ASCII letter that lower-cases to an ASCII
        // one is the Kelvin sign (to `k`), in no state's code.
        if AU_STATES.iter().any(|s| a.eq_ignore_ascii_case(s)) && digits(b, 4) {
            return true;
        }
        // Bytes, not `&b[..5]`: a word of ten bytes may have a character across byte 5, and
        // slicing a `str` there panicked ("1985\u{a0}born" after a two-letter word).
        let bb = b.as_bytes();
        let zip = digits(b, 5)
            || (bb.len() == 10 && bb[..5].iter().all(u8::is_ascii_digit) && bb[5] == b'-');
        if a.len() == 2 && a.bytes().all(|c| c.is_ascii_uppercase()) && zip {
            return true;
        }
        // UK: outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA).
        let inward = b.len() == 3
            && b.as_bytes()[0].is_ascii_digit()
            && b.as_bytes()[1..].iter().all(u8::is_ascii_uppercase);
        let outward = (2..=4).contains(&a.len())
            && a.as_bytes()[0].is_ascii_uppercase()
            && a.bytes().any(|c| c.is_ascii_digit())
            && a.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if inward && outward {
            return true;
        }
        // A postcode before a capitalised town: 5 digits (DE, FR, ES, IT), or after a comma 4
        // (CH, AT, DK, NO, BE), `80-718` (PL) or `1023-634` (PT) — four digits first in the
        // line are a house number (`6803 Whittier Ave`).
        let dashed = |s: &str, l: usize, r: usize| {
            s.split_once('-')
                .is_some_and(|(x, y)| digits(x, l) && digits(y, r))
        };
        let after_comma = before.is_some_and(|w| w.ends_with(','));
        let code =
            digits(a, 5) || after_comma && (digits(a, 4) || dashed(a, 2, 3) || dashed(a, 4, 3));
        if code && b.chars().next().is_some_and(char::is_uppercase) {
            return true;
        }
        before = Some(raw);
    }
    false
}

/// The checks before the street and postcode tests, on a trimmed value: `Ok(true)` for a
/// Japanese address (no words to test), `Ok(false)` to go on with the words.
fn precheck(t: &str) -> Result<bool, &'static str> {
    if !(8..=200).contains(&t.len()) {
        return Err("length outside 8-200");
    }
    if t.contains('@') || t.contains("://") || t.contains('=') || t.contains('{') {
        return Err("email, URL or code, not an address");
    }
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return Err("no house number or postcode");
    }
    // Japanese addresses have no spaces: prefecture (都道府県) + municipality (市区町村) + block
    // numbers.
    if t.contains(['都', '道', '府', '県']) && t.contains(['市', '区', '町', '村']) {
        return Ok(true);
    }
    // Two words of two letters each; counting stops there.
    let two_alpha_words = words(t)
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).nth(1).is_some())
        .nth(1)
        .is_some();
    if !two_alpha_words {
        return Err("fewer than two words");
    }
    Ok(false)
}

/// Whether the words hold a street-type word or a PO box (`PO Box 12`, `P.O. Box 12`, `Post
/// Office Box 12`: a box stands where a street would).
fn has_street(t: &str) -> bool {
    let mut pairs = words(t).zip(words(t).skip(1));
    let po_box = pairs.any(|(a, b)| {
        let a = a.trim_end_matches(',');
        ["po", "p.o.", "p. o.", "o.", "office"]
            .iter()
            .any(|p| a.eq_ignore_ascii_case(p))
            && b.eq_ignore_ascii_case("box")
    });
    po_box || words(t).any(is_street_type)
}

/// Whether [`street_address`] accepts `text` (weak or strong), without building its
/// normalised value: the verdict the column shape probe (`detect::columns::shape`) needs for
/// every value with a digit in it.
pub fn is_street_address(text: &str) -> bool {
    let t = text.trim();
    match precheck(t) {
        Ok(true) => true,
        Ok(false) => has_street(t) || has_postcode(words(t)),
        Err(_) => false,
    }
}

/// Validator `street_address`: 8–200 characters with a number and at least two words, no `@` or
/// URL, and a street-type word or a postcode. Strong when it has both a number-plus-street-type
/// and a postcode-or-town; weak with only one of them.
pub fn street_address(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let t = c.text.trim();
    match precheck(t) {
        Err(why) => return Verdict::Invalid(why),
        Ok(true) => return Verdict::weak(t.to_string()),
        Ok(false) => {}
    }
    let street = has_street(t);
    let postcode = has_postcode(words(t));
    let norm = || {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    match (street, postcode) {
        (true, true) => Verdict::valid(norm()),
        (true, false) | (false, true) => Verdict::weak(norm()),
        (false, false) => Verdict::Invalid("no street type or postcode"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Option<bool> {
        match street_address(&Candidate::bare(text), &Ctx::default()) {
            Verdict::Valid { weak, .. } => Some(weak),
            Verdict::Invalid(_) => None,
        }
    }

    #[test]
    fn table() {
        for (text, want) in [
            ("42 Wallaby Way, Sydney NSW 2000", Some(false)),
            ("1600 Example Ave, Springfield, IL 62704", Some(false)),
            ("10 Example Road, London SW1A 1AA", Some(false)),
            ("Musterstraße 12, 10115 Berlin", Some(false)),
            ("12 rue de la Paix, 75002 Paris", Some(false)),
            ("Unit 5, 12 Example St", Some(true)),
            ("PO Box 123, Sydney NSW 2000", Some(false)),
            ("P.O. Box 77, Anytown", Some(true)),
            ("Via Pisanelli 104, 00196 Roma", Some(false)),
            ("ul. Elbląska 97, 80-718 Gdańsk", Some(false)),
            ("Box 12 of widgets", None),
            ("Kirkegade 45, 4335 Aarhus", Some(false)),
            ("6803 Example Ave", Some(true)),
            ("Rua Augusta 13, 1160-437 Lisboa", Some(false)),
            ("Mattenstrasse 108, 4058 Basel", Some(false)),
            ("jane@example.com", None),
            ("Sydney", None),
            ("東京都千代田区丸の内1-1-1", Some(true)),
            ("order 12345", None),
            ("https://example.com/1 Street", None),
        ] {
            assert_eq!(check(text), want, "{text}");
        }
    }

    /// [`is_street_address`] (the column shape probe's predicate) gives the validator's
    /// verdict on every value: seeded values built from access-log fields, address parts,
    /// names and the separators and characters that change a verdict.
    #[test]
    fn predicate_agrees_with_the_validator() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let pieces: &[&str] = &[
            // Access- and app-log fields.
            "203.0.113.7",
            "[10/Oct/2026:13:55:36",
            "+0000]",
            "\"GET",
            "/api/v1/orders/12345?page=2",
            "HTTP/1.1\"",
            "200",
            "5120",
            "\"-\"",
            "\"Mozilla/5.0",
            "(X11;",
            "Linux",
            "x86_64)",
            "rt=0.042",
            "2026-03-01T12:00:00Z",
            "INFO",
            "OrderService",
            "v2.14.3",
            // Address parts.
            "42",
            "1600",
            "Example",
            "Wallaby",
            "Street",
            "St.",
            "Rd,",
            "ave",
            "Way,",
            "NSW",
            "nsw",
            "2000",
            "IL",
            "62704",
            "12345-6789",
            "SW1A",
            "1AA",
            "10115",
            "Berlin",
            "Musterstraße",
            "Kirkegade",
            "4335",
            "Aarhus",
            "80-718",
            "1160-437",
            "PO",
            "P.O.",
            "Office",
            "Box",
            "box",
            "東京都千代田区丸の内1-1-1",
            "Unit",
            // Names and other words.
            "Jane",
            "Doe",
            "María",
            "Ñandú",
            "order",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLweg",
            "1985\u{a0}born",
            "\u{212a}",
            // What rules a value out.
            "jane@example.com",
            "https://example.com/1",
            "a=1",
            "{",
            "",
        ];
        let seps = [" ", ", ", "\t", "", "  ", "\n", ","];
        let mut rng = StdRng::seed_from_u64(26);
        let (mut yes, mut no) = (0, 0);
        for _ in 0..40_000 {
            let mut value = String::new();
            for i in 0..rng.gen_range(1..=7) {
                if i > 0 {
                    value.push_str(seps[rng.gen_range(0..seps.len())]);
                }
                value.push_str(pieces[rng.gen_range(0..pieces.len())]);
            }
            let want = matches!(
                street_address(&Candidate::bare(&value), &Ctx::default()),
                Verdict::Valid { .. }
            );
            assert_eq!(is_street_address(&value), want, "{value:?}");
            if want { yes += 1 } else { no += 1 }
        }
        // Both verdicts come up often enough for the comparison to mean something.
        assert!(yes > 5_000 && no > 5_000, "{yes} addresses, {no} not");
        // Whole log lines' fields and addresses, each with the verdict both must give.
        for (value, want) in [
            ("203.0.113.7 - - [10/Oct/2026:13:55:36 +0000]", false),
            ("\"GET /api/v1/orders/12345?page=2 HTTP/1.1\"", false),
            (
                "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\"",
                false,
            ),
            (
                "2026-03-01 12:00:00,123 INFO OrderService order 12345 shipped",
                false,
            ),
            ("42 Wallaby Way, Sydney NSW 2000", true),
            ("Musterstraße 12, 10115 Berlin", true),
            ("P.O. Box 77, Anytown", true),
            ("6803 Example Ave", true),
            ("Jane Doe 1985", false),
            ("東京都千代田区丸の内1-1-1", true),
        ] {
            assert_eq!(is_street_address(value), want, "{value}");
            assert_eq!(check(value).is_some(), want, "{value}");
        }
    }

    /// A ten-byte word after a two-letter one is read as a ZIP+4 by bytes: a character across
    /// its fifth byte used to panic (found by the engine's shortcut test).
    #[test]
    fn zip_plus_four_check_survives_multibyte_words() {
        assert_eq!(check("12 Example St, NY 1985\u{a0}born"), Some(true));
        assert_eq!(check("12 Example St, NY 1234é6789"), Some(true));
        assert_eq!(check("12 Example St, NY 12345-6789"), Some(false));
    }
}
