//! Pattern files: the on-disk detector format, and its checked, compiled form.
//!
//! Loading has two stages, as in ripgrep's low/high args and gitleaks' config → rule: [`RawSpec`]
//! is what TOML deserialises into (`deny_unknown_fields`, so a typo is an error), and
//! [`Spec::compile`] checks everything a typo could break (id = file stem, kind known, validator
//! exists, regex compiles, test expectations parse) and returns a [`Spec`]. Every error names the
//! file it came from.

use std::ops::Range;
use std::path::Path;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use thiserror::Error;

use super::ascii::AsciiTwin;
use crate::finding::{Confidence, Kind};
use crate::validate::{self, ValidatorFn};

/// A pattern file that failed to load or compile.
#[derive(Debug, Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The pattern file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML did not parse or had unknown keys.
    #[error("{file}: {message}")]
    Toml {
        /// The pattern file.
        file: String,
        /// The parser's message (names the key and line).
        message: String,
    },
    /// The file parsed but is not a valid detector.
    #[error("{file}: {message}")]
    Invalid {
        /// The pattern file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// Which cheap scan proposes candidates for a detector (see `detect::engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Runs of ASCII digits (phones, cards, dates, ids).
    Digit,
    /// The `@` byte (emails).
    At,
    /// One of the pattern's `keywords` (obfuscated emails, names after "Dear").
    Keyword,
    /// A whole cell whose field name matches the pattern's `headers` (names, addresses).
    Field,
}

/// What evidence beyond the regex a detector needs before it may report at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Require {
    /// Regex (and validator) suffice.
    #[default]
    None,
    /// A context word within the window.
    Context,
    /// A field name from `headers`.
    Header,
    /// Either a context word or a header.
    ContextOrHeader,
}

/// One `[[test]]` example inside a pattern file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTest {
    /// Text to scan.
    pub text: String,
    /// Field name the text sits in, if any.
    #[serde(default)]
    pub field: Option<String>,
    /// `high|medium|low` (this detector must report at least... exactly that) or `none`.
    pub expect: String,
}

/// A pattern file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// Detector id; must equal the file stem.
    pub id: String,
    /// One of the `Kind` names.
    pub kind: String,
    /// One line saying what it detects.
    pub description: String,
    /// Where the format is documented.
    pub reference: String,
    /// Candidate generator.
    pub trigger: Trigger,
    /// The full pattern, run only around candidates. Use ASCII classes.
    pub regex: String,
    /// Validator name from `validate::REGISTRY`.
    #[serde(default)]
    pub validator: Option<String>,
    /// Words near a match that support it.
    #[serde(default)]
    pub context: Vec<String>,
    /// Words near a match that contradict it (order, invoice, version...).
    #[serde(default)]
    pub negative_context: Vec<String>,
    /// Field names (normalised) that say a cell holds this kind.
    #[serde(default)]
    pub headers: Vec<String>,
    /// Words that trigger a `keyword` detector.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Evidence required before reporting.
    #[serde(default)]
    pub require: Require,
    /// Confidence with regex + validator and no other evidence.
    #[serde(default)]
    pub base: Option<String>,
    /// Bytes before/after a match searched for context words.
    #[serde(default)]
    pub window: Option<usize>,
    /// Wins ties between detectors claiming one span (higher wins).
    #[serde(default)]
    pub priority: i32,
    /// `[fewest, most]` ASCII digits a value holds (see [`Spec::digits`]).
    #[serde(default)]
    pub digits: Option<[usize; 2]>,
    /// Self-tests.
    #[serde(default, rename = "test")]
    pub tests: Vec<RawTest>,
}

