//! The `phonenumber` crate's parse + `is_valid`, for digit-only input, without its regex cache.
//!
//! `phonenumber` keeps every metadata regex in one process-wide `Mutex<LruCache>` of 100
//! entries, locked for the duration of each match. A validity check walks a region's ten
//! descriptor patterns, and a `+1` number walks the leading-digit patterns of ~25 NANP regions,
//! so the cache thrashes (regexes are recompiled constantly: ~40 % of a scan's time was spent
//! compiling regexes) and two scanning threads serialise on the lock (`-j2` was no faster than
//! `-j1`). Profiled on a customer export, phone validation was 42 % of all time.
//!
//! This module replays the crate's algorithm (`parser::parse_with`, `helper::country_code`,
//! `helper::national_number`, `validator::{source_for, number_type, length}`) step for step on
//! the same metadata (the static tables of [`super::meta`], so the crate's database is never
//! built on this path), but each pattern is compiled once per thread (keyed by the address of
//! its source string in those tables) and matched without a lock. Every pattern use keeps
//! the crate's semantics — "`find` and the match starts at 0" is compiled as an anchored
//! pattern, which is equivalent for leftmost-first matching. Inputs that would take one of the
//! crate's rarer paths (a national number starting with the country code, very long numbers)
//! return `None` and the caller asks the crate itself. A differential test checks both agree
//! on many generated numbers.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use super::meta::{self, Desc, Meta};
use regex::{Regex, RegexBuilder};
use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::{Anchored, Input};

/// `phonenumber::consts`.
const MIN_LENGTH_FOR_NSN: usize = 2;
const MAX_LENGTH_FOR_NSN: usize = 17;
const MAX_LENGTH_FOR_COUNTRY_CODE: usize = 3;

/// Hashes a pointer-sized key with one multiply (the keys are addresses: already unique).
#[derive(Default)]
struct AddrHasher(u64);

impl Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u8(&mut self, n: u8) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// This thread's compiled patterns, keyed by (address of the source string inside the static
/// tables, anchored?). `Rc` so a lookup can hand one out without keeping the cache borrowed
/// (lookups nest). A pattern that fails to compile is cached as `None` (the caller falls back).
type Cache = HashMap<(usize, bool), Option<Rc<Regex>>, BuildHasherDefault<AddrHasher>>;

/// This thread's anchored DFAs (see [`prefix_dfa`]), keyed like [`Cache`]; `None` where the
/// DFA could not be built.
type PrefixCache = HashMap<usize, Option<Rc<dense::DFA<Vec<u32>>>>, BuildHasherDefault<AddrHasher>>;

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(HashMap::default());
    static PREFIX: RefCell<PrefixCache> = RefCell::new(HashMap::default());
}

/// This thread's compiled copy of the pattern `src`, anchored at the start or as written.
/// Compiled without Unicode classes: the input is ASCII digits, on which `\d` means the same.
fn compiled(src: &str, anchored: bool) -> Option<Rc<Regex>> {
    let key = (src.as_ptr() as usize, anchored);
    CACHE.with(|cache| {
        cache
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| {
                let pattern = if anchored {
                    format!("^(?:{src}\n)")
                } else {
                    src.to_string()
                };
                RegexBuilder::new(&pattern)
                    .ignore_whitespace(true)
                    .unicode(false)
                    .build()
                    .ok()
                    .map(Rc::new)
            })
            .clone()
    })
}

/// `regex.find(value).map(|m| m.start() == 0)`.
fn starts_with_match(src: &str, value: &str) -> Option<bool> {
    let key = src.as_ptr() as usize;
    let dfa = PREFIX.with(|cache| {
        cache
            .borrow_mut()
            .entry(key)
            .or_insert_with(|| prefix_dfa(src).map(Rc::new))
            .clone()
    });
    match dfa {
        Some(dfa) => {
            let input = Input::new(value).anchored(Anchored::Yes).earliest(true);
            Some(dfa.try_search_fwd(&input).ok()?.is_some())
        }
        None => compiled(src, true).map(|r| r.is_match(value)),
    }
}

/// A fully built DFA matching `src` at the start of the input, or `None` if it cannot be built
/// within bounds (the regex crate is used then).
///
/// Why: a validity check asks ten or more of these questions of a ten-digit string, and the
/// regex crate's fixed cost per search (engine choice, cache pool) outweighed the search
/// itself; a dense DFA's anchored search is a table walk of the string's bytes. Matching
/// anchored and stopping at the first match state answers "is there a match starting at 0",
/// which is what `find` + `start() == 0` asks under leftmost-first semantics. Built per thread
/// on first use: the DFAs of all 1,676 patterns in the metadata take 1.9 MB together.
fn prefix_dfa(src: &str) -> Option<dense::DFA<Vec<u32>>> {
    dense::Builder::new()
        .syntax(
            regex_automata::util::syntax::Config::new()
                .ignore_whitespace(true)
                .unicode(false),
        )
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(1 << 20))
                .determinize_size_limit(Some(1 << 20)),
        )
        .build(src)
        .ok()
}

