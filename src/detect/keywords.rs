//! Finding trigger keywords: the occurrences of the patterns' `keywords` that count.
//!
//! A keyword that is a plain word (letters, digits, spaces, non-ASCII) must stand alone — in
//! the scripts that separate words; in Chinese, Japanese, Korean and Thai it may be glued to
//! the text around it (`word_bounded`); one with punctuation in it (`%40`, `[at]`) is a token
//! of its own and may be glued to the words around it. Matching is smart-case (as in ripgrep),
//! with Unicode case: a keyword written with an upper-case letter (`St`, `AAdvantage`) matches
//! only as written; one without matches lower-case, capitalised, title-cased and upper-case
//! (`passenger name`, `Passenger name`, `Passenger Name`, `PASSENGER NAME`; `téléphone`,
//! `Téléphone`, `TÉLÉPHONE`), the ways people write it — not every case mix.
//!
//! Why this shape (measured on 113 MB of source code, `-j1`, every detector on): a
//! case-insensitive automaton of the bare keywords stopped at every `st` inside `string` and
//! `dr` inside `draw` (~2 M raw occurrences against ~27 k standing alone) and cost a quarter of
//! the scan. Exact spellings with the word boundaries inside the automaton let the regex crate
//! skip to a handful of literals with a SIMD prefilter: 0.82 → 0.66 s for the whole scan. The
//! spellings go in two automata, the exact keywords and the spelled-out ones: in one, the
//! literal prefilter gave up (0.62 s with the name detector alone, against 0.12 + 0.10 s
//! apart). On short cells (CSV fields, JSON values) a regex search's fixed cost per call
//! outweighs its prefilter, so cells up to [`SHORT`] bytes go through one plain automaton of
//! every spelling instead (the dense corpus was 5–10% slower without this); both paths report
//! the same occurrences.

use std::cmp::Reverse;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex_automata::{Input, meta};

use super::compile::{EngineError, set_syntax};

/// Cells up to this long are searched with the plain automaton.
pub const SHORT: usize = 256;

/// One keyword occurrence: `start..end` in the cell, triggering [`Keywords::detectors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordHit {
    /// Start offset in the cell.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
    set: u8,
    pattern: u32,
}

/// Per-thread search state for [`Keywords::find`].
#[derive(Debug, Default)]
pub struct KeywordCache {
    /// One regex cache per set (the regex's own pool costs a lookup per call).
    caches: Vec<meta::Cache>,
    /// Raw occurrences of the short-cell automaton, before the boundary check.
    raw: Vec<KeywordHit>,
}

/// Some keywords in one automaton: pattern `i` of `re` is keyword `i`, which triggers the
/// detectors in `dets[i]` and must stand alone as a word when `plain[i]`.
#[derive(Debug)]
struct KeywordSet {
    re: meta::Regex,
    dets: Vec<Vec<u16>>,
    plain: Vec<bool>,
}

/// Every trigger keyword, compiled.
#[derive(Debug)]
pub struct Keywords {
    sets: Vec<KeywordSet>,
    /// Every spelling of every keyword; pattern `i` is `(set, pattern, plain)` in `spelled[i]`.
    short: AhoCorasick,
    spelled: Vec<(u8, u32, bool)>,
}

