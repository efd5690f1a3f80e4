//! Check-digit algorithms (Luhn, ...) and the identifiers validated by them.

use super::{Candidate, Ctx, Verdict, digits};

/// True when the ASCII digit string passes the Luhn (mod 10) check.
pub fn luhn(ds: &str) -> bool {
    !ds.is_empty() && ds.bytes().all(|b| b.is_ascii_digit()) && luhn_bytes(ds.as_bytes())
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
    brand_of(ds.as_bytes())
}

/// [`card_brand`] of ASCII digits: the prefix is read from the bytes, not parsed from a slice.
fn brand_of(ds: &[u8]) -> Option<&'static str> {
    BRANDS.iter().find_map(|&(brand, lo, hi, n, lens)| {
        let head = ds.get(..n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let prefix = head.iter().fold(0u32, |p, &b| p * 10 + u32::from(b - b'0'));
        (prefix >= lo && prefix <= hi && lens.contains(&ds.len())).then_some(brand)
    })
}

/// The ASCII digits of a card candidate, on the stack: `None` unless it holds 12–19 (a card
/// validator sees many ids and epoch milliseconds, and most fail before anything allocates).
fn card_digits(text: &str) -> Option<([u8; 19], usize)> {
    let mut ds = [0u8; 19];
    let mut n = 0;
    for b in text.bytes().filter(u8::is_ascii_digit) {
        *ds.get_mut(n)? = b;
        n += 1;
    }
    (n >= 12).then_some((ds, n))
}

/// [`luhn`] of ASCII digits (the caller has checked they are).
fn luhn_bytes(ds: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &b) in ds.iter().rev().enumerate() {
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

/// The checks [`credit_card`] and [`credit_card_long`] share, cheapest first (none
/// allocates): 12–19 digits, not one repeated digit, Luhn, a brand's IIN and length, and no
/// table of numbers or code points around it.
fn card_checks(c: &Candidate<'_>) -> Result<([u8; 19], usize), &'static str> {
    let (buf, n) = card_digits(c.text).ok_or("card numbers have 12-19 digits")?;
    let ds = &buf[..n];
    if ds.iter().all(|&b| b == ds[0]) {
        return Err("repeated digit");
    }
    if !luhn_bytes(ds) {
        return Err("luhn check failed");
    }
    if brand_of(ds).is_none() {
        return Err("no card brand has this IIN and length");
    }
    // Tables of numeric constants (`(4951948911778577463, 2037035976334486086)`) pass Luhn one
    // time in ten: a second long digit run on the same line marks a table, not a card.
    if has_long_digit_run(c.before) || has_long_digit_run(c.after) {
        return Err("next to another long number: a table of numbers");
    }
    if in_code_point_table(c.before, c.after) {
        return Err("one slice of a run of 4-hex-digit groups: a code-point table");
    }
    Ok((buf, n))
}

/// The digits as the finding's normalised value.
fn digit_string(ds: &[u8]) -> String {
    ds.iter().copied().map(char::from).collect()
}

/// Validator `credit_card`: 12–19 digits, Luhn-valid, known IIN range and brand length, and not
/// a run of one repeated digit.
pub fn credit_card(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let (buf, n) = match card_checks(c) {
        Ok(ds) => ds,
        Err(why) => return Verdict::Invalid(why),
    };
    // 17-19 digits with no separators are far more often 64-bit constants than the rare long
    // PANs: they are left to `credit_card_long`, which needs a card word or a card column.
    if is_bare_long(c.text, n) {
        return Verdict::Invalid("17-19 bare digits: only with card context (credit_card_long)");
    }
    Verdict::valid(digit_string(&buf[..n]))
}

fn is_bare_long(text: &str, digits: usize) -> bool {
    digits >= 17 && !text.bytes().any(|b| b == b' ' || b == b'-')
}

/// Validator `credit_card_long`: exactly the 17-19-digit runs without separators that
/// [`credit_card`] leaves out, with the same Luhn / IIN / length / table checks.
pub fn credit_card_long(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    // Counted, not collected (more than 19 fail in `card_checks`, as before).
    let n = c.text.bytes().filter(u8::is_ascii_digit).count();
    if !is_bare_long(c.text, n) {
        return Verdict::Invalid("not a bare 17-19 digit run (credit_card covers it)");
    }
    match card_checks(c) {
        Ok((buf, n)) => Verdict::valid(digit_string(&buf[..n])),
        Err(why) => Verdict::Invalid(why),
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
