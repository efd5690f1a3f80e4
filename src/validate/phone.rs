//! Phone numbers, validated against libphonenumber's metadata (the `phonenumber` crate).

use phonenumber::{Mode, country};

use super::{Candidate, Ctx, Verdict, digits};

mod fast;
mod meta;

/// NANP regions write national numbers without a trunk prefix.
const NO_TRUNK_PREFIX: &[&str] = &["US", "CA"];

/// Validator `phone`.
///
/// International forms (`+CC…`, `00CC…`) are parsed without a region and are strong when valid.
/// National forms are tried in the default region, then the fallback regions; they must start
/// with that region's trunk prefix (`0` in AU/GB/DE/…), except in NANP; written without any
/// grouping they are `weak` (a bare national number is as often an id as a phone unless context
/// says otherwise).
/// The normalised value is E.164 (`+61412345678`).
pub fn phone(c: &Candidate<'_>, ctx: &Ctx) -> Verdict {
    let text = c.text.trim();
    if text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Verdict::Invalid("letters in number");
    }
    let international = text.starts_with('+') || text.starts_with("00");
    // Written in phone grouping (`0491 570 156`, `(02) 5550 1234`) it reads as a phone; a bare
    // run of digits is as likely an id, so it needs context to count. Refused first where it
    // could not: on source code that is most candidates, and the later checks allocate.
    let grouped = text
        .bytes()
        .any(|b| matches!(b, b' ' | b'-' | b'(' | b'.' | b'/'));
    if !grouped && !international && !c.weak_counts {
        return Verdict::Invalid("a bare run of digits, and nothing here lets a weak form count");
    }
    let ds = digits(text);
    if !(7..=15).contains(&ds.len()) {
        return Verdict::Invalid("phone numbers have 7-15 digits");
    }
    if looks_like_date_or_version(text) {
        return Verdict::Invalid("date, time or version shape");
    }
    if ds.bytes().all(|b| b == ds.as_bytes()[0]) {
        return Verdict::Invalid("repeated digit");
    }
    if let Some(why) = glued(c) {
        return Verdict::Invalid(why);
    }
    // A side that repeats this number's grouping holds another phone, not code points; a
    // number that starts with `+` or `(` starts there.
    let opens = text.starts_with(['+', '(']);
    let before = if opens || twin(c.text, c.before, true) {
        b""
    } else {
        c.before
    };
    let after = if twin(c.text, c.after, false) {
        b""
    } else {
        c.after
    };
    if super::checksum::in_code_point_table(before, after) {
        return Verdict::Invalid("one slice of a run of 4-hex-digit groups: a code-point table");
    }
    // Groups of exactly four digits (`0226 0304`, `0201.0020.0002`) are how code points,
    // collation weights and hex dumps are written; a national number is rarely grouped so.
    // Like an ungrouped run, such a number needs context, a phone field or a phone column.
    // `0069 0307 0301` reads as `+69…` but is three code points: `00` is no `+`.
    let quads = !text.starts_with('+') && {
        let mut groups = text.split([' ', '.', '-', '/']);
        groups.clone().count() >= 2
            && groups.all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    // `02110-1301`: a US ZIP+4 (the FSF's address in every GPL header), not a phone.
    let zip4 = !international && {
        let b = text.as_bytes();
        b.len() == 10 && b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit)
    };
    let quads = quads || zip4;
    if quads && !c.weak_counts {
        return Verdict::Invalid(
            "groups of four digits (a code-point shape), and nothing here lets a weak form count",
        );
    }
    if international {
        let e164 = if text.starts_with('+') {
            format!("+{ds}")
        } else {
            format!("+{}", &ds[2..])
        };
        return match parse_valid(None, &e164) {
            Some(n) if quads => Verdict::weak(n),
            Some(n) => Verdict::valid(n),
            None => Verdict::Invalid("not a valid number for its country code"),
        };
    }
    let regions = std::iter::once(ctx.region.as_str()).chain(
        ctx.fallback_regions
            .iter()
            .map(String::as_str)
            .filter(|r| *r != ctx.region),
    );
    for region in regions {
        let Ok(id) = region.parse::<country::Id>() else {
            continue;
        };
        if !NO_TRUNK_PREFIX.contains(&region) {
            match meta::by_id(region).and_then(|m| m.national_prefix) {
                Some(p) if ds.starts_with(p) => {}
                _ => continue,
            }
        } else if ds.len() != 10 && !(ds.len() == 11 && ds.starts_with('1')) {
            continue;
        }
        if let Some(n) = parse_valid(Some(id), &ds) {
            return if grouped && !quads {
                Verdict::valid(n)
            } else {
                Verdict::weak(n)
            };
        }
    }
    Verdict::Invalid("not valid in the default or fallback regions")
}