/// `Descriptor::is_match`. `None` if a pattern failed to compile (the caller falls back).
fn desc_match(d: &Desc, value: &str) -> Option<bool> {
    let lens = d.lengths;
    if !lens.is_empty() && !lens.contains(&(value.len() as u16)) {
        return Some(false);
    }
    starts_with_match(d.pattern, value)
}

/// A region's number-type descriptors in the order `validator::number_type` tries them.
fn type_descriptors(meta: &Meta) -> impl Iterator<Item = &Desc> {
    meta.types.iter().flatten()
}

/// `validator::number_type(meta, value) != Type::Unknown`.
fn has_type(meta: &Meta, value: &str) -> Option<bool> {
    if !desc_match(&meta.general, value)? {
        return Some(false);
    }
    for t in type_descriptors(meta) {
        if desc_match(t, value)? {
            return Some(true);
        }
    }
    Some(false)
}

/// `validator::source_for` followed by the metadata lookup every caller does with it.
fn source_meta(code: u16, national: &str) -> Option<Option<&'static Meta>> {
    let Some(mut records) = meta::region_records(code) else {
        return Some(None);
    };
    if records.len() == 1 {
        return Some(records.next().flatten());
    }
    for meta in records {
        let meta = meta?;
        let hit = match meta.leading_digits {
            Some(re) => starts_with_match(re, national)?,
            None => has_type(meta, national)?,
        };
        if hit {
            return Some(Some(meta));
        }
    }
    Some(None)
}

/// `validator::length(meta, number, Type::Unknown) == Validation::TooShort`.
fn too_short(meta: &Meta, len: usize) -> bool {
    let local = meta.general.local;
    // The crate reads the general lengths whichever branch it takes for `Type::Unknown`.
    let possible = meta.general.lengths;
    let Some(&min) = possible.first() else {
        return false;
    };
    let len = len as u16;
    !local.contains(&len) && len != min && len < min
}

/// `helper::national_number` (national prefix for parsing, transform rule, carrier code).
fn national_number(meta: &Meta, national: String) -> Option<String> {
    let Some(parsing) = meta.national_prefix_for_parsing else {
        if let Some(prefix) = meta.national_prefix
            && national.starts_with(prefix)
        {
            return Some(national[prefix.len()..].to_string());
        }
        return Some(national);
    };
    let general = &meta.general;
    let re = compiled(parsing, false)?;
    let Some(m) = re.find(&national) else {
        return Some(national);
    };
    if m.start() != 0 {
        return Some(national);
    }
    let (start, end) = (m.start(), m.end());
    let caps = re.captures(&national)?;
    let last = caps.get(caps.len() - 1).map(|m| m.as_str().to_owned());
    let viable = desc_match(general, &national)?;
    match meta.national_prefix_transform_rule {
        Some(transform) if last.is_some() => {
            let transformed = re.replace(&national, transform).into_owned();
            if viable && !desc_match(general, &transformed)? {
                return Some(national);
            }
            Some(transformed)
        }
        _ => {
            if viable && !desc_match(general, &national[start..])? {
                return Some(national);
            }
            Some(national[end..].to_string())
        }
    }
}

/// `helper::country_code` after a `+` or an international dialling prefix: the first 1–3 digits
/// that are a known country code, and the rest. `Some(None)` where the crate fails the parse
/// (too short, a leading 0, no known code).
fn split_country_code(digits: &str) -> Option<Option<(u16, &str)>> {
    if digits.len() <= MIN_LENGTH_FOR_NSN || digits.starts_with('0') {
        return Some(None);
    }
    for len in 1..=MAX_LENGTH_FOR_COUNTRY_CODE {
        let code: u16 = digits[..len].parse().ok()?;
        if meta::by_code_first(code).is_some() {
            return Some(Some((code, &digits[len..])));
        }
    }
    Some(None)
}