impl Keywords {
    /// Compiles `kws[i]`, which triggers the detectors `dets[i]`; `None` without keywords.
    pub fn new(kws: Vec<String>, dets: Vec<Vec<u16>>) -> Result<Option<Keywords>, EngineError> {
        let mut pairs: Vec<(String, Vec<u16>)> = kws.into_iter().zip(dets).collect();
        if pairs.is_empty() {
            return Ok(None);
        }
        // Longest first: of several keywords starting at one place, the longest wins (`Street`
        // over `St`), in both paths.
        pairs.sort_by_key(|(k, _)| Reverse(k.len()));
        let (exact, spelled): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| is_exact(k));
        let mut sets = Vec::new();
        let mut short_pats = Vec::new();
        let mut short_ids = Vec::new();
        for group in [exact, spelled] {
            if group.is_empty() {
                continue;
            }
            let set = sets.len() as u8;
            let mut pats = Vec::new();
            for (pattern, (k, _)) in group.iter().enumerate() {
                let plain = is_plain(k);
                let edge = |b: Option<u8>| {
                    if plain && b.is_some_and(is_word) {
                        "(?-u:\\b)"
                    } else {
                        ""
                    }
                };
                let forms = spellings(k);
                let body: Vec<String> = forms.iter().map(|f| regex_syntax::escape(f)).collect();
                pats.push(format!(
                    "{}(?:{}){}",
                    edge(k.bytes().next()),
                    body.join("|"),
                    edge(k.bytes().next_back())
                ));
                for f in forms {
                    short_pats.push(f);
                    short_ids.push((set, pattern as u32, plain));
                }
            }
            let re = meta::Regex::builder()
                .syntax(set_syntax())
                .configure(meta::Config::new().utf8_empty(false))
                .build_many(&pats)
                .map_err(Box::new)?;
            sets.push(KeywordSet {
                re,
                plain: group.iter().map(|(k, _)| is_plain(k)).collect(),
                dets: group.into_iter().map(|(_, d)| d).collect(),
            });
        }
        let short = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            // A full DFA: a few hundred short spellings make a small one, and short cells
            // leave a prefilter nothing to skip.
            .kind(Some(AhoCorasickKind::DFA))
            .prefilter(false)
            .build(&short_pats)?;
        Ok(Some(Keywords {
            sets,
            short,
            spelled: short_ids,
        }))
    }

    /// The detectors `hit` triggers.
    pub fn detectors(&self, hit: &KeywordHit) -> &[u16] {
        &self.sets[hit.set as usize].dets[hit.pattern as usize]
    }

    /// Appends the keyword occurrences in `text` that count to `out`: per set, leftmost
    /// first, the longest keyword at a place, non-overlapping.
    pub fn find(&self, text: &[u8], cache: &mut KeywordCache, out: &mut Vec<KeywordHit>) {
        if text.len() <= SHORT {
            self.find_short(text, cache, out);
            return;
        }
        if cache.caches.len() != self.sets.len() {
            cache.caches = self.sets.iter().map(|s| s.re.create_cache()).collect();
        }
        for (set, ks) in self.sets.iter().enumerate() {
            let mut at = 0;
            while at < text.len() {
                let input = Input::new(text).span(at..text.len());
                let Some(m) = ks.re.search_with(&mut cache.caches[set], &input) else {
                    break;
                };
                // The regex checks ASCII word bounds only; a keyword glued to an accented
                // letter (`né` in `néant`) is checked here, as the short path does, and the
                // search goes on inside it.
                let pattern = m.pattern().as_usize();
                if ks.plain[pattern] && !word_bounded(text, m.start(), m.end()) {
                    at = m.start() + 1;
                    continue;
                }
                // Keywords are never empty, so the search always moves on.
                at = m.end().max(at + 1);
                out.push(KeywordHit {
                    start: m.start(),
                    end: m.end(),
                    set: set as u8,
                    pattern: m.pattern().as_u32(),
                });
            }
        }
    }

    /// [`Keywords::find`] for a short cell: every raw occurrence, then the same choice the
    /// regex path makes.
    fn find_short(&self, text: &[u8], cache: &mut KeywordCache, out: &mut Vec<KeywordHit>) {
        let raw = self
            .short
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end(), m.pattern().as_u32()));
        self.choose(text, raw, cache, out);
    }

    /// Every raw occurrence of every short-cell spelling in `block` (start, end, spelling), in
    /// order of start, into `out`; `false` (and `out` emptied) when there are more than
    /// `cap`, so that a hostile block cannot grow the list without bound.
    ///
    /// One pass of the automaton over a whole block costs a few instructions a byte; run once
    /// per short cell it cost a fixed start-up per call on top (~400 instructions a CSV
    /// field). The occurrences lying wholly inside a cell are the ones the automaton finds in
    /// the cell alone: it matches without look-around, so the bytes around the cell cannot
    /// change what it finds inside.
    pub fn block_occurrences(
        &self,
        block: &[u8],
        cap: usize,
        out: &mut Vec<(usize, usize, u32)>,
    ) -> bool {
        out.clear();
        for m in self.short.find_overlapping_iter(block) {
            if out.len() >= cap {
                out.clear();
                return false;
            }
            out.push((m.start(), m.end(), m.pattern().as_u32()));
        }
        // Overlapping matches come in order of end.
        out.sort_unstable_by_key(|o| o.0);
        true
    }

    /// [`Keywords::find`] for a short cell whose raw occurrences are known: `raw` holds, with
    /// offsets into `text`, every occurrence [`Keywords::block_occurrences`] found inside it.
    pub fn find_known(
        &self,
        text: &[u8],
        raw: impl Iterator<Item = (usize, usize, u32)>,
        cache: &mut KeywordCache,
        out: &mut Vec<KeywordHit>,
    ) {
        debug_assert!(text.len() <= SHORT);
        self.choose(text, raw, cache, out);
    }

    /// From the raw occurrences of the short-cell spellings in `text`: the ones that count,
    /// chosen as the regex path chooses.
    fn choose(
        &self,
        text: &[u8],
        found: impl Iterator<Item = (usize, usize, u32)>,
        cache: &mut KeywordCache,
        out: &mut Vec<KeywordHit>,
    ) {
        let raw = &mut cache.raw;
        raw.clear();
        for (start, end, id) in found {
            let (set, pattern, plain) = self.spelled[id as usize];
            if plain && !word_bounded(text, start, end) {
                continue;
            }
            raw.push(KeywordHit {
                start,
                end,
                set,
                pattern,
            });
        }
        raw.sort_unstable_by_key(|h| (h.set, h.start, Reverse(h.end)));
        let mut last: Option<(u8, usize)> = None;
        for h in raw.iter() {
            if last.is_some_and(|(set, end)| set == h.set && h.start < end) {
                continue;
            }
            last = Some((h.set, h.end));
            out.push(*h);
        }
    }
}

