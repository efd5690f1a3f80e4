//! The ASCII twin of a pattern with a `value` group: where its `value` lies inside a match
//! that is all ASCII, found without the Unicode-sized automaton.
//!
//! Why: the regex crate finds a capture group by running a second engine over the match, and
//! for these patterns that engine is a bounded backtracker whose visited set is the NFA's
//! states times the match length. `date_of_birth` spells month names as `\p{L}{3,10}`, and
//! each `\p{L}` compiles to a UTF-8 automaton of its own, so clearing that set came before
//! every search: on a customer CSV export (callgrind, `-j1`) it took ~396 M `memset`
//! instructions, and the search ~50 M more, for 54,000 captures (of 6,788 M in all). The twin
//! is the same pattern with every class cut down to ASCII, where a class is a few byte ranges.
//!
//! Exact: a class is only ever tested against bytes of the haystack span, so on an all-ASCII
//! span a class and its ASCII part accept the same bytes; look-around assertions (word
//! boundaries, `\A`, `\z`) are kept as they are and see the same bytes either side of the span.
//! The caller first finds the match with the full regex, as the regex crate itself does, and
//! then asks the twin for the groups anchored to that match's span, as the regex crate's
//! capture engine is asked: leftmost-first over the same bytes picks the same path.

use std::ops::Range;

use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input, meta};
use regex_syntax::ParserBuilder;
use regex_syntax::hir::{
    Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind,
    Repetition,
};

/// A pattern's ASCII twin and the index of its `value` group.
#[derive(Debug, Clone)]
pub struct AsciiTwin {
    regex: meta::Regex,
    group: usize,
}

/// A thread's search state for one [`AsciiTwin`] (never shared, so never locked).
#[derive(Debug, Clone)]
pub struct TwinCache {
    cache: meta::Cache,
    caps: Captures,
}

impl AsciiTwin {
    /// Builds the twin of `pattern` (regex crate syntax, bytes mode, as `spec` compiles it),
    /// reporting capture group `group`. `None` if the pattern does not parse or compile here;
    /// the caller then keeps using the full regex, which is always correct.
    pub fn new(pattern: &str, group: usize) -> Option<Self> {
        // The settings the regex crate uses for `regex::bytes::Regex`: Unicode on, but a
        // pattern may match bytes that are not UTF-8 (`(?-u:…)`), and empty matches may split
        // a character.
        let hir = ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(pattern)
            .ok()?;
        let regex = meta::Builder::new()
            .configure(meta::Config::new().utf8_empty(false))
            .build_from_hir(&ascii_only(hir))
            .ok()?;
        (group
            < regex
                .group_info()
                .group_len(regex_automata::PatternID::ZERO))
        .then_some(AsciiTwin { regex, group })
    }

    /// A fresh search state for this twin.
    pub fn cache(&self) -> TwinCache {
        TwinCache {
            cache: self.regex.create_cache(),
            caps: self.regex.create_captures(),
        }
    }

    /// Where the `value` group lies in the match `whole` of `hay`, a match the full regex
    /// found. `None` if `whole` is not all ASCII (the twin does not apply: ask the full
    /// regex); `Some(None)` if the group did not take part in the match.
    pub fn value(
        &self,
        tc: &mut TwinCache,
        hay: &[u8],
        whole: Range<usize>,
    ) -> Option<Option<Range<usize>>> {
        if !hay.get(whole.clone())?.is_ascii() {
            return None;
        }
        let input = Input::new(hay).span(whole.clone()).anchored(Anchored::Yes);
        self.regex
            .search_captures_with(&mut tc.cache, &input, &mut tc.caps);
        // The full regex matched exactly `whole`; the twin must agree, or it is not used.
        let m = tc.caps.get_match()?;
        if m.range() != whole {
            return None;
        }
        Some(tc.caps.get_group(self.group).map(|s| s.range()))
    }
}

/// The ASCII twin of a whole pattern, for finding its matches in an all-ASCII span: `None`
/// when the pattern does not parse or compile here, or when cutting its classes to ASCII
/// changes nothing (the full regex is then as cheap).
///
/// Why: a class such as `\p{L}` or `[^\x00-\x7F]` compiles to a UTF-8 automaton of hundreds
/// of NFA states, and every lazy-DFA state built over it carries them; the reverse search
/// that finds a match's start built such states at ~38,000 instructions each (callgrind, a
/// 1.5 MB customer CSV). On a span of ASCII bytes the twin finds the same leftmost-first
/// match (see the module doc), so the caller uses it whenever the searched span is ASCII.
pub fn finder(pattern: &str) -> Option<meta::Regex> {
    let hir = ParserBuilder::new()
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let twin = ascii_only(hir.clone());
    if twin == hir {
        return None;
    }
    meta::Builder::new()
        .configure(meta::Config::new().utf8_empty(false))
        .build_from_hir(&twin)
        .ok()
}