/// A checked, compiled detector.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Detector id (file stem).
    pub id: String,
    /// Kind it reports.
    pub kind: Kind,
    /// Human description.
    pub description: String,
    /// Format reference.
    pub reference: String,
    /// Candidate generator.
    pub trigger: Trigger,
    /// Compiled regex (bytes, case-insensitive only if the pattern says `(?i)`).
    pub regex: Regex,
    /// Source of the regex (for `--explain` and the rg comparison list).
    pub regex_src: String,
    /// Index of the regex's `value` capture group, if it has one: the reported span is that
    /// group rather than the whole match (so a cue such as `Dear ` can be matched, not reported).
    pub value_group: Option<usize>,
    /// The regex is exactly [`WHOLE_CELL`]: the engine takes the trimmed cell itself instead of
    /// running it (see [`whole_cell`]).
    pub whole_cell: bool,
    /// For a pattern with a `value` group: its ASCII twin, which finds the group in an
    /// all-ASCII match without the Unicode-sized automaton (see [`AsciiTwin`]).
    pub ascii_value: Option<AsciiTwin>,
    /// Validator, if any, with its name.
    pub validator: Option<(String, ValidatorFn)>,
    /// Lower-cased context words.
    pub context: Vec<String>,
    /// Lower-cased negative context words.
    pub negative_context: Vec<String>,
    /// Normalised header names.
    pub headers: Vec<String>,
    /// Trigger keywords as written: one with an upper-case letter matches exactly, one without
    /// matches in any ASCII case (smart case, as in ripgrep).
    pub keywords: Vec<String>,
    /// Evidence required.
    pub require: Require,
    /// Base confidence.
    pub base: Confidence,
    /// Context window in bytes.
    pub window: usize,
    /// Tie-break priority.
    pub priority: i32,
    /// How many ASCII digits a value holds, fewest and most, when the format fixes it. A match
    /// whose value holds more or fewer is dropped before its validator runs, and the engine
    /// skips the detector around a digit cluster that cannot yield such a value.
    pub digits: Option<(usize, usize)>,
    /// Self-tests: (text, field, expected confidence or None).
    pub tests: Vec<(String, Option<String>, Option<Confidence>)>,
    /// Where the spec came from (file path or `builtin:<id>.toml`).
    pub origin: String,
}

impl Spec {
    /// Parses and compiles one pattern file's text. `origin` names it in errors; `stem` is the
    /// file stem the id must equal.
    pub fn from_toml(origin: &str, stem: &str, text: &str) -> Result<Spec, SpecError> {
        let raw: RawSpec = toml::from_str(text).map_err(|e| SpecError::Toml {
            file: origin.to_string(),
            message: e.to_string(),
        })?;
        Spec::compile(origin, stem, raw)
    }

    /// Reads a pattern file from disk.
    pub fn from_path(path: &Path) -> Result<Spec, SpecError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Io {
            file: origin.clone(),
            source,
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        Spec::from_toml(&origin, stem, &text)
    }

    /// Checks a [`RawSpec`] and compiles it.
    pub fn compile(origin: &str, stem: &str, raw: RawSpec) -> Result<Spec, SpecError> {
        let bad = |message: String| SpecError::Invalid {
            file: origin.to_string(),
            message,
        };
        if raw.id != stem {
            return Err(bad(format!(
                "id {:?} must equal the file stem {stem:?}",
                raw.id
            )));
        }
        let kind = Kind::parse(&raw.kind).ok_or_else(|| {
            bad(format!(
                "unknown kind {:?} (expected one of {})",
                raw.kind,
                Kind::ALL.map(Kind::as_str).join(", ")
            ))
        })?;
        if raw.reference.trim().is_empty() {
            return Err(bad(
                "reference must say where the format is documented".into()
            ));
        }
        let regex = RegexBuilder::new(&raw.regex)
            .unicode(true)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| bad(format!("regex does not compile: {e}")))?;
        let validator = match &raw.validator {
            None => None,
            Some(name) => Some((
                name.clone(),
                validate::lookup(name).ok_or_else(|| {
                    bad(format!(
                        "unknown validator {name:?} (not in validate::REGISTRY)"
                    ))
                })?,
            )),
        };
        if raw.trigger == Trigger::Keyword && raw.keywords.is_empty() {
            return Err(bad(
                "trigger = \"keyword\" needs a non-empty keywords list".into()
            ));
        }
        if raw.trigger == Trigger::Field && raw.headers.is_empty() {
            return Err(bad(
                "trigger = \"field\" needs a non-empty headers list".into()
            ));
        }
        let base = match raw.base.as_deref() {
            None => Confidence::Medium,
            Some(s) => Confidence::parse(s)
                .ok_or_else(|| bad(format!("base {s:?} must be low, medium or high")))?,
        };
        if let Some([lo, hi]) = raw.digits
            && (lo == 0 || lo > hi)
        {
            return Err(bad(format!(
                "digits = [{lo}, {hi}] must be [fewest, most] with 1 <= fewest <= most"
            )));
        }
        let mut tests = Vec::with_capacity(raw.tests.len());
        for t in raw.tests {
            let expect = match t.expect.as_str() {
                "none" => None,
                s => Some(Confidence::parse(s).ok_or_else(|| {
                    bad(format!(
                        "test expect {s:?} must be none, low, medium or high"
                    ))
                })?),
            };
            tests.push((t.text, t.field, expect));
        }
        let lower = |v: Vec<String>| v.into_iter().map(|w| w.to_lowercase()).collect();
        let value_group = regex.capture_names().position(|n| n == Some("value"));
        let whole_cell = raw.regex == WHOLE_CELL;
        let ascii_value = value_group
            .filter(|_| !whole_cell)
            .and_then(|g| AsciiTwin::new(&raw.regex, g));
        Ok(Spec {
            id: raw.id,
            kind,
            description: raw.description,
            reference: raw.reference,
            trigger: raw.trigger,
            value_group,
            whole_cell,
            ascii_value,
            regex,
            regex_src: raw.regex,
            validator,
            context: case_forms(lower(raw.context)),
            negative_context: lower(raw.negative_context),
            headers: raw.headers.iter().map(|h| normalise_field(h)).collect(),
            keywords: raw.keywords,
            require: raw.require,
            base,
            window: raw.window.unwrap_or(40),
            priority: raw.priority,
            digits: raw.digits.map(|[lo, hi]| (lo, hi)),
            tests,
            origin: origin.to_string(),
        })
    }
}

