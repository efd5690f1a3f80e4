//! Findings: what a detector reports once its candidate is validated, masked and fingerprinted.
//!
//! This module owns the boundary where a raw value stops existing. A [`Finding`] has no field that
//! can hold the matched text: only a [`mask`]ed rendering (or, with `--reveal`, the raw text the
//! user asked for) and a keyed [`Fingerprinter`] digest of the *normalised* value. Everything
//! downstream (exposure, reports, baselines) works from findings, so it cannot leak what it never
//! receives.

use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The categories of personal data piiscan reports. The set is closed: pattern files name one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An email address.
    Email,
    /// A phone number validated against numbering-plan metadata.
    Phone,
    /// A date that is, by context or field, somebody's date of birth.
    DateOfBirth,
    /// A frequent-flyer / hotel / retail loyalty membership number.
    LoyaltyNumber,
    /// A person's name.
    PersonName,
    /// A postal street address.
    StreetAddress,
    /// A payment card number (PAN).
    CreditCard,
    /// An International Bank Account Number.
    Iban,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A government identifier (SSN, TFN, NINO, ...).
    NationalId,
    /// A passport number or machine-readable-zone line.
    PassportNumber,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 11] = [
        Kind::Email,
        Kind::Phone,
        Kind::DateOfBirth,
        Kind::LoyaltyNumber,
        Kind::PersonName,
        Kind::StreetAddress,
        Kind::CreditCard,
        Kind::Iban,
        Kind::IpAddress,
        Kind::NationalId,
        Kind::PassportNumber,
    ];

    /// The snake_case name used in pattern files and every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::DateOfBirth => "date_of_birth",
            Kind::LoyaltyNumber => "loyalty_number",
            Kind::PersonName => "person_name",
            Kind::StreetAddress => "street_address",
            Kind::CreditCard => "credit_card",
            Kind::Iban => "iban",
            Kind::IpAddress => "ip_address",
            Kind::NationalId => "national_id",
            Kind::PassportNumber => "passport_number",
        }
    }

    /// Parses the snake_case name; `None` for anything else.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure piiscan is that a finding is real personal data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Shape matched, little else supports it.
    #[default]
    Low,
    /// Shape plus one strong piece of evidence (validator or context).
    Medium,
    /// Validated and supported by context or field name.
    High,
}

impl Confidence {
    /// The lowercase name used in flags and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// Parses `low|medium|high`.
    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "low" => Some(Confidence::Low),
            "medium" => Some(Confidence::Medium),
            "high" => Some(Confidence::High),
            _ => None,
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated piece of personal data at one place. Holds no raw value (see module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Display path of the input (`dir/file.csv`, `-` for stdin, `a.zip!b.csv` for members).
    pub path: Arc<str>,
    /// 1-based line in the decoded text.
    pub line: u64,
    /// 1-based byte column in the decoded text.
    pub column: u64,
    /// What kind of personal data this is.
    pub kind: Kind,
    /// The pattern id that found it.
    pub detector: Arc<str>,
    /// How sure the detector is.
    pub confidence: Confidence,
    /// Column / key / `table.column` the value sat in, if the format knows it.
    pub field: Option<Arc<str>>,
    /// Masked rendering (raw only under `--reveal`). Shared (`Arc`): a copy of the finding
    /// does not copy it.
    pub masked: Arc<str>,
    /// Keyed HMAC of the normalised value, hex. Shared like `masked`.
    pub fingerprint: Arc<str>,
    /// The record (row, object, tuple, or line) the value belongs to, unique within the input.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub record: Option<u64>,
    /// Why the detector decided as it did (`--explain`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub explain: Option<String>,
    /// The value is a known placeholder or test value (`noreply@…`, a published test card
    /// number, a default date of birth: [`crate::validate::placeholder`]). It is reported like
    /// any other, but never links records into one person (see [`crate::exposure`]).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub placeholder: bool,
}

/// Masks a raw value so that a report shows its shape but not its content.
///
/// Emails keep the first character of the local part and of the domain, and the top-level domain
/// (`j***@e******.com`); everything else keeps separators and at most the last four alphanumerics
/// when the value is long enough that four characters do not identify it (8+), else nothing.
pub fn mask(kind: Kind, raw: &str) -> String {
    if kind == Kind::Email
        && let Some(at) = raw.rfind('@')
    {
        let (local, domain) = (&raw[..at], &raw[at + 1..]);
        let tld_at = domain.rfind('.').unwrap_or(domain.len());
        let mut out = String::with_capacity(raw.len());
        mask_keep_first(local, &mut out);
        out.push('@');
        mask_keep_first(&domain[..tld_at], &mut out);
        out.push_str(&domain[tld_at..]);
        return out;
    }
    let alnum = raw.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = if kind == Kind::DateOfBirth || kind == Kind::PersonName || alnum < 8 {
        0
    } else {
        4
    };
    let mut seen = 0usize;
    // Sized once: a `*` is never longer than the character it replaces (collecting the chars
    // grew the string a few times per value).
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_alphanumeric() {
            seen += 1;
            out.push(if seen > alnum - keep { c } else { '*' });
        } else {
            out.push(c);
        }
    }
    out
}