/// `hir` with every character and byte class cut down to its ASCII part.
fn ascii_only(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(mut c)) => {
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(mut c)) => {
            c.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(ascii_only(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(ascii_only(*c.sub)),
            ..c
        }),
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(ascii_only).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.into_iter().map(ascii_only).collect()),
        // Literals stay as written: a non-ASCII one (`年`) cannot match an ASCII span anyway.
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Look(l) => Hir::look(l),
        HirKind::Empty => Hir::empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use regex::bytes::Regex;

    /// On every match of every built-in pattern with a `value` group (and of patterns written
    /// to stress the cut: case folding, Unicode classes next to ASCII ones, a group that may
    /// not take part), the twin reports the group the full regex reports, or declines; it
    /// declines exactly where the match is not all ASCII. Seeded texts mix dates, month names
    /// in several languages, greetings, obfuscated e-mails, addresses, non-ASCII letters and
    /// spaces, and bytes that are not UTF-8.
    #[test]
    fn twin_agrees_with_the_regex() {
        let mut patterns: Vec<String> = crate::detect::builtin::load(&[])
            .expect("built-in patterns load")
            .into_iter()
            .filter(|s| s.value_group.is_some() && !s.whole_cell)
            .map(|s| s.regex_src)
            .collect();
        assert!(patterns.len() >= 4, "{patterns:?}");
        patterns.extend(
            [
                r"(?i)(?P<value>\w+)\s+k",
                r"(?P<value>\p{Lu}\p{Ll}+)(?: (?P<other>\p{L}+))?(?-u:\b)",
                r"(?:x(?P<value>[0-9]+)|(?P<other>\S+))\s",
                r"\b(?P<value>\w{2,5})\b",
            ]
            .map(String::from),
        );
        let pieces: [&[u8]; 30] = [
            b"1985-03-12",
            b"12/03/1985",
            b"3 March 1985",
            b"12. ",
            "März".as_bytes(),
            "março".as_bytes(),
            b" de ",
            b"1985",
            b"1er janvier 1985",
            "1985年3月12日".as_bytes(),
            b"19850312",
            b"T10:06:05Z",
            b"Dear ",
            b"Mr. ",
            b"Jane Smith",
            "José Zoë".as_bytes(),
            b"jane [at] example [dot] com",
            b" at ",
            b"12 Example Street",
            b"Unit 4, 151 High Place",
            b"DOB: ",
            b"name: ",
            b" ",
            b", ",
            b"\n",
            "\u{a0}".as_bytes(),
            b"x42 ",
            b"k",
            b"\xff",
            "\u{212a}".as_bytes(),
        ];
        let mut rng = StdRng::seed_from_u64(7);
        let texts: Vec<Vec<u8>> = (0..3000)
            .map(|_| {
                let mut t = Vec::new();
                for _ in 0..rng.gen_range(1..=8) {
                    t.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
                }
                t
            })
            .collect();
        let (mut agreed, mut declined) = (0, 0);
        for p in &patterns {
            let regex = Regex::new(p).expect("pattern compiles");
            let group = regex
                .capture_names()
                .position(|n| n == Some("value"))
                .expect("a value group");
            let twin = AsciiTwin::new(p, group).expect("twin builds");
            let mut tc = twin.cache();
            let mut locs = regex.capture_locations();
            for t in &texts {
                let mut pos = 0;
                while let Some(m) = regex.captures_read_at(&mut locs, t, pos) {
                    let want = locs.get(group).map(|(s, e)| s..e);
                    match twin.value(&mut tc, t, m.range()) {
                        Some(got) => {
                            assert_eq!(got, want, "{p} on {t:?} at {:?}", m.range());
                            agreed += 1;
                        }
                        None => {
                            assert!(!t[m.range()].is_ascii(), "{p} declined {t:?}");
                            declined += 1;
                        }
                    }
                    pos = if m.end() > m.start() {
                        m.end()
                    } else {
                        m.end() + 1
                    };
                    if pos > t.len() {
                        break;
                    }
                }
            }
        }
        // Both paths are taken often enough for the comparison to mean something.
        assert!(
            agreed > 5_000 && declined > 500,
            "{agreed} agreed, {declined} declined"
        );
    }

    /// Wherever the searched span is all ASCII, a built-in pattern's finder finds the match
    /// the full regex finds (leftmost-first, searching from the same position), on seeded
    /// texts that also put non-ASCII bytes just before the span, where only look-around sees
    /// them. Patterns whose classes are all ASCII get no finder.
    #[test]
    fn finder_agrees_with_the_regex() {
        let specs = crate::detect::builtin::load(&[]).expect("built-in patterns load");
        let with: Vec<(Regex, meta::Regex)> = specs
            .iter()
            .filter(|s| !s.whole_cell)
            .filter_map(|s| Some((s.regex.clone(), finder(&s.regex_src)?)))
            .collect();
        let ids = |want: bool| -> Vec<&str> {
            specs
                .iter()
                .filter(|s| finder(&s.regex_src).is_some() == want)
                .map(|s| s.id.as_str())
                .collect()
        };
        let (have, lack) = (ids(true), ids(false));
        assert!(
            have.contains(&"email") && have.contains(&"date_of_birth"),
            "{have:?}"
        );
        assert!(
            lack.contains(&"us_ssn") && lack.contains(&"credit_card"),
            "{lack:?}"
        );
        let pieces: [&[u8]; 26] = [
            b"jane.doe@example.com",
            b"j@x.io",
            b"@",
            b"3 March 1985",
            b"1985-03-12",
            b"12. ",
            b" de ",
            b"Dear ",
            b"Mr. Jane Smith",
            b"jane [at] example [dot] com",
            b"12 Example Street",
            b"name: ",
            b"DOB: ",
            b"+61 491 570 156",
            b"4111 1111 1111 1111",
            b"192.0.2.44",
            b"AB 12 34 56 C",
            b" ",
            b", ",
            b"\n",
            b".",
            "é".as_bytes(),
            "José".as_bytes(),
            "\u{a0}".as_bytes(),
            b"\xff",
            b"K",
        ];
        let mut rng = StdRng::seed_from_u64(11);
        let (mut same, mut found) = (0, 0);
        for _ in 0..1500 {
            let mut t = Vec::new();
            for _ in 0..rng.gen_range(1..=8) {
                t.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            for (regex, f) in &with {
                let mut cache = f.create_cache();
                for pos in 0..=t.len() {
                    if !t[pos..].is_ascii() {
                        continue;
                    }
                    let want = regex.find_at(&t, pos).map(|m| m.range());
                    let got = f
                        .search_with(&mut cache, &Input::new(&t).span(pos..t.len()))
                        .map(|m| m.range());
                    assert_eq!(got, want, "{regex} on {t:?} from {pos}");
                    same += 1;
                    found += usize::from(got.is_some());
                }
            }
        }
        assert!(
            same > 50_000 && found > 5_000,
            "{same} compared, {found} matches"
        );
    }

    /// The twin of a Unicode class keeps only its ASCII part, and a class with none left
    /// cannot match.
    #[test]
    fn classes_are_cut_to_ascii() {
        let twin = AsciiTwin::new(r"(?P<value>\p{L}+)", 1).expect("builds");
        let mut tc = twin.cache();
        assert_eq!(twin.value(&mut tc, b"Jane", 0..4), Some(Some(0..4)));
        // Not ASCII: declined, whatever the full regex found.
        assert_eq!(twin.value(&mut tc, "Zoë".as_bytes(), 0..4), None);
        let none = AsciiTwin::new(r"(?P<value>[é-ü]+)", 1).expect("builds");
        let mut tc = none.cache();
        assert_eq!(none.value(&mut tc, b"abc", 0..3), None);
        // The cut itself (the lines above would pass without it): Unicode classes, case-folded
        // ones (`k` folds to the Kelvin sign) and byte classes keep exactly their ASCII part.
        let parse = |p: &str| {
            ParserBuilder::new()
                .utf8(false)
                .build()
                .parse(p)
                .expect("parses")
        };
        for (class, ascii) in [
            (r"\p{L}", r"[A-Za-z]"),
            (r"(?i)k", r"[Kk]"),
            (r"\s", r"[\t-\r ]"),
            (r"(?-u:[\x00-\xff])", r"(?-u:[\x00-\x7f])"),
            (r"[é-ü]", r"[^\x00-\x{10FFFF}]"),
        ] {
            assert_eq!(ascii_only(parse(class)), parse(ascii), "{class}");
        }
    }
}