/// Regions tried for a national number written without a trunk prefix, after the default
/// and fallback regions: those whose numbers have no trunk `0` to drop (Spain `612 345 678`,
/// Norway, Denmark, Estonia, Cyprus, Italy, Portugal, Poland, Greece, …) and the Brazilian
/// area-code form (`(11) 3113-8192`). Each is tried only after a phone cue or in a phone field.
const WITHOUT_TRUNK: &[&str] = &[
    "ES", "PT", "IT", "PL", "NO", "DK", "EE", "CY", "GR", "CZ", "SK", "IS", "LU", "MT", "LV", "LT",
    "CH", "AT", "NL", "BE", "SE", "FI", "IE", "SG", "HK", "MX", "AR", "TR", "ZA", "CN", "KR",
];

/// Validator `phone_national`: a national number written without its trunk prefix (or in a
/// region that has none), valid in the default region, a fallback region or one of
/// `WITHOUT_TRUNK`. The pattern file lets it run only after a phone cue word or in a phone
/// field: bare 8–12 digit runs are mostly order numbers and ids, so it is never ungated.
/// A candidate that continues a longer number on either side (`+34 ⟨612 345 678⟩`, `030
/// ⟨12345678⟩`) is the phone detector's, not this one's.
pub fn phone_national(c: &Candidate<'_>, ctx: &Ctx) -> Verdict {
    let text = c.text.trim();
    if text.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Verdict::Invalid("letters in number");
    }
    let ds = digits(text);
    if !(8..=12).contains(&ds.len()) || ds.starts_with('0') {
        return Verdict::Invalid("8-12 digits without a trunk 0");
    }
    // What precedes, skipping one separator: a digit, `+` or `(` means this is the tail of a
    // longer number; likewise a digit after one separator on the right.
    let left = match c.before {
        [.., p, b' ' | b'-' | b'.' | b'/'] | [.., p] => Some(*p),
        [] => None,
    };
    if left
        .is_some_and(|b| b.is_ascii_digit() || b == b'+' || (b == b'(' && !text.starts_with('(')))
    {
        return Verdict::Invalid("the tail of a longer number");
    }
    if let [b' ' | b'-' | b'.' | b'/', d, ..] | [d, ..] = c.after
        && d.is_ascii_digit()
    {
        return Verdict::Invalid("continues into more digits");
    }
    if looks_like_date_or_version(text) || ds.bytes().all(|b| b == ds.as_bytes()[0]) {
        return Verdict::Invalid("date, version or repeated digit");
    }
    if let Some(why) = glued(c) {
        return Verdict::Invalid(why);
    }
    if super::checksum::in_code_point_table(c.before, c.after) {
        return Verdict::Invalid("one slice of a run of 4-hex-digit groups: a code-point table");
    }
    // Shapes that a cue word nearby does not make a phone: a decimal (`353207.547`), dotted
    // or three-plus groups of four digits (collation weights `1645.0020.0002` after a
    // character named TELEPHONE, code points), a year range (`2013-2015`).
    let groups: Vec<&str> = text
        .split([' ', '.', '-', '/', '(', ')'])
        .filter(|g| !g.is_empty())
        .collect();
    let seps = |b: u8| text.bytes().filter(|&x| x == b).count();
    if seps(b'.') == 1 && groups.len() == 2 {
        return Verdict::Invalid("a decimal number");
    }
    let quads = groups.len() >= 2 && groups.iter().all(|g| g.len() == 4);
    if quads && (seps(b'.') > 0 || groups.len() >= 3) {
        return Verdict::Invalid("groups of four digits: code points or collation weights");
    }
    let year = |g: &str| g.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y));
    if groups.len() == 2 && seps(b'-') == 1 && groups.iter().all(|g| year(g)) {
        return Verdict::Invalid("a range of years");
    }
    // `111-222-3333`: every group one repeated digit, a placeholder.
    if groups.len() >= 2
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b == g.as_bytes()[0]))
    {
        return Verdict::Invalid("each group one repeated digit: a placeholder");
    }
    let grouped = text
        .bytes()
        .any(|b| matches!(b, b' ' | b'-' | b'(' | b'.' | b'/'));
    // A bare run first on its line with words only after it is a row of a table keyed by
    // number (libphonenumber's own carrier files: `553199601|Vivo`, a cue word such as
    // `Celular` on the row above), not a number after a cue; one alone in its cell or after
    // words on its line is.
    let letters = |b: &[u8]| b.iter().any(|&x| x.is_ascii_alphabetic() || x >= 0x80);
    if !grouped && !letters(c.before) && letters(c.after) {
        return Verdict::Invalid("a bare number keying a row of a table");
    }
    let regions = std::iter::once(ctx.region.as_str())
        .chain(ctx.fallback_regions.iter().map(String::as_str))
        .chain(WITHOUT_TRUNK.iter().copied());
    for region in regions {
        let Ok(id) = region.parse::<country::Id>() else {
            continue;
        };
        if let Some(n) = parse_valid(Some(id), &ds) {
            return if grouped {
                Verdict::valid(n)
            } else {
                Verdict::weak(n)
            };
        }
    }
    Verdict::Invalid("not valid in any region tried")
}

