//! IBAN: the country's registered length, then the ISO 7064 mod-97-10 check.
//!
//! Lengths are from the SWIFT IBAN Registry (release 2024+); a country not in the table is
//! rejected, so a random `XX00…` token is not an IBAN.

use super::{Candidate, Ctx, Verdict};

/// (country code, total IBAN length), sorted by country for binary search.
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// The registered IBAN length for a country code.
pub fn iban_length(country: &str) -> Option<usize> {
    LENGTHS
        .binary_search_by(|(c, _)| c.cmp(&country))
        .ok()
        .map(|i| LENGTHS[i].1)
}

/// ISO 7064 mod-97-10 over an upper-case alphanumeric IBAN: rotate the first four characters to
/// the end, read letters as 10..35, and the remainder must be 1.
pub fn mod97(iban: &str) -> bool {
    let b = iban.as_bytes();
    if b.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &ch in b[4..].iter().chain(&b[..4]) {
        let v = match ch {
            b'0'..=b'9' => u32::from(ch - b'0'),
            b'A'..=b'Z' => u32::from(ch - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Validator `iban`: country code with a registered length, two check digits, mod-97 = 1.
/// Spaces, dashes and dots between groups are ignored (`DE 89 3704…`, `ES91-2100-…`,
/// `NO93 8601 11 17947` in national grouping); the normalised value is the compact upper-case
/// IBAN. An all-lower-case one is weak: lower-case hex runs can take its shape, and people
/// rarely write an IBAN so.
pub fn iban(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s: String = c
        .text
        .chars()
        .filter(|ch| !ch.is_whitespace() && !matches!(ch, '-' | '.'))
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    let lower = c.text.bytes().any(|b| b.is_ascii_lowercase());
    if in_uuid(c) {
        // `…-be71-096123456769`: the tail of a UUID takes a lower-case IBAN's shape, and
        // exports are full of UUIDs (found on the cost ledger's PII-free CSV and NDJSON).
        return Verdict::Invalid("part of a UUID");
    }
    if lower && c.text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Verdict::Invalid("IBAN in mixed case");
    }
    if s.len() < 15 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Verdict::Invalid("IBANs are 15-34 letters and digits");
    }
    let Some(len) = iban_length(&s[..2]) else {
        return Verdict::Invalid("country has no IBAN");
    };
    if s.len() != len {
        return Verdict::Invalid("wrong length for the country");
    }
    if !s.as_bytes()[2].is_ascii_digit() || !s.as_bytes()[3].is_ascii_digit() {
        return Verdict::Invalid("check digits must be digits");
    }
    if !mod97(&s) {
        return Verdict::Invalid("mod-97 check failed");
    }
    if lower {
        Verdict::weak(s)
    } else {
        Verdict::valid(s)
    }
}

/// Whether the candidate, with the hex digits and dashes around it, is a UUID
/// (`8-4-4-4-12` hex digits).
fn in_uuid(c: &Candidate<'_>) -> bool {
    let hexish = |b: &u8| b.is_ascii_hexdigit() || *b == b'-';
    if !c.text.bytes().all(|b| hexish(&b)) {
        return false;
    }
    let left = c.before.iter().rev().take_while(|b| hexish(b)).count();
    let right = c.after.iter().take_while(|b| hexish(b)).count();
    let mut token = Vec::with_capacity(left + c.text.len() + right);
    token.extend_from_slice(&c.before[c.before.len() - left..]);
    token.extend_from_slice(c.text.as_bytes());
    token.extend_from_slice(&c.after[..right]);
    let groups: Vec<usize> = token.split(|b| *b == b'-').map(<[u8]>::len).collect();
    groups == [8, 4, 4, 4, 12]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_of_a_uuid_is_not_an_iban() {
        // The two false IBANs of the cost ledger's PII-free inputs: a UUID's last groups are a
        // valid lower-case Belgian / Andorran IBAN.
        for (before, text, after) in [
            (
                "1377,a685a8e7-3ac8-",
                "bb7b-be18-783d6279d3f6",
                ",Phone Case",
            ),
            ("\"71513907-", "ad93-796b-f32f-fab185d4247a", "\",\"ts\""),
        ] {
            let c = Candidate {
                text,
                before: before.as_bytes(),
                after: after.as_bytes(),
                weak_counts: true,
            };
            assert!(in_uuid(&c), "{before}{text}{after}");
            assert!(
                matches!(iban(&c, &Ctx::default()), Verdict::Invalid(_)),
                "{text}"
            );
        }
        // Not a UUID around it: still judged as an IBAN.
        let c = Candidate {
            text: "gb82west12345698765432",
            before: b"iban: ",
            after: b"",
            weak_counts: true,
        };
        assert!(!in_uuid(&c));
        assert!(matches!(iban(&c, &Ctx::default()), Verdict::Valid { .. }));
    }

    #[test]
    fn lengths_sorted() {
        for w in LENGTHS.windows(2) {
            assert!(w[0].0 < w[1].0, "{}", w[1].0);
        }
    }

    #[test]
    fn table() {
        // Example IBANs printed in the SWIFT registry.
        for (text, ok) in [
            ("GB82 WEST 1234 5698 7654 32", true),
            ("GB82WEST12345698765432", true),
            ("DE89 3704 0044 0532 0130 00", true),
            ("FR14 2004 1010 0505 0001 3M02 606", true),
            ("NL91ABNA0417164300", true),
            ("GB82 WEST 1234 5698 7654 33", false),
            ("GB82 WEST 1234 5698 7654", false),
            ("XX82WEST12345698765432", false),
            ("DE8937040044053201300", false),
            // A space after the country code, national grouping, dashes, dots, lower case.
            ("DE 89 3704 0044 0532 0130 00", true),
            ("NO93 8601 11 17947", true),
            ("ES91-2100-0418-4502-0005-1332", true),
            ("DE89.3704.0044.0532.0130.00", true),
            ("gb82west12345698765432", true),
            ("Gb82West12345698765432", false),
            ("ES91-2100-0418-4502-0005-1333", false),
        ] {
            let v = iban(&Candidate::bare(text), &Ctx::default());
            assert_eq!(matches!(v, Verdict::Valid { .. }), ok, "{text}: {v:?}");
        }
    }
}
