//! IBAN: the country's registered BBAN structure (which implies its length), then the ISO 7064
//! mod-97-10 check, then a national check digit where it is one simple rule (Belgium).
//!
//! Structures are from the SWIFT IBAN Registry (release 2024+): the BBAN as fixed-length runs of
//! digits (`n`), upper-case letters (`a`) or either (`c`). A country not in the table is
//! rejected, so a random `XX00…` token is not an IBAN; and the structure rejects what mod-97
//! alone lets through about once in 97: a German IBAN with a letter in its account number, a
//! British one without its four-letter bank code.

use super::{Candidate, Ctx, Verdict};

/// (country code, BBAN structure in the registry's notation), sorted by country for binary
/// search.
const BBAN: &[(&str, &str)] = &[
    ("AD", "4!n4!n12!c"),
    ("AE", "3!n16!n"),
    ("AL", "8!n16!c"),
    ("AT", "5!n11!n"),
    ("AZ", "4!a20!c"),
    ("BA", "3!n3!n8!n2!n"),
    ("BE", "3!n7!n2!n"),
    ("BG", "4!a4!n2!n8!c"),
    ("BH", "4!a14!c"),
    ("BI", "5!n5!n11!n2!n"),
    ("BR", "8!n5!n10!n1!a1!c"),
    ("BY", "4!c4!n16!c"),
    ("CH", "5!n12!c"),
    ("CR", "4!n14!n"),
    ("CY", "3!n5!n16!c"),
    ("CZ", "4!n6!n10!n"),
    ("DE", "8!n10!n"),
    ("DJ", "5!n5!n11!n2!n"),
    ("DK", "4!n9!n1!n"),
    ("DO", "4!c20!n"),
    ("EE", "2!n14!n"),
    ("EG", "4!n4!n17!n"),
    ("ES", "4!n4!n1!n1!n10!n"),
    ("FI", "3!n11!n"),
    ("FK", "2!a12!n"),
    ("FO", "4!n9!n1!n"),
    ("FR", "5!n5!n11!c2!n"),
    ("GB", "4!a6!n8!n"),
    ("GE", "2!a16!n"),
    ("GI", "4!a15!c"),
    ("GL", "4!n9!n1!n"),
    ("GR", "3!n4!n16!c"),
    ("GT", "4!c20!c"),
    ("HN", "4!a20!n"),
    ("HR", "7!n10!n"),
    ("HU", "3!n4!n1!n15!n1!n"),
    ("IE", "4!a6!n8!n"),
    ("IL", "3!n3!n13!n"),
    ("IQ", "4!a3!n12!n"),
    ("IS", "4!n2!n6!n10!n"),
    ("IT", "1!a5!n5!n12!c"),
    ("JO", "4!a4!n18!c"),
    ("KW", "4!a22!c"),
    ("KZ", "3!n13!c"),
    ("LB", "4!n20!c"),
    ("LC", "4!a24!c"),
    ("LI", "5!n12!c"),
    ("LT", "5!n11!n"),
    ("LU", "3!n13!c"),
    ("LV", "4!a13!c"),
    ("LY", "3!n3!n15!n"),
    ("MC", "5!n5!n11!c2!n"),
    ("MD", "2!c18!c"),
    ("ME", "3!n13!n2!n"),
    ("MK", "3!n10!c2!n"),
    ("MN", "4!n12!n"),
    ("MR", "5!n5!n11!n2!n"),
    ("MT", "4!a5!n18!c"),
    ("MU", "4!a2!n2!n12!n3!n3!a"),
    ("NI", "4!a20!n"),
    ("NL", "4!a10!n"),
    ("NO", "4!n6!n1!n"),
    ("OM", "3!n16!c"),
    ("PK", "4!a16!c"),
    ("PL", "8!n16!n"),
    ("PS", "4!a21!c"),
    ("PT", "4!n4!n11!n2!n"),
    ("QA", "4!a21!c"),
    ("RO", "4!a16!c"),
    ("RS", "3!n13!n2!n"),
    ("RU", "9!n5!n15!c"),
    ("SA", "2!n18!c"),
    ("SC", "4!a2!n2!n16!n3!a"),
    ("SD", "2!n12!n"),
    ("SE", "3!n16!n1!n"),
    ("SI", "5!n8!n2!n"),
    ("SK", "4!n6!n10!n"),
    ("SM", "1!a5!n5!n12!c"),
    ("SO", "4!n3!n12!n"),
    ("ST", "4!n4!n11!n2!n"),
    ("SV", "4!a20!n"),
    ("TL", "3!n14!n2!n"),
    ("TN", "2!n3!n13!n2!n"),
    ("TR", "5!n1!n16!c"),
    ("UA", "6!n19!c"),
    ("VA", "3!n15!n"),
    ("VG", "4!a16!n"),
    ("XK", "4!n10!n2!n"),
    ("YE", "4!a4!n18!c"),
];

