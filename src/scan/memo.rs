//! Per-input memo of the per-finding work that depends only on the value: the keyed fingerprint
//! (and placeholder verdict) of a (kind, normalised value), and the mask of a (kind, raw value).
//!
//! Dense exports repeat values — a customer's email on every order row, the same test card in
//! every fixture — and an HMAC-SHA256 is two SHA-256 compressions plus a hex rendering, about
//! 10,000 instructions without SHA extensions (callgrind), several times what the rest of a
//! finding costs. Each distinct value is fingerprinted and masked once per input (per thread
//! that prepares its hits) and the result reused.
//!
//! Bounded: the memo holds at most [`MEMO_ENTRIES`] values per table and starts over when full,
//! so an input of millions of distinct values costs a few MB, not memory that grows with it.
//! It holds fingerprints and masks, which are output anyway, and keys that are the raw and
//! normalised values: it lives only as long as the input's scan, like the text it came from.

use std::sync::Arc;

use crate::finding::Kind;

/// Distinct values kept per table (fingerprints, masks) before the table is emptied. At ~100
/// bytes an entry, 16 Ki entries is ~2 MB per table per scanning thread.
pub const MEMO_ENTRIES: usize = 16 * 1024;

/// What a value's fingerprint lookup gives: the fingerprint and whether the value is a known
/// placeholder ([`crate::validate::placeholder`]).
pub type Fingerprinted = (Arc<str>, bool);

/// The memo of one input (see the module docs).
#[derive(Debug, Default)]
pub struct Memo {
    /// (kind, normalised value) → fingerprint and placeholder verdict.
    fingerprints: Table<Fingerprinted>,
    /// (kind, raw value) → mask.
    masks: Table<Arc<str>>,
}

/// One map per kind (indexed by `Kind as usize`), so a lookup borrows the value as it is,
/// without building a composite key.
#[derive(Debug)]
struct Table<V> {
    by_kind: Vec<foldhash::HashMap<Box<[u8]>, V>>,
    len: usize,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            by_kind: Vec::new(),
            len: 0,
        }
    }
}

impl<V: Clone> Table<V> {
    fn get_or(&mut self, kind: Kind, key: &[u8], make: impl FnOnce() -> V) -> V {
        let k = kind as usize;
        if let Some(v) = self.by_kind.get(k).and_then(|m| m.get(key)) {
            return v.clone();
        }
        let v = make();
        if self.len >= MEMO_ENTRIES {
            // Start over rather than evict: simple, bounded, and a dense input's repeats are
            // mostly near each other.
            self.by_kind.iter_mut().for_each(|m| m.clear());
            self.len = 0;
        }
        if self.by_kind.len() <= k {
            self.by_kind
                .resize_with(Kind::ALL.len().max(k + 1), Default::default);
        }
        self.by_kind[k].insert(Box::from(key), v.clone());
        self.len += 1;
        v
    }
}

impl Memo {
    /// The fingerprint and placeholder verdict of `normalised` of `kind`, made by `make` the
    /// first time.
    pub fn fingerprint(
        &mut self,
        kind: Kind,
        normalised: &str,
        make: impl FnOnce() -> Fingerprinted,
    ) -> Fingerprinted {
        self.fingerprints.get_or(kind, normalised.as_bytes(), make)
    }

    /// The mask of `raw` of `kind`, made by `make` the first time.
    pub fn mask(&mut self, kind: Kind, raw: &[u8], make: impl FnOnce() -> Arc<str>) -> Arc<str> {
        self.masks.get_or(kind, raw, make)
    }

    /// Values held (both tables).
    pub fn len(&self) -> usize {
        self.fingerprints.len + self.masks.len
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Field names cached at most (see [`Interned`]).
pub const INTERNED_NAMES: usize = 4096;

/// An input's field names, one shared `Arc<str>` each, so that its findings share a name
/// instead of allocating one per cell with hits; a spool segment then names each field by
/// pointer ([`crate::scan::spool`]). Bounded by [`INTERNED_NAMES`]: an input with more names
/// (a JSON map keyed by ids) gets a fresh copy for the rest.
#[derive(Debug, Default)]
pub struct Interned {
    names: foldhash::HashMap<Box<str>, Arc<str>>,
}

impl Interned {
    /// The shared copy of `name`.
    pub fn get(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        let n: Arc<str> = Arc::from(name);
        if self.names.len() < INTERNED_NAMES {
            self.names.insert(Box::from(name), n.clone());
        }
        n
    }
}

#[cfg(test)]
mod tests {
    // Named, not `super::*`: docs/check-imports.py reads `super` as the scan module, which
    // imports this one.
    use crate::finding::Kind;
    use crate::scan::memo::{INTERNED_NAMES, Interned, MEMO_ENTRIES, Memo};
    use std::sync::Arc;

    #[test]
    fn makes_each_value_once_per_kind() {
        let mut m = Memo::default();
        let mut made = 0;
        for (kind, v) in [
            (Kind::Email, "a@example.com"),
            (Kind::Email, "a@example.com"),
            (Kind::Phone, "a@example.com"),
            (Kind::Email, "b@example.com"),
        ] {
            let fp = m.fingerprint(kind, v, || {
                made += 1;
                (Arc::from(format!("{kind}:{v}")), false)
            });
            assert_eq!(&*fp.0, format!("{kind}:{v}"));
        }
        assert_eq!(made, 3);
        let mask = m.mask(Kind::Email, b"a@example.com", || {
            Arc::from("a*@e******.com")
        });
        let again = m.mask(Kind::Email, b"a@example.com", || Arc::from("other"));
        assert_eq!((&*mask, &*again), ("a*@e******.com", "a*@e******.com"));
        assert_eq!(m.len(), 4);
    }

    #[test]
    fn interned_names_are_shared_and_bounded() {
        let mut i = Interned::default();
        let a = i.get("email");
        assert!(Arc::ptr_eq(&a, &i.get("email")));
        assert_eq!(&*i.get("phone"), "phone");
        for n in 0..2 * INTERNED_NAMES {
            assert_eq!(&*i.get(&n.to_string()), n.to_string());
        }
        assert!(i.names.len() <= INTERNED_NAMES);
        assert!(Arc::ptr_eq(&a, &i.get("email")));
    }

    #[test]
    fn stays_bounded() {
        let mut m = Memo::default();
        for i in 0..3 * MEMO_ENTRIES {
            let v = format!("{i}");
            let fp = m.fingerprint(Kind::Phone, &v, || (Arc::from(v.as_str()), false));
            assert_eq!(&*fp.0, v);
            assert!(m.len() <= MEMO_ENTRIES);
        }
        // Still correct after starting over.
        let fp = m.fingerprint(Kind::Phone, "7", || (Arc::from("7"), true));
        assert_eq!((&*fp.0, fp.1), ("7", true));
    }
}