/// `words` plus, for each word with a non-ASCII letter, its Unicode upper-case and capitalised
/// forms (`teléfono` → `TELÉFONO`, `Teléfono`). Context words are matched ASCII
/// case-insensitively, which folds `TELéFONO` but not `TELÉFONO`; the forms people write are
/// listed instead (as [`super::keywords`] does for keywords).
fn case_forms(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        let extra = if w.is_ascii() {
            Vec::new()
        } else {
            let mut c = w.chars();
            let cap: String = c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
            vec![w.to_uppercase(), cap]
        };
        for f in std::iter::once(w).chain(extra) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// The regex of the detectors that report a field's whole value (person_name, street_address):
/// from the cell's first to its last non-space character.
pub const WHOLE_CELL: &str = r"(?s)\A\s*(?P<value>\S(?:.*\S)?)\s*\z";

/// What the [`WHOLE_CELL`] regex finds searching `hay` from `from`, as (whole match, `value`
/// group), without running it.
///
/// Why: the regex's answer needs its capture group, and the regex crate finds a group with a
/// backtracking pass over Unicode classes; answering directly took a customer CSV export from
/// 7,306 M to 7,186 M instructions (callgrind). The answer is the regex's (a test compares them on generated cells): `\A`
/// and `\z` pin the match to all of `hay`, and only from position 0; `.`, `\s` and `\S` match
/// UTF-8 characters only, so a cell that is not UTF-8 has no match; `\s` is Unicode
/// White_Space, which is what `str::trim` removes; a blank cell has no `\S`.
pub fn whole_cell(hay: &[u8], from: usize) -> Option<(Range<usize>, Range<usize>)> {
    if from != 0 {
        return None;
    }
    let s = std::str::from_utf8(hay).ok()?;
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = s.len() - s.trim_start().len();
    Some((0..hay.len(), start..start + trimmed.len()))
}

/// Prefixes stripped from field names before matching headers: `cust_email` is an email column.
const FIELD_PREFIXES: &[&str] = &[
    "customer",
    "cust",
    "client",
    "user",
    "passenger",
    "pax",
    "member",
    "contact",
    "primary",
    "secondary",
    "home",
    "work",
    "billing",
    "shipping",
    "guest",
    "traveller",
    "traveler",
    "holder",
    "account",
    "person",
    "owner",
    "main",
];

/// Normalises a field name for header matching: last path segment (`a.b.email` → `email`,
/// `users.email` → `email`), lower-case, separators removed, and leading prefix *words* dropped
/// (`Cust_Email` → `email`, `passenger_dob` → `dob`) while at least three characters remain.
pub fn normalise_field(field: &str) -> String {
    normalise_words(&field_words(last_segment(field)))
}

/// The path segment of `field` that [`normalise_field`] reads: the last one that is neither
/// empty nor `[]`, with trailing `[]` removed.
pub(crate) fn last_segment(field: &str) -> &str {
    field
        .rsplit(['.', '/'])
        .find(|s| !s.is_empty() && *s != "[]")
        .unwrap_or(field)
        .trim_end_matches("[]")
}

/// [`normalise_field`] from the words of [`last_segment`]: leading prefix words dropped while at
/// least three characters remain, the rest joined.
pub(crate) fn normalise_words(words: &[String]) -> String {
    let mut start = 0;
    while start + 1 < words.len()
        && is_field_prefix(&words[start])
        && words[start + 1..].iter().map(String::len).sum::<usize>() >= 3
    {
        start += 1;
    }
    words[start..].concat()
}

/// Whether [`normalise_field`] drops `word` (lower-case) from the front of a name.
pub(crate) fn is_field_prefix(word: &str) -> bool {
    FIELD_PREFIXES.contains(&word)
}

/// A Latin letter with a diacritic (or a ligature, `ß`, Turkish `ı`/`İ`), lower-cased and folded
/// to ASCII; `None` for any other character.
///
/// Headers are written with and without their accents (`Teléfono` / `Telefono`, `Straße` /
/// `Strasse`, `Doğum tarihi` / `Dogum tarihi`), and an upper-case Turkish `İ` lower-cases to
/// `i` plus a combining dot: folding both the pattern files' headers and the input's field
/// names (both go through [`field_words`]) makes every spelling meet. Covers Latin-1 and Latin
/// Extended-A letters used by the languages the patterns list (de, fr, es, it, pt, nl, pl, sv,
/// tr); other scripts are only lower-cased.
pub(crate) fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'İ' => "i",
        'ł' | 'Ł' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'š' | 'ş' | 'Ś' | 'Š' | 'Ş' => "s",
        'ß' | 'ẞ' => "ss",
        'ť' | 'ţ' | 'Ť' | 'Ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => return None,
    })
}