/// `phonenumber::parse(region, s)` + `is_valid` + E.164 formatting, for `s` = `+digits` (no
/// region) or `digits` (a region). `Some(verdict)` when decided here; `None` when the input
/// takes a path this module does not replay (ask the crate).
pub fn parse_valid(region: Option<&str>, s: &str) -> Option<Option<String>> {
    let (digits, meta_given) = match region {
        None => (s.strip_prefix('+')?, None),
        Some(r) => (s, Some(meta::by_id(r)?)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 17 {
        return None;
    }
    if digits.len() < MIN_LENGTH_FOR_NSN {
        return Some(None);
    }
    // The first `source_meta` question and its answer: the last step asks it again, often of
    // the same digits (no national prefix was stripped), and for a `+1` number that did not
    // match the first region the answer walks ~25 regions' patterns.
    let mut asked: Option<(&str, Option<&'static Meta>)> = None;
    let (code, national, meta) = match meta_given {
        None => {
            // helper::country_code, source Plus.
            let Some((code, national)) = split_country_code(digits)? else {
                return Some(None);
            };
            let lookup = national.trim_start_matches('0');
            let meta = source_meta(code, lookup)?;
            asked = Some((lookup, meta));
            (code, national, meta)
        }
        Some(meta) => {
            // helper::international_prefix: the region's international dialling prefix at the
            // start, unless a 0 follows it, is dropped and the country code read from what
            // follows (source Idd), as after a `+` — but the metadata used from here on is
            // still the region's, as in the crate's `parse_with`.
            let idd_end = match meta.international_prefix {
                Some(idd) if starts_with_match(idd, digits)? => {
                    let end = compiled(idd, true)?.find(digits)?.end();
                    (!digits[end..].starts_with('0')).then_some(end)
                }
                _ => None,
            };
            if let Some(end) = idd_end {
                let Some((code, national)) = split_country_code(&digits[end..])? else {
                    return Some(None);
                };
                (code, national, Some(meta))
            } else {
                // helper::country_code, source Default.
                let code = meta.country_code;
                if digits.starts_with(&code.to_string()) {
                    return None;
                }
                (code, digits, Some(meta))
            }
        }
    };
    let mut national = national.to_string();
    if let Some(meta) = meta {
        let mut potential = national_number(meta, national.clone())?;
        if let Some(prefix) = meta.national_prefix
            && potential.starts_with(prefix)
        {
            potential = potential[prefix.len()..].to_string();
        }
        if !too_short(meta, potential.len()) {
            national = potential;
        }
    }
    if national.len() < MIN_LENGTH_FOR_NSN || national.len() > MAX_LENGTH_FOR_NSN {
        return Some(None);
    }
    if national.trim_start_matches('0').is_empty() || national.len() > 16 {
        // NationalNumber would reject an empty value or may overflow: let the crate decide.
        return None;
    }
    // validator::is_valid_with: the region is looked up again from the national number.
    let again = match asked {
        Some((lookup, meta)) if lookup == national => meta,
        _ => source_meta(code, &national)?,
    };
    let valid = match again {
        Some(m) => has_type(m, &national)?,
        None => false,
    };
    Some(valid.then(|| format!("+{code}{national}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pattern `starts_with_match` is asked about builds as a DFA (none falls back to the
    /// slower regex path) and answers as the regex crate does on each region's example numbers
    /// and on seeded digit strings, including prefixes and extensions of the examples.
    #[test]
    fn prefix_dfas_build_and_agree_with_the_regex_crate() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut patterns = 0;
        for code in 1..1000u16 {
            let Some(regions) = meta::region(code) else {
                continue;
            };
            for region in regions {
                let Some(meta) = meta::by_id(region) else {
                    continue;
                };
                let mut descs = vec![&meta.general];
                descs.extend(type_descriptors(meta));
                let mut srcs: Vec<&str> = descs.iter().map(|d| d.pattern).collect();
                srcs.extend(meta.leading_digits);
                srcs.extend(meta.international_prefix);
                let examples: Vec<&str> = descs.iter().filter_map(|d| d.example).collect();
                for src in srcs {
                    patterns += 1;
                    assert!(prefix_dfa(src).is_some(), "{region}: {src}");
                    let re = compiled(src, true).expect("the regex crate compiles it");
                    let mut values: Vec<String> = Vec::new();
                    for e in &examples {
                        values.push(e.to_string());
                        values.push(e[..e.len() / 2].to_string());
                        values.push(format!("{e}{}", next(10)));
                    }
                    for _ in 0..20 {
                        let len = 1 + next(15) as usize;
                        values.push(
                            (0..len)
                                .map(|_| char::from(b'0' + next(10) as u8))
                                .collect(),
                        );
                    }
                    for v in values {
                        assert_eq!(
                            starts_with_match(src, &v),
                            Some(re.is_match(&v)),
                            "{region}: {src} on {v}"
                        );
                    }
                }
            }
        }
        assert!(patterns > 1000, "only {patterns} patterns seen");
    }
}
