//! National identifiers with a published check rule: US SSN and ITIN, AU TFN, AU Medicare, UK
//! NINO, CA SIN, IN Aadhaar, BR CPF, ES DNI/NIE/NIF. European ids are in `ids_europe`, the rest
//! of the world's in `ids_world`.
//!
//! Each validator checks length, structural rules and the check digit; none of them knows the
//! surrounding text (the pattern files require context or a field name for the shapes that are
//! too common on their own). Normalised values are the bare digits (letters upper-cased), so
//! `123-45-6789` and `123456789` link.

use super::checksum::{in_code_point_table, luhn};
use super::{Candidate, Ctx, Verdict, digits};

/// True when `text` has separators (space, `-`, `.`) between its digit groups: a formatted id is
/// stronger evidence than a bare digit run.
pub(super) fn formatted(text: &str) -> bool {
    text.trim().bytes().any(|b| matches!(b, b' ' | b'-' | b'.'))
}

pub(super) fn all_same(ds: &str) -> bool {
    ds.bytes().all(|b| Some(&b) == ds.as_bytes().first())
}

pub(super) fn nums(ds: &str) -> Vec<u32> {
    ds.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// True when the candidate is a slice of a longer run of digit groups (`4014 3590 0334` of the
/// voucher `4014 3590 0334 4840`): a separator then a digit right after it, or a digit then a
/// separator right before it. The engine already drops matches glued to more digits; this
/// catches the spaced and dashed runs, which the id patterns may otherwise cut anywhere.
pub(super) fn slice_of_longer(c: &Candidate<'_>) -> bool {
    let sep = |b: &u8| matches!(b, b' ' | b'-' | b'.' | b'/');
    let n = c.before.len();
    (c.after.first().is_some_and(sep) && c.after.get(1).is_some_and(u8::is_ascii_digit))
        || (n >= 2 && sep(&c.before[n - 1]) && c.before[n - 2].is_ascii_digit())
}

/// Whether day `d` of month `m` exists in year `y` (Gregorian).
pub(super) fn valid_ymd(y: i32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// The ASCII letters and digits of `text`, upper-cased (separators dropped).
pub(super) fn compact_upper(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The number the ASCII digit string `ds` spells (at most 19 digits), if it is one.
pub(super) fn number(ds: &str) -> Option<u64> {
    (!ds.is_empty() && ds.len() <= 19 && ds.bytes().all(|b| b.is_ascii_digit()))
        .then(|| ds.parse().ok())
        .flatten()
}

/// Validator `us_itin`: 9 digits, area 9xx, group 50–65, 70–88, 90–92 or 94–99 (the IRS's
/// published ranges). A bare 9-digit run is weak.
/// Rules: <https://www.irs.gov/individuals/individual-taxpayer-identification-number>.
pub fn us_itin(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    if slice_of_longer(c) {
        return Verdict::Invalid("slice of a longer digit run");
    }
    let ds = digits(c.text);
    if ds.len() != 9 || !ds.starts_with('9') {
        return Verdict::Invalid("ITINs have 9 digits starting with 9");
    }
    let group: u32 = ds[3..5].parse().unwrap_or(0);
    if !matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99) {
        return Verdict::Invalid("ITIN group outside the issued ranges");
    }
    if ds[5..] == *"0000" {
        return Verdict::Invalid("zero serial");
    }
    if formatted(c.text) {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

/// Validator `us_ssn`: area 001–899 except 666, group 01–99, serial 0001–9999, and not one of the
/// numbers the SSA voided after they were published (078-05-1120, 219-09-9999). A bare 9-digit
/// run is weak. Rules: <https://www.ssa.gov/employer/randomization.html>.
pub fn us_ssn(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if ds.len() != 9 {
        return Verdict::Invalid("SSNs have 9 digits");
    }
    let (area, group, serial) = (&ds[..3], &ds[3..5], &ds[5..]);
    if area == "000" || area == "666" || area.starts_with('9') {
        return Verdict::Invalid("area number never issued");
    }
    if group == "00" || serial == "0000" {
        return Verdict::Invalid("zero group or serial");
    }
    if ds == "078051120" || ds == "219099999" || all_same(&ds) {
        return Verdict::Invalid("published or placeholder number");
    }
    // Dots (`123.45.6789`) are also how versions and codes are written: weak.
    if c.text.trim().contains(['-', ' ']) {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

/// Validator `au_tfn`: 9 digits (or 8 for old numbers) whose weighted sum is divisible by 11.
pub fn au_tfn(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    let weights: &[u32] = match ds.len() {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return Verdict::Invalid("TFNs have 8 or 9 digits"),
    };
    if all_same(&ds) {
        return Verdict::Invalid("repeated digit");
    }
    let sum: u32 = nums(&ds).iter().zip(weights).map(|(d, w)| d * w).sum();
    if sum.is_multiple_of(11) {
        Verdict::valid(ds)
    } else {
        Verdict::Invalid("TFN weighted check failed")
    }
}

/// Validator `au_medicare`: 10 digits (11 with the individual reference number), first digit
/// 2–6, 9th digit = weighted sum (1,3,7,9,1,3,7,9) mod 10, issue number (10th) not 0.
pub fn au_medicare(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if ds.len() != 10 && ds.len() != 11 {
        return Verdict::Invalid("Medicare numbers have 10 or 11 digits");
    }
    let d = nums(&ds);
    if !(2..=6).contains(&d[0]) {
        return Verdict::Invalid("first digit must be 2-6");
    }
    let sum: u32 = d[..8]
        .iter()
        .zip([1, 3, 7, 9, 1, 3, 7, 9])
        .map(|(a, w)| a * w)
        .sum();
    if sum % 10 != d[8] {
        return Verdict::Invalid("Medicare check digit failed");
    }
    if d[9] == 0 || (d.len() == 11 && d[10] == 0) {
        return Verdict::Invalid("issue or reference number 0");
    }
    Verdict::valid(ds)
}

/// Validator `uk_nino`: two prefix letters (first not D F I Q U V, second not D F I O Q U V, and
/// not BG GB KN NK NT TN ZZ), six digits, suffix A–D (without it: a weak form); not a slice of a code-point table.
pub fn uk_nino(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s: String = c
        .text
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    let b = s.as_bytes();
    if !(b.len() == 8 || b.len() == 9)
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..8].iter().all(u8::is_ascii_digit)
    {
        return Verdict::Invalid("NINO shape is AA 99 99 99 A");
    }
    if b.len() == 9 && !(b'A'..=b'D').contains(&b[8]) {
        return Verdict::Invalid("suffix must be A-D");
    }
    if b"DFIQUV".contains(&b[0]) || b"DFIOQUV".contains(&b[1]) {
        return Verdict::Invalid("prefix letter never used");
    }
    if ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&&s[..2]) {
        return Verdict::Invalid("prefix never allocated");
    }
    if all_same(&s[2..8]) {
        return Verdict::Invalid("repeated digit");
    }
    // Unicode tables pair code points (`AC00 0029`, `<AC00> ; 0029 0301`): two hex letters
    // and six digits split four and four, or flush against another group of four hex digits.
    let t = c.text.as_bytes();
    let split_as_code_points = t.len() == 9
        && t[4] == b' '
        && t[..4].iter().all(u8::is_ascii_hexdigit)
        && t[5..].iter().all(u8::is_ascii_digit);
    if split_as_code_points || in_code_point_table(c.before, c.after) {
        return Verdict::Invalid("groups of four hex digits: a code-point table");
    }
    // HMRC always issues the suffix letter; without it, two letters and six digits are as often
    // a membership number (MileagePlus `KX903342`) or a part number: a weak form, reported
    // only under a NINO header or after a NINO cue.
    if b.len() == 8 {
        return Verdict::weak(&s[..8]);
    }
    Verdict::valid(&s[..8])
}

/// Validator `ca_sin`: 9 digits, Luhn-valid, first digit not 0 (fictitious) or 8 (business).
pub fn ca_sin(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if ds.len() != 9 {
        return Verdict::Invalid("SINs have 9 digits");
    }
    if ds.starts_with('0') || ds.starts_with('8') || all_same(&ds) {
        return Verdict::Invalid("first digit 0 or 8 is not a personal SIN");
    }
    if luhn(&ds) {
        Verdict::valid(ds)
    } else {
        Verdict::Invalid("luhn check failed")
    }
}

/// Verhoeff's dihedral-group multiplication table.
const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/// Verhoeff's position permutation.
const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// True when the digit string (check digit last) passes Verhoeff's check.
pub fn verhoeff(ds: &str) -> bool {
    if ds.is_empty() || !ds.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut c = 0u8;
    for (i, b) in ds.bytes().rev().enumerate() {
        c = VERHOEFF_D[c as usize][VERHOEFF_P[i % 8][(b - b'0') as usize] as usize];
    }
    c == 0
}

/// Validator `in_aadhaar`: 12 digits, first digit 2–9, Verhoeff check digit.
pub fn in_aadhaar(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if ds.len() != 12 {
        return Verdict::Invalid("Aadhaar numbers have 12 digits");
    }
    if ds.starts_with('0') || ds.starts_with('1') || all_same(&ds) {
        return Verdict::Invalid("first digit must be 2-9");
    }
    if verhoeff(&ds) {
        Verdict::valid(ds)
    } else {
        Verdict::Invalid("Verhoeff check failed")
    }
}

/// Validator `br_cpf`: 11 digits, not one repeated digit, two mod-11 check digits. The dotted
/// form `123.456.789-09` is strong; a bare 11-digit run is weak.
pub fn br_cpf(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let ds = digits(c.text);
    if ds.len() != 11 {
        return Verdict::Invalid("CPFs have 11 digits");
    }
    if all_same(&ds) {
        return Verdict::Invalid("repeated digit");
    }
    let d = nums(&ds);
    let check = |n: usize| -> u32 {
        let sum: u32 = d[..n]
            .iter()
            .enumerate()
            .map(|(i, x)| x * (n as u32 + 1 - i as u32))
            .sum();
        (sum * 10) % 11 % 10
    };
    if check(9) != d[9] || check(10) != d[10] {
        return Verdict::Invalid("CPF check digits failed");
    }
    if formatted(c.text) {
        Verdict::valid(ds)
    } else {
        Verdict::weak(ds)
    }
}

/// Validator `es_dni`: Spanish DNI/NIF (8 digits + letter), NIE (X/Y/Z + 7 digits + letter) or
/// the NIF of a person without DNI or NIE (K/L/M + 7 digits + letter); the letter is the number
/// mod 23 looked up in `TRWAGMYFPDXBNJZSQVHLCKE` (for K/L/M, the 7 digits alone).
pub fn es_dni(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    let s: String = c
        .text
        .chars()
        .filter(|ch| ch.is_ascii_alphanumeric())
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    if s.len() != 9 {
        return Verdict::Invalid("DNI/NIE have 9 characters");
    }
    let (body, letter) = s.split_at(8);
    let body = match body.as_bytes()[0] {
        b'X' => format!("0{}", &body[1..]),
        b'Y' => format!("1{}", &body[1..]),
        b'Z' => format!("2{}", &body[1..]),
        b'K' | b'L' | b'M' => body[1..].to_string(),
        _ => body.to_string(),
    };
    let Ok(n) = body.parse::<u32>() else {
        return Verdict::Invalid("DNI body must be digits");
    };
    let want = b"TRWAGMYFPDXBNJZSQVHLCKE"[(n % 23) as usize];
    if letter.as_bytes()[0] == want {
        Verdict::valid(s)
    } else {
        Verdict::Invalid("DNI control letter wrong")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::validate::assert_verdicts as run;

    #[test]
    fn ssn() {
        run(
            us_ssn,
            &[
                ("123-45-6789", Some(false)),
                ("123456789", Some(true)),
                ("123.45.6789", Some(true)),
                ("000-12-3456", None),
                ("666-12-3456", None),
                ("912-12-3456", None),
                ("123-00-4567", None),
                ("123-45-0000", None),
                ("078-05-1120", None),
                ("12-345-678", None),
            ],
        );
    }

    #[test]
    fn itin() {
        run(
            us_itin,
            &[
                ("912-90-3456", Some(false)),
                ("912 70 3456", Some(false)),
                ("912703456", Some(true)),
                ("912-93-3456", None),
                ("912-40-3456", None),
                ("812-90-3456", None),
                ("912-90-0000", None),
            ],
        );
    }

    #[test]
    fn slices_of_longer_runs() {
        let c = |before: &'static str, after: &'static str| Candidate {
            text: "912-90-3456",
            before: before.as_bytes(),
            after: after.as_bytes(),
            weak_counts: true,
        };
        assert!(slice_of_longer(&c("", " 1234")));
        assert!(slice_of_longer(&c("4821 ", "")));
        assert!(slice_of_longer(&c("12-", "")));
        assert!(!slice_of_longer(&c("ITIN: ", ", next")));
        assert!(!slice_of_longer(&c("", ". 12 days")));
        assert!(matches!(
            us_itin(&c("", " 1234"), &Ctx::default()),
            Verdict::Invalid(_)
        ));
    }

    #[test]
    fn dates() {
        assert!(valid_ymd(2000, 2, 29));
        assert!(!valid_ymd(1900, 2, 29));
        assert!(!valid_ymd(2023, 4, 31));
        assert!(!valid_ymd(2023, 13, 1));
        assert!(!valid_ymd(2023, 1, 0));
    }

    #[test]
    fn tfn() {
        run(
            au_tfn,
            &[
                ("123 456 782", Some(false)),
                ("123456782", Some(false)),
                ("876 543 211", None),
                ("123 456 789", None),
                ("111111111", None),
            ],
        );
    }

    #[test]
    fn medicare() {
        run(
            au_medicare,
            &[
                ("2123 45670 1", Some(false)),
                ("2123456701", Some(false)),
                ("21234567011", Some(false)),
                ("2123456781", None),
                ("7123456701", None),
                ("2123456700", None),
            ],
        );
    }

    #[test]
    fn nino() {
        run(
            uk_nino,
            &[
                ("AB 12 34 56 C", Some(false)),
                ("AB123456C", Some(false)),
                ("ab123456", Some(true)),
                ("KX903342", Some(true)),
                ("AB 12 34 56", Some(true)),
                ("AC00 0029", None),
                ("QQ123456C", None),
                ("DA123456C", None),
                ("GB123456A", None),
                ("AB123456E", None),
                ("AB12345", None),
            ],
        );
    }

    /// A NINO-shaped slice of a code-point table is none.
    #[test]
    fn nino_in_code_point_tables() {
        let at = |before: &'static [u8], text: &'static str, after: &'static [u8]| {
            let c = Candidate {
                text,
                before,
                after,
                weak_counts: true,
            };
            matches!(uk_nino(&c, &Ctx::default()), Verdict::Valid { .. })
        };
        assert!(!at(b"1100 ", "AC 00 00 29", b""));
        assert!(!at(b"", "AB123456", b" 0301"));
        assert!(at(b"NI number: ", "AB 12 34 56 C", b" (on file)"));
    }

    #[test]
    fn sin() {
        run(
            ca_sin,
            &[
                ("046 454 286", None),
                ("130 692 544", Some(false)),
                ("130692544", Some(false)),
                ("130 692 545", None),
                ("800 000 002", None),
            ],
        );
    }

    #[test]
    fn aadhaar() {
        assert!(verhoeff("2363"));
        assert!(!verhoeff("2364"));
        run(
            in_aadhaar,
            &[
                ("2345 6789 0124", Some(false)),
                ("2345 6789 0125", None),
                ("1345 6789 0124", None),
            ],
        );
    }

    #[test]
    fn cpf() {
        run(
            br_cpf,
            &[
                ("123.456.789-09", Some(false)),
                ("12345678909", Some(true)),
                ("123.456.789-00", None),
                ("111.111.111-11", None),
            ],
        );
    }

    #[test]
    fn dni() {
        run(
            es_dni,
            &[
                ("12345678Z", Some(false)),
                ("12345678-Z", Some(false)),
                ("X1234567L", Some(false)),
                ("12345678A", None),
                // K/L/M NIF: the control letter of the 7 digits (1234567 mod 23 = 19 → L).
                ("L1234567L", Some(false)),
                ("M1234567A", None),
            ],
        );
    }
}
