//! Dates of birth: parse the common written forms, then check the date is a plausible birth date.

use super::{Candidate, Ctx, Verdict};

const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
];

/// Month number from an English month name or its 3+ letter abbreviation.
pub fn month_from_name(word: &str) -> Option<u8> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(name, _)| name.starts_with(&w) && (w.len() >= 3))
        .map(|&(_, m)| m)
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
    let parts: Vec<&str> = t
        .split([' ', ',', '/', '-', '.'])
        .filter(|p| !p.is_empty())
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
        for suf in ["st", "nd", "rd", "th"] {
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
