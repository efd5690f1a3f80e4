//! Field names → detectors: which detectors a field's name names (their `headers`) and which it
//! rules out (one of their `negative_context` words among its words).
//!
//! A key path (`profile.name.full`, `addresses[].line1`, `contact.phones[]`) is read as a
//! whole: the last segment first, then its plural folded (`phones` → `phone`), then — when
//! the last segment names nothing — with its parent (`full` under `name` is `fullname`,
//! `line1` under `addresses` is `addressline1`). A detector that reads a whole cell only
//! because its name says so (person names, street addresses) is ruled out by the nearest
//! telling parent: `product.name` and `jobs[].name` are not a person's name, while
//! `customer.name` and `company.contact.name` are ([`FieldIndex::classify`]).
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
use super::spec::{Spec, Trigger, field_words, is_field_prefix, last_segment, normalise_words};
use crate::finding::Kind;

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
    /// Per detector: it reads a whole cell because of its field name alone (`trigger =
    /// "field"`), so a parent key that rules it out removes it (see the module docs).
    field_trigger: Vec<bool>,
    /// Per detector: it finds national ids.
    national_id: Vec<bool>,
    /// The phone and card detectors: a field named for a national id rules them out.
    not_in_id_fields: Vec<u16>,
}

const EXACT: u8 = 1;
const SUFFIX: u8 = 2;
const NEGATIVE: u8 = 4;