/// A keyword written with an upper-case letter (of any script) matches only as written.
fn is_exact(k: &str) -> bool {
    k.chars().any(char::is_uppercase)
}

/// A plain keyword must stand alone as a word.
fn is_plain(k: &str) -> bool {
    k.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b >= 0x80)
}

/// A byte of a word. `_` joins words into identifiers: `RING` in `IORING_OFF_PBUF_RING` is not
/// the word "ring".
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when `text[s..e]` is not glued to a word character on either side. An edge that is
/// itself punctuation (`[at]`, `%40`) is its own boundary.
///
/// Letters and digits of every script are word characters (`né` does not stand alone in
/// `néant`, nor `tel` in `telé`), except the scripts written without spaces between words
/// (CJK, kana, Hangul, Thai: see [`unspaced`]): `電話` stands alone in `電話番号`, as a
/// Japanese reader sees it, and `전화` in `전화번호는`.
pub(crate) fn word_bounded(text: &[u8], s: usize, e: usize) -> bool {
    let left = s == 0 || !word_at(&text[s..]) || !word_before(&text[..s]);
    let right = e >= text.len() || !word_before(&text[..e]) || !word_at(&text[e..]);
    left && right
}

/// Whether the character starting `b` is a word character (see [`word_bounded`]).
fn word_at(b: &[u8]) -> bool {
    match b.first() {
        None => false,
        Some(&c) if c < 0x80 => is_word(c),
        Some(&c) => {
            let len = match c {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            char_word(b.get(..len))
        }
    }
}

/// Whether the character ending `b` is a word character.
fn word_before(b: &[u8]) -> bool {
    match b.last() {
        None => false,
        Some(&c) if c < 0x80 => is_word(c),
        Some(_) => {
            // Back over at most three continuation bytes to the lead byte.
            let mut k = b.len() - 1;
            while k > 0 && b.len() - k < 4 && b[k] & 0xc0 == 0x80 {
                k -= 1;
            }
            char_word(b.get(k..))
        }
    }
}

/// A non-ASCII character given as its UTF-8 bytes; invalid or cut bytes are no word.
fn char_word(b: Option<&[u8]>) -> bool {
    let Some(c) = b
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|s| s.chars().next())
    else {
        return false;
    };
    c.is_alphanumeric() && !unspaced(c)
}

/// Scripts written without spaces between words: a keyword in them has no word bounds.
fn unspaced(c: char) -> bool {
    matches!(c,
        '\u{0e00}'..='\u{0eff}'       // Thai, Lao
        | '\u{1100}'..='\u{11ff}'     // Hangul Jamo
        | '\u{3040}'..='\u{30ff}'     // Hiragana, Katakana
        | '\u{3130}'..='\u{318f}'     // Hangul compatibility Jamo
        | '\u{3400}'..='\u{4dbf}'     // CJK extension A
        | '\u{4e00}'..='\u{9fff}'     // CJK unified ideographs
        | '\u{ac00}'..='\u{d7af}'     // Hangul syllables
        | '\u{f900}'..='\u{faff}'     // CJK compatibility ideographs
        | '\u{ff66}'..='\u{ff9f}'     // half-width Katakana
        | '\u{20000}'..='\u{3ffff}') // CJK extensions B..
}

/// The spellings keyword `k` matches (see the module docs).
fn spellings(k: &str) -> Vec<String> {
    if is_exact(k) {
        return vec![k.to_string()];
    }
    let mut v = vec![
        k.to_string(),
        capitalise(k, false),
        capitalise(k, true),
        k.to_uppercase(),
    ];
    // Dedup the whole list: `電話` is the same in every case, and `né` capitalised once or per
    // word is `Né` both times, but `TÉLÉPHONE` may equal nothing before it.
    let mut seen = Vec::with_capacity(v.len());
    v.retain(|s| {
        let new = !seen.contains(s);
        if new {
            seen.push(s.clone());
        }
        new
    });
    v
}

