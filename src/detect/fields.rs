//! Field names → detectors: which detectors a field's name names (their `headers`) and which it
//! rules out (one of their `negative_context` words among its words).
//!
//! The engine asks once per distinct field name and caches the answer, but a file read as
//! key-value text can bring a new name on almost every line (generated bindings:
//! `pub const EHOSTUNREACH: u32 = 148;`, thousands of distinct keys). Comparing each new name
//! with every header and negative word of every detector took about three quarters of the
//! scanning thread's time on such a file (perf), so [`FieldIndex`] keeps them in hash maps: a
//! name costs one lookup per word, two for the whole name, and, only when its last bytes end
//! some header, one per suffix length a header can have.

use foldhash::HashMap;

#[cfg(test)]
use super::spec::normalise_field;
use super::spec::{Spec, field_words, is_field_prefix, last_segment, normalise_words};

/// Headers shorter than this name a field only as its whole (normalised) name, never as a
/// suffix: `ip` must not make `zip` a header match.
const MIN_SUFFIX: usize = 4;

/// What a field name says, per detector index.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FieldMatch {
    /// Detectors whose `headers` match the name (ascending).
    pub header: Vec<u16>,
    /// Detectors with a negative word among the name's words (ascending).
    pub negative: Vec<u16>,
}

/// The headers and negative words of every detector, indexed for [`FieldIndex::classify`].
#[derive(Debug, Default)]
pub(crate) struct FieldIndex {
    /// Normalised header → detectors listing it.
    headers: HashMap<Box<[u8]>, Vec<u16>>,
    /// Negative word → detectors listing it.
    negative: HashMap<Box<str>, Vec<u16>>,
    /// Length of the longest header: no longer suffix needs a lookup.
    longest: usize,
    /// The last [`MIN_SUFFIX`] bytes of every header at least that long. Every suffix of a
    /// name ends in the name's own last bytes, so a name whose tail is not here has no suffix
    /// match, and most names (`pub const EHOSTUNREACH`, `order_total`) need no suffix lookup.
    tails: foldhash::HashSet<[u8; MIN_SUFFIX]>,
    /// Number of detectors.
    n: usize,
}

const EXACT: u8 = 1;
const SUFFIX: u8 = 2;
const NEGATIVE: u8 = 4;

impl FieldIndex {
    /// Indexes the headers and negative words of `specs` (detector `i` is `specs[i]`).
    pub fn new(specs: &[Spec]) -> FieldIndex {
        let mut ix = FieldIndex {
            n: specs.len(),
            ..FieldIndex::default()
        };
        for (i, s) in specs.iter().enumerate() {
            let i = i as u16;
            for h in &s.headers {
                ix.longest = ix.longest.max(h.len());
                if let Some(tail) = tail(h.as_bytes()) {
                    ix.tails.insert(tail);
                }
                ix.headers.entry(h.as_bytes().into()).or_default().push(i);
            }
            for w in &s.negative_context {
                ix.negative.entry(w.as_str().into()).or_default().push(i);
            }
        }
        ix
    }

    /// Which detectors `field` names, and which it rules out.
    ///
    /// A detector is named when its header is the whole normalised name (prefixes such as
    /// `cust_` stripped), or the name's words joined without stripping (`contact_number`), or a
    /// suffix of at least [`MIN_SUFFIX`] bytes of the normalised name — the last only when no
    /// negative word of that detector qualifies it: `product_name` is not a person's name,
    /// `email_address` not a street address.
    ///
    /// Placeholders (`{email}` in `phones.{email}`, see [`super::names`]) are read as if absent:
    /// they say what a key was, not what the field holds.
    pub fn classify(&self, field: &str) -> FieldMatch {
        let field = &*super::placeholder::strip_placeholders(field);
        if field.is_ascii() {
            let name = AsciiName::new(field);
            let words = name.words.iter().map(|&(_, s, e)| &name.full[s..e]);
            return self.decide(&name.full, words, &name.full[name.norm..]);
        }
        let words = field_words(field);
        let full = words.concat();
        // Most names are one segment: their words are the ones already split.
        let last = last_segment(field);
        let norm = if last.len() == field.len() {
            normalise_words(&words)
        } else {
            normalise_words(&field_words(last))
        };
        self.decide(&full, words.iter().map(String::as_str), &norm)
    }