/// The runs of a BBAN structure (`4!a6!n8!n` → (4, a), (6, n), (8, n)); `None` on a malformed
/// one (the table test parses every row).
fn runs(format: &str) -> impl Iterator<Item = Option<(usize, u8)>> + '_ {
    format.split_inclusive(['n', 'a', 'c']).map(|run| {
        let (count, class) = run.split_once('!')?;
        Some((count.parse().ok()?, *class.as_bytes().first()?))
    })
}

/// The registered BBAN structure of a country.
fn bban_format(country: &str) -> Option<&'static str> {
    BBAN.binary_search_by(|(c, _)| c.cmp(&country))
        .ok()
        .map(|i| BBAN[i].1)
}

/// The registered IBAN length for a country code (4 + the BBAN's).
pub fn iban_length(country: &str) -> Option<usize> {
    let runs: Option<Vec<(usize, u8)>> = runs(bban_format(country)?).collect();
    Some(4 + runs?.iter().map(|(n, _)| n).sum::<usize>())
}

/// Whether `bban` (upper case) has the structure `format`: every run of its class and the
/// total length exact.
fn bban_matches(bban: &[u8], format: &str) -> bool {
    let mut at = 0;
    for run in runs(format) {
        let Some((n, class)) = run else { return false };
        let Some(part) = bban.get(at..at + n) else {
            return false;
        };
        let ok = match class {
            b'n' => part.iter().all(u8::is_ascii_digit),
            b'a' => part.iter().all(u8::is_ascii_uppercase),
            _ => part
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
        };
        if !ok {
            return false;
        }
        at += n;
    }
    at == bban.len()
}

