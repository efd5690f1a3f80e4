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
    let w = word.trim_end_matches(['.', ',']).to_lowercase();
    STREET_TYPES.contains(&w)
        || [
            "straße", "strasse", "str.", "weg", "allee", "platz", "gasse", "gade", "vej", "gata",
            "gatan", "straat", "laan", "gracht", "veien", "vegen", "katu",
        ]
        .iter()
        .any(|suf| w.len() > suf.len() + 2 && w.ends_with(suf))
}

const AU_STATES: &[&str] = &["nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"];

/// True when `text` contains a postcode shape of AU, US, UK or the 5-digit European form.
fn has_postcode(words: &[&str]) -> bool {
    let w: Vec<String> = words
        .iter()
        .map(|s| s.trim_matches(|c: char| c == ',' || c == '.').to_string())
        .collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    for i in 0..w.len() {
        let (a, b) = (&w[i], w.get(i + 1).map(String::as_str).unwrap_or(""));
        // AU: state + 4 digits; US: 2-letter state + ZIP or ZIP+4.
        if AU_STATES.contains(&a.to_lowercase().as_str()) && digits(b, 4) {
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
        let after_comma = i > 0 && words[i - 1].ends_with(',');
        let code =
            digits(a, 5) || after_comma && (digits(a, 4) || dashed(a, 2, 3) || dashed(a, 4, 3));
        if code && b.chars().next().is_some_and(char::is_uppercase) {
            return true;
        }
    }
    false
}

/// Validator `street_address`: 8–200 characters with a number and at least two words, no `@` or
/// URL, and a street-type word or a postcode. Strong when it has both a number-plus-street-type
/// and a postcode-or-town; weak with only one of them.
pub fn street_address(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let t = c.text.trim();
    if !(8..=200).contains(&t.len()) {
        return Verdict::Invalid("length outside 8-200");
    }
    if t.contains('@') || t.contains("://") || t.contains('=') || t.contains('{') {
        return Verdict::Invalid("email, URL or code, not an address");
    }
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return Verdict::Invalid("no house number or postcode");
    }
    // Japanese addresses have no spaces: prefecture (都道府県) + municipality (市区町村) + block
    // numbers.
    if t.contains(['都', '道', '府', '県']) && t.contains(['市', '区', '町', '村']) {
        return Verdict::weak(t.to_string());
    }
    let words: Vec<&str> = t
        .split([' ', '\t', '\n'])
        .filter(|w| !w.is_empty())
        .collect();
    let alpha_words = words
        .iter()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    if alpha_words < 2 {
        return Verdict::Invalid("fewer than two words");
    }
    // `PO Box 12`, `P.O. Box 12`, `Post Office Box 12`: a box stands where a street would.
    let po_box = words.windows(2).any(|w| {
        let a = w[0].trim_end_matches(',').to_ascii_lowercase();
        matches!(a.as_str(), "po" | "p.o." | "p. o." | "o." | "office")
            && w[1].eq_ignore_ascii_case("box")
    });
    let street = po_box || words.iter().any(|w| is_street_type(w));
    let postcode = has_postcode(&words);
    let norm = t
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    match (street, postcode) {
        (true, true) => Verdict::valid(norm),
        (true, false) | (false, true) => Verdict::weak(norm),
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

    /// A ten-byte word after a two-letter one is read as a ZIP+4 by bytes: a character across
    /// its fifth byte used to panic (found by the engine's shortcut test).
    #[test]
    fn zip_plus_four_check_survives_multibyte_words() {
        assert_eq!(check("12 Example St, NY 1985\u{a0}born"), Some(true));
        assert_eq!(check("12 Example St, NY 1234é6789"), Some(true));
        assert_eq!(check("12 Example St, NY 12345-6789"), Some(false));
    }
}
