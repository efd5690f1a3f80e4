//! Person names: shape checks plus given-name and surname dictionaries.
//!
//! The dictionaries are `patterns/dict/given_names.txt` and `patterns/dict/surnames.txt` (see their
//! SOURCE notes), embedded here with `include_str!` so this module stays pure and needs nothing
//! from the rest of the crate. Two validators:
//!
//! * `person_name` for a whole cell whose field name says it holds a name: any name-shaped value
//!   passes, and it is strong only when a token is in a dictionary (so `Zhou Xin` in a `name`
//!   column is found, while placeholders and company names are not);
//! * `person_name_text` for free text after a strong cue (`Dear`, `Mr`, `Name:`): every token must
//!   be name-shaped and at least one must be in a dictionary.

use std::sync::LazyLock;

// foldhash, not std's SipHash: every name cell looks its words up here, and SipHash was the
// larger part of the lookups' cost on a customer export (callgrind). The sets hold our own
// dictionaries, so there is no input-chosen key to defend against.
use foldhash::HashSet;

use super::{Candidate, Ctx, Verdict};

fn load(text: &'static str) -> HashSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
}

static GIVEN: LazyLock<HashSet<String>> = LazyLock::new(|| {
    load(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/patterns/dict/given_names.txt"
    )))
});
static SURNAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    load(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/patterns/dict/surnames.txt"
    )))
});

/// True when `word` (any case) is a known given name.
pub fn is_given_name(word: &str) -> bool {
    GIVEN.contains(&word.to_lowercase())
}

/// True when `word` (any case) is a known surname.
pub fn is_surname(word: &str) -> bool {
    SURNAMES.contains(&word.to_lowercase())
}

/// Values that fill name columns without being anybody's name, and words that mark an
/// organisation or a role rather than a person.
const NOT_NAMES: &[&str] = &[
    "admin",
    "administrator",
    "ag",
    "anon",
    "anonymous",
    "bank",
    "co",
    "company",
    "corp",
    "corporation",
    "customer",
    "default",
    "dept",
    "example",
    "false",
    "gmbh",
    "group",
    "guest",
    "holdings",
    "hotel",
    "inc",
    "limited",
    "llc",
    "llp",
    "ltd",
    "madam",
    "n/a",
    "na",
    "nil",
    "none",
    "null",
    "plc",
    "pty",
    "pvt",
    "sa",
    "sarl",
    "services",
    "sir",
    "solutions",
    "srl",
    "staff",
    "support",
    "system",
    "team",
    "test",
    "tbd",
    "tester",
    "true",
    "unknown",
    "user",
    "undefined",
    "valued",
    "all",
    "everyone",
    "there",
    "friend",
    "customers",
    "member",
    "members",
    "university",
    "airlines",
    "airways",
    "the",
    "and",
    "of",
    "for",
    "services",
    "sales",
    "info",
    "hello",
    "thanks",
    "regards",
    "string",
    "option",
    "value",
    "text",
    "name",
    "first",
    "last",
];

/// Lower-case particles that may sit between capitalised name tokens.
const PARTICLES: &[&str] = &[
    "de", "da", "das", "do", "dos", "di", "du", "del", "della", "la", "le", "van", "von", "der",
    "den", "ten", "ter", "bin", "binti", "al", "el", "y", "e", "st",
];

/// Titles and post-nominals that may precede or follow a name.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "m", "mme",
    "mlle", "sr", "sra", "srta", "jr", "sr.", "ii", "iii", "iv", "shri", "smt", "san",
];

/// How a token looks.
#[derive(Debug, PartialEq, Eq)]
enum Tok {
    /// Capitalised, all-caps or uncased (CJK) letters: a name word.
    Word,
    /// A single letter with or without a dot: an initial.
    Initial,
    /// A lower-case particle (`de`, `van`).
    Particle,
    /// A title (`Mr`, `Dr`).
    Title,
    /// Anything else.
    Other,
}

fn classify(tok: &str) -> Tok {
    let bare = tok.trim_end_matches('.');
    let lower = bare.to_lowercase();
    if TITLES.contains(&lower.as_str()) && (bare.len() > 1 || tok.ends_with('.')) {
        return Tok::Title;
    }
    let letters: Vec<char> = bare.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty()
        || !bare
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
    {
        return Tok::Other;
    }
    if letters.len() == 1 && letters[0].is_uppercase() {
        return Tok::Initial;
    }
    if PARTICLES.contains(&lower.as_str()) && bare.chars().all(|c| !c.is_uppercase()) {
        return Tok::Particle;
    }
    let first = letters[0];
    let rest_lower = letters[1..].iter().all(|c| !c.is_uppercase());
    let all_upper = letters.iter().all(|c| !c.is_lowercase());
    // McDonald / O'Neill / DeSouza: capital after the first letter is fine in a capitalised word.
    let cased = first.is_uppercase() && (rest_lower || all_upper || letters.len() > 2);
    let uncased = letters
        .iter()
        .all(|c| !c.is_uppercase() && !c.is_lowercase());
    if cased || uncased {
        Tok::Word
    } else {
        Tok::Other
    }
}

/// Splits a name cell into tokens, turning the airline `SURNAME/GIVEN MR` form into
/// `GIVEN SURNAME MR`.
fn tokens(text: &str) -> Option<Vec<&str>> {
    let t = text.trim();
    let (a, b) = match t.split_once('/') {
        Some((s, g)) if !g.contains('/') => (g, s),
        Some(_) => return None,
        None => (t, ""),
    };
    let toks: Vec<&str> = a
        .split([' ', ',', '\t'])
        .chain(b.split([' ', ',', '\t']))
        .filter(|s| !s.is_empty())
        .collect();
    Some(toks)
}