/// [`mask`] as a shared string, made in one allocation: a short ASCII value (nearly every
/// value of a dense export) is masked in a stack buffer and copied once into the `Arc`, instead
/// of into a `String` that `Arc::from` then copies and frees. The same text as [`mask`] (a
/// test compares them).
pub fn mask_shared(kind: Kind, raw: &str) -> Arc<str> {
    const MAX: usize = 96;
    let b = raw.as_bytes();
    if b.len() > MAX || !b.is_ascii() {
        return Arc::from(mask(kind, raw));
    }
    let mut out = [0u8; MAX];
    out[..b.len()].copy_from_slice(b);
    let out = &mut out[..b.len()];
    if kind == Kind::Email
        && let Some(at) = memchr::memrchr(b'@', b)
    {
        let tld_at = memchr::memrchr(b'.', &b[at + 1..]).map_or(b.len(), |d| at + 1 + d);
        // Every character but the first of the local part and of the domain's name.
        for part in [0..at, at + 1..tld_at] {
            if part.len() > 1 {
                out[part.start + 1..part.end].fill(b'*');
            }
        }
    } else {
        let alnum = b.iter().filter(|c| c.is_ascii_alphanumeric()).count();
        let keep = if kind == Kind::DateOfBirth || kind == Kind::PersonName || alnum < 8 {
            0
        } else {
            4
        };
        let mut seen = 0usize;
        for c in out.iter_mut() {
            if c.is_ascii_alphanumeric() {
                seen += 1;
                if seen <= alnum - keep {
                    *c = b'*';
                }
            }
        }
    }
    // ASCII in, ASCII out: never falls back.
    Arc::from(std::str::from_utf8(out).unwrap_or_default())
}

fn mask_keep_first(s: &str, out: &mut String) {
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        out.push(first);
        out.extend(chars.map(|_| '*'));
    }
}

/// Keyed fingerprints: `HMAC-SHA256(key, kind ‖ 0x00 ‖ normalised value)`, first 16 bytes, hex.
///
/// Keyed because most PII has little entropy: there are ~44k dates of birth in a lifetime and a
/// few billion phone numbers, so an unkeyed hash is reversed by enumeration in seconds. With a key
/// that never leaves the operator, a report can be shared while fingerprints still link equal
/// values across files, runs (same key) and shards.
#[derive(Clone)]
pub struct Fingerprinter {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fingerprinter { key: <redacted> }")
    }
}

impl Fingerprinter {
    /// A fingerprinter keyed with `key` (any length; HMAC hashes long keys).
    pub fn new(key: &[u8]) -> Fingerprinter {
        match <Hmac<Sha256> as Mac>::new_from_slice(key) {
            Ok(mac) => Fingerprinter { mac },
            // HMAC takes keys of any length (long ones are hashed first), so no input reaches this.
            Err(_) => unreachable!("HMAC-SHA256 accepts keys of every length"),
        }
    }

    /// A fingerprinter with a fresh random 32-byte key (fingerprints only link within this run).
    pub fn random() -> Result<Fingerprinter, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Fingerprinter::new(&key))
    }

    /// The hex keyed digest of `value` under `label`, a name no [`Kind`] has (`input-path`):
    /// links equal values that are not findings — the real path a cache entry is for —
    /// without writing them down.
    pub fn digest(&self, label: &str, value: &str) -> String {
        debug_assert!(Kind::parse(label).is_none(), "{label} is a kind");
        let mut mac = self.mac.clone();
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        let out = mac.finalize().into_bytes();
        to_hex(&out[..16])
    }

    /// The hex fingerprint of a normalised value of `kind`.
    pub fn fingerprint(&self, kind: Kind, normalised: &str) -> String {
        self.fingerprint_shared(kind, normalised).to_string()
    }

    /// [`Fingerprinter::fingerprint`] as a shared string, in one allocation (the hex is made
    /// on the stack): what every finding carries.
    pub fn fingerprint_shared(&self, kind: Kind, normalised: &str) -> Arc<str> {
        let mut mac = self.mac.clone();
        mac.update(kind.as_str().as_bytes());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        let out = mac.finalize().into_bytes();
        let mut hex = [0u8; 32];
        hex_into(&out[..16], &mut hex);
        // Only ASCII digits were written: this never falls back.
        Arc::from(std::str::from_utf8(&hex).unwrap_or_default())
    }
}

