//! Dates of birth: parse the common written forms, then check the date is a plausible birth date.

use super::{Candidate, Ctx, Verdict};

/// Month names in English, German, French, Portuguese, Spanish and Italian (lower case).
const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("januar", 1),
    ("janvier", 1),
    ("janeiro", 1),
    ("enero", 1),
    ("gennaio", 1),
    ("jänner", 1),
    ("february", 2),
    ("februar", 2),
    ("février", 2),
    ("fevrier", 2),
    ("fevereiro", 2),
    ("febrero", 2),
    ("febbraio", 2),
    ("march", 3),
    ("märz", 3),
    ("maerz", 3),
    ("mars", 3),
    ("março", 3),
    ("marco", 3),
    ("marzo", 3),
    ("april", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("maio", 5),
    ("mayo", 5),
    ("maggio", 5),
    ("june", 6),
    ("juni", 6),
    ("juin", 6),
    ("junho", 6),
    ("junio", 6),
    ("giugno", 6),
    ("july", 7),
    ("juli", 7),
    ("juillet", 7),
    ("julho", 7),
    ("julio", 7),
    ("luglio", 7),
    ("august", 8),
    ("août", 8),
    ("aout", 8),
    ("agosto", 8),
    ("september", 9),
    ("septembre", 9),
    ("setembro", 9),
    ("septiembre", 9),
    ("settembre", 9),
    ("sept", 9),
    ("october", 10),
    ("oktober", 10),
    ("octobre", 10),
    ("outubro", 10),
    ("octubre", 10),
    ("ottobre", 10),
    ("november", 11),
    ("novembre", 11),
    ("novembro", 11),
    ("noviembre", 11),
    ("december", 12),
    ("dezember", 12),
    ("décembre", 12),
    ("decembre", 12),
    ("dezembro", 12),
    ("diciembre", 12),
    ("dicembre", 12),
];

/// Month number from a month name or an abbreviation of 3+ letters, in any of the languages of
/// `MONTHS`; an abbreviation that two months share (`jui`) is rejected.
pub fn month_from_name(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 {
        return None;
    }
    let mut found = None;
    for &(name, m) in MONTHS {
        if name.starts_with(&w) {
            match found {
                Some(f) if f != m => return None,
                _ => found = Some(m),
            }
        }
    }
    found
}

/// Days in `month` of `year` (proleptic Gregorian).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses ISO `YYYY-MM-DD` (also `/` and `.`), `YYYYMMDD`, `DD/MM/YYYY` (`-`, `.`),
/// `MM/DD/YYYY` when the first number cannot be a day-of-month ≤ 12 ambiguity (or `us_order`),
/// `D Month YYYY` and `Month D, YYYY`. Returns (year, month, day) without checking plausibility.
pub fn parse_date(text: &str, us_order: bool) -> Option<(i32, u8, u8)> {
    let t = text.trim();
    // `de` joins Portuguese/Spanish dates ("12 de março de 1985"); CJK dates use 年月日.
    let parts: Vec<&str> = t
        .split([' ', ',', '/', '-', '.', '年', '月', '日', '년', '월', '일'])
        .filter(|p| !p.is_empty() && *p != "de" && *p != "del")
        .collect();
    let num = |s: &str| -> Option<u32> {
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() && s.len() <= 4 {
            s.parse().ok()
        } else {
            None
        }
    };
    let strip_ordinal = |s: &str| -> String {
        let lower = s.to_ascii_lowercase();
        for suf in ["st", "nd", "rd", "th", "er", "º", "."] {
            if let Some(p) = lower.strip_suffix(suf)
                && p.bytes().all(|b| b.is_ascii_digit())
                && !p.is_empty()
            {
                return p.to_string();
            }
        }
        lower
    };
    let ymd = match parts.as_slice() {
        [one] if one.len() == 8 && one.bytes().all(|b| b.is_ascii_digit()) => {
            let y = one[..4].parse().ok()?;
            let m = one[4..6].parse().ok()?;
            let d = one[6..].parse().ok()?;
            (y, m, d)
        }
        [a, b, c] => {
            if let (Some(x), Some(y), Some(z)) = (num(a), num(b), num(c)) {
                if a.len() == 4 {
                    (x as i32, y as u8, z as u8)
                } else if c.len() == 4 {
                    let (d, m) = if x > 12 || (!us_order && y <= 12) {
                        (x, y)
                    } else {
                        (y, x)
                    };
                    (z as i32, m as u8, d as u8)
                } else {
                    return None;
                }
            } else if let (Some(d), Some(m), Some(y)) =
                (num(&strip_ordinal(a)), month_from_name(b), num(c))
            {
                (y as i32, m, d as u8)
            } else if let (Some(m), Some(d), Some(y)) =
                (month_from_name(a), num(&strip_ordinal(b)), num(c))
            {
                (y as i32, m, d as u8)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let (y, m, d) = ymd;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || !(1000..=9999).contains(&y) {
        return None;
    }
    Some((y, m, d))
}

/// Validator `date_of_birth`: a real calendar date, not in the future, at most 120 years ago.
/// Normalised as ISO `YYYY-MM-DD`, so `12/03/1985` and `1985-03-12` link.
pub fn date_of_birth(c: &Candidate<'_>, ctx: &Ctx) -> Verdict {
    let us = ctx.region == "US";
    let Some((y, m, d)) = parse_date(c.text, us) else {
        return Verdict::Invalid("not a calendar date");
    };
    let (ty, tm, td) = ctx.today;
    if (y, m, d) > (ty, tm, td) {
        return Verdict::Invalid("date in the future");
    }
    if y < ty - 120 {
        return Verdict::Invalid("more than 120 years ago");
    }
    Verdict::valid(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            today: (2026, 11, 25),
            ..Ctx::default()
        }
    }

    #[test]
    fn parses_written_forms() {
        for (text, want) in [
            ("1985-03-12", "1985-03-12"),
            ("1985/03/12", "1985-03-12"),
            ("19850312", "1985-03-12"),
            ("12/03/1985", "1985-03-12"),
            ("25/12/1990", "1990-12-25"),
            ("12/25/1990", "1990-12-25"),
            ("12.03.1985", "1985-03-12"),
            ("3 March 1985", "1985-03-03"),
            ("3rd Mar 1985", "1985-03-03"),
            ("March 3, 1985", "1985-03-03"),
            ("29/02/2000", "2000-02-29"),
            ("12. März 1985", "1985-03-12"),
            ("12 mars 1985", "1985-03-12"),
            ("12 de março de 1985", "1985-03-12"),
            ("1985年3月12日", "1985-03-12"),
            ("12-Dez-1985", "1985-12-12"),
            ("1er janvier 1985", "1985-01-01"),
        ] {
            assert_eq!(
                date_of_birth(&Candidate::bare(text), &ctx()),
                Verdict::valid(want),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_implausible() {
        for text in [
            "2027-01-01",
            "1850-01-01",
            "31/02/1990",
            "29/02/2001",
            "1985-13-01",
            "12345678",
            "Smarch 3, 1985",
            "3 March",
        ] {
            assert!(
                matches!(
                    date_of_birth(&Candidate::bare(text), &ctx()),
                    Verdict::Invalid(_)
                ),
                "{text}"
            );
        }
    }
}
