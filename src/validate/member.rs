//! Membership numbers (loyalty programmes) and passport numbers: no public check digit, so the
//! validators only reject what cannot be one (placeholders, words, runs of one digit); the
//! pattern files demand a field name or context phrase for everything else.

use super::{Candidate, Ctx, Verdict};

fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn placeholder(ds: &str) -> bool {
    let b = ds.as_bytes();
    b.iter().all(|&x| x == b[0])
        || b.windows(2).all(|w| w[1] == (w[0] - b'0' + 1) % 10 + b'0')
        || ds.starts_with("000000")
}

/// Validator `loyalty`: 6–14 letters and digits with at least 4 digits and no more than 3
/// letters; not a run of one digit, an ascending run, or a zero-padded placeholder.
pub fn loyalty(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact(c.text);
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let letters = s.len() - digits.len();
    if !(6..=14).contains(&s.len()) || digits.len() < 4 || letters > 3 {
        return Verdict::Invalid("membership numbers are 6-14 mostly-digit characters");
    }
    if placeholder(&digits) {
        return Verdict::Invalid("placeholder digits");
    }
    Verdict::valid(s)
}

/// Validator `aadvantage`: American Airlines AAdvantage numbers are 7 letters and digits in
/// any mix (`7R93042`, `0NC3EVJ`), so the general `loyalty` rule (at least 4 digits) misses
/// most of them. Exactly 7, at least one digit and one letter or all digits, and not an
/// ordinary word with a digit glued on (at least two digits when there are five letters or more).
pub fn aadvantage(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact(c.text);
    let nd = s.bytes().filter(u8::is_ascii_digit).count();
    if s.len() != 7 || nd == 0 || (nd < 2 && s.len() - nd >= 5) {
        return Verdict::Invalid("AAdvantage numbers are 7 letters and digits");
    }
    let ds: String = s.chars().filter(char::is_ascii_digit).collect();
    if nd == 7 && placeholder(&ds) {
        return Verdict::Invalid("placeholder digits");
    }
    Verdict::valid(s)
}

/// Validator `passport_number`: 6–9 letters and digits, at least 5 digits and at most 3 letters
/// (covers AU `PA1234567`, US/UK 9 digits, IN `J8369854`, FR `12AB34567`, JP `TK1234567`).
pub fn passport_number(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact(c.text);
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if !(6..=9).contains(&s.len()) || digits.len() < 5 || s.len() - digits.len() > 3 {
        return Verdict::Invalid("passport numbers are 6-9 characters, mostly digits");
    }
    // Only a bare ascending run (`123456789`) reads as a placeholder: after a series prefix of
    // letters it is a number as any other (`TK1234567`, `AB1234567`), and this detector runs
    // only under a passport header or after a passport cue. One digit repeated, or six zeros,
    // is a placeholder either way.
    let letters = s.len() - digits.len();
    let repeated = digits.bytes().all(|b| b == digits.as_bytes()[0]);
    if repeated || digits.starts_with("000000") || (letters == 0 && placeholder(&digits)) {
        return Verdict::Invalid("placeholder digits");
    }
    Verdict::valid(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(f: fn(&Candidate<'_>, &Ctx) -> Verdict, text: &str) -> bool {
        matches!(
            f(&Candidate::bare(text), &Ctx::default()),
            Verdict::Valid { .. }
        )
    }

    #[test]
    fn loyalty_table() {
        for (text, want) in [
            ("1928374650", true),
            ("AB 193 847", true),
            ("EK 192837465", true),
            ("1234567890", false),
            ("0000000000", false),
            ("ABCDEFG", false),
            ("12345", false),
        ] {
            assert_eq!(ok(loyalty, text), want, "{text}");
        }
    }

    #[test]
    fn aadvantage_table() {
        for (text, want) in [
            ("7R93042", true),
            ("0NC3EVJ", true),
            ("tjd27t4", true),
            ("1928374", true),
            ("ABCDEFG", false),
            ("MEMBER1", false),
            ("7R9304", false),
            ("7R930421", false),
            ("1234567", false),
        ] {
            assert_eq!(ok(aadvantage, text), want, "{text}");
        }
    }

    #[test]
    fn passport_table() {
        for (text, want) in [
            ("PA1928374", true),
            ("J8369854", true),
            ("123456789", false),
            ("TK1234567", true),
            ("AB1234567", true),
            ("AB0000000", false),
            ("AB7777777", false),
            ("ABCD12345", false),
            ("X12", false),
        ] {
            assert_eq!(ok(passport_number, text), want, "{text}");
        }
    }
}
