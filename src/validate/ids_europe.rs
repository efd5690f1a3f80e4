//! European national identifiers with a published check rule: FR NIR (sécurité sociale), DE
//! Steuer-IdNr, UK NHS number, IT codice fiscale, PL PESEL, SE personnummer, FI HETU, TR TC
//! Kimlik.
//!
//! As in `ids`, each validator checks length, structure (embedded birth dates, allowed letters)
//! and the check digit, and knows nothing of the surrounding text. A form that is only a run of
//! digits is *weak* (a bare 11-digit number is as likely an order number as a PESEL), so the
//! scorer needs a header or context word before it reaches the default threshold; a form with the
//! ID's own punctuation (`850709-9805`, `131052-308T`) is strong. Normalised values are the
//! compact upper-case form, so spaced and bare writings link.
//!
//! Sources (structure and check digit): python-stdnum's documentation of each module and the
//! issuing authorities linked from each pattern file's `reference`.

use super::ids::{all_same, compact_upper, formatted, number, nums, slice_of_longer, valid_ymd};
use super::{Candidate, Ctx, Verdict, checksum::luhn, digits};

/// Validator `fr_nir`: 15 characters — sex (1, 2, or 3/4/7/8 for provisional numbers), year,
/// month (01–12, or 20–42 / 50–99 when unknown), département (two digits, `2A`/`2B` for
/// Corsica), commune, order number, and a key = 97 − (first 13 digits mod 97), Corsica counted
/// as 19/18. The spaced form is strong; 15 bare digits are weak.
pub fn fr_nir(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let s = compact_upper(c.text);
    if s.len() != 15 {
        return Verdict::Invalid("NIRs have 15 characters");
    }
    if !b"123478".contains(&s.as_bytes()[0]) {
        return Verdict::Invalid("NIR sex digit must be 1-4, 7 or 8");
    }
    let body = match &s[5..7] {
        "2A" => format!("{}19{}", &s[..5], &s[7..13]),
        "2B" => format!("{}18{}", &s[..5], &s[7..13]),
        _ => s[..13].to_string(),
    };
    let (Some(n), Some(key)) = (number(&body), number(&s[13..])) else {
        return Verdict::Invalid("NIR must be digits (2A/2B aside)");
    };
    let month = (n / 100_000_000) % 100;
    if !matches!(month, 1..=12 | 20..=42 | 50..=99) {
        return Verdict::Invalid("NIR month out of range");
    }
    if 97 - n % 97 != key {
        return Verdict::Invalid("NIR key (mod 97) wrong");
    }
    if formatted(c.text) {
        Verdict::valid(s)
    } else {
        Verdict::weak(s)
    }
}

/// Validator `de_idnr`: 11 digits, first not 0; in the first ten, exactly one digit occurs
/// twice or three times (never three in a row) and every other at most once; the last is the
/// ISO 7064 MOD 11,10 check digit. Always weak: nothing in its writing sets it apart from other
/// 11-digit numbers.
pub fn de_idnr(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 11 || ds.starts_with('0') {
        return Verdict::Invalid("Steuer-IdNr has 11 digits, first not 0");
    }
    let d = nums(&ds);
    let mut counts = [0u8; 10];
    for &x in &d[..10] {
        counts[x as usize] += 1;
    }
    let repeated = counts.iter().filter(|&&n| n > 1).count();
    if repeated != 1 || counts.iter().any(|&n| n > 3) {
        return Verdict::Invalid("IdNr digit-frequency rule broken");
    }
    if d[..10].windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
        return Verdict::Invalid("IdNr digit three times in a row");
    }
    let mut product = 10;
    for &x in &d[..10] {
        let mut sum = (x + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    if (11 - product) % 10 != d[10] {
        return Verdict::Invalid("IdNr check digit (MOD 11,10) wrong");
    }
    Verdict::weak(ds)
}

/// Validator `uk_nhs`: 10 digits, weights 10..2 on the first nine, check = 11 − sum mod 11
/// (11 → 0, 10 → never issued). Strong: the pattern file already demands a header or context,
/// because the 3-3-4 grouping is also a phone number's.
pub fn uk_nhs(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 10 || all_same(&ds) {
        return Verdict::Invalid("NHS numbers have 10 digits");
    }
    let d = nums(&ds);
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return Verdict::Invalid("NHS check digit 10 is never issued"),
        k => k,
    };
    if check == d[9] {
        Verdict::valid(ds)
    } else {
        Verdict::Invalid("NHS check digit (mod 11) wrong")
    }
}

/// Letters that stand for digits in an *omocodic* codice fiscale (L = 0 … V = 9).
const OMOCODE: &[u8; 10] = b"LMNPQRSTUV";
/// Month letters of the codice fiscale, January to December.
const CF_MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// Values of characters in odd (1st, 3rd, …) positions: `0`/`A` → 1, `1`/`B` → 0, …
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// A codice-fiscale digit position: a digit, or its omocodic letter.
fn cf_digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        Some(u32::from(b - b'0'))
    } else {
        OMOCODE.iter().position(|&x| x == b).map(|p| p as u32)
    }
}

