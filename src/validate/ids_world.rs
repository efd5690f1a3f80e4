//! National identifiers of Asia and Africa with a published structure or check rule: IN PAN,
//! JP My Number, KR RRN, SG NRIC/FIN, TH national ID, ZA ID number.
//!
//! Same conventions as `ids` and `ids_europe`: structure + check digit, nothing of the
//! surrounding text; a run of bare digits is weak, a form with the ID's own punctuation strong;
//! the normalised value is the compact upper-case form.

use super::ids::{all_same, compact_upper, formatted, nums, slice_of_longer, valid_ymd};
use super::{Candidate, Ctx, Verdict, checksum::luhn, digits};

/// Validator `in_pan`: Indian Permanent Account Number `AAAPL1234C` — five letters (the fourth
/// says who holds it: P person, C company, H HUF, F firm, A AOP, T trust, B BOI, L local
/// authority, J artificial juridical person, G government), four digits (not 0000), a letter.
/// No check rule is published, so it is always weak: a header or context word must vouch for it.
pub fn in_pan(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact_upper(c.text);
    let b = s.as_bytes();
    if b.len() != 10
        || !b[..5].iter().all(u8::is_ascii_uppercase)
        || !b[5..9].iter().all(u8::is_ascii_digit)
        || !b[9].is_ascii_uppercase()
    {
        return Verdict::Invalid("PAN shape is AAAAA9999A");
    }
    if !b"PCHFATBLJG".contains(&b[3]) {
        return Verdict::Invalid("PAN holder-type letter unknown");
    }
    if &s[5..9] == "0000" {
        return Verdict::Invalid("PAN digits 0000");
    }
    Verdict::weak(s)
}

/// Validator `jp_my_number`: Japanese Individual Number (マイナンバー), 12 digits; the last is
/// 11 − (Σ Pn·Qn mod 11) (0 when the remainder is 0 or 1), Pn the n-th digit from the right of
/// the first eleven, Qn = n + 1 for n ≤ 6, n − 5 above. Always weak (12 bare digits).
pub fn jp_my_number(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 12 || all_same(&ds) {
        return Verdict::Invalid("My Number has 12 digits");
    }
    let d = nums(&ds);
    let sum: u32 = d[..11]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &p)| {
            let n = i as u32 + 1;
            p * if n <= 6 { n + 1 } else { n - 5 }
        })
        .sum();
    let check = match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    };
    if check != d[11] {
        return Verdict::Invalid("My Number check digit wrong");
    }
    Verdict::weak(ds)
}

