//! ICAO Doc 9303 machine-readable zones: the second line of a passport (TD3) MRZ, whose check
//! digits (weights 7, 3, 1; `<` = 0, `A`–`Z` = 10–35) cover the document number, birth date,
//! expiry date, optional data and the whole line.

use super::{Candidate, Ctx, Verdict};

/// The ICAO 9303 check digit of `field` (part 3, section 4.9), or `None` for a bad character.
pub fn check_digit(field: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (i, &ch) in field.iter().enumerate() {
        let v = match ch {
            b'0'..=b'9' => u32::from(ch - b'0'),
            b'A'..=b'Z' => u32::from(ch - b'A') + 10,
            b'<' => 0,
            _ => return None,
        };
        sum += v * [7, 3, 1][i % 3];
    }
    Some((sum % 10) as u8)
}

fn digit_ok(field: &[u8], check: u8) -> bool {
    check_digit(field).is_some_and(|c| c + b'0' == check)
}

/// Validator `passport_mrz`: a 44-character TD3 line 2 whose four field check digits and
/// composite check digit all hold. Normalised to the document number plus nationality.
pub fn passport_mrz(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let b = c.text.trim().as_bytes();
    if b.len() != 44 {
        return Verdict::Invalid("TD3 MRZ lines have 44 characters");
    }
    if !digit_ok(&b[0..9], b[9]) {
        return Verdict::Invalid("document number check digit failed");
    }
    if !digit_ok(&b[13..19], b[19]) {
        return Verdict::Invalid("birth date check digit failed");
    }
    if !digit_ok(&b[21..27], b[27]) {
        return Verdict::Invalid("expiry date check digit failed");
    }
    // The optional-data check digit may be `<` when that field is empty.
    if !(b[42] == b'<' && b[28..42].iter().all(|&x| x == b'<') || digit_ok(&b[28..42], b[42])) {
        return Verdict::Invalid("optional data check digit failed");
    }
    let composite: Vec<u8> = [&b[0..10], &b[13..20], &b[21..43]].concat();
    if !digit_ok(&composite, b[43]) {
        return Verdict::Invalid("composite check digit failed");
    }
    let doc = String::from_utf8_lossy(&b[0..9])
        .trim_end_matches('<')
        .to_string();
    Verdict::valid(format!("{doc}/{}", String::from_utf8_lossy(&b[10..13])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        // Worked examples from ICAO 9303 part 3.
        assert_eq!(check_digit(b"L898902C3"), Some(6));
        assert_eq!(check_digit(b"740812"), Some(2));
        assert_eq!(check_digit(b"120415"), Some(9));
        assert_eq!(check_digit(b"a"), None);
    }

    #[test]
    fn td3_line() {
        // ICAO 9303's specimen passport (Utopia, a fictional state).
        let good = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";
        let v = passport_mrz(&Candidate::bare(good), &Ctx::default());
        assert_eq!(v, Verdict::valid("L898902C3/UTO"));
        for bad in [
            "L898902C37UTO7408122F1204159ZE184226B<<<<<10",
            "L898902C36UTO7408123F1204159ZE184226B<<<<<10",
            "L898902C36UTO7408122F1204159ZE184226B<<<<<11",
            "L898902C36UTO7408122F1204159",
        ] {
            assert!(
                matches!(
                    passport_mrz(&Candidate::bare(bad), &Ctx::default()),
                    Verdict::Invalid(_)
                ),
                "{bad}"
            );
        }
    }
}