/// Rejects a candidate that is a fragment of a larger token: glued to letters or digits (hex
/// ids, `v1234567`, UUID groups `-0491-5701-`), a decimal amount (`$ 1234567.50`), a
/// currency-prefixed price, a percentage, part of a dotted/dashed identifier, or a slice of a
/// longer space-grouped number (`4421 0470 9521 4564`).
fn glued(c: &Candidate<'_>) -> Option<&'static str> {
    let before = c.before;
    let after = c.after;
    let last = before.last().copied();
    if last.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Some("glued to a word or hex id");
    }
    // A separator that joins this number to more of the same token (`abc-0491…`, `…156-aabb`).
    let joiners = |b: u8| matches!(b, b'-' | b'_' | b'.' | b'/' | b'#');
    // Two numbers of the same grouping back to back (`0491 570 156 0491 570 157`,
    // `0491 570 156/0491 570 157`) are two phones, not one long id: the digit groups on that
    // side repeat this number's grouping, from a trunk `0` or `(` (see `twin`).
    let (left_twin, right_twin) = (twin(c.text, before, true), twin(c.text, after, false));
    // `1-541-754-3010`: the NANP country code written with a dash (or dot) before a
    // ten-digit number is a prefix, not a longer token: the `1` stands alone before it.
    let nanp_one = matches!(before, [.., b'1', b'-' | b'.'])
        && !before
            .len()
            .checked_sub(3)
            .and_then(|i| before.get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric() || joiners(*b))
        && digits(c.text).len() == 10;
    if last.is_some_and(joiners)
        && !nanp_one
        && !(last == Some(b'/') && left_twin)
        && before
            .len()
            .checked_sub(2)
            .and_then(|i| before.get(i))
            .is_some_and(u8::is_ascii_alphanumeric)
    {
        return Some("part of a dashed or dotted identifier");
    }
    // `…156-aabb` continues a dashed id; `…156,50` a decimal and `…12:30` a time. A comma or
    // colon followed by a letter is a delimiter (`0491 570 156,Olivia` in a CSV line).
    if let (Some(&a), Some(&b)) = (after.first(), after.get(1))
        && (joiners(a) && b.is_ascii_alphanumeric() && !(a == b'/' && right_twin)
            || (a == b',' || a == b':') && b.is_ascii_digit())
    {
        return Some("continues into a longer token, decimal or time");
    }
    if after.first().is_some_and(|&b| b == b'%') {
        return Some("percentage");
    }
    // `4421 0470 9521 4564`: groups of digits joined by single spaces run on past the match
    // to more digits than any phone number has (15, E.164), so the match is a slice of a card
    // or account number. Only spaces are followed: a date before a phone (`2024-03-07 0491
    // 570 156`) stays apart, and `-`/`.` joins are caught above. Two numbers of one grouping
    // side by side are kept apart by `twin` (and one starting with `+` or `(` starts there).
    // Still lost: national numbers in space-separated groups with one space between them
    // (`0491 570 156 0491 570 157`), which the pattern matches as one over-long candidate
    // before this validator sees either.
    let digits_in = |b: &[u8]| b.iter().filter(|b| b.is_ascii_digit()).count();
    let spaced = |bytes: &mut dyn Iterator<Item = &u8>| {
        let (mut n, mut run, mut last_space) = (0, 0, true);
        for &b in bytes {
            if b.is_ascii_digit() {
                run += 1;
                last_space = false;
            } else if b == b' ' && !last_space {
                n += run;
                run = 0;
                last_space = true;
            } else {
                break;
            }
        }
        // A run cut off by the edge of `before`/`after` still counts.
        n + run
    };
    // A number that starts with `+` or `(` starts there: what is before it is another token.
    let starts = c.text.trim_start().starts_with(['+', '(']);
    let left = match before {
        _ if starts || left_twin => 0,
        [.., d, b' '] if d.is_ascii_digit() => spaced(&mut before[..before.len() - 1].iter().rev()),
        _ => 0,
    };
    let right = match after {
        _ if right_twin => 0,
        [b' ', d, ..] if d.is_ascii_digit() => spaced(&mut after[1..].iter()),
        _ => 0,
    };
    if left + right > 0 && left + digits_in(c.text.as_bytes()) + right > 15 {
        return Some("part of a longer group of digits (card or account number)");
    }
    let tail = String::from_utf8_lossy(before);
    let tail = tail.trim_end();
    if tail.ends_with(['$', '€', '£', '¥', '₹'])
        || [
            "usd", "aud", "eur", "gbp", "jpy", "inr", "brl", "r$", "cad", "nzd",
        ]
        .iter()
        .any(|cur| tail.to_ascii_lowercase().ends_with(cur))
    {
        return Some("price");
    }
    None
}