/// Common core: `Some(dictionary_hits, words)` when every token is name-shaped.
fn shape(text: &str, max_words: usize) -> Result<(usize, usize, String), &'static str> {
    if text.len() > 120 {
        return Err("too long for a name");
    }
    let toks = tokens(text).ok_or("more than one slash")?;
    let mut words = 0;
    let mut hits = 0;
    let mut norm = Vec::new();
    for tok in &toks {
        let lower = tok.trim_end_matches('.').to_lowercase();
        if NOT_NAMES.contains(&lower.as_str()) {
            return Err("placeholder, role or organisation word");
        }
        match classify(tok) {
            Tok::Word => {
                words += 1;
                if is_given_name(&lower) || is_surname(&lower) {
                    hits += 1;
                }
                norm.push(lower);
            }
            Tok::Initial | Tok::Particle => norm.push(lower),
            Tok::Title => {}
            // A lower-cased export (`jane smith`) is still a name when the dictionary knows it.
            Tok::Other
                if lower.chars().all(char::is_alphabetic)
                    && (is_given_name(&lower) || is_surname(&lower)) =>
            {
                words += 1;
                hits += 1;
                norm.push(lower);
            }
            Tok::Other => return Err("token is not name-shaped"),
        }
    }
    if words == 0 {
        return Err("no name word");
    }
    if words > max_words {
        return Err("too many words for a name");
    }
    Ok((hits, words, norm.join(" ")))
}

/// Validator `person_name`: a field value (1–5 name-shaped words, titles, initials, particles;
/// `SURNAME/GIVEN MR` accepted). Strong when any word is in a dictionary, weak otherwise.
pub fn person_name(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    match shape(c.text, 5) {
        Err(why) => Verdict::Invalid(why),
        Ok((hits, _, norm)) if hits > 0 => Verdict::valid(norm),
        Ok((_, _, norm)) => Verdict::weak(norm),
    }
}

/// Validator `person_name_text`: a name after a cue in free text (1–3 words). Invalid unless a
/// word is in a dictionary; weak unless every word is.
pub fn person_name_text(c: &Candidate<'_>, _ctx: &Ctx) -> Verdict {
    // After a `name:` / `name=` cue the value is the whole rest of the field: a capitalised word
    // followed by more words (`- name: Mark the job as successful` in a CI workflow) is a
    // sentence, not a name.
    let keyed = c
        .before
        .trim_ascii_end()
        .last()
        .is_some_and(|b| matches!(b, b':' | b'=' | b'-'));
    if keyed {
        let rest = c.after.trim_ascii_start();
        if rest.first().is_some_and(|b| b.is_ascii_alphanumeric()) {
            return Verdict::Invalid("a `name:` value that goes on is a sentence, not a name");
        }
    }
    match shape(c.text, 3) {
        Err(why) => Verdict::Invalid(why),
        Ok((0, _, _)) => Verdict::Invalid("no word is a known given name or surname"),
        Ok((hits, words, norm)) if hits == words => Verdict::valid(norm),
        Ok((_, _, norm)) => Verdict::weak(norm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> Option<bool> {
        match person_name(&Candidate::bare(text), &Ctx::default()) {
            Verdict::Valid { weak, .. } => Some(weak),
            Verdict::Invalid(_) => None,
        }
    }

    fn free(text: &str) -> Option<bool> {
        match person_name_text(&Candidate::bare(text), &Ctx::default()) {
            Verdict::Valid { weak, .. } => Some(weak),
            Verdict::Invalid(_) => None,
        }
    }

    #[test]
    fn dictionaries_load() {
        assert!(is_given_name("Mary") && is_given_name("mary"));
        assert!(is_surname("Smith") && is_surname("Müller"));
        assert!(!is_given_name("Invoice"));
    }

    #[test]
    fn field_values() {
        for (text, want) in [
            ("Jane Smith", Some(false)),
            ("SMITH/JANE MR", Some(false)),
            ("Dr. Mary-Anne O'Neill", Some(false)),
            ("Ludwig van Beethoven", Some(false)),
            ("J. R. Smith", Some(false)),
            ("Xochitl Zyx", Some(true)),
            ("山田 太郎", Some(false)),
            ("N/A", None),
            ("Acme Pty Ltd", None),
            ("unknown", None),
            ("jane smith", Some(false)),
            ("jane zyxw", None),
            ("Room 12", None),
            ("jane@example.com", None),
            ("", None),
        ] {
            assert_eq!(field(text), want, "{text}");
        }
    }

    #[test]
    fn free_text_values() {
        for (text, want) in [
            ("Jane", Some(false)),
            ("Jane Smith", Some(false)),
            ("Jane Zyxw", Some(true)),
            ("Customer", None),
            ("String", None),
            ("Sir", None),
            ("Zyxw", None),
        ] {
            assert_eq!(free(text), want, "{text}");
        }
    }

    #[test]
    fn keyed_values_must_end_where_the_name_ends() {
        let ctx = Ctx::default();
        let c = |before: &'static str, text: &'static str, after: &'static str| Candidate {
            text,
            before: before.as_bytes(),
            after: after.as_bytes(),
            weak_counts: true,
        };
        assert!(matches!(
            person_name_text(&c("  - name: ", "Mark", " the job as successful"), &ctx),
            Verdict::Invalid(_)
        ));
        assert!(matches!(
            person_name_text(&c("Name: ", "Mary Smith", ""), &ctx),
            Verdict::Valid { .. }
        ));
        assert!(matches!(
            person_name_text(&c("Dear ", "Mary", " and thanks"), &ctx),
            Verdict::Valid { .. }
        ));
    }
}
