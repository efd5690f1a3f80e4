//! Check-digit algorithms (Luhn, ...) and the identifiers validated by them.

use super::{Candidate, Ctx, Verdict, digits};

/// True when the ASCII digit string passes the Luhn (mod 10) check.
pub fn luhn(ds: &str) -> bool {
    if ds.is_empty() || !ds.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut sum = 0u32;
    for (i, b) in ds.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// Validator `luhn`: any digit string (separators ignored) passing Luhn.
pub fn luhn_digits(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if luhn(&ds) {
        Verdict::valid(ds)
    } else {
        Verdict::Invalid("luhn check failed")
    }
}

/// Card brands by IIN prefix range and allowed lengths.
/// Source: ISO/IEC 7812 and the brands' published ranges (as summarised at
/// <https://en.wikipedia.org/wiki/Payment_card_number#Issuer_identification_number_(IIN)>).
const BRANDS: &[(&str, u32, u32, usize, &[usize])] = &[
    // (brand, prefix low, prefix high, prefix digits, lengths)
    ("amex", 34, 34, 2, &[15]),
    ("amex", 37, 37, 2, &[15]),
    ("diners", 300, 305, 3, &[14, 16, 17, 18, 19]),
    ("diners", 36, 36, 2, &[14, 15, 16, 17, 18, 19]),
    ("diners", 38, 39, 2, &[14, 15, 16, 17, 18, 19]),
    ("discover", 6011, 6011, 4, &[16, 17, 18, 19]),
    ("discover", 644, 649, 3, &[16, 17, 18, 19]),
    ("discover", 65, 65, 2, &[16, 17, 18, 19]),
    ("jcb", 3528, 3589, 4, &[16, 17, 18, 19]),
    ("mastercard", 51, 55, 2, &[16]),
    ("mastercard", 2221, 2720, 4, &[16]),
    ("unionpay", 62, 62, 2, &[16, 17, 18, 19]),
    ("visa", 4, 4, 1, &[13, 16, 19]),
    ("maestro", 5018, 5018, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("maestro", 5020, 5020, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("maestro", 5038, 5038, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("maestro", 6304, 6304, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("maestro", 6759, 6759, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("maestro", 6761, 6763, 4, &[12, 13, 14, 15, 16, 17, 18, 19]),
    ("mir", 2200, 2204, 4, &[16, 17, 18, 19]),
];

/// The card brand of a digit string, if its IIN and length match a known brand.
pub fn card_brand(ds: &str) -> Option<&'static str> {
    BRANDS.iter().find_map(|&(brand, lo, hi, n, lens)| {
        let prefix: u32 = ds.get(..n)?.parse().ok()?;
        (prefix >= lo && prefix <= hi && lens.contains(&ds.len())).then_some(brand)
    })
}

/// Validator `credit_card`: 12–19 digits, Luhn-valid, known IIN range and brand length, and not
/// a run of one repeated digit.
pub fn credit_card(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if !(12..=19).contains(&ds.len()) {
        return Verdict::Invalid("card numbers have 12-19 digits");
    }
    if ds.bytes().all(|b| b == ds.as_bytes()[0]) {
        return Verdict::Invalid("repeated digit");
    }
    if !luhn(&ds) {
        return Verdict::Invalid("luhn check failed");
    }
    if card_brand(&ds).is_none() {
        return Verdict::Invalid("no card brand has this IIN and length");
    }
    // Tables of numeric constants (`(4951948911778577463, 2037035976334486086)`) pass Luhn one
    // time in ten: a second long digit run on the same line marks a table, not a card.
    if has_long_digit_run(c.before) || has_long_digit_run(c.after) {
        return Verdict::Invalid("next to another long number: a table of numbers");
    }
    if in_code_point_table(c.before, c.after) {
        return Verdict::Invalid("one slice of a run of 4-hex-digit groups: a code-point table");
    }
    // 17-19 digits with no separators are far more often 64-bit constants than the rare long
    // PANs: they are left to `credit_card_long`, which needs a card word or a card column.
    if is_bare_long(c.text, &ds) {
        return Verdict::Invalid("17-19 bare digits: only with card context (credit_card_long)");
    }
    Verdict::valid(ds)
}

fn is_bare_long(text: &str, ds: &str) -> bool {
    ds.len() >= 17 && !text.bytes().any(|b| b == b' ' || b == b'-')
}

/// Validator `credit_card_long`: exactly the 17-19-digit runs without separators that
/// [`credit_card`] leaves out, with the same Luhn / IIN / length / table checks.
pub fn credit_card_long(c: &Candidate<'_>, ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if !is_bare_long(c.text, &ds) {
        return Verdict::Invalid("not a bare 17-19 digit run (credit_card covers it)");
    }
    let spaced = format!("{} {}", &ds[..4], &ds[4..]);
    match credit_card(
        &Candidate {
            text: &spaced,
            ..*c
        },
        ctx,
    ) {
        Verdict::Valid { .. } => Verdict::valid(ds),
        v => v,
    }
}

/// Whether a candidate is one slice of a run of space-separated groups of four hex digits — a
/// table of Unicode code points (`5211 5212 5213 5214 5215 …` in Perl's CJK collation data,
/// `0226 0304` in decomposition tables): the group just before it or just after it is one.
/// Luhn passes one slice in ten, and a run of code points holds many slices; a card or phone
/// number is not written flush against a four-character hex word.
///
/// A supplementary-plane code point (`20BBF`) is five hex digits; five are taken for one only
/// with a hex letter in them, so `ref 12345 4111 1111 1111 1111` stays a card.
pub(crate) fn in_code_point_table(before: &[u8], after: &[u8]) -> bool {
    let point = |g: &[u8]| {
        g.iter().all(u8::is_ascii_hexdigit)
            && (g.len() == 4 || g.len() == 5 && g.iter().any(u8::is_ascii_alphabetic))
    };
    let word = |b: &u8| b.is_ascii_alphanumeric();
    let left = match before {
        [rest @ .., b' ' | b'\t'] => {
            let start = rest.iter().rposition(|b| !word(b)).map_or(0, |k| k + 1);
            // A group cut by the edge of `before` is not known to be whole.
            (start > 0 || rest.len() < 32) && point(&rest[start..])
        }
        _ => false,
    };
    let right = match after {
        [b' ' | b'\t', rest @ ..] => {
            let end = rest.iter().position(|b| !word(b));
            (end.is_some() || rest.len() < 32) && point(&rest[..end.unwrap_or(rest.len())])
        }
        _ => false,
    };
    left || right
}

fn has_long_digit_run(bytes: &[u8]) -> bool {
    bytes
        .split(|b| !b.is_ascii_digit())
        .any(|run| run.len() >= 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_table() {
        for (ds, ok) in [
            ("79927398713", true),
            ("79927398710", false),
            ("4111111111111111", true),
            ("4111111111111112", false),
            ("", false),
            ("12a4", false),
        ] {
            assert_eq!(luhn(ds), ok, "{ds}");
        }
    }

    #[test]
    fn credit_card_table() {
        let ctx = Ctx::default();
        for (text, ok) in [
            ("4111 1111 1111 1111", true), // visa test PAN
            ("5555-5555-5555-4444", true), // mastercard test PAN
            ("3782 822463 10005", true),   // amex test PAN
            ("6011111111111117", true),    // discover test PAN
            ("4111111111111112", false),   // bad luhn
            ("0000000000000000", false),   // repeated
            ("9111111111111119", false),   // luhn-valid, no brand
            ("41111111111111", false),     // visa with 14 digits
        ] {
            let v = credit_card(&Candidate::bare(text), &ctx);
            assert_eq!(matches!(v, Verdict::Valid { .. }), ok, "{text}: {v:?}");
        }
    }

    /// Runs of 4-hex-digit code points (CJK collation tables) hold Luhn-valid slices; a card
    /// written on its own or before a word is still a card.
    #[test]
    fn code_point_tables_are_no_cards() {
        let ctx = Ctx::default();
        let card = |before: &str, text: &str, after: &str| {
            credit_card(
                &Candidate {
                    text,
                    before: before.as_bytes(),
                    after: after.as_bytes(),
                    weak_counts: true,
                },
                &ctx,
            )
        };
        // `5211 5212 5213 5214` is Luhn-valid and in a Mastercard range.
        assert!(matches!(
            card("", "5211 5212 5213 5214", ""),
            Verdict::Valid { .. }
        ));
        for (before, after) in [
            ("", " 5215 5216 5217"),
            ("5210 ", ""),
            ("520F ", " 5215"),
            ("\t521A\t", ""),
            ("", " 20BBF 20BC6"),
        ] {
            assert!(
                matches!(
                    card(before, "5211 5212 5213 5214", after),
                    Verdict::Invalid(_)
                ),
                "{before}|{after}"
            );
        }
        for (before, after) in [
            ("card ", " exp 12/27"),
            ("Visa: ", ", 12/27"),
            ("ref 12345 ", ""),
            ("", " cafe12"),
        ] {
            assert!(
                matches!(
                    card(before, "4111 1111 1111 1111", after),
                    Verdict::Valid { .. }
                ),
                "{before}|{after}"
            );
        }
    }

    #[test]
    fn numeric_tables_and_bare_long_runs() {
        let ctx = Ctx::default();
        let table = Candidate {
            text: "4111111111111111",
            before: b"(",
            after: b", 2037035976334486086)",
            weak_counts: true,
        };
        assert!(matches!(credit_card(&table, &ctx), Verdict::Invalid(_)));
        // A Luhn-valid 19-digit Visa-range run: bare, it is credit_card_long's; spaced, a card.
        let mut body = String::from("411111111111111111");
        let check = (0..10).find(|d| luhn(&format!("{body}{d}"))).unwrap_or(0);
        body.push_str(&check.to_string());
        assert!(matches!(
            credit_card(&Candidate::bare(&body), &ctx),
            Verdict::Invalid(_)
        ));
        assert!(matches!(
            credit_card_long(&Candidate::bare(&body), &ctx),
            Verdict::Valid { .. }
        ));
        assert!(matches!(
            credit_card_long(&Candidate::bare("4111111111111111"), &ctx),
            Verdict::Invalid(_)
        ));
        let spaced = format!(
            "{} {} {} {} {}",
            &body[..4],
            &body[4..8],
            &body[8..12],
            &body[12..16],
            &body[16..]
        );
        assert!(matches!(
            credit_card(&Candidate::bare(&spaced), &ctx),
            Verdict::Valid { weak: false, .. }
        ));
    }
}
