//! Validators: pure functions that confirm (or reject) a candidate a detector's regex matched.
//!
//! A pattern file names its validator by string (`validator = "luhn"`); [`lookup`] maps that name
//! to a function. Validators see only the candidate text and a small [`Ctx`] (default phone region,
//! today's date), never the surrounding document: context is the scorer's job
//! (`detect::score`). Each returns a [`Verdict`] carrying the *normalised* value that is
//! fingerprinted (E.164 for phones, digits only for cards, ISO date for birth dates), so equal
//! values written differently link to one person.
//!
//! Adding a validator: write `fn name(text: &str, ctx: &Ctx) -> Verdict` in the submodule that
//! fits, add it to [`REGISTRY`] (kept sorted; a test checks), and table-test it beside the code.

pub mod address;
pub mod checksum;
pub mod date;
pub mod email;
pub mod iban;
pub mod ids;
pub mod ids_europe;
pub mod ids_world;
pub mod member;
pub mod mrz;
pub mod name;
pub mod net;
pub mod phone;
pub mod placeholder;

/// What a validator needs besides the candidate text.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Region (ISO 3166 alpha-2) for national-format phone numbers, e.g. `AU`.
    pub region: String,
    /// Other regions to try for national-format phone numbers, in order.
    pub fallback_regions: Vec<String>,
    /// Today's date as (year, month, day): DOBs in the future or over 120 years ago are rejected.
    pub today: (i32, u8, u8),
}

impl Default for Ctx {
    fn default() -> Self {
        let now = time::OffsetDateTime::now_utc();
        Ctx {
            region: "AU".to_string(),
            fallback_regions: ["US", "GB", "DE", "FR", "BR", "IN", "JP", "CA", "NZ"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            today: (now.year(), u8::from(now.month()), now.day()),
        }
    }
}

/// A validator's decision about one candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The candidate is a real value of its kind.
    Valid {
        /// Canonical form used for the fingerprint (never printed).
        normalised: String,
        /// True when the value is valid but of a weaker form (e.g. a national-format phone
        /// number, a card number outside known IIN ranges): the scorer lowers confidence one step.
        weak: bool,
    },
    /// Rejected; the reason is a static string (never contains the value) shown by `--explain`.
    Invalid(&'static str),
}

impl Verdict {
    /// A strong valid verdict.
    pub fn valid(normalised: impl Into<String>) -> Verdict {
        Verdict::Valid {
            normalised: normalised.into(),
            weak: false,
        }
    }

    /// A weak valid verdict (see [`Verdict::Valid::weak`]).
    pub fn weak(normalised: impl Into<String>) -> Verdict {
        Verdict::Valid {
            normalised: normalised.into(),
            weak: true,
        }
    }
}

/// A candidate as a validator sees it: the matched text and a little of what surrounds it on the
/// same line (at most [`AROUND`] bytes each side), for checks such as "this `x@y` follows `://`".
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The matched text.
    pub text: &'a str,
    /// Bytes just before the match (same line only).
    pub before: &'a [u8],
    /// Bytes just after the match (same line only).
    pub after: &'a [u8],
    /// Whether a weak verdict could still be reported. When `false` (no header, no context
    /// word, no field whose column could promote it, and the confidence floor above what a
    /// weak form scores), a validator may answer `Invalid` for a value it could only accept in
    /// a weak form, and skip the work of deciding.
    pub weak_counts: bool,
}

/// How many bytes of surrounding text a [`Candidate`] carries each side.
pub const AROUND: usize = 32;

impl<'a> Candidate<'a> {
    /// A candidate with nothing around it (tests, field values).
    pub fn bare(text: &'a str) -> Candidate<'a> {
        Candidate {
            text,
            before: b"",
            after: b"",
            weak_counts: true,
        }
    }
}

/// The signature every validator has.
pub type ValidatorFn = fn(&Candidate<'_>, &Ctx) -> Verdict;

/// Name → validator, sorted by name (a test keeps it sorted so lookups can binary-search).
pub const REGISTRY: &[(&str, ValidatorFn)] = &[
    ("aadvantage", member::aadvantage),
    ("au_medicare", ids::au_medicare),
    ("au_tfn", ids::au_tfn),
    ("br_cpf", ids::br_cpf),
    ("ca_sin", ids::ca_sin),
    ("credit_card", checksum::credit_card),
    ("credit_card_long", checksum::credit_card_long),
    ("date_of_birth", date::date_of_birth),
    ("de_idnr", ids_europe::de_idnr),
    ("email", email::email),
    ("email_obfuscated", email::email_obfuscated),
    ("es_dni", ids::es_dni),
    ("fi_hetu", ids_europe::fi_hetu),
    ("fr_nir", ids_europe::fr_nir),
    ("iban", iban::iban),
    ("in_aadhaar", ids::in_aadhaar),
    ("in_pan", ids_world::in_pan),
    ("ip_address", net::ip_address),
    ("it_cf", ids_europe::it_cf),
    ("jp_my_number", ids_world::jp_my_number),
    ("kr_rrn", ids_world::kr_rrn),
    ("loyalty", member::loyalty),
    ("luhn", checksum::luhn_digits),
    ("passport_mrz", mrz::passport_mrz),
    ("passport_number", member::passport_number),
    ("person_name", name::person_name),
    ("person_name_text", name::person_name_text),
    ("phone", phone::phone),
    ("phone_national", phone::phone_national),
    ("pl_pesel", ids_europe::pl_pesel),
    ("se_pnr", ids_europe::se_pnr),
    ("sg_nric", ids_world::sg_nric),
    ("street_address", address::street_address),
    ("th_id", ids_world::th_id),
    ("tr_tckn", ids_europe::tr_tckn),
    ("uk_nhs", ids_europe::uk_nhs),
    ("uk_nino", ids::uk_nino),
    ("us_itin", ids::us_itin),
    ("us_ssn", ids::us_ssn),
    ("za_id", ids_world::za_id),
];

/// The validator registered under `name`.
pub fn lookup(name: &str) -> Option<ValidatorFn> {
    REGISTRY
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .map(|i| REGISTRY[i].1)
}

/// The ASCII digits of `text`, in order.
pub fn digits(text: &str) -> String {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect()
}

/// Table tests of validators: each case is a text and `Some(weak)` (valid with that weakness) or
/// `None` (invalid), checked on a bare candidate with the default context.
#[cfg(test)]
pub(crate) fn assert_verdicts(f: ValidatorFn, cases: &[(&str, Option<bool>)]) {
    for &(text, want) in cases {
        let got = match f(&Candidate::bare(text), &Ctx::default()) {
            Verdict::Valid { weak, .. } => Some(weak),
            Verdict::Invalid(_) => None,
        };
        assert_eq!(got, want, "{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        for pair in REGISTRY.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} !< {}", pair[0].0, pair[1].0);
        }
        assert!(lookup("luhn").is_some());
        assert!(lookup("nope").is_none());
    }
}