/// Validator `it_cf`: Italian codice fiscale of a person — 6 letters (surname, name), 2-digit
/// year, month letter, day (01–31, +40 for women), a place code (letter + 3 digits), and a
/// check letter over the first 15 (odd/even position tables, mod 26). Digits may be replaced by
/// the omocodia letters `LMNPQRSTUV`.
pub fn it_cf(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = compact_upper(c.text);
    let b = s.as_bytes();
    if b.len() != 16 || !b[..6].iter().all(u8::is_ascii_uppercase) {
        return Verdict::Invalid("codice fiscale has 16 characters, 6 letters first");
    }
    let num = |i: usize, n: usize| -> Option<u32> {
        b[i..i + n]
            .iter()
            .try_fold(0u32, |acc, &x| cf_digit(x).map(|d| acc * 10 + d))
    };
    let (Some(_year), Some(day), Some(_place)) = (num(6, 2), num(9, 2), num(12, 3)) else {
        return Verdict::Invalid("codice fiscale digits misplaced");
    };
    if !CF_MONTHS.contains(&b[8]) || !b[11].is_ascii_uppercase() {
        return Verdict::Invalid("codice fiscale month or place letter wrong");
    }
    if !matches!(day, 1..=31 | 41..=71) {
        return Verdict::Invalid("codice fiscale day out of range");
    }
    let value = |x: u8| -> u32 {
        if x.is_ascii_digit() {
            u32::from(x - b'0')
        } else {
            u32::from(x - b'A')
        }
    };
    let sum: u32 = b[..15]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if i % 2 == 0 {
                CF_ODD[value(x) as usize]
            } else {
                value(x)
            }
        })
        .sum();
    if b[15] != b'A' + (sum % 26) as u8 {
        return Verdict::Invalid("codice fiscale check letter wrong");
    }
    Verdict::valid(s)
}

/// Validator `pl_pesel`: 11 digits — YYMMDD with the century in the month (+80 1800s, +0 1900s,
/// +20 2000s, +40, +60), a serial, and a check digit with weights 1,3,7,9,…; a real date.
/// Always weak (bare digits).
pub fn pl_pesel(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 11 || all_same(&ds) {
        return Verdict::Invalid("PESEL has 11 digits");
    }
    let d = nums(&ds);
    let (yy, mm, dd) = (d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]);
    let (century, month) = match mm {
        81..=92 => (1800, mm - 80),
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        _ => return Verdict::Invalid("PESEL month out of range"),
    };
    if !valid_ymd(century + yy as i32, month, dd) {
        return Verdict::Invalid("PESEL birth date impossible");
    }
    let sum: u32 = d[..10]
        .iter()
        .zip([1, 3, 7, 9, 1, 3, 7, 9, 1, 3])
        .map(|(x, w)| x * w)
        .sum();
    if (10 - sum % 10) % 10 != d[10] {
        return Verdict::Invalid("PESEL check digit wrong");
    }
    Verdict::weak(ds)
}

/// Validator `se_pnr`: Swedish personnummer or samordningsnummer (day + 60) —
/// `YYMMDD-NNNC`, `YYMMDD+NNNC` (aged 100+), `YYYYMMDD-NNNC`, or bare; Luhn over the ten digits
/// from YY. Always weak: `DDMMYY-NNNN` is also a Finnish HETU's shape (one in ten passes Luhn),
/// so a header or context word must say which it is.
pub fn se_pnr(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    let ten = match ds.len() {
        10 => &ds[..],
        12 if matches!(&ds[..2], "18" | "19" | "20") => &ds[2..],
        _ => return Verdict::Invalid("personnummer has 10 or 12 digits"),
    };
    let d = nums(ten);
    let (yy, mm, mut dd) = (d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]);
    if dd > 60 {
        dd -= 60;
    }
    // Leap years: a two-digit year is read in the 2000s (1900 is the one year that differs).
    let year = if ds.len() == 12 {
        (d[0] as i32 * 10 + d[1] as i32) + 100 * (ds[..2].parse::<i32>().unwrap_or(19))
    } else {
        2000 + yy as i32
    };
    if !valid_ymd(year, mm, dd) || all_same(ten) {
        return Verdict::Invalid("personnummer birth date impossible");
    }
    if !luhn(ten) {
        return Verdict::Invalid("personnummer Luhn check failed");
    }
    Verdict::weak(ten)
}