    /// [`FieldIndex::classify`] from the name's words joined (`full`), its words, and its
    /// normalised form.
    fn decide<'a>(
        &self,
        full: &str,
        words: impl Iterator<Item = &'a str>,
        norm: &str,
    ) -> FieldMatch {
        let mut flags = vec![0u8; self.n];
        let mut mark = |dets: Option<&Vec<u16>>, flag: u8| {
            for &d in dets.into_iter().flatten() {
                flags[d as usize] |= flag;
            }
        };
        mark(self.headers.get(norm.as_bytes()), EXACT);
        mark(self.headers.get(full.as_bytes()), EXACT);
        let b = norm.as_bytes();
        // Byte suffixes: a header is valid UTF-8, so a byte-equal suffix is a `str` suffix.
        if tail(b).is_some_and(|t| self.tails.contains(&t)) {
            let first = b.len().saturating_sub(self.longest);
            for start in first..b.len() - (MIN_SUFFIX - 1) {
                mark(self.headers.get(&b[start..]), SUFFIX);
            }
        }
        for w in words {
            mark(self.negative.get(w), NEGATIVE);
        }
        let mut m = FieldMatch::default();
        for (d, &f) in flags.iter().enumerate() {
            let negative = f & NEGATIVE != 0;
            if f & EXACT != 0 || (f & SUFFIX != 0 && !negative) {
                m.header.push(d as u16);
            }
            if negative {
                m.negative.push(d as u16);
            }
        }
        m
    }
}

/// An ASCII field name split in one pass, without a `String` per word: key/value files bring a
/// new name on most lines, and splitting took most of [`FieldIndex::classify`]. Splits as
/// [`field_words`] and normalises as [`super::spec::normalise_field`] (the tests compare the two).
struct AsciiName {
    /// The words, lower-case, joined.
    full: String,
    /// Per word: start in the field name, start and end in `full`.
    words: Vec<(usize, usize, usize)>,
    /// Where the normalised name starts in `full`: it is always the last words, joined.
    norm: usize,
}

impl AsciiName {
    fn new(field: &str) -> AsciiName {
        let mut full = String::with_capacity(field.len());
        let mut words = Vec::with_capacity(8);
        let mut open: Option<(usize, usize)> = None;
        let mut prev_lower = false;
        for (i, c) in field.bytes().enumerate() {
            let split = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
            if split && let Some((fs, ws)) = open.take() {
                words.push((fs, ws, full.len()));
            }
            if !c.is_ascii_alphanumeric() {
                prev_lower = false;
                continue;
            }
            open.get_or_insert((i, full.len()));
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            full.push(char::from(c.to_ascii_lowercase()));
        }
        if let Some((fs, ws)) = open {
            words.push((fs, ws, full.len()));
        }
        // The last segment's words are the name's last words: segments are split at
        // non-alphanumeric bytes, and what follows the last segment (empty segments, `[]`)
        // holds no word.
        let seg = last_segment(field).as_ptr() as usize - field.as_ptr() as usize;
        let mut k = words.partition_point(|w| w.0 < seg);
        while k + 1 < words.len()
            && is_field_prefix(&full[words[k].1..words[k].2])
            && full.len() - words[k + 1].1 >= 3
        {
            k += 1;
        }
        let norm = words.get(k).map_or(full.len(), |w| w.1);
        AsciiName { full, words, norm }
    }
}