/// Validator `kr_rrn`: Korean Resident Registration Number `YYMMDD-GNNNNNC` — birth date, a
/// sex/century digit (1–4 Koreans 1900s/2000s, 5–8 foreigners, 9/0 1800s), and the check digit
/// (11 − Σ d·w mod 11) mod 10 with weights 2..9,2..5. Strong with its dash, weak bare. (Numbers
/// issued since October 2020 end in random digits; this validator accepts only the checked ones.)
pub fn kr_rrn(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 13 || all_same(&ds) {
        return Verdict::Invalid("RRNs have 13 digits");
    }
    let d = nums(&ds);
    let century = match d[6] {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => 1800,
    };
    if !valid_ymd(
        century + (d[0] * 10 + d[1]) as i32,
        d[2] * 10 + d[3],
        d[4] * 10 + d[5],
    ) {
        return Verdict::Invalid("RRN birth date impossible");
    }
    let sum: u32 = d[..12]
        .iter()
        .zip([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
        .map(|(x, w)| x * w)
        .sum();
    if (11 - sum % 11) % 10 != d[12] {
        return Verdict::Invalid("RRN check digit wrong");
    }
    if c.text.contains('-') {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

/// Validator `sg_nric`: Singapore NRIC/FIN `S1234567D` — prefix S/T (citizens and residents,
/// born before/after 2000) or F/G (foreigners), seven digits, check letter from the weights
/// 2,7,6,5,4,3,2 (+4 for T and G) mod 11. The M series (2022) uses another table and is not
/// accepted until it is published.
pub fn sg_nric(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact_upper(c.text);
    let b = s.as_bytes();
    if b.len() != 9 || !b[1..8].iter().all(u8::is_ascii_digit) {
        return Verdict::Invalid("NRIC shape is A1234567A");
    }
    let (offset, table): (u32, &[u8; 11]) = match b[0] {
        b'S' => (0, b"JZIHGFEDCBA"),
        b'T' => (4, b"JZIHGFEDCBA"),
        b'F' => (0, b"XWUTRQPNMLK"),
        b'G' => (4, b"XWUTRQPNMLK"),
        _ => return Verdict::Invalid("NRIC prefix must be S, T, F or G"),
    };
    let sum: u32 = nums(&s[1..8])
        .iter()
        .zip([2, 7, 6, 5, 4, 3, 2])
        .map(|(x, w)| x * w)
        .sum();
    if table[((sum + offset) % 11) as usize] != b[8] {
        return Verdict::Invalid("NRIC check letter wrong");
    }
    Verdict::valid(s)
}

/// Validator `th_id`: Thai national ID, 13 digits, first 1–8; the last is
/// (11 − Σ d·(13 − i) mod 11) mod 10. Strong in its `1-2345-67890-12-1` grouping, weak bare.
pub fn th_id(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 13 || !(b'1'..=b'8').contains(&ds.as_bytes()[0]) || all_same(&ds) {
        return Verdict::Invalid("Thai IDs have 13 digits, first 1-8");
    }
    let d = nums(&ds);
    let sum: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, x)| x * (13 - i as u32))
        .sum();
    if (11 - sum % 11) % 10 != d[12] {
        return Verdict::Invalid("Thai ID check digit wrong");
    }
    if formatted(c.text) {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

/// Validator `za_id`: South African ID number `YYMMDD SSSS C A Z` — birth date, sequence,
/// citizenship 0–2, a digit (8 or 9 today), Luhn check over all 13. Strong when grouped, weak
/// bare.
pub fn za_id(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 13 || all_same(&ds) {
        return Verdict::Invalid("SA ID numbers have 13 digits");
    }
    let d = nums(&ds);
    // The century is not written: a date valid in either century passes (29 Feb 2000/1900).
    let (yy, mm, dd) = (
        (d[0] * 10 + d[1]) as i32,
        d[2] * 10 + d[3],
        d[4] * 10 + d[5],
    );
    if !valid_ymd(1900 + yy, mm, dd) && !valid_ymd(2000 + yy, mm, dd) {
        return Verdict::Invalid("SA ID birth date impossible");
    }
    if d[10] > 2 {
        return Verdict::Invalid("SA ID citizenship digit must be 0-2");
    }
    if !luhn(&ds) {
        return Verdict::Invalid("SA ID Luhn check failed");
    }
    if formatted(c.text) {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::assert_verdicts as run;

    #[test]
    fn pan() {
        run(
            in_pan,
            &[
                ("ACUPA7085R", Some(true)),
                ("acupa7085r", Some(true)),
                ("ACUXA7085R", None),
                ("ACUPA0000R", None),
                ("ACUPA708R", None),
            ],
        );
    }

    #[test]
    fn my_number() {
        run(
            jp_my_number,
            &[
                ("6214 9832 0257", Some(true)),
                ("621498320257", Some(true)),
                ("6214 9832 0258", None),
                ("000000000000", None),
            ],
        );
    }

    #[test]
    fn rrn() {
        run(
            kr_rrn,
            &[
                ("971013-9019902", Some(false)),
                ("9710139019902", Some(true)),
                ("971013-9019903", None),
                ("971313-9019902", None),
            ],
        );
    }

    #[test]
    fn nric() {
        run(
            sg_nric,
            &[
                ("S1234567D", Some(false)),
                ("s1234567d", Some(false)),
                ("S1234567E", None),
                ("T1234567J", Some(false)),
                ("F1234567N", Some(false)),
                ("G1234567X", Some(false)),
                ("A1234567D", None),
            ],
        );
    }

    #[test]
    fn thai() {
        run(
            th_id,
            &[
                ("3100600445635", Some(true)),
                ("3-1006-00445-63-5", Some(false)),
                ("3100600445636", None),
                ("9100600445635", None),
            ],
        );
    }

    #[test]
    fn za() {
        run(
            za_id,
            &[
                ("7503305044089", Some(true)),
                ("750330 5044 089", Some(false)),
                ("8503305044089", None),
                ("7513305044089", None),
            ],
        );
    }
}