/// The words of a field name (`order_id` → `order`, `id`; `orderId` → `order`, `id`), lower-case,
/// Latin diacritics folded (`fold_latin`).
pub fn field_words(field: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in field.chars() {
        // Combining diacritics (decomposed input, and the dot `İ` lower-cases with) are part of
        // their letter: dropped, not a word break.
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        // ASCII without the Unicode tables: key/value files bring a new field name on most
        // lines. Both arms classify an ASCII char the same way.
        let (alnum, upper, lower) = if c.is_ascii() {
            (
                c.is_ascii_alphanumeric(),
                c.is_ascii_uppercase(),
                c.is_ascii_lowercase() || c.is_ascii_digit(),
            )
        } else {
            (c.is_alphanumeric(), c.is_uppercase(), c.is_lowercase())
        };
        if !alnum {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if upper && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = lower;
        if c.is_ascii() {
            cur.push(c.to_ascii_lowercase());
        } else if let Some(f) = fold_latin(c) {
            cur.push_str(f);
        } else {
            cur.extend(c.to_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `whole_cell` answers what the `WHOLE_CELL` regex answers, on seeded cells built from
    /// letters, ASCII and Unicode spaces (NBSP, ideographic space, NEL), characters that look
    /// like spaces but are not (zero-width space), non-ASCII letters, bytes that are not UTF-8,
    /// searched from each of the first four positions (the regex can only match from 0).
    #[test]
    fn whole_cell_is_the_regex() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let regex = Regex::new(WHOLE_CELL).expect("the constant compiles");
        let group = regex
            .capture_names()
            .position(|n| n == Some("value"))
            .expect("it has a value group");
        let pieces: [&[u8]; 14] = [
            b"a",
            b"Jane",
            b" ",
            b"\t",
            b"\n",
            b"\r\n",
            "\u{a0}".as_bytes(),
            "\u{3000}".as_bytes(),
            "\u{85}".as_bytes(),
            "\u{200b}".as_bytes(),
            "é".as_bytes(),
            "氏".as_bytes(),
            b"\xff",
            b"\xc3",
        ];
        let mut rng = StdRng::seed_from_u64(11);
        let mut cells: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..20_000 {
            let mut cell = Vec::new();
            for _ in 0..rng.gen_range(1..=6) {
                cell.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            cells.push(cell);
        }
        let (mut some, mut none) = (0, 0);
        for cell in &cells {
            for from in 0..=cell.len().min(3) {
                let mut locs = regex.capture_locations();
                let want = regex
                    .captures_read_at(&mut locs, cell, from)
                    .map(|m| (m.range(), locs.get(group).map(|(s, e)| s..e)));
                let got = whole_cell(cell, from).map(|(w, v)| (w, Some(v)));
                assert_eq!(got, want, "cell {cell:?} from {from}");
                if got.is_some() { some += 1 } else { none += 1 }
            }
        }
        // Both answers occur often enough for the comparison to mean something.
        assert!(
            some > 5_000 && none > 5_000,
            "{some} matches, {none} misses"
        );
    }

    #[test]
    fn normalises_fields() {
        for (raw, want) in [
            ("Cust_Email", "email"),
            ("customer.contact.email", "email"),
            ("users.date_of_birth", "dateofbirth"),
            ("DOB", "dob"),
            ("passenger_dob", "dob"),
            ("home_phone", "phone"),
            ("qff_no", "qffno"),
            ("items[].sku", "sku"),
            ("membership_number", "membershipnumber"),
            ("member_id", "memberid"),
            ("dateOfBirth", "dateofbirth"),
            ("user", "user"),
        ] {
            assert_eq!(normalise_field(raw), want, "{raw}");
        }
    }

    #[test]
    fn context_words_get_their_unicode_case_forms() {
        let forms = case_forms(vec!["teléfono".into(), "phone".into(), "電話".into()]);
        assert_eq!(forms, ["teléfono", "TELÉFONO", "Teléfono", "phone", "電話"]);
        let forms = case_forms(vec!["état civil".into()]);
        assert!(
            forms.contains(&"ÉTAT CIVIL".to_string()) && forms.contains(&"État civil".to_string())
        );
    }

    #[test]
    fn splits_field_words() {
        assert_eq!(field_words("order_id"), ["order", "id"]);
        assert_eq!(field_words("orderId"), ["order", "id"]);
        assert_eq!(field_words("Tracking-No"), ["tracking", "no"]);
        // Accents, ligatures and Turkish dotted/dotless i fold; CJK words stay whole.
        assert_eq!(field_words("Teléfono"), ["telefono"]);
        assert_eq!(field_words("STRASSE"), field_words("Straße"));
        assert_eq!(field_words("DOĞUM TARİHİ"), ["dogum", "tarihi"]);
        assert_eq!(field_words("Doğum tarihi"), ["dogum", "tarihi"]);
        assert_eq!(
            field_words("Numéro_de_téléphone"),
            ["numero", "de", "telephone"]
        );
        assert_eq!(field_words("Data_urodzenia"), ["data", "urodzenia"]);
        assert_eq!(field_words("Nazwisko Łódź"), ["nazwisko", "lodz"]);
        assert_eq!(field_words("電話番号"), ["電話番号"]);
        assert_eq!(field_words("생년월일"), ["생년월일"]);
    }

    #[test]
    fn errors_name_the_file_and_problem() {
        let base = "kind='email'\ndescription='d'\nreference='r'\ntrigger='at'\nregex='@'\n";
        let e = Spec::from_toml("p/x.toml", "x", &format!("id='y'\n{base}")).unwrap_err();
        assert!(e.to_string().contains("p/x.toml") && e.to_string().contains("file stem"));
        let e =
            Spec::from_toml("p/x.toml", "x", &format!("id='x'\n{base}colour='red'\n")).unwrap_err();
        assert!(e.to_string().contains("colour"), "{e}");
        let e = Spec::from_toml(
            "p/x.toml",
            "x",
            &format!("id='x'\n{base}validator='nope'\n"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown validator"), "{e}");
        let e = Spec::from_toml(
            "p/x.toml",
            "x",
            &base
                .replace("'email'", "'ssn'")
                .replace("kind", "id='x'\nkind"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown kind"), "{e}");
        for bad in ["[0, 5]", "[9, 7]"] {
            let e = Spec::from_toml("p/x.toml", "x", &format!("id='x'\n{base}digits={bad}\n"))
                .unwrap_err();
            assert!(e.to_string().contains("fewest"), "{e}");
        }
        let ok = Spec::from_toml("p/x.toml", "x", &format!("id='x'\n{base}digits=[7, 15]\n"));
        assert_eq!(ok.map(|s| s.digits).ok(), Some(Some((7, 15))));
    }
}