/// The last [`MIN_SUFFIX`] bytes of `b`, if it has that many.
fn tail(b: &[u8]) -> Option<[u8; MIN_SUFFIX]> {
    b.len()
        .checked_sub(MIN_SUFFIX)
        .and_then(|k| b[k..].try_into().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::builtin;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// The definition, written the slow way: every header and word of every detector.
    fn reference(specs: &[Spec], field: &str) -> FieldMatch {
        let norm = normalise_field(field);
        let words = field_words(field);
        let full = words.concat();
        let mut m = FieldMatch::default();
        for (i, s) in specs.iter().enumerate() {
            let negative = s
                .negative_context
                .iter()
                .any(|n| words.iter().any(|w| w == n));
            let exact = s.headers.contains(&norm) || s.headers.contains(&full);
            let suffix = s
                .headers
                .iter()
                .any(|h| h.len() >= MIN_SUFFIX && norm.ends_with(h.as_str()));
            if exact || (suffix && !negative) {
                m.header.push(i as u16);
            }
            if negative {
                m.negative.push(i as u16);
            }
        }
        m
    }

    #[test]
    fn named_fields() {
        let specs = builtin::load(&[]).expect("built-in patterns load");
        let ix = FieldIndex::new(&specs);
        let id = |name: &str| specs.iter().position(|s| s.id == name).expect("detector") as u16;
        assert!(ix.classify("cust_email").header.contains(&id("email")));
        assert!(ix.classify("customerEmail").header.contains(&id("email")));
        assert!(ix.classify("home_phone").header.contains(&id("phone")));
        assert!(ix.classify("pub const EHOSTUNREACH").header.is_empty());
        assert!(ix.classify("").header.is_empty());
        // A placeholder says what a key was, not what the field holds.
        assert!(!ix.classify("mobile.{email}").header.contains(&id("email")));
        assert!(ix.classify("mobile.{email}").header.contains(&id("phone")));
        assert_eq!(
            ix.classify("users.{email}.phone"),
            ix.classify("users.phone")
        );
    }

    /// The index answers exactly what the definition does, on names built from the detectors'
    /// own headers and negative words, prefixes, separators (leading and trailing too), case
    /// changes, digits and non-ASCII letters (seeded): both the ASCII path and the general one.
    #[test]
    fn index_matches_definition() {
        let specs = builtin::load(&[]).expect("built-in patterns load");
        let ix = FieldIndex::new(&specs);
        let named: Vec<String> = specs
            .iter()
            .flat_map(|s| s.headers.iter().chain(&s.negative_context).cloned())
            .collect();
        // Three pools, picked alike, so prefix words meet short words often: `cust_ip` keeps its
        // prefix (fewer than three characters would remain), `cust_dob` drops it.
        let prefixes = [
            "cust", "contact", "customer", "user", "home", "primary", "account", "main",
        ];
        let short = [
            "ip",
            "cc",
            "id",
            "x",
            "2",
            "dob",
            "ab",
            "Ünïcode",
            "ß",
            "value",
        ];
        let pools: [Vec<String>; 3] = [
            named,
            prefixes.iter().map(|p| p.to_string()).collect(),
            short.iter().map(|p| p.to_string()).collect(),
        ];
        let seps = ["_", ".", "/", "-", " ", "", "[]", "::"];
        let mut rng = StdRng::seed_from_u64(7);
        let mut named = 0;
        let mut ruled_out = 0;
        for _ in 0..20_000 {
            let mut field = String::new();
            if rng.gen_bool(0.1) {
                field.push_str(seps[rng.gen_range(0..seps.len())]);
            }
            for k in 0..rng.gen_range(1..=4) {
                if k > 0 {
                    field.push_str(seps[rng.gen_range(0..seps.len())]);
                }
                let pool = &pools[rng.gen_range(0..pools.len())];
                let p = &pool[rng.gen_range(0..pool.len())];
                // Sometimes camelCase, sometimes upper case, sometimes cut short.
                let p = match rng.gen_range(0..4) {
                    0 => p.to_uppercase(),
                    1 => {
                        let mut c = p.chars();
                        c.next()
                            .map(|f| f.to_uppercase().chain(c).collect())
                            .unwrap_or_default()
                    }
                    2 => p.chars().skip(rng.gen_range(0..3)).collect(),
                    _ => p.clone(),
                };
                field.push_str(&p);
            }
            if rng.gen_bool(0.1) {
                field.push_str(seps[rng.gen_range(0..seps.len())]);
            }
            let got = ix.classify(&field);
            assert_eq!(got, reference(&specs, &field), "field {field:?}");
            named += usize::from(!got.header.is_empty());
            ruled_out += usize::from(!got.negative.is_empty());
        }
        // The generated names reach both answers often, or the comparison proves little.
        assert!(named > 2_000 && ruled_out > 2_000, "{named} {ruled_out}");
    }
}