impl FieldIndex {
    /// Indexes the headers and negative words of `specs` (detector `i` is `specs[i]`).
    pub fn new(specs: &[Spec]) -> FieldIndex {
        let mut ix = FieldIndex {
            n: specs.len(),
            field_trigger: specs.iter().map(|s| s.trigger == Trigger::Field).collect(),
            national_id: specs.iter().map(|s| s.kind == Kind::NationalId).collect(),
            not_in_id_fields: (0..specs.len() as u16)
                .filter(|&i| matches!(specs[i as usize].kind, Kind::Phone | Kind::CreditCard))
                .collect(),
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

    /// Which detectors the field (or key path) `field` names, and which it rules out: its
    /// name as [`FieldIndex::classify_name`] reads it, then, for a path, its plural folded,
    /// its parent, and the veto of a telling parent (see the module docs).
    pub fn classify(&self, field: &str) -> FieldMatch {
        let mut m = self.classify_path(field);
        self.rule_out_in_id_fields(&mut m);
        m
    }

    /// A field named for a national id (`ssn`, `numero_secu`, `personnummer`) holds that id:
    /// digits in it that fail the id's check are a mistyped id, not a phone or card number nor
    /// another country's id (a Swedish personnummer with a wrong check digit can pass the
    /// Finnish HETU check), so the phone, card and other national-id detectors count it as a
    /// negative word (unless the name names them too: `national_id` names them all).
    fn rule_out_in_id_fields(&self, m: &mut FieldMatch) {
        if !m.header.iter().any(|&d| self.national_id[d as usize]) {
            return;
        }
        let others = (0..self.n as u16).filter(|&d| self.national_id[d as usize]);
        for d in self.not_in_id_fields.iter().copied().chain(others) {
            if !m.header.contains(&d) && !m.negative.contains(&d) {
                m.negative.push(d);
            }
        }
        m.negative.sort_unstable();
    }

    /// [`FieldIndex::classify`] before the national-id rule.
    fn classify_path(&self, field: &str) -> FieldMatch {
        let field = &*super::placeholder::strip_placeholders(field);
        let mut m = self.classify_name(field);
        // Key/value files bring a new name on most lines (`pub const EHOSTUNREACH`): a name
        // with no path and no plural costs nothing more.
        let path = field.contains(['.', '/']);
        let plural = m.header.is_empty() && last_segment(field).ends_with(['s', 'S']);
        if !path && !plural {
            return m;
        }
        let segs = segments(field);
        let Some((&last, parents)) = segs.split_last() else {
            return m;
        };
        if m.header.is_empty() && last.ends_with(['s', 'S']) {
            let mut words = field_words(last);
            if let Some(w) = words.last_mut()
                && let Some(one) = singular(w)
            {
                *w = one.to_string();
                m.header = self.classify_name(&words.join("_")).header;
            }
        }
        if m.header.is_empty()
            && let Some(&parent) = parents.last()
        {
            m.header = self.inherit(last, parent);
        }
        if !parents.is_empty() {
            m.header
                .retain(|&d| !self.field_trigger[d as usize] || !self.vetoed(d, parents));
        }
        m
    }

    /// The detectors a last segment that names nothing itself (`full`, `line1`, `value`) takes
    /// from its parent: the two joined either way (`name.full` → `fullname`, `addresses[].line1`
    /// → `addressline1`) or the parent alone, plural folded, unless a negative word of the
    /// detector is in the last segment (`address.email`).
    fn inherit(&self, last: &str, parent: &str) -> Vec<u16> {
        let mut p = field_words(parent);
        if let Some(w) = p.last_mut()
            && let Some(one) = singular(w)
        {
            *w = one.to_string();
        }
        let l = field_words(last);
        let p = p.concat();
        // Joined, the two are one name (`birth.date` → `birthdate`): the header decides.
        let mut out: Vec<u16> = [format!("{p}{}", l.concat()), format!("{}{p}", l.concat())]
            .iter()
            .flat_map(|name| self.headers.get(name.as_bytes()).into_iter().flatten())
            .copied()
            .collect();
        // The parent alone only when the last segment may hold the value itself: not a
        // qualifier that holds something else (`address.city`, `phone.type`), nor a negative
        // word of the detector (`address.email`).
        if !l.iter().any(|w| QUALIFIERS.contains(&w.as_str())) {
            out.extend(
                self.headers
                    .get(p.as_bytes())
                    .into_iter()
                    .flatten()
                    .filter(|&&d| {
                        !l.iter().any(|w| {
                            self.negative
                                .get(w.as_str())
                                .is_some_and(|v| v.contains(&d))
                        })
                    }),
            );
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether the nearest telling parent rules detector `d` out: walking up from the nearest
    /// parent, a segment with a prefix word (`customer`, `contact`, `user`) keeps it, one with
    /// a negative word of `d` (plural folded: `jobs`, `products`) removes it, others (`x`,
    /// `data`, `0`) say nothing.
    fn vetoed(&self, d: u16, parents: &[&str]) -> bool {
        for p in parents.iter().rev() {
            let words = field_words(p);
            let forms = || {
                words
                    .iter()
                    .flat_map(|w| std::iter::once(w.as_str()).chain(singular(w)))
            };
            if forms().any(is_field_prefix) {
                return false;
            }
            if forms().any(|w| self.negative.get(w).is_some_and(|v| v.contains(&d))) {
                return true;
            }
        }
        false
    }

    /// Which detectors the name `field` names, and which it rules out, reading only its last
    /// path segment for headers (and every word for negative words).
    ///
    /// A detector is named when its header is the whole normalised name (prefixes such as
    /// `cust_` stripped), or the name's words joined without stripping (`contact_number`), or a
    /// suffix of at least [`MIN_SUFFIX`] bytes of the normalised name — the last only when no
    /// negative word of that detector qualifies it: `product_name` is not a person's name,
    /// `email_address` not a street address.
    ///
    /// Placeholders (`{email}` in `phones.{email}`, see [`super::names`]) are read as if absent:
    /// they say what a key was, not what the field holds.
    fn classify_name(&self, field: &str) -> FieldMatch {
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
        let mut last = None;
        for w in words {
            mark(self.negative.get(w), NEGATIVE);
            last = Some(w);
        }
        // A short header names a field as its last whole word (`employee_ssn`, `clientIp`),
        // never as a bare suffix (`zip` is no `ip`), and a negative word vetoes it as any
        // suffix match.
        if let Some(w) = last.filter(|w| w.len() < MIN_SUFFIX) {
            mark(self.headers.get(w.as_bytes()), SUFFIX);
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

/// Last segments whose value is not what their parent names (`address.city`, `phone.type`,
/// `email.verified`): the parent alone does not name them.
const QUALIFIERS: &[&str] = &[
    "city",
    "code",
    "count",
    "country",
    "id",
    "kind",
    "label",
    "postcode",
    "region",
    "state",
    "status",
    "type",
    "verified",
    "zip",
    "suburb",
    "town",
    "province",
    "lat",
    "lng",
    "lon",
    "ext",
    "extension",
    "valid",
    "confirmed",
    "hash",
    "masked",
    "last4",
    "expiry",
    "year",
    "month",
    "day",
    "age",
    "length",
    "len",
    "size",
    "format",
    "lang",
    "language",
    "locale",
];

/// The segments of a key path (`a.b[].c`, `a/b`) that name something: `[]` and array indices
/// (`0`) removed, empty ones skipped.
fn segments(field: &str) -> Vec<&str> {
    field
        .split(['.', '/'])
        .map(|s| s.trim_end_matches("[]"))
        .filter(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

/// The singular of an English plural word (`phones`, `addresses`, `companies`), or `None` when
/// `w` does not read as one (`status`, `address`, `dob`).
fn singular(w: &str) -> Option<&str> {
    let b = w.as_bytes();
    if b.len() < 4 || !w.is_ascii() || !w.ends_with('s') {
        return None;
    }
    if ["ss", "us", "is"].iter().any(|e| w.ends_with(e)) {
        return None;
    }
    // `addresses`, `boxes`, `matches`: the `es` is the plural's.
    for e in ["sses", "shes", "ches", "xes", "zes"] {
        if w.ends_with(e) {
            return Some(&w[..w.len() - 2]);
        }
    }
    // `companies` → `company` would need a new string; no header ends in `y` after a
    // consonant that a plural names, so `ies` words are left as they are.
    if w.ends_with("ies") {
        return None;
    }
    Some(&w[..w.len() - 1])
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
                .any(|h| h.len() >= MIN_SUFFIX && norm.ends_with(h.as_str()))
                || words
                    .last()
                    .is_some_and(|w| w.len() < MIN_SUFFIX && s.headers.contains(w));
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
        // Short headers: the last whole word, never a bare suffix.
        assert!(ix.classify("employee_ssn").header.contains(&id("us_ssn")));
        assert!(ix.classify("clientIp").header.contains(&id("ip_address")));
        assert!(
            ix.classify("customer_dob")
                .header
                .contains(&id("date_of_birth"))
        );
        assert!(!ix.classify("zip").header.contains(&id("ip_address")));
        assert!(
            !ix.classify("ssn_verified_at")
                .header
                .contains(&id("us_ssn"))
        );
        assert!(ix.classify("").header.is_empty());
        // A placeholder says what a key was, not what the field holds.
        assert!(!ix.classify("mobile.{email}").header.contains(&id("email")));
        assert!(ix.classify("mobile.{email}").header.contains(&id("phone")));
        assert_eq!(
            ix.classify("users.{email}.phone"),
            ix.classify("users.phone")
        );
    }

    /// Key paths: parents, plurals and array forms count; a telling parent rules out a
    /// whole-cell detector; the name alone decides as before.
    #[test]
    fn key_paths_read_parents_plurals_and_arrays() {
        let specs = builtin::load(&[]).expect("built-in patterns load");
        let ix = FieldIndex::new(&specs);
        let id = |name: &str| specs.iter().position(|s| s.id == name).expect("detector") as u16;
        let names = |f: &str, d: &str| ix.classify(f).header.contains(&id(d));
        for (field, det) in [
            ("profile.name.full", "person_name"),
            ("name.first", "person_name"),
            ("customer.name", "person_name"),
            ("users[].name", "person_name"),
            ("company.contact.name", "person_name"),
            ("data.0.name", "person_name"),
            ("addresses[].line1", "street_address"),
            ("customer.addresses[]", "street_address"),
            ("contact.phones[]", "phone"),
            ("contact.phone_numbers[]", "phone"),
            ("emails[]", "email"),
            ("people[].emails[].value", "email"),
            ("profile.dob", "date_of_birth"),
            ("person.birth.date", "date_of_birth"),
        ] {
            assert!(names(field, det), "{field} should name {det}");
        }
        for (field, det) in [
            ("jobs.x.name", "person_name"),
            ("product.name", "person_name"),
            ("items[].name", "person_name"),
            ("company.name", "person_name"),
            // A parsed mail's header list (`{"name": "Subject", "value": …}`) and other
            // technical lists of named things.
            ("parts[].headers[].name", "person_name"),
            ("request.params[].name", "person_name"),
            ("attributes.name", "person_name"),
            ("host.address", "street_address"),
            ("address.email", "street_address"),
            ("address.city", "street_address"),
            ("phone.type", "phone"),
            ("status", "phone"),
            ("versions[].id", "phone"),
        ] {
            assert!(!names(field, det), "{field} should not name {det}");
        }
        // A field named for a national id rules out phones and cards; others do not.
        for field in ["ssn", "numero_secu", "employee.pesel", "national_id", "tfn"] {
            let m = ix.classify(field);
            for det in ["phone", "credit_card"] {
                assert!(
                    m.negative.contains(&id(det)),
                    "{field} should rule out {det}"
                );
            }
        }
        // ... and other countries' ids, unless the name names them too.
        assert!(
            ix.classify("personnummer")
                .negative
                .contains(&id("fi_hetu"))
        );
        assert!(!ix.classify("personnummer").negative.contains(&id("se_pnr")));
        assert!(!ix.classify("national_id").negative.contains(&id("fi_hetu")));
        for field in ["phone", "card_number", "mobile", "value"] {
            assert!(
                !ix.classify(field).negative.contains(&id("phone")),
                "{field}"
            );
        }
        // A plain name decides as before; plurals fold only as words.
        assert_eq!(singular("addresses"), Some("address"));
        assert_eq!(singular("phones"), Some("phone"));
        assert_eq!(singular("status"), None);
        assert_eq!(singular("address"), None);
        assert_eq!(segments("a[].b.0./c[][]"), ["a", "b", "c"]);
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
            let got = ix.classify_name(&field);
            assert_eq!(got, reference(&specs, &field), "field {field:?}");
            named += usize::from(!got.header.is_empty());
            ruled_out += usize::from(!got.negative.is_empty());
        }
        // The generated names reach both answers often, or the comparison proves little.
        assert!(named > 2_000 && ruled_out > 2_000, "{named} {ruled_out}");
    }
}