/// Whether the digit groups next to a national number (`side`: the bytes before it when
/// `left`, else after it, one separator ` ` or `/` first) are whole repeats of its own grouping
/// and start with a trunk `0` as it does: `0491 570 156 ⟨0491 570 157⟩`, `0491570156
/// ⟨0491570157⟩`. A slice of a card or account number (`4421 ⟨0470 9521 4564⟩`) is not, nor is
/// a number in groups of four digits (the code-point and card shape).
fn twin(text: &str, side: &[u8], left: bool) -> bool {
    let t = text.trim().as_bytes();
    if t.first() != Some(&b'0') || !t.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
        return false;
    }
    let shape: Vec<usize> = t
        .split(|&b| b == b' ')
        .filter(|g| !g.is_empty())
        .map(<[u8]>::len)
        .collect();
    if shape.len() >= 2 && shape.iter().all(|&n| n == 4) {
        return false;
    }
    let (sep, rest) = match (left, side) {
        (true, [rest @ .., sep]) | (false, [sep, rest @ ..]) => (*sep, rest),
        _ => return false,
    };
    if sep != b' ' && sep != b'/' {
        return false;
    }
    // The run of digits and spaces on that side; one cut by the window's edge is not known
    // to be whole.
    let other = |b: &u8| !(b.is_ascii_digit() || *b == b' ');
    let run = if left {
        match rest.iter().rposition(other) {
            Some(i) => &rest[i + 1..],
            None if rest.len() < super::AROUND - 1 => rest,
            None => return false,
        }
    } else {
        match rest.iter().position(other) {
            Some(i) => &rest[..i],
            None if rest.len() < super::AROUND - 1 => rest,
            None => return false,
        }
    };
    // Its groups, nearest first, up to a double space (what lies beyond is apart anyway).
    let mut near: Vec<&[u8]> = if left {
        run.rsplit(|&b| b == b' ')
            .take_while(|g| !g.is_empty())
            .collect()
    } else {
        run.split(|&b| b == b' ')
            .take_while(|g| !g.is_empty())
            .collect()
    };
    if left {
        near.reverse();
    }
    !near.is_empty()
        && near.len().is_multiple_of(shape.len())
        && near.iter().enumerate().all(|(i, g)| {
            let k = i % shape.len();
            g.len() == shape[k] && (k != 0 || g.first() == Some(&b'0'))
        })
}