/// Belgium's national check: the BBAN's last two digits are its first ten mod 97 (97 for 0).
fn belgian_check(bban: &[u8]) -> bool {
    let (Ok(body), Ok(check)) = (
        std::str::from_utf8(&bban[..10]).map(str::parse::<u64>),
        std::str::from_utf8(&bban[10..]).map(str::parse::<u64>),
    ) else {
        return false;
    };
    let (Ok(body), Ok(check)) = (body, check) else {
        return false;
    };
    let r = body % 97;
    check == if r == 0 { 97 } else { r }
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
    let Some(format) = bban_format(&s[..2]) else {
        return Verdict::Invalid("country has no IBAN");
    };
    if iban_length(&s[..2]) != Some(s.len()) {
        return Verdict::Invalid("wrong length for the country");
    }
    let b = s.as_bytes();
    if !b[2].is_ascii_digit() || !b[3].is_ascii_digit() {
        return Verdict::Invalid("check digits must be digits");
    }
    // Computed check digits are 98 - (n mod 97): 02 to 98. `99` passes mod-97 where `02` does.
    let check = (b[2] - b'0') * 10 + (b[3] - b'0');
    if !(2..=98).contains(&check) {
        return Verdict::Invalid("check digits out of range");
    }
    if !bban_matches(&b[4..], format) {
        return Verdict::Invalid("not the country's BBAN structure");
    }
    if !mod97(&s) {
        return Verdict::Invalid("mod-97 check failed");
    }
    if &s[..2] == "BE" && !belgian_check(&b[4..]) {
        return Verdict::Invalid("Belgian national check failed");
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
    fn structures_sorted_and_well_formed() {
        for w in BBAN.windows(2) {
            assert!(w[0].0 < w[1].0, "{}", w[1].0);
        }
        for (country, format) in BBAN {
            let runs: Option<Vec<(usize, u8)>> = runs(format).collect();
            let runs = runs.unwrap_or_default();
            assert!(
                !runs.is_empty() && runs.iter().all(|(n, c)| *n > 0 && b"nac".contains(c)),
                "{country} {format}"
            );
            let len = iban_length(country).unwrap_or(0);
            assert!((15..=34).contains(&len), "{country} {len}");
        }
        assert_eq!(iban_length("GB"), Some(22));
        assert_eq!(iban_length("NO"), Some(15));
        assert_eq!(iban_length("LC"), Some(32));
        assert_eq!(iban_length("XX"), None);
    }

    /// An IBAN for `country` and `bban` with its mod-97 check digits computed.
    fn make(country: &str, bban: &str) -> String {
        let mut rem = 0u32;
        for ch in format!("{bban}{country}00").bytes() {
            let v = if ch.is_ascii_digit() {
                u32::from(ch - b'0')
            } else {
                u32::from(ch - b'A') + 10
            };
            rem = if v >= 10 {
                (rem * 100 + v) % 97
            } else {
                (rem * 10 + v) % 97
            };
        }
        format!("{country}{:02}{bban}", 98 - rem)
    }

    #[test]
    fn country_structure_beyond_mod_97() {
        let ok = |t: &str| {
            matches!(
                iban(&Candidate::bare(t), &Ctx::default()),
                Verdict::Valid { .. }
            )
        };
        // Registry examples of several structures (letters where the BBAN has them).
        for t in [
            "BE68539007547034",
            "NO9386011117947",
            "IT60X0542811101000000123456",
            "BR1800360305000010009795493C1",
            "MU17BOMM0101101030300200000MUR",
            "SC18SSCB11010000000000001497USD",
            "TR330006100519786457841326",
            "HN88CABF00000000000250005469",
            "CH9300762011623852957",
            "PL61109010140000071219812874",
        ] {
            assert!(ok(t), "{t}");
        }
        // Each passes mod-97 (check digits computed) and has the right length, but breaks its
        // country's structure: letters in an all-digit BBAN, digits for a bank's letters.
        for (country, bban) in [
            ("DE", "37040044053201300A"),
            ("GB", "123412345698765432"),
            ("NL", "AB1C0417164300"),
            ("ES", "2100041845020005133X"),
            ("PL", "1090101400000712198128AB"),
            ("IT", "10542811101000000123456"),
            ("FR", "2A041010050500013M02606"),
        ] {
            let t = make(country, bban);
            assert!(mod97(&t), "{t}");
            assert_eq!(Some(t.len()), iban_length(country), "{t}");
            assert!(!ok(&t), "{t}");
        }
        // The same bodies in their structure pass.
        for (country, bban) in [
            ("DE", "370400440532013000"),
            ("GB", "WEST12345698765432"),
            ("FR", "20041010050500013M02606"),
        ] {
            assert!(ok(&make(country, bban)), "{country}{bban}");
        }
        // Belgium: mod-97 and structure right, national check wrong (34 ≠ 5390075470 mod 97).
        let t = make("BE", "539007547035");
        assert!(mod97(&t) && !ok(&t), "{t}");
        // Check digits 99 pass mod-97 exactly when 02 does, and are never issued.
        let t = make("DE", "370400440532013000");
        assert_eq!(&t[2..4], "89");
        let (lo, hi) = ("DE02370400440532013000", "DE99370400440532013000");
        assert_eq!(mod97(lo), mod97(hi));
        assert!(!ok(hi));
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