/// Check characters of the Finnish HETU, indexed by `DDMMYYNNN mod 31`.
const HETU_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Validator `fi_hetu`: Finnish henkilötunnus `DDMMYYCNNNT` — birth date, century sign (`+`
/// 1800s, `-` or `Y X W V U` 1900s, `A B C D E F` 2000s), individual number 002–999, check
/// character = `DDMMYYNNN mod 31` in `0-9A-Y` less `G I O Q Z`.
pub fn fi_hetu(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s = c.text.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    if b.len() != 11 || !b[..6].iter().chain(&b[7..10]).all(u8::is_ascii_digit) {
        return Verdict::Invalid("HETU shape is DDMMYYCNNNT");
    }
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => 1900,
        b'A'..=b'F' => 2000,
        _ => return Verdict::Invalid("HETU century sign unknown"),
    };
    let d = nums(&format!("{}{}", &s[..6], &s[7..10]));
    let (dd, mm, yy) = (d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]);
    if !valid_ymd(century + yy as i32, mm, dd) {
        return Verdict::Invalid("HETU birth date impossible");
    }
    let n = d.iter().fold(0u32, |acc, &x| acc * 10 + x);
    if n % 1000 < 2 {
        return Verdict::Invalid("HETU individual number 000/001 never issued");
    }
    if HETU_CHECK[(n % 31) as usize] != b[10] {
        return Verdict::Invalid("HETU check character wrong");
    }
    Verdict::valid(s)
}

/// Validator `tr_tckn`: Turkish TC Kimlik No — 11 digits, first not 0; the 10th is
/// (7 × odd-position sum − even-position sum) mod 10, the 11th the sum of the first ten mod 10.
/// Always weak (bare digits).
pub fn tr_tckn(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 11 || ds.starts_with('0') || all_same(&ds) {
        return Verdict::Invalid("TC Kimlik has 11 digits, first not 0");
    }
    let d = nums(&ds);
    let odd: u32 = d[..9].iter().step_by(2).sum();
    let even: u32 = d[1..8].iter().step_by(2).sum();
    let tenth = (odd * 7 + 10 * even - even) % 10;
    let eleventh = d[..10].iter().sum::<u32>() % 10;
    if tenth != d[9] || eleventh != d[10] {
        return Verdict::Invalid("TC Kimlik check digits wrong");
    }
    Verdict::weak(ds)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::assert_verdicts as run;

    #[test]
    fn nir() {
        run(
            fr_nir,
            &[
                ("2 95 10 99 126 111 93", Some(false)),
                ("295109912611193", Some(true)),
                ("2 95 10 99 126 111 94", None),
                ("5 95 10 99 126 111 93", None),
                // Corsica: 2A counts as 19 (key = 97 - 1850519006084 mod 97).
                ("1 85 05 2A 006 084 35", Some(false)),
                ("186022A21532523", Some(true)),
                ("1 85 05 2A 006 084 36", None),
                // Month 13 (its key is right).
                ("1 85 13 19 006 084 66", None),
            ],
        );
    }

    #[test]
    fn idnr() {
        run(
            de_idnr,
            &[
                ("36 574 261 809", Some(true)),
                ("36574261809", Some(true)),
                ("36574261890", None),
                ("06574261809", None),
                // Two digits repeated in the first ten.
                ("11234567893", None),
            ],
        );
    }

    #[test]
    fn nhs() {
        run(
            uk_nhs,
            &[
                ("943 476 5919", Some(false)),
                ("9434765919", Some(false)),
                ("943 476 5918", None),
                ("1111111111", None),
            ],
        );
    }

    #[test]
    fn codice_fiscale() {
        run(
            it_cf,
            &[
                ("RCCMNL83S18D969H", Some(false)),
                ("rccmnl83s18d969h", Some(false)),
                ("RCCMNL83S18D969X", None),
                ("RCCMNL83S18D96", None),
                // Month letter Z does not exist.
                ("RCCMNL83Z18D969H", None),
            ],
        );
    }

    #[test]
    fn pesel() {
        run(
            pl_pesel,
            &[
                ("44051401359", Some(true)),
                ("44051401358", None),
                ("02270803624", Some(true)),
                // 31 February.
                ("44023101353", None),
            ],
        );
    }

    #[test]
    fn personnummer() {
        run(
            se_pnr,
            &[
                ("880320-0016", Some(true)),
                ("8803200016", Some(true)),
                ("19880320-0016", Some(true)),
                ("880320-0018", None),
                ("881320-0016", None),
                // Samordningsnummer: day + 60.
                ("701063-2391", Some(true)),
            ],
        );
    }

    #[test]
    fn hetu() {
        run(
            fi_hetu,
            &[
                ("131052-308T", Some(false)),
                ("131052-308U", None),
                ("131052G308T", None),
                ("310252-308T", None),
                ("010101A123N", Some(false)),
            ],
        );
    }

    #[test]
    fn tckn() {
        run(
            tr_tckn,
            &[
                ("17291716060", Some(true)),
                ("17291716050", None),
                ("07291716060", None),
            ],
        );
    }
}