/// Lower-case hex of `bytes` in one allocation of the final size.
///
/// Why not `hex::encode`: it collects the digits a `char` at a time into a growing `String`,
/// which was 39% of a fingerprint's time (perf, `fingerprint/phone` bench) — more than the two
/// SHA-256 compressions of the HMAC. Bytes, not `char`s, are pushed: `String::push` re-encodes
/// each as UTF-8 (~850 instructions per fingerprint, callgrind; now ~200).
fn to_hex(bytes: &[u8]) -> String {
    let mut s = vec![0u8; bytes.len() * 2];
    hex_into(bytes, &mut s);
    // Only ASCII digits were written: this never falls back.
    String::from_utf8(s).unwrap_or_default()
}

/// Writes lower-case hex of `bytes` into `out` (twice as long).
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0xf)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_shape_not_content() {
        let cases = [
            (Kind::Email, "jane.doe@example.com", "j*******@e******.com"),
            (Kind::Phone, "+61 412 345 678", "+** *** **5 678"),
            (
                Kind::CreditCard,
                "4111 1111 1111 1111",
                "**** **** **** 1111",
            ),
            (Kind::DateOfBirth, "1985-03-12", "****-**-**"),
            (Kind::LoyaltyNumber, "1234567", "*******"),
        ];
        for (kind, raw, want) in cases {
            assert_eq!(mask(kind, raw), want, "{kind} {raw}");
        }
    }

    #[test]
    fn phone_mask_keeps_last_four_when_long() {
        assert_eq!(mask(Kind::Phone, "0412345678"), "******5678");
    }

    /// `mask_shared` writes what `mask` writes: every kind, on seeded ASCII values (emails with
    /// and without dots and `@`s, short and long values, separators, the 96-byte edge) and on
    /// non-ASCII ones (the fallback).
    #[test]
    fn mask_shared_is_mask() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(11);
        let alphabet: Vec<char> = "ab9Z0@@..-+ _/é氏".chars().collect();
        let mut n = 0;
        for len in (0..40).chain([95, 96, 97, 200]) {
            for _ in 0..200 {
                let v: String = (0..len)
                    .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                    .collect();
                for kind in Kind::ALL {
                    assert_eq!(&*mask_shared(kind, &v), mask(kind, &v), "{kind} {v:?}");
                    n += 1;
                }
            }
        }
        for v in [
            "jane.doe@example.com",
            "@",
            "a@",
            "@b",
            "a@b.c",
            "x@@y..z",
            "",
        ] {
            assert_eq!(&*mask_shared(Kind::Email, v), mask(Kind::Email, v), "{v:?}");
        }
        assert!(n > 90_000);
    }

    #[test]
    fn fingerprints_are_keyed_and_kind_scoped() {
        let a = Fingerprinter::new(b"key-a");
        let b = Fingerprinter::new(b"key-b");
        let v = "+61412345678";
        assert_eq!(a.fingerprint(Kind::Phone, v), a.fingerprint(Kind::Phone, v));
        assert_ne!(a.fingerprint(Kind::Phone, v), b.fingerprint(Kind::Phone, v));
        assert_ne!(
            a.fingerprint(Kind::Phone, v),
            a.fingerprint(Kind::LoyaltyNumber, v)
        );
        assert_eq!(a.fingerprint(Kind::Phone, v).len(), 32);
    }

    #[test]
    fn digests_are_keyed_and_labelled() {
        let a = Fingerprinter::new(b"key-a");
        let b = Fingerprinter::new(b"key-b");
        let p = "/srv/exports/jane@example.com.csv";
        assert_eq!(a.digest("input-path", p), a.digest("input-path", p));
        assert_ne!(a.digest("input-path", p), b.digest("input-path", p));
        assert_ne!(a.digest("input-path", p), a.digest("other", p));
        assert!(!a.digest("input-path", p).contains("jane"));
        assert_eq!(a.digest("input-path", p).len(), 32);
    }

    #[test]
    fn hex_matches_the_hex_crate() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(to_hex(&all), hex::encode(&all));
        assert_eq!(to_hex(&[]), "");
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("ssn"), None);
    }
}