/// `k` with its first letter (or, with `every_word`, each word's) upper-cased, in any script
/// that has case (`téléphone` → `Téléphone`, `état civil` → `État Civil`).
fn capitalise(k: &str, every_word: bool) -> String {
    let mut out = String::with_capacity(k.len());
    let mut up = true;
    for c in k.chars() {
        if up && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
            up |= every_word && c == ' ';
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(kws: &[&str]) -> Keywords {
        let dets = (0..kws.len() as u16).map(|i| vec![i]).collect();
        Keywords::new(kws.iter().map(|k| k.to_string()).collect(), dets)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("keywords {kws:?} did not build"))
    }

    fn found(k: &Keywords, text: &str, long: bool) -> Vec<(usize, usize, Vec<u16>)> {
        let mut cache = KeywordCache::default();
        let mut out = Vec::new();
        if long {
            // Pad past `SHORT` so the regex path runs; offsets are reported unpadded.
            let pad = " ".repeat(SHORT + 1);
            let t = format!("{pad}{text}");
            k.find(t.as_bytes(), &mut cache, &mut out);
            for h in &mut out {
                h.start -= pad.len();
                h.end -= pad.len();
            }
        } else {
            k.find_short(text.as_bytes(), &mut cache, &mut out);
        }
        let mut v: Vec<_> = out
            .iter()
            .map(|h| (h.start, h.end, k.detectors(h).to_vec()))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn smart_case_boundaries_and_longest_first() {
        let k = build(&["St", "Street", "name", "full name", "[at]", "%40", "旅券"]);
        for long in [false, true] {
            // Exact keywords only as written; spelled ones in the four usual spellings.
            assert_eq!(found(&k, "12 Example St", long), vec![(11, 13, vec![0])]);
            assert!(found(&k, "12 example st", long).is_empty());
            assert_eq!(
                found(&k, "12 Example Street", long),
                vec![(11, 17, vec![1])]
            );
            assert_eq!(found(&k, "NAME: X", long), vec![(0, 4, vec![2])]);
            assert_eq!(found(&k, "Full Name: X", long), vec![(0, 9, vec![3])]);
            assert!(found(&k, "nAmE: X", long).is_empty());
            // Plain words stand alone; punctuated keywords may be glued.
            assert!(found(&k, "String filename", long).is_empty());
            assert_eq!(found(&k, "jane[AT]example", long), vec![(4, 8, vec![4])]);
            assert_eq!(found(&k, "jane%40example", long), vec![(4, 7, vec![5])]);
            assert_eq!(found(&k, "旅券番号", long), vec![(0, 6, vec![6])]);
        }
    }

    #[test]
    fn accented_and_cjk_keywords_fold_case_and_bound_words_by_script() {
        let k = build(&["téléphone", "né", "état civil", "電話", "전화"]);
        for long in [false, true] {
            // Case folds beyond ASCII: every usual spelling of an accented keyword.
            for t in ["téléphone", "Téléphone", "TÉLÉPHONE"] {
                assert_eq!(found(&k, t, long), vec![(0, t.len(), vec![0])], "{t}");
            }
            assert_eq!(found(&k, "État Civil:", long), vec![(0, 11, vec![2])]);
            // An accented keyword stands alone: not inside `néant` or `nées`, nor after `é`.
            assert_eq!(found(&k, "né le 2", long), vec![(0, 3, vec![1])]);
            assert!(found(&k, "néant", long).is_empty());
            assert!(found(&k, "renée", long).is_empty());
            assert!(found(&k, "éné", long).is_empty());
            // Scripts without spaces have no word bounds.
            assert_eq!(found(&k, "電話番号", long), vec![(0, 6, vec![3])]);
            assert_eq!(found(&k, "携帯電話:", long), vec![(6, 12, vec![3])]);
            assert_eq!(found(&k, "전화번호는", long), vec![(0, 6, vec![4])]);
        }
    }

    #[test]
    fn short_and_long_paths_agree() {
        let k = build(&[
            "Street",
            "St",
            "Dr",
            "Drive",
            "name",
            "full name",
            "dot",
            "[at]",
            "(at)",
            "%40",
            "passport",
            "AAdvantage",
            "téléphone",
            "né",
            "電話",
        ]);
        let words = [
            "St",
            "Street",
            "Dr",
            "Drive",
            "name",
            "Name",
            "NAME",
            "full",
            "Full",
            "dot",
            "DOT",
            "[at]",
            "(at)",
            "%40",
            "passport",
            "Passport",
            "AAdvantage",
            "x",
            "12",
            "_",
            " ",
            "-",
            "String",
            "filename",
            "Drs",
            "é",
            "\n",
            "téléphone",
            "TÉLÉPHONE",
            "né",
            "Né",
            "née",
            "電話",
            "番号",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..2000 {
            let mut text = String::new();
            for _ in 0..1 + round % 12 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(words[(seed % words.len() as u64) as usize]);
                if seed & 0x100 != 0 {
                    text.push(' ');
                }
            }
            assert_eq!(found(&k, &text, false), found(&k, &text, true), "{text:?}");
        }
    }
}
