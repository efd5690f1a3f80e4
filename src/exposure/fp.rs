//! Fingerprints as the exposure model holds them: [`Fp`] (a keyed 128-bit fingerprint as a
//! number), its hasher and sets, the [`Cluster`] of linking values records hold together, and
//! how a derivation pass slices the fingerprint space. The lowest exposure module: the state,
//! the spools and the derivation all build on it and it imports none of them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// A 128-bit keyed fingerprint (see [`crate::finding::Fingerprinter`]), hex in JSON.
///
/// Held as a number, not a string, because the state may hold tens of millions of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fp(pub u128);

impl Fp {
    /// Reads a finding's fingerprint. Fingerprints piiscan writes are 32 hex digits; anything
    /// else (a hand-edited report) is hashed, so distinct strings still stay distinct.
    pub fn from_finding(s: &str) -> Fp {
        // The common case, 32 lower-case hex digits (what `Fingerprinter` writes), through a
        // table, 64 bits at a time: `from_str_radix`'s general loop, and a `match` per digit
        // shifting a u128, were ~500 instructions a finding. Anything else takes the path
        // below unchanged.
        if let Ok(b) = <&[u8; 32]>::try_from(s.as_bytes()) {
            let half = |h: &[u8]| {
                let mut v = 0u64;
                let mut bad = 0u8;
                for &c in h {
                    let d = HEX[usize::from(c)];
                    bad |= d;
                    v = (v << 4) | u64::from(d & 0xf);
                }
                // Invalid digits are 0xff in the table, so any sets the high bit.
                (bad & 0x80 == 0).then_some(v)
            };
            if let (Some(hi), Some(lo)) = (half(&b[..16]), half(&b[16..])) {
                return Fp((u128::from(hi) << 64) | u128::from(lo));
            }
        }
        if s.len() == 32
            && let Ok(v) = u128::from_str_radix(s, 16)
        {
            return Fp(v);
        }
        let d = Sha256::digest(s.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&d[..16]);
        Fp(u128::from_be_bytes(b))
    }
}

/// Lower-case hex digits' values; 0xff for every other byte.
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Hashes a [`Fp`] by folding its bits: a keyed HMAC output is already uniformly distributed
/// (and not choosable by whoever wrote the input, who does not know the key), so running it
/// through SipHash again only costs time — measured as the top hashing cost of a dense scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct FpHash;

/// The [`std::hash::Hasher`] behind [`FpHash`].
#[derive(Debug, Default)]
pub struct FpHasher(u64);

impl std::hash::Hasher for FpHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for types other than `Fp` (never, here); still a valid hash.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= (v as u64) ^ ((v >> 64) as u64);
    }
}

impl std::hash::BuildHasher for FpHash {
    type Hasher = FpHasher;
    fn build_hasher(&self) -> FpHasher {
        FpHasher(0)
    }
}

/// A set of fingerprints hashed with [`FpHash`].
pub type FpSet = std::collections::HashSet<Fp, FpHash>;

impl fmt::Display for Fp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl Serialize for Fp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fp, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.len() != 32 {
            return Err(serde::de::Error::custom(
                "fingerprint must be 32 hex digits",
            ));
        }
        u128::from_str_radix(&s, 16)
            .map(Fp)
            .map_err(|_| serde::de::Error::custom("fingerprint must be 32 hex digits"))
    }
}

/// The linking values that records of one input hold together, with those records' places:
/// what derivation links into people (see the module docs). Records holding exactly the same
/// values and places share one cluster. Nothing is linked yet: whether a value may link
/// depends on every input (see "Shared values" in the module docs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Linking fingerprints (placeholders left out), ascending (never empty).
    pub fingerprints: Vec<Fp>,
    /// Indices into the input's `places` the records hold, ascending.
    pub places: Vec<u32>,
    /// How many records. 0 for the values of one record past `LINK_SET_CAP`, each kept as a
    /// cluster of its own with only its own place (that record is counted by its first
    /// cluster).
    pub records: u64,
}

/// How many passes over `items` entries of `entry_bytes` each keep a pass within `budget`.
pub(super) fn passes(items: u64, entry_bytes: u64, budget: u64) -> u64 {
    items
        .saturating_mul(entry_bytes)
        .div_ceil(budget.max(1))
        .max(1)
}

/// Which of `passes` equal slices of the fingerprint hash space the fingerprint whose top 64
/// bits are `hi` falls in (fingerprints are keyed HMACs, so the slices are even).
pub(super) fn slice_of(hi: u64, passes: u64) -> u64 {
    ((u128::from(hi) * u128::from(passes)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads exactly what `from_str_radix` reads; anything else falls through.
    #[test]
    fn fingerprints_parse_as_before() {
        let slow = |s: &str| u128::from_str_radix(s, 16).ok();
        for s in [
            "0123456789abcdef0123456789abcdef",
            "ffffffffffffffffffffffffffffffff",
            "00000000000000000000000000000000",
            "0123456789ABCDEF0123456789abcdef",
            "+123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(Some(Fp::from_finding(s).0), slow(s), "{s}");
        }
        // Not hex: hashed, and never equal to a hex value's parse.
        let odd = Fp::from_finding("0123456789abcdef0123456789abcdeg");
        assert_eq!(odd, Fp::from_finding("0123456789abcdef0123456789abcdeg"));
        assert_ne!(Some(odd.0), slow("0123456789abcdef0123456789abcdef"));
        // Every byte at every position of either half: parsed as `from_str_radix` parses it.
        let base = *b"0123456789abcdef0f1e2d3c4b5a6978";
        for at in 0..32 {
            for c in 0..=255u8 {
                let mut b = base;
                b[at] = c;
                let Ok(s) = std::str::from_utf8(&b) else {
                    continue;
                };
                match slow(s) {
                    Some(v) => assert_eq!(Fp::from_finding(s).0, v, "{s}"),
                    None => assert_eq!(Fp::from_finding(s), Fp::from_finding(s)),
                }
            }
        }
    }
}