fn parse_valid(region: Option<country::Id>, s: &str) -> Option<String> {
    if let Some(decided) = fast::parse_valid(region.as_ref().map(|r| r.as_ref()), s) {
        return decided;
    }
    slow_parse_valid(region, s)
}

/// The `phonenumber` crate's own parse + validity check: the reference [`fast`] must agree with.
fn slow_parse_valid(region: Option<country::Id>, s: &str) -> Option<String> {
    let n = phonenumber::parse(region, s).ok()?;
    if !phonenumber::is_valid(&n) {
        return None;
    }
    Some(n.format().mode(Mode::E164).to_string())
}

/// `2024-01-05`, `12:30:45`, `1.2.3.4`-style shapes that digit counts alone let through.
fn looks_like_date_or_version(text: &str) -> bool {
    let groups: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let dots = text.bytes().filter(|&b| b == b'.').count();
    if text.contains(':') {
        return true;
    }
    // Dotted groups of 1-3 digits: versions and IPs, not phones — except the French and
    // Belgian habit of five pairs from a trunk 0 (`02.64.62.52.37`), which no IP and hardly a
    // version has.
    let french = groups.len() == 5 && groups.iter().all(|g| g.len() == 2) && text.starts_with('0');
    if dots >= 2 && groups.iter().all(|g| g.len() <= 3) && !french {
        return true;
    }
    // YYYY-MM-DD / DD-MM-YYYY with plausible month.
    if groups.len() == 3 {
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let month_ok = |g: &str| g.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m));
        if lens == [4, 2, 2] && month_ok(groups[1]) || lens == [2, 2, 4] && month_ok(groups[1]) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Verdict {
        phone(&Candidate::bare(text), &Ctx::default())
    }

    #[test]
    fn valid_numbers_normalise_to_e164() {
        // Numbers from ACMA's and Ofcom's ranges reserved for drama/fiction where possible.
        for (text, e164, weak) in [
            ("+61 491 570 156", "+61491570156", false),
            ("0491 570 156", "+61491570156", false),
            ("0491570156", "+61491570156", true),
            ("(02) 5550 1234", "+61255501234", false),
            ("+44 20 7946 0958", "+442079460958", false),
            ("0061 491 570 156", "+61491570156", false),
            ("+1 202-555-0143", "+12025550143", false),
        ] {
            match check(text) {
                Verdict::Valid {
                    normalised,
                    weak: w,
                } => {
                    assert_eq!(normalised, e164, "{text}");
                    assert_eq!(w, weak, "{text}");
                }
                v => panic!("{text}: {v:?}"),
            }
            // Where a weak form could not be reported, only the weak ones are refused.
            let c = Candidate {
                weak_counts: false,
                ..Candidate::bare(text)
            };
            match phone(&c, &Ctx::default()) {
                Verdict::Valid { weak: false, .. } => assert!(!weak, "{text}"),
                Verdict::Invalid(_) => assert!(weak, "{text}"),
                v => panic!("{text}: {v:?}"),
            }
        }
    }

    #[test]
    fn rejects_non_phones() {
        for text in [
            "2024-01-05",
            "12:30:45",
            "1.2.3.4",
            "1700000000",
            "0000000000",
            "123",
            "+99 123 456 789",
            "10.0.0.1",
            "0x1234567",
        ] {
            assert!(matches!(check(text), Verdict::Invalid(_)), "{text}");
        }
        for (before, text, after) in [
            ("3f2a9c1e-", "0491-5701-5600", "-aabbccddeeff"),
            ("$", "0491570156", ""),
            ("AUD ", "0491570156", ".00"),
            ("build ", "0491570156", ".3"),
            ("v", "0491570156", ""),
            ("", "0491570156", "%"),
            ("", "0491570156", ",50"),
            ("", "0491570156", ":30"),
            // A slice of a grouped card number, and a phone running into more digit groups.
            ("4421 ", "0470 9521 4564", ""),
            ("4421 0470 ", "9521 4564", ""),
            ("", "0491 570 156", " 1234 5678"),
            ("", "0491 570 156", " 0491 5701"),
            ("", "0491 570 156", "/0491"),
            ("1234 ", "0491 570 156", ""),
        ] {
            let c = Candidate {
                text,
                before: before.as_bytes(),
                after: after.as_bytes(),
                weak_counts: true,
            };
            assert!(
                matches!(phone(&c, &Ctx::default()), Verdict::Invalid(_)),
                "{before}{text}{after}"
            );
        }
    }

    /// Two numbers back to back in one cell are two phones: the same national grouping on
    /// the other side (space or slash between), or a second number starting with `+` or `(`.
    #[test]
    fn back_to_back_numbers_are_two_phones() {
        for (before, text, after) in [
            ("", "0491 570 156", " 0491 570 157"), // (the pattern still joins these two)
            ("0491 570 156 ", "0491 570 157", ""),
            ("", "0491 570 156", "/0491 570 157"),
            ("0491 570 156/", "0491 570 157", ""),
            ("0491570156 ", "0491570157", ""),
            ("Tel: 0491 570 156 ", "0491 570 157", " (mobile)"),
            ("0491 570 155 0491 570 156 ", "0491 570 157", ""),
            ("+61 491 570 156 ", "+61 491 570 157", ""),
            ("(02) 5550 1234 ", "(02) 5550 9876", ""),
            ("+1 212-555-0123 ", "+1 212-555-0187", ""),
        ] {
            let c = Candidate {
                text,
                before: before.as_bytes(),
                after: after.as_bytes(),
                weak_counts: true,
            };
            assert!(
                matches!(phone(&c, &Ctx::default()), Verdict::Valid { .. }),
                "{before}|{text}|{after}: {:?}",
                phone(&c, &Ctx::default())
            );
        }
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    /// Code-point tables and collation weights (Perl's and Python's Unicode data) are never a
    /// phone without context, in any region tried; with context a weak form may still count.
    #[test]
    fn code_point_shapes_need_context() {
        let ctx = Ctx {
            fallback_regions: ["GB", "DE", "FR", "US", "JP", "BR", "IN"]
                .map(String::from)
                .to_vec(),
            ..Ctx::default()
        };
        for (before, text, after) in [
            ("<isolated> ", "0633 0631", ""),
            ("[*", "0456.0020.0002", "]"),
            ("", "0201.0020.0002", ""),
            ("", "0226 0304", ""),
            ("", "0301 2345 6789", ""),
            ("5211 ", "5212 5213", ""),
            ("", "0491 5701", " 5702 5703"),
            ("Boston, MA ", "02110-1301", " USA"),
            ("", "0069 0307 0301", ""),
            ("", "0049 0049 0049", ""),
        ] {
            for weak_counts in [false, true] {
                let c = Candidate {
                    text,
                    before: before.as_bytes(),
                    after: after.as_bytes(),
                    weak_counts,
                };
                match phone(&c, &ctx) {
                    Verdict::Invalid(_) => {}
                    Verdict::Valid { weak: true, .. } if weak_counts => {}
                    v => panic!("{before}|{text}|{after} ({weak_counts}): {v:?}"),
                }
            }
        }
        // A usual grouping is untouched.
        assert!(matches!(
            phone(&Candidate::bare("0491 570 156"), &ctx),
            Verdict::Valid { weak: false, .. }
        ));
    }
}

#[cfg(test)]
mod delimiter_tests {
    use super::*;

    /// Commas and colons that separate fields are not part of the number; nor are digits
    /// nearby that are joined by something other than single spaces, or that stay within a
    /// phone number's length.
    #[test]
    fn field_delimiters_and_nearby_numbers_are_not_glue() {
        for (before, after) in [
            (",", ",Olivia"),
            ("phone: ", ":x"),
            ("", ", call after 5"),
            ("2024-03-07 ", ""),
            ("order 12 ", ""),
            ("", " 42"),
            ("10:22:01 ", ""),
            ("7  ", ""),
        ] {
            let c = Candidate {
                text: "0491 570 156",
                before: before.as_bytes(),
                after: after.as_bytes(),
                weak_counts: true,
            };
            assert!(
                matches!(phone(&c, &Ctx::default()), Verdict::Valid { .. }),
                "{before}|{after}"
            );
        }
    }
}

#[cfg(test)]
mod fast_tests {
    use super::*;

    /// The fast path must agree with the `phonenumber` crate on every number it decides.
    #[test]
    fn fast_path_agrees_with_phonenumber() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let prefixes = [
            "", "0", "04", "02", "03", "07", "08", "01", "020", "07911", "0800", "1", "2", "5",
            "61", "44", "001", "0011", "00", "011", "010", "0010", "00110", "0119",
        ];
        let codes = [
            "1", "44", "61", "64", "49", "33", "91", "55", "39", "7", "81", "86", "800", "979",
            "353", "27", "34", "31", "65", "852", "971", "380", "1242", "1876", "0",
        ];
        let regions = [
            None,
            Some(country::Id::AU),
            Some(country::Id::GB),
            Some(country::Id::US),
            Some(country::Id::CA),
            Some(country::Id::DE),
            Some(country::Id::NZ),
            Some(country::Id::IN),
            Some(country::Id::IT),
            Some(country::Id::AR),
            Some(country::Id::BR),
            Some(country::Id::JP),
        ];
        let (mut decided, mut total, mut idd) = (0, 0, 0);
        for i in 0..30_000 {
            let region = regions[i % regions.len()];
            let len = 5 + next(11) as usize;
            let mut s = match region {
                None => format!("+{}", codes[next(codes.len() as u64) as usize]),
                Some(_) => prefixes[next(prefixes.len() as u64) as usize].to_string(),
            };
            while s.trim_start_matches('+').len() < len {
                s.push(char::from(b'0' + next(10) as u8));
            }
            total += 1;
            let r = region.as_ref().map(|r| r.as_ref());
            if let Some(fast) = fast::parse_valid(r, &s) {
                decided += 1;
                // The crate's own reading: its region's IDD at the start, not followed by a 0.
                let after_idd = r
                    .and_then(|r| phonenumber::metadata::DATABASE.by_id(r))
                    .and_then(|m| m.international_prefix())
                    .and_then(|re| re.find(&s))
                    .is_some_and(|m| m.start() == 0 && !s[m.end()..].starts_with('0'));
                idd += usize::from(after_idd);
                assert_eq!(fast, slow_parse_valid(region, &s), "{region:?} {s}");
            }
        }
        // The fast path must actually take most inputs (the generator deliberately includes
        // shapes it hands back: national numbers starting with the country code), and inputs
        // starting with a region's international dialling prefix must have been decided here.
        assert!(
            decided * 4 > total * 3,
            "fast path decided {decided} of {total}"
        );
        assert!(
            idd > 1000,
            "only {idd} inputs after an international dialling prefix decided"
        );
    }
}
